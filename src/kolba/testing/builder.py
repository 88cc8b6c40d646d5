"""Turn test-client arguments (path, method, data, json, headers...) into a WSGI environ.

:class:`EnvironBuilder` is what ``client.get(...)`` and ``app.test_request_context(...)``
use under the hood. It knows the app's config, so ``SERVER_NAME``, ``APPLICATION_ROOT`` and
``PREFERRED_URL_SCHEME`` shape the default URL, and ``json=`` goes through ``app.json``.
"""

from __future__ import annotations

import io
import json as _stdlib_json
import re
import sys
import typing as t
from base64 import b64encode

from ..sansio.datastructures import FileMultiDict, FileStorage, Headers, MultiDict
from ..sansio.urls import iri_to_uri, quote, url_decode, url_encode
from ..sansio.urls import unquote as _unquote
from .multipart import encode_multipart

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from ..app import Kolba
    from ..wsgi.request import Request

_QueryArg: t.TypeAlias = (
    "t.Mapping[str, t.Any] | t.Iterable[tuple[str, t.Any]] | str | bytes | None"
)
_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
# "scheme://" at the start: the path is a full URL whose host and scheme are used.
_absolute_url_re = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")


def split_url(url: str) -> tuple[str, str, str, str]:
    """Split ``url`` into ``(scheme, netloc, path, query)``, dropping any fragment.

    Only a URL that starts with ``scheme://`` has a scheme and host; anything else (even
    ``//x``) is a path, so a path can never silently turn into another host.
    """
    url = url.partition("#")[0]
    scheme = netloc = ""
    if _absolute_url_re.match(url):
        scheme, _, rest = url.partition("://")
        cut = len(rest)
        for sep in "/?":
            pos = rest.find(sep)
            if pos != -1 and pos < cut:
                cut = pos
        netloc, url = rest[:cut], rest[cut:]
    path, _, query = url.partition("?")
    return scheme.lower(), netloc, path, query


def wsgi_string(uri_part: str) -> str:
    """Decode a percent-encoded URI part to WSGI's "bytes as latin-1 text" form."""
    return _unquote(uri_part, encoding="latin-1")


def split_host(scheme: str, host: str) -> tuple[str, str]:
    """``(name, port)`` of a ``host[:port]``; the port defaults to the scheme's."""
    name, sep, port = host.rpartition(":")
    if not sep or not port.isdigit() or name.endswith(":"):
        # No port, or the colons belong to a bare IPv6 address.
        return host, ("443" if scheme == "https" else "80")
    return name, port


def url_environ(
    scheme: str, host: str, script_root: str, path: str, query: str
) -> dict[str, t.Any]:
    """The environ keys that describe a request URL (``script_root`` and ``path`` are
    percent-encoded URI paths, ``query`` a ready query string).
    """
    hostname, port = split_host(scheme, host)
    request_uri = f"{script_root}{path}?{query}" if query else f"{script_root}{path}"
    return {
        "wsgi.url_scheme": scheme,
        "HTTP_HOST": host,
        "SERVER_NAME": hostname,
        "SERVER_PORT": port,
        "SCRIPT_NAME": wsgi_string(script_root),
        "PATH_INFO": wsgi_string(path),
        "QUERY_STRING": query,
        "REQUEST_URI": request_uri,
        "RAW_URI": request_uri,
    }


def _is_file(value: object) -> bool:
    return isinstance(value, (FileStorage, tuple)) or hasattr(value, "read")


def _iter_fields(data: t.Any) -> t.Iterator[tuple[str, t.Any]]:
    """``(key, value)`` pairs of a form given as a MultiDict, a dict (a list value is a
    field sent several times) or an iterable of pairs.
    """
    if isinstance(data, MultiDict):
        yield from data.items(multi=True)
        return
    pairs = data.items() if isinstance(data, t.Mapping) else data
    for key, value in pairs:
        if isinstance(value, list):
            for item in value:
                yield key, item
        else:
            yield key, value


class EnvironBuilder:
    """Collects the parts of a made-up request and builds its WSGI environ.

    ``path`` may hold a query string, and may be a full URL (``http://example.com/a?x=1``)
    whose scheme and host are used. Without ``base_url``, the app's ``SERVER_NAME``
    (``localhost`` if unset), ``APPLICATION_ROOT`` and ``PREFERRED_URL_SCHEME`` make the
    base, changed by ``subdomain`` and ``url_scheme``.

    The body is one of: ``data`` (str or bytes as is; a dict of form fields, where a file
    object, a :class:`FileStorage` or a ``(file, filename[, content_type])`` tuple makes it
    multipart and a list value sends the field several times), ``json`` (serialized with
    ``app.json``), or an ``input_stream``.

    ``environ_base`` holds defaults that the built values override; ``environ_overrides``
    is applied last and overrides everything. Call :meth:`close` to close the files.
    """

    #: The protocol reported in ``SERVER_PROTOCOL``.
    server_protocol = "HTTP/1.1"
    #: The WSGI version reported in ``wsgi.version``.
    wsgi_version = (1, 0)

    def __init__(
        self,
        app: Kolba | None = None,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        query_string: t.Mapping[str, t.Any]
        | t.Iterable[tuple[str, t.Any]]
        | str
        | bytes
        | None = None,
        method: str = "GET",
        input_stream: t.IO[bytes] | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        errors_stream: t.IO[str] | None = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
        headers: Headers | t.Mapping[str, str] | t.Iterable[tuple[str, str]] | None = None,
        data: t.Any = None,
        environ_base: t.Mapping[str, t.Any] | None = None,
        environ_overrides: t.Mapping[str, t.Any] | None = None,
        mimetype: str | None = None,
        json: t.Any = None,
        auth: tuple[str, str] | str | t.Any = None,
    ) -> None:
        if isinstance(app, str):
            # ``Request.from_values("/path", "http://base/")`` builds without an app, in
            # Werkzeug's argument order: the first two positionals are path and base URL.
            if path != "/" and base_url is None:
                base_url = path
            app, path = None, app
        self.app = app
        if base_url is not None and (subdomain is not None or url_scheme is not None):
            raise TypeError(
                "'subdomain' and 'url_scheme' shape the default base URL, so they can't be"
                " combined with 'base_url'. Put the scheme and host in 'base_url' instead."
            )
        scheme, netloc, raw_path, path_query = split_url(path)
        if base_url is None:
            base_url = self._default_base_url(scheme, netloc, subdomain, url_scheme)
        self.base_url = base_url
        self.path = iri_to_uri(raw_path) or "/"
        if path_query and query_string is not None:
            raise ValueError(
                f"The query string was given twice: in the path ({path!r}) and as"
                " 'query_string'. Pass it in only one of them."
            )
        self._query: str | None = None
        self._args: MultiDict[str, t.Any] | None = None
        if path_query:
            self.query_string = iri_to_uri(path_query)
        elif isinstance(query_string, bytes):
            self.query_string = query_string.decode("latin-1")
        elif query_string is None or isinstance(query_string, str):
            self.query_string = query_string or ""
        else:
            self.args = MultiDict(_iter_fields(query_string))
        self.method = method.upper()
        self.headers = Headers(headers)
        if content_type is not None:
            self.content_type = content_type
        elif mimetype is not None:
            self.content_type = mimetype
        self.content_length = content_length
        self.errors_stream: t.IO[str] = errors_stream if errors_stream is not None else sys.stderr
        self.multithread = multithread
        self.multiprocess = multiprocess
        self.run_once = run_once
        self.environ_base = environ_base
        self.environ_overrides = environ_overrides
        self.input_stream = input_stream
        self.form: MultiDict[str, t.Any] = MultiDict()
        self.files = FileMultiDict()
        self.closed = False
        if auth is not None:
            self.headers["Authorization"] = _auth_header(auth)
        if json is not None:
            if data is not None:
                raise TypeError("Pass either 'json' or 'data' as the request body, not both.")
            data = self.json_dumps(json)
            if self.content_type is None:
                self.content_type = "application/json"
        if data is not None:
            if input_stream is not None:
                raise TypeError(
                    "Pass either 'input_stream' or 'data' as the request body, not both."
                )
            self._set_data(data)

    def _default_base_url(
        self, scheme: str, netloc: str, subdomain: str | None, url_scheme: str | None
    ) -> str:
        host, root = "localhost", ""
        if self.app is not None:
            config = self.app.config
            host = config.get("SERVER_NAME") or "localhost"
            root = config.get("APPLICATION_ROOT") or ""
            if url_scheme is None:
                url_scheme = config.get("PREFERRED_URL_SCHEME")
        if subdomain:
            host = f"{subdomain}.{host}"
        # A full URL in the path wins over the defaults (Flask behaves the same).
        return f"{scheme or url_scheme or 'http'}://{netloc or host}/{root.lstrip('/')}"

    def _set_data(self, data: t.Any) -> None:
        if hasattr(data, "read"):
            data = data.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        if isinstance(data, (bytes, bytearray)):
            self.input_stream = io.BytesIO(data)
            if self.content_length is None:
                self.content_length = len(data)
            return
        for key, value in _iter_fields(data):
            if _is_file(value):
                self._add_file(key, value)
            elif value is not None:
                self.form.add(key, value)
        mimetype = self.mimetype
        if mimetype is not None and mimetype not in (_URLENCODED, _MULTIPART):
            raise ValueError(
                f"Form fields can't be sent as {mimetype!r}. Leave out 'content_type' (or use"
                f" {_MULTIPART!r} or {_URLENCODED!r}), or pass the body as str or bytes."
            )
        if mimetype == _URLENCODED and self.files:
            raise ValueError(
                f"Files can't be sent as {_URLENCODED!r}. Leave out 'content_type' or use"
                f" {_MULTIPART!r}."
            )

    def _add_file(self, key: str, value: t.Any) -> None:
        if isinstance(value, tuple):
            if not 1 <= len(value) <= 3:
                raise ValueError(
                    f"The file for field {key!r} is a tuple of {len(value)} items. Use"
                    " (file, filename) or (file, filename, content_type)."
                )
            self.files.add_file(key, *value)
        else:
            self.files.add_file(key, value)

    def json_dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        """Serialize ``obj`` for ``json=``: with the app's JSON provider when there is an app."""
        if self.app is not None:
            return self.app.json.dumps(obj, **kwargs)
        return _stdlib_json.dumps(obj, **kwargs)

    # -- URL parts ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Scheme, host and script root, such as ``http://localhost/`` or
        ``https://example.com:8443/app/``.
        """
        return f"{self.url_scheme}://{self.host}{self.script_root}/"

    @base_url.setter
    def base_url(self, value: str | None) -> None:
        if value is None:
            value = "http://localhost/"
        scheme, netloc, path, query = split_url(iri_to_uri(value))
        if query or "#" in value:
            raise ValueError(
                f"The base URL {value!r} has a query string or fragment. Pass those with"
                " 'path' or 'query_string' instead."
            )
        if not scheme:
            raise ValueError(
                f"The base URL {value!r} has no scheme and host. Use a full URL such as"
                " 'http://localhost/'."
            )
        self.url_scheme = scheme
        self.host = netloc or "localhost"
        self.script_root = path.rstrip("/")

    @property
    def server_name(self) -> str:
        """The host without its port."""
        return split_host(self.url_scheme, self.host)[0]

    @property
    def server_port(self) -> int:
        """The port of the host, or the scheme's default port."""
        return int(split_host(self.url_scheme, self.host)[1])

    @property
    def query_string(self) -> str:
        """The query string; setting it replaces :attr:`args`."""
        if self._args is not None:
            return url_encode(self._args)
        return self._query or ""

    @query_string.setter
    def query_string(self, value: str) -> None:
        self._query, self._args = value, None

    @property
    def args(self) -> MultiDict[str, t.Any]:
        """The query arguments; setting them replaces :attr:`query_string`."""
        if self._args is None:
            self._args = url_decode(self._query or "")
            self._query = None
        return self._args

    @args.setter
    def args(self, value: MultiDict[str, t.Any]) -> None:
        self._query, self._args = None, value

    # -- body description --------------------------------------------------------------------

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, or the form type implied by ``form`` and ``files``."""
        value = self.headers.get("Content-Type")
        if value is None and self.input_stream is None:
            if self.files:
                return _MULTIPART
            if self.form:
                return _URLENCODED
        return value

    @content_type.setter
    def content_type(self, value: str | None) -> None:
        if value is None:
            self.headers.pop("Content-Type", None)
        else:
            self.headers["Content-Type"] = value

    @property
    def mimetype(self) -> str | None:
        """:attr:`content_type` without its parameters, lower-cased."""
        value = self.content_type
        return value.partition(";")[0].strip().lower() if value else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.content_type = value

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int, or None."""
        value = self.headers.get("Content-Length")
        return int(value) if value is not None and value.isdigit() else None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self.headers.pop("Content-Length", None)
        else:
            self.headers["Content-Length"] = str(value)

    # -- output ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the files given as form data. Closing twice does nothing."""
        if self.closed:
            return
        for _key, value in self.files.items(multi=True):
            try:
                value.close()
            except Exception:  # a file the test already closed must not fail the request
                pass
        self.closed = True

    def _body(self) -> tuple[t.IO[bytes], int | None, str | None]:
        """The input stream, its length (None when unknown) and its content type."""
        content_type = self.content_type
        stream = self.input_stream
        if stream is not None:
            length = self.content_length
            if length is None:
                length = _remaining_length(stream)
            return stream, length, content_type
        mimetype = self.mimetype
        if mimetype == _MULTIPART:
            fields: MultiDict[str, t.Any] = MultiDict(self.form.items(multi=True))
            for key, value in self.files.items(multi=True):
                fields.add(key, value)
            body, boundary = encode_multipart(fields)
            return io.BytesIO(body), len(body), f'{_MULTIPART}; boundary="{boundary}"'
        if mimetype == _URLENCODED:
            body = url_encode(self.form).encode("ascii")
            return io.BytesIO(body), len(body), content_type
        return io.BytesIO(), self.content_length, content_type

    def get_environ(self) -> WSGIEnvironment:
        """Build the WSGI environ. A form body is encoded anew on each call."""
        stream, length, content_type = self._body()
        environ: dict[str, t.Any] = dict(self.environ_base or {})
        environ.update(
            url_environ(self.url_scheme, self.host, self.script_root, self.path, self.query_string)
        )
        environ.update(
            {
                "REQUEST_METHOD": self.method,
                "SERVER_PROTOCOL": self.server_protocol,
                "wsgi.version": self.wsgi_version,
                "wsgi.input": stream,
                "wsgi.errors": self.errors_stream,
                "wsgi.multithread": self.multithread,
                "wsgi.multiprocess": self.multiprocess,
                "wsgi.run_once": self.run_once,
            }
        )
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        if length is not None:
            environ["CONTENT_LENGTH"] = str(length)
        elif self.input_stream is not None:
            # No known length: the app reads the stream to its end, as behind a server
            # that de-chunks the body.
            environ["wsgi.input_terminated"] = True
        # A repeated header joins with ", " into one key, as servers do; a header replaces
        # the same key from environ_base (a Host header replaces the base URL's host).
        written: set[str] = set()
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            environ[key] = f"{environ[key]}, {value}" if key in written else value
            written.add(key)
        if self.environ_overrides:
            environ.update(self.environ_overrides)
        return environ

    def get_request(self, cls: type[Request] | None = None) -> Request:
        """Build a request object of ``cls`` (the app's request class by default)."""
        if cls is None:
            if self.app is not None:
                cls = self.app.request_class
            else:
                from ..wrappers import Request

                cls = Request
        return cls(self.get_environ())

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment, **kwargs: t.Any) -> EnvironBuilder:
        """A builder that makes the same request as ``environ``; ``kwargs`` replace any of
        the constructor arguments. The body stream is shared, not copied.
        """
        headers = Headers()
        for key, value in environ.items():
            if key.startswith("HTTP_") and key != "HTTP_HOST":
                headers.add(key[5:].replace("_", "-").title(), value)
        for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
            if environ.get(key):
                headers[name] = environ[key]
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        script_root = _uri_path(environ.get("SCRIPT_NAME", ""))
        base = {
            k: v
            for k, v in environ.items()
            if k not in _BUILT_KEYS and not k.startswith(("HTTP_", "wsgi."))
        }
        values: dict[str, t.Any] = {
            "path": _uri_path(environ.get("PATH_INFO", "")) or "/",
            "base_url": f"{scheme}://{host}{script_root}",
            "query_string": environ.get("QUERY_STRING", ""),
            "method": environ.get("REQUEST_METHOD", "GET"),
            "input_stream": environ.get("wsgi.input"),
            "errors_stream": environ.get("wsgi.errors"),
            "multithread": environ.get("wsgi.multithread", False),
            "multiprocess": environ.get("wsgi.multiprocess", False),
            "run_once": environ.get("wsgi.run_once", False),
            "headers": headers,
            "environ_base": base,
        }
        values.update(kwargs)
        return cls(**values)


# The environ keys get_environ computes (everything else in an environ is "base").
_BUILT_KEYS = frozenset(
    (
        *url_environ("http", "localhost", "", "/", ""),
        "REQUEST_METHOD",
        "SERVER_PROTOCOL",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
    )
)


def _uri_path(wsgi_path: str) -> str:
    """The percent-encoded URI form of a latin-1 WSGI path."""
    return quote(wsgi_path.encode("latin-1", "replace"), safe="/:@!$&'()*+,;=%")


def _remaining_length(stream: t.IO[bytes]) -> int | None:
    """How many bytes are left in a seekable stream; None if it can't seek."""
    try:
        if not stream.seekable():
            return None
        start = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(start)
    except (AttributeError, OSError, ValueError):
        return None
    return end - start


def _auth_header(auth: t.Any) -> str:
    if isinstance(auth, tuple):
        if len(auth) != 2:
            raise ValueError("'auth' as a tuple must be (username, password).")
        token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        return f"Basic {token}"
    if isinstance(auth, str):
        return auth
    return str(auth.to_header())


__all__ = ["EnvironBuilder", "split_host", "split_url", "url_environ", "wsgi_string"]

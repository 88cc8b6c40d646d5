"""Build WSGI environs from test-client style arguments (path, method, data, json...)."""

from __future__ import annotations

import io
import mimetypes
import os
import sys
import typing as t
from base64 import b64encode
from urllib.parse import quote, unquote, urlsplit

from ..sansio.datastructures import FileMultiDict, FileStorage, Headers, MultiDict
from ..sansio.urls import iri_to_uri, url_encode
from .multipart import encode_multipart

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from ..app import Kolba
    from ..wsgi.request import Request

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_file_value(value: t.Any) -> bool:
    return isinstance(value, (FileStorage, tuple)) or hasattr(value, "read")


class EnvironBuilder:
    """Collects request details and produces a WSGI environ with :meth:`get_environ`.

    ``path`` may carry a query string; ``base_url`` sets scheme, host and script root.
    ``data`` is a body (str or bytes) or a dict of form fields, where a file object or a
    ``(file, filename[, content_type])`` tuple makes the body multipart. ``json`` sends a
    JSON body. With an ``app``, SERVER_NAME, APPLICATION_ROOT and PREFERRED_URL_SCHEME shape
    the default URL and JSON goes through ``app.json``.
    """

    server_protocol = "HTTP/1.1"
    wsgi_version = (1, 0)
    #: Overridden by the app's JSON provider when an app is given.
    json_dumps: t.Callable[[t.Any], str]

    def __init__(
        self,
        app: Kolba | str | None = None,
        path: str = "/",
        base_url: str | None = None,
        query_string: t.Mapping[str, t.Any] | str | bytes | None = None,
        method: str = "GET",
        input_stream: t.IO[bytes] | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        errors_stream: t.IO[str] | None = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
        headers: Headers | t.Iterable[tuple[str, str]] | t.Mapping[str, str] | None = None,
        data: t.Any = None,
        environ_base: t.Mapping[str, t.Any] | None = None,
        environ_overrides: t.Mapping[str, t.Any] | None = None,
        mimetype: str | None = None,
        json: t.Any = None,
        auth: tuple[str, str] | t.Any = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
    ) -> None:
        if isinstance(app, str):
            # Called without an app: EnvironBuilder("/path", ...).
            if path != "/" and base_url is None:
                base_url = path
            path, app = app, None
        self.app = app
        import json as _json

        self.json_dumps = app.json.dumps if app is not None else _json.dumps
        if base_url is None:
            host = "localhost"
            app_root = "/"
            if app is not None:
                host = app.config.get("SERVER_NAME") or "localhost"
                app_root = app.config["APPLICATION_ROOT"]
                if url_scheme is None:
                    url_scheme = app.config["PREFERRED_URL_SCHEME"]
            if subdomain:
                host = f"{subdomain}.{host}"
            parts = urlsplit(path)
            base_url = (
                f"{parts.scheme or url_scheme or 'http'}://{parts.netloc or host}/"
                f"{app_root.lstrip('/')}"
            )
            path = parts.path or "/"
            if parts.query:
                path = f"{path}?{parts.query}"
        request_uri = urlsplit(path)
        if query_string is None and "?" in path:
            query_string = request_uri.query
        self.path = iri_to_uri(request_uri.path) or "/"
        self.base_url = base_url
        if isinstance(query_string, bytes):
            query_string = query_string.decode("latin-1")
        if query_string is None or isinstance(query_string, str):
            self.query_string: str = query_string or ""
            self.args: MultiDict[str, t.Any] | None = None
        else:
            self.query_string = ""
            self.args = MultiDict(query_string)
        self.method = method.upper()
        self.headers = Headers(headers)
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        elif mimetype is not None:
            self.headers["Content-Type"] = mimetype
        self.errors_stream = errors_stream if errors_stream is not None else sys.stderr
        self.multithread = multithread
        self.multiprocess = multiprocess
        self.run_once = run_once
        self.environ_base = environ_base
        self.environ_overrides = environ_overrides
        self.input_stream = input_stream
        self.content_length = content_length
        self.closed = False
        self.form: MultiDict[str, t.Any] = MultiDict()
        self.files = FileMultiDict()
        if auth is not None:
            if isinstance(auth, tuple):
                user, password = auth
                token = b64encode(f"{user}:{password}".encode()).decode("ascii")
                self.headers["Authorization"] = f"Basic {token}"
            else:
                self.headers["Authorization"] = auth.to_header()
        if json is not None:
            if data is not None:
                raise TypeError("can't provide both json and data")
            data = self.json_dumps(json)
            if self.content_type is None:
                self.content_type = "application/json"
        if data is not None:
            if input_stream is not None:
                raise TypeError("can't provide input stream and data")
            if hasattr(data, "read"):
                data = data.read()
            if isinstance(data, str):
                data = data.encode("utf-8")
            if isinstance(data, bytes):
                self.input_stream = io.BytesIO(data)
                if self.content_length is None:
                    self.content_length = len(data)
            else:
                for key, value in _iter_data(data):
                    if _is_file_value(value):
                        self._add_file(key, value)
                    else:
                        self.form.add(key, value)
        if mimetype is not None and content_type is None:
            self.headers["Content-Type"] = mimetype

    def _add_file(self, key: str, value: t.Any) -> None:
        if isinstance(value, FileStorage):
            self.files.add(key, value)
        elif isinstance(value, tuple):
            self.files.add_file(key, *value)
        else:
            self.files.add_file(key, value)

    # -- derived -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Scheme, host and script root: ``http://localhost/``."""
        return f"{self.url_scheme}://{self.host}{self.script_root}/"

    @base_url.setter
    def base_url(self, value: str | None) -> None:
        if value is None:
            scheme, netloc, script_root = "http", "localhost", ""
        else:
            parts = urlsplit(value)
            scheme, netloc, script_root = parts.scheme, parts.netloc, parts.path
            if parts.query or parts.fragment:
                raise ValueError("base url must not contain a query string or fragment")
        self.script_root = script_root.rstrip("/")
        self.host = netloc
        self.url_scheme = scheme

    @property
    def content_type(self) -> str | None:
        """The Content-Type header; set automatically for forms."""
        ct = self.headers.get("Content-Type")
        if ct is None and not self._input_stream_given:
            if self.files:
                return "multipart/form-data"
            if self.form:
                return "application/x-www-form-urlencoded"
        return ct

    @content_type.setter
    def content_type(self, value: str | None) -> None:
        if value is None:
            self.headers.pop("Content-Type", None)
        else:
            self.headers["Content-Type"] = value

    @property
    def _input_stream_given(self) -> bool:
        return self.input_stream is not None

    @property
    def mimetype(self) -> str | None:
        """The content type without parameters."""
        ct = self.content_type
        return ct.split(";")[0].strip() if ct else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.content_type = value

    @property
    def server_name(self) -> str:
        """The host without the port."""
        return self.host.split(":", 1)[0]

    @property
    def server_port(self) -> int:
        """The port from the host, or the scheme's default."""
        pieces = self.host.split(":", 1)
        if len(pieces) == 2:
            try:
                return int(pieces[1])
            except ValueError:
                pass
        return 443 if self.url_scheme == "https" else 80

    # -- output ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the files added to the form."""
        if self.closed:
            return
        for _key, value in self.files.items(multi=True):
            try:
                value.close()
            except Exception:
                pass
        self.closed = True

    def _body(self) -> tuple[t.IO[bytes], int | None, str | None]:
        content_type = self.content_type
        mimetype = self.mimetype
        if self.input_stream is not None:
            return self.input_stream, self.content_length, content_type
        if mimetype == "multipart/form-data" or self.files:
            fields = MultiDict(self.form)
            for key, value in self.files.items(multi=True):
                fields.add(key, value)
            data, boundary = encode_multipart(fields)
            ct = f'multipart/form-data; boundary="{boundary}"'
            return io.BytesIO(data), len(data), ct
        if mimetype == "application/x-www-form-urlencoded" or self.form:
            data = url_encode(self.form).encode("ascii")
            return io.BytesIO(data), len(data), content_type or _FORM_TYPES[0]
        return io.BytesIO(b""), self.content_length, content_type

    def get_environ(self) -> WSGIEnvironment:
        """Build the WSGI environ."""
        stream, length, content_type = self._body()
        raw_path = unquote(self.path, encoding="utf-8", errors="surrogateescape")
        path_info = raw_path.encode("utf-8", "surrogateescape").decode("latin-1")
        script_name = unquote(self.script_root).encode("utf-8").decode("latin-1")
        query = self.query_string
        if self.args is not None:
            query = url_encode(self.args)
        request_uri = quote(self.script_root + self.path, safe="/:@!$&'()*+,;=~%")
        if query:
            request_uri = f"{request_uri}?{query}"
        environ: dict[str, t.Any] = {}
        if self.environ_base:
            environ.update(self.environ_base)
        environ.update(
            {
                "REQUEST_METHOD": self.method,
                "SCRIPT_NAME": script_name,
                "PATH_INFO": path_info,
                "QUERY_STRING": query,
                "REQUEST_URI": request_uri,
                "RAW_URI": request_uri,
                "SERVER_NAME": self.server_name,
                "SERVER_PORT": str(self.server_port),
                "HTTP_HOST": self.host,
                "SERVER_PROTOCOL": self.server_protocol,
                "wsgi.version": self.wsgi_version,
                "wsgi.url_scheme": self.url_scheme,
                "wsgi.input": stream,
                "wsgi.errors": self.errors_stream,
                "wsgi.multithread": self.multithread,
                "wsgi.multiprocess": self.multiprocess,
                "wsgi.run_once": self.run_once,
            }
        )
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        headers = self.headers.copy()
        headers.pop("Content-Type", None)
        headers.pop("Content-Length", None)
        if content_type is not None:
            environ["CONTENT_TYPE"] = content_type
        if length is not None:
            environ["CONTENT_LENGTH"] = str(length)
        combined: dict[str, list[str]] = {}
        for name, value in headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue
            combined.setdefault(key, []).append(value)
        for key, values in combined.items():
            environ[key] = ", ".join(values)
        if self.environ_overrides:
            environ.update(self.environ_overrides)
        return environ

    def get_request(self, cls: type[Request] | None = None) -> Request:
        """Build a request object of ``cls`` (the app's request class by default)."""
        if cls is None:
            if self.app is not None:
                cls = self.app.request_class
            else:
                from ..wrappers import Request as cls
        return cls(self.get_environ())

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment, **kwargs: t.Any) -> EnvironBuilder:
        """A builder that reproduces ``environ`` (its body is reused, not copied)."""
        headers = Headers()
        for key, value in environ.items():
            if key.startswith("HTTP_") and key != "HTTP_HOST":
                headers.add(key[5:].replace("_", "-").title(), value)
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        script = environ.get("SCRIPT_NAME", "").encode("latin-1").decode("utf-8", "replace")
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        values: dict[str, t.Any] = {
            "path": quote(path),
            "base_url": f"{environ.get('wsgi.url_scheme', 'http')}://{host}{quote(script)}",
            "query_string": environ.get("QUERY_STRING", ""),
            "method": environ.get("REQUEST_METHOD", "GET"),
            "input_stream": environ.get("wsgi.input"),
            "content_length": int(environ["CONTENT_LENGTH"])
            if str(environ.get("CONTENT_LENGTH", "")).isdigit()
            else None,
            "errors_stream": environ.get("wsgi.errors"),
            "headers": headers,
            "environ_base": {
                k: v
                for k, v in environ.items()
                if not k.startswith(("HTTP_", "wsgi."))
                and k
                not in (
                    "PATH_INFO",
                    "SCRIPT_NAME",
                    "QUERY_STRING",
                    "REQUEST_METHOD",
                    "CONTENT_TYPE",
                    "CONTENT_LENGTH",
                    "SERVER_NAME",
                    "SERVER_PORT",
                    "REQUEST_URI",
                    "RAW_URI",
                )
            },
        }
        values.update(kwargs)
        return cls(**values)


def _iter_data(data: t.Any) -> t.Iterator[tuple[str, t.Any]]:
    if isinstance(data, MultiDict):
        yield from data.items(multi=True)
        return
    items = data.items() if hasattr(data, "items") else data
    for key, value in items:
        if isinstance(value, list):
            for item in value:
                yield key, item
        else:
            yield key, value


def guess_content_type(filename: str | os.PathLike[str] | None) -> str:
    """The mimetype for a filename, ``application/octet-stream`` when unknown."""
    if not filename:
        return "application/octet-stream"
    return mimetypes.guess_type(os.fspath(filename))[0] or "application/octet-stream"


__all__ = ["EnvironBuilder"]

"""The request object over a WSGI environ. Every attribute is computed on first use."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from ..sansio import request as _sansio
from ..sansio.datastructures import (
    CombinedMultiDict,
    FileStorage,
    Headers,
    ImmutableMultiDict,
    MultiDict,
)
from ..sansio.exceptions import (
    BadRequest,
    BadRequestKeyError,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)
from ..sansio.urls import url_decode
from ..utils import cached_property
from .formparser import FORM_MIMETYPES, FormDataParser, default_stream_factory, parse_urlencoded
from .streams import EmptyStream, LimitedStream

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_UNSET: Any = object()
_NOTHING_CACHED = (_UNSET, _UNSET)
_KEY_CACHE: dict[str, str] = {}
_BODY_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH")
#: A stand-in limit for a chunked body when the app sets none (no real body gets there).
_NO_LIMIT = 2**63


def _environ_key(name: str) -> str:
    # PERF: header names are few and repeat on every request; map each once.
    key = _KEY_CACHE.get(name)
    if key is None:
        key = name.upper().replace("-", "_")
        if key not in _BODY_KEYS:
            key = "HTTP_" + key
        if len(_KEY_CACHE) < 512:
            _KEY_CACHE[name] = key
    return key


class EnvironHeaders(Headers):
    """The request headers, read straight from the environ (``request.headers``). Read-only.

    Lookup ignores case, and ``-`` and ``_`` are the same (as the environ keys cannot tell
    them apart). Values are the environ strings as the server gave them: the header bytes
    decoded as latin-1, as in Flask, so a value copied into a response header is sent back
    byte for byte. A missing header in ``headers[name]`` is a 400 Bad Request, not a 500.
    """

    __slots__ = ("environ",)

    def __init__(self, environ: WSGIEnvironment) -> None:
        self.environ = environ

    @property
    def _list(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return list(self._iter())

    def _iter(self) -> Iterator[tuple[str, str]]:
        for key, value in self.environ.items():
            if key.startswith("HTTP_"):
                if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                    yield key[5:].replace("_", "-").title(), value
            elif key in _BODY_KEYS and value:
                yield key.replace("_", "-").title(), value

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, str):
            return self._list[key]
        value = self.environ.get(_environ_key(key))
        if value is None:
            raise BadRequestKeyError(key)
        return value

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:
        """Return header ``key`` (any case) or ``default``; see :meth:`Headers.get`."""
        value = self.environ.get(_environ_key(key))
        if value is None:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default

    def getlist(self, key: str, type: Any = None) -> list[Any]:
        """Return ``[value]`` or ``[]``: a WSGI server joins repeated headers into one value."""
        value = self.environ.get(_environ_key(key))
        if value is None:
            return []
        if type is None:
            return [value]
        try:
            return [type(value)]
        except (ValueError, TypeError):
            return []

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _environ_key(key) in self.environ

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return self._iter()

    def __len__(self) -> int:
        return sum(1 for _ in self._iter())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EnvironHeaders):
            return self.environ is other.environ
        return NotImplemented

    __hash__ = None

    def copy(self) -> Headers:
        """Refused: make a mutable copy with ``Headers(request.headers)``."""
        raise TypeError(f"cannot create {type(self).__name__!r} copies; use Headers(headers)")

    def _immutable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{type(self).__name__!r} objects are immutable")

    add = set = setlist = setdefault = setlistdefault = extend = update = _immutable
    remove = pop = popitem = clear = add_header = _immutable
    __setitem__ = __delitem__ = __ior__ = _immutable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._iter())!r})"


def wsgi_path(environ: WSGIEnvironment, key: str = "PATH_INFO") -> str:
    """The decoded request path from the environ (invalid UTF-8 becomes U+FFFD)."""
    raw: str = environ.get(key, "")
    if raw.isascii():
        return raw
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


class Request(_sansio.Request):
    """A request over a WSGI ``environ``.

    Nothing is read or parsed until asked for: ``args`` parses the query string on first
    access, ``form`` reads the body on first access, and so on. The body is read through
    :attr:`stream`, which stops at Content-Length and enforces ``max_content_length``.

    The size limits are class attributes here (None / 500 000 / 1 000); the app's request
    class reads them from the config instead, and each can be set per request.
    """

    #: The body size limit in bytes (413 when exceeded); None means no limit.
    max_content_length: int | None = None
    #: The size limit of one non-file multipart field, and of a whole urlencoded body.
    max_form_memory_size: int | None = 500_000
    #: The maximum number of multipart parts.
    max_form_parts: int | None = 1000
    #: The class that parses form bodies (see :class:`kolba.wsgi.formparser.FormDataParser`).
    form_data_parser_class: type[FormDataParser] = FormDataParser
    #: The JSON module used by :meth:`get_json`.
    json_module: Any = json

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        self.environ = environ
        self.shallow = shallow
        if populate_request and not shallow:
            # Middleware and extensions find the request here, as with Werkzeug.
            environ["werkzeug.request"] = self

    # -- primitives (from the environ) ----------------------------------------------------

    @cached_property
    def method(self) -> str:
        """The request method, upper-cased."""
        method: str = self.environ.get("REQUEST_METHOD", "GET")
        return method.upper()

    @cached_property
    def scheme(self) -> str:
        """``http`` or ``https`` (``wsgi.url_scheme``)."""
        scheme: str = self.environ.get("wsgi.url_scheme", "http")
        return scheme

    @cached_property
    def server(self) -> tuple[str, int | None] | None:
        """``(SERVER_NAME, SERVER_PORT)`` from the environ."""
        name = self.environ.get("SERVER_NAME")
        if not name:
            return None
        try:
            port: int | None = int(self.environ.get("SERVER_PORT", ""))
        except ValueError:
            port = None
        return name, port

    @cached_property
    def root_path(self) -> str:
        """The mount point of the app (``SCRIPT_NAME``)."""
        return wsgi_path(self.environ, "SCRIPT_NAME")

    @cached_property
    def path(self) -> str:
        """The path below the mount point, decoded, always starting with ``/``."""
        path = wsgi_path(self.environ)
        return path if path.startswith("/") else "/" + path

    @cached_property
    def query_string(self) -> bytes:
        """The raw query string."""
        query: str = self.environ.get("QUERY_STRING", "")
        return query.encode("latin-1", "replace")

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string parameters as an ImmutableMultiDict.

        Only ``&`` separates pairs (``;`` is data); invalid UTF-8 stays as ``%XX``.
        """
        # PERF: the environ string goes to url_decode as it is, which splits it without a
        # bytes round trip when it holds no escapes (2-3x faster than passing query_string).
        return url_decode(
            self.environ.get("QUERY_STRING", ""),
            cls=self.parameter_storage_class,
            errors="percent",
        )

    @cached_property
    def headers(self) -> Headers:
        """The request headers (read-only, case-insensitive)."""
        return EnvironHeaders(self.environ)

    @cached_property
    def remote_addr(self) -> str | None:
        """The client's address as the server saw it."""
        return self.environ.get("REMOTE_ADDR")

    @cached_property
    def content_length(self) -> int | None:
        """The Content-Length header as an int.

        None when it is missing or the body is chunked (``Transfer-Encoding: chunked``); 0
        when it is not a plain decimal number (``-1``, ``+5``, ``1_000``, ``5, 5``), as in
        Flask. Reading such a body is a 400 Bad Request.
        """
        # PERF: read from the environ directly, skipping two header lookups.
        environ = self.environ
        return _sansio.content_length_of(
            environ.get("CONTENT_LENGTH"), environ.get("HTTP_TRANSFER_ENCODING")
        )

    @property
    def remote_user(self) -> str | None:
        """The user name the server authenticated, if any (``REMOTE_USER``)."""
        return self.environ.get("REMOTE_USER")

    @property
    def is_multithread(self) -> bool:
        """Whether the server may run requests in several threads."""
        return bool(self.environ.get("wsgi.multithread"))

    @property
    def is_multiprocess(self) -> bool:
        """Whether the server may run requests in several processes."""
        return bool(self.environ.get("wsgi.multiprocess"))

    @property
    def is_run_once(self) -> bool:
        """Whether the process serves only this one request (CGI)."""
        return bool(self.environ.get("wsgi.run_once"))

    # -- body --------------------------------------------------------------------------------

    @property
    def input_stream(self) -> IO[bytes]:
        """The raw WSGI input, which knows nothing of Content-Length: prefer :attr:`stream`."""
        stream: IO[bytes] = self.environ["wsgi.input"]
        return stream

    @cached_property
    def stream(self) -> IO[bytes]:
        """The body as a stream that never reads past it.

        With a Content-Length it stops there: a Content-Length over ``max_content_length``
        is a 413 before anything is read, one that is not a plain decimal number is a 400,
        and a client that sends fewer bytes than it declared is a 400 (ClientDisconnected).
        A chunked body (the server sets ``wsgi.input_terminated``) is read to its end, and
        is a 413 as soon as it grows past ``max_content_length``. Any other body is empty.
        """
        if self.shallow:
            raise RuntimeError(
                "This request was created with shallow=True, so it may not read the body."
                " Create it without shallow=True to read the body."
            )
        length = self.content_length
        max_length = self.max_content_length
        if length is None:
            if self.environ.get("wsgi.input_terminated"):
                limit = _NO_LIMIT if max_length is None else max_length
                return LimitedStream(self.environ["wsgi.input"], limit, is_max=True)  # type: ignore[return-value]
            return EmptyStream()  # type: ignore[return-value]
        if length == 0:
            raw = self.environ.get("CONTENT_LENGTH", "")
            if raw.strip(" \t") and _sansio.parse_content_length(raw) is None:
                raise BadRequest(
                    f"The Content-Length header {_sansio._clip(raw)!r} is not a plain decimal"
                    " number of bytes. Send the body size as ASCII digits (such as '42')."
                )
            return EmptyStream()  # type: ignore[return-value]
        if max_length is not None and length > max_length:
            raise RequestEntityTooLarge(
                f"The request body is {length} bytes, over the limit of {max_length} bytes."
                " Raise MAX_CONTENT_LENGTH (or request.max_content_length) to accept it."
            )
        return LimitedStream(self.environ["wsgi.input"], length)  # type: ignore[return-value]

    def get_data(
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> Any:
        """Read the whole body as bytes (or text with ``as_text``), cached by default.

        With ``parse_form_data`` a form body is parsed into ``form`` and ``files`` first; the
        data is then empty, as the parser consumed it. Read the data first to keep both.
        """
        data: bytes | None = self.__dict__.get("_cached_data")
        if data is None:
            if parse_form_data:
                self._load_form_data()
            data = self.stream.read()
            if cache:
                self.__dict__["_cached_data"] = data
        if as_text:
            return data.decode("utf-8", "replace")
        return data

    @property
    def data(self) -> bytes:
        """The body as bytes. For a form body this is empty once ``form`` was parsed."""
        return self.get_data(parse_form_data=True)  # type: ignore[no-any-return]

    @property
    def want_form_data_parsed(self) -> bool:
        """Whether the request declares a content type, so a form may be parsed from it."""
        return bool(self.environ.get("CONTENT_TYPE"))

    def make_form_data_parser(self) -> FormDataParser:
        """Create the parser of form bodies, with this request's limits."""
        return self.form_data_parser_class(
            self._get_file_stream,
            max_form_memory_size=self.max_form_memory_size,
            max_content_length=self.max_content_length,
            cls=self.parameter_storage_class,
            silent=False,
            max_form_parts=self.max_form_parts,
        )

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        """Return a new writable, seekable file for one uploaded file (override to store
        uploads elsewhere). The default keeps small files in memory and spools the rest to
        an anonymous temporary file.
        """
        return default_stream_factory(total_content_length, content_type, filename, content_length)

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        mimetype = self.mimetype
        if mimetype not in FORM_MIMETYPES:
            empty: MultiDict[str, Any] = self.parameter_storage_class()
            self.__dict__["form"] = empty
            self.__dict__["files"] = self.parameter_storage_class()
            return
        cached: bytes | None = self.__dict__.get("_cached_data")
        if cached is not None:
            # The body was read with get_data() first: parse that copy.
            stream: IO[bytes] = io.BytesIO(cached)
            length: int | None = len(cached)
        else:
            stream = self.stream
            length = self.content_length
        if (
            mimetype == "application/x-www-form-urlencoded"
            and self.form_data_parser_class is FormDataParser
        ):
            # PERF: the common urlencoded form skips building a parser object and reading
            # the three limits it carries (~3 us of a ~12 us form request).
            self.__dict__["form"] = parse_urlencoded(
                stream, length, self.max_form_memory_size, self.parameter_storage_class
            )
            self.__dict__["files"] = self.parameter_storage_class()
        else:
            parser = self.make_form_data_parser()
            _stream, form, files = parser.parse(stream, mimetype, length, self.mimetype_params)
            self.__dict__["form"] = form
            self.__dict__["files"] = files
        if cached is None and mimetype == "multipart/form-data":
            # What the parser left (an epilogue) is not body data for get_data().
            self.__dict__["stream"] = EmptyStream()

    @cached_property
    def form(self) -> MultiDict[str, str]:
        """The fields of a urlencoded or multipart body (empty for other bodies).

        ``form["missing"]`` raises a KeyError that is a 400 Bad Request when unhandled.
        """
        self._load_form_data()
        return self.__dict__["form"]  # type: ignore[no-any-return]

    @cached_property
    def files(self) -> MultiDict[str, FileStorage]:
        """The uploaded files of a multipart body, as FileStorage objects."""
        self._load_form_data()
        return self.__dict__["files"]  # type: ignore[no-any-return]

    @cached_property
    def values(self) -> CombinedMultiDict[str, str]:
        """``args`` and ``form`` together (``form`` only for methods other than GET)."""
        sources: list[MultiDict[str, str]] = [self.args]
        if self.method != "GET":
            sources.append(self.form)
        return CombinedMultiDict(sources)

    # -- JSON --------------------------------------------------------------------------------

    @property
    def json(self) -> Any:
        """The body parsed as JSON (see :meth:`get_json`)."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Parse the body as JSON.

        The content type must be ``application/json`` (or ``application/*+json``) unless
        ``force``; otherwise :meth:`on_json_loading_failed` is called with None (415).
        Malformed JSON, including nesting too deep to parse, calls it with the error (400).
        With ``silent`` both cases return None instead. With ``cache`` the result is kept
        (separately for ``silent`` calls) and the body is not parsed again.
        """
        # _cached_json holds (result of a normal call, result of a silent call).
        cached = self.__dict__.get("_cached_json", _NOTHING_CACHED)
        if cache and cached[silent] is not _UNSET:
            return cached[silent]
        if not (force or self.is_json):
            if silent:
                return None
            return self.on_json_loading_failed(None)
        data = self.get_data(cache=cache)
        try:
            value = self.json_module.loads(data)
        except (ValueError, RecursionError) as e:
            if silent:
                value = None
                if cache:
                    self.__dict__["_cached_json"] = (cached[0], None)
            else:
                value = self.on_json_loading_failed(e)
                if cache:
                    self.__dict__["_cached_json"] = (value, cached[1])
        else:
            if cache:
                self.__dict__["_cached_json"] = (value, value)
        return value

    def on_json_loading_failed(self, e: Exception | None) -> Any:
        """Called when the body cannot be read as JSON; raises 400 (or 415) by default.

        ``e`` is the parser's error, or None when the content type is not JSON. A subclass
        may return a value instead, which ``get_json`` then returns.
        """
        if e is not None:
            raise BadRequest(f"Failed to decode JSON object: {e}. Send a valid JSON document.")
        raise UnsupportedMediaType(
            "Did not attempt to load JSON data because the request Content-Type was not"
            f" 'application/json' (it was {self.content_type!r}). Send the header"
            " 'Content-Type: application/json'."
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the uploaded files (their temporary files are deleted).

        The app calls this when the request ends, errors included.
        """
        files = self.__dict__.get("files")
        if files:
            for _key, value in files.items(multi=True):
                value.close()
        if self.environ.get("werkzeug.request") is self:
            # Break the environ <-> request cycle so the request is freed without the GC.
            self.environ["werkzeug.request"] = None

    def __enter__(self) -> Request:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def from_values(cls, *args: Any, **kwargs: Any) -> Request:
        """Build a request from test-client style arguments (path, method, data, json...)."""
        from ..testing.builder import EnvironBuilder

        builder = EnvironBuilder(*args, **kwargs)
        try:
            return cls(builder.get_environ())
        finally:
            builder.close()


__all__ = ["EnvironHeaders", "ImmutableMultiDict", "Request", "wsgi_path"]

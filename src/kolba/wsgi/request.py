"""The request object over a WSGI environ. Every attribute is computed on first use."""

from __future__ import annotations

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
from ..utils import cached_property
from .formparser import parse_form_data
from .streams import EmptyStream, LimitedStream

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_UNSET: Any = object()
_KEY_CACHE: dict[str, str] = {}


def _environ_key(name: str) -> str:
    # PERF: header names are few and repeat on every request; map each once.
    key = _KEY_CACHE.get(name)
    if key is None:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        if len(_KEY_CACHE) < 512:
            _KEY_CACHE[name] = key
    return key


class EnvironHeaders(Headers):
    """The request headers, read straight from the environ. Read-only."""

    __slots__ = ("environ",)

    def __init__(self, environ: WSGIEnvironment) -> None:
        self.environ = environ

    @property  # type: ignore[override]
    def _list(self) -> list[tuple[str, str]]:
        return list(self._iter())

    def _iter(self) -> Iterator[tuple[str, str]]:
        for key, value in self.environ.items():
            if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                yield key[5:].replace("_", "-").title(), _decode(value)
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                yield key.replace("_", "-").title(), _decode(value)

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, str):
            return self._list[key]
        value = self.environ.get(_environ_key(key))
        if value is None or (value == "" and key.lower() in ("content-type", "content-length")):
            raise BadRequestKeyError(key)
        return _decode(value)

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:
        value = self.environ.get(_environ_key(key))
        if value is None:
            return default
        value = _decode(value)
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default

    def getlist(self, key: str, type: Any = None) -> list[Any]:
        # WSGI servers join repeated headers with ", " into one environ value.
        value = self.get(key, None, type)
        if value is None:
            return []
        return [value]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _environ_key(key) in self.environ

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return self._iter()

    def __len__(self) -> int:
        return sum(1 for _ in self._iter())

    def __eq__(self, other: object) -> bool:
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> Headers:
        raise TypeError(f"cannot create {type(self).__name__!r} copies; use Headers(headers)")

    def _immutable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{type(self).__name__!r} objects are immutable")

    add = set = setlist = setdefault = setlistdefault = extend = update = _immutable  # type: ignore[assignment]
    remove = pop = popitem = clear = add_header = _immutable  # type: ignore[assignment]
    __setitem__ = __delitem__ = _immutable  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._iter())!r})"


def _decode(value: str) -> str:
    # Environ strings are latin-1 stand-ins for bytes; most headers are plain ASCII.
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def wsgi_path(environ: WSGIEnvironment, key: str = "PATH_INFO") -> str:
    """The decoded request path from the environ (invalid UTF-8 becomes U+FFFD)."""
    raw: str = environ.get(key, "")
    if raw.isascii():
        return raw
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


class Request(_sansio.Request):
    """A request over a WSGI ``environ``.

    Nothing is read or parsed until asked for: ``args`` parses the query string on first
    access, ``form`` reads the body on first access, and so on. The body is read through a
    stream that stops at Content-Length.
    """

    #: The body size limit in bytes (413 when exceeded); None means no limit.
    max_content_length: int | None = None
    #: The size limit of one non-file form field, and of a urlencoded body.
    max_form_memory_size: int | None = 500_000
    #: The maximum number of multipart parts.
    max_form_parts: int | None = 1000
    #: Whether ``form``/``files`` reading may wrap the stream (set False to keep ``data``).
    want_form_data_parsed_hint = False
    #: The JSON module used by :meth:`get_json`.
    json_module: Any = json

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        self.environ = environ
        self.shallow = shallow
        if populate_request and not shallow:
            environ["kolba.request"] = self

    # -- primitives (from the environ) ----------------------------------------------------

    @cached_property
    def method(self) -> str:  # type: ignore[override]
        """The request method, upper-cased."""
        return self.environ.get("REQUEST_METHOD", "GET").upper()

    @cached_property
    def scheme(self) -> str:  # type: ignore[override]
        """``http`` or ``https`` (``wsgi.url_scheme``)."""
        return self.environ.get("wsgi.url_scheme", "http")

    @cached_property
    def server(self) -> tuple[str, int | None] | None:  # type: ignore[override]
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
    def root_path(self) -> str:  # type: ignore[override]
        """The mount point of the app (``SCRIPT_NAME``)."""
        return wsgi_path(self.environ, "SCRIPT_NAME")

    @cached_property
    def path(self) -> str:  # type: ignore[override]
        """The path below the mount point, decoded, always starting with ``/``."""
        path = wsgi_path(self.environ)
        return path if path.startswith("/") else "/" + path

    @cached_property
    def query_string(self) -> bytes:  # type: ignore[override]
        """The raw query string."""
        return self.environ.get("QUERY_STRING", "").encode("latin-1", "replace")

    @cached_property
    def headers(self) -> Headers:  # type: ignore[override]
        """The request headers (read-only, case-insensitive)."""
        return EnvironHeaders(self.environ)

    @cached_property
    def remote_addr(self) -> str | None:  # type: ignore[override]
        """The client's address as the server saw it."""
        return self.environ.get("REMOTE_ADDR")

    # -- body --------------------------------------------------------------------------------

    @property
    def input_stream(self) -> IO[bytes]:
        """The raw WSGI input, unbounded: prefer :attr:`stream`."""
        stream: IO[bytes] = self.environ["wsgi.input"]
        return stream

    @cached_property
    def stream(self) -> IO[bytes]:
        """The body as a stream that stops at Content-Length.

        A Content-Length over ``max_content_length`` raises 413 before anything is read; a
        Content-Length that is not a non-negative decimal number raises 400.
        """
        raw = self.headers.get("Content-Length")
        length = self.content_length
        max_length = self.max_content_length
        if raw is not None and raw.strip() and length is None:
            raise BadRequest(
                f"The Content-Length header {raw!r} is not a non-negative decimal number."
                " Send the body size in bytes, or no Content-Length at all."
            )
        if length is not None:
            if max_length is not None and length > max_length:
                raise RequestEntityTooLarge(
                    f"The request body is {length} bytes, over the limit of {max_length}."
                    " Raise MAX_CONTENT_LENGTH (or request.max_content_length) to accept it."
                )
            if length == 0:
                return EmptyStream()
            return LimitedStream(self.environ["wsgi.input"], length)  # type: ignore[return-value]
        if self.environ.get("wsgi.input_terminated"):
            # A chunked body: read to its end, but never past the maximum.
            limit = max_length if max_length is not None else 2**63
            return LimitedStream(self.environ["wsgi.input"], limit, is_max=True)  # type: ignore[return-value]
        return EmptyStream()

    def get_data(
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> Any:
        """Read the whole body as bytes (or text with ``as_text``), cached by default.

        With ``parse_form_data``, a form body is parsed into ``form`` first and the data is
        then empty, as the stream was consumed by the parser.
        """
        if parse_form_data:
            self._load_form_data()
        data = self.__dict__.get("_cached_data")
        if data is None:
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

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        form, files = parse_form_data(self)
        self.__dict__["form"] = form
        self.__dict__["files"] = files

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

        The content type must be JSON unless ``force``: otherwise 415 Unsupported Media Type.
        Malformed JSON gives 400 Bad Request. With ``silent`` both cases return None.
        """
        cached = self.__dict__.get("_cached_json", _UNSET)
        if cached is not _UNSET and cache:
            value, was_silent_failure = cached
            if not (was_silent_failure and not silent):
                return value
        if not (force or self.is_json):
            if silent:
                return None
            return self.on_json_loading_failed(None)
        data = self.get_data(cache=cache)
        try:
            value = self.json_module.loads(data)
        except (ValueError, RecursionError) as e:
            if silent:
                if cache:
                    self.__dict__["_cached_json"] = (None, True)
                return None
            return self.on_json_loading_failed(e)
        if cache:
            self.__dict__["_cached_json"] = (value, False)
        return value

    def on_json_loading_failed(self, e: Exception | None) -> Any:
        """Called when the body cannot be read as JSON; raises 400 or 415 by default."""
        if e is not None:
            raise BadRequest(f"Failed to decode JSON object: {e}. Send a valid JSON document.")
        raise UnsupportedMediaType(
            "Did not attempt to load JSON data because the request Content-Type was not"
            f" 'application/json' (it was {self.content_type!r}). Send the header"
            " 'Content-Type: application/json'."
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the uploaded files (temporary files are deleted)."""
        files = self.__dict__.get("files")
        if files:
            for _key, value in files.items(multi=True):
                value.close()

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

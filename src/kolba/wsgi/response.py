"""The response object: a body, a status and headers, callable as a WSGI application."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..sansio import response as _sansio
from ..sansio.datastructures import Headers
from ..sansio.http import generate_etag
from ..sansio.status import _STATUS_LINES, status_line

_new_headers = object.__new__
_R = TypeVar("_R", bound="Response")

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Headers that describe a body; a 304 must not carry them. Expires and Content-Location
# stay: they describe the cached representation the 304 confirms (RFC 9110, 15.4.5).
_NOT_MODIFIED_DROPS = frozenset(
    (
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-md5",
        "content-range",
        "content-type",
        "last-modified",
    )
)


def _encode(chunk: Any) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(
        f"A response body iterable yielded {type(chunk).__name__}; it must yield bytes or str."
    )


class ClosingIterator:
    """Iterates a response body, encoding text, and calls ``close`` callbacks at the end."""

    def __init__(self, iterable: Iterable[Any], callbacks: list[Callable[[], Any]]) -> None:
        self._iterator = iter(iterable)
        self._callbacks = callbacks

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return _encode(next(self._iterator))

    def close(self) -> None:
        """Run the callbacks, each once, even if one raises."""
        callbacks, self._callbacks = self._callbacks, []
        error: BaseException | None = None
        for callback in callbacks:
            try:
                callback()
            except BaseException as e:
                error = error or e
        if error is not None:
            raise error


class Response(_sansio.Response):
    """A response with a body. Call it with ``(environ, start_response)`` to send it.

    ``response`` may be a str or bytes (the body), or an iterable of them (a list is
    buffered, a generator is streamed). ``direct_passthrough`` hands the iterable to the
    server untouched (used for files).
    """

    #: Add Content-Length when the body is a sequence whose size is known.
    automatically_set_content_length = True
    #: Flask 3.1 keeps Location as given (relative URLs are fine for every browser).
    autocorrect_location_header = False
    implicit_sequence_conversion = True
    json_module: Any = json

    response: Iterable[bytes] | Iterable[str]
    direct_passthrough: bool
    # PERF: most responses never register a close callback; share one empty tuple.
    _on_close: list[Callable[[], Any]] | tuple[()] = ()
    # PERF: the body list when it is known to hold only bytes, so __call__ can hand it
    # straight to the server (compared by identity, so replacing ``response`` disarms it).
    _bytes_list: list[bytes] | None = None

    def __init__(
        self,
        response: Iterable[bytes] | bytes | Iterable[str] | str | None = None,
        status: int | str | None = None,
        headers: Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        super().__init__(
            status=status, headers=headers, mimetype=mimetype, content_type=content_type
        )
        self.direct_passthrough = direct_passthrough
        if response is None:
            self.response = []
        elif isinstance(response, (str, bytes, bytearray)):
            if headers is None and self._stock_set_data:
                # PERF: headers made just now have no Content-Length to replace: append it
                # instead of going through set_data's checked, scanning header update.
                data = response.encode() if isinstance(response, str) else bytes(response)
                self.response = self._bytes_list = [data]
                if self.automatically_set_content_length:
                    self.headers._list.append(("Content-Length", str(len(data))))
            else:
                self.set_data(response)
        else:
            self.response = response

    #: Whether ``set_data`` is this class's own (set per subclass): only then may
    #: ``__init__`` set the body without calling it.
    _stock_set_data = True

    #: Whether the WSGI methods are this class's own (set per subclass): only then may
    #: ``__call__`` answer without calling them.
    _stock_wsgi = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._stock_set_data = cls.set_data is Response.set_data
        cls._stock_wsgi = all(
            getattr(cls, name) is getattr(Response, name)
            for name in ("get_wsgi_response", "get_wsgi_headers", "get_app_iter", "is_sequence")
        )

    @classmethod
    def _prepared(cls, body: str | bytes, status: int, headers: list[tuple[str, str]]) -> Response:
        """Build a response from trusted parts, skipping argument handling.

        Content-Length is added here. Used by the framework for its own responses.
        """
        # PERF: about a third of __init__'s cost for the common str/bytes view return.
        self = cls.__new__(cls)
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers.append(("Content-Length", str(len(data))))
        # PERF: Headers._trusted and status_line, inlined (this runs for most responses).
        header_obj = _new_headers(Headers)
        header_obj._list = headers
        self.headers = header_obj
        self._status_code = status
        self._status = _STATUS_LINES.get(status) or status_line(status)
        self.response = self._bytes_list = [data]
        self.direct_passthrough = False
        return self

    @classmethod
    def _from_parts(
        cls: type[_R],
        body: Iterable[bytes] | None,
        status: int,
        headers: list[tuple[str, str]],
        mimetype: str,
        direct_passthrough: bool,
    ) -> _R:
        """``cls(body, status, headers=headers, mimetype=mimetype, direct_passthrough=...)``
        for trusted ``headers`` that hold no Content-Type (the list is kept, not copied).

        Used by the framework for the file responses it builds.
        """
        if cls.__init__ is not Response.__init__:
            return cls(
                body,
                status,
                headers=Headers._trusted(headers),
                mimetype=mimetype,
                direct_passthrough=direct_passthrough,
            )
        # PERF: what __init__ does for these arguments without its argument handling and
        # its scan of the headers for a Content-Type to replace.
        self = cls.__new__(cls)
        headers.append(("Content-Type", _sansio._checked_content_type(mimetype)))
        header_obj = _new_headers(Headers)
        header_obj._list = headers
        self.headers = header_obj
        self._status_code = status
        self._status = _STATUS_LINES.get(status) or status_line(status)
        self.response = [] if body is None else body
        self.direct_passthrough = direct_passthrough
        return self

    def __repr__(self) -> str:
        if self.is_sequence:
            body = f"{sum(map(len, self.iter_encoded()))} bytes"
        else:
            body = "streamed" if self.is_streamed else "likely-streamed"
        return f"<{type(self).__name__} {body} [{self.status}]>"

    # -- body --------------------------------------------------------------------------------

    def call_on_close(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """Register ``func`` to run when the response is closed (after it was sent)."""
        if not self._on_close:
            self._on_close = []
        self._on_close.append(func)
        return func

    @property
    def is_streamed(self) -> bool:
        """Whether the body is an iterable of unknown length (a generator)."""
        try:
            len(self.response)  # type: ignore[arg-type]
        except (TypeError, AttributeError):
            return True
        return False

    @property
    def is_sequence(self) -> bool:
        """Whether the body is a list or tuple (its length is known)."""
        return isinstance(self.response, (tuple, list))

    def get_data(self, as_text: bool = False) -> Any:
        """The body as bytes (or text). A streamed body is read and buffered first."""
        self._ensure_sequence()
        data = b"".join(self.iter_encoded())
        if as_text:
            return data.decode("utf-8")
        return data

    def set_data(self, value: bytes | str | bytearray) -> None:
        """Replace the body; Content-Length follows."""
        if isinstance(value, str):
            value = value.encode("utf-8")
        elif isinstance(value, bytearray):
            value = bytes(value)
        self.response = self._bytes_list = [value]
        if self.automatically_set_content_length:
            _sansio._replace_header(self.headers, "Content-Length", str(len(value)))

    data = property(get_data, set_data, doc="The body as bytes; assigning replaces it.")

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.get_data(as_text=True)  # type: ignore[no-any-return]

    def calculate_content_length(self) -> int | None:
        """The body length if it is a sequence, else None."""
        try:
            self._ensure_sequence()
        except RuntimeError:
            return None
        return sum(len(x) for x in self.iter_encoded())

    def _ensure_sequence(self, mutable: bool = False) -> None:
        if self.is_sequence:
            if mutable and not isinstance(self.response, list):
                self.response = list(cast("Iterable[bytes]", self.response))
            return
        if self.direct_passthrough:
            raise RuntimeError(
                "Attempted implicit sequence conversion but the response object is in direct"
                " passthrough mode."
            )
        if not self.implicit_sequence_conversion:
            raise RuntimeError(
                "The response object required the iterable to be a sequence, but the implicit"
                " conversion was disabled. Call make_sequence() yourself."
            )
        self.make_sequence()

    def make_sequence(self) -> None:
        """Read a streamed body into memory (closing the iterable)."""
        if not self.is_sequence:
            close = getattr(self.response, "close", None)
            self.response = list(self.iter_encoded())
            if close is not None:
                self.call_on_close(close)

    def iter_encoded(self) -> Iterator[bytes]:
        """Iterate the body as bytes."""
        return map(_encode, self.response)

    def close(self) -> None:
        """Close the body iterable and run ``call_on_close`` callbacks."""
        close = getattr(self.response, "close", None)
        if close is not None:
            close()
        for func in self._on_close:
            func()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def freeze(self) -> None:
        """Buffer the body and set Content-Length (so it can be pickled or cached)."""
        self.response = list(self.iter_encoded())
        self.headers["Content-Length"] = str(sum(map(len, self.response)))

    def add_etag(self, overwrite: bool = False, weak: bool = False) -> None:
        """Set an ETag computed from the body, unless one is set (or ``overwrite``)."""
        if overwrite or "etag" not in self.headers:
            self.set_etag(generate_etag(self.get_data()), weak)

    def make_conditional(
        self,
        request_or_environ: Any,
        accept_ranges: bool | str = False,
        complete_length: int | None = None,
    ) -> Response:
        """Answer the request's conditional headers: become a 304 (or 412) when its
        If-None-Match / If-Modified-Since say the client's copy is current, or a 206 for
        a Range request when ``accept_ranges`` and ``complete_length`` are given.
        Returns this response.
        """
        # Imported here: the conditional logic lives with send_file, which builds on it.
        from ..sending import make_conditional

        return make_conditional(self, request_or_environ, accept_ranges, complete_length)  # type: ignore[arg-type]

    # -- JSON --------------------------------------------------------------------------------

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when the response is not JSON."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False) -> Any:
        """Parse the body as JSON (None if the mimetype is not JSON, unless ``force``)."""
        if not (force or self.is_json):
            return None
        try:
            return self.json_module.loads(self.get_data())
        except ValueError:
            if not silent:
                raise
            return None

    # -- WSGI --------------------------------------------------------------------------------

    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        """The headers to send for this request (status and method aware)."""
        headers = Headers._trusted(list(self.headers._list))
        status = self._status_code
        if 100 <= status < 200 or status == 204:
            headers.pop("Content-Length", None)
        elif status == 304:
            headers._list[:] = [
                item for item in headers._list if item[0].lower() not in _NOT_MODIFIED_DROPS
            ]
        elif (
            self.automatically_set_content_length
            and self.is_sequence
            and "content-length" not in headers
        ):
            try:
                length = sum(len(_encode(x)) for x in self.response)
            except TypeError:
                pass
            else:
                headers["Content-Length"] = str(length)
        return headers

    def get_app_iter(self, environ: WSGIEnvironment) -> Iterable[bytes]:
        """The body iterable to send (empty for HEAD and body-less statuses)."""
        status = self._status_code
        if environ.get("REQUEST_METHOD") == "HEAD" or 100 <= status < 200 or status in (204, 304):
            body: Iterable[bytes] = ()
        elif self.direct_passthrough:
            return self.response  # type: ignore[return-value]
        else:
            body = self.response  # type: ignore[assignment]
        return ClosingIterator(body, [self.close])

    def get_wsgi_response(
        self, environ: WSGIEnvironment
    ) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        """Return ``(app_iter, status, headers)`` for this request."""
        headers = self.get_wsgi_headers(environ)
        return self.get_app_iter(environ), self._status, headers.to_wsgi_list()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Send the response: call ``start_response`` and return the body iterable."""
        code = self._status_code
        if (
            self.response is self._bytes_list
            and not self._on_close
            and code >= 200
            and code not in {204, 304}
            and environ.get("REQUEST_METHOD") != "HEAD"
        ):
            # PERF: a buffered body with its Content-Length set goes out as is (redirects
            # and error pages too): only 1xx, 204, 304 and HEAD change what is sent.
            start_response(self._status, self.headers._list)
            return self.response
        if (
            self.direct_passthrough
            and self._stock_wsgi
            and code >= 200
            and code not in {204, 304}
            and not isinstance(self.response, (tuple, list))
            and environ.get("REQUEST_METHOD") != "HEAD"
        ):
            # PERF: a file body (or any passed-through iterator) goes to the server as it
            # is, with the headers as set: what get_wsgi_response gives, without its calls.
            start_response(self._status, list(self.headers._list))
            return self.response  # type: ignore[return-value]
        if code == 304 and self._stock_wsgi:
            # PERF: what get_wsgi_response gives a 304 (the common static revalidation),
            # without its three copies of the header list and two method calls.
            start_response(
                self._status,
                [item for item in self.headers._list if item[0].lower() not in _NOT_MODIFIED_DROPS],
            )
            return ClosingIterator((), [self.close])
        app_iter, status, headers = self.get_wsgi_response(environ)
        start_response(status, headers)
        return app_iter

    @classmethod
    def force_type(cls, response: Any, environ: WSGIEnvironment | None = None) -> Response:
        """Turn another Response (or, with an environ, any WSGI app) into this class."""
        if not isinstance(response, Response):
            if environ is None:
                raise TypeError(
                    "Cannot turn a WSGI application into a response without a WSGI environ"
                    " to call it with: pass force_type(app, environ)."
                )
            # Built as this base class, so a WSGI app that sends no Content-Type gets
            # text/plain, as in Flask, whatever the default mimetype of ``cls``.
            response = Response.from_app(response, environ)
        response.__class__ = cls
        return response  # type: ignore[no-any-return]

    @classmethod
    def from_app(
        cls, app: WSGIApplication, environ: WSGIEnvironment, buffered: bool = False
    ) -> Response:
        """Run a WSGI app and wrap what it returns in a response.

        The body stays lazy unless ``buffered`` (or the app used the ``write`` callable);
        an app that calls ``start_response`` only once its body is iterated is read up to
        that point.
        """
        captured: dict[str, Any] = {}
        chunks: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            captured["status"] = status
            captured["headers"] = headers
            return chunks.append

        app_iter = app(environ, start_response)
        close = getattr(app_iter, "close", None)
        body: Iterable[bytes] = app_iter
        if buffered or chunks:
            try:
                chunks.extend(app_iter)
            finally:
                if close is not None:
                    close()
            body = chunks
        elif "status" not in captured:
            iterator = iter(app_iter)
            for chunk in iterator:
                chunks.append(chunk)
                if "status" in captured:
                    break
            body = ClosingIterator(chain(chunks, iterator), [close] if close is not None else [])
        if "status" not in captured:
            raise RuntimeError(
                f"The WSGI application {app!r} returned without calling start_response;"
                " it must call start_response before (or while) producing its body."
            )
        return cls(body, captured["status"], captured["headers"])


__all__ = ["ClosingIterator", "Response"]

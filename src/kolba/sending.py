"""Sending files: ``send_file``, ``send_from_directory`` and conditional (304/206) answers."""

from __future__ import annotations

import io
import mimetypes
import os
import typing as t
import unicodedata
import zlib
from datetime import datetime
from time import time
from urllib.parse import quote

from .globals import _cv_app, _cv_request
from .sansio.datastructures import Headers
from .sansio.exceptions import NotFound, RequestedRangeNotSatisfiable
from .sansio.http import http_date, is_resource_modified, parse_etags, parse_range_header
from .security import safe_join

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .wrappers import Response

#: Largest number of ranges served; more is refused (a many-ranges header is an attack).
MAX_RANGES = 100


class FileWrapper:
    """Iterates a file in blocks and closes it; servers may substitute ``wsgi.file_wrapper``."""

    def __init__(self, file: t.IO[bytes], buffer_size: int = 8192) -> None:
        self.file = file
        self.buffer_size = buffer_size

    def close(self) -> None:
        """Close the file."""
        if hasattr(self.file, "close"):
            self.file.close()

    def seekable(self) -> bool:
        """Whether the file can seek (range requests need it)."""
        if hasattr(self.file, "seekable"):
            return bool(self.file.seekable())
        return hasattr(self.file, "seek")

    def seek(self, *args: t.Any) -> None:
        """Seek in the file."""
        if hasattr(self.file, "seek"):
            self.file.seek(*args)

    def tell(self) -> int | None:
        """The position in the file."""
        if hasattr(self.file, "tell"):
            return int(self.file.tell())
        return None

    def __iter__(self) -> FileWrapper:
        return self

    def __next__(self) -> bytes:
        data = self.file.read(self.buffer_size)
        if data:
            return data
        raise StopIteration()


class _RangeWrapper:
    """Yields ``length`` bytes from ``start`` of a file-like iterable."""

    def __init__(self, iterable: t.Any, start: int, length: int) -> None:
        self.iterable = iterable
        self.start = start
        self.end = start + length
        self._pos = 0
        self._seekable = hasattr(iterable, "seekable") and iterable.seekable()
        if self._seekable:
            iterable.seek(start)
            self._pos = start
            self._iterator: t.Iterator[bytes] = iter(iterable)
        else:
            self._iterator = iter(iterable)

    def __iter__(self) -> _RangeWrapper:
        return self

    def __next__(self) -> bytes:
        while self._pos < self.end:
            chunk = next(self._iterator)
            chunk_start = self._pos
            self._pos += len(chunk)
            if self._pos <= self.start:
                continue
            begin = max(self.start - chunk_start, 0)
            stop = min(self.end - chunk_start, len(chunk))
            return chunk[begin:stop]
        raise StopIteration()

    def close(self) -> None:
        """Close the underlying iterable."""
        close = getattr(self.iterable, "close", None)
        if close is not None:
            close()


def _range_request_processable(response: Response, environ: WSGIEnvironment) -> bool:
    if "HTTP_RANGE" not in environ:
        return False
    if "HTTP_IF_RANGE" not in environ:
        return True
    return not is_resource_modified(
        http_range=environ.get("HTTP_RANGE"),
        http_if_range=environ.get("HTTP_IF_RANGE"),
        http_if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
        http_if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
        http_if_match=environ.get("HTTP_IF_MATCH"),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        ignore_if_range=False,
    )


def _process_range(
    response: Response,
    environ: WSGIEnvironment,
    complete_length: int | None,
    accept_ranges: bool | str | None,
) -> bool:
    if accept_ranges is None or accept_ranges is False:
        return False
    ranges_unit = "bytes" if accept_ranges is True else str(accept_ranges)
    response.headers["Accept-Ranges"] = ranges_unit
    if complete_length is None or not _range_request_processable(response, environ):
        return False
    if complete_length == 0:
        raise RequestedRangeNotSatisfiable(complete_length)
    parsed = parse_range_header(environ.get("HTTP_RANGE"))
    if parsed is None or len(parsed.ranges) > MAX_RANGES:
        raise RequestedRangeNotSatisfiable(complete_length)
    range_tuple = parsed.range_for_length(complete_length)
    content_range = parsed.to_content_range_header(complete_length)
    if range_tuple is None or content_range is None:
        raise RequestedRangeNotSatisfiable(complete_length)
    start, stop = range_tuple
    length = stop - start
    response.headers["Content-Length"] = str(length)
    response.headers["Content-Range"] = content_range
    response.status_code = 206
    response.response = _RangeWrapper(response.response, start, length)
    return True


def make_conditional(
    response: Response,
    environ: WSGIEnvironment,
    accept_ranges: bool | str = False,
    complete_length: int | None = None,
) -> Response:
    """Turn ``response`` into a 304, 412 or 206 when the request's conditional and Range
    headers say so. Only GET and HEAD requests are conditional.
    """
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return response
    if "date" not in response.headers:
        response.headers["Date"] = http_date()
    is206 = _process_range(response, environ, complete_length, accept_ranges)
    if not is206 and not is_resource_modified(
        http_range=environ.get("HTTP_RANGE"),
        http_if_range=environ.get("HTTP_IF_RANGE"),
        http_if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE"),
        http_if_none_match=environ.get("HTTP_IF_NONE_MATCH"),
        http_if_match=environ.get("HTTP_IF_MATCH"),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    ):
        if parse_etags(environ.get("HTTP_IF_MATCH")):
            response.status_code = 412
        else:
            response.status_code = 304
    if response.automatically_set_content_length and "content-length" not in response.headers:
        length = response.calculate_content_length()
        if length is not None:
            response.headers["Content-Length"] = str(length)
    return response


def _content_disposition(download_name: str, as_attachment: bool) -> str:
    kind = "attachment" if as_attachment else "inline"
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
        simple = simple.replace("\\", "\\\\").replace('"', '\\"')
        encoded = quote(download_name, safe="!#$&+-.^_`|~")
        return f"{kind}; filename=\"{simple}\"; filename*=UTF-8''{encoded}"
    if any(c in download_name for c in ' ;,"\\()<>@:/[]?={}'):
        escaped = download_name.replace("\\", "\\\\").replace('"', '\\"')
        return f'{kind}; filename="{escaped}"'
    return f"{kind}; filename={download_name}"


def send_file(
    path_or_file: os.PathLike[t.AnyStr] | str | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: None | int | t.Callable[[str | None], int | None] = None,
    *,
    environ: WSGIEnvironment | None = None,
    use_x_sendfile: bool | None = None,
    response_class: type[Response] | None = None,
    _root_path: str | os.PathLike[str] | None = None,
) -> Response:
    """Send a file: a path (relative to the app root) or a binary file object.

    The mimetype is guessed from the name; ``as_attachment`` asks the browser to download
    it as ``download_name``. ETag and Last-Modified are set so repeat requests get 304, and
    Range requests get 206 (or 416). ``max_age`` (seconds) sets Cache-Control; by default
    it comes from ``app.get_send_file_max_age`` (SEND_FILE_MAX_AGE_DEFAULT).
    Never pass a path built from user input: use :func:`send_from_directory`.
    """
    app_ctx = _cv_app.get(None)
    req_ctx = _cv_request.get(None)
    if environ is None:
        if req_ctx is None:
            raise RuntimeError("send_file needs a request context or an explicit environ.")
        environ = req_ctx.request.environ
    app = app_ctx.app if app_ctx is not None else None
    if app is not None:
        if use_x_sendfile is None:
            use_x_sendfile = bool(app.config["USE_X_SENDFILE"])
        if response_class is None:
            response_class = app.response_class
        if _root_path is None:
            _root_path = app.root_path
        if max_age is None:
            max_age = app.get_send_file_max_age
    if response_class is None:
        from .wrappers import Response as response_class
    path: str | None = None
    file: t.IO[bytes] | None = None
    size: int | None = None
    mtime: float | None = None
    if isinstance(path_or_file, (os.PathLike, str)):
        path = os.fspath(path_or_file)  # type: ignore[arg-type]
        if _root_path is not None:
            path = os.path.join(os.fspath(_root_path), path)
        stat = os.stat(path)
        size = stat.st_size
        mtime = stat.st_mtime
    else:
        file = path_or_file
    if download_name is None and path is not None:
        download_name = os.path.basename(path)
    if mimetype is None:
        if download_name is None:
            raise TypeError(
                "Unable to detect the MIME type because a file name is not available. Either"
                " set 'download_name', pass a path instead of a file, or set 'mimetype'."
            )
        mimetype = mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    headers = Headers()
    if download_name is not None:
        headers["Content-Disposition"] = _content_disposition(download_name, as_attachment)
    elif as_attachment:
        raise TypeError("No name provided for attachment: pass download_name.")
    data: t.Any
    if use_x_sendfile and path is not None:
        headers["X-Sendfile"] = path
        data = None
    else:
        if file is None:
            file = open(path, "rb")  # type: ignore[arg-type]  # noqa: SIM115 (closed by the response)
        elif isinstance(file, io.BytesIO):
            size = file.getbuffer().nbytes
        elif isinstance(file, io.TextIOBase):
            raise ValueError("Files must be opened in binary mode or use BytesIO.")
        wrapper = environ.get("wsgi.file_wrapper", FileWrapper)
        data = wrapper(file, 8192)
    rv = response_class(data, mimetype=mimetype, headers=headers, direct_passthrough=True)
    if size is not None:
        rv.headers["Content-Length"] = str(size)
    if last_modified is not None:
        rv.last_modified = last_modified  # type: ignore[assignment]
    elif mtime is not None:
        rv.last_modified = mtime  # type: ignore[assignment]
    cache_control = rv.cache_control
    cache_control.no_cache = True
    if callable(max_age):
        max_age = max_age(path)
    if max_age is not None:
        if max_age > 0:
            cache_control.no_cache = None
            cache_control.public = True
        cache_control.max_age = max_age
        rv.expires = int(time() + max_age)  # type: ignore[assignment]
    if isinstance(etag, str):
        rv.set_etag(etag)
    elif etag and path is not None:
        check = zlib.adler32(path.encode()) & 0xFFFFFFFF
        rv.set_etag(f"{mtime}-{size}-{check}")
    if conditional:
        try:
            rv = make_conditional(rv, environ, accept_ranges=True, complete_length=size)
        except RequestedRangeNotSatisfiable:
            if file is not None:
                file.close()
            raise
        if rv.status_code == 304:
            rv.headers.pop("x-sendfile", None)
    return rv


def send_from_directory(
    directory: os.PathLike[str] | str, path: os.PathLike[str] | str, **kwargs: t.Any
) -> Response:
    """Send a file from ``directory``; ``path`` may come from the user (it is joined
    safely: traversal, absolute paths and, on Windows, device names give 404).
    """
    directory = os.fspath(directory)
    app_ctx = _cv_app.get(None)
    if app_ctx is not None and not os.path.isabs(directory):
        directory = os.path.join(app_ctx.app.root_path, directory)
    joined = safe_join(directory, os.fspath(path))
    if joined is None:
        raise NotFound()
    if not os.path.isfile(joined):
        raise NotFound()
    kwargs.setdefault("_root_path", None)
    return send_file(joined, **kwargs)


__all__ = ["FileWrapper", "make_conditional", "send_file", "send_from_directory"]

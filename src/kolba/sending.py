"""Sending files: ``send_file``, ``send_from_directory`` and conditional answers.

A file response carries ``Last-Modified``, an ``ETag`` and ``Accept-Ranges: bytes``, so a
repeat request gets 304 and a ``Range`` request gets 206 (or 416). Preconditions are
evaluated in the order RFC 9110 section 13.2.2 gives (If-Match, If-Unmodified-Since,
If-None-Match, If-Modified-Since, then If-Range and Range), and a 304, 412 or 416 is
decided before the file is even opened.

Range policy (RFC 9110 section 14), for hostile headers as much as for browsers:

- one satisfiable range gives 206; overlapping or adjacent ranges are merged first, so
  ``bytes=0-5,3-8`` is the single range 0-8;
- several disjoint ranges, more than :data:`MAX_RANGES` ranges, or a unit other than
  ``bytes`` give the whole file (200), which the RFC allows and every client accepts;
- a malformed range (``bytes=a-b``, ``bytes=5-1``, non-ASCII digits) or one that starts
  past the end gives 416 with ``Content-Range: bytes */<length>``;
- a suffix longer than the file (``bytes=-999999999999``) means the whole file, as 206;
- ``If-Range`` is compared strongly, so a weak or malformed entity tag there gives 200.

Every step is linear in the header's length and reads no more of the file than it sends.
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
import typing as t
import unicodedata
import zlib
from datetime import datetime, timezone
from functools import lru_cache
from stat import S_ISREG
from time import time
from urllib.parse import quote

from .globals import _app_ctx_or_none, _cv_request
from .sansio.datastructures import _header_value
from .sansio.exceptions import NotFound, RequestedRangeNotSatisfiable
from .sansio.http import http_date, parse_date, parse_etags, unquote_etag
from .security import safe_join

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .app import Kolba
    from .wrappers import Request, Response

#: The most ranges one Range header may list; past it the header is ignored (200).
MAX_RANGES = 100
#: How much of a file one iteration step reads.
BLOCK_SIZE = 64 * 1024

_ASCII_DIGITS = re.compile(r"[0-9]+")
# More digits than this is larger than any file; capping keeps int() cheap.
_MAX_DIGITS = 30
_HUGE = 10**_MAX_DIGITS
# RFC 9110 token characters: a filename made of these needs no quotes.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 5987 attr-char minus alphanumerics: left as is in filename*.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"


class _Unsatisfiable(Exception):
    """The Range header must be answered with 416."""


# ---------------------------------------------------------------------------------------------
# Bodies


class FileWrapper:
    """Iterates a binary file in blocks and closes it at the end of the response.

    The stand-in for a server's ``wsgi.file_wrapper`` when it offers none.
    """

    def __init__(self, file: t.IO[bytes], buffer_size: int = BLOCK_SIZE) -> None:
        self.file = file
        self.buffer_size = buffer_size

    def close(self) -> None:
        """Close the file."""
        close = getattr(self.file, "close", None)
        if close is not None:
            close()

    def __iter__(self) -> FileWrapper:
        return self

    def __next__(self) -> bytes:
        data = self.file.read(self.buffer_size)
        if not data:
            raise StopIteration
        return data


class _FileSlice:
    """Iterates ``length`` bytes of a file from ``start``, then closes the file.

    A seekable file is positioned once; another is read and the skipped part dropped.
    Never a server's ``wsgi.file_wrapper``: some of those send up to the end of the file,
    which would overrun the 206's Content-Length.
    """

    def __init__(
        self, file: t.IO[bytes], start: int, length: int, buffer_size: int = BLOCK_SIZE
    ) -> None:
        self.file = file
        self.remaining = length
        self.buffer_size = buffer_size
        self._skip = start
        seekable = getattr(file, "seekable", None)
        if start and seekable is not None and seekable():
            file.seek(start, os.SEEK_CUR)
            self._skip = 0

    def close(self) -> None:
        """Close the file."""
        close = getattr(self.file, "close", None)
        if close is not None:
            close()

    def __iter__(self) -> _FileSlice:
        return self

    def __next__(self) -> bytes:
        read = self.file.read
        while self._skip:
            dropped = read(min(self._skip, self.buffer_size))
            if not dropped:
                raise StopIteration
            self._skip -= len(dropped)
        if self.remaining <= 0:
            raise StopIteration
        data = read(min(self.remaining, self.buffer_size))
        if not data:
            raise StopIteration
        self.remaining -= len(data)
        return data


class _IterableSlice:
    """Yields ``length`` bytes from ``start`` of any iterable of bytes (for
    :func:`make_conditional` on a body that is not a file).
    """

    def __init__(self, iterable: t.Iterable[bytes], start: int, length: int) -> None:
        self._source = iterable
        self._iterator = iter(iterable)
        self._skip = start
        self._remaining = length

    def close(self) -> None:
        """Close the underlying body."""
        close = getattr(self._source, "close", None)
        if close is not None:
            close()

    def __iter__(self) -> _IterableSlice:
        return self

    def __next__(self) -> bytes:
        while self._remaining > 0:
            chunk = next(self._iterator)
            if isinstance(chunk, str):
                chunk = chunk.encode()
            if self._skip >= len(chunk):
                self._skip -= len(chunk)
                continue
            piece = chunk[self._skip : self._skip + self._remaining]
            self._skip = 0
            self._remaining -= len(piece)
            return piece
        raise StopIteration


# ---------------------------------------------------------------------------------------------
# Conditional requests and ranges


def _parse_position(text: str) -> int:
    if not _ASCII_DIGITS.fullmatch(text):
        raise _Unsatisfiable
    return int(text) if len(text) <= _MAX_DIGITS else _HUGE


def resolve_range(header: str | None, length: int) -> tuple[int, int] | None:
    """The byte range ``(start, stop)`` (stop exclusive) a ``Range`` header asks of a
    body of ``length`` bytes, or None to send the whole body.

    Raises :class:`RequestedRangeNotSatisfiable` for a malformed or unsatisfiable header.
    See the module docstring for the policy.
    """
    if not header:
        return None
    unit, eq, spec = header.partition("=")
    if not eq or unit.strip(" \t").lower() != "bytes":
        return None
    # Empty list elements are allowed (RFC 9110 5.6.1), so allow some slack over the limit
    # before giving up; maxsplit keeps a header of a million commas cheap.
    items = spec.split(",", 2 * MAX_RANGES)
    if len(items) > 2 * MAX_RANGES:
        return None
    spans: list[tuple[int, int]] = []
    count = 0
    try:
        for raw in items:
            item = raw.strip(" \t")
            if not item:
                continue
            count += 1
            if count > MAX_RANGES:
                return None
            first, dash, last = item.partition("-")
            if not dash:
                raise _Unsatisfiable
            if not first:
                suffix = _parse_position(last)
                if suffix and length:
                    spans.append((max(length - suffix, 0), length))
                continue
            start = _parse_position(first)
            stop = length if not last else _parse_position(last) + 1
            if stop <= start:
                raise _Unsatisfiable  # an inverted range is invalid, not empty
            if start < length:
                spans.append((start, min(stop, length)))
    except _Unsatisfiable:
        raise RequestedRangeNotSatisfiable(length) from None
    if not spans:
        raise RequestedRangeNotSatisfiable(length)
    spans.sort()
    start, stop = spans[0]
    for next_start, next_stop in spans[1:]:
        if next_start > stop:
            return None  # disjoint ranges would need multipart/byteranges: send it all
        stop = max(stop, next_stop)
    return start, stop


def _as_utc_seconds(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


def check_preconditions(
    environ: WSGIEnvironment, etag: str | None, last_modified: datetime | None
) -> int | None:
    """The status the request's conditional headers call for: 412, 304, or None to go on.

    ``etag`` is the unquoted strong tag of the representation, ``last_modified`` its
    modification time. Only meaningful for GET and HEAD.
    """
    # PERF: last_modified is brought to whole UTC seconds only when a date header is there
    # to compare with; a browser revalidating with its ETag never needs it.
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match:
        tags = parse_etags(if_match)
        # "*" matches any current representation; a listed tag must match strongly.
        if not tags.star_tag and (etag is None or not tags.contains(etag)):
            return 412
    else:
        since = parse_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
        if (
            since is not None
            and last_modified is not None
            and _as_utc_seconds(last_modified) > _as_utc_seconds(since)
        ):
            return 412
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        if etag is not None and if_none_match in (f'"{etag}"', f'W/"{etag}"'):
            # PERF: a browser revalidating sends back the one tag it was given.
            return 304
        tags = parse_etags(if_none_match)
        if tags.star_tag or (etag is not None and tags.contains_weak(etag)):
            return 304
    else:
        since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
        if (
            since is not None
            and last_modified is not None
            and _as_utc_seconds(last_modified) <= _as_utc_seconds(since)
        ):
            return 304
    return None


def if_range_allows(
    environ: WSGIEnvironment, etag: str | None, last_modified: datetime | None
) -> bool:
    """Whether ``If-Range`` (if any) still matches, so the Range may be honoured.

    An entity tag matches only strongly (a ``W/`` tag never does); a date only when it is
    exactly the modification time.
    """
    value = environ.get("HTTP_IF_RANGE")
    if not value:
        return True
    value = value.strip(" \t")
    if value[:1] == '"' or value[:2] in ("W/", "w/"):
        if value[:1] != '"' or len(value) < 2 or not value.endswith('"'):
            return False  # weak (never a strong match) or malformed
        return etag is not None and value[1:-1] == etag
    date = parse_date(value)
    if date is None or last_modified is None:
        return False
    return _as_utc_seconds(date) == _as_utc_seconds(last_modified)


def _environ_of(request_or_environ: Request | WSGIEnvironment) -> WSGIEnvironment:
    environ = getattr(request_or_environ, "environ", request_or_environ)
    return t.cast("WSGIEnvironment", environ)


def make_conditional(
    response: Response,
    request_or_environ: Request | WSGIEnvironment,
    accept_ranges: bool | str = False,
    complete_length: int | None = None,
) -> Response:
    """Answer the request's conditional and Range headers with ``response``: it becomes a
    304, a 412 or a 206, or stays as it is. Only GET and HEAD are conditional.

    The response's ``ETag`` and ``Last-Modified`` headers are the validators. With
    ``accept_ranges`` (True means ``bytes``) and the body's ``complete_length``, a Range
    request is honoured; :class:`RequestedRangeNotSatisfiable` is raised for a bad one.
    """
    environ = _environ_of(request_or_environ)
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return response
    headers = response.headers
    if "date" not in headers:
        headers["Date"] = http_date()
    if accept_ranges:
        headers["Accept-Ranges"] = "bytes" if accept_ranges is True else str(accept_ranges)
    etag = unquote_etag(headers.get("etag"))[0]
    last_modified = parse_date(headers.get("last-modified"))
    status = check_preconditions(environ, etag, last_modified)
    if status is not None:
        _empty_body(response)
        response.status_code = status
        return response
    if accept_ranges and complete_length is not None and "HTTP_RANGE" in environ:
        span = None
        if if_range_allows(environ, etag, last_modified):
            span = resolve_range(environ["HTTP_RANGE"], complete_length)
        if span is not None:
            start, stop = span
            response.response = _IterableSlice(response.response, start, stop - start)  # type: ignore[arg-type]
            response.status_code = 206
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{complete_length}"
            headers["Content-Length"] = str(stop - start)
    return response


def _empty_body(response: Response) -> None:
    close = getattr(response.response, "close", None)
    if close is not None:
        close()
    response.response = []
    response.headers.pop("Content-Length", None)


# ---------------------------------------------------------------------------------------------
# Headers


def content_disposition(download_name: str, as_attachment: bool) -> str:
    """The ``Content-Disposition`` value for a file called ``download_name``.

    A name outside ASCII also gets an RFC 5987 ``filename*`` (UTF-8, percent-encoded),
    and ``filename`` holds an ASCII approximation for old clients.
    """
    kind = "attachment" if as_attachment else "inline"
    if download_name.isascii():
        return f"{kind}; filename={_quoted_if_needed(download_name)}"
    fallback = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode()
    encoded = quote(download_name, safe=_ATTR_CHAR_SAFE)
    return f"{kind}; filename={_quoted_if_needed(fallback)}; filename*=UTF-8''{encoded}"


def _quoted_if_needed(value: str) -> str:
    if _TOKEN.fullmatch(value):
        return value
    # Control characters would corrupt the header (and CR/LF split it): drop them.
    cleaned = "".join(c for c in value if c >= " " and c != "\x7f")
    escaped = cleaned.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@lru_cache(maxsize=64)
def _http_date_cached(seconds: int) -> str:
    # PERF: Date and Expires change once a second; format each second once.
    return http_date(seconds)


@lru_cache(maxsize=1024)
def _timestamp_date(stamp: float) -> tuple[datetime, str]:
    # PERF: a static file's modification time repeats on every request for it.
    moment = datetime.fromtimestamp(stamp, timezone.utc)
    return moment, http_date(moment)


@lru_cache(maxsize=1024)
def _guess_mimetype(name: str) -> str:
    # PERF: mimetypes.guess_type costs ~5 us; static file names repeat.
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class _FileFacts(t.NamedTuple):
    """The header values of a file response that depend only on the file's path, size and
    modification time.
    """

    #: The file's name, and the mimetype guessed from it.
    name: str
    mimetype: str
    #: ``Content-Disposition`` for showing the file inline under its own name.
    inline_disposition: str
    #: The modification time, UTC, whole seconds (how preconditions compare it).
    modified_at: datetime
    #: ``Last-Modified``.
    last_modified: str
    #: The entity tag, unquoted, and the ``ETag`` header value.
    tag: str
    etag: str


@lru_cache(maxsize=1024)
def _file_facts(path: str, size: int, mtime: float) -> _FileFacts:
    # PERF: a static file gets the same headers on every request until it changes: the
    # name, mimetype, date and tag formatting is done once per file version. The
    # key holds what the stat says, so a file replaced, grown or touched is a new entry at
    # once; stale entries fall out of the bounded cache.
    name = os.path.basename(path)
    moment = _as_utc_seconds(datetime.fromtimestamp(mtime, timezone.utc))
    # Changes when the file is replaced, grows or is touched; the path hash keeps two files
    # of the same size and time apart.
    tag = f"{mtime}-{size}-{zlib.adler32(path.encode('utf-8', 'surrogateescape'))}"
    return _FileFacts(
        name=name,
        mimetype=_guess_mimetype(name),
        inline_disposition=content_disposition(name, False),
        modified_at=moment,
        last_modified=_timestamp_date(mtime)[1],
        tag=tag,
        etag=_header_value(f'"{tag}"'),
    )


def _cache_control(max_age: int | None) -> str:
    if max_age is None:
        return "no-cache"
    if max_age > 0:
        return f"public, max-age={max_age}"
    return f"no-cache, max-age={max_age}"


# ---------------------------------------------------------------------------------------------
# send_file


class _Source(t.NamedTuple):
    path: str | None
    file: t.IO[bytes] | None
    size: int | None
    mtime: float | None


def _source(
    path_or_file: os.PathLike[t.AnyStr] | str | t.IO[bytes],
    root_path: str | None,
    stat: os.stat_result | None = None,
) -> _Source:
    if isinstance(path_or_file, (str, os.PathLike)):
        path = os.fspath(path_or_file)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if root_path is not None:
            path = os.path.join(root_path, path)
        if stat is None:
            stat = os.stat(path)
        return _Source(path, None, stat.st_size, stat.st_mtime)
    file = path_or_file
    if isinstance(file, io.TextIOBase):
        raise ValueError(
            "send_file() needs a binary file: open it with mode 'rb', or wrap text in"
            " io.BytesIO(text.encode())."
        )
    # What is left to read: a buffer just written to is often not rewound.
    size = None
    if isinstance(file, io.BytesIO):
        size = max(file.getbuffer().nbytes - file.tell(), 0)
    else:
        size = _remaining_in_regular_file(file)
    return _Source(None, file, size, None)


def _remaining_in_regular_file(file: t.IO[bytes]) -> int | None:
    """The bytes left in an open regular file (so it gets a Content-Length and ranges),
    or None for pipes, sockets and objects that are not real files.
    """
    try:
        stat = os.fstat(file.fileno())
        if not S_ISREG(stat.st_mode):
            return None
        return max(stat.st_size - file.tell(), 0)
    except (AttributeError, OSError, ValueError):
        return None


def send_file(
    path_or_file: os.PathLike[t.AnyStr] | str | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: int | t.Callable[[str | None], int | None] | None = None,
    *,
    environ: WSGIEnvironment | None = None,
    use_x_sendfile: bool | None = None,
    response_class: type[Response] | None = None,
    _root_path: str | os.PathLike[str] | None = None,
    _stat: os.stat_result | None = None,
) -> Response:
    """Send a file: a path (relative ones are relative to the app's root) or a binary
    file object (which the response closes).

    The mimetype is guessed from the file name (``download_name`` for file objects, which
    need one of the two). ``as_attachment`` asks the browser to save the file, as
    ``download_name``. ``etag`` (True: computed from the file's path, size and time),
    ``last_modified`` and ``conditional`` give 304 and Range (206/416) answers.
    ``max_age`` (seconds, or a function of the path) sets Cache-Control; it defaults to
    ``app.get_send_file_max_age`` (SEND_FILE_MAX_AGE_DEFAULT, None meaning "no-cache").

    Never pass a path built from user input: use :func:`send_from_directory`.
    """
    app: Kolba | None = None
    app_ctx = _app_ctx_or_none()
    if app_ctx is not None:
        app = app_ctx.app
    if environ is None:
        req_ctx = _cv_request.get(None)
        if req_ctx is None:
            raise RuntimeError(
                "send_file() was called with no request being handled. Call it from a view,"
                " or pass environ=... explicitly."
            )
        environ = req_ctx.request.environ
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
        from .wrappers import Response

        response_class = Response

    source = _source(path_or_file, None if _root_path is None else os.fspath(_root_path), _stat)
    try:
        return _build(
            response_class,
            environ,
            source,
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            conditional=conditional,
            etag=etag,
            last_modified=last_modified,
            max_age=max_age,
            use_x_sendfile=bool(use_x_sendfile),
        )
    except BaseException:
        # The caller handed us the file: it must not leak when we fail (a 416 included).
        if source.file is not None:
            source.file.close()
        raise


def _build(
    response_class: type[Response],
    environ: WSGIEnvironment,
    source: _Source,
    *,
    mimetype: str | None,
    as_attachment: bool,
    download_name: str | None,
    conditional: bool,
    etag: bool | str,
    last_modified: datetime | int | float | None,
    max_age: int | t.Callable[[str | None], int | None] | None,
    use_x_sendfile: bool,
) -> Response:
    path, file, size, mtime = source
    facts: _FileFacts | None = None
    if path is not None and size is not None and mtime is not None:
        facts = _file_facts(path, size, mtime)
    disposition: str | None = None
    if download_name is None and facts is not None:
        if mimetype is None:
            mimetype = facts.mimetype
        if as_attachment:
            disposition = content_disposition(facts.name, True)
        else:
            disposition = facts.inline_disposition
    else:
        if mimetype is None:
            if download_name is None:
                raise TypeError(
                    "send_file() cannot guess the mimetype of a file object without a name."
                    " Pass download_name='report.pdf' (or mimetype='application/pdf')."
                )
            mimetype = _guess_mimetype(download_name)
        if download_name is not None:
            disposition = content_disposition(download_name, as_attachment)
        elif as_attachment:
            raise TypeError(
                "send_file(as_attachment=True) needs a file name for the download: pass"
                " download_name=..."
            )

    # PERF: every value below is made here and safe by construction (the file name is
    # cleaned by content_disposition), so the list is built directly, without the
    # per-header checks of Headers.set; the one value from outside (X-Sendfile's path) is
    # checked where it is added.
    header_list: list[tuple[str, str]] = []
    if disposition is not None:
        header_list.append(("Content-Disposition", disposition))
    if callable(max_age):
        max_age = max_age(path)
    header_list.append(("Cache-Control", _cache_control(max_age)))
    if max_age is not None:
        header_list.append(("Expires", _http_date_cached(int(time() + max_age))))

    modified_at: datetime | None = None
    if last_modified is None and facts is not None:
        modified_at = facts.modified_at
        header_list.append(("Last-Modified", facts.last_modified))
    else:
        stamp = mtime if last_modified is None else last_modified
        if stamp is not None:
            if isinstance(stamp, datetime):
                modified_at = stamp
                header_list.append(("Last-Modified", http_date(modified_at)))
            else:
                modified_at, shown = _timestamp_date(stamp)
                header_list.append(("Last-Modified", shown))
    tag: str | None = None
    if isinstance(etag, str):
        tag = etag
        header_list.append(("ETag", _header_value(f'"{tag}"')))
    elif etag and facts is not None:
        tag = facts.tag
        header_list.append(("ETag", facts.etag))

    span: tuple[int, int] | None = None
    status = 200
    method = environ.get("REQUEST_METHOD")
    if conditional and method in ("GET", "HEAD"):
        header_list.append(("Accept-Ranges", "bytes"))
        header_list.append(("Date", _http_date_cached(int(time()))))
        precondition = check_preconditions(environ, tag, modified_at)
        if precondition is not None:
            # PERF: a 304 (the common repeat visit) is answered without opening the file.
            if file is not None:
                file.close()
            return response_class._from_parts(None, precondition, header_list, mimetype, False)
        range_header = environ.get("HTTP_RANGE")
        if (
            range_header
            and size is not None
            and not use_x_sendfile
            and if_range_allows(environ, tag, modified_at)
        ):
            span = resolve_range(range_header, size)  # may raise 416, before any open()
            if span is not None:
                status = 206
                header_list.append(("Content-Range", f"bytes {span[0]}-{span[1] - 1}/{size}"))

    if use_x_sendfile and path is not None:
        # The front server (Apache, lighttpd, nginx via X-Accel) sends the file itself
        # and answers ranges for it.
        # Checked: a file name may hold a line break.
        header_list.append(("X-Sendfile", _header_value(path)))
        if size is not None:
            header_list.append(("Content-Length", str(size)))
        return response_class._from_parts(None, status, header_list, mimetype, True)

    if file is None:
        file = open(path, "rb")  # type: ignore[arg-type]  # noqa: SIM115 (the response closes it)
    body: t.Iterable[bytes]
    if span is not None:
        body = _FileSlice(file, span[0], span[1] - span[0])
        header_list.append(("Content-Length", str(span[1] - span[0])))
    else:
        wrap = environ.get("wsgi.file_wrapper", FileWrapper)
        body = wrap(file, BLOCK_SIZE)
        if size is not None:
            header_list.append(("Content-Length", str(size)))
    return response_class._from_parts(body, status, header_list, mimetype, True)


def send_from_directory(
    directory: os.PathLike[str] | str, path: os.PathLike[str] | str, **kwargs: t.Any
) -> Response:
    """Send ``path`` from inside ``directory``, where ``path`` may come from the user.

    The two are joined with :func:`kolba.security.safe_join`: traversal (``..``), absolute
    paths, backslashes, NUL bytes and, on Windows, device names such as ``CON`` give 404,
    as does a path that is not a regular file. ``directory`` is relative to the app's root.
    Other arguments go to :func:`send_file`.
    """
    folder = os.fspath(directory)
    app_ctx = _app_ctx_or_none()
    if app_ctx is not None and not os.path.isabs(folder):
        folder = os.path.join(app_ctx.app.root_path, folder)
    joined = safe_join(folder, os.fspath(path))
    if joined is None:
        raise NotFound()
    try:
        info = os.stat(joined)
    except (OSError, ValueError):
        raise NotFound() from None
    if not S_ISREG(info.st_mode):
        raise NotFound()
    kwargs.setdefault("_root_path", None)
    # PERF: the stat made to check the file is the one send_file uses (one stat, not two).
    return send_file(joined, _stat=info, **kwargs)


__all__ = [
    "MAX_RANGES",
    "FileWrapper",
    "check_preconditions",
    "content_disposition",
    "if_range_allows",
    "make_conditional",
    "resolve_range",
    "send_file",
    "send_from_directory",
]

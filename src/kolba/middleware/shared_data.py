"""Serve static files next to a WSGI app (``werkzeug.middleware.shared_data``).

Useful in development, or for a handful of files in small deployments, where running a
separate static file server is not worth it. Requests the exports do not answer reach
the wrapped app unchanged.
"""

from __future__ import annotations

import mimetypes
import os
import zlib
from collections.abc import Callable, Iterable, Mapping
from fnmatch import fnmatch
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from stat import S_ISREG
from time import time
from typing import IO, TYPE_CHECKING, NamedTuple, TypeAlias

from ..security import safe_join
from ..sending import (
    BLOCK_SIZE,
    FileWrapper,
    _guess_mimetype,
    _http_date_cached,
    _timestamp_date,
    check_preconditions,
)
from ..utils import get_content_type
from ..wsgi.request import wsgi_path

if TYPE_CHECKING:
    from datetime import datetime
    from importlib.abc import Traversable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_Export: TypeAlias = "str | os.PathLike[str] | tuple[str, str]"
_DEFAULT_MIMETYPE = "application/octet-stream"
# The answers check_preconditions can call for.
_STATUS_LINES = {304: "304 Not Modified", 412: "412 Precondition Failed"}


class _Found(NamedTuple):
    """A file an export holds for the requested path."""

    name: str  # the base name: what ``is_allowed`` and the mimetype guess look at
    size: int
    mtime: float
    open: Callable[[], IO[bytes]]


#: Given the path below an export's prefix (None: the prefix itself), the file, or None.
_Loader: TypeAlias = "Callable[[str | None], _Found | None]"


def _stat_file(path: str) -> _Found | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not S_ISREG(info.st_mode):
        return None  # directories, FIFOs and devices are never served
    return _Found(os.path.basename(path), info.st_size, info.st_mtime, lambda: open(path, "rb"))


def _file_loader(path: str) -> _Loader:
    def load(rest: str | None) -> _Found | None:
        # Only the exact URL: "/favicon.ico/anything" is not the file.
        return _stat_file(path) if rest is None else None

    return load


def _directory_loader(directory: str) -> _Loader:
    def load(rest: str | None) -> _Found | None:
        if rest is None:
            return None
        # Refuses "..", absolute paths, backslashes and NUL: nothing outside the export.
        joined = safe_join(directory, rest)
        return None if joined is None else _stat_file(joined)

    return load


def _resource_loader(root: Traversable) -> _Loader:
    # A package inside a zip or another importer's archive has no file system path and no
    # modification times to read: the time the export was set up stands in for them.
    loaded_at = time()

    def load(rest: str | None) -> _Found | None:
        if rest is None:
            return None
        joined = safe_join("/", rest)
        if joined is None:
            return None
        node = root
        for part in joined.split("/"):
            if part:
                node = node.joinpath(part)
        if not node.is_file():
            return None
        with node.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
        return _Found(node.name, size, loaded_at, lambda: node.open("rb"))

    return load


def _package_loader(package: str, directory: str) -> _Loader:
    root = files(package).joinpath(directory) if directory else files(package)
    if isinstance(root, Path):
        # PERF: a package on disk is served like any directory (one stat per request).
        return _directory_loader(os.fspath(root))
    return _resource_loader(root)


def _loader_for(key: str, export: object) -> _Loader:
    if isinstance(export, tuple) and len(export) == 2:
        package, directory = export
        return _package_loader(str(package), str(directory))
    if isinstance(export, (str, os.PathLike)):
        path = os.fspath(export)
        if isinstance(path, str):
            return _file_loader(path) if os.path.isfile(path) else _directory_loader(path)
    raise TypeError(
        f"SharedDataMiddleware cannot serve {export!r} at {key!r}. Export a directory or"
        " file path (str or os.PathLike), or a ('package', 'directory') tuple."
    )


@lru_cache(maxsize=1024)
def _content_type(name: str, fallback: str) -> str:
    # PERF: names repeat, so the guess and the charset decision are made once per name.
    mimetype = _guess_mimetype(name)
    if mimetype == _DEFAULT_MIMETYPE and fallback != _DEFAULT_MIMETYPE:
        # The shared guess cannot tell "unknown" from a real octet-stream type; ask again.
        mimetype = mimetypes.guess_type(name)[0] or fallback
    return get_content_type(mimetype, "utf-8")


class SharedDataMiddleware:
    """WSGI middleware that answers GET and HEAD requests for exported files.

    ``exports`` maps URL prefixes to what is served under them (a dict, or an iterable of
    ``(prefix, export)`` pairs, tried in order):

    - a directory path: ``{"/static": "/srv/static"}`` serves ``/static/css/site.css``
      from ``/srv/static/css/site.css``;
    - a file path: ``{"/favicon.ico": "/srv/favicon.ico"}`` serves that URL exactly;
    - ``("package", "directory")``: files from a directory inside an importable
      package, found with :mod:`importlib.resources`.

    Paths that could leave the export (``..``, absolute or backslashed segments, NUL
    bytes), directories, missing files, files ``is_allowed`` refuses and other request
    methods are passed on to ``app``. ``disallow`` is an :func:`fnmatch.fnmatch`
    pattern of file names never served (``"*.py"``); override :meth:`is_allowed` for
    other rules.

    With ``cache`` on, responses carry an ``ETag``, ``Cache-Control: max-age=...,
    public`` and ``Expires`` ``cache_timeout`` seconds ahead, and ``If-None-Match`` /
    ``If-Modified-Since`` get 304 (``If-Match`` / ``If-Unmodified-Since`` 412). With it
    off, only ``Last-Modified`` and ``Cache-Control: public`` are sent. The type comes
    from the file name, ``fallback_mimetype`` when it has no known extension.

    Usage: ``app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {"/media": "/srv/media"})``.
    """

    def __init__(
        self,
        app: WSGIApplication,
        exports: Mapping[str, _Export] | Iterable[tuple[str, _Export]],
        disallow: str | None = None,
        cache: bool = True,
        cache_timeout: int = 60 * 60 * 12,
        fallback_mimetype: str = _DEFAULT_MIMETYPE,
    ) -> None:
        self.app = app
        pairs = exports.items() if isinstance(exports, Mapping) else exports
        # PERF: loaders and the "prefix/" forms are made once here, not per request.
        self._exports: list[tuple[str, str, _Loader]] = [
            (key, key if key.endswith("/") else f"{key}/", _loader_for(key, export))
            for key, export in pairs
        ]
        self.disallow = disallow
        self.cache = cache
        self.cache_timeout = cache_timeout
        self.fallback_mimetype = fallback_mimetype

    def is_allowed(self, filename: str) -> bool:
        """Whether the file called ``filename`` (its base name) may be served.

        Refuses names matching ``disallow``; subclasses can refuse more.
        """
        return self.disallow is None or not fnmatch(filename, self.disallow)

    def generate_etag(self, mtime: datetime, file_size: int, real_filename: str) -> str:
        """The entity tag (without quotes) for a file of this time, size and name."""
        checksum = zlib.adler32(real_filename.encode("utf-8", "surrogateescape"))
        return f"{mtime.timestamp()}-{file_size}-{checksum}"

    def _find(self, path: str) -> _Found | None:
        for key, prefix, load in self._exports:
            found = None
            if path == key:
                found = load(None)
            elif path.startswith(prefix):
                found = load(path[len(prefix) :])
            if found is not None:
                return found
        return None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer with an exported file, or call the wrapped app."""
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        found = self._find(wsgi_path(environ))
        if found is None or not self.is_allowed(found.name):
            return self.app(environ, start_response)

        now = int(time())
        modified_at, last_modified = _timestamp_date(found.mtime)
        headers = [("Date", _http_date_cached(now))]
        if self.cache:
            etag = self.generate_etag(modified_at, found.size, found.name)
            headers.append(("ETag", f'"{etag}"'))
            headers.append(("Cache-Control", f"max-age={self.cache_timeout}, public"))
            headers.append(("Expires", _http_date_cached(now + self.cache_timeout)))
            status = check_preconditions(environ, etag, modified_at)
            if status is not None:
                # PERF: a revalidation is answered from the stat alone; nothing is opened.
                start_response(_STATUS_LINES[status], headers)
                return []
        else:
            headers.append(("Cache-Control", "public"))
        headers.append(("Content-Type", _content_type(found.name, self.fallback_mimetype)))
        headers.append(("Content-Length", str(found.size)))
        headers.append(("Last-Modified", last_modified))

        if method == "HEAD":
            start_response("200 OK", headers)
            return []
        try:
            file = found.open()
        except OSError:
            # Removed or made unreadable since the stat: as if it had never been there.
            return self.app(environ, start_response)
        start_response("200 OK", headers)
        wrap = environ.get("wsgi.file_wrapper", FileWrapper)
        body: Iterable[bytes] = wrap(file, BLOCK_SIZE)
        return body


__all__ = ["SharedDataMiddleware"]

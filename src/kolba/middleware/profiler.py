"""Profile every request with :mod:`cProfile` (``werkzeug.middleware.profiler``).

For finding slow code in development: each request, including the iteration of its
response body, runs under the profiler, and the statistics are printed and/or saved.
Profiling slows requests down severalfold; keep it out of production.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from cProfile import Profile
from pstats import Stats
from typing import IO, TYPE_CHECKING, Any

from ..wsgi.request import wsgi_path

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# A path longer than this is cut in the file name: file systems limit names to ~255 bytes.
_MAX_PATH_IN_NAME = 120


def _path_for_filename(environ: WSGIEnvironment) -> str:
    """The request path as one file name part: ``/a/b/`` is ``a.b``, ``/`` is ``root``."""
    path = wsgi_path(environ).strip("/").replace("/", ".")
    # A client chooses the path: no separator or NUL may reach the file name.
    for bad in ("\\", "\0", os.sep, os.altsep):
        if bad:
            path = path.replace(bad, "_")
    return path[:_MAX_PATH_IN_NAME] or "root"


class ProfilerMiddleware:
    """WSGI middleware that profiles each request and reports the statistics.

    - ``stream``: where the :class:`pstats.Stats` report is printed (None: nowhere).
    - ``sort_by``: the :meth:`pstats.Stats.sort_stats` keys, most important first.
    - ``restrictions``: :meth:`pstats.Stats.print_stats` limits, such as a number of
      lines, a fraction, or a regular expression the function names must match.
    - ``profile_dir``: if given, each request's profile is also saved there, for tools
      such as ``snakeviz`` or ``python -m pstats``.
    - ``filename_format``: the saved file's name, a :meth:`str.format` template with the
      fields ``method``, ``path`` (``/a/b`` becomes ``a.b``, ``/`` becomes ``root``),
      ``elapsed`` (milliseconds) and ``time`` (Unix time); or a function taking the
      environ and returning the name.

    The response body is read in full before it is returned, so that producing it is
    profiled too; streaming responses arrive all at once.

    Usage: ``app.wsgi_app = ProfilerMiddleware(app.wsgi_app, restrictions=[30])``.
    """

    def __init__(
        self,
        app: WSGIApplication,
        stream: IO[str] | None = sys.stdout,
        sort_by: Iterable[str] = ("time", "calls"),
        restrictions: Iterable[str | int | float] = (),
        profile_dir: str | None = None,
        filename_format: str | Callable[[WSGIEnvironment], str] = (
            "{method}.{path}.{elapsed:.0f}ms.{time:.0f}.prof"
        ),
    ) -> None:
        self._app = app
        self._stream = stream
        self._sort_by = tuple(sort_by)
        self._restrictions = tuple(restrictions)
        self._profile_dir = profile_dir
        self._filename_format = filename_format

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Run the wrapped app under the profiler and return its whole body."""
        chunks: list[bytes] = []

        def collecting_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            start_response(status, headers, exc_info)
            # Data passed to write() must come out before the returned body: collect it.
            return chunks.append

        def run() -> None:
            body = self._app(environ, collecting_start_response)
            try:
                chunks.extend(body)
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()

        profile = Profile()
        started = time.perf_counter()
        profile.runcall(run)
        elapsed = time.perf_counter() - started

        if self._profile_dir is not None:
            self._save(profile, environ, elapsed)
        if self._stream is not None:
            self._report(profile, environ, elapsed)
        return [b"".join(chunks)]

    def _save(self, profile: Profile, environ: WSGIEnvironment, elapsed: float) -> None:
        if callable(self._filename_format):
            name = self._filename_format(environ)
        else:
            name = self._filename_format.format(
                method=environ.get("REQUEST_METHOD", "GET"),
                path=_path_for_filename(environ),
                elapsed=elapsed * 1000.0,
                time=time.time(),
            )
        profile.dump_stats(os.path.join(self._profile_dir or "", name))

    def _report(self, profile: Profile, environ: WSGIEnvironment, elapsed: float) -> None:
        stream = self._stream
        rule = "-" * 80
        method = environ.get("REQUEST_METHOD", "GET")
        print(rule, file=stream)
        print(f"{method} {wsgi_path(environ)!r} ({elapsed * 1000.0:.1f} ms)", file=stream)
        stats = Stats(profile, stream=stream)
        stats.sort_stats(*self._sort_by)
        stats.print_stats(*self._restrictions)
        print(rule, file=stream)


__all__ = ["ProfilerMiddleware"]

"""Mount several WSGI apps under path prefixes (``werkzeug.middleware.dispatcher``).

A request for ``/api/users`` with an app mounted at ``/api`` reaches that app with
``SCRIPT_NAME`` extended by ``/api`` and ``PATH_INFO`` set to ``/users``, so the mounted
app routes and builds URLs as if it ran alone under that prefix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class DispatcherMiddleware:
    """WSGI middleware that sends each request to the app mounted at its path prefix.

    ``mounts`` maps prefixes such as ``"/api"`` to WSGI apps; a request whose path matches
    none of them goes to ``app``. Prefixes match whole path segments only: ``/api``
    serves ``/api`` and ``/api/x`` but not ``/apix``. When prefixes nest (``/api`` and
    ``/api/v2``) the longest one that matches wins.

    The matched prefix moves from ``PATH_INFO`` to the end of ``SCRIPT_NAME``; what is
    left of the path (possibly empty, for a request to the prefix itself) stays in
    ``PATH_INFO``. A prefix is compared as written, so mount ``"/api"``, not ``"/api/"``:
    a prefix ending in ``/`` only matches paths that continue with another ``/``.
    An app mounted at ``""`` takes every request no other prefix matches, in place of
    ``app``.

    ``mounts`` is kept as the :attr:`mounts` dict and read on every request, so apps
    can be mounted after construction.

    Usage: ``app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/admin": admin_app})``.
    """

    def __init__(
        self, app: WSGIApplication, mounts: dict[str, WSGIApplication] | None = None
    ) -> None:
        self.app = app
        self.mounts: dict[str, WSGIApplication] = mounts if mounts is not None else {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Call the app mounted at the longest matching prefix, or the default app."""
        path: str = environ.get("PATH_INFO", "")
        mounts = self.mounts
        # The candidates are the whole path, then every prefix that ends just before a
        # "/", longest first; the empty prefix is the last of those for "/..." paths.
        end = len(path)
        while True:
            target = mounts.get(path[:end])
            if target is not None:
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + path[:end]
                environ["PATH_INFO"] = path[end:]
                return target(environ, start_response)
            if end <= 0:
                break
            end = path.rfind("/", 0, end)
            if end < 0:
                break
        return self.app(environ, start_response)


__all__ = ["DispatcherMiddleware"]

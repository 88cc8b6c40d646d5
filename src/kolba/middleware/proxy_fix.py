"""Trust ``X-Forwarded-*`` headers set by reverse proxies (``werkzeug.middleware.proxy_fix``).

Behind a proxy the WSGI server sees the proxy's address, scheme and host, not the
client's. :class:`ProxyFix` copies the values the proxies recorded back into the environ,
so ``request.remote_addr``, ``request.scheme``, ``request.host`` and
``url_for(..., _external=True)`` describe the original request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ORIG_KEY = "kolba.proxy_fix.orig"

_SAVED_KEYS = (
    "REMOTE_ADDR",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
)

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_PORT_RE = re.compile(r"[0-9]{1,5}")


def _split_host_port(host: str) -> tuple[str, str | None]:
    """Split ``host[:port]``; a bracketed IPv6 literal without a port has no port."""
    if ":" in host and not host.endswith("]"):
        name, _, port = host.rpartition(":")
        return name, port
    return host, None


class ProxyFix:
    """WSGI middleware that applies ``X-Forwarded-*`` values from trusted proxies.

    Each argument is how many proxies in front of the app set that header:

    - ``x_for``: ``X-Forwarded-For`` sets ``REMOTE_ADDR``.
    - ``x_proto``: ``X-Forwarded-Proto`` sets ``wsgi.url_scheme``.
    - ``x_host``: ``X-Forwarded-Host`` sets ``HTTP_HOST`` and ``SERVER_NAME``, and
      ``SERVER_PORT`` when it carries a port.
    - ``x_port``: ``X-Forwarded-Port`` sets ``SERVER_PORT`` and the port in ``HTTP_HOST``.
    - ``x_prefix``: ``X-Forwarded-Prefix`` sets ``SCRIPT_NAME``.

    Each proxy appends to the comma-separated list, so with ``x_for=2`` the value used is
    the second from the end; anything before it came from the client and is ignored. A
    header with fewer values than configured is ignored entirely, because it cannot have
    passed through all the trusted proxies. Set a count higher than the real number of
    proxies and clients can forge the value; set it to 0 to ignore the header.

    Every comma separates a value, even inside quotes or around an empty item (which,
    if it is the one chosen, leaves the environ alone). Werkzeug skips empty items and
    honours quotes; counting plain commas means nothing a client puts in front of the
    proxies' values can change or suppress the trusted one.

    A forwarded port must be digits and a forwarded scheme a valid URL scheme (it is
    lowercased), otherwise it is ignored; a forwarded prefix loses any trailing ``/``
    and gains a leading one, as WSGI expects of ``SCRIPT_NAME``.

    The values replaced are kept in ``environ["kolba.proxy_fix.orig"]``.

    Header names spelled with underscores (``X_Forwarded_For``) reach WSGI under the same
    environ key as the hyphenated ones, so a client could inject one next to the proxy's.
    Dropping such headers is the WSGI server's job (recent gunicorn does by default);
    check yours, or strip them at the proxy.

    Usage: ``app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)``.
    """

    # Positional counts stay allowed: Werkzeug's signature takes them, and ports keep it.
    def __init__(
        self,
        app: WSGIApplication,
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        counts = {
            "x_for": x_for,
            "x_proto": x_proto,
            "x_host": x_host,
            "x_port": x_port,
            "x_prefix": x_prefix,
        }
        for name, count in counts.items():
            if not isinstance(count, int) or count < 0:
                raise ValueError(
                    f"ProxyFix({name}=...) is the number of trusted proxies, a whole number"
                    f" >= 0 (0 ignores the header); got {count!r}"
                )
        self.app = app
        self.x_for = x_for
        self.x_proto = x_proto
        self.x_host = x_host
        self.x_port = x_port
        self.x_prefix = x_prefix

    @staticmethod
    def _trusted_value(environ: WSGIEnvironment, key: str, trusted: int) -> str | None:
        """The value the outermost trusted proxy recorded, or None to leave things alone."""
        if not trusted:
            return None
        header = environ.get(key)
        if not header:
            return None
        # PERF: rsplit with a limit splits only the trusted tail, however many values a
        # client stuffed in front of it.
        values = header.rsplit(",", trusted)
        if len(values) < trusted:
            return None
        return values[-trusted].strip() or None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Rewrite ``environ`` from the trusted headers, then call the wrapped app."""
        orig: dict[str, Any] = {key: environ.get(key) for key in _SAVED_KEYS}
        environ[ORIG_KEY] = orig

        remote_addr = self._trusted_value(environ, "HTTP_X_FORWARDED_FOR", self.x_for)
        if remote_addr:
            environ["REMOTE_ADDR"] = remote_addr

        proto = self._trusted_value(environ, "HTTP_X_FORWARDED_PROTO", self.x_proto)
        # A value that is not a URL scheme would break every URL built from it.
        if proto and _SCHEME_RE.fullmatch(proto):
            environ["wsgi.url_scheme"] = proto.lower()

        host = self._trusted_value(environ, "HTTP_X_FORWARDED_HOST", self.x_host)
        if host:
            environ["HTTP_HOST"] = host
            name, port = _split_host_port(host)
            environ["SERVER_NAME"] = name
            if port is not None:
                environ["SERVER_PORT"] = port

        port = self._trusted_value(environ, "HTTP_X_FORWARDED_PORT", self.x_port)
        if port and _PORT_RE.fullmatch(port):
            current_host = environ.get("HTTP_HOST")
            if current_host:
                environ["HTTP_HOST"] = f"{_split_host_port(current_host)[0]}:{port}"
            environ["SERVER_PORT"] = port

        prefix = self._trusted_value(environ, "HTTP_X_FORWARDED_PREFIX", self.x_prefix)
        if prefix:
            # WSGI wants SCRIPT_NAME empty or "/..." without a trailing slash, so that
            # SCRIPT_NAME + PATH_INFO rebuilds the path with no doubled "/".
            prefix = prefix.rstrip("/")
            if prefix and not prefix.startswith("/"):
                prefix = f"/{prefix}"
            environ["SCRIPT_NAME"] = prefix

        return self.app(environ, start_response)


__all__ = ["ProxyFix"]

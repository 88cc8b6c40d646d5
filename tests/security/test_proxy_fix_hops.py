"""ProxyFix trusts exactly the configured number of proxy hops, for every X-Forwarded header.

The model: a client sends whatever X-Forwarded-* values it likes; then each of the ``n``
proxies in front of the app appends what it saw (the client's address, the scheme, the
host...). With ``x_*=n`` the app must see the value the outermost proxy wrote, whatever the
client prepended; with fewer values than ``n`` (a request that skipped proxies) nothing; and
without ProxyFix the forwarded headers change nothing at all.
"""

from __future__ import annotations

import http.client
import logging
import threading
import typing as t
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.middleware.proxy_fix import ProxyFix as WerkzeugProxyFix

import kolba
from kolba.middleware.proxy_fix import ProxyFix
from kolba.wsgi import serving

PEER = "10.0.0.1"  # the address the app's server sees: the innermost proxy


def make_app() -> kolba.Kolba:
    app = kolba.Kolba(__name__)

    @app.route("/seen")
    def seen() -> dict[str, t.Any]:
        r = kolba.request
        return {
            "remote_addr": r.remote_addr,
            "scheme": r.scheme,
            "is_secure": r.is_secure,
            "host": r.host,
            "script_root": r.script_root,
            "url": kolba.url_for("seen", _external=True),
        }

    return app


def fetch(app: kolba.Kolba, headers: dict[str, str]) -> dict[str, t.Any]:
    rv = app.test_client().get(
        "/seen", headers={"Host": "backend:8000", **headers}, environ_base={"REMOTE_ADDR": PEER}
    )
    assert rv.status_code == 200, rv.text
    return t.cast(dict[str, t.Any], rv.json)


# What a client may put in front of the proxies' values: anything, commas included.
_SPOOF = st.lists(
    st.sampled_from(["6.6.6.6", "evil.test", "https", "1", "/admin", "", " ", "a,b", '"x,y"']),
    max_size=3,
).map(", ".join)
_ADDRESSES = st.lists(st.ip_addresses(v=4).map(str), min_size=1, max_size=4)


@settings(max_examples=80, deadline=None)
@given(
    spoof=_SPOOF,
    path=_ADDRESSES,
    proto=st.sampled_from(["http", "https"]),
    host=st.sampled_from(["shop.example", "www.shop.example", "shop.example:8443"]),
    port=st.sampled_from(["443", "8443"]),
    prefix=st.sampled_from(["/shop", "/a/b"]),
    send_spoof=st.booleans(),
)
def test_the_outermost_trusted_proxy_decides(
    spoof: str,
    path: list[str],
    proto: str,
    host: str,
    port: str,
    prefix: str,
    send_spoof: bool,
) -> None:
    """``path`` is the client's real address then the addresses of proxies 1..n-1; proxy 1
    (the outermost) records the client's address, each inner proxy the one before it.
    """
    hops = len(path)
    app = make_app()
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
    )

    def header(outermost: str, inner: str) -> str:
        # The outermost proxy appends the true value; inner proxies append their own view
        # (what the proxy before them told them, which is not what the client asked for).
        values = [outermost] + [inner] * (hops - 1)
        if send_spoof:
            values.insert(0, spoof)
        return ", ".join(values)

    seen = fetch(
        app,
        {
            "X-Forwarded-For": ", ".join(([spoof] if send_spoof else []) + path),
            "X-Forwarded-Proto": header(proto, "http"),
            "X-Forwarded-Host": header(host, "internal.lan"),
            "X-Forwarded-Port": header(port, "8000"),
            "X-Forwarded-Prefix": header(prefix, "/inner"),
        },
    )
    expected_host = host.split(":", maxsplit=1)[0]
    default_port = "443" if proto == "https" else "80"
    expected_netloc = expected_host if port == default_port else f"{expected_host}:{port}"
    assert seen["remote_addr"] == path[0]
    assert seen["scheme"] == proto
    assert seen["is_secure"] is (proto == "https")
    assert seen["host"] == expected_netloc
    assert seen["script_root"] == prefix
    assert seen["url"] == f"{proto}://{expected_netloc}{prefix}/seen"


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from(["6.6.6.6", "evil.test", "https", "/x"]), max_size=2))
def test_fewer_values_than_configured_hops_change_nothing(values: list[str]) -> None:
    """A request that reached the app through fewer proxies than configured (or directly)
    cannot have passed the trusted ones: none of its forwarded values is used.
    """
    app = make_app()
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=3, x_proto=3, x_host=3, x_port=3, x_prefix=3
    )
    joined = ", ".join(values)
    seen = fetch(
        app,
        {f"X-Forwarded-{name}": joined for name in ("For", "Proto", "Host", "Port", "Prefix")},
    )
    assert seen == fetch(make_app(), {})


@pytest.mark.parametrize("trusted", [1, 2])
def test_more_proxies_than_configured_never_reach_the_client_value(trusted: int) -> None:
    """Three real proxies but x_for=trusted: the app gets a proxy's address, never the
    (forgeable) value further out.
    """
    app = make_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted)  # type: ignore[method-assign]
    chain = ["6.6.6.6", "203.0.113.9", "10.1.1.1", "10.2.2.2"]  # forged, client, p1, p2
    seen = fetch(app, {"X-Forwarded-For": ", ".join(chain)})
    assert seen["remote_addr"] == chain[-trusted]
    assert seen["remote_addr"] != "6.6.6.6"


def test_without_proxy_fix_forwarded_headers_change_nothing() -> None:
    forged = {
        "X-Forwarded-For": "6.6.6.6",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.test",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Prefix": "/evil",
        "X-Real-IP": "6.6.6.6",
        "Forwarded": "for=6.6.6.6;proto=https;host=evil.test",
    }
    seen = fetch(make_app(), forged)
    assert seen == {
        "remote_addr": PEER,
        "scheme": "http",
        "is_secure": False,
        "host": "backend:8000",
        "script_root": "",
        "url": "http://backend:8000/seen",
    }


def test_zero_counts_ignore_the_header() -> None:
    app = make_app()
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=0, x_proto=0, x_host=0, x_port=0, x_prefix=0
    )
    seen = fetch(app, {"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil.test"})
    assert seen == fetch(make_app(), {})


# -- agreement with Werkzeug on well-formed headers -----------------------------------------

_TOKEN = {
    "HTTP_X_FORWARDED_FOR": st.ip_addresses().map(str),
    "HTTP_X_FORWARDED_PROTO": st.sampled_from(["http", "https", "wss"]),
    "HTTP_X_FORWARDED_HOST": st.sampled_from(["a.test", "b.test:8080", "[::1]", "[::1]:81"]),
    "HTTP_X_FORWARDED_PORT": st.sampled_from(["80", "443", "8080"]),
    "HTTP_X_FORWARDED_PREFIX": st.sampled_from(["/p", "/p/q", "/r"]),
}
_KEYS = ("REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")


@settings(max_examples=100, deadline=None)
@given(
    headers=st.fixed_dictionaries(
        {key: st.lists(strategy, max_size=4).map(", ".join) for key, strategy in _TOKEN.items()}
    ),
    counts=st.lists(st.integers(min_value=0, max_value=4), min_size=5, max_size=5),
)
def test_every_header_agrees_with_werkzeug(headers: dict[str, str], counts: list[int]) -> None:
    """With well-formed values (no empty items or quotes, where kolba deliberately differs)
    the five headers give the environ Werkzeug's ProxyFix gives.
    """
    results = []
    for fix in (ProxyFix, WerkzeugProxyFix):
        environ: dict[str, t.Any] = {
            "REMOTE_ADDR": PEER,
            "wsgi.url_scheme": "http",
            "HTTP_HOST": "backend:8000",
            "SERVER_NAME": "backend",
            "SERVER_PORT": "8000",
            "SCRIPT_NAME": "",
            **{k: v for k, v in headers.items() if v},
        }
        seen: dict[str, t.Any] = {}

        def capture(
            env: dict[str, t.Any], start_response: t.Any, seen: t.Any = seen
        ) -> list[bytes]:
            seen.update({key: env.get(key) for key in _KEYS})
            return []

        fix(capture, *counts)(environ, lambda *a: None)  # type: ignore[arg-type]
        results.append(seen)
    assert results[0] == results[1]


# -- header spelling smuggling at the dev server -------------------------------------------------


@pytest.fixture
def _quiet_server_logger() -> Iterator[None]:
    logger = logging.getLogger("kolba")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]
    serving._configured_logger = None


@pytest.mark.usefixtures("_quiet_server_logger")
def test_dev_server_drops_underscore_spellings_of_forwarded_headers() -> None:
    """``X_Forwarded_For`` and ``X-Forwarded-For`` both become HTTP_X_FORWARDED_FOR in
    WSGI; a server that passed the underscore one would let a client replace the proxy's.
    """
    app = make_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_host=1)  # type: ignore[method-assign]
    server = serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.putrequest("GET", "/seen", skip_host=True)
            conn.putheader("Host", "backend")
            conn.putheader("X_Forwarded_For", "6.6.6.6")
            conn.putheader("X-Forwarded-For", "203.0.113.9")
            conn.putheader("X_Forwarded_Host", "evil.test")
            conn.endheaders()
            response = conn.getresponse()
            import json

            seen = json.loads(response.read())
        finally:
            conn.close()
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
    assert seen["remote_addr"] == "203.0.113.9"
    assert seen["host"] == "backend"

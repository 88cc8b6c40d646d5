"""ProxyFix applies X-Forwarded-* headers from a configured number of proxies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.middleware.proxy_fix import ProxyFix as WerkzeugProxyFix

from kolba.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

KEYS = ("REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")


def echo_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """A bare WSGI app whose body is the parts of the environ ProxyFix may change."""
    seen = {key: environ.get(key) for key in KEYS}
    seen["orig"] = environ.get("kolba.proxy_fix.orig")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


def base_environ(**headers: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/page",
        "REMOTE_ADDR": "10.0.0.1",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "internal:8000",
        "SERVER_NAME": "internal",
        "SERVER_PORT": "8000",
        "SCRIPT_NAME": "",
    }
    environ.update(headers)
    return environ


def call(middleware: Any, **headers: str) -> dict[str, Any]:
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)

    body = b"".join(middleware(base_environ(**headers), start_response))
    assert statuses == ["200 OK"]
    result: dict[str, Any] = json.loads(body)
    return result


UNCHANGED = {
    "REMOTE_ADDR": "10.0.0.1",
    "wsgi.url_scheme": "http",
    "HTTP_HOST": "internal:8000",
    "SERVER_NAME": "internal",
    "SERVER_PORT": "8000",
    "SCRIPT_NAME": "",
}


def changed(seen: dict[str, Any]) -> dict[str, Any]:
    return {key: seen[key] for key in KEYS if seen[key] != UNCHANGED[key]}


def test_no_headers_changes_nothing() -> None:
    seen = call(ProxyFix(echo_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1))
    assert changed(seen) == {}


def test_one_proxy_for_and_proto() -> None:
    seen = call(
        ProxyFix(echo_app),
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert changed(seen) == {"REMOTE_ADDR": "203.0.113.7", "wsgi.url_scheme": "https"}


def test_one_proxy_ignores_values_the_client_prepended() -> None:
    seen = call(
        ProxyFix(echo_app),
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
        HTTP_X_FORWARDED_PROTO="http,https",
    )
    assert seen["REMOTE_ADDR"] == "203.0.113.7"
    assert seen["wsgi.url_scheme"] == "https"


def test_two_proxies_use_second_value_from_the_end() -> None:
    seen = call(
        ProxyFix(echo_app, x_for=2, x_proto=2, x_host=2),
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2",
        HTTP_X_FORWARDED_PROTO="ftp, https, http",
        HTTP_X_FORWARDED_HOST="evil.test, example.com, lb.internal",
    )
    assert changed(seen) == {
        "REMOTE_ADDR": "203.0.113.7",
        "wsgi.url_scheme": "https",
        "HTTP_HOST": "example.com",
        "SERVER_NAME": "example.com",
    }


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_FORWARDED_FOR": "203.0.113.7"},
        {"HTTP_X_FORWARDED_PROTO": "https"},
        {"HTTP_X_FORWARDED_HOST": "example.com"},
        {"HTTP_X_FORWARDED_PORT": "443"},
        {"HTTP_X_FORWARDED_PREFIX": "/app"},
    ],
)
def test_fewer_values_than_trusted_proxies_are_ignored(headers: dict[str, str]) -> None:
    middleware = ProxyFix(echo_app, x_for=2, x_proto=2, x_host=2, x_port=2, x_prefix=2)
    assert changed(call(middleware, **headers)) == {}


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_FORWARDED_HOST": "example.com"},
        {"HTTP_X_FORWARDED_PORT": "443"},
        {"HTTP_X_FORWARDED_PREFIX": "/app"},
    ],
)
def test_headers_with_a_zero_count_are_ignored(headers: dict[str, str]) -> None:
    assert changed(call(ProxyFix(echo_app), **headers)) == {}


def test_zero_for_and_proto_ignore_those_headers() -> None:
    seen = call(
        ProxyFix(echo_app, x_for=0, x_proto=0),
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert changed(seen) == {}


@pytest.mark.parametrize("value", ["", " ", "203.0.113.7, ", "203.0.113.7,"])
def test_empty_trusted_value_is_ignored(value: str) -> None:
    assert changed(call(ProxyFix(echo_app), HTTP_X_FORWARDED_FOR=value)) == {}


@pytest.mark.parametrize(
    ("value", "x_for", "expected"),
    [
        # Each comma counts, so the empty item is the trusted one and nothing changes.
        ("6.6.6.6,, 10.0.0.2", 2, "10.0.0.1"),
        # A quote is ordinary text: it cannot hide the proxies' values from the count.
        ('"6.6.6.6, 203.0.113.7', 1, "203.0.113.7"),
        ('"6.6.6.6, 203.0.113.7, 10.0.0.2', 2, "203.0.113.7"),
    ],
)
def test_every_comma_counts(value: str, x_for: int, expected: str) -> None:
    seen = call(ProxyFix(echo_app, x_for=x_for), HTTP_X_FORWARDED_FOR=value)
    assert seen["REMOTE_ADDR"] == expected


def test_values_are_stripped() -> None:
    seen = call(ProxyFix(echo_app), HTTP_X_FORWARDED_FOR="  6.6.6.6 ,   203.0.113.7  ")
    assert seen["REMOTE_ADDR"] == "203.0.113.7"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", {"HTTP_HOST": "example.com", "SERVER_NAME": "example.com"}),
        (
            "example.com:8443",
            {"HTTP_HOST": "example.com:8443", "SERVER_NAME": "example.com", "SERVER_PORT": "8443"},
        ),
        ("[2001:db8::1]", {"HTTP_HOST": "[2001:db8::1]", "SERVER_NAME": "[2001:db8::1]"}),
        (
            "[2001:db8::1]:9000",
            {
                "HTTP_HOST": "[2001:db8::1]:9000",
                "SERVER_NAME": "[2001:db8::1]",
                "SERVER_PORT": "9000",
            },
        ),
    ],
)
def test_forwarded_host(value: str, expected: dict[str, str]) -> None:
    seen = call(ProxyFix(echo_app, x_host=1), HTTP_X_FORWARDED_HOST=value)
    assert changed(seen) == expected


def test_forwarded_port_replaces_the_port_in_host() -> None:
    seen = call(ProxyFix(echo_app, x_port=1), HTTP_X_FORWARDED_PORT="443")
    assert changed(seen) == {"HTTP_HOST": "internal:443", "SERVER_PORT": "443"}


def test_forwarded_port_adds_a_port_to_a_bare_or_ipv6_host() -> None:
    seen = call(ProxyFix(echo_app, x_port=1), HTTP_HOST="[::1]", HTTP_X_FORWARDED_PORT="8443")
    assert seen["HTTP_HOST"] == "[::1]:8443"
    seen = call(ProxyFix(echo_app, x_port=1), HTTP_HOST="internal", HTTP_X_FORWARDED_PORT="8443")
    assert seen["HTTP_HOST"] == "internal:8443"


def test_forwarded_port_without_host_header_sets_server_port_only() -> None:
    middleware = ProxyFix(echo_app, x_port=1)
    environ = base_environ(HTTP_X_FORWARDED_PORT="443")
    del environ["HTTP_HOST"]
    captured: dict[str, Any] = {}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        captured.update(environ)
        return []

    middleware.app = app
    middleware(environ, lambda *args: None)  # type: ignore[arg-type]
    assert "HTTP_HOST" not in captured
    assert captured["SERVER_PORT"] == "443"


def test_forwarded_host_and_port_together() -> None:
    seen = call(
        ProxyFix(echo_app, x_host=1, x_port=1),
        HTTP_X_FORWARDED_HOST="example.com:8080",
        HTTP_X_FORWARDED_PORT="443",
    )
    assert changed(seen) == {
        "HTTP_HOST": "example.com:443",
        "SERVER_NAME": "example.com",
        "SERVER_PORT": "443",
    }


@pytest.mark.parametrize("value", ["abc", "443abc", "-1", "123456", "\u0664\u0664\u0663", "1_0"])
def test_invalid_forwarded_port_is_ignored(value: str) -> None:
    seen = call(ProxyFix(echo_app, x_port=1), HTTP_X_FORWARDED_PORT=value)
    assert changed(seen) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("https", "https"), ("HTTPS", "https"), ("wss", "wss"), ("svn+ssh", "svn+ssh")],
)
def test_forwarded_proto_is_lowercased(value: str, expected: str) -> None:
    seen = call(ProxyFix(echo_app), HTTP_X_FORWARDED_PROTO=value)
    assert seen["wsgi.url_scheme"] == expected


@pytest.mark.parametrize("value", ["https://x", "ht tps", "1http", "http/1.1", "\u00e9"])
def test_forwarded_proto_that_is_not_a_scheme_is_ignored(value: str) -> None:
    seen = call(ProxyFix(echo_app), HTTP_X_FORWARDED_PROTO=value)
    assert seen["wsgi.url_scheme"] == "http"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/app", "/app"), ("/app/", "/app"), ("/a/b//", "/a/b"), ("app", "/app"), ("/", "")],
)
def test_forwarded_prefix(value: str, expected: str) -> None:
    seen = call(ProxyFix(echo_app, x_prefix=1), HTTP_X_FORWARDED_PREFIX=value)
    assert seen["SCRIPT_NAME"] == expected


def test_originals_are_saved() -> None:
    seen = call(
        ProxyFix(echo_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1),
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="example.com",
        HTTP_X_FORWARDED_PORT="443",
        HTTP_X_FORWARDED_PREFIX="/app",
    )
    assert changed(seen) == {
        "REMOTE_ADDR": "203.0.113.7",
        "wsgi.url_scheme": "https",
        "HTTP_HOST": "example.com:443",
        "SERVER_NAME": "example.com",
        "SERVER_PORT": "443",
        "SCRIPT_NAME": "/app",
    }
    assert seen["orig"] == UNCHANGED


def test_originals_are_saved_even_when_nothing_changes() -> None:
    assert call(ProxyFix(echo_app))["orig"] == UNCHANGED


def test_missing_environ_keys_are_saved_as_none() -> None:
    captured: dict[str, Any] = {}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        captured.update(environ)
        return []

    ProxyFix(app)({"HTTP_X_FORWARDED_FOR": "203.0.113.7"}, lambda *args: None)  # type: ignore[arg-type]
    assert captured["REMOTE_ADDR"] == "203.0.113.7"
    assert captured["kolba.proxy_fix.orig"] == dict.fromkeys(KEYS)


def test_response_and_start_response_pass_through() -> None:
    body = [b"a", b"b"]
    calls: list[str] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("204 No Content", [])
        return body

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        calls.append(status)

    assert ProxyFix(app)(base_environ(), start_response) is body
    assert calls == ["204 No Content"]


def test_positional_counts_like_werkzeug() -> None:
    middleware = ProxyFix(echo_app, 1, 1, 1, 1, 1)
    assert (middleware.x_for, middleware.x_proto, middleware.x_host) == (1, 1, 1)
    assert (middleware.x_port, middleware.x_prefix) == (1, 1)


@pytest.mark.parametrize("bad", [-1, "1", 1.5, None])
def test_bad_counts_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="x_host"):
        ProxyFix(echo_app, x_host=bad)


def test_huge_header_is_fast() -> None:
    start = time.perf_counter()
    seen = call(
        ProxyFix(echo_app, x_for=3),
        HTTP_X_FORWARDED_FOR="1.1.1.1," * 1_000_000 + "203.0.113.7, 10.0.0.3, 10.0.0.2",
    )
    assert seen["REMOTE_ADDR"] == "203.0.113.7"
    assert time.perf_counter() - start < 5


# Werkzeug drops empty list items and honours quotes; here every comma separates a value,
# so a client's stray quote or empty item cannot shift which value is trusted. With
# non-empty, unquoted values the two must agree.
_VALUE = st.text(alphabet="0123456789.:abc[] ", min_size=1, max_size=12).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(_VALUE, max_size=5),
    trusted=st.integers(min_value=0, max_value=6),
)
def test_for_and_host_agree_with_werkzeug(values: list[str], trusted: int) -> None:
    header = ",".join(values)
    headers = {"HTTP_X_FORWARDED_FOR": header, "HTTP_X_FORWARDED_HOST": header}
    ours = call(ProxyFix(echo_app, x_for=trusted, x_host=trusted), **headers)
    theirs: dict[str, Any] = {}

    def capture(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        theirs.update(environ)
        return []

    WerkzeugProxyFix(capture, x_for=trusted, x_host=trusted)(base_environ(**headers), None)  # type: ignore[arg-type]
    for key in ("REMOTE_ADDR", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT"):
        assert ours[key] == theirs[key], key


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.text(alphabet="0123456789. ", max_size=8), max_size=5),
    trusted=st.integers(min_value=1, max_value=6),
)
def test_remote_addr_is_only_ever_the_trusted_value(values: list[str], trusted: int) -> None:
    seen = call(ProxyFix(echo_app, x_for=trusted), HTTP_X_FORWARDED_FOR=",".join(values))
    if len(values) >= trusted and values[-trusted].strip():
        assert seen["REMOTE_ADDR"] == values[-trusted].strip()
    else:
        assert seen["REMOTE_ADDR"] == "10.0.0.1"

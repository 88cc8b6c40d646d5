"""The protocol-independent request: host, URLs, header-derived attributes.

A tiny subclass supplies the primitives (as the WSGI or an ASGI layer would); everything
under test is derived from them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.sansio.datastructures import Headers, ImmutableMultiDict, MultiDict
from kolba.sansio.exceptions import BadHost
from kolba.sansio.request import Request, host_is_trusted, parse_content_length


class Plain(Request):
    """A request built from keyword arguments instead of a server's data."""

    def __init__(
        self,
        *,
        method: str = "GET",
        scheme: str = "http",
        server: tuple[str, int | None] | None = ("localhost", 80),
        root_path: str = "",
        path: str = "/",
        query_string: bytes = b"",
        headers: Any = None,
        remote_addr: str | None = "127.0.0.1",
    ) -> None:
        self.method = method
        self.scheme = scheme
        self.server = server
        self.root_path = root_path
        self.path = path
        self.query_string = query_string
        # Request headers come from the wire unchecked (a server passes what it got).
        self.headers = Headers._trusted(list(headers or []))
        self.remote_addr = remote_addr


# ---------------------------------------------------------------------------------------------
# Host


@pytest.mark.parametrize(
    ("header", "scheme", "expected"),
    [
        ("example.com", "http", "example.com"),
        ("Example.COM", "http", "example.com"),
        ("example.com:80", "http", "example.com"),
        ("example.com:443", "https", "example.com"),
        ("example.com:443", "http", "example.com:443"),
        ("example.com:8080", "https", "example.com:8080"),
        ("example.com:80", "ws", "example.com"),
        ("example.com:443", "wss", "example.com"),
        ("example.com:", "http", "example.com"),
        ("127.0.0.1:5000", "http", "127.0.0.1:5000"),
        ("[::1]", "http", "[::1]"),
        ("[::1]:8080", "http", "[::1]:8080"),
        ("[2001:db8::1]:443", "https", "[2001:db8::1]"),
        ("[fe80::1%eth0]:80", "http", "[fe80::1%eth0]"),
        ("xn--bcher-kva.example", "http", "xn--bcher-kva.example"),
        ("under_score.internal", "http", "under_score.internal"),
        (".".join(["a"] * 300), "http", ".".join(["a"] * 300)),
    ],
)
def test_valid_hosts(header: str, scheme: str, expected: str) -> None:
    assert Plain(headers=[("Host", header)], scheme=scheme).host == expected


# BAD_INPUTS section 5: each of these names no single host, so using it is a 400.
HOSTILE_HOSTS = [
    "foo/?x=",
    "foo/#",
    "foo/bar",
    "user@foo",
    "foo\\bar",
    "foo bar",
    "a.test:8080@b.test",
    "a.test:port",
    "[z:443]:8080",
    "[::1",
    "::1",
    "[:::::::::]",
    "example.com:99999",
    "example.com:123456",
    "exa%mple.com",
    "bücher.example",
    "example.com\t",
    "a\x00b",
    "a,b",
    "x" * 100_000 + "/",
]


@pytest.mark.parametrize("header", HOSTILE_HOSTS, ids=lambda h: repr(h[:30]))
def test_hostile_hosts_are_a_400_that_says_what_to_send(header: str) -> None:
    request = Plain(headers=[("Host", header)])
    with pytest.raises(BadHost) as info:
        request.host  # noqa: B018
    assert info.value.code == 400
    assert "Host" in info.value.description
    assert "example.com" in info.value.description  # says what a valid one looks like
    assert len(info.value.description) < 400  # a huge header is not echoed whole
    for url in ("url", "base_url", "host_url", "root_url", "url_root"):
        with pytest.raises(BadHost):
            getattr(request, url)
    assert "invalid URL" in repr(request)  # repr never raises


def test_host_falls_back_to_the_server_name() -> None:
    assert Plain(server=("srv", 8000)).host == "srv:8000"
    assert Plain(server=("srv", 80)).host == "srv"
    assert Plain(server=("srv", None)).host == "srv"
    assert Plain(server=("::1", 8000)).host == "[::1]:8000"
    assert Plain(server=None).host == ""
    assert Plain(headers=[("Host", "")], server=("srv", 81)).host == "srv:81"


def test_trusted_hosts() -> None:
    request = Plain(headers=[("Host", "api.example.com:8443")])
    request.trusted_hosts = ["example.com", ".example.com"]
    assert request.host == "api.example.com:8443"
    other = Plain(headers=[("Host", "evil.test")])
    other.trusted_hosts = [".example.com"]
    with pytest.raises(BadHost, match="TRUSTED_HOSTS"):
        other.host  # noqa: B018
    assert host_is_trusted("Example.com:80", ["example.com"])
    assert host_is_trusted("[::1]:80", ["[::1]"])
    assert not host_is_trusted("example.com.evil", [".example.com"])
    assert not host_is_trusted("notexample.com", [".example.com"])
    assert not host_is_trusted("", ["example.com"])
    assert not host_is_trusted(None, ["example.com"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_host_header_is_a_host_or_a_400(header: str) -> None:
    request = Plain(headers=[("Host", header)])
    try:
        host = request.host
    except BadHost:
        return
    # What is accepted can go into a URL without changing its meaning.
    assert not any(c in host for c in "/?#@\\ ")
    assert request.host_url == f"http://{host}/" or "xn--" in host


# ---------------------------------------------------------------------------------------------
# URLs


@pytest.mark.parametrize(
    ("kwargs", "url", "base_url", "root_url", "full_path"),
    [
        ({}, "http://localhost/", "http://localhost/", "http://localhost/", "/?"),
        (
            {"path": "/a b/ä", "query_string": b"x=1&y=%C3%BC"},
            "http://localhost/a%20b/ä?x=1&y=ü",
            "http://localhost/a%20b/ä",
            "http://localhost/",
            "/a b/ä?x=1&y=%C3%BC",
        ),
        (
            {"root_path": "/app/", "path": "/x", "query_string": b"q"},
            "http://localhost/app/x?q",
            "http://localhost/app/x",
            "http://localhost/app/",
            "/x?q",
        ),
        (
            {"path": "/50%/a?b#c", "scheme": "https", "server": ("h", 443)},
            "https://h/50%/a%3Fb%23c",
            "https://h/50%/a%3Fb%23c",
            "https://h/",
            "/50%/a?b#c?",
        ),
        (
            {"query_string": b"a=\xff&b=%ff"},
            "http://localhost/?a=%FF&b=%FF",
            "http://localhost/",
            "http://localhost/",
            "/?a=%FF&b=%ff",
        ),
        (
            {"headers": [("Host", "xn--bcher-kva.example")]},
            "http://bücher.example/",
            "http://bücher.example/",
            "http://bücher.example/",
            "/?",
        ),
    ],
)
def test_urls(
    kwargs: dict[str, Any], url: str, base_url: str, root_url: str, full_path: str
) -> None:
    request = Plain(**kwargs)
    assert request.url == url
    assert request.base_url == base_url
    assert request.root_url == root_url
    assert request.url_root == root_url
    assert request.full_path == full_path
    assert request.host_url == root_url.split("/", 3)[0] + "//" + root_url.split("/", 3)[2] + "/"


def test_script_root_and_is_secure() -> None:
    assert Plain(root_path="/app/").script_root == "/app"
    assert Plain(root_path="").script_root == ""
    assert Plain(scheme="https").is_secure
    assert Plain(scheme="wss").is_secure
    assert not Plain(scheme="http").is_secure


def test_args_never_split_on_semicolons_and_keep_invalid_utf8_escaped() -> None:
    args = Plain(query_string=b"a=1;b=2&c=%ff&d=+%2B&e&=f&g=%").args
    assert isinstance(args, ImmutableMultiDict)
    assert args.to_dict(flat=False) == {
        "a": ["1;b=2"],
        "c": ["%FF"],
        "d": [" +"],
        "e": [""],
        "": ["f"],
        "g": ["%"],
    }


def test_storage_classes_can_be_swapped() -> None:
    class Mutable(Plain):
        parameter_storage_class = MultiDict
        dict_storage_class = MultiDict

    request = Mutable(query_string=b"a=1", headers=[("Cookie", "c=1")])
    request.args.add("b", "2")
    request.cookies.add("d", "2")
    assert request.args.getlist("b") == ["2"]


def test_access_route() -> None:
    forwarded = Plain(headers=[("X-Forwarded-For", "1.1.1.1, 2.2.2.2 ,, ")])
    assert forwarded.access_route == ["1.1.1.1", "2.2.2.2"]
    assert Plain().access_route == ["127.0.0.1"]
    assert Plain(remote_addr=None).access_route == []


# ---------------------------------------------------------------------------------------------
# Headers


def test_cookies_decode_utf8_and_keep_every_value() -> None:
    raw = 'a=1; a=2; b="x\\054y"; c=ä'.encode().decode("latin-1")
    cookies = Plain(headers=[("Cookie", raw)]).cookies
    assert isinstance(cookies, ImmutableMultiDict)
    assert cookies["a"] == "1"
    assert cookies.getlist("a") == ["1", "2"]
    assert cookies["b"] == "x,y"
    assert cookies["c"] == "ä"
    assert Plain(headers=[("Cookie", "c=\xff")]).cookies["c"] == "\xff"  # not UTF-8: kept
    assert Plain().cookies == {}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5),
        (" 5 ", 5),
        ("05", 5),
        ("0", 0),
        ("", 0),
        ("-1", 0),
        ("+5", 0),
        ("1_000", 0),
        ("\u0665", 0),
        ("5, 5", 0),
        ("5 5", 0),
        ("0x10", 0),
        ("1e3", 0),
        ("9" * 19, 10**19 - 1),
        ("9" * 20, 0),
        ("9" * 5000, 0),
    ],
)
def test_content_length(header: str, expected: int) -> None:
    assert Plain(headers=[("Content-Length", header)]).content_length == expected


def test_content_length_missing_or_chunked_is_none() -> None:
    assert Plain().content_length is None
    chunked = Plain(headers=[("Content-Length", "5"), ("Transfer-Encoding", "gzip, Chunked")])
    assert chunked.content_length is None
    assert parse_content_length(None) is None
    assert parse_content_length("-0") is None


@pytest.mark.parametrize(
    ("content_type", "mimetype", "params", "is_json"),
    [
        ("application/json", "application/json", {}, True),
        ("Application/JSON; Charset=UTF-8", "application/json", {"charset": "UTF-8"}, True),
        ("application/vnd.api+json", "application/vnd.api+json", {}, True),
        ("application/problem+JSON", "application/problem+json", {}, True),
        ("text/json", "text/json", {}, False),
        ("text/plain", "text/plain", {}, False),
        ("application/jsonx", "application/jsonx", {}, False),
        ("application/x-json-stream", "application/x-json-stream", {}, False),
        ("multipart/form-data; boundary=abc", "multipart/form-data", {"boundary": "abc"}, False),
        ("", "", {}, False),
    ],
)
def test_content_type(
    content_type: str, mimetype: str, params: dict[str, str], is_json: bool
) -> None:
    request = Plain(headers=[("Content-Type", content_type)])
    assert request.content_type == content_type
    assert request.mimetype == mimetype
    assert request.mimetype_params == params
    assert request.is_json is is_json


def test_no_content_type() -> None:
    request = Plain()
    assert request.content_type is None
    assert request.mimetype == ""
    assert request.mimetype_params == {}
    assert not request.is_json


def test_plain_header_attributes() -> None:
    request = Plain(
        headers=[
            ("User-Agent", "curl/8.0"),
            ("Referer", "http://a.example/"),
            ("Origin", "http://b.example"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "X-A, x-b"),
        ]
    )
    assert request.user_agent.string == "curl/8.0"
    assert str(request.user_agent) == "curl/8.0"
    assert request.user_agent.to_header() == "curl/8.0"
    assert request.user_agent.browser is None
    assert request.referrer == "http://a.example/"
    assert request.origin == "http://b.example"
    assert request.access_control_request_method == "PUT"
    assert request.access_control_request_headers is not None
    assert "x-a" in request.access_control_request_headers
    empty = Plain()
    assert empty.user_agent.string == ""
    assert empty.referrer is None
    assert empty.access_control_request_headers is None


def test_authorization() -> None:
    basic = Plain(headers=[("Authorization", "Basic dXNlcjpwYXNz")]).authorization
    assert basic is not None
    assert (basic.type, basic.username, basic.password) == ("basic", "user", "pass")
    bearer = Plain(headers=[("Authorization", "Bearer abc.def")]).authorization
    assert bearer is not None
    assert (bearer.type, bearer.token) == ("bearer", "abc.def")
    assert Plain().authorization is None
    assert Plain(headers=[("Authorization", "Basic " + "!" * 65536)]).authorization is None


def test_accept_headers() -> None:
    request = Plain(
        headers=[
            ("Accept", "text/html;q=0.9, application/json"),
            ("Accept-Language", "de-CH, en;q=0.5"),
            ("Accept-Encoding", "gzip, br;q=0.1"),
            ("Accept-Charset", "utf-8"),
        ]
    )
    assert request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )
    assert request.accept_mimetypes.quality("text/html") == 0.9
    assert "application/json" in request.accept_mimetypes
    assert request.accept_languages.best == "de-CH"
    assert request.accept_encodings["br"] == 0.1
    assert "utf-8" in request.accept_charsets
    assert not Plain().accept_mimetypes  # no header: empty, and nothing matches (as Flask)
    assert Plain().accept_mimetypes.best_match(["text/html"]) is None


def test_conditional_and_range_headers() -> None:
    request = Plain(
        headers=[
            ("If-Match", '"a", W/"b"'),
            ("If-None-Match", "*"),
            ("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("If-Unmodified-Since", "not a date"),
            ("If-Range", '"etag"'),
            ("Range", "bytes=0-10, 20-"),
            ("Cache-Control", "no-cache, max-age=5"),
            ("Pragma", "no-cache"),
            ("Date", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("Max-Forwards", "3"),
        ]
    )
    assert "a" in request.if_match
    assert request.if_match.contains_weak("b")
    assert request.if_none_match.star_tag
    assert request.if_modified_since == datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)
    assert request.if_unmodified_since is None
    assert request.if_range.etag == "etag"
    assert request.range is not None
    assert request.range.ranges == [(0, 11), (20, None)]
    assert request.cache_control.no_cache
    assert request.cache_control.max_age == 5
    assert "no-cache" in request.pragma
    assert request.date is not None
    assert request.max_forwards == 3
    empty = Plain()
    assert not empty.if_match
    assert not empty.if_none_match
    assert empty.range is None
    assert empty.max_forwards is None
    assert Plain(headers=[("Max-Forwards", "-1")]).max_forwards is None
    assert Plain(headers=[("Range", "bytes=a-b")]).range is None


def test_repr() -> None:
    assert repr(Plain(path="/x", method="POST")) == "<Plain 'http://localhost/x' [POST]>"

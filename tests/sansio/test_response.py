"""Tests for kolba.sansio.response and kolba.sansio.status: status lines, header-backed
attributes, cookies and the header-injection guards, compared with Werkzeug where it helps.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.sansio.datastructures import Headers
from kolba.sansio.http import parse_cookie
from kolba.sansio.response import Response, mimetype_with_charset
from kolba.sansio.status import HTTP_STATUS_CODES, parse_status, status_line

UTC = timezone.utc
FAST = settings(max_examples=200, deadline=None)


@pytest.fixture
def wz_response() -> Any:
    """Werkzeug's sans-IO Response, the behaviour reference."""
    return pytest.importorskip("werkzeug.sansio.response").Response


# ---------------------------------------------------------------------------------------------
# status


def test_default_status_is_200_ok() -> None:
    r = Response()
    assert r.status == "200 OK"
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("given_status", "line", "code"),
    [
        (200, "200 OK", 200),
        (404, "404 NOT FOUND", 404),
        ("404", "404 NOT FOUND", 404),
        (" 201 ", "201 CREATED", 201),
        ("299 my thing", "299 my thing", 299),
        ("200 Okay Then", "200 Okay Then", 200),
        (599, "599 UNKNOWN", 599),
        ("599", "599 UNKNOWN", 599),
        ("abc", "0 abc", 0),
        (HTTPStatus.CREATED, "201 CREATED", 201),
        (207, "207 MULTI STATUS", 207),
        (203, "203 NON AUTHORITATIVE INFORMATION", 203),
        (418, "418 I'M A TEAPOT", 418),
        (413, "413 REQUEST ENTITY TOO LARGE", 413),
    ],
)
def test_status_forms(given_status: Any, line: str, code: int, wz_response: Any) -> None:
    r = Response(status=given_status)
    assert (r.status, r.status_code) == (line, code)
    assert type(r.status_code) is int
    ref = wz_response(status=given_status)
    assert (r.status, r.status_code) == (ref.status, ref.status_code)


def test_status_code_setter_rebuilds_the_line() -> None:
    r = Response()
    r.status_code = 404
    assert r.status == "404 NOT FOUND"
    r.status = "201"
    assert (r.status, r.status_code) == ("201 CREATED", 201)


def test_status_lines_match_werkzeug_for_every_known_code() -> None:
    wz_http = pytest.importorskip("werkzeug.http")
    for code, phrase in wz_http.HTTP_STATUS_CODES.items():
        assert HTTP_STATUS_CODES[code] == phrase
        assert status_line(code) == f"{code} {phrase.upper()}"


@pytest.mark.parametrize("bad", ["", "   "])
def test_empty_status_is_a_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match=r"[Ee]mpty status"):
        Response(status=bad)


@pytest.mark.parametrize("bad", [200.0, b"200 OK", object()])
def test_status_of_another_type_is_a_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="int or a str"):
        Response(status=bad)


@pytest.mark.parametrize(
    "bad",
    ["200 OK\r\nSet-Cookie: a=b", "200 OK\nX: y", "200 OK\rX", "200 O\0K", "200 ÖK ✓"],
)
def test_status_text_that_would_break_the_status_line_is_refused(bad: str) -> None:
    r = Response()
    with pytest.raises(ValueError, match="status"):
        r.status = bad
    assert r.status == "200 OK"


def test_latin1_reason_phrase_is_kept() -> None:
    assert parse_status("200 Größe") == (200, "200 Größe")


@FAST
@given(st.text(max_size=40))
def test_parse_status_never_lets_a_line_break_through(text: str) -> None:
    try:
        code, line = parse_status(text)
    except ValueError:
        return
    assert "\r" not in line
    assert "\n" not in line
    assert "\0" not in line
    line.encode("latin-1")
    assert line.startswith(f"{code} ") or line == str(code)


# ---------------------------------------------------------------------------------------------
# content type and mimetype


@pytest.mark.parametrize(
    "mimetype",
    [
        "text/html",
        "text/plain",
        "TEXT/HTML",
        "application/json",
        "application/vnd.api+json",
        "application/xml",
        "application/xml-dtd",
        "application/sql",
        "application/javascript",
        "application/ecmascript",
        "image/svg+xml",
        "application/atom+xml",
        "image/png",
        "application/octet-stream",
        "text/plain; format=flowed",
    ],
)
def test_mimetype_with_charset_matches_werkzeug(mimetype: str) -> None:
    wz_utils = pytest.importorskip("werkzeug.utils")
    assert mimetype_with_charset(mimetype) == wz_utils.get_content_type(mimetype, "utf-8")


def test_mimetype_with_a_charset_already_is_not_given_a_second_one() -> None:
    # Werkzeug appends a second charset here; a header naming two is ambiguous.
    assert mimetype_with_charset("text/plain; charset=latin-1") == "text/plain; charset=latin-1"
    assert mimetype_with_charset("text/plain; Charset=UTF-8") == "text/plain; Charset=UTF-8"


def test_default_mimetype_of_the_sansio_response_is_text_plain() -> None:
    r = Response()
    assert r.content_type == "text/plain; charset=utf-8"
    assert r.mimetype == "text/plain"


def test_mimetype_and_content_type_arguments() -> None:
    assert Response(mimetype="application/json").content_type == "application/json"
    assert Response(mimetype="text/csv").content_type == "text/csv; charset=utf-8"
    assert Response(content_type="text/csv").content_type == "text/csv"
    # A Content-Type among the headers wins over the default mimetype...
    assert Response(headers={"Content-Type": "a/b"}).content_type == "a/b"
    # ...and an explicit mimetype wins over the headers.
    assert Response(headers={"Content-Type": "a/b"}, mimetype="c/d").content_type == "c/d"


def test_mimetype_setter_and_params() -> None:
    r = Response()
    r.mimetype = "text/csv"
    assert r.content_type == "text/csv; charset=utf-8"
    assert r.mimetype_params == {"charset": "utf-8"}
    r.mimetype_params["charset"] = "latin-1"
    assert r.content_type == "text/csv; charset=latin-1"
    r.content_type = "application/json"
    assert r.mimetype == "application/json"
    assert r.mimetype_params == {}


@pytest.mark.parametrize(
    ("mimetype", "is_json"),
    [
        ("application/json", True),
        ("application/problem+json", True),
        ("application/vnd.api+json", True),
        ("text/json", False),
        ("text/html", False),
    ],
)
def test_is_json(mimetype: str, is_json: bool) -> None:
    assert Response(mimetype=mimetype).is_json is is_json


# ---------------------------------------------------------------------------------------------
# header-backed attributes


def test_headers_argument_forms() -> None:
    h = Headers([("X-A", "1")])
    assert Response(headers=h).headers is h
    assert Response(headers={"X-A": "1"}).headers["X-A"] == "1"
    r = Response(headers=[("X-A", "1"), ("X-A", "2")])
    assert r.headers.getlist("X-A") == ["1", "2"]


def test_location() -> None:
    r = Response()
    assert r.location is None
    r.location = "/next"
    assert r.headers["Location"] == "/next"
    del r.location
    assert "Location" not in r.headers
    r.location = "/x"
    r.location = None
    assert "Location" not in r.headers


def test_content_length() -> None:
    r = Response()
    assert r.content_length is None
    r.content_length = 12
    assert r.headers["Content-Length"] == "12"
    assert r.content_length == 12


def test_unparsable_header_reads_as_none_like_werkzeug(wz_response: Any) -> None:
    r = Response()
    r.headers["Content-Length"] = "abc"
    r.headers["Expires"] = "not a date"
    ref = wz_response()
    ref.headers["Content-Length"] = "abc"
    ref.headers["Expires"] = "not a date"
    assert r.content_length is None is ref.content_length
    assert r.expires is None is ref.expires


@pytest.mark.parametrize("attr", ["expires", "last_modified", "date"])
def test_date_headers(attr: str) -> None:
    header = {"expires": "Expires", "last_modified": "Last-Modified", "date": "Date"}[attr]
    r = Response()
    assert getattr(r, attr) is None
    setattr(r, attr, datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert r.headers[header] == "Thu, 02 Jan 2020 03:04:05 GMT"
    assert getattr(r, attr) == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    setattr(r, attr, 0)
    assert r.headers[header] == "Thu, 01 Jan 1970 00:00:00 GMT"
    # A naive datetime is taken as UTC.
    setattr(r, attr, datetime(2020, 1, 2, 12))
    assert r.headers[header] == "Thu, 02 Jan 2020 12:00:00 GMT"
    setattr(r, attr, None)
    assert header not in r.headers


def test_age_and_retry_after() -> None:
    r = Response()
    r.age = timedelta(seconds=30)
    assert r.headers["Age"] == "30"
    assert r.age == timedelta(seconds=30)
    r.age = 10
    assert r.headers["Age"] == "10"
    r.retry_after = 120
    assert r.headers["Retry-After"] == "120"
    r.retry_after = datetime(2030, 1, 1, tzinfo=UTC)
    assert r.headers["Retry-After"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert r.retry_after == datetime(2030, 1, 1, tzinfo=UTC)


def test_vary_is_an_editable_set() -> None:
    r = Response()
    assert "Vary" not in r.headers
    r.vary.add("Cookie")
    r.vary.add("Accept-Encoding")
    assert r.headers["Vary"] == "Cookie, Accept-Encoding"
    assert "cookie" in r.vary
    r.vary.add("cookie")
    assert r.headers["Vary"] == "Cookie, Accept-Encoding"
    r.vary = ["A", "B"]
    assert r.headers["Vary"] == "A, B"
    r.vary = None
    assert "Vary" not in r.headers


def test_allow_is_an_editable_set() -> None:
    r = Response()
    r.allow.update(["GET", "POST"])
    assert r.headers["Allow"] == "GET, POST"
    assert "post" in r.allow
    r.allow = "GET, HEAD"
    assert set(r.allow) == {"GET", "HEAD"}


def test_content_language_and_cors_headers() -> None:
    r = Response()
    r.content_language.add("en")
    r.access_control_allow_origin = "*"
    r.access_control_allow_credentials = True
    r.access_control_allow_methods = ["GET", "POST"]
    r.access_control_max_age = 600
    assert r.headers["Content-Language"] == "en"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert r.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert r.access_control_max_age == 600
    assert r.access_control_allow_credentials is True


def test_cache_control_edits_the_header() -> None:
    r = Response()
    r.cache_control.max_age = 30
    r.cache_control.public = True
    assert r.headers["Cache-Control"] == "max-age=30, public"
    r.cache_control.no_cache = True
    assert "no-cache" in r.headers["Cache-Control"]
    r.headers["Cache-Control"] = "private, max-age=0, no-store"
    cc = r.cache_control
    assert (cc.private, cc.max_age, cc.no_store) == (True, 0, True)


def test_cache_control_cleared_removes_the_header() -> None:
    r = Response()
    r.cache_control.max_age = 5
    r.cache_control.max_age = None
    assert "Cache-Control" not in r.headers


def test_etags() -> None:
    r = Response()
    assert r.get_etag() == (None, None)
    r.set_etag("abc")
    assert r.headers["ETag"] == '"abc"'
    assert r.get_etag() == ("abc", False)
    r.set_etag("abc", weak=True)
    assert r.headers["ETag"] == 'W/"abc"'
    assert r.get_etag() == ("abc", True)
    with pytest.raises(ValueError, match="ETag"):
        r.set_etag('a"b')


def test_www_authenticate_parameters_added_after_the_scheme() -> None:
    r = Response(status=401)
    r.www_authenticate.type = "basic"
    r.www_authenticate["realm"] = "admin"
    assert r.headers["WWW-Authenticate"] == "Basic realm=admin"


def test_www_authenticate_set_in_one_go() -> None:
    r = Response(status=401)
    r.www_authenticate["realm"] = "admin"
    assert r.headers["WWW-Authenticate"] == "Basic realm=admin"


# ---------------------------------------------------------------------------------------------
# header injection


@pytest.mark.parametrize("bad", ["a\r\nSet-Cookie: x=1", "a\nb", "a\rb", "a\0b"])
def test_header_values_with_line_breaks_are_refused(bad: str) -> None:
    r = Response()
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        r.headers["X-Thing"] = bad
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        r.headers.add("X-Thing", bad)
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        r.location = bad
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        Response(headers={"X-Thing": bad})
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        Response(headers={f"X-{bad}": "v"})
    assert "X-Thing" not in r.headers


def test_header_values_outside_latin1_are_refused() -> None:
    r = Response()
    with pytest.raises(ValueError, match="latin-1"):
        r.headers["X-Name"] = "日本"
    r.headers["X-Name"] = "é"  # latin-1 is fine
    assert r.headers["X-Name"] == "é"


@FAST
@given(st.text(max_size=30))
def test_no_header_value_containing_a_line_break_is_ever_stored(value: str) -> None:
    r = Response()
    try:
        r.headers["X-V"] = value
    except ValueError:
        assert any(c in value for c in "\r\n\0") or not all(ord(c) < 256 for c in value)
        return
    stored = r.headers["X-V"]
    assert not any(c in stored for c in "\r\n\0")


# ---------------------------------------------------------------------------------------------
# cookies


def _cookies(r: Response) -> list[str]:
    return r.headers.getlist("Set-Cookie")


def test_set_cookie_defaults() -> None:
    r = Response()
    r.set_cookie("name")
    assert _cookies(r) == ["name=; Path=/"]
    r.set_cookie("k", "v")
    assert _cookies(r)[-1] == "k=v; Path=/"


def test_set_cookie_every_attribute() -> None:
    r = Response()
    r.set_cookie(
        "a",
        "b",
        max_age=10,
        expires=datetime(2030, 1, 1, tzinfo=UTC),
        path="/p",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="lax",
        partitioned=True,
    )
    assert _cookies(r) == [
        "a=b; Domain=example.com; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Max-Age=10;"
        " Secure; HttpOnly; Path=/p; SameSite=Lax; Partitioned"
    ]


def test_set_cookie_max_age_int_and_timedelta_set_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    import kolba.sansio.http as sansio_http

    monkeypatch.setattr(sansio_http.time, "time", lambda: 1_700_000_000.0)
    r = Response()
    r.set_cookie("i", "1", max_age=60)
    r.set_cookie("t", "1", max_age=timedelta(hours=1, seconds=0.5))
    assert _cookies(r) == [
        "i=1; Expires=Tue, 14 Nov 2023 22:14:20 GMT; Max-Age=60; Path=/",
        "t=1; Expires=Tue, 14 Nov 2023 23:13:20 GMT; Max-Age=3600; Path=/",
    ]


def test_set_cookie_expires_forms() -> None:
    r = Response()
    r.set_cookie("ts", "1", expires=0)
    r.set_cookie("dt", "1", expires=datetime(2030, 1, 1))
    r.set_cookie("str", "1", expires="Tue, 01 Jan 2030 00:00:00 GMT")
    assert _cookies(r) == [
        "ts=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
        "dt=1; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Path=/",
        "str=1; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Path=/",
    ]


def test_set_cookie_path_none_and_domain_forms() -> None:
    r = Response()
    r.set_cookie("np", "1", path=None)
    r.set_cookie("dot", "1", domain=".example.com")
    r.set_cookie("port", "1", domain="example.com:8080")
    r.set_cookie("idn", "1", domain="bücher.example")
    assert _cookies(r) == [
        "np=1",
        "dot=1; Domain=example.com; Path=/",
        "port=1; Domain=example.com; Path=/",
        "idn=1; Domain=xn--bcher-kva.example; Path=/",
    ]


@pytest.mark.parametrize(
    ("given_samesite", "sent"),
    [("strict", "Strict"), ("Lax", "Lax"), ("NONE", "None"), (None, None)],
)
def test_samesite_values(given_samesite: str | None, sent: str | None) -> None:
    r = Response()
    r.set_cookie("k", "v", samesite=given_samesite)
    header = _cookies(r)[0]
    if sent is None:
        assert "SameSite" not in header
    else:
        assert header.endswith(f"; SameSite={sent}")


@pytest.mark.parametrize("bad", ["bogus", "", "lax "])
def test_invalid_samesite_is_refused(bad: str) -> None:
    r = Response()
    with pytest.raises(ValueError, match="SameSite"):
        r.set_cookie("k", "v", samesite=bad)
    assert _cookies(r) == []


def test_partitioned_implies_secure() -> None:
    r = Response()
    r.set_cookie("p", "1", partitioned=True)
    assert _cookies(r) == ["p=1; Secure; Path=/; Partitioned"]


def test_delete_cookie() -> None:
    r = Response()
    r.delete_cookie("gone", path="/x", domain="example.com")
    r.delete_cookie("gone2", secure=True, httponly=True, samesite="Lax", partitioned=True)
    assert _cookies(r) == [
        "gone=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/x",
        "gone2=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; Path=/;"
        " SameSite=Lax; Partitioned",
    ]


def test_cookie_values_are_quoted_and_read_back() -> None:
    r = Response()
    value = 'a,b;c"d\\e f'
    r.set_cookie("q", value)
    header = _cookies(r)[0]
    assert header == 'q="a\\054b\\073c\\"d\\\\e f"; Path=/'
    assert parse_cookie(header.split("; Path")[0])["q"] == value


def test_non_latin1_cookie_value_is_escaped_never_sent_raw() -> None:
    r = Response()
    r.set_cookie("u", "日本")
    header = _cookies(r)[0]
    assert header.isascii()
    assert parse_cookie(header.split("; Path")[0])["u"] == "日本"


@pytest.mark.parametrize("bad", ["a\r\nSet-Cookie: admin=1", "a\nb", "a\rb", "a\0b"])
@pytest.mark.parametrize("where", ["key", "value", "domain"])
def test_cookie_parts_with_line_breaks_are_refused(bad: str, where: str) -> None:
    r = Response()
    kwargs: dict[str, Any] = {"key": "k", "value": "v"}
    kwargs[where] = bad
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        r.set_cookie(**kwargs)
    assert _cookies(r) == []


def test_cookie_path_with_line_breaks_is_percent_encoded() -> None:
    r = Response()
    r.set_cookie("k", "v", path="/a\r\nb")
    assert _cookies(r) == ["k=v; Path=/a%0D%0Ab"]


def test_oversized_cookie_warns_and_is_still_set() -> None:
    r = Response()
    with pytest.warns(UserWarning, match="cookie is too large"):
        r.set_cookie("big", "x" * 5000)
    assert len(_cookies(r)) == 1


def test_max_cookie_size_zero_disables_the_warning() -> None:
    class NoLimit(Response):
        max_cookie_size = 0

    r = NoLimit()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.set_cookie("big", "x" * 10_000)
    assert len(_cookies(r)) == 1


def test_cookie_just_under_the_limit_does_not_warn() -> None:
    r = Response()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.set_cookie("k", "x" * (4093 - len("k=; Path=/")))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"path": "/p", "domain": "example.com", "secure": True, "httponly": True},
        {"samesite": "Strict"},
        {"partitioned": True},
        {"expires": datetime(2030, 1, 1, tzinfo=UTC)},
        {"path": None},
    ],
)
@pytest.mark.parametrize("value", ["plain", "with space", 'q"uote', "semi;colon", "ü"])
def test_set_cookie_matches_werkzeug(kwargs: dict[str, Any], value: str, wz_response: Any) -> None:
    r = Response()
    r.set_cookie("k", value, **kwargs)
    ref = wz_response()
    ref.set_cookie("k", value, **kwargs)
    assert _cookies(r) == ref.headers.getlist("Set-Cookie")

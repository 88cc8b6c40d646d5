"""Tests for kolba.sansio.http: header parsing and dumping, including hostile inputs."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.sansio import http
from kolba.sansio.datastructures import Headers, HeaderSet, ImmutableMultiDict, MultiDict
from kolba.sansio.header_types import (
    Accept,
    Authorization,
    CharsetAccept,
    LanguageAccept,
    MIMEAccept,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
)

UTC = timezone.utc
FAST = settings(max_examples=200, deadline=None)


def within(budget: float, fn: Callable[..., Any], *args: Any) -> Any:
    """Call ``fn(*args)`` and fail if it takes longer than ``budget`` seconds."""
    start = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    assert elapsed < budget, f"{fn.__name__} took {elapsed:.2f}s (budget {budget}s)"
    return result


@pytest.fixture
def wz() -> Any:
    """The installed werkzeug.http (a test dependency through Flask)."""
    return pytest.importorskip("werkzeug.http")


# ---------------------------------------------------------------------------------------------
# quoting, lists, dicts


@pytest.mark.parametrize(
    ("value", "allow_token", "expected"),
    [
        ("abc", True, "abc"),
        ("abc", False, '"abc"'),
        ("", True, '""'),
        ("a b", True, '"a b"'),
        ('a"b', True, '"a\\"b"'),
        ("a\\b", True, '"a\\\\b"'),
        ("a;b", True, '"a;b"'),
        ("!#$%&'*+-.^_`|~", True, "!#$%&'*+-.^_`|~"),
        (5, True, "5"),
    ],
)
def test_quote_header_value(value: Any, allow_token: bool, expected: str) -> None:
    assert http.quote_header_value(value, allow_token) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"abc"', "abc"),
        ('"a\\"b"', 'a"b'),
        ('"a\\\\b"', "a\\b"),
        ('"a\\nb"', "anb"),
        ("abc", "abc"),
        ('"abc', '"abc'),
        ('""', ""),
        ('"', '"'),
    ],
)
def test_unquote_header_value(value: str, expected: str) -> None:
    assert http.unquote_header_value(value) == expected


def test_unquote_header_value_keeps_unc_filename() -> None:
    assert http.unquote_header_value('"\\\\server\\share"', is_filename=True) == "\\\\server\\share"
    assert http.unquote_header_value('"\\\\server\\share"') == "\\servershare"


@given(st.text())
@FAST
def test_quote_unquote_header_value_round_trip(value: str) -> None:
    assert http.unquote_header_value(http.quote_header_value(value)) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('token, "quoted, value"', ["token", "quoted, value"]),
        ("a,,b", ["a", "b"]),
        ("a\t, b ", ["a", "b"]),
        ('"a\\"b"', ['a"b']),
        ('a, "b', []),  # an unterminated quote poisons the whole header
        ('""', [""]),
        ("", []),
        ('x"a,b"', ['x"a,b"']),
    ],
)
def test_parse_list_header(value: str, expected: list[str]) -> None:
    assert http.parse_list_header(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('a, b=2, c="x, y"', {"a": None, "b": "2", "c": "x, y"}),
        ("a=1, a=2", {"a": "2"}),
        ("key*=UTF-8''%C3%A9, k=v", {"key": "é", "k": "v"}),
        ("key*=iso-8859-1'en'%E9", {"key": "é"}),
        ("key*=latin1''%E9", {"key": "%E9"}),  # unknown charset: left encoded
        ("=x", {}),
        ("a = b", {"a": "b"}),
    ],
)
def test_parse_dict_header(value: str, expected: dict[str, str | None]) -> None:
    assert http.parse_dict_header(value) == expected


def test_dump_header() -> None:
    assert http.dump_header({"a": "b", "c": None, "e": "f g"}) == 'a=b, c, e="f g"'
    assert http.dump_header(["a", "b c"]) == 'a, "b c"'


def test_parse_set_header() -> None:
    updates: list[HeaderSet] = []
    hs = http.parse_set_header("Accept-Encoding, Cookie", updates.append)
    assert "cookie" in hs
    hs.add("Origin")
    assert updates == [hs]
    assert hs.to_header() == "Accept-Encoding, Cookie, Origin"
    assert len(http.parse_set_header(None)) == 0


LIST_DICT_TABLE = [
    'a, "b, c", d',
    'a="x\\"y", b',
    "k*=UTF-8''a%20b, j",
    '"unterminated, x',
    " , ,a",
    'a="b"c',
    "",
]


@pytest.mark.parametrize("value", LIST_DICT_TABLE)
def test_list_and_dict_match_werkzeug(wz: Any, value: str) -> None:
    assert http.parse_list_header(value) == wz.parse_list_header(value)
    assert http.parse_dict_header(value) == wz.parse_dict_header(value)


# ---------------------------------------------------------------------------------------------
# options headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html; charset=utf-8", ("text/html", {"charset": "utf-8"})),
        ('Text/HTML; Charset="UTF-8"', ("Text/HTML", {"charset": "UTF-8"})),
        ("text/plain", ("text/plain", {})),
        (None, ("", {})),
        ("", ("", {})),
        (";a=b", ("", {})),
        (
            'form-data; name="a\\"b"; filename="c:\\\\x"',
            ("form-data", {"name": 'a"b', "filename": "c:\\x"}),
        ),
        ("attachment; filename*=UTF-8''%E2%82%AC%20rates", ("attachment", {"filename": "€ rates"})),
        ("x; a*0=foo; a*1=bar", ("x", {"a": "foobar"})),
        ("x; a*0*=UTF-8''%C3%A9; a*1=bar", ("x", {"a": "ébar"})),
        ("x; a=1; a=2", ("x", {"a": "2"})),
        ("x; a=b c; d=e", ("x", {"a": "b", "d": "e"})),
        ("x; a = b; c=d", ("x", {"c": "d"})),
        ('x; a="b;c"; d=e', ("x", {"a": "b;c", "d": "e"})),
        ('form-data; name="a%22b"', ("form-data", {"name": 'a"b'})),
    ],
)
def test_parse_options_header(value: str | None, expected: tuple[str, dict[str, str]]) -> None:
    assert http.parse_options_header(value) == expected


HOSTILE_CONTENT_TYPES = [
    pytest.param("text/plain" + ";a=" * 50_000, ("text/plain", {}), id="50k-empty-params"),
    pytest.param("text/plain" + ";a=1" * 50_000, ("text/plain", {"a": "1"}), id="50k-params"),
    pytest.param('text/plain; a="' + "x" * 100_000, ("text/plain", {}), id="unterminated"),
    pytest.param(
        'text/plain; a="x; b=y' + "; c=" * 50_000, ("text/plain", {}), id="unterminated-then-params"
    ),
    pytest.param(
        'text/plain; a="' + '\\"' * 50_000, ("text/plain", {}), id="escaped-quotes-never-closed"
    ),
    pytest.param(
        "text/plain; " + "a*0*=UTF-8''%41; " * 20_000,
        ("text/plain", {"a": "A" * 20_000}),
        id="20k-continuations",
    ),
    pytest.param(
        "form-data; filename=\"a.txt\"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd",
        ("form-data", {"filename": "../../etc/passwd"}),
        id="filename-star-after-plain",  # later wins, like Werkzeug; sanitize before use
    ),
    pytest.param(
        "form-data; name*=UTF-8''evil; name=\"good\"",
        ("form-data", {"name": "good"}),
        id="name-star-smuggling",
    ),
    pytest.param("a" * 1_000_000, ("a" * 1_000_000, {}), id="1MB-no-params"),
]


@pytest.mark.parametrize(("value", "expected"), HOSTILE_CONTENT_TYPES)
def test_parse_options_header_hostile(value: str, expected: tuple[str, dict[str, str]]) -> None:
    assert within(1.0, http.parse_options_header, value) == expected


OPTIONS_TABLE = [
    "text/html; charset=utf-8",
    "attachment; filename*=UTF-8''%E2%82%AC%20rates",
    "attachment; filename=b; filename*=UTF-8''a",
    "x; a*1=second; a*0=first",
    "x; a*0=1; b=5; a*1=3",
    "x; a*0*=UTF-8''%C3; a*1*=%A9",
    "x; a*=bad''%E9",
    "x; a*=ascii''%E9",
    'x; a="unterminated',
    'x; a=b"c; d="e; f=g',
    "x; a=é; c=d",
    'x;a="1"x;b=2',
    'x; a*="b"',
    "x; *=1",
    "text/plain" + ";a=" * 100,
]


@pytest.mark.parametrize("value", OPTIONS_TABLE)
def test_parse_options_header_matches_werkzeug(wz: Any, value: str) -> None:
    assert http.parse_options_header(value) == wz.parse_options_header(value)


param_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=8)


@given(
    st.sampled_from(["text/plain", "form-data", "attachment"]),
    st.dictionaries(param_keys, st.text(max_size=20), max_size=5),
)
@FAST
def test_dump_options_header_round_trip(mime: str, options: dict[str, str]) -> None:
    dumped = http.dump_options_header(mime, options)
    # %22 in a value reads back as '"' (the HTML form convention), so leave it out here.
    expected = {k: v for k, v in options.items() if "%22" not in v}
    parsed_mime, parsed = http.parse_options_header(dumped)
    assert parsed_mime == mime
    assert {k: v for k, v in parsed.items() if k in expected} == expected


def test_dump_options_header() -> None:
    assert (
        http.dump_options_header("text/html", {"charset": "utf-8", "x": None, "y": "a b"})
        == 'text/html; charset=utf-8; y="a b"'
    )
    assert http.dump_options_header(None, {"a": "b"}) == "a=b"
    assert http.dump_options_header("x", {"n*": "UTF-8''%C3%A9"}) == "x; n*=UTF-8''%C3%A9"


# ---------------------------------------------------------------------------------------------
# Accept


def test_parse_accept_header_sorts_and_renders() -> None:
    accept = http.parse_accept_header(
        "text/html, application/xml;q=0.9, */*;q=0.8, application/json", MIMEAccept
    )
    assert isinstance(accept, MIMEAccept)
    assert list(accept.values()) == ["text/html", "application/json", "application/xml", "*/*"]
    assert accept.to_header() == "text/html,application/json,application/xml;q=0.9,*/*;q=0.8"
    assert accept["application/xml"] == 0.9
    assert accept["image/png"] == 0.8


def test_parse_accept_header_default_class_and_missing() -> None:
    accept = http.parse_accept_header("gzip, deflate;q=0.5")
    assert type(accept) is Accept
    assert accept.provided
    missing = http.parse_accept_header(None, LanguageAccept)
    assert isinstance(missing, LanguageAccept)
    assert not missing.provided
    assert list(missing) == []


HOSTILE_ACCEPT = [
    pytest.param("text/html;q=0.5_1, a/b", [("a/b", 1)], id="underscore"),
    pytest.param("text/html;q=.5, a/b", [("a/b", 1)], id="leading-dot"),
    pytest.param("text/html;q=+0.5, a/b", [("a/b", 1)], id="plus-sign"),
    pytest.param("text/html;q=\u0660.5, a/b", [("a/b", 1)], id="arabic-indic-digit"),
    pytest.param("text/html;q=\uff10.5, a/b", [("a/b", 1)], id="fullwidth-digit"),
    pytest.param("text/html;q=1e0, a/b", [("a/b", 1)], id="exponent"),
    pytest.param("text/html;q=2, a/b", [("a/b", 1)], id="above-one"),
    pytest.param("text/html;q=nan, a/b", [("a/b", 1)], id="nan"),
    pytest.param("text/html;q=, a/b", [("a/b", 1)], id="empty"),
    pytest.param("text/html;q=0, a/b", [("a/b", 1), ("text/html", 0.0)], id="zero"),
    pytest.param("text/html;Q=0.5", [("text/html", 0.5)], id="uppercase-q"),
    pytest.param('text/html;q="0.5"', [("text/html", 0.5)], id="quoted-q"),
    pytest.param(", ".join(["a/b"] * 20_000), [("a/b", 1)] * 20_000, id="20k-items"),
    pytest.param("a/b" + ";x=1" * 20_000, [("a/b; x=1", 1)], id="20k-params"),
]


@pytest.mark.parametrize(("value", "expected"), HOSTILE_ACCEPT)
def test_parse_accept_header_hostile(value: str, expected: list[tuple[str, float]]) -> None:
    assert list(within(1.0, http.parse_accept_header, value, MIMEAccept)) == expected


ACCEPT_TABLE = [
    "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8",
    "text/*, text/html, text/html;level=1, */*",
    "a/b;level=1;q=0.5, c/d;q=0.5;level=2",
    "de-AT, en-US;q=0.8, fr;q=0.5",
    "text/html;q=0.5_1, a/b",
    "text/html;q=-0, a/b",
]


@pytest.mark.parametrize("value", ACCEPT_TABLE)
@pytest.mark.parametrize("cls_name", ["Accept", "MIMEAccept", "LanguageAccept", "CharsetAccept"])
def test_parse_accept_header_matches_werkzeug(wz: Any, value: str, cls_name: str) -> None:
    from kolba.sansio import header_types

    wds = pytest.importorskip("werkzeug.datastructures")
    ours = http.parse_accept_header(value, getattr(header_types, cls_name))
    theirs = wz.parse_accept_header(value, getattr(wds, cls_name))
    assert list(ours) == list(theirs)
    assert ours.to_header() == theirs.to_header()


# ---------------------------------------------------------------------------------------------
# Cache-Control


def test_parse_cache_control_header() -> None:
    cc = http.parse_cache_control_header("no-cache, Max-Age=0, max-stale")
    assert isinstance(cc, RequestCacheControl)
    assert cc.no_cache is True
    assert cc.max_age == 0  # directive names are case-insensitive
    assert cc.max_stale is True
    assert cc.min_fresh is None
    updates: list[Any] = []
    rcc = http.parse_cache_control_header("public", updates.append, ResponseCacheControl)
    rcc.max_age = 60
    assert updates == [rcc]
    assert rcc.to_header() == "public, max-age=60"
    assert not http.parse_cache_control_header(None).provided


def test_parse_cache_control_header_hostile() -> None:
    value = "max-age=1, " * 20_000 + 'x="' + "y" * 10_000
    cc = within(1.0, http.parse_cache_control_header, value)
    assert cc.max_age is None  # the unterminated quote makes the header unusable


# ---------------------------------------------------------------------------------------------
# dates and ages


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2015, 10, 21, 7, 28), "Wed, 21 Oct 2015 07:28:00 GMT"),
        (
            datetime(2015, 10, 21, 9, 28, tzinfo=timezone(timedelta(hours=2))),
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ),
        (date(2020, 2, 29), "Sat, 29 Feb 2020 00:00:00 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (1.9, "Thu, 01 Jan 1970 00:00:01 GMT"),
        (time.gmtime(0), "Thu, 01 Jan 1970 00:00:00 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
    ],
)
def test_http_date(value: Any, expected: str) -> None:
    assert http.http_date(value) == expected


def test_http_date_now() -> None:
    parsed = http.parse_date(http.http_date())
    assert parsed is not None
    assert abs((datetime.now(UTC) - parsed).total_seconds()) < 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
        ("Sun Nov  6 08:49:37 1994", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
        ("Sun, 06 Nov 1994 10:49:37 +0200", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
        ("  Sun, 06 Nov 1994 08:49:37 GMT  ", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
        ("Sun, 31 Feb 1994 08:49:37 GMT", None),
        ("Sun, 06 Nov 1994 25:49:37 GMT", None),
        ("Sun, 06 Nov 99999 08:49:37 GMT", None),
        ("Sun, 06 Nov " + "9" * 5000 + " 08:49:37 GMT", None),
        (
            "Sun, 06 Nov 1994 08:49:37 GMT" + "9" * 5000,
            datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC),
        ),
        ("1994-11-06T08:49:37Z", None),
        ("garbage", None),
        ("", None),
        (None, None),
        ("\x00" * 100_000, None),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None) -> None:
    result = within(1.0, http.parse_date, value)
    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31)))
@FAST
def test_http_date_parse_date_round_trip(value: datetime) -> None:
    assert http.parse_date(http.http_date(value)) == value.replace(microsecond=0, tzinfo=UTC)


@given(st.text(max_size=40))
@FAST
def test_parse_date_never_raises(value: str) -> None:
    result = http.parse_date(value)
    assert result is None or result.tzinfo is UTC


@given(st.integers(-(10**10), 10**11))
@FAST
def test_http_date_matches_werkzeug(timestamp: int) -> None:
    wz = pytest.importorskip("werkzeug.http")
    assert http.http_date(timestamp) == wz.http_date(timestamp)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", timedelta(seconds=5)),
        (" 5 ", timedelta(seconds=5)),
        ("+5", None),
        ("-5", None),
        ("1_0", None),
        ("\u0665", None),
        ("", None),
        (None, None),
        ("9" * 30, None),
    ],
)
def test_parse_age(value: str | None, expected: timedelta | None) -> None:
    assert http.parse_age(value) == expected


def test_dump_age() -> None:
    assert http.dump_age(None) is None
    assert http.dump_age(5) == "5"
    assert http.dump_age(timedelta(hours=1)) == "3600"
    with pytest.raises(ValueError, match="negative"):
        http.dump_age(-1)


# ---------------------------------------------------------------------------------------------
# cookies


def cookie_items(header: str | None) -> list[tuple[str, str]]:
    return list(http.parse_cookie(header).items(multi=True))


HOSTILE_COOKIES = [
    pytest.param("==__Host-eq=bad; __Host-eq=good", [("__Host-eq", "good")], id="prefix-shadow"),
    pytest.param('"__Secure-c"=d', [], id="quoted-name"),
    pytest.param("a=1; a=2", [("a", "1"), ("a", "2")], id="duplicate"),
    pytest.param(";;; ;", [], id="only-separators"),
    pytest.param('a="unterminated; b=2', [("b", "2")], id="unterminated-quote"),
    pytest.param('a="x', [], id="unterminated-at-end"),
    pytest.param('a="\\054\\073"; b="x\\"y"', [("a", ",;"), ("b", 'x"y')], id="octal-escapes"),
    pytest.param('a="\\303\\251"', [("a", "é")], id="octal-utf8"),
    pytest.param('a="\\777"', [("a", "777")], id="not-octal"),
    pytest.param("a=1,b=2", [("a", "1,b=2")], id="comma-no-split"),
    pytest.param("a=b c; d=e", [("d", "e")], id="space-in-value"),
    pytest.param('a="x"y; b=1', [("b", "1")], id="junk-after-quote"),
    pytest.param("k=" + "v" * 100_000, [("k", "v" * 100_000)], id="100KB-value"),
    pytest.param(
        "; ".join(f"c{i}={i}" for i in range(1000)),
        [(f"c{i}", str(i)) for i in range(1000)],
        id="1000-cookies",
    ),
    pytest.param('a="' + "\\" * 100_000, [], id="100KB-backslashes"),
    pytest.param('k="' + "x;" * 50_000, [("x", "")] * 49_999, id="quote-then-50k"),
    pytest.param("", [], id="empty"),
    pytest.param(None, [], id="none"),
]


@pytest.mark.parametrize(("header", "expected"), HOSTILE_COOKIES)
def test_parse_cookie_hostile(header: str | None, expected: list[tuple[str, str]]) -> None:
    assert within(1.0, cookie_items, header) == expected


def test_parse_cookie_multidict_access() -> None:
    cookies = http.parse_cookie("a=1; a=2; b=3")
    assert cookies["a"] == "1"
    assert cookies.getlist("a") == ["1", "2"]
    immutable = http.parse_cookie("a=1", ImmutableMultiDict)
    assert isinstance(immutable, ImmutableMultiDict)
    with pytest.raises(TypeError):
        immutable["b"] = "2"  # type: ignore[index]


COOKIE_TABLE = [
    "session=abc; theme=dark; lang=en",
    " a = b ; c = d ",
    'a="b;c"; d=e',
    "a=b=c",
    "a; b=",
    'k="a; b=c;" x; d=e',
    'k="a\\";b=c"',
    "a=\tq\t",
    "a=b\nc; d=e",
    'k="x"\n',
    "é=ü",
    "a=\x0bb\x0b",
]


@pytest.mark.parametrize("header", COOKIE_TABLE + [p.values[0] for p in HOSTILE_COOKIES[:12]])
def test_parse_cookie_matches_werkzeug(header: str) -> None:
    wsh = pytest.importorskip("werkzeug.sansio.http")
    assert cookie_items(header) == list(wsh.parse_cookie(header).items(multi=True))


def test_dump_cookie_basics() -> None:
    assert http.dump_cookie("k", "v") == "k=v; Path=/"
    assert http.dump_cookie("k", "v", path=None) == "k=v"
    assert http.dump_cookie("k", "v", max_age=60, sync_expires=False) == "k=v; Max-Age=60; Path=/"
    assert http.dump_cookie("k", "v", max_age=timedelta(hours=1), sync_expires=False) == (
        "k=v; Max-Age=3600; Path=/"
    )
    assert http.dump_cookie("k", "v", expires=0, max_age=5) == (
        "k=v; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=5; Path=/"
    )
    assert http.dump_cookie("k", "v", expires=datetime(2030, 1, 1)) == (
        "k=v; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Path=/"
    )
    assert http.dump_cookie("k", "v", expires="whatever") == "k=v; Expires=whatever; Path=/"


def test_dump_cookie_sync_expires() -> None:
    header = http.dump_cookie("k", "v", max_age=3600)
    expires = header.split("Expires=")[1].split(";")[0]
    parsed = http.parse_date(expires)
    assert parsed is not None
    assert 3590 < (parsed - datetime.now(UTC)).total_seconds() <= 3600


def test_dump_cookie_attributes() -> None:
    header = http.dump_cookie(
        "k",
        "v",
        domain=".Example.COM:8080",
        path="/a b/ü",
        httponly=True,
        samesite="lax",
        partitioned=True,
    )
    assert header == (
        "k=v; Domain=Example.COM; Secure; HttpOnly; Path=/a%20b/%C3%BC; SameSite=Lax; Partitioned"
    )
    assert "Domain=xn--bcher-kva.de" in http.dump_cookie("k", "v", domain="bücher.de")
    assert http.dump_cookie("k", "v", samesite="NONE").endswith("SameSite=None")


@pytest.mark.parametrize("samesite", ["bad", "", "strictly"])
def test_dump_cookie_bad_samesite(samesite: str) -> None:
    with pytest.raises(ValueError, match="SameSite"):
        http.dump_cookie("k", "v", samesite=samesite)


@pytest.mark.parametrize(
    ("key", "value", "kwargs"),
    [
        ("k", "a\r\nSet-Cookie: evil=1", {}),
        ("k", "a\nb", {}),
        ("k", "a\x00b", {}),
        ("k\r\nX-Evil", "v", {}),
        ("k", "v", {"domain": "a.com\r\nX-Evil: 1"}),
        ("k", "v", {"expires": "x\r\nX-Evil: 1"}),
    ],
)
def test_dump_cookie_refuses_header_injection(key: str, value: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        http.dump_cookie(key, value, **kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a b", '"a b"'),
        ("a,b", '"a\\054b"'),
        ("a;b", '"a\\073b"'),
        ('a"b', '"a\\"b"'),
        ("a\\b", '"a\\\\b"'),
        ("é", '"\\303\\251"'),
        ("a\tb", '"a\\011b"'),
        ("a\x1fb", '"a\\037b"'),  # Werkzeug sends 0x1a-0x1f raw; they are escaped here
        ("!#$%&'()*+-./:<=>?@[]^_`{|}~", "!#$%&'()*+-./:<=>?@[]^_`{|}~"),
        ("", ""),
    ],
)
def test_dump_cookie_quotes_values(value: str, expected: str) -> None:
    assert http.dump_cookie("k", value, path=None) == f"k={expected}"
    assert http.parse_cookie(f"k={expected}")["k"] == value


def test_dump_cookie_size_warning() -> None:
    with pytest.warns(UserWarning, match="too large.*browsers will ignore it"):
        http.dump_cookie("big", "x" * 5000)
    with pytest.warns(UserWarning, match="too large"):
        http.dump_cookie("k", "x" * 100, max_size=50)
    # No warning at the limit or with the check disabled (warnings are errors in this suite).
    http.dump_cookie("k", "x" * 5000, max_size=0)
    http.dump_cookie("k", "x" * (4093 - len("k=; Path=/")))


DUMP_COOKIE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("v", {}),
    ('a b,c;d"e\\f', {"path": "/x y"}),
    ("é", {"domain": "bücher.de", "secure": True, "httponly": True}),
    ("v", {"max_age": 60, "sync_expires": False, "samesite": "Strict"}),
    ("v", {"expires": datetime(2030, 1, 1), "partitioned": True}),
    ("v", {"path": "/%2F?x=1#f;g", "domain": ".a.b"}),
    ("", {"expires": 0, "max_age": 0}),
]


@pytest.mark.parametrize(("value", "kwargs"), DUMP_COOKIE_CASES)
def test_dump_cookie_matches_werkzeug(wz: Any, value: str, kwargs: dict[str, Any]) -> None:
    assert http.dump_cookie("key", value, **kwargs) == wz.dump_cookie("key", value, **kwargs)


cookie_names = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters='";=,\\'),
    min_size=1,
    max_size=10,
)
cookie_values = st.text(
    alphabet=st.characters(exclude_characters="\r\n\x00", exclude_categories=("Cs",)),
    max_size=30,
)


@given(st.dictionaries(cookie_names, cookie_values, max_size=5))
@FAST
def test_dump_cookie_parse_cookie_round_trip(cookies: dict[str, str]) -> None:
    header = "; ".join(
        http.dump_cookie(k, v, path=None, max_size=0).split("; ")[0] for k, v in cookies.items()
    )
    assert http.parse_cookie(header).to_dict() == cookies


# ---------------------------------------------------------------------------------------------
# ETags and conditional requests


@given(st.text(alphabet=st.characters(exclude_characters='"'), max_size=20), st.booleans())
@FAST
def test_quote_etag_unquote_etag_round_trip(etag: str, weak: bool) -> None:
    assert http.unquote_etag(http.quote_etag(etag, weak)) == (etag, weak)


def test_quote_etag() -> None:
    assert http.quote_etag("a") == '"a"'
    assert http.quote_etag("a", weak=True) == 'W/"a"'
    with pytest.raises(ValueError, match="cannot contain"):
        http.quote_etag('a"b')


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"a"', ("a", False)),
        ('W/"a"', ("a", True)),
        ('w/"a"', ("a", True)),
        ("a", ("a", False)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_unquote_etag(value: str | None, expected: tuple[Any, Any]) -> None:
    assert http.unquote_etag(value) == expected


@pytest.mark.parametrize(
    ("value", "strong", "weak", "star"),
    [
        ('"a", "b"', ["a", "b"], [], False),
        ('W/"a", "b"', ["b"], ["a"], False),
        ("*", [], [], True),
        ('"a", *', [], [], True),
        ("a, b", ["a", "b"], [], False),
        ('"a,b", c', ["a,b", "c"], [], False),
        ('"a" "b"', [], [], False),
        ('"a" x, "b"', ["b"], [], False),
        ('"', [], [], False),
        ('""', [""], [], False),
        ("", [], [], False),
        (", ".join(f'"e{i}"' for i in range(20_000)), [f"e{i}" for i in range(20_000)], [], False),
        ('"a,' * 20_000, [], [], False),
        ('"a",' + 'x"' * 20_000, ["a"], [], False),
    ],
)
def test_parse_etags(value: str, strong: list[str], weak: list[str], star: bool) -> None:
    etags = within(1.0, http.parse_etags, value)
    assert list(etags) == strong
    assert sorted(etags.as_set(include_weak=True) - etags.as_set()) == sorted(set(weak))
    assert etags.star_tag is star


def test_generate_etag() -> None:
    assert http.generate_etag(b"hello") == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"


LAST_MODIFIED = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)
IMS_SAME = "Sun, 06 Nov 1994 08:49:37 GMT"
IMS_EARLIER = "Sun, 06 Nov 1994 08:49:36 GMT"


@pytest.mark.parametrize(
    ("kwargs", "modified"),
    [
        ({}, True),
        ({"http_if_none_match": '"abc"', "etag": "abc"}, False),
        ({"http_if_none_match": 'W/"abc"', "etag": "abc"}, False),  # weak comparison
        ({"http_if_none_match": '"other"', "etag": "abc"}, True),
        ({"http_if_none_match": "*", "etag": "abc"}, False),
        # Werkzeug's reading of If-Match: a match means "go ahead" (True), a miss False.
        ({"http_if_match": '"abc"', "etag": "abc"}, True),
        ({"http_if_match": 'W/"abc"', "etag": "abc"}, False),  # strong comparison
        ({"http_if_modified_since": IMS_SAME, "last_modified": LAST_MODIFIED}, False),
        (
            {
                "http_if_modified_since": IMS_SAME,
                "last_modified": LAST_MODIFIED.replace(microsecond=900_000),
            },
            False,
        ),
        ({"http_if_modified_since": IMS_EARLIER, "last_modified": LAST_MODIFIED}, True),
        ({"http_if_modified_since": IMS_SAME, "last_modified": IMS_SAME}, False),
        ({"http_if_modified_since": "garbage", "last_modified": LAST_MODIFIED}, True),
        (
            {"data": b"hello", "http_if_none_match": '"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"'},
            False,
        ),
        # If-Range counts only with a Range header and ignore_if_range=False.
        ({"http_range": "bytes=0-5", "http_if_range": '"abc"', "etag": "abc"}, True),
        (
            {
                "http_range": "bytes=0-5",
                "http_if_range": '"abc"',
                "etag": "abc",
                "ignore_if_range": False,
            },
            False,
        ),
        (
            {"http_if_range": '"abc"', "etag": "abc", "ignore_if_range": False},
            True,
        ),
    ],
)
def test_is_resource_modified(kwargs: dict[str, Any], modified: bool) -> None:
    assert http.is_resource_modified(**kwargs) is modified


@pytest.mark.parametrize(
    "if_range",
    ['W/"abc"', 'w/"abc"', "W/abc", "*", '"abc", "def"', '"abc', "W/", "garbage"],
)
def test_if_range_weak_or_invalid_etag_sends_everything(if_range: str) -> None:
    assert http.is_resource_modified(
        http_range="bytes=0-5", http_if_range=if_range, etag="abc", ignore_if_range=False
    )


def test_is_resource_modified_etag_and_data_conflict() -> None:
    with pytest.raises(TypeError, match="not both"):
        http.is_resource_modified(etag="a", data=b"a")


def test_parse_if_range_header() -> None:
    assert http.parse_if_range_header('"abc"').etag == "abc"
    when = http.parse_if_range_header(IMS_SAME)
    assert when.date == LAST_MODIFIED
    assert when.etag is None
    empty = http.parse_if_range_header(None)
    assert empty.etag is None
    assert empty.date is None


# ---------------------------------------------------------------------------------------------
# ranges


HOSTILE_RANGES = [
    pytest.param("bytes=0-499", [(0, 500)], id="simple"),
    pytest.param("bytes=0-0,1-1", [(0, 1), (1, 2)], id="two-single-bytes"),
    pytest.param("bytes=-500", [(-500, None)], id="suffix"),
    pytest.param("bytes=500-", [(500, None)], id="open"),
    pytest.param("bytes= 0 - 5 , 10-20", [(0, 6), (10, 21)], id="spaces"),
    pytest.param("BYTES=0-1", [(0, 2)], id="unit-case"),
    pytest.param("bytes=-999999999999", [(-999_999_999_999, None)], id="huge-suffix"),
    pytest.param(
        "bytes=" + ",".join(f"{i}-{i}" for i in range(100)),
        [(i, i + 1) for i in range(100)],
        id="100-ranges",
    ),
    pytest.param("bytes=" + ",".join(f"{i}-{i}" for i in range(10_000)), None, id="10k-ranges"),
    pytest.param("bytes=" + "0-0," * 1_000_000, None, id="1M-ranges"),
    pytest.param("bytes=5-1", None, id="inverted"),
    pytest.param("bytes=0-5,3-8", None, id="overlapping"),
    pytest.param("bytes=10-20,0-5", None, id="out-of-order"),
    pytest.param("bytes=-5,-3", None, id="two-suffixes"),
    pytest.param("bytes=-0", None, id="empty-suffix"),
    pytest.param("bytes=a-b", None, id="letters"),
    pytest.param("bytes=\u0660-\u0665", None, id="arabic-indic-digits"),
    pytest.param("bytes=\uff10-\uff15", None, id="fullwidth-digits"),
    pytest.param("bytes=+0-1", None, id="plus"),
    pytest.param("bytes=1_0-20", None, id="underscore"),
    pytest.param("bytes=0--1", None, id="negative-end"),
    pytest.param("bytes=0-" + "9" * 5000, None, id="5000-digit-number"),
    pytest.param("bytes=", None, id="empty-set"),
    pytest.param("bytes=0-1,", None, id="trailing-comma"),
    pytest.param("bytes", None, id="no-equals"),
    pytest.param("", None, id="empty"),
    pytest.param(None, None, id="none"),
]


@pytest.mark.parametrize(("value", "expected"), HOSTILE_RANGES)
def test_parse_range_header_hostile(
    value: str | None, expected: list[tuple[int, int | None]] | None
) -> None:
    rng = within(1.0, http.parse_range_header, value)
    if expected is None:
        assert rng is None
    else:
        assert rng is not None
        assert rng.units == "bytes"
        assert rng.ranges == expected


def test_range_for_length() -> None:
    def for_length(value: str, length: int | None) -> tuple[int, int] | None:
        rng = http.parse_range_header(value)
        assert rng is not None
        return rng.range_for_length(length)

    assert for_length("bytes=0-99", 100) == (0, 100)
    assert for_length("bytes=0-1000", 100) == (0, 100)
    assert for_length("bytes=100-200", 100) is None  # starts past the end: 416
    assert for_length("bytes=-50", 100) == (50, 100)
    assert for_length("bytes=50-", 100) == (50, 100)
    assert for_length("bytes=-999999999999", 100) == (0, 100)  # RFC 9110: whole body
    assert for_length("bytes=-5", 0) is None
    assert for_length("bytes=0-5,10-20", 100) is None  # multipart ranges are not served
    assert for_length("bytes=0-5", None) is None


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 50)), min_size=1, max_size=8),
    st.one_of(st.none(), st.integers(1, 10**6)),
)
@FAST
def test_range_to_header_parse_round_trip(gaps: list[tuple[int, int]], suffix: int | None) -> None:
    ranges: list[tuple[int, int | None]] = []
    pos = 0
    for gap, size in gaps:
        ranges.append((pos + gap, pos + gap + size))
        pos += gap + size
    if suffix is not None:
        ranges.append((-suffix, None))
    header = Range("bytes", ranges).to_header()
    parsed = http.parse_range_header(header)
    assert parsed is not None
    assert parsed.ranges == ranges
    assert parsed.to_header() == header


RANGE_TABLE = [
    "bytes=0-499",
    "bytes=0-5,-5",
    "bytes=-5,0-5",
    "bytes=0-,5-6",
    "bytes=0-5,6-",
    "bytes=00-01",
    "items=0-1",
    "bytes=0-1=2",
    "bytes=--1",
    "x y=0-1",
]


@pytest.mark.parametrize("value", RANGE_TABLE + [p.values[0] for p in HOSTILE_RANGES[:8]])
def test_parse_range_header_matches_werkzeug(wz: Any, value: str) -> None:
    ours = http.parse_range_header(value)
    theirs = wz.parse_range_header(value)
    assert (ours and (ours.units, ours.ranges)) == (theirs and (theirs.units, theirs.ranges))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes 0-499/1234", ("bytes", 0, 500, 1234)),
        ("bytes 0-499/*", ("bytes", 0, 500, None)),
        ("bytes */1234", ("bytes", None, None, 1234)),
        ("bytes 500-0/1234", None),
        ("bytes 0-1/-5", None),
        ("bytes a-b/1", None),
        ("bytes 0-4", None),
        ("bytes 0-" + "9" * 5000 + "/*", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_content_range_header(value: str | None, expected: tuple[Any, ...] | None) -> None:
    result = http.parse_content_range_header(value)
    if expected is None:
        assert result is None
    else:
        assert result is not None
        assert (result.units, result.start, result.stop, result.length) == expected
        assert http.parse_content_range_header(result.to_header()) is not None


@pytest.mark.parametrize(
    ("args", "valid"),
    [
        ((0, 5, 10), True),
        ((None, None, 10), True),
        ((None, None, None), True),
        ((None, None, -1), False),
        ((5, 5, 10), False),
        ((10, 11, 10), False),
        ((0, 5, None), True),
        ((-1, 5, None), False),
        ((0, None, 10), False),
    ],
)
def test_is_byte_range_valid(args: tuple[Any, Any, Any], valid: bool) -> None:
    assert http.is_byte_range_valid(*args) is valid


# ---------------------------------------------------------------------------------------------
# misc


def test_entity_and_hop_by_hop_headers() -> None:
    assert http.is_entity_header("Content-Type")
    assert not http.is_entity_header("ETag")
    assert http.is_hop_by_hop_header("Transfer-Encoding")
    headers = Headers([("Content-Type", "x"), ("Expires", "y"), ("ETag", "z"), ("Connection", "c")])
    http.remove_entity_headers(headers)
    assert list(headers) == [("Expires", "y"), ("ETag", "z"), ("Connection", "c")]
    pairs = [("Keep-Alive", "1"), ("X-A", "b")]
    http.remove_hop_by_hop_headers(pairs)
    assert pairs == [("X-A", "b")]


def test_authorization_64kb_invalid_base64_is_none() -> None:
    value = "Basic " + "!" * 65_536
    assert within(1.0, Authorization.from_header, value) is None


HOSTILE_AUTHORIZATION = [
    pytest.param("Basic " + "!" * 65_536, None, id="64KB-invalid-base64"),
    pytest.param("Basic " + "A" * 65_535, None, id="64KB-bad-length"),
    pytest.param("Basic " + "=" * 65_536, None, id="64KB-padding"),
    pytest.param("Basic " + base64.b64encode(b"\xff:\xfe").decode(), None, id="not-utf8"),
    pytest.param("Basic dT pw", None, id="space-inside"),
    pytest.param("Basic dTpw\n", None, id="newline"),
    pytest.param("Basic ZTo=AAAA", None, id="data-after-padding"),
    pytest.param("Basic dXNlcjpwYXNz", ("user", "pass"), id="valid"),
    pytest.param(
        "Basic " + base64.b64encode(b"u:p:q").decode(), ("u", "p:q"), id="colon-in-password"
    ),
    pytest.param("", None, id="empty"),
]


@pytest.mark.parametrize(("value", "expected"), HOSTILE_AUTHORIZATION)
def test_authorization_hostile(value: str, expected: tuple[str, str] | None) -> None:
    auth = within(1.0, Authorization.from_header, value)
    if expected is None:
        assert auth is None
    else:
        assert auth is not None
        assert (auth.username, auth.password) == expected


def test_parse_accept_header_other_classes() -> None:
    assert isinstance(http.parse_accept_header("utf-8", CharsetAccept), CharsetAccept)
    assert http.parse_accept_header("en-US", LanguageAccept).best_match(["en"]) == "en"


def test_parse_cookie_accepts_other_mapping_class() -> None:
    class Plain(MultiDict[str, str]):
        pass

    assert isinstance(http.parse_cookie("a=1", Plain), Plain)

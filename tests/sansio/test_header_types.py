"""Tests for kolba.sansio.header_types: the structured header value classes."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.sansio.exceptions import Unauthorized
from kolba.sansio.header_types import (
    Accept,
    Authorization,
    CharsetAccept,
    ContentRange,
    ETags,
    IfRange,
    LanguageAccept,
    MIMEAccept,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
    WWWAuthenticate,
)
from kolba.sansio.http import parse_accept_header, parse_cache_control_header, parse_etags

FAST = settings(max_examples=200, deadline=None)

# ---------------------------------------------------------------------------------------------
# Accept


def test_accept_lookup_and_rendering() -> None:
    accept = Accept([("gzip", 1), ("deflate", 0.5), ("*", 0.1)])
    assert accept["gzip"] == 1
    assert accept["br"] == 0.1  # matched by '*'
    assert accept[1] == ("deflate", 0.5)
    assert accept[:1] == [("gzip", 1)]
    assert "br" in accept
    assert accept.index("deflate") == 1
    assert accept.find("GZIP") == 0
    assert list(accept.values()) == ["gzip", "deflate", "*"]
    assert accept.best == "gzip"
    assert accept.to_header() == "gzip,deflate;q=0.5,*;q=0.1"
    assert str(accept) == accept.to_header()
    assert repr(accept) == "Accept([('gzip', 1), ('deflate', 0.5), ('*', 0.1)])"


def test_accept_is_immutable() -> None:
    accept = Accept([("gzip", 1)])
    with pytest.raises(TypeError):
        accept.append(("br", 1))
    with pytest.raises(TypeError):
        accept[0] = ("br", 1)


def test_accept_sorts_by_specificity_then_quality() -> None:
    accept = Accept([("*", 1), ("a", 0.5), ("b", 1)])
    assert list(accept) == [("b", 1), ("a", 0.5), ("*", 1)]
    assert Accept(accept).provided
    assert not Accept(None).provided
    assert Accept(None).best is None


def test_accept_best_match() -> None:
    accept = Accept([("gzip", 1), ("deflate", 0.5), ("identity", 0)])
    assert accept.best_match(["deflate", "gzip"]) == "gzip"
    assert accept.best_match(["deflate"]) == "deflate"
    assert accept.best_match(["identity"]) is None  # q=0 means "not acceptable"
    assert accept.best_match(["br"], default="identity") == "identity"


def test_mime_accept_matching() -> None:
    accept = parse_accept_header("text/html;level=1, text/*;q=0.5, */*;q=0.1", MIMEAccept)
    assert accept["text/html;level=1"] == 1
    assert accept["TEXT/HTML; LEVEL=1"] == 1
    assert accept["text/html"] == 0.5  # parameters must match exactly
    assert accept["text/plain"] == 0.5
    assert accept["image/png"] == 0.1
    assert accept.best_match(["text/plain", "text/html;level=1"]) == "text/html;level=1"
    assert accept.best_match(["image/png", "text/plain"]) == "text/plain"


def test_mime_accept_wildcards() -> None:
    assert parse_accept_header("*/*", MIMEAccept).best_match(["a/b", "c/d"]) == "a/b"
    specific_first = parse_accept_header("a/*;q=0.5, */*;q=0.5", MIMEAccept)
    assert specific_first.best_match(["c/d", "a/b"]) == "a/b"
    # The server may ask about */* too.
    assert "*/*" in parse_accept_header("text/html", MIMEAccept)
    # A client value that is not a media range never matches.
    assert "text/html" not in parse_accept_header("html", MIMEAccept)
    assert "text/html" not in parse_accept_header("*/html", MIMEAccept)


@pytest.mark.parametrize("bad", ["foo", "*/html"])
def test_mime_accept_refuses_invalid_server_values(bad: str) -> None:
    accept = parse_accept_header("text/html", MIMEAccept)
    with pytest.raises(ValueError, match="MIME type"):
        accept.best_match([bad])


@pytest.mark.parametrize(
    ("header", "html", "json", "xhtml"),
    [
        ("text/html", True, False, False),
        ("application/json", False, True, False),
        ("application/xml", True, False, True),
        ("*/*", True, True, True),
        ("", False, False, False),
        ("image/png", False, False, False),
    ],
)
def test_mime_accept_properties(header: str, html: bool, json: bool, xhtml: bool) -> None:
    accept = parse_accept_header(header, MIMEAccept)
    assert (accept.accept_html, accept.accept_json, accept.accept_xhtml) == (html, json, xhtml)


def test_language_accept_fallbacks() -> None:
    accept = parse_accept_header("de-AT, en-US;q=0.8, fr;q=0.5", LanguageAccept)
    assert accept["de_at"] == 1
    assert accept["de"] == 0
    assert accept.best_match(["en", "de"]) == "de"  # de-AT falls back to de
    assert accept.best_match(["en-GB", "fr"]) == "fr"
    assert accept.best_match(iter(["en-GB", "en"])) == "en"
    assert accept.best_match(["x"], "dflt") == "dflt"
    assert parse_accept_header("en", LanguageAccept).best_match(["de", "en-GB"]) == "en-GB"


def test_charset_accept_aliases() -> None:
    accept = parse_accept_header("UTF8, latin1;q=0.5", CharsetAccept)
    assert accept["utf-8"] == 1
    assert accept["iso-8859-1"] == 0.5
    assert accept.best_match(["latin-1", "utf-8"]) == "utf-8"
    assert accept["no-such-codec"] == 0
    assert accept["a\x00b"] == 0


BEST_MATCH_TABLE: list[tuple[str, str, list[str]]] = [
    (
        "MIMEAccept",
        "text/html, application/xhtml+xml, */*;q=0.8",
        ["application/json", "text/html"],
    ),
    ("MIMEAccept", "text/*;q=0.5, text/html;q=0.5", ["text/plain", "text/html"]),
    ("MIMEAccept", "application/json;q=0.9, */*;q=0.9", ["text/html", "application/json"]),
    ("MIMEAccept", "text/html;q=0", ["text/html"]),
    ("LanguageAccept", "en-US, de;q=0.5", ["de", "en"]),
    ("LanguageAccept", "en", ["en-GB", "en-US"]),
    ("LanguageAccept", "*;q=0.5, fr", ["de", "fr"]),
    ("CharsetAccept", "utf8, *;q=0.1", ["latin1", "UTF-8"]),
    ("Accept", "gzip;q=0.5, br", ["gzip", "br", "zstd"]),
]


@pytest.mark.parametrize(("cls_name", "header", "offered"), BEST_MATCH_TABLE)
def test_best_match_matches_werkzeug(cls_name: str, header: str, offered: list[str]) -> None:
    wds = pytest.importorskip("werkzeug.datastructures")
    wh = pytest.importorskip("werkzeug.http")
    from kolba.sansio import header_types

    ours = parse_accept_header(header, getattr(header_types, cls_name))
    theirs = wh.parse_accept_header(header, getattr(wds, cls_name))
    assert ours.best_match(offered) == theirs.best_match(offered)
    assert [ours[x] for x in offered] == [theirs[x] for x in offered]
    assert [x in ours for x in offered] == [x in theirs for x in offered]


# ---------------------------------------------------------------------------------------------
# ETags and IfRange


def test_etags_comparisons() -> None:
    etags = parse_etags('"a", W/"b"')
    assert etags.contains("a")
    assert not etags.contains("b")  # strong comparison ignores weak tags
    assert etags.contains_weak("b")
    assert etags.contains_raw('W/"b"')
    assert not etags.contains_raw('"b"')
    assert not etags.contains_raw("")
    assert etags.is_strong("a")
    assert etags.is_weak("b")
    assert "a" in etags
    assert "b" not in etags
    assert 1 not in etags
    assert len(etags) == 1
    assert list(etags) == ["a"]
    assert etags.as_set(include_weak=True) == {"a", "b"}
    assert etags.to_header() == '"a", W/"b"'
    assert repr(etags) == '<ETags \'"a", W/"b"\'>'
    assert etags("a")
    assert not etags("b")
    assert etags("b", include_weak=True)


def test_etags_star_and_empty() -> None:
    star = ETags(star_tag=True)
    assert star.contains("anything")
    assert star.contains_weak("anything")
    assert not star.is_strong("anything")
    assert star.to_header() == "*"
    assert bool(star)
    assert not ETags()
    assert ETags().to_header() == ""
    assert ETags(["a"], star_tag=True).to_header() == "*"


def test_etags_call_with_data() -> None:
    etags = ETags(["aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"])
    assert etags(data=b"hello")
    with pytest.raises(TypeError, match="'etag' or 'data'"):
        etags()


def test_if_range() -> None:
    when = datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)
    assert IfRange(date=when).to_header() == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert IfRange("abc").to_header() == '"abc"'
    assert str(IfRange()) == ""
    assert repr(IfRange("abc")) == "<IfRange '\"abc\"'>"


# ---------------------------------------------------------------------------------------------
# Range and ContentRange


def test_range_rendering() -> None:
    rng = Range("bytes", [(0, 5), (10, None), (-3, None)])
    assert rng.to_header() == "bytes=0-4,10-,-3"
    assert str(rng) == rng.to_header()
    assert repr(rng) == "<Range 'bytes=0-4,10-,-3'>"


@pytest.mark.parametrize("bad", [[(5, 1)], [(-1, 5)], [(0, 0)], [(5, 5)]])
def test_range_refuses_invalid_ranges(bad: list[tuple[int, int | None]]) -> None:
    with pytest.raises(ValueError, match="not a valid range"):
        Range("bytes", bad)


def test_range_content_range() -> None:
    rng = Range("bytes", [(0, 500)])
    assert rng.range_for_length(1000) == (0, 500)
    assert rng.to_content_range_header(1000) == "bytes 0-499/1000"
    content_range = rng.make_content_range(1000)
    assert content_range is not None
    assert content_range.to_header() == "bytes 0-499/1000"
    assert Range("bytes", [(2000, None)]).make_content_range(1000) is None
    assert Range("bytes", [(2000, None)]).to_content_range_header(1000) is None
    assert Range("items", [(0, 5)]).range_for_length(10) is None
    assert Range("bytes", [(-5, None)]).range_for_length(3) == (0, 3)


def test_content_range_updates() -> None:
    updates: list[str] = []
    crange = ContentRange("bytes", 0, 5, 10, on_update=lambda cr: updates.append(cr.to_header()))
    assert crange.to_header() == "bytes 0-4/10"
    crange.start = 1
    crange.length = 20
    crange.set(0, 3)
    assert crange.units == "bytes"
    assert crange.length is None
    crange.unset()
    assert not crange
    assert updates == ["bytes 1-4/10", "bytes 1-4/20", "bytes 0-2/*", ""]
    assert ContentRange("bytes", None, None, 10).to_header() == "bytes */10"
    assert repr(ContentRange("bytes", 0, 1)) == "<ContentRange 'bytes 0-0/*'>"


@pytest.mark.parametrize(
    "args", [("bytes", 5, 1, 10), ("bytes", 0, None, 10), ("bytes", 10, 11, 10)]
)
def test_content_range_refuses_invalid(args: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError, match="not valid"):
        ContentRange(*args)


# ---------------------------------------------------------------------------------------------
# Cache-Control


def test_request_cache_control_reads() -> None:
    cc = parse_cache_control_header(
        "no-cache, no-store, max-age=0, max-stale, min-fresh=abc, only-if-cached, no-transform,"
        " stale-if-error=30"
    )
    assert isinstance(cc, RequestCacheControl)
    assert (cc.no_cache, cc.no_store, cc.no_transform, cc.only_if_cached) == (True,) * 4
    assert cc.max_age == 0
    assert cc.max_stale is True  # bare max-stale: any staleness
    assert cc.min_fresh is None  # not a number
    assert cc.stale_if_error == 30
    assert parse_cache_control_header("max-stale=12").max_stale == 12
    empty = RequestCacheControl()
    assert (empty.no_cache, empty.max_age, empty.max_stale) == (False, None, None)


def test_request_cache_control_is_read_only() -> None:
    cc = parse_cache_control_header("max-age=0")
    with pytest.raises(TypeError):
        cc.max_age = 5
    with pytest.raises(TypeError):
        cc["x"] = "y"


def test_response_cache_control_setters_render() -> None:
    updates: list[str] = []
    cc = ResponseCacheControl(on_update=lambda c: updates.append(c.to_header()))
    cc.no_cache = True
    cc.max_age = 60
    cc.public = True
    cc.private = "Set-Cookie"
    cc.s_maxage = 3.7  # type: ignore[assignment]
    cc.immutable = True
    assert (
        cc.to_header() == "no-cache, max-age=60, public, private=Set-Cookie, s-maxage=3, immutable"
    )
    assert cc.no_cache is True
    assert cc.max_age == 60
    assert cc.s_maxage == 3
    assert cc.private == "Set-Cookie"
    cc.public = False
    cc.max_age = None
    del cc.immutable
    cc.no_cache = "a b"
    assert cc.to_header() == 'no-cache="a b", private=Set-Cookie, s-maxage=3'
    assert updates[0] == "no-cache"
    assert updates[-1] == cc.to_header()
    assert str(cc) == cc.to_header()
    assert repr(cc) == f"<ResponseCacheControl {cc.to_header()!r}>"


def test_response_cache_control_defaults() -> None:
    cc = ResponseCacheControl()
    assert cc.no_cache is None
    assert cc.private is None
    assert cc.public is False
    assert cc.max_age is None
    assert cc.must_revalidate is False
    cc.stale_while_revalidate = True
    assert cc.to_header() == "stale-while-revalidate"
    assert cc.stale_while_revalidate is None  # bare: no number of seconds
    with pytest.raises(ValueError):
        cc.max_age = "soon"  # type: ignore[assignment]


def test_cache_control_class_attributes_are_descriptors() -> None:
    assert ResponseCacheControl.max_age is not None
    assert RequestCacheControl.no_cache is not None


# ---------------------------------------------------------------------------------------------
# Authorization


def test_authorization_basic() -> None:
    auth = Authorization.from_header("Basic dXNlcjpwYXNz")
    assert auth is not None
    assert (auth.type, auth.username, auth.password, auth.token) == ("basic", "user", "pass", None)
    assert auth["username"] == "user"
    assert auth.get("missing", "x") == "x"
    assert "password" in auth
    assert auth.to_header() == "Basic dXNlcjpwYXNz"
    assert str(auth) == auth.to_header()
    assert repr(auth) == "<Authorization Basic dXNlcjpwYXNz>"
    assert auth == Authorization("basic", {"username": "user", "password": "pass"})
    assert auth != "Basic dXNlcjpwYXNz"


def test_authorization_other_schemes() -> None:
    bearer = Authorization.from_header("Bearer abc.def==")
    assert bearer is not None
    assert (bearer.type, bearer.token, bearer.parameters) == ("bearer", "abc.def==", {})
    assert bearer.to_header() == "Bearer abc.def=="
    digest = Authorization.from_header(
        'Digest username="Mufasa", realm="x@y", nonce="abc", qop=auth, nc=00000001'
    )
    assert digest is not None
    assert digest.username == "Mufasa"
    assert digest.realm == "x@y"
    assert digest.nc == "00000001"
    assert digest.missing is None
    assert (
        digest.to_header()
        == 'Digest username=Mufasa, realm="x@y", nonce=abc, qop=auth, nc=00000001'
    )
    assert Authorization.from_header(None) is None
    assert Authorization.from_header(" x") is None


credential = st.text(
    alphabet=st.characters(exclude_characters=":", exclude_categories=("Cs",)), max_size=20
)


@given(credential, st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20))
@FAST
def test_authorization_basic_round_trip(username: str, password: str) -> None:
    header = Authorization("basic", {"username": username, "password": password}).to_header()
    parsed = Authorization.from_header(header)
    assert parsed is not None
    assert (parsed.username, parsed.password) == (username, password)


@given(st.binary(max_size=64))
@FAST
def test_authorization_never_raises(data: bytes) -> None:
    for value in (
        "Basic " + base64.b64encode(data).decode(),
        "Basic " + data.decode("latin-1"),
        data.decode("latin-1"),
    ):
        auth = Authorization.from_header(value)
        assert auth is None or isinstance(auth.type, str)


# ---------------------------------------------------------------------------------------------
# WWWAuthenticate


def test_www_authenticate_render_and_update() -> None:
    updates: list[str] = []
    challenge = WWWAuthenticate("Basic", on_update=lambda w: updates.append(w.to_header()))
    assert challenge.type == "basic"
    assert challenge.to_header() == "Basic"
    challenge.realm = "My Realm"
    assert challenge.realm == "My Realm"
    assert challenge["realm"] == "My Realm"
    challenge.parameters["charset"] = "UTF-8"
    challenge["x"] = "y"
    challenge.realm = None
    assert challenge.to_header() == "Basic charset=UTF-8, x=y"
    del challenge.x
    challenge.type = "Bearer"
    challenge.token = "tok"
    assert updates == [
        'Basic realm="My Realm"',
        'Basic realm="My Realm", charset=UTF-8',
        'Basic realm="My Realm", charset=UTF-8, x=y',
        "Basic charset=UTF-8, x=y",
        "Basic charset=UTF-8",
        "Bearer charset=UTF-8",
        "Bearer tok",
    ]


def test_www_authenticate_digest_quotes_required_fields() -> None:
    challenge = WWWAuthenticate(
        "digest", {"realm": "a", "nonce": "n", "qop": "auth", "stale": "FALSE", "algorithm": None}
    )
    assert (
        challenge.to_header() == 'Digest realm="a", nonce="n", qop="auth", stale=FALSE, algorithm'
    )


def test_www_authenticate_from_header() -> None:
    challenge = WWWAuthenticate.from_header('Bearer realm="a", error="invalid_token"')
    assert challenge is not None
    assert challenge.type == "bearer"
    assert dict(challenge.parameters) == {"realm": "a", "error": "invalid_token"}
    assert challenge == WWWAuthenticate("bearer", {"realm": "a", "error": "invalid_token"})
    negotiate = WWWAuthenticate.from_header("Negotiate abc==")
    assert negotiate is not None
    assert negotiate.token == "abc=="
    assert WWWAuthenticate.from_header("") is None
    assert "realm" in challenge
    assert challenge.get("nope", "d") == "d"
    assert repr(negotiate) == "<WWWAuthenticate Negotiate abc==>"


def test_www_authenticate_in_unauthorized() -> None:
    exc = Unauthorized(www_authenticate=WWWAuthenticate("basic", {"realm": "Admin area"}))
    assert ("WWW-Authenticate", 'Basic realm="Admin area"') in exc.get_headers()


def test_www_authenticate_bare_scheme_then_parameters() -> None:
    challenge = WWWAuthenticate.from_header("Basic")
    assert challenge is not None
    assert challenge.token is None
    assert challenge.to_header() == "Basic"
    challenge["realm"] = "admin"
    assert challenge.to_header() == "Basic realm=admin"
    assert WWWAuthenticate("bearer", token="").to_header() == "Bearer"


WWW_TABLE = [
    'Basic realm="x", charset="UTF-8"',
    'Digest realm="a", qop="auth,auth-int", nonce="n", stale=FALSE',
    "Negotiate abc==",
]


@pytest.mark.parametrize("value", WWW_TABLE)
def test_www_authenticate_matches_werkzeug(value: str) -> None:
    wds = pytest.importorskip("werkzeug.datastructures")
    ours = WWWAuthenticate.from_header(value)
    theirs = wds.WWWAuthenticate.from_header(value)
    assert ours is not None
    assert (ours.type, dict(ours.parameters), ours.token, ours.to_header()) == (
        theirs.type,
        dict(theirs.parameters),
        theirs.token,
        theirs.to_header(),
    )

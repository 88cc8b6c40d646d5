"""Tests for kolba.sansio.urls: quoting, query strings and IRI/URI conversion."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.sansio.datastructures import ImmutableMultiDict, MultiDict
from kolba.sansio.urls import iri_to_uri, quote, unquote, uri_to_iri, url_decode, url_encode

FAST = settings(max_examples=200, deadline=None)
text_no_surrogates = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)


def within(budget: float, fn: Callable[..., Any], *args: Any) -> Any:
    """Call ``fn(*args)`` and fail if it takes longer than ``budget`` seconds."""
    start = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    assert elapsed < budget, f"{fn.__name__} took {elapsed:.2f}s (budget {budget}s)"
    return result


# ---------------------------------------------------------------------------------------------
# quote / unquote


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("/a b/ü", {}, "/a%20b/%C3%BC"),
        ("a:b/c", {}, "a:b/c"),
        ("a:b/c", {"safe": ""}, "a%3Ab%2Fc"),
        ("-._~AZaz09", {"safe": ""}, "-._~AZaz09"),
        ("a+b&c=d", {}, "a%2Bb%26c%3Dd"),
        ("a b", {"unsafe": "a"}, "%61%20b"),
        (b"\xff/", {}, "%FF/"),
        ("é", {"encoding": "latin-1"}, "%E9"),
        ("", {}, ""),
    ],
)
def test_quote(value: str | bytes, kwargs: dict[str, Any], expected: str) -> None:
    assert quote(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("%C3%BC%20x", {}, "ü x"),
        ("a+b", {}, "a+b"),  # '+' is only a space in query strings
        ("%", {}, "%"),
        ("%zz%4", {}, "%zz%4"),
        ("%ff", {}, "\ufffd"),
        ("%e9", {"encoding": "latin-1"}, "é"),
        ("%2F%2f%41", {"unsafe": "/"}, "%2F%2fA"),
        (b"%41", {}, "A"),
        ("é%C3%A9", {}, "éé"),
    ],
)
def test_unquote(value: str | bytes, kwargs: dict[str, Any], expected: str) -> None:
    assert unquote(value, **kwargs) == expected


@given(text_no_surrogates, st.sampled_from(["", "/", "/:", "/:@&=+$,"]))
@FAST
def test_quote_unquote_round_trip(value: str, safe: str) -> None:
    quoted = quote(value, safe=safe)
    assert quoted.isascii()
    assert unquote(quoted) == value


# ---------------------------------------------------------------------------------------------
# url_encode


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"q": "a b", "page": 2}, "q=a+b&page=2"),
        ({"tag": ["x", "y"], "skip": None}, "tag=x&tag=y"),
        ({"l": [1, None, "x"]}, "l=1&l=x"),
        (MultiDict([("a", "1"), ("a", "2"), ("b", "3")]), "a=1&a=2&b=3"),
        ([("a", 1), ("b", b"x y")], "a=1&b=x+y"),
        ({"k": "a+b&c=d#e%f"}, "k=a%2Bb%26c%3Dd%23e%25f"),
        ({"k": "!$'()*,/:;?@~"}, "k=!$'()*,/:;?@~"),
        ({"é": "ü"}, "%C3%A9=%C3%BC"),
        ({"e": ""}, "e="),
        ({}, ""),
    ],
)
def test_url_encode(obj: Any, expected: str) -> None:
    assert url_encode(obj) == expected


def test_url_encode_sort_and_spaces() -> None:
    assert url_encode({"b": "2", "a": "1"}, sort=True) == "a=1&b=2"
    assert url_encode({"b": "2", "a": "1"}, sort=True, key=lambda p: p[1]) == "a=1&b=2"
    assert url_encode({"q": "a b"}, space_as_plus=False) == "q=a%20b"


URL_FOR_QUERIES: list[dict[str, Any]] = [
    {"q": "a b+c/d?e&f=g#h;i,j~k'l!m$n(o)p*q@r:s é"},
    {"l": [1, 2], "e": "", "n": None},
    {"x": "100%", "y": "\x00\x7f"},
]


@pytest.mark.parametrize("values", URL_FOR_QUERIES)
def test_url_encode_matches_werkzeug_url_building(values: dict[str, Any]) -> None:
    routing = pytest.importorskip("werkzeug.routing")
    adapter = routing.Map([routing.Rule("/x", endpoint="x")]).bind("example.com")
    assert "/x?" + url_encode(values) == adapter.build("x", values)


# ---------------------------------------------------------------------------------------------
# url_decode


def items(query: str | bytes, **kwargs: Any) -> list[tuple[str, str]]:
    return list(url_decode(query, **kwargs).items(multi=True))


HOSTILE_QUERIES = [
    pytest.param("a=1&" * 100_000, [("a", "1")] * 100_000, id="100k-pairs"),
    pytest.param("a=%41&" * 100_000, [("a", "A")] * 100_000, id="100k-escaped-pairs"),
    pytest.param("a=" + "x" * 1_000_000, [("a", "x" * 1_000_000)], id="1MB-value"),
    pytest.param("a=" + "%41" * 300_000, [("a", "A" * 300_000)], id="300k-escapes"),
    pytest.param("a=" + "%" * 1_000_000, [("a", "%" * 1_000_000)], id="1M-bare-percent"),
    pytest.param("&" * 1_000_000, [], id="1M-ampersands"),
    pytest.param("a=1;b=2", [("a", "1;b=2")], id="semicolon-is-data"),
    pytest.param("a=%ff%fe", [("a", "\ufffd\ufffd")], id="invalid-utf8-escapes"),
    pytest.param("a=\xff", [("a", "\ufffd")], id="invalid-utf8-raw"),
    pytest.param("a=%", [("a", "%")], id="bare-percent"),
    pytest.param("a=%zz&b=%2", [("a", "%zz"), ("b", "%2")], id="bad-escapes"),
    pytest.param("a=+%2B", [("a", " +")], id="plus-vs-escaped-plus"),
    pytest.param("a+b=c+d", [("a b", "c d")], id="plus-in-key"),
    pytest.param("a=&b", [("a", ""), ("b", "")], id="blank-values"),
    pytest.param("&&a=1&&", [("a", "1")], id="empty-segments"),
    pytest.param("=x", [("", "x")], id="empty-key"),
    pytest.param("a=b=c", [("a", "b=c")], id="equals-in-value"),
    pytest.param("a%3Db=1&%26=%3D", [("a=b", "1"), ("&", "=")], id="escaped-separators"),
    pytest.param("a=%00", [("a", "\x00")], id="nul"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("query", "expected"), HOSTILE_QUERIES)
def test_url_decode_hostile(query: str, expected: list[tuple[str, str]]) -> None:
    assert within(1.0, items, query) == expected


def test_url_decode_wsgi_strings_and_bytes() -> None:
    raw = "q=é&c=%C3%BC".encode()
    wsgi = raw.decode("latin-1")  # what environ["QUERY_STRING"] holds
    assert items(wsgi) == [("q", "é"), ("c", "ü")]
    assert items(raw) == [("q", "é"), ("c", "ü")]
    assert items("q=é".encode().decode("latin-1")) == [("q", "é")]  # no-escape fast path
    assert items("q=☃") == [("q", "☃")]  # beyond latin-1: must be real text


def test_url_decode_multidict_behaviour() -> None:
    args = url_decode("a=1&a=2&b=3", ImmutableMultiDict)
    assert isinstance(args, ImmutableMultiDict)
    assert args["a"] == "1"
    assert args.getlist("a") == ["1", "2"]
    assert args.get("b", type=int) == 3
    with pytest.raises(TypeError):
        args["c"] = "4"  # type: ignore[index]
    assert isinstance(url_decode("a=1"), MultiDict)


def test_url_decode_errors() -> None:
    assert items("a=%ff", errors="percent") == [("a", "%FF")]
    assert items("a=\xff", errors="percent") == [("a", "%FF")]
    assert items("a=%C3%A9%ff", errors="percent") == [("a", "é%FF")]
    with pytest.raises(UnicodeDecodeError):
        url_decode("a=%ff", errors="strict")


ARGS_TABLE = [
    b"a=1&a=2&b=",
    b"q=hello+world&x=%2B1",
    b"a=%ff%fe&b=%C3%A9",
    b"a;b=1;c",
    b"%zz=%&=x",
    b"q=\xc3\xa9t\xc3\xa9",
    b"a%3Db=1",
    b"&&a&&",
]


@pytest.mark.parametrize("query", ARGS_TABLE)
def test_url_decode_percent_mode_matches_werkzeug_request_args(query: bytes) -> None:
    wrappers = pytest.importorskip("werkzeug.wrappers")
    test = pytest.importorskip("werkzeug.test")
    environ = test.EnvironBuilder().get_environ()
    environ["QUERY_STRING"] = query.decode("latin-1")
    expected = list(wrappers.Request(environ).args.items(multi=True))
    assert items(query.decode("latin-1"), errors="percent") == expected


query_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)


@given(st.lists(st.tuples(query_text, query_text), max_size=6))
@FAST
def test_url_encode_url_decode_round_trip(pairs: list[tuple[str, str]]) -> None:
    encoded = url_encode(pairs)
    assert encoded.isascii()
    # Even a pair with an empty key and value survives (it encodes to "=").
    assert url_decode(encoded) == MultiDict(pairs)
    assert url_decode(url_encode(pairs, space_as_plus=False)) == MultiDict(pairs)


@given(st.binary(max_size=60))
@FAST
def test_url_decode_never_raises(data: bytes) -> None:
    for result in (url_decode(data), url_decode(data.decode("latin-1"))):
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items(multi=True))


# ---------------------------------------------------------------------------------------------
# IRI <-> URI


@pytest.mark.parametrize(
    ("iri", "expected"),
    [
        ("/plain/path?x=1#f", "/plain/path?x=1#f"),
        ("/ü?ä=ö#ß", "/%C3%BC?%C3%A4=%C3%B6#%C3%9F"),
        (
            "http://üser:päss@☃.net:8080/påth?q=ü#f",
            "http://%C3%BCser:p%C3%A4ss@xn--n3h.net:8080/p%C3%A5th?q=%C3%BC#f",
        ),
        ("http://H.COM:0080/", "http://h.com:80/"),
        ("http://[::1]:8080/ü", "http://[::1]:8080/%C3%BC"),
        ("/a b/%2F?x=y z", "/a%20b/%2F?x=y%20z"),
        ("/foo%", "/foo%"),
        ("/%zz/ü", "/%zz/%C3%BC"),
        ('http://h/a"<>\\^`{|}', "http://h/a%22%3C%3E%5C%5E%60%7B%7C%7D"),
        ("mailto:ü@x", "mailto:%C3%BC@x"),
        # Refuse nothing: broken hosts and brackets still give ASCII.
        ("http://a..b/ü", "http://a..b/%C3%BC"),
        ("http://ü..b/", "http://%C3%BC..b/"),
        ("http://[::1/ü", "http://[::1/%C3%BC"),
        ("http://h:port/", "http://h:port/"),
        # Controls are encoded, never dropped: "/\t/evil" must not become "//evil".
        ("/\t/evil.example", "/%09/evil.example"),
        ("/x\r\nSet-Cookie: a=b", "/x%0D%0ASet-Cookie:%20a=b"),
        ("", ""),
    ],
)
def test_iri_to_uri(iri: str, expected: str) -> None:
    assert iri_to_uri(iri) == expected


IRI_TABLE = [
    "http://üser:päss@☃.net:8080/påth?q=ü#frag",
    "/a b/%2F?x=y z",
    "http://Ü.COM/",
    "HTTP://h.com/",
    "http://u@H.com:8080/ü?ä#ö",
    "/%zz/ü",
    "http://h/?",
    "//ü.de/x",
    "http://[FE80::1]/",
    "file:///ü",
]


@pytest.mark.parametrize("iri", IRI_TABLE)
def test_iri_to_uri_matches_werkzeug(iri: str) -> None:
    urls = pytest.importorskip("werkzeug.urls")
    assert iri_to_uri(iri) == urls.iri_to_uri(iri)


@given(st.text(max_size=40))
@FAST
def test_iri_to_uri_refuses_nothing(iri: str) -> None:
    uri = iri_to_uri(iri)
    assert uri.isascii()
    assert not any(c in uri for c in "\r\n\t\x00 ")


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://xn--n3h.net/p%C3%A5th?q=%C3%BC%2F#f", "http://☃.net/påth?q=ü/#f"),
        ("/%2F%3F%25%ff", "/%2F%3F%25%FF"),
        ("/%2f%3f", "/%2f%3f"),
        ("/a%20b?x=%20#%20", "/a%20b?x=%20#%20"),
        ("/?a=%26b%3D%2B", "/?a=%26b%3D%2B"),
        ("/%c3%bc%e2", "/ü%E2"),
        ("http://us%C3%BCr:p%40ss@xn--n3h.net/", "http://usür:p%40ss@☃.net/"),
        ("http://xn--a.com/%41", "http://xn--a.com/A"),  # invalid punycode: kept
        ("http://[::1/%41", "http://[::1/%41"),  # unparsable: unchanged
        ("/plain", "/plain"),
    ],
)
def test_uri_to_iri(uri: str, expected: str) -> None:
    assert uri_to_iri(uri) == expected


URI_TABLE = [
    "http://xn--n3h.net:80/%E2%98%83",
    "/%ff%C3%BC",
    "http://h/%e2%98",
    "http://h/a%20b?x=%20#%20",
    "http://us%C3%BCr:p%40ss@h/",
    "http://XN--N3H.net/",
    "/%2f%3f",
]


@pytest.mark.parametrize("uri", URI_TABLE)
def test_uri_to_iri_matches_werkzeug(uri: str) -> None:
    urls = pytest.importorskip("werkzeug.urls")
    assert uri_to_iri(uri) == urls.uri_to_iri(uri)


path_text = st.text(
    alphabet=st.characters(categories=("L", "N"), exclude_characters="%"),
    max_size=20,
)


@given(path_text, path_text)
@FAST
def test_iri_uri_round_trip(path: str, query: str) -> None:
    iri = f"http://example.com/{path}?q={query}"
    assert uri_to_iri(iri_to_uri(iri)) == iri


@given(st.text(max_size=40))
@FAST
def test_uri_to_iri_never_raises(uri: str) -> None:
    assert isinstance(uri_to_iri(uri), str)

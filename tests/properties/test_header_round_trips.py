"""Dump then parse gives the same value back, for the headers tests/sansio/test_http.py does
not round-trip already: list and dict headers, Accept, Cache-Control, ETags, If-Range,
Content-Range (and its agreement with Range), Age, the three HTTP date formats, and
Set-Cookie with all its attributes.
"""

from __future__ import annotations

import typing as t
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.sansio import http
from kolba.sansio.header_types import (
    CharsetAccept,
    ContentRange,
    ETags,
    IfRange,
    LanguageAccept,
    MIMEAccept,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
)
from kolba.testing.client import Cookie

FAST = settings(max_examples=150, deadline=None)
UTC = timezone.utc

_TOKEN_CHARS = "!#$%&'+-.^_`|~abcdefghijklmnopqrstuvwxyz0123456789"
TOKENS = st.text(_TOKEN_CHARS, min_size=1, max_size=8)
# Header text: printable latin-1 with the characters that need quoting, no line breaks.
TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=12
)


@FAST
@given(st.lists(TEXT.map(lambda s: s.strip(" \t")).filter(bool), max_size=6))
def test_list_header(items: list[str]) -> None:
    assert http.parse_list_header(http.dump_header(items)) == items


@FAST
@given(st.dictionaries(TOKENS, st.none() | TEXT, max_size=6))
def test_dict_header(values: dict[str, str | None]) -> None:
    assert http.parse_dict_header(http.dump_header(values)) == values


_QUALITIES = st.sampled_from([0, 0.001, 0.1, 0.5, 0.75, 0.999, 1])
_MIME = st.builds(
    lambda a, b: f"{a}/{b}", st.sampled_from(["text", "application", "image", "*"]), TOKENS
).filter(lambda m: not m.startswith("*/") or m == "*/*")
_LANG = st.builds(
    lambda a, b: a if b is None else f"{a}-{b}",
    st.sampled_from(["en", "de", "fr", "zh"]),
    st.none() | st.sampled_from(["US", "CH", "Hant", "419"]),
)


@FAST
@given(
    cls_and_values=st.one_of(
        st.tuples(st.just(MIMEAccept), st.lists(st.tuples(_MIME, _QUALITIES), max_size=5)),
        st.tuples(st.just(LanguageAccept), st.lists(st.tuples(_LANG, _QUALITIES), max_size=5)),
        st.tuples(st.just(CharsetAccept), st.lists(st.tuples(TOKENS, _QUALITIES), max_size=5)),
    )
)
def test_accept_headers(cls_and_values: tuple[t.Any, list[tuple[str, float]]]) -> None:
    cls, values = cls_and_values
    values = list(dict(values).items())  # one quality per value, as a client sends
    accept = cls(values)
    parsed = http.parse_accept_header(accept.to_header(), cls)
    assert list(parsed) == list(accept)
    for value, _quality in values:
        assert parsed.quality(value) == accept.quality(value)


_SECONDS = st.integers(min_value=0, max_value=10**9)


@FAST
@given(
    max_age=st.none() | _SECONDS,
    s_maxage=st.none() | _SECONDS,
    stale=st.none() | _SECONDS,
    flags=st.lists(
        st.sampled_from(
            [
                "public",
                "no_store",
                "must_revalidate",
                "proxy_revalidate",
                "immutable",
                "no_transform",
                "must_understand",
            ]
        ),
        unique=True,
    ),
    no_cache=st.none() | st.just(True) | st.sampled_from(["Set-Cookie", "Set-Cookie, Vary"]),
    private=st.none() | st.just(True) | st.sampled_from(["Authorization"]),
)
def test_response_cache_control(
    max_age: int | None,
    s_maxage: int | None,
    stale: int | None,
    flags: list[str],
    no_cache: t.Any,
    private: t.Any,
) -> None:
    cc = ResponseCacheControl()
    cc.max_age = max_age
    cc.s_maxage = s_maxage
    cc.stale_while_revalidate = stale
    cc.no_cache = no_cache
    cc.private = private
    for flag in flags:
        setattr(cc, flag, True)
    parsed = http.parse_cache_control_header(cc.to_header(), cls=ResponseCacheControl)
    assert dict(parsed) == dict(cc)
    for name in ("max_age", "s_maxage", "stale_while_revalidate", "no_cache", "private", *flags):
        assert getattr(parsed, name) == getattr(cc, name), name


@FAST
@given(st.dictionaries(st.sampled_from(["max-age", "max-stale", "min-fresh", "no-cache",
                                        "no-store", "only-if-cached", "x-ext"]),
                       st.none() | _SECONDS.map(str), max_size=5))  # fmt: skip
def test_request_cache_control(directives: dict[str, str | None]) -> None:
    cc = RequestCacheControl(directives)
    parsed = http.parse_cache_control_header(cc.to_header())
    assert dict(parsed) == directives
    assert parsed.max_age == cc.max_age
    assert parsed.no_cache == cc.no_cache


_ETAG = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters='"\\\x7f'),
    min_size=1,
    max_size=10,
)


@FAST
@given(strong=st.lists(_ETAG, max_size=4), weak=st.lists(_ETAG, max_size=4), star=st.booleans())
def test_etags(strong: list[str], weak: list[str], star: bool) -> None:
    etags = ETags(strong, weak, star)
    parsed = http.parse_etags(etags.to_header())
    assert parsed.star_tag == star
    if not star:
        assert parsed.as_set() == set(strong)
        assert parsed.as_set(include_weak=True) == set(strong) | set(weak)
        for tag in weak:
            assert parsed.contains_weak(tag)


_DATES = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))


@FAST
@given(etag=st.none() | _ETAG, date=st.none() | _DATES, weak=st.booleans())
def test_if_range(etag: str | None, date: datetime | None, weak: bool) -> None:
    parsed = http.parse_if_range_header(IfRange(etag, date).to_header())
    if date is not None:
        assert (parsed.date, parsed.etag) == (date, None)
    elif etag is not None:
        assert (parsed.etag, parsed.date) == (etag, None)
    else:
        assert (parsed.etag, parsed.date) == (None, None)


@FAST
@given(
    start=st.integers(0, 10**12),
    size=st.integers(1, 10**6),
    extra=st.none() | st.integers(0, 10**6),
    units=st.sampled_from(["bytes", "items"]),
)
def test_content_range(start: int, size: int, extra: int | None, units: str) -> None:
    length = None if extra is None else start + size + extra
    header = ContentRange(units, start, start + size, length).to_header()
    parsed = http.parse_content_range_header(header)
    assert parsed is not None
    assert (parsed.units, parsed.start, parsed.stop, parsed.length) == (
        units,
        start,
        start + size,
        length,
    )


@FAST
@given(length=st.none() | st.integers(0, 10**9), units=st.sampled_from(["bytes", "x"]))
def test_unsatisfied_content_range(length: int | None, units: str) -> None:
    parsed = http.parse_content_range_header(ContentRange(units, None, None, length).to_header())
    assert parsed is not None
    assert (parsed.start, parsed.stop, parsed.length) == (None, None, length)


@FAST
@given(
    spec=st.one_of(
        st.tuples(st.integers(0, 10**6), st.none() | st.integers(1, 10**6)).map(
            lambda p: (p[0], None if p[1] is None else p[0] + p[1])
        ),
        st.integers(1, 10**6).map(lambda n: (-n, None)),
    ),
    length=st.integers(0, 2 * 10**6),
)
def test_range_and_content_range_agree(spec: tuple[int, int | None], length: int) -> None:
    """The Content-Range written for a Range reads back as exactly the span served."""
    rng = http.parse_range_header(Range("bytes", [spec]).to_header())
    assert rng is not None
    assert rng.ranges == [spec]
    span = rng.range_for_length(length)
    header = rng.to_content_range_header(length)
    if span is None:
        assert header is None
        return
    parsed = http.parse_content_range_header(header)
    assert parsed is not None
    assert (parsed.start, parsed.stop, parsed.length) == (span[0], span[1], length)
    assert 0 <= span[0] < span[1] <= length


@FAST
@given(st.integers(0, 10**12) | st.integers(0, 10**6).map(lambda s: timedelta(seconds=s)))
def test_age(age: int | timedelta) -> None:
    seconds = age if isinstance(age, int) else int(age.total_seconds())
    assert http.parse_age(http.dump_age(age)) == timedelta(seconds=seconds)


_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@FAST
@given(
    date=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2068, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0))
)
def test_the_three_http_date_formats_read_the_same(date: datetime) -> None:
    """RFC 9110 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a server must
    still accept (RFC 850 years are two digits, read here within 2000-2068).
    """
    imf = http.http_date(date)
    rfc850 = f"{_WEEKDAYS[date.weekday()]}, {date:%d-%b-%y %H:%M:%S} GMT"
    asctime = f"{date:%a %b} {date.day:>2} {date:%H:%M:%S %Y}"
    assert http.parse_date(imf) == date
    assert http.parse_date(rfc850) == date, rfc850
    assert http.parse_date(asctime) == date, asctime


_COOKIE_NAME = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"(),/:;<=>?@[\\]{}'),
    min_size=1,
    max_size=10,
)
_COOKIE_VALUE = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\n\0"), max_size=20
)


@FAST
@given(
    key=_COOKIE_NAME,
    value=_COOKIE_VALUE,
    max_age=st.none() | st.integers(0, 10**8),
    expires=st.none() | _DATES.filter(lambda d: d.year < 9999),
    path=st.sampled_from([None, "/", "/app", "/a b/ü"]),
    domain=st.sampled_from([None, "example.com", ".example.com", "bücher.de"]),
    secure=st.booleans(),
    httponly=st.booleans(),
    samesite=st.sampled_from([None, "Strict", "Lax", "None"]),
    partitioned=st.booleans(),
)
def test_set_cookie_with_every_attribute(
    key: str,
    value: str,
    max_age: int | None,
    expires: datetime | None,
    path: str | None,
    domain: str | None,
    secure: bool,
    httponly: bool,
    samesite: str | None,
    partitioned: bool,
) -> None:
    header = http.dump_cookie(
        key,
        value,
        max_age=max_age,
        expires=expires,
        path=path,
        domain=domain,
        secure=secure,
        httponly=httponly,
        samesite=samesite,
        partitioned=partitioned,
        max_size=0,
    )
    # A header goes out as latin-1 bytes; the client reads the same bytes back.
    cookie = Cookie.from_set_cookie(header, "www.example.com", "/page")
    assert cookie is not None
    assert (cookie.decoded_key, cookie.decoded_value) == (key, value)
    assert cookie.secure is (secure or partitioned)
    assert cookie.http_only is httponly
    assert cookie.same_site == samesite
    assert cookie.partitioned is partitioned
    assert cookie.max_age == max_age
    if max_age is None and expires is not None:
        assert cookie.expires == expires
    # The path is percent-encoded on the way out; a browser matches the encoded form.
    assert unquote(cookie.path) == (path or "/")
    want_domain = domain.lstrip(".").encode("idna").decode() if domain else "www.example.com"
    assert cookie.domain == want_domain


@pytest.mark.parametrize("value", ["", "plain", 'quo"te', "sp ace", "semi;colon", "\\", "é", "☃"])
def test_cookie_values_that_need_quoting(value: str) -> None:
    header = http.dump_cookie("k", value, max_size=0)
    assert http.parse_cookie(header.split("; ")[0]).get("k") == value

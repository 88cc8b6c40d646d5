"""The IO-free multipart/form-data decoder (kolba.sansio.multipart)."""

from __future__ import annotations

import io
import itertools
import random
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.sansio import multipart as wz

from kolba.sansio.datastructures import FileStorage, MultiDict
from kolba.sansio.exceptions import BadRequest
from kolba.sansio.multipart import (
    COMPLETE,
    NEED_DATA,
    Data,
    Event,
    Field,
    File,
    MultipartDecoder,
    MultipartError,
    OtherPart,
    parse_disposition,
)
from kolba.testing.multipart import encode_multipart

# A part as the tests compare them: (name, filename or None for a field, content).
Part = tuple[str, "str | None", bytes]


def chunks_of(body: bytes, cuts: list[int]) -> list[bytes]:
    """``body`` cut at the given offsets (taken modulo its length, in order)."""
    if not body:
        return []
    points = sorted({cut % len(body) for cut in cuts} | {0, len(body)})
    return [body[a:b] for a, b in itertools.pairwise(points)]


def decode(
    body: bytes | list[bytes], boundary: str = "B", *, one_by_one: bool = True, **limits: Any
) -> list[Part]:
    """Feed ``body`` (or its pieces) to a decoder and collect the form parts it reports."""
    pieces: Iterator[bytes] = iter([body] if isinstance(body, bytes) else body)
    decoder = MultipartDecoder(boundary.encode("latin-1"), **limits)
    parts: list[list[Any]] = []

    def handle(event: Event) -> bool:
        if event is NEED_DATA:
            decoder.receive_data(next(pieces, None))
        elif isinstance(event, Field):
            parts.append([event.name, None, bytearray()])
        elif isinstance(event, File):
            parts.append([event.name, event.filename, bytearray()])
        elif isinstance(event, Data):
            parts[-1][2] += event.data
        elif event is COMPLETE:
            return True
        return False

    if one_by_one:
        while not handle(decoder.next_event()):
            pass
    else:
        # Every event of a batch is handled, the last one included.
        while not [handle(event) for event in decoder.events()][-1]:
            pass
    return [(name, filename, bytes(content)) for name, filename, content in parts]


def all_events(body: bytes, boundary: str = "B") -> list[Event]:
    decoder = MultipartDecoder(boundary.encode())
    decoder.receive_data(body)
    decoder.receive_data(None)
    events = []
    while (event := decoder.next_event()) is not COMPLETE:
        events.append(event)
    return events


def field_part(name: str, value: bytes, boundary: bytes = b"B") -> bytes:
    return (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
    )


def body_of(*parts: bytes, boundary: bytes = b"B") -> bytes:
    return b"".join(parts) + b"--" + boundary + b"--\r\n"


# ---------------------------------------------------------------------------------------------
# Events


def test_events_of_a_browser_body() -> None:
    body = body_of(
        field_part("title", b"Quarterly"),
        b'--B\r\nContent-Disposition: form-data; name="doc"; filename="a.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\nid,value\r\n1,2\r\n",
    )
    events = all_events(body)
    assert [type(e) for e in events] == [Field, Data, File, Data]
    field, value, upload, content = events
    assert isinstance(field, Field)
    assert (field.name, field.headers) == (
        "title",
        [("Content-Disposition", 'form-data; name="title"')],
    )
    assert isinstance(value, Data)
    assert (value.data, value.more_data) == (b"Quarterly", False)
    assert isinstance(upload, File)
    assert (upload.name, upload.filename, upload.content_type, upload.content_length) == (
        "doc",
        "a.csv",
        "text/csv",
        None,
    )
    assert upload.headers == [
        ("Content-Disposition", 'form-data; name="doc"; filename="a.csv"'),
        ("Content-Type", "text/csv"),
    ]
    assert isinstance(content, Data)
    assert (content.data, content.more_data) == (b"id,value\r\n1,2", False)


def test_need_data_until_the_body_is_fed() -> None:
    decoder = MultipartDecoder(b"B")
    assert decoder.next_event() is NEED_DATA
    decoder.receive_data(b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\nhello")
    field = decoder.next_event()
    assert isinstance(field, Field)
    assert field.name == "a"
    first = decoder.next_event()
    # The content so far is reported, less a tail that could begin the boundary line.
    assert isinstance(first, Data)
    assert first.more_data
    assert decoder.next_event() is NEED_DATA
    decoder.receive_data(b" world\r\n--B--\r\n")
    rest = decoder.next_event()
    assert isinstance(rest, Data)
    assert not rest.more_data
    assert first.data + rest.data == b"hello world"
    assert decoder.next_event() is COMPLETE
    assert decoder.next_event() is COMPLETE  # and stays so


def test_events_returns_a_batch_per_chunk_and_mixes_with_next_event() -> None:
    body = body_of(field_part("a", b"1"), field_part("b", b"2"), field_part("c", b"3"))
    decoder = MultipartDecoder(b"B")
    decoder.receive_data(body)
    first = decoder.next_event()
    assert isinstance(first, Field)
    assert first.name == "a"
    rest = decoder.events()  # what next_event had computed but not returned yet
    assert [type(e) for e in rest] == [Data, Field, Data, Field, Data, type(COMPLETE)]
    assert decoder.events() == [COMPLETE]


def test_data_fed_before_need_data_is_not_asked_for_again() -> None:
    body = body_of(field_part("a", b"1"))
    decoder = MultipartDecoder(b"B")
    decoder.receive_data(body[:10])
    decoder.receive_data(body[10:])
    assert [type(decoder.next_event()) for _ in range(3)] == [Field, Data, type(COMPLETE)]


def test_empty_body_and_bare_close_are_complete() -> None:
    assert decode([]) == []
    assert decode(b"--B--") == []
    assert decode(b"--B--\r\nanything at all") == []


def test_preamble_padding_and_epilogue() -> None:
    body = (
        b"a preamble\r\n--B-not-this-one\r\n"
        + field_part("a", b"1").replace(b"--B\r\n", b"--B \t \r\n")
        + field_part("b", b"2").replace(b"--B\r\n", b"--B  \r\n")
        + b"--B--\r\nan epilogue\r\n--B\r\n"
    )
    assert decode(body) == [("a", None, b"1"), ("b", None, b"2")]
    for size in (1, 2, 3, 5):
        assert decode([body[i : i + size] for i in range(0, len(body), size)]) == [
            ("a", None, b"1"),
            ("b", None, b"2"),
        ]


def test_boundary_look_alikes_in_content_are_content() -> None:
    content = b"\r\n--B_\r\n--Bx\r\n--B-x\r\n--\r\n-B\r\n--B"
    body = body_of(field_part("a", content + b"!"))
    assert decode(body) == [("a", None, content + b"!")]
    for size in (1, 2, 7):
        pieces = [body[i : i + size] for i in range(0, len(body), size)]
        assert decode(pieces) == [("a", None, content + b"!")]


def test_parts_that_are_not_form_fields_are_reported_but_skipped() -> None:
    body = body_of(
        b"--B\r\n\r\nno headers at all\r\n",
        b"--B\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n",
        b"--B\r\nContent-Disposition: form-data\r\n\r\nno name\r\n",
        b"--B\r\nContent-Disposition: form-data; name*=UTF-8''x\r\n\r\nextended name only\r\n",
        field_part("kept", b"yes"),
    )
    events = all_events(body)
    assert [type(e) for e in events] == [OtherPart] * 4 + [Field, Data]
    other = events[1]
    assert isinstance(other, OtherPart)
    assert other.headers == [("Content-Type", "text/plain")]
    assert decode(body) == [("kept", None, b"yes")]
    # Skipped content is skipped in pieces too.
    assert decode([body[i : i + 3] for i in range(0, len(body), 3)]) == [("kept", None, b"yes")]


def test_general_header_blocks() -> None:
    body = body_of(
        b"--B\r\ncontent-type:  text/plain; charset=utf-8 \r\nX-Extra: 1\r\n"
        b'CONTENT-DISPOSITION: form-data; name=f; filename="a b.txt"\r\n'
        b"Content-Length: 3\r\n\r\nabc\r\n",
    )
    (upload, _data) = all_events(body)
    assert isinstance(upload, File)
    assert (upload.name, upload.filename) == ("f", "a b.txt")
    assert upload.content_type == "text/plain; charset=utf-8"
    assert upload.content_length == 3
    assert upload.headers == [
        ("content-type", "text/plain; charset=utf-8"),
        ("X-Extra", "1"),
        ("CONTENT-DISPOSITION", 'form-data; name=f; filename="a b.txt"'),
        ("Content-Length", "3"),
    ]


@pytest.mark.parametrize("length", ["\xb2", "9" * 5000, "-1", "1e3", ""])
def test_a_part_content_length_that_is_not_a_number_is_ignored(length: str) -> None:
    # "\xb2" passes str.isdigit() and 5000 digits are over int()'s limit: neither is a 500.
    body = body_of(
        b"--B\r\nContent-Disposition: form-data; name=f; filename=a\r\nContent-Length: "
        + length.encode("latin-1")
        + b"\r\n\r\nabc\r\n"
    )
    upload = all_events(body)[0]
    assert isinstance(upload, File)
    assert upload.content_length is None


def test_non_ascii_names_are_read_as_utf8_or_kept_as_latin1() -> None:
    body = body_of(
        field_part("Zürich", b"1"),
        b'--B\r\nContent-Disposition: form-data; name="\xe4"; filename="\xff.txt"\r\n\r\n2\r\n',
        b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename*=UTF-8''%E2%82%AC.txt"
        b"\r\n\r\n3\r\n",
    )
    assert decode(body) == [
        ("Zürich", None, b"1"),
        ("\xe4", "\xff.txt", b"2"),
        ("f", "€.txt", b"3"),
    ]


# ---------------------------------------------------------------------------------------------
# Malformed bodies and limits


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"just some bytes", "never appears"),
        (b"\r", "never appears"),
        (b"--B\nContent-Disposition: form-data; name=a\n\n1\n--B--\n", "CRLF"),
        (b"--B\rContent-Disposition: form-data; name=a\r\r1\r--B--\r", "CRLF"),
        (b"--B  x\r\n", "CRLF"),
        (b"--B-x", "CRLF"),
        (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1", "cut off"),
        (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B", "cut off"),
        (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B-", "cut off"),
        (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B__\r\n", "cut off"),
        (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B \t", "cut off"),
        (b"--B\r\nContent-Disposition: form-data; name=a\r\n--B--\r\n", "cut off"),
        (b"--B\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--B  x\r\n", "CRLF"),
        (b"--B\r\nNo colon here\r\n\r\n1\r\n--B--\r\n", "'Name: value'"),
        (b"--B\r\n: empty name\r\n\r\n1\r\n--B--\r\n", "'Name: value'"),
        (b"--B\r\nBad Name: x\r\n\r\n1\r\n--B--\r\n", "'Name: value'"),
        (b"--B\r\nX: a\r\n folded\r\n\r\n1\r\n--B--\r\n", "'Name: value'"),
        (b"--B\r\nX: a\nb\r\n\r\n1\r\n--B--\r\n", "line feed"),
        (b"--B\r\nX: a\rb\r\n\r\n1\r\n--B--\r\n", "carriage return"),
        (b"--B\r\nX: a\x00b\r\n\r\n1\r\n--B--\r\n", "NUL"),
        (b'--B\r\nContent-Disposition: form-data; name="a\r\n\r\n1\r\n--B--', "unterminated"),
        (b"--B\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n1\r\n--B--", "repeats"),
    ],
)
def test_malformed_bodies_raise_a_400_that_says_why(body: bytes, message: str) -> None:
    for pieces in ([body], [body[i : i + 1] for i in range(len(body))]):
        with pytest.raises(MultipartError) as info:
            decode(pieces)
        assert isinstance(info.value, BadRequest)
        assert info.value.code == 400
        assert message in (info.value.description or "")
        assert message in info.value.detail or message == "CRLF"


def test_part_header_count_and_block_size_limits() -> None:
    extra = b"".join(b"X-H%d: v\r\n" % i for i in range(7))
    eight = b"--B\r\nContent-Disposition: form-data; name=a\r\n" + extra + b"\r\n1\r\n--B--"
    assert decode(eight) == [("a", None, b"1")]
    nine = eight.replace(b"X-H0", b"X-Hx: v\r\nX-H0")
    with pytest.raises(MultipartError, match="more than 8 headers"):
        decode(nine)
    assert decode(eight, max_part_headers=9) == [("a", None, b"1")]
    # The limit is on the whole block: 8192 bytes before its blank line, however it is split
    # into lines, on the browser's common path as on the general one.
    header = b"Content-Disposition: form-data; name="
    for quote in (b'"', b""):
        fits = header + quote + b"n" * (8192 - len(header) - 2 * len(quote)) + quote
        assert len(fits) == 8192
        assert decode(b"--B\r\n" + fits + b"\r\n\r\n1\r\n--B--")[0][2] == b"1"
        with pytest.raises(MultipartError, match="8192 bytes"):
            decode(b"--B\r\n" + fits + b"n\r\n\r\n1\r\n--B--")
    lines = b"--B\r\nContent-Disposition: form-data; name=a\r\n" + b"X: " + b"v" * 3000 + b"\r\n"
    with pytest.raises(MultipartError, match="8192 bytes"):
        decode(lines + b"Y: " + b"v" * 3000 + b"\r\nZ: " + b"v" * 3000 + b"\r\n\r\n1\r\n--B--")
    with pytest.raises(MultipartError, match="100 bytes"):
        decode(body_of(field_part("a" * 100, b"1")), max_header_block_size=100)


def test_a_block_that_never_ends_fails_once_over_the_limit() -> None:
    decoder = MultipartDecoder(b"B")
    decoder.receive_data(b"--B\r\n")

    fed: list[bytes] = []

    def feed_header_lines() -> None:
        while decoder.next_event() is NEED_DATA:
            fed.append(b"X-A: b\r\n")
            decoder.receive_data(fed[-1])

    with pytest.raises(MultipartError, match="8192 bytes"):
        feed_header_lines()
    assert 8192 <= len(b"".join(fed)) <= 8192 + 8  # refused as soon as the limit is passed


@pytest.mark.parametrize(
    ("boundary", "message"),
    [(b"", "empty"), (b"b" * 257, "257 bytes"), (b"a\rb", "CR or LF"), (b"a\nb", "CR or LF")],
)
def test_bad_boundaries(boundary: bytes, message: str) -> None:
    with pytest.raises(MultipartError, match=message):
        MultipartDecoder(boundary)
    assert MultipartDecoder(b"b" * 256)  # RFC 2046 allows 70; 256 are accepted
    assert MultipartDecoder(b"b" * 300, max_boundary_length=300)


def test_an_error_comes_after_the_events_before_it_and_stays() -> None:
    body = field_part("a", b"1") + field_part("b", b"2") + b"--B\r\nbroken\r\n\r\n"
    decoder = MultipartDecoder(b"B")
    decoder.receive_data(body)
    assert [type(decoder.next_event()) for _ in range(4)] == [Field, Data, Field, Data]
    with pytest.raises(MultipartError, match="'Name: value'"):
        decoder.next_event()
    with pytest.raises(MultipartError, match="'Name: value'"):
        decoder.next_event()
    batch = MultipartDecoder(b"B")
    batch.receive_data(body)
    assert [type(e) for e in batch.events()] == [Field, Data, Field, Data]
    with pytest.raises(MultipartError, match="'Name: value'"):
        batch.events()


# ---------------------------------------------------------------------------------------------
# Bounded memory, linear time


def feed_lazily(decoder: MultipartDecoder, pieces: Iterator[bytes]) -> list[tuple[Any, ...]]:
    """The parts as ``(name, filename, content size)``; the content is counted, not kept."""
    parts: list[list[Any]] = []
    while True:
        event = decoder.next_event()
        if event is NEED_DATA:
            decoder.receive_data(next(pieces, None))
        elif isinstance(event, (Field, File)):
            parts.append([event.name, getattr(event, "filename", None), 0])
        elif isinstance(event, Data):
            parts[-1][2] += len(event.data)
        elif event is COMPLETE:
            return [tuple(p) for p in parts]


@pytest.mark.parametrize("where", ["preamble", "content", "epilogue", "padding"])
def test_ten_megabytes_anywhere_pass_in_bounded_memory(where: str) -> None:
    megabytes = 10

    def pieces() -> Iterator[bytes]:
        filler = (b"p" * 4095 + b"\r") if where != "padding" else b" " * 4096
        if where == "preamble":
            for _ in range(megabytes * 256):
                yield filler
            yield b"\r\n"
        yield b"--B" if where == "padding" else b"--B\r\n"
        if where == "padding":
            for _ in range(megabytes * 256):
                yield filler
            yield b"\r\n"
        yield b"Content-Disposition: form-data; name=f; filename=x\r\n\r\n"
        if where == "content":
            for _ in range(megabytes * 256):
                yield filler
        yield b"\r\n--B--\r\n"
        if where == "epilogue":
            for _ in range(megabytes * 256):
                yield filler

    tracemalloc.start()
    try:
        start = time.perf_counter()
        parts = feed_lazily(MultipartDecoder(b"B"), pieces())
        elapsed = time.perf_counter() - start
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = megabytes * 256 * 4096 if where == "content" else 0
    assert parts == [("f", "x", size)]
    assert peak < 200_000, peak  # a few chunks, not megabytes
    assert elapsed < 20  # generous: linear work under tracemalloc


def test_tiny_pieces_are_linear() -> None:
    # A full header block and a long content fed one byte at a time: each scan resumes
    # where the last one stopped.
    block = b"Content-Disposition: form-data; name=a\r\n" + b"X: " + b"v" * 8000
    body = b"--B\r\n" + block + b"\r\n\r\n" + b"x" * 50_000 + b"\r\n--B--\r\n"
    start = time.perf_counter()
    assert decode([body[i : i + 1] for i in range(len(body))]) == [("a", None, b"x" * 50_000)]
    assert time.perf_counter() - start < 10  # generous; quadratic rescans would take minutes


def test_a_browser_header_block_in_tiny_pieces_is_linear() -> None:
    # The browser-shaped block (quoted name) takes the one-regex path; it must wait for the
    # block's end instead of matching the growing block again for every byte (which took
    # half a second for 8 KiB, and minutes for this one).
    name = "n" * 60_000
    block = f'Content-Disposition: form-data; name="{name}"'.encode()
    body = b"--B\r\n" + block + b"\r\n\r\nvalue\r\n--B--\r\n"
    start = time.perf_counter()
    pieces = [body[i : i + 1] for i in range(len(body))]
    assert decode(pieces, max_header_block_size=100_000) == [(name, None, b"value")]
    assert time.perf_counter() - start < 10  # generous; the quadratic match took minutes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_megabytes_are_a_400_in_bounded_time(seed: int) -> None:
    junk = random.Random(seed).randbytes(1_500_000)
    for body in (junk, b"--B\r\n" + junk):
        start = time.perf_counter()
        with pytest.raises(MultipartError):
            decode([body[i : i + 65536] for i in range(0, len(body), 65536)])
        assert time.perf_counter() - start < 5


# ---------------------------------------------------------------------------------------------
# Round trips: kolba's encoder in, the same parts out, however the body is cut

# Names and filenames as a browser can send them: '%' is ambiguous on the wire (a browser
# sends '"' as %22 without escaping '%' itself), CR and LF become %0D and %0A, NUL is
# refused in a header.
names = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="%\r\n\x00"),
    max_size=12,
)
content_types = st.sampled_from(
    ["application/octet-stream", "text/plain; charset=utf-8", "image/png", "text/csv"]
)
parts = st.lists(
    st.one_of(
        st.tuples(st.just("field"), names, st.text(max_size=40).map(str.encode), st.none()),
        st.tuples(st.just("file"), names, st.binary(max_size=400), st.tuples(names, content_types)),
    ),
    max_size=6,
)


def encoded(spec: list[tuple[str, str, bytes, Any]]) -> tuple[bytes, str, list[Part]]:
    fields: MultiDict[str, Any] = MultiDict()
    for kind, name, content, extra in spec:
        if kind == "field":
            fields.add(name, content)
        else:
            filename, content_type = extra
            fields.add(name, FileStorage(io.BytesIO(content), filename, content_type=content_type))
    # The encoder writes the parts in the MultiDict's order (grouped by name).
    expected: list[Part] = [
        (name, value.filename, value.stream.getvalue())  # type: ignore[attr-defined]
        if isinstance(value, FileStorage)
        else (name, None, value)
        for name, value in fields.items(multi=True)
    ]
    body, boundary = encode_multipart(fields)
    return body, boundary, expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts, st.lists(st.integers(min_value=0, max_value=10_000), max_size=30), st.booleans())
def test_what_the_encoder_puts_in_comes_out_in_any_chunking(
    spec: list[tuple[str, str, bytes, Any]], cuts: list[int], one_by_one: bool
) -> None:
    body, boundary, expected = encoded(spec)
    assert decode(chunks_of(body, cuts), boundary, one_by_one=one_by_one) == expected


@settings(max_examples=100, deadline=None)
@given(parts)
def test_content_types_come_out_as_the_encoder_sent_them(
    spec: list[tuple[str, str, bytes, Any]],
) -> None:
    body, boundary, _expected = encoded(spec)
    sent = sorted(extra[1] for kind, _name, _content, extra in spec if kind == "file")
    got = sorted(e.content_type or "" for e in all_events(body, boundary) if isinstance(e, File))
    assert got == sent


def werkzeug_parts(body: bytes, boundary: str) -> list[Part]:
    decoder = wz.MultipartDecoder(boundary.encode("latin-1"))
    decoder.receive_data(body)
    decoder.receive_data(None)
    found: list[list[Any]] = []
    while True:
        event = decoder.next_event()
        if isinstance(event, wz.File):
            found.append([event.name, event.filename, b""])
        elif isinstance(event, wz.Field):
            found.append([event.name, None, b""])
        elif isinstance(event, wz.Data):
            found[-1][2] += event.data
        elif isinstance(event, wz.Epilogue) or event is wz.NEED_DATA:
            return [(name, filename, content) for name, filename, content in found]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts, st.lists(st.integers(min_value=0, max_value=10_000), max_size=10))
def test_agrees_with_werkzeug_on_encoded_bodies(
    spec: list[tuple[str, str, bytes, Any]], cuts: list[int]
) -> None:
    body, boundary, expected = encoded(spec)
    assert werkzeug_parts(body, boundary) == expected
    assert decode(chunks_of(body, cuts), boundary) == expected


# Valid bodies kolba's encoder does not write: other header spellings and orders, unquoted
# parameters, extra headers, parts that are not fields, transport padding, a preamble and an
# epilogue.
tokens = st.text(alphabet="abcXYZ019_-.", min_size=1, max_size=8)


@st.composite
def hand_written_bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    boundary = draw(
        st.sampled_from(["B", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "a'()+_,-./:=?"])
    )
    out = bytearray(draw(st.sampled_from([b"", b"preamble\r\n", b"\r\n\r\n"])))
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        out += b"--" + boundary.encode() + draw(st.sampled_from([b"", b" ", b"\t "])) + b"\r\n"
        name = draw(tokens)
        disposition = draw(
            st.sampled_from(
                [
                    f'form-data; name="{name}"',
                    f"form-data; name={name}",
                    f"form-data;name={name};filename={name}.txt",
                    f'form-data; name="{name}"; filename="{name} x.bin"',
                    f'form-data; filename="{name}"; name="{name}"',
                    "form-data",
                ]
            )
        )
        headers = [
            (draw(st.sampled_from(["Content-Disposition", "content-disposition"])), disposition)
        ]
        if draw(st.booleans()):
            headers.append((draw(st.sampled_from(["Content-Type", "CONTENT-TYPE"])), "text/plain"))
        if draw(st.booleans()):
            headers.append(("X-Extra", draw(tokens)))
        headers = draw(st.permutations(headers))
        for key, value in headers:
            out += f"{key}: {value}\r\n".encode()
        content = draw(st.binary(max_size=60).filter(lambda b: boundary.encode() not in b))
        out += b"\r\n" + content + b"\r\n"
    out += b"--" + boundary.encode() + b"--"
    out += draw(st.sampled_from([b"", b"\r\n", b"\r\nepilogue --" + boundary.encode()]))
    return bytes(out), boundary


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hand_written_bodies(), st.lists(st.integers(min_value=0, max_value=10_000), max_size=10))
def test_agrees_with_werkzeug_on_hand_written_bodies(
    spec: tuple[bytes, str], cuts: list[int]
) -> None:
    body, boundary = spec
    # Werkzeug reports a part without a name as a field named None; kolba skips it (an
    # OtherPart), as the form would have no key for it.
    named = [part for part in werkzeug_parts(body, boundary) if part[0] is not None]
    assert decode(chunks_of(body, cuts), boundary) == named


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20),
    st.one_of(st.none(), st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E))),
    st.one_of(st.none(), st.sampled_from(["text/plain", "image/png", "a/b; c=d"])),
)
def test_the_browser_fast_path_reads_what_the_general_path_reads(
    name: str, filename: str | None, content_type: str | None
) -> None:
    quoted = name.replace("\\", "\\\\").replace('"', "%22")
    disposition = f'form-data; name="{quoted}"'
    if filename is not None:
        disposition += (
            f'; filename="{filename.replace(chr(92), chr(92) * 2).replace(chr(34), "%22")}"'
        )
    block = f"Content-Disposition: {disposition}"
    if content_type is not None:
        block += f"\r\nContent-Type: {content_type}"
    body = b"--B\r\n" + block.encode() + b"\r\n\r\nx\r\n--B--"
    fast = all_events(body)[0]
    # Lower-case header names never take the fast path.
    slow = all_events(body.replace(b"\r\nContent-", b"\r\ncontent-"))[0]
    assert isinstance(fast, (Field, File))
    assert type(fast) is type(slow)
    assert fast.name == slow.name == name.replace("%22", '"')
    assert getattr(fast, "filename", None) == getattr(slow, "filename", None)
    assert getattr(fast, "content_type", None) == getattr(slow, "content_type", None)
    assert [value for _, value in fast.headers] == [value for _, value in slow.headers]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20))
def test_parse_disposition_fast_path_agrees_with_the_general_one(name: str) -> None:
    value = f'form-data; name="{name}"; filename="{name}"'
    general = value.replace("form-data; ", "form-data;  ")  # not the browser's spelling
    try:
        expected = parse_disposition(general)
    except MultipartError:
        with pytest.raises(MultipartError):
            parse_disposition(value)
        return
    assert parse_disposition(value) == expected

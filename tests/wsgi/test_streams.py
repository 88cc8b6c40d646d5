"""The body stream: stops at Content-Length, never reads past it, and turns framing errors
into 400 or 413 instead of a 500 or a hang.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba
from kolba.sansio.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from kolba.wrappers import Request
from kolba.wsgi.streams import EmptyStream, LimitedStream


class Wire(io.RawIOBase):
    """A WSGI input that records every read and can return short reads or fail."""

    def __init__(self, data: bytes, chunk: int | None = None, error: Exception | None = None):
        self.data = data
        self.pos = 0
        self.chunk = chunk
        self.error = error
        self.requested: list[int] = []

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.error is not None and self.pos >= len(self.data):
            raise self.error
        if size is None or size < 0:
            size = len(self.data) - self.pos
        self.requested.append(size)
        if self.chunk is not None:
            size = min(size, self.chunk)
        out = self.data[self.pos : self.pos + size]
        self.pos += len(out)
        return out

    def readline(self, size: int | None = -1) -> bytes:
        end = self.data.find(b"\n", self.pos)
        end = len(self.data) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self.pos + size)
        self.requested.append(end - self.pos)
        out = self.data[self.pos : end]
        self.pos = end
        return out


# ---------------------------------------------------------------------------------------------
# LimitedStream


def test_reads_stop_at_the_limit_and_never_ask_for_more() -> None:
    wire = Wire(b"hello world, and the next request")
    stream = LimitedStream(wire, 11)
    assert stream.read(5) == b"hello"
    assert stream.read() == b" world"
    assert stream.read() == b""
    assert stream.read(10) == b""
    assert wire.pos == 11
    assert sum(wire.requested) == 11
    assert stream.tell() == 11
    assert stream.is_exhausted


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=200),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=1, max_value=7),
    st.lists(st.sampled_from(["read", "read_n", "readline", "readinto", "readlines"]), max_size=30),
)
def test_no_read_pattern_passes_the_limit(
    data: bytes, limit: int, chunk: int, ops: list[str]
) -> None:
    wire = Wire(data + b"NEXT REQUEST", chunk=chunk)
    limit = min(limit, len(data))
    stream = LimitedStream(wire, limit)
    got = bytearray()
    for op in ops:
        if op == "read":
            got += stream.read()
        elif op == "read_n":
            got += stream.read(3)
        elif op == "readline":
            got += stream.readline()
        elif op == "readinto":
            buffer = bytearray(4)
            n = stream.readinto(buffer)
            got += buffer[:n]
        else:
            got += b"".join(stream.readlines())
    got += stream.read()
    assert bytes(got) == data[:limit]
    assert wire.pos == limit  # not one byte of the next request was consumed


def test_readline_and_iteration_respect_the_limit() -> None:
    stream = LimitedStream(Wire(b"one\ntwo\nthree\nfour\n"), 12)
    assert stream.readline() == b"one\n"
    assert stream.readline(2) == b"tw"
    assert list(stream) == [b"o\n", b"thre"]
    assert stream.readline() == b""
    lines = LimitedStream(Wire(b"a\nb\nc\n"), 6).readlines(hint=3)
    assert lines == [b"a\n", b"b\n"]


def test_short_body_is_client_disconnected() -> None:
    for reader in (
        lambda s: s.read(),
        lambda s: s.read(100),
        lambda s: s.readline(),
        lambda s: s.readall(),
        list,
    ):
        stream = LimitedStream(Wire(b"only this"), 100)

        def read_all(stream: LimitedStream = stream, reader: Any = reader) -> None:
            while reader(stream):
                pass

        with pytest.raises(ClientDisconnected) as info:
            read_all()
        assert info.value.code == 400
        assert isinstance(info.value, BadRequest)


def test_a_socket_error_while_reading_is_client_disconnected() -> None:
    stream = LimitedStream(Wire(b"abc", error=OSError("reset")), 10)
    assert stream.read(3) == b"abc"
    with pytest.raises(ClientDisconnected):
        stream.read()


def test_maximum_for_a_body_of_unknown_length() -> None:
    # A chunked body ends when the server's stream ends, as long as it stays under the max.
    under = LimitedStream(Wire(b"x" * 10), 10, is_max=True)
    assert under.read() == b"x" * 10
    assert under.read() == b""
    shorter = LimitedStream(Wire(b"x" * 5), 10, is_max=True)
    assert shorter.read() == b"x" * 5
    over = LimitedStream(Wire(b"x" * 11), 10, is_max=True)
    with pytest.raises(RequestEntityTooLarge) as info:
        over.read()
    assert info.value.code == 413
    assert "MAX_CONTENT_LENGTH" in info.value.description
    assert "10 bytes" in info.value.description


def test_exhaust_reads_the_rest() -> None:
    wire = Wire(b"x" * 200_000 + b"NEXT")
    stream = LimitedStream(wire, 200_000)
    stream.read(10)
    stream.exhaust()
    assert wire.pos == 200_000


def test_empty_stream() -> None:
    stream = EmptyStream()
    assert stream.readable()
    assert stream.read() == b""
    assert stream.read(10) == b""
    assert stream.readline() == b""
    assert stream.readinto(bytearray(3)) == 0
    assert list(stream) == []


# ---------------------------------------------------------------------------------------------
# request.stream: Content-Length framing


def _request(body: bytes = b"", wire: Any = None, **env: Any) -> Request:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": wire if wire is not None else io.BytesIO(body),
        "CONTENT_TYPE": "application/octet-stream",
    }
    environ.update(env)
    return Request(environ)


def test_body_stops_at_content_length() -> None:
    wire = Wire(b"abcNEXT")
    assert _request(wire=wire, CONTENT_LENGTH="3").get_data() == b"abc"
    assert wire.pos == 3


@pytest.mark.parametrize(
    "value", ["-1", "1_000", "\u0665", "+5", "5, 5", "5 5", "0x5", "5.0", "9" * 30]
)
def test_a_content_length_that_is_not_a_number_is_a_400_when_the_body_is_read(value: str) -> None:
    request = _request(b"hello", CONTENT_LENGTH=value)
    assert request.content_length == 0  # as Flask reports it
    assert request.args == {}  # the rest of the request works
    with pytest.raises(BadRequest) as info:
        request.get_data()
    assert info.value.code == 400
    assert "Content-Length" in info.value.description
    assert "digits" in info.value.description


@pytest.mark.parametrize("value", [" 5 ", "5", "05", "\t5"])
def test_content_length_with_blanks_or_zeros_is_fine(value: str) -> None:
    assert _request(b"hello!", CONTENT_LENGTH=value).get_data() == b"hello"


@pytest.mark.parametrize("value", ["", "0", "00"])
def test_empty_or_zero_content_length_is_no_body(value: str) -> None:
    wire = Wire(b"NEXT REQUEST")
    assert _request(wire=wire, CONTENT_LENGTH=value).get_data() == b""
    assert wire.pos == 0


def test_no_content_length_is_no_body() -> None:
    wire = Wire(b"unframed")
    assert _request(wire=wire).get_data() == b""
    assert wire.requested == []


def test_client_that_sends_less_than_it_declared_is_a_400() -> None:
    with pytest.raises(ClientDisconnected):
        _request(b"short", CONTENT_LENGTH="100").get_data()


def test_declared_length_over_the_maximum_is_413_before_reading() -> None:
    wire = Wire(b"x" * 100)
    request = _request(wire=wire, CONTENT_LENGTH="100")
    request.max_content_length = 10
    with pytest.raises(RequestEntityTooLarge) as info:
        request.get_data()
    assert "MAX_CONTENT_LENGTH" in info.value.description
    assert "100 bytes" in info.value.description
    assert wire.requested == []  # nothing was read


def test_chunked_body_is_read_to_its_end_under_the_maximum() -> None:
    request = _request(b"x" * 1000, **{"wsgi.input_terminated": True})
    assert request.content_length is None
    assert request.get_data() == b"x" * 1000
    limited = _request(b"x" * 1000, **{"wsgi.input_terminated": True})
    limited.max_content_length = 999
    with pytest.raises(RequestEntityTooLarge):
        limited.get_data()
    exact = _request(b"x" * 1000, **{"wsgi.input_terminated": True})
    exact.max_content_length = 1000
    assert exact.get_data() == b"x" * 1000


def test_chunked_transfer_encoding_wins_over_content_length() -> None:
    both = _request(
        b"x" * 20,
        CONTENT_LENGTH="5",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input_terminated": True},
    )
    assert both.content_length is None
    assert both.get_data() == b"x" * 20
    # Without a server that terminates the stream, a chunked body cannot be framed: empty.
    unframed = _request(b"x" * 20, CONTENT_LENGTH="5", HTTP_TRANSFER_ENCODING="chunked")
    assert unframed.get_data() == b""


def test_chunked_body_growing_past_the_limit_stops_reading() -> None:
    class Endless(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int | None = -1) -> bytes:
            Endless.reads += 1
            return b"x" * (size if size and size > 0 else 65536)

    request = _request(wire=Endless(), **{"wsgi.input_terminated": True})
    request.max_content_length = 1_000_000
    with pytest.raises(RequestEntityTooLarge):
        request.get_data()
    assert Endless.reads < 100


def test_limits_through_the_app() -> None:
    app = kolba.Kolba(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/")
    def echo() -> bytes:
        return kolba.request.get_data()

    @app.post("/raise")
    def raise_limit() -> bytes:
        kolba.request.max_content_length = 100
        return kolba.request.get_data()

    client = app.test_client()
    assert client.post("/", data=b"x" * 10).data == b"x" * 10
    too_big = client.post("/", data=b"x" * 11)
    assert too_big.status_code == 413
    assert b"MAX_CONTENT_LENGTH" in too_big.data
    assert client.post("/raise", data=b"x" * 50).data == b"x" * 50
    assert client.post("/", data=b"x").data == b"x"  # the override was per request

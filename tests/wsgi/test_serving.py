"""The development server, driven over real sockets on 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import queue
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
import wsgiref.validate
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kolba.wsgi import serving
from kolba.wsgi.serving import (
    BaseWSGIServer,
    ThreadedWSGIServer,
    WSGIRequestHandler,
    generate_adhoc_ssl_context,
    load_ssl_context,
    make_server,
    run_simple,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

TIMEOUT = 5.0


@pytest.fixture(autouse=True)
def _restore_kolba_logger() -> Iterator[None]:
    """Starting a server configures the shared "kolba" logger; undo that for later tests."""
    logger = logging.getLogger("kolba")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]
    serving._configured_logger = None


# --- helpers -----------------------------------------------------------------------------


@contextmanager
def serving_app(
    app: WSGIApplication, threaded: bool = True, **kwargs: Any
) -> Iterator[BaseWSGIServer]:
    server = make_server("127.0.0.1", 0, app, threaded=threaded, **kwargs)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(TIMEOUT)
        server.server_close()
        assert not thread.is_alive()


@contextmanager
def connect(server: BaseWSGIServer) -> Iterator[tuple[socket.socket, Any]]:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    reader = sock.makefile("rb")
    try:
        yield sock, reader
    finally:
        reader.close()
        sock.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""
    raw_body: bytes = b""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


def read_reply(reader: Any, method: str = "GET") -> Reply:
    """Parse one response from ``reader`` by the framing rules a client uses."""
    line = reader.readline()
    assert line.startswith(b"HTTP/1.1 "), line
    reply = Reply(int(line.split()[1]))
    while True:
        line = reader.readline()
        assert line, "connection closed inside the headers"
        if line == b"\r\n":
            break
        name, _, value = line.decode("latin-1").partition(":")
        reply.headers.setdefault(name.lower(), []).append(value.strip())
    if method == "HEAD" or reply.status in (204, 304) or reply.status < 200:
        return reply
    if reply.header("transfer-encoding") == "chunked":
        raw = bytearray()
        body = bytearray()
        while True:
            size_line = reader.readline()
            raw += size_line
            size = int(size_line.split(b";")[0], 16)
            data = reader.read(size + 2)
            raw += data
            assert data.endswith(b"\r\n")
            if size == 0:
                break
            body += data[:-2]
        reply.body, reply.raw_body = bytes(body), bytes(raw)
    elif reply.header("content-length") is not None:
        reply.body = reader.read(int(reply.header("content-length") or 0))
    else:
        reply.body = reader.read()
    return reply


def exchange(server: BaseWSGIServer, raw: bytes, method: str = "GET") -> Reply:
    with connect(server) as (sock, reader):
        sock.sendall(raw)
        return read_reply(reader, method)


def is_closed(sock: socket.socket, reader: Any) -> bool:
    """Whether the server closed the connection (nothing more to read, EOF)."""
    sock.settimeout(TIMEOUT)
    return bool(reader.read(1) == b"")


def text_app(body: bytes = b"hello", status: str = "200 OK") -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response(status, [("Content-Type", "text/plain")])
        return [body]

    return app


def stream_app(*parts: bytes) -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield from parts

    return app


def echo_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return [body]


class Recorder:
    """An app that stores the environ of every request it gets."""

    def __init__(self) -> None:
        self.environs: list[WSGIEnvironment] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self.environs.append(dict(environ))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


GET = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n"


# --- keep-alive and response framing ---------------------------------------------------------


def test_two_requests_on_one_connection() -> None:
    recorder = Recorder()
    with serving_app(recorder) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        first = read_reply(reader)
        sock.sendall(b"GET /second HTTP/1.1\r\nHost: test\r\n\r\n")
        second = read_reply(reader)
    assert (first.status, first.body) == (200, b"ok")
    assert (second.status, second.body) == (200, b"ok")
    assert first.header("connection") is None
    assert [e["PATH_INFO"] for e in recorder.environs] == ["/", "/second"]
    assert recorder.environs[0]["REMOTE_PORT"] == recorder.environs[1]["REMOTE_PORT"]


def test_http_client_reuses_the_connection() -> None:
    with serving_app(text_app()) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        try:
            conn.request("GET", "/")
            assert conn.getresponse().read() == b"hello"
            first_socket = conn.sock
            conn.request("GET", "/")
            assert conn.getresponse().read() == b"hello"
            assert conn.sock is first_socket
        finally:
            conn.close()


def test_pipelined_requests_are_answered_in_order() -> None:
    recorder = Recorder()
    with serving_app(recorder) as server, connect(server) as (sock, reader):
        sock.sendall(
            b"GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
            b"POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /3 HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        replies = [read_reply(reader) for _ in range(3)]
    assert [r.status for r in replies] == [200, 200, 200]
    assert [e["PATH_INFO"] for e in recorder.environs] == ["/1", "/2", "/3"]


def test_generator_body_is_sent_chunked() -> None:
    with serving_app(stream_app(b"ab", b"", b"cde")) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        reply = read_reply(reader)
        sock.sendall(GET)  # the connection is still usable
        assert read_reply(reader).body == b"abcde"
    assert reply.header("transfer-encoding") == "chunked"
    assert reply.header("content-length") is None
    # The empty chunk from the app is skipped: it would end the body early.
    assert reply.raw_body == b"2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"


def test_http_client_reads_a_chunked_body() -> None:
    with serving_app(stream_app(b"x" * 70000, b"y")) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        try:
            conn.request("GET", "/")
            assert conn.getresponse().read() == b"x" * 70000 + b"y"
        finally:
            conn.close()


def test_list_body_gets_a_content_length() -> None:
    with serving_app(text_app(b"hello")) as server:
        reply = exchange(server, GET)
    assert reply.header("content-length") == "5"
    assert reply.header("transfer-encoding") is None
    assert reply.header(
        "server",
    ).startswith("kolba/")  # type: ignore[union-attr]
    assert reply.header("date") is not None


def test_app_content_length_is_kept() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", "6")])
        yield b"abc"
        yield b"def"

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        reply = read_reply(reader)
        sock.sendall(GET)
        assert read_reply(reader).body == b"abcdef"
    assert reply.header("content-length") == "6"
    assert reply.header("transfer-encoding") is None


def test_http10_client_gets_a_close_delimited_body() -> None:
    with serving_app(stream_app(b"one", b"two")) as server, connect(server) as (sock, reader):
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        reply = read_reply(reader)
    assert reply.body == b"onetwo"
    assert reply.header("transfer-encoding") is None
    assert reply.header("connection") == "close"


def test_http10_keep_alive_with_a_known_length() -> None:
    request = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    with serving_app(text_app()) as server, connect(server) as (sock, reader):
        sock.sendall(request)
        first = read_reply(reader)
        sock.sendall(request)
        second = read_reply(reader)
    assert first.header("connection") == "keep-alive"
    assert second.body == b"hello"


def test_client_connection_close_is_honoured() -> None:
    with serving_app(text_app()) as server, connect(server) as (sock, reader):
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        reply = read_reply(reader)
        assert is_closed(sock, reader)
    assert reply.header("connection") == "close"
    assert reply.body == b"hello"


def test_app_connection_close_is_honoured() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Connection", "close"), ("Content-Length", "2")])
        return [b"ok"]

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        reply = read_reply(reader)
        assert is_closed(sock, reader)
    assert reply.headers["connection"] == ["close"]


def test_app_transfer_encoding_header_is_replaced_by_real_framing() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Transfer-Encoding", "chunked")])
        yield b"data"

    with serving_app(app) as server:
        reply = exchange(server, GET)
    assert reply.headers["transfer-encoding"] == ["chunked"]
    assert reply.body == b"data"


def test_single_threaded_server_closes_after_each_response() -> None:
    with serving_app(text_app(), threaded=False) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        reply = read_reply(reader)
        assert is_closed(sock, reader)
    assert reply.header("connection") == "close"


def test_write_callable_sends_body() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [])
        write(b"via write, ")
        return [b"then iterable"]

    with serving_app(app) as server:
        assert exchange(server, GET).body == b"via write, then iterable"


def test_short_body_against_content_length_closes_the_connection() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", "10")])
        yield b"abc"

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        reader.readline()
        while reader.readline() != b"\r\n":
            pass
        assert reader.read() == b"abc"  # then EOF: the client can tell it is short


def test_bytes_past_content_length_are_not_sent() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", "3")])
        yield b"abcHTTP/1.1 200 OK\r\n\r\n"

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        reply = read_reply(reader)
        assert is_closed(sock, reader)
    assert reply.body == b"abc"


# --- request bodies --------------------------------------------------------------------


def test_chunked_request_body_is_dechunked() -> None:
    recorder: list[WSGIEnvironment] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        recorder.append(dict(environ))
        body = environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [body]

    request = (
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(request)
        reply = read_reply(reader)
        sock.sendall(GET)  # the trailer was consumed: the next request parses
        assert read_reply(reader).status == 200
    assert reply.body == b"hello 0123456789"
    assert recorder[0]["wsgi.input_terminated"] is True
    assert "CONTENT_LENGTH" not in recorder[0]


def test_chunked_body_readline_and_iteration() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        lines = list(environ["wsgi.input"])
        start_response("200 OK", [])
        return [repr(lines).encode()]

    request = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\na\nbc\r\n2\r\n\nd\r\n0\r\n\r\n"
    with serving_app(app) as server:
        assert exchange(server, request).body == b"[b'a\\n', b'bc\\n', b'd']"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"zz\r\nhello\r\n0\r\n\r\n", id="non-hex size"),
        pytest.param(b"-5\r\nhello\r\n0\r\n\r\n", id="negative size"),
        pytest.param(b"3\r\nhello\r\n0\r\n\r\n", id="chunk longer than its size"),
        pytest.param(b"1" * 5000 + b"\r\n", id="endless size line"),
        pytest.param(b"11111111111111111\r\n", id="17 hex digits"),
    ],
)
def test_malformed_chunked_body_gets_400(body: bytes) -> None:
    request = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    with serving_app(echo_app) as server:
        with connect(server) as (sock, reader):
            sock.sendall(request)
            reply = read_reply(reader)
            assert is_closed(sock, reader)
        assert reply.status == 400
        assert b"chunk" in reply.body
        assert exchange(server, GET).status == 200


def test_client_stopping_early_gets_400_not_500(caplog: pytest.LogCaptureFixture) -> None:
    with serving_app(echo_app) as server, connect(server) as (sock, reader):
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        sock.shutdown(socket.SHUT_WR)
        reply = read_reply(reader)
    assert reply.status == 400
    assert "Error on request" not in caplog.text


def test_silent_client_times_out_instead_of_hanging() -> None:
    class QuickHandler(WSGIRequestHandler):
        timeout = 0.3

    started = time.monotonic()
    with (
        serving_app(echo_app, request_handler=QuickHandler) as server,
        connect(server) as (
            sock,
            reader,
        ),
    ):
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        reply = read_reply(reader)
    assert reply.status == 400
    assert time.monotonic() - started < TIMEOUT


def test_unread_small_body_is_skipped_and_connection_kept() -> None:
    with serving_app(text_app()) as server, connect(server) as (sock, reader):
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
        first = read_reply(reader)
        sock.sendall(GET)
        second = read_reply(reader)
    assert first.header("connection") is None
    assert (second.status, second.body) == (200, b"hello")


def test_unread_large_body_closes_the_connection() -> None:
    size = WSGIRequestHandler.max_drain + 1
    with serving_app(text_app()) as server, connect(server) as (sock, reader):
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % size)
        reply = read_reply(reader)
        assert is_closed(sock, reader)
    assert reply.header("connection") == "close"


def test_expect_100_continue() -> None:
    with serving_app(echo_app) as server, connect(server) as (sock, reader):
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        assert reader.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert reader.readline() == b"\r\n"
        sock.sendall(b"hello")
        reply = read_reply(reader)
        sock.sendall(GET)
        assert read_reply(reader).status == 200
    assert reply.body == b"hello"


def test_expect_100_continue_with_http_client() -> None:
    with serving_app(echo_app) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        try:
            conn.request("PUT", "/", body=b"payload", headers={"Expect": "100-continue"})
            assert conn.getresponse().read() == b"payload"
        finally:
            conn.close()


def test_expect_100_without_reading_sends_no_continue_and_closes() -> None:
    with (
        serving_app(text_app(b"rejected", "413 Too Large")) as server,
        connect(server) as (
            sock,
            reader,
        ),
    ):
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        reply = read_reply(reader)
        assert is_closed(sock, reader)
    assert reply.status == 413
    assert reply.header("connection") == "close"


def test_unknown_expectation_gets_417() -> None:
    with serving_app(echo_app) as server:
        reply = exchange(server, b"GET / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n")
    assert reply.status == 417


# --- HEAD ---------------------------------------------------------------------------------


def test_head_sends_headers_but_no_body() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", "5")])
        return [b"hello"]

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
        head = read_reply(reader, "HEAD")
        sock.sendall(GET)
        # Any stray body bytes would now be parsed as the status line and fail.
        get = read_reply(reader)
    assert head.header("content-length") == "5"
    assert get.body == b"hello"


def test_head_gets_no_invented_content_length() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [b"hello"]

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
        head = read_reply(reader, "HEAD")
        sock.sendall(GET)
        assert read_reply(reader).body == b"hello"
    assert head.header("content-length") is None
    assert head.header("transfer-encoding") is None


def test_head_on_a_stream_stops_iterating_and_sends_no_chunks() -> None:
    produced: list[int] = []
    closed = threading.Event()

    class Endless:
        def __iter__(self) -> Iterator[bytes]:
            for number in range(10_000):
                produced.append(number)
                yield b"chunk"

        def close(self) -> None:
            closed.set()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return Endless()

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
        head = read_reply(reader, "HEAD")
        assert closed.wait(TIMEOUT)
        assert len(produced) < 10_000
        sock.sendall(GET)
        assert read_reply(reader).status == 200
    assert head.header("transfer-encoding") is None


# --- bad requests ------------------------------------------------------------------------

BAD_CONTENT_LENGTHS = [
    pytest.param(b"-1", id="negative"),
    pytest.param(b"1_000", id="underscore"),
    pytest.param(b"+5", id="plus sign"),
    pytest.param("\u0665".encode(), id="arabic-indic digit"),
    pytest.param("\uff15".encode(), id="fullwidth digit"),
    pytest.param(b"5, 5", id="list of values"),
    pytest.param(b"0x5", id="hex"),
    pytest.param(b"5 5", id="two numbers"),
    pytest.param(b"", id="empty"),
    pytest.param(b"1" * 19, id="19 digits"),
    pytest.param(b"5\r\nContent-Length: 5", id="repeated header"),
]


@pytest.mark.parametrize("value", BAD_CONTENT_LENGTHS)
def test_bad_content_length_gets_400_before_the_app(value: bytes) -> None:
    recorder = Recorder()
    request = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: " + value + b"\r\n\r\nhello"
    started = time.monotonic()
    with serving_app(recorder) as server:
        with connect(server) as (sock, reader):
            sock.sendall(request)
            reply = read_reply(reader)
            assert is_closed(sock, reader)
        assert reply.status == 400
        assert recorder.environs == []
        assert exchange(server, GET).status == 200
    assert time.monotonic() - started < TIMEOUT


def test_content_length_surrounded_by_spaces_is_valid() -> None:
    with serving_app(echo_app) as server:
        reply = exchange(server, b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length:  5 \r\n\r\nhello")
    assert (reply.status, reply.body) == (200, b"hello")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400, id="CL and TE"),
        pytest.param(b"Transfer-Encoding: chunked, chunked\r\n", 400, id="chunked twice"),
        pytest.param(b"Transfer-Encoding: chunked, gzip\r\n", 400, id="chunked not last"),
        pytest.param(b"Transfer-Encoding: gzip, chunked\r\n", 501, id="unknown coding"),
        pytest.param(b"Transfer-Encoding: identity\r\n", 400, id="identity"),
        pytest.param(b"Host: other\r\n", 400, id="two Host headers"),
        pytest.param(b"Content-Type: a/b\r\nContent-Type: c/d\r\n", 400, id="two Content-Types"),
    ],
)
def test_ambiguous_framing_is_refused(headers: bytes, status: int) -> None:
    recorder = Recorder()
    with serving_app(recorder) as server:
        reply = exchange(server, b"POST / HTTP/1.1\r\nHost: t\r\n" + headers + b"\r\n0\r\n\r\n")
        assert exchange(server, GET).status == 200
    assert reply.status == status
    assert len(recorder.environs) == 1


def test_transfer_encoding_on_http10_is_refused() -> None:
    with serving_app(echo_app) as server:
        reply = exchange(server, b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert reply.status == 400


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        pytest.param(b"GET /\r\n\r\n", 400, id="HTTP/0.9 style"),
        pytest.param(b"GET  / HTTP/1.1\r\n\r\n", 400, id="double space"),
        pytest.param(b"GET / HTTP/1.1 extra\r\n\r\n", 400, id="extra word"),
        pytest.param(b"GET / FTP/1.1\r\n\r\n", 400, id="wrong protocol"),
        pytest.param(b"G(ET / HTTP/1.1\r\n\r\n", 400, id="bad method"),
        pytest.param(b"GET /a\x00b HTTP/1.1\r\n\r\n", 400, id="NUL in target"),
        pytest.param(b"GET foo HTTP/1.1\r\n\r\n", 400, id="relative target"),
        pytest.param(b"GET / HTTP/2.0\r\n\r\n", 505, id="HTTP/2"),
        pytest.param(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", 400, id="TLS hello"),
        pytest.param(b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400, id="header without colon"),
        pytest.param(b"GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400, id="space before colon"),
        pytest.param(b"GET / HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n", 400, id="obs-fold"),
        pytest.param(b"GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n", 400, id="NUL in value"),
        pytest.param(b"GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", 400, id="bare CR in value"),
        pytest.param(b"GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400, id="empty header name"),
        pytest.param(b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414, id="long target"),
        pytest.param(
            b"GET / HTTP/1.1\r\nX-A: " + b"a" * 70000 + b"\r\n\r\n", 431, id="long header"
        ),
        pytest.param(
            b"GET / HTTP/1.1\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", 431, id="too many headers"
        ),
    ],
)
def test_malformed_requests_are_refused(request_bytes: bytes, status: int) -> None:
    recorder = Recorder()
    started = time.monotonic()
    with serving_app(recorder) as server:
        reply = exchange(server, request_bytes)
        assert exchange(server, GET).status == 200
    assert reply.status == status
    assert reply.header("connection") == "close"
    assert len(recorder.environs) == 1
    assert time.monotonic() - started < TIMEOUT


def test_blank_lines_before_a_request_are_ignored() -> None:
    with serving_app(text_app()) as server:
        assert exchange(server, b"\r\n\r\n" + GET).status == 200


def test_header_with_underscore_is_dropped() -> None:
    recorder = Recorder()
    with serving_app(recorder) as server:
        exchange(
            server,
            b"GET / HTTP/1.1\r\nHost: t\r\nX_Forwarded_For: 6.6.6.6\r\n"
            b"X-Forwarded-For: 10.0.0.1\r\nX_Only_Underscore: 1\r\n\r\n",
        )
    environ = recorder.environs[0]
    assert environ["HTTP_X_FORWARDED_FOR"] == "10.0.0.1"
    assert "HTTP_X_ONLY_UNDERSCORE" not in environ


def test_repeated_headers_are_joined() -> None:
    recorder = Recorder()
    with serving_app(recorder) as server:
        exchange(
            server,
            b"GET / HTTP/1.1\r\nHost: t\r\nAccept: a/b\r\nAccept: c/d\r\n"
            b"Cookie: a=1\r\nCookie: b=2\r\n\r\n",
        )
    environ = recorder.environs[0]
    assert environ["HTTP_ACCEPT"] == "a/b, c/d"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"


# --- the environ ------------------------------------------------------------------------


def test_environ_follows_pep_3333() -> None:
    recorder = Recorder()
    app = wsgiref.validate.validator(recorder)
    with serving_app(app) as server:
        reply = exchange(
            server,
            b"POST /caf%C3%A9/a%2Fb%20c?x=%20y&z=1 HTTP/1.1\r\nHost: example.test:8080\r\n"
            b"Content-Type: text/plain\r\nContent-Length: 2\r\nX-Custom: v\r\n\r\nhi",
        )
    assert reply.status == 200
    environ = recorder.environs[0]
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["SCRIPT_NAME"] == ""
    # Percent-decoded bytes, decoded as latin-1 (PEP 3333's "bytes in a str").
    assert environ["PATH_INFO"] == "/caf\xc3\xa9/a/b c"
    assert environ["QUERY_STRING"] == "x=%20y&z=1"
    assert environ["RAW_URI"] == environ["REQUEST_URI"] == "/caf%C3%A9/a%2Fb%20c?x=%20y&z=1"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert environ["SERVER_NAME"] == "127.0.0.1"
    assert environ["SERVER_PORT"] == str(server.port)
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert environ["REMOTE_PORT"].isdigit()
    assert environ["HTTP_HOST"] == "example.test:8080"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["CONTENT_LENGTH"] == "2"
    assert environ["HTTP_X_CUSTOM"] == "v"
    assert "HTTP_CONTENT_LENGTH" not in environ
    assert environ["wsgi.url_scheme"] == "http"
    assert environ["wsgi.multithread"] is True
    assert environ["wsgi.multiprocess"] is False
    assert environ["wsgi.input_terminated"] is True
    assert environ["SERVER_SOFTWARE"].startswith("kolba/")


def test_non_ascii_bytes_in_the_path_reach_the_app_as_latin1() -> None:
    recorder = Recorder()
    with serving_app(recorder) as server:
        exchange(server, "GET /é HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    assert recorder.environs[0]["PATH_INFO"] == "/\xc3\xa9"


def test_absolute_form_target() -> None:
    recorder = Recorder()
    with serving_app(recorder) as server:
        exchange(server, b"GET http://real.test:81/p/q?a=1 HTTP/1.1\r\nHost: ignored\r\n\r\n")
    environ = recorder.environs[0]
    assert (environ["PATH_INFO"], environ["QUERY_STRING"]) == ("/p/q", "a=1")
    assert environ["HTTP_HOST"] == "real.test:81"


def test_double_slash_path_is_a_path_not_a_host() -> None:
    recorder = Recorder()
    with serving_app(recorder) as server:
        exchange(server, b"GET //evil.example/x HTTP/1.1\r\nHost: good\r\n\r\n")
    environ = recorder.environs[0]
    assert environ["PATH_INFO"] == "//evil.example/x"
    assert environ["HTTP_HOST"] == "good"


def test_environ_shutdown_callable_stops_the_server() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ["kolba.server.shutdown"]()
        start_response("200 OK", [])
        return [b"bye"]

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        assert exchange(server, GET).body == b"bye"
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    finally:
        if thread.is_alive():
            server.shutdown()
        server.server_close()


# --- application errors -----------------------------------------------------------------


def failing_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    raise ZeroDivisionError("no dividing today")


def test_app_exception_gives_500_and_the_server_keeps_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        calls.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/boom":
            raise ZeroDivisionError("no dividing today")
        start_response("200 OK", [])
        return [b"fine"]

    with serving_app(app) as server:
        reply = exchange(server, b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n")
        after = exchange(server, GET)
    assert reply.status == 500
    assert b"Internal Server Error" in reply.body
    assert b"no dividing today" not in reply.body  # details stay in the log
    assert after.body == b"fine"
    assert "ZeroDivisionError: no dividing today" in caplog.text


def test_exception_after_the_body_started_cuts_the_response() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        if environ["PATH_INFO"] == "/fail":
            raise RuntimeError("midway")

    with serving_app(app) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT)
        try:
            conn.request("GET", "/fail")
            response = conn.getresponse()
            with pytest.raises(http.client.IncompleteRead):
                response.read()
        finally:
            conn.close()
        assert exchange(server, GET).body == b"partial"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([("X-Bad", "a\r\nSet-Cookie: injected=1")], id="CRLF"),
        pytest.param([("X-Bad", "a\x00b")], id="NUL"),
        pytest.param([("X-Bad", "snowman \u2603")], id="not latin-1"),
        pytest.param([("Bad Name", "v")], id="space in name"),
    ],
)
def test_invalid_response_headers_are_never_sent(headers: list[tuple[str, str]]) -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [b"x"]

    with serving_app(app) as server:
        reply = exchange(server, GET)
    assert reply.status == 500
    assert "set-cookie" not in reply.headers
    assert "x-bad" not in reply.headers


@pytest.mark.parametrize("status", ["200", "OK 200", "2000 OK", "200 OK\r\nX: y", 200])
def test_invalid_status_gives_500(status: Any) -> None:
    with serving_app(text_app(status=status)) as server:
        reply = exchange(server, GET)
    assert reply.status == (200 if status == "200" else 500)


def test_str_body_gives_500() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[Any]:
        start_response("200 OK", [])
        return ["text"]

    with serving_app(app) as server:
        assert exchange(server, GET).status == 500


def test_start_response_with_exc_info_replaces_headers_not_yet_sent() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("X-First", "1")])
        try:
            raise ValueError("x")
        except ValueError:
            start_response("503 Busy", [("X-Second", "2")], sys.exc_info())
        return [b"busy"]

    with serving_app(app) as server:
        reply = exchange(server, GET)
    assert reply.status == 503
    assert "x-first" not in reply.headers
    assert reply.header("x-second") == "2"


def test_passthrough_errors_propagate_out_of_the_server() -> None:
    server = make_server("127.0.0.1", 0, failing_app, passthrough_errors=True)
    client = threading.Thread(target=lambda: _swallow(lambda: exchange(server, GET)))
    try:
        client.start()
        with pytest.raises(ZeroDivisionError):
            server.handle_request()
    finally:
        server.server_close()
        client.join(TIMEOUT)


def _swallow(func: Callable[[], object]) -> None:
    try:
        func()
    except (OSError, AssertionError):
        pass


class ClosingBody:
    """A response iterable that records whether close() was called."""

    def __init__(self, parts: Iterable[bytes], fail_at: int | None = None) -> None:
        self.parts = list(parts)
        self.fail_at = fail_at
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        for index, part in enumerate(self.parts):
            if index == self.fail_at:
                raise RuntimeError("body failed")
            yield part

    def close(self) -> None:
        self.closed.set()


@pytest.mark.parametrize("fail_at", [None, 0, 1])
def test_close_is_always_called(fail_at: int | None) -> None:
    body = ClosingBody([b"a", b"b"], fail_at)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return body

    with serving_app(app) as server, connect(server) as (sock, reader):
        sock.sendall(GET)
        reader.readline()
        assert body.closed.wait(TIMEOUT)


def test_client_disconnect_mid_response_is_survived(caplog: pytest.LogCaptureFixture) -> None:
    closed = threading.Event()
    sent = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])

        def generate() -> Iterator[bytes]:
            try:
                for number in range(2000):  # bounded: about 130 MB at most
                    sent.append(number)
                    yield b"x" * 65536
            finally:
                closed.set()

        return generate()

    caplog.set_level(logging.DEBUG, logger="kolba")
    with serving_app(app) as server:
        with connect(server) as (sock, reader):
            sock.sendall(GET)
            reader.readline()
        assert closed.wait(TIMEOUT)
        assert len(sent) < 2000
        with connect(server) as (sock, reader):
            sock.sendall(GET)
            assert reader.readline() == b"HTTP/1.1 200 OK\r\n"
    assert "dropped" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- TLS --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed; cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return str(cert), str(key)


def client_context(cert: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cert)


@pytest.mark.parametrize("form", ["tuple", "context"])
def test_https(certificate: tuple[str, str], form: str) -> None:
    cert, key = certificate
    context: Any = (cert, key) if form == "tuple" else load_ssl_context(cert, key)
    recorder = Recorder()
    with serving_app(recorder, ssl_context=context) as server:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", server.port, timeout=TIMEOUT, context=client_context(cert)
        )
        try:
            for _ in range(2):
                conn.request("GET", "/secure")
                assert conn.getresponse().read() == b"ok"
        finally:
            conn.close()
    assert recorder.environs[0]["wsgi.url_scheme"] == "https"
    assert recorder.environs[0]["PATH_INFO"] == "/secure"


def test_plain_http_to_the_https_port_is_told_so(certificate: tuple[str, str]) -> None:
    with serving_app(text_app(), ssl_context=certificate) as server:
        with connect(server) as (sock, reader):
            sock.sendall(GET)
            reply = read_reply(reader)
        assert reply.status == 400
        assert b"https://" in reply.body
        # A failed handshake does not stop the server either.
        with connect(server) as (sock, reader):
            sock.sendall(b"\x16\x03\x01garbage")
            with contextlib.suppress(ConnectionResetError):
                reader.read()  # an alert at most, then EOF or a reset; a timeout would fail
        conn = http.client.HTTPSConnection(
            "127.0.0.1", server.port, timeout=TIMEOUT, context=client_context(certificate[0])
        )
        try:
            conn.request("GET", "/")
            assert conn.getresponse().status == 200
        finally:
            conn.close()


def test_adhoc_without_cryptography_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)
    monkeypatch.setitem(sys.modules, "cryptography.x509", None)
    with pytest.raises(RuntimeError, match=r"cryptography.*--cert"):
        generate_adhoc_ssl_context()
    with pytest.raises(RuntimeError, match="cryptography"):
        make_server("127.0.0.1", 0, text_app(), ssl_context="adhoc")


def test_invalid_ssl_context_argument() -> None:
    with pytest.raises(TypeError, match="ssl_context"):
        make_server("127.0.0.1", 0, text_app(), ssl_context="yes")  # type: ignore[arg-type]


# --- servers and run_simple ----------------------------------------------------------------


def test_stop_lets_requests_in_flight_finish() -> None:
    entered = threading.Event()
    release = threading.Event()

    def slow_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/slow":
            entered.set()
            release.wait(TIMEOUT)
        start_response("200 OK", [])
        return [b"done"]

    server = make_server("127.0.0.1", 0, slow_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with connect(server) as (idle, idle_reader), connect(server) as (sock, reader):
            idle.sendall(GET)
            assert read_reply(idle_reader).body == b"done"  # now idle, kept alive
            sock.sendall(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            assert entered.wait(TIMEOUT)
            stopper = threading.Thread(target=server.stop, kwargs={"timeout": TIMEOUT})
            stopper.start()
            time.sleep(0.2)
            assert stopper.is_alive()  # waiting for the slow request, not for the idle one
            release.set()
            assert read_reply(reader).body == b"done"
            stopper.join(TIMEOUT)
            assert not stopper.is_alive()
            assert is_closed(idle, idle_reader)
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), 1):
            pass
    finally:
        release.set()
        server.shutdown()
        thread.join(TIMEOUT)
        server.server_close()


def test_make_server_kinds() -> None:
    with pytest.raises(ValueError, match="threaded"):
        make_server("127.0.0.1", 0, text_app(), threaded=True, processes=2)
    server = make_server("127.0.0.1", 0, text_app(), threaded=True)
    try:
        assert isinstance(server, ThreadedWSGIServer)
        assert server.port > 0
    finally:
        server.server_close()


def test_adopts_a_listening_socket_by_fd() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    server = make_server("127.0.0.1", 0, text_app(), threaded=True, fd=listener.detach())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        assert server.port == port
        assert exchange(server, GET).body == b"hello"
    finally:
        server.shutdown()
        thread.join(TIMEOUT)
        server.server_close()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_unix_socket_server(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = make_server(f"unix://{path}", 0, text_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with socket.socket(socket.AF_UNIX) as sock, sock.makefile("rb") as reader:
            sock.settimeout(TIMEOUT)
            sock.connect(str(path))
            sock.sendall(GET)
            assert read_reply(reader).body == b"hello"
    finally:
        server.shutdown()
        thread.join(TIMEOUT)
        server.server_close()


def test_access_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kolba")
    with serving_app(text_app(b"x", "404 Not Found")) as server:
        exchange(server, b"GET /missing?q=1 HTTP/1.1\r\nHost: t\r\n\r\n")
    lines = [r.getMessage() for r in caplog.records if r.name == "kolba"]
    pattern = (
        r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d\] "GET /missing\?q=1 HTTP/1\.1" 404 -'
    )
    assert any(re.fullmatch(pattern, line) for line in lines), lines


def test_log_escapes_control_characters(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kolba")
    with serving_app(text_app()) as server:
        exchange(server, b"GET /\x1b[31m HTTP/1.1\r\nHost: t\r\n\r\n")
    assert "\x1b" not in caplog.text
    assert "\\x1b" in caplog.text


def test_startup_banner(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kolba")
    server = make_server("127.0.0.1", 0, text_app())
    try:
        server.log_startup()
    finally:
        server.server_close()
    assert "WARNING: This is a development server. Do not use it in a production" in caplog.text
    assert f" * Running on http://127.0.0.1:{server.port}" in caplog.text


def test_banner_lines_for_all_addresses() -> None:
    lines = serving._running_on_lines("http", "0.0.0.0", 5000)
    assert lines[:2] == [
        " * Running on all addresses (0.0.0.0)",
        " * Running on http://127.0.0.1:5000",
    ]
    assert serving._running_on_lines("https", "::1", 8443) == [" * Running on https://[::1]:8443"]


def test_logger_gets_a_handler_only_when_none_would_print() -> None:
    lonely = logging.getLogger("kolba-test-lonely")
    lonely.propagate = False
    assert not serving._has_handler_for(lonely, logging.INFO)
    handled = logging.getLogger("kolba-test-handled")
    handled.propagate = False
    handler = logging.NullHandler()
    handled.addHandler(handler)
    try:
        assert serving._has_handler_for(handled, logging.INFO)
        assert serving._has_handler_for(logging.getLogger("kolba-test-handled.child"), 20)
    finally:
        handled.removeHandler(handler)


def test_server_logger_prints_when_nothing_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logger = logging.getLogger("kolba")
    monkeypatch.setattr(serving, "_configured_logger", None)
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "propagate", False)
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    assert serving._server_logger() is logger
    assert logger.level == logging.INFO
    assert [type(h) for h in logger.handlers] == [logging.StreamHandler]
    # Configured once: a second call adds nothing.
    serving._server_logger()
    assert len(logger.handlers) == 1


def test_server_logger_leaves_configured_logging_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("kolba")
    monkeypatch.setattr(serving, "_configured_logger", None)
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "propagate", True)
    monkeypatch.setattr(logger, "level", logging.WARNING)
    root_handler = logging.NullHandler()
    monkeypatch.setattr(logging.getLogger(), "handlers", [root_handler])
    serving._server_logger()
    assert logger.handlers == []
    assert logger.level == logging.WARNING


def test_a_flask_app_runs_on_the_server() -> None:
    """Werkzeug's request parsing accepts the environ this server builds."""
    flask = pytest.importorskip("flask")
    app = flask.Flask(__name__)

    @app.post("/upload")  # type: ignore[untyped-decorator]
    def upload() -> Any:
        request = flask.request
        return {
            "data": request.get_data(as_text=True),
            "form": request.form.to_dict(),
            "path": request.path,
            "url": request.url,
            "remote": request.remote_addr,
        }

    with serving_app(app) as server:
        chunked = exchange(
            server,
            b"POST /upload?x=1 HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: text/plain\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
        )
        form = exchange(
            server,
            b"POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 10\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=x%20",
        )
    assert chunked.status == 200
    result = json.loads(chunked.body)
    assert result["data"] == "abcdef"
    assert result["url"] == "http://app.test/upload?x=1"
    assert result["remote"] == "127.0.0.1"
    assert json.loads(form.body)["form"] == {"a": "1", "b": "x "}


def test_run_simple_rejects_a_non_integer_port() -> None:
    with pytest.raises(TypeError, match="port"):
        run_simple("127.0.0.1", "5000", text_app())  # type: ignore[arg-type]


def test_run_simple_wraps_the_debugger(monkeypatch: pytest.MonkeyPatch) -> None:
    from kolba.wsgi.debug import DebuggedApplication

    made: list[Any] = []

    class FakeServer:
        def log_startup(self) -> None:
            pass

        def serve_forever(self) -> None:
            pass

        def server_close(self) -> None:
            pass

    def fake_make_server(host: str, port: int, app: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(app)
        return FakeServer()

    monkeypatch.delenv("KOLBA_RUN_MAIN", raising=False)
    monkeypatch.setattr(serving, "make_server", fake_make_server)
    app = text_app()
    run_simple("127.0.0.1", 0, app, use_debugger=True)
    assert isinstance(made[0], DebuggedApplication)
    assert made[0].app is app


class Child:
    """A subprocess in its own session, with its stderr lines collected by a thread."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            args,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            self.lines.put(raw.decode("utf-8", "replace"))

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"{pattern!r} not seen; stderr so far:\n{''.join(self.seen)}")

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # the reloader's child too
            except ProcessLookupError:
                pass
        self.process.wait(TIMEOUT)
        self.reader.join(TIMEOUT)
        assert self.process.stderr is not None
        self.process.stderr.close()


def http_get(port: int, path: str = "/", timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


SERVER_SCRIPT = """
import os
from kolba.wsgi.serving import run_simple

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("pid=%d" % os.getpid()).encode()]

run_simple("127.0.0.1", 0, app, {options})
"""


@pytest.mark.skipif(sys.platform == "win32", reason="uses process groups")
@pytest.mark.parametrize("options", ["threaded=True", "processes=2"])
def test_run_simple_in_a_subprocess(tmp_path: Path, options: str) -> None:
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(SERVER_SCRIPT.format(options=options)))
    child = Child([sys.executable, str(script)], tmp_path)
    try:
        child.wait_for("WARNING: This is a development server")
        port = int(child.wait_for(r"Running on http://127\.0\.0\.1:(\d+)").group(1))
        child.wait_for("Press CTRL\\+C to quit")
        status, body = http_get(port)
        assert status == 200
        assert body.startswith(b"pid=")
        child.wait_for(r'"GET / HTTP/1\.1" 200 -')
    finally:
        child.kill()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="uses process groups")
def test_run_simple_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        script = tmp_path / "serve.py"
        port = busy.getsockname()[1]
        script.write_text(
            "from kolba.wsgi.serving import run_simple\n"
            f"run_simple('127.0.0.1', {port}, lambda e, s: [])\n"
        )
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, timeout=60, check=False
        )
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr.decode()

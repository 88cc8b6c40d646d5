"""Streamed responses closed from other threads release their request context exactly once.

tests/test_streaming.py drives the app in-process step by step; here the streams run on the
threaded dev server (a client that disconnects mid-stream, many at once) and their close()
races with the thread that iterates them and with other closers. Each stream must then have:
its generator closed once, teardown_request and teardown_appcontext run once, the request
context freed (no reference left), and the server must go on serving.
"""

from __future__ import annotations

import gc
import io
import socket
import struct
import sys
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from reliability_wire import Connection, QuietHandler, live_server, request, wait_for

import kolba
from kolba.globals import _cv_app, _cv_request

CHUNK = b"x" * 16384
MAX_CHUNKS = 20_000  # 320 MB: a stream nobody reads to the end ends by disconnect, not size


@dataclass
class Events:
    """What the streams of one test did, by stream id."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    contexts: dict[str, weakref.ref[Any]] = field(default_factory=dict)
    produced: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def add(self, sid: str, what: str) -> None:
        with self.lock:
            self.counts[(sid, what)] += 1

    def count(self, sid: str, what: str) -> int:
        with self.lock:
            return self.counts[(sid, what)]

    def finished(self, sid: str) -> bool:
        return all(
            self.count(sid, what) >= 1 for what in ("generator closed", "teardown", "app teardown")
        )


def build_app(events: Events) -> kolba.Kolba:
    app = kolba.Kolba("streaming_threads_app")
    app.secret_key = "streaming"

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.add(kolba.request.args.get("id", "-"), "teardown")
        if _cv_request.get(None) is None:
            events.errors.append("teardown_request ran without the request context")

    @app.teardown_appcontext
    def app_teardown(exc: BaseException | None) -> None:
        ctx = _cv_request.get(None)
        sid = ctx.request.args.get("id", "-") if ctx is not None else "-"
        events.add(sid, "app teardown")

    @app.route("/stream")
    def stream() -> Any:
        sid = kolba.request.args["id"]
        pause = float(kolba.request.args.get("pause", "0"))
        kolba.g.sid = sid
        kolba.session["sid"] = sid
        events.contexts[sid] = weakref.ref(_cv_request.get())

        def generate() -> Iterator[bytes]:
            try:
                for _ in range(MAX_CHUNKS):
                    # The context is the stream's own, whichever thread iterates it.
                    seen = (kolba.request.args["id"], kolba.g.sid, kolba.session["sid"])
                    if seen != (sid, sid, sid):
                        events.errors.append(f"{sid}: another request's context in the stream")
                    with events.lock:
                        events.produced[sid] += 1
                    yield CHUNK
                    if pause:
                        time.sleep(pause)
            finally:
                events.add(sid, "generator closed")

        body = kolba.stream_with_context(generate())
        response = kolba.Response(body, mimetype="application/octet-stream")
        response.call_on_close(lambda: events.add(sid, "on close"))
        return response

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    return app


def assert_released_once(events: Events, sid: str) -> None:
    assert wait_for(lambda: events.finished(sid), 10.0), dict(events.counts)
    time.sleep(0.05)  # a second (wrong) teardown would come right after the first
    for what in ("generator closed", "teardown", "app teardown", "on close"):
        assert events.count(sid, what) == 1, (what, dict(events.counts))
    gc.collect()
    ref = events.contexts.get(sid)
    assert ref is not None
    assert ref() is None, "the request context of a closed stream is still referenced"


def read_head(conn: Connection) -> None:
    """Read the response's status line and headers (the body keeps coming)."""
    conn.extend(5.0)
    while b"\r\n\r\n" not in conn.buffer:
        conn._fill()
    assert conn.buffer.startswith(b"HTTP/1.1 200")


def abort(conn: Connection) -> None:
    """Close like a client that crashed: a reset, not a polite FIN."""
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.mark.parametrize("clients", [1, 12])
def test_clients_disconnecting_mid_stream(clients: int) -> None:
    """BAD_INPUTS 11: the client goes away mid-stream; every stream is closed once."""
    events = Events()
    app = build_app(events)
    with live_server(app, QuietHandler) as server:
        conns = []
        for i in range(clients):
            conn = Connection(server.port, 10.0)
            conn.send(request("GET", f"/stream?id=s{i}")[0])
            read_head(conn)
            conns.append(conn)
        for conn in conns:
            abort(conn)
        for i in range(clients):
            assert_released_once(events, f"s{i}")
            assert events.produced[f"s{i}"] < MAX_CHUNKS  # stopped early, not run to the end
        ok = Connection(server.port, 5.0)
        ok.send(request("GET", "/ok")[0])
        assert ok.read_reply().body == b"ok"
        ok.close()
    assert events.errors == []


def test_stream_closed_from_another_thread_while_the_server_sends_it() -> None:
    """A watchdog thread closes the body while the server thread is iterating it: the
    response ends cleanly (the chunked body is terminated), the context goes once.
    """
    events = Events()
    app = build_app(events)
    handed: list[Any] = []
    ready = threading.Event()

    def capture(environ: dict[str, Any], start_response: Any) -> Any:
        app_iter = app(environ, start_response)
        handed.append(app_iter)
        ready.set()
        return app_iter

    closer_errors: list[BaseException] = []

    def closer() -> None:
        ready.wait(5)
        time.sleep(0.05)  # the server is inside the stream by now
        try:
            handed[0].close()
        except BaseException as exc:  # pragma: no cover - reported below
            closer_errors.append(exc)

    with live_server(capture, QuietHandler) as server:
        thread = threading.Thread(target=closer, daemon=True)
        thread.start()
        with Connection(server.port, 10.0) as conn:
            conn.send(request("GET", "/stream?id=w&pause=0.001")[0])
            reply = conn.read_reply()
        thread.join(5)
    handed.clear()  # the test's own reference to the body
    assert closer_errors == []
    assert reply.status == 200
    assert 0 < len(reply.body) < MAX_CHUNKS * len(CHUNK)
    assert len(reply.body) % len(CHUNK) == 0  # whole chunks only: nothing torn
    assert_released_once(events, "w")
    assert events.errors == []


def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return lambda data: None


class Driver:
    """Calls the app as a server would and hands out its body iterable."""

    def __init__(self, app: kolba.Kolba, sid: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/stream",
            "QUERY_STRING": f"id={sid}",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
        }
        self.app_iter = app(environ, _start_response)


def test_racing_closes_release_the_context_exactly_once() -> None:
    """Eight threads close the same stream at once while a ninth iterates it."""
    events = Events()
    app = build_app(events)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: provoke races
    try:
        for round_ in range(150):
            sid = f"r{round_}"
            driver = Driver(app, sid)
            iterator = iter(driver.app_iter)
            assert next(iterator) == CHUNK
            barrier = threading.Barrier(9)
            errors: list[BaseException] = []

            def close_it(
                driver: Driver = driver,
                barrier: threading.Barrier = barrier,
                errors: list[BaseException] = errors,
            ) -> None:
                barrier.wait(5)
                try:
                    driver.app_iter.close()
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

            def iterate(
                iterator: Iterator[bytes] = iterator,
                barrier: threading.Barrier = barrier,
                errors: list[BaseException] = errors,
            ) -> None:
                barrier.wait(5)
                try:
                    for _ in iterator:
                        pass
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

            threads = [threading.Thread(target=close_it) for _ in range(8)]
            threads.append(threading.Thread(target=iterate))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)
            assert errors == [], errors
            for what in ("generator closed", "teardown", "app teardown", "on close"):
                assert events.count(sid, what) == 1, (round_, what, dict(events.counts))
    finally:
        sys.setswitchinterval(old_interval)
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None
    assert events.errors == []

"""Concurrency isolation: many clients at once on the threaded dev server, none sees another's
request, session or ``g`` data.

Each client carries its own id in the URL path, a header, a cookie, its session, and (for
every third request) a form body, and reuses one keep-alive connection (reconnecting every
25 requests). The app reads every copy of the id at the start of the view, yields the GIL,
reads them all again, and checks ``g`` in before_request, the view, after_request and
teardown. The client checks the answer and that its session counter went up by exactly one.

The default suite runs 16 clients x 100 requests (the 2-core CI machine). scripts/soak.py
runs the full 64 x 1000 through :func:`run_isolation`; ``KOLBA_SOAK=1`` enables that size
here too.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from reliability_wire import Connection, QuietHandler, live_server

import kolba
from kolba import g, request, session

FULL_CLIENTS = 64
FULL_REQUESTS = 1000


def build_app(problems: list[str]) -> kolba.Kolba:
    """The app under test; any isolation failure it sees is appended to ``problems``."""
    app = kolba.Kolba("isolation_app")
    app.secret_key = "isolation-secret"
    lock = threading.Lock()

    def problem(text: str) -> None:
        with lock:
            problems.append(text)

    def ids() -> dict[str, Any]:
        view_args = request.view_args or {}
        out = {
            "path": view_args.get("cid"),
            "header": request.headers.get("X-Client"),
            "cookie": request.cookies.get("cid"),
            "session": session.get("cid"),
            "g": g.get("cid"),
        }
        if request.method == "POST":
            out["form"] = request.form.get("cid")
        return out

    @app.before_request
    def start() -> None:
        if "cid" in g:
            problem(f"g of a new request already holds {g.cid!r}")
        g.cid = request.headers.get("X-Client")

    @app.route("/c/<cid>/<int:n>", methods=["GET", "POST"])
    def view(cid: str, n: int) -> Any:
        if session.get("cid") is None:
            if session.get("count"):
                problem(f"{cid}: a session with a count but no id: {dict(session)!r}")
            session["cid"] = cid
        first = ids()
        time.sleep(0)  # let the other request threads run in between the two reads
        count = session.get("count", 0) + 1
        session["count"] = count
        second = ids()
        if first != second:
            problem(f"{cid}: the request changed under the view: {first!r} -> {second!r}")
        return {"ids": second, "count": count, "n": n}

    @app.after_request
    def stamp(response: kolba.Response) -> kolba.Response:
        response.headers["X-G"] = g.get("cid") or "-"
        return response

    @app.teardown_request
    def check(exc: BaseException | None) -> None:
        view_args = request.view_args or {}
        if exc is not None:
            problem(f"teardown saw an error: {exc!r}")
        if view_args.get("cid") != g.get("cid"):
            problem(f"teardown: path {view_args.get('cid')!r} but g {g.get('cid')!r}")

    return app


def _session_from(reply_headers: list[tuple[str, str]]) -> str | None:
    for name, value in reply_headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0][len("session=") :]
    return None


@dataclass
class Stats:
    """What one isolation run did."""

    clients: int
    requests: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _client(port: int, cid: str, requests: int, problems: list[str], lock: threading.Lock) -> int:
    """One client: ``requests`` requests with its id everywhere; returns how many it sent."""
    cookie_session: str | None = None
    conn: Connection | None = None
    sent = 0

    def problem(text: str) -> None:
        with lock:
            problems.append(f"client {cid}: {text}")

    try:
        for n in range(requests):
            if conn is None or n % 25 == 0:
                if conn is not None:
                    conn.close()
                conn = Connection(port, 30.0)
            conn.extend(30.0)
            cookies = f"cid={cid}" + (f"; session={cookie_session}" if cookie_session else "")
            post = n % 3 == 2
            body = f"cid={cid}".encode() if post else b""
            head = (
                f"{'POST' if post else 'GET'} /c/{cid}/{n} HTTP/1.1\r\nHost: test\r\n"
                f"X-Client: {cid}\r\nCookie: {cookies}\r\n"
                + (
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n"
                    if post
                    else ""
                )
                + "\r\n"
            ).encode()
            conn.send(head + body)
            reply = conn.read_reply()
            sent += 1
            if reply.status != 200:
                problem(f"request {n}: status {reply.status}: {reply.body[:200]!r}")
                return sent
            data = reply.json()
            expected = {"path": cid, "header": cid, "cookie": cid, "session": cid, "g": cid}
            if post:
                expected["form"] = cid
            if data["ids"] != expected:
                problem(f"request {n}: saw {data['ids']!r}")
            if data["count"] != n + 1 or data["n"] != n:
                problem(f"request {n}: session count {data['count']}, echoed n {data['n']}")
            if reply.header("X-G") != cid:
                problem(f"request {n}: X-G {reply.header('X-G')!r}")
            cookie_session = _session_from(reply.headers) or cookie_session
            if reply.closes:
                conn.close()
                conn = None
    except Exception as exc:
        problem(f"failed after {sent} requests: {type(exc).__name__}: {exc}")
    finally:
        if conn is not None:
            conn.close()
    return sent


def run_isolation(clients: int, requests: int, app: kolba.Kolba | None = None) -> Stats:
    """Run ``clients`` concurrent clients of ``requests`` requests each against a threaded dev
    server on a free 127.0.0.1 port; return the figures and every isolation problem seen.
    """
    problems: list[str] = []
    lock = threading.Lock()
    if app is None:
        app = build_app(problems)
    counts: list[int] = [0] * clients
    with live_server(app, QuietHandler) as server:
        start_line = threading.Barrier(clients + 1)

        def run(index: int) -> None:
            start_line.wait(30)
            counts[index] = _client(server.port, f"c{index:03d}x", requests, problems, lock)

        threads = [
            threading.Thread(target=run, args=(i,), name=f"client-{i}", daemon=True)
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        start_line.wait(30)
        started = time.perf_counter()
        for thread in threads:
            thread.join(max(120.0, requests * 0.5))
        seconds = time.perf_counter() - started
        if any(thread.is_alive() for thread in threads):
            problems.append("some clients did not finish in time (a hang)")
    total = sum(counts)
    if total != clients * requests and not problems:
        problems.append(f"{total} requests answered, {clients * requests} expected")
    return Stats(clients, total, seconds, problems)


def test_concurrent_clients_never_see_each_others_data() -> None:
    stats = run_isolation(16, 100)
    assert stats.problems == []
    assert stats.requests == 16 * 100


@pytest.mark.skipif(
    os.environ.get("KOLBA_SOAK") != "1", reason="full size runs from scripts/soak.py"
)
def test_full_size_isolation() -> None:  # pragma: no cover - soak only
    stats = run_isolation(FULL_CLIENTS, FULL_REQUESTS)
    assert stats.problems == []
    assert stats.requests == FULL_CLIENTS * FULL_REQUESTS


def test_the_checks_can_fail() -> None:
    """An app that keeps the id in a module-level variable (the classic thread-safety bug)
    is caught: the harness detects data crossing between clients.
    """
    leaky = kolba.Kolba("leaky_app")
    shared: dict[str, str] = {}

    @leaky.route("/c/<cid>/<int:n>", methods=["GET", "POST"])
    def view(cid: str, n: int) -> Any:
        shared["cid"] = cid
        time.sleep(0.002)
        seen = shared["cid"]
        keys = ["path", "header", "cookie", "session", "g"]
        if request.method == "POST":
            keys.append("form")
        return {"ids": dict.fromkeys(keys, seen), "count": n + 1, "n": n}, {"X-G": cid}

    stats = run_isolation(4, 15, app=leaky)
    assert any("saw" in problem for problem in stats.problems), stats.problems

"""``async def`` views, hooks and handlers, and the event loop kept per worker thread."""

from __future__ import annotations

import asyncio
import gc
import io
import threading
from typing import Any

import pytest

import kolba
from kolba import Kolba
from kolba.asyncsupport import run_coroutine, thread_loop


class Boom(Exception):
    pass


@pytest.fixture
def app() -> Kolba:
    app = Kolba("kolba_test_async")
    app.secret_key = "async"
    log: list[str] = []
    app.config["LOG"] = log

    @app.before_request
    async def before() -> None:
        await asyncio.sleep(0)
        log.append("before")
        kolba.g.started = True

    @app.after_request
    async def after(response: kolba.Response) -> kolba.Response:
        await asyncio.sleep(0)
        log.append("after")
        response.headers["X-Async-After"] = "yes"
        return response

    @app.teardown_request
    async def teardown(exc: BaseException | None) -> None:
        log.append(f"teardown {type(exc).__name__ if exc else None}")

    @app.teardown_appcontext
    async def teardown_app(exc: BaseException | None) -> None:
        log.append("teardown_app")

    @app.route("/")
    async def index() -> str:
        await asyncio.sleep(0)
        return f"async {kolba.request.path} {kolba.g.started}"

    @app.route("/json/<int:n>")
    async def numbers(n: int) -> dict[str, Any]:
        return {"n": n, "args": kolba.request.args.to_dict()}

    @app.route("/session")
    async def use_session() -> str:
        kolba.session["count"] = kolba.session.get("count", 0) + 1
        return str(kolba.session["count"])

    @app.route("/boom")
    async def boom() -> str:
        raise Boom("async failure")

    @app.route("/crash")
    async def crash() -> str:
        raise ZeroDivisionError

    @app.errorhandler(Boom)
    async def handle_boom(e: Boom) -> tuple[str, int]:
        await asyncio.sleep(0)
        return f"handled {e}", 409

    @app.errorhandler(404)
    async def not_found(e: Exception) -> tuple[str, int]:
        return "async 404", 404

    @app.errorhandler(500)
    async def server_error(e: Any) -> tuple[str, int]:
        return f"async 500 {type(e.original_exception).__name__}", 500

    return app


def test_async_view_and_hooks(app: Kolba) -> None:
    r = app.test_client().get("/")
    assert r.data == b"async / True"
    assert r.headers["X-Async-After"] == "yes"
    assert app.config["LOG"] == ["before", "after", "teardown None", "teardown_app"]


def test_async_view_with_arguments_and_json(app: Kolba) -> None:
    r = app.test_client().get("/json/4?a=b")
    assert r.get_json() == {"n": 4, "args": {"a": "b"}}


def test_async_view_uses_session(app: Kolba) -> None:
    client = app.test_client()
    assert client.get("/session").data == b"1"
    assert client.get("/session").data == b"2"


def test_async_error_handlers(app: Kolba) -> None:
    client = app.test_client()
    r = client.get("/boom")
    assert (r.status_code, r.data) == (409, b"handled async failure")
    r = client.get("/missing")
    assert (r.status_code, r.data) == (404, b"async 404")
    r = client.get("/crash", errors_stream=io.StringIO())
    assert (r.status_code, r.data) == (500, b"async 500 ZeroDivisionError")
    assert r.headers["X-Async-After"] == "yes"


def test_async_exception_propagates_when_testing(app: Kolba) -> None:
    app.testing = True
    with pytest.raises(ZeroDivisionError):
        app.test_client().get("/crash")
    assert "teardown ZeroDivisionError" in app.config["LOG"]


def test_async_before_request_short_circuits() -> None:
    app = Kolba("kolba_test_async_short")

    @app.before_request
    async def gate() -> str:
        return "gated"

    app.add_url_rule("/", "index", lambda: "view")
    assert app.test_client().get("/").data == b"gated"


def test_async_after_this_request() -> None:
    app = Kolba("kolba_test_async_atr")

    @app.route("/")
    async def index() -> str:
        @kolba.after_this_request
        async def stamp(response: kolba.Response) -> kolba.Response:
            response.headers["X-Stamp"] = "1"
            return response

        return "x"

    assert app.test_client().get("/").headers["X-Stamp"] == "1"


def test_async_copy_current_request_context() -> None:
    app = Kolba("kolba_test_async_copy")
    seen: list[str] = []

    @app.route("/")
    def index() -> str:
        @kolba.copy_current_request_context
        async def later() -> None:
            await asyncio.sleep(0)
            seen.append(kolba.request.path)

        thread = threading.Thread(target=later)
        thread.start()
        thread.join()
        return "x"

    app.test_client().get("/")
    assert seen == ["/"]


def test_ensure_sync() -> None:
    app = Kolba("kolba_test_async_ensure")

    def plain() -> str:
        return "plain"

    async def coro(x: int) -> int:
        return x * 2

    assert app.ensure_sync(plain) is plain
    wrapped = app.ensure_sync(coro)
    assert wrapped(21) == 42
    assert wrapped.__name__ == "coro"
    assert wrapped.__wrapped__ is coro  # type: ignore[attr-defined]


def test_async_to_sync_can_be_overridden() -> None:
    calls: list[str] = []

    class MyApp(Kolba):
        def async_to_sync(self, func: Any) -> Any:
            calls.append(func.__name__)
            return super().async_to_sync(func)

    app = MyApp("kolba_test_async_override")

    @app.route("/")
    async def index() -> str:
        return "x"

    assert app.test_client().get("/").data == b"x"
    assert calls == ["index"]


def test_one_event_loop_per_thread_reused_across_requests() -> None:
    """A loop-bound object made in one request works in the next request on that thread."""
    app = Kolba("kolba_test_async_loop")
    state: dict[str, Any] = {}

    @app.route("/make")
    async def make() -> str:
        state["loop"] = asyncio.get_running_loop()
        state["queue"] = asyncio.Queue()
        state["lock"] = asyncio.Lock()
        await state["queue"].put("from the first request")
        await state["lock"].acquire()
        return "made"

    @app.route("/use")
    async def use() -> str:
        same_loop = asyncio.get_running_loop() is state["loop"]
        item = await asyncio.wait_for(state["queue"].get(), timeout=5)
        state["lock"].release()
        async with state["lock"]:
            pass
        return f"{same_loop} {item}"

    client = app.test_client()
    assert client.get("/make").data == b"made"
    assert client.get("/use").data == b"True from the first request"


def test_each_thread_has_its_own_loop() -> None:
    app = Kolba("kolba_test_async_threads")
    loops: dict[str, list[Any]] = {}

    @app.route("/")
    async def index() -> str:
        loops.setdefault(threading.current_thread().name, []).append(asyncio.get_running_loop())
        return "x"

    def worker() -> None:
        client = app.test_client()
        client.get("/")
        client.get("/")

    threads = [threading.Thread(target=worker, name=f"w{i}") for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(loops) == ["w0", "w1", "w2"]
    per_thread = [entry[0] for entry in loops.values()]
    assert all(entry[0] is entry[1] for entry in loops.values())
    assert len({id(loop) for loop in per_thread}) == 3


def test_loop_of_a_finished_thread_is_closed() -> None:
    """Worker threads that end (the threaded dev server makes one per request) must not
    leave an open loop behind.
    """
    app = Kolba("kolba_test_async_thread_end")
    loops: list[asyncio.AbstractEventLoop] = []

    @app.route("/")
    async def index() -> str:
        loops.append(asyncio.get_running_loop())
        return "x"

    thread = threading.Thread(target=lambda: app.test_client().get("/"))
    thread.start()
    thread.join()
    del thread
    gc.collect()
    assert len(loops) == 1
    assert loops[0].is_closed()


def test_thread_loop_replaced_after_close() -> None:
    def in_thread() -> None:
        loop = thread_loop()
        assert thread_loop() is loop
        loop.close()
        fresh = thread_loop()
        assert fresh is not loop
        assert not fresh.is_closed()
        results.append(run_coroutine(asyncio.sleep(0, result="ok")))

    results: list[str] = []
    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert results == ["ok"]


def test_async_view_called_inside_a_running_loop_is_refused() -> None:
    app = Kolba("kolba_test_async_nested")

    @app.route("/")
    async def index() -> str:
        return "x"

    async def call_app_from_async_code() -> Any:
        return app.test_client().get("/")

    app.testing = True
    with pytest.raises(RuntimeError, match="already running an event loop"):
        asyncio.run(call_app_from_async_code())


def test_coroutine_sees_context_variables() -> None:
    app = Kolba("kolba_test_async_ctxvars")

    async def read_path() -> str:
        return kolba.request.path

    with app.test_request_context("/in/context"):
        assert app.ensure_sync(read_path)() == "/in/context"

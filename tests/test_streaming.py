"""Streamed responses: generators as bodies, stream_with_context, and when the request's
teardown runs (once, after the stream ends, whichever thread closes it). BAD_INPUTS 11.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import kolba
from kolba.globals import _cv_app, _cv_request


@pytest.fixture
def app() -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.testing = True
    app.secret_key = "testing"
    return app


@pytest.fixture
def log(app: kolba.Kolba) -> list[Any]:
    events: list[Any] = []

    @app.teardown_request
    def teardown_request(exc: BaseException | None) -> None:
        events.append(("teardown", exc))

    @app.teardown_appcontext
    def teardown_app(exc: BaseException | None) -> None:
        events.append(("teardown_app", exc))

    return events


def environ(path: str = "/", query: str = "", method: str = "GET") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }


class Server:
    """Drives the app as a WSGI server would, one step at a time."""

    def __init__(self, app: kolba.Kolba, env: dict[str, Any]) -> None:
        self.headers: list[tuple[str, str]] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            self.status = status
            self.headers = headers
            return lambda data: None

        self.app_iter = app(env, start_response)
        self.iterator = iter(self.app_iter)

    def next(self) -> bytes:
        return next(self.iterator)

    def rest(self) -> bytes:
        return b"".join(self.iterator)

    def close(self) -> None:
        close = getattr(self.app_iter, "close", None)
        if close is not None:
            close()


def no_context() -> bool:
    return _cv_request.get(None) is None and _cv_app.get(None) is None


# ---------------------------------------------------------------------------------------------
# plain generators


def test_generator_is_streamed_lazily_and_in_order(app: kolba.Kolba) -> None:
    produced: list[str] = []

    @app.route("/")
    def view() -> Any:
        def generate() -> Iterator[str]:
            for part in ("a", "b", "c"):
                produced.append(part)
                yield part

        return generate()

    server = Server(app, environ())
    assert server.status == "200 OK"
    assert ("Content-Type", "text/html; charset=utf-8") in server.headers
    assert all(name != "Content-Length" for name, _ in server.headers)
    assert produced == []
    assert server.next() == b"a"
    assert produced == ["a"]
    assert server.rest() == b"bc"
    server.close()


def test_plain_generator_runs_after_the_request_ended(app: kolba.Kolba, log: list[Any]) -> None:
    @app.route("/")
    def view() -> Any:
        def generate() -> Iterator[str]:
            yield "x"
            yield kolba.request.path

        return generate()

    server = Server(app, environ())
    assert log == [("teardown", None), ("teardown_app", None)]
    assert server.next() == b"x"
    with pytest.raises(RuntimeError, match="request"):
        server.next()
    server.close()


def test_generator_close_is_called_by_the_server(app: kolba.Kolba) -> None:
    closed: list[bool] = []

    @app.route("/")
    def view() -> Any:
        def generate() -> Iterator[str]:
            try:
                yield "a"
                yield "b"
            finally:
                closed.append(True)

        return generate()

    server = Server(app, environ())
    assert server.next() == b"a"
    server.close()
    assert closed == [True]


# ---------------------------------------------------------------------------------------------
# stream_with_context


def _context_view(app: kolba.Kolba, events: list[Any]) -> None:
    @app.route("/")
    def view() -> Any:
        @kolba.stream_with_context
        def generate() -> Iterator[str]:
            try:
                events.append("start")
                yield "Hello "
                yield kolba.request.args["name"]
                yield "!"
                events.append("end")
            finally:
                events.append("generator closed")

        return generate()


def test_request_is_usable_while_streaming(app: kolba.Kolba, log: list[Any]) -> None:
    _context_view(app, log)
    server = Server(app, environ(query="name=World"))
    # Teardown waits for the stream's end, not for the view's return.
    assert log == []
    assert server.next() == b"Hello "
    assert log == ["start"]
    assert server.rest() == b"World!"
    expected = ["start", "end", "generator closed", ("teardown", None), ("teardown_app", None)]
    assert log == expected
    server.close()
    assert log == expected
    assert no_context()


def test_stream_with_context_called_on_a_generator(app: kolba.Kolba) -> None:
    @app.route("/")
    def view() -> Any:
        def generate() -> Iterator[str]:
            yield "Hello "
            yield kolba.request.args["name"]
            yield "!"

        return kolba.Response(kolba.stream_with_context(generate()))

    rv = app.test_client().get("/?name=World")
    assert rv.data == b"Hello World!"
    rv.close()


def test_session_is_usable_while_streaming(app: kolba.Kolba) -> None:
    @app.route("/")
    def view() -> Any:
        kolba.session["test"] = "kolba"

        @kolba.stream_with_context
        def generate() -> Iterator[str]:
            yield kolba.session["test"]

        return generate()

    rv = app.test_client().get("/")
    assert rv.data == b"kolba"
    rv.close()


def test_g_and_current_app_are_usable_while_streaming(app: kolba.Kolba) -> None:
    @app.route("/")
    def view() -> Any:
        kolba.g.value = "from g"

        @kolba.stream_with_context
        def generate() -> Iterator[str]:
            yield kolba.g.value
            yield kolba.current_app.name

        return generate()

    rv = app.test_client().get("/")
    assert rv.data == f"from g{app.name}".encode()
    rv.close()


class ClosingWrapper:
    """An iterator over ``gen`` whose ``close`` records 42 in ``called``."""

    def __init__(self, gen: Iterator[str], called: list[int]) -> None:
        self._gen = gen
        self._called = called

    def __iter__(self) -> ClosingWrapper:
        return self

    def __next__(self) -> str:
        return next(self._gen)

    def close(self) -> None:
        self._called.append(42)


def test_wrapped_iterator_close_is_called(app: kolba.Kolba) -> None:
    called: list[int] = []

    @app.route("/")
    def index() -> Any:
        def generate() -> Iterator[str]:
            yield "Hello "
            yield kolba.request.args["name"]
            yield "!"

        return kolba.Response(kolba.stream_with_context(ClosingWrapper(generate(), called)))

    server = Server(app, environ(query="name=World"))
    assert server.rest() == b"Hello World!"
    server.close()
    assert called == [42]


def test_exhausting_the_stream_finishes_the_request_like_flask(
    app: kolba.Kolba, log: list[Any]
) -> None:
    called: list[int] = []

    @app.route("/")
    def index() -> Any:
        def generate() -> Iterator[str]:
            yield kolba.request.args["name"]

        return kolba.Response(kolba.stream_with_context(ClosingWrapper(generate(), called)))

    rv = app.test_client().get("/?name=World")
    try:
        assert rv.data == b"World"
        assert called == [42]
        assert ("teardown", None) in log
    finally:
        rv.close()


def test_teardown_runs_exactly_once_after_the_stream_ends(app: kolba.Kolba, log: list[Any]) -> None:
    _context_view(app, log)
    server = Server(app, environ(query="name=x"))
    server.rest()
    server.close()
    server.close()
    assert log.count(("teardown", None)) == 1
    assert log.count(("teardown_app", None)) == 1


def test_server_closing_early_from_another_thread(app: kolba.Kolba, log: list[Any]) -> None:
    """BAD_INPUTS 11: the client went away; the server closes the stream elsewhere."""
    _context_view(app, log)
    server = Server(app, environ(query="name=World"))
    assert server.next() == b"Hello "
    contexts_in_thread: list[bool] = []
    errors: list[BaseException] = []

    def close_elsewhere() -> None:
        try:
            server.close()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
        contexts_in_thread.append(no_context())

    thread = threading.Thread(target=close_elsewhere)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert errors == []
    assert contexts_in_thread == [True]
    assert log == ["start", "generator closed", ("teardown", None), ("teardown_app", None)]
    server.close()
    assert log.count(("teardown", None)) == 1
    assert no_context()


def test_stream_iterated_in_another_thread(app: kolba.Kolba, log: list[Any]) -> None:
    _context_view(app, log)
    server = Server(app, environ(query="name=Thread"))
    result: list[bytes] = []
    thread = threading.Thread(target=lambda: (result.append(server.rest()), server.close()))
    thread.start()
    thread.join(timeout=10)
    assert result == [b"Hello Thread!"]
    assert log.count(("teardown", None)) == 1


def test_concurrent_streams_keep_their_own_requests(app: kolba.Kolba) -> None:
    @app.route("/")
    def view() -> Any:
        @kolba.stream_with_context
        def generate() -> Iterator[str]:
            for _ in range(3):
                yield kolba.request.args["who"]

        return generate()

    first = Server(app, environ(query="who=a"))
    second = Server(app, environ(query="who=b"))
    out = [first.next(), second.next(), first.next(), second.next(), first.rest(), second.rest()]
    first.close()
    second.close()
    assert out == [b"a", b"b", b"a", b"b", b"a", b"b"]


def test_error_while_streaming_still_tears_down_once(app: kolba.Kolba, log: list[Any]) -> None:
    @app.route("/")
    def view() -> Any:
        @kolba.stream_with_context
        def generate() -> Iterator[str]:
            yield "ok"
            raise ValueError("broken stream")

        return generate()

    server = Server(app, environ())
    assert server.next() == b"ok"
    with pytest.raises(ValueError, match="broken stream"):
        server.next()
    server.close()
    assert [e for e in log if e[0] == "teardown"] == [("teardown", None)]
    assert no_context()


def test_head_request_of_a_context_stream(app: kolba.Kolba, log: list[Any]) -> None:
    _context_view(app, log)
    server = Server(app, environ(method="HEAD", query="name=x"))
    assert server.rest() == b""
    server.close()
    assert "start" not in log
    assert log.count(("teardown", None)) == 1


def test_stream_replaced_by_another_response_is_closed(app: kolba.Kolba, log: list[Any]) -> None:
    _context_view(app, log)

    @app.after_request
    def replace(response: kolba.Response) -> kolba.Response:
        return kolba.Response("replaced")

    server = Server(app, environ(query="name=x"))
    # The stream will never be sent: the request finishes when the app returns.
    assert log == [("teardown", None), ("teardown_app", None)]
    assert server.rest() == b"replaced"
    server.close()
    assert log.count(("teardown", None)) == 1


def test_after_request_reading_the_body_consumes_the_stream(
    app: kolba.Kolba, log: list[Any]
) -> None:
    _context_view(app, log)
    seen: list[bytes] = []

    @app.after_request
    def peek(response: kolba.Response) -> kolba.Response:
        seen.append(response.get_data())
        return response

    server = Server(app, environ(query="name=x"))
    assert seen == [b"Hello x!"]
    assert server.rest() == b"Hello x!"
    server.close()
    assert log.count(("teardown", None)) == 1


def test_test_client_buffered_finishes_the_request(app: kolba.Kolba, log: list[Any]) -> None:
    _context_view(app, log)
    rv = app.test_client().get("/?name=x", buffered=True)
    assert rv.data == b"Hello x!"
    assert log.count(("teardown", None)) == 1


def test_test_client_unbuffered_finishes_on_close(app: kolba.Kolba, log: list[Any]) -> None:
    _context_view(app, log)
    rv = app.test_client().get("/?name=x")
    assert rv.is_streamed
    assert rv.data == b"Hello x!"
    rv.close()
    assert log.count(("teardown", None)) == 1


def test_async_view_with_stream_with_context(app: kolba.Kolba) -> None:
    @app.route("/")
    async def view() -> Any:
        def generate() -> Iterator[str]:
            yield kolba.request.args["name"]

        return kolba.stream_with_context(generate())

    rv = app.test_client().get("/?name=async")
    assert rv.data == b"async"
    rv.close()


def test_stream_with_context_needs_a_request() -> None:
    def generate() -> Iterator[str]:
        yield "x"

    with pytest.raises(RuntimeError, match="stream_with_context"):
        kolba.stream_with_context(generate())


def test_decorated_function_keeps_its_name() -> None:
    @kolba.stream_with_context
    def my_stream() -> Iterator[str]:
        yield "x"

    assert my_stream.__name__ == "my_stream"  # type: ignore[attr-defined]

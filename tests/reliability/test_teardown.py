"""Every teardown function runs when one of them raises (BAD_INPUTS 11).

tests/test_hooks.py checks the order and the error raised for app-level functions through
the test client. Here: blueprint and app functions together, async ones, any exception type,
a failing ``request_tearing_down`` receiver, the deferred teardown of a streamed response,
uploaded files still closed, and the real threaded server under concurrent requests, which
must answer every request and keep serving.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from reliability_wire import Connection, QuietHandler, live_server, request, wait_for

import kolba
from kolba.globals import _cv_app, _cv_request
from kolba.wsgi import serving


class Boom(Exception):
    pass


class BaseBoom(BaseException):
    """Not an Exception: teardown must still run the others and let it through."""


def build_app(ran: list[str], error: type[BaseException] = Boom) -> kolba.Kolba:
    """An app with four request teardowns (two raising) and two app teardowns (one raising),
    on the app and on a blueprint, async and sync.
    """
    app = kolba.Kolba("teardown_app")
    app.secret_key = "teardown"
    lock = threading.Lock()

    def mark(name: str) -> None:
        with lock:
            ran.append(name)

    bp = kolba.Blueprint("bp", __name__, url_prefix="/bp")

    @app.teardown_request
    def app_last(exc: BaseException | None) -> None:  # registered first: runs last
        mark("app_last")

    @app.teardown_request
    async def app_async(exc: BaseException | None) -> None:
        mark("app_async")

    @app.teardown_request
    def app_raises(exc: BaseException | None) -> None:
        mark("app_raises")
        raise error("app teardown_request failed")

    @bp.teardown_request
    def bp_raises(exc: BaseException | None) -> None:
        mark("bp_raises")
        raise KeyError("blueprint teardown_request failed")

    @bp.teardown_request
    def bp_ok(exc: BaseException | None) -> None:
        mark("bp_ok")

    @app.teardown_appcontext
    def appctx_last(exc: BaseException | None) -> None:
        mark("appctx_last")

    @app.teardown_appcontext
    def appctx_raises(exc: BaseException | None) -> None:
        mark("appctx_raises")
        raise ValueError("teardown_appcontext failed")

    @bp.route("/view", methods=["GET", "POST"])
    def view() -> str:
        kolba.g.seen = kolba.request.args.get("id", "")
        upload = kolba.request.files.get("f")
        if upload is not None:
            kolba.g.upload = upload
        return "view ok"

    @bp.route("/stream")
    def stream() -> Any:
        def generate() -> Iterator[str]:
            yield "a"
            yield kolba.request.args.get("id", "")

        return kolba.stream_with_context(generate())

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    app.register_blueprint(bp)
    return app


BP_ORDER = ["bp_ok", "bp_raises", "app_raises", "app_async", "app_last"]
APPCTX_ORDER = ["appctx_raises", "appctx_last"]


@pytest.mark.parametrize("error", [Boom, KeyError, SystemExit, BaseBoom])
def test_all_run_and_the_first_error_is_raised(error: type[BaseException]) -> None:
    ran: list[str] = []
    app = build_app(ran, error)
    # The blueprint's functions run first (reverse registration), so its KeyError is first.
    with pytest.raises(KeyError, match="blueprint"):
        app.test_client().get("/bp/view")
    assert ran == BP_ORDER + APPCTX_ORDER
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None


@pytest.mark.parametrize("error", [Boom, SystemExit, BaseBoom])
def test_app_only_request_raises_its_error(error: type[BaseException]) -> None:
    ran: list[str] = []
    app = build_app(ran, error)
    with pytest.raises(error, match="app teardown_request"):
        app.test_client().get("/ok")
    assert ran == ["app_raises", "app_async", "app_last", *APPCTX_ORDER]
    assert _cv_request.get(None) is None


def test_a_failing_signal_receiver_does_not_skip_the_rest() -> None:
    ran: list[str] = []
    app = build_app(ran)

    def receiver(sender: Any, **kwargs: Any) -> None:
        ran.append("receiver")
        raise RuntimeError("receiver failed")

    # Which of the two errors comes out is not specified (the receiver's, today); that every
    # function ran is.
    with (
        kolba.request_tearing_down.connected_to(receiver, app),
        pytest.raises((KeyError, RuntimeError)),
    ):
        app.test_client().get("/bp/view")
    assert ran == [*BP_ORDER, "receiver", *APPCTX_ORDER]


def test_uploaded_files_are_closed_when_teardown_raises() -> None:
    ran: list[str] = []
    app = build_app(ran)
    kept: list[Any] = []

    @app.teardown_appcontext
    def keep(exc: BaseException | None) -> None:
        upload = kolba.g.get("upload")
        if upload is not None:
            kept.append(upload)

    data = {"f": (io.BytesIO(b"u" * 700_000), "big.bin")}  # past the spool size: on disk
    with pytest.raises(KeyError):
        app.test_client().post("/bp/view", data=data, content_type="multipart/form-data")
    assert len(kept) == 1
    assert kept[0].stream.closed
    assert ran[: len(BP_ORDER)] == BP_ORDER


def test_deferred_teardown_of_a_stream_runs_them_all() -> None:
    """A streamed response tears down when it ends; the same rule applies there. As in
    Flask, the end of the stream runs the teardown, so its error comes out of the last step
    of the iteration.
    """
    ran: list[str] = []
    app = build_app(ran)
    response = app.test_client().get("/bp/stream?id=s", buffered=False)
    assert ran == []  # the stream still holds the context
    body = iter(response.response)
    assert next(body) == b"a"
    assert next(body) == b"s"
    with pytest.raises(KeyError, match="blueprint"):
        next(body)
    assert ran == BP_ORDER + APPCTX_ORDER
    response.close()  # closing afterwards runs nothing again
    assert ran == BP_ORDER + APPCTX_ORDER


def test_stream_closed_early_runs_them_all() -> None:
    ran: list[str] = []
    app = build_app(ran)
    response = app.test_client().get("/bp/stream?id=s", buffered=False)
    assert next(iter(response.response)) == b"a"
    with pytest.raises(KeyError, match="blueprint"):
        response.close()
    assert ran == BP_ORDER + APPCTX_ORDER
    response.close()
    assert ran == BP_ORDER + APPCTX_ORDER


def test_real_server_answers_and_keeps_serving_under_concurrency() -> None:
    """On the threaded dev server every request runs every teardown once, even though two
    of them raise on every request, and the server keeps answering.

    The error escapes the app, as in Flask: a view's answer becomes a 500; a stream's headers
    are already sent when its teardown fails at the end, so the server cuts the connection
    without the final chunk, telling the client the answer is incomplete.
    """
    ran: list[str] = []
    app = build_app(ran)
    app.logger.disabled = True
    clients, per_client = 8, 20
    outcomes: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()

    def client(index: int, port: int) -> None:
        for n in range(per_client):
            kind = "view" if n % 2 else "stream"
            with Connection(port, 10.0) as conn:
                conn.send(request("GET", f"/bp/{kind}?id={index}-{n}")[0])
                try:
                    outcome = str(conn.read_reply().status)
                except EOFError:
                    outcome = "cut"
                except Exception as exc:  # reported by the assertion below
                    outcome = repr(exc)
            with lock:
                outcomes[(kind, outcome)] += 1

    logger = serving._server_logger()
    disabled = logger.disabled
    logger.disabled = True  # one expected "Error on request" traceback per request
    total = clients * per_client
    try:
        with live_server(app, QuietHandler) as server:
            threads = [
                threading.Thread(target=client, args=(i, server.port)) for i in range(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert wait_for(lambda: ran.count("appctx_last") == total, 10.0)
            with Connection(server.port, 5.0) as conn:
                conn.send(request("GET", "/ok")[0])
                last = conn.read_reply()
    finally:
        logger.disabled = disabled
    assert outcomes == {("view", "500"): total // 2, ("stream", "cut"): total // 2}
    counts = Counter(ran)
    for name in BP_ORDER + APPCTX_ORDER:
        # The blueprint's functions ran for its requests; the app's also for the last /ok.
        assert counts[name] == (total if name.startswith("bp_") else total + 1), (name, counts)
    assert last.status == 500  # /ok is an app route: the app's own teardown still raises

"""The request lifecycle: the order of every hook, short-circuits, teardown, first request."""

from __future__ import annotations

import io
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

import kolba
from kolba import Kolba
from kolba.sessions import SecureCookieSessionInterface


def build_lifecycle_app(module: Any, app_class: Any, log: list[Any]) -> Any:
    """The same app for Flask and kolba, recording every hook in ``log``."""
    app = app_class("kolba_test_hooks_lifecycle")
    app.secret_key = "lifecycle"

    class RecordingSessions(SecureCookieSessionInterface):  # type: ignore[misc]
        def save_session(self, app: Any, session: Any, response: Any) -> None:
            log.append("save_session")
            super().save_session(app, session, response)

    app.session_interface = RecordingSessions()

    @app.url_value_preprocessor
    def pull(endpoint: str | None, values: dict[str, Any] | None) -> None:
        log.append(("url_value_preprocessor", endpoint, dict(values or {})))

    @app.before_request
    def before1() -> None:
        log.append("before1")

    @app.before_request
    def before2() -> None:
        log.append("before2")

    @app.after_request
    def after1(response: Any) -> Any:
        log.append("after1")
        return response

    @app.after_request
    def after2(response: Any) -> Any:
        log.append("after2")
        return response

    @app.teardown_request
    def teardown_request1(exc: BaseException | None) -> None:
        log.append(("teardown_request1", exc))

    @app.teardown_request
    def teardown_request2(exc: BaseException | None) -> None:
        log.append(("teardown_request2", exc))

    @app.teardown_appcontext
    def teardown_app1(exc: BaseException | None) -> None:
        log.append(("teardown_appcontext1", exc))

    @app.teardown_appcontext
    def teardown_app2(exc: BaseException | None) -> None:
        log.append(("teardown_appcontext2", exc))

    @app.route("/item/<int:item_id>")
    def item(item_id: int) -> str:
        log.append("view")
        module.session["seen"] = item_id

        @module.after_this_request
        def this_request(response: Any) -> Any:
            log.append("after_this_request")
            return response

        return f"item {item_id}"

    return app


EXPECTED_ORDER = [
    ("url_value_preprocessor", "item", {"item_id": 3}),
    "before1",
    "before2",
    "view",
    "after_this_request",
    "after2",
    "after1",
    "save_session",
    ("teardown_request2", None),
    ("teardown_request1", None),
    ("teardown_appcontext2", None),
    ("teardown_appcontext1", None),
]


def test_lifecycle_order() -> None:
    log: list[Any] = []
    app = build_lifecycle_app(kolba, Kolba, log)
    r = app.test_client().get("/item/3")
    assert r.data == b"item 3"
    assert log == EXPECTED_ORDER


def test_lifecycle_order_matches_flask() -> None:
    flask = pytest.importorskip("flask")
    logs: list[list[Any]] = []
    for module, app_class in ((flask, flask.Flask), (kolba, Kolba)):
        log: list[Any] = []
        build_lifecycle_app(module, app_class, log).test_client().get("/item/3")
        logs.append(log)
    assert logs[0] == logs[1]


def test_hooks_run_for_routing_errors() -> None:
    log: list[Any] = []
    app = build_lifecycle_app(kolba, Kolba, log)
    r = app.test_client().get("/missing")
    assert r.status_code == 404
    assert log == [
        ("url_value_preprocessor", None, {}),
        "before1",
        "before2",
        "after2",
        "after1",
        "save_session",  # a custom interface saves after every request, as in Flask
        ("teardown_request2", None),
        ("teardown_request1", None),
        ("teardown_appcontext2", None),
        ("teardown_appcontext1", None),
    ]


def test_hooks_for_routing_errors_match_flask() -> None:
    flask = pytest.importorskip("flask")
    logs: list[list[Any]] = []
    for module, app_class in ((flask, flask.Flask), (kolba, Kolba)):
        log: list[Any] = []
        build_lifecycle_app(module, app_class, log).test_client().get("/missing")
        logs.append(log)
    assert logs[0] == logs[1]


def test_url_value_preprocessor_can_pull_values() -> None:
    app = Kolba("kolba_test_hooks_uvp")

    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        assert values is not None
        kolba.g.lang = values.pop("lang")

    @app.route("/<lang>/page")
    def page() -> str:
        return f"page in {kolba.g.lang}"

    assert app.test_client().get("/fr/page").data == b"page in fr"


def test_before_request_short_circuits() -> None:
    app = Kolba("kolba_test_hooks_short")
    log: list[str] = []

    @app.before_request
    def gate() -> Any:
        log.append("gate")
        if kolba.request.args.get("deny"):
            return "denied", 403
        return None

    @app.before_request
    def second() -> None:
        log.append("second")

    @app.after_request
    def after(response: kolba.Response) -> kolba.Response:
        log.append("after")
        response.headers["X-After"] = "yes"
        return response

    @app.route("/")
    def index() -> str:
        log.append("view")
        return "index"

    client = app.test_client()
    r = client.get("/?deny=1")
    assert (r.status_code, r.data, r.headers["X-After"]) == (403, b"denied", "yes")
    assert log == ["gate", "after"]
    log.clear()
    assert client.get("/").data == b"index"
    assert log == ["gate", "second", "view", "after"]


def test_after_request_can_replace_the_response() -> None:
    app = Kolba("kolba_test_hooks_replace")

    @app.after_request
    def replace(response: kolba.Response) -> kolba.Response:
        return kolba.Response("replaced", 202)

    @app.after_request
    def first(response: kolba.Response) -> kolba.Response:
        response.headers["X-First"] = "1"
        return response

    app.add_url_rule("/", "index", lambda: "original")
    r = app.test_client().get("/")
    assert (r.status_code, r.data) == (202, b"replaced")
    assert "X-First" not in r.headers  # the later-registered hook ran first


def test_session_saved_after_after_request() -> None:
    app = Kolba("kolba_test_hooks_session")
    app.secret_key = "s"

    @app.after_request
    def change_session(response: kolba.Response) -> kolba.Response:
        kolba.session["from_after_request"] = True
        return response

    @app.route("/set")
    def set_() -> str:
        return "set"

    @app.route("/get")
    def get() -> str:
        return repr(kolba.session.get("from_after_request"))

    client = app.test_client()
    client.get("/set")
    assert client.get("/get").data == b"True"


def test_after_this_request() -> None:
    app = Kolba("kolba_test_hooks_atr")

    @app.route("/")
    def index() -> str:
        @kolba.after_this_request
        def add_cookie(response: kolba.Response) -> kolba.Response:
            response.set_cookie("visited", "yes")
            return response

        @kolba.after_this_request
        def add_header(response: kolba.Response) -> kolba.Response:
            response.headers["X-Order"] = response.headers.get("X-Order", "") + "b"
            return response

        return "x"

    @app.route("/plain")
    def plain() -> str:
        return "plain"

    client = app.test_client()
    r = client.get("/")
    assert "visited=yes" in r.headers["Set-Cookie"]
    assert r.headers["X-Order"] == "b"
    assert "Set-Cookie" not in client.get("/plain").headers


def test_after_this_request_in_before_request_and_on_errors() -> None:
    app = Kolba("kolba_test_hooks_atr_err")

    @app.before_request
    def before() -> None:
        kolba.after_this_request(_stamp)

    def _stamp(response: kolba.Response) -> kolba.Response:
        response.headers["X-Stamp"] = "1"
        return response

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError

    r = app.test_client().get("/boom", errors_stream=io.StringIO())
    assert r.status_code == 500
    assert r.headers["X-Stamp"] == "1"
    assert app.test_client().get("/missing").headers["X-Stamp"] == "1"


# -- teardown -----------------------------------------------------------------------------------


def test_teardown_receives_the_unhandled_exception() -> None:
    app = Kolba("kolba_test_hooks_teardown_exc")
    seen: list[Any] = []
    app.teardown_request(lambda e: seen.append(("request", e)))
    app.teardown_appcontext(lambda e: seen.append(("app", e)))

    @app.route("/boom")
    def boom() -> str:
        raise ValueError("x")

    @app.route("/abort")
    def abort_() -> str:
        kolba.abort(404)

    client = app.test_client()
    client.get("/boom", errors_stream=io.StringIO())
    assert [(w, type(e)) for w, e in seen] == [("request", ValueError), ("app", ValueError)]
    seen.clear()
    client.get("/abort")  # handled (answered with its page): teardown sees no error
    assert seen == [("request", None), ("app", None)]


def test_teardown_return_value_is_ignored() -> None:
    app = Kolba("kolba_test_hooks_teardown_rv")
    app.teardown_request(lambda e: "ignored")
    app.add_url_rule("/", "index", lambda: "x")
    assert app.test_client().get("/").data == b"x"


class TeardownError(Exception):
    pass


def test_all_teardown_request_functions_run_then_first_error_raised() -> None:
    app = Kolba("kolba_test_hooks_teardown_all")
    ran: list[str] = []

    @app.teardown_request
    def last(exc: BaseException | None) -> None:
        ran.append("last")

    @app.teardown_request
    def fails_second(exc: BaseException | None) -> None:
        ran.append("fails_second")
        raise KeyError("second")

    @app.teardown_request
    def fails_first(exc: BaseException | None) -> None:
        ran.append("fails_first")
        raise TeardownError("first")

    @app.teardown_appcontext
    def app_teardown(exc: BaseException | None) -> None:
        ran.append("app_teardown")

    app.add_url_rule("/", "index", lambda: "x")
    with pytest.raises(TeardownError, match="first"):
        app.test_client().get("/")
    assert ran == ["fails_first", "fails_second", "last", "app_teardown"]


def test_all_teardown_appcontext_functions_run_then_first_error_raised() -> None:
    app = Kolba("kolba_test_hooks_teardown_appctx")
    ran: list[str] = []

    @app.teardown_appcontext
    def second(exc: BaseException | None) -> None:
        ran.append("second")

    @app.teardown_appcontext
    def first(exc: BaseException | None) -> None:
        ran.append("first")
        raise TeardownError("appctx")

    with pytest.raises(TeardownError, match="appctx"), app.app_context():
        pass
    assert ran == ["first", "second"]
    assert not kolba.has_app_context()


def test_request_teardown_error_wins_over_app_teardown_error() -> None:
    app = Kolba("kolba_test_hooks_teardown_both")
    ran: list[str] = []
    signals: list[str] = []

    @app.teardown_request
    def request_fails(exc: BaseException | None) -> None:
        ran.append("request")
        raise TeardownError("request")

    @app.teardown_appcontext
    def app_fails(exc: BaseException | None) -> None:
        ran.append("app")
        raise KeyError("app")

    app.add_url_rule("/", "index", lambda: "x")
    with (
        kolba.request_tearing_down.connected_to(lambda s, **kw: signals.append("req"), app),
        kolba.appcontext_tearing_down.connected_to(lambda s, **kw: signals.append("app"), app),
        pytest.raises(TeardownError, match="request"),
    ):
        app.test_client().get("/")
    assert ran == ["request", "app"]
    assert signals == ["req", "app"]
    assert not kolba.has_request_context()
    assert not kolba.has_app_context()


def test_teardown_errors_in_test_request_context() -> None:
    app = Kolba("kolba_test_hooks_teardown_trc")
    ran: list[str] = []
    app.teardown_request(lambda e: (ran.append("a"), 1 / 0))
    app.teardown_request(lambda e: ran.append("b"))
    with pytest.raises(ZeroDivisionError), app.test_request_context("/"):
        pass
    assert ran == ["b", "a"]
    assert not kolba.has_request_context()


def test_teardown_sees_g_and_request() -> None:
    app = Kolba("kolba_test_hooks_teardown_ctx")
    seen: list[Any] = []

    @app.teardown_request
    def close(exc: BaseException | None) -> None:
        seen.append((kolba.request.path, kolba.g.get("conn")))

    @app.teardown_appcontext
    def close_app(exc: BaseException | None) -> None:
        seen.append(kolba.g.pop("conn", None))

    @app.route("/")
    def index() -> str:
        kolba.g.conn = "db"
        return "x"

    app.test_client().get("/")
    assert seen == [("/", "db"), "db"]


def test_hooks_registered_after_test_request_context_are_used() -> None:
    """A test request context before setup finishes must not freeze the hook lists."""
    app = Kolba("kolba_test_hooks_late_registration")
    app.add_url_rule("/", "index", lambda: "x")
    with app.test_request_context("/"):
        app.preprocess_request()
    log: list[str] = []
    app.before_request(lambda: log.append("before"))
    app.teardown_request(lambda e: log.append("teardown"))

    @app.after_request
    def after(response: kolba.Response) -> kolba.Response:
        log.append("after")
        return response

    app.test_client().get("/")
    assert log == ["before", "after", "teardown"]


def test_preprocess_and_process_response_by_hand() -> None:
    app = Kolba("kolba_test_hooks_by_hand")
    app.before_request(lambda: "from before")

    @app.after_request
    def after(response: kolba.Response) -> kolba.Response:
        response.headers["X-After"] = "1"
        return response

    with app.test_request_context("/"):
        assert app.preprocess_request() == "from before"
        response = app.process_response(app.make_response("x"))
        assert response.headers["X-After"] == "1"


# -- before_first_request -----------------------------------------------------------------------


def test_before_first_request_runs_once() -> None:
    app = Kolba("kolba_test_hooks_bfr")
    calls: list[str] = []

    @app.before_first_request
    def setup() -> None:
        calls.append(kolba.request.path)

    app.add_url_rule("/", "index", lambda: "x")
    app.add_url_rule("/other", "other", lambda: "y")
    client = app.test_client()
    client.get("/")
    client.get("/other")
    client.get("/")
    assert calls == ["/"]


def test_before_first_request_runs_once_with_concurrent_first_requests() -> None:
    app = Kolba("kolba_test_hooks_bfr_threads")
    calls: list[int] = []
    state: dict[str, bool] = {}

    @app.before_first_request
    def slow_setup() -> None:
        calls.append(1)
        time.sleep(0.1)
        state["ready"] = True

    @app.route("/")
    def index() -> str:
        return "ready" if state.get("ready") else "NOT READY"

    barrier = threading.Barrier(6)
    results: list[bytes] = []

    def hit() -> None:
        client = app.test_client()
        barrier.wait()
        results.append(client.get("/").data)

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
    assert results == [b"ready"] * 6


def test_before_first_request_retried_after_failure() -> None:
    app = Kolba("kolba_test_hooks_bfr_fail")
    attempts: list[int] = []

    @app.before_first_request
    def flaky() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("database not up yet")

    app.add_url_rule("/", "index", lambda: "x")
    client = app.test_client()
    assert client.get("/", errors_stream=io.StringIO()).status_code == 500
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
    assert len(attempts) == 2


def test_before_first_request_may_call_the_app() -> None:
    """A warm-up request from inside before_first_request does not deadlock or recurse."""
    app = Kolba("kolba_test_hooks_bfr_warmup")
    calls: list[bytes] = []

    @app.before_first_request
    def warm_up() -> None:
        calls.append(app.test_client().get("/ping").data)

    app.add_url_rule("/ping", "ping", lambda: "pong")
    app.add_url_rule("/", "index", lambda: "x")
    assert app.test_client().get("/").data == b"x"
    assert calls == [b"pong"]


def test_permanent_session_seed_pattern() -> None:
    """``@app.before_first_request def permanent_session(): ...`` from older apps."""
    app = Kolba("kolba_test_hooks_seed")
    app.secret_key = "seed"

    @app.before_first_request
    def permanent_session() -> None:
        kolba.session.permanent = True
        app.permanent_session_lifetime = timedelta(minutes=30)

    @app.route("/login")
    def login() -> str:
        kolba.session["user"] = "ann"
        return "in"

    client = app.test_client()
    before = datetime.now(timezone.utc)
    cookie = client.get("/login").headers["Set-Cookie"]
    assert app.permanent_session_lifetime == timedelta(minutes=30)
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert timedelta(minutes=29) < expires - before < timedelta(minutes=31)
    # The session stays permanent on later requests (it is stored in the cookie).
    assert "Expires=" in client.get("/login").headers["Set-Cookie"]


def test_before_first_request_is_async_capable() -> None:
    app = Kolba("kolba_test_hooks_bfr_async")
    calls: list[str] = []

    @app.before_first_request
    async def setup() -> None:
        calls.append("async setup")

    app.add_url_rule("/", "index", lambda: "x")
    app.test_client().get("/")
    assert calls == ["async setup"]

"""Contexts and the context-bound names: app_context, request contexts, g, the proxies."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import kolba
from kolba import Kolba
from kolba.ctx import AppContext, RequestContext, _AppCtxGlobals
from kolba.exceptions import NotFound
from kolba.globals import _cv_app, _cv_request, app_ctx, request_ctx
from kolba.testing import EnvironBuilder


@pytest.fixture
def app() -> Kolba:
    app = Kolba("kolba_test_ctx")
    app.secret_key = "ctx"

    @app.route("/")
    def index() -> str:
        return "index"

    return app


# -- g --------------------------------------------------------------------------------------------


def test_g_methods(app: Kolba) -> None:
    with app.app_context():
        g = kolba.g
        g.user = "ann"
        assert g.user == "ann"
        assert g.get("user") == "ann"
        assert g.get("missing") is None
        assert g.get("missing", 5) == 5
        assert "user" in g
        assert "missing" not in g
        assert g.setdefault("user", "bob") == "ann"
        assert g.setdefault("lang", "fr") == "fr"
        assert sorted(g) == ["lang", "user"]
        assert g.pop("lang") == "fr"
        assert g.pop("lang", "gone") == "gone"
        with pytest.raises(KeyError):
            g.pop("lang")
        with pytest.raises(AttributeError, match="missing"):
            _ = g.missing
        del g.user
        assert "user" not in g


def test_g_repr(app: Kolba) -> None:
    with app.app_context():
        assert repr(kolba.g) == "<kolba.g of 'kolba_test_ctx'>"
    bare = _AppCtxGlobals()
    assert repr(bare).startswith("<kolba.ctx._AppCtxGlobals object at")


def test_g_is_new_per_request(app: Kolba) -> None:
    seen: list[Any] = []

    @app.route("/g")
    def use_g() -> str:
        seen.append(kolba.g.get("count"))
        kolba.g.count = 1
        return "x"

    client = app.test_client()
    client.get("/g")
    client.get("/g")
    assert seen == [None, None]


def test_g_class_can_be_swapped() -> None:
    class MyGlobals(_AppCtxGlobals):
        def user_name(self) -> str:
            return str(self.get("user", "anon"))

    class MyApp(Kolba):
        app_ctx_globals_class = MyGlobals

    app = MyApp("kolba_test_ctx_g_class")
    with app.app_context():
        assert isinstance(kolba.g._get_current_object(), MyGlobals)  # type: ignore[attr-defined]
        assert kolba.g.user_name() == "anon"  # type: ignore[attr-defined]


# -- proxies outside a context ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("current_app", "application"),
        ("g", "application"),
        ("request", "request"),
        ("session", "request"),
    ],
)
def test_proxies_outside_a_context(name: str, kind: str) -> None:
    proxy = getattr(kolba, name)
    assert not proxy
    assert bool(proxy) is False
    with pytest.raises(RuntimeError, match=f"Working outside of {kind} context"):
        _ = proxy.anything
    with pytest.raises(RuntimeError, match=f"Working outside of {kind} context"):
        proxy._get_current_object()


def test_request_proxies_outside_request_but_inside_app_context(app: Kolba) -> None:
    with app.app_context():
        assert kolba.current_app
        assert not kolba.request
        with pytest.raises(RuntimeError, match="Working outside of request context"):
            _ = kolba.request.path


def test_outside_context_messages_say_how_to_fix() -> None:
    with pytest.raises(RuntimeError) as info:
        _ = kolba.current_app.name
    assert "app.app_context()" in str(info.value)
    with pytest.raises(RuntimeError) as info2:
        _ = kolba.request.args
    assert "test_request_context" in str(info2.value)


def test_get_current_object(app: Kolba) -> None:
    with app.test_request_context("/?x=1"):
        assert kolba.current_app._get_current_object() is app  # type: ignore[attr-defined]
        real_request = kolba.request._get_current_object()  # type: ignore[attr-defined]
        assert type(real_request) is kolba.Request
        assert real_request is _cv_request.get().request
        assert kolba.session._get_current_object() is _cv_request.get().session  # type: ignore[attr-defined]
        # A request context pushed with no app context active is its own app context.
        assert app_ctx._get_current_object() is _cv_request.get()  # type: ignore[attr-defined]
        assert kolba.g._get_current_object() is _cv_request.get().g  # type: ignore[attr-defined]
        assert request_ctx._get_current_object() is _cv_request.get()  # type: ignore[attr-defined]
        # The proxies pass isinstance checks for what they stand for.
        assert isinstance(kolba.request, kolba.Request)
        assert isinstance(kolba.current_app, Kolba)


# -- app_context ------------------------------------------------------------------------------


def test_app_context_as_context_manager(app: Kolba) -> None:
    assert not kolba.has_app_context()
    with app.app_context() as ctx:
        assert isinstance(ctx, AppContext)
        assert kolba.has_app_context()
        assert not kolba.has_request_context()
        assert kolba.current_app._get_current_object() is app  # type: ignore[attr-defined]
        assert kolba.current_app.name == "kolba_test_ctx"
    assert not kolba.has_app_context()


def test_app_context_push_pop(app: Kolba) -> None:
    ctx = app.app_context()
    ctx.push()
    try:
        assert kolba.current_app.name == app.name
        kolba.g.x = 1
    finally:
        ctx.pop()
    assert not kolba.has_app_context()


def test_app_context_pushed_twice_tears_down_once(app: Kolba) -> None:
    torn: list[Any] = []
    app.teardown_appcontext(torn.append)
    ctx = app.app_context()
    with ctx:
        with ctx:
            kolba.g.x = 1
        assert torn == []
        assert kolba.g.x == 1
    assert torn == [None]


def test_app_contexts_of_two_apps_nest(app: Kolba) -> None:
    other = Kolba("kolba_test_ctx_other")
    with app.app_context():
        kolba.g.who = "first"
        with other.app_context():
            assert kolba.current_app.name == "kolba_test_ctx_other"
            assert "who" not in kolba.g
        assert kolba.current_app.name == "kolba_test_ctx"
        assert kolba.g.who == "first"


def test_popping_the_wrong_context_is_an_error(app: Kolba) -> None:
    outer = app.app_context()
    inner = app.app_context()
    outer.push()
    inner.push()
    with pytest.raises(AssertionError, match="reverse order"):
        outer.pop()
    # Clean up what is left: the test must not leak a context.
    while _cv_app.get(None) is not None:
        _cv_app.get().pop()


def test_app_context_teardown_receives_exception(app: Kolba) -> None:
    torn: list[Any] = []
    app.teardown_appcontext(torn.append)
    with pytest.raises(ValueError), app.app_context():
        raise ValueError("inside")
    assert isinstance(torn[0], ValueError)


def test_url_for_in_app_context_uses_server_name(app: Kolba) -> None:
    app.config["SERVER_NAME"] = "example.test"
    with app.app_context():
        assert kolba.url_for("index") == "http://example.test/"


# -- request contexts ------------------------------------------------------------------------------


def test_test_request_context_as_context_manager(app: Kolba) -> None:
    with app.test_request_context("/?q=1") as ctx:
        assert isinstance(ctx, RequestContext)
        assert kolba.has_request_context()
        assert kolba.has_app_context()
        assert kolba.request.path == "/"
        assert kolba.request.args["q"] == "1"
        assert kolba.request.endpoint == "index"
        assert kolba.current_app.name == app.name
    assert not kolba.has_request_context()
    assert not kolba.has_app_context()


def test_test_request_context_push_pop(app: Kolba) -> None:
    ctx = app.test_request_context("/x")
    ctx.push()
    try:
        assert kolba.request.path == "/x"
        assert isinstance(kolba.request.routing_exception, NotFound)
    finally:
        ctx.pop()
    assert not kolba.has_request_context()


def test_test_request_context_arguments(app: Kolba) -> None:
    import io

    errors = io.StringIO()
    with app.test_request_context(
        "/submit?a=1",
        method="POST",
        json={"k": [1, 2]},
        headers={"X-Token": "t"},
        base_url="https://example.test/root",
        environ_overrides={"REMOTE_ADDR": "198.51.100.7"},
        errors_stream=errors,
    ):
        r = kolba.request
        assert r.method == "POST"
        assert r.get_json() == {"k": [1, 2]}
        assert r.headers["X-Token"] == "t"
        assert r.url == "https://example.test/root/submit?a=1"
        assert r.script_root == "/root"
        assert r.remote_addr == "198.51.100.7"
        assert r.environ["wsgi.errors"] is errors
    with app.test_request_context("/", data={"name": "ann"}, method="POST"):
        assert kolba.request.form["name"] == "ann"
    with app.test_request_context("/", url_scheme="https"):
        assert kolba.request.scheme == "https"


def test_test_request_context_subdomain() -> None:
    app = Kolba("kolba_test_ctx_sub", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/", subdomain="<user>")
    def profile(user: str) -> str:
        return user

    with app.test_request_context("/", subdomain="ann"):
        assert kolba.request.host == "ann.example.test"
        assert kolba.request.view_args == {"user": "ann"}


def test_request_context_pushes_app_context_and_reuses_active_one(app: Kolba) -> None:
    with app.test_request_context("/"):
        outer_g = kolba.g._get_current_object()  # type: ignore[attr-defined]
    with app.app_context():
        kolba.g.shared = True
        with app.test_request_context("/"):
            assert kolba.g.shared is True  # the active app context was reused
        assert kolba.has_app_context()
    assert outer_g is not None


def test_request_context_from_environ(app: Kolba) -> None:
    builder = EnvironBuilder(app, "/?who=env", method="PUT")
    environ = builder.get_environ()
    builder.close()
    with app.request_context(environ) as ctx:
        assert ctx.request.environ is environ
        assert kolba.request.method == "PUT"
        assert kolba.request.args["who"] == "env"


def test_request_context_repr(app: Kolba) -> None:
    ctx = app.test_request_context("/path")
    assert repr(ctx) == "<RequestContext 'http://localhost/path' [GET] of kolba_test_ctx>"
    assert repr(app.app_context()) == "<AppContext of 'kolba_test_ctx'>"


def test_request_context_match_request(app: Kolba) -> None:
    with app.test_request_context("/") as ctx:
        ctx.request.url_rule = None
        ctx.match_request()
        assert kolba.request.endpoint == "index"
        assert kolba.request.url_rule is not None


def test_teardown_runs_when_test_request_context_pops(app: Kolba) -> None:
    torn: list[Any] = []
    app.teardown_request(lambda e: torn.append(("request", e)))
    app.teardown_appcontext(lambda e: torn.append(("app", e)))
    with app.test_request_context("/"):
        assert torn == []
    assert torn == [("request", None), ("app", None)]
    torn.clear()
    with pytest.raises(KeyError), app.test_request_context("/"):
        raise KeyError("x")
    assert [(w, type(e)) for w, e in torn] == [("request", KeyError), ("app", KeyError)]


def test_session_is_opened_lazily_with_the_stock_interface(
    app: Kolba, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []
    interface_class = type(app.session_interface)
    stock_open = interface_class.open_session

    def counting_open(self: Any, app: Kolba, request: kolba.Request) -> Any:
        opened.append(1)
        return stock_open(self, app, request)

    monkeypatch.setattr(interface_class, "open_session", counting_open)
    client = app.test_client()
    client.get("/")
    assert opened == []
    with app.test_request_context("/"):
        kolba.session["x"] = 1
        assert kolba.session["x"] == 1
    assert opened == [1]


def test_a_custom_session_interface_is_opened_when_the_context_is_pushed(app: Kolba) -> None:
    opened: list[str] = []

    class CountingSessions(type(app.session_interface)):  # type: ignore[misc]
        def open_session(self, app: Kolba, request: kolba.Request) -> Any:
            opened.append(request.path)
            return super().open_session(app, request)

    app.session_interface = CountingSessions()
    with app.test_request_context("/first"):
        assert opened == ["/first"]
        assert kolba.session.get("x") is None
    assert opened == ["/first"]


# -- helpers that need a request ---------------------------------------------------------------


def test_has_contexts() -> None:
    app = Kolba("kolba_test_ctx_has")
    assert (kolba.has_app_context(), kolba.has_request_context()) == (False, False)
    with app.app_context():
        assert (kolba.has_app_context(), kolba.has_request_context()) == (True, False)
        with app.test_request_context("/"):
            assert (kolba.has_app_context(), kolba.has_request_context()) == (True, True)


def test_copy_current_request_context_in_a_thread(app: Kolba) -> None:
    results: list[Any] = []

    @app.route("/work")
    def work() -> str:
        kolba.g.per_request = "not shared"
        kolba.session["user"] = "ann"

        @kolba.copy_current_request_context
        def in_thread(suffix: str) -> None:
            results.append(
                (
                    kolba.request.path,
                    kolba.request.args.get("x"),
                    kolba.session.get("user"),
                    kolba.g.get("per_request"),
                    kolba.current_app.name,
                    suffix,
                )
            )

        thread = threading.Thread(target=in_thread, args=("!",))
        thread.start()
        thread.join()
        return "done"

    assert app.test_client().get("/work?x=7").data == b"done"
    assert results == [("/work", "7", "ann", None, "kolba_test_ctx", "!")]


def test_copy_current_request_context_keeps_wrapped_name(app: Kolba) -> None:
    with app.test_request_context("/"):

        @kolba.copy_current_request_context
        def named() -> str:
            return kolba.request.path

        assert named.__name__ == "named"
        assert named() == "/"


def test_copy_current_request_context_needs_a_request() -> None:
    with pytest.raises(RuntimeError, match="no request"):
        kolba.copy_current_request_context(lambda: None)


def test_request_context_copy(app: Kolba) -> None:
    with app.test_request_context("/?a=1") as ctx:
        kolba.session["k"] = "v"
        copied = ctx.copy()
    assert copied.request is ctx.request
    with copied:
        assert kolba.request.args["a"] == "1"
        assert kolba.session["k"] == "v"


def test_after_this_request_needs_a_request() -> None:
    with pytest.raises(RuntimeError, match="no request"):
        kolba.after_this_request(lambda r: r)


def test_contexts_are_isolated_between_threads(app: Kolba) -> None:
    seen: list[bool] = []
    with app.test_request_context("/"):
        thread = threading.Thread(target=lambda: seen.append(kolba.has_request_context()))
        thread.start()
        thread.join()
    assert seen == [False]


def test_appcontext_signals(app: Kolba) -> None:
    events: list[tuple[str, Any]] = []
    with (
        kolba.appcontext_pushed.connected_to(lambda s, **kw: events.append(("pushed", s)), app),
        kolba.appcontext_popped.connected_to(lambda s, **kw: events.append(("popped", s)), app),
        app.app_context(),
    ):
        assert events == [("pushed", app)]
    assert events == [("pushed", app), ("popped", app)]

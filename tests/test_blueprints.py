"""Blueprints: scoped and app-wide registrations, mounting options, nesting, name rules,
recorded setup, static and template folders, CLI commands.

Tests taking ``fw`` run the same code on kolba and on Flask 3.1 and expect the same
observable result from both.
"""

from __future__ import annotations

import os
import pathlib
import types
import typing as t

import click
import flask
import pytest

import kolba
from kolba import Blueprint, Kolba
from kolba.blueprints import BlueprintSetupState
from kolba.exceptions import NotFound

Hook = t.Callable[..., t.Any]


@pytest.fixture(params=["kolba", "flask"])
def fw(request: pytest.FixtureRequest) -> types.ModuleType:
    """The framework under test: kolba, or Flask for comparison."""
    return kolba if request.param == "kolba" else flask


def new_app(fw: types.ModuleType, **kwargs: t.Any) -> t.Any:
    app_class = fw.Kolba if fw is kolba else fw.Flask
    return app_class("kolba_test_blueprints", **kwargs)


def rules(app: t.Any) -> dict[str, str]:
    """endpoint -> rule, without the app's static route."""
    return {r.endpoint: r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}


def text(response: t.Any) -> str:
    return response.get_data(as_text=True)  # type: ignore[no-any-return]


# -- the constructor and names ----------------------------------------------------------------


def test_constructor_arguments_shape_the_registration(tmp_path: pathlib.Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "a.txt").write_text("asset")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "p.html").write_text("page {{ where }}")
    bp = Blueprint(
        "shop",
        __name__,
        static_folder="assets",
        static_url_path="/files",
        template_folder="pages",
        url_prefix="/shop",
        subdomain="store",
        root_path=str(tmp_path),
        cli_group="shopping",
    )
    assert (bp.name, bp.import_name, bp.root_path) == ("shop", __name__, str(tmp_path))
    assert bp.static_folder == os.path.join(str(tmp_path), "assets")
    assert (bp.url_prefix, bp.subdomain, bp.cli_group) == ("/shop", "store", "shopping")

    @bp.route("/")
    def index() -> str:
        return kolba.render_template("p.html", where=kolba.request.host)

    @bp.cli.command("stock")
    def stock() -> None:
        click.echo("in stock")

    app = Kolba(__name__, subdomain_matching=True, root_path=str(tmp_path / "none"))
    app.config["SERVER_NAME"] = "example.test"
    app.register_blueprint(bp)
    assert rules(app) == {"shop.index": "/shop/", "shop.static": "/shop/files/<path:filename>"}
    client = app.test_client()
    store = "http://store.example.test"
    assert text(client.get("/shop/", base_url=store)) == "page store.example.test"
    assert client.get("/shop/", base_url="http://example.test").status_code == 404
    with client.get("/shop/files/a.txt", base_url=store) as response:
        assert text(response) == "asset"
    with app.app_context():
        assert kolba.url_for("shop.index") == "http://store.example.test/shop/"
    result = app.test_cli_runner().invoke(args=["shopping", "stock"])
    assert result.output == "in stock\n"


@pytest.mark.parametrize("name", ["", "a.b", ".", "admin."])
def test_blueprint_name_must_be_non_empty_and_dot_free(fw: types.ModuleType, name: str) -> None:
    with pytest.raises(ValueError):
        fw.Blueprint(name, __name__)


def test_bad_name_message_says_what_to_change() -> None:
    with pytest.raises(ValueError, match=r"'api\.v1'.*contains '\.'.*'api_v1'"):
        Blueprint("api.v1", __name__)
    with pytest.raises(ValueError, match="non-empty name"):
        Blueprint("", __name__)


def test_dotted_endpoint_or_view_name_is_refused(fw: types.ModuleType) -> None:
    bp = fw.Blueprint("bp", __name__)
    with pytest.raises(ValueError):
        bp.route("/", endpoint="a.b")(lambda: "")
    with pytest.raises(ValueError):
        bp.add_url_rule("/", endpoint="a.b")

    def view() -> str:
        return ""

    view.__name__ = "a.b"
    with pytest.raises(ValueError):
        bp.add_url_rule("/", view_func=view)
    with pytest.raises(ValueError):
        bp.add_url_rule("/", endpoint="fine", view_func=view)


def test_dotted_endpoint_messages_name_the_blueprint() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match=r"endpoint 'a\.b' of the blueprint 'bp'.*without dots"):
        bp.add_url_rule("/", endpoint="a.b")

    def view() -> str:
        return ""

    view.__name__ = "v.w"
    with pytest.raises(ValueError, match=r"'v\.w'.*Rename the function"):
        bp.add_url_rule("/", view_func=view)


@pytest.mark.parametrize("name", ["", "a.b"])
def test_registration_name_follows_the_same_rule(name: str) -> None:
    # Flask accepts these and builds odd endpoints ("a.b.view" reads as nested); kolba
    # refuses them at registration with the constructor's message.
    app = Kolba(__name__)
    with pytest.raises(ValueError, match="register_blueprint"):
        app.register_blueprint(Blueprint("bp", __name__), name=name)
    assert app.blueprints == {}


def test_repr_names_the_blueprint() -> None:
    assert repr(Blueprint("admin", __name__)) == "<Blueprint 'admin'>"


# -- decorators scoped to the blueprint ---------------------------------------------------------


def test_route_shortcuts_and_add_url_rule_prefix_endpoints(fw: types.ModuleType) -> None:
    bp = fw.Blueprint("bp", __name__)

    @bp.route("/r", methods=["GET", "POST"])
    def r() -> str:
        return f"r {fw.request.method}"

    @bp.get("/g")
    def g() -> str:
        return "g"

    @bp.post("/p")
    def p() -> str:
        return "p"

    @bp.put("/u")
    def u() -> str:
        return "u"

    @bp.delete("/d")
    def d() -> str:
        return "d"

    @bp.patch("/pa")
    def pa() -> str:
        return "pa"

    @bp.route("/named", endpoint="custom")
    def named() -> str:
        return fw.request.endpoint  # type: ignore[no-any-return]

    bp.add_url_rule("/added", view_func=lambda: "added", endpoint="added")
    bp.add_url_rule("/by-name", view_func=g)

    app = new_app(fw)
    app.register_blueprint(bp, url_prefix="/bp")
    assert sorted(
        (r.endpoint, r.rule) for r in app.url_map.iter_rules() if r.endpoint != "static"
    ) == [
        ("bp.added", "/bp/added"),
        ("bp.custom", "/bp/named"),
        ("bp.d", "/bp/d"),
        ("bp.g", "/bp/by-name"),
        ("bp.g", "/bp/g"),
        ("bp.p", "/bp/p"),
        ("bp.pa", "/bp/pa"),
        ("bp.r", "/bp/r"),
        ("bp.u", "/bp/u"),
    ]
    client = app.test_client()
    assert text(client.post("/bp/r")) == "r POST"
    assert text(client.get("/bp/g")) == "g"
    assert text(client.get("/bp/by-name")) == "g"
    assert client.get("/bp/p").status_code == 405
    assert [text(client.post("/bp/p")), text(client.put("/bp/u"))] == ["p", "u"]
    assert [text(client.delete("/bp/d")), text(client.patch("/bp/pa"))] == ["d", "pa"]
    assert text(client.get("/bp/named")) == "bp.custom"
    assert text(client.get("/bp/added")) == "added"


def test_endpoint_decorator_keeps_the_endpoint_as_given(fw: types.ModuleType) -> None:
    # As in Flask, bp.endpoint() names an app endpoint as written (no blueprint prefix):
    # it serves rules added to the url_map directly.
    app = new_app(fw)
    app.url_map.add(app.url_rule_class("/foo", endpoint="bar"))
    bp = fw.Blueprint("bp", __name__)

    @bp.endpoint("bar")
    def bar() -> str:
        return f"bar via {fw.request.endpoint}"

    app.register_blueprint(bp, url_prefix="/bp")
    assert text(app.test_client().get("/foo")) == "bar via bar"


def test_hooks_apply_to_the_blueprints_requests_only(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.before_request
    def before() -> None:
        calls.append("before")

    @bp.after_request
    def after(response: t.Any) -> t.Any:
        response.headers["X-Bp"] = "yes"
        return response

    @bp.teardown_request
    def teardown(exc: BaseException | None) -> None:
        calls.append(f"teardown {exc!r}")

    @bp.route("/in")
    def inside() -> str:
        return "in"

    @app.route("/out")
    def outside() -> str:
        return "out"

    app.register_blueprint(bp, url_prefix="/bp")
    client = app.test_client()
    response = client.get("/out")
    assert (text(response), response.headers.get("X-Bp"), calls) == ("out", None, [])
    response = client.get("/bp/in")
    assert (text(response), response.headers.get("X-Bp")) == ("in", "yes")
    assert calls == ["before", "teardown None"]


def test_before_request_return_value_ends_the_request(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    bp.before_request(lambda: ("stopped", 403))
    bp.add_url_rule("/x", "x", lambda: "view")
    app.register_blueprint(bp)
    response = app.test_client().get("/x")
    assert (response.status_code, text(response)) == (403, "stopped")


def test_errorhandler_is_scoped_to_the_blueprint(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)

    @bp.errorhandler(404)
    def bp_404(e: Exception) -> tuple[str, int]:
        return "bp 404", 404

    @bp.errorhandler(KeyError)
    def bp_key(e: Exception) -> str:
        return f"bp key {e}"

    @bp.route("/missing")
    def missing() -> str:
        fw.abort(404)

    @bp.route("/key")
    def key() -> str:
        raise KeyError("k")

    @app.route("/app-missing")
    def app_missing() -> str:
        fw.abort(404)

    app.register_blueprint(bp, url_prefix="/bp")
    client = app.test_client()
    assert text(client.get("/bp/missing")) == "bp 404"
    assert text(client.get("/bp/key")) == "bp key 'k'"
    # Not the blueprint's: an app view, and a URL that matched nothing (no blueprint).
    assert "bp 404" not in text(client.get("/app-missing"))
    assert "bp 404" not in text(client.get("/bp/nothing-here"))


def test_register_error_handler_on_blueprint(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    bp.register_error_handler(ZeroDivisionError, lambda e: ("divided", 400))
    bp.add_url_rule("/div", "div", lambda: str(1 // 0))
    app.register_blueprint(bp)
    response = app.test_client().get("/div")
    assert (response.status_code, text(response)) == (400, "divided")


def test_context_processor_is_scoped(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    bp.context_processor(lambda: {"who": "bp"})
    app.context_processor(lambda: {"who": "app", "base": "b"})
    template = "{{ who }} {{ base }}"
    bp.add_url_rule("/in", "in", lambda: fw.render_template_string(template))
    app.add_url_rule("/out", "out", lambda: fw.render_template_string(template))
    app.register_blueprint(bp, url_prefix="/bp")
    client = app.test_client()
    assert text(client.get("/bp/in")) == "bp b"
    assert text(client.get("/out")) == "app b"


def test_url_defaults_and_value_preprocessor_are_scoped(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__, url_prefix="/<lang>")

    @bp.url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang", fw.g.lang)

    @bp.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        assert values is not None
        fw.g.lang = values.pop("lang")

    @bp.route("/page")
    def page() -> str:
        return f"{fw.g.lang} {fw.url_for('.page')} {fw.url_for('other')}"

    @app.route("/other")
    def other() -> str:
        return f"other {'lang' in fw.g}"

    app.register_blueprint(bp)
    client = app.test_client()
    assert text(client.get("/fr/page")) == "fr /fr/page /other"
    assert text(client.get("/other")) == "other False"


# -- app-wide variants -------------------------------------------------------------------------


def test_app_wide_hooks_run_for_every_request(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.before_app_request
    def before() -> None:
        calls.append(f"before {fw.request.path}")

    @bp.after_app_request
    def after(response: t.Any) -> t.Any:
        response.headers["X-App-Wide"] = "1"
        return response

    @bp.teardown_app_request
    def teardown(exc: BaseException | None) -> None:
        calls.append("teardown")

    @bp.app_url_value_preprocessor
    def values(endpoint: str | None, view_args: dict[str, t.Any] | None) -> None:
        calls.append(f"values {endpoint}")

    @bp.app_url_defaults
    def defaults(endpoint: str, values: dict[str, t.Any]) -> None:
        if endpoint == "item":
            values.setdefault("id", 7)

    @app.route("/item/<int:id>")
    def item(id: int) -> str:
        return fw.url_for("item")

    app.register_blueprint(bp, url_prefix="/bp")
    response = app.test_client().get("/item/3")
    assert (text(response), response.headers["X-App-Wide"]) == ("/item/7", "1")
    assert calls == ["values item", "before /item/3", "teardown"]


def test_app_errorhandler_catches_errors_anywhere(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)

    @bp.app_errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return "app-wide 404", 404

    @bp.app_errorhandler(ValueError)
    def bad_value(e: Exception) -> tuple[str, int]:
        return f"app-wide {e}", 400

    @app.route("/boom")
    def boom() -> str:
        raise ValueError("boom")

    app.register_blueprint(bp, url_prefix="/bp")
    client = app.test_client()
    assert text(client.get("/nowhere")) == "app-wide 404"
    assert text(client.get("/boom")) == "app-wide boom"


def test_app_context_processor_and_template_helpers(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    bp.app_context_processor(lambda: {"site": "S"})

    @bp.app_template_filter()
    def shout(s: str) -> str:
        return s.upper()

    @bp.app_template_filter("twice")
    def double(s: str) -> str:
        return s * 2

    @bp.app_template_test()
    def even(n: int) -> bool:
        return n % 2 == 0

    @bp.app_template_test("odd_one")
    def odd(n: int) -> bool:
        return n % 2 == 1

    @bp.app_template_global()
    def answer() -> int:
        return 42

    @bp.app_template_global("hello")
    def greet() -> str:
        return "hi"

    bp.add_app_template_filter(str.title, name="title_case")
    bp.add_app_template_test(lambda n: n == 0, name="zero")
    bp.add_app_template_global(lambda: "g", name="glob")
    app.register_blueprint(bp)
    template = (
        "{{ site }} {{ 'a'|shout }} {{ 'b'|twice }} {{ 4 is even }} {{ 3 is odd_one }}"
        " {{ answer() }} {{ hello() }} {{ 'x y'|title_case }} {{ 0 is zero }} {{ glob() }}"
    )
    app.add_url_rule("/", "index", lambda: fw.render_template_string(template))
    assert text(app.test_client().get("/")) == "S A bb True True 42 hi X Y True g"


def test_app_wide_registrations_happen_once_per_blueprint(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    calls: list[str] = []
    bp.before_app_request(lambda: calls.append("app-wide"))
    bp.add_url_rule("/", "index", lambda: "ok")
    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="two")
    app.add_url_rule("/plain", "plain", lambda: "plain")
    app.test_client().get("/plain")
    assert calls == ["app-wide"]


# -- register_blueprint options and URL joining -----------------------------------------------


def test_registration_options_override_constructor_ones(fw: types.ModuleType) -> None:
    app = new_app(fw, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = fw.Blueprint(
        "bp", __name__, url_prefix="/ctor", subdomain="ctor", url_defaults={"a": 1, "b": 2}
    )

    @bp.route("/<int:n>")
    def view(n: int, a: int, b: int) -> str:
        return f"{n} {a} {b}"

    app.register_blueprint(bp, url_prefix="/opt", subdomain="opt", url_defaults={"b": 3})
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == "bp.view"]
    assert (rule.rule, rule.subdomain, rule.defaults) == ("/opt/<int:n>", "opt", {"a": 1, "b": 3})
    client = app.test_client()
    assert text(client.get("/opt/5", base_url="http://opt.example.test")) == "5 1 3"
    assert client.get("/ctor/5", base_url="http://ctor.example.test").status_code == 404
    assert client.get("/opt/5", base_url="http://ctor.example.test").status_code == 404
    with app.app_context():
        assert fw.url_for("bp.view", n=4) == "http://opt.example.test/opt/4"


@pytest.mark.parametrize(
    ("prefix", "rule", "expected"),
    [
        ("/foo/", "//bar", "/foo/bar"),
        ("/foo", "", "/foo"),
        ("/foo/", "", "/foo/"),
        ("/foo", "/bar/", "/foo/bar/"),
        ("/foo", "bar", "/foo/bar"),
        ("/foo//", "/bar", "/foo/bar"),
        ("", "/bar", "/bar"),
        ("/", "/", "/"),
        (None, "/bar", "/bar"),
    ],
)
def test_prefix_and_rule_slashes_are_normalised(
    fw: types.ModuleType, prefix: str | None, rule: str, expected: str
) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    bp.add_url_rule(rule, "view", lambda: "hit")
    app.register_blueprint(bp, url_prefix=prefix)
    assert rules(app) == {"bp.view": expected}
    assert text(app.test_client().get(expected)) == "hit"


def test_a_rules_own_subdomain_and_defaults_win(fw: types.ModuleType) -> None:
    app = new_app(fw, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = fw.Blueprint("bp", __name__, subdomain="bp", url_defaults={"page": 1, "size": 10})
    bp.add_url_rule("/a", "a", lambda **kw: "a")
    bp.add_url_rule("/b", "b", lambda **kw: "b", subdomain="other", defaults={"page": 2})
    app.register_blueprint(bp)
    by_endpoint = {r.endpoint: r for r in app.url_map.iter_rules()}
    assert (by_endpoint["bp.a"].subdomain, by_endpoint["bp.a"].defaults) == (
        "bp",
        {"page": 1, "size": 10},
    )
    assert (by_endpoint["bp.b"].subdomain, by_endpoint["bp.b"].defaults) == (
        "other",
        {"page": 2, "size": 10},
    )


# -- nesting -------------------------------------------------------------------------------------


def nested_app(fw: types.ModuleType) -> tuple[t.Any, t.Any, t.Any]:
    app = new_app(fw)
    parent = fw.Blueprint("parent", __name__)
    child = fw.Blueprint("child", __name__)
    return app, parent, child


def test_nesting_combines_prefixes_and_endpoints(fw: types.ModuleType) -> None:
    app, parent, child = nested_app(fw)
    grandchild = fw.Blueprint("grandchild", __name__, url_prefix="/gc")

    @child.route("/x")
    def x() -> t.Any:
        return fw.jsonify(
            endpoint=fw.request.endpoint,
            blueprint=fw.request.blueprint,
            blueprints=fw.request.blueprints,
            relative=fw.url_for(".x"),
            sibling=fw.url_for(".y"),
            up=fw.url_for("parent.p"),
        )

    child.add_url_rule("/y", "y", lambda: "y")
    parent.add_url_rule("/", "p", lambda: "p")
    grandchild.add_url_rule("/", "z", lambda: fw.jsonify(fw.request.blueprints))
    child.register_blueprint(grandchild)
    parent.register_blueprint(child, url_prefix="/child")
    app.register_blueprint(parent, url_prefix="/parent")
    assert rules(app) == {
        "parent.p": "/parent/",
        "parent.child.x": "/parent/child/x",
        "parent.child.y": "/parent/child/y",
        "parent.child.grandchild.z": "/parent/child/gc/",
    }
    assert list(app.blueprints) == ["parent", "parent.child", "parent.child.grandchild"]
    client = app.test_client()
    assert client.get("/parent/child/x").get_json() == {
        "endpoint": "parent.child.x",
        "blueprint": "parent.child",
        "blueprints": ["parent.child", "parent"],
        "relative": "/parent/child/x",
        "sibling": "/parent/child/y",
        "up": "/parent/",
    }
    assert client.get("/parent/child/gc/").get_json() == [
        "parent.child.grandchild",
        "parent.child",
        "parent",
    ]


@pytest.mark.parametrize(
    ("parent_prefix", "child_prefix", "expected"),
    [
        ("/parent", "/child", "/parent/child/x"),
        ("/parent/", "/child", "/parent/child/x"),
        ("/parent", None, "/parent/x"),
        (None, "/child", "/child/x"),
        (None, None, "/x"),
        ("/parent", "", "/parent/x"),
    ],
)
def test_nested_prefixes_from_constructor_or_options(
    fw: types.ModuleType, parent_prefix: str | None, child_prefix: str | None, expected: str
) -> None:
    for via_constructor in (True, False):
        app = new_app(fw)
        ctor: dict[str, t.Any] = {"url_prefix": child_prefix} if via_constructor else {}
        opts: dict[str, t.Any] = {} if via_constructor else {"url_prefix": child_prefix}
        parent = fw.Blueprint("parent", __name__, url_prefix=parent_prefix)
        child = fw.Blueprint("child", __name__, **ctor)
        child.add_url_rule("/x", "x", lambda: "x")
        parent.register_blueprint(child, **opts)
        app.register_blueprint(parent)
        assert rules(app) == {"parent.child.x": expected}


def test_nested_subdomains_combine(fw: types.ModuleType) -> None:
    app = new_app(fw, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    parent = fw.Blueprint("parent", __name__, subdomain="parent")
    child = fw.Blueprint("child", __name__)
    only_child = fw.Blueprint("only_child", __name__)
    child.add_url_rule("/c", "c", lambda: "child")
    only_child.add_url_rule("/o", "o", lambda: "only child")
    parent.add_url_rule("/p", "p", lambda: "parent")
    parent.register_blueprint(child, subdomain="api")
    parent.register_blueprint(only_child)
    app.register_blueprint(parent)
    client = app.test_client()
    assert text(client.get("/c", base_url="http://api.parent.example.test")) == "child"
    assert text(client.get("/o", base_url="http://parent.example.test")) == "only child"
    assert text(client.get("/p", base_url="http://parent.example.test")) == "parent"
    assert client.get("/c", base_url="http://api.example.test").status_code == 404
    with app.app_context():
        assert fw.url_for("parent.child.c") == "http://api.parent.example.test/c"

    # A subdomain on a child alone, under a parent without one.
    app = new_app(fw, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    parent = fw.Blueprint("parent", __name__)
    child = fw.Blueprint("child", __name__, subdomain="api")
    child.add_url_rule("/c", "c", lambda: "child")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert text(app.test_client().get("/c", base_url="http://api.example.test")) == "child"


def test_error_handlers_bubble_from_child_to_parent_to_app(fw: types.ModuleType) -> None:
    app, parent, child = nested_app(fw)

    class ChildError(Exception):
        pass

    class ParentError(Exception):
        pass

    class AppError(Exception):
        pass

    child.register_error_handler(ChildError, lambda e: "child handled ChildError")
    parent.register_error_handler(ChildError, lambda e: "parent handled ChildError")
    parent.register_error_handler(ParentError, lambda e: "parent handled ParentError")
    app.register_error_handler(ParentError, lambda e: "app handled ParentError")
    app.register_error_handler(AppError, lambda e: "app handled AppError")
    parent.register_error_handler(403, lambda e: ("parent 403", 403))

    def raiser(exc: type[Exception]) -> t.Callable[[], str]:
        def view() -> str:
            raise exc()

        return view

    for exc in (ChildError, ParentError, AppError):
        child.add_url_rule(f"/{exc.__name__}", exc.__name__, raiser(exc))
        parent.add_url_rule(f"/{exc.__name__}", exc.__name__, raiser(exc))
    child.add_url_rule("/forbidden", "forbidden", lambda: fw.abort(403))
    parent.register_blueprint(child, url_prefix="/c")
    app.register_blueprint(parent, url_prefix="/p")
    client = app.test_client()
    assert text(client.get("/p/c/ChildError")) == "child handled ChildError"
    assert text(client.get("/p/c/ParentError")) == "parent handled ParentError"
    assert text(client.get("/p/c/AppError")) == "app handled AppError"
    assert text(client.get("/p/ChildError")) == "parent handled ChildError"
    assert text(client.get("/p/c/forbidden")) == "parent 403"


def test_hooks_run_app_then_parent_then_child(fw: types.ModuleType) -> None:
    app, parent, child = nested_app(fw)
    calls: list[str] = []

    def hooks(scope: t.Any, name: str) -> None:
        scope.url_value_preprocessor(lambda endpoint, values: calls.append(f"values {name}"))
        scope.before_request(lambda: calls.append(f"before {name}"))
        scope.after_request(lambda response: calls.append(f"after {name}") or response)
        scope.teardown_request(lambda exc: calls.append(f"teardown {name}"))

    hooks(app, "app")
    hooks(parent, "parent")
    hooks(child, "child")
    child.add_url_rule("/x", "x", lambda: calls.append("view") or "x")
    parent.add_url_rule("/y", "y", lambda: calls.append("view") or "y")
    parent.register_blueprint(child, url_prefix="/c")
    app.register_blueprint(parent, url_prefix="/p")
    client = app.test_client()
    client.get("/p/c/x")
    assert calls == [
        "values app",
        "values parent",
        "values child",
        "before app",
        "before parent",
        "before child",
        "view",
        "after child",
        "after parent",
        "after app",
        "teardown child",
        "teardown parent",
        "teardown app",
    ]
    calls.clear()
    client.get("/p/y")
    assert "before child" not in calls
    assert calls[:3] == ["values app", "values parent", "before app"]


def test_parent_context_processors_and_url_defaults_reach_children(
    fw: types.ModuleType,
) -> None:
    app, parent, child = nested_app(fw)
    parent.context_processor(lambda: {"who": "parent", "from_parent": "yes"})
    child.context_processor(lambda: {"who": "child"})

    @parent.url_defaults
    def tag(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("tag", "t")

    @child.route("/<tag>")
    def page(tag: str) -> str:
        return fw.render_template_string("{{ who }} {{ from_parent }} ") + fw.url_for(".page")

    parent.register_blueprint(child, url_prefix="/c")
    app.register_blueprint(parent, url_prefix="/p")
    assert text(app.test_client().get("/p/c/z")) == "child yes /p/c/t"


def test_nested_url_defaults_are_not_inherited(fw: types.ModuleType) -> None:
    # As in Flask: a registration's url_defaults apply to its own rules only.
    app, parent, child = nested_app(fw)
    parent.add_url_rule("/p", "p", lambda **kw: "p")
    child.add_url_rule("/c", "c", lambda **kw: "c")
    parent.register_blueprint(child, url_defaults={"child_default": 2})
    app.register_blueprint(parent, url_defaults={"parent_default": 1})
    defaults = {r.endpoint: r.defaults for r in app.url_map.iter_rules()}
    assert defaults["parent.p"] == {"parent_default": 1}
    assert defaults["parent.child.c"] == {"child_default": 2}


def test_one_blueprint_nested_in_two_parents(fw: types.ModuleType) -> None:
    app = new_app(fw)
    shared = fw.Blueprint("shared", __name__)
    shared.add_url_rule("/s", "s", lambda: fw.request.endpoint)
    one = fw.Blueprint("one", __name__, url_prefix="/one")
    two = fw.Blueprint("two", __name__, url_prefix="/two")
    one.register_blueprint(shared)
    two.register_blueprint(shared)
    app.register_blueprint(one)
    app.register_blueprint(two)
    assert rules(app) == {"one.shared.s": "/one/s", "two.shared.s": "/two/s"}
    client = app.test_client()
    assert text(client.get("/one/s")) == "one.shared.s"
    assert text(client.get("/two/s")) == "two.shared.s"


def test_request_blueprint_outside_any_blueprint(fw: types.ModuleType) -> None:
    app = new_app(fw)
    app.add_url_rule(
        "/", "index", lambda: fw.jsonify([fw.request.blueprint, fw.request.blueprints])
    )
    assert app.test_client().get("/").get_json() == [None, []]


# -- registering twice, name clashes, self-registration, the setup guard ----------------------


def test_registering_twice_needs_a_new_name(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    calls: list[str] = []
    bp.before_request(lambda: calls.append(fw.request.blueprint))
    bp.add_url_rule("/", "index", lambda: fw.url_for(".index"))
    app.register_blueprint(bp, url_prefix="/a")
    with pytest.raises(ValueError):
        app.register_blueprint(bp, url_prefix="/b")
    app.register_blueprint(bp, url_prefix="/b", name="alt")
    assert rules(app) == {"bp.index": "/a/", "alt.index": "/b/"}
    assert app.blueprints == {"bp": bp, "alt": bp}
    client = app.test_client()
    assert [text(client.get("/a/")), text(client.get("/b/"))] == ["/a/", "/b/"]
    assert calls == ["bp", "alt"]


def test_the_same_name_on_a_different_blueprint(fw: types.ModuleType) -> None:
    app = new_app(fw)
    app.register_blueprint(fw.Blueprint("bp", __name__))
    with pytest.raises(ValueError):
        app.register_blueprint(fw.Blueprint("bp", __name__))
    other = fw.Blueprint("bp", __name__)
    app.register_blueprint(other, name="bp2")
    assert app.blueprints["bp2"] is other


def test_name_clash_messages_say_how_to_fix_it() -> None:
    app = Kolba(__name__)
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(ValueError, match=r"already registered as 'bp'.*name='\.\.\.'"):
        app.register_blueprint(bp)
    with pytest.raises(ValueError, match=r"a different blueprint \(<Blueprint 'bp'>\).*name="):
        app.register_blueprint(Blueprint("bp", __name__))


def test_nested_names_clash_only_within_their_parent(fw: types.ModuleType) -> None:
    app = new_app(fw)
    parent = fw.Blueprint("parent", __name__)
    parent.register_blueprint(fw.Blueprint("child", __name__))
    parent.register_blueprint(fw.Blueprint("child", __name__))
    with pytest.raises(ValueError):
        app.register_blueprint(parent)

    app = new_app(fw)
    parent = fw.Blueprint("parent", __name__)
    parent.register_blueprint(fw.Blueprint("child", __name__))
    app.register_blueprint(fw.Blueprint("child", __name__))
    app.register_blueprint(parent)
    assert list(app.blueprints) == ["child", "parent", "parent.child"]


def test_a_blueprint_cannot_be_registered_on_itself(fw: types.ModuleType) -> None:
    bp = fw.Blueprint("bp", __name__)
    with pytest.raises(ValueError):
        bp.register_blueprint(bp)


def test_nesting_cycles_are_refused_when_made() -> None:
    a, b, c = Blueprint("a", __name__), Blueprint("b", __name__), Blueprint("c", __name__)
    a.register_blueprint(b)
    b.register_blueprint(c)
    with pytest.raises(ValueError, match=r"cycle \(c -> a -> b -> c\)"):
        c.register_blueprint(a)
    app = Kolba(__name__)
    app.register_blueprint(a)
    assert list(app.blueprints) == ["a", "a.b", "a.b.c"]


def test_blueprint_is_closed_for_setup_once_registered(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    app.register_blueprint(bp)
    late: list[t.Callable[[], t.Any]] = [
        lambda: bp.route("/late")(lambda: ""),
        lambda: bp.add_url_rule("/late", "late", lambda: ""),
        lambda: bp.before_request(lambda: None),
        lambda: bp.errorhandler(404)(lambda e: ""),
        lambda: bp.before_app_request(lambda: None),
        lambda: bp.record(lambda state: None),
        lambda: bp.register_blueprint(fw.Blueprint("child", __name__)),
    ]
    for call in late:
        with pytest.raises(AssertionError):
            call()


def test_setup_guard_message_names_the_method() -> None:
    app = Kolba(__name__)
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(
        AssertionError, match=r"before_request\(\).*'bp'.*before register_blueprint"
    ):
        bp.before_request(lambda: None)


def test_a_nested_blueprint_is_closed_once_its_parent_is_registered() -> None:
    app = Kolba(__name__)
    parent, child = Blueprint("parent", __name__), Blueprint("child", __name__)
    parent.register_blueprint(child)
    child.add_url_rule("/ok", "ok", lambda: "")
    app.register_blueprint(parent)
    with pytest.raises(AssertionError):
        child.add_url_rule("/late", "late", lambda: "")


def test_app_caches_see_a_blueprint_registered_after_a_run(fw: types.ModuleType) -> None:
    # Serving (app.run) reopens registration; hook chains and error handler lookups
    # cached while serving must not hide a blueprint registered afterwards.
    app = new_app(fw)
    app.add_url_rule("/", "index", lambda: "index")
    client = app.test_client()
    client.get("/")
    client.get("/missing")
    app._got_first_request = False
    bp = fw.Blueprint("bp", __name__)
    bp.before_app_request(lambda: None if fw.request.path == "/missing" else "from bp")
    bp.app_errorhandler(404)(lambda e: ("bp's 404", 404))
    app.register_blueprint(bp)
    assert text(client.get("/")) == "from bp"
    assert text(client.get("/missing")) == "bp's 404"


# -- record, record_once and the setup state -------------------------------------------------


def test_record_receives_the_setup_state(fw: types.ModuleType) -> None:
    app = new_app(fw)
    parent = fw.Blueprint("parent", __name__, url_prefix="/p", subdomain="sub")
    child = fw.Blueprint("child", __name__, url_defaults={"x": 1})
    seen: list[dict[str, t.Any]] = []

    def remember(state: t.Any) -> None:
        seen.append(
            {
                "app": state.app is app,
                "blueprint": state.blueprint.name,
                "first_registration": state.first_registration,
                "name": state.name,
                "name_prefix": state.name_prefix,
                "url_prefix": state.url_prefix,
                "subdomain": state.subdomain,
                "url_defaults": state.url_defaults,
                "extra": state.options.get("extra"),
            }
        )
        state.add_url_rule("/rec", "rec", lambda **kw: "recorded")

    child.record(remember)
    parent.register_blueprint(child, url_prefix="/c", url_defaults={"y": 2}, extra="e")
    app.register_blueprint(parent)
    app.register_blueprint(child, name="again")
    assert seen == [
        {
            "app": True,
            "blueprint": "child",
            "first_registration": True,
            "name": "child",
            "name_prefix": "parent",
            "url_prefix": "/p/c",
            "subdomain": "sub",
            "url_defaults": {"x": 1, "y": 2},
            "extra": "e",
        },
        {
            "app": True,
            "blueprint": "child",
            "first_registration": False,
            "name": "again",
            "name_prefix": "",
            "url_prefix": None,
            "subdomain": None,
            "url_defaults": {"x": 1},
            "extra": None,
        },
    ]
    by_endpoint = {r.endpoint: r for r in app.url_map.iter_rules()}
    assert by_endpoint["parent.child.rec"].rule == "/p/c/rec"
    assert by_endpoint["parent.child.rec"].subdomain == "sub"
    assert by_endpoint["again.rec"].rule == "/rec"


def test_record_once_runs_on_the_first_registration_only(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    names: list[str] = []
    bp.record_once(lambda state: names.append(state.name))
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="second")
    new_app(fw).register_blueprint(bp)  # another app: a first registration there
    assert names == ["bp", "bp"]


def test_record_returns_the_function_for_decorator_use() -> None:
    bp = Blueprint("bp", __name__)

    @bp.record
    def setup(state: BlueprintSetupState) -> None:
        pass

    assert setup in bp.deferred_functions


def test_setup_state_attributes_may_be_adjusted_before_adding_rules() -> None:
    # Extensions (flask-restx among them) read and set these attributes themselves.
    app = Kolba(__name__)
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    def setup(state: BlueprintSetupState) -> None:
        state.url_prefix = "/moved"
        state.url_defaults["extra"] = "x"
        state.add_url_rule("/r", "r", lambda **kw: "r")

    bp.record(setup)
    app.register_blueprint(bp)
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == "bp.r"]
    assert (rule.rule, rule.defaults) == ("/moved/r", {"extra": "x"})


def test_make_setup_state_can_be_overridden() -> None:
    class State(BlueprintSetupState):
        def add_url_rule(
            self, rule: str, endpoint: str | None = None, *a: t.Any, **kw: t.Any
        ) -> None:
            super().add_url_rule(rule + "/v2", endpoint, *a, **kw)

    class VersionedBlueprint(Blueprint):
        def make_setup_state(
            self, app: Kolba, options: dict[str, t.Any], first_registration: bool = False
        ) -> BlueprintSetupState:
            return State(self, app, options, first_registration)

    app = Kolba(__name__)
    bp = VersionedBlueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/users", "users", lambda: "users")
    app.register_blueprint(bp)
    assert rules(app) == {"api.users": "/api/users/v2"}


def test_setup_state_built_directly_from_options() -> None:
    app = Kolba(__name__)
    bp = Blueprint("bp", __name__, url_prefix="/ctor", url_defaults={"a": 1})
    state = BlueprintSetupState(bp, app, {"url_prefix": "/opt", "name": "named"}, True)
    assert (state.name, state.name_prefix, state.url_prefix, state.subdomain) == (
        "named",
        "",
        "/opt",
        None,
    )
    state.add_url_rule("/x", view_func=lambda **kw: "x")
    assert rules(app) == {"named.<lambda>": "/opt/x"}


def test_a_subclass_overriding_register_keeps_nesting() -> None:
    registered: list[str] = []

    class Tracking(Blueprint):
        def register(self, app: Kolba, options: dict[str, t.Any]) -> None:
            registered.append(self.name)
            super().register(app, options)

    app = Kolba(__name__)
    parent = Tracking("parent", __name__, url_prefix="/p")
    child = Tracking("child", __name__, url_prefix="/c")
    child.add_url_rule("/x", "x", lambda: "x")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert registered == ["parent", "child"]
    assert rules(app) == {"parent.child.x": "/p/c/x"}


# -- static files, templates, resources --------------------------------------------------------


def test_blueprint_static_folder(fw: types.ModuleType, tmp_path: pathlib.Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.css").write_text("body{}")
    app = new_app(fw, static_folder=None)
    bp = fw.Blueprint("admin", __name__, static_folder="static", root_path=str(tmp_path))
    nested = fw.Blueprint(
        "deep", __name__, static_folder="static", static_url_path="/s", root_path=str(tmp_path)
    )
    bp.register_blueprint(nested, url_prefix="/deep")
    app.register_blueprint(bp, url_prefix="/admin")
    assert rules(app) == {
        "admin.static": "/admin/static/<path:filename>",
        "admin.deep.static": "/admin/deep/s/<path:filename>",
    }
    client = app.test_client()
    response = client.get("/admin/static/app.css")
    assert (response.status_code, text(response)) == (200, "body{}")
    response.close()
    response = client.get("/admin/deep/s/app.css")
    assert text(response) == "body{}"
    response.close()
    assert client.get("/admin/static/missing.css").status_code == 404
    with app.test_request_context():
        assert fw.url_for("admin.static", filename="app.css") == "/admin/static/app.css"
        assert fw.url_for("admin.deep.static", filename="x.js") == "/admin/deep/s/x.js"


def test_no_static_route_without_a_static_folder(fw: types.ModuleType) -> None:
    app = new_app(fw)
    app.register_blueprint(fw.Blueprint("bp", __name__, static_url_path="/s"))
    assert rules(app) == {}


def test_get_send_file_max_age_of_a_blueprint(tmp_path: pathlib.Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.js").write_text("a")

    class LongCache(Blueprint):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 3600 if filename and filename.endswith(".js") else None

    app = Kolba(__name__, static_folder=None)
    app.register_blueprint(
        Blueprint("plain", __name__, static_folder="static", root_path=str(tmp_path)),
        url_prefix="/plain",
    )
    app.register_blueprint(
        LongCache("cached", __name__, static_folder="static", root_path=str(tmp_path)),
        url_prefix="/cached",
    )
    client = app.test_client()
    with client.get("/cached/static/a.js") as response:
        assert "max-age=3600" in response.headers["Cache-Control"]
    with client.get("/plain/static/a.js") as response:
        assert "max-age" not in response.headers.get("Cache-Control", "")
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 60
    with app.app_context():
        assert Blueprint("bp", __name__).get_send_file_max_age("x.js") == 60


def test_blueprint_templates_are_searched_after_the_apps(tmp_path: pathlib.Path) -> None:
    (tmp_path / "app" / "templates").mkdir(parents=True)
    (tmp_path / "app" / "templates" / "shared.html").write_text("app's shared")
    (tmp_path / "bp" / "pages").mkdir(parents=True)
    (tmp_path / "bp" / "pages" / "shared.html").write_text("bp's shared")
    (tmp_path / "bp" / "pages" / "own.html").write_text("bp's own {{ who }}")
    app = Kolba(__name__, root_path=str(tmp_path / "app"))
    bp = Blueprint("bp", __name__, template_folder="pages", root_path=str(tmp_path / "bp"))

    @bp.route("/<name>")
    def page(name: str) -> str:
        return kolba.render_template(f"{name}.html", who="me")

    app.register_blueprint(bp)
    client = app.test_client()
    assert text(client.get("/own")) == "bp's own me"
    assert text(client.get("/shared")) == "app's shared"


def test_open_resource_reads_relative_to_the_blueprint(tmp_path: pathlib.Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "schema.sql").write_text("create table t (é);", encoding="utf-8")
    bp = Blueprint("bp", __name__, root_path=str(tmp_path))
    with bp.open_resource("data/schema.sql") as f:
        assert f.read() == "create table t (é);".encode()
    with bp.open_resource("data/schema.sql", "r") as f:
        assert f.read() == "create table t (é);"
    with pytest.raises(ValueError, match="reading only"):
        bp.open_resource("data/schema.sql", "w")


def test_root_path_defaults_to_the_import_names_folder() -> None:
    bp = Blueprint("bp", __name__)
    assert bp.root_path == os.path.dirname(os.path.abspath(__file__))


# -- relative url_for ------------------------------------------------------------------------


def test_relative_url_for_inside_and_outside_blueprints(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    bp.add_url_rule("/index", "index", lambda: fw.url_for(".index"))
    bp.add_url_rule("/other", "other", lambda: fw.url_for(".index", q=1))
    app.add_url_rule("/index", "index", lambda: fw.url_for(".index"))
    app.register_blueprint(bp, url_prefix="/bp")
    client = app.test_client()
    assert text(client.get("/bp/index")) == "/bp/index"
    assert text(client.get("/bp/other")) == "/bp/index?q=1"
    assert text(client.get("/index")) == "/index"


# -- CLI commands ----------------------------------------------------------------------------


def cli_blueprint(fw: types.ModuleType, **kwargs: t.Any) -> t.Any:
    bp = fw.Blueprint("bp", __name__, **kwargs)

    @bp.cli.command("hello")
    def hello() -> None:
        click.echo("hello from bp")

    return bp


def test_cli_commands_go_in_a_group_named_after_the_blueprint(fw: types.ModuleType) -> None:
    app = new_app(fw)
    app.register_blueprint(cli_blueprint(fw))
    result = app.test_cli_runner().invoke(args=["bp", "hello"])
    assert (result.exit_code, result.output) == (0, "hello from bp\n")


def test_cli_group_named_by_registration_name_or_cli_group(fw: types.ModuleType) -> None:
    app = new_app(fw)
    app.register_blueprint(cli_blueprint(fw), name="renamed")
    assert app.test_cli_runner().invoke(args=["renamed", "hello"]).output == "hello from bp\n"

    app = new_app(fw)
    app.register_blueprint(cli_blueprint(fw, cli_group="tools"))
    assert app.test_cli_runner().invoke(args=["tools", "hello"]).output == "hello from bp\n"

    app = new_app(fw)
    app.register_blueprint(cli_blueprint(fw, cli_group="tools"), cli_group="other")
    assert app.test_cli_runner().invoke(args=["other", "hello"]).output == "hello from bp\n"
    assert "tools" not in app.cli.commands


def test_cli_group_none_merges_into_the_app_group(fw: types.ModuleType) -> None:
    app = new_app(fw)
    app.register_blueprint(cli_blueprint(fw, cli_group=None))
    assert "bp" not in app.cli.commands
    assert app.test_cli_runner().invoke(args=["hello"]).output == "hello from bp\n"

    app = new_app(fw)
    app.register_blueprint(cli_blueprint(fw), cli_group=None)
    assert app.test_cli_runner().invoke(args=["hello"]).output == "hello from bp\n"


def test_a_blueprint_without_commands_adds_no_group(fw: types.ModuleType) -> None:
    app = new_app(fw)
    bp = fw.Blueprint("bp", __name__)
    assert isinstance(bp.cli, click.Group)  # touched, still empty
    app.register_blueprint(bp)
    app.register_blueprint(fw.Blueprint("untouched", __name__))
    assert "bp" not in app.cli.commands
    assert "untouched" not in app.cli.commands


def test_nested_blueprint_cli_group_uses_the_dotted_name(fw: types.ModuleType) -> None:
    app = new_app(fw)
    parent = fw.Blueprint("parent", __name__)
    parent.register_blueprint(cli_blueprint(fw))
    app.register_blueprint(parent)
    assert app.test_cli_runner().invoke(args=["parent.bp", "hello"]).output == "hello from bp\n"


# -- the 404 path does not involve blueprints ------------------------------------------------


def test_unmatched_url_under_a_prefix_is_a_plain_404() -> None:
    app = Kolba(__name__)
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/x", "x", lambda: "x")
    app.register_blueprint(bp, url_prefix="/bp")
    seen: list[t.Any] = []

    @app.errorhandler(NotFound)
    def not_found(e: NotFound) -> tuple[str, int]:
        seen.append(kolba.request.blueprints)
        return "nf", 404

    assert text(app.test_client().get("/bp/y")) == "nf"
    assert seen == [[]]

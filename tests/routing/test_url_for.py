"""url_for: values, query strings, quoting, _external/_scheme/_anchor/_method, SERVER_NAME,
BuildError and its handlers, url_defaults and url_value_preprocessor (parity section 5)."""

from __future__ import annotations

from typing import Any

import pytest

import kolba
from kolba import Kolba, g, request, url_for
from kolba.routing import BuildError


@pytest.fixture
def app() -> Kolba:
    app = Kolba(__name__)

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/user/<name>")
    def user(name: str) -> str:
        return name

    @app.route("/item/<int:item_id>", methods=["GET"])
    def item(item_id: int) -> str:
        return str(item_id)

    @app.route("/item", methods=["POST"])
    def create_item() -> str:
        return "created"

    @app.route("/files/<path:filename>")
    def files(filename: str) -> str:
        return filename

    return app


def test_query_values_lists_and_none(app: Kolba) -> None:
    with app.test_request_context():
        assert url_for("index", q="a b", n=1) == "/?q=a+b&n=1"
        assert url_for("index", tag=["x", "y"]) == "/?tag=x&tag=y"
        assert url_for("index", skip=None) == "/"
        assert url_for("index", uni="ä&=") == "/?uni=%C3%A4%26%3D"
        assert url_for("user", name="ada", next="/a?b") == "/user/ada?next=/a?b"


def test_path_values_are_quoted(app: Kolba) -> None:
    with app.test_request_context():
        assert url_for("user", name="test x") == "/user/test%20x"
        assert url_for("user", name="ä?#%") == "/user/%C3%A4%3F%23%25"
        assert url_for("files", filename="a/b c.txt") == "/files/a/b%20c.txt"


def test_external_and_scheme(app: Kolba) -> None:
    with app.test_request_context("http://example.test/"):
        assert url_for("index", _external=True) == "http://example.test/"
        assert url_for("user", name="x", _scheme="https") == "https://example.test/user/x"
        assert (
            url_for("user", name="x", _scheme="https", _external=True)
            == "https://example.test/user/x"
        )
        with pytest.raises(ValueError, match="_external"):
            url_for("index", _scheme="https", _external=False)


def test_anchor_is_quoted(app: Kolba) -> None:
    with app.test_request_context():
        assert url_for("index", _anchor="x y") == "/#x%20y"
        assert url_for("index", _anchor="a/b?c#d") == "/#a/b?c#d"
        assert url_for("index", _anchor="ä") == "/#%C3%A4"
        assert url_for("index", q="1", _anchor="top") == "/?q=1#top"


def test_method_picks_the_rule(app: Kolba) -> None:
    def item_form() -> str:
        return ""

    app.add_url_rule("/item/new", view_func=item_form, methods=["GET"])
    app.add_url_rule("/item/submit", view_func=item_form, methods=["POST"])
    with app.test_request_context():
        assert url_for("item_form") == "/item/new"
        assert url_for("item_form", _method="GET") == "/item/new"
        assert url_for("item_form", _method="POST") == "/item/submit"
    # During a POST request a rule serving POST is preferred.
    with app.test_request_context(method="POST"):
        assert url_for("item_form") == "/item/submit"


def test_script_root_of_the_request(app: Kolba) -> None:
    with app.test_request_context("/", base_url="http://example.test/mount"):
        assert url_for("user", name="a") == "/mount/user/a"
        assert url_for("index", _external=True) == "http://example.test/mount/"


def test_app_context_needs_server_name(app: Kolba) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_for("index")


def test_app_context_uses_server_name_root_and_scheme(app: Kolba) -> None:
    app.config.update(
        SERVER_NAME="example.test:8080",
        APPLICATION_ROOT="/root",
        PREFERRED_URL_SCHEME="https",
    )
    with app.app_context():
        assert url_for("user", name="x") == "https://example.test:8080/root/user/x"
        assert url_for("user", name="x", _external=False) == "/root/user/x"
        assert url_for("index", _scheme="http") == "http://example.test:8080/root/"


def test_static_endpoint(app: Kolba) -> None:
    with app.test_request_context():
        assert url_for("static", filename="css/site.css") == "/static/css/site.css"
        assert url_for("static", filename="a b.css", v=3) == "/static/a%20b.css?v=3"


def test_url_for_inside_a_view(app: Kolba) -> None:
    @app.route("/links")
    def links() -> str:
        return " ".join([url_for("index"), url_for("item", item_id=2, _external=True)])

    assert app.test_client().get("/links").data == b"/ http://localhost/item/2"


def test_self_value() -> None:
    app = Kolba(__name__)

    @app.route("/<self>")
    def index(self: str) -> str:
        return self

    with app.test_request_context():
        assert url_for("index", self="2") == "/2"


# -- BuildError ------------------------------------------------------------------------------


def test_build_error_says_what_is_missing(app: Kolba) -> None:
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("item")
    message = str(info.value)
    assert "'item_id'" in message
    assert "/item/<int:item_id>" in message
    assert "url_for('item', item_id=...)" in message


def test_build_error_suggests_a_close_endpoint(app: Kolba) -> None:
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("usr", name="x")
    message = str(info.value)
    assert "'usr'" in message
    assert "Did you mean 'user'" in message


def test_build_error_without_close_endpoint_says_how_to_fix(app: Kolba) -> None:
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("zzzzzz")
    assert "Register a view" in str(info.value)


def test_build_error_for_the_wrong_method(app: Kolba) -> None:
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("create_item", _method="GET")
    message = str(info.value)
    assert "POST" in message
    assert "not GET" in message


def test_build_error_for_values_clashing_with_defaults() -> None:
    app = Kolba(__name__)
    app.add_url_rule("/", "feed", lambda **kw: "", defaults={"kind": "all"})
    with app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("feed", kind="news")
    assert "kind='all'" in str(info.value)


def test_converter_value_error_propagates(app: Kolba) -> None:
    with app.test_request_context(), pytest.raises(ValueError, match="item_id"):
        url_for("item", item_id="abc")


def test_url_build_error_handlers(app: Kolba) -> None:
    received: list[tuple[Any, ...]] = []

    def first(error: BuildError, endpoint: str, values: dict[str, Any]) -> str | None:
        received.append((type(error).__name__, endpoint, dict(values)))
        return None

    def second(error: BuildError, endpoint: str, values: dict[str, Any]) -> str:
        if endpoint == "legacy":
            return f"/legacy-fallback/{values['page']}"
        raise error

    app.url_build_error_handlers.extend([first, second])
    with app.test_request_context():
        assert url_for("legacy", page=3, _anchor="a") == "/legacy-fallback/3"
        with pytest.raises(BuildError):
            url_for("other")
    assert received[0] == (
        "BuildError",
        "legacy",
        {"page": 3, "_anchor": "a", "_method": None, "_scheme": None, "_external": False},
    )


def test_build_error_reraised_outside_handlers(app: Kolba) -> None:
    with app.test_request_context():
        try:
            url_for("spam")
        except BuildError as e:
            error = e
    with pytest.raises(BuildError):
        app.handle_url_build_error(error, "spam", {})


# -- url_defaults and url_value_preprocessor ------------------------------------------------------


def test_i18n_lang_code_pattern() -> None:
    app = Kolba(__name__)

    @app.url_defaults
    def add_language_code(endpoint: str, values: dict[str, Any]) -> None:
        if "lang_code" in values or not g.get("lang_code"):
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            values["lang_code"] = g.lang_code

    @app.url_value_preprocessor
    def pull_lang_code(endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.lang_code = values.pop("lang_code", None) if values else None

    @app.route("/<lang_code>/")
    def index() -> str:
        return url_for("about")

    @app.route("/<lang_code>/about")
    def about() -> str:
        return f"about in {g.lang_code}: {url_for('index')}"

    @app.route("/plain")
    def plain() -> str:
        return url_for("plain", x=1)

    client = app.test_client()
    assert client.get("/de/").data == b"/de/about"
    assert client.get("/fr/about").data == b"about in fr: /fr/"
    assert client.get("/plain").data == b"/plain?x=1"


def test_inject_url_defaults(app: Kolba) -> None:
    @app.url_defaults
    def fill(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "user":
            values.setdefault("name", "default-user")

    values: dict[str, Any] = {}
    app.inject_url_defaults("user", values)
    assert values == {"name": "default-user"}
    with app.test_request_context():
        assert url_for("user") == "/user/default-user"
        assert url_for("user", name="x") == "/user/x"


def test_view_args_preprocessor_sees_the_matched_values(app: Kolba) -> None:
    seen: list[Any] = []

    @app.url_value_preprocessor
    def record(endpoint: str | None, values: dict[str, Any] | None) -> None:
        seen.append((endpoint, dict(values or {})))

    app.test_client().get("/item/7")
    assert seen == [("item", {"item_id": 7})]


def test_app_url_for_method(app: Kolba) -> None:
    app.config["SERVER_NAME"] = "example.test"
    with app.app_context():
        assert app.url_for("user", name="a") == "http://example.test/user/a"
        assert kolba.url_for("user", name="a", _external=False) == "/user/a"


def test_request_url_rule_matches_url_for(app: Kolba) -> None:
    with app.test_request_context("/user/zed"):
        assert request.endpoint == "user"
        assert url_for(request.endpoint, **(request.view_args or {})) == "/user/zed"

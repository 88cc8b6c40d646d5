"""Routing through the app: decorators, methods, HEAD/OPTIONS, 404/405, slashes, redirects,
the request attributes routing sets, subdomains and hosts (parity sections 3 and 4)."""

from __future__ import annotations

from typing import Any

import pytest

import kolba
from kolba import Kolba, request
from kolba.routing import Map, Rule
from kolba.routing.exceptions import RequestRedirect
from kolba.sansio.exceptions import MethodNotAllowed, NotFound


@pytest.fixture
def app() -> Kolba:
    return Kolba(__name__)


# -- decorators and registration ----------------------------------------------------------


def test_route_defaults_to_get(app: Kolba) -> None:
    @app.route("/")
    def index() -> str:
        return "index"

    client = app.test_client()
    assert client.get("/").data == b"index"
    assert client.post("/").status_code == 405
    rule = next(app.url_map.iter_rules("index"))
    assert rule.methods == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("verb", ["get", "post", "put", "delete", "patch"])
def test_method_shortcuts(app: Kolba, verb: str) -> None:
    decorator = getattr(app, verb)

    @decorator("/thing")
    def thing() -> str:
        return f"{request.method} thing"

    client = app.test_client()
    assert client.open("/thing", method=verb.upper()).data == f"{verb.upper()} thing".encode()
    other = "PUT" if verb != "put" else "POST"
    response = client.open("/thing", method=other)
    assert response.status_code == 405
    assert verb.upper() in response.headers["Allow"]


@pytest.mark.parametrize("verb", ["get", "post", "put", "delete", "patch"])
def test_shortcuts_refuse_methods_argument(app: Kolba, verb: str) -> None:
    with pytest.raises(TypeError, match="route"):
        getattr(app, verb)("/x", methods=["POST"])


def test_string_methods_raise_type_error(app: Kolba) -> None:
    with pytest.raises(TypeError, match="list"):
        app.add_url_rule("/x", "x", lambda: "x", methods="GET POST")
    with pytest.raises(TypeError):

        @app.route("/y", methods="POST")
        def y() -> str:
            return "y"


def test_methods_are_upper_cased(app: Kolba) -> None:
    @app.route("/m", methods=["post", "Put"])
    def m() -> str:
        return request.method

    client = app.test_client()
    assert client.post("/m").data == b"POST"
    assert client.put("/m").data == b"PUT"
    assert client.get("/m").status_code == 405


def test_view_function_methods_attributes(app: Kolba) -> None:
    def submit() -> str:
        return request.method

    submit.methods = ["post"]  # type: ignore[attr-defined]
    submit.required_methods = ["PUT"]  # type: ignore[attr-defined]
    app.add_url_rule("/submit", view_func=submit)
    client = app.test_client()
    assert client.post("/submit").data == b"POST"
    assert client.put("/submit").data == b"PUT"
    assert client.get("/submit").status_code == 405


def test_endpoint_defaults_to_function_name(app: Kolba) -> None:
    @app.route("/a")
    def my_view() -> str:
        return "a"

    @app.route("/b", endpoint="custom")
    def other() -> str:
        return "b"

    assert set(app.view_functions) >= {"my_view", "custom"}
    assert [r.endpoint for r in app.url_map.iter_rules() if r.rule in ("/a", "/b")] == [
        "my_view",
        "custom",
    ]


def test_add_url_rule_with_view_func(app: Kolba) -> None:
    def hello() -> str:
        return "hi"

    app.add_url_rule("/hello", view_func=hello)
    assert app.test_client().get("/hello").data == b"hi"
    assert app.url_map.is_endpoint_expecting("hello") is True


def test_overwriting_an_endpoint_raises(app: Kolba) -> None:
    @app.route("/one")
    def view() -> str:
        return "one"

    def another() -> str:
        return "two"

    with pytest.raises(AssertionError) as info:
        app.add_url_rule("/two", "view", another)
    # kolba's own wording: it names the endpoint and how to resolve the clash.
    assert "'view'" in str(info.value)
    assert "endpoint=" in str(info.value)
    # The same function under the same endpoint again is fine (stacked routes).
    app.add_url_rule("/three", "view", view)
    assert app.test_client().get("/three").data == b"one"


def test_stacked_routes_with_defaults(app: Kolba) -> None:
    @app.route("/", defaults={"page": 1})
    @app.route("/page/<int:page>")
    def listing(page: int) -> str:
        return f"page {page}"

    client = app.test_client()
    assert client.get("/").data == b"page 1"
    assert client.get("/page/3").data == b"page 3"
    # /page/1 is the default's URL: it redirects to the canonical "/".
    response = client.get("/page/1?sort=asc")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/?sort=asc"
    with app.test_request_context():
        assert kolba.url_for("listing") == "/"
        assert kolba.url_for("listing", page=1) == "/"
        assert kolba.url_for("listing", page=2) == "/page/2"


def test_endpoint_decorator_binds_raw_rules(app: Kolba) -> None:
    app.url_map.add(Rule("/raw/<int:n>", endpoint="raw"))

    @app.endpoint("raw")
    def raw(n: int) -> str:
        return f"raw {n} {request.method}"

    client = app.test_client()
    assert client.get("/raw/7").data == b"raw 7 GET"
    # A raw Rule without methods answers every method.
    assert client.delete("/raw/7").data == b"raw 7 DELETE"


def test_iter_rules_and_is_endpoint_expecting(app: Kolba) -> None:
    @app.route("/u/<int:uid>/<name>")
    def user(uid: int, name: str) -> str:
        return ""

    rules = list(app.url_map.iter_rules())
    assert [r.rule for r in rules] == ["/static/<path:filename>", "/u/<int:uid>/<name>"]
    assert rules[1].endpoint == "user"
    assert rules[1].arguments == {"uid", "name"}
    assert app.url_map.is_endpoint_expecting("user", "uid")
    assert app.url_map.is_endpoint_expecting("user", "uid", "name")
    assert not app.url_map.is_endpoint_expecting("user", "page")
    assert not app.url_map.is_endpoint_expecting("missing", "uid")


def test_url_map_attributes(app: Kolba) -> None:
    url_map = app.url_map
    assert isinstance(url_map, Map)
    assert url_map.strict_slashes is True
    assert url_map.merge_slashes is True
    assert url_map.host_matching is False
    assert url_map.default_subdomain == ""
    assert "int" in url_map.converters


# -- HEAD, OPTIONS, 404, 405 ------------------------------------------------------------------


def test_automatic_head_drops_body_keeps_headers(app: Kolba) -> None:
    @app.route("/")
    def index() -> str:
        return "hello world"

    client = app.test_client()
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == "11"
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_automatic_options_lists_methods_of_every_rule(app: Kolba) -> None:
    @app.route("/res", methods=["GET", "POST"])
    def read() -> str:
        return ""

    @app.route("/res", methods=["DELETE"])
    def remove() -> str:
        return ""

    response = app.test_client().options("/res")
    assert response.status_code == 200
    assert response.data == b""
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "POST", "DELETE", "OPTIONS"}


def test_provide_automatic_options_false_kwarg(app: Kolba) -> None:
    @app.route("/x", provide_automatic_options=False)
    def x() -> str:
        return "x"

    response = app.test_client().options("/x")
    assert response.status_code == 405
    assert "OPTIONS" not in response.headers["Allow"]


def test_provide_automatic_options_view_attribute(app: Kolba) -> None:
    def x() -> str:
        return "x"

    x.provide_automatic_options = False  # type: ignore[attr-defined]
    app.add_url_rule("/x", view_func=x)
    assert app.test_client().options("/x").status_code == 405


def test_provide_automatic_options_config(app: Kolba) -> None:
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False

    @app.route("/x")
    def x() -> str:
        return "x"

    assert app.test_client().options("/x").status_code == 405


@pytest.mark.parametrize("methods", [["GET", "OPTIONS"], ["get", "options"]])
def test_listed_options_is_handled_by_the_view(app: Kolba, methods: list[str]) -> None:
    @app.route("/x", methods=methods)
    def x() -> str:
        return f"view saw {request.method}"

    response = app.test_client().options("/x")
    assert response.status_code == 200
    assert response.data == b"view saw OPTIONS"


def test_405_has_sorted_allow_header(app: Kolba) -> None:
    @app.route("/x", methods=["POST", "GET"])
    def x() -> str:
        return "x"

    response = app.test_client().put("/x")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_unknown_url_gives_404(app: Kolba) -> None:
    @app.route("/known")
    def known() -> str:
        return ""

    client = app.test_client()
    assert client.get("/unknown").status_code == 404
    assert client.post("/unknown").status_code == 404


def test_converter_failure_gives_404(app: Kolba) -> None:
    @app.route("/items/<int:item_id>")
    def item(item_id: int) -> str:
        return str(item_id)

    client = app.test_client()
    assert client.get("/items/42").data == b"42"
    assert client.get("/items/x").status_code == 404
    assert client.get("/items/-1").status_code == 404
    assert client.get("/items/" + "9" * 5000).status_code == 404


def test_non_ascii_paths(app: Kolba) -> None:
    @app.route("/киртест")
    def cyrillic() -> str:
        return "static ок"

    @app.route("/слово/<word>")
    def word(word: str) -> str:
        return word

    client = app.test_client()
    assert client.get("/киртест").data == "static ок".encode()
    assert client.get("/%D0%BA%D0%B8%D1%80%D1%82%D0%B5%D1%81%D1%82").status_code == 200
    assert client.get("/слово/привет").data == "привет".encode()
    with app.test_request_context():
        assert kolba.url_for("cyrillic") == "/%D0%BA%D0%B8%D1%80%D1%82%D0%B5%D1%81%D1%82"
        assert kolba.url_for("word", word="ё") == "/%D1%81%D0%BB%D0%BE%D0%B2%D0%BE/%D1%91"


# -- slashes --------------------------------------------------------------------------------


def test_strict_slashes_redirect_with_absolute_location_and_query(app: Kolba) -> None:
    @app.route("/folder/")
    def folder() -> str:
        return "folder"

    client = app.test_client()
    response = client.get("/folder?a=1&b=%20x")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/folder/?a=1&b=%20x"
    assert client.get("/folder/").data == b"folder"


def test_strict_slash_redirect_keeps_post_body(app: Kolba) -> None:
    @app.route("/form/", methods=["POST"])
    def form() -> str:
        return request.form["name"]

    client = app.test_client()
    response = client.post("/form", data={"name": "ada"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.data == b"ada"


def test_leaf_rule_requested_with_slash_is_404(app: Kolba) -> None:
    @app.route("/file")
    def file() -> str:
        return "file"

    client = app.test_client()
    assert client.get("/file").status_code == 200
    assert client.get("/file/").status_code == 404


def test_strict_slashes_false_serves_both_ways(app: Kolba) -> None:
    @app.route("/leaf", strict_slashes=False)
    def leaf() -> str:
        return "leaf"

    @app.route("/branch/", strict_slashes=False)
    def branch() -> str:
        return "branch"

    client = app.test_client()
    for url, body in [
        ("/leaf", b"leaf"),
        ("/leaf/", b"leaf"),
        ("/branch/", b"branch"),
        ("/branch", b"branch"),
    ]:
        response = client.get(url)
        assert (response.status_code, response.data) == (200, body), url


def test_map_wide_strict_slashes_false(app: Kolba) -> None:
    app.url_map.strict_slashes = False

    @app.route("/a/")
    def a() -> str:
        return "a"

    assert app.test_client().get("/a").data == b"a"


def test_merge_slashes_redirects(app: Kolba) -> None:
    @app.route("/a/b")
    def ab() -> str:
        return "ab"

    @app.route("/dir/sub/")
    def sub() -> str:
        return "sub"

    client = app.test_client()
    response = client.get("/a//b?q=1")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/a/b?q=1"
    response = client.get("/dir///sub")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/dir/sub/"


def test_merge_slashes_off_per_rule(app: Kolba) -> None:
    @app.route("/a/b", merge_slashes=False)
    def ab() -> str:
        return "ab"

    assert app.test_client().get("/a//b").status_code == 404


def test_path_converter_keeps_double_slashes(app: Kolba) -> None:
    @app.route("/files/<path:name>")
    def files(name: str) -> str:
        return name

    assert app.test_client().get("/files/a//b").data == b"a//b"


@pytest.mark.parametrize(
    "path_info",
    [
        "//evil.example/x",
        "//evil.example/x/",
        "///evil.example/x",
        "/\\evil.example/x",
        "//evil.example",
        "/x//evil.example",
        "/http://evil.example/x",
    ],
)
def test_redirects_never_leave_the_origin(app: Kolba, path_info: str) -> None:
    @app.route("/<path:anything>/")
    def anything(anything: str) -> str:
        return anything

    @app.route("/x/")
    def x() -> str:
        return "x"

    @app.route("/evil.example")
    def evil() -> str:
        return "evil"

    response = app.test_client().get("/", environ_overrides={"PATH_INFO": path_info})
    location = response.headers.get("Location")
    if location is not None:
        assert location.startswith("http://localhost/"), location


def test_leading_double_slash_is_one_slash(app: Kolba) -> None:
    @app.route("/y")
    def y() -> str:
        return "y"

    response = app.test_client().get("/", environ_overrides={"PATH_INFO": "//y"})
    assert (response.status_code, response.data) == (200, b"y")


# -- redirect_to ----------------------------------------------------------------------------


def test_redirect_to_string_with_placeholders(app: Kolba) -> None:
    @app.route("/new/<int:item_id>/<slug>")
    def new(item_id: int, slug: str) -> str:
        return f"{item_id} {slug}"

    app.add_url_rule("/old/<int:item_id>/<slug>", "old", redirect_to="/new/<item_id>/<slug>")
    client = app.test_client()
    response = client.get("/old/5/a%20b?dropped=1")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/new/5/a%20b"
    assert client.get(response.headers["Location"]).data == b"5 a b"


def test_redirect_to_relative_string_is_under_the_root(app: Kolba) -> None:
    app.add_url_rule("/some/deep/old/<slug>", "old", redirect_to="foo/<slug>")
    response = app.test_client().get("/some/deep/old/x")
    assert response.headers["Location"] == "http://localhost/foo/x"


def test_redirect_to_callable(app: Kolba) -> None:
    seen: list[Any] = []

    def target(adapter: Any, item_id: int) -> str:
        seen.append((type(adapter).__name__, item_id))
        return f"/items/{item_id * 2}"

    app.add_url_rule("/legacy/<int:item_id>", "legacy", redirect_to=target)
    response = app.test_client().get("/legacy/21")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/items/42"
    assert seen == [("MapAdapter", 21)]


def test_redirect_to_absolute_url(app: Kolba) -> None:
    app.add_url_rule("/elsewhere", "elsewhere", redirect_to="https://example.org/docs")
    response = app.test_client().get("/elsewhere")
    assert response.headers["Location"] == "https://example.org/docs"


def test_redirect_to_unknown_placeholder_fails_at_registration(app: Kolba) -> None:
    with pytest.raises(ValueError, match="slug"):
        app.add_url_rule("/old/<int:item_id>", "old", redirect_to="/new/<slug>")


# -- what routing leaves on the request --------------------------------------------------------


def test_request_routing_attributes(app: Kolba) -> None:
    @app.route("/user/<int:uid>")
    def user(uid: int) -> str:
        assert request.url_rule is not None
        assert request.url_rule.rule == "/user/<int:uid>"
        assert request.endpoint == "user"
        assert request.view_args == {"uid": uid}
        assert request.routing_exception is None
        return "ok"

    assert app.test_client().get("/user/3").data == b"ok"


def test_routing_exception_is_stored_not_raised(app: Kolba) -> None:
    @app.route("/only-post", methods=["POST"])
    def only_post() -> str:
        return ""

    @app.route("/dir/")
    def directory() -> str:
        return ""

    with app.test_request_context("/nowhere"):
        assert request.url_rule is None
        assert request.endpoint is None
        assert isinstance(request.routing_exception, NotFound)
    with app.test_request_context("/only-post"):
        exc = request.routing_exception
        assert isinstance(exc, MethodNotAllowed)
        assert list(exc.valid_methods or ()) == ["OPTIONS", "POST"]
    with app.test_request_context("/dir"):
        exc = request.routing_exception
        assert isinstance(exc, RequestRedirect)
        assert exc.new_url == "http://localhost/dir/"


def test_errorhandler_sees_routing_errors(app: Kolba) -> None:
    @app.errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return f"missing {request.path}", 404

    @app.errorhandler(405)
    def not_allowed(e: Exception) -> tuple[str, int]:
        return "wrong method", 405

    @app.route("/x")
    def x() -> str:
        return ""

    client = app.test_client()
    assert client.get("/nope").data == b"missing /nope"
    assert client.post("/x").data == b"wrong method"


def test_converter_to_python_sees_the_request_context(app: Kolba) -> None:
    from kolba.routing import BaseConverter

    class Echo(BaseConverter):
        def to_python(self, value: str) -> str:
            return f"{value}:{request.args.get('tag', '-')}:{request.method}"

    app.url_map.converters["echo"] = Echo

    @app.route("/e/<echo:v>")
    def e(v: str) -> str:
        return v

    assert app.test_client().get("/e/z?tag=t").data == b"z:t:GET"


def test_self_as_view_argument(app: Kolba) -> None:
    @app.route("/<self>")
    def index(self: str) -> str:
        return self

    assert app.test_client().get("/2").data == b"2"
    with app.test_request_context():
        assert kolba.url_for("index", self="2") == "/2"


# -- subdomains and hosts ---------------------------------------------------------------------


@pytest.fixture
def sub_app() -> Kolba:
    app = Kolba(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/", subdomain="<user>")
    def user_home(user: str) -> str:
        return f"home of {user}"

    @app.route("/api", subdomain="api")
    def api() -> str:
        return "api"

    @app.route("/posts/<int:n>", subdomain="<user>")
    def post(user: str, n: int) -> str:
        return f"{user} post {n}"

    return app


def test_subdomain_matching(sub_app: Kolba) -> None:
    client = sub_app.test_client()
    cases = [
        ("http://example.test/", 200, b"index"),
        ("http://bob.example.test/", 200, b"home of bob"),
        ("http://BOB.Example.Test/", 200, b"home of bob"),
        ("http://api.example.test/api", 200, b"api"),
        ("http://bob.example.test/posts/3", 200, b"bob post 3"),
        ("http://example.test/api", 404, None),
        ("http://bob.example.test/api", 404, None),
        ("http://example.test/posts/3", 404, None),
    ]
    for url, status, body in cases:
        response = client.get(url)
        assert response.status_code == status, url
        if body is not None:
            assert response.data == body, url


def test_subdomain_view_args(sub_app: Kolba) -> None:
    with sub_app.test_request_context("http://carol.example.test/posts/9"):
        assert request.view_args == {"user": "carol", "n": 9}
        assert request.endpoint == "post"


def test_subdomain_url_for_in_app_context(sub_app: Kolba) -> None:
    with sub_app.app_context():
        assert kolba.url_for("index") == "http://example.test/"
        assert kolba.url_for("user_home", user="alice") == "http://alice.example.test/"
        assert kolba.url_for("post", user="dan", n=2) == "http://dan.example.test/posts/2"
        assert kolba.url_for("api") == "http://api.example.test/api"


def test_subdomain_url_for_same_subdomain_is_relative(sub_app: Kolba) -> None:
    with sub_app.test_request_context("http://bob.example.test/"):
        assert kolba.url_for("user_home", user="bob") == "/"
        assert kolba.url_for("post", user="bob", n=1) == "/posts/1"
    with sub_app.test_request_context("http://example.test/"):
        assert kolba.url_for("index") == "/"
        assert kolba.url_for("user_home", user="alice") == "http://alice.example.test/"


def test_subdomain_url_for_other_subdomain_from_a_subdomain(sub_app: Kolba) -> None:
    with sub_app.test_request_context("http://bob.example.test/"):
        assert kolba.url_for("user_home", user="alice") == "http://alice.example.test/"
        assert kolba.url_for("index") == "http://example.test/"
        assert kolba.url_for("api") == "http://api.example.test/api"


def test_subdomain_strict_slash_redirect_stays_on_host(sub_app: Kolba) -> None:
    @sub_app.route("/x/", subdomain="<user>")
    def x(user: str) -> str:
        return user

    response = sub_app.test_client().get("http://bob.example.test/x")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://bob.example.test/x/"


def test_subdomain_rules_ignored_without_subdomain_matching() -> None:
    app = Kolba(__name__)
    app.config["SERVER_NAME"] = "example.test"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/api", subdomain="api")
    def api() -> str:
        return "api"

    client = app.test_client()
    # Without subdomain_matching every request is on the default subdomain.
    assert client.get("http://other.example.test/").data == b"index"
    assert client.get("http://api.example.test/api").status_code == 404
    with app.app_context():
        assert kolba.url_for("api") == "http://api.example.test/api"


@pytest.fixture
def host_app(tmp_path: Any) -> Kolba:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("body{}")
    app = Kolba(
        __name__,
        host_matching=True,
        static_host="static.example.test",
        root_path=str(tmp_path),
    )

    @app.route("/", host="<name>.example.test")
    def tenant(name: str) -> str:
        return f"tenant {name}"

    @app.route("/", host="main.test")
    def main() -> str:
        return "main"

    @app.route("/about", host="main.test")
    def about() -> str:
        return "about"

    return app


def test_host_matching(host_app: Kolba) -> None:
    client = host_app.test_client()
    assert client.get("http://acme.example.test/").data == b"tenant acme"
    assert client.get("http://main.test/").data == b"main"
    assert client.get("http://main.test/about").data == b"about"
    assert client.get("http://other.test/").status_code == 404
    assert client.get("http://acme.example.test/about").status_code == 404
    static = client.get("http://static.example.test/static/site.css")
    assert static.status_code == 200
    assert static.data == b"body{}"
    static.close()
    assert client.get("http://main.test/static/site.css").status_code == 404


def test_host_matching_url_for(host_app: Kolba) -> None:
    with host_app.test_request_context("http://main.test/"):
        assert kolba.url_for("main") == "/"
        assert kolba.url_for("about", _external=True) == "http://main.test/about"
        assert kolba.url_for("tenant", name="zed") == "http://zed.example.test/"
        assert (
            kolba.url_for("static", filename="site.css")
            == "http://static.example.test/static/site.css"
        )
    with host_app.test_request_context("http://zed.example.test/"):
        assert kolba.url_for("tenant", name="zed") == "/"
        assert kolba.url_for("main") == "http://main.test/"


def test_host_matching_needs_static_host() -> None:
    with pytest.raises(AssertionError):
        Kolba(__name__, host_matching=True)
    with pytest.raises(AssertionError):
        Kolba(__name__, static_host="static.example.test")
    # Without a static folder there is no static route, and nothing to assert.
    Kolba(__name__, host_matching=True, static_folder=None)

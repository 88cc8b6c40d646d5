"""Class-based views: View, MethodView and as_view.

Tests taking ``fw`` run the same code on kolba and on Flask 3.1 and expect the same
observable result from both.
"""

from __future__ import annotations

import asyncio
import functools
import types
import typing as t

import flask
import flask.views
import pytest

import kolba
import kolba.views
from kolba import Kolba
from kolba.views import MethodView, View, http_method_funcs


@pytest.fixture(params=["kolba", "flask"])
def fw(request: pytest.FixtureRequest) -> types.ModuleType:
    """The framework under test: kolba, or Flask for comparison."""
    return kolba if request.param == "kolba" else flask


def new_app(fw: types.ModuleType) -> t.Any:
    app_class = fw.Kolba if fw is kolba else fw.Flask
    return app_class("kolba_test_views")


def text(response: t.Any) -> str:
    return response.get_data(as_text=True)  # type: ignore[no-any-return]


# -- View ------------------------------------------------------------------------------------


def test_view_dispatches_with_url_values(fw: types.ModuleType) -> None:
    class Greet(fw.views.View):  # type: ignore[name-defined,misc]
        def dispatch_request(self, name: str) -> str:
            return f"hello {name} ({fw.request.method})"

    app = new_app(fw)
    app.add_url_rule("/hello/<name>", view_func=Greet.as_view("greet"))
    client = app.test_client()
    assert text(client.get("/hello/ada")) == "hello ada (GET)"
    assert client.post("/hello/ada").status_code == 405
    with app.test_request_context():
        assert fw.url_for("greet", name="x") == "/hello/x"


def test_as_view_function_carries_the_class_details() -> None:
    class Report(View):
        """Shows the report."""

        methods = ["GET", "POST"]
        provide_automatic_options = False

        def dispatch_request(self) -> str:
            return "report"

    view = Report.as_view("report")
    assert view.view_class is Report  # type: ignore[attr-defined]
    assert view.methods == ["GET", "POST"]  # type: ignore[attr-defined]
    assert view.provide_automatic_options is False  # type: ignore[attr-defined]
    assert view.__name__ == "report"
    assert view.__doc__ == "Shows the report."
    assert view.__module__ == Report.__module__
    assert View.as_view("plain").methods is None  # type: ignore[attr-defined]


def test_methods_attribute_sets_the_rules_methods(fw: types.ModuleType) -> None:
    class Echo(fw.views.View):  # type: ignore[name-defined,misc]
        methods = ["GET", "POST"]

        def dispatch_request(self) -> str:
            return str(fw.request.method)

    app = new_app(fw)
    app.add_url_rule("/", view_func=Echo.as_view("echo"))
    client = app.test_client()
    assert [text(client.get("/")), text(client.post("/"))] == ["GET", "POST"]
    assert client.put("/").status_code == 405
    assert sorted(client.open("/", method="OPTIONS").allow) == ["GET", "HEAD", "OPTIONS", "POST"]


def test_add_url_rule_methods_win_over_the_class(fw: types.ModuleType) -> None:
    class Echo(fw.views.View):  # type: ignore[name-defined,misc]
        methods = ["GET"]

        def dispatch_request(self) -> str:
            return str(fw.request.method)

    app = new_app(fw)
    app.add_url_rule("/", view_func=Echo.as_view("echo"), methods=["PUT"])
    client = app.test_client()
    assert (text(client.put("/")), client.get("/").status_code) == ("PUT", 405)


def test_class_arguments_go_to_the_constructor(fw: types.ModuleType) -> None:
    class Templated(fw.views.View):  # type: ignore[name-defined,misc]
        def __init__(self, greeting: str, *, punctuation: str = ".") -> None:
            self.greeting = greeting
            self.punctuation = punctuation

        def dispatch_request(self) -> str:
            return f"{self.greeting}{self.punctuation}"

    app = new_app(fw)
    app.add_url_rule("/a", view_func=Templated.as_view("a", "hi", punctuation="!"))
    app.add_url_rule("/b", view_func=Templated.as_view("b", "bye"))
    client = app.test_client()
    assert [text(client.get("/a")), text(client.get("/b"))] == ["hi!", "bye."]


def test_decorators_are_applied_first_innermost(fw: types.ModuleType) -> None:
    seen_names: list[str] = []

    def tag(label: str) -> t.Callable[[t.Callable[..., t.Any]], t.Callable[..., t.Any]]:
        def decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            seen_names.append(f.__name__)

            @functools.wraps(f)
            def wrapper(**kwargs: t.Any) -> str:
                return f"{label}({f(**kwargs)})"

            return wrapper

        return decorator

    def bare(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        # Copies nothing: as_view names the result anyway.
        def call(**kwargs: t.Any) -> t.Any:
            return f(**kwargs)

        return call

    class Wrapped(fw.views.View):  # type: ignore[name-defined,misc]
        decorators = [tag("inner"), tag("outer"), bare]

        def dispatch_request(self) -> str:
            return "view"

    view = Wrapped.as_view("wrapped")
    assert seen_names == ["wrapped", "wrapped"]
    assert (view.__name__, view.view_class) == ("wrapped", Wrapped)
    app = new_app(fw)
    app.add_url_rule("/", view_func=view)
    assert text(app.test_client().get("/")) == "outer(inner(view))"
    assert [r.endpoint for r in app.url_map.iter_rules() if r.rule == "/"] == ["wrapped"]


def test_provide_automatic_options(fw: types.ModuleType) -> None:
    class Manual(fw.views.View):  # type: ignore[name-defined,misc]
        provide_automatic_options = False
        methods = ["GET", "OPTIONS"]

        def dispatch_request(self) -> str:
            return f"manual {fw.request.method}"

    class Automatic(fw.views.View):  # type: ignore[name-defined,misc]
        def dispatch_request(self) -> str:
            return "auto"

    class NoOptions(fw.views.View):  # type: ignore[name-defined,misc]
        provide_automatic_options = False

        def dispatch_request(self) -> str:
            return "get only"

    app = new_app(fw)
    app.add_url_rule("/manual", view_func=Manual.as_view("manual"))
    app.add_url_rule("/auto", view_func=Automatic.as_view("auto"))
    app.add_url_rule("/none", view_func=NoOptions.as_view("none"))
    client = app.test_client()
    assert text(client.open("/manual", method="OPTIONS")) == "manual OPTIONS"
    response = client.open("/auto", method="OPTIONS")
    assert (response.status_code, text(response)) == (200, "")
    assert sorted(response.allow) == ["GET", "HEAD", "OPTIONS"]
    assert client.open("/none", method="OPTIONS").status_code == 405


def test_init_every_request_makes_a_new_instance_each_time(fw: types.ModuleType) -> None:
    made: list[object] = []

    class Fresh(fw.views.View):  # type: ignore[name-defined,misc]
        def __init__(self) -> None:
            made.append(self)
            self.count = 0

        def dispatch_request(self) -> str:
            self.count += 1
            return str(self.count)

    view = Fresh.as_view("fresh")
    assert made == []
    app = new_app(fw)
    app.add_url_rule("/", view_func=view)
    client = app.test_client()
    assert [text(client.get("/")) for _ in range(3)] == ["1", "1", "1"]
    assert len({id(instance) for instance in made}) == 3


def test_init_every_request_false_reuses_one_instance(fw: types.ModuleType) -> None:
    made: list[object] = []

    class Shared(fw.views.View):  # type: ignore[name-defined,misc]
        init_every_request = False

        def __init__(self, start: int) -> None:
            made.append(self)
            self.count = start

        def dispatch_request(self) -> str:
            self.count += 1
            return str(self.count)

    view = Shared.as_view("shared", 10)
    assert len(made) == 1  # made once, by as_view
    app = new_app(fw)
    app.add_url_rule("/", view_func=view)
    client = app.test_client()
    assert [text(client.get("/")) for _ in range(3)] == ["11", "12", "13"]
    assert len(made) == 1


def test_replacing_view_class_redirects_dispatch(fw: types.ModuleType) -> None:
    class First(fw.views.View):  # type: ignore[name-defined,misc]
        def dispatch_request(self) -> str:
            return "first"

    class Second(First):
        def dispatch_request(self) -> str:
            return "second"

    app = new_app(fw)
    view = First.as_view("index")
    app.add_url_rule("/", view_func=view)
    client = app.test_client()
    assert text(client.get("/")) == "first"
    view.view_class = Second
    assert text(client.get("/")) == "second"


def test_replacing_view_class_of_a_decorated_view(fw: types.ModuleType) -> None:
    def passthrough(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(f)
        def wrapper(**kwargs: t.Any) -> t.Any:
            return f(**kwargs)

        return wrapper

    class First(fw.views.View):  # type: ignore[name-defined,misc]
        decorators = [passthrough]

        def dispatch_request(self) -> str:
            return "first"

    class Second(First):
        def dispatch_request(self) -> str:
            return "second"

    app = new_app(fw)
    view = First.as_view("index")
    app.add_url_rule("/", view_func=view)
    view.view_class = Second
    assert text(app.test_client().get("/")) == "second"


def test_view_without_dispatch_request_fails_clearly() -> None:
    app = Kolba(__name__)
    app.testing = True
    app.add_url_rule("/", view_func=View.as_view("index"))
    with pytest.raises(NotImplementedError, match=r"View does not handle.*dispatch_request"):
        app.test_client().get("/")


def test_calling_a_view_function_outside_a_request() -> None:
    class Hello(MethodView):
        def get(self) -> str:
            return "hi"

    with pytest.raises(RuntimeError, match="outside of application context"):
        Hello.as_view("hello")()
    app = Kolba(__name__)
    with app.app_context(), pytest.raises(RuntimeError, match="outside of request context"):
        Hello.as_view("hello")()


def test_class_view_in_a_blueprint(fw: types.ModuleType) -> None:
    class Item(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def get(self, id: int) -> str:
            return f"{fw.request.endpoint} {id} {fw.url_for('.item', id=id + 1)}"

    bp = fw.Blueprint("shop", __name__, url_prefix="/shop")
    bp.add_url_rule("/item/<int:id>", view_func=Item.as_view("item"))
    app = new_app(fw)
    app.register_blueprint(bp)
    assert text(app.test_client().get("/shop/item/1")) == "shop.item 1 /shop/item/2"


# -- MethodView ------------------------------------------------------------------------------


def test_method_view_methods_from_defined_methods(fw: types.ModuleType) -> None:
    class Items(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def get(self) -> str:
            return "list"

        def post(self) -> str:
            return "create"

    assert set(Items.methods) == {"GET", "POST"}
    app = new_app(fw)
    app.add_url_rule("/", view_func=Items.as_view("items"))
    client = app.test_client()
    assert [text(client.get("/")), text(client.post("/"))] == ["list", "create"]
    assert client.delete("/").status_code == 405


def test_method_view_methods_are_inherited(fw: types.ModuleType) -> None:
    class GetView(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def get(self) -> str:
            return "GET"

    class DeleteView(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def delete(self) -> str:
            return "DELETE"

    class GetDeleteView(GetView, DeleteView):
        pass

    assert set(GetDeleteView.methods) == {"GET", "DELETE"}
    app = new_app(fw)
    app.add_url_rule("/", view_func=GetDeleteView.as_view("both"))
    client = app.test_client()
    assert [text(client.get("/")), text(client.delete("/"))] == ["GET", "DELETE"]
    assert client.post("/").status_code == 405


def test_explicit_methods_limit_a_method_view(fw: types.ModuleType) -> None:
    class Limited(fw.views.MethodView):  # type: ignore[name-defined,misc]
        methods = ["GET"]

        def get(self) -> str:
            return "get"

        def post(self) -> str:
            return "post"

    class Extended(Limited):
        def put(self) -> str:
            return "put"

    assert Limited.methods == ["GET"]
    # A subclass without its own list adds what it (and its bases) define.
    assert set(Extended.methods) == {"GET", "POST", "PUT"}
    app = new_app(fw)
    app.add_url_rule("/", view_func=Limited.as_view("limited"))
    client = app.test_client()
    assert (text(client.get("/")), client.post("/").status_code) == ("get", 405)


def test_method_view_without_handlers_has_no_methods(fw: types.ModuleType) -> None:
    class Empty(fw.views.MethodView):  # type: ignore[name-defined,misc]
        pass

    assert Empty.methods is None


def test_head_falls_back_to_get(fw: types.ModuleType) -> None:
    seen: list[str] = []

    class Page(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def get(self) -> t.Any:
            seen.append(fw.request.method)
            return "body", {"X-Handler": "get"}

    class WithHead(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def get(self) -> str:
            return "get"

        def head(self) -> t.Any:
            return "", {"X-Handler": "head"}

    app = new_app(fw)
    app.add_url_rule("/page", view_func=Page.as_view("page"))
    app.add_url_rule("/own", view_func=WithHead.as_view("own"))
    client = app.test_client()
    response = client.head("/page")
    assert (response.status_code, response.data, response.headers["X-Handler"]) == (
        200,
        b"",
        "get",
    )
    assert response.headers["Content-Length"] == "4"
    assert seen == ["HEAD"]
    assert client.head("/own").headers["X-Handler"] == "head"


def test_custom_verbs(fw: types.ModuleType) -> None:
    class Dav(fw.views.MethodView):  # type: ignore[name-defined,misc]
        methods = ["GET", "PROPFIND"]

        def get(self) -> str:
            return "get"

        def propfind(self) -> str:
            return f"propfind {fw.request.method}"

    class Plain(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def get(self) -> str:
            return "get"

        def propfind(self) -> str:
            return "propfind"

    class DavWithPut(Dav):
        def put(self) -> str:
            return "put"

    assert set(Plain.methods) == {"GET"}  # only the standard names are picked up
    assert set(DavWithPut.methods) == {"GET", "PROPFIND", "PUT"}  # the base's list is kept
    app = new_app(fw)
    app.add_url_rule("/dav", view_func=Dav.as_view("dav"))
    app.add_url_rule("/plain", view_func=Plain.as_view("plain"))
    app.add_url_rule("/listed", view_func=Plain.as_view("listed"), methods=["PROPFIND"])
    app.add_url_rule("/sub", view_func=DavWithPut.as_view("sub"))
    client = app.test_client()
    assert text(client.open("/dav", method="PROPFIND")) == "propfind PROPFIND"
    assert client.open("/plain", method="PROPFIND").status_code == 405
    assert text(client.open("/listed", method="PROPFIND")) == "propfind"
    assert text(client.open("/sub", method="PROPFIND")) == "propfind PROPFIND"


def test_method_view_options_method_replaces_the_automatic_answer(fw: types.ModuleType) -> None:
    class Cors(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def get(self) -> str:
            return "get"

        def options(self) -> t.Any:
            return "", 204, {"Access-Control-Allow-Origin": "*"}

    assert set(Cors.methods) == {"GET", "OPTIONS"}
    app = new_app(fw)
    app.add_url_rule("/", view_func=Cors.as_view("cors"))
    response = app.test_client().open("/", method="OPTIONS")
    assert (response.status_code, response.headers["Access-Control-Allow-Origin"]) == (204, "*")


def test_method_view_url_values_and_constructor_arguments(fw: types.ModuleType) -> None:
    class Resource(fw.views.MethodView):  # type: ignore[name-defined,misc]
        def __init__(self, store: dict[int, str]) -> None:
            self.store = store

        def get(self, id: int) -> str:
            return self.store[id]

        def put(self, id: int) -> str:
            self.store[id] = fw.request.get_data(as_text=True)
            return "stored"

    store = {1: "one"}
    app = new_app(fw)
    app.add_url_rule("/r/<int:id>", view_func=Resource.as_view("resource", store))
    client = app.test_client()
    assert text(client.put("/r/2", data="two")) == "stored"
    assert [text(client.get("/r/1")), text(client.get("/r/2"))] == ["one", "two"]


def test_a_listed_method_without_a_handler_fails_clearly() -> None:
    class OnlyGet(MethodView):
        def get(self) -> str:
            return "get"

    app = Kolba(__name__)
    app.testing = True
    app.add_url_rule("/", view_func=OnlyGet.as_view("only"), methods=["GET", "PUT"])
    with pytest.raises(NotImplementedError, match=r"OnlyGet has no put\(\) method.*PUT"):
        app.test_client().put("/")


def test_http_method_funcs() -> None:
    assert http_method_funcs == frozenset(
        {"get", "post", "head", "options", "delete", "put", "trace", "patch"}
    )
    assert http_method_funcs == flask.views.http_method_funcs


# -- async -------------------------------------------------------------------------------------


def test_async_dispatch_request() -> None:
    class Slow(View):
        async def dispatch_request(self, n: int) -> str:  # type: ignore[override]
            await asyncio.sleep(0)
            return f"async {n} {kolba.request.path}"

    app = Kolba(__name__)
    app.add_url_rule("/<int:n>", view_func=Slow.as_view("slow"))
    assert text(app.test_client().get("/3")) == "async 3 /3"


def test_async_method_view_methods() -> None:
    class Mixed(MethodView):
        async def get(self) -> str:
            await asyncio.sleep(0)
            return f"async get {kolba.request.method}"

        def post(self) -> str:
            return "sync post"

    app = Kolba(__name__)
    app.add_url_rule("/", view_func=Mixed.as_view("mixed"))
    client = app.test_client()
    assert [text(client.get("/")), text(client.post("/"))] == ["async get GET", "sync post"]
    head = client.head("/")
    assert (head.status_code, head.data) == (200, b"")


def test_views_go_through_the_apps_ensure_sync() -> None:
    calls: list[str] = []

    class Tracing(Kolba):
        def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            calls.append(getattr(func, "__name__", "?"))
            return super().ensure_sync(func)

    class Items(MethodView):
        async def get(self) -> str:
            return "items"

    app = Tracing(__name__)
    app.add_url_rule("/", view_func=Items.as_view("items"))
    assert text(app.test_client().get("/")) == "items"
    assert calls[-3:] == ["items", "dispatch_request", "get"]

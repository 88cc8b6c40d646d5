"""View return values, make_response, redirect and abort, through the public API, with the
response-side bad inputs of BAD_INPUTS section 10. Many cases run the same view under Flask
too and compare what a client sees.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import kolba
from kolba.datastructures import Headers
from kolba.exceptions import Aborter, HTTPException, NotFound


@pytest.fixture
def app() -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.testing = True
    return app


def _kolba_ns() -> types.SimpleNamespace:
    return types.SimpleNamespace(
        name="kolba", App=kolba.Kolba, mod=kolba, Headers=Headers, NotFound=NotFound
    )


def _flask_ns() -> types.SimpleNamespace:
    flask = pytest.importorskip("flask")
    from werkzeug.datastructures import Headers as WHeaders
    from werkzeug.exceptions import NotFound as WNotFound

    return types.SimpleNamespace(
        name="flask", App=flask.Flask, mod=flask, Headers=WHeaders, NotFound=WNotFound
    )


def _seen(fw: types.SimpleNamespace, view: Callable[[Any], Any], method: str = "GET") -> Any:
    """What reaches the server when ``view(fw)`` answers a request under framework ``fw``."""
    wz_test = pytest.importorskip("werkzeug.test")
    app = fw.App(__name__)
    app.testing = True
    app.add_url_rule("/", "view", lambda: view(fw), methods=["GET", "POST"])
    sent: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        sent.append((status, [(k, v) for k, v in headers if k != "Date"]))
        return lambda data: None

    app_iter = app(wz_test.create_environ("/", method=method), start_response)
    try:
        body = b"".join(app_iter)
    finally:
        if hasattr(app_iter, "close"):
            app_iter.close()
    status, headers = sent[0]
    return status, headers, body


def _same_in_both(view: Callable[[Any], Any], method: str = "GET") -> Any:
    expected = _seen(_flask_ns(), view, method)
    got = _seen(_kolba_ns(), view, method)
    assert got == expected
    return got


# ---------------------------------------------------------------------------------------------
# view return forms, compared with Flask


def _wsgi_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("202 ACCEPTED", [("Content-Type", "text/plain"), ("X-Raw", "1")])
    return [b"raw ", b"wsgi"]


def _lazy_wsgi_app(environ: Any, start_response: Any) -> Iterator[bytes]:
    # A generator: start_response runs only once the body is iterated.
    start_response("203 NON AUTHORITATIVE INFORMATION", [("X-Lazy", "1")])
    yield b"lazy "
    yield b"body"


RETURNS: dict[str, Callable[[Any], Any]] = {
    "str": lambda fw: "Hällo Wörld",
    "bytes": lambda fw: "Hällo Wörld".encode(),
    "empty str": lambda fw: "",
    "dict": lambda fw: {"b": 1, "a": [1, 2]},
    "list": lambda fw: ["foo", {"z": 0, "y": None}],
    "response": lambda fw: fw.mod.Response("made", 201, {"X-A": "1"}),
    "generator": lambda fw: (c for c in ["Hel", "lo"]),
    "iterator": lambda fw: iter([b"a", b"b"]),
    "lazy wsgi callable": lambda fw: _lazy_wsgi_app,
    "body and status": lambda fw: ("Hi, status!", 400),
    "body and str status": lambda fw: ("x", "299 Custom Reason"),
    "body and status line": lambda fw: ("x", "404 Gone Fishing"),
    "body and dict headers": lambda fw: ("Hello", {"X-Foo": "Test"}),
    "body and list headers": lambda fw: ("Hello", [("X-Foo", "1"), ("X-Foo", "2")]),
    "body and Headers": lambda fw: ("Hello", fw.Headers([("X-Foo", "1"), ("X-Foo", "2")])),
    "full tuple": lambda fw: ("Meh", 400, {"X-Foo": "Testing", "Content-Type": "text/plain"}),
    "dict and status": lambda fw: ({"foo": "bar"}, 201),
    "list and status": lambda fw: (["foo", "bar"], 201),
    "dict, status, headers": lambda fw: ({"a": 1}, 202, [("X-B", "b")]),
    "content type overrides json": lambda fw: ({"a": 1}, {"Content-Type": "text/x-json"}),
    "generator with headers": lambda fw: ((c for c in "ab"), {"X-Stream": "1"}),
    "response with headers": lambda fw: (
        fw.mod.Response("Hello world", 404, {"Content-Type": "text/html", "X-Foo": "Baz"}),
        {"Content-Type": "text/plain", "X-Foo": "Bar", "X-Bar": "Foo"},
    ),
    "response with status": lambda fw: (fw.mod.Response("Hello world", 400), 500),
    "response with list headers": lambda fw: (
        _with_header(fw.mod.make_response("x"), "X-Foo", "Foo"),
        [("X-Foo", "Bar"), ("X-Foo", "Baz")],
    ),
    "response with Headers": lambda fw: (
        _with_header(fw.mod.make_response("x"), "X-Foo", "Foo"),
        fw.Headers([("X-Foo", "Bar")]),
    ),
    "status 204": lambda fw: ("body", 204),
    "status 304": lambda fw: ("body", 304, {"ETag": '"x"', "Expires": "0"}),
    "latin-1 header": lambda fw: ("x", {"X-Name": "é"}),
}


def _with_header(response: Any, name: str, value: str) -> Any:
    response.headers[name] = value
    return response


@pytest.mark.parametrize("form", list(RETURNS))
def test_view_return_forms_match_flask(form: str) -> None:
    _same_in_both(RETURNS[form])


def test_wsgi_callable_matches_flask_but_for_a_known_length() -> None:
    # Flask streams what a WSGI callable returns; kolba keeps a list body a list, so it
    # can also send its (correct) Content-Length.
    flask_status, flask_headers, flask_body = _seen(_flask_ns(), lambda fw: _wsgi_app)
    status, headers, body = _seen(_kolba_ns(), lambda fw: _wsgi_app)
    assert (status, body) == (flask_status, flask_body)
    assert headers == [*flask_headers, ("Content-Length", str(len(body)))]


def test_wsgi_exception_matches_flask_but_for_the_page_text() -> None:
    flask_status, flask_headers, _ = _seen(_flask_ns(), lambda fw: fw.NotFound())
    status, headers, body = _seen(_kolba_ns(), lambda fw: fw.NotFound())
    assert status == flask_status == "404 NOT FOUND"
    assert [n for n, _ in headers] == [n for n, _ in flask_headers]
    assert b"Not Found" in body


def test_test_client_does_not_invent_a_content_type(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: ("", 304))
    assert "Content-Type" not in app.test_client().get("/").headers


@pytest.mark.parametrize("form", ["str", "dict", "generator", "response", "body and status"])
def test_head_requests_match_flask(form: str) -> None:
    _same_in_both(RETURNS[form], method="HEAD")


def test_str_is_html_utf8(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: "Hällo")
    rv = app.test_client().get("/")
    assert rv.status == "200 OK"
    assert rv.content_type == "text/html; charset=utf-8"
    assert rv.data == "Hällo".encode()
    assert rv.headers["Content-Length"] == str(len("Hällo".encode()))


def test_bytes_dict_list_and_generator(app: kolba.Kolba) -> None:
    app.add_url_rule("/b", "b", lambda: b"\x00raw")
    app.add_url_rule("/d", "d", lambda: {"foo": "bar"})
    app.add_url_rule("/l", "l", lambda: [1, 2])
    app.add_url_rule("/g", "g", lambda: (x for x in ["a", "b"]))
    client = app.test_client()
    rv = client.get("/b")
    assert (rv.data, rv.mimetype) == (b"\x00raw", "text/html")
    rv = client.get("/d")
    assert (rv.json, rv.mimetype) == ({"foo": "bar"}, "application/json")
    assert client.get("/l").json == [1, 2]
    rv = client.get("/g")
    assert rv.data == b"ab"
    assert "Content-Length" not in rv.headers


def test_tuple_headers_replace_existing_ones(app: kolba.Kolba) -> None:
    @app.route("/")
    def view() -> Any:
        response = kolba.make_response("x")
        response.headers["X-Foo"] = "Foo"
        return response, {"X-Foo": "Bar"}

    assert app.test_client().get("/").headers.getlist("X-Foo") == ["Bar"]


def test_content_type_in_tuple_overrides_the_mimetype(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: ("Meh", 400, {"Content-Type": "text/plain"}))
    rv = app.test_client().get("/")
    assert rv.status_code == 400
    assert rv.mimetype == "text/plain"
    assert rv.content_type == "text/plain"


def test_wsgi_exception_and_callable(app: kolba.Kolba) -> None:
    app.add_url_rule("/nf", "nf", NotFound)
    app.add_url_rule("/raw", "raw", lambda: _wsgi_app)
    client = app.test_client()
    rv = client.get("/nf")
    assert rv.status_code == 404
    assert b"Not Found" in rv.data
    rv = client.get("/raw")
    assert (rv.status, rv.headers["X-Raw"], rv.data) == ("202 ACCEPTED", "1", b"raw wsgi")


# ---------------------------------------------------------------------------------------------
# bad return values


@pytest.fixture
def bad_app(app: kolba.Kolba) -> kolba.Kolba:
    @app.route("/none")
    def from_none() -> None:
        pass

    @app.route("/small_tuple")
    def from_small_tuple() -> Any:
        return ("Hello",)

    @app.route("/large_tuple")
    def from_large_tuple() -> Any:
        return "Hello", 234, {"X-Foo": "Bar"}, "???"

    @app.route("/bad_type")
    def from_bad_type() -> Any:
        return True

    @app.route("/bad_wsgi")
    def from_bad_wsgi() -> Any:
        return lambda: None

    return app


def test_none_names_the_view_and_says_it_returned_none(bad_app: kolba.Kolba) -> None:
    with pytest.raises(TypeError) as e:
        bad_app.test_client().get("/none")
    assert "returned None" in str(e.value)
    assert "from_none" in str(e.value)


@pytest.mark.parametrize("path", ["/small_tuple", "/large_tuple"])
def test_wrong_size_tuples_name_the_view(bad_app: kolba.Kolba, path: str) -> None:
    with pytest.raises(TypeError) as e:
        bad_app.test_client().get(path)
    assert f"from_{path[1:]}" in str(e.value)


@pytest.mark.parametrize("path", ["/small_tuple", "/large_tuple"])
def test_wrong_size_tuple_message_matches_flask_wording(bad_app: kolba.Kolba, path: str) -> None:
    with pytest.raises(TypeError, match="tuple must have the form"):
        bad_app.test_client().get(path)


def test_bool_names_the_view_and_its_type(bad_app: kolba.Kolba) -> None:
    with pytest.raises(TypeError) as e:
        bad_app.test_client().get("/bad_type")
    assert "from_bad_type" in str(e.value)
    assert "bool" in str(e.value)


def test_bool_message_matches_flask_wording(bad_app: kolba.Kolba) -> None:
    with pytest.raises(TypeError, match="it was a bool"):
        bad_app.test_client().get("/bad_type")


def test_bad_wsgi_callable_is_a_type_error(bad_app: kolba.Kolba) -> None:
    with pytest.raises(TypeError, match="from_bad_wsgi"):
        bad_app.test_client().get("/bad_wsgi")


@pytest.mark.parametrize("path", ["/none", "/small_tuple", "/large_tuple", "/bad_type"])
def test_bad_returns_are_a_500_outside_testing(bad_app: kolba.Kolba, path: str) -> None:
    bad_app.testing = False
    bad_app.logger.disabled = True
    rv = bad_app.test_client().get(path)
    assert rv.status_code == 500


# ---------------------------------------------------------------------------------------------
# make_response


def test_make_response_without_arguments(app: kolba.Kolba) -> None:
    with app.test_request_context():
        rv = kolba.make_response()
    assert rv.status_code == 200
    assert rv.data == b""
    assert rv.mimetype == "text/html"


def test_make_response_forms(app: kolba.Kolba) -> None:
    with app.test_request_context():
        rv = kolba.make_response("Awesome")
        assert (rv.status_code, rv.data, rv.mimetype) == (200, b"Awesome", "text/html")
        rv = kolba.make_response("W00t", 404)
        assert (rv.status_code, rv.data) == (404, b"W00t")
        rv = kolba.make_response(c for c in "Hello")
        assert (rv.status_code, rv.data, rv.mimetype) == (200, b"Hello", "text/html")
        rv = kolba.make_response("x", 202, {"X-Y": "z"})
        assert (rv.status_code, rv.headers["X-Y"]) == (202, "z")
        rv = kolba.make_response(("tuple", 201))
        assert (rv.status_code, rv.data) == (201, b"tuple")
        rv = kolba.make_response({"a": 1})
        assert rv.json == {"a": 1}


def test_make_response_with_a_response_instance(app: kolba.Kolba) -> None:
    with app.test_request_context():
        rv = kolba.make_response(kolba.jsonify({"msg": "W00t"}), 400)
        assert rv.status_code == 400
        assert rv.data == b'{"msg":"W00t"}\n'
        assert rv.mimetype == "application/json"
        rv = kolba.make_response(kolba.Response(""), 400)
        assert rv.status_code == 400
        assert rv.data == b""
        assert rv.mimetype == "text/html"
        original = kolba.Response("", headers={"Content-Type": "text/html", "X-Foo": "old"})
        rv = kolba.make_response(original, 400, [("X-Foo", "bar")])
        assert rv is original
        assert rv.status_code == 400
        assert rv.headers["Content-Type"] == "text/html"
        assert rv.headers.getlist("X-Foo") == ["bar"]


def test_make_response_jsonify_mimetype(app: kolba.Kolba) -> None:
    app.json.mimetype = "application/vnd.api+json"  # type: ignore[attr-defined]
    with app.test_request_context():
        rv = kolba.make_response(kolba.jsonify({"msg": {"submsg": "W00t"}}), 200)
    assert rv.mimetype == "application/vnd.api+json"


def test_make_response_lets_a_view_add_cookies(app: kolba.Kolba) -> None:
    @app.route("/")
    def view() -> Any:
        rv = kolba.make_response("body")
        rv.set_cookie("k", "v", httponly=True, samesite="Strict")
        return rv

    rv = app.test_client().get("/")
    assert rv.headers["Set-Cookie"] == "k=v; HttpOnly; Path=/; SameSite=Strict"


# ---------------------------------------------------------------------------------------------
# cookies inside an app


def test_max_cookie_size_comes_from_the_config(app: kolba.Kolba) -> None:
    app.config["MAX_COOKIE_SIZE"] = 100

    @app.route("/")
    def view() -> Any:
        rv = kolba.make_response("x")
        rv.set_cookie("big", "a" * 100)
        return rv

    with pytest.warns(UserWarning, match="cookie is too large"):
        app.test_client().get("/")
    with app.app_context():
        assert kolba.Response().max_cookie_size == 100
    assert kolba.Response().max_cookie_size == 4093


def test_max_cookie_size_zero_disables_the_check(app: kolba.Kolba) -> None:
    app.config["MAX_COOKIE_SIZE"] = 0

    @app.route("/")
    def view() -> Any:
        rv = kolba.make_response("x")
        rv.set_cookie("big", "a" * 10_000)
        return rv

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rv = app.test_client().get("/")
    assert len(rv.headers["Set-Cookie"]) > 10_000


# ---------------------------------------------------------------------------------------------
# redirect


def test_redirect_defaults_to_302_and_keeps_relative_locations(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: kolba.redirect("../other?x=1"))
    rv = app.test_client().get("/")
    assert rv.status == "302 FOUND"
    assert rv.location == "../other?x=1"
    assert rv.headers["Location"] == "../other?x=1"
    assert rv.mimetype == "text/html"
    assert b'href="../other?x=1"' in rv.data


def test_redirect_code_and_non_ascii(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: kolba.redirect("https://example.com/ü b?q=é", 301))
    rv = app.test_client().get("/")
    assert rv.status_code == 301
    assert rv.headers["Location"] == "https://example.com/%C3%BC%20b?q=%C3%A9"


def test_redirect_body_escapes_the_location(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: kolba.redirect('/"><script>'))
    rv = app.test_client().get("/")
    assert b"<script>" not in rv.data
    assert b"&#34;&gt;&lt;script&gt;" in rv.data


def test_redirect_without_an_app() -> None:
    rv = kolba.redirect("https://localhost", 307)
    assert rv.location == "https://localhost"
    assert rv.status_code == 307


def test_redirect_uses_app_redirect_when_an_app_is_active(app: kolba.Kolba) -> None:
    calls: list[tuple[str, int]] = []

    def custom(location: str, code: int = 302) -> kolba.Response:
        calls.append((location, code))
        return kolba.Response("custom", code)

    app.redirect = custom  # type: ignore[method-assign]
    with app.app_context():
        rv = kolba.redirect("/there", 303)
    assert calls == [("/there", 303)]
    assert rv.data == b"custom"


@pytest.mark.parametrize(
    "location",
    ["/a b?q=é", "../x", "//evil.example/x", "http://ex.com/ü", "/%41?a=%zz", "mailto:x@y"],
)
def test_redirect_matches_flask(location: str) -> None:
    _same_in_both(lambda fw: fw.mod.redirect(location))


# ---------------------------------------------------------------------------------------------
# abort


def test_abort_with_a_code_and_a_description(app: kolba.Kolba) -> None:
    app.add_url_rule("/404", "a", lambda: kolba.abort(404))
    app.add_url_rule("/400", "b", lambda: kolba.abort(400, "Why not"))
    client = app.test_client()
    assert client.get("/404").status_code == 404
    rv = client.get("/400")
    assert rv.status_code == 400
    assert b"Why not" in rv.data


def test_abort_with_a_response(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: kolba.abort(kolba.Response("halt", 418, {"X-T": "1"})))
    rv = app.test_client().get("/")
    assert (rv.status_code, rv.data, rv.headers["X-T"]) == (418, b"halt", "1")


def test_abort_outside_an_app() -> None:
    with pytest.raises(NotFound):
        kolba.abort(404)
    with pytest.raises(HTTPException) as e:
        kolba.abort(kolba.Response("x", 409))
    assert e.value.get_response().status_code == 409


def test_abort_uses_the_app_aborter(app: kolba.Kolba) -> None:
    class My900Error(HTTPException):
        code = 900

    app.aborter.mapping[900] = My900Error
    with app.app_context(), pytest.raises(My900Error):
        kolba.abort(900)
    with pytest.raises(LookupError):
        kolba.abort(900)


def test_aborter_class_is_configurable() -> None:
    class MyAborter(Aborter):
        pass

    class MyApp(kolba.Kolba):
        aborter_class = MyAborter

    assert isinstance(MyApp(__name__).aborter, MyAborter)


@pytest.mark.parametrize(
    ("view", "same_body"),
    [
        (lambda fw: fw.mod.abort(404), False),
        (lambda fw: fw.mod.abort(400, "custom description"), False),
        (lambda fw: fw.mod.abort(fw.mod.Response("halt", 418)), True),
    ],
    ids=["code", "description", "response"],
)
def test_abort_matches_flask(view: Callable[[Any], Any], same_body: bool) -> None:
    # Error pages are kolba's own wording, so only their status and headers must match.
    flask_status, flask_headers, flask_body = _seen(_flask_ns(), view)
    status, headers, body = _seen(_kolba_ns(), view)
    assert status == flask_status
    assert [name for name, _ in headers] == [name for name, _ in flask_headers]
    if same_body:
        assert body == flask_body


# ---------------------------------------------------------------------------------------------
# HEAD and body-less statuses through the app


def test_head_drops_the_body_but_after_request_still_sees_it(app: kolba.Kolba) -> None:
    seen: list[bytes] = []

    @app.after_request
    def after(response: kolba.Response) -> kolba.Response:
        seen.append(response.get_data())
        return response

    app.add_url_rule("/", "v", lambda: "hello")
    rv = app.test_client().head("/")
    assert rv.data == b""
    assert rv.headers["Content-Length"] == "5"
    assert seen == [b"hello"]


@pytest.mark.parametrize("code", [204, 304, 100])
def test_no_body_statuses(app: kolba.Kolba, code: int) -> None:
    app.add_url_rule("/", "v", lambda: ("ignored body", code))
    rv = app.test_client().get("/")
    assert rv.status_code == code
    assert rv.data == b""
    assert "Content-Length" not in rv.headers


# ---------------------------------------------------------------------------------------------
# BAD_INPUTS 10: nothing with a line break (or outside latin-1) is ever sent in a header


def _capture_send(app: kolba.Kolba, path: str = "/") -> tuple[list[Any], bytes]:
    """Call the app like a server; return what reached start_response and the body."""
    sent: list[Any] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": __import__("io").BytesIO(),
        "wsgi.errors": __import__("io").StringIO(),
    }

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        sent.append((status, list(headers)))
        return lambda data: None

    app_iter = app(environ, start_response)
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return sent, body


BREAKERS = ["\r\nSet-Cookie: admin=1", "\nX-Injected: 1", "\rX", "\0"]


def _header_views() -> dict[str, Callable[[str], Any]]:
    def cookie(bad: str) -> Any:
        rv = kolba.make_response("x")
        rv.set_cookie("session", "v" + bad)
        return rv

    def location_attr(bad: str) -> Any:
        rv = kolba.make_response("x")
        rv.location = "/next" + bad
        return rv

    def header_add(bad: str) -> Any:
        rv = kolba.make_response("x")
        rv.headers.add("X-Thing", "v" + bad)
        return rv

    return {
        "redirect": lambda bad: kolba.redirect("/next" + bad),
        "tuple header": lambda bad: ("x", {"X-Thing": "v" + bad}),
        "tuple header name": lambda bad: ("x", {"X-Thing" + bad: "v"}),
        "cookie value": cookie,
        "location attribute": location_attr,
        "headers.add": header_add,
        "status": lambda bad: ("x", "200 OK" + bad),
    }


@pytest.mark.parametrize("bad", BREAKERS)
@pytest.mark.parametrize("where", list(_header_views()))
def test_line_breaks_are_refused_with_value_error(app: kolba.Kolba, where: str, bad: str) -> None:
    make = _header_views()[where]
    app.add_url_rule("/", "v", lambda: make(bad))
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        app.test_client().get("/")


@pytest.mark.parametrize("bad", BREAKERS)
@pytest.mark.parametrize("where", list(_header_views()))
def test_line_breaks_never_reach_the_server(app: kolba.Kolba, where: str, bad: str) -> None:
    make = _header_views()[where]
    app.testing = False
    app.logger.disabled = True
    app.add_url_rule("/", "v", lambda: make(bad))
    sent, _body = _capture_send(app)
    assert len(sent) == 1
    status, headers = sent[0]
    assert status == "500 INTERNAL SERVER ERROR"
    for name, value in headers:
        assert not any(c in name + value for c in "\r\n\0")
    assert all(name.lower() not in ("set-cookie", "x-injected", "location") for name, _ in headers)


@pytest.mark.parametrize("where", ["tuple header", "location attribute", "headers.add"])
def test_non_latin1_header_values_are_refused(app: kolba.Kolba, where: str) -> None:
    make = _header_views()[where]
    app.add_url_rule("/", "v", lambda: make("日本"))
    with pytest.raises(ValueError, match="latin-1"):
        app.test_client().get("/")


def test_non_latin1_status_is_refused(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: ("x", "200 日本"))
    with pytest.raises(ValueError, match="latin-1"):
        app.test_client().get("/")


def test_non_ascii_redirect_target_is_percent_encoded_not_refused(app: kolba.Kolba) -> None:
    app.add_url_rule("/", "v", lambda: kolba.redirect("/日本?q=ü"))
    sent, _ = _capture_send(app)
    headers = dict(sent[0][1])
    assert headers["Location"] == "/%E6%97%A5%E6%9C%AC?q=%C3%BC"


def test_non_ascii_cookie_value_is_escaped_not_sent_raw(app: kolba.Kolba) -> None:
    @app.route("/")
    def view() -> Any:
        rv = kolba.make_response("x")
        rv.set_cookie("name", "日本")
        return rv

    @app.route("/read")
    def read() -> str:
        return kolba.request.cookies["name"]

    sent, _ = _capture_send(app)
    cookie = dict(sent[0][1])["Set-Cookie"]
    assert cookie.isascii()
    client = app.test_client()
    client.get("/")
    assert client.get("/read").text == "日本"


def test_protocol_relative_redirect_is_kept_as_flask_does(app: kolba.Kolba) -> None:
    # The app asked for this target; an open redirect is the app's to prevent (validate
    # user-supplied targets before redirecting to them).
    app.add_url_rule("/", "v", lambda: kolba.redirect("//evil.example/x"))
    assert app.test_client().get("/").headers["Location"] == "//evil.example/x"

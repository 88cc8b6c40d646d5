"""Errors: abort, the exception classes, error handlers and how unhandled errors travel."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from markupsafe import escape

import kolba
from kolba import Kolba, abort
from kolba import exceptions as exc
from kolba.testing import KolbaClient


@pytest.fixture
def app() -> Kolba:
    app = Kolba("kolba_test_errors")

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    @app.route("/boom")
    def boom() -> str:
        raise ZeroDivisionError("boom")

    @app.route("/abort/<int:code>")
    def abort_code(code: int) -> str:
        abort(code)

    @app.route("/post", methods=["POST"])
    def post_only() -> str:
        return "posted"

    @app.route("/slash/")
    def slash() -> str:
        return "slash"

    return app


def quiet(client: KolbaClient, path: str, **kw: Any) -> Any:
    """A request whose logged errors go to a throwaway stream, not stderr."""
    return client.get(path, errors_stream=io.StringIO(), **kw)


@contextmanager
def bare_root_logger() -> Iterator[None]:
    """Hide pytest's capturing handlers on the root logger for a moment, so an app logger
    created inside sees no handler and gets kolba's default one, as in a real server.
    """
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers.clear()
    try:
        yield
    finally:
        root.handlers[:] = saved


# -- abort ------------------------------------------------------------------------------------


def test_abort_raises_the_exception_for_the_code() -> None:
    with pytest.raises(exc.NotFound):
        abort(404)
    with pytest.raises(exc.Forbidden) as info:
        abort(403, description="not yours")
    assert info.value.description == "not yours"
    with pytest.raises(exc.BadRequest) as info2:
        abort(400, "positional description")
    assert info2.value.description == "positional description"


def test_abort_in_view(app: Kolba) -> None:
    @app.route("/described")
    def described() -> str:
        abort(403, description="No <entry> for you")

    client = app.test_client()
    r = client.get("/abort/404")
    assert r.status_code == 404
    r = client.get("/described")
    assert r.status_code == 403
    assert b"No &lt;entry&gt; for you" in r.data


def test_abort_with_a_response(app: Kolba) -> None:
    @app.route("/custom")
    def custom() -> str:
        abort(kolba.make_response("custom body", 418, {"X-Custom": "1"}))

    r = app.test_client().get("/custom")
    assert r.status_code == 418
    assert r.data == b"custom body"
    assert r.headers["X-Custom"] == "1"


def test_abort_with_a_response_outside_a_context() -> None:
    response = kolba.Response("stop", 409)
    with pytest.raises(exc.HTTPException) as info:
        abort(response)
    assert info.value.get_response() is response


def test_abort_unknown_code_is_a_lookup_error(app: Kolba) -> None:
    with pytest.raises(LookupError, match="900"):
        abort(900)
    with app.app_context(), pytest.raises(LookupError, match=r"aborter\.mapping\[900\]"):
        abort(900)
    r = quiet(app.test_client(), "/abort/900")
    assert r.status_code == 500


def test_aborter_mapping_adds_codes_per_app(app: Kolba) -> None:
    class Overloaded(exc.HTTPException):
        code = 529
        description = "Too busy right now."

    app.aborter.mapping[529] = Overloaded
    r = app.test_client().get("/abort/529")
    assert r.status_code == 529
    assert b"Too busy right now." in r.data
    other = Kolba("kolba_test_errors_other")
    with other.app_context(), pytest.raises(LookupError):
        abort(529)


# -- the exception classes ----------------------------------------------------------------------

CLASSES = [
    ("BadRequest", 400),
    ("BadRequestKeyError", 400),
    ("Unauthorized", 401),
    ("Forbidden", 403),
    ("NotFound", 404),
    ("MethodNotAllowed", 405),
    ("NotAcceptable", 406),
    ("RequestTimeout", 408),
    ("Conflict", 409),
    ("Gone", 410),
    ("PreconditionFailed", 412),
    ("RequestEntityTooLarge", 413),
    ("UnsupportedMediaType", 415),
    ("RequestedRangeNotSatisfiable", 416),
    ("ImATeapot", 418),
    ("UnprocessableEntity", 422),
    ("TooManyRequests", 429),
    ("InternalServerError", 500),
    ("NotImplemented", 501),
    ("BadGateway", 502),
    ("ServiceUnavailable", 503),
]


@pytest.mark.parametrize(("name", "code"), CLASSES)
def test_exception_class_codes(name: str, code: int) -> None:
    cls = getattr(exc, name)
    assert issubclass(cls, exc.HTTPException)
    assert cls.code == code
    e = cls()
    assert e.code == code
    response = e.get_response()
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert f"<title>{code} {escape(e.name)}</title>".encode() in response.get_data()


@pytest.mark.parametrize(("name", "code"), [c for c in CLASSES if c[0] != "BadRequestKeyError"])
def test_abort_code_matches_class(name: str, code: int) -> None:
    with pytest.raises(getattr(exc, name)):
        abort(code)


@pytest.mark.parametrize(("name", "code"), CLASSES)
def test_exception_classes_match_werkzeug(name: str, code: int) -> None:
    werkzeug_exceptions = pytest.importorskip("werkzeug.exceptions")
    theirs = getattr(werkzeug_exceptions, name)()
    ours = getattr(exc, name)()
    assert (ours.code, ours.name) == (theirs.code, theirs.name)


def test_bad_request_key_error_is_a_key_error() -> None:
    assert issubclass(exc.BadRequestKeyError, KeyError)
    assert issubclass(exc.BadRequestKeyError, exc.BadRequest)


def test_exception_details() -> None:
    e = exc.NotFound()
    assert e.name == "Not Found"
    assert e.description
    assert e.get_description() == f"<p>{e.description}</p>"
    assert e.get_body().startswith("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>")
    assert str(e).startswith("404 Not Found: ")
    assert repr(e) == "<NotFound '404: Not Found'>"
    described = exc.NotFound("line one\nline <two>")
    assert described.get_description() == "<p>line one<br>line &lt;two&gt;</p>"


def test_method_not_allowed_lists_valid_methods() -> None:
    e = exc.MethodNotAllowed(valid_methods=["GET", "POST"])
    assert e.valid_methods == ["GET", "POST"]
    assert e.get_response().headers["Allow"] == "GET, POST"


def test_unauthorized_www_authenticate() -> None:
    from kolba.datastructures import WWWAuthenticate

    e = exc.Unauthorized(www_authenticate=WWWAuthenticate("basic", {"realm": "my site"}))
    assert e.get_response().headers["WWW-Authenticate"] == 'Basic realm="my site"'


def test_internal_server_error_original_exception() -> None:
    original = ValueError("x")
    assert exc.InternalServerError(original_exception=original).original_exception is original
    assert exc.InternalServerError().original_exception is None


# -- the default error page ---------------------------------------------------------------------


def test_default_error_page(app: Kolba) -> None:
    r = app.test_client().get("/missing")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    body = r.get_data(as_text=True)
    assert body.startswith(
        "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>"
    )
    assert body.endswith("</p>\n")


def test_default_error_page_for_unhandled_exception(app: Kolba) -> None:
    r = quiet(app.test_client(), "/boom")
    assert r.status_code == 500
    assert "<title>500 Internal Server Error</title>" in r.get_data(as_text=True)
    assert b"boom" not in r.data  # the exception text stays private


def test_default_error_pages_match_flask_in_shape() -> None:
    flask = pytest.importorskip("flask")
    pages = []
    for app_class in (flask.Flask, Kolba):
        app = app_class("kolba_test_errors_shape")

        @app.route("/p", methods=["POST"])
        def p() -> str:
            return "p"

        client = app.test_client()
        got = []
        for path in ("/missing", "/p"):
            r = client.get(path)
            allow = sorted(r.headers.get("Allow", "").split(", "))  # Flask's order varies
            got.append((r.status_code, r.headers["Content-Type"], allow))
            got.append(r.get_data(as_text=True).split("<p>")[0])
        pages.append(got)
    assert pages[0] == pages[1]


# -- registering handlers -----------------------------------------------------------------------


def test_errorhandler_by_code_and_by_class(app: Kolba) -> None:
    @app.errorhandler(404)
    def not_found(e: exc.HTTPException) -> tuple[str, int]:
        return f"404 handler: {type(e).__name__}", 404

    class PaymentRequired(Exception):
        pass

    def payment(e: PaymentRequired) -> tuple[str, int]:
        return "pay first", 402

    app.register_error_handler(PaymentRequired, payment)

    @app.route("/pay")
    def pay() -> str:
        raise PaymentRequired

    client = app.test_client()
    r = client.get("/missing")
    assert (r.status_code, r.data) == (404, b"404 handler: NotFound")
    r = client.get("/abort/404")
    assert (r.status_code, r.data) == (404, b"404 handler: NotFound")
    r = client.get("/pay")
    assert (r.status_code, r.data) == (402, b"pay first")


def test_register_error_handler_for_an_http_exception_class(app: Kolba) -> None:
    app.register_error_handler(exc.Forbidden, lambda e: ("forbidden!", 403))
    assert app.test_client().get("/abort/403").data == b"forbidden!"


def test_errorhandler_for_an_instance_is_a_type_error(app: Kolba) -> None:
    with pytest.raises(TypeError, match="class"):
        app.register_error_handler(exc.NotFound(), lambda e: "")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        app.errorhandler(ValueError("x"))(lambda e: "")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [object, int, BaseException, KeyboardInterrupt])
def test_errorhandler_for_a_non_exception_class_is_a_value_error(app: Kolba, bad: Any) -> None:
    with pytest.raises(ValueError, match="Exception"):
        app.register_error_handler(bad, lambda e: "")


@pytest.mark.parametrize("code", [999, 200, 302, 600])
def test_errorhandler_for_an_unknown_code_is_a_value_error(app: Kolba, code: int) -> None:
    with pytest.raises(ValueError, match="Use a subclass of HTTPException"):
        app.register_error_handler(code, lambda e: "")


def test_errorhandler_for_a_custom_http_exception_code() -> None:
    class Custom(exc.HTTPException):
        code = 499
        description = "custom"

    app = Kolba("kolba_test_errors_custom")
    app.register_error_handler(Custom, lambda e: (f"handled {e.code}", 499))

    @app.route("/")
    def index() -> str:
        raise Custom

    assert app.test_client().get("/").data == b"handled 499"


# -- which handler wins -------------------------------------------------------------------------


def test_subclass_handler_wins(app: Kolba) -> None:
    class Base(Exception):
        pass

    class Child(Base):
        pass

    app.register_error_handler(Exception, lambda e: "exception")
    app.register_error_handler(Base, lambda e: "base")
    app.register_error_handler(Child, lambda e: "child")

    @app.route("/child")
    def child() -> str:
        raise Child

    @app.route("/base")
    def base() -> str:
        raise Base

    @app.route("/other")
    def other() -> str:
        raise RuntimeError

    client = app.test_client()
    assert client.get("/child").data == b"child"
    assert client.get("/base").data == b"base"
    assert client.get("/other").data == b"exception"


def test_mro_precedence_with_multiple_inheritance(app: Kolba) -> None:
    class E1(Exception):
        pass

    class E2(Exception):
        pass

    class E3(E1, E2):
        pass

    app.register_error_handler(E2, lambda e: "E2")
    app.register_error_handler(Exception, lambda e: "Exception")

    @app.route("/e3")
    def e3() -> str:
        raise E3

    assert app.test_client().get("/e3").data == b"E2"
    # With a handler for E1 as well, E1 comes first in E3's MRO.
    app2 = Kolba("kolba_test_errors_mro")
    app2.register_error_handler(E2, lambda e: "E2")
    app2.register_error_handler(E1, lambda e: "E1")
    app2.add_url_rule("/e3", view_func=e3)
    assert app2.test_client().get("/e3").data == b"E1"


def test_code_handler_before_class_handler(app: Kolba) -> None:
    class MyNotFound(exc.NotFound):
        pass

    app.register_error_handler(exc.HTTPException, lambda e: ("http", e.code))
    app.register_error_handler(404, lambda e: ("404", 404))
    app.register_error_handler(MyNotFound, lambda e: ("mine", 404))

    @app.route("/mine")
    def mine() -> str:
        raise MyNotFound

    client = app.test_client()
    assert client.get("/missing").data == b"404"
    assert client.get("/mine").data == b"mine"
    assert client.get("/abort/403").data == b"http"


def test_http_exception_handler_gets_routing_errors_not_redirects(app: Kolba) -> None:
    seen: list[int | None] = []

    @app.errorhandler(exc.HTTPException)
    def http_error(e: exc.HTTPException) -> tuple[str, int]:
        seen.append(e.code)
        return f"handled {e.code}", e.code or 500

    client = app.test_client()
    r = client.get("/missing")
    assert (r.status_code, r.data) == (404, b"handled 404")
    r = client.get("/post")
    assert (r.status_code, r.data) == (405, b"handled 405")
    r = client.get("/slash")
    assert r.status_code == 308
    assert r.headers["Location"] == "http://localhost/slash/"
    assert seen == [404, 405]


def test_exception_handler_gets_http_exceptions_too(app: Kolba) -> None:
    seen: list[str] = []

    @app.errorhandler(Exception)
    def everything(e: Exception) -> tuple[str, int]:
        seen.append(type(e).__name__)
        return "caught", 599

    client = app.test_client()
    for path in ("/missing", "/abort/403", "/boom"):
        assert client.get(path).status_code == 599
    assert client.post("/ok").status_code == 599
    assert client.get("/slash").status_code == 308
    assert seen == ["NotFound", "Forbidden", "ZeroDivisionError", "MethodNotAllowed"]


def test_handler_lookup_matches_flask() -> None:
    """The same handlers and errors pick the same handler in Flask and kolba."""
    flask = pytest.importorskip("flask")
    import werkzeug.exceptions as wz

    def build(app_class: Any, x: Any) -> list[tuple[int, bytes]]:
        class E1(Exception):
            pass

        class E2(Exception):
            pass

        class E3(E1, E2):
            pass

        app = app_class("kolba_test_errors_cmp")
        app.register_error_handler(E2, lambda e: ("E2", 500))
        app.register_error_handler(x.HTTPException, lambda e: (f"http {e.code}", e.code))
        app.register_error_handler(404, lambda e: ("404", 404))
        app.register_error_handler(LookupError, lambda e: ("lookup", 500))

        @app.route("/e3")
        def e3() -> str:
            raise E3

        @app.route("/key")
        def key() -> str:
            raise KeyError("k")

        @app.route("/gone")
        def gone() -> str:
            raise x.Gone

        @app.route("/s/")
        def s() -> str:
            return "s"

        client = app.test_client()
        return [
            (r.status_code, r.data if r.status_code != 308 else b"")
            for r in (client.get(p) for p in ("/e3", "/key", "/gone", "/missing", "/s", "/s/"))
        ]

    assert build(flask.Flask, wz) == build(Kolba, exc)


# -- unhandled exceptions -----------------------------------------------------------------------


def test_500_handler_gets_internal_server_error(app: Kolba) -> None:
    got: list[Any] = []

    @app.errorhandler(500)
    def server_error(e: exc.InternalServerError) -> tuple[str, int]:
        got.append(e)
        return "sorry", 500

    client = app.test_client()
    r = quiet(client, "/boom")
    assert (r.status_code, r.data) == (500, b"sorry")
    assert isinstance(got[0], exc.InternalServerError)
    assert isinstance(got[0].original_exception, ZeroDivisionError)
    r = client.get("/abort/500")
    assert (r.status_code, r.data) == (500, b"sorry")
    assert got[1].original_exception is None


def test_500_handler_registered_by_class(app: Kolba) -> None:
    app.register_error_handler(exc.InternalServerError, lambda e: ("by class", 500))
    assert quiet(app.test_client(), "/boom").data == b"by class"


def test_unhandled_exception_is_logged() -> None:
    app = Kolba("kolba_test_errors_logged")

    @app.route("/boom")
    def boom() -> str:
        raise ZeroDivisionError("boom")

    stream = io.StringIO()
    with bare_root_logger():
        r = app.test_client().get("/boom", errors_stream=stream)
    assert r.status_code == 500
    logged = stream.getvalue()
    assert "ERROR in app: Exception on /boom [GET]" in logged
    assert "ZeroDivisionError: boom" in logged
    assert "Traceback" in logged


def test_unhandled_exception_logged_to_app_logger(
    app: Kolba, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        r = app.test_client().post("/boom", errors_stream=io.StringIO())
    assert r.status_code == 405  # a 405 is an answer, not an error: nothing logged
    assert caplog.records == []
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        quiet(app.test_client(), "/boom")
    (record,) = caplog.records
    assert record.name == app.logger.name
    assert record.getMessage() == "Exception on /boom [GET]"
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError


def test_overriding_log_exception_silences_it(app: Kolba) -> None:
    class Silent(Kolba):
        def log_exception(self, exc_info: Any) -> None:
            pass

    silent = Silent("kolba_test_errors_silent")

    @silent.route("/boom")
    def boom() -> str:
        raise ValueError

    stream = io.StringIO()
    with bare_root_logger():
        assert silent.test_client().get("/boom", errors_stream=stream).status_code == 500
    assert stream.getvalue() == ""


def test_got_request_exception_signal(app: Kolba) -> None:
    sent: list[tuple[Any, Any]] = []

    def record(sender: Any, exception: Exception, **kw: Any) -> None:
        sent.append((sender, exception))

    with kolba.got_request_exception.connected_to(record, app):
        quiet(app.test_client(), "/boom")
        app.test_client().get("/missing")  # answered with a 404 page: not an exception
    assert len(sent) == 1
    assert sent[0][0] is app
    assert isinstance(sent[0][1], ZeroDivisionError)


@pytest.mark.parametrize(
    ("config", "raises"),
    [
        ({}, False),
        ({"TESTING": True}, True),
        ({"DEBUG": True}, True),
        ({"PROPAGATE_EXCEPTIONS": True}, True),
        ({"PROPAGATE_EXCEPTIONS": False, "TESTING": True}, False),
        ({"PROPAGATE_EXCEPTIONS": False, "DEBUG": True}, False),
    ],
)
def test_propagate_exceptions(app: Kolba, config: dict[str, Any], raises: bool) -> None:
    app.config.update(config)
    handled: list[Exception] = []
    app.register_error_handler(500, lambda e: (handled.append(e), ("handled", 500))[1])
    client = app.test_client()
    if raises:
        with pytest.raises(ZeroDivisionError, match="boom"):
            quiet(client, "/boom")
        assert handled == []
    else:
        assert quiet(client, "/boom").data == b"handled"
    # HTTP errors are answers, never propagated.
    assert client.get("/missing").status_code == 404


def test_propagated_exception_still_tears_down(app: Kolba) -> None:
    app.testing = True
    torn: list[Any] = []
    app.teardown_request(torn.append)
    app.teardown_appcontext(torn.append)
    with pytest.raises(ZeroDivisionError):
        app.test_client().get("/boom")
    assert [type(e) for e in torn] == [ZeroDivisionError, ZeroDivisionError]


def test_trap_http_exceptions(app: Kolba) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    client = app.test_client()
    # Trapped HTTP errors are treated as unhandled exceptions: a 500 in production...
    assert quiet(client, "/abort/404").status_code == 500
    assert quiet(client, "/missing").status_code == 500
    # ...raised to the test client when testing.
    app.testing = True
    with pytest.raises(exc.NotFound):
        client.get("/abort/404")
    with pytest.raises(exc.MethodNotAllowed):
        client.get("/post")


def test_trapped_http_exception_reaches_class_handler(app: Kolba) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    app.register_error_handler(exc.NotFound, lambda e: ("by class", 404))
    assert app.test_client().get("/abort/404").data == b"by class"


@pytest.fixture
def key_app(app: Kolba) -> Kolba:
    @app.route("/key")
    def key() -> str:
        return kolba.request.form["needed"]

    @app.route("/bad")
    def bad() -> str:
        abort(400)

    return app


def test_bad_request_key_error_is_a_400(key_app: Kolba) -> None:
    r = key_app.test_client().get("/key")
    assert r.status_code == 400
    assert b"needed" not in r.data


def test_bad_request_key_error_shows_key_in_debug(key_app: Kolba) -> None:
    key_app.config.update(DEBUG=True, TRAP_BAD_REQUEST_ERRORS=False)
    r = key_app.test_client().get("/key")
    assert r.status_code == 400
    assert b"KeyError: &#39;needed&#39;" in r.data


def test_debug_raises_bad_request_key_errors(key_app: Kolba) -> None:
    key_app.debug = True
    client = key_app.test_client()
    with pytest.raises(exc.BadRequestKeyError):
        client.get("/key")
    assert client.get("/bad").status_code == 400


def test_trap_bad_request_errors(key_app: Kolba) -> None:
    key_app.config["TRAP_BAD_REQUEST_ERRORS"] = True
    client = key_app.test_client()
    assert quiet(client, "/key").status_code == 500
    assert quiet(client, "/bad").status_code == 500
    assert client.get("/abort/404").status_code == 404
    key_app.testing = True
    with pytest.raises(exc.BadRequestKeyError):
        client.get("/key")
    with pytest.raises(exc.BadRequest):
        client.get("/bad")


def test_trap_settings_match_flask() -> None:
    flask = pytest.importorskip("flask")
    configs: list[dict[str, Any]] = [
        {},
        {"TRAP_HTTP_EXCEPTIONS": True},
        {"TRAP_BAD_REQUEST_ERRORS": True},
        {"DEBUG": True},
        {"DEBUG": True, "TRAP_BAD_REQUEST_ERRORS": False},
        {"TESTING": True, "TRAP_BAD_REQUEST_ERRORS": True},
    ]

    def outcomes(module: Any, app_class: Any) -> list[Any]:
        out: list[Any] = []
        for config in configs:
            app = app_class("kolba_test_errors_trap")
            app.config.update(config)
            app.add_url_rule("/key", "key", lambda: module.request.form["k"])
            app.add_url_rule("/nf", "nf", lambda: module.abort(404))
            client = app.test_client()
            for path in ("/key", "/nf", "/missing"):
                try:
                    out.append(quiet(client, path).status_code)
                except Exception as e:
                    out.append(type(e).__name__)
        return out

    assert outcomes(flask, flask.Flask) == outcomes(kolba, Kolba)


@pytest.mark.parametrize("config", [{}, {"TESTING": True}, {"PROPAGATE_EXCEPTIONS": False}])
def test_keyboard_interrupt_always_propagates(app: Kolba, config: dict[str, Any]) -> None:
    app.config.update(config)
    handled: list[BaseException] = []
    torn: list[BaseException | None] = []
    app.register_error_handler(Exception, lambda e: (handled.append(e), "x")[1])
    app.register_error_handler(500, lambda e: (handled.append(e), "x")[1])
    app.teardown_request(torn.append)

    @app.route("/interrupt")
    def interrupt() -> str:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        app.test_client().get("/interrupt")
    assert handled == []
    assert len(torn) == 1
    assert isinstance(torn[0], KeyboardInterrupt)


# -- errors in hooks --------------------------------------------------------------------------------


def test_error_in_before_request_goes_to_500_handler(app: Kolba) -> None:
    after: list[int] = []

    @app.before_request
    def fail() -> None:
        raise RuntimeError("before")

    @app.after_request
    def record(response: kolba.Response) -> kolba.Response:
        after.append(response.status_code)
        return response

    @app.errorhandler(500)
    def server_error(e: exc.InternalServerError) -> tuple[str, int]:
        return f"500: {e.original_exception}", 500

    r = quiet(app.test_client(), "/ok")
    assert (r.status_code, r.data) == (500, b"500: before")
    assert after == [500]


def test_error_in_after_request_goes_to_500_handler(app: Kolba) -> None:
    calls: list[int] = []

    @app.after_request
    def fail_on_success(response: kolba.Response) -> kolba.Response:
        calls.append(response.status_code)
        if response.status_code == 200:
            raise RuntimeError("after")
        return response

    @app.errorhandler(500)
    def server_error(e: exc.InternalServerError) -> tuple[str, int]:
        return f"500: {e.original_exception}", 500

    r = quiet(app.test_client(), "/ok")
    assert (r.status_code, r.data) == (500, b"500: after")
    # after_request ran on the view's response, then again on the error handler's.
    assert calls == [200, 500]


def test_after_request_failing_on_error_response_still_sends_it() -> None:
    app = Kolba("kolba_test_errors_after_fails")
    app.add_url_rule("/ok", "ok", lambda: "ok")

    @app.after_request
    def always_fails(response: kolba.Response) -> kolba.Response:
        raise RuntimeError("after")

    stream = io.StringIO()
    with bare_root_logger():
        r = app.test_client().get("/ok", errors_stream=stream)
    assert r.status_code == 500
    assert "Exception on /ok [GET]" in stream.getvalue()
    assert "after_request" in stream.getvalue()


def test_after_request_runs_on_error_handler_responses(app: Kolba) -> None:
    @app.errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return "custom 404", 404

    @app.after_request
    def stamp(response: kolba.Response) -> kolba.Response:
        response.headers["X-Stamp"] = str(response.status_code)
        return response

    client = app.test_client()
    r = client.get("/missing")
    assert (r.data, r.headers["X-Stamp"]) == (b"custom 404", "404")
    r = client.get("/abort/403")  # the default page, no handler
    assert r.headers["X-Stamp"] == "403"
    r = quiet(client, "/boom")  # the default 500 page
    assert r.headers["X-Stamp"] == "500"


def test_error_in_error_handler_becomes_500() -> None:
    app = Kolba("kolba_test_errors_broken_handler")

    @app.errorhandler(404)
    def broken(e: Exception) -> str:
        raise RuntimeError("handler broke")

    stream = io.StringIO()
    with bare_root_logger():
        r = app.test_client().get("/missing", errors_stream=stream)
    assert r.status_code == 500
    assert "RuntimeError: handler broke" in stream.getvalue()


def test_error_handler_may_return_any_response_value(app: Kolba) -> None:
    app.register_error_handler(404, lambda e: {"error": e.name})
    app.register_error_handler(403, lambda e: kolba.Response("plain", 403, mimetype="text/plain"))
    client = app.test_client()
    r = client.get("/missing")
    assert r.status_code == 200  # a bare body keeps 200, as in Flask
    assert r.get_json() == {"error": "Not Found"}
    r = client.get("/abort/403")
    assert (r.status_code, r.mimetype) == (403, "text/plain")


def test_http_exception_returned_from_view(app: Kolba) -> None:
    @app.route("/returned")
    def returned() -> Any:
        return exc.Conflict()

    r = app.test_client().get("/returned")
    assert r.status_code == 409
    assert b"<title>409 Conflict</title>" in r.data


# -- debug help for a missing upload ------------------------------------------------------------


@pytest.fixture
def upload_app() -> Kolba:
    app = Kolba("kolba_test_errors_upload")

    @app.post("/upload")
    def upload() -> str:
        return kolba.request.files["photo"].filename or ""

    return app


def test_missing_file_in_debug_explains_the_enctype(upload_app: Kolba) -> None:
    from kolba.wrappers import DebugFilesKeyError

    upload_app.debug = True
    with pytest.raises(DebugFilesKeyError) as info:
        upload_app.test_client().post("/upload", data={"photo": "cat.jpg"})
    message = str(info.value)
    assert 'enctype="multipart/form-data"' in message
    assert "'application/x-www-form-urlencoded'" in message
    assert "'cat.jpg'" in message
    assert isinstance(info.value, KeyError)


def test_missing_file_outside_debug_is_a_400(upload_app: Kolba) -> None:
    r = upload_app.test_client().post("/upload", data={"photo": "cat.jpg"})
    assert r.status_code == 400


def test_missing_file_in_a_multipart_body_is_a_plain_key_error(upload_app: Kolba) -> None:
    upload_app.debug = True
    client = upload_app.test_client()
    with pytest.raises(exc.BadRequestKeyError):
        client.post("/upload", data={"other": (io.BytesIO(b"x"), "x.txt")})
    r = client.post("/upload", data={"photo": (io.BytesIO(b"jpg"), "cat.jpg")})
    assert r.data == b"cat.jpg"

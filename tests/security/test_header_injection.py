"""No header injection through any API that sets a header, a cookie, a status or a redirect.

Every case runs a real app through raw WSGI (the test client rebuilds the headers it receives
and would hide what a server is handed) and checks what ``start_response`` gets: no CR, LF
or NUL in the status line or in any header name or value, nothing outside latin-1, and no
header the attacker's text tried to add. Where the API is meant to refuse such text with an
error (design/BAD_INPUTS.md section 10), the call itself must raise ValueError; an app then
answers 500, as Flask does.
"""

from __future__ import annotations

import io
import typing as t
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba
from kolba.exceptions import (
    HTTPException,
    MethodNotAllowed,
    RequestedRangeNotSatisfiable,
    TooManyRequests,
    Unauthorized,
)
from kolba.wrappers import Response

# The injected text: a line break followed by a header the attacker wants the client to see.
EVIL = "v\r\nSet-Cookie: injected=1"
BREAKERS = ["\r\n", "\n", "\r", "\0"]


class Sent(t.NamedTuple):
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def wsgi(app: kolba.Kolba, path: str = "/", query: str = "", method: str = "GET") -> Sent:
    """Call ``app`` as a WSGI server would and return exactly what it was handed."""
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        started.append((status, list(headers)))
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started[-1]
    return Sent(status, headers, body)


def assert_clean(sent: Sent) -> None:
    """Nothing in the status line or the headers can start a new line or header."""
    for text in [sent.status] + [part for header in sent.headers for part in header]:
        assert isinstance(text, str), text
        assert not any(c in text for c in "\r\n\0"), f"line breaker sent: {text!r}"
        text.encode("latin-1")  # a server would fail on anything else
    # The attacker's header never stands on its own (percent-encoded inside a value is fine).
    for name, value in sent.headers:
        assert not (name.lower() == "set-cookie" and value.startswith("injected")), sent.headers
        assert "set-cookie:" not in name.lower(), sent.headers


def app_with(view: t.Callable[[], t.Any], **config: t.Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config.update(config)
    app.add_url_rule("/", "view", view)
    return app


def _response_with(change: t.Callable[[Response], t.Any]) -> t.Callable[[], Response]:
    def view() -> Response:
        response = kolba.make_response("body")
        change(response)
        return response

    return view


class _CustomError(HTTPException):
    code = 418

    def get_headers(self, environ: t.Any = None, scope: t.Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "text/plain"), ("X-Reason", EVIL)]


def _raise(exc: BaseException) -> t.Callable[[], t.NoReturn]:
    def view() -> t.NoReturn:
        raise exc

    return view


# (id, view, the call itself must raise ValueError)
CASES: list[t.Any] = [
    ("headers[]=", _response_with(lambda r: r.headers.__setitem__("X-A", EVIL)), True),
    ("headers.add", _response_with(lambda r: r.headers.add("X-A", EVIL)), True),
    ("headers.set", _response_with(lambda r: r.headers.set("X-A", EVIL)), True),
    ("headers.setdefault", _response_with(lambda r: r.headers.setdefault("X-A", EVIL)), True),
    ("headers.setlist", _response_with(lambda r: r.headers.setlist("X-A", ["ok", EVIL])), True),
    ("headers.extend", _response_with(lambda r: r.headers.extend({"X-A": EVIL})), True),
    ("headers.update", _response_with(lambda r: r.headers.update([("X-A", EVIL)])), True),
    ("headers[0]=", _response_with(lambda r: r.headers.__setitem__(0, ("X-A", EVIL))), True),
    (
        "headers.add-with-parameter",
        _response_with(lambda r: r.headers.add("Content-Disposition", "attachment", filename=EVIL)),
        True,
    ),
    ("header-name", _response_with(lambda r: r.headers.__setitem__(EVIL, "v")), True),
    ("non-latin-1-value", _response_with(lambda r: r.headers.__setitem__("X-A", "snow ☃")), True),
    ("Response(headers=dict)", lambda: Response("x", headers={"X-A": EVIL}), True),
    ("Response(headers=list)", lambda: Response("x", headers=[("X-A", EVIL)]), True),
    ("Response(mimetype)", lambda: Response("x", mimetype="text/html" + EVIL), True),
    ("Response(content_type)", lambda: Response("x", content_type="text/html" + EVIL), True),
    ("Response(status)", lambda: Response("x", status="200 OK" + EVIL), True),
    ("response.status=", _response_with(lambda r: setattr(r, "status", "200 OK" + EVIL)), True),
    ("response.mimetype=", _response_with(lambda r: setattr(r, "mimetype", "a/b" + EVIL)), True),
    (
        "response.content_type=",
        _response_with(lambda r: setattr(r, "content_type", "a/b" + EVIL)),
        True,
    ),
    ("response.location=", _response_with(lambda r: setattr(r, "location", "/x" + EVIL)), True),
    (
        "response.content_location=",
        _response_with(lambda r: setattr(r, "content_location", "/x" + EVIL)),
        True,
    ),
    ("response.vary.add", _response_with(lambda r: r.vary.add(EVIL)), True),
    ("response.allow.add", _response_with(lambda r: r.allow.add(EVIL)), True),
    ("response.content_language.add", _response_with(lambda r: r.content_language.add(EVIL)), True),
    (
        "response.cache_control.max_age=",
        _response_with(lambda r: setattr(r.cache_control, "max_age", EVIL)),
        True,
    ),
    (
        "response.cache_control[]=",
        _response_with(lambda r: r.cache_control.__setitem__("private", EVIL)),
        True,
    ),
    ("response.set_etag", _response_with(lambda r: r.set_etag("a" + EVIL)), True),
    ("response.retry_after=", _response_with(lambda r: setattr(r, "retry_after", EVIL)), True),
    (
        "response.access_control_allow_origin=",
        _response_with(lambda r: setattr(r, "access_control_allow_origin", EVIL)),
        True,
    ),
    (
        "response.www_authenticate.realm=",
        _response_with(lambda r: r.www_authenticate.__setitem__("realm", EVIL)),
        True,
    ),
    ("tuple (body, dict)", lambda: ("x", {"X-A": EVIL}), True),
    ("tuple (body, list)", lambda: ("x", [("X-A", EVIL)]), True),
    ("tuple (body, status, headers)", lambda: ("x", 200, {"X-A": EVIL}), True),
    ("tuple (body, status string)", lambda: ("x", "200 OK" + EVIL), True),
    ("tuple (Response, headers)", lambda: (Response("x"), {"X-A": EVIL}), True),
    ("make_response(body, headers)", lambda: kolba.make_response("x", {"X-A": EVIL}), True),
    ("make_response(tuple)", lambda: kolba.make_response(("x", 201, [("X-A", EVIL)])), True),
    ("set_cookie key", _response_with(lambda r: r.set_cookie("k" + EVIL, "v")), True),
    ("set_cookie value", _response_with(lambda r: r.set_cookie("k", EVIL)), True),
    ("set_cookie domain", _response_with(lambda r: r.set_cookie("k", "v", domain=EVIL)), True),
    ("set_cookie samesite", _response_with(lambda r: r.set_cookie("k", "v", samesite=EVIL)), True),
    ("set_cookie expires", _response_with(lambda r: r.set_cookie("k", "v", expires=EVIL)), True),
    # The path is percent-encoded instead (as Werkzeug does): a clean cookie, no error.
    ("set_cookie path", _response_with(lambda r: r.set_cookie("k", "v", path=EVIL)), False),
    ("delete_cookie key", _response_with(lambda r: r.delete_cookie("k" + EVIL)), True),
    ("delete_cookie domain", _response_with(lambda r: r.delete_cookie("k", domain=EVIL)), True),
    ("delete_cookie path", _response_with(lambda r: r.delete_cookie("k", path=EVIL)), False),
    ("redirect", lambda: kolba.redirect("/next" + EVIL), True),
    ("redirect NUL", lambda: kolba.redirect("/next\0x"), True),
    ("redirect 301", lambda: kolba.redirect("https://example.com/" + EVIL, 301), True),
    ("abort(Response)", lambda: kolba.abort(Response("x", headers={"X-A": EVIL})), True),
    ("abort(make_response)", lambda: kolba.abort(kolba.make_response(("x", {"X-A": EVIL}))), True),
    (
        "send_file download_name",
        lambda: kolba.send_file(io.BytesIO(b"x"), as_attachment=True, download_name="a" + EVIL),
        False,
    ),
    (
        "send_file inline download_name",
        lambda: kolba.send_file(io.BytesIO(b"x"), download_name="a" + EVIL + ".txt"),
        False,
    ),
    (
        "send_file mimetype",
        lambda: kolba.send_file(io.BytesIO(b"x"), mimetype="text/plain" + EVIL),
        True,
    ),
    pytest.param(
        "abort(401, www_authenticate=)",
        lambda: kolba.abort(401, www_authenticate=EVIL),
        True,
    ),
    pytest.param(
        "raise Unauthorized(www_authenticate=)",
        _raise(Unauthorized(www_authenticate=EVIL)),
        True,
    ),
    pytest.param(
        "abort(405, valid_methods=)",
        lambda: kolba.abort(405, valid_methods=["GET", EVIL]),
        True,
    ),
    pytest.param(
        "raise MethodNotAllowed(valid_methods=)",
        _raise(MethodNotAllowed(valid_methods=[EVIL])),
        True,
    ),
    pytest.param(
        "raise TooManyRequests(retry_after=)",
        _raise(TooManyRequests(retry_after=EVIL)),  # type: ignore[arg-type]
        True,
    ),
    pytest.param(
        "raise RequestedRangeNotSatisfiable(units=)",
        _raise(RequestedRangeNotSatisfiable(length=4, units=EVIL)),
        True,
    ),
    pytest.param(
        "HTTPException subclass get_headers",
        _raise(_CustomError()),
        True,
    ),
]


def _case_id(case: t.Any) -> str:
    return str(case.values[0] if hasattr(case, "values") else case[0])


@pytest.mark.parametrize(("name", "view", "refused"), CASES, ids=[_case_id(c) for c in CASES])
def test_nothing_injected_reaches_the_server(
    name: str, view: t.Callable[[], t.Any], refused: bool
) -> None:
    sent = wsgi(app_with(view))
    assert_clean(sent)
    if refused:
        # The API refused the text, so the view failed: a plain 500, as in Flask.
        assert sent.status.startswith("500 "), (name, sent.status, sent.headers)


_REFUSING = [case for case in CASES if not hasattr(case, "values") and case[2]]


@pytest.mark.parametrize(("name", "view", "refused"), _REFUSING, ids=[c[0] for c in _REFUSING])
def test_the_api_refuses_with_a_value_error_that_says_why(
    name: str, view: t.Callable[[], t.Any], refused: bool
) -> None:
    app = app_with(view)
    with app.test_request_context("/"), pytest.raises(ValueError) as info:
        app.make_response(view())
    # The message names the problem: the character class, or the value it refused.
    message = str(info.value)
    assert any(word in message for word in ("CR, LF", "latin-1", "Set-Cookie", "int")), message


def test_a_value_from_the_query_string_cannot_inject() -> None:
    """The realistic shape: an app echoes a query value (decoded from %0D%0A) into a header."""

    def view() -> Response:
        response = kolba.make_response("hi")
        response.headers["X-Echo"] = kolba.request.args["v"]
        return response

    app = app_with(view)
    sent = wsgi(app, query="v=a%0D%0ASet-Cookie:%20injected=1")
    assert_clean(sent)
    assert sent.status.startswith("500 ")
    assert [v for k, v in wsgi(app, query="v=plain").headers if k == "X-Echo"] == ["plain"]


def test_jsonify_with_a_broken_configured_mimetype_is_refused() -> None:
    app = app_with(lambda: kolba.jsonify(a=1))
    app.json.mimetype = "application/json" + EVIL  # type: ignore[attr-defined]
    sent = wsgi(app)
    assert_clean(sent)
    assert sent.status.startswith("500 ")


def test_dict_return_with_a_broken_configured_mimetype_is_refused() -> None:
    app = app_with(lambda: {"a": 1})
    app.json.mimetype = "application/json" + EVIL  # type: ignore[attr-defined]
    sent = wsgi(app)
    assert_clean(sent)
    assert sent.status.startswith("500 ")


def test_jsonify_escapes_line_breaks_in_values() -> None:
    sent = wsgi(app_with(lambda: kolba.jsonify(a=EVIL)))
    assert sent.status.startswith("200 ")
    assert_clean(sent)
    assert b"\\r\\n" in sent.body


@pytest.mark.parametrize(
    ("setting", "value", "refused"),
    [
        ("SESSION_COOKIE_NAME", "session" + EVIL, True),
        ("SESSION_COOKIE_DOMAIN", "example.com" + EVIL, True),
        ("SESSION_COOKIE_SAMESITE", "Lax" + EVIL, True),
        ("SESSION_COOKIE_PATH", "/app" + EVIL, False),  # percent-encoded, as any cookie path
    ],
)
def test_session_cookie_settings_cannot_inject(setting: str, value: str, refused: bool) -> None:
    def view() -> str:
        kolba.session["user"] = "ada"
        return "ok"

    sent = wsgi(app_with(view, SECRET_KEY="k", **{setting: value}))
    assert_clean(sent)
    assert sent.status.startswith("500 " if refused else "200 ")


def test_session_values_never_reach_the_header_raw() -> None:
    def view() -> str:
        kolba.session["user"] = EVIL
        kolba.session[EVIL] = "\0"
        return "ok"

    sent = wsgi(app_with(view, SECRET_KEY="k"))
    assert sent.status.startswith("200 ")
    assert_clean(sent)
    cookies = [v for k, v in sent.headers if k == "Set-Cookie"]
    assert len(cookies) == 1
    assert cookies[0].startswith("session=")


def test_redirect_with_non_ascii_is_percent_encoded() -> None:
    sent = wsgi(app_with(lambda: kolba.redirect("/café/☃?q=ü")))
    assert sent.status.startswith("302 ")
    assert_clean(sent)
    assert dict(sent.headers)["Location"] == "/caf%C3%A9/%E2%98%83?q=%C3%BC"


@pytest.mark.parametrize(("breaker", "escaped"), [("\x00", "%00"), ("\r\n", "%0D%0A")])
def test_slash_redirect_does_not_copy_raw_query_bytes(breaker: str, escaped: str) -> None:
    """A NUL reaches QUERY_STRING through http.server-based servers; the redirect keeps the
    query, percent-encoded, and the Location stays one clean header.
    """
    app = kolba.Kolba(__name__)
    app.add_url_rule("/dir/", "dir", lambda: "dir")
    sent = wsgi(app, "/dir", query=f"x=1{breaker}Set-Cookie: injected=1")
    assert_clean(sent)
    assert sent.status.startswith("308 ")
    assert dict(sent.headers)["Location"] == (
        f"http://localhost/dir/?x=1{escaped}Set-Cookie:%20injected=1"
    )


def test_slash_redirect_keeps_an_ordinary_query() -> None:
    app = kolba.Kolba(__name__)
    app.add_url_rule("/dir/", "dir", lambda: "dir")
    sent = wsgi(app, "/dir", query="x=1&y=%20a")
    assert sent.status.startswith("308 ")
    assert dict(sent.headers)["Location"] == "http://localhost/dir/?x=1&y=%20a"


# -- property: any text through the common header APIs ---------------------------------------

_TEXT = st.text(
    st.sampled_from(["a", " ", ":", ";", "\r", "\n", "\0", "\t", "é", "☃", "\x7f", "\x85", "="]),
    max_size=12,
)
_SETTERS: dict[str, t.Callable[[Response, str], t.Any]] = {
    "headers[]": lambda r, v: r.headers.__setitem__("X-Value", v),
    "header name": lambda r, v: r.headers.__setitem__("X-" + v, "1"),
    "headers.add param": lambda r, v: r.headers.add("Content-Disposition", "inline", filename=v),
    "set_cookie value": lambda r, v: r.set_cookie("k", v),
    "set_cookie key": lambda r, v: r.set_cookie(v or "k", "v"),
    "set_cookie path": lambda r, v: r.set_cookie("k", "v", path=v),
    "location": lambda r, v: setattr(r, "location", v),
    "mimetype": lambda r, v: setattr(r, "mimetype", "text/" + v),
    "vary": lambda r, v: r.vary.add(v),
    "etag": lambda r, v: r.set_etag(v.replace('"', "")),
    "redirect": lambda r, v: r.headers.update(kolba.redirect("/" + v).headers),
}


@settings(max_examples=150, deadline=None)
@given(value=_TEXT, setter=st.sampled_from(sorted(_SETTERS)))
def test_any_text_through_any_setter_is_sent_clean_or_refused(value: str, setter: str) -> None:
    def view() -> Response:
        response = kolba.make_response("x")
        _SETTERS[setter](response, value)
        return response

    sent = wsgi(app_with(view))
    assert_clean(sent)
    if any(c in value for c in "\r\n\0") and setter != "set_cookie path":
        assert sent.status.startswith("500 ")


def test_expires_datetime_is_formatted_not_injected() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    sent = wsgi(app_with(_response_with(lambda r: r.set_cookie("k", "v", expires=when))))
    assert_clean(sent)
    (cookie,) = [v for k, v in sent.headers if k == "Set-Cookie"]
    assert "Expires=Wed, 02 Jan 2030 03:04:05 GMT" in cookie


def test_response_class_default_mimetype_is_checked() -> None:
    class Broken(Response):
        default_mimetype = "text/html" + EVIL

    app = app_with(lambda: "hello")
    app.response_class = Broken
    sent = wsgi(app)
    assert_clean(sent)
    assert sent.status.startswith("500 ")

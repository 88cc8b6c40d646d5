"""A session cookie written by Flask is read by kolba with the same SECRET_KEY, and the
reverse. Flask is a test dependency only.
"""

from __future__ import annotations

import typing as t
import uuid
from datetime import datetime, timezone

import flask
import pytest
from markupsafe import Markup

import kolba

SECRET = "shared secret"

VALUES: list[tuple[str, t.Any]] = [
    ("str", "ada"),
    ("int", 42),
    ("list", [1, "two", None, True]),
    ("tuple", (1, "two", (3,))),
    ("bytes", b"\x00\x01binary\xff"),
    ("markup", Markup("<em>kept safe</em>")),
    ("uuid", uuid.UUID("0b6a4b62-3c8e-4a4e-9d55-1f0f4a1a2b3c")),
    ("datetime", datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)),
    ("tag-like-key", {" t": ["not", "a", "tuple"], " di": {"x": 1}}),
    ("nested", {"cart": [{"sku": "a", "qty": (1, 2)}], "seen": b"yes"}),
    ("unicode", "naïve ☃ 日本"),
]


def _flask_app(**config: t.Any) -> flask.Flask:
    app = flask.Flask(__name__)
    app.config.update({"SECRET_KEY": SECRET, **config})
    return app


def _kolba_app(**config: t.Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config.update({"SECRET_KEY": SECRET, **config})
    return app


def _cookie_value(response: t.Any) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == "session":
            return t.cast(str, rest.split(";")[0])
    raise AssertionError("no session cookie was set")


def _writer(app: t.Any, session: t.Any, value: t.Any) -> None:
    @app.route("/write")
    def write() -> str:
        session["value"] = value
        session["marker"] = "written"
        return "ok"


def _reader(app: t.Any, session: t.Any, value: t.Any) -> None:
    @app.route("/read")
    def read() -> str:
        loaded = session.get("value")
        ok = type(loaded) is type(value) and loaded == value and session["marker"] == "written"
        return "same" if ok else f"different: {loaded!r}"


@pytest.mark.parametrize(("name", "value"), VALUES, ids=[v[0] for v in VALUES])
def test_flask_cookie_is_read_by_kolba(name: str, value: t.Any) -> None:
    writer = _flask_app()
    _writer(writer, flask.session, value)
    cookie = _cookie_value(writer.test_client().get("/write"))
    reader = _kolba_app()
    _reader(reader, kolba.session, value)
    rv = reader.test_client().get("/read", headers={"Cookie": f"session={cookie}"})
    assert rv.text == "same"


@pytest.mark.parametrize(("name", "value"), VALUES, ids=[v[0] for v in VALUES])
def test_kolba_cookie_is_read_by_flask(name: str, value: t.Any) -> None:
    writer = _kolba_app()
    _writer(writer, kolba.session, value)
    cookie = _cookie_value(writer.test_client().get("/write"))
    reader = _flask_app()
    _reader(reader, flask.session, value)
    client = reader.test_client()
    # Werkzeug's client replaces a Cookie header with its own jar: store it there.
    client.set_cookie("session", cookie)
    rv = client.get("/read")
    assert rv.get_data(as_text=True) == "same"


def test_payloads_are_byte_identical() -> None:
    value = {"user": 7, "roles": ("admin",), "when": datetime(2030, 1, 1, tzinfo=timezone.utc)}
    flask_app = _flask_app()
    kolba_app = _kolba_app()
    _writer(flask_app, flask.session, value)
    _writer(kolba_app, kolba.session, value)
    from_flask = _cookie_value(flask_app.test_client().get("/write"))
    from_kolba = _cookie_value(kolba_app.test_client().get("/write"))
    # The signed timestamp may differ by a second; the serialized data may not.
    assert from_flask.split(".")[0] == from_kolba.split(".")[0]


def test_permanent_flag_crosses_over() -> None:
    flask_app = _flask_app()

    @flask_app.route("/login")
    def login() -> str:
        flask.session.permanent = True
        flask.session["user"] = "ada"
        return ""

    @flask_app.route("/who")
    def who() -> str:
        return str(flask.session.get("user"))

    cookie = _cookie_value(flask_app.test_client().get("/login"))
    kolba_app = _kolba_app()

    @kolba_app.route("/check")
    def check() -> str:
        return f"{kolba.session.permanent} {kolba.session['user']}"

    rv = kolba_app.test_client().get("/check", headers={"Cookie": f"session={cookie}"})
    assert rv.text == "True ada"
    # Permanent, so kolba refreshes it, with an expiry, in a form Flask still reads.
    refreshed = rv.headers["Set-Cookie"]
    assert "Expires=" in refreshed

    flask_client = flask_app.test_client()
    flask_client.set_cookie("session", _cookie_value(rv))
    assert flask_client.get("/who").text == "ada"


def test_flask_old_key_cookie_is_read_by_kolba_with_fallbacks() -> None:
    flask_app = _flask_app(SECRET_KEY="retired")
    _writer(flask_app, flask.session, "v")
    cookie = _cookie_value(flask_app.test_client().get("/write"))
    kolba_app = _kolba_app(SECRET_KEY="current", SECRET_KEY_FALLBACKS=["retired"])
    _reader(kolba_app, kolba.session, "v")
    assert kolba_app.test_client().get("/read", headers={"Cookie": f"session={cookie}"}).text == (
        "same"
    )


def test_different_keys_do_not_cross_over() -> None:
    flask_app = _flask_app(SECRET_KEY="flask only")
    _writer(flask_app, flask.session, "v")
    cookie = _cookie_value(flask_app.test_client().get("/write"))
    kolba_app = _kolba_app(SECRET_KEY="kolba only")

    @kolba_app.route("/peek")
    def peek() -> str:
        return repr(dict(kolba.session))

    assert kolba_app.test_client().get("/peek", headers={"Cookie": f"session={cookie}"}).text == (
        "{}"
    )


def test_flashes_cross_over() -> None:
    flask_app = _flask_app()

    @flask_app.route("/flash")
    def do_flash() -> str:
        flask.flash("Saved", "success")
        flask.flash(Markup("<b>bold</b>"))
        return ""

    cookie = _cookie_value(flask_app.test_client().get("/flash"))
    kolba_app = _kolba_app()

    @kolba_app.route("/show")
    def show() -> str:
        messages = kolba.get_flashed_messages(with_categories=True)
        assert isinstance(messages[1][1], Markup)
        return repr(messages)

    rv = kolba_app.test_client().get("/show", headers={"Cookie": f"session={cookie}"})
    assert rv.text == repr([("success", "Saved"), ("message", Markup("<b>bold</b>"))])

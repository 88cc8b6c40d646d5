"""Flash messages, and the seed's login form that uses them with the session."""

from __future__ import annotations

import typing as t

import pytest
from markupsafe import Markup

import kolba
from kolba.signals import message_flashed


def make_app(**config: t.Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config.update({"SECRET_KEY": "flash secret", "TESTING": True, **config})

    @app.route("/flash")
    def do_flash() -> str:
        kolba.flash("plain")
        kolba.flash("Saved!", "success")
        kolba.flash(Markup("<b>bold</b>"), "info")
        kolba.flash("Careful", "warning")
        return "flashed"

    @app.route("/all")
    def all_messages() -> str:
        return repr(kolba.get_flashed_messages())

    @app.route("/categories")
    def with_categories() -> str:
        return repr(kolba.get_flashed_messages(with_categories=True))

    @app.route("/filtered")
    def filtered() -> str:
        return repr(
            kolba.get_flashed_messages(with_categories=True, category_filter=["success", "info"])
        )

    return app


def test_messages_are_shown_once() -> None:
    client = make_app().test_client()
    client.get("/flash")
    assert client.get("/all").text == repr(["plain", "Saved!", Markup("<b>bold</b>"), "Careful"])
    assert client.get("/all").text == "[]"


def test_with_categories_gives_pairs_and_default_category_is_message() -> None:
    client = make_app().test_client()
    client.get("/flash")
    assert client.get("/categories").text == repr(
        [
            ("message", "plain"),
            ("success", "Saved!"),
            ("info", Markup("<b>bold</b>")),
            ("warning", "Careful"),
        ]
    )


def test_category_filter_keeps_only_those_categories() -> None:
    client = make_app().test_client()
    client.get("/flash")
    assert client.get("/filtered").text == repr(
        [("success", "Saved!"), ("info", Markup("<b>bold</b>"))]
    )
    # Filtering still consumes every message.
    assert client.get("/all").text == "[]"


def test_repeated_calls_in_one_request_see_the_same_messages() -> None:
    app = make_app()

    @app.route("/twice")
    def twice() -> str:
        first = kolba.get_flashed_messages()
        second = kolba.get_flashed_messages(with_categories=True)
        return repr((first, second))

    client = app.test_client()
    client.get("/flash")
    first, second = eval(client.get("/twice").text, {"Markup": Markup})
    assert first == ["plain", "Saved!", Markup("<b>bold</b>"), "Careful"]
    assert [m for _, m in second] == first


def test_markup_stays_markup_in_templates() -> None:
    app = make_app()

    @app.route("/page")
    def page() -> str:
        return kolba.render_template_string(
            "{% for cat, msg in get_flashed_messages(with_categories=true) %}"
            "<p class={{ cat }}>{{ msg }}</p>{% endfor %}"
        )

    @app.route("/evil")
    def evil() -> str:
        kolba.flash("<script>alert(1)</script>", "error")
        return ""

    client = app.test_client()
    client.get("/flash")
    html = client.get("/page").text
    assert "<p class=info><b>bold</b></p>" in html
    client.get("/evil")
    assert "&lt;script&gt;" in client.get("/page").text


def test_flashing_sends_the_signal() -> None:
    app = make_app()
    seen: list[tuple[str, str]] = []

    def record(sender: t.Any, message: str, category: str, **extra: t.Any) -> None:
        assert sender is app
        seen.append((category, message))

    with message_flashed.connected_to(record, app):
        app.test_client().get("/flash")
    assert seen[:2] == [("message", "plain"), ("success", "Saved!")]


def test_flash_without_secret_key_says_how_to_fix_it() -> None:
    client = make_app(SECRET_KEY=None).test_client()
    with pytest.raises(RuntimeError, match="secret key"):
        client.get("/flash")
    assert client.get("/all").text == "[]"


def test_flashes_survive_a_redirect() -> None:
    app = make_app()

    @app.route("/save", methods=["POST"])
    def save() -> kolba.Response:
        kolba.flash("Task deactivated!", "danger")
        return kolba.redirect(kolba.url_for("with_categories"))

    rv = app.test_client().post("/save", follow_redirects=True)
    assert rv.text == "[('danger', 'Task deactivated!')]"


# -- the seed's login form -------------------------------------------------------------------------

USERS = {"ada": "lovelace"}

LAYOUT = """<!doctype html>
<title>{% block title %}{% endblock %} - App</title>
<nav>{% if g.user %}<span>{{ g.user }}</span> <a href="{{ url_for('logout') }}">Log Out</a>
{% else %}<a href="{{ url_for('login') }}">Log In</a>{% endif %}</nav>
{% for category, message in get_flashed_messages(with_categories=true) %}
<div class="flash {{ category }}">{{ message }}</div>
{% endfor %}
{% block content %}{% endblock %}"""


def login_app(tmp_path: t.Any) -> kolba.Kolba:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text(LAYOUT)
    (templates / "login.html").write_text(
        '{% extends "base.html" %}{% block title %}Log In{% endblock %}'
        '{% block content %}<form method="post"><input name="username">'
        '<input type="password" name="password"></form>{% endblock %}'
    )
    (templates / "index.html").write_text(
        '{% extends "base.html" %}{% block title %}Home{% endblock %}'
        "{% block content %}<h1>Hello {{ session.get('username', 'stranger') }}</h1>"
        "{% endblock %}"
    )
    app = kolba.Kolba(__name__, root_path=str(tmp_path))
    app.secret_key = "super secret key"
    app.testing = True

    @app.before_request
    def load_logged_in_user() -> None:
        kolba.g.user = kolba.session.get("username")

    @app.route("/")
    def index() -> str:
        return kolba.render_template("index.html")

    @app.route("/login", methods=["GET", "POST"])
    def login() -> t.Any:
        if kolba.request.method == "POST":
            username = kolba.request.form["username"]
            if USERS.get(username) != kolba.request.form["password"]:
                kolba.flash("Incorrect username or password.", "error")
            else:
                kolba.session.clear()
                kolba.session["username"] = username
                kolba.flash(f"Welcome back, {username}!", "success")
                return kolba.redirect(kolba.url_for("index"))
        return kolba.render_template("login.html")

    @app.route("/logout")
    def logout() -> kolba.Response:
        kolba.session.clear()
        kolba.flash("You were logged out.", "info")
        return kolba.redirect(kolba.url_for("index"))

    return app


def test_seed_login_form_with_session_and_flash(tmp_path: t.Any) -> None:
    client = login_app(tmp_path).test_client()
    page = client.get("/login").text
    assert "<title>Log In - App</title>" in page
    assert 'href="/login"' in page

    bad = client.post("/login", data={"username": "ada", "password": "nope"})
    assert bad.status_code == 200
    assert '<div class="flash error">Incorrect username or password.</div>' in bad.text

    good = client.post("/login", data={"username": "ada", "password": "lovelace"})
    assert good.status_code == 302
    assert good.headers["Location"] == "/"
    home = client.get("/")
    assert '<div class="flash success">Welcome back, ada!</div>' in home.text
    assert "<h1>Hello ada</h1>" in home.text
    assert "<span>ada</span>" in home.text
    # Shown once.
    assert "flash success" not in client.get("/").text

    out = client.get("/logout", follow_redirects=True)
    assert '<div class="flash info">You were logged out.</div>' in out.text
    assert "<h1>Hello stranger</h1>" in out.text
    with client.session_transaction() as sess:
        assert "username" not in sess

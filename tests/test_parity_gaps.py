"""Parity checks found missing by the docs/parity.md audit, each run on Flask and on kolba."""

from __future__ import annotations

import typing as t

import flask
import pytest
import werkzeug.routing

import kolba
import kolba.routing
from kolba.debughelpers import FormDataRoutingRedirect


def _user_app(framework: t.Any, app_class: t.Any) -> t.Any:
    app = app_class(__name__)
    app.debug = True

    @app.route("/user/", methods=["GET", "POST"])
    def user() -> str:
        return str(framework.request.form.get("status", "none"))

    return app


@pytest.mark.parametrize(
    ("framework", "app_class", "redirect_class"),
    [
        (flask, flask.Flask, werkzeug.routing.RequestRedirect),
        (kolba, kolba.Kolba, kolba.routing.RequestRedirect),
    ],
    ids=["flask", "kolba"],
)
def test_debug_post_to_a_301_slash_redirect_raises(
    framework: t.Any, app_class: t.Any, redirect_class: t.Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _user_app(framework, app_class)
    client = app.test_client()
    # The default 308 keeps the body, so the form data arrives.
    rv = client.post("/user", data={"status": "kept"}, follow_redirects=True)
    assert rv.data == b"kept"

    monkeypatch.setattr(redirect_class, "code", 301)
    with pytest.raises(AssertionError) as info:
        client.post("/user", data={"status": "lost"})
    assert "'http://localhost/user/'" in str(info.value)
    # A GET is redirected as usual, and outside debug mode a POST is too.
    assert client.get("/user").status_code == 301
    app.debug = False
    assert client.post("/user").status_code == 301


def test_form_data_routing_redirect_says_what_to_change(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _user_app(kolba, kolba.Kolba)
    monkeypatch.setattr(kolba.routing.RequestRedirect, "code", 302)
    with pytest.raises(FormDataRoutingRedirect, match="308") as info:
        app.test_client().post("/user", data={"status": "x"})
    assert "POST" in str(info.value)
    assert "code 302" in str(info.value)


@pytest.mark.parametrize("host", [".shop.test", "a..b", "x.", "a_b.test"])
def test_host_with_an_empty_label_is_a_400_as_in_flask(host: str) -> None:
    answers = []
    for framework, app_class in ((flask, flask.Flask), (kolba, kolba.Kolba)):
        app = app_class(__name__)
        app.add_url_rule("/", "i", lambda framework=framework: framework.request.host)
        answers.append(app.test_client().get("/", headers={"Host": host}).status_code)
    assert answers[0] == answers[1]
    assert answers[1] == (400 if host in (".shop.test", "a..b") else 200)

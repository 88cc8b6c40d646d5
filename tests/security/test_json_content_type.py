"""A JSON body is read as JSON only when it is labelled as JSON.

A page on any site can make a visitor's browser POST to your app without a CORS preflight,
but only with the "simple" content types: text/plain, application/x-www-form-urlencoded and
multipart/form-data. If ``request.json`` parsed such a body, a JSON API protected only by the
session cookie could be driven cross-site. So ``request.json`` answers 415 for those types,
``get_json(silent=True)`` gives None, and ``is_json`` is False, whatever the body holds.
"""

from __future__ import annotations

import typing as t

import flask
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba

BODY = b'{"action": "transfer", "amount": 1000}'

# What a cross-site <form> or fetch() without preflight can send.
SIMPLE_TYPES = [
    "text/plain",
    "text/plain; charset=utf-8",
    "TEXT/PLAIN",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain; x=application/json",
    "text/plain, application/json",
    "text/plain;application/json",
]
NOT_JSON = [
    *SIMPLE_TYPES,
    None,
    "",
    "application/jsonp",
    "application/javascript",
    "text/json",
    "text/javascript",
    "application/x-json",
    "json",
    "*/*",
    "application/json, text/plain",
    "application/ json",
    "text/plain+json",
    "application/json+xml",
]
JSON = [
    "application/json",
    "Application/JSON",
    "application/json; charset=utf-8",
    "application/json;",
    "application/vnd.api+json",
    "application/merge-patch+json",
]


def make_app(module: t.Any, cls: t.Any) -> t.Any:
    app = cls(__name__)
    actions: list[t.Any] = []
    app.config["actions"] = actions

    @app.route("/api", methods=["POST"])
    def api() -> t.Any:
        data = module.request.json  # what a JSON API does
        actions.append(data)
        return {"done": data["action"]}

    @app.route("/lenient", methods=["POST"])
    def lenient() -> t.Any:
        data = module.request.get_json(silent=True)
        if data is not None:
            actions.append(data)
        return {"is_json": module.request.is_json, "data": data}

    @app.route("/form", methods=["POST"])
    def form() -> t.Any:
        return {"form": module.request.form.to_dict(), "is_json": module.request.is_json}

    return app


def post(app: t.Any, path: str, content_type: str | None, body: bytes = BODY) -> t.Any:
    kwargs = {} if content_type is None else {"content_type": content_type}
    return app.test_client().post(path, data=body, **kwargs)


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_request_json_refuses_a_body_not_labelled_json(content_type: str | None) -> None:
    app = make_app(kolba, kolba.Kolba)
    rv = post(app, "/api", content_type)
    assert rv.status_code == 415
    assert "application/json" in rv.text  # the message says which header to send
    assert app.config["actions"] == []


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_silent_get_json_gives_none_for_a_body_not_labelled_json(
    content_type: str | None,
) -> None:
    app = make_app(kolba, kolba.Kolba)
    rv = post(app, "/lenient", content_type)
    assert rv.status_code == 200
    assert rv.json == {"is_json": False, "data": None}
    assert app.config["actions"] == []


@pytest.mark.parametrize("content_type", JSON)
def test_a_body_labelled_json_is_parsed(content_type: str) -> None:
    app = make_app(kolba, kolba.Kolba)
    rv = post(app, "/api", content_type)
    assert (rv.status_code, rv.json) == (200, {"done": "transfer"})


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_in_a_form_post_is_not_json_anywhere(content_type: str) -> None:
    rv = post(make_app(kolba, kolba.Kolba), "/form", content_type)
    assert rv.json["is_json"] is False
    if content_type == "text/plain":
        assert rv.json["form"] == {}  # text/plain bodies are not forms either


def test_force_is_the_only_way_around_the_label() -> None:
    app = kolba.Kolba(__name__)

    @app.route("/forced", methods=["POST"])
    def forced() -> t.Any:
        return {"data": kolba.request.get_json(force=True)}

    rv = post(app, "/forced", "text/plain")
    assert rv.json == {"data": {"action": "transfer", "amount": 1000}}


_TYPES = st.one_of(
    st.sampled_from(NOT_JSON + JSON).filter(lambda v: v is not None),
    st.builds(
        lambda a, b, params: f"{a}/{b}{params}",
        st.sampled_from(["application", "text", "Application", "multipart", "x"]),
        st.sampled_from(["json", "plain", "x+json", "json+x", "+json", "jsonp", "JSON"]),
        st.sampled_from(["", "; charset=utf-8", ";", "; a=application/json", ", text/plain"]),
    ),
)
_KOLBA = make_app(kolba, kolba.Kolba)
_FLASK = make_app(flask, flask.Flask)


@settings(max_examples=100, deadline=None)
@given(content_type=_TYPES)
def test_same_decision_as_flask(content_type: str) -> None:
    ours, theirs = post(_KOLBA, "/lenient", content_type), post(_FLASK, "/lenient", content_type)
    assert ours.json == theirs.json, content_type
    ours, theirs = post(_KOLBA, "/api", content_type), post(_FLASK, "/api", content_type)
    assert ours.status_code == theirs.status_code, content_type

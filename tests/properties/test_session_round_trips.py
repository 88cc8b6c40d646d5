"""Session round trips of every tagged type, through real cookies between requests.

tests/json/test_tag.py checks the serializer alone and tests/test_sessions.py one example of
each type; here hypothesis builds nested values of every tagged type (tuple, bytes, Markup,
UUID, datetime, dicts whose keys look like tags) and each goes out in a Set-Cookie and comes
back in the next request unchanged, type for type, in kolba and across kolba and Flask.
"""

from __future__ import annotations

import typing as t
from datetime import datetime, timezone

import flask
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

import kolba

SECRET = "round trip key"

_TAG_LIKE_KEYS = st.sampled_from(
    [" t", " di", " t__", " di__", " b", " m", " u", " d", "_permanent"]
)
_KEYS = _TAG_LIKE_KEYS | st.text(max_size=5)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.binary(max_size=8)
    | st.text(max_size=8).map(Markup)
    | st.uuids()
    | st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(9999, 12, 31),
        timezones=st.just(timezone.utc),
    ).map(lambda d: d.replace(microsecond=0))
)
VALUES = st.recursive(
    _LEAVES,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(_KEYS, children, max_size=3)
    ),
    max_leaves=8,
)


def same(a: t.Any, b: t.Any) -> bool:
    """Equal, and of the same type all the way down (a tuple is not a list, Markup not str)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


class _Box:
    """Hands the value under test to the views (apps are built once, not per example)."""

    value: t.Any = None
    loaded: t.Any = None


def _app(module: t.Any, cls: t.Any, box: type[_Box]) -> t.Any:
    app = cls(__name__)
    app.config["SECRET_KEY"] = SECRET

    @app.route("/store")
    def store() -> str:
        module.session["value"] = box.value
        module.session[" t"] = "a key that looks like a tag"
        return "stored"

    @app.route("/load")
    def load() -> str:
        box.loaded = module.session.get("value", "<missing>")
        return "loaded"

    return app


class _KolbaBox(_Box):
    pass


class _FlaskBox(_Box):
    pass


_KOLBA = _app(kolba, kolba.Kolba, _KolbaBox)
_FLASK = _app(flask, flask.Flask, _FlaskBox)


def _cookie(client: t.Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return t.cast(str, cookie.value)


@settings(max_examples=100, deadline=None)
@given(value=VALUES)
def test_every_tagged_value_survives_the_cookie(value: t.Any) -> None:
    _KolbaBox.value = value
    client = _KOLBA.test_client()
    client.get("/store")
    client.get("/load")
    assert same(_KolbaBox.loaded, value)


@settings(max_examples=60, deadline=None)
@given(value=VALUES, kolba_writes=st.booleans())
def test_kolba_and_flask_read_each_others_sessions(value: t.Any, kolba_writes: bool) -> None:
    writer, reader = (_KOLBA, _FLASK) if kolba_writes else (_FLASK, _KOLBA)
    box = _FlaskBox if kolba_writes else _KolbaBox
    _KolbaBox.value = _FlaskBox.value = value
    source = writer.test_client()
    source.get("/store")
    target = reader.test_client()
    target.set_cookie("session", _cookie(source))
    target.get("/load")
    assert same(box.loaded, value)


@settings(max_examples=60, deadline=None)
@given(value=VALUES)
def test_kolba_writes_the_same_cookie_payload_as_flask(value: t.Any) -> None:
    """Byte-identical payloads (the part before the timestamp), so a mixed deployment of
    kolba and Flask workers behind one load balancer never invalidates a session.
    """
    _KolbaBox.value = _FlaskBox.value = value
    ours, theirs = _KOLBA.test_client(), _FLASK.test_client()
    ours.get("/store")
    theirs.get("/store")
    # payload.timestamp.signature; a compressed payload starts with its own ".".
    assert _cookie(ours).rsplit(".", 2)[0] == _cookie(theirs).rsplit(".", 2)[0]

"""Tests for kolba.json.tag: lossless round trips of tagged JSON, and that kolba and Flask read
each other's output (the session cookie format).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

import kolba
from kolba.json.tag import JSONTag, TagDict, TaggedJSONSerializer

UTC = timezone.utc
FAST = settings(max_examples=200, deadline=None)

# Keys that look like tags (or like escaped tags) are the tricky ones.
_tricky_keys = st.sampled_from([" t", " di", " t__", " di__", " b", " m", " u", " d", "x", ""])
_keys = _tricky_keys | st.text(max_size=5)

_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.binary(max_size=8)
    | st.text(max_size=8).map(Markup)
    | st.uuids()
    | st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0))
)

_values = st.recursive(
    _leaves,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(_keys, children, max_size=3)
    ),
    max_leaves=10,
)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (Markup is not str, tuple not list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=False))
    return bool(a == b)


@pytest.fixture(scope="module")
def flask_serializer() -> Any:
    tag = pytest.importorskip("flask.json.tag")
    return tag.TaggedJSONSerializer()


_EXAMPLES = [
    {" t": (1, 2, 3)},
    {" t__": b"a"},
    {" di": " di"},
    {"x": (1, 2, 3), "y": 4},
    (1, 2, 3),
    [(1, 2, 3)],
    b"\xff",
    Markup("<html>"),
    uuid4(),
    datetime.now(tz=UTC).replace(microsecond=0),
    {" t": [1]},
    {" di": {" t": (1,)}},
    {"a": {" m": "x"}, "b": [b"", Markup("")]},
]


@pytest.mark.parametrize("value", _EXAMPLES)
def test_examples_round_trip(value: Any) -> None:
    s = TaggedJSONSerializer()
    assert same(s.loads(s.dumps(value)), value)


@FAST
@given(_values)
def test_any_value_round_trips(value: Any) -> None:
    s = TaggedJSONSerializer()
    assert same(s.loads(s.dumps(value)), value)


def test_encodings() -> None:
    s = TaggedJSONSerializer()
    assert s.dumps((1, 2)) == '{" t":[1,2]}'
    assert s.dumps(b"\x00\xff") == '{" b":"AP8="}'
    assert s.dumps(Markup("<b>")) == '{" m":"<b>"}'
    assert s.dumps(UUID(int=7)) == '{" u":"00000000000000000000000000000007"}'
    assert s.dumps(datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        '{" d":"Thu, 02 Jan 2020 03:04:05 GMT"}'
    )
    assert s.dumps({" t": 1}) == '{" di":{" t__":1}}'
    assert s.dumps({" t__": 1}) == '{" t__":1}'


def test_anything_with_html_comes_back_as_markup() -> None:
    class Widget:
        def __html__(self) -> str:
            return "<i>w</i>"

    s = TaggedJSONSerializer()
    assert same(s.loads(s.dumps(Widget())), Markup("<i>w</i>"))


def test_datetimes_come_back_in_utc_to_the_second() -> None:
    s = TaggedJSONSerializer()
    naive = datetime(2020, 1, 2, 3, 4, 5, 678)
    assert s.loads(s.dumps(naive)) == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_objects_that_are_not_json_raise_type_error() -> None:
    s = TaggedJSONSerializer()
    with pytest.raises(TypeError):
        s.dumps(object())


def test_unknown_or_multi_key_objects_are_left_alone() -> None:
    s = TaggedJSONSerializer()
    assert s.loads('{" zz": 1}') == {" zz": 1}
    assert s.loads("{}") == {}
    assert s.loads('{" t": [1], "a": 2}') == {" t": [1], "a": 2}


def test_output_is_compact_and_follows_the_app_inside_one() -> None:
    s = TaggedJSONSerializer()
    assert s.dumps({"b": 1, "a": [1, 2]}) == '{"b":1,"a":[1,2]}'
    app = kolba.Kolba(__name__)
    with app.app_context():
        assert s.dumps({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'


# ---------------------------------------------------------------------------------------------
# custom tags


class Foo:
    def __init__(self, data: Any) -> None:
        self.data = data


class TagFoo(JSONTag):
    key = " f"

    def check(self, value: Any) -> bool:
        return isinstance(value, Foo)

    def to_json(self, value: Any) -> Any:
        return self.serializer.tag(value.data)

    def to_python(self, value: Any) -> Any:
        return Foo(value)


def test_custom_tag() -> None:
    s = TaggedJSONSerializer()
    s.register(TagFoo)
    back = s.loads(s.dumps(Foo((1, b"x"))))
    assert isinstance(back, Foo)
    assert same(back.data, (1, b"x"))


def test_tag_interface_must_be_implemented() -> None:
    t = JSONTag(TaggedJSONSerializer())
    with pytest.raises(NotImplementedError):
        t.check(None)
    with pytest.raises(NotImplementedError):
        t.to_json(None)
    with pytest.raises(NotImplementedError):
        t.to_python(None)


def test_duplicate_tag_needs_force() -> None:
    s = TaggedJSONSerializer()
    with pytest.raises(KeyError, match=" di"):
        s.register(TagDict)
    s.register(TagDict, force=True, index=0)
    assert isinstance(s.tags[" di"], TagDict)
    assert isinstance(s.order[0], TagDict)


def test_tag_order() -> None:
    class Tag1(JSONTag):
        key = " 1"

    class Tag2(JSONTag):
        key = " 2"

    s = TaggedJSONSerializer()
    s.register(Tag1, index=-1)
    assert isinstance(s.order[-2], Tag1)
    s.register(Tag2, index=None)
    assert isinstance(s.order[-1], Tag2)


# ---------------------------------------------------------------------------------------------
# interoperability with Flask


@FAST
@given(_values)
def test_flask_and_kolba_write_the_same_text_and_read_each_other(
    flask_serializer: Any, value: Any
) -> None:
    ours = TaggedJSONSerializer()
    written = ours.dumps(value)
    assert written == flask_serializer.dumps(value)
    assert same(flask_serializer.loads(written), value)
    assert same(ours.loads(flask_serializer.dumps(value)), value)


@pytest.mark.parametrize("value", _EXAMPLES)
def test_examples_interoperate(flask_serializer: Any, value: Any) -> None:
    ours = TaggedJSONSerializer()
    assert same(ours.loads(flask_serializer.dumps(value)), value)
    assert same(flask_serializer.loads(ours.dumps(value)), value)


def test_session_cookie_written_by_flask_is_read_by_kolba_and_back() -> None:
    flask = pytest.importorskip("flask")
    value = {"t": (1, 2), "b": b"\x00", "m": Markup("<b>"), "u": UUID(int=3), " t": [1]}

    fapp = flask.Flask(__name__)
    fapp.secret_key = "shared secret"

    @fapp.route("/set")
    def flask_set() -> str:
        flask.session["v"] = value
        return ""

    @fapp.route("/get")
    def flask_get() -> str:
        return ""

    kapp = kolba.Kolba(__name__)
    kapp.secret_key = "shared secret"
    seen: list[Any] = []

    @kapp.route("/get")
    def kolba_get() -> str:
        seen.append(kolba.session.get("v"))
        kolba.session["v2"] = value
        return ""

    fclient = fapp.test_client()
    fclient.get("/set")
    cookie = fclient.get_cookie("session")
    assert cookie is not None

    kclient = kapp.test_client()
    kclient.set_cookie("session", cookie.value)
    kclient.get("/get")
    assert same(seen[0], value)

    back = kclient.get_cookie("session")
    assert back is not None
    fclient.set_cookie("session", back.value)
    with fclient:
        fclient.get("/get")
        assert same(flask.session["v2"], value)

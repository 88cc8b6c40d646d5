"""Tests for kolba.json and kolba.json.provider: jsonify, app.json, the default serializer and
custom providers, compared byte for byte with Flask where the output must be the same.
"""

from __future__ import annotations

import dataclasses
import decimal
import io
import json as stdlib_json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

import kolba
from kolba import json as kjson
from kolba.json.provider import DefaultJSONProvider, JSONProvider

FAST = settings(max_examples=200, deadline=None)


@pytest.fixture
def app() -> kolba.Kolba:
    return kolba.Kolba(__name__)


@pytest.fixture
def app_ctx(app: kolba.Kolba) -> Iterator[kolba.Kolba]:
    with app.app_context():
        yield app


@pytest.fixture(scope="module")
def flask_app() -> Any:
    flask = pytest.importorskip("flask")
    return flask.Flask(__name__)


@dataclasses.dataclass
class Point:
    x: int
    y: str


class HasHTML:
    def __html__(self) -> str:
        return "<em>safe</em>"


# ---------------------------------------------------------------------------------------------
# jsonify


def test_jsonify_kwargs_is_compact_sorted_with_a_newline(app_ctx: kolba.Kolba) -> None:
    rv = kolba.jsonify(b=1, a=[1, 2])
    assert rv.data == b'{"a":[1,2],"b":1}\n'
    assert rv.mimetype == "application/json"
    assert rv.content_type == "application/json"
    assert rv.status_code == 200
    assert rv.headers["Content-Length"] == str(len(rv.data))


def test_jsonify_one_arg_is_used_as_is(app_ctx: kolba.Kolba) -> None:
    assert kolba.jsonify({"k": "v"}).data == b'{"k":"v"}\n'
    assert kolba.jsonify([1, 2]).data == b"[1,2]\n"
    assert kolba.jsonify("text").data == b'"text"\n'
    assert kolba.jsonify(None).data == b"null\n"


def test_jsonify_several_args_become_a_list(app_ctx: kolba.Kolba) -> None:
    assert kolba.jsonify(1, "a", None).data == b'[1,"a",null]\n'


def test_jsonify_no_args_is_null(app_ctx: kolba.Kolba) -> None:
    assert kolba.jsonify().data == b"null\n"


def test_jsonify_args_and_kwargs_together_is_a_type_error(app_ctx: kolba.Kolba) -> None:
    with pytest.raises(TypeError, match="args or kwargs"):
        kolba.jsonify(1, a=2)


def test_jsonify_needs_an_app(app: kolba.Kolba) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        kolba.jsonify(1)


@pytest.mark.parametrize("value", [0, -1, 1, 23, 3.14, "s", "longer string", True, False, None])
def test_jsonify_basic_types_from_a_view(app: kolba.Kolba, value: Any) -> None:
    app.add_url_rule("/", "v", lambda: kolba.jsonify(value))
    rv = app.test_client().get("/")
    assert rv.mimetype == "application/json"
    assert rv.json == value


def test_ensure_ascii_by_default_and_settable(app_ctx: kolba.Kolba) -> None:
    assert kolba.jsonify("ü☃").data == b'"\\u00fc\\u2603"\n'
    app_ctx.json.ensure_ascii = False  # type: ignore[attr-defined]
    assert kolba.jsonify("ü☃").data == '"ü☃"\n'.encode()


def test_sort_keys_can_be_turned_off(app_ctx: kolba.Kolba) -> None:
    app_ctx.json.sort_keys = False  # type: ignore[attr-defined]
    assert kolba.jsonify(b=1, a=2).data == b'{"b":1,"a":2}\n'


def test_debug_indents_by_two(app_ctx: kolba.Kolba) -> None:
    app_ctx.debug = True
    assert kolba.jsonify(b=1, a=[1, 2]).data == (b'{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n')
    app_ctx.json.compact = True  # type: ignore[attr-defined]
    assert kolba.jsonify(b=1, a=[1, 2]).data == b'{"a":[1,2],"b":1}\n'


def test_compact_false_indents_outside_debug(app_ctx: kolba.Kolba) -> None:
    app_ctx.json.compact = False  # type: ignore[attr-defined]
    assert kolba.jsonify(a=1).data == b'{\n  "a": 1\n}\n'


def test_mimetype_is_settable(app_ctx: kolba.Kolba) -> None:
    app_ctx.json.mimetype = "application/vnd.api+json"  # type: ignore[attr-defined]
    rv = kolba.jsonify(data=[])
    assert rv.content_type == "application/vnd.api+json"
    assert rv.is_json
    assert rv.json == {"data": []}


def test_text_mimetype_gets_a_charset_like_flask(app_ctx: kolba.Kolba, flask_app: Any) -> None:
    import flask

    app_ctx.json.mimetype = "text/javascript"  # type: ignore[attr-defined]
    with flask_app.app_context():
        flask_app.json.mimetype = "text/javascript"
        try:
            expected = flask.jsonify(1).content_type
        finally:
            flask_app.json.mimetype = "application/json"
    assert kolba.jsonify(1).content_type == expected == "text/javascript; charset=utf-8"


def test_mimetype_with_a_line_break_is_refused(app_ctx: kolba.Kolba) -> None:
    app_ctx.json.mimetype = "application/json\r\nX-Injected: 1"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        kolba.jsonify(1)


def test_json_response_with_a_custom_response_class(app: kolba.Kolba) -> None:
    class MyResponse(kolba.Response):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.headers["X-Mine"] = "yes"

    app.response_class = MyResponse
    app.add_url_rule("/", "v", lambda: {"a": 1})
    rv = app.test_client().get("/")
    assert rv.headers["X-Mine"] == "yes"
    assert rv.data == b'{"a":1}\n'
    assert rv.content_type == "application/json"


def test_view_returning_dict_or_list_uses_app_json(app: kolba.Kolba) -> None:
    app.add_url_rule("/d", "d", lambda: {"b": 2, "a": 1})
    app.add_url_rule("/l", "l", lambda: [3, {"z": 1, "y": 2}])
    client = app.test_client()
    rv = client.get("/d")
    assert rv.data == b'{"a":1,"b":2}\n'
    assert rv.mimetype == "application/json"
    assert client.get("/l").data == b'[3,{"y":2,"z":1}]\n'


def test_reference_cycle_is_a_value_error_like_flask(app_ctx: kolba.Kolba) -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        kolba.jsonify(cycle)
    # The encoder is still usable afterwards.
    assert kolba.jsonify([1]).data == b"[1]\n"


def test_deep_nesting_fails_cleanly(app_ctx: kolba.Kolba) -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        kolba.jsonify(deep)
    assert kolba.jsonify({"ok": True}).data == b'{"ok":true}\n'


def test_responses_built_in_threads_are_independent(app: kolba.Kolba) -> None:
    import threading

    shared = {"b": [1, 2, {"c": "ü"}], "a": None}
    results: list[bytes] = []
    lock = threading.Lock()

    def work() -> None:
        with app.app_context():
            for _ in range(200):
                data = kolba.jsonify(shared).data
                with lock:
                    results.append(data)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {b'{"a":null,"b":[1,2,{"c":"\\u00fc"}]}\n'}
    assert len(results) == 800


@pytest.mark.parametrize("broken", ["missing", "raises", "differs"])
def test_falls_back_to_the_standard_encoder(
    app_ctx: kolba.Kolba, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    from kolba.json import provider

    if broken == "missing":
        monkeypatch.setattr(provider, "_c_make_encoder", None)
    elif broken == "raises":

        def raises(*args: Any) -> Any:
            raise TypeError("a different signature")

        monkeypatch.setattr(provider, "_c_make_encoder", raises)
    else:
        monkeypatch.setattr(provider, "_c_make_encoder", lambda *a: lambda o, i: ["wrong"])
    assert kolba.jsonify(b=[1, "ü"], a=None).data == b'{"a":null,"b":[1,"\\u00fc"]}\n'
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        kolba.jsonify(cycle)


# ---------------------------------------------------------------------------------------------
# the default serializer


def test_dates_become_http_dates(app_ctx: kolba.Kolba) -> None:
    plus2 = timezone(timedelta(hours=2))
    values = [
        date(1975, 1, 5),
        datetime(1973, 3, 11, 6, 30, 45),
        datetime(2020, 1, 2, 3, 4, 5, tzinfo=plus2),
    ]
    assert stdlib_json.loads(kolba.jsonify(values).data) == [
        "Sun, 05 Jan 1975 00:00:00 GMT",
        "Sun, 11 Mar 1973 06:30:45 GMT",
        "Thu, 02 Jan 2020 01:04:05 GMT",
    ]


def test_decimal_uuid_dataclass_and_html(app_ctx: kolba.Kolba) -> None:
    the_uuid = uuid.UUID(bytes=b"\xde\xad\xbe\xef" * 4)
    rv = kolba.jsonify(
        d=decimal.Decimal("1.10"), u=the_uuid, p=Point(1, "a"), m=Markup("<b>"), h=HasHTML()
    )
    assert rv.json == {
        "d": "1.10",
        "u": str(the_uuid),
        "p": {"x": 1, "y": "a"},
        "m": "<b>",
        "h": "<em>safe</em>",
    }
    assert uuid.UUID(rv.json["u"]) == the_uuid


@pytest.mark.parametrize("value", [object(), {1, 2}, Point, b"bytes", 1j])
def test_anything_else_is_a_type_error(app_ctx: kolba.Kolba, value: Any) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        kolba.jsonify(value)
    with pytest.raises(TypeError, match="not JSON serializable"):
        kjson.dumps(value)


def test_default_serializer_outside_an_app() -> None:
    assert kjson.dumps([date(2020, 1, 1), decimal.Decimal("2")]) == (
        '["Wed, 01 Jan 2020 00:00:00 GMT", "2"]'
    )
    with pytest.raises(TypeError, match="not JSON serializable"):
        kjson.dumps(object())


def test_default_can_be_replaced_on_the_instance(app_ctx: kolba.Kolba) -> None:
    app_ctx.json.default = lambda o: f"<{type(o).__name__}>"  # type: ignore[attr-defined]
    assert kolba.jsonify(object()).data == b'"<object>"\n'
    assert kjson.dumps(object()) == '"<object>"'


# ---------------------------------------------------------------------------------------------
# kolba.json.dumps / loads / dump / load


def test_module_functions_outside_an_app_use_the_standard_library() -> None:
    assert kjson.dumps({"b": 1, "a": "ü"}) == '{"b": 1, "a": "\\u00fc"}'
    assert kjson.loads('{"a": [1]}') == {"a": [1]}
    assert kjson.loads(b'{"a": [1]}') == {"a": [1]}
    out = io.StringIO()
    kjson.dump({"x": 1}, out)
    assert out.getvalue() == '{"x": 1}'
    assert kjson.load(io.StringIO('{"x": 1}')) == {"x": 1}


def test_module_functions_inside_an_app_use_app_json(app_ctx: kolba.Kolba) -> None:
    assert kjson.dumps({"b": 1, "a": "ü"}) == '{"a": "\\u00fc", "b": 1}'
    assert kjson.dumps({"b": 1, "a": "ü"}, ensure_ascii=False, indent=1) == (
        '{\n "a": "ü",\n "b": 1\n}'
    )
    out = io.StringIO()
    kjson.dump({"b": 1, "a": 2}, out)
    assert out.getvalue() == '{"a": 2, "b": 1}'
    assert kjson.load(io.BytesIO(b'{"x": 1}')) == {"x": 1}
    assert kjson.loads("[1]") == [1]


def test_as_ascii_setting_follows_app_json(app_ctx: kolba.Kolba) -> None:
    assert kjson.dumps("☃") == '"\\u2603"'
    app_ctx.json.ensure_ascii = False  # type: ignore[attr-defined]
    assert kjson.dumps("☃") == '"☃"'


# ---------------------------------------------------------------------------------------------
# custom providers


class Shouting(DefaultJSONProvider):
    """Wraps every document, to see that it was used."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return super().dumps({"wrapped": obj}, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return ["loaded", super().loads(s, **kwargs)]

    @staticmethod
    def default(o: Any) -> Any:
        return f"custom {type(o).__name__}"


def _check_shouting(app: kolba.Kolba) -> None:
    @app.route("/view")
    def view() -> Any:
        return {"x": object()}

    @app.route("/echo", methods=["POST"])
    def echo() -> Any:
        return kolba.jsonify(kolba.request.get_json())

    client = app.test_client()
    assert client.get("/view").data == b'{"wrapped":{"x":"custom object"}}\n'
    body = stdlib_json.dumps({"a": 1})
    rv = client.post("/echo", data=body, content_type="application/json")
    assert stdlib_json.loads(rv.data) == {"wrapped": ["loaded", {"a": 1}]}
    # As in Flask, the test response parses with the app's provider too.
    assert rv.json == ["loaded", {"wrapped": ["loaded", {"a": 1}]}]
    with app.app_context():
        assert kolba.jsonify(object()).data == b'{"wrapped":"custom object"}\n'
        assert kjson.dumps(1) == '{"wrapped": 1}'
        assert kjson.loads("1") == ["loaded", 1]
    app.debug = True
    assert client.get("/view").data == b'{\n  "wrapped": {\n    "x": "custom object"\n  }\n}\n'


def test_custom_provider_set_on_the_app() -> None:
    app = kolba.Kolba(__name__)
    app.json = Shouting(app)
    _check_shouting(app)


def test_custom_provider_through_json_provider_class() -> None:
    class App(kolba.Kolba):
        json_provider_class = Shouting

    app = App(__name__)
    assert isinstance(app.json, Shouting)
    _check_shouting(app)


def test_custom_provider_output_matches_flask(flask_app: Any) -> None:
    flask = pytest.importorskip("flask")
    from flask.json.provider import DefaultJSONProvider as FlaskProvider

    class FlaskShouting(FlaskProvider):
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return super().dumps({"wrapped": obj}, **kwargs)

        default = staticmethod(Shouting.default)  # type: ignore[assignment]

    fapp = flask.Flask(__name__)
    fapp.json = FlaskShouting(fapp)
    kapp = kolba.Kolba(__name__)
    kapp.json = Shouting(kapp)
    for debug in (False, True):
        fapp.debug = kapp.debug = debug
        with fapp.app_context():
            expected = flask.jsonify(a=object(), b=[1]).data
        with kapp.app_context():
            assert kolba.jsonify(a=object(), b=[1]).data == expected


def test_minimal_provider_from_the_base_class() -> None:
    class Minimal(JSONProvider):
        def dumps(self, obj: Any, **kwargs: Any) -> str:
            return stdlib_json.dumps(obj, **kwargs)

        def loads(self, s: str | bytes, **kwargs: Any) -> Any:
            return stdlib_json.loads(s, **kwargs)

    app = kolba.Kolba(__name__)
    app.json = Minimal(app)
    app.add_url_rule("/", "v", lambda: {"b": 1, "a": 2})
    rv = app.test_client().get("/")
    assert rv.data == b'{"b": 1, "a": 2}'
    assert rv.mimetype == "application/json"
    with app.app_context():
        out = io.StringIO()
        kjson.dump([1], out)
        assert out.getvalue() == "[1]"
        assert kjson.load(io.StringIO("[2]")) == [2]


def test_base_provider_methods_must_be_overridden(app: kolba.Kolba) -> None:
    base = JSONProvider(app)
    with pytest.raises(NotImplementedError):
        base.dumps(1)
    with pytest.raises(NotImplementedError):
        base.loads("1")


def test_test_client_json_argument_uses_app_json() -> None:
    app = kolba.Kolba(__name__)
    app.json = Shouting(app)
    seen: list[bytes] = []

    @app.route("/", methods=["POST"])
    def view() -> str:
        seen.append(kolba.request.get_data())
        return ""

    app.test_client().post("/", json={"a": 1})
    assert seen == [b'{"wrapped": {"a": 1}}']


# ---------------------------------------------------------------------------------------------
# byte-for-byte parity with Flask

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(value=_json_values, debug=st.booleans(), ensure_ascii=st.booleans())
def test_jsonify_matches_flask(value: Any, debug: bool, ensure_ascii: bool) -> None:
    flask = pytest.importorskip("flask")
    fapp = flask.Flask(__name__)
    kapp = kolba.Kolba(__name__)
    fapp.debug = kapp.debug = debug
    fapp.json.ensure_ascii = ensure_ascii  # type: ignore[attr-defined]
    kapp.json.ensure_ascii = ensure_ascii  # type: ignore[attr-defined]
    with fapp.app_context():
        expected = flask.jsonify(value)
        expected_dumps = flask.json.dumps(value)
    with kapp.app_context():
        got = kolba.jsonify(value)
        assert kjson.dumps(value) == expected_dumps
    assert got.data == expected.data
    assert got.content_type == expected.content_type
    assert stdlib_json.loads(got.data) == value


def test_serializer_types_match_flask(flask_app: Any) -> None:
    flask = pytest.importorskip("flask")
    values = [
        date(2020, 1, 2),
        datetime(2020, 1, 2, 3, 4, 5),
        datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))),
        decimal.Decimal("3.14"),
        uuid.UUID(int=5),
        Point(1, "y"),
        Markup("<i>"),
        HasHTML(),
    ]
    with flask_app.app_context():
        expected = flask.jsonify(values).data
    with kolba.Kolba(__name__).app_context():
        assert kolba.jsonify(values).data == expected

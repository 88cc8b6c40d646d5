"""The Map and MapAdapter API that apps and extensions use directly (werkzeug.routing's role)."""

from __future__ import annotations

from typing import Any

import pytest

from kolba.datastructures import MultiDict
from kolba.routing import BuildError, Map, MapAdapter, RequestRedirect, Rule
from kolba.sansio.exceptions import MethodNotAllowed, NotFound


@pytest.fixture
def url_map() -> Map:
    return Map(
        [
            Rule("/", endpoint="index", methods=["GET"]),
            Rule("/dir/", endpoint="dir", methods=["GET", "POST"]),
            Rule("/u/<int:uid>", endpoint="user", methods=["GET"]),
            Rule("/u/<int:uid>", endpoint="user_update", methods=["PUT"]),
            Rule("/", defaults={"page": 1}, endpoint="pages"),
            Rule("/p/<int:page>", endpoint="pages"),
            Rule("/ws", endpoint="ws", websocket=True),
        ]
    )


@pytest.fixture
def adapter(url_map: Map) -> MapAdapter:
    return url_map.bind("Example.Test", "/app", query_args="q=1")


def test_bind_lowercases_and_keeps_script_root(adapter: MapAdapter) -> None:
    assert adapter.server_name == "example.test"
    assert adapter.script_name == "/app/"


def test_match_returns_endpoint_and_values(adapter: MapAdapter) -> None:
    assert adapter.match("/u/5") == ("user", {"uid": 5})
    assert adapter.match("/u/5", "PUT") == ("user_update", {"uid": 5})
    rule, values = adapter.match("/u/5", return_rule=True)
    assert isinstance(rule, Rule)
    assert rule.endpoint == "user"
    assert values == {"uid": 5}


def test_match_raises_http_errors(adapter: MapAdapter) -> None:
    with pytest.raises(NotFound):
        adapter.match("/missing")
    with pytest.raises(MethodNotAllowed) as info:
        adapter.match("/u/5", "DELETE")
    assert info.value.valid_methods == ["GET", "HEAD", "PUT"]


def test_match_redirect_is_absolute_with_query(adapter: MapAdapter) -> None:
    with pytest.raises(RequestRedirect) as info:
        adapter.match("/dir")
    assert info.value.new_url == "http://example.test/app/dir/?q=1"
    assert info.value.code == 308
    response = info.value.get_response()
    assert response.status_code == 308
    assert response.headers["Location"] == "http://example.test/app/dir/?q=1"
    with pytest.raises(RequestRedirect) as info:
        adapter.match("/p/1", query_args="x=2")
    assert info.value.new_url == "http://example.test/app/?x=2"


def test_test_and_allowed_methods(adapter: MapAdapter) -> None:
    assert adapter.test("/u/1")
    assert adapter.test("/dir")  # a redirect counts
    assert not adapter.test("/nope")
    assert adapter.allowed_methods("/u/1") == ["GET", "HEAD", "PUT"]
    assert adapter.allowed_methods("/nope") == []


def test_build_relative_and_external(adapter: MapAdapter) -> None:
    assert adapter.build("user", {"uid": 3}) == "/app/u/3"
    assert adapter.build("user", {"uid": 3}, force_external=True) == "http://example.test/app/u/3"
    assert adapter.build("user", {"uid": 3}, url_scheme="https") == "https://example.test/app/u/3"
    assert adapter.build("ws", url_scheme="https") == "wss://example.test/app/ws"
    assert adapter.build("index") == "/app/"


def test_build_query_and_multidict(adapter: MapAdapter) -> None:
    values = MultiDict([("uid", 3), ("tag", "a"), ("tag", "b"), ("skip", None)])
    assert adapter.build("user", values) == "/app/u/3?tag=a&tag=b"
    assert adapter.build("user", {"uid": 3, "x": "y"}, append_unknown=False) == "/app/u/3"


def test_build_prefers_default_method(url_map: Map) -> None:
    get_adapter = url_map.bind("example.test")
    put_adapter = url_map.bind("example.test", default_method="PUT")
    two = Map(
        [
            Rule("/read", endpoint="thing", methods=["GET"]),
            Rule("/write", endpoint="thing", methods=["POST"]),
        ]
    )
    assert two.bind("h").build("thing") == "/read"
    assert two.bind("h", default_method="POST").build("thing") == "/write"
    assert two.bind("h").build("thing", method="POST") == "/write"
    assert get_adapter.build("user", {"uid": 1}) == "/u/1"
    assert put_adapter.build("user", {"uid": 1}) == "/u/1"


def test_build_defaults_pick_the_canonical_rule(adapter: MapAdapter) -> None:
    assert adapter.build("pages") == "/app/"
    assert adapter.build("pages", {"page": 1}) == "/app/"
    assert adapter.build("pages", {"page": 4}) == "/app/p/4"


def test_sort_parameters() -> None:
    url_map = Map([Rule("/", endpoint="i")], sort_parameters=True)
    assert url_map.bind("h").build("i", {"b": 1, "a": 2, "c": 3}) == "/?a=2&b=1&c=3"
    by_value = Map([Rule("/", endpoint="i")], sort_parameters=True, sort_key=lambda kv: -kv[1])
    assert by_value.bind("h").build("i", {"b": 1, "a": 2}) == "/?a=2&b=1"


def test_build_error_attributes(adapter: MapAdapter) -> None:
    with pytest.raises(BuildError) as info:
        adapter.build("user")
    error = info.value
    assert isinstance(error, LookupError)
    assert error.endpoint == "user"
    assert error.values == {}
    assert error.method is None
    assert error.suggested is not None
    assert error.suggested.rule == "/u/<int:uid>"


def test_map_converters_and_flags() -> None:
    class Upper:
        pass

    url_map = Map(
        converters={"upper": Upper},  # type: ignore[dict-item]
        strict_slashes=False,
        merge_slashes=False,
        default_subdomain="www",
        host_matching=False,
    )
    assert url_map.converters["upper"] is Upper
    assert url_map.converters["int"].__name__ == "IntegerConverter"
    assert url_map.strict_slashes is False
    assert url_map.merge_slashes is False
    assert url_map.default_subdomain == "www"
    # The class-level default converters are not changed by one map.
    assert "upper" not in Map().converters


def test_default_subdomain_applies_to_rules() -> None:
    url_map = Map([Rule("/", endpoint="i")], default_subdomain="www")
    rule = next(url_map.iter_rules())
    assert rule.subdomain == "www"
    adapter = url_map.bind("example.test", subdomain="www")
    assert adapter.match("/") == ("i", {})
    assert adapter.build("i") == "/"
    other = url_map.bind("example.test", subdomain="")
    assert other.build("i") == "http://www.example.test/"


def test_rules_added_after_matching_are_seen(url_map: Map) -> None:
    adapter = url_map.bind("h")
    assert adapter.match("/u/1")[0] == "user"
    url_map.add(Rule("/late", endpoint="late"))
    assert adapter.match("/late") == ("late", {})


def test_redirect_to_callable_gets_the_adapter() -> None:
    calls: list[Any] = []

    def target(adapter: MapAdapter, n: int) -> str:
        calls.append(adapter)
        return adapter.build("new", {"n": n + 1})

    url_map = Map([Rule("/old/<int:n>", endpoint="old", redirect_to=target)])
    url_map.add(Rule("/new/<int:n>", endpoint="new"))
    adapter = url_map.bind("example.test", "/root")
    with pytest.raises(RequestRedirect) as info:
        adapter.match("/old/1")
    # The callable's adapter builds root-relative URLs; the redirect adds the root once.
    assert [(a.server_name, a.script_name) for a in calls] == [("example.test", "/")]
    assert info.value.new_url == "http://example.test/root/new/2"


def test_redirect_body_is_html_with_the_link() -> None:
    body = RequestRedirect("http://example.test/a?b=<c>").get_body()
    assert 'href="http://example.test/a?b=&lt;c&gt;"' in body


def test_repr() -> None:
    url_map = Map([Rule("/", endpoint="i", methods=["GET"])])
    assert repr(url_map) == "Map([<Rule '/' (GET, HEAD) -> i>])"

"""Matching through Map.resolve: priorities, backtracking, 404/405, slash fixes, domains,
and the promise that a user's path never makes the matcher raise."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kolba.routing import Map, Rule
from kolba.routing.map import Redirect
from kolba.sansio.exceptions import MethodNotAllowed, NotFound


def endpoint_of(url_map: Map, path: str, method: str = "GET") -> Any:
    rule, outcome = url_map.resolve(path, method)
    if rule is not None:
        return rule.endpoint, outcome
    return outcome


def test_static_beats_dynamic_at_every_level() -> None:
    url_map = Map(
        [
            Rule("/<a>/<b>", endpoint="dyn"),
            Rule("/users/new", endpoint="new"),
            Rule("/users/<name>", endpoint="user"),
        ]
    )
    assert endpoint_of(url_map, "/users/new") == ("new", {})
    assert endpoint_of(url_map, "/users/ada") == ("user", {"name": "ada"})
    assert endpoint_of(url_map, "/x/y") == ("dyn", {"a": "x", "b": "y"})


def test_backtracks_from_a_static_dead_end() -> None:
    url_map = Map(
        [
            Rule("/files/static/index", endpoint="index"),
            Rule("/files/<name>/<int:rev>", endpoint="rev"),
        ]
    )
    assert endpoint_of(url_map, "/files/static/3") == ("rev", {"name": "static", "rev": 3})


def test_backtracks_between_dynamic_parts() -> None:
    url_map = Map(
        [
            Rule("/<int:n>/a", endpoint="int_a"),
            Rule("/<s>/b", endpoint="str_b"),
        ]
    )
    assert endpoint_of(url_map, "/5/a") == ("int_a", {"n": 5})
    # The int part matches "5" but leads nowhere for "/b": the string part takes over.
    assert endpoint_of(url_map, "/5/b") == ("str_b", {"s": "5"})


def test_more_static_text_in_a_segment_wins() -> None:
    url_map = Map(
        [
            Rule("/<name>", endpoint="plain"),
            Rule("/<name>.json", endpoint="json"),
            Rule("/<path:p>.csv", endpoint="csv"),
        ]
    )
    assert endpoint_of(url_map, "/report.json") == ("json", {"name": "report"})
    assert endpoint_of(url_map, "/report.csv") == ("csv", {"p": "report"})
    assert endpoint_of(url_map, "/report") == ("plain", {"name": "report"})


def test_several_values_in_one_segment() -> None:
    url_map = Map([Rule("/v<int:major>.<int:minor>", endpoint="v")])
    assert endpoint_of(url_map, "/v1.12") == ("v", {"major": 1, "minor": 12})


def test_rules_differing_only_in_variable_names() -> None:
    url_map = Map(
        [
            Rule("/u/<int:id>/a", endpoint="a"),
            Rule("/u/<int:uid>/b", endpoint="b"),
            Rule("/u/<int:n>", endpoint="n", defaults={"x": 1}),
        ]
    )
    assert endpoint_of(url_map, "/u/1/b") == ("b", {"uid": 1})
    assert endpoint_of(url_map, "/u/2/a") == ("a", {"id": 2})
    assert endpoint_of(url_map, "/u/3") == ("n", {"x": 1, "n": 3})


def test_first_registered_wins_among_equals() -> None:
    url_map = Map([Rule("/<a>", endpoint="first"), Rule("/<b>", endpoint="second")])
    assert endpoint_of(url_map, "/x") == ("first", {"a": "x"})


def test_defaults_are_merged_into_values() -> None:
    url_map = Map([Rule("/<name>", defaults={"page": 1}, endpoint="e")])
    assert endpoint_of(url_map, "/x") == ("e", {"name": "x", "page": 1})


def test_values_dict_is_fresh_per_match() -> None:
    url_map = Map([Rule("/", defaults={"page": 1}, endpoint="e"), Rule("/s", endpoint="s")])
    _, first = url_map.resolve("/", "GET")
    first["page"] = 99  # type: ignore[index]
    _, second = url_map.resolve("/", "GET")
    assert second == {"page": 1}
    _, static = url_map.resolve("/s", "GET")
    static["x"] = 1  # type: ignore[index]
    assert url_map.resolve("/s", "GET")[1] == {}


def test_method_mismatch_collects_all_allowed_methods() -> None:
    url_map = Map(
        [
            Rule("/r", methods=["GET"], endpoint="a"),
            Rule("/r", methods=["PUT", "PATCH"], endpoint="b"),
            Rule("/<name>", methods=["DELETE"], endpoint="c"),
        ]
    )
    outcome = endpoint_of(url_map, "/r", "POST")
    assert isinstance(outcome, MethodNotAllowed)
    assert outcome.valid_methods == ["DELETE", "GET", "HEAD", "PATCH", "PUT"]
    assert endpoint_of(url_map, "/r", "DELETE") == ("c", {"name": "r"})


def test_method_mismatch_ignores_values_a_converter_refuses() -> None:
    url_map = Map([Rule("/<int(max=5):n>", methods=["GET"], endpoint="e")])
    assert isinstance(endpoint_of(url_map, "/3", "POST"), MethodNotAllowed)
    assert isinstance(endpoint_of(url_map, "/9", "POST"), NotFound)


def test_rule_without_methods_takes_any() -> None:
    url_map = Map([Rule("/any", endpoint="any")])
    assert endpoint_of(url_map, "/any", "BREW") == ("any", {})


def test_not_found() -> None:
    url_map = Map([Rule("/a", endpoint="a")])
    assert isinstance(endpoint_of(url_map, "/b"), NotFound)
    assert isinstance(endpoint_of(url_map, ""), NotFound)


# -- slashes ---------------------------------------------------------------------------------


def test_strict_slash_redirect_target() -> None:
    url_map = Map([Rule("/dir/", endpoint="d"), Rule("/files/<path:p>/", endpoint="f")])
    outcome = endpoint_of(url_map, "/dir")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/dir/"
    assert outcome.keep_query is True
    outcome = endpoint_of(url_map, "/files/a b/c")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/files/a%20b/c/"


def test_strict_slash_redirect_needs_the_method() -> None:
    url_map = Map([Rule("/dir/", methods=["GET"], endpoint="d")])
    assert isinstance(endpoint_of(url_map, "/dir", "POST"), NotFound)


def test_exact_match_elsewhere_loses_to_a_slash_redirect_found_first() -> None:
    # As in Flask: the static "/fx/..." branch is searched first and asks for the slash.
    url_map = Map([Rule("/fx/<path:p>/", endpoint="fx"), Rule("/<path:p>", endpoint="any")])
    outcome = endpoint_of(url_map, "/fx/a/b")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/fx/a/b/"
    assert endpoint_of(url_map, "/other/a/b") == ("any", {"p": "other/a/b"})


def test_slash_on_leaf_rule_is_404_unless_lenient() -> None:
    url_map = Map(
        [
            Rule("/strict", endpoint="strict"),
            Rule("/lenient", endpoint="lenient", strict_slashes=False),
            Rule("/post", endpoint="post", methods=["POST"], strict_slashes=False),
        ]
    )
    assert isinstance(endpoint_of(url_map, "/strict/"), NotFound)
    assert endpoint_of(url_map, "/lenient/") == ("lenient", {})
    outcome = endpoint_of(url_map, "/post/", "GET")
    assert isinstance(outcome, MethodNotAllowed)
    assert outcome.valid_methods == ["POST"]


def test_lenient_branch_rule_served_without_slash() -> None:
    url_map = Map([Rule("/dir/<name>/", endpoint="d", strict_slashes=False)])
    assert endpoint_of(url_map, "/dir/x") == ("d", {"name": "x"})
    assert endpoint_of(url_map, "/dir/x/") == ("d", {"name": "x"})


def test_merge_slashes() -> None:
    url_map = Map([Rule("/a/b", endpoint="ab", methods=["GET"]), Rule("/c/", endpoint="c")])
    for path, target in [("/a//b", "/a/b"), ("/a///b", "/a/b"), ("/c//", "/c/"), ("/c//x", None)]:
        outcome = endpoint_of(url_map, path)
        if target is None:
            assert isinstance(outcome, NotFound)
        else:
            assert isinstance(outcome, Redirect), path
            assert outcome.target == target
    assert isinstance(endpoint_of(url_map, "/a//b", "POST"), MethodNotAllowed)


def test_merge_slashes_off_for_the_map() -> None:
    url_map = Map([Rule("/a/b", endpoint="ab")], merge_slashes=False)
    assert isinstance(endpoint_of(url_map, "/a//b"), NotFound)


def test_leading_slashes_count_as_one() -> None:
    url_map = Map([Rule("/y", endpoint="y"), Rule("/d/", endpoint="d")])
    assert endpoint_of(url_map, "//y") == ("y", {})
    assert endpoint_of(url_map, "y") == ("y", {})
    outcome = endpoint_of(url_map, "///d")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/d/"


def test_redirect_target_is_percent_encoded() -> None:
    url_map = Map([Rule("/<name>/", endpoint="n")])
    outcome = endpoint_of(url_map, "/50% off?#")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/50%25%20off%3F%23/"


# -- redirect_defaults, alias, redirect_to ---------------------------------------------------------


def test_redirect_defaults() -> None:
    rules = [Rule("/", defaults={"page": 1}, endpoint="p"), Rule("/page/<int:page>", endpoint="p")]
    url_map = Map(rules)
    outcome = endpoint_of(url_map, "/page/1")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/"
    assert outcome.keep_query is True
    assert endpoint_of(url_map, "/page/2") == ("p", {"page": 2})
    no_redirect = Map([r.empty() for r in rules], redirect_defaults=False)
    assert endpoint_of(no_redirect, "/page/1") == ("p", {"page": 1})


def test_alias_redirects_to_canonical_rule() -> None:
    url_map = Map(
        [Rule("/old/<int:n>", endpoint="e", alias=True), Rule("/new/<int:n>", endpoint="e")]
    )
    outcome = endpoint_of(url_map, "/old/3")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/new/3"


def test_redirect_to() -> None:
    url_map = Map(
        [
            Rule("/a/<int:n>", endpoint="a", redirect_to="/b/<n>"),
            Rule("/c/<name>", endpoint="c", redirect_to=lambda adapter, name: f"/d/{name}!"),
        ]
    )
    outcome = endpoint_of(url_map, "/a/7")
    assert isinstance(outcome, Redirect)
    assert (outcome.target, outcome.keep_query) == ("/b/7", False)
    outcome = endpoint_of(url_map, "/c/x")
    assert isinstance(outcome, Redirect)
    assert outcome.target == "/d/x!"


# -- domains ------------------------------------------------------------------------------------


def test_subdomain_rules() -> None:
    url_map = Map(
        [
            Rule("/", endpoint="root"),
            Rule("/", subdomain="<user>", endpoint="user"),
            Rule("/x", subdomain="api", endpoint="api"),
        ]
    )
    assert url_map.resolve("/", "GET", "")[1] == {}
    rule, values = url_map.resolve("/", "GET", "Bob")
    assert rule is not None
    assert (rule.endpoint, values) == ("user", {"user": "bob"})
    assert url_map.resolve("/x", "GET", "api")[0] is not None
    assert isinstance(url_map.resolve("/x", "GET", "")[1], NotFound)


def test_domain_converter_refusal_is_no_match() -> None:
    url_map = Map([Rule("/", subdomain="<int(min=10):n>", endpoint="n")])
    assert url_map.resolve("/", "GET", "12")[1] == {"n": 12}
    assert isinstance(url_map.resolve("/", "GET", "3")[1], NotFound)


def test_host_matching_rules() -> None:
    url_map = Map(
        [
            Rule("/", host="<name>.example.test", endpoint="t"),
            Rule("/", host="a.test", endpoint="a"),
        ],
        host_matching=True,
    )
    rule, values = url_map.resolve("/", "GET", "shop.example.test")
    assert rule is not None
    assert (rule.endpoint, values) == ("t", {"name": "shop"})
    rule, _ = url_map.resolve("/", "GET", "A.TEST")
    assert rule is not None
    assert rule.endpoint == "a"
    assert isinstance(url_map.resolve("/", "GET", "b.test")[1], NotFound)


def test_domain_mismatch_does_not_add_allowed_methods() -> None:
    url_map = Map([Rule("/x", subdomain="api", methods=["POST"], endpoint="api")])
    assert isinstance(url_map.resolve("/x", "GET", "")[1], NotFound)
    assert isinstance(url_map.resolve("/x", "GET", "api")[1], MethodNotAllowed)


# -- properties ---------------------------------------------------------------------------------

_BUSY_MAP_RULES = [
    Rule("/", endpoint="index"),
    Rule("/", defaults={"page": 1}, endpoint="list"),
    Rule("/page/<int:page>", endpoint="list"),
    Rule("/dir/", endpoint="dir"),
    Rule("/lenient", endpoint="lenient", strict_slashes=False),
    Rule("/users/<int(min=1):uid>", endpoint="user", methods=["GET", "POST"]),
    Rule("/users/<name>/edit", endpoint="edit", methods=["PUT"]),
    Rule("/files/<path:p>", endpoint="files"),
    Rule("/docs/<path:p>/", endpoint="docs"),
    Rule("/v<int:major>.<int(fixed_digits=2):minor>", endpoint="version"),
    Rule("/pick/<any(a, b, 'c d'):x>", endpoint="pick"),
    Rule("/id/<uuid:u>", endpoint="uuid"),
    Rule("/f/<float(signed=True):x>", endpoint="float"),
    Rule("/s/<string(length=3):code>", endpoint="code"),
    Rule("/old/<int:n>", endpoint="old", redirect_to="/page/<n>"),
    Rule("/merge/x/y", endpoint="merge"),
]

_PATHS = st.one_of(
    st.text().map(lambda s: "/" + s),
    st.lists(
        st.sampled_from(
            [
                "",
                "users",
                "1",
                "0",
                "-1",
                "ada",
                "edit",
                "files",
                "docs",
                "page",
                "dir",
                "v1.02",
                "pick",
                "c d",
                "a",
                "id",
                "f",
                "-1.5",
                "s",
                "abc",
                "old",
                "merge",
                "x",
                "y",
                "..",
                "%",
                "\n",
                "é",
                "\udcff",
                "9" * 5000,
            ]
        ),
        max_size=6,
    ).map(lambda parts: "/" + "/".join(parts)),
)


@settings(max_examples=200, deadline=None)
@given(path=_PATHS, method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "\0"]))
def test_resolve_never_raises(path: str, method: str) -> None:
    url_map = Map([rule.empty() for rule in _BUSY_MAP_RULES])
    rule, outcome = url_map.resolve(path, method)
    if rule is not None:
        assert isinstance(outcome, dict)
        assert rule.methods is None or method in rule.methods
    else:
        assert isinstance(outcome, (NotFound, MethodNotAllowed, Redirect))
        if isinstance(outcome, Redirect):
            assert outcome.target.startswith("/")
            assert not outcome.target.startswith("//")
        if isinstance(outcome, MethodNotAllowed):
            assert list(outcome.valid_methods or ()) == sorted(outcome.valid_methods or ())


@settings(max_examples=100, deadline=None)
@given(
    segments=st.lists(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1),
        min_size=1,
        max_size=5,
    )
)
def test_slash_redirect_targets_match_after_following(segments: list[str]) -> None:
    url_map = Map([Rule("/<path:p>/", endpoint="p")])
    path = "/" + "/".join(segments)
    _, outcome = url_map.resolve(path, "GET")
    assert isinstance(outcome, Redirect)
    from urllib.parse import unquote

    rule, values = url_map.resolve(unquote(outcome.target), "GET")
    assert rule is not None
    assert values == {"p": "/".join(segments)}


def test_hostile_paths_are_fast_enough() -> None:
    import time

    url_map = Map([rule.empty() for rule in _BUSY_MAP_RULES])
    hostile = [
        "/" + "a/" * 4000,
        "/" + "/" * 8000,
        "/files/" + "x" * 8000,
        "/docs/" + "a/" * 3000 + "b",
        "/users/" + "9" * 8000,
        "/v" + "1" * 4000 + "." + "2" * 4000,
    ]
    start = time.perf_counter()
    for path in hostile:
        for method in ("GET", "POST"):
            url_map.resolve(path, method)
    # A generous budget: linear work on 8 KB paths takes milliseconds.
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("count", [10, 1000])
def test_big_maps_still_match_correctly(count: int) -> None:
    url_map = Map(
        [Rule(f"/r{i}/<int:id>", endpoint=f"r{i}") for i in range(count)]
        + [Rule(f"/s/x{i}", endpoint=f"s{i}") for i in range(count)]
        + [Rule(f"/shared/<int:id>/y{i}", endpoint=f"y{i}") for i in range(count)]
    )
    last = count - 1
    assert endpoint_of(url_map, f"/r{last}/5") == (f"r{last}", {"id": 5})
    assert endpoint_of(url_map, f"/s/x{last}") == (f"s{last}", {})
    assert endpoint_of(url_map, f"/shared/7/y{last}") == (f"y{last}", {"id": 7})
    assert isinstance(endpoint_of(url_map, f"/shared/7/y{count}"), NotFound)

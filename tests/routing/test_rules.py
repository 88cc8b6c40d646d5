"""Rule parsing and compiling: syntax errors, methods, arguments, building, factories."""

from __future__ import annotations

import pytest

from kolba.routing import EndpointPrefix, Map, Rule, Subdomain, Submount
from kolba.routing.rules import parse_converter_args, parse_rule


def test_rule_must_start_with_slash() -> None:
    with pytest.raises(ValueError, match="must start with a slash"):
        Rule("user/<id>")


@pytest.mark.parametrize(
    "rule", ["/<int:id>/<id>", "/<a>-<a>", "/x/<name>/y/<string:name>"], ids=str
)
def test_variable_used_twice(rule: str) -> None:
    with pytest.raises(ValueError, match="used twice"):
        parse_rule(rule)


@pytest.mark.parametrize("rule", ["/<int:>", "/<1abc>", "/<name", "/name>", "/<a b>"])
def test_malformed_placeholder(rule: str) -> None:
    with pytest.raises(ValueError, match="Malformed URL rule"):
        Map([Rule(rule, endpoint="x")])


def test_unknown_converter_names_the_fix() -> None:
    with pytest.raises(LookupError, match=r"'nope'.*url_map.converters"):
        Map([Rule("/<nope:x>", endpoint="x")])


def test_bad_converter_arguments_fail_at_registration() -> None:
    with pytest.raises(ValueError, match="does not take these arguments"):
        Map([Rule("/<int(wrong=1):x>", endpoint="x")])


def test_methods_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"\['GET', 'POST'\]"):
        Rule("/", methods="GET")


def test_methods_upper_cased_and_head_added() -> None:
    assert Rule("/", methods=["get", "post"]).methods == {"GET", "HEAD", "POST"}
    assert Rule("/", methods=["POST"]).methods == {"POST"}
    assert Rule("/").methods is None


def test_arguments_include_defaults_and_domain() -> None:
    url_map = Map(host_matching=True)
    rule = Rule("/<int:a>/<b>", defaults={"c": 1}, host="<h>.example.test", endpoint="x")
    url_map.add(rule)
    assert rule.arguments == {"a", "b", "c", "h"}


def test_domain_and_path_cannot_share_a_name() -> None:
    url_map = Map(host_matching=True)
    with pytest.raises(ValueError, match="both in the host"):
        url_map.add(Rule("/<name>", host="<name>.example.test", endpoint="x"))


def test_rule_bound_twice() -> None:
    rule = Rule("/", endpoint="x")
    Map([rule])
    with pytest.raises(RuntimeError, match="empty"):
        Map([rule])
    # An unbound copy works.
    other = Map([rule.empty()])
    assert next(other.iter_rules()).map is other


def test_repr_and_str() -> None:
    rule = Rule("/u/<int:id>", methods=["GET"], endpoint="user")
    assert "unbound" in repr(rule)
    Map([rule])
    assert repr(rule) == "<Rule '/u/<int:id>' (GET, HEAD) -> user>"
    assert str(rule) == "/u/<int:id>"


def test_leaf_and_branch() -> None:
    assert Rule("/a").is_leaf
    assert not Rule("/a").is_branch
    assert Rule("/a/").is_branch
    assert not Rule("/a/").is_leaf


@pytest.mark.parametrize(
    ("argstr", "expected"),
    [
        ("length=2", ((), {"length": 2})),
        ("min=1, max=10", ((), {"min": 1, "max": 10})),
        ("xhr, jquery, fetch", (("xhr", "jquery", "fetch"), {})),
        ("'a,b', \"c d\", 3", (("a,b", "c d", 3), {})),
        ("signed=True, fixed_digits=4", ((), {"signed": True, "fixed_digits": 4})),
        ("x=None, y=1.5", ((), {"x": None, "y": 1.5})),
        ("", ((), {})),
    ],
)
def test_converter_args_are_python_literals(argstr: str, expected: object) -> None:
    assert parse_converter_args(argstr) == expected


def test_unterminated_quote_in_converter_args() -> None:
    with pytest.raises(ValueError, match="Unterminated quote"):
        parse_converter_args("'abc")


def test_build_quotes_static_text_and_values() -> None:
    rule = Rule("/a b/<name>", endpoint="x")
    Map([rule])
    assert rule.build({"name": "c/d e?"}) == ("", "/a%20b/c/d%20e%3F")


def test_build_appends_unknown_values_as_query() -> None:
    rule = Rule("/<name>", endpoint="x")
    Map([rule])
    assert rule.build({"name": "n", "q": "a b", "tags": ["x", "y"], "none": None}) == (
        "",
        "/n?q=a+b&tags=x&tags=y",
    )
    assert rule.build({"name": "n", "q": "1"}, append_unknown=False) == ("", "/n")


def test_build_refuses_missing_values() -> None:
    rule = Rule("/<a>/<b>", endpoint="x")
    Map([rule])
    assert rule.build({"a": "1"}) is None
    assert not rule.suitable_for({"a": "1"})
    assert rule.suitable_for({"a": "1", "b": "2"})


def test_suitable_for_checks_methods_and_defaults() -> None:
    rule = Rule("/", defaults={"page": 1}, methods=["GET"], endpoint="x")
    Map([rule])
    assert rule.suitable_for({}, "GET")
    assert rule.suitable_for({"page": 1})
    assert not rule.suitable_for({"page": 2})
    assert not rule.suitable_for({}, "POST")


def test_build_priority_prefers_more_arguments_then_defaults() -> None:
    url_map = Map(
        [
            Rule("/page/<int:page>", endpoint="p"),
            Rule("/", defaults={"page": 1}, endpoint="p"),
            Rule("/alias/<int:page>", endpoint="p", alias=True),
        ]
    )
    assert [r.rule for r in url_map.iter_rules("p")] == [
        "/",
        "/page/<int:page>",
        "/alias/<int:page>",
    ]


def test_submount_subdomain_endpoint_prefix() -> None:
    url_map = Map(
        [
            Submount(
                "/api/",
                [
                    Rule("/users", endpoint="users"),
                    EndpointPrefix("admin.", [Rule("/admin/<int:id>", endpoint="edit")]),
                ],
            ),
            Subdomain("<tenant>", [Rule("/", endpoint="tenant_home")]),
        ]
    )
    rules = {r.endpoint: r for r in url_map.iter_rules()}
    assert rules["users"].rule == "/api/users"
    assert rules["admin.edit"].rule == "/api/admin/<int:id>"
    assert rules["tenant_home"].subdomain == "<tenant>"
    adapter = url_map.bind("example.test")
    assert adapter.match("/api/admin/3") == ("admin.edit", {"id": 3})
    assert adapter.build("tenant_home", {"tenant": "t1"}) == "http://t1.example.test/"


def test_build_only_rule_builds_but_never_matches() -> None:
    url_map = Map([Rule("/docs/<page>", endpoint="docs", build_only=True)])
    adapter = url_map.bind("example.test")
    assert adapter.build("docs", {"page": "intro"}) == "/docs/intro"
    assert not adapter.test("/docs/intro")

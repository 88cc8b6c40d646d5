"""Fuzz URL matching (``Map.resolve``) and URL building (``MapAdapter.build``).

The first input byte picks the method, or (with its high bit set) a build: then the rest,
cut at NUL bytes, gives an endpoint choice and values. Checks for matching: ``resolve`` never
raises and returns a rule with its values, a 404, a 405 listing methods, or a redirect to a
single-slash path under the root that ends at a rule within two more hops. For a match, the
URL built from the values matches the same values. For building: a URL is built or a
``BuildError``/``ValueError`` says why not, and a built URL matches the same values again.
"""

from __future__ import annotations

import time
from typing import Any

import fuzzkit

with fuzzkit.instrumented("kolba.routing", "kolba.sansio.urls"):
    from kolba.routing import Map, Rule
    from kolba.routing.exceptions import BuildError
    from kolba.routing.map import Redirect
    from kolba.sansio.exceptions import MethodNotAllowed, NotFound
    from kolba.sansio.urls import unquote

_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "get")

_MAP = Map(
    [
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
        Rule("/n/<int(signed=True):n>/<name>", endpoint="pair"),
        Rule("/old/<int:n>", endpoint="old", redirect_to="/page/<n>"),
        Rule("/merge/x/y", endpoint="merge"),
        Rule("/static/<path:filename>", endpoint="static"),
        Rule("/t/<name>", endpoint="text"),
    ]
)
_ADAPTER = _MAP.bind("example.test")

# Endpoints that build from fuzzed text, with the value names they need.
_BUILDABLE: tuple[tuple[str, str], ...] = (
    ("text", "name"),
    ("files", "p"),
    ("static", "filename"),
    ("edit", "name"),
)


def _follow(path: str, method: str) -> None:
    """Resolve ``path``; a redirect must end at a rule within two more hops."""
    for _hop in range(3):
        rule, outcome = _MAP.resolve(path, method)
        if rule is not None:
            assert isinstance(outcome, dict), (path, outcome)
            return
        if not isinstance(outcome, Redirect):
            raise AssertionError(f"redirect to {path!r} ends in {outcome!r}")
        path = unquote(outcome.target)
    raise AssertionError(f"more than two redirects after {path!r}")


def _check_match(path: str, method: str) -> None:
    rule, outcome = _MAP.resolve(path, method)
    if rule is None:
        if isinstance(outcome, Redirect):
            target = outcome.target
            assert target.startswith("/"), (path, target)
            assert not target.startswith("//"), (path, target)
            assert "\\" not in target, (path, target)
            _follow(unquote(target), method)
        elif isinstance(outcome, MethodNotAllowed):
            assert outcome.valid_methods, (path, method)
            assert method not in outcome.valid_methods, (path, method)
        else:
            assert isinstance(outcome, NotFound), (path, outcome)
        return
    values: dict[str, Any] = outcome  # type: ignore[assignment]
    assert rule.methods is None or method in rule.methods, (path, method)
    if rule.endpoint in ("index", "list", "dir", "lenient", "merge"):
        return
    url = _ADAPTER.build(rule.endpoint, values, method=method, append_unknown=False)
    rule_again, values_again = _MAP.resolve(unquote(url), method)
    assert rule_again is not None, (path, url, values_again)
    assert values_again == values, (path, url, values, values_again)


def _check_build(data: bytes) -> None:
    choice, raw = fuzzkit.split(data, 2)
    endpoint, name = _BUILDABLE[(choice[0] if choice else 0) % len(_BUILDABLE)]
    value = raw.decode("utf-8", "replace")
    method = "PUT" if endpoint == "edit" else "GET"
    try:
        url = _ADAPTER.build(endpoint, {name: value}, method=method)
    except (BuildError, ValueError):
        return
    assert "#" not in url, (value, url)
    path, _, query = url.partition("?")
    assert not query, (value, url)
    assert path.startswith("/"), (value, url)
    assert not path.startswith("//"), (value, url)
    rule, values = _MAP.resolve(unquote(path), method)
    if rule is None and isinstance(values, Redirect) and "//" in unquote(path):
        # A value holding "//" builds a URL that merge_slashes redirects (as in Werkzeug):
        # the redirect must still lead to this endpoint.
        rule, values = _MAP.resolve(unquote(values.target), method)
        assert rule is not None, (value, url, values)
        assert rule.endpoint == endpoint, (value, url, values)
        return
    if rule is None:
        # Werkzeug builds these the same way, and they cannot come back: an empty value
        # leaves an empty segment, a leading "/" or "//" merges, and a "/" inside a
        # one-segment value is sent as %2F, which servers decode. Anything else must.
        unreachable = not value or value.startswith("/") or "//" in value
        assert unreachable or (name == "name" and "/" in value), (value, url, values)
        return
    if rule.endpoint == endpoint:
        assert values == {name: value}, (value, url, values)


def TestOneInput(data: bytes) -> None:
    selector = data[0] if data else 0
    start = time.perf_counter()
    if selector & 0x80:
        _check_build(data[1:])
        fuzzkit.check_time(start, "MapAdapter.build")
        return
    method = _METHODS[selector % len(_METHODS)].upper()
    path = data[1:].decode("utf-8", "replace")
    if not path.startswith("/"):
        path = "/" + path
    _check_match(path, method)
    fuzzkit.check_time(start, "Map.resolve")


if __name__ == "__main__":
    fuzzkit.main(TestOneInput)

"""Outcomes of routing that are not a plain match: redirects, build failures, bad values."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from ..sansio.exceptions import HTTPException

if TYPE_CHECKING:
    from .map import Map
    from .rules import Rule


class RoutingException(Exception):
    """Base class of the exceptions routing raises for control flow (redirects)."""


class RequestRedirect(HTTPException, RoutingException):
    """308 to the canonical URL (strict slashes, merged slashes, ``redirect_to``, defaults).

    A 308 keeps the method and body, so a POST to ``/x`` arrives at ``/x/`` intact.
    ``new_url`` is the absolute URL the client is sent to.
    """

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(new_url)
        self.new_url = new_url

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        return [("Content-Type", "text/html; charset=utf-8"), ("Location", self.new_url)]

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        url = escape(self.new_url)
        return (
            "<!doctype html>\n<html lang=en>\n<title>Moved</title>\n<h1>Moved</h1>\n"
            f'<p>This page lives at <a href="{url}">{url}</a>.</p>\n'
        )


class ValidationError(ValueError):
    """Raised by a converter's ``to_python`` to say "this segment does not match"."""


class BuildError(RoutingException, LookupError):
    """``url_for`` found no rule for the endpoint and values given.

    The message says what to change: the close endpoint names when the endpoint is unknown,
    the values a rule still needs, the methods its rules accept, or the values that clash
    with a rule's defaults.
    """

    def __init__(
        self,
        endpoint: str,
        values: dict[str, Any],
        method: str | None,
        adapter: Any = None,
        url_map: Map | None = None,
    ) -> None:
        super().__init__(endpoint, values, method)
        self.endpoint = endpoint
        self.values = values
        self.method = method
        self.adapter = adapter
        self._map = url_map if url_map is not None else getattr(adapter, "map", None)

    def _endpoint_rules(self) -> list[Rule]:
        if self._map is None:
            return []
        return list(self._map.iter_rules(self.endpoint))

    @property
    def suggested(self) -> Rule | None:
        """The rule of this endpoint that came closest: it serves the method asked for,
        takes the most of the given values, and lacks the fewest.
        """
        rules = self._endpoint_rules()
        if not rules:
            return None
        given = set(self.values)

        def closeness(rule: Rule) -> tuple[bool, int, int]:
            serves = self.method is None or rule.methods is None or self.method in rule.methods
            needed = rule.arguments - set(rule.defaults or ())
            return (serves, len(needed & given), -len(needed - given))

        return max(rules, key=closeness)

    def _call(self) -> str:
        shown = [repr(self.endpoint)]
        shown.extend(f"{key}={value!r}" for key, value in self.values.items())
        if self.method:
            shown.append(f"_method={self.method!r}")
        return f"url_for({', '.join(shown)})"

    def __str__(self) -> str:
        head = f"Cannot build a URL for {self._call()}: "
        rule = self.suggested
        if rule is None:
            known = (
                []
                if self._map is None
                else sorted({str(r.endpoint) for r in self._map.iter_rules()})
            )
            close = difflib.get_close_matches(str(self.endpoint), known, n=3)
            if close:
                names = " or ".join(repr(name) for name in close)
                return f"{head}no route has the endpoint {self.endpoint!r}. Did you mean {names}?"
            return (
                f"{head}no route has the endpoint {self.endpoint!r}. Register a view under"
                " that name, or use the name the view was registered with (by default the"
                " function name; 'blueprint.function' inside a blueprint)."
            )
        if self.method and rule.methods is not None and self.method not in rule.methods:
            return (
                f"{head}its rule {rule.rule!r} accepts {', '.join(sorted(rule.methods))},"
                f" not {self.method}. Pass one of those as _method, or leave _method out."
            )
        missing = sorted(rule.arguments - set(rule.defaults or ()) - set(self.values))
        if missing:
            names = ", ".join(repr(name) for name in missing)
            example = ", ".join(f"{name}=..." for name in missing)
            return (
                f"{head}the rule {rule.rule!r} needs a value for {names}."
                f" Pass it: url_for({self.endpoint!r}, {example})."
            )
        clashes = {
            key: value
            for key, value in (rule.defaults or {}).items()
            if key in self.values and self.values[key] != value
        }
        if clashes:
            fixed = ", ".join(f"{key}={value!r}" for key, value in clashes.items())
            return (
                f"{head}the rule {rule.rule!r} only builds {fixed} (its defaults),"
                " and no other rule of this endpoint takes the values given."
            )
        return f"{head}no rule of this endpoint accepts these values."


__all__ = ["BuildError", "RequestRedirect", "RoutingException", "ValidationError"]

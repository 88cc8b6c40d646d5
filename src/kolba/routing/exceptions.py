"""Outcomes of routing that are not a plain match: redirects, build failures, bad values."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from ..sansio.exceptions import HTTPException

if TYPE_CHECKING:
    from ..wsgi.response import Response
    from .map import Map
    from .rules import Rule


class RoutingException(Exception):
    """Base class of the exceptions routing raises for control flow (redirects)."""


class RequestRedirect(HTTPException, RoutingException):
    """308 to the canonical URL (strict slashes, merged slashes, ``redirect_to``, defaults).

    A 308 keeps the method and body, so a POST to ``/x`` arrives at ``/x/`` intact.
    """

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(new_url)
        self.new_url = new_url

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        from ..wsgi.response import Response

        return Response._prepared(
            self.get_body(environ, scope),
            self.code,
            [("Content-Type", "text/html; charset=utf-8"), ("Location", self.new_url)],
        )

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        from markupsafe import escape

        url = escape(self.new_url)
        return (
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
            "<h1>Redirecting...</h1>\n"
            f'<p>You should be redirected automatically to the target URL: <a href="{url}">'
            f"{url}</a>. If not, click the link.\n"
        )


class ValidationError(ValueError):
    """Raised by a converter's ``to_python`` to say "this segment does not match"."""


class BuildError(RoutingException, LookupError):
    """``url_for`` found no rule for the endpoint and values given.

    The message says whether the endpoint is unknown (with close matches), which values
    were missing, or which method was not allowed.
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

    def _rules(self) -> list[Rule]:
        if self._map is None:
            return []
        return list(self._map.iter_rules())

    @property
    def suggested(self) -> Rule | None:
        """The rule closest to what was asked for, if any."""
        rules = [r for r in self._rules() if r.endpoint == self.endpoint]
        if rules:
            provided = set(self.values)
            return max(rules, key=lambda r: len(r.arguments & provided))
        return None

    def __str__(self) -> str:
        message = [f"Could not build url for endpoint {self.endpoint!r}"]
        if self.method:
            message.append(f" ({self.method!r})")
        if self.values:
            message.append(f" with values {sorted(self.values)!r}")
        message.append(".")
        rule = self.suggested
        if rule is not None:
            missing = sorted(rule.arguments - set(self.values) - set(rule.defaults or ()))
            if self.method and rule.methods is not None and self.method not in rule.methods:
                message.append(f" Did you mean to use methods {sorted(rule.methods)!r}?")
            if missing:
                message.append(f" Did you forget to specify values {missing!r}?")
            elif rule.defaults:
                clash = {
                    k: v
                    for k, v in rule.defaults.items()
                    if k in self.values and self.values[k] != v
                }
                if clash:
                    message.append(
                        f" The values {sorted(clash)!r} differ from the rule's defaults."
                    )
        else:
            endpoints = sorted({str(r.endpoint) for r in self._rules()})
            close = difflib.get_close_matches(self.endpoint, endpoints, n=1)
            if close:
                message.append(f" Did you mean {close[0]!r} instead?")
        return "".join(message)


__all__ = ["BuildError", "RequestRedirect", "RoutingException", "ValidationError"]

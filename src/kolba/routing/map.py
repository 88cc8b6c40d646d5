"""The URL map: every rule of an app, matched against requests and used to build URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Union
from urllib.parse import quote, urljoin

from ..sansio.exceptions import HTTPException, MethodNotAllowed, NotFound
from .converters import DEFAULT_CONVERTERS, BaseConverter
from .exceptions import BuildError, RequestRedirect
from .matcher import Matcher
from .rules import Rule, RuleFactory

_MANY_SLASHES = re.compile("/{2,}")


class Redirect:
    """A match that must redirect: to ``target`` (a path under the script root, or a URL)."""

    __slots__ = ("keep_query", "target")

    def __init__(self, target: str, keep_query: bool = True) -> None:
        self.target = target
        self.keep_query = keep_query

    def __repr__(self) -> str:
        return f"<Redirect {self.target!r}>"


#: What :meth:`Map.resolve` returns: a rule and its values, or no rule and the outcome.
Resolved = Union[tuple[Rule, dict[str, Any]], tuple[None, Union[HTTPException, Redirect]]]


class Map:
    """A collection of rules with the converters they may use.

    ``strict_slashes`` redirects ``/x`` to ``/x/`` when only the latter exists;
    ``merge_slashes`` redirects ``/a//b`` to ``/a/b``; ``redirect_defaults`` redirects a URL
    whose values equal another rule's defaults to that rule's URL.
    """

    default_converters: Mapping[str, type[BaseConverter]] = DEFAULT_CONVERTERS

    def __init__(
        self,
        rules: Iterable[RuleFactory] | None = None,
        default_subdomain: str = "",
        strict_slashes: bool = True,
        merge_slashes: bool = True,
        redirect_defaults: bool = True,
        converters: Mapping[str, type[BaseConverter]] | None = None,
        sort_parameters: bool = False,
        sort_key: Any = None,
        host_matching: bool = False,
    ) -> None:
        self._rules: list[Rule] = []
        self._rules_by_endpoint: dict[Any, list[Rule]] = {}
        self._matcher: Matcher | None = None
        self.default_subdomain = default_subdomain
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.redirect_defaults = redirect_defaults
        self.host_matching = host_matching
        #: Set by the app: whether the subdomain of the request host selects rules.
        self.subdomain_matching = False
        self.converters: dict[str, type[BaseConverter]] = dict(self.default_converters)
        if converters:
            self.converters.update(converters)
        self.sort_parameters = sort_parameters
        self.sort_key = sort_key
        for rulefactory in rules or ():
            self.add(rulefactory)

    # -- registration ----------------------------------------------------------------------

    def add(self, rulefactory: RuleFactory) -> None:
        """Add a rule (or every rule of a factory such as :class:`Submount`)."""
        for rule in rulefactory.get_rules(self):
            rule.bind(self)
            self._rules.append(rule)
            self._rules_by_endpoint.setdefault(rule.endpoint, []).append(rule)
        # The tree is rebuilt on the next match; registration happens before serving.
        self._matcher = None

    def iter_rules(self, endpoint: Any = None) -> Iterator[Rule]:
        """Iterate over all rules, or those of one endpoint."""
        if endpoint is not None:
            return iter(self._rules_by_endpoint.get(endpoint, ()))
        return iter(self._rules)

    def is_endpoint_expecting(self, endpoint: Any, *arguments: str) -> bool:
        """Whether some rule of ``endpoint`` takes all of ``arguments``."""
        wanted = set(arguments)
        return any(wanted <= rule.arguments for rule in self._rules_by_endpoint.get(endpoint, ()))

    def _compile(self) -> Matcher:
        use_domains = self.host_matching or any(
            rule.domain_regex is not None for rule in self._rules
        )
        matcher = Matcher(use_domains)
        for rule in self._rules:
            rule._default_providers = (
                [
                    other
                    for other in self._rules_by_endpoint.get(rule.endpoint, ())
                    if other.provides_defaults_for(rule)
                ]
                if self.redirect_defaults
                else []
            )
            matcher.add(rule)
        self._matcher = matcher
        return matcher

    # -- matching --------------------------------------------------------------------------

    def resolve(self, path: str, method: str, domain: str = "") -> Resolved:
        """Find the rule for ``path`` without raising.

        Returns ``(rule, values)`` on a match; otherwise ``(None, outcome)`` where the outcome
        is a NotFound or MethodNotAllowed to answer with, or a :class:`Redirect`.
        """
        matcher = self._matcher or self._compile()
        allowed: set[str] = set()
        found = matcher.match(domain, path, method, allowed)
        if found is None:
            if allowed:
                return None, MethodNotAllowed(valid_methods=sorted(allowed))
            near = self._near_miss(matcher, domain, path, method)
            if not isinstance(near, tuple):
                return None, near
            found = near
        rule, values = found
        if rule.defaults:
            values = {**rule.defaults, **values}
        if rule.redirect_to is not None or rule._default_providers:
            redirect = self._redirect_for(rule, values, method)
            if redirect is not None:
                return None, redirect
        return rule, values

    def _near_miss(
        self, matcher: Matcher, domain: str, path: str, method: str
    ) -> tuple[Rule, dict[str, Any]] | HTTPException | Redirect:
        """Try the slash fixes: merged slashes, an added or a removed trailing slash.

        Only reached when nothing matched, so a hit pays nothing for them.
        """
        merged = _MANY_SLASHES.sub("/", path) if "//" in path else path
        candidates = [merged] if merged != path else []
        if merged.endswith("/"):
            if len(merged) > 1:
                candidates.append(merged[:-1])
        else:
            candidates.append(merged + "/")
        for candidate in candidates:
            allowed: set[str] = set()
            found = matcher.match(domain, candidate, method, allowed)
            if found is None:
                if allowed:
                    return MethodNotAllowed(valid_methods=sorted(allowed))
                continue
            rule = found[0]
            if merged != path and not rule.merge_slashes:
                continue
            added_slash = len(candidate) > len(merged)
            removed_slash = len(candidate) < len(merged)
            if removed_slash and rule.strict_slashes:
                # "/x/" never serves the rule "/x" unless strict slashes are off.
                continue
            if merged != path or (added_slash and rule.strict_slashes):
                return Redirect(candidate)
            # Strict slashes off: serve the rule as if the slash were (or were not) there.
            return found
        return NotFound()

    def _redirect_for(self, rule: Rule, values: dict[str, Any], method: str) -> Redirect | None:
        if rule.redirect_to is not None:
            if isinstance(rule.redirect_to, str):
                target = _fill_redirect(rule, rule.redirect_to, values)
            else:
                target = rule.redirect_to(MapAdapter(self, "localhost"), **values)
            return Redirect(target, keep_query=False)
        for provider in rule._default_providers:
            if provider.suitable_for(values, method):
                built = provider.build(values, append_unknown=False)
                if built is not None:
                    return Redirect(built[1])
        return None

    # -- building --------------------------------------------------------------------------

    def build(
        self,
        endpoint: Any,
        values: Mapping[str, Any],
        method: str | None = None,
        append_unknown: bool = True,
    ) -> tuple[Rule, str, str] | None:
        """Return ``(rule, domain part, path)`` for the first suitable rule, or None."""
        for rule in self._rules_by_endpoint.get(endpoint, ()):
            if rule.suitable_for(values, method):
                built = rule.build(values, append_unknown)
                if built is not None:
                    return rule, built[0], built[1]
        return None

    def bind(
        self,
        server_name: str,
        script_name: str | None = None,
        subdomain: str | None = None,
        url_scheme: str = "http",
        default_method: str = "GET",
        path_info: str | None = None,
        query_args: str | None = None,
    ) -> MapAdapter:
        """Return an adapter for one host, to match paths and build URLs."""
        return MapAdapter(
            self,
            server_name.lower(),
            script_name or "/",
            self.default_subdomain if subdomain is None else subdomain,
            url_scheme,
            path_info or "/",
            default_method,
            query_args,
        )

    def update(self) -> None:
        """Recompile the rules (after changing them in place)."""
        self._matcher = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._rules)!r})"


def _fill_redirect(rule: Rule, target: str, values: Mapping[str, Any]) -> str:
    def substitute(m: re.Match[str]) -> str:
        name = m.group(1)
        conv = rule._converters.get(name)
        value = values[name]
        return conv.to_url(value) if conv is not None else quote(str(value))

    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", substitute, target)


class MapAdapter:
    """A map bound to one host and script root: ``match`` paths, ``build`` URLs."""

    def __init__(
        self,
        map: Map,
        server_name: str,
        script_name: str = "/",
        subdomain: str | None = None,
        url_scheme: str = "http",
        path_info: str = "/",
        default_method: str = "GET",
        query_args: str | None = None,
    ) -> None:
        self.map = map
        self.server_name = server_name
        if not script_name.endswith("/"):
            script_name += "/"
        self.script_name = script_name
        self.subdomain = subdomain if subdomain is not None else map.default_subdomain
        self.url_scheme = url_scheme
        self.path_info = path_info
        self.default_method = default_method
        self.query_args = query_args

    @property
    def domain_part(self) -> str:
        """The host (host matching) or subdomain that selects rules."""
        return self.server_name if self.map.host_matching else (self.subdomain or "")

    def get_host(self, domain_part: str | None) -> str:
        """The host for a URL whose rule has ``domain_part``."""
        if self.map.host_matching:
            return domain_part or self.server_name
        subdomain = domain_part if domain_part is not None else self.subdomain
        if subdomain:
            return f"{subdomain}.{self.server_name}"
        return self.server_name

    def _absolute(self, target: str, domain_part: str | None = None) -> str:
        if "://" in target.split("?", 1)[0]:
            return target
        base = f"{self.url_scheme}://{self.get_host(domain_part)}{self.script_name}"
        if target.startswith("/"):
            return base + target.lstrip("/")
        return urljoin(base + self.path_info.lstrip("/"), target)

    def make_redirect_url(
        self, path_info: str, query_args: str | None = None, domain_part: str | None = None
    ) -> str:
        """The absolute URL for a path under the script root, with the query string."""
        url = self._absolute(path_info, domain_part)
        if query_args:
            url = f"{url}?{query_args}"
        return url

    def resolve(self, path_info: str | None = None, method: str | None = None) -> Resolved:
        """Like :meth:`Map.resolve`, with this adapter's host and defaults."""
        return self.map.resolve(
            path_info if path_info is not None else self.path_info,
            (method or self.default_method).upper(),
            self.domain_part,
        )

    def match(
        self,
        path_info: str | None = None,
        method: str | None = None,
        return_rule: bool = False,
        query_args: str | None = None,
        websocket: bool | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """Return ``(endpoint, values)`` (or the rule with ``return_rule``).

        Raises NotFound, MethodNotAllowed, or RequestRedirect with the absolute new URL.
        """
        rule, outcome = self.resolve(path_info, method)
        if rule is not None:
            return (rule if return_rule else rule.endpoint), outcome  # type: ignore[return-value]
        if isinstance(outcome, Redirect):
            query = query_args if query_args is not None else self.query_args
            raise RequestRedirect(
                self.make_redirect_url(outcome.target, query if outcome.keep_query else None)
            )
        raise outcome

    def test(self, path_info: str | None = None, method: str | None = None) -> bool:
        """Whether the path matches (a redirect counts as a match)."""
        rule, outcome = self.resolve(path_info, method)
        return rule is not None or isinstance(outcome, Redirect)

    def allowed_methods(self, path_info: str | None = None) -> list[str]:
        """The methods the path answers to."""
        rule, outcome = self.resolve(path_info, "--")
        if isinstance(outcome, MethodNotAllowed):
            return list(outcome.valid_methods or ())
        return []

    def build(
        self,
        endpoint: Any,
        values: Mapping[str, Any] | None = None,
        method: str | None = None,
        force_external: bool = False,
        append_unknown: bool = True,
        url_scheme: str | None = None,
    ) -> str:
        """Build the URL of ``endpoint``; unknown values become the query string.

        It is relative to the host (``/script/path``) unless ``force_external``, a different
        scheme, or a rule on another domain makes it absolute. BuildError when no rule fits.
        """
        clean = _clean_values(values)
        built = self.map.build(endpoint, clean, method, append_unknown)
        if built is None:
            raise BuildError(endpoint, clean, method, self)
        rule, domain, path = built
        host_differs = (
            (domain or self.server_name) != self.server_name
            if self.map.host_matching
            else domain != (self.subdomain or "")
        ) and rule.domain_regex is not None
        if not force_external and not host_differs and url_scheme is None:
            return f"{self.script_name.rstrip('/')}/{path.lstrip('/')}"
        scheme = url_scheme or self.url_scheme
        if rule.websocket:
            scheme = "wss" if scheme in ("https", "wss") else "ws"
        host = self.get_host(domain if rule.domain_regex is not None else None)
        return f"{scheme}://{host}{self.script_name.rstrip('/')}/{path.lstrip('/')}"


def _clean_values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    if not values:
        return {}
    from ..sansio.datastructures import MultiDict

    if isinstance(values, MultiDict):
        result: dict[str, Any] = {}
        for key, items in values.lists():
            items = [v for v in items if v is not None]
            if items:
                result[key] = items[0] if len(items) == 1 else items
        return result
    return {k: v for k, v in values.items() if v is not None}


__all__ = ["Map", "MapAdapter", "Redirect", "Resolved"]

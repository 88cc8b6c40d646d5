"""The URL map: every rule of an app, matched against requests and used to build URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Union, cast
from urllib.parse import quote, urljoin

from ..sansio.exceptions import HTTPException, MethodNotAllowed, NotFound
from .converters import DEFAULT_CONVERTERS, BaseConverter
from .exceptions import BuildError, RequestRedirect
from .matcher import Matcher, SlashRedirect
from .rules import _REDIRECT_PLACEHOLDER, Rule, RuleFactory

_MANY_SLASHES = re.compile("/{2,}")
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
# What stays unescaped when a matched (decoded) path is put back into a Location header.
_LOCATION_PATH_SAFE = "!$&'()*+,/:;=@"


class Redirect:
    """A match that must redirect to ``target``: a percent-encoded path under the application
    root (``/x/``), a reference relative to that root, or an absolute URL.

    ``keep_query`` says whether the request's query string goes along.
    """

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
    whose values equal another rule's defaults to that rule's URL (``/page/1`` to ``/``).
    ``host_matching`` matches rules by their ``host`` instead of their ``subdomain``.
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
            same_endpoint = self._rules_by_endpoint.setdefault(rule.endpoint, [])
            same_endpoint.append(rule)
            # Stable: among equals, the rule registered first is built first.
            same_endpoint.sort(key=_build_priority)
        # The tree is rebuilt on the next match; registration happens before serving.
        self._matcher = None

    def iter_rules(self, endpoint: Any = None) -> Iterator[Rule]:
        """Iterate over all rules in registration order, or over those of one endpoint."""
        if endpoint is not None:
            return iter(self._rules_by_endpoint.get(endpoint, ()))
        return iter(self._rules)

    def is_endpoint_expecting(self, endpoint: Any, *arguments: str) -> bool:
        """Whether some rule of ``endpoint`` takes all of ``arguments``."""
        wanted = set(arguments)
        return any(wanted <= rule.arguments for rule in self._rules_by_endpoint.get(endpoint, ()))

    def _compile(self) -> Matcher:
        use_domains = (
            self.host_matching
            or self.subdomain_matching
            or any(rule.domain_regex is not None for rule in self._rules)
        )
        matcher = Matcher(use_domains)
        for rule in self._rules:
            rule._default_providers = []
            if self.redirect_defaults:
                # Only rules built before this one can be its canonical URL.
                for other in self._rules_by_endpoint.get(rule.endpoint, ()):
                    if other is rule:
                        break
                    if other.provides_defaults_for(rule):
                        rule._default_providers.append(other)
            rule._after_match = bool(
                rule.defaults
                or rule._default_providers
                or rule.redirect_to is not None
                or rule.alias
            )
            matcher.add(rule)
        matcher.freeze()
        self._matcher = matcher
        return matcher

    def update(self) -> None:
        """Recompile the rules (after changing converters or rules in place)."""
        for rule in self._rules:
            rule.refresh()
        self._matcher = None

    # -- matching --------------------------------------------------------------------------

    def resolve(
        self, path: str, method: str, domain: str = "", adapter: MapAdapter | None = None
    ) -> Resolved:
        """Find the rule for ``path`` (decoded, as in ``request.path``) without raising.

        Returns ``(rule, values)`` on a match; otherwise ``(None, outcome)`` where the outcome
        is a NotFound or MethodNotAllowed to answer with, or a :class:`Redirect`. ``domain``
        is the subdomain (or, with host matching, the host) of the request. A callable
        ``redirect_to`` gets an adapter for ``adapter``'s host (``localhost`` without one)
        whose URLs are relative to the application root, like the target it returns.
        """
        matcher = self._matcher or self._compile()
        if matcher.use_domains:
            domain = domain.lower()
        result = matcher.match(domain, path, method)
        if isinstance(result, tuple):
            rule, values = result
            # PERF: one precomputed flag covers defaults, redirect_to, aliases and
            # redirect_defaults, so a plain match pays a single attribute test.
            if rule._after_match:
                if rule.defaults:
                    values = {**rule.defaults, **values}
                redirect = self._redirect_for(rule, values, method, adapter)
                if redirect is not None:
                    return None, redirect
            return rule, values
        if isinstance(result, SlashRedirect):
            return None, Redirect(_location(result.target))
        allowed = result
        # Leading slashes count as one (the matcher did the same), so a redirect target
        # starts with a single "/" and cannot become a "//host" reference.
        path = "/" + path.lstrip("/")
        if "//" in path and self.merge_slashes:
            merged = _MANY_SLASHES.sub("/", path)
            result = matcher.match(domain, merged, method)
            if isinstance(result, tuple):
                if result[0].merge_slashes:
                    return None, Redirect(_location(merged))
            elif isinstance(result, SlashRedirect):
                if result.rule.merge_slashes:
                    return None, Redirect(_location(result.target))
            else:
                allowed |= result
        if allowed:
            return None, MethodNotAllowed(valid_methods=sorted(allowed))
        return None, NotFound()

    def _redirect_for(
        self, rule: Rule, values: dict[str, Any], method: str, adapter: MapAdapter | None
    ) -> Redirect | None:
        for provider in rule._default_providers:
            if provider.suitable_for(values, method):
                built = provider.build(values, append_unknown=False)
                if built is not None:
                    return Redirect(built[1])
        if rule.alias and self.redirect_defaults:
            for other in self._rules_by_endpoint.get(rule.endpoint, ()):
                if not other.alias and other.suitable_for(values, method):
                    built = other.build(values, append_unknown=False)
                    if built is not None:
                        return Redirect(built[1])
        if rule.redirect_to is not None:
            if isinstance(rule.redirect_to, str):
                target = _fill_redirect(rule, rule.redirect_to, values)
            else:
                # The callable builds URLs relative to the application root, like rule
                # strings: its adapter has the request's host but "/" as the root.
                if adapter is None:
                    builder = MapAdapter(self, "localhost")
                else:
                    builder = MapAdapter(
                        self,
                        adapter.server_name,
                        "/",
                        adapter.subdomain,
                        adapter.url_scheme,
                        adapter.path_info,
                        adapter.default_method,
                        adapter.query_args,
                    )
                target = rule.redirect_to(builder, **values)
            return Redirect(target, keep_query=False)
        return None

    # -- building --------------------------------------------------------------------------

    def build(
        self,
        endpoint: Any,
        values: Mapping[str, Any],
        method: str | None = None,
        append_unknown: bool = True,
        prefer_domain: str | None = None,
    ) -> tuple[Rule, str, str] | None:
        """Return ``(rule, domain part, path)`` for the first suitable rule, or None.

        With ``prefer_domain`` (host matching), a rule building that host wins over an
        earlier one building another host.
        """
        first: tuple[Rule, str, str] | None = None
        for rule in self._rules_by_endpoint.get(endpoint, ()):
            if rule.suitable_for(values, method):
                built = rule.build(values, append_unknown)
                if built is not None:
                    if prefer_domain is None or built[0] in ("", prefer_domain):
                        return rule, built[0], built[1]
                    if first is None:
                        first = rule, built[0], built[1]
        return first

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._rules)!r})"


def _location(path: str) -> str:
    """Percent-encode a matched (decoded) path for a Location header."""
    # errors="replace": a lone surrogate cannot be UTF-8 encoded; it must not become a 500.
    return quote(path, safe=_LOCATION_PATH_SAFE, errors="replace")


def _build_priority(rule: Rule) -> tuple[int, int, int]:
    return rule.build_priority


def _fill_redirect(rule: Rule, target: str, values: Mapping[str, Any]) -> str:
    def substitute(m: re.Match[str]) -> str:
        name = m.group(1)
        conv = rule._converters.get(name) or rule._domain_converters.get(name)
        value = values[name]
        return conv.to_url(value) if conv is not None else quote(str(value), safe="")

    return _REDIRECT_PLACEHOLDER.sub(substitute, target)


class MapAdapter:
    """A map bound to one host and script root: ``match`` paths, ``build`` URLs.

    ``server_name`` is the host without the subdomain; ``subdomain`` is the current one (with
    host matching, ``server_name`` is the whole host).
    """

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
        """The host for a URL whose rule has ``domain_part`` (None: the current one)."""
        if self.map.host_matching:
            return domain_part or self.server_name
        subdomain = domain_part if domain_part is not None else self.subdomain
        if subdomain:
            return f"{subdomain}.{self.server_name}"
        return self.server_name

    def _absolute(self, target: str, domain_part: str | None = None) -> str:
        base = f"{self.url_scheme}://{self.get_host(domain_part)}{self.script_name}"
        if target.startswith("/"):
            # A path under the application root, never a "//host" reference.
            return base + target.lstrip("/")
        if _HAS_SCHEME.match(target):
            return target
        return urljoin(base, target)

    def make_redirect_url(
        self, path_info: str, query_args: str | None = None, domain_part: str | None = None
    ) -> str:
        """The absolute URL for a path under the application root, with the query string."""
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
            self,
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
        raise cast(HTTPException, outcome)

    def test(self, path_info: str | None = None, method: str | None = None) -> bool:
        """Whether the path matches (a redirect counts as a match)."""
        rule, outcome = self.resolve(path_info, method)
        return rule is not None or isinstance(outcome, Redirect)

    def allowed_methods(self, path_info: str | None = None) -> list[str]:
        """The methods the path answers to."""
        rule, outcome = self.resolve(path_info, "\0")
        if rule is not None:
            return sorted(rule.methods or ())
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

        Without ``method``, a rule serving the adapter's default method (the current
        request's) is preferred. The URL is relative to the host (``/root/path``) unless
        ``force_external``, a ``url_scheme``, or a rule on another subdomain or host makes it
        absolute. Raises BuildError when no rule fits.
        """
        clean = _clean_values(values)
        host_matching = self.map.host_matching
        prefer = self.server_name if host_matching else None
        built = None
        if method is None:
            built = self.map.build(endpoint, clean, self.default_method, append_unknown, prefer)
        if built is None:
            built = self.map.build(endpoint, clean, method, append_unknown, prefer)
        if built is None:
            raise BuildError(endpoint, clean, method, self)
        rule, domain, path = built
        if host_matching:
            host = domain or self.server_name
            elsewhere = host != self.server_name
        else:
            subdomain = domain if rule.domain_regex is not None else (rule.subdomain or "")
            host = self.get_host(subdomain)
            elsewhere = subdomain != (self.subdomain or "")
        root = self.script_name.rstrip("/")
        if not (force_external or elsewhere or url_scheme is not None):
            return f"{root}/{path.lstrip('/')}"
        scheme = url_scheme or self.url_scheme
        if rule.websocket:
            scheme = "wss" if scheme in ("https", "wss") else "ws"
        return f"{scheme}://{host}{root}/{path.lstrip('/')}"


def _clean_values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop None values; a multi-value mapping gives a value or a list per key."""
    if not values:
        return {}
    lists = getattr(values, "lists", None)
    if lists is not None:
        result: dict[str, Any] = {}
        for key, items in lists():
            kept = [v for v in items if v is not None]
            if kept:
                result[key] = kept[0] if len(kept) == 1 else kept
        return result
    return {k: v for k, v in values.items() if v is not None}


__all__ = ["Map", "MapAdapter", "Redirect", "Resolved"]

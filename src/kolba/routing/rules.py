"""URL rules: ``/user/<int:id>`` parsed once into matching parts and a URL builder."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .converters import BaseConverter

if TYPE_CHECKING:
    from .map import Map

_PLACEHOLDER = re.compile(
    r"""
    <
    (?:
        (?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)   # converter name
        (?:\((?P<args>[^)]*)\))?                # optional arguments
        \s*:\s*
    )?
    (?P<name>[a-zA-Z_][a-zA-Z0-9_]*)            # variable name
    \s*>
    """,
    re.VERBOSE,
)
_KWARG = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*(.*?)\s*$", re.S)
# Characters url_for leaves unescaped in query values (beyond letters and digits).
_QUERY_SAFE = "!$'()*,/:;?@"


def _literal(text: str) -> Any:
    text = text.strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        # Bare words are strings: <any(about, help):page>.
        return text


def _split_args(argstr: str) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    quote: str | None = None
    for char in argstr:
        if quote:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
            current.append(char)
        elif char == ",":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if quote:
        raise ValueError(f"Unterminated quote in converter arguments {argstr!r}.")
    items.append("".join(current))
    return [item for item in items if item.strip()]


def parse_converter_args(argstr: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Parse ``length=2`` or ``a, b, 'c'`` (Python literal syntax; bare words are strings)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for item in _split_args(argstr):
        kw = _KWARG.match(item)
        if kw:
            kwargs[kw.group(1)] = _literal(kw.group(2))
        else:
            args.append(_literal(item))
    return tuple(args), kwargs


@dataclass
class _Token:
    static: str | None = None
    converter: str = "default"
    args: str | None = None
    name: str = ""
    source: str = ""


def parse_rule(rule: str) -> list[_Token]:
    """Split a rule string into static text and placeholders; ValueError if malformed."""
    tokens: list[_Token] = []
    pos = 0
    seen: set[str] = set()
    for m in _PLACEHOLDER.finditer(rule):
        if m.start() > pos:
            tokens.append(_Token(static=rule[pos : m.start()]))
        name = m.group("name")
        if name in seen:
            raise ValueError(f"Variable name {name!r} used twice in rule {rule!r}.")
        seen.add(name)
        tokens.append(
            _Token(
                converter=m.group("converter") or "default",
                args=m.group("args"),
                name=name,
                source=m.group(0),
            )
        )
        pos = m.end()
    if pos < len(rule):
        tokens.append(_Token(static=rule[pos:]))
    for token in tokens:
        if token.static is not None and ("<" in token.static or ">" in token.static):
            raise ValueError(
                f"Malformed URL rule {rule!r}: placeholders look like <name> or"
                " <converter:name> or <converter(args):name>."
            )
    return tokens


@dataclass
class Part:
    """One matching step: a static segment, a dynamic segment, or the dynamic rest of a path."""

    key: str
    static: str | None
    regex: re.Pattern[str] | None = None
    names: tuple[str, ...] = ()
    converters: tuple[BaseConverter, ...] = ()
    rest: bool = False
    sort_key: tuple[Any, ...] = field(default_factory=tuple)


class RuleFactory:
    """Something that yields rules for a map (a Rule, or a group such as Submount)."""

    def get_rules(self, map: Map) -> Iterable[Rule]:
        """Yield the rules to add to ``map``."""
        raise NotImplementedError


class Rule(RuleFactory):
    """A URL pattern bound to an endpoint.

    ``methods`` defaults to any method at this level (the app adds GET); when GET is allowed
    HEAD is too. ``defaults`` fills values the URL does not carry, and lets several rules
    share one endpoint. ``redirect_to`` (a string with ``<name>`` placeholders or a callable)
    makes matching redirect instead.
    """

    def __init__(
        self,
        string: str,
        defaults: Mapping[str, Any] | None = None,
        subdomain: str | None = None,
        methods: Iterable[str] | None = None,
        build_only: bool = False,
        endpoint: Any = None,
        strict_slashes: bool | None = None,
        merge_slashes: bool | None = None,
        redirect_to: str | Callable[..., str] | None = None,
        alias: bool = False,
        host: str | None = None,
        websocket: bool = False,
    ) -> None:
        if not string.startswith("/"):
            raise ValueError(f"URL rule {string!r} must start with a slash.")
        self.rule = string
        self.is_leaf = not string.endswith("/")
        self.is_branch = string.endswith("/")
        self.map: Map | None = None
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.subdomain = subdomain
        self.host = host
        self.defaults = dict(defaults) if defaults is not None else None
        self.build_only = build_only
        self.alias = alias
        self.websocket = websocket
        if methods is not None:
            if isinstance(methods, str):
                raise TypeError("'methods' should be a list of strings, not a string.")
            method_set = {m.upper() for m in methods}
            if "HEAD" not in method_set and "GET" in method_set:
                method_set.add("HEAD")
            self.methods: set[str] | None = method_set
        else:
            self.methods = None
        self.endpoint = endpoint
        self.redirect_to = redirect_to
        self.arguments: set[str] = set(map_str(self.defaults or ()))
        self._converters: dict[str, BaseConverter] = {}
        self.parts: list[Part] = []
        self.domain_regex: re.Pattern[str] | None = None
        self._domain_converters: dict[str, BaseConverter] = {}
        self._build_path: list[str | tuple[str, BaseConverter]] = []
        self._build_domain: list[str | tuple[str, BaseConverter]] = []
        self._static_path: str | None = None
        #: Rules of the same endpoint whose defaults make them the canonical URL for a match.
        self._default_providers: list[Rule] = []

    def get_rules(self, map: Map) -> Iterator[Rule]:
        yield self

    def empty(self) -> Rule:
        """Return an unbound copy of this rule."""
        return type(self)(
            self.rule,
            defaults=self.defaults,
            subdomain=self.subdomain,
            methods=self.methods,
            build_only=self.build_only,
            endpoint=self.endpoint,
            strict_slashes=self.strict_slashes,
            merge_slashes=self.merge_slashes,
            redirect_to=self.redirect_to,
            alias=self.alias,
            host=self.host,
            websocket=self.websocket,
        )

    # -- compilation -------------------------------------------------------------------

    def bind(self, map: Map, rebind: bool = False) -> None:
        """Attach the rule to ``map`` and compile it (done by ``Map.add``)."""
        if self.map is not None and not rebind:
            raise RuntimeError(f"url rule {self!r} already bound to map {self.map!r}")
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        self.compile()

    def _make_converter(self, token: _Token) -> BaseConverter:
        assert self.map is not None
        cls = self.map.converters.get(token.converter)
        if cls is None:
            raise LookupError(
                f"the converter {token.converter!r} does not exist: register it in"
                " app.url_map.converters before adding rules that use it"
            )
        args, kwargs = parse_converter_args(token.args) if token.args else ((), {})
        return cls(self.map, *args, **kwargs)

    def compile(self) -> None:
        """Parse the rule into matching parts and building steps."""
        assert self.map is not None
        tokens = parse_rule(self.rule)
        self._converters = {}
        self._build_path = []
        for token in tokens:
            if token.static is not None:
                self._build_path.append(token.static)
            else:
                conv = self._make_converter(token)
                self._converters[token.name] = conv
                self.arguments.add(token.name)
                self._build_path.append((token.name, conv))
        self.parts = _split_parts(tokens, self._converters)
        self._static_path = self.rule if not self._converters else None

        domain = self.host if self.map.host_matching else self.subdomain
        self._build_domain = []
        self._domain_converters = {}
        self.domain_regex = None
        if domain:
            pattern = []
            for token in parse_rule(domain):
                if token.static is not None:
                    self._build_domain.append(token.static)
                    pattern.append(re.escape(token.static))
                else:
                    conv = self._make_converter(token)
                    self._domain_converters[token.name] = conv
                    self.arguments.add(token.name)
                    self._build_domain.append((token.name, conv))
                    pattern.append(f"(?P<{token.name}>{conv.regex})")
            self.domain_regex = re.compile("".join(pattern))

    @property
    def domain_pattern(self) -> str:
        """The host (host matching) or subdomain pattern this rule applies to."""
        return (self.host if self.map is not None and self.map.host_matching else None) or (
            self.subdomain or ""
        )

    # -- matching helpers ----------------------------------------------------------------

    def match_domain(self, domain: str) -> dict[str, Any] | None:
        """Return the values captured from the domain part, or None if it does not match."""
        if self.domain_regex is None:
            return {} if not domain or not self._matches_any_domain() else None
        m = self.domain_regex.fullmatch(domain)
        if m is None:
            return None
        values: dict[str, Any] = {}
        for name, conv in self._domain_converters.items():
            values[name] = conv.to_python(m.group(name))
        return values

    def _matches_any_domain(self) -> bool:
        # A rule without a subdomain only answers the default (empty) domain part when the
        # map distinguishes domains; otherwise domains play no part.
        return self.map is not None and (self.map.host_matching or self.map.subdomain_matching)

    # -- building ------------------------------------------------------------------------

    def suitable_for(self, values: Mapping[str, Any], method: str | None = None) -> bool:
        """Whether this rule can build a URL from ``values`` (and serves ``method``)."""
        if method is not None and self.methods is not None and method not in self.methods:
            return False
        defaults = self.defaults or ()
        for key in self.arguments:
            if key not in defaults and key not in values:
                return False
        if self.defaults:
            for key, value in self.defaults.items():
                if key in values and values[key] != value:
                    return False
        return True

    def build(
        self, values: Mapping[str, Any], append_unknown: bool = True
    ) -> tuple[str, str] | None:
        """Return ``(domain part, path with query)`` for ``values``, or None if they don't fit.

        Values that are not rule arguments go into the query string (``append_unknown``).
        """
        if self._static_path is not None and not self._build_domain:
            path = self._static_path
        else:
            try:
                path = _assemble(self._build_path, values, self.defaults)
            except (ValueError, KeyError):
                return None
        domain = ""
        if self._build_domain:
            try:
                domain = _assemble(self._build_domain, values, self.defaults)
            except (ValueError, KeyError):
                return None
        if append_unknown:
            extra = [
                (k, v)
                for k, v in _iter_query_items(values)
                if k not in self.arguments and v is not None
            ]
            if extra:
                path = f"{path}?{urlencode(extra, safe=_QUERY_SAFE)}"
        return domain, path

    def provides_defaults_for(self, rule: Rule) -> bool:
        """Whether this rule is the canonical URL for matches of ``rule`` (same endpoint)."""
        return bool(
            not self.build_only
            and self.defaults
            and self.endpoint == rule.endpoint
            and self is not rule
            and self.arguments == rule.arguments
        )

    # -- misc ------------------------------------------------------------------------------

    def __str__(self) -> str:
        return self.rule

    def __repr__(self) -> str:
        if self.map is None:
            return f"<{type(self).__name__} (unbound)>"
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"<{type(self).__name__} {self.rule!r}{methods} -> {self.endpoint}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rule):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def _identity(self) -> tuple[Any, ...]:
        defaults = tuple(sorted((self.defaults or {}).items(), key=lambda kv: kv[0]))
        return (self.rule, self.endpoint, self.subdomain, self.host, defaults)


def map_str(items: Iterable[Any]) -> Iterator[str]:
    """Yield the items as strings."""
    for item in items:
        yield str(item)


def _iter_query_items(values: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            for item in value:
                yield key, item
        else:
            yield key, value


def _assemble(
    steps: list[str | tuple[str, BaseConverter]],
    values: Mapping[str, Any],
    defaults: Mapping[str, Any] | None,
) -> str:
    out: list[str] = []
    for step in steps:
        if isinstance(step, str):
            out.append(step)
        else:
            name, conv = step
            value = values[name] if name in values else (defaults or {})[name]
            if isinstance(value, (list, tuple)):
                # A list only makes sense in the query string; one value fills a placeholder.
                if len(value) != 1:
                    raise ValueError(name)
                value = value[0]
            out.append(conv.to_url(value))
    return "".join(out)


def _split_parts(tokens: list[_Token], converters: dict[str, BaseConverter]) -> list[Part]:
    """Cut the rule into per-segment parts; a slash-matching converter takes the rest."""
    # Build the list of segments, each a list of tokens, splitting static text on "/".
    segments: list[list[_Token]] = [[]]
    rest_from: int | None = None
    for token in tokens:
        if token.static is not None:
            pieces = token.static.split("/")
            for idx, piece in enumerate(pieces):
                if idx:
                    segments.append([])
                if piece:
                    segments[-1].append(_Token(static=piece))
        else:
            if rest_from is None and not converters[token.name].part_isolating:
                rest_from = len(segments) - 1
            segments[-1].append(token)
    # The rule starts with "/": drop the empty segment before it.
    segments = segments[1:]
    rest_index = None if rest_from is None else rest_from - 1
    parts: list[Part] = []
    for idx, segment in enumerate(segments):
        if rest_index is not None and idx == rest_index:
            parts.append(_rest_part(segments[idx:], converters))
            break
        parts.append(_segment_part(segment, converters))
    return parts


def _segment_regex(segment: list[_Token], converters: dict[str, BaseConverter]) -> str:
    pattern: list[str] = []
    for token in segment:
        if token.static is not None:
            pattern.append(re.escape(token.static))
        else:
            pattern.append(f"({converters[token.name].regex})")
    return "".join(pattern)


def _segment_part(segment: list[_Token], converters: dict[str, BaseConverter]) -> Part:
    if all(token.static is not None for token in segment):
        text = "".join(token.static or "" for token in segment)
        return Part(key=text, static=text)
    names = tuple(token.name for token in segment if token.static is None)
    convs = tuple(converters[name] for name in names)
    static_len = sum(len(token.static or "") for token in segment)
    key = "".join(token.static if token.static is not None else token.source for token in segment)
    return Part(
        key=key,
        static=None,
        regex=re.compile(_segment_regex(segment, converters)),
        names=names,
        converters=convs,
        sort_key=(-static_len, tuple(c.weight for c in convs)),
    )


def _rest_part(segments: list[list[_Token]], converters: dict[str, BaseConverter]) -> Part:
    regex = "/".join(_segment_regex(segment, converters) for segment in segments)
    names = tuple(token.name for segment in segments for token in segment if token.static is None)
    convs = tuple(converters[name] for name in names)
    key = "/".join(
        "".join(token.static if token.static is not None else token.source for token in segment)
        for segment in segments
    )
    static_len = sum(len(token.static or "") for segment in segments for token in segment)
    return Part(
        key=key,
        static=None,
        regex=re.compile(regex),
        names=names,
        converters=convs,
        rest=True,
        sort_key=(-static_len, tuple(c.weight for c in convs)),
    )


__all__ = ["Part", "Rule", "RuleFactory", "parse_converter_args", "parse_rule"]

"""URL rules: ``/user/<int:id>`` parsed once into matching parts and a URL builder.

Everything a rule needs per request (the regex of each dynamic segment, the converters, the
quoted static text of its URL) is computed when the rule is added to a map.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from .converters import BaseConverter

if TYPE_CHECKING:
    from .map import Map

_PLACEHOLDER = re.compile(
    r"""
    <
    (?:
        (?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)        # converter name
        (?:\((?P<args>(?:[^()"']|"[^"]*"|'[^']*')*)\))?  # optional arguments, quotes allowed
        \s*:\s*
    )?
    (?P<name>[a-zA-Z_][a-zA-Z0-9_]*)                 # variable name
    \s*>
    """,
    re.VERBOSE,
)
_KWARG = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=(?!=)\s*(.*?)\s*$", re.S)
# Placeholders in a redirect_to string: <name> or <converter:name>.
_REDIRECT_PLACEHOLDER = re.compile(r"<(?:[^<>:]+:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
# Characters url_for leaves unescaped in query values (beyond letters and digits).
_QUERY_SAFE = "!$'()*,/:;?@"
# A "." in a converter's regex means any character: a decoded path may hold a newline.
_FLAGS = re.DOTALL
# Characters left unescaped in the static text of a rule when building its URL.
_PATH_SAFE = "!$&'()*+,/:;=@"


# -- rule syntax ---------------------------------------------------------------------------


def _literal(text: str) -> Any:
    text = text.strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        # Bare words are strings: <any(about, help):page>.
        return text


def _split_args(argstr: str) -> list[str]:
    """Split on commas that are not inside quotes."""
    items: list[str] = []
    current: list[str] = []
    quote_char: str | None = None
    for char in argstr:
        if quote_char:
            current.append(char)
            if char == quote_char:
                quote_char = None
        elif char in "\"'":
            quote_char = char
            current.append(char)
        elif char == ",":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if quote_char:
        raise ValueError(f"Unterminated quote in converter arguments {argstr!r}.")
    items.append("".join(current))
    return [item for item in items if item.strip()]


def parse_converter_args(argstr: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Parse ``length=2`` or ``a, b, 'c'`` (Python literal syntax; bare words are strings)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for item in _split_args(argstr):
        keyword = _KWARG.match(item)
        if keyword:
            kwargs[keyword.group(1)] = _literal(keyword.group(2))
        else:
            args.append(_literal(item))
    return tuple(args), kwargs


@dataclass
class _Token:
    """A piece of a rule string: static text, or a placeholder."""

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
                f"Malformed URL rule {rule!r}: placeholders look like <name>,"
                " <converter:name> or <converter(args):name>."
            )
    return tokens


# -- compiled form ---------------------------------------------------------------------------


@dataclass(eq=False)
class Part:
    """One matching step: a static segment, a dynamic segment, or the dynamic rest of a path.

    ``key`` identifies the step so rules sharing it share a node of the matcher. A ``rest``
    part holds a converter that can match ``/``; it is matched against all the remaining
    segments at once. ``slashless`` is its regex without the trailing slash of a branch
    rule, used to redirect ``/files/a`` to ``/files/a/``.
    """

    key: str
    static: str | None
    regex: re.Pattern[str] | None = None
    slashless: re.Pattern[str] | None = None
    names: tuple[str, ...] = ()
    converters: tuple[BaseConverter, ...] = ()
    rest: bool = False
    sort_key: tuple[Any, ...] = ()


class RuleFactory:
    """Something that yields rules for a map (a Rule, or a group such as Submount)."""

    def get_rules(self, map: Map) -> Iterable[Rule]:
        """Yield the rules to add to ``map``."""
        raise NotImplementedError


# A build step: quoted static text, or a value name and the converter that formats it.
_Step = str | tuple[str, BaseConverter]


class Rule(RuleFactory):
    """A URL pattern bound to an endpoint.

    ``methods`` defaults to any method at this level (the app adds GET); when GET is allowed
    HEAD is too. ``defaults`` fills values the URL does not carry, and lets several rules
    share one endpoint. ``redirect_to`` (a string with ``<name>`` placeholders, relative to
    the application root, or a callable ``(adapter, **values) -> str``) makes matching
    redirect instead. ``alias`` rules redirect to the endpoint's canonical rule.
    ``subdomain`` and ``host`` restrict the rule to a subdomain or host pattern.
    """

    #: Set by the app: whether it answers OPTIONS itself for this rule.
    provide_automatic_options: bool = False

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
            raise ValueError(
                f"URL rule {string!r} must start with a slash, for example '/{string}'."
            )
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
                raise TypeError(
                    f"Rule methods must be a list such as ['GET', 'POST'], not the string"
                    f" {methods!r}."
                )
            method_set = {m.upper() for m in methods}
            if "GET" in method_set:
                method_set.add("HEAD")
            self.methods: set[str] | None = method_set
        else:
            self.methods = None
        self.endpoint = endpoint
        self.redirect_to = redirect_to
        self.arguments: set[str] = {str(key) for key in self.defaults or ()}
        self._converters: dict[str, BaseConverter] = {}
        self.parts: list[Part] = []
        #: The names of the path values, in the order the matcher captures them.
        self._capture_names: tuple[str, ...] = ()
        self.domain_regex: re.Pattern[str] | None = None
        self._domain_converters: dict[str, BaseConverter] = {}
        self._build_path: list[_Step] = []
        self._build_domain: list[_Step] = []
        #: The quoted URL of a rule without placeholders (built without any work).
        self._static_path: str | None = None
        #: Rules of the same endpoint that are the canonical URL when a match's values
        #: equal their defaults (set when the map compiles).
        self._default_providers: list[Rule] = []
        #: Whether a match needs more than its values: defaults merged in, or a redirect
        #: check (set when the map compiles).
        self._after_match = True

    def get_rules(self, map: Map) -> Iterator[Rule]:
        yield self

    def get_empty_kwargs(self) -> dict[str, Any]:
        """The constructor arguments of this rule, without the rule string."""
        return {
            "defaults": self.defaults,
            "subdomain": self.subdomain,
            "methods": self.methods,
            "build_only": self.build_only,
            "endpoint": self.endpoint,
            "strict_slashes": self.strict_slashes,
            "merge_slashes": self.merge_slashes,
            "redirect_to": self.redirect_to,
            "alias": self.alias,
            "host": self.host,
            "websocket": self.websocket,
        }

    def empty(self) -> Rule:
        """Return an unbound copy of this rule."""
        return type(self)(self.rule, **self.get_empty_kwargs())

    # -- compilation -------------------------------------------------------------------

    def bind(self, map: Map, rebind: bool = False) -> None:
        """Attach the rule to ``map`` and compile it (done by ``Map.add``)."""
        if self.map is not None and not rebind:
            raise RuntimeError(
                f"The rule {self.rule!r} is already in a map; add rule.empty() to another one."
            )
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        self.compile()

    def refresh(self) -> None:
        """Compile again after the map's converters changed."""
        self.compile()

    def get_converter(
        self,
        variable_name: str,
        converter_name: str,
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
    ) -> BaseConverter:
        """Instantiate the converter ``converter_name`` of the map for ``variable_name``."""
        assert self.map is not None
        cls = self.map.converters.get(converter_name)
        if cls is None:
            raise LookupError(
                f"The converter {converter_name!r} used in rule {self.rule!r} does not exist:"
                " register it in app.url_map.converters before adding the rules that use it."
            )
        try:
            return cls(self.map, *args, **kwargs)
        except TypeError as e:
            raise ValueError(
                f"The converter {converter_name!r} for {variable_name!r} in rule"
                f" {self.rule!r} does not take these arguments: {e}"
            ) from e

    def _make_converter(self, token: _Token) -> BaseConverter:
        args, kwargs = parse_converter_args(token.args) if token.args else ((), {})
        return self.get_converter(token.name, token.converter, args, kwargs)

    def compile(self) -> None:
        """Parse the rule into matching parts and building steps."""
        assert self.map is not None
        tokens = parse_rule(self.rule)
        self.arguments = {str(key) for key in self.defaults or ()}
        self._converters = {}
        self._build_path = []
        for token in tokens:
            if token.static is not None:
                self._build_path.append(quote(token.static, safe=_PATH_SAFE))
            else:
                conv = self._make_converter(token)
                self._converters[token.name] = conv
                self.arguments.add(token.name)
                self._build_path.append((token.name, conv))
        self.parts = _split_parts(tokens, self._converters)
        self._capture_names = tuple(name for part in self.parts for name in part.names)
        self._static_path = (
            None
            if self._converters
            else "".join(step for step in self._build_path if isinstance(step, str))
        )

        domain = self.host if self.map.host_matching else self.subdomain
        self._build_domain = []
        self._domain_converters = {}
        self.domain_regex = None
        if domain:
            pattern = []
            for token in parse_rule(domain):
                if token.static is not None:
                    self._build_domain.append(token.static.lower())
                    pattern.append(re.escape(token.static.lower()))
                else:
                    if token.name in self._converters:
                        raise ValueError(
                            f"Variable name {token.name!r} is used both in the host or"
                            f" subdomain and in the path of rule {self.rule!r}."
                        )
                    conv = self._make_converter(token)
                    self._domain_converters[token.name] = conv
                    self.arguments.add(token.name)
                    self._build_domain.append((token.name, conv))
                    pattern.append(f"(?P<{token.name}>{conv.regex})")
            self.domain_regex = re.compile("".join(pattern), _FLAGS)

        if isinstance(self.redirect_to, str):
            unknown = [
                name
                for name in _REDIRECT_PLACEHOLDER.findall(self.redirect_to)
                if name not in self.arguments
            ]
            if unknown:
                raise ValueError(
                    f"redirect_to {self.redirect_to!r} of rule {self.rule!r} uses"
                    f" {', '.join(map(repr, unknown))}, which the rule does not capture."
                )

    @property
    def domain_pattern(self) -> str:
        """The host (host matching) or subdomain pattern this rule applies to."""
        if self.map is not None and self.map.host_matching:
            return self.host or ""
        return self.subdomain or ""

    @property
    def build_priority(self) -> tuple[int, int, int]:
        """Sort key among the rules of one endpoint: url_for tries the lowest first.

        Canonical rules come before aliases, then rules taking more values, then rules with
        more defaults (so ``/`` with ``page=1`` is built rather than ``/page/1``).
        """
        return (1 if self.alias else 0, -len(self.arguments), -len(self.defaults or ()))

    # -- matching helpers ----------------------------------------------------------------

    def match_domain(self, domain: str) -> dict[str, Any] | None:
        """The values captured from the (lower-case) host or subdomain, or None if it does not
        fit. A rule without a pattern only fits the default (empty) domain part.
        """
        if self.domain_regex is None:
            return None if domain else {}
        m = self.domain_regex.fullmatch(domain)
        if m is None:
            return None
        values: dict[str, Any] = {}
        try:
            for name, conv in self._domain_converters.items():
                values[name] = conv.to_python(m.group(name))
        except ValueError:  # ValidationError included: this domain is not for this rule
            return None
        return values

    # -- building ------------------------------------------------------------------------

    def suitable_for(self, values: Mapping[str, Any], method: str | None = None) -> bool:
        """Whether this rule can build a URL from ``values`` (and serves ``method``)."""
        if method is not None and self.methods is not None and method not in self.methods:
            return False
        defaults = self.defaults
        if defaults:
            for key in self.arguments:
                if key not in values and key not in defaults:
                    return False
            for key, value in defaults.items():
                if key in values and values[key] != value:
                    return False
            return True
        return all(key in values for key in self.arguments)

    def build(
        self, values: Mapping[str, Any], append_unknown: bool = True
    ) -> tuple[str, str] | None:
        """Return ``(domain part, path with query)`` for ``values``, or None if a value is
        missing or a list of several items where one is needed.

        Values that are not rule arguments go into the query string (``append_unknown``).
        A value goes to its converter as given (a list too: a list converter joins it). A
        converter refusing a value raises ValueError, saying which value.
        """
        path = self._static_path
        if path is None:
            path = self._assemble(self._build_path, values)
            if path is None:
                return None
        domain = ""
        if self._build_domain:
            built_domain = self._assemble(self._build_domain, values)
            if built_domain is None:
                return None
            domain = built_domain
        if append_unknown and not self.arguments.issuperset(values):
            extra = [
                (key, value)
                for key, value in _query_items(values)
                if key not in self.arguments and value is not None
            ]
            if extra:
                if self.map is not None and self.map.sort_parameters:
                    extra.sort(key=self.map.sort_key or _first)
                path = f"{path}?{urlencode(extra, safe=_QUERY_SAFE)}"
        return domain, path

    def _assemble(self, steps: list[_Step], values: Mapping[str, Any]) -> str | None:
        out: list[str] = []
        defaults = self.defaults or {}
        for step in steps:
            if isinstance(step, str):
                out.append(step)
                continue
            name, conv = step
            if name in values:
                value = values[name]
            elif name in defaults:
                value = defaults[name]
            else:
                return None
            try:
                out.append(conv.to_url(value))
            except ValueError as e:
                raise ValueError(
                    f"Cannot put {value!r} in the {name!r} part of rule {self.rule!r}: {e}"
                ) from e
        return "".join(out)

    def provides_defaults_for(self, rule: Rule) -> bool:
        """Whether this rule is the canonical URL for matches of ``rule``: same endpoint,
        same arguments, and defaults that a match of ``rule`` may equal.
        """
        return bool(
            not self.build_only
            and self.defaults
            and self is not rule
            and self.endpoint == rule.endpoint
            and self.arguments == rule.arguments
        )

    # -- misc ------------------------------------------------------------------------------

    def __str__(self) -> str:
        return self.rule

    def __repr__(self) -> str:
        if self.map is None:
            return f"<{type(self).__name__} {self.rule!r} (unbound)>"
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"<{type(self).__name__} {self.rule!r}{methods} -> {self.endpoint}>"


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _query_items(values: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            for item in value:
                yield key, item
        else:
            yield key, value


# -- cutting a rule into matcher parts -----------------------------------------------------------


def _split_parts(tokens: list[_Token], converters: dict[str, BaseConverter]) -> list[Part]:
    """Cut the rule into per-segment parts; a slash-matching converter takes the rest."""
    segments: list[list[_Token]] = [[]]
    rest_from: int | None = None
    for token in tokens:
        if token.static is not None:
            for idx, piece in enumerate(token.static.split("/")):
                if idx:
                    segments.append([])
                if piece:
                    segments[-1].append(_Token(static=piece))
        else:
            if rest_from is None and not converters[token.name].part_isolating:
                rest_from = len(segments) - 1
            segments[-1].append(token)
    # Every rule starts with "/": drop the empty segment before it.
    segments = segments[1:]
    if rest_from is not None:
        rest_from -= 1
    parts: list[Part] = []
    for idx, segment in enumerate(segments):
        if idx == rest_from:
            parts.append(_rest_part(segments[idx:], converters))
            break
        parts.append(_segment_part(segment, converters))
    return parts


def _segment_regex(segment: list[_Token], converters: dict[str, BaseConverter]) -> str:
    return "".join(
        re.escape(token.static) if token.static is not None else f"({converters[token.name].regex})"
        for token in segment
    )


def _source(segment: list[_Token]) -> str:
    """The segment's key: static text and converter specs, without the variable names, so
    that ``/u/<int:id>/a`` and ``/u/<int:uid>/b`` share a matcher node.
    """
    return "".join(
        token.static if token.static is not None else f"<{token.converter}({token.args or ''})>"
        for token in segment
    )


def _priority(statics: list[str], convs: tuple[BaseConverter, ...]) -> tuple[Any, ...]:
    """Order of the dynamic parts competing at one node: more static text pieces first,
    then longer ones, then more converters, then lighter converters (int before string
    before path).
    """
    return (
        -len(statics),
        tuple(-len(text) for text in statics),
        -len(convs),
        tuple(conv.weight for conv in convs),
    )


def _segment_part(segment: list[_Token], converters: dict[str, BaseConverter]) -> Part:
    if all(token.static is not None for token in segment):
        text = "".join(token.static or "" for token in segment)
        return Part(key=text, static=text)
    names = tuple(token.name for token in segment if token.static is None)
    convs = tuple(converters[name] for name in names)
    statics = [token.static for token in segment if token.static is not None]
    return Part(
        key=_source(segment),
        static=None,
        regex=re.compile(_segment_regex(segment, converters), _FLAGS),
        names=names,
        converters=convs,
        sort_key=_priority(statics, convs),
    )


def _rest_part(segments: list[list[_Token]], converters: dict[str, BaseConverter]) -> Part:
    regex = "/".join(_segment_regex(segment, converters) for segment in segments)
    names = tuple(token.name for segment in segments for token in segment if token.static is None)
    convs = tuple(converters[name] for name in names)
    statics = [token.static for segment in segments for token in segment if token.static]
    slashless = None
    if len(segments) > 1 and not segments[-1]:
        # A branch rule such as /files/<path:p>/: its regex without the final "/".
        slashless = re.compile(regex[:-1], _FLAGS)
    return Part(
        key="/".join(_source(segment) for segment in segments),
        static=None,
        regex=re.compile(regex, _FLAGS),
        slashless=slashless,
        names=names,
        converters=convs,
        rest=True,
        sort_key=_priority(statics, convs),
    )


# -- rule factories ------------------------------------------------------------------------------


class Submount(RuleFactory):
    """Prefix the path of every rule it holds: ``Submount("/api", [Rule("/users", ...)])``."""

    def __init__(self, path: str, rules: Iterable[RuleFactory]) -> None:
        self.path = path.rstrip("/")
        self.rules = rules

    def get_rules(self, map: Map) -> Iterator[Rule]:
        for factory in self.rules:
            for rule in factory.get_rules(map):
                copy = rule.empty()
                copy.rule = self.path + copy.rule
                copy.is_leaf = not copy.rule.endswith("/")
                copy.is_branch = copy.rule.endswith("/")
                yield copy


class Subdomain(RuleFactory):
    """Put every rule it holds on a subdomain (pattern): ``Subdomain("<user>", [...])``."""

    def __init__(self, subdomain: str, rules: Iterable[RuleFactory]) -> None:
        self.subdomain = subdomain
        self.rules = rules

    def get_rules(self, map: Map) -> Iterator[Rule]:
        for factory in self.rules:
            for rule in factory.get_rules(map):
                copy = rule.empty()
                copy.subdomain = self.subdomain
                yield copy


class EndpointPrefix(RuleFactory):
    """Prefix the endpoint of every rule it holds: ``EndpointPrefix("admin.", [...])``."""

    def __init__(self, prefix: str, rules: Iterable[RuleFactory]) -> None:
        self.prefix = prefix
        self.rules = rules

    def get_rules(self, map: Map) -> Iterator[Rule]:
        for factory in self.rules:
            for rule in factory.get_rules(map):
                copy = rule.empty()
                copy.endpoint = f"{self.prefix}{copy.endpoint}"
                yield copy


__all__ = [
    "EndpointPrefix",
    "Part",
    "Rule",
    "RuleFactory",
    "Subdomain",
    "Submount",
    "parse_converter_args",
    "parse_rule",
]

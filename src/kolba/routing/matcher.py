"""The route matcher: a dict for static paths, a segment tree for dynamic ones.

Matching cost depends on the depth of the path, not on the number of rules: a static route
is one dict lookup whatever the map size, and a dynamic route walks one tree node per
segment, trying a node's static children (a dict lookup) before its dynamic ones (a short
list of regexes in priority order).

The walk follows the order Flask users know: static segments before dynamic ones, lighter
converters (int) before heavier ones (string, then path), and the first rule that fits wins.
Trailing-slash fixes are found in the same walk, in the same order: at the end of the path,
a rule that only exists with a trailing slash answers with a redirect marker, and a rule
without strict slashes is served as if the slash were (or were not) there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Union

from .rules import Part, Rule

_Match = Callable[[str], Any]

#: A dynamic transition: (match function, slashless match or None, takes the rest?, child).
_Edge = tuple[_Match, Union[_Match, None], bool, "_Node"]

#: A match: the rule and its converted values.
Found = tuple[Rule, dict[str, Any]]


class SlashRedirect:
    """The path matches ``rule`` once a trailing slash is added: redirect to ``target``."""

    __slots__ = ("rule", "target")

    def __init__(self, rule: Rule, target: str) -> None:
        self.rule = rule
        self.target = target


class _Node:
    __slots__ = ("by_key", "convs", "dynamic", "rules", "static")

    def __init__(self, convs: tuple[Callable[[str], Any], ...] = ()) -> None:
        self.static: dict[str, _Node] = {}
        self.dynamic: tuple[_Edge, ...] = ()
        # Build time only: dynamic children by part key, with the part for sorting.
        self.by_key: dict[str, tuple[Part, _Node]] = {}
        self.rules: list[Rule] = []
        #: The converters (their to_python) of the values captured on the way here, in
        #: capture order. Every rule ending at this node shares them: a node is reached
        #: through one part key per level, and a key spells out the converters and their
        #: arguments. The names of the values belong to each rule (``_capture_names``).
        self.convs = convs

    def child_for(self, part: Part) -> _Node:
        if part.static is not None:
            child = self.static.get(part.static)
            if child is None:
                child = self.static[part.static] = _Node(self.convs)
            return child
        entry = self.by_key.get(part.key)
        if entry is None:
            # PERF: bound to_python methods, so matching skips an attribute lookup per value.
            convs = self.convs + tuple(conv.to_python for conv in part.converters)
            entry = self.by_key[part.key] = (part, _Node(convs))
        return entry[1]

    def freeze(self) -> None:
        """Turn the build-time children into the sorted tuples the walk iterates."""
        ordered = sorted(self.by_key.values(), key=lambda item: item[0].sort_key)
        self.dynamic = tuple(
            (
                part.regex.fullmatch,  # type: ignore[union-attr]
                part.slashless.fullmatch if part.slashless is not None else None,
                part.rest,
                child,
            )
            for part, child in ordered
        )
        for child in self.static.values():
            child.freeze()
        for _, child in self.by_key.values():
            child.freeze()


class Matcher:
    """Holds the compiled rules of a map and finds the rule for a path and method."""

    def __init__(self, use_domains: bool) -> None:
        self.root = _Node()
        # PERF: a full-path dict answers static routes with one lookup, before the tree walk.
        self.static: dict[str, list[Rule]] = {}
        #: Whether the host or subdomain takes part in matching.
        self.use_domains = use_domains

    def add(self, rule: Rule) -> None:
        """Insert ``rule`` (already compiled). Build-only rules are never matched."""
        if rule.build_only:
            return
        if rule._static_path is not None:
            self.static.setdefault(rule.rule, []).append(rule)
        node = self.root
        for part in rule.parts:
            node = node.child_for(part)
        node.rules.append(rule)

    def freeze(self) -> None:
        """Finish building; call once after the last :meth:`add`."""
        self.root.freeze()

    def match(self, domain: str, path: str, method: str) -> Found | SlashRedirect | set[str]:
        """Find the rule for ``path`` and ``method``.

        Returns the rule and its values, a :class:`SlashRedirect`, or the set of methods the
        path allows (empty when nothing matched the path at all). Leading slashes count as
        one: ``//x`` is matched as ``/x``.
        """
        rules = self.static.get(path)
        if rules is None and (path[1:2] == "/" or path[:1] != "/"):
            path = "/" + path.lstrip("/")
            rules = self.static.get(path)
        if rules is not None:
            for rule in rules:
                methods = rule.methods
                if methods is None or method in methods:
                    if self.use_domains:
                        domain_values = rule.match_domain(domain)
                        if domain_values is None:
                            continue
                        return rule, domain_values
                    return rule, {}
        allowed: set[str] = set()
        segments = path[1:].split("/")
        found = self._walk(self.root, segments, 0, (), domain, method, allowed)
        return allowed if found is None else found

    def _walk(
        self,
        node: _Node,
        segments: list[str],
        idx: int,
        captured: tuple[str, ...],
        domain: str,
        method: str,
        allowed: set[str],
    ) -> Found | SlashRedirect | None:
        """Depth-first search below ``node`` for ``segments[idx:]``: the static child first,
        then the dynamic ones in priority order, then (for "/x/") rules that do not insist
        on strict slashes. Methods of rules that fit all but the method go to ``allowed``.
        """
        # PERF: follow static segments in a loop while a node offers nothing else to try
        # (no converter, no rest part; an empty segment needs the trailing-slash rules
        # below): a deep blueprint prefix then costs no recursion.
        last = len(segments)
        while idx < last and not node.dynamic and segments[idx]:
            child = node.static.get(segments[idx])
            if child is None:
                break
            node = child
            idx += 1
        if idx == len(segments):
            found: Found | SlashRedirect | None = None
            if node.rules:
                found = self._finish(node, captured, domain, method, allowed, False)
            if found is None:
                # The path lacks the trailing slash of a rule ("/x" for "/x/").
                branch = node.static.get("")
                if branch is not None and branch.rules:
                    found = self._slash_fix(branch, captured, domain, method, segments)
            return found
        segment = segments[idx]
        child = node.static.get(segment)
        if child is not None:
            found = self._walk(child, segments, idx + 1, captured, domain, method, allowed)
            if found is not None:
                return found
        for fullmatch, slashless, rest, child in node.dynamic:
            if rest:
                found = self._rest(
                    child, fullmatch, slashless, segments, idx, captured, domain, method, allowed
                )
            else:
                m = fullmatch(segment)
                if m is None:
                    continue
                found = self._walk(
                    child, segments, idx + 1, captured + m.groups(), domain, method, allowed
                )
            if found is not None:
                return found
        if node.rules and not segment and idx == len(segments) - 1:
            # "/x/" for the rule "/x": served only by rules without strict slashes.
            return self._finish(node, captured, domain, method, allowed, True)
        return None

    def _rest(
        self,
        node: _Node,
        fullmatch: _Match,
        slashless: _Match | None,
        segments: list[str],
        idx: int,
        captured: tuple[str, ...],
        domain: str,
        method: str,
        allowed: set[str],
    ) -> Found | SlashRedirect | None:
        """Try a part that takes the rest of the path (a ``path`` converter and what follows)."""
        remainder = "/".join(segments[idx:])
        m = fullmatch(remainder)
        if m is not None:
            return self._finish(node, captured + m.groups(), domain, method, allowed, False)
        if slashless is not None:
            m = slashless(remainder)
            if m is not None:
                return self._slash_fix(node, captured + m.groups(), domain, method, segments)
        return None

    def _slash_fix(
        self,
        node: _Node,
        captured: tuple[str, ...],
        domain: str,
        method: str,
        segments: list[str],
    ) -> Found | SlashRedirect | None:
        """A rule at ``node`` matches once a trailing slash is added: redirect to it, or serve
        it when it does not insist on strict slashes. Only rules serving ``method`` count.
        """
        found = self._finish(node, captured, domain, method, None, False)
        if found is not None and found[0].strict_slashes:
            return SlashRedirect(found[0], "/" + "/".join(segments) + "/")
        return found

    def _finish(
        self,
        node: _Node,
        captured: tuple[str, ...],
        domain: str,
        method: str,
        allowed: set[str] | None,
        lenient_only: bool,
    ) -> Found | None:
        """Pick the first rule of ``node`` fitting the method and domain, then convert."""
        use_domains = self.use_domains
        domain_values: dict[str, Any] | None = None
        for rule in node.rules:
            if lenient_only and rule.strict_slashes:
                continue
            if use_domains:
                domain_values = rule.match_domain(domain)
                if domain_values is None:
                    continue
            methods = rule.methods
            if methods is None or method in methods:
                break
        else:
            if allowed is not None and _converts(node, captured):
                # The path exists for other methods: remember them for the 405's Allow.
                for rule in node.rules:
                    if (not lenient_only or not rule.strict_slashes) and (
                        not use_domains or rule.match_domain(domain) is not None
                    ):
                        allowed.update(rule.methods or ())
            return None
        values: dict[str, Any]
        if captured:
            # ValidationError (or a converter's own ValueError, such as an int too long to
            # parse) means "not this rule": the search goes on with the others.
            try:
                if len(captured) == 1:
                    # PERF: one value (the usual /user/<int:id>) needs no zip.
                    values = {rule._capture_names[0]: node.convs[0](captured[0])}
                else:
                    values = {}
                    for name, to_python, raw in zip(
                        rule._capture_names, node.convs, captured, strict=True
                    ):
                        values[name] = to_python(raw)
            except ValueError:
                return None
        else:
            values = {}
        if domain_values:
            values = {**domain_values, **values}
        return rule, values


def _converts(node: _Node, captured: tuple[str, ...]) -> bool:
    """Whether every captured string is accepted by its converter."""
    try:
        for to_python, raw in zip(node.convs, captured, strict=True):
            to_python(raw)
    except ValueError:
        return False
    return True


__all__ = ["Found", "Matcher", "SlashRedirect"]

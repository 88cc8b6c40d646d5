"""The route matcher: a dict for static paths, a segment tree for dynamic ones.

Matching cost depends on the depth of the path, not on the number of rules: a static route
is one dict lookup whatever the map size, and a dynamic route walks one tree node per
segment, trying a node's static children (a dict) before its converters.
"""

from __future__ import annotations

from typing import Any

from .rules import Part, Rule


class _Node:
    __slots__ = ("dynamic", "rest", "rules", "static")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.dynamic: list[tuple[Part, _Node]] = []
        self.rest: list[tuple[Part, _Node]] = []
        self.rules: list[Rule] = []


#: What a walk yields: the rule, and the converted values (before the rule's defaults).
Found = tuple[Rule, dict[str, Any]]


class Matcher:
    """Holds the compiled rules of a map and finds the rule for a path and method."""

    def __init__(self, use_domains: bool) -> None:
        self.root = _Node()
        # PERF: a full-path dict answers static routes with one lookup, before the tree walk.
        self.static: dict[str, list[Rule]] = {}
        self.use_domains = use_domains

    def add(self, rule: Rule) -> None:
        """Insert ``rule`` (already compiled) into the tree."""
        if rule._static_path is not None and not rule.build_only:
            self.static.setdefault(rule._static_path, []).append(rule)
        node = self.root
        for part in rule.parts:
            if part.static is not None:
                node = node.static.setdefault(part.static, _Node())
                continue
            bucket = node.rest if part.rest else node.dynamic
            for existing, child in bucket:
                if existing.key == part.key:
                    node = child
                    break
            else:
                child = _Node()
                bucket.append((part, child))
                bucket.sort(key=lambda item: item[0].sort_key)
                node = child
        node.rules.append(rule)

    def match(self, domain: str, path: str, method: str, allowed: set[str]) -> Found | None:
        """Return the first rule matching ``path`` and ``method``, or None.

        Rules that match the path but not the method add their methods to ``allowed`` so the
        caller can answer 405 with an ``Allow`` header.
        """
        rules = self.static.get(path)
        if rules is not None:
            for rule in rules:
                if rule.methods is None or method in rule.methods:
                    if self.use_domains:
                        values = rule.match_domain(domain)
                        if values is None:
                            continue
                        return rule, values
                    return rule, {}
        segments = path[1:].split("/") if path.startswith("/") else path.split("/")
        return self._walk(self.root, segments, 0, [], domain, method, allowed)

    def _walk(
        self,
        node: _Node,
        segments: list[str],
        idx: int,
        captured: list[tuple[Part, Any]],
        domain: str,
        method: str,
        allowed: set[str],
    ) -> Found | None:
        if idx == len(segments):
            if node.rules:
                return self._finish(node.rules, captured, domain, method, allowed)
            return None
        segment = segments[idx]
        child = node.static.get(segment)
        if child is not None:
            found = self._walk(child, segments, idx + 1, captured, domain, method, allowed)
            if found is not None:
                return found
        for part, child in node.dynamic:
            m = part.regex.fullmatch(segment)  # type: ignore[union-attr]
            if m is not None:
                found = self._walk(
                    child, segments, idx + 1, [*captured, (part, m)], domain, method, allowed
                )
                if found is not None:
                    return found
        if node.rest:
            remainder = "/".join(segments[idx:])
            for part, child in node.rest:
                m = part.regex.fullmatch(remainder)  # type: ignore[union-attr]
                if m is not None and child.rules:
                    found = self._finish(
                        child.rules, [*captured, (part, m)], domain, method, allowed
                    )
                    if found is not None:
                        return found
        return None

    def _finish(
        self,
        rules: list[Rule],
        captured: list[tuple[Part, Any]],
        domain: str,
        method: str,
        allowed: set[str],
    ) -> Found | None:
        values: dict[str, Any] = {}
        try:
            for part, m in captured:
                for idx, (name, conv) in enumerate(zip(part.names, part.converters), 1):
                    values[name] = conv.to_python(m.group(idx))
        except ValueError:  # ValidationError, or a converter's own ValueError
            # A converter refusing the value means "no match here"; keep looking elsewhere.
            return None
        for rule in rules:
            if rule.build_only:
                continue
            if self.use_domains:
                domain_values = rule.match_domain(domain)
                if domain_values is None:
                    continue
            if rule.methods is not None and method not in rule.methods:
                allowed.update(rule.methods)
                continue
            if self.use_domains and domain_values:
                return rule, {**values, **domain_values}
            return rule, values
        return None

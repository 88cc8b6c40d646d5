"""The layers import one way only: sansio <- routing <- core <- wsgi <- testing/cli <- ext.

Checked on module-level imports (function-level imports may reach up, lazily, for
convenience APIs such as ``HTTPException.get_response``).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src" / "kolba"

# What each layer may import from kolba at module level.
ALLOWED: dict[str, set[str]] = {
    "sansio": {"sansio", "utils"},
    "routing": {"sansio", "routing", "utils"},
}


def _module_level_kolba_imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(SRC).parts[:-1]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If):  # TYPE_CHECKING blocks do not run
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)])
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.startswith("kolba."):
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                found.add(target[0].removesuffix(".py"))
            else:
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_lower_layers_do_not_import_upper_ones(layer: str) -> None:
    offenders = {}
    for path in sorted((SRC / layer).glob("*.py")):
        bad = _module_level_kolba_imports(path) - ALLOWED[layer]
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}, f"{layer} imports from upper layers: {offenders}"


def test_only_wsgi_touches_start_response() -> None:
    # The framework core must not depend on the WSGI calling convention, so an ASGI adapter
    # can reuse it: start_response appears only in the wsgi and testing layers (and the
    # app's WSGI entry points).
    allowed = {"wsgi", "testing", "middleware", "app.py", "sansio", "routing"}
    users = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        if rel[0] in allowed:
            continue
        if "start_response(" in path.read_text(encoding="utf-8"):
            users.append("/".join(rel))
    assert users == []

"""Shared pieces of the fuzz harnesses: input decoding, a time budget, atheris start-up.

A harness is a module ``fuzz_<name>.py`` with ``TestOneInput(data: bytes) -> None`` that
feeds ``data`` to one parser and checks what comes back. It raises (an AssertionError, or
whatever the parser let escape) only for a real defect; libFuzzer, or the fallback mutator
in ``run.py``, treats that as a crash.

This module imports nothing from kolba, so that a harness can import kolba inside
:func:`instrumented` and have atheris measure its coverage.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

#: Set by ``run.py`` for harness processes running under atheris: only then is the code
#: under test instrumented (instrumenting costs start-up time and slows plain test runs).
INSTRUMENT_ENV = "KOLBA_FUZZ_INSTRUMENT"


#: One input may take this long before the harness calls it a hang. Parsers are meant to be
#: linear, and inputs are capped at a few tens of kilobytes, so this is very generous.
SLOW_INPUT_SECONDS = 1.0


def atheris_module() -> Any | None:
    """The atheris module, or None when it is not installed."""
    try:
        import atheris  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    return atheris


def _kolba_modules() -> list[str]:
    """Every module name under the kolba package, found without importing it."""
    spec = importlib.util.find_spec("kolba")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    names = []
    for path in root.rglob("*.py"):
        parts = ("kolba", *path.relative_to(root).with_suffix("").parts)
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@contextlib.contextmanager
def instrumented(*modules: str) -> Iterator[None]:
    """Import the code under test inside this block so that atheris can trace it.

    ``modules`` are the kolba modules (or packages) whose coverage guides this harness,
    and other top-level packages to trace whole (``python_multipart``). The rest of kolba
    is imported untraced: tracing all of it costs seconds of start-up per harness.
    """
    atheris = atheris_module() if os.environ.get(INSTRUMENT_ENV) == "1" else None
    if atheris is None:
        yield
        return

    def wanted(name: str) -> bool:
        return any(name == m or name.startswith(m + ".") for m in modules)

    exclude = [name for name in _kolba_modules() if not wanted(name)]
    packages = ["kolba", *(m for m in modules if not m.startswith("kolba"))]
    with atheris.instrument_imports(include=packages, exclude=exclude):
        yield


def header_text(data: bytes) -> str:
    """A header value as kolba's WSGI layer hands it to the parsers.

    Servers give header values as latin-1 text; kolba reads them as UTF-8 when that decodes
    and keeps the latin-1 text otherwise. Both shapes are reached from fuzzed bytes.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def split(data: bytes, parts: int) -> list[bytes]:
    """Cut ``data`` at NUL bytes into exactly ``parts`` pieces (missing ones are empty), so
    that one fuzzed input can carry several arguments.
    """
    pieces = data.split(b"\0", parts - 1)
    return pieces + [b""] * (parts - len(pieces))


def check_time(start: float, what: str) -> None:
    """Fail when one input took longer than :data:`SLOW_INPUT_SECONDS` (a hang in waiting).

    Under atheris the tracing makes timings meaningless; libFuzzer's own ``-timeout``
    catches hangs there.
    """
    if os.environ.get(INSTRUMENT_ENV) == "1":
        return
    elapsed = time.perf_counter() - start
    if elapsed > SLOW_INPUT_SECONDS:
        raise AssertionError(f"{what} took {elapsed:.2f}s for one input: not linear time?")


def main(test_one_input: Callable[[bytes], None]) -> None:
    """Run a harness: under atheris with libFuzzer's command line, or, without atheris,
    on the files named on the command line (to reproduce a crash file).
    """
    atheris = atheris_module()
    if atheris is None:
        paths = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
        if not paths:
            sys.exit(
                "atheris is not installed (pip install -e '.[fuzz]'). Without it a harness"
                " can only replay inputs: python fuzz/fuzz_<name>.py FILE..., or use"
                " python fuzz/run.py for the coverage-free fallback fuzzer."
            )
        for path in paths:
            with open(path, "rb") as f:
                test_one_input(f.read())
            print(f"{path}: ok")
        return
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()

"""Fixtures for the CLI tests: each test runs in its own empty folder, with the environment,
``sys.path`` and the modules it imported put back afterwards.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner

WriteFile = Callable[[str, str], pathlib.Path]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    for key in list(os.environ):
        if key.startswith(("KOLBA_", "FLASK_")) or key == "PYTHONSTARTUP":
            del os.environ[key]
    monkeypatch.chdir(tmp_path)
    yield
    os.environ.clear()
    os.environ.update(saved_environ)
    sys.path[:] = saved_path
    root = str(tmp_path)
    for name in set(sys.modules) - saved_modules:
        # Only the test's own modules: the same names ("hello") are reused by other tests.
        if str(getattr(sys.modules[name], "__file__", None) or "").startswith(root):
            del sys.modules[name]


@pytest.fixture
def write(tmp_path: pathlib.Path) -> WriteFile:
    """Write a file (dedented) under the test's folder and return its path."""

    def write_file(relative: str, text: str) -> pathlib.Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        # The import system caches folder listings; a file written a moment ago must be seen.
        importlib.invalidate_caches()
        return path

    return write_file


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


_HELLO_APP = """
    from kolba import Kolba

    app = Kolba("hello")

    @app.route("/")
    def index():
        return "Hello from kolba"

    @app.cli.command("greet")
    def greet():
        \"\"\"Print a greeting.\"\"\"
        print("greetings from", app.name)
"""


@pytest.fixture
def hello_app(write: WriteFile) -> pathlib.Path:
    """hello.py: an app named "hello" with one page and one command, "greet"."""
    return write("hello.py", _HELLO_APP)

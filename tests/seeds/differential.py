"""Differential testing: the same Flask app code runs on Flask and, ported, on kolba.

A seed snippet is kept as Flask source (``from flask import Flask``...). :func:`port` renames
it the way a user ports an app (``flask`` -> ``kolba``, ``Flask`` -> ``Kolba``,
``werkzeug.X`` -> ``kolba.X``), :func:`load` writes both versions into their own folders
(templates and static files beside them), imports them and hands back a :class:`Pair`: the
Flask object and the kolba object. Tests then drive both the same way and compare what a
user would observe (:func:`snapshot`) with :meth:`Pair.same`.

Only Python names are renamed, never strings or comments: a page that says "Hello from
Flask App!" must say it on kolba too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import os
import sys
import textwrap
import tokenize
import typing as t
from collections.abc import Callable, Iterator, Mapping
from http.cookies import SimpleCookie
from pathlib import Path

import click.testing

T = t.TypeVar("T")
U = t.TypeVar("U")

FRAMEWORKS = ("flask", "kolba")

#: Python names a port renames. Env variable names are handled by :func:`env_for`.
RENAMES = {
    "flask": "kolba",
    "Flask": "Kolba",
    "werkzeug": "kolba",
    "FlaskClient": "KolbaClient",
    "FlaskCliRunner": "KolbaCliRunner",
    "FlaskGroup": "KolbaGroup",
}

#: Response headers compared by default: the ones a browser or an API client acts on.
DEFAULT_HEADERS = ("Content-Type", "Content-Length", "Location", "Allow", "Vary")


def port(source: str) -> str:
    """``source`` with its Flask/Werkzeug names renamed to kolba's (names only, by token)."""
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string in RENAMES:
            (row, start), (_, end) = token.start, token.end
            edits.append((row - 1, start, end, RENAMES[token.string]))
    # Right to left, so earlier columns on the same line stay valid.
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row]
        lines[row] = line[:start] + new + line[end:]
    return "".join(lines)


def env_for(framework: str, env: Mapping[str, str]) -> dict[str, str]:
    """Environment variables as the framework names them (``FLASK_APP`` -> ``KOLBA_APP``)."""
    if framework == "flask":
        return dict(env)
    return {
        ("KOLBA_" + key.removeprefix("FLASK_") if key.startswith("FLASK_") else key): value
        for key, value in env.items()
    }


def framework_module(framework: str) -> t.Any:
    return importlib.import_module(framework)


@dataclasses.dataclass
class Pair(t.Generic[T]):
    """One thing observed on Flask and on kolba."""

    flask: T
    kolba: T

    def items(self) -> list[tuple[str, T]]:
        return [("flask", self.flask), ("kolba", self.kolba)]

    def map(self, fn: Callable[[T], U]) -> Pair[U]:
        """Apply ``fn`` to both sides (a request, a snapshot...)."""
        return Pair(fn(self.flask), fn(self.kolba))

    def same(self) -> T:
        """Assert both sides are equal and return the (kolba) value."""
        assert self.kolba == self.flask, (
            f"kolba differs from Flask:\n  flask: {self.flask!r}\n  kolba: {self.kolba!r}"
        )
        return self.kolba


def both(fn: Callable[[str], T]) -> Pair[T]:
    """``fn("flask")`` and ``fn("kolba")``."""
    return Pair(fn("flask"), fn("kolba"))


# --- projects on disk ---------------------------------------------------------------------


def write_project(root: Path, files: Mapping[str, str], framework: str) -> Path:
    """Write ``files`` (relative path -> text, dedented) under ``root``; ``.py`` files are
    ported for kolba. Returns ``root``.
    """
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(text).lstrip("\n")
        if framework == "kolba" and relative.endswith(".py"):
            body = port(body)
        path.write_text(body, encoding="utf-8")
    importlib.invalidate_caches()
    return root


@contextlib.contextmanager
def importable(root: Path) -> Iterator[None]:
    """Let modules under ``root`` be imported, then forget them.

    Both versions of a project use the same module names (``app``, ``config``...), so each
    one's modules leave ``sys.modules`` before the other's are imported. Objects made while
    the folder was importable (the app, its views) keep working afterwards.
    """
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(root))
        prefix = str(root)
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(prefix):
                del sys.modules[name]


def _top_names(files: Mapping[str, str]) -> set[str]:
    """The top-level module and package names a project's Python files define."""
    return {
        Path(relative).parts[0].removesuffix(".py")
        for relative in files
        if relative.endswith(".py")
    }


@contextlib.contextmanager
def _shadowed(tops: set[str]) -> Iterator[None]:
    """Hide already imported modules with the project's top-level names while the project
    is in use: its ``tests`` package is not this repository's, and its ``flask_app`` is not
    one another test left in ``sys.modules``.
    """
    hidden = {
        name: sys.modules.pop(name) for name in list(sys.modules) if name.partition(".")[0] in tops
    }
    try:
        yield
    finally:
        sys.modules.update(hidden)


def load(
    tmp_path: Path,
    files: Mapping[str, str],
    target: str = "app:app",
    env: Mapping[str, str] | None = None,
    then: Callable[[t.Any], t.Any] | None = None,
) -> Pair[t.Any]:
    """Write the project twice (Flask and ported to kolba) and evaluate ``target`` in each.

    ``target`` is ``module:expression``, evaluated in the module's namespace while its
    folder is importable, e.g. ``"app:create_app('testing')"``; the expression may be a
    tuple to take several objects. ``env`` is set (renamed for kolba) while importing.
    ``then`` is applied to the result while the project is still importable (for code that
    imports the project's modules late, such as a factory called in a test's setUp).
    """
    module_name, _, expression = target.partition(":")

    def one(framework: str) -> t.Any:
        root = write_project(tmp_path / framework, files, framework)
        saved = dict(os.environ)
        os.environ.update(env_for(framework, env or {}))
        try:
            with _shadowed(_top_names(files)), importable(root):
                module = importlib.import_module(module_name)
                found = eval(expression or "app", vars(module))
                return found if then is None else then(found)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    return both(one)


# --- what a user observes -------------------------------------------------------------------


def cookies_of(response: t.Any, signed: tuple[str, ...] = ("session",)) -> list[tuple[t.Any, ...]]:
    """The Set-Cookie headers as (name, value, attributes) tuples.

    Values of ``signed`` cookies carry a timestamp and so differ between any two runs; only
    whether they are empty (deleted) or not is kept. An Expires date depends on the clock,
    so only its presence is kept (tests that care check it on their own).
    """
    found = []
    for header in response.headers.getlist("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            value = morsel.value
            if name in signed:
                value = "<signed>" if value else ""
            attributes = {
                key: ("<date>" if key == "expires" else morsel[key])
                for key in morsel
                if morsel[key] not in ("", False)
            }
            found.append((name, value, tuple(sorted(attributes.items()))))
    return sorted(found)


def _header(response: t.Any, name: str) -> str | None:
    value = response.headers.get(name)
    if name == "Allow" and value is not None:
        # Flask lists the methods in set order, which changes with the string hash seed; the
        # set of methods is what a client acts on, so both are compared sorted.
        value = ", ".join(sorted(value.split(", ")))
    return t.cast("str | None", value)


def snapshot(
    response: t.Any,
    headers: tuple[str, ...] = DEFAULT_HEADERS,
    body: bool = True,
    signed: tuple[str, ...] = ("session",),
) -> dict[str, t.Any]:
    """What a client sees of ``response``: status, body, some headers and the cookies set.

    ``body=False`` is for pages whose wording is each framework's own (default error pages):
    the body and its Content-Length are then left out.
    """
    if not body:
        headers = tuple(name for name in headers if name != "Content-Length")
    seen: dict[str, t.Any] = {
        "status": response.status_code,
        "headers": {name: _header(response, name) for name in headers},
        "cookies": cookies_of(response, signed),
    }
    if body:
        seen["body"] = response.get_data(as_text=True)
    # As a WSGI server does once it sent the body (a static file's handle is closed here).
    response.close()
    return seen


def request_both(pair: Pair[t.Any], method: str, url: str, **kwargs: t.Any) -> Pair[t.Any]:
    """Send the same request to both test clients (or apps, through a fresh client).

    The keyword arguments are shared: an upload stream in ``data`` is closed by the first
    client, so build such requests per framework (``pair.map(lambda app: ...)``) instead.
    """

    def send(client: t.Any) -> t.Any:
        if hasattr(client, "test_client"):
            client = client.test_client()
        return client.open(url, method=method, **kwargs)

    return pair.map(send)


def compare(
    pair: Pair[t.Any], method: str, url: str, *, body: bool = True, **kwargs: t.Any
) -> dict[str, t.Any]:
    """Send one request to both, assert the snapshots are equal, return kolba's snapshot."""
    return request_both(pair, method, url, **kwargs).map(lambda r: snapshot(r, body=body)).same()


# --- the command line -------------------------------------------------------------------------


def cli_group(framework: str) -> t.Any:
    """The ``flask`` command group, or the ``kolba`` one."""
    return importlib.import_module(f"{framework}.cli").cli


def invoke_cli(
    tmp_path: Path,
    files: Mapping[str, str],
    args: list[str],
    env: Mapping[str, str] | None = None,
    input: str | None = None,
) -> Pair[click.testing.Result]:
    """Run ``flask ARGS`` and ``kolba ARGS`` in-process, each in its own project folder as the
    working directory, with ``env`` (renamed for kolba). Arguments are the same for both.
    """

    def one(framework: str) -> click.testing.Result:
        root = write_project(tmp_path / framework, files, framework)
        saved_env = dict(os.environ)
        saved_cwd = os.getcwd()
        for key in list(os.environ):
            if key.startswith(("FLASK_", "KOLBA_")):
                del os.environ[key]
        os.chdir(root)
        try:
            with _shadowed(_top_names(files)), importable(root):
                runner = click.testing.CliRunner()
                return runner.invoke(
                    cli_group(framework), args, env=env_for(framework, env or {}), input=input
                )
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)

    return both(one)


class ServerCalls:
    """Records the development server calls instead of serving (``run_simple``)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, t.Any]] = []

    def __call__(self, hostname: str, port: int, application: t.Any, **options: t.Any) -> None:
        self.calls.append(
            {
                "host": hostname,
                "port": port,
                "use_reloader": bool(options.get("use_reloader")),
                "use_debugger": bool(options.get("use_debugger")),
                "debug": bool(getattr(application, "debug", False)),
                "app_name": getattr(application, "name", None),
            }
        )


def record_server(monkeypatch: t.Any) -> Pair[ServerCalls]:
    """Replace both frameworks' development servers with recorders."""
    import flask.cli
    import werkzeug.serving

    import kolba.wsgi.serving

    calls = Pair(ServerCalls(), ServerCalls())
    # flask.cli holds its own reference (imported at module level); app.run imports it late.
    monkeypatch.setattr(werkzeug.serving, "run_simple", calls.flask)
    monkeypatch.setattr(flask.cli, "run_simple", calls.flask)
    monkeypatch.setattr(kolba.wsgi.serving, "run_simple", calls.kolba)
    return calls


# --- a real development server ------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_and_get(
    command: list[str], cwd: Path, env: Mapping[str, str], port: int, path: str = "/"
) -> tuple[int, str, str]:
    """Start ``command`` (a development server on 127.0.0.1:``port``), GET ``path`` once it
    answers, stop the server by its pid. Returns (status, content type, body). Bounded: the
    server gets 20 s to answer; it is killed whatever happens.
    """
    import signal
    import subprocess
    import time
    import urllib.error
    import urllib.request

    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "KOLBA_"))}
    full_env.update(env)
    full_env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                url = f"http://127.0.0.1:{port}{path}"
                with urllib.request.urlopen(url, timeout=5) as response:
                    return (
                        response.status,
                        response.headers.get("Content-Type"),
                        response.read().decode(),
                    )
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    _, err = process.communicate(timeout=5)
                    raise AssertionError(
                        f"{command} did not serve {path}: {err.decode(errors='replace')}"
                    ) from None
                time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()

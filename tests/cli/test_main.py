"""``python -m kolba`` and the installed ``kolba`` script, run as a user would, in subprocesses."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"
TIMEOUT = 60


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOLBA_", "FLASK_"))}
    env.pop("PYTHONSTARTUP", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def _script() -> str:
    """The console script installed next to this interpreter (or on PATH)."""
    here = pathlib.Path(sys.executable).parent / ("kolba.exe" if os.name == "nt" else "kolba")
    found = str(here) if here.exists() else shutil.which("kolba")
    if found is None:
        pytest.skip("the kolba console script is not installed (pip install -e .)")
    return found


def _run(
    args: list[str], cwd: pathlib.Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=_env(),
        input=stdin,
        capture_output=True,
        check=False,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.fixture(params=["module", "script"])
def kolba(request: pytest.FixtureRequest) -> list[str]:
    """The command, either way."""
    if request.param == "module":
        return [sys.executable, "-m", "kolba"]
    return [_script()]


def test_version(kolba: list[str], tmp_path: pathlib.Path) -> None:
    done = _run([*kolba, "--version"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "kolba 0.1.0" in done.stdout
    assert f"Python {sys.version.split()[0]}" in done.stdout


def test_routes_and_app_commands(
    kolba: list[str], tmp_path: pathlib.Path, hello_app: pathlib.Path
) -> None:
    done = _run([*kolba, "--app", "hello", "routes"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["Endpoint", "Methods", "Rule"]
    assert "index" in done.stdout
    # Without --app only wsgi.py and app.py are looked at, so "greet" is unknown...
    done = _run([*kolba, "greet"], tmp_path)
    assert done.returncode == 2
    # ... until the app is in app.py.
    (tmp_path / "app.py").write_text(hello_app.read_text())
    done = _run([*kolba, "greet"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "greetings from hello\n"


def test_help_with_a_broken_app(kolba: list[str], tmp_path: pathlib.Path) -> None:
    (tmp_path / "app.py").write_text("import a_module_nobody_has\n")
    done = _run([*kolba, "--help"], tmp_path)
    assert done.returncode == 0
    assert "Usage:" in done.stdout
    assert "shell" in done.stdout
    assert "No module named 'a_module_nobody_has'" in done.stderr
    assert "Usage:" not in done.stderr


def test_unknown_command(kolba: list[str], tmp_path: pathlib.Path) -> None:
    done = _run([*kolba, "frobnicate"], tmp_path)
    assert done.returncode == 2
    assert "There is no command 'frobnicate'" in done.stderr
    assert "KOLBA_APP" in done.stderr


def test_shell_reads_stdin(
    kolba: list[str], tmp_path: pathlib.Path, hello_app: pathlib.Path
) -> None:
    # HOME points at the test folder so that readline's history file stays there.
    done = subprocess.run(
        [*kolba, "--app", "hello", "shell"],
        cwd=tmp_path,
        env={**_env(), "HOME": str(tmp_path)},
        input="print('name:', app.name)\nprint(app.url_map)\n",
        capture_output=True,
        check=False,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "name: hello" in done.stdout
    assert "App: hello" in done.stderr


def test_python_m_kolba_dotenv(tmp_path: pathlib.Path, hello_app: pathlib.Path) -> None:
    (tmp_path / ".kolbaenv").write_text("KOLBA_APP=hello\n", encoding="utf-8")
    done = _run([sys.executable, "-m", "kolba", "greet"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "greetings from hello\n"

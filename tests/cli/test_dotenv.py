""".env and .kolbaenv: where they are found, which value wins, and life without python-dotenv."""

from __future__ import annotations

import os
import pathlib
import sys
from collections.abc import Callable

import click
import pytest
from click.testing import CliRunner

from kolba import Kolba
from kolba.cli import KolbaGroup, ScriptInfo, cli, load_dotenv
from kolba.cli.dotenv import find_upward

Write = Callable[[str, str], pathlib.Path]


def _show_env_group(*names: str) -> KolbaGroup:
    """A kolba group with a command printing the given variables (after .env loading)."""
    group = KolbaGroup(create_app=lambda: Kolba("env_app"))

    @group.command("show", with_appcontext=False)
    def show() -> None:
        for name in names:
            click.echo(f"{name}={os.environ.get(name)}")

    return group


def test_precedence(write: Write, tmp_path: pathlib.Path) -> None:
    write(".kolbaenv", "A=kolbaenv\nB=kolbaenv\nC=kolbaenv\nD=kolbaenv\n")
    write(".env", "A=env\nB=env\nC=env\n")
    write("extra.env", "A=file\nB=file\n")
    os.environ["A"] = "real"
    assert load_dotenv(tmp_path / "extra.env") is True
    assert [os.environ[k] for k in "ABCD"] == ["real", "file", "env", "kolbaenv"]


def test_precedence_through_the_command(write: Write, runner: CliRunner) -> None:
    write(".kolbaenv", "A=kolbaenv\nB=kolbaenv\nC=kolbaenv\nD=kolbaenv\n")
    write(".env", "A=env\nB=env\nC=env\n")
    write("extra.env", "A=file\nB=file\n")
    result = runner.invoke(
        _show_env_group("A", "B", "C", "D"), ["-e", "extra.env", "show"], env={"A": "real"}
    )
    assert result.exit_code == 0, result.output
    assert result.output == "A=real\nB=file\nC=env\nD=kolbaenv\n"


def test_files_are_found_in_parent_folders_and_the_cwd_stays(
    write: Write, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(".kolbaenv", "FROM_TOP=kolbaenv\n")
    write("project/.env", "FROM_PROJECT=env\n")
    deep = tmp_path / "project" / "src" / "deep"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_upward(".env") == (tmp_path / "project" / ".env").resolve()
    assert find_upward(".missing") is None
    assert load_dotenv() is True
    assert os.environ["FROM_TOP"] == "kolbaenv"
    assert os.environ["FROM_PROJECT"] == "env"
    assert pathlib.Path.cwd() == deep


def test_the_nearest_file_wins(
    write: Write, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(".env", "WHERE=outer\n")
    write("inner/.env", "WHERE=inner\n")
    monkeypatch.chdir(tmp_path / "inner")
    load_dotenv()
    assert os.environ["WHERE"] == "inner"


def test_files_are_utf8(write: Write) -> None:
    write(".env", "GREETING=Grüß dich, 世界\n")
    load_dotenv()
    assert os.environ["GREETING"] == "Grüß dich, 世界"


def test_a_bare_key_does_not_hide_a_weaker_value(write: Write) -> None:
    write(".kolbaenv", "NAME=from_kolbaenv\n")
    write(".env", "NAME\n")
    load_dotenv()
    assert os.environ["NAME"] == "from_kolbaenv"


def test_nothing_to_load(tmp_path: pathlib.Path) -> None:
    assert load_dotenv() is False
    assert load_dotenv(tmp_path / "absent.env") is False


def test_defaults_can_be_skipped(write: Write, tmp_path: pathlib.Path) -> None:
    write(".env", "SKIPPED=yes\n")
    write("given.env", "GIVEN=yes\n")
    load_dotenv(tmp_path / "given.env", load_defaults=False)
    assert "SKIPPED" not in os.environ
    assert os.environ["GIVEN"] == "yes"


def test_kolba_skip_dotenv(write: Write, runner: CliRunner) -> None:
    write(".env", "SKIPPED=yes\n")
    write("given.env", "GIVEN=yes\n")
    os.environ["KOLBA_SKIP_DOTENV"] = "1"
    result = runner.invoke(_show_env_group("SKIPPED", "GIVEN"), ["show"])
    assert result.output == "SKIPPED=None\nGIVEN=None\n"
    # An explicit file is still read.
    result = runner.invoke(_show_env_group("SKIPPED", "GIVEN"), ["-e", "given.env", "show"])
    assert result.output == "SKIPPED=None\nGIVEN=yes\n"
    assert ScriptInfo().load_dotenv_defaults is False


def test_group_without_dotenv(write: Write, runner: CliRunner) -> None:
    write(".env", "SKIPPED=yes\n")
    group = _show_env_group("SKIPPED")
    group.load_dotenv = False
    assert runner.invoke(group, ["show"]).output == "SKIPPED=None\n"


def test_env_file_must_exist(runner: CliRunner) -> None:
    result = runner.invoke(_show_env_group(), ["-e", "nope.env", "show"])
    assert result.exit_code == 2
    assert "nope.env" in result.stderr


def test_kolba_app_from_kolbaenv(write: Write, runner: CliRunner, hello_app: pathlib.Path) -> None:
    write(".kolbaenv", "KOLBA_APP=hello\n")
    result = runner.invoke(cli, ["greet"])
    assert result.exit_code == 0, result.output
    assert result.output == "greetings from hello\n"
    # --help reads it too, although --help is handled before the other options.
    assert "greet" in runner.invoke(cli, ["--help"]).stdout
    assert "greet" in runner.invoke(cli, []).output


def test_kolba_app_from_an_env_file(
    write: Write, runner: CliRunner, hello_app: pathlib.Path
) -> None:
    write("site.env", "KOLBA_APP=hello\n")
    result = runner.invoke(cli, ["--env-file", "site.env", "greet"])
    assert result.output == "greetings from hello\n"
    assert "greet" in runner.invoke(cli, ["-e", "site.env", "--help"]).stdout


def test_run_port_from_dotenv(
    write: Write, runner: CliRunner, hello_app: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(
        "kolba.wsgi.serving.run_simple", lambda host, port, app, **kw: seen.append(port)
    )
    write(".env", "KOLBA_APP=hello\nKOLBA_RUN_PORT=8765\n")
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 0, result.output
    assert seen == [8765]


# --- without python-dotenv ---------------------------------------------------------------


@pytest.fixture
def no_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)


@pytest.mark.usefixtures("no_dotenv")
def test_tip_when_files_are_present(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    write(".kolbaenv", "X=1\n")
    assert load_dotenv() is False
    err = capsys.readouterr().err
    assert "Tip:" in err
    assert ".kolbaenv" in err
    assert "pip install python-dotenv" in err
    assert "X" not in os.environ


@pytest.mark.usefixtures("no_dotenv")
def test_tip_is_yellow(write: Write, runner: CliRunner) -> None:
    write(".env", "X=1\n")
    result = runner.invoke(_show_env_group("X"), ["show"], color=True)
    assert "\x1b[33m * Tip:" in result.stderr
    assert result.stdout == "X=None\n"


@pytest.mark.usefixtures("no_dotenv")
def test_no_tip_without_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_dotenv() is False
    assert capsys.readouterr().err == ""


@pytest.mark.usefixtures("no_dotenv")
def test_env_file_option_needs_dotenv(write: Write, runner: CliRunner) -> None:
    write("given.env", "X=1\n")
    result = runner.invoke(_show_env_group("X"), ["-e", "given.env", "show"])
    assert result.exit_code == 2
    assert "python-dotenv" in result.stderr
    assert "given.env" in result.stderr

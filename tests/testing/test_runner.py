"""app.test_cli_runner(): invoking an app's CLI commands in tests."""

from __future__ import annotations

import click
import pytest

from kolba import Kolba, current_app
from kolba.testing import KolbaCliRunner


@pytest.fixture
def app() -> Kolba:
    app = Kolba("cli_runner_app")
    app.config["GREETING"] = "hello"

    @app.cli.command("greet")
    @click.argument("name")
    @click.option("--shout", is_flag=True)
    def greet(name: str, shout: bool) -> None:
        # app.cli commands run inside an app context.
        text = f"{current_app.config['GREETING']} {name}"
        click.echo(text.upper() if shout else text)

    @app.cli.command("fail")
    def fail() -> None:
        raise click.ClickException("it went wrong")

    @app.cli.command("ask")
    def ask() -> None:
        click.echo(f"got {click.prompt('value')}")

    return app


def test_runner_type(app: Kolba) -> None:
    runner = app.test_cli_runner()
    assert isinstance(runner, KolbaCliRunner)
    assert runner.app is app


def test_invoke_app_command_by_args(app: Kolba) -> None:
    result = app.test_cli_runner().invoke(args=["greet", "ada", "--shout"])
    assert result.exit_code == 0, result.output
    assert result.output == "HELLO ADA\n"


def test_invoke_a_command_object(app: Kolba) -> None:
    command = app.cli.get_command(click.Context(app.cli), "greet")
    assert command is not None
    result = app.test_cli_runner().invoke(command, ["grace"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello grace\n"


def test_errors_give_a_nonzero_exit_code(app: Kolba) -> None:
    result = app.test_cli_runner().invoke(args=["fail"])
    assert result.exit_code == 1
    assert "it went wrong" in result.output


def test_unknown_command(app: Kolba) -> None:
    result = app.test_cli_runner().invoke(args=["nope"])
    assert result.exit_code == 2
    assert "nope" in result.output


def test_input_and_kwargs_reach_click(app: Kolba) -> None:
    result = app.test_cli_runner().invoke(args=["ask"], input="42\n")
    assert result.exit_code == 0, result.output
    assert "got 42" in result.output


def test_runner_kwargs_reach_click(app: Kolba) -> None:
    runner = app.test_cli_runner(env={"SOME_VAR": "1"})
    assert runner.env == {"SOME_VAR": "1"}


def test_custom_runner_class(app: Kolba) -> None:
    class MyRunner(KolbaCliRunner):
        pass

    app.test_cli_runner_class = MyRunner
    assert isinstance(app.test_cli_runner(), MyRunner)

"""The kolba command group and its commands: routes, shell, run (with a stand-in server), the
app's own commands, custom groups, plugins, --version, --help and unknown commands.
"""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import ssl
import sys
import types
import typing as t
from collections.abc import Callable

import click
import pytest
from click.testing import CliRunner

from kolba import Blueprint, Kolba, current_app, g
from kolba.cli import (
    AppGroup,
    KolbaGroup,
    ScriptInfo,
    cli,
    routes_command,
    run_command,
    with_appcontext,
)
from kolba.cli.commands import shell_namespace

Write = Callable[[str, str], pathlib.Path]


def _group_for(app: Kolba) -> KolbaGroup:
    return KolbaGroup(create_app=lambda: app)


# --- routes --------------------------------------------------------------------------------


@pytest.fixture
def routed_app() -> Kolba:
    app = Kolba("routed", static_folder=None)

    @app.route("/zzz", methods=["GET", "POST"])
    def yyy_get_post() -> str:
        return ""

    @app.route("/aaa", methods=["POST"])
    def aaa_post() -> str:
        return ""

    @app.route("/get")
    def middle() -> str:
        return ""

    return app


def _endpoints(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines()[2:]]


def test_routes_table(routed_app: Kolba, runner: CliRunner) -> None:
    result = runner.invoke(_group_for(routed_app), ["routes"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Endpoint      Methods    Rule",
        "------------  ---------  ----",
        "aaa_post      POST       /aaa",
        "middle        GET        /get",
        "yyy_get_post  GET, POST  /zzz",
    ]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("endpoint", ["aaa_post", "middle", "yyy_get_post"]),
        ("methods", ["middle", "yyy_get_post", "aaa_post"]),
        ("rule", ["aaa_post", "middle", "yyy_get_post"]),
        ("match", ["yyy_get_post", "aaa_post", "middle"]),
        ("domain", ["yyy_get_post", "aaa_post", "middle"]),
    ],
)
def test_routes_sort(routed_app: Kolba, runner: CliRunner, sort: str, order: list[str]) -> None:
    match_order = [rule.endpoint for rule in routed_app.url_map.iter_rules()]
    assert match_order == ["yyy_get_post", "aaa_post", "middle"]
    result = runner.invoke(_group_for(routed_app), ["routes", "--sort", sort])
    assert _endpoints(result.output) == order
    assert _endpoints(runner.invoke(_group_for(routed_app), ["routes", "-s", sort]).output) == order


def test_routes_sort_default_is_endpoint(routed_app: Kolba, runner: CliRunner) -> None:
    group = _group_for(routed_app)
    assert (
        runner.invoke(group, ["routes"]).output
        == runner.invoke(group, ["routes", "-s", "endpoint"]).output
    )


def test_routes_bad_sort_value(routed_app: Kolba, runner: CliRunner) -> None:
    result = runner.invoke(_group_for(routed_app), ["routes", "-s", "size"])
    assert result.exit_code == 2
    assert "'size' is not one of" in result.stderr


def test_routes_all_methods(routed_app: Kolba, runner: CliRunner) -> None:
    plain = runner.invoke(_group_for(routed_app), ["routes"]).output
    assert "HEAD" not in plain
    assert "OPTIONS" not in plain
    full = runner.invoke(_group_for(routed_app), ["routes", "--all-methods"]).output
    assert "GET, HEAD, OPTIONS, POST" in full
    assert "OPTIONS, POST" in full


def test_routes_subdomain_column(runner: CliRunner) -> None:
    app = Kolba("subs", static_folder=None)
    app.config["SERVER_NAME"] = "example.test"
    app.add_url_rule("/a", subdomain="api", endpoint="a", view_func=lambda: "")
    app.add_url_rule("/b", endpoint="b", view_func=lambda: "")
    lines = runner.invoke(_group_for(app), ["routes", "-s", "domain"]).output.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert lines[2].split() == ["b", "GET", "/b"]
    assert lines[3].split() == ["a", "GET", "api", "/a"]


def test_routes_host_column(runner: CliRunner) -> None:
    app = Kolba("hosts", static_folder=None, host_matching=True)
    app.add_url_rule("/a", host="a.test", endpoint="a", view_func=lambda: "")
    app.add_url_rule("/b", host="b.test", endpoint="b", view_func=lambda: "")
    lines = runner.invoke(_group_for(app), ["routes"]).output.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Host", "Rule"]
    assert lines[2].split() == ["a", "GET", "a.test", "/a"]


def test_routes_without_routes(runner: CliRunner) -> None:
    app = Kolba("empty", static_folder=None)
    result = runner.invoke(_group_for(app), ["routes"])
    assert result.exit_code == 0
    assert result.output == "No routes were registered.\n"


def test_routes_lists_the_static_route_and_blueprints(runner: CliRunner) -> None:
    app = Kolba("with_static")
    bp = Blueprint("shop", __name__, url_prefix="/shop")
    bp.add_url_rule("/cart", "cart", lambda: "")
    app.register_blueprint(bp)
    output = runner.invoke(_group_for(app), ["routes"]).output
    assert "static" in output
    assert "/static/<path:filename>" in output
    assert "shop.cart" in output
    assert "/shop/cart" in output


def test_routes_runs_through_with_appcontext(routed_app: Kolba, runner: CliRunner) -> None:
    # Invoked on its own it loads the app from the ScriptInfo, like any app command.
    result = runner.invoke(routes_command, [], obj=ScriptInfo(create_app=lambda: routed_app))
    assert result.exit_code == 0, result.output
    assert "yyy_get_post" in result.output


# --- shell -------------------------------------------------------------------------------


@pytest.fixture
def shell_app() -> Kolba:
    app = Kolba("shell_app")

    @app.shell_context_processor
    def numbers() -> dict[str, t.Any]:
        return {"answer": 42, "name": "first"}

    @app.shell_context_processor
    def later_wins() -> dict[str, t.Any]:
        return {"name": "second"}

    return app


@pytest.fixture
def no_line_editing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real hook would read and write the user's ~/.python_history.
    monkeypatch.delattr(sys, "__interactivehook__", raising=False)


@pytest.mark.usefixtures("no_line_editing")
def test_shell_namespace_and_banner(shell_app: Kolba, runner: CliRunner) -> None:
    source = (
        "print(app.name, answer, name)\nprint(g.__class__.__name__)\nprint(current_app_name())\n"
    )
    shell_app.shell_context_processor(lambda: {"current_app_name": lambda: current_app.name})
    result = runner.invoke(_group_for(shell_app), ["shell"], input=source)
    assert result.exit_code == 0, result.output
    assert "shell_app 42 second" in result.stdout
    assert "shell_app" in result.stdout.splitlines()[-1] or "shell_app\n" in result.stdout
    banner = result.stderr
    assert f"Python {sys.version}" in banner
    assert "App: shell_app" in banner
    assert f"Instance: {shell_app.instance_path}" in banner
    assert "Python" not in result.stdout


@pytest.mark.usefixtures("no_line_editing")
def test_shell_runs_pythonstartup_first(shell_app: Kolba, runner: CliRunner, write: Write) -> None:
    startup = write("startup.py", "from_startup = 'yes'\nanswer = 'overridden by the app'\n")
    os.environ["PYTHONSTARTUP"] = str(startup)
    result = runner.invoke(_group_for(shell_app), ["shell"], input="print(from_startup, answer)\n")
    assert "yes 42" in result.stdout


def test_shell_sets_up_line_editing_with_the_shell_names(
    shell_app: Kolba, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    readline = pytest.importorskip("readline")
    calls: list[str] = []
    completers: list[t.Any] = []
    monkeypatch.setattr(sys, "__interactivehook__", lambda: calls.append("hook"), raising=False)
    monkeypatch.setattr(readline, "set_completer", completers.append)
    result = runner.invoke(_group_for(shell_app), ["shell"], input="")
    assert result.exit_code == 0, result.output
    assert calls == ["hook"]
    # (Importing rlcompleter the first time installs its own completer: ours comes last.)
    complete = completers[-1]
    assert complete("ans", 0) == "answer"


def test_shell_namespace_uses_the_apps_own_method() -> None:
    class MyApp(Kolba):
        def make_shell_context(self) -> dict[str, t.Any]:
            return {"only": "this"}

    assert shell_namespace(MyApp("custom")) == {"only": "this"}
    plain = Kolba("plain")
    names = shell_namespace(plain)
    assert names["app"] is plain
    assert names["g"] is g


# --- the app's own commands ------------------------------------------------------------------


def test_app_commands_run_in_the_app_context(runner: CliRunner) -> None:
    app = Kolba("own_commands")

    @app.cli.command()
    def where() -> None:
        """Say which app."""
        click.echo(f"app={current_app.name}")

    @app.cli.command("outside", with_appcontext=False)
    def outside() -> None:
        from kolba import has_app_context

        click.echo(f"context={has_app_context()}")

    @app.cli.command
    def bare() -> None:
        click.echo(f"bare in {current_app.name}")

    group = _group_for(app)
    assert runner.invoke(group, ["where"]).output == "app=own_commands\n"
    # Not wrapped: it gets no context of its own (the kolba group still pushes one before
    # parsing options, for parameter callbacks, as Flask's does).
    assert app.test_cli_runner().invoke(args=["outside"]).output == "context=False\n"
    assert runner.invoke(group, ["outside"]).output == "context=True\n"
    assert runner.invoke(group, ["bare"]).output == "bare in own_commands\n"
    help_text = runner.invoke(group, ["--help"]).output
    assert "where" in help_text
    assert "Say which app." in help_text


def test_app_group_subgroups_are_app_groups(runner: CliRunner) -> None:
    @click.group(cls=AppGroup)
    def tools() -> None:
        pass

    @tools.command()
    def top() -> None:
        click.echo(current_app.name)

    @tools.group()
    def sub() -> None:
        pass

    @sub.command()
    def inner() -> None:
        click.echo(current_app.name)

    assert isinstance(sub, AppGroup)
    info = ScriptInfo(create_app=lambda: Kolba("grouped"))
    assert runner.invoke(tools, ["top"], obj=info).output == "grouped\n"
    assert runner.invoke(tools, ["sub", "inner"], obj=info).output == "grouped\n"


def test_with_appcontext_on_a_plain_click_command(runner: CliRunner) -> None:
    @click.command()
    @click.option("--n", default=1)
    @with_appcontext
    def plain(n: int) -> None:
        click.echo(f"{current_app.name} {n}")

    result = runner.invoke(plain, ["--n", "3"], obj=ScriptInfo(create_app=lambda: Kolba("wrapped")))
    assert result.output == "wrapped 3\n"


def test_parameter_callbacks_see_current_app_and_obj_is_script_info(runner: CliRunner) -> None:
    app = Kolba("callbacks")

    def check_value(ctx: click.Context, param: click.Parameter, value: str) -> str:
        return f"{value}@{current_app.name}"

    @app.cli.command()
    @click.argument("value", callback=check_value)
    def check(value: str) -> tuple[str, bool, bool]:
        obj = click.get_current_context().obj
        return (
            value,
            isinstance(obj, ScriptInfo),
            obj.load_app() is current_app._get_current_object(),
        )  # type: ignore[attr-defined]

    result = runner.invoke(_group_for(app), ["check", "x"], standalone_mode=False)
    assert result.exception is None, result.output
    assert result.return_value == ("x@callbacks", True, True)


def test_blueprint_commands(runner: CliRunner) -> None:
    app = Kolba("bp_cli")
    grouped = Blueprint("users", __name__)
    flat = Blueprint("tools", __name__, cli_group=None)

    @grouped.cli.command("create")
    def create() -> None:
        click.echo(f"create in {current_app.name}")

    @flat.cli.command("clean")
    def clean() -> None:
        click.echo("clean")

    app.register_blueprint(grouped)
    app.register_blueprint(flat)
    group = _group_for(app)
    assert runner.invoke(group, ["users", "create"]).output == "create in bp_cli\n"
    assert runner.invoke(group, ["clean"]).output == "clean\n"


def test_test_cli_runner_runs_app_commands() -> None:
    app = Kolba("runner_app")

    @app.cli.command("init-db")
    def init_db() -> None:
        click.echo(f"initialized {current_app.name}")

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert result.output == "initialized runner_app\n"


# --- KolbaGroup for management scripts --------------------------------------------------------


def test_custom_group_with_create_app(runner: CliRunner) -> None:
    app = Kolba("managed")

    @click.group(cls=KolbaGroup, create_app=lambda: app)
    def manage() -> None:
        """Manage the site."""

    @manage.command()
    def who() -> None:
        click.echo(current_app.name)

    result = runner.invoke(manage, ["who"])
    assert result.exit_code == 0, result.output
    assert result.output == "managed\n"
    help_text = runner.invoke(manage, ["--help"]).output
    assert "Manage the site." in help_text
    for name in ("routes", "run", "shell", "who"):
        assert name in help_text


def test_custom_group_options() -> None:
    bare = KolbaGroup(add_default_commands=False, add_version_option=False)
    assert bare.commands == {}
    assert "--version" not in [opt for p in bare.params for opt in p.opts]
    assert {"--app", "--env-file", "--debug"} <= {opt for p in bare.params for opt in p.opts}


def test_kolba_group_nested_in_another_group(runner: CliRunner) -> None:
    app = Kolba("nested")
    outer = click.Group("outer")
    inner = KolbaGroup(name="site", create_app=lambda: app)
    outer.add_command(inner)

    @inner.command()
    def show() -> None:
        click.echo(current_app.name)

    result = runner.invoke(outer, ["site", "show"])
    assert result.exit_code == 0, result.output
    assert result.output == "nested\n"
    assert "No routes" not in runner.invoke(outer, ["site", "routes"]).output


def test_set_debug_flag_of_the_group(runner: CliRunner) -> None:
    app = Kolba("debuggable")
    app.debug = False

    @app.cli.command()
    def show() -> None:
        click.echo(f"debug={current_app.debug}")

    assert (
        runner.invoke(KolbaGroup(create_app=lambda: app), ["--debug", "show"]).output
        == "debug=True\n"
    )
    assert os.environ["KOLBA_DEBUG"] == "1"
    app.debug = False
    group = KolbaGroup(create_app=lambda: app, set_debug_flag=False)
    assert runner.invoke(group, ["--debug", "show"]).output == "debug=False\n"


def test_run_from_cli_flag_is_set(runner: CliRunner) -> None:
    runner.invoke(_group_for(Kolba("flagged")), ["routes"])
    assert os.environ["KOLBA_RUN_FROM_CLI"] == "true"


# --- plugins, --version, --help, unknown commands ------------------------------------------


def _entry_points(
    monkeypatch: pytest.MonkeyPatch, module: types.ModuleType, names: dict[str, str]
) -> None:
    sys.modules[module.__name__] = module
    points = [
        importlib.metadata.EntryPoint(name, value, "kolba.commands")
        for name, value in names.items()
    ]

    def fake(**params: t.Any) -> list[importlib.metadata.EntryPoint]:
        return points if params.get("group") == "kolba.commands" else []

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)


def test_plugin_commands(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = types.ModuleType("kolba_test_plugin")

    @click.command()
    def hello_plugin() -> None:
        click.echo("plugin says hi")

    plugin.command = hello_plugin  # type: ignore[attr-defined]
    _entry_points(
        monkeypatch,
        plugin,
        {
            "plug": "kolba_test_plugin:command",
            "broken": "kolba_test_plugin:missing",
            "run": "kolba_test_plugin:command",
        },
    )
    try:
        group = _group_for(Kolba("with_plugins"))
        result = runner.invoke(group, ["plug"])
        assert result.exit_code == 0, result.output
        assert result.stdout == "plugin says hi\n"
        assert "Skipped the plugin command 'broken'" in result.stderr
        # A plugin cannot replace a built-in command.
        assert group.commands["run"] is run_command
    finally:
        del sys.modules["kolba_test_plugin"]


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"Python {sys.version.split()[0]}"
    assert lines[1].startswith("kolba ")
    assert lines[2] == f"click {importlib.metadata.version('click')}"


def test_help_with_a_broken_app_still_shows_help(runner: CliRunner, write: Write) -> None:
    write("app.py", "raise RuntimeError('oh no')\n")
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    for name in ("routes", "run", "shell"):
        assert name in result.stdout
    assert "RuntimeError: oh no" in result.stderr


def test_help_with_a_failing_create_app(runner: CliRunner) -> None:
    def create_app() -> Kolba:
        raise Exception("oh no")

    result = runner.invoke(KolbaGroup(create_app=create_app), ["--help"])
    assert result.exit_code == 0
    assert "Exception: oh no" in result.stderr
    assert "Usage:" in result.stdout


def test_help_without_any_app(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "KOLBA_APP" in result.stderr
    assert "Usage:" in result.stdout


def test_help_lists_app_commands_from_kolba_app(runner: CliRunner, hello_app: pathlib.Path) -> None:
    result = runner.invoke(cli, ["--help"], env={"KOLBA_APP": "hello"})
    assert "greet" in result.stdout
    assert "Print a greeting." in result.stdout


def test_unknown_command_without_an_app(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["missing"])
    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert "There is no command 'missing'" in result.stderr
    assert "KOLBA_APP" in result.stderr
    assert "no 'wsgi.py' or 'app.py'" in result.stderr


def test_unknown_command_with_an_app_suggests(runner: CliRunner, hello_app: pathlib.Path) -> None:
    result = runner.invoke(cli, ["--app", "hello", "gret"])
    assert result.exit_code == 2
    assert "Did you mean 'greet'?" in result.stderr
    assert "KOLBA_APP" in result.stderr
    assert "'hello'" in result.stderr


def test_app_option_from_the_environment(runner: CliRunner, hello_app: pathlib.Path) -> None:
    result = runner.invoke(cli, ["greet"], env={"KOLBA_APP": "hello"})
    assert result.exit_code == 0, result.output
    assert result.output == "greetings from hello\n"
    assert runner.invoke(cli, ["-A", "hello.py", "greet"]).output == "greetings from hello\n"


# --- run (with the server replaced) ----------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    calls: list[dict[str, t.Any]] = []

    def fake_run_simple(host: str, port: int, app: t.Any, **options: t.Any) -> None:
        calls.append({"host": host, "port": port, "app": app, **options})

    monkeypatch.setattr("kolba.wsgi.serving.run_simple", fake_run_simple)
    return calls


def test_run_defaults(
    runner: CliRunner, hello_app: pathlib.Path, served: list[dict[str, t.Any]]
) -> None:
    result = runner.invoke(cli, ["--app", "hello", "run"])
    assert result.exit_code == 0, result.output
    (call,) = served
    assert call["host"] == "127.0.0.1"
    assert call["port"] == 5000
    assert call["app"].name == "hello"
    assert call["use_reloader"] is False
    assert call["use_debugger"] is False
    assert call["threaded"] is True
    assert call["ssl_context"] is None
    assert call["extra_files"] is None
    assert call["exclude_patterns"] is None
    assert " * kolba app: hello" in result.output
    assert " * Debug mode: off" in result.output
    assert os.environ["KOLBA_RUN_FROM_CLI"] == "true"


def test_run_options(
    runner: CliRunner, hello_app: pathlib.Path, served: list[dict[str, t.Any]]
) -> None:
    sep = os.pathsep
    args = [
        "--app", "hello", "--debug", "run", "-h", "0.0.0.0", "-p", "8001", "--no-reload",
        "--without-threads", "--extra-files", f"a.cfg{sep}b.cfg", "--exclude-patterns", f"*.tmp{sep}*~",
    ]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    (call,) = served
    assert (call["host"], call["port"]) == ("0.0.0.0", 8001)
    assert call["use_reloader"] is False
    assert call["use_debugger"] is True
    assert call["threaded"] is False
    assert call["extra_files"] == ["a.cfg", "b.cfg"]
    assert call["exclude_patterns"] == ["*.tmp", "*~"]
    assert " * Debug mode: on" in result.output
    assert call["app"].debug is True


def test_run_options_from_the_environment(
    runner: CliRunner, hello_app: pathlib.Path, served: list[dict[str, t.Any]]
) -> None:
    env = {
        "KOLBA_APP": "hello",
        "KOLBA_RUN_PORT": "8123",
        "KOLBA_RUN_HOST": "localhost",
        "KOLBA_DEBUG": "1",
    }
    result = runner.invoke(cli, ["run"], env=env)
    assert result.exit_code == 0, result.output
    (call,) = served
    assert (call["host"], call["port"]) == ("localhost", 8123)
    assert call["use_reloader"] is True
    assert call["use_debugger"] is True


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_run_rejects_a_bad_port(
    runner: CliRunner, hello_app: pathlib.Path, served: list[t.Any], port: str
) -> None:
    result = runner.invoke(cli, ["--app", "hello", "run", "--port", port])
    assert result.exit_code == 2
    assert "--port" in result.stderr
    assert served == []


def test_run_with_a_missing_app(runner: CliRunner, served: list[t.Any]) -> None:
    result = runner.invoke(cli, ["--app", "nope_not_here", "run"])
    assert result.exit_code == 2
    assert "Could not import the module 'nope_not_here'" in result.stderr
    assert served == []


def test_run_cert_and_key_files() -> None:
    with pytest.raises(click.BadParameter, match="--key"):
        run_command.make_context("run", ["--cert", __file__])
    with pytest.raises(click.BadParameter, match="--cert"):
        run_command.make_context("run", ["--key", __file__])
    ctx = run_command.make_context("run", ["--cert", __file__, "--key", __file__])
    assert ctx.params["cert"] == (__file__, __file__)
    ctx = run_command.make_context("run", ["--key", __file__, "--cert", __file__])
    assert ctx.params["cert"] == (__file__, __file__)
    assert "key" not in ctx.params


def test_run_cert_adhoc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(click.BadParameter, match="cryptography"):
        run_command.make_context("run", ["--cert", "adhoc"])
    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    assert run_command.make_context("run", ["--cert", "adhoc"]).params["cert"] == "adhoc"
    assert run_command.make_context("run", ["--cert", "ADHOC"]).params["cert"] == "adhoc"
    with pytest.raises(click.BadParameter, match="leave --key out"):
        run_command.make_context("run", ["--cert", "adhoc", "--key", __file__])


def test_run_cert_import_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "not_here", None)
    with pytest.raises(click.BadParameter, match="not a certificate file"):
        run_command.make_context("run", ["--cert", "not_here"])
    with pytest.raises(click.BadParameter, match="names module object"):
        run_command.make_context("run", ["--cert", "kolba"])
    with pytest.raises(click.BadParameter):
        run_command.make_context("run", ["--cert", ".."])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    module = types.ModuleType("tls_settings")
    module.context = context  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tls_settings", module)
    for value in ("tls_settings.context", "tls_settings:context"):
        assert run_command.make_context("run", ["--cert", value]).params["cert"] is context
    with pytest.raises(click.BadParameter, match="already holds its key"):
        run_command.make_context("run", ["--cert", "tls_settings.context", "--key", __file__])


def test_run_reaches_the_server_with_the_cert_pair(
    runner: CliRunner, hello_app: pathlib.Path, served: list[dict[str, t.Any]]
) -> None:
    result = runner.invoke(
        cli, ["--app", "hello", "run", "--key", str(hello_app), "--cert", str(hello_app)]
    )
    assert result.exit_code == 0, result.output
    assert served[0]["ssl_context"] == (str(hello_app), str(hello_app))


def test_run_help(runner: CliRunner) -> None:
    result = runner.invoke(run_command, ["--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--cert",
        "--key",
        "--reload",
        "--debugger",
        "--with-threads",
        "--extra-files",
        "--exclude-patterns",
    ):
        assert option in result.output


@pytest.mark.parametrize(
    ("args", "env", "debug"),
    [
        (["--app", "hello", "run", "--debug"], {}, True),
        (["--app", "hello", "run", "--no-debug"], {"KOLBA_DEBUG": "1"}, False),
        (["--app", "hello", "--debug", "run", "--no-debug"], {}, False),
        (["--app", "hello", "run"], {"KOLBA_DEBUG": "1"}, True),
    ],
)
def test_run_takes_debug_after_the_command(
    runner: CliRunner,
    hello_app: pathlib.Path,
    served: list[dict[str, t.Any]],
    args: list[str],
    env: dict[str, str],
    debug: bool,
) -> None:
    # As `flask run --no-debug` does: the option may follow the command name too.
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    (call,) = served
    assert call["app"].debug is debug
    assert call["use_reloader"] is call["use_debugger"] is debug
    assert f" * Debug mode: {'on' if debug else 'off'}" in result.output


def test_run_help_lists_debug(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["run", "--help"])
    assert result.exit_code == 0, result.output
    assert "--debug / --no-debug" in result.output

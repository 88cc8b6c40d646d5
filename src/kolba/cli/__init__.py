"""The ``kolba`` command line: app discovery, ``run``, ``shell``, ``routes`` and the app's
own commands (``@app.cli.command()``).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import traceback
import typing as t
from functools import update_wrapper

import click
from click.core import ParameterSource

from ..globals import current_app
from .commands import routes_command, run_command, shell_command, show_server_banner
from .discovery import (
    NoAppException,
    ScriptInfo,
    find_app_by_string,
    find_best_app,
    locate_app,
    prepare_import,
)
from .dotenv import load_dotenv

if t.TYPE_CHECKING:
    from ..app import Kolba

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def with_appcontext(f: F) -> F:
    """Run the command inside the app's context (loading the app if needed).

    Commands registered with ``app.cli.command()`` get this automatically.
    """

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if not current_app:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return update_wrapper(decorator, f)  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run in the app context (``with_appcontext=False``
    opts out).
    """

    def command(self, *args: t.Any, **kwargs: t.Any) -> t.Callable[[t.Callable[..., t.Any]], click.Command]:  # type: ignore[override]
        """Register a command that runs with the app context pushed."""
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap_for_ctx:
                f = with_appcontext(f)
            return super(AppGroup, self).command(*args, **kwargs)(f)  # type: ignore[no-any-return]

        return decorator

    def group(self, *args: t.Any, **kwargs: t.Any) -> t.Callable[[t.Callable[..., t.Any]], click.Group]:  # type: ignore[override]
        """Register a sub-group (an AppGroup by default)."""
        kwargs.setdefault("cls", AppGroup)
        return super().group(*args, **kwargs)  # type: ignore[no-any-return]


def get_version(ctx: click.Context, param: click.Parameter, value: t.Any) -> None:
    """Print the Python, kolba and click versions, then exit."""
    if not value or ctx.resilient_parsing:
        return
    try:
        kolba_version = importlib.metadata.version("kolba")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from source
        from .. import __version__ as kolba_version
    click_version = importlib.metadata.version("click")
    click.echo(
        f"Python {platform.python_version()}\nkolba {kolba_version}\nclick {click_version}",
        color=ctx.color,
    )
    ctx.exit()


version_option = click.Option(
    ["--version"],
    help="Show the kolba version.",
    expose_value=False,
    callback=get_version,
    is_flag=True,
    is_eager=True,
)


def _set_app(ctx: click.Context, param: click.Option, value: str | None) -> str | None:
    if value is None:
        return None
    info = ctx.ensure_object(ScriptInfo)
    info.app_import_path = value
    return value


_app_option = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    help=(
        "The kolba application or factory function to load, in the form 'module:name'."
        " Module can be a dotted import or file path. Name is not required if it is 'app',"
        " 'application', 'create_app', or 'make_app', and can be 'name(args)' to pass"
        " arguments."
    ),
    is_eager=True,
    expose_value=False,
    callback=_set_app,
)


def _set_debug(ctx: click.Context, param: click.Option, value: bool) -> bool | None:
    source = ctx.get_parameter_source(param.name)  # type: ignore[arg-type]
    if source is not None and source in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return None
    # Set it in the environment so the reloader's child process sees it too.
    os.environ["KOLBA_DEBUG"] = "1" if value else "0"
    return value


_debug_option = click.Option(
    ["--debug/--no-debug"],
    help="Set debug mode.",
    expose_value=False,
    callback=_set_debug,
)


def _env_file_callback(ctx: click.Context, param: click.Option, value: str | None) -> str | None:
    try:
        import dotenv  # noqa: F401
    except ImportError:
        if value is not None:
            raise click.BadParameter(
                "python-dotenv must be installed to load an env file.", ctx=ctx, param=param
            ) from None
    info = ctx.ensure_object(ScriptInfo)
    if value is not None or info.load_dotenv_defaults:
        load_dotenv(value, load_defaults=info.load_dotenv_defaults)
    return value


_env_file_option = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    help=(
        "Load environment variables from this file, taking precedence over those set by"
        " '.env' and '.kolbaenv'. Variables set directly in the environment take highest"
        " precedence. python-dotenv must be installed."
    ),
    is_eager=True,
    expose_value=False,
    callback=_env_file_callback,
)


class KolbaGroup(AppGroup):
    """The ``kolba`` command group: finds the app, adds ``run``, ``shell`` and ``routes``,
    and the app's own commands. Use it for a custom ``manage.py`` with ``create_app``.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., Kolba] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params: list[click.Parameter] = list(extra.pop("params", None) or ())
        params.extend((_env_file_option, _app_option, _debug_option))
        if add_version_option:
            params.append(version_option)
        if "context_settings" not in extra:
            extra["context_settings"] = {}
        extra["context_settings"].setdefault("auto_envvar_prefix", "KOLBA")
        super().__init__(params=params, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            self.add_command(run_command)
            self.add_command(shell_command)
            self.add_command(routes_command)
        self._loaded_plugin_commands = False

    def _load_plugin_commands(self) -> None:
        if self._loaded_plugin_commands:
            return
        for ep in importlib.metadata.entry_points(group="kolba.commands"):
            self.add_command(ep.load(), ep.name)
        self._loaded_plugin_commands = True

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._load_plugin_commands()
        rv = super().get_command(ctx, name)
        if rv is not None:
            return rv
        info = ctx.ensure_object(ScriptInfo)
        try:
            app = info.load_app()
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
            return None
        if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)  # type: ignore[no-any-return]

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        rv = set(super().list_commands(ctx))
        info = ctx.ensure_object(ScriptInfo)
        try:
            rv.update(info.load_app().cli.list_commands(ctx))
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
        except Exception:
            click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")
        return sorted(rv)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        # app.run() checks this to avoid starting a second server under "kolba run".
        os.environ["KOLBA_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if (not args and self.no_args_is_help) or (
            len(args) == 1 and args[0] in self.get_help_option_names(ctx)
        ):
            # Help needs the app's commands: load the env file and --app first.
            _env_file_option.handle_parse_result(ctx, {}, [])
            _app_option.handle_parse_result(ctx, {}, [])
        return super().parse_args(ctx, args)


cli = KolbaGroup(
    name="kolba",
    help="""\
A general utility script for kolba applications.

An application to load must be given with the '--app' option, the 'KOLBA_APP'
environment variable, or with a 'wsgi.py' or 'app.py' file in the current directory.
""",
)


def main() -> None:
    """The ``kolba`` console script."""
    cli.main()


__all__ = [
    "AppGroup",
    "KolbaGroup",
    "NoAppException",
    "ScriptInfo",
    "cli",
    "find_app_by_string",
    "find_best_app",
    "load_dotenv",
    "locate_app",
    "main",
    "prepare_import",
    "routes_command",
    "run_command",
    "shell_command",
    "show_server_banner",
    "with_appcontext",
]

"""The command groups: :class:`AppGroup` (``app.cli``) and :class:`KolbaGroup` (``kolba``).

``KolbaGroup`` adds the global options (``--app``, ``--env-file``, ``--debug``,
``--version``), the built-in commands, plugin commands from the ``kolba.commands`` entry
point group, and the app's own commands, which it finds by loading the app on demand.
"""

from __future__ import annotations

import difflib
import functools
import os
import platform
import typing as t
from importlib import metadata

import click
from click.core import ParameterSource

from ..ctx import has_app_context
from ..globals import current_app
from .discovery import NoAppException, ScriptInfo, user_traceback
from .dotenv import load_dotenv

if t.TYPE_CHECKING:
    from ..app import Kolba

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: Keys in ``ScriptInfo.data``: (import path, error) of a failed load, and whether the
#: env files were read.
_LOAD_ERROR = "kolba.cli.load_error"
_DOTENV_DONE = "kolba.cli.dotenv_done"


def describe_app_source(info: ScriptInfo) -> str:
    """Where ``info`` takes the app from, in words (for messages)."""
    if info.create_app is not None:
        return "the create_app function given to the CLI"
    if info.app_import_path:
        return f"the app import path {info.app_import_path!r} (--app or KOLBA_APP)"
    return "wsgi.py or app.py in the working folder"


def load_app_for_cli(info: ScriptInfo) -> Kolba:
    """``info.load_app()``, with any failure turned into a :class:`NoAppException`.

    On the command line a bug in the app (an exception while its module runs or in its
    factory) is reported as what was being loaded and what went wrong there, with the
    user's own frames, instead of a traceback through kolba's loader. A failure is kept
    on ``info``, so a broken app is imported and reported once per command line.
    """
    failed = info.data.get(_LOAD_ERROR)
    if failed is not None and failed[0] == info.app_import_path:
        raise failed[1]
    try:
        return info.load_app()
    except NoAppException as exc:
        info.data[_LOAD_ERROR] = (info.app_import_path, exc)
        raise
    except click.ClickException:
        raise
    except Exception as exc:
        error = NoAppException(
            f"Loading the app from {describe_app_source(info)} failed: the app's code raised"
            f" {type(exc).__name__}. Fix the error below and run the command again.\n\n"
            f"{user_traceback(exc)}"
        )
        info.data[_LOAD_ERROR] = (info.app_import_path, error)
        raise error from exc


def with_appcontext(f: F) -> F:
    """Run the command ``f`` with the app context pushed, loading the app first if none is
    active. Commands made with ``app.cli.command()`` get this on their own.
    """

    @functools.wraps(f)
    def in_app_context(*args: t.Any, **kwargs: t.Any) -> t.Any:
        ctx = click.get_current_context()
        if not has_app_context():
            app = load_app_for_cli(ctx.ensure_object(ScriptInfo))
            # The click context pops it when the command is done.
            ctx.with_resource(app.app_context())
        return f(*args, **kwargs)

    return t.cast(F, in_app_context)


class AppGroup(click.Group):
    """A click group whose commands run inside the app context.

    ``@group.command(with_appcontext=False)`` leaves a command outside of it; sub-groups
    made with ``@group.group()`` are AppGroups too.
    """

    @t.overload
    def command(self, __func: t.Callable[..., t.Any]) -> click.Command: ...
    @t.overload
    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command]: ...
    def command(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Command] | click.Command:
        """Register a command (click's ``command`` options), run in the app context."""
        if len(args) == 1 and not kwargs and callable(args[0]):  # bare @group.command
            return self.command()(args[0])
        in_context = kwargs.pop("with_appcontext", True)
        make = super().command

        def register(f: t.Callable[..., t.Any]) -> click.Command:
            command: click.Command = make(*args, **kwargs)(with_appcontext(f) if in_context else f)
            return command

        return register

    @t.overload
    def group(self, __func: t.Callable[..., t.Any]) -> click.Group: ...
    @t.overload
    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group]: ...
    def group(
        self, *args: t.Any, **kwargs: t.Any
    ) -> t.Callable[[t.Callable[..., t.Any]], click.Group] | click.Group:
        """Register a sub-group; it is an :class:`AppGroup` unless ``cls`` says otherwise."""
        if kwargs.get("cls") is None:
            kwargs["cls"] = AppGroup
        if len(args) == 1 and callable(args[0]):  # bare @group.group
            group: click.Group = super().group(**kwargs)(args[0])
            return group
        decorator: t.Callable[[t.Callable[..., t.Any]], click.Group] = super().group(
            *args, **kwargs
        )
        return decorator


# --- the global options ---------------------------------------------------------------


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    try:
        kolba_version = metadata.version("kolba")
    except metadata.PackageNotFoundError:  # a source checkout that was never installed
        from .. import __version__ as kolba_version
    lines = [
        f"Python {platform.python_version()}",
        f"kolba {kolba_version}",
        f"click {metadata.version('click')}",
    ]
    click.echo("\n".join(lines), color=ctx.color)
    ctx.exit()


def _take_env_file(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    info = ctx.ensure_object(ScriptInfo)
    if value is not None:
        try:
            import dotenv  # noqa: F401
        except ImportError:
            raise click.BadParameter(
                f"cannot read {value!r}: environment files need python-dotenv, which is not"
                " installed. Install it (pip install python-dotenv), or set the variables"
                " in the environment instead.",
                ctx=ctx,
                param=param,
            ) from None
    if value is not None or info.load_dotenv_defaults:
        load_dotenv(value, load_defaults=info.load_dotenv_defaults)
    info.data[_DOTENV_DONE] = True


def _take_app(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(ScriptInfo).app_import_path = value


def _take_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if ctx.get_parameter_source("debug") in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return
    # Through the environment, so that the reloader's child process and
    # ScriptInfo.load_app see it as well.
    os.environ["KOLBA_DEBUG"] = "1" if value else "0"


# Declared in this order on purpose: when neither is on the command line, click handles
# them in declaration order, so a KOLBA_APP set in .env is in place when --app is read.
ENV_FILE_OPTION = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    envvar="KOLBA_ENV_FILE",
    is_eager=True,
    expose_value=False,
    callback=_take_env_file,
    help=(
        "Read environment variables from this file (needs python-dotenv). It wins over"
        " .env and .kolbaenv; variables already set in the environment win over all."
    ),
)
APP_OPTION = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    envvar="KOLBA_APP",
    is_eager=True,
    expose_value=False,
    callback=_take_app,
    help=(
        "The app to load, as 'module' or 'module:name'. The module is a dotted import"
        " name or a file path; name is an attribute or a factory call such as"
        " \"create_app('dev')\". Without a name kolba looks for app, application, a single"
        " app instance, then create_app() or make_app()."
    ),
)
DEBUG_OPTION = click.Option(
    ["--debug/--no-debug"],
    # KOLBA_DEBUG is read where it is used (get_debug_flag), with its own lenient rules
    # ("0", "false", "no" are off, any other value on); click would reject "2" or "dev".
    allow_from_autoenv=False,
    default=False,
    expose_value=False,
    callback=_take_debug,
    help="Turn debug mode on or off (KOLBA_DEBUG).",
)
VERSION_OPTION = click.Option(
    ["--version"],
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_show_version,
    help="Show the Python, kolba and click versions, then exit.",
)


def _default_commands() -> list[click.Command]:
    from .commands import routes_command, run_command, shell_command

    return [run_command, shell_command, routes_command]


class KolbaGroup(AppGroup):
    """The ``kolba`` command, and the base of custom management scripts.

    For a ``manage.py``, pass ``create_app`` (a callable returning the app) instead of
    relying on ``--app``. The group may be nested inside another click group.

    :param add_default_commands: add ``run``, ``shell`` and ``routes``.
    :param create_app: the app factory; ``--app`` is then not needed.
    :param add_version_option: add ``--version``.
    :param load_dotenv: read ``.env`` and ``.kolbaenv`` (``KOLBA_SKIP_DOTENV=1`` also
        turns this off).
    :param set_debug_flag: set ``app.debug`` from ``KOLBA_DEBUG``/``--debug``.
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
        params = [*(extra.pop("params", None) or ()), ENV_FILE_OPTION, APP_OPTION, DEBUG_OPTION]
        if add_version_option:
            params.append(VERSION_OPTION)
        settings = dict(extra.pop("context_settings", None) or {})
        # Gives every command's options an environment variable: KOLBA_RUN_PORT, ...
        settings.setdefault("auto_envvar_prefix", "KOLBA")
        super().__init__(params=params, context_settings=settings, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            for command in _default_commands():
                self.add_command(command)
        self._plugins_loaded = False

    # -- where commands come from ------------------------------------------------------

    def _load_plugins(self) -> None:
        """Add the commands other packages declare in the ``kolba.commands`` entry points.

        Built-in commands keep their names, and a plugin that fails to load is reported and
        skipped: one broken package must not take the whole command line down.
        """
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for entry in metadata.entry_points(group="kolba.commands"):
            if entry.name in self.commands:
                continue
            try:
                command = entry.load()
            except Exception as exc:
                click.secho(
                    f" * Skipped the plugin command {entry.name!r} ({entry.value}): loading"
                    f" it raised {type(exc).__name__}: {exc}",
                    fg="yellow",
                    err=True,
                )
                continue
            self.add_command(command, entry.name)

    def _app_cli(self, ctx: click.Context) -> click.Group | None:
        """The app's command group, or None when the app cannot be loaded (the error stays
        recorded on the ScriptInfo).
        """
        try:
            app = load_app_for_cli(ctx.ensure_object(ScriptInfo))
        except NoAppException:
            return None
        return t.cast(click.Group, app.cli)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load_plugins()
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        app_cli = self._app_cli(ctx)
        return None if app_cli is None else app_cli.get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugins()
        names = set(super().list_commands(ctx))
        info = ctx.ensure_object(ScriptInfo)
        self._settle_before_listing(ctx, info)
        try:
            app = load_app_for_cli(info)
        except NoAppException as exc:
            # Help must still be shown: the built-in commands are usable.
            click.secho(f"Error: {exc.format_message()}\n", err=True, fg="red")
        else:
            names.update(t.cast(click.Group, app.cli).list_commands(ctx))
        return sorted(names)

    def _settle_before_listing(self, ctx: click.Context, info: ScriptInfo) -> None:
        """Apply the env files and KOLBA_APP before listing commands for ``--help``.

        ``--help`` is handled as soon as it is read, which can be before the --env-file and
        --app options were taken from the environment; the app's commands would then be
        missing from the help.
        """
        if ctx.resilient_parsing or info.create_app is not None:
            return
        if not info.data.get(_DOTENV_DONE):
            info.data[_DOTENV_DONE] = True
            env_file = os.environ.get("KOLBA_ENV_FILE")
            if env_file or info.load_dotenv_defaults:
                load_dotenv(env_file, load_defaults=info.load_dotenv_defaults)
        if info.app_import_path is None and os.environ.get("KOLBA_APP"):
            info.app_import_path = os.environ["KOLBA_APP"]

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except click.UsageError as exc:
            # click words this "No such command"; say where commands come from instead.
            wanted = args[0] if args else ""
            if wanted.startswith("-") or self.get_command(ctx, wanted) is not None:
                raise
            raise click.UsageError(self._unknown_command_message(ctx, wanted), ctx) from exc
        if command is not None and name not in self.commands and not ctx.resilient_parsing:
            # A command of the app: push its context now, before the command's options are
            # parsed, so that parameter callbacks can use current_app.
            app = load_app_for_cli(ctx.ensure_object(ScriptInfo))
            if not has_app_context() or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
                ctx.with_resource(app.app_context())
        return name, command, rest

    def _unknown_command_message(self, ctx: click.Context, name: str) -> str:
        info = ctx.ensure_object(ScriptInfo)
        app_cli = self._app_cli(ctx)
        known = set(self.commands)
        if app_cli is not None:
            known.update(app_cli.list_commands(ctx))
        message = f"There is no command {name!r}."
        close = difflib.get_close_matches(name, sorted(known), n=3)
        if close:
            message += f" Did you mean {' or '.join(repr(c) for c in close)}?"
        message += f" Commands: {', '.join(sorted(known))}."
        failed = info.data.get(_LOAD_ERROR)
        if app_cli is None and failed is not None:
            message += (
                "\n\nThe app's own commands are missing because the app could not be"
                " loaded (name it with --app or the KOLBA_APP environment variable):\n"
                f"{failed[1].format_message()}"
            )
        else:
            message += (
                f" The app's own commands were read from {describe_app_source(info)};"
                " choose another app with --app or the KOLBA_APP environment variable."
            )
        return message

    # -- the context ---------------------------------------------------------------------

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        # app.run() looks at this: a module that calls app.run() at import time must not
        # start a second server (or block) while the kolba command loads it.
        os.environ["KOLBA_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)


__all__ = [
    "APP_OPTION",
    "DEBUG_OPTION",
    "ENV_FILE_OPTION",
    "VERSION_OPTION",
    "AppGroup",
    "KolbaGroup",
    "describe_app_source",
    "load_app_for_cli",
    "with_appcontext",
]

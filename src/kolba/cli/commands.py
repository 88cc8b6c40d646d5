"""The built-in commands: ``kolba run``, ``kolba routes`` and ``kolba shell``."""

from __future__ import annotations

import code
import importlib
import os
import ssl
import sys
import traceback
import typing as t

import click

from ..globals import current_app, g
from ..helpers import get_debug_flag
from .discovery import ScriptInfo
from .group import DEBUG_OPTION, load_app_for_cli, with_appcontext

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..app import Kolba

    # click 8.2 made ParamType generic; older versions cannot be subscripted at runtime.
    _ParamType = click.ParamType[t.Any]
else:
    _ParamType = click.ParamType

pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


# --- run ----------------------------------------------------------------------------------


class CertificateType(_ParamType):
    """``--cert``: a certificate file, ``adhoc``, or the import path of an
    :class:`ssl.SSLContext` (``mypkg.tls:context``).
    """

    name = "path|adhoc|import"

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        if isinstance(value, ssl.SSLContext):
            return value
        text = str(value)
        if os.path.isfile(text):
            return os.path.abspath(text)
        if text.lower() == "adhoc":
            try:
                importlib.import_module("cryptography")
            except ImportError:
                self.fail(
                    "'adhoc' makes a throwaway certificate with the cryptography package,"
                    " which is not installed. Install it (pip install cryptography), or"
                    " give a certificate file and its key: --cert cert.pem --key key.pem.",
                    param,
                    ctx,
                )
            return "adhoc"
        found = _import_quietly(text)
        if isinstance(found, ssl.SSLContext):
            return found
        self.fail(
            f"{text!r} is not a certificate file (none at {os.path.abspath(text)!r}), not"
            " 'adhoc', and not the import path of an ssl.SSLContext"
            + (f" (it names {type(found).__name__} object)." if found is not None else "."),
            param,
            ctx,
        )
        return None  # not reached: fail() raises


def _import_quietly(import_path: str) -> object:
    """The object at ``import_path``, or None when that is not importable."""
    from ..utils import import_string

    try:
        return import_string(import_path, silent=True)
    except Exception:
        # A value that is no import path at all ("..", "a b") is just not an SSLContext.
        return None


class PathListType(_ParamType):
    """Several paths or patterns in one value, separated by ``os.pathsep`` (``:`` on
    POSIX, ``;`` on Windows), as in ``PATH``.
    """

    name = "paths"

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> list[str]:
        if isinstance(value, (list, tuple)):
            return [str(item) for item in value]
        return [item for item in str(value).split(os.pathsep) if item]


def _tls_setting(cert: t.Any, key: str | None, key_param: click.Parameter) -> t.Any:
    """What ``run_simple`` takes as ``ssl_context`` for the given --cert and --key."""
    if key is not None:
        if cert is None:
            raise click.BadParameter(
                "--key needs --cert (the certificate file) too.", param=key_param
            )
        if cert == "adhoc":
            raise click.BadParameter(
                "--cert adhoc makes its own key; leave --key out.", param=key_param
            )
        if isinstance(cert, ssl.SSLContext):
            raise click.BadParameter(
                "--cert names an SSLContext, which already holds its key; leave --key out.",
                param=key_param,
            )
        return cert, key
    if isinstance(cert, str) and cert != "adhoc":
        raise click.BadParameter(
            "--cert with a certificate file needs --key with its private key file.",
            param=key_param,
        )
    return cert


class RunCommand(click.Command):
    """``kolba run``: checks --cert and --key together once both are read, whatever their
    order on the command line, and hands on the result as the ``cert`` parameter.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        key = ctx.params.pop("key", None)
        if not ctx.resilient_parsing:
            key_param = next(p for p in self.params if p.name == "key")
            ctx.params["cert"] = _tls_setting(ctx.params.get("cert"), key, key_param)
        return rest


def show_server_banner(debug: bool | None, app_import_path: str | None) -> None:
    """Print which app the development server runs and whether debug mode is on (once,
    in the process the user started, not again in the reloader's child).
    """
    from ..wsgi.reloader import is_running_from_reloader

    if is_running_from_reloader():
        return
    if app_import_path is not None:
        click.echo(f" * kolba app: {app_import_path}")
    if debug is not None:
        click.echo(f" * Debug mode: {'on' if debug else 'off'}")


def _app_to_serve(info: ScriptInfo) -> t.Any:
    """The app, or, in the reloader's child, a stand-in that raises the load error.

    When the reloader is on, a broken app must not end the server: the error is printed
    and raised on each request (the debugger shows it), and saving a fix reloads.
    """
    from ..wsgi.reloader import is_running_from_reloader

    if not is_running_from_reloader():
        return load_app_for_cli(info)
    try:
        return info.load_app()
    except Exception as exc:
        traceback.print_exc()
        error = exc

        def broken_app(environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
            raise error

        return broken_app


@click.command("run", cls=RunCommand, short_help="Serve the app with the development server.")
@click.option(
    "--host", "-h", default="127.0.0.1", show_default=True, help="The address to listen on."
)
@click.option(
    "--port",
    "-p",
    default=5000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The port to listen on.",
)
@click.option(
    "--cert",
    type=CertificateType(),
    help=(
        "Serve HTTPS with this certificate file (with --key), 'adhoc' (a throwaway"
        " certificate; needs cryptography), or the import path of an ssl.SSLContext."
    ),
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    help="The private key file of the --cert certificate.",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    help="Restart when a source file changes. Default: on in debug mode.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Show tracebacks in the browser. Default: on in debug mode.",
)
@click.option(
    "--with-threads/--without-threads",
    default=True,
    show_default=True,
    help="Handle each request in its own thread.",
)
@click.option(
    "--extra-files",
    type=PathListType(),
    default=None,
    help=f"More files whose changes restart the server, separated by {os.pathsep!r}.",
)
@click.option(
    "--exclude-patterns",
    type=PathListType(),
    default=None,
    help=f"fnmatch patterns of files whose changes never restart, separated by {os.pathsep!r}.",
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    cert: t.Any,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Serve the app on the development server.

    It is made for working on the app (the reloader and the debugger follow --debug). For
    production use a WSGI server such as gunicorn or waitress.
    """
    from ..wsgi.serving import run_simple

    app = _app_to_serve(info)
    debug = get_debug_flag()
    shown_name = info.app_import_path or getattr(app, "name", None)
    show_server_banner(debug, shown_name)
    run_simple(
        host,
        port,
        app,
        use_reloader=debug if reload is None else reload,
        use_debugger=debug if debugger is None else debugger,
        threaded=with_threads,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


# `kolba run --debug` and `kolba run --no-debug` mean what they mean before the command
# (`kolba --no-debug run`): ported `flask run --no-debug` command lines keep working. Listed
# first in the help, since --reload and --debugger default from it.
run_command.params.insert(0, DEBUG_OPTION)


# --- routes -------------------------------------------------------------------------------


@click.command("routes", short_help="List the app's routes.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    show_default=True,
    help="The column to sort by; 'match' is the order in which requests are matched.",
)
@click.option("--all-methods", is_flag=True, help="Also list HEAD and OPTIONS.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """List every URL rule of the app with its endpoint and methods."""
    url_map = current_app.url_map
    rules = list(url_map.iter_rules())
    if not rules:
        click.echo("No routes were registered.")
        return
    hidden = frozenset() if all_methods else frozenset({"HEAD", "OPTIONS"})
    by_host = bool(url_map.host_matching)
    rows = [
        {
            "endpoint": str(rule.endpoint),
            "methods": ", ".join(sorted(set(rule.methods or ()) - hidden)),
            "domain": str((rule.host if by_host else rule.subdomain) or ""),
            "rule": str(rule.rule),
        }
        for rule in rules
    ]
    if sort != "match":
        # A stable sort: rows with equal keys keep the match order.
        rows.sort(key=lambda row: row[sort])
    columns = [("Endpoint", "endpoint"), ("Methods", "methods")]
    if any(row["domain"] for row in rows):
        columns.append(("Host" if by_host else "Subdomain", "domain"))
    columns.append(("Rule", "rule"))
    widths = [max(len(title), *(len(row[key]) for row in rows)) for title, key in columns]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    click.echo(line([title for title, _ in columns]))
    click.echo(line(["-" * width for width in widths]))
    for row in rows:
        click.echo(line([row[key] for _, key in columns]))


# --- shell --------------------------------------------------------------------------------


def shell_namespace(app: Kolba) -> dict[str, t.Any]:
    """The names ``kolba shell`` starts with: ``app``, ``g``, and what each
    ``@app.shell_context_processor`` function returns (later ones win).

    An app (or subclass) with its own ``make_shell_context`` is asked instead.
    """
    own = getattr(app, "make_shell_context", None)
    if callable(own):
        return dict(own())
    names: dict[str, t.Any] = {"app": app, "g": g}
    for processor in app.shell_context_processors:
        names.update(processor())
    return names


def _run_startup_file(namespace: dict[str, t.Any]) -> None:
    """Run PYTHONSTARTUP in the shell's namespace, as the plain interpreter does."""
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, encoding="utf-8") as file:
            exec(compile(file.read(), startup, "exec"), namespace)


def _enable_line_editing(namespace: dict[str, t.Any]) -> None:
    """Set up readline as the interactive interpreter would, completing the shell's names.

    ``sys.__interactivehook__`` (set by :mod:`site`) turns on history and tab completion;
    rlcompleter would complete the names of ``__main__``, so it is pointed at the shell's
    namespace instead.
    """
    hook = getattr(sys, "__interactivehook__", None)
    if hook is None:
        return
    try:
        import readline
        from rlcompleter import Completer
    except ImportError:
        pass
    else:
        readline.set_completer(Completer(namespace).complete)
    hook()


@click.command("shell", short_help="Open a Python shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Open an interactive Python shell inside the app context.

    It starts with ``app``, ``g`` and the names of the app's shell context processors,
    after running the PYTHONSTARTUP file if there is one.
    """
    app = t.cast("Kolba", current_app._get_current_object())  # type: ignore[attr-defined]
    banner = "\n".join(
        [
            f"Python {sys.version} on {sys.platform}",
            f"App: {app.import_name}",
            f"Instance: {app.instance_path}",
        ]
    )
    namespace: dict[str, t.Any] = {}
    _run_startup_file(namespace)
    namespace.update(shell_namespace(app))
    _enable_line_editing(namespace)
    # InteractiveConsole writes its banner and prompts to stderr, as python itself does.
    code.interact(banner=banner, local=namespace)


__all__ = [
    "CertificateType",
    "PathListType",
    "RunCommand",
    "pass_script_info",
    "routes_command",
    "run_command",
    "shell_command",
    "shell_namespace",
    "show_server_banner",
]

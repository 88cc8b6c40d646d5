"""The built-in commands: ``kolba run``, ``kolba shell`` and ``kolba routes``."""

from __future__ import annotations

import code
import os
import sys
import traceback
import typing as t
from operator import itemgetter

import click

from ..globals import current_app
from ..helpers import get_debug_flag
from .discovery import ScriptInfo

pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


class CertParamType(click.ParamType):
    """``--cert``: a certificate file, ``adhoc``, or an import path to an SSLContext."""

    name = "path"

    def __init__(self) -> None:
        self.path_type = click.Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None) -> t.Any:
        try:
            import ssl
        except ImportError:  # pragma: no cover - Python without ssl
            raise click.BadParameter(
                'Using "--cert" requires Python to be compiled with SSL support.', ctx, param
            ) from None
        try:
            return self.path_type(value, param, ctx)
        except click.BadParameter:
            value = click.STRING(value, param, ctx).lower()
            if value == "adhoc":
                try:
                    import cryptography  # noqa: F401
                except ImportError:
                    raise click.BadParameter(
                        "Using ad-hoc certificates requires the cryptography library."
                        " Install it, or pass --cert and --key files.",
                        ctx,
                        param,
                    ) from None
                return value
            from ..utils import import_string

            obj = import_string(value, silent=True)
            if isinstance(obj, ssl.SSLContext):
                return obj
            raise


def _validate_key(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
    """``--key`` goes with a certificate file, not with adhoc or an SSLContext."""
    cert = ctx.params.get("cert")
    is_adhoc = cert == "adhoc"
    try:
        import ssl
    except ImportError:  # pragma: no cover
        is_context = False
    else:
        is_context = isinstance(cert, ssl.SSLContext)
    if value is not None:
        if is_adhoc:
            raise click.BadParameter('When "--cert" is "adhoc", "--key" is not used.', ctx, param)
        if is_context:
            raise click.BadParameter('When "--cert" is an SSLContext object, "--key" is not used.', ctx, param)
        if not cert:
            raise click.BadParameter('"--cert" must also be specified.', ctx, param)
        ctx.params["cert"] = cert, value
    elif cert and not (is_adhoc or is_context):
        raise click.BadParameter('Required when using "--cert".', ctx, param)
    return value


class SeparatedPathType(click.Path):
    """A list of paths separated by ``os.pathsep`` (``:`` on Unix)."""

    def convert(self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None) -> t.Any:
        items = self.split_envvar_value(value)
        return [super(SeparatedPathType, self).convert(item, param, ctx) for item in items]


def show_server_banner(debug: bool, app_import_path: str | None) -> None:
    """Print which app is served and whether debug mode is on."""
    from ..wsgi.serving import is_running_from_reloader

    if is_running_from_reloader():
        return
    if app_import_path is not None:
        click.echo(f" * Serving kolba app '{app_import_path}'")
    if debug is not None:
        click.echo(f" * Debug mode: {'on' if debug else 'off'}")


@click.command("run", short_help="Run a development server.")
@click.option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@click.option("--port", "-p", default=5000, help="The port to bind to.")
@click.option(
    "--cert",
    type=CertParamType(),
    help="Specify a certificate file to use HTTPS.",
    is_eager=True,
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_validate_key,
    expose_value=False,
    help="The key file to use when specifying a certificate.",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    help="Enable or disable the reloader. By default the reloader is active if debug is enabled.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Enable or disable the debugger. By default the debugger is active if debug is enabled.",
)
@click.option(
    "--with-threads/--without-threads",
    default=True,
    help="Enable or disable multithreading.",
)
@click.option(
    "--extra-files",
    default=None,
    type=SeparatedPathType(),
    help=(
        "Extra files that trigger a reload on change. Multiple paths are separated by"
        f" {os.path.pathsep!r}."
    ),
)
@click.option(
    "--exclude-patterns",
    default=None,
    type=SeparatedPathType(),
    help=(
        "Files matching these fnmatch patterns will not trigger a reload on change."
        f" Multiple patterns are separated by {os.path.pathsep!r}."
    ),
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    cert: t.Any,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Run a local development server. Not for production: use a production WSGI server
    such as gunicorn.
    """
    from ..wsgi.serving import is_running_from_reloader, run_simple

    app: t.Any
    try:
        app = info.load_app()
    except Exception as e:
        if is_running_from_reloader():
            # Keep the reloader alive so fixing the error reloads the app.
            traceback.print_exc()
            err = e

            def app(environ: t.Any, start_response: t.Any) -> t.Any:
                raise err from None

        else:
            raise e from None
    debug = get_debug_flag()
    if reload is None:
        reload = debug
    if debugger is None:
        debugger = debug
    show_server_banner(debug, info.app_import_path)
    run_simple(
        host,
        port,
        app,
        use_reloader=reload,
        use_debugger=debugger,
        threaded=with_threads,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


def make_shell_context() -> dict[str, t.Any]:
    """The names ``kolba shell`` starts with: ``app``, ``g`` and the processors' names."""
    from ..globals import g

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    maker = getattr(app, "make_shell_context", None)
    if maker is not None:
        return maker()  # type: ignore[no-any-return]
    rv: dict[str, t.Any] = {"app": app, "g": g}
    for processor in app.shell_context_processors:
        rv.update(processor())
    return rv


@click.command("shell", short_help="Run a shell in the app context.")
def shell_command() -> None:
    """Run an interactive Python shell in the app's context, with ``app`` and ``g`` and
    the names of ``@app.shell_context_processor`` functions.
    """
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {current_app.import_name}\n"
        f"Instance: {current_app.instance_path}"
    )
    ctx: dict[str, t.Any] = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup) as f:
            exec(compile(f.read(), startup, "exec"), ctx)
    ctx.update(make_shell_context())
    interactive_hook = getattr(sys, "__interactivehook__", None)
    if interactive_hook is not None:
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            readline.set_completer(Completer(ctx).complete)
        interactive_hook()
    code.interact(banner=banner, local=ctx)


@click.command("routes", short_help="Show the routes for the app.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    help=(
        "Method to sort routes by. 'match' is the order that kolba will match routes"
        " when dispatching a request."
    ),
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS methods.")
def routes_command(sort: str, all_methods: bool) -> None:
    """Show all registered routes with endpoints and methods."""
    rules = list(current_app.url_map.iter_rules())
    if not rules:
        click.echo("No routes were registered.")
        return
    ignored_methods = set() if all_methods else {"HEAD", "OPTIONS"}
    host_matching = current_app.url_map.host_matching
    has_domain = any(rule.host if host_matching else rule.subdomain for rule in rules)
    rows = []
    for rule in rules:
        row = [str(rule.endpoint), ", ".join(sorted((rule.methods or set()) - ignored_methods))]
        if has_domain:
            row.append((rule.host if host_matching else rule.subdomain) or "")
        row.append(rule.rule)
        rows.append(row)
    headers = ["Endpoint", "Methods"]
    sorts = ["endpoint", "methods"]
    if has_domain:
        headers.append("Host" if host_matching else "Subdomain")
        sorts.append("domain")
    headers.append("Rule")
    sorts.append("rule")
    try:
        rows.sort(key=itemgetter(sorts.index(sort)))
    except ValueError:
        pass
    rows.insert(0, headers)
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    rows.insert(1, ["-" * w for w in widths])
    template = "  ".join(f"{{{i}:<{w}}}" for i, w in enumerate(widths))
    for row in rows:
        click.echo(template.format(*row).rstrip())


__all__ = [
    "CertParamType",
    "SeparatedPathType",
    "pass_script_info",
    "routes_command",
    "run_command",
    "shell_command",
    "show_server_banner",
]

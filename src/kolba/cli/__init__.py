"""The ``kolba`` command line.

``kolba [--app IMPORT] [--env-file FILE] [--debug/--no-debug] COMMAND`` loads the app (see
:mod:`kolba.cli.discovery`) and runs one of its commands: the built-in ``run``, ``routes``
and ``shell`` (:mod:`kolba.cli.commands`), commands that installed packages declare in the
``kolba.commands`` entry point group, and the app's own (``@app.cli.command()``).
Options also come from the environment: ``KOLBA_APP``, ``KOLBA_DEBUG``, ``KOLBA_RUN_PORT``...
and from ``.env`` and ``.kolbaenv`` files (:mod:`kolba.cli.dotenv`).

For a project's own management script, make a :class:`KolbaGroup` with ``create_app``.
"""

from __future__ import annotations

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
from .group import AppGroup, KolbaGroup, with_appcontext

cli = KolbaGroup(
    name="kolba",
    help="""\
Run commands of a kolba app: serve it (run), list its URLs (routes), explore it in a
Python shell (shell), or run the commands the app defines.

The app is named with --app or the KOLBA_APP environment variable ('module',
'module:name', 'module:create_app(\"dev\")', or 'path/to/file.py'). Without either, kolba
loads wsgi.py or app.py from the current folder.
""",
)


def main() -> None:
    """The entry point of the ``kolba`` console script and of ``python -m kolba``."""
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

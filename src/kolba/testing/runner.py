"""Run an app's CLI commands in tests: ``app.test_cli_runner().invoke(args=["init-db"])``."""

from __future__ import annotations

import typing as t

from click.testing import CliRunner, Result

if t.TYPE_CHECKING:
    from ..app import Kolba


class KolbaCliRunner(CliRunner):
    """A click test runner bound to an app.

    :meth:`invoke` runs the app's command group unless given another command, and hands
    the commands a ``ScriptInfo`` that loads this very app, so ``with_appcontext``
    commands and ``current_app`` work without ``--app``.
    """

    def __init__(self, app: Kolba, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: t.Any = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Run ``cli`` (``app.cli`` by default) with ``args``; returns click's result, with
        ``output``, ``exit_code`` and ``exception``. ``kwargs`` go to click's ``invoke``
        (``input=``, ``env=``, ``catch_exceptions=``, ``obj=``...).
        """
        if cli is None:
            cli = self.app.cli
        if "obj" not in kwargs:
            from ..cli import ScriptInfo

            app = self.app
            kwargs["obj"] = ScriptInfo(create_app=lambda: app)
        return super().invoke(cli, args, **kwargs)


__all__ = ["KolbaCliRunner"]

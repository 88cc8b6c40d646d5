"""Invoking an app's CLI commands in tests."""

from __future__ import annotations

import typing as t

from click.testing import CliRunner, Result

if t.TYPE_CHECKING:
    from ..app import Kolba


class KolbaCliRunner(CliRunner):
    """A click test runner bound to an app: ``runner.invoke(args=["init-db"])``."""

    def __init__(self, app: Kolba, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: t.Any = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Run a command (the app's CLI group by default) with a ScriptInfo for the app."""
        if cli is None:
            cli = self.app.cli
        if "obj" not in kwargs:
            from ..cli import ScriptInfo

            kwargs["obj"] = ScriptInfo(create_app=lambda: self.app)
        return super().invoke(cli, args, **kwargs)


__all__ = ["KolbaCliRunner"]

"""Loading ``.env`` and ``.kolbaenv`` files (with python-dotenv, when installed)."""

from __future__ import annotations

import os

import click


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Load environment variables from ``.kolbaenv`` and ``.env`` (searched upward from the
    current directory) and from ``path``.

    Precedence: the real environment, then ``path``, then ``.env``, then ``.kolbaenv``.
    The working directory is not changed. Returns whether any variable was read.
    """
    try:
        import dotenv
    except ImportError:
        if path or os.path.isfile(".env") or os.path.isfile(".kolbaenv"):
            click.secho(
                " * Tip: There are .env files present. Install python-dotenv to use them.",
                fg="yellow",
                err=True,
            )
        return False
    data: dict[str, str | None] = {}
    if load_defaults:
        for default_name in (".kolbaenv", ".env"):
            default_path = dotenv.find_dotenv(default_name, usecwd=True)
            if not default_path:
                continue
            data |= dotenv.dotenv_values(default_path, encoding="utf-8")
    if path is not None and os.path.isfile(path):
        data |= dotenv.dotenv_values(path, encoding="utf-8")
    for key, value in data.items():
        if key in os.environ or value is None:
            continue
        os.environ[key] = value
    return bool(data)


__all__ = ["load_dotenv"]

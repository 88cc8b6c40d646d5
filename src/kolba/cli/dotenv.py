"""Environment files: ``.env`` and ``.kolbaenv``, read with python-dotenv when it is installed.

Both files are looked for in the working folder and then in each folder above it, so the
``kolba`` command works from anywhere inside a project. Values never replace variables
that are already set in the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

#: The default files, the weakest first: ``.env`` (private settings) wins over
#: ``.kolbaenv`` (the project's shared defaults, usually committed).
DEFAULT_FILES = (".kolbaenv", ".env")


def find_upward(name: str, start: str | os.PathLike[str] | None = None) -> Path | None:
    """The file ``name`` in ``start`` (default: the working folder) or the nearest folder
    above it; None if there is none.
    """
    folder = Path(start if start is not None else os.getcwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / name
        if path.is_file():
            return path
    return None


def _show_install_tip(files: list[str]) -> None:
    click.secho(
        f" * Tip: {', '.join(files)} found but not loaded: reading environment files needs"
        " python-dotenv (pip install python-dotenv).",
        fg="yellow",
        err=True,
    )


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Set environment variables from ``path`` and, with ``load_defaults``, from the
    nearest ``.env`` and ``.kolbaenv``.

    The real environment wins over ``path``, which wins over ``.env``, which wins over
    ``.kolbaenv``. Files are read as UTF-8; the working folder is not changed. Returns
    True if any variable was read. Without python-dotenv nothing is loaded, and a tip is
    printed when such files exist.
    """
    layers: list[Path] = []  # the weakest first
    if load_defaults:
        for name in DEFAULT_FILES:
            found = find_upward(name)
            if found is not None:
                layers.append(found)
    if path is not None and os.path.isfile(path):
        layers.append(Path(path))
    try:
        import dotenv
    except ImportError:
        if layers or path is not None:
            _show_install_tip([str(layer) for layer in layers] or [os.fspath(path or "")])
        return False
    merged: dict[str, str] = {}
    for layer in layers:
        for key, value in dotenv.dotenv_values(layer, encoding="utf-8").items():
            # A bare "KEY" line has no value: it must not hide a weaker file's value.
            if value is not None:
                merged[key] = value
    for key, value in merged.items():
        os.environ.setdefault(key, value)
    return bool(merged)


__all__ = ["DEFAULT_FILES", "find_upward", "load_dotenv"]

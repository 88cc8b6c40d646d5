"""Fixtures for the seed differential tests (Flask vs kolba on the user's own snippets).

The shared helpers live in ``differential.py`` beside this file; tests import them as
``seeds_differential`` (pytest runs with --import-mode=importlib, so this folder is not on
``sys.path``: the module is registered here once, under a name no other test uses).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_NAME = "seeds_differential"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        _NAME, Path(__file__).with_name("differential.py")
    )
    assert _spec is not None
    assert _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    """Put back the environment, working folder and import path the snippets changed
    (``flask``/``kolba`` commands set ``*_RUN_FROM_CLI``, apps read ``*_DEBUG``...).
    """
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    for key in list(os.environ):
        if key.startswith(("FLASK_", "KOLBA_")):
            del os.environ[key]
    yield
    os.environ.clear()
    os.environ.update(saved_environ)
    os.chdir(saved_cwd)
    sys.path[:] = saved_path

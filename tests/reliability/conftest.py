"""Shared set-up of the reliability tests.

The raw HTTP client and the live-server helper live in ``reliability_wire.py`` beside this
file; putting this folder on ``sys.path`` lets every test module here (and scripts/soak.py)
import it as a plain module under ``--import-mode=importlib``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(autouse=True)
def _restore_kolba_logger() -> Iterator[None]:
    """Starting a server configures the shared "kolba" logger; undo that afterwards."""
    from kolba.wsgi import serving

    logger = logging.getLogger("kolba")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]
    serving._configured_logger = None

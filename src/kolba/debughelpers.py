"""Debug-mode helpers (the ``flask.debughelpers`` role)."""

from __future__ import annotations

from .wrappers import DebugFilesKeyError as DebugFilesKeyError

__all__ = ["DebugFilesKeyError"]

"""Data structures apps use directly (the ``werkzeug.datastructures`` role)."""

from __future__ import annotations

from .sansio.datastructures import *  # noqa: F403
from .sansio.datastructures import __all__ as _containers
from .sansio.header_types import *  # noqa: F403
from .sansio.header_types import __all__ as _header_types
from .wsgi.request import EnvironHeaders as EnvironHeaders

__all__ = [*_containers, *_header_types, "EnvironHeaders"]

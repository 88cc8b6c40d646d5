"""HTTP header parsing and formatting (the ``werkzeug.http`` role)."""

from __future__ import annotations

from .sansio.http import *  # noqa: F403
from .sansio.http import __all__ as _http_all
from .sansio.status import HTTP_STATUS_CODES as HTTP_STATUS_CODES

__all__ = [*_http_all, "HTTP_STATUS_CODES"]

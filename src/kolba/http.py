"""HTTP header parsing and formatting (the ``werkzeug.http`` role).

The functions live in :mod:`kolba.sansio.http`; this module is the name apps import.
"""

from __future__ import annotations

from .sansio.http import *  # noqa: F403  (its __all__ is the werkzeug.http surface)
from .sansio.http import __all__ as _sansio_http_all
from .sansio.status import HTTP_STATUS_CODES as HTTP_STATUS_CODES

# One list to keep: the sansio module's names, plus the status table werkzeug.http also offers.
__all__ = [*_sansio_http_all, "HTTP_STATUS_CODES"]  # noqa: PLE0604

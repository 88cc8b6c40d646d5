"""HTTP exceptions (the ``werkzeug.exceptions`` role): ``raise NotFound()`` in a view."""

from __future__ import annotations

from .sansio.exceptions import *  # noqa: F403
from .sansio.exceptions import __all__ as __all__

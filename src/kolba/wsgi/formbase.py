"""What the form parsers share: where uploads are spooled, and the errors they answer."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

from ..sansio.exceptions import BadRequest, RequestEntityTooLarge

#: An uploaded file up to this size stays in memory; a larger one goes to a temporary file.
SPOOL_MAX_SIZE = 500 * 1024

#: ``stream_factory(total_content_length, content_type, filename, content_length)``
StreamFactory = Callable[[int | None, str | None, str | None, int | None], IO[bytes]]


def default_stream_factory(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None = None,
    content_length: int | None = None,
) -> IO[bytes]:
    """Return the file an upload is written to: in memory up to :data:`SPOOL_MAX_SIZE`
    bytes, then an anonymous temporary file that is deleted when closed.
    """
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE, mode="w+b")


def too_large(problem: str, setting: str) -> RequestEntityTooLarge:
    """A 413 whose message says what was too large and which setting raises the limit."""
    return RequestEntityTooLarge(
        f"{problem} Raise {setting} (or request.{setting.lower()}) to accept it."
    )


class MalformedFormError(BadRequest):
    """400: a form body that cannot be parsed (a broken multipart body, say)."""


__all__ = [
    "SPOOL_MAX_SIZE",
    "MalformedFormError",
    "StreamFactory",
    "default_stream_factory",
    "too_large",
]

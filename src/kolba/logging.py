"""``app.logger``: a standard logger named after the app, writing to the WSGI error stream."""

from __future__ import annotations

import logging
import sys
import typing as t

from .globals import _cv_request
from .local import LocalProxy

if t.TYPE_CHECKING:
    from .app import Kolba


def _errors_stream() -> t.TextIO:
    ctx = _cv_request.get(None)
    if ctx is not None:
        return ctx.request.environ["wsgi.errors"]  # type: ignore[no-any-return]
    return sys.stderr


#: The request's ``wsgi.errors`` stream during a request, ``sys.stderr`` otherwise.
wsgi_errors_stream: t.TextIO = LocalProxy(_errors_stream)  # type: ignore[assignment]


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a handler on ``logger`` or its parents would show its effective level."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


#: Added to the app logger when nothing else would show its messages.
default_handler = logging.StreamHandler(wsgi_errors_stream)
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def create_logger(app: Kolba) -> logging.Logger:
    """Return ``logging.getLogger(app.name)``, set to DEBUG in debug mode, with the
    default handler added if no configured handler would show its records.
    """
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger


__all__ = ["create_logger", "default_handler", "has_level_handler", "wsgi_errors_stream"]

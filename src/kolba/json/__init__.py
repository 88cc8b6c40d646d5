"""JSON helpers that use the current app's provider (``app.json``) when one is active."""

from __future__ import annotations

import json as _json
import typing as t

from ..globals import _app_ctx_or_none, _get_app

if t.TYPE_CHECKING:
    from ..wrappers import Response


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialize to JSON with ``current_app.json``, or the standard library outside an app."""
    ctx = _app_ctx_or_none()
    if ctx is not None:
        return ctx.app.json.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    return _json.dumps(obj, **kwargs)


def dump(obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
    """Serialize to a text file."""
    ctx = _app_ctx_or_none()
    if ctx is not None:
        ctx.app.json.dump(obj, fp, **kwargs)
        return
    kwargs.setdefault("default", _default)
    _json.dump(obj, fp, **kwargs)


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    """Parse JSON with ``current_app.json``, or the standard library outside an app."""
    ctx = _app_ctx_or_none()
    if ctx is not None:
        return ctx.app.json.loads(s, **kwargs)
    return _json.loads(s, **kwargs)


def load(fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
    """Parse JSON from a file."""
    ctx = _app_ctx_or_none()
    if ctx is not None:
        return ctx.app.json.load(fp, **kwargs)
    return _json.load(fp, **kwargs)


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """A JSON response: ``jsonify(a=1)``, ``jsonify([1, 2])``, ``jsonify(1, 2)`` (a list).

    Uses ``current_app.json.response``; needs an application context.
    """
    return _get_app().json.response(*args, **kwargs)


def _default(o: t.Any) -> t.Any:
    from .provider import _default as provider_default

    return provider_default(o)


__all__ = ["dump", "dumps", "jsonify", "load", "loads"]

"""The context-bound names: ``current_app``, ``g``, ``request`` and ``session``."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from .local import LocalProxy

if TYPE_CHECKING:
    from .app import Kolba
    from .ctx import AppContext, RequestContext, _AppCtxGlobals
    from .sessions import SessionMixin
    from .wrappers import Request

_no_app_msg = """\
Working outside of application context.

This typically means that you attempted to use functionality that needed
the current application (current_app, g, url_for outside a request). To fix
this, set up an application context with app.app_context(), for example:

    with app.app_context():
        ...
"""
_no_req_msg = """\
Working outside of request context.

This typically means that you attempted to use functionality that needed
an active HTTP request (request, session). Code that runs during a request
has one; to run code as if in a request, for example in a test, use
app.test_request_context():

    with app.test_request_context("/path"):
        ...
"""

_cv_app: ContextVar[AppContext] = ContextVar("kolba.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("kolba.request_ctx")

# A request context that is also its own application context (none was active when it
# was pushed) is kept in _cv_request only; _cv_app is set only by an application context
# pushed on its own, or by a request of another app than the active one (to shadow it).
# PERF: that saves a ContextVar set and reset per request, the dearest part of a push.
# So the current application context is _cv_app's value if set, else the request's.


def _app_ctx_or_none() -> AppContext | None:
    """The current application context, or None."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return _cv_request.get(None)
    return ctx


def _get_app_ctx() -> AppContext:
    ctx = _cv_app.get(None)
    if ctx is None:
        ctx = _cv_request.get(None)
        if ctx is None:
            raise RuntimeError(_no_app_msg)
    return ctx


def _get_app() -> Kolba:
    ctx = _cv_app.get(None)
    if ctx is None:
        ctx = _cv_request.get(None)
        if ctx is None:
            raise RuntimeError(_no_app_msg)
    return ctx.app


def _get_g() -> _AppCtxGlobals:
    ctx = _cv_app.get(None)
    if ctx is None:
        ctx = _cv_request.get(None)
        if ctx is None:
            raise RuntimeError(_no_app_msg)
    return ctx.g


app_ctx: AppContext = LocalProxy(_get_app_ctx)  # type: ignore[assignment]
current_app: Kolba = LocalProxy(_get_app)  # type: ignore[assignment]
g: _AppCtxGlobals = LocalProxy(_get_g)  # type: ignore[assignment]
request_ctx: RequestContext = LocalProxy(_cv_request, unbound_message=_no_req_msg)  # type: ignore[assignment]
request: Request = LocalProxy(_cv_request, "request", unbound_message=_no_req_msg)  # type: ignore[assignment]
session: SessionMixin = LocalProxy(_cv_request, "session", unbound_message=_no_req_msg)  # type: ignore[assignment]


__all__ = ["app_ctx", "current_app", "g", "request", "request_ctx", "session"]

"""Debug-mode helpers (the ``flask.debughelpers`` role)."""

from __future__ import annotations

import typing as t

from .wrappers import DebugFilesKeyError as DebugFilesKeyError

if t.TYPE_CHECKING:
    from .wrappers import Request


class FormDataRoutingRedirect(AssertionError):
    """A request with a body was routed to a redirect that clients follow as GET.

    Raised in debug mode only, in place of a 301/302 slash redirect for a POST (or other
    body-carrying method): a browser would follow it without the form data.
    """

    def __init__(self, request: Request) -> None:
        exc = request.routing_exception
        new_url = getattr(exc, "new_url", "")
        message = (
            f"The {request.method} request to {request.url!r} was redirected to the canonical"
            f" URL {new_url!r} with code {getattr(exc, 'code', None)}, and clients resend a"
            " redirected request of that kind as GET, dropping its body. Send the request to"
            f" {new_url!r} directly (for a form, fix its action attribute), or keep the"
            " default 308 redirect code, which preserves the method and the body."
        )
        super().__init__(message)


__all__ = ["DebugFilesKeyError", "FormDataRoutingRedirect"]

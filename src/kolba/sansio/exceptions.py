"""The HTTP exception tree: raise one anywhere in a view to answer with its status code.

Each :class:`HTTPException` knows its code, name and description, renders a small HTML error
page, and is itself a WSGI application, so a view may return ``NotFound()`` as a response.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NoReturn

from markupsafe import Markup, escape

from .status import HTTP_STATUS_CODES

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..wsgi.response import Response


#: The default page of each exception class, rendered on first use.
_PAGES: dict[type, str] = {}


class HTTPException(Exception):
    """Base class of every HTTP error. Subclasses set ``code`` and ``description``.

    ``response``, when given, is returned as is by :meth:`get_response` (``abort(resp)``).
    """

    code: int | None = None
    description: str | None = None

    def __init__(self, description: str | None = None, response: Response | None = None) -> None:
        super().__init__()
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self) -> str:
        """The reason phrase of the status code (``"Not Found"``)."""
        return HTTP_STATUS_CODES.get(self.code or 0, "Unknown Error")

    def get_description(self, environ: Any = None, scope: Any = None) -> str:
        """Return the description as an HTML paragraph, escaped, line breaks kept."""
        description = escape(self.description or "").replace("\n", Markup("<br>"))
        return f"<p>{description}</p>"

    def get_body(self, environ: Any = None, scope: Any = None) -> str:
        """Return the HTML error page."""
        name = escape(self.name)
        return (
            "<!doctype html>\n<html lang=en>\n"
            f"<title>{self.code} {name}</title>\n"
            f"<h1>{name}</h1>\n"
            f"{self.get_description(environ)}\n"
        )

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        """Return the headers of the error response."""
        return [("Content-Type", "text/html; charset=utf-8")]

    def get_response(self, environ: Any = None, scope: Any = None) -> Response:
        """Return a response for this error (the ``response`` given, or the HTML page)."""
        from ..wsgi.response import Response

        if self.response is not None:
            return self.response
        cls = type(self)
        if (
            cls.get_body is HTTPException.get_body
            and cls.get_description is HTTPException.get_description
            and self.description is cls.description
            and self.code is cls.code
        ):
            # PERF: the stock page of a class (the routing 404, say) is the same every time;
            # render it once instead of escaping it again per request.
            body = _PAGES.get(cls)
            if body is None:
                body = _PAGES[cls] = self.get_body(environ, scope)
        else:
            body = self.get_body(environ, scope)
        headers = self.get_headers(environ, scope)
        if type(self).get_headers is not HTTPException.get_headers:
            # Headers from arguments (www_authenticate, retry_after, valid_methods...) or a
            # subclass: checked like any header an app sets. The plain page's are known.
            from .datastructures import _header_name, _header_value

            headers = [(_header_name(k), _header_value(v)) for k, v in headers]
        return Response._prepared(body, self.code or 500, headers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a WSGI request with this error."""
        return self.get_response(environ)(environ, start_response)

    def __str__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"{code} {self.name}: {self.description}"

    def __repr__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"<{type(self).__name__} '{code}: {self.name}'>"


class BadRequest(HTTPException):
    """400: the request was malformed."""

    code = 400
    description = (
        "The browser (or proxy) sent a request that this server could not understand."
        " Check the request's syntax and parameters and send it again."
    )


class BadRequestKeyError(BadRequest, KeyError):
    """400 raised by ``request.form[key]`` and friends for a missing key.

    It is a KeyError too. With ``show_exception`` (debug mode) the description names the key.
    """

    _description = BadRequest.description
    #: Name the missing key in the description (set in debug mode).
    show_exception = False

    def __init__(self, arg: object = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if arg is None:
            KeyError.__init__(self)
        else:
            KeyError.__init__(self, arg)

    @property
    def description(self) -> str:
        if self.show_exception:
            return f"{self._description}\n{KeyError.__name__}: {KeyError.__str__(self)}"
        return self._description

    @description.setter
    def description(self, value: str) -> None:
        self._description = value

    def __str__(self) -> str:
        return HTTPException.__str__(self)


class ClientDisconnected(BadRequest):
    """400: the client went away before sending the whole body."""

    description = (
        "The client disconnected before the whole request body arrived; the request was"
        " not processed."
    )


class SecurityError(BadRequest):
    """400: the request looked like an attack (such as a path escaping its folder)."""


class BadHost(BadRequest):
    """400: the Host header is malformed or not among TRUSTED_HOSTS."""

    description = (
        "The Host header of the request is malformed or names a host this server does not"
        " serve. Send a Host listed in the server's TRUSTED_HOSTS."
    )


class Unauthorized(HTTPException):
    """401: authentication is required. ``www_authenticate`` adds WWW-Authenticate headers."""

    code = 401
    description = (
        "The server could not verify that you are authorized to access the URL requested."
        " Supply valid credentials (for example a correct username and password)."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        www_authenticate: Any = None,
    ) -> None:
        super().__init__(description, response)
        if www_authenticate is not None and not isinstance(www_authenticate, (list, tuple)):
            www_authenticate = (www_authenticate,)
        self.www_authenticate = www_authenticate

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.www_authenticate:
            headers.extend(("WWW-Authenticate", str(value)) for value in self.www_authenticate)
        return headers


class Forbidden(HTTPException):
    """403: the request is understood but not allowed."""

    code = 403
    description = (
        "You don't have the permission to access the requested resource. It is either"
        " read-protected or not readable by the server."
    )


class NotFound(HTTPException):
    """404: no resource at this URL."""

    code = 404
    description = (
        "The requested URL was not found on the server. If you entered the URL manually,"
        " check the spelling and try again."
    )


class MethodNotAllowed(HTTPException):
    """405: the URL exists but not for this method. ``valid_methods`` fills ``Allow``."""

    code = 405
    description = "The method is not allowed for the requested URL."

    def __init__(
        self,
        valid_methods: Iterable[str] | None = None,
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.valid_methods = valid_methods

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.valid_methods:
            headers.append(("Allow", ", ".join(self.valid_methods)))
        return headers


class NotAcceptable(HTTPException):
    """406: no representation matches the request's Accept headers."""

    code = 406
    description = (
        "The resource identified by the request can only produce responses whose content"
        " type is not acceptable according to the Accept headers sent in the request."
    )


class RequestTimeout(HTTPException):
    """408: the client took too long to send the request."""

    code = 408
    description = (
        "The server closed the network connection because the browser did not finish the"
        " request within the time allowed."
    )


class Conflict(HTTPException):
    """409: the request conflicts with the resource's current state."""

    code = 409
    description = (
        "A conflict happened while processing the request. The resource might have been"
        " modified since the request was made."
    )


class Gone(HTTPException):
    """410: the resource existed but is gone for good."""

    code = 410
    description = (
        "The requested URL is no longer available on this server and there is no forwarding"
        " address. Remove links and bookmarks to it."
    )


class LengthRequired(HTTPException):
    """411: the request must state its Content-Length."""

    code = 411
    description = "A request with this method requires a valid Content-Length header."


class PreconditionFailed(HTTPException):
    """412: a conditional header (If-Match and friends) did not hold."""

    code = 412
    description = "The precondition on the request for the URL failed positive evaluation."


class RequestEntityTooLarge(HTTPException):
    """413: the body (or a part of it) is larger than the configured limit."""

    code = 413
    description = (
        "The data value transmitted exceeds the capacity limit. The server's"
        " MAX_CONTENT_LENGTH setting bounds the body size."
    )


class RequestURITooLarge(HTTPException):
    """414: the URL is too long for the server."""

    code = 414
    description = "The length of the requested URL exceeds the capacity limit for this server."


class UnsupportedMediaType(HTTPException):
    """415: the body's content type is not one this endpoint reads."""

    code = 415
    description = (
        "The server does not support the media type transmitted in the request."
        " Send the body with a Content-Type this endpoint accepts."
    )


class RequestedRangeNotSatisfiable(HTTPException):
    """416: the Range header cannot be served. ``length`` fills ``Content-Range``."""

    code = 416
    description = "The server cannot provide the requested range."

    def __init__(
        self,
        length: int | None = None,
        units: str = "bytes",
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.length = length
        self.units = units

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.length is not None:
            headers.append(("Content-Range", f"{self.units} */{self.length}"))
        return headers


class ExpectationFailed(HTTPException):
    """417: the server cannot meet the Expect header."""

    code = 417
    description = "The server could not meet the requirements of the Expect header."


class ImATeapot(HTTPException):
    """418: the server refuses to brew coffee because it is a teapot."""

    code = 418
    description = "This server is a teapot, not a coffee machine."


class MisdirectedRequest(HTTPException):
    """421: the request reached a server that cannot answer for this host."""

    code = 421
    description = "The server is not able to produce a response for this host and scheme."


class UnprocessableEntity(HTTPException):
    """422: the body is well formed but its content is invalid."""

    code = 422
    description = (
        "The request was well-formed but could not be processed because of semantic errors."
    )


class Locked(HTTPException):
    """423: the resource is locked."""

    code = 423
    description = "The resource that is being accessed is locked."


class FailedDependency(HTTPException):
    """424: the request depended on another request that failed."""

    code = 424
    description = (
        "The method could not be performed on the resource because the requested action"
        " depended on another action and that action failed."
    )


class PreconditionRequired(HTTPException):
    """428: the request must be conditional (send If-Match or If-Unmodified-Since)."""

    code = 428
    description = (
        "This request is required to be conditional. Send an If-Match or"
        " If-Unmodified-Since header."
    )


class _RetryAfter(HTTPException):
    """Adds ``Retry-After`` (seconds or a datetime) to the response."""

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        retry_after: Any = None,
    ) -> None:
        super().__init__(description, response)
        self.retry_after = retry_after

    def get_headers(self, environ: Any = None, scope: Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.retry_after:
            from datetime import datetime

            if isinstance(self.retry_after, datetime):
                from .http import http_date

                value = http_date(self.retry_after)
            else:
                value = str(self.retry_after)
            headers.append(("Retry-After", value))
        return headers


class TooManyRequests(_RetryAfter):
    """429: the client sent too many requests; ``retry_after`` says when to try again."""

    code = 429
    description = (
        "This user has exceeded an allotted request count. Wait before sending more requests."
    )


class RequestHeaderFieldsTooLarge(HTTPException):
    """431: one header, or all of them, are too large."""

    code = 431
    description = "One or more header fields exceeds the maximum size."


class UnavailableForLegalReasons(HTTPException):
    """451: the resource is withheld for legal reasons."""

    code = 451
    description = "Unavailable for legal reasons."


class InternalServerError(HTTPException):
    """500: the server failed. ``original_exception`` holds the unhandled error, if any."""

    code = 500
    description = (
        "The server encountered an internal error and was unable to complete your request."
        " Either the server is overloaded or there is an error in the application."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        original_exception: BaseException | None = None,
    ) -> None:
        self.original_exception = original_exception
        super().__init__(description=description, response=response)


class NotImplemented(HTTPException):
    """501: the server does not support the requested functionality."""

    code = 501
    description = "The server does not support the action requested by the browser."


class BadGateway(HTTPException):
    """502: an upstream server sent an invalid response."""

    code = 502
    description = "The proxy server received an invalid response from an upstream server."


class ServiceUnavailable(_RetryAfter):
    """503: the server cannot answer now; ``retry_after`` says when to try again."""

    code = 503
    description = (
        "The server is temporarily unable to service your request due to maintenance"
        " downtime or capacity problems. Please try again later."
    )


class GatewayTimeout(HTTPException):
    """504: an upstream server did not answer in time."""

    code = 504
    description = "The connection to an upstream server timed out."


class HTTPVersionNotSupported(HTTPException):
    """505: the HTTP version of the request is not supported."""

    code = 505
    description = "The server does not support the HTTP protocol version used in the request."


def _collect_defaults() -> dict[int, type[HTTPException]]:
    found: dict[int, type[HTTPException]] = {}
    pending: list[type[HTTPException]] = [HTTPException]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        code = cls.__dict__.get("code")
        if isinstance(code, int) and not cls.__name__.startswith("_"):
            found.setdefault(code, cls)
    # Subclasses such as BadRequestKeyError share a code; the class that declares it wins.
    return dict(sorted(found.items()))


#: The exception class for each status code, as ``abort`` looks it up.
default_exceptions: dict[int, type[HTTPException]] = _collect_defaults()


class Aborter:
    """Raises the HTTPException for a code: ``aborter(404)``. ``mapping`` can be extended."""

    def __init__(
        self,
        mapping: dict[int, type[HTTPException]] | None = None,
        extra: dict[int, type[HTTPException]] | None = None,
    ) -> None:
        self.mapping = dict(default_exceptions if mapping is None else mapping)
        if extra:
            self.mapping.update(extra)

    def __call__(self, code: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
        """Raise the exception for ``code``, or an HTTPException carrying a Response."""
        if not isinstance(code, int):
            raise HTTPException(response=code)
        if code not in self.mapping:
            raise LookupError(
                f"no exception for {code!r}: register one with aborter.mapping[{code}] = cls"
            )
        raise self.mapping[code](*args, **kwargs)


_aborter = Aborter()


def abort(status: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
    """Raise the HTTPException for ``status`` (``abort(404)``, ``abort(403, "why")``)."""
    _aborter(status, *args, **kwargs)


__all__ = [
    "Aborter",
    "BadGateway",
    "BadHost",
    "BadRequest",
    "BadRequestKeyError",
    "ClientDisconnected",
    "Conflict",
    "ExpectationFailed",
    "FailedDependency",
    "Forbidden",
    "GatewayTimeout",
    "Gone",
    "HTTPException",
    "HTTPVersionNotSupported",
    "ImATeapot",
    "InternalServerError",
    "LengthRequired",
    "Locked",
    "MethodNotAllowed",
    "MisdirectedRequest",
    "NotAcceptable",
    "NotFound",
    "NotImplemented",
    "PreconditionFailed",
    "PreconditionRequired",
    "RequestEntityTooLarge",
    "RequestHeaderFieldsTooLarge",
    "RequestTimeout",
    "RequestURITooLarge",
    "RequestedRangeNotSatisfiable",
    "SecurityError",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnavailableForLegalReasons",
    "UnprocessableEntity",
    "UnsupportedMediaType",
    "abort",
    "default_exceptions",
]

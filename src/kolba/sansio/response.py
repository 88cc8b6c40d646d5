"""The protocol-independent part of a response: status, headers, cookies and their meaning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from .datastructures import CallbackDict, Headers, HeaderSet
from .header_types import ContentRange, ResponseCacheControl, WWWAuthenticate
from .http import (
    dump_age,
    dump_cookie,
    dump_header,
    dump_options_header,
    http_date,
    parse_age,
    parse_cache_control_header,
    parse_content_range_header,
    parse_date,
    parse_options_header,
    parse_set_header,
    quote_etag,
    unquote_etag,
)
from .status import parse_status, status_line

_T = TypeVar("_T")

# Non-text types that still carry text in a charset (Flask adds one to these too).
_TEXT_CHARSET_TYPES = frozenset(
    (
        "application/ecmascript",
        "application/javascript",
        "application/sql",
        "application/xml",
        "application/xml-dtd",
        "application/xml-external-parsed-entity",
    )
)


def mimetype_with_charset(mimetype: str, charset: str = "utf-8") -> str:
    """Add ``; charset=...`` to text types (``text/*``, ``*+xml``, XML, JavaScript, SQL).

    A mimetype that already names a charset is kept as it is.
    """
    if not (
        mimetype.startswith("text/") or mimetype in _TEXT_CHARSET_TYPES or mimetype.endswith("+xml")
    ):
        return mimetype
    if ";" in mimetype and "charset=" in mimetype.lower():
        return mimetype
    return f"{mimetype}; charset={charset}"


# PERF: Content-Type values already worked out (charset added) and checked for CR/LF, by
# mimetype, so building a response does not redo either; bounded, since mimetypes come
# from code and the mimetypes table, not from requests.
_CONTENT_TYPES: dict[str, str] = {}
_CONTENT_TYPES_MAX = 256


def _checked_content_type(mimetype: str) -> str:
    content_type = _CONTENT_TYPES.get(mimetype)
    if content_type is None:
        content_type = mimetype_with_charset(mimetype)
        Headers([("Content-Type", content_type)])  # raises ValueError for a bad value
        if len(_CONTENT_TYPES) < _CONTENT_TYPES_MAX:
            _CONTENT_TYPES[mimetype] = content_type
    return content_type


def _replace_header(headers: Headers, name: str, value: str) -> None:
    """Set header ``name`` to a value already known to be valid, replacing any existing.

    The framework's own values (a length, a checked content type) skip the per-value
    validation of ``Headers.set``: PERF, about a third of its cost.
    """
    lname = name.lower()
    lst = headers._list
    for idx, item in enumerate(lst):
        if item[0].lower() == lname:
            lst[idx] = (name, value)
            if idx + 1 < len(lst):
                lst[idx + 1 :] = [x for x in lst[idx + 1 :] if x[0].lower() != lname]
            return
    lst.append((name, value))


class header_property(Generic[_T]):
    """A response attribute stored in a header, converted on the way in and out."""

    def __init__(
        self,
        name: str,
        doc: str,
        load: Callable[[str], Any] | None = None,
        dump: Callable[[Any], str] | None = None,
        read_only: bool = False,
    ) -> None:
        self.name = name
        self.__doc__ = doc
        self.load = load
        self.dump = dump
        self.read_only = read_only

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.headers.get(self.name)
        if value is None or self.load is None:
            return value
        try:
            return self.load(value)
        except (ValueError, TypeError):
            # A header the app set by hand that does not parse reads as missing, the way
            # an unparsable request header does.
            return None

    def __set__(self, obj: Any, value: Any) -> None:
        if self.read_only:
            raise AttributeError(f"{self.name} is read-only")
        if value is None:
            obj.headers.pop(self.name, None)
        else:
            obj.headers[self.name] = self.dump(value) if self.dump is not None else value

    def __delete__(self, obj: Any) -> None:
        obj.headers.pop(self.name, None)


def _dump_date(value: datetime | int | float | str) -> str:
    return value if isinstance(value, str) else http_date(value)


def _dump_age(value: timedelta | int) -> str:
    # None never gets here: header_property removes the header for it.
    return dump_age(value) or ""


def _dump_retry_after(value: datetime | int | str) -> str:
    if isinstance(value, datetime):
        return http_date(value)
    return str(value)


def _load_retry_after(value: str) -> datetime | None:
    if value.isdigit():
        from datetime import timezone

        return datetime.now(timezone.utc) + timedelta(seconds=int(value))
    return parse_date(value)


class _SetHeader:
    """A header holding a set of tokens (``Vary``, ``Allow``), edited in place."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        headers: Headers = obj.headers
        name = self.name

        def on_update(header_set: HeaderSet) -> None:
            if header_set:
                headers[name] = header_set.to_header()
            else:
                headers.pop(name, None)

        return parse_set_header(headers.get(name, ""), on_update)

    def __set__(self, obj: Any, value: Any) -> None:
        if not value:
            obj.headers.pop(self.name, None)
        elif isinstance(value, str):
            obj.headers[self.name] = value
        else:
            obj.headers[self.name] = dump_header(value)


class Response:
    """HTTP response data that does not depend on the server interface.

    ``status`` is the status line (``"200 OK"``), ``status_code`` the number; ``headers`` a
    :class:`Headers`. Header-backed attributes (``location``, ``expires``, ``vary``...) read
    and write the headers directly.
    """

    default_status = 200
    default_mimetype: str | None = "text/plain"
    #: Warn when a Set-Cookie header is longer than this many bytes (0 disables the check).
    max_cookie_size = 4093

    headers: Headers
    _status_code: int
    _status: str

    def __init__(
        self,
        status: int | str | None = None,
        headers: Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if headers is None and content_type is None:
            # PERF: fresh headers hold nothing to look up or replace, and the Content-Type
            # comes checked from a cache: no per-header validation or scanning.
            if mimetype is None:
                mimetype = self.default_mimetype
            self.headers = Headers._trusted(
                [] if mimetype is None else [("Content-Type", _checked_content_type(mimetype))]
            )
            self.status = status if status is not None else self.default_status
            return
        if isinstance(headers, Headers):
            self.headers = headers
        elif not headers:
            self.headers = Headers()
        else:
            self.headers = Headers(headers)
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        else:
            if mimetype is None and "content-type" not in self.headers:
                mimetype = self.default_mimetype
            if mimetype is not None:
                _replace_header(self.headers, "Content-Type", _checked_content_type(mimetype))
        self.status = status if status is not None else self.default_status

    # -- status ----------------------------------------------------------------------------

    @property
    def status_code(self) -> int:
        """The status as a number."""
        return self._status_code

    @status_code.setter
    def status_code(self, code: int) -> None:
        self._status_code = code
        self._status = status_line(code)

    @property
    def status(self) -> str:
        """The status line, such as ``"404 NOT FOUND"``."""
        return self._status

    @status.setter
    def status(self, value: str | int) -> None:
        if not isinstance(value, (str, int)):
            raise TypeError("Invalid status argument: give an int or a str such as '200 OK'.")
        self._status_code, self._status = parse_status(value)

    # -- cookies ---------------------------------------------------------------------------

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: timedelta | int | None = None,
        expires: str | datetime | int | float | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Add a Set-Cookie header. ``max_age`` in seconds (or a timedelta); ``expires`` a
        datetime or timestamp; ``samesite`` one of "Strict", "Lax", "None".
        """
        self.headers.add(
            "Set-Cookie",
            dump_cookie(
                key,
                value=value,
                max_age=max_age,
                expires=expires,
                path=path,
                domain=domain,
                secure=secure,
                httponly=httponly,
                max_size=self.max_cookie_size,
                samesite=samesite,
                partitioned=partitioned,
            ),
        )

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Tell the client to drop a cookie (same ``path`` and ``domain`` as when it was set)."""
        self.set_cookie(
            key,
            expires=0,
            max_age=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    # -- content type ----------------------------------------------------------------------

    @property
    def is_json(self) -> bool:
        """Whether the content type is JSON."""
        mt = self.mimetype or ""
        return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))

    @property
    def mimetype(self) -> str | None:
        """The content type without parameters; setting it adds a charset for text types."""
        ct = self.headers.get("content-type")
        if ct:
            return ct.split(";", 1)[0].strip().lower()
        return None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.headers["Content-Type"] = mimetype_with_charset(value)

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The content type's parameters; editing the dict updates the header."""

        def on_update(d: CallbackDict[str, str]) -> None:
            self.headers["Content-Type"] = dump_options_header(self.mimetype or "", d)

        params = parse_options_header(self.headers.get("content-type", ""))[1]
        return CallbackDict(params, on_update)

    content_type: header_property[str] = header_property(
        "Content-Type", "The Content-Type header, parameters included."
    )
    content_length: header_property[int] = header_property(
        "Content-Length", "The Content-Length header as an int.", int, str
    )
    location: header_property[str] = header_property(
        "Location", "Where a redirect points (the Location header)."
    )
    age: header_property[timedelta] = header_property(
        "Age", "The Age header as a timedelta.", parse_age, _dump_age
    )
    content_encoding: header_property[str] = header_property(
        "Content-Encoding", "The Content-Encoding header."
    )
    content_location: header_property[str] = header_property(
        "Content-Location", "The Content-Location header."
    )
    content_md5: header_property[str] = header_property("Content-MD5", "The Content-MD5 header.")
    date: header_property[datetime] = header_property(
        "Date", "The Date header as a datetime.", parse_date, _dump_date
    )
    expires: header_property[datetime] = header_property(
        "Expires", "The Expires header as a datetime.", parse_date, _dump_date
    )
    last_modified: header_property[datetime] = header_property(
        "Last-Modified", "The Last-Modified header as a datetime.", parse_date, _dump_date
    )
    retry_after: header_property[datetime] = header_property(
        "Retry-After",
        "The Retry-After header as a datetime (set seconds or a datetime).",
        _load_retry_after,
        _dump_retry_after,
    )
    accept_ranges: header_property[str] = header_property(
        "Accept-Ranges", "The Accept-Ranges header (``bytes``)."
    )
    access_control_allow_origin: header_property[str] = header_property(
        "Access-Control-Allow-Origin", "The CORS Access-Control-Allow-Origin header."
    )
    access_control_allow_credentials: header_property[bool] = header_property(
        "Access-Control-Allow-Credentials",
        "Whether credentials are allowed (CORS).",
        lambda v: v == "true",
        lambda v: "true" if v else "false",
    )
    access_control_max_age: header_property[int] = header_property(
        "Access-Control-Max-Age", "The CORS preflight cache time in seconds.", int, str
    )

    vary = _SetHeader("Vary", "The Vary header as a set: ``response.vary.add('Cookie')``.")
    allow = _SetHeader("Allow", "The Allow header as a set of methods.")
    content_language = _SetHeader("Content-Language", "The Content-Language header as a set.")
    access_control_allow_headers = _SetHeader(
        "Access-Control-Allow-Headers", "The CORS allowed request headers."
    )
    access_control_allow_methods = _SetHeader(
        "Access-Control-Allow-Methods", "The CORS allowed methods."
    )
    access_control_expose_headers = _SetHeader(
        "Access-Control-Expose-Headers", "The CORS exposed response headers."
    )

    @property
    def cache_control(self) -> ResponseCacheControl:
        """The Cache-Control header; setting attributes (``max_age``, ``public``) rewrites it."""

        def on_update(cc: Any) -> None:
            value = cc.to_header()
            if value:
                self.headers["Cache-Control"] = value
            else:
                self.headers.pop("Cache-Control", None)

        return parse_cache_control_header(
            self.headers.get("cache-control"), on_update, ResponseCacheControl
        )

    @property
    def content_range(self) -> ContentRange:
        """The Content-Range header; editing it rewrites the header."""

        def on_update(rng: ContentRange) -> None:
            if rng.units is None:
                self.headers.pop("Content-Range", None)
            else:
                self.headers["Content-Range"] = rng.to_header()

        rv = parse_content_range_header(self.headers.get("content-range"), on_update)
        if rv is None:
            rv = ContentRange(None, None, None, on_update=on_update)
        return rv

    @content_range.setter
    def content_range(self, value: ContentRange | str | None) -> None:
        if not value:
            self.headers.pop("Content-Range", None)
        elif isinstance(value, str):
            self.headers["Content-Range"] = value
        else:
            self.headers["Content-Range"] = value.to_header()

    @property
    def www_authenticate(self) -> WWWAuthenticate:
        """The WWW-Authenticate header of a 401 response."""
        value = WWWAuthenticate.from_header(self.headers.get("WWW-Authenticate"))
        if value is None:
            value = WWWAuthenticate("basic")

        def on_update(wa: WWWAuthenticate) -> None:
            self.headers["WWW-Authenticate"] = wa.to_header()

        value._on_update = on_update
        return value

    # -- etags -----------------------------------------------------------------------------

    def set_etag(self, etag: str, weak: bool = False) -> None:
        """Set the ETag header (quoted for you)."""
        self.headers["ETag"] = quote_etag(etag, weak)

    def get_etag(self) -> tuple[str, bool] | tuple[None, None]:
        """Return ``(etag, is_weak)`` or ``(None, None)``."""
        value = self.headers.get("ETag")
        if value is None:
            return None, None
        return unquote_etag(value)


__all__ = ["Response", "header_property", "mimetype_with_charset"]

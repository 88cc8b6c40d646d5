"""The protocol-independent part of a request: URL pieces, headers and what they mean.

A subclass supplies the primitives (``method``, ``scheme``, ``server``, ``root_path``,
``path``, ``query_string``, ``headers``, ``remote_addr``); everything here is derived from
them lazily, on first access, and cached for the rest of the request.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..utils import cached_property
from .datastructures import ImmutableList, ImmutableMultiDict, MultiDict
from .exceptions import BadHost
from .header_types import (
    Accept,
    Authorization,
    CharsetAccept,
    ETags,
    IfRange,
    LanguageAccept,
    MIMEAccept,
    Range,
    RequestCacheControl,
)
from .http import (
    parse_accept_header,
    parse_cache_control_header,
    parse_cookie,
    parse_date,
    parse_etags,
    parse_if_range_header,
    parse_options_header,
    parse_range_header,
    parse_set_header,
)
from .urls import url_decode
from .user_agent import UserAgent

if TYPE_CHECKING:
    from .datastructures import Headers, HeaderSet

# Characters a Host header may hold: a name or IPv4 address, an [IPv6] literal, a port.
_VALID_HOST = re.compile(r"^(?:[A-Za-z0-9_.\-]+|\[[0-9A-Fa-f:.%a-zA-Z]+\])(?::[0-9]{1,5})?$")
_PATH_SAFE = "/:@!$&'()*+,;=~"
_QUERY_SAFE = "&=+%/?:@!$'()*,;~"


def _default_port_stripped(scheme: str, host: str) -> str:
    if scheme in ("http", "ws") and host.endswith(":80"):
        return host[:-3]
    if scheme in ("https", "wss") and host.endswith(":443"):
        return host[:-4]
    return host


def host_is_trusted(hostname: str | None, trusted_list: list[str]) -> bool:
    """Whether ``hostname`` (port ignored) is in ``trusted_list``.

    An entry starting with a dot also allows every subdomain: ``.example.com``.
    """
    if not hostname:
        return False
    host = _split_port(hostname).lower()
    for entry in trusted_list:
        entry = entry.lower()
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == _split_port(entry):
            return True
    return False


def _split_port(host: str) -> str:
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end >= 0 else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Request:
    """HTTP request data that does not depend on the server interface.

    Class attributes are the swap points: ``parameter_storage_class`` for ``args`` and
    ``form``, ``dict_storage_class`` for ``cookies``, ``user_agent_class``, and
    ``trusted_hosts`` (a list of host names; others give 400 Bad Request).
    """

    parameter_storage_class: type[MultiDict[str, Any]] = ImmutableMultiDict
    dict_storage_class: type[MultiDict[str, Any]] = ImmutableMultiDict
    list_storage_class: type[list[Any]] = ImmutableList
    user_agent_class: type[UserAgent] = UserAgent
    trusted_hosts: list[str] | None = None

    # The primitives, supplied by the protocol layer (WSGI environ or ASGI scope).
    method: str
    scheme: str
    server: tuple[str, int | None] | None
    root_path: str
    path: str
    query_string: bytes
    headers: Headers
    remote_addr: str | None

    # -- URL -------------------------------------------------------------------------------

    @cached_property
    def host(self) -> str:
        """The host the client asked for, with the port when it is not the default one.

        A malformed Host header, or one not in ``trusted_hosts``, raises BadHost (400).
        """
        header = self.headers.get("Host")
        if header:
            host = header
        elif self.server is not None:
            name, port = self.server
            host = name if port is None else f"{name}:{port}"
        else:
            host = ""
        host = _default_port_stripped(self.scheme, host.lower())
        if host and not _VALID_HOST.match(host):
            raise BadHost(
                f"The Host header {header!r} is not a valid host name. Send a host such as"
                " 'example.com' or 'example.com:8080'."
            )
        if self.trusted_hosts is not None and not host_is_trusted(host, self.trusted_hosts):
            raise BadHost(f"The host {host!r} is not trusted. Add it to TRUSTED_HOSTS to serve it.")
        return host

    @cached_property
    def script_root(self) -> str:
        """The path the app is mounted at, without a trailing slash (``""`` at the root)."""
        return self.root_path.rstrip("/")

    @cached_property
    def full_path(self) -> str:
        """The path and the query string: ``/page?x=1`` (``/page?`` without a query)."""
        return f"{self.path}?{self.query_string.decode('latin-1')}"

    @cached_property
    def host_url(self) -> str:
        """Scheme and host: ``http://example.com/``."""
        return f"{self.scheme}://{self.host}/"

    @cached_property
    def root_url(self) -> str:
        """The URL of the app's root: ``http://example.com/script/``."""
        return f"{self.scheme}://{self.host}{quote(self.script_root, safe=_PATH_SAFE)}/"

    url_root = root_url

    @cached_property
    def base_url(self) -> str:
        """The URL without the query string."""
        path = quote(self.path.lstrip("/"), safe=_PATH_SAFE)
        return f"{self.root_url}{path}"

    @cached_property
    def url(self) -> str:
        """The full URL, query string included."""
        if self.query_string:
            query = quote(self.query_string.decode("latin-1"), safe=_QUERY_SAFE)
            return f"{self.base_url}?{query}"
        return self.base_url

    @property
    def is_secure(self) -> bool:
        """Whether the request came over HTTPS (or WSS)."""
        return self.scheme in ("https", "wss")

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string parameters (``;`` is not a separator)."""
        return url_decode(self.query_string, cls=self.parameter_storage_class)

    @cached_property
    def access_route(self) -> list[str]:
        """The client addresses from X-Forwarded-For, then the direct peer's address."""
        header = self.headers.get("X-Forwarded-For")
        if header:
            return self.list_storage_class([x.strip() for x in header.split(",") if x.strip()])
        if self.remote_addr:
            return self.list_storage_class([self.remote_addr])
        return self.list_storage_class()

    # -- headers ---------------------------------------------------------------------------

    @cached_property
    def cookies(self) -> MultiDict[str, str]:
        """The request cookies (the first value wins for repeated names)."""
        return parse_cookie(self.headers.get("Cookie"), cls=self.dict_storage_class)

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, parameters included."""
        return self.headers.get("Content-Type")

    @cached_property
    def content_length(self) -> int | None:
        """The Content-Length header as an int; None when missing or not a valid number."""
        return parse_content_length(self.headers.get("Content-Length"))

    @cached_property
    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        return parse_options_header(self.headers.get("Content-Type", ""))

    @property
    def mimetype(self) -> str:
        """The content type without parameters, lower-cased (``application/json``)."""
        return self._parsed_content_type[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The parameters of the content type (``{"charset": "utf-8"}``)."""
        return self._parsed_content_type[1]

    @property
    def is_json(self) -> bool:
        """Whether the body is declared as JSON (``application/json`` or ``*/*+json``)."""
        mt = self.mimetype
        return mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json"))

    @cached_property
    def user_agent(self) -> UserAgent:
        """The User-Agent header; ``.string`` holds it as sent."""
        return self.user_agent_class(self.headers.get("User-Agent", ""))

    @cached_property
    def authorization(self) -> Authorization | None:
        """The parsed Authorization header (Basic, Bearer, Digest...), or None."""
        return Authorization.from_header(self.headers.get("Authorization"))

    @property
    def referrer(self) -> str | None:
        """The Referer header."""
        return self.headers.get("Referer")

    @property
    def origin(self) -> str | None:
        """The Origin header."""
        return self.headers.get("Origin")

    @cached_property
    def accept_mimetypes(self) -> MIMEAccept:
        """The Accept header, with ``best_match`` and ``quality``."""
        return parse_accept_header(self.headers.get("Accept"), MIMEAccept)

    @cached_property
    def accept_charsets(self) -> CharsetAccept:
        """The Accept-Charset header."""
        return parse_accept_header(self.headers.get("Accept-Charset"), CharsetAccept)

    @cached_property
    def accept_encodings(self) -> Accept:
        """The Accept-Encoding header."""
        return parse_accept_header(self.headers.get("Accept-Encoding"))

    @cached_property
    def accept_languages(self) -> LanguageAccept:
        """The Accept-Language header."""
        return parse_accept_header(self.headers.get("Accept-Language"), LanguageAccept)

    @cached_property
    def cache_control(self) -> RequestCacheControl:
        """The Cache-Control header."""
        return parse_cache_control_header(
            self.headers.get("Cache-Control"), None, RequestCacheControl
        )

    @cached_property
    def if_match(self) -> ETags:
        """The If-Match header."""
        return parse_etags(self.headers.get("If-Match"))

    @cached_property
    def if_none_match(self) -> ETags:
        """The If-None-Match header."""
        return parse_etags(self.headers.get("If-None-Match"))

    @cached_property
    def if_modified_since(self) -> datetime | None:
        """The If-Modified-Since header as an aware datetime."""
        return parse_date(self.headers.get("If-Modified-Since"))

    @cached_property
    def if_unmodified_since(self) -> datetime | None:
        """The If-Unmodified-Since header as an aware datetime."""
        return parse_date(self.headers.get("If-Unmodified-Since"))

    @cached_property
    def if_range(self) -> IfRange:
        """The If-Range header."""
        return parse_if_range_header(self.headers.get("If-Range"))

    @cached_property
    def range(self) -> Range | None:
        """The Range header, or None when missing or malformed."""
        return parse_range_header(self.headers.get("Range"))

    @cached_property
    def date(self) -> datetime | None:
        """The Date header as an aware datetime."""
        return parse_date(self.headers.get("Date"))

    @cached_property
    def max_forwards(self) -> int | None:
        """The Max-Forwards header as an int."""
        return parse_content_length(self.headers.get("Max-Forwards"))

    @cached_property
    def pragma(self) -> HeaderSet:
        """The Pragma header as a set of tokens."""
        return parse_set_header(self.headers.get("Pragma", ""))

    @property
    def access_control_request_headers(self) -> HeaderSet | None:
        """The Access-Control-Request-Headers header of a CORS preflight."""
        value = self.headers.get("Access-Control-Request-Headers")
        return parse_set_header(value) if value is not None else None

    @property
    def access_control_request_method(self) -> str | None:
        """The Access-Control-Request-Method header of a CORS preflight."""
        return self.headers.get("Access-Control-Request-Method")

    def __repr__(self) -> str:
        try:
            url = self.url
        except Exception as e:  # a bad Host header must not break repr()
            url = f"(invalid URL: {e})"
        return f"<{type(self).__name__} {url!r} [{self.method}]>"


def parse_content_length(value: str | None) -> int | None:
    """Parse a Content-Length-style header: ASCII digits only, else None."""
    if value is None:
        return None
    value = value.strip(" \t")
    if value.isascii() and value.isdigit():
        return int(value)
    return None


__all__ = ["Request", "host_is_trusted", "parse_content_length"]

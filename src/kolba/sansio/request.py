"""The protocol-independent part of a request: URL pieces, headers and what they mean.

A subclass supplies the primitives (``method``, ``scheme``, ``server``, ``root_path``,
``path``, ``query_string``, ``headers``, ``remote_addr``); everything here is derived from
them lazily, on first access, and cached for the rest of the request.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

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
from .urls import quote, uri_to_iri, url_decode
from .user_agent import UserAgent

if TYPE_CHECKING:
    from .datastructures import Headers, HeaderSet

# A Host header: a registered name or IPv4 address, or a bracketed IPv6 literal (checked
# further by ``ipaddress``), then an optional port.
_HOST_RE = re.compile(
    r"(?:([A-Za-z0-9_.\-]+)|\[([0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.~\-]+)?)\])(?::([0-9]{0,5}))?"
)
# werkzeug's URL quoting keeps "%" so an already-escaped path stays as it is.
_PATH_SAFE = "!$&'()*+,/:;=@%"
_QUERY_SAFE = "!$&'()*+,/:;=?@%"


def _default_port_stripped(scheme: str, host: str) -> str:
    if scheme in ("http", "ws") and host.endswith(":80"):
        return host[:-3]
    if scheme in ("https", "wss") and host.endswith(":443"):
        return host[:-4]
    return host


def _valid_host(host: str) -> str | None:
    """Return ``host`` normalised (an empty port dropped), or None when it is malformed."""
    m = _HOST_RE.fullmatch(host)
    if m is None:
        return None
    name, ipv6, port = m.group(1), m.group(2), m.group(3)
    if name is not None and (name[0] == "." or ".." in name):
        # An empty label (".shop.test", "a..b") names no host; Werkzeug refuses it too.
        return None
    if ipv6 is not None:
        try:
            ipaddress.IPv6Address(ipv6)
        except ValueError:
            return None
    if port is not None:
        if not port:
            return host[:-1]
        if int(port) > 65535:
            return None
    return host


def host_is_trusted(hostname: str | None, trusted_list: Iterable[str]) -> bool:
    """Whether ``hostname`` (port ignored) is in ``trusted_list``.

    An entry starting with a dot also allows every subdomain: ``.example.com``.
    """
    if not hostname:
        return False
    host = _split_port(hostname).lower()
    for entry in trusted_list:
        entry = _ascii_host(entry)
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == _split_port(entry):
            return True
    return False


@lru_cache(maxsize=256)
def _ascii_host(entry: str) -> str:
    """A TRUSTED_HOSTS entry as clients send it: lower-case, IDNA (punycode) for Unicode."""
    entry = entry.lower()
    if entry.isascii():
        return entry
    dot = "." if entry.startswith(".") else ""
    try:
        return dot + entry.lstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return entry


def _split_port(host: str) -> str:
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end >= 0 else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


_surrogate_re = re.compile("[\udc80-\udcff]")


def _decode_query(raw: bytes) -> str:
    """Decode raw query bytes as UTF-8, re-escaping invalid bytes as ``%XX``."""
    text = raw.decode("utf-8", "surrogateescape")
    if text.isascii():
        return text
    return _surrogate_re.sub(lambda m: f"%{ord(m.group()) - 0xDC00:02X}", text)


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
        """The host the client asked for, lower-cased, with the port unless it is the default.

        It comes from the Host header, or from the server's name and port when there is none.
        A malformed Host header (``foo/bar``, ``user@foo``, ``a:port``, ``[z]``), or one not in
        ``trusted_hosts``, raises BadHost (400) on first access.
        """
        header = self.headers.get("Host")
        if header:
            host = header
        elif self.server is not None:
            name, port = self.server
            if ":" in name and not name.startswith("["):
                name = f"[{name}]"  # an IPv6 SERVER_NAME
            host = name if port is None else f"{name}:{port}"
        else:
            host = ""
        host = _default_port_stripped(self.scheme, host.lower())
        if host:
            valid = _valid_host(host)
            if valid is None:
                raise BadHost(
                    f"The Host header {_clip(host)!r} is not a valid host name. Send a host"
                    " such as 'example.com', 'example.com:8080' or '[::1]:8080'."
                )
            host = valid
        if self.trusted_hosts is not None and not host_is_trusted(host, self.trusted_hosts):
            raise BadHost(
                f"The host {_clip(host)!r} is not trusted. Add it to TRUSTED_HOSTS to serve it."
            )
        return host

    @cached_property
    def script_root(self) -> str:
        """The path the app is mounted at, without a trailing slash (``""`` at the root)."""
        return self.root_path.rstrip("/")

    @cached_property
    def full_path(self) -> str:
        """The path and the query string: ``/page?x=1`` (``/page?`` without a query).

        Invalid UTF-8 in the query string is kept as ``%XX`` escapes.
        """
        return f"{self.path}?{_decode_query(self.query_string)}"

    @cached_property
    def host_url(self) -> str:
        """Scheme and host: ``http://example.com/``."""
        return uri_to_iri(f"{self.scheme}://{self.host}/")

    @cached_property
    def _root_uri(self) -> str:
        return f"{self.scheme}://{self.host}{quote(self.script_root, safe=_PATH_SAFE)}/"

    @cached_property
    def root_url(self) -> str:
        """The URL of the app's root: ``http://example.com/script/`` (an IRI, like ``url``)."""
        return uri_to_iri(self._root_uri)

    @property
    def url_root(self) -> str:
        """Same as :attr:`root_url`."""
        return self.root_url

    @cached_property
    def _base_uri(self) -> str:
        return self._root_uri + quote(self.path.lstrip("/"), safe=_PATH_SAFE)

    @cached_property
    def base_url(self) -> str:
        """The URL without the query string (an IRI, like ``url``)."""
        return uri_to_iri(self._base_uri)

    @cached_property
    def url(self) -> str:
        """The full URL, query string included.

        It is an IRI: non-ASCII characters stay readable (``/ä``) and an IDNA host is shown
        decoded. Pass it through :func:`kolba.urls.iri_to_uri` for an ASCII URL.
        """
        if self.query_string:
            query = quote(self.query_string, safe=_QUERY_SAFE)
            return uri_to_iri(f"{self._base_uri}?{query}")
        return self.base_url

    @property
    def is_secure(self) -> bool:
        """Whether the request came over HTTPS (or WSS)."""
        return self.scheme in ("https", "wss")

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string parameters as an ImmutableMultiDict.

        Only ``&`` separates pairs (``;`` is data); invalid UTF-8 stays as ``%XX``.
        """
        return url_decode(self.query_string, cls=self.parameter_storage_class, errors="percent")

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
        """The request cookies; ``cookies[name]`` is the first of repeated names.

        Browsers send cookie values as UTF-8 bytes, so they are decoded as UTF-8 here.
        """
        header = self.headers.get("Cookie")
        if header and not header.isascii():
            header = _utf8_header(header)
        return parse_cookie(header, cls=self.dict_storage_class)

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, parameters included."""
        return self.headers.get("Content-Type")

    @cached_property
    def content_length(self) -> int | None:
        """The Content-Length header as an int.

        None when it is missing or the body is chunked (``Transfer-Encoding: chunked``); 0
        when it is not a plain decimal number (``-1``, ``+5``, ``1_000``, ``5, 5``), as in
        Flask. Reading such a body is a 400 Bad Request.
        """
        return content_length_of(
            self.headers.get("Content-Length"), self.headers.get("Transfer-Encoding")
        )

    @cached_property
    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        value = self.headers.get("Content-Type", "")
        if ";" not in value and '"' not in value and "," not in value:
            # PERF: a content type without parameters needs no parser.
            return value.strip(" \t"), {}
        return parse_options_header(value)

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


def _clip(value: str, size: int = 100) -> str:
    # Hostile headers can be huge; an error message quotes only their start.
    return value if len(value) <= size else value[:size] + "..."


def _utf8_header(value: str) -> str:
    """Decode a WSGI header string (bytes as latin-1) as UTF-8, leaving it if that fails."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def content_length_of(content_length: str | None, transfer_encoding: str | None) -> int | None:
    """The body length a request declares (see ``Request.content_length``)."""
    if transfer_encoding is not None and "chunked" in transfer_encoding.lower():
        return None
    if content_length is None:
        return None
    length = parse_content_length(content_length)
    return 0 if length is None else length


def parse_content_length(value: str | None) -> int | None:
    """Parse a Content-Length-style header: ASCII digits only (blanks around them allowed).

    Anything else gives None: a sign, ``_``, non-ASCII digits, a list (``5, 5``), and a
    number of more than 19 digits (no body is that large, and ``int()`` of thousands of
    digits is slow or refused).
    """
    if value is None:
        return None
    value = value.strip(" \t")
    if value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


__all__ = ["Request", "content_length_of", "host_is_trusted", "parse_content_length"]

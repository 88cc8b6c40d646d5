"""Percent-encoding, query strings, and IRI/URI conversion (the ``werkzeug.urls`` role).

:func:`url_decode` parses ``request.args`` on every request and :func:`url_encode` builds
the query part of ``url_for``; :func:`iri_to_uri` makes ``Location`` headers and external URLs
ASCII. All of them are pure and linear, and none refuses its input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from .datastructures import MultiDict

# RFC 3986 unreserved characters: never percent-encoded by quote().
_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

# "%xx" (either case) -> the byte it encodes.
_HEX_BYTES: dict[bytes, bytes] = {
    f"{a}{b}".encode(): bytes((int(a + b, 16),))
    for a in "0123456789abcdefABCDEF"
    for b in "0123456789abcdefABCDEF"
}


def _percent_decode(data: bytes) -> bytes:
    """Decode ``%xx`` escapes; a ``%`` not followed by two hex digits stays as it is."""
    pieces = data.split(b"%")
    if len(pieces) == 1:
        return data
    out = [pieces[0]]
    hex_bytes = _HEX_BYTES
    for piece in pieces[1:]:
        byte = hex_bytes.get(piece[:2])
        if byte is None:
            out.append(b"%" + piece)
        else:
            out.append(byte + piece[2:])
    return b"".join(out)


# ---------------------------------------------------------------------------------------------
# quote / unquote


@lru_cache(maxsize=64)
def _quoter(safe: str, unsafe: str) -> tuple[bytes, tuple[str, ...]]:
    """Return the bytes left alone and a byte -> text table for one safe/unsafe pair."""
    keep = {ord(c) for c in _UNRESERVED + safe if ord(c) < 128} - {ord(c) for c in unsafe}
    table = tuple(chr(b) if b in keep else f"%{b:02X}" for b in range(256))
    return bytes(sorted(keep)), table


def quote(
    value: str | bytes,
    safe: str = "/:",
    encoding: str = "utf-8",
    errors: str = "strict",
    unsafe: str = "",
) -> str:
    """Percent-encode ``value`` (text is encoded with ``encoding`` first).

    Letters, digits and ``-._~`` are never encoded, the ASCII characters of ``safe`` are kept
    too, and those of ``unsafe`` are always encoded.

    >>> quote("/a b/ü")
    '/a%20b/%C3%BC'
    """
    data = value.encode(encoding, errors) if isinstance(value, str) else bytes(value)
    keep, table = _quoter(safe, unsafe)
    if not data.translate(None, keep):
        # PERF: nothing to encode (the common case for URL parts): one C-level scan.
        return data.decode("ascii")
    return "".join([table[b] for b in data])


def unquote(
    value: str | bytes, encoding: str = "utf-8", errors: str = "replace", unsafe: str = ""
) -> str:
    """Decode ``%xx`` escapes, then decode the bytes as ``encoding``.

    Text is treated as text (its non-ASCII characters are encoded as UTF-8 first). A ``%``
    without two hex digits after it is kept; escapes of the characters in ``unsafe`` stay
    encoded. Invalid byte sequences follow ``errors`` (replacement characters by default).
    """
    data = value.encode() if isinstance(value, str) else bytes(value)
    if unsafe:
        # Turn each escape to keep into "%25xx", which the decoding below turns back into it.
        keep_escaped = {f"{ord(c):02x}".encode() for c in unsafe if ord(c) < 128}
        pieces = data.split(b"%")
        data = pieces[0] + b"".join(
            (b"%25" if piece[:2].lower() in keep_escaped else b"%") + piece for piece in pieces[1:]
        )
    return _percent_decode(data).decode(encoding, errors)


# ---------------------------------------------------------------------------------------------
# Query strings

# Kept unencoded in query keys and values, like Werkzeug's url_for (the WHATWG query set,
# minus '&', '=', '+', '#' and '%', which would change the meaning).
_QUERY_SAFE = "!$'()*,/:;?@"
_query_plain_re = re.compile(r"[A-Za-z0-9\-._~!$'()*,/:;?@]*")


def _query_quote(value: Any, plus: bool) -> str:
    if isinstance(value, bytes):
        data = value
    else:
        text = value if isinstance(value, str) else str(value)
        if _query_plain_re.fullmatch(text):
            return text  # PERF: most keys and values need no encoding at all
        data = text.encode()
    quoted = quote(data, safe=_QUERY_SAFE + " " if plus else _QUERY_SAFE)
    return quoted.replace(" ", "+") if plus else quoted


def _iter_pairs(obj: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(obj, MultiDict):
        yield from obj.items(multi=True)
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            if isinstance(value, (list, tuple, set)):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from obj


def url_encode(
    obj: Mapping[Any, Any] | Iterable[tuple[Any, Any]],
    sort: bool = False,
    key: Callable[[tuple[Any, Any]], Any] | None = None,
    *,
    space_as_plus: bool = True,
) -> str:
    """Build a query string from a dict, a MultiDict or ``(key, value)`` pairs.

    A list (tuple, set) value, or a MultiDict key with several values, gives the key once per
    value. ``None`` values are left out, other values go through ``str()``, and bytes are
    used as they are. ``sort`` orders the pairs (by ``key`` if given).

    The output is what Werkzeug 3.1 (and so Flask's ``url_for``) produces: a space becomes
    ``+`` and ``!$'()*,/:;?@`` stay readable. ``space_as_plus=False`` writes ``%20`` instead.

    >>> url_encode({"q": "a b", "page": 2, "tag": ["x", "y"], "skip": None})
    'q=a+b&page=2&tag=x&tag=y'
    """
    pairs: Iterable[tuple[Any, Any]] = ((k, v) for k, v in _iter_pairs(obj) if v is not None)
    if sort:
        pairs = sorted(pairs, key=key)
    return "&".join(
        f"{_query_quote(k, space_as_plus)}={_query_quote(v, space_as_plus)}" for k, v in pairs
    )


_surrogate_re = re.compile("[\udc80-\udcff]")


def _decoder(errors: str) -> Callable[[bytes], str]:
    """Return bytes -> text for ``errors``; ``"percent"`` re-encodes invalid bytes as %XX."""
    if errors != "percent":
        return lambda data: data.decode("utf-8", errors)

    def decode(data: bytes) -> str:
        text = data.decode("utf-8", "surrogateescape")
        if text.isascii():
            return text
        return _surrogate_re.sub(lambda m: f"%{ord(m.group()) - 0xDC00:02X}", text)

    return decode


def url_decode(
    query: str | bytes, cls: type[MultiDict[str, str]] | None = None, errors: str = "replace"
) -> MultiDict[str, str]:
    """Parse a query string into a MultiDict (``request.args``).

    Pairs are separated by ``&`` only (``;`` is data). ``+`` is a space and ``%2B`` a plus.
    Escapes are decoded to bytes and the bytes as UTF-8; invalid UTF-8 becomes U+FFFD (or
    ``%XX`` again with ``errors="percent"``, as Werkzeug does). A bare ``%`` or ``%zz`` is
    kept as it is, a key without ``=`` gets ``""``, and empty pairs are skipped.

    A ``str`` query is the WSGI form: the raw bytes decoded as latin-1, as in
    ``environ["QUERY_STRING"]``. (Text with characters beyond U+00FF cannot be that, so it is
    read as text.) Pass bytes to be explicit. Linear time.
    """
    multi_cls: Any = MultiDict if cls is None else cls
    lists: dict[str, list[str]] = {}
    # PERF: the string is split as text, and only the keys and values that hold an escape
    # (or non-ASCII bytes) take the bytes round trip; most take none (~3x faster than
    # decoding every part).
    text = query if isinstance(query, str) else bytes(query).decode("latin-1")
    if "+" in text:
        text = text.replace("+", " ")
    plain = text.isascii()
    decode: Callable[[bytes], str] | None = None
    for part in text.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        if not plain or "%" in key:
            if decode is None:
                decode = _decoder(errors)
            key = decode(_percent_decode(_wsgi_bytes(key)))
        if not plain or "%" in value:
            if decode is None:
                decode = _decoder(errors)
            value = decode(_percent_decode(_wsgi_bytes(value)))
        if key in lists:
            lists[key].append(value)
        else:
            lists[key] = [value]
    if isinstance(multi_cls, type) and issubclass(multi_cls, MultiDict):
        return multi_cls._from_lists(lists)  # type: ignore[no-any-return]
    return multi_cls([(k, v) for k, vs in lists.items() for v in vs])  # type: ignore[no-any-return]


def _wsgi_bytes(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode()  # not a WSGI string: real text


# ---------------------------------------------------------------------------------------------
# IRI <-> URI

# Characters kept as they are by iri_to_uri in each part (besides letters, digits, -._~).
# '%' is kept so existing escapes survive; everything else (spaces, controls, quotes,
# non-ASCII) is percent-encoded.
_USERINFO_SAFE = "%!$&'()*+,;="
_PATH_SAFE = "%!$&'()*+,/:;=@"
_QUERY_PART_SAFE = "%!$&'()*+,/:;=?@"
_FRAGMENT_SAFE = "%!#$&'()*+,/:;=?@"
_uri_plain_re = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,/:;=?@#]*")


def _encode_host(host: str) -> str:
    """Return ``host`` in ASCII: IDNA for internationalized names, lower-cased."""
    if host.isascii():
        # Names compare case-insensitively; one holding escapes is not a name: keep it as is.
        return host if "%" in host else host.lower()
    try:
        return host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        # Not a valid IDN (an empty label, a 64-character label): still send something
        # unambiguous and ASCII rather than refusing the URL.
        return quote(host.lower(), safe="!$&'()*+,;=:[]")


def iri_to_uri(iri: str) -> str:
    """Convert an IRI (a URL that may hold non-ASCII or unsafe characters) to an ASCII URI.

    The host is IDNA-encoded; the other parts are percent-encoded as UTF-8, keeping existing
    escapes. It never refuses its input: an unparsable URL is encoded as a whole. Unlike
    Werkzeug, tab, CR and LF are encoded rather than removed, so they cannot join path
    segments into something else (``/\\t/evil`` stays a path, not ``//evil``).

    >>> iri_to_uri("http://üser@☃.net/påth?q=ü")
    'http://%C3%BCser@xn--n3h.net/p%C3%A5th?q=%C3%BC'
    """
    if (
        _uri_plain_re.fullmatch(iri)
        and ":" not in iri
        and not iri.startswith("//")
        and iri[-1:] not in ("?", "#")
        and "?#" not in iri
    ):
        # PERF: a relative ASCII reference with nothing to encode (most redirects).
        return iri
    try:
        parts = urlsplit(_encode_controls(iri))
    except ValueError:  # e.g. an unbalanced '[' in the host
        return quote(iri, safe=_FRAGMENT_SAFE + "[]")
    return urlunsplit(
        (
            parts.scheme,
            _encode_netloc(parts),
            quote(parts.path, safe=_PATH_SAFE),
            quote(parts.query, safe=_QUERY_PART_SAFE),
            quote(parts.fragment, safe=_FRAGMENT_SAFE),
        )
    )


_control_re = re.compile(r"[\x00-\x20\x7f]")


def _encode_controls(iri: str) -> str:
    # urlsplit silently drops tab, CR and LF; encode them (and other controls) first.
    return _control_re.sub(lambda m: f"%{ord(m.group()):02X}", iri)


def _encode_netloc(parts: SplitResult) -> str:
    netloc = parts.netloc
    if not netloc:
        return netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        host, bracket, port = hostport.partition("]")
        host = host.lower() + bracket
        port = port[1:] if port.startswith(":") else port
    else:
        host, _, port = hostport.partition(":")
        host = _encode_host(host)
    result = host
    if port:
        result += ":" + (str(int(port)) if port.isascii() and port.isdigit() else quote(port))
    if at:
        user, colon, password = userinfo.partition(":")
        credentials = quote(user, safe=_USERINFO_SAFE)
        if colon:
            credentials += ":" + quote(password, safe=_USERINFO_SAFE)
        result = f"{credentials}@{result}"
    return result


# Escapes uri_to_iri keeps, per part: ones that would change the URL's structure if decoded,
# and ones that are invisible or unsafe to show (controls, space, '%').
_KEEP_ALWAYS = frozenset(range(0x21)) | {0x25, 0x7F}
_KEEP_PATH = _KEEP_ALWAYS | {ord(c) for c in "/?#"}
_KEEP_QUERY = _KEEP_ALWAYS | {ord(c) for c in "&=+#"}
_KEEP_FRAGMENT = _KEEP_ALWAYS
_KEEP_USERINFO = _KEEP_ALWAYS | {ord(c) for c in ":@/?#"}
_escapes_re = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _decode_part(value: str, keep: frozenset[int]) -> str:
    """Decode the escapes of one URI part, except those in ``keep`` and invalid UTF-8."""
    if "%" not in value:
        return value

    def decode_run(match: re.Match[str]) -> str:
        escapes = match.group()
        data = bytes.fromhex(escapes.replace("%", ""))
        out = []
        offset = 0  # index of the current character's first byte (escape) in the run
        for char in data.decode("utf-8", "surrogateescape"):
            code = ord(char)
            if code < 0x80:
                out.append(escapes[offset * 3 : offset * 3 + 3] if code in keep else char)
                offset += 1
            elif 0xDC80 <= code <= 0xDCFF:
                out.append(f"%{code - 0xDC00:02X}")  # not UTF-8: stays escaped
                offset += 1
            else:
                out.append(char)
                offset += len(char.encode())
        return "".join(out)

    return _escapes_re.sub(decode_run, value)


def _decode_host(host: str) -> str:
    if "xn--" not in host:
        return host
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host  # not valid punycode: show it as it is


def uri_to_iri(uri: str) -> str:
    """Convert a URI to an IRI for display: decode escapes and punycode where safe.

    Escapes that would change the URL's meaning (``%2F`` in the path, ``%26`` in the query),
    controls, spaces and invalid UTF-8 stay encoded. Never raises.

    >>> uri_to_iri("http://xn--n3h.net/p%C3%A5th?q=%C3%BC")
    'http://☃.net/påth?q=ü'
    """
    if "%" not in uri and "xn--" not in uri.lower():
        return uri  # PERF: nothing to decode (most request URLs)
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    netloc = parts.netloc
    if netloc:
        userinfo, at, hostport = netloc.rpartition("@")
        hostport = _decode_host(hostport.lower())
        netloc = f"{_decode_part(userinfo, _KEEP_USERINFO)}@{hostport}" if at else hostport
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            _decode_part(parts.path, _KEEP_PATH),
            _decode_part(parts.query, _KEEP_QUERY),
            _decode_part(parts.fragment, _KEEP_FRAGMENT),
        )
    )


__all__ = [
    "iri_to_uri",
    "quote",
    "unquote",
    "uri_to_iri",
    "url_decode",
    "url_encode",
]

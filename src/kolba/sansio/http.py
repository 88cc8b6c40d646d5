"""Parse and dump HTTP header values: dates, options, lists, cookies, accept, etags, ranges.

Everything here is pure: functions take header strings and return values (or the reverse), with
no environ, no IO and no global state. Names and results follow Werkzeug 3.1's ``werkzeug.http``
so code that imports those helpers ports by renaming the import.

Every parser is linear in the size of its input and never raises on malformed client data: it
returns ``None``, an empty value, or skips the broken part. Where Werkzeug's result for hostile
input is unsafe or wrong the difference is noted in the function's docstring.
"""

from __future__ import annotations

import email.utils
import re
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from hashlib import sha1
from typing import Any, TypeVar
from urllib.parse import quote as _urlquote
from urllib.parse import unquote_to_bytes as _unquote_to_bytes

from . import header_types as _ht
from .datastructures import HeaderSet, MultiDict

_TAccept = TypeVar("_TAccept", bound="_ht.Accept")
_TCacheControl = TypeVar("_TCacheControl", bound="_ht._CacheControl")

# RFC 9110 token characters (``tchar``).
_TOKEN = r"!#$%&'*+\-.^_`|~0-9A-Za-z"
_token_re = re.compile(f"[{_TOKEN}]+")
_unescape_re = re.compile(r"\\(.)")


# ---------------------------------------------------------------------------------------------
# Quoting and generic header values


def quote_header_value(value: Any, allow_token: bool = True) -> str:
    """Return ``value`` as a header parameter value, quoted only when it has to be.

    A value made of token characters is returned as is (unless ``allow_token`` is false); any
    other value becomes a quoted string with ``\\`` and ``"`` escaped. The empty string is
    ``""``. Non-strings are converted with ``str()``.
    """
    text = value if isinstance(value, str) else str(value)
    if not text:
        return '""'
    if allow_token and _token_re.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unquote_header_value(value: str, is_filename: bool = False) -> str:
    """Undo :func:`quote_header_value`: strip surrounding quotes and backslash escapes.

    A value that is not fully quoted is returned unchanged. With ``is_filename``, a quoted
    value starting with ``\\\\`` (a UNC path sent unescaped by old browsers) keeps its
    backslashes.
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if "\\" not in value or (is_filename and value[:2] == "\\\\"):
            return value
        return _unescape_re.sub(r"\1", value)
    return value


# A list item is a run of quoted strings and plain text; a lone '"' means an unterminated
# quoted string, which makes the whole header unusable.
_list_token_re = re.compile(r'"(?:[^"\\]|\\.)*"|[^,"]+|,|"')


def parse_list_header(value: str) -> list[str]:
    """Split a comma-separated header into items; quoted items are unquoted.

    Commas inside quoted strings do not split. Empty items are dropped. A header with an
    unterminated quoted string gives an empty list (nothing in it can be trusted).

    >>> parse_list_header('token, "quoted, value"')
    ['token', 'quoted, value']
    """
    if '"' not in value:
        # PERF: most list headers hold no quoted strings; str.split skips the regex scan.
        return [item for item in (x.strip(" \t") for x in value.split(",")) if item]
    result: list[str] = []
    parts: list[str] = []
    for match in _list_token_re.finditer(value):
        token = match.group()
        if token == '"':
            return []
        if token == ",":
            _add_list_item(result, parts)
            parts = []
        else:
            parts.append(token)
    _add_list_item(result, parts)
    return result


def _add_list_item(result: list[str], parts: list[str]) -> None:
    item = "".join(parts).strip(" \t")
    if item:
        result.append(unquote_header_value(item))


# RFC 2231 / 5987 extended value: charset'language'percent-encoded-value.
_ext_value_re = re.compile(r"([!#$%&*+\-.^_`|~0-9A-Za-z]*)'([!#$%&*+\-.^_`|~0-9A-Za-z]*)'(.+)")
_ext_value_chars_re = re.compile(f"[{_TOKEN}]+")
# Charsets every Python build decodes the same way; anything else is returned undecoded.
_EXT_CHARSETS = frozenset(("ascii", "us-ascii", "utf-8", "iso-8859-1"))


def _decode_ext_value(value: str, charset: str | None = None) -> tuple[str, str | None]:
    """Decode an RFC 2231 ``key*`` value; return the text and the charset it used.

    ``charset`` is the one declared by the first segment of a continued parameter, used when
    this segment has no ``charset'lang'`` prefix of its own.
    """
    match = _ext_value_re.fullmatch(value)
    if match is not None and _ext_value_chars_re.fullmatch(match.group(3)):
        charset = match.group(1).lower()
        value = match.group(3)
        if charset not in _EXT_CHARSETS:
            return value, None
    elif charset is None:
        return value, None
    return _unquote_to_bytes(value).decode(charset, "replace"), charset


def parse_dict_header(value: str) -> dict[str, str | None]:
    """Parse a comma-separated list of ``key=value`` pairs into a dict.

    A key without ``=`` maps to ``None``. Quoted values are unquoted; a ``key*`` value in
    RFC 2231 form (``UTF-8''%C3%A9``) is decoded and stored under ``key``. A later duplicate
    replaces an earlier one.
    """
    result: dict[str, str | None] = {}
    for item in parse_list_header(value):
        key, has_value, val = item.partition("=")
        key = key.strip(" \t")
        if not key:
            continue
        if not has_value:
            result[key] = None
            continue
        val = val.strip(" \t")
        if key[-1] == "*":
            key = key[:-1]
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = unquote_header_value(val)
            else:
                val = _decode_ext_value(val)[0]
        else:
            val = unquote_header_value(val)
        result[key] = val
    return result


def dump_header(iterable: Mapping[str, Any] | Iterable[Any]) -> str:
    """Build a comma-separated header from a mapping (``k=v``, ``None`` gives ``k``) or items.

    Values are quoted when needed; a ``key*`` is assumed to be encoded already.
    """
    if isinstance(iterable, Mapping):
        items = []
        for key, value in iterable.items():
            if value is None:
                items.append(key)
            elif key.endswith("*"):
                items.append(f"{key}={value}")
            else:
                items.append(f"{key}={quote_header_value(value)}")
        return ", ".join(items)
    return ", ".join(quote_header_value(x) for x in iterable)


def parse_set_header(
    value: str | None, on_update: Callable[[HeaderSet], None] | None = None
) -> HeaderSet:
    """Parse a comma-separated set of tokens (``Vary``, ``Allow``) into a :class:`HeaderSet`."""
    if not value:
        return HeaderSet(None, on_update)
    return HeaderSet(parse_list_header(value), on_update)


# ---------------------------------------------------------------------------------------------
# Options headers (Content-Type, Content-Disposition)

# One parameter: separators, then key=value. The value is a quoted string (group 2, group 3
# empty when it never closes) or a token (group 4, possibly empty for a missing value).
_param_re = re.compile(
    rf'[ \t;]*(?:([{_TOKEN}]+)=(?:"([^"\\]*(?:\\.[^"\\]*)*)("?)|([{_TOKEN}]*)))?', re.S
)
_param_key_re = re.compile(r"(.*?)(\*[0-9]+)?(\*)?")


def parse_options_header(value: str | None) -> tuple[str, dict[str, str]]:
    """Split ``text/html; charset=utf-8`` into ``("text/html", {"charset": "utf-8"})``.

    Parameter names are lower-cased. Quoted values are unquoted. RFC 2231 extended values
    (``filename*=UTF-8''%E2%82%AC.txt``) are decoded, continuations (``name*0``, ``name*1``)
    are joined, and a later parameter of the same name replaces an earlier one. Malformed
    parameters are skipped; an unterminated quoted string ends the parse. Linear time.
    """
    if not value:
        return "", {}
    main, sep, rest = value.partition(";")
    main = main.strip(" \t")
    if not main or not sep:
        return main, {}
    params: dict[str, str] = {}
    continued: dict[str, tuple[list[str], str | None]] = {}  # name -> (segments, charset)
    pos = 0
    end = len(rest)
    match_param = _param_re.match
    while pos < end:
        m = match_param(rest, pos)
        key, quoted, closed, token = m.groups()  # type: ignore[union-attr]
        pos = m.end()  # type: ignore[union-attr]
        if key is not None:
            if quoted is not None:
                if not closed:
                    break
                val = _unescape_re.sub(r"\1", quoted) if "\\" in quoted else quoted
            else:
                val = token
            if quoted is not None or val:
                key = key.lower()
                raw = f'"{quoted}"' if quoted is not None else val
                if "%22" in val:
                    # HTML forms send '"' in names and filenames as %22 (like Werkzeug).
                    val = val.replace("%22", '"')
                if "*" not in key:
                    params[key] = val
                    continued.pop(key, None)
                else:
                    _add_ext_param(params, continued, key, val, raw)
        # Anything up to the next ';' is garbage after (or instead of) a parameter.
        nxt = rest.find(";", pos)
        if nxt < 0:
            break
        pos = nxt
    for name, (segments, _charset) in continued.items():
        params[name] = "".join(segments)
    return main, params


def _add_ext_param(
    params: dict[str, str],
    continued: dict[str, tuple[list[str], str | None]],
    key: str,
    val: str,
    raw: str,
) -> None:
    """Store a parameter whose name has ``*``: an extended value, a continuation, or both."""
    name, index, star = _param_key_re.fullmatch(key).groups()  # type: ignore[union-attr]
    charset = None
    if star:
        # An extended value is never a quoted string: quotes are kept as literal text.
        previous = continued.get(name) if index is not None else None
        val, charset = _decode_ext_value(raw, previous[1] if previous else None)
    if index is None:
        params[name] = val
        continued.pop(name, None)
    elif name in continued:
        continued[name][0].append(val)
    else:
        continued[name] = ([val], charset)


def dump_options_header(header: str | None, options: Mapping[str, Any]) -> str:
    """Build ``header; key=value; ...``: the reverse of :func:`parse_options_header`.

    ``None`` values are left out; a ``key*`` value is assumed to be encoded already.
    """
    segments = [] if header is None else [header]
    for key, value in options.items():
        if value is None:
            continue
        if key.endswith("*"):
            segments.append(f"{key}={value}")
        else:
            segments.append(f"{key}={quote_header_value(value)}")
    return "; ".join(segments)


# ---------------------------------------------------------------------------------------------
# Accept and Cache-Control

# RFC 9110 qvalues allow at most three decimals; like Werkzeug we accept more but nothing else:
# no sign, no exponent, no '_' separators, no leading '.', no non-ASCII digits.
_qvalue_re = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_raw_q_re = re.compile(r";[ \t]*[qQ][ \t]*=")


def parse_accept_header(value: str | None, cls: type[_TAccept] | None = None) -> _TAccept:
    """Parse an ``Accept``-style header into ``cls`` (:class:`Accept` by default).

    Each item becomes ``(value, quality)``; other parameters stay in the value
    (``text/html; level=1``). An item whose ``q`` is not a plain number between 0 and 1
    (``q=0.5_1``, ``q=+0.5``, ``q=.5``, ``q=1e0``, non-ASCII digits) is ignored. Werkzeug keeps
    an item whose ``q`` is not even a token (Arabic-Indic digits) with quality 1; here it is
    ignored too.
    """
    accept_cls: Any = _ht.Accept if cls is None else cls
    if not value:
        return accept_cls(None)  # type: ignore[no-any-return]
    result: list[tuple[str, float]] = []
    for item in parse_list_header(value):
        if ";" not in item:
            # PERF: no parameters, so no options parse (most Accept-Encoding/Language items).
            result.append((item, 1))
            continue
        mime, options = parse_options_header(item)
        q_str = options.pop("q", None)
        if q_str is not None:
            q_str = q_str.strip()
            if not _qvalue_re.fullmatch(q_str):
                continue
            quality = float(q_str)
            if not 0 <= quality <= 1:
                continue
        elif _raw_q_re.search(item):
            continue  # a q parameter too malformed to parse is not "q=1"
        else:
            quality = 1
        if options:
            mime = dump_options_header(mime, options)
        result.append((mime, quality))
    return accept_cls(result)  # type: ignore[no-any-return]


def parse_cache_control_header(
    value: str | None,
    on_update: Callable[[_ht._CacheControl], None] | None = None,
    cls: type[_TCacheControl] | None = None,
) -> _TCacheControl:
    """Parse a ``Cache-Control`` header into ``cls`` (:class:`RequestCacheControl` by default).

    Directive names are compared case-insensitively (RFC 9111), so they are lower-cased;
    Werkzeug keeps their case, which makes ``No-Cache`` invisible to ``no_cache``.
    """
    cc_cls: Any = _ht.RequestCacheControl if cls is None else cls
    if not value:
        return cc_cls(None, on_update)  # type: ignore[no-any-return]
    directives = {key.lower(): val for key, val in parse_dict_header(value).items()}
    return cc_cls(directives, on_update)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Dates and ages

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name: number for number, name in enumerate(_MONTHS, 1)}
_imf_fixdate_re = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) ([A-Z][a-z]{2}) ([0-9]{4}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    if dt.tzinfo is not timezone.utc:
        return dt.astimezone(timezone.utc)
    return dt


def http_date(timestamp: datetime | date | float | time.struct_time | None = None) -> str:
    """Format a time as an RFC 9110 IMF-fixdate: ``Wed, 21 Oct 2015 07:28:00 GMT``.

    Accepts a datetime (naive means UTC, aware is converted), a date (midnight UTC), a Unix
    timestamp, a ``struct_time`` in UTC, or ``None`` for now.
    """
    if timestamp is None:
        dt = datetime.now(timezone.utc)
    elif isinstance(timestamp, datetime):
        dt = _as_utc(timestamp)
    elif isinstance(timestamp, date):
        dt = datetime(timestamp.year, timestamp.month, timestamp.day, tzinfo=timezone.utc)
    elif isinstance(timestamp, time.struct_time):
        dt = datetime(*timestamp[:6], tzinfo=timezone.utc)
    else:
        dt = datetime.fromtimestamp(timestamp, timezone.utc)
    return (
        f"{_WEEKDAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


def parse_date(value: str | None) -> datetime | None:
    """Parse an HTTP date into an aware UTC datetime, or ``None`` if it is not a date.

    Accepts the three formats of RFC 9110 (IMF-fixdate, RFC 850, asctime) and the variations
    ``email.utils`` understands. A date with an offset is converted to UTC. Never raises.
    """
    if not value:
        return None
    m = _imf_fixdate_re.fullmatch(value)
    if m is not None:
        # PERF: the format every current client sends, parsed without email.utils (~6x faster).
        day, month_name, year, hour, minute, second = m.groups()
        month = _MONTH_NUMBERS.get(month_name)
        if month is not None:
            try:
                return datetime(
                    int(year), month, int(day), int(hour), int(minute), int(second),
                    tzinfo=timezone.utc,
                )  # fmt: skip
            except ValueError:
                return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return _as_utc(dt)


def parse_age(value: str | None = None) -> timedelta | None:
    """Parse a delta-seconds header (``Age``, ``Access-Control-Max-Age``) into a timedelta.

    Only ASCII digits are accepted (Werkzeug also takes ``+5``, ``1_0`` and other digits);
    anything else, or a value too large, gives ``None``.
    """
    if not value:
        return None
    value = value.strip(" \t")
    if not (value.isdigit() and value.isascii()):
        return None
    try:
        return timedelta(seconds=int(value))
    except (OverflowError, ValueError):
        return None


def dump_age(age: timedelta | int | None = None) -> str | None:
    """Format a number of seconds or a timedelta as delta-seconds; ``None`` stays ``None``."""
    if age is None:
        return None
    seconds = int(age.total_seconds()) if isinstance(age, timedelta) else int(age)
    if seconds < 0:
        raise ValueError(f"An age cannot be negative, got {seconds}; pass 0 or more seconds.")
    return str(seconds)


# ---------------------------------------------------------------------------------------------
# Cookies

# One cookie: ``key``, or ``key=value`` with value a quoted string or a run of non-space.
# It must start the header or follow ';' and be followed by ';' or the end; a broken cookie
# is skipped up to the next ';'. Keys may not contain '"' or '=', so ``==__Host-x=evil`` is
# dropped rather than read as a ``__Host-x`` cookie.
_cookie_re = re.compile(
    r'(?:^|;)[ \t]*([^\t ";=]+)[ \t]*(?:=[ \t]*("(?:[^"\\]|\\.)*"|[^\t ";]*))?[ \t]*(?=;|\Z)'
)
_cookie_unslash_re = re.compile(rb"\\([0-3][0-7]{2}|.)")


def _cookie_unslash(match: re.Match[bytes]) -> bytes:
    escaped = match.group(1)
    if len(escaped) == 3:
        return bytes((int(escaped, 8),))
    return escaped


def parse_cookie(
    header: str | None, cls: type[MultiDict[str, str]] | None = None
) -> MultiDict[str, str]:
    """Parse a ``Cookie`` request header into a MultiDict of names to values.

    Every occurrence of a name is kept (``d[name]`` is the first). Quoted values are unquoted,
    including ``\\054``-style octal escapes, and decoded as UTF-8. A malformed cookie
    (a space in the value, a quote in the name, an unterminated quote, an empty name) is
    skipped without affecting the others. Values never split on ``,``. Linear time.

    ``header`` is text: the WSGI layer decodes the latin-1 environ value as UTF-8 first.
    """
    multi_cls: Any = MultiDict if cls is None else cls
    if not header:
        return multi_cls()  # type: ignore[no-any-return]
    lists: dict[str, list[str]] = {}
    plain = header.replace("; ", ";")
    if '"' not in plain and " " not in plain and "\t" not in plain:
        # PERF: the shape browsers send ("a=1; b=2"): one split and a partition per cookie,
        # about 3x faster than the regex. With no quote or blank left, every non-empty name
        # is valid and nothing needs stripping.
        for part in plain.split(";"):
            key, _, value = part.partition("=")
            if key:
                values = lists.get(key)
                if values is None:
                    lists[key] = [value]
                else:
                    values.append(value)
    else:
        for key, raw in _cookie_re.findall(header):
            value = raw
            if len(raw) >= 2 and raw[0] == '"':
                value = raw[1:-1]
                if "\\" in value:
                    value = _cookie_unslash_re.sub(_cookie_unslash, value.encode()).decode(
                        "utf-8", "replace"
                    )
            if key in lists:
                lists[key].append(value)
            else:
                lists[key] = [value]
    if isinstance(multi_cls, type) and issubclass(multi_cls, MultiDict):
        return multi_cls._from_lists(lists)  # type: ignore[no-any-return]
    return multi_cls([(k, v) for k, vs in lists.items() for v in vs])  # type: ignore[no-any-return]


# Cookie values made only of these need no quoting (RFC 6265 cookie-octets plus a few that
# browsers accept); anything else is sent as a quoted string with escapes, like http.cookies.
_cookie_plain_re = re.compile(r"[\w!#$%&'()*+\-./:<=>?@\[\]^`{|}~]*", re.ASCII)
_cookie_escape_re = re.compile(rb'[\x00-\x1f",;\\\x7f-\xff]')
_SAMESITE = frozenset(("Strict", "Lax", "None"))


def _cookie_escape(match: re.Match[bytes]) -> bytes:
    byte = match.group()
    if byte in (b'"', b"\\"):
        return b"\\" + byte
    return b"\\%03o" % byte[0]


def _refuse_header_breakers(value: str, what: str) -> None:
    if "\r" in value or "\n" in value or "\0" in value:
        raise ValueError(
            f"The cookie {what} {value!r} contains CR, LF or NUL, which would let it inject"
            " headers. Remove those characters (or encode the value, e.g. as base64 or JSON)."
        )


def dump_cookie(
    key: str,
    value: str = "",
    max_age: timedelta | int | None = None,
    expires: str | datetime | float | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    sync_expires: bool = True,
    max_size: int = 4093,
    samesite: str | None = None,
    partitioned: bool = False,
) -> str:
    """Build a ``Set-Cookie`` header value.

    ``max_age`` is seconds or a timedelta; with ``sync_expires`` it also sets ``Expires``.
    ``expires`` is a datetime, a timestamp or a ready-made string. ``samesite`` is ``Strict``,
    ``Lax`` or ``None`` in any case. ``partitioned`` implies ``secure``. A value with
    characters outside the cookie-safe set is quoted with octal escapes (read back by
    :func:`parse_cookie`). CR, LF or NUL in the key, value or domain raise ValueError.

    A header longer than ``max_size`` characters (0 disables the check) gives a
    ``UserWarning``: browsers drop such cookies silently.
    """
    _refuse_header_breakers(key, "name")
    _refuse_header_breakers(value, "value")
    if path is not None and path != "/":
        # PERF: "/" (the default, and most cookies' path) quotes to itself.
        path = _urlquote(path, safe="%!$&'()*+,/:=@")
    if domain:
        _refuse_header_breakers(domain, "domain")
        domain = domain.partition(":")[0].lstrip(".")
        if not domain.isascii():
            try:
                domain = domain.encode("idna").decode("ascii")
            except UnicodeError:
                raise ValueError(
                    f"The cookie domain {domain!r} is not a valid internationalized domain"
                    " name. Pass the host name the browser uses."
                ) from None
    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())
    if expires is not None:
        if isinstance(expires, str):
            _refuse_header_breakers(expires, "expires")
        else:
            expires = http_date(expires)
    elif max_age is not None and sync_expires:
        expires = http_date(time.time() + max_age)
    if samesite is not None:
        samesite = samesite.title()
        if samesite not in _SAMESITE:
            raise ValueError(
                f"SameSite must be 'Strict', 'Lax' or 'None' (any case), not {samesite!r}."
            )
    if partitioned:
        secure = True
    if not _cookie_plain_re.fullmatch(value):
        escaped = _cookie_escape_re.sub(_cookie_escape, value.encode())
        value = f'"{escaped.decode("ascii")}"'
    # WSGI header values are latin-1: a non-ASCII name goes out as its UTF-8 bytes.
    parts = [f"{key.encode().decode('latin-1')}={value}"]
    for name, attr in (
        ("Domain", domain),
        ("Expires", expires),
        ("Max-Age", max_age),
        ("Secure", secure),
        ("HttpOnly", httponly),
        ("Path", path),
        ("SameSite", samesite),
        ("Partitioned", partitioned),
    ):
        if attr is None or attr is False:
            continue
        parts.append(name if attr is True else f"{name}={attr}")
    result = "; ".join(parts)
    if max_size and len(result) > max_size:
        warnings.warn(
            f"The {key!r} cookie is too large: the header is {len(result)} bytes"
            f" ({len(value)} of them the value), over the {max_size}-byte limit, so browsers"
            " will ignore it. Store less in the cookie, or raise max_size (MAX_COOKIE_SIZE)"
            " if you know your clients accept more.",
            UserWarning,
            stacklevel=2,
        )
    return result


# ---------------------------------------------------------------------------------------------
# ETags and conditional requests


def quote_etag(etag: str, weak: bool = False) -> str:
    """Quote an entity tag for a header: ``"etag"``, or ``W/"etag"`` when ``weak``."""
    if '"' in etag:
        raise ValueError(f"An ETag cannot contain '\"': {etag!r}. Hash or encode it first.")
    return f'W/"{etag}"' if weak else f'"{etag}"'


def unquote_etag(etag: str | None) -> tuple[str, bool] | tuple[None, None]:
    """Split a header entity tag into ``(etag, weak)``; ``(None, None)`` for no value."""
    if not etag:
        return None, None
    weak = etag[:2] in ("W/", "w/")
    if weak:
        etag = etag[2:]
    if etag[:1] == etag[-1:] == '"':
        etag = etag[1:-1]
    return etag, weak


_etag_token_re = re.compile(r'"[^"]*"|[^,"]+|,|"')
_blank_re = re.compile(r"\s")


def parse_etags(value: str | None) -> _ht.ETags:
    """Parse an ``If-Match`` / ``If-None-Match`` list into :class:`ETags`.

    ``*`` anywhere makes a star tag. Malformed items (stray quotes, text after the closing
    quote, blanks in an unquoted tag) are skipped. Unlike Werkzeug, ``""`` is the empty tag
    rather than ``None``.
    """
    if not value:
        return _ht.ETags()
    strong: list[str] = []
    weak: list[str] = []
    parts: list[str] = []
    for match in _etag_token_re.finditer(value + ","):
        token = match.group()
        if token != ",":
            parts.append(token)
            continue
        item = "".join(parts).strip(" \t")
        parts = []
        if not item:
            continue
        if item == "*":
            return _ht.ETags(star_tag=True)
        is_weak = item[:2] in ("W/", "w/")
        if is_weak:
            item = item[2:]
        if len(item) >= 2 and item[0] == item[-1] == '"' and '"' not in item[1:-1]:
            item = item[1:-1]
        elif '"' in item or _blank_re.search(item):
            continue  # an unquoted tag cannot hold quotes or blanks
        (weak if is_weak else strong).append(item)
    return _ht.ETags(strong, weak)


def generate_etag(data: bytes) -> str:
    """Return an entity tag for ``data``: its SHA-1 hex digest."""
    return sha1(data).hexdigest()


def parse_if_range_header(value: str | None) -> _ht.IfRange:
    """Parse an ``If-Range`` header: an HTTP date or an entity tag."""
    if not value:
        return _ht.IfRange()
    dt = parse_date(value)
    if dt is not None:
        return _ht.IfRange(date=dt)
    return _ht.IfRange(unquote_etag(value)[0])


def is_resource_modified(
    http_range: str | None = None,
    http_if_range: str | None = None,
    http_if_modified_since: str | None = None,
    http_if_none_match: str | None = None,
    http_if_match: str | None = None,
    etag: str | None = None,
    data: bytes | None = None,
    last_modified: datetime | str | None = None,
    ignore_if_range: bool = True,
) -> bool:
    """Tell whether a resource must be sent in full, given the request's conditional headers.

    The ``http_*`` arguments are the raw ``Range``, ``If-Range``, ``If-Modified-Since``,
    ``If-None-Match`` and ``If-Match`` header values; ``etag`` (or ``data`` to hash) and
    ``last_modified`` describe the resource. ``False`` means a 304 (or a range) will do.

    ``If-Range`` is only considered with a ``Range`` header and ``ignore_if_range=False``.
    A weak entity tag in ``If-Range`` never matches (RFC 9110 requires a strong comparison),
    so such a request gets the full resource; Werkzeug compares it as if it were strong.
    """
    if etag is None and data is not None:
        etag = generate_etag(data)
    elif data is not None:
        raise TypeError("Pass either 'etag' or 'data' to is_resource_modified, not both.")
    unmodified = False
    modified_at = parse_date(last_modified) if isinstance(last_modified, str) else last_modified
    if modified_at is not None:
        # HTTP dates have no sub-second part; drop it so a file is not always "newer".
        modified_at = _as_utc(modified_at.replace(microsecond=0))
    if_range = None
    if not ignore_if_range and http_range is not None:
        if_range = parse_if_range_header(http_if_range)
    modified_since: datetime | None
    if if_range is not None and if_range.date is not None:
        modified_since = if_range.date
    else:
        modified_since = parse_date(http_if_modified_since)
    if modified_since and modified_at and modified_at <= modified_since:
        unmodified = True
    etag = unquote_etag(etag)[0]
    if etag:
        if if_range is not None and if_range.etag is not None:
            # One strong validator, compared strongly: '*', a list or a W/ tag never match.
            weak_validator = unquote_etag(http_if_range)[1]
            unmodified = not weak_validator and if_range.etag == etag
        else:
            if_none_match = parse_etags(http_if_none_match)
            if if_none_match:
                unmodified = if_none_match.contains_weak(etag)  # weak comparison (RFC 9110)
            if_match = parse_etags(http_if_match)
            if if_match:
                unmodified = not if_match.is_strong(etag)  # strong comparison (RFC 9110)
    return not unmodified


# ---------------------------------------------------------------------------------------------
# Ranges

# More ranges than this in one request is treated as no Range header at all (a full
# response): many small ranges cost the server far more than the one response they replace.
MAX_RANGES = 100
_digits_re = re.compile(r"[0-9]+")


def _plain_int(value: str) -> int:
    """Parse ASCII digits with an optional leading ``-``; ValueError for anything else."""
    value = value.strip(" \t")
    digits = value[1:] if value[:1] == "-" else value
    if not _digits_re.fullmatch(digits):
        raise ValueError(f"not a plain integer: {value!r}")
    return int(value)  # may raise ValueError past Python's digit limit; callers catch it


def parse_range_header(value: str | None, make_inclusive: bool = True) -> _ht.Range | None:
    """Parse a ``Range`` header (``bytes=0-499,-500``) into a :class:`Range`, or ``None``.

    ``None`` means "ignore the header and send everything": malformed numbers, an inverted
    range, ranges out of order or overlapping, or more than :data:`MAX_RANGES` ranges.
    Stops in :class:`Range` are exclusive. ``make_inclusive`` is accepted for compatibility.
    """
    if not value or "=" not in value:
        return None
    units, _, spec = value.partition("=")
    items = spec.split(",", MAX_RANGES)
    if len(items) > MAX_RANGES:
        return None
    units = units.strip(" \t").lower()
    ranges: list[tuple[int, int | None]] = []
    last_end = 0
    try:
        for raw_item in items:
            item = raw_item.strip(" \t")
            if item[:1] == "-":
                if last_end < 0:
                    return None
                begin = _plain_int(item)
                if begin == 0:
                    return None  # a suffix of zero bytes selects nothing
                ranges.append((begin, None))
                last_end = -1
                continue
            begin_str, dash, end_str = item.partition("-")
            if not dash:
                return None
            begin = _plain_int(begin_str)
            if begin < last_end or last_end < 0:
                return None
            end: int | None = None
            if end_str.strip(" \t"):
                end = _plain_int(end_str) + 1
                if begin >= end:
                    return None
            last_end = -1 if end is None else end
            ranges.append((begin, end))
    except ValueError:
        return None
    return _ht.Range(units, ranges)


def parse_content_range_header(
    value: str | None, on_update: Callable[[_ht.ContentRange], None] | None = None
) -> _ht.ContentRange | None:
    """Parse ``Content-Range`` (``bytes 0-499/1234``, ``bytes */1234``) or return ``None``."""
    if value is None:
        return None
    try:
        units, rangedef = value.strip().split(None, 1)
    except ValueError:
        return None
    if "/" not in rangedef:
        return None
    rng, _, length_str = rangedef.partition("/")
    try:
        length = None if length_str == "*" else _plain_int(length_str)
        if rng == "*":
            if not is_byte_range_valid(None, None, length):
                return None
            return _ht.ContentRange(units, None, None, length, on_update=on_update)
        start_str, dash, stop_str = rng.partition("-")
        if not dash:
            return None
        start = _plain_int(start_str)
        stop = _plain_int(stop_str) + 1
    except ValueError:
        return None
    if is_byte_range_valid(start, stop, length):
        return _ht.ContentRange(units, start, stop, length, on_update=on_update)
    return None


def is_byte_range_valid(start: int | None, stop: int | None, length: int | None) -> bool:
    """Tell whether ``start``-``stop`` (stop exclusive) is a valid range of ``length`` bytes."""
    if (start is None) != (stop is None):
        return False
    if start is None or stop is None:
        return length is None or length >= 0
    if length is None:
        return 0 <= start < stop
    if start >= stop:
        return False
    return 0 <= start < length


# ---------------------------------------------------------------------------------------------
# Entity and hop-by-hop headers

_ENTITY_HEADERS = frozenset(
    (
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "expires",
        "last-modified",
    )
)
_HOP_BY_HOP_HEADERS = frozenset(
    (
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    )
)


def is_entity_header(header: str) -> bool:
    """Tell whether ``header`` describes the body (``Content-Type``, ``Expires``, ...)."""
    return header.lower() in _ENTITY_HEADERS


def is_hop_by_hop_header(header: str) -> bool:
    """Tell whether ``header`` applies to one connection only (``Connection``, ...)."""
    return header.lower() in _HOP_BY_HOP_HEADERS


def remove_entity_headers(
    headers: Any, allowed: Iterable[str] = ("expires", "content-location")
) -> None:
    """Remove entity headers (except ``allowed``) from a list of pairs or a Headers, in place.

    Used when answering 304 Not Modified, which must not describe a body.
    """
    keep = {x.lower() for x in allowed}
    headers[:] = [
        (key, value) for key, value in headers if not is_entity_header(key) or key.lower() in keep
    ]


def remove_hop_by_hop_headers(headers: Any) -> None:
    """Remove hop-by-hop headers from a list of pairs or a Headers, in place."""
    headers[:] = [(key, value) for key, value in headers if not is_hop_by_hop_header(key)]


__all__ = [
    "MAX_RANGES",
    "dump_age",
    "dump_cookie",
    "dump_header",
    "dump_options_header",
    "generate_etag",
    "http_date",
    "is_byte_range_valid",
    "is_entity_header",
    "is_hop_by_hop_header",
    "is_resource_modified",
    "parse_accept_header",
    "parse_age",
    "parse_cache_control_header",
    "parse_content_range_header",
    "parse_cookie",
    "parse_date",
    "parse_dict_header",
    "parse_etags",
    "parse_if_range_header",
    "parse_list_header",
    "parse_options_header",
    "parse_range_header",
    "parse_set_header",
    "quote_etag",
    "quote_header_value",
    "remove_entity_headers",
    "remove_hop_by_hop_headers",
    "unquote_etag",
    "unquote_header_value",
]

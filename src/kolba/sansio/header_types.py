"""Objects for structured header values: Accept, ETags, ranges, Cache-Control, authentication.

Each class wraps one header's parsed value, answers the questions an app asks of it
(``best_match``, ``contains``, ``range_for_length``, ``no_cache``, ``username``) and renders
it back with ``to_header()``. They mirror the header classes of ``werkzeug.datastructures``.
The parsing functions live in :mod:`kolba.sansio.http`.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Generic, SupportsIndex, TypeVar, overload

from . import http as _http
from .datastructures import CallbackDict, ImmutableDictMixin, ImmutableList

_T = TypeVar("_T")

# ---------------------------------------------------------------------------------------------
# Accept headers


class Accept(ImmutableList[tuple[str, float]]):
    """An ``Accept``-style header: ``(value, quality)`` pairs, most preferred first.

    Items are sorted by specificity, then quality (a stable sort, so ties keep the client's
    order). ``accept["gzip"]`` is the quality of ``gzip`` (0 if not acceptable), ``"gzip" in
    accept`` tells whether any item matches it, and :meth:`best_match` picks among what the
    server can offer. ``provided`` is false when the client sent no header at all.
    """

    provided: bool

    def __init__(self, values: Iterable[tuple[str, float]] | None = ()) -> None:
        if values is None:
            list.__init__(self)
            self.provided = False
        elif isinstance(values, Accept):
            list.__init__(self, values)
            self.provided = values.provided
        else:
            ordered = sorted(
                values, key=lambda item: (self._specificity(item[0]), item[1]), reverse=True
            )
            list.__init__(self, ordered)
            self.provided = True

    def _specificity(self, value: str) -> tuple[bool, ...]:
        """A sort key: more specific values come first (here only ``*`` is less specific)."""
        return (value != "*",)

    def _value_matches(self, value: str, item: str) -> bool:
        """Tell whether the client's ``item`` accepts the server's ``value``."""
        return item == "*" or item.lower() == value.lower()

    @overload
    def __getitem__(self, key: str) -> float: ...
    @overload
    def __getitem__(self, key: SupportsIndex) -> tuple[str, float]: ...
    @overload
    def __getitem__(self, key: slice) -> list[tuple[str, float]]: ...

    def __getitem__(self, key: str | SupportsIndex | slice) -> Any:
        if isinstance(key, str):
            return self.quality(key)
        return list.__getitem__(self, key)

    def quality(self, key: str) -> float:
        """Return the quality the client gives ``key``: the first matching item's, or 0."""
        for item, quality in self:
            if self._value_matches(key, item):
                return quality
        return 0

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str):
            return list.__contains__(self, value)
        return self._accepts(value)

    def _accepts(self, value: str) -> bool:
        """Whether any item matches ``value`` (whatever its quality): ``value in self``."""
        return any(self._value_matches(value, item) for item, _ in self)

    def index(self, key: Any, *args: Any) -> int:
        """Return the position of the first item matching ``key`` (ValueError if none)."""
        if isinstance(key, str):
            for idx, (item, _) in enumerate(self):
                if self._value_matches(key, item):
                    return idx
            raise ValueError(key)
        return list.index(self, key, *args)

    def find(self, key: Any) -> int:
        """Like :meth:`index` but return -1 when nothing matches."""
        try:
            return self.index(key)
        except ValueError:
            return -1

    def values(self) -> Iterator[str]:
        """Yield the accepted values, most preferred first."""
        for item, _ in self:
            yield item

    def to_header(self) -> str:
        """Render the header value (``q`` is written only when it is not 1)."""
        return ",".join(item if quality == 1 else f"{item};q={quality}" for item, quality in self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    def _first_match(self, server_value: str) -> tuple[str, float] | None:
        # Items are sorted most specific first, so the first match is the best for this value.
        for item, quality in self:
            if self._value_matches(server_value, item):
                return item, quality
        return None

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """Return the value of ``matches`` the client prefers, or ``default``.

        Higher quality wins; at equal quality the one matched by a more specific client item
        wins, then the earlier one in ``matches``. Items with quality 0 never match.
        """
        result = default
        best_quality: float = -1
        best_specificity: tuple[Any, ...] = (-1,)
        for server_value in matches:
            found = self._first_match(server_value)
            if found is None:
                continue
            item, quality = found
            if quality <= 0 or quality < best_quality:
                continue
            specificity = self._specificity(item)
            if quality > best_quality or specificity > best_specificity:
                result, best_quality, best_specificity = server_value, quality, specificity
        return result

    @property
    def best(self) -> str | None:
        """The client's most preferred value, or ``None`` for an empty header."""
        return self[0][0] if self else None


_mime_split_re = re.compile(r"/|(?:\s*;\s*)")


def _mime_parts(value: str) -> list[str]:
    return _mime_split_re.split(value.lower())


class MIMEAccept(Accept):
    """The ``Accept`` header: media ranges with ``*`` wildcards and parameters.

    ``text/*`` matches ``text/html``; ``text/html;level=1`` matches only the same parameters.
    Server values passed in must look like ``type/subtype`` (ValueError otherwise).
    """

    def _specificity(self, value: str) -> tuple[bool, ...]:
        return tuple(part != "*" for part in _mime_split_re.split(value))

    def _value_matches(self, value: str, item: str) -> bool:
        if "/" not in item:
            return False  # not a media range: the client's mistake, so it just never matches
        if "/" not in value:
            raise ValueError(f"{value!r} is not a MIME type; pass 'type/subtype'.")
        v_type, v_sub, *v_params = _mime_parts(value)
        if v_type == "*" and v_sub != "*":
            raise ValueError(f"{value!r} is not a MIME type; only '*/*' may start with '*'.")
        i_type, i_sub, *i_params = _mime_parts(item)
        if i_type == "*":
            return i_sub == "*"
        if v_type == "*":
            return True
        if i_type != v_type:
            return False
        return (
            i_sub == "*"
            or v_sub == "*"
            or (i_sub == v_sub and sorted(i_params) == sorted(v_params))
        )

    @property
    def accept_html(self) -> bool:
        """Whether the client accepts HTML (or XHTML)."""
        return self._accepts("text/html") or self.accept_xhtml

    @property
    def accept_xhtml(self) -> bool:
        """Whether the client accepts XHTML (or XML)."""
        return self._accepts("application/xhtml+xml") or self._accepts("application/xml")

    @property
    def accept_json(self) -> bool:
        """Whether the client accepts JSON."""
        return self._accepts("application/json")


_locale_delim_re = re.compile(r"[_-]")


def _lang_parts(value: str) -> list[str]:
    return _locale_delim_re.split(value.lower())


class LanguageAccept(Accept):
    """The ``Accept-Language`` header: ``en-US`` and ``en_us`` are the same tag.

    :meth:`best_match` falls back to primary tags: a client asking for ``en-US`` gets ``en``,
    and a client asking for ``en`` gets ``en-GB``, when nothing matches exactly.
    """

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _lang_parts(value) == _lang_parts(item)

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """Return the best language of ``matches``, trying primary tags as fallbacks."""
        offered = list(matches)
        result = super().best_match(offered)
        if result is not None:
            return result
        # The client's en-US also accepts the server's plain en.
        primary_client = Accept(
            [(_locale_delim_re.split(item, 1)[0], quality) for item, quality in self]
        )
        result = primary_client.best_match(offered)
        if result is not None:
            return result
        # The client's en also accepts the server's en-GB.
        primaries = [_locale_delim_re.split(value, 1)[0] for value in offered]
        result = super().best_match(primaries)
        if result is not None:
            return next(value for value in offered if value.startswith(result))
        return default


def _charset_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError, TypeError):
        return name.lower()


class CharsetAccept(Accept):
    """The ``Accept-Charset`` header: aliases (``utf8``, ``UTF-8``) compare equal."""

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _charset_name(value) == _charset_name(item)


# ---------------------------------------------------------------------------------------------
# Entity tags


class ETags(Collection[str]):
    """The entity tags of ``If-Match`` / ``If-None-Match``, strong and weak, or ``*``.

    ``etag in etags`` and :meth:`contains` use the strong comparison; :meth:`contains_weak`
    the weak one. Iteration and ``len`` cover the strong tags.
    """

    def __init__(
        self,
        strong_etags: Iterable[str] | None = None,
        weak_etags: Iterable[str] | None = None,
        star_tag: bool = False,
    ) -> None:
        # dicts keep the header's order for to_header() and give set lookups.
        self._strong: dict[str, None] = {} if star_tag else dict.fromkeys(strong_etags or ())
        self._weak: dict[str, None] = dict.fromkeys(weak_etags or ())
        self.star_tag = star_tag

    def as_set(self, include_weak: bool = False) -> set[str]:
        """Return the strong tags (and the weak ones with ``include_weak``) as a set."""
        result = set(self._strong)
        if include_weak:
            result.update(self._weak)
        return result

    def is_weak(self, etag: str) -> bool:
        """Whether ``etag`` was sent as a weak tag."""
        return etag in self._weak

    def is_strong(self, etag: str) -> bool:
        """Whether ``etag`` was sent as a strong tag."""
        return etag in self._strong

    def contains_weak(self, etag: str) -> bool:
        """Weak comparison: ``etag`` matches a weak or strong tag, or ``*``."""
        return self.is_weak(etag) or self.contains(etag)

    def contains(self, etag: str) -> bool:
        """Strong comparison: ``etag`` matches a strong tag, or ``*``."""
        return self.star_tag or etag in self._strong

    def contains_raw(self, etag: str) -> bool:
        """Like :meth:`contains` for a quoted tag; a ``W/`` tag uses the weak comparison."""
        value, weak = _http.unquote_etag(etag)
        if value is None:
            return False
        return self.contains_weak(value) if weak else self.contains(value)

    def to_header(self) -> str:
        """Render the header value."""
        if self.star_tag:
            return "*"
        return ", ".join([f'"{x}"' for x in self._strong] + [f'W/"{x}"' for x in self._weak])

    def __call__(
        self, etag: str | None = None, data: bytes | None = None, include_weak: bool = False
    ) -> bool:
        """Tell whether ``etag`` (or the tag of ``data``) is listed."""
        if etag is None:
            if data is None:
                raise TypeError("Pass 'etag' or 'data' to check against the ETags.")
            etag = _http.generate_etag(data)
        if include_weak and etag in self._weak:
            return True
        return etag in self._strong

    def __bool__(self) -> bool:
        return bool(self.star_tag or self._strong or self._weak)

    def __len__(self) -> int:
        return len(self._strong)

    def __iter__(self) -> Iterator[str]:
        return iter(self._strong)

    def __contains__(self, etag: object) -> bool:
        return isinstance(etag, str) and self.contains(etag)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class IfRange:
    """The ``If-Range`` header: an entity tag or a date (or neither)."""

    def __init__(self, etag: str | None = None, date: datetime | None = None) -> None:
        self.etag = etag
        self.date = date

    def to_header(self) -> str:
        """Render the header value ("" when empty)."""
        if self.date is not None:
            return _http.http_date(self.date)
        if self.etag is not None:
            return _http.quote_etag(self.etag)
        return ""

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# ---------------------------------------------------------------------------------------------
# Ranges


class Range:
    """A ``Range`` request header: a unit and ``(start, stop)`` pairs, stop exclusive.

    ``stop`` is ``None`` for an open range (``500-``); a negative ``start`` with no stop is a
    suffix (``-500``, the last 500 bytes).
    """

    def __init__(
        self,
        units: str,
        ranges: list[tuple[int, int | None]],
        on_update: Callable[[Range], None] | None = None,
    ) -> None:
        for start, stop in ranges:
            if start is None or (stop is not None and (start < 0 or start >= stop)):
                raise ValueError(
                    f"{(start, stop)} is not a valid range: use (start, stop) with"
                    " 0 <= start < stop, (start, None), or (-suffix_length, None)."
                )
        self.units = units
        self.ranges = ranges
        self.on_update = on_update

    def range_for_length(self, length: int | None) -> tuple[int, int] | None:
        """Return ``(start, stop)`` for a body of ``length`` bytes, or ``None``.

        Only a single byte range can be served this way. A suffix longer than the body means
        the whole body (RFC 9110; Werkzeug answers 416 instead).
        """
        if self.units != "bytes" or length is None or len(self.ranges) != 1:
            return None
        start, stop = self.ranges[0]
        if stop is None:
            stop = length
            if start < 0:
                start = max(start + length, 0)
        if _http.is_byte_range_valid(start, stop, length):
            return start, min(stop, length)
        return None

    def make_content_range(self, length: int | None) -> ContentRange | None:
        """Return the :class:`ContentRange` answering this range for ``length`` bytes."""
        rng = self.range_for_length(length)
        if rng is None:
            return None
        return ContentRange(self.units, rng[0], rng[1], length)

    def to_header(self) -> str:
        """Render the header value (``bytes=0-499,-500``)."""
        specs = []
        for start, stop in self.ranges:
            if stop is None:
                specs.append(f"{start}-" if start >= 0 else str(start))
            else:
                specs.append(f"{start}-{stop - 1}")
        return f"{self.units}={','.join(specs)}"

    def to_content_range_header(self, length: int | None) -> str | None:
        """Render the ``Content-Range`` value for ``length`` bytes, or ``None``."""
        rng = self.range_for_length(length)
        if rng is None:
            return None
        return f"{self.units} {rng[0]}-{rng[1] - 1}/{length}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class _ContentRangeField(Generic[_T]):
    """An attribute of :class:`ContentRange` whose assignment calls ``on_update``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _ContentRangeField[_T]: ...
    @overload
    def __get__(self, obj: ContentRange, owner: type | None = None) -> _T: ...

    def __get__(self, obj: ContentRange | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(obj, self.slot)

    def __set__(self, obj: ContentRange, value: _T) -> None:
        setattr(obj, self.slot, value)
        if obj.on_update is not None:
            obj.on_update(obj)


class ContentRange:
    """A ``Content-Range`` response header (``bytes 0-499/1234``); stop is exclusive.

    Changing a field (or calling :meth:`set` / :meth:`unset`) calls ``on_update`` so a
    response can re-render its header.
    """

    units: _ContentRangeField[str | None] = _ContentRangeField()
    start: _ContentRangeField[int | None] = _ContentRangeField()
    stop: _ContentRangeField[int | None] = _ContentRangeField()
    length: _ContentRangeField[int | None] = _ContentRangeField()

    def __init__(
        self,
        units: str | None,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        on_update: Callable[[ContentRange], None] | None = None,
    ) -> None:
        self.on_update = None
        self.set(start, stop, length, units)
        self.on_update = on_update

    def set(
        self,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        units: str | None = "bytes",
    ) -> None:
        """Replace every field at once (one ``on_update`` call)."""
        if not _http.is_byte_range_valid(start, stop, length):
            raise ValueError(
                f"Content-Range start={start}, stop={stop}, length={length} is not valid:"
                " need 0 <= start < stop and start < length (or all None for '*')."
            )
        self._units, self._start, self._stop, self._length = units, start, stop, length
        if self.on_update is not None:
            self.on_update(self)

    def unset(self) -> None:
        """Clear the value; the header renders as empty and the object is falsy."""
        self.set(None, None, units=None)

    def to_header(self) -> str:
        """Render the header value ("" when unset)."""
        if self._units is None:
            return ""
        length = "*" if self._length is None else self._length
        if self._start is None or self._stop is None:
            return f"{self._units} */{length}"
        return f"{self._units} {self._start}-{self._stop - 1}/{length}"

    def __bool__(self) -> bool:
        return self._units is not None

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# ---------------------------------------------------------------------------------------------
# Cache-Control


class _Directive:
    """A Cache-Control directive as an attribute; ``max_age`` is the ``max-age`` directive."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name.replace("_", "-")

    def _remove(self, obj: _CacheControl) -> None:
        if self.key in obj:
            del obj[self.key]

    def __delete__(self, obj: _CacheControl) -> None:
        self._remove(obj)


class _FlagDirective(_Directive):
    """A directive without a value (``no-store``): True when present."""

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _FlagDirective: ...
    @overload
    def __get__(self, obj: _CacheControl, owner: type | None = None) -> bool: ...

    def __get__(self, obj: _CacheControl | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return self.key in obj

    def __set__(self, obj: _CacheControl, value: bool | None) -> None:
        if value:
            obj[self.key] = None
        else:
            self._remove(obj)


class _SecondsDirective(_Directive):
    """A directive with a number of seconds (``max-age=60``); None when absent or invalid."""

    def __init__(self, bare: Any = None) -> None:
        self.bare = bare  # what a directive sent without a value reads as

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _SecondsDirective: ...
    @overload
    def __get__(self, obj: _CacheControl, owner: type | None = None) -> Any: ...

    def __get__(self, obj: _CacheControl | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if self.key not in obj:
            return None
        value = obj[self.key]
        if value is None:
            return self.bare
        try:
            return int(value)
        except ValueError:
            return None

    def __set__(self, obj: _CacheControl, value: int | bool | None) -> None:
        if value is None or value is False:
            self._remove(obj)
        elif value is True:
            obj[self.key] = None
        else:
            obj[self.key] = str(int(value))


class _FieldsDirective(_Directive):
    """A directive that is bare or names header fields (``private="Set-Cookie"``).

    Reads as None when absent, True when bare, else the string.
    """

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _FieldsDirective: ...
    @overload
    def __get__(self, obj: _CacheControl, owner: type | None = None) -> str | bool | None: ...

    def __get__(self, obj: _CacheControl | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if self.key not in obj:
            return None
        value = obj[self.key]
        return True if value is None else value

    def __set__(self, obj: _CacheControl, value: str | bool | None) -> None:
        if value is None or value is False:
            self._remove(obj)
        elif value is True:
            obj[self.key] = None
        else:
            obj[self.key] = str(value)


class _CacheControl(CallbackDict[str, "str | None"]):
    """Cache-Control directives as a dict (name -> value or None), with attribute access."""

    no_store = _FlagDirective()
    max_age = _SecondsDirective()
    no_transform = _FlagDirective()
    stale_if_error = _SecondsDirective()

    def __init__(
        self,
        values: Mapping[str, str | None] | Iterable[tuple[str, str | None]] | None = (),
        on_update: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(values or (), on_update)
        self.provided = values is not None

    def to_header(self) -> str:
        """Render the header value (``no-cache, max-age=60``)."""
        return _http.dump_header(self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class RequestCacheControl(ImmutableDictMixin, _CacheControl):  # type: ignore[misc]
    """The request's ``Cache-Control`` header (read-only)."""

    no_cache = _FlagDirective()
    max_stale = _SecondsDirective(bare=True)  # bare max-stale: any staleness is fine
    min_fresh = _SecondsDirective()
    only_if_cached = _FlagDirective()


class ResponseCacheControl(_CacheControl):
    """The response's ``Cache-Control`` header; setting an attribute updates the response.

    ``cc.no_cache = True`` renders ``no-cache``, ``cc.max_age = 60`` ``max-age=60``, and
    ``None`` or False removes a directive.
    """

    no_cache = _FieldsDirective()
    public = _FlagDirective()
    private = _FieldsDirective()
    must_revalidate = _FlagDirective()
    proxy_revalidate = _FlagDirective()
    s_maxage = _SecondsDirective()
    immutable = _FlagDirective()
    must_understand = _FlagDirective()
    stale_while_revalidate = _SecondsDirective()


# ---------------------------------------------------------------------------------------------
# Authentication


def _split_credentials(value: str) -> tuple[str, str]:
    """Split ``scheme rest`` (the scheme lower-cased, the rest stripped of blanks)."""
    scheme, _, rest = value.partition(" ")
    return scheme.lower(), rest.strip(" \t")


def _is_token68(rest: str) -> bool:
    # Parameters have an '=' before the end; a token68 may only end with '=' padding.
    return "=" not in rest.rstrip("=")


class Authorization:
    """The ``Authorization`` request header.

    ``type`` is the lower-cased scheme. Basic credentials give ``username`` and
    ``password``; Digest and other parameter schemes fill ``parameters`` (also readable as
    attributes: ``auth.realm``); Bearer and other token schemes set ``token``.
    """

    def __init__(
        self,
        auth_type: str,
        data: Mapping[str, str | None] | None = None,
        token: str | None = None,
    ) -> None:
        self.type = auth_type
        self.parameters: dict[str, str | None] = dict(data) if data else {}
        self.token = token

    @property
    def username(self) -> str | None:
        """The user name (Basic and Digest)."""
        return self.parameters.get("username")

    @property
    def password(self) -> str | None:
        """The password (Basic)."""
        return self.parameters.get("password")

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("__") or "parameters" not in self.__dict__:
            raise AttributeError(name)
        return self.parameters.get(name)

    def __getitem__(self, key: str) -> str | None:
        return self.parameters[key]

    def get(self, key: str, default: str | None = None) -> str | None:
        """Return parameter ``key`` or ``default``."""
        return self.parameters.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.parameters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Authorization):
            return NotImplemented
        return (self.type, self.parameters, self.token) == (
            other.type,
            other.parameters,
            other.token,
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_header(cls, value: str | None) -> Authorization | None:
        """Parse a header value; ``None`` when it is empty or its Basic credentials are
        not valid base64 of UTF-8 text (never an exception)."""
        if not value:
            return None
        scheme, rest = _split_credentials(value)
        if not scheme:
            return None
        if scheme == "basic":
            try:
                # validate=True: characters outside the alphabet are an error, not skipped.
                decoded = base64.b64decode(rest, validate=True).decode()
            except (binascii.Error, UnicodeError, ValueError):
                return None
            username, _, password = decoded.partition(":")
            return cls(scheme, {"username": username, "password": password})
        if _is_token68(rest):
            return cls(scheme, None, rest)
        return cls(scheme, _http.parse_dict_header(rest))

    def to_header(self) -> str:
        """Render the header value."""
        if self.type == "basic":
            raw = f"{self.username}:{self.password}".encode()
            return f"Basic {base64.b64encode(raw).decode()}"
        if self.token is not None:
            return f"{self.type.title()} {self.token}"
        return f"{self.type.title()} {_http.dump_header(self.parameters)}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"


# Digest challenges must quote these even when they are tokens (RFC 7616).
_DIGEST_QUOTED = frozenset(("realm", "domain", "nonce", "opaque", "qop"))


class WWWAuthenticate:
    """The ``WWW-Authenticate`` response header (an authentication challenge).

    ``type`` is the lower-cased scheme, ``parameters`` the challenge's parameters (also
    readable and settable as attributes: ``challenge.realm = "Admin"``; ``None`` deletes),
    ``token`` a token68 value. Any change calls ``on_update(self)``.
    """

    _type: str
    _token: str | None
    _parameters: CallbackDict[str, str | None]
    _on_update: Callable[[WWWAuthenticate], None] | None

    def __init__(
        self,
        auth_type: str,
        values: Mapping[str, str | None] | None = None,
        token: str | None = None,
        *,
        on_update: Callable[[WWWAuthenticate], None] | None = None,
    ) -> None:
        object.__setattr__(self, "_on_update", None)
        object.__setattr__(self, "_type", auth_type.lower())
        object.__setattr__(self, "_token", token)
        object.__setattr__(self, "_parameters", CallbackDict(values, self._changed))
        object.__setattr__(self, "_on_update", on_update)

    def _changed(self, _: object = None) -> None:
        if self._on_update is not None:
            self._on_update(self)

    @property
    def type(self) -> str:
        """The authentication scheme, lower-cased."""
        return self._type

    @type.setter
    def type(self, value: str) -> None:
        object.__setattr__(self, "_type", value.lower())
        self._changed()

    @property
    def token(self) -> str | None:
        """A token68 value (for schemes that use one instead of parameters)."""
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        object.__setattr__(self, "_token", value)
        self._changed()

    @property
    def parameters(self) -> CallbackDict[str, str | None]:
        """The challenge parameters; changing them calls ``on_update``."""
        return self._parameters

    @parameters.setter
    def parameters(self, value: Mapping[str, str | None]) -> None:
        object.__setattr__(self, "_parameters", CallbackDict(value, self._changed))
        self._changed()

    def __getattr__(self, name: str) -> str | None:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._parameters.get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in ("type", "token", "parameters"):
            object.__setattr__(self, name, value)
        elif value is None:
            self._parameters.pop(name, None)
        else:
            self._parameters[name] = value

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        else:
            object.__delattr__(self, name)

    def __getitem__(self, key: str) -> str | None:
        return self._parameters.get(key)

    def __setitem__(self, key: str, value: str | None) -> None:
        if value is None:
            self._parameters.pop(key, None)
        else:
            self._parameters[key] = value

    def __delitem__(self, key: str) -> None:
        if key in self._parameters:
            del self._parameters[key]

    def get(self, key: str, default: str | None = None) -> str | None:
        """Return parameter ``key`` or ``default``."""
        return self._parameters.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WWWAuthenticate):
            return NotImplemented
        return (self._type, dict(self._parameters), self._token) == (
            other._type,
            dict(other._parameters),
            other._token,
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_header(cls, value: str | None) -> WWWAuthenticate | None:
        """Parse a header value (one challenge); ``None`` when it is empty.

        A bare scheme (``Basic``) has neither token nor parameters, so parameters added
        later are rendered (Werkzeug gives it an empty token, which hides them).
        """
        if not value:
            return None
        scheme, rest = _split_credentials(value)
        if not scheme:
            return None
        if not rest:
            return cls(scheme)
        if _is_token68(rest):
            return cls(scheme, None, rest)
        return cls(scheme, _http.parse_dict_header(rest))

    def to_header(self) -> str:
        """Render the header value (``Basic realm="Admin area"``)."""
        title = self._type.title()
        if self._token:
            return f"{title} {self._token}"
        if not self._parameters:
            return title
        if self._type != "digest":
            return f"{title} {_http.dump_header(self._parameters)}"
        items = []
        for key, val in self._parameters.items():
            if val is None:
                items.append(key)
            else:
                quoted = _http.quote_header_value(val, allow_token=key not in _DIGEST_QUOTED)
                items.append(f"{key}={quoted}")
        return f"{title} {', '.join(items)}"

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"


__all__ = [
    "Accept",
    "Authorization",
    "CharsetAccept",
    "ContentRange",
    "ETags",
    "IfRange",
    "LanguageAccept",
    "MIMEAccept",
    "Range",
    "RequestCacheControl",
    "ResponseCacheControl",
    "WWWAuthenticate",
]

"""URL converters: the ``int`` in ``<int:id>``. Each turns a path segment into a value and back.

A custom converter subclasses :class:`BaseConverter`, sets ``regex`` and implements
``to_python`` and ``to_url``; it is registered in ``app.url_map.converters`` before the rules
that use it are added. ``to_python`` may raise :class:`ValidationError` (any ``ValueError``
works) to say "this segment is not for me", and matching goes on with the other rules.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .exceptions import ValidationError

if TYPE_CHECKING:
    from .map import Map

# Characters a path segment may carry unescaped (RFC 3986 sub-delims, ":" and "@"), plus "/"
# so that a path value keeps its slashes.
_PATH_SAFE = "!$&'()*+,/:;=@"

# Character classes that exclude "/" ("[^/]", "[^/.]") cannot make a regex cross segments.
_CLASS_WITHOUT_SLASH = re.compile(r"\[\^(?:\\.|[^\]\\])*?/(?:\\.|[^\]\\])*\]")


def _crosses_segments(regex: str) -> bool:
    """Whether ``regex`` names a literal "/" outside a class that excludes it."""
    return "/" in _CLASS_WITHOUT_SLASH.sub("", regex)


class BaseConverter:
    """Matches one path segment and passes it through as a string.

    ``regex`` is what the segment must match; ``weight`` orders converters competing for the
    same segment (lower is tried first); ``part_isolating`` is False for converters whose
    regex can match a ``/`` (they then see the rest of the path). A subclass that sets
    ``regex`` without ``part_isolating`` gets False when its regex mentions a ``/`` outside
    a ``[^/...]`` class.
    """

    regex = "[^/]+"
    weight = 100
    part_isolating = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = vars(cls)
        if "regex" in own and "part_isolating" not in own:
            cls.part_isolating = not _crosses_segments(cls.regex)

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        self.map = map

    def to_python(self, value: str) -> Any:
        """Convert the matched segment; raise :class:`ValidationError` to refuse it."""
        return value

    def to_url(self, value: Any) -> str:
        """Convert a value to its percent-quoted URL form."""
        return quote(str(value), safe=_PATH_SAFE)


class UnicodeConverter(BaseConverter):
    """The default ``string`` converter: one segment of ``minlength`` to ``maxlength``
    characters (``length`` fixes both).
    """

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            repeat = str(int(length))
        elif maxlength is None:
            repeat = f"{int(minlength)},"
        else:
            repeat = f"{int(minlength)},{int(maxlength)}"
        self.regex = "[^/]{" + repeat + "}"


class AnyConverter(BaseConverter):
    """Matches exactly one of the given words: ``<any(about, help, "contact us"):page>``."""

    def __init__(self, map: Map, *items: Any) -> None:
        super().__init__(map)
        if not items:
            raise ValueError(
                "any() needs at least one choice, for example <any(about, help):page>."
            )
        self.items = {str(item) for item in items}
        # Longest first, so a choice that is a prefix of another cannot shadow it.
        choices = sorted(self.items, key=len, reverse=True)
        self.regex = "(?:" + "|".join(re.escape(choice) for choice in choices) + ")"

    def to_url(self, value: Any) -> str:
        text = str(value)
        if text not in self.items:
            allowed = ", ".join(repr(item) for item in sorted(self.items))
            raise ValueError(
                f"{value!r} is not a choice of this any() placeholder; pass one of {allowed}."
            )
        return super().to_url(text)


class PathConverter(BaseConverter):
    """Like ``string`` but also matches slashes: ``<path:filename>`` takes the rest."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False


class NumberConverter(BaseConverter):
    """Base of ``int`` and ``float``: optional bounds (``min``, ``max``), a sign, and for
    ``int`` a fixed number of digits (``fixed_digits=4`` matches ``0042``).
    """

    weight = 50
    #: Turns the matched text (or a value given to url_for) into a number.
    num_convert: Callable[[Any], Any] = int
    #: The regex used when ``signed=True``.
    signed_regex = r"-?[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map)
        self.fixed_digits = fixed_digits
        self.min = min
        self.max = max
        self.signed = signed
        if signed:
            self.regex = self.signed_regex
        self._checks = bool(fixed_digits) or min is not None or max is not None
        if not self._checks and type(self).to_python is NumberConverter.to_python:
            # PERF: without width or bounds, converting is just int()/float(): the matcher
            # then calls the builtin directly instead of a Python method around it.
            self.to_python = self.num_convert  # type: ignore[method-assign,assignment]

    def to_python(self, value: str) -> Any:
        number = self.num_convert(value)
        if self._checks:
            if self.fixed_digits and len(value) != self.fixed_digits:
                raise ValidationError(f"{value!r} does not have {self.fixed_digits} digits")
            if (self.min is not None and number < self.min) or (
                self.max is not None and number > self.max
            ):
                raise ValidationError(f"{value!r} is outside the allowed range")
        return number

    def to_url(self, value: Any) -> str:
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text


class IntegerConverter(NumberConverter):
    """``<int:id>``: ASCII decimal digits, non-negative unless ``signed=True``."""

    regex = r"[0-9]+"


class FloatConverter(NumberConverter):
    """``<float:x>``: a decimal with a fractional part such as ``1.5`` (``2`` does not match)."""

    regex = r"[0-9]+\.[0-9]+"
    signed_regex = r"-?[0-9]+\.[0-9]+"
    num_convert = float

    def __init__(
        self,
        map: Map,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map, min=min, max=max, signed=signed)

    def to_url(self, value: Any) -> str:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value!r} cannot appear in a URL: <float> needs a finite number.")
        # Positional notation, never "1e+20", so that the URL matches this converter again.
        text = format(Decimal(repr(number)), "f")
        return text if "." in text else text + ".0"


class UUIDConverter(BaseConverter):
    """``<uuid:id>``: a UUID in its 8-4-4-4-12 hex form, given to the view as ``uuid.UUID``."""

    regex = r"[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value: Any) -> str:
        return str(value)


#: The converters every map knows, by the name used in rules.
DEFAULT_CONVERTERS: dict[str, type[BaseConverter]] = {
    "default": UnicodeConverter,
    "string": UnicodeConverter,
    "any": AnyConverter,
    "path": PathConverter,
    "int": IntegerConverter,
    "float": FloatConverter,
    "uuid": UUIDConverter,
}

__all__ = [
    "DEFAULT_CONVERTERS",
    "AnyConverter",
    "BaseConverter",
    "FloatConverter",
    "IntegerConverter",
    "NumberConverter",
    "PathConverter",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
]

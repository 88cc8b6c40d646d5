"""URL converters: the ``int`` in ``<int:id>``. Each turns a path segment into a value and back.

A custom converter subclasses :class:`BaseConverter`, sets ``regex`` and implements
``to_python`` and ``to_url``; it is registered in ``app.url_map.converters`` before the rules
that use it are added.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .exceptions import ValidationError

if TYPE_CHECKING:
    from .map import Map

# Characters RFC 3986 allows unescaped in a path segment, plus "/" for path values.
_PATH_SAFE = "!$&'()*+,/:;=@"


class BaseConverter:
    """Matches one path segment and passes it through as a string.

    ``regex`` is what the segment must match; ``weight`` orders converters competing for the
    same segment (lower goes first); ``part_isolating`` is False for converters whose regex
    can match a ``/`` (they then see the rest of the path).
    """

    regex = "[^/]+"
    weight = 100
    part_isolating = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A converter that can match "/" must see several segments at once.
        if "regex" in cls.__dict__ and "part_isolating" not in cls.__dict__:
            cls.part_isolating = "/" not in cls.regex

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        self.map = map

    def to_python(self, value: str) -> Any:
        """Convert the matched segment; raise :class:`ValidationError` to refuse it."""
        return value

    def to_url(self, value: Any) -> str:
        """Convert a value to its percent-quoted URL form."""
        return quote(str(value), safe=_PATH_SAFE)


class UnicodeConverter(BaseConverter):
    """The default ``string`` converter: one segment, optionally with a length constraint."""

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map)
        if length is not None:
            length_spec = f"{{{int(length)}}}"
        else:
            upper = "" if maxlength is None else str(int(maxlength))
            length_spec = f"{{{int(minlength)},{upper}}}"
        self.regex = f"[^/]{length_spec}"


class AnyConverter(BaseConverter):
    """Matches one of the given items: ``<any(about, help):page>``."""

    def __init__(self, map: Map, *items: str) -> None:
        super().__init__(map)
        if not items:
            raise ValueError("any() needs at least one item, for example <any(a, b):name>.")
        self.items = set(items)
        self.regex = "(?:{})".format("|".join(re.escape(x) for x in items))

    def to_url(self, value: Any) -> str:
        if value in self.items:
            return str(value)
        valid = ", ".join(f"'{item}'" for item in sorted(self.items))
        raise ValueError(f"'{value}' is not one of {valid}")


class PathConverter(BaseConverter):
    """Like ``string`` but also matches slashes: ``<path:filename>``."""

    regex = "[^/].*?"
    weight = 200
    part_isolating = False


class NumberConverter(BaseConverter):
    """Base of ``int`` and ``float``: optional bounds, sign and fixed width."""

    weight = 50
    num_convert: Any = int

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: float | None = None,
        max: float | None = None,
        signed: bool = False,
    ) -> None:
        super().__init__(map)
        if signed:
            self.regex = self.signed_regex
        self.fixed_digits = fixed_digits
        self.min = min
        self.max = max
        self.signed = signed

    signed_regex = ""

    def to_python(self, value: str) -> Any:
        if self.fixed_digits and len(value) != self.fixed_digits:
            raise ValidationError()
        number = self.num_convert(value)
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        text = str(self.num_convert(value))
        if self.fixed_digits:
            text = text.zfill(self.fixed_digits)
        return text


class IntegerConverter(NumberConverter):
    """``<int:id>``: non-negative decimal digits (``signed=True`` allows a minus sign)."""

    regex = r"[0-9]+"
    signed_regex = r"-?[0-9]+"


class FloatConverter(NumberConverter):
    """``<float:x>``: a decimal with a fractional part such as ``1.5``."""

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


class UUIDConverter(BaseConverter):
    """``<uuid:id>``: a UUID in its canonical 8-4-4-4-12 hex form, given as ``uuid.UUID``."""

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

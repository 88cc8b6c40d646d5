"""Dict-like containers for HTTP data: multi-value dicts, headers and uploaded files.

These mirror the Werkzeug datastructures that Flask apps use directly (``request.args``,
``request.form``, ``request.headers``, ``request.files``), with the same method names and
the same failure modes, so code written against them ports unchanged.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any, NoReturn, TypeVar, cast, overload

from .exceptions import BadRequestKeyError

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

_UNSET: Any = object()

# MultiDict keeps a list of values under each key, which the dict[K, V] type it presents
# cannot express; these untyped aliases reach that underlying storage.
_dict_init: Any = dict.__init__
_dict_setitem: Any = dict.__setitem__
_dict_update: Any = dict.update


def _iter_pairs(mapping: Any) -> Iterator[tuple[Any, Any]]:
    """Yield ``(key, value)`` pairs from a MultiDict, a mapping (lists expand) or pairs."""
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, Mapping):
        for key, value in mapping.items():
            if isinstance(value, (list, tuple, set)):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from mapping


class ImmutableDictMixin:
    """Refuses every mutating dict method with a TypeError."""

    def _immutable(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__!r} objects are immutable")

    def __setitem__(self, key: Any, value: Any) -> None:
        self._immutable()

    def __delitem__(self, key: Any) -> None:
        self._immutable()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._immutable()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._immutable()

    def pop(self, key: Any, default: Any = None) -> Any:
        self._immutable()

    def popitem(self) -> Any:
        self._immutable()

    def clear(self) -> None:
        self._immutable()

    def __ior__(self, other: Any) -> Any:
        self._immutable()

    def __hash__(self) -> int:
        return hash(frozenset(cast("dict[Any, Any]", self).items()))


class TypeConversionDict(dict[K, V]):
    """A dict whose :meth:`get` can convert the value, returning the default on failure."""

    @overload  # type: ignore[override]
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: V | T) -> V | T: ...
    @overload
    def get(self, key: K, default: Any = None, *, type: Callable[[V], T]) -> T | Any: ...
    @overload
    def get(self, key: K, default: Any, type: Callable[[V], T]) -> T | Any: ...

    def get(self, key: K, default: Any = None, type: Callable[[V], Any] | None = None) -> Any:
        """Return the value for ``key`` or ``default``.

        With ``type``, the value is passed through it; a ValueError or TypeError from the
        conversion returns ``default`` (so ``args.get("page", 1, type=int)`` never raises).
        """
        try:
            value = self[key]
        except KeyError:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except (ValueError, TypeError):
            return default


class ImmutableTypeConversionDict(ImmutableDictMixin, TypeConversionDict[K, V]):  # type: ignore[misc]
    """An immutable :class:`TypeConversionDict`."""

    def copy(self) -> TypeConversionDict[K, V]:
        """Return a mutable copy."""
        return TypeConversionDict(self)


class ImmutableDict(ImmutableDictMixin, dict[K, V]):  # type: ignore[misc]
    """A dict that refuses mutation."""

    def copy(self) -> dict[K, V]:
        """Return a mutable copy."""
        return dict(self)


class ImmutableList(list[V]):
    """A list that refuses mutation."""

    def _immutable(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__!r} objects are immutable")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _immutable
    append = extend = insert = pop = remove = reverse = sort = clear = _immutable

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))


class MultiDict(TypeConversionDict[K, V]):
    """A dict that keeps every value given for a key, in order.

    ``d[key]`` and ``get`` give the first value; ``getlist`` gives all of them. A missing key
    raises :class:`BadRequestKeyError`, which is a ``KeyError`` and, unhandled in a view, a
    400 Bad Request.
    """

    # Internally each key maps to a list of values; the public methods hide that.

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            dict.__init__(self)
        elif isinstance(mapping, MultiDict):
            _dict_init(self, ((k, list(v)) for k, v in mapping.lists()))
        else:
            lists: dict[Any, list[Any]] = {}
            for key, value in _iter_pairs(mapping):
                lists.setdefault(key, []).append(value)
            dict.__init__(self, lists)

    @classmethod
    def _from_lists(cls, lists: dict[Any, list[Any]]) -> Any:
        # PERF: parsers build the key -> list mapping themselves; this skips re-grouping.
        obj = cls.__new__(cls)
        dict.__init__(obj, lists)
        return obj

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Rebuild from the pairs: pickle's default for dict subclasses would set items one
        # by one, which the immutable subclasses refuse.
        return type(self), (list(self.items(multi=True)),)

    def __getstate__(self) -> dict[K, list[V]]:
        return dict(self.lists())

    def __setstate__(self, value: dict[K, list[V]]) -> None:
        dict.clear(self)
        _dict_update(self, value)

    def __iter__(self) -> Iterator[K]:
        return dict.__iter__(self)

    def __getitem__(self, key: K) -> V:
        try:
            return cast("list[V]", dict.__getitem__(self, key))[0]
        except (KeyError, IndexError):
            raise BadRequestKeyError(key) from None

    def __setitem__(self, key: K, value: V) -> None:
        _dict_setitem(self, key, [value])

    def add(self, key: K, value: V) -> None:
        """Append ``value`` to the values of ``key``."""
        cast("list[V]", dict.setdefault(self, key, cast(V, []))).append(value)

    @overload
    def getlist(self, key: K) -> list[V]: ...
    @overload
    def getlist(self, key: K, type: Callable[[V], T]) -> list[T]: ...

    def getlist(self, key: K, type: Callable[[V], Any] | None = None) -> list[Any]:
        """Return every value of ``key`` (an empty list when missing).

        With ``type``, values whose conversion fails with ValueError or TypeError are left out.
        """
        try:
            values = cast("list[V]", dict.__getitem__(self, key))
        except KeyError:
            return []
        if type is None:
            return list(values)
        result = []
        for value in values:
            try:
                result.append(type(value))
            except (ValueError, TypeError):
                pass
        return result

    def setlist(self, key: K, new_list: Iterable[V]) -> None:
        """Replace the values of ``key`` with ``new_list``."""
        _dict_setitem(self, key, list(new_list))

    def setdefault(self, key: K, default: V | None = None) -> V:
        """Return the first value of ``key``, setting it to ``default`` when missing."""
        if key not in self:
            self[key] = cast(V, default)
        return self[key]

    def setlistdefault(self, key: K, default_list: Iterable[V] | None = None) -> list[V]:
        """Return the list of values of ``key``, storing ``default_list`` when missing.

        The returned list is the stored one: appending to it adds values.
        """
        if key not in self:
            _dict_setitem(self, key, list(default_list or ()))
        return cast("list[V]", dict.__getitem__(self, key))

    def items(self, multi: bool = False) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        """Yield ``(key, first value)``, or every ``(key, value)`` pair with ``multi=True``."""
        for key, raw in dict.items(self):
            values = cast("list[V]", raw)
            if multi:
                for value in values:
                    yield key, value
            elif values:
                yield key, values[0]

    def lists(self) -> Iterator[tuple[K, list[V]]]:
        """Yield ``(key, list of values)`` pairs."""
        for key, values in dict.items(self):
            yield key, list(cast("list[V]", values))

    def values(self) -> Iterator[V]:  # type: ignore[override]
        """Yield the first value of every key."""
        for raw in dict.values(self):
            values = cast("list[V]", raw)
            if values:
                yield values[0]

    def listvalues(self) -> Iterator[list[V]]:
        """Yield the list of values of every key."""
        return iter(cast("Iterable[list[V]]", dict.values(self)))

    def copy(self) -> MultiDict[K, V]:
        """Return a shallow copy."""
        return type(self)(self)

    def deepcopy(self, memo: Any = None) -> MultiDict[K, V]:
        """Return a deep copy."""
        import copy

        return type(self)(copy.deepcopy(self.to_dict(flat=False), memo))

    @overload
    def to_dict(self) -> dict[K, V]: ...
    @overload
    def to_dict(self, flat: bool) -> dict[K, V] | dict[K, list[V]]: ...

    def to_dict(self, flat: bool = True) -> dict[K, V] | dict[K, list[V]]:
        """Return a plain dict: first values, or lists of values with ``flat=False``."""
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def update(self, mapping: Any = None, **kwargs: Any) -> None:
        """Add the values of ``mapping`` and ``kwargs``; existing values are kept (appended to)."""
        if mapping is not None:
            for key, value in _iter_pairs(mapping):
                self.add(key, value)
        for key, value in _iter_pairs(kwargs):
            self.add(key, value)

    def __or__(self, other: Any) -> MultiDict[K, V]:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __ior__(self, other: Any) -> MultiDict[K, V]:  # type: ignore[override]
        if not isinstance(other, (Mapping, MultiDict)):
            return NotImplemented
        self.update(other)
        return self

    @overload
    def pop(self, key: K) -> V: ...
    @overload
    def pop(self, key: K, default: V | T) -> V | T: ...

    def pop(self, key: K, default: Any = _UNSET) -> Any:
        """Remove ``key`` and return its first value (or ``default``)."""
        try:
            values = cast("list[V]", dict.pop(self, key))
        except KeyError:
            if default is not _UNSET:
                return default
            raise BadRequestKeyError(key) from None
        if not values:
            if default is not _UNSET:
                return default
            raise BadRequestKeyError(key)
        return values[0]

    def popitem(self) -> tuple[K, V]:
        """Remove an item and return ``(key, first value)``."""
        try:
            key, values = dict.popitem(self)
        except KeyError as e:
            raise BadRequestKeyError(e.args[0] if e.args else None) from None
        return key, cast("list[V]", values)[0]

    def poplist(self, key: K) -> list[V]:
        """Remove ``key`` and return all its values (an empty list when missing)."""
        return cast("list[V]", dict.pop(self, key, []))

    def popitemlist(self) -> tuple[K, list[V]]:
        """Remove an item and return ``(key, list of values)``."""
        try:
            return cast("tuple[K, list[V]]", dict.popitem(self))
        except KeyError as e:
            raise BadRequestKeyError(e.args[0] if e.args else None) from None

    def __copy__(self) -> MultiDict[K, V]:
        return self.copy()

    def __deepcopy__(self, memo: Any) -> MultiDict[K, V]:
        return self.deepcopy(memo=memo)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiDict):
            return dict(self.lists()) == dict(other.lists())
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        # dict.__ne__ would compare the internal lists and disagree with __eq__.
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items(multi=True))!r})"


class ImmutableMultiDictMixin(ImmutableDictMixin):
    """Refuses the MultiDict-specific mutators too."""

    def add(self, key: Any, value: Any) -> None:
        self._immutable()

    def popitemlist(self) -> Any:
        self._immutable()

    def poplist(self, key: Any) -> Any:
        self._immutable()

    def setlist(self, key: Any, new_list: Any) -> None:
        self._immutable()

    def setlistdefault(self, key: Any, default_list: Any = None) -> Any:
        self._immutable()

    def __hash__(self) -> int:
        return hash(tuple(cast("MultiDict[Any, Any]", self).items(multi=True)))


class ImmutableMultiDict(ImmutableMultiDictMixin, MultiDict[K, V]):
    """An immutable :class:`MultiDict` (``request.args``, ``request.form``)."""

    def copy(self) -> MultiDict[K, V]:
        """Return a mutable copy."""
        return MultiDict(self)

    def __copy__(self) -> ImmutableMultiDict[K, V]:
        return self

    __hash__ = ImmutableMultiDictMixin.__hash__  # type: ignore[assignment]


class CombinedMultiDict(ImmutableMultiDictMixin, MultiDict[K, V]):
    """A read-only view over several MultiDicts, searched in order (``request.values``)."""

    def __init__(self, dicts: Iterable[MultiDict[K, V]] | None = None) -> None:
        dict.__init__(self)
        self.dicts: list[MultiDict[K, V]] = list(dicts or ())

    @classmethod
    def fromkeys(cls, keys: Any, value: Any = None) -> NoReturn:
        raise TypeError(f"cannot create {cls.__name__!r} instances by fromkeys")

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (self.dicts,)

    def __getitem__(self, key: K) -> V:
        for d in self.dicts:
            if key in d:
                return d[key]
        raise BadRequestKeyError(key)

    def get(self, key: K, default: Any = None, type: Callable[[V], Any] | None = None) -> Any:
        """Return the first value found in the dicts, converted by ``type`` if given."""
        for d in self.dicts:
            if key in d:
                if type is None:
                    return d[key]
                try:
                    return type(d[key])
                except (ValueError, TypeError):
                    continue
        return default

    def getlist(self, key: K, type: Callable[[V], Any] | None = None) -> list[Any]:
        """Return the values of ``key`` from every dict, in order."""
        result: list[Any] = []
        for d in self.dicts:
            result.extend(d.getlist(key, type) if type is not None else d.getlist(key))
        return result

    def _keys_impl(self) -> list[K]:
        seen: dict[K, None] = {}
        for d in self.dicts:
            for key in d:
                seen.setdefault(key)
        return list(seen)

    def keys(self) -> Any:
        """Return the keys of every dict, each once."""
        return self._keys_impl()

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys_impl())

    def items(self, multi: bool = False) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        """Yield ``(key, first value)``, or every pair with ``multi=True``."""
        if multi:
            for d in self.dicts:
                yield from d.items(multi=True)
        else:
            for key in self._keys_impl():
                yield key, self[key]

    def values(self) -> Iterator[V]:  # type: ignore[override]
        """Yield the first value of every key."""
        for _key, value in self.items():
            yield value

    def lists(self) -> Iterator[tuple[K, list[V]]]:
        """Yield ``(key, all values)`` pairs."""
        for key in self._keys_impl():
            yield key, self.getlist(key)

    def listvalues(self) -> Iterator[list[V]]:
        """Yield the list of values of every key."""
        for _key, values in self.lists():
            yield values

    def copy(self) -> MultiDict[K, V]:
        """Return a mutable MultiDict with the combined content."""
        return MultiDict(self)

    def to_dict(self, flat: bool = True) -> dict[K, Any]:
        """Return a plain dict: first values, or lists with ``flat=False``."""
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def __len__(self) -> int:
        return len(self._keys_impl())

    def __contains__(self, key: object) -> bool:
        return any(key in d for d in self.dicts)

    def has_key(self, key: object) -> bool:
        """Same as ``key in self``."""
        return key in self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.lists()) == (
                dict(other.lists()) if isinstance(other, MultiDict) else dict(other.items())
            )
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dicts!r})"


def _check_header_str(value: str, what: str) -> str:
    # Header injection guard: a CR, LF or NUL would let a value start a new header or body.
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(
            f"Header {what}s must not contain CR, LF or NUL characters: {value[:100]!r}."
            " Remove them, or encode the value (for example with urllib.parse.quote)."
        )
    if not value.isascii():
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(
                f"The header {what} {value[:100]!r} has characters outside latin-1, which"
                " HTTP headers cannot carry. Percent-encode it (urllib.parse.quote) or use"
                " an RFC 8187 parameter such as filename*."
            ) from None
    return value


def _header_value(value: Any) -> str:
    if not isinstance(value, str):
        value = str(value)
    return _check_header_str(value, "value")


def _header_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"Header names must be str, not {type(name).__name__}.")
    return _check_header_str(name, "name")


def _options_value(value: Any, params: dict[str, Any]) -> str:
    if not params:
        return _header_value(value)
    from .http import dump_options_header

    return _header_value(
        dump_options_header(str(value), {k.replace("_", "-"): v for k, v in params.items()})
    )


class Headers:
    """An ordered list of HTTP headers with case-insensitive lookup by name.

    A name or value holding CR, LF or NUL is refused with a ValueError when it is set, so an
    app cannot be tricked into splitting a response.
    """

    __slots__ = ("_list",)

    def __init__(self, defaults: Any = None) -> None:
        self._list: list[tuple[str, str]] = []
        if defaults is not None:
            self.extend(defaults)

    @classmethod
    def _trusted(cls, pairs: list[tuple[str, str]]) -> Headers:
        # PERF: the framework's own headers are known to be valid; skip per-value checks.
        obj = cls.__new__(cls)
        obj._list = pairs
        return obj

    @overload
    def __getitem__(self, key: str) -> str: ...
    @overload
    def __getitem__(self, key: int) -> tuple[str, str]: ...
    @overload
    def __getitem__(self, key: slice) -> Headers: ...

    def __getitem__(self, key: str | int | slice) -> str | tuple[str, str] | Headers:
        if isinstance(key, str):
            ikey = key.lower()
            for name, value in self._list:
                if name.lower() == ikey:
                    return value
            raise BadRequestKeyError(key)
        if isinstance(key, int):
            return self._list[key]
        return type(self)(self._list[key])

    def __eq__(self, other: object) -> bool:
        # Same headers, ignoring the case of names and the order (as Werkzeug compares).
        if not isinstance(other, Headers):
            return NotImplemented

        def norm(items: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
            return {(k.lower(), v) for k, v in items}

        return norm(self._list) == norm(other._list)

    __hash__ = None  # type: ignore[assignment]

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    @overload
    def get(self, key: str, default: T) -> str | T: ...
    @overload
    def get(self, key: str, default: Any = None, *, type: Callable[[str], T]) -> T | Any: ...
    @overload
    def get(self, key: str, default: Any, type: Callable[[str], T]) -> T | Any: ...

    def get(self, key: str, default: Any = None, type: Callable[[str], Any] | None = None) -> Any:
        """Return the first value of header ``key`` (case-insensitive) or ``default``.

        With ``type``, a value whose conversion fails with ValueError or TypeError gives
        ``default``.
        """
        ikey = key.lower()
        for name, value in self._list:
            if name.lower() == ikey:
                if type is None:
                    return value
                try:
                    return type(value)
                except (ValueError, TypeError):
                    return default
        return default

    def getlist(self, key: str, type: Callable[[str], Any] | None = None) -> list[Any]:
        """Return every value of header ``key``, in order."""
        ikey = key.lower()
        result = []
        for name, value in self._list:
            if name.lower() == ikey:
                if type is None:
                    result.append(value)
                else:
                    try:
                        result.append(type(value))
                    except (ValueError, TypeError):
                        continue
        return result

    def get_all(self, name: str) -> list[str]:
        """Same as :meth:`getlist` (the ``email.message`` spelling)."""
        return self.getlist(name)

    def items(self, lower: bool = False) -> Iterator[tuple[str, str]]:
        """Yield ``(name, value)`` pairs; names lower-cased with ``lower=True``."""
        for name, value in self._list:
            yield (name.lower(), value) if lower else (name, value)

    def keys(self, lower: bool = False) -> Iterator[str]:
        """Yield header names (repeated names appear repeatedly)."""
        for name, _ in self.items(lower):
            yield name

    def values(self) -> Iterator[str]:
        """Yield header values."""
        for _, value in self._list:
            yield value

    def extend(self, arg: Any = None, /, **kwargs: Any) -> None:
        """Add every header from a dict, a list of pairs, a Headers or keyword arguments.

        Existing headers are kept; use :meth:`update` to replace them.
        """
        if arg is not None:
            for key, value in _iter_pairs(arg):
                self.add(key, value)
        for key, value in _iter_pairs(kwargs):
            self.add(key, value)

    def __delitem__(self, key: str | int | slice) -> None:
        if isinstance(key, str):
            ikey = key.lower()
            self._list[:] = [item for item in self._list if item[0].lower() != ikey]
        else:
            del self._list[key]

    def remove(self, key: str) -> None:
        """Remove every header named ``key``."""
        del self[key]

    @overload
    def pop(self) -> tuple[str, str]: ...
    @overload
    def pop(self, key: str | int) -> Any: ...
    @overload
    def pop(self, key: str | int, default: Any) -> Any: ...

    def pop(self, key: str | int | None = None, default: Any = _UNSET) -> Any:
        """Remove and return header ``key`` (its first value), or the last item."""
        if key is None:
            return self._list.pop()
        if isinstance(key, int):
            return self._list.pop(key)
        try:
            value = self[key]
        except KeyError:
            if default is not _UNSET:
                return default
            raise
        self.remove(key)
        return value

    def popitem(self) -> tuple[str, str]:
        """Remove and return the last ``(name, value)``."""
        return self._list.pop()

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        ikey = key.lower()
        return any(name.lower() == ikey for name, _ in self._list)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def add(self, key: str, value: Any, **kw: Any) -> None:
        """Add a header, keeping any existing one of that name.

        Keyword arguments become options: ``add("Content-Disposition", "attachment",
        filename="a.txt")``; underscores in their names become dashes.
        """
        self._list.append((_header_name(key), _options_value(value, kw)))

    def add_header(self, key: str, value: Any, **kw: Any) -> None:
        """Same as :meth:`add` (the ``wsgiref`` spelling)."""
        self.add(key, value, **kw)

    def clear(self) -> None:
        """Remove every header."""
        del self._list[:]

    def set(self, key: str, value: Any, **kw: Any) -> None:
        """Set header ``key``, replacing every existing one of that name in place."""
        # PERF: printable ASCII text, the usual header, cannot hold CR, LF or NUL: skip the
        # checks and the option handling (a third of the cost of setting a header).
        if not (
            not kw
            and type(key) is str
            and type(value) is str
            and key.isascii()
            and value.isascii()
            and key.isprintable()
            and value.isprintable()
        ):
            key = _header_name(key)
            value = _options_value(value, kw)
        ikey = key.lower()
        lst = self._list
        for idx, (name, _) in enumerate(lst):
            if name.lower() == ikey:
                lst[idx] = (key, value)
                if idx + 1 < len(lst):
                    rest = lst[idx + 1 :]
                    lst[idx + 1 :] = [item for item in rest if item[0].lower() != ikey]
                return
        lst.append((key, value))

    def setlist(self, key: str, values: Iterable[Any]) -> None:
        """Replace header ``key`` with one header per value."""
        # Check every value first, so a bad one leaves the headers as they were.
        checked = [_header_value(value) for value in values]
        if not checked:
            self.remove(key)
            return
        self.set(key, checked[0])
        for value in checked[1:]:
            self.add(key, value)

    def setdefault(self, key: str, default: Any) -> str:
        """Return header ``key``, first setting it to ``default`` when missing."""
        if key in self:
            return self[key]
        self.set(key, default)
        return self[key]

    def setlistdefault(self, key: str, default: Iterable[Any]) -> list[str]:
        """Return the values of ``key``, first setting them to ``default`` when missing."""
        if key not in self:
            self.setlist(key, default)
        return self.getlist(key)

    def __setitem__(self, key: str | int | slice, value: Any) -> None:
        if isinstance(key, str):
            self.set(key, value)
        elif isinstance(key, int):
            name, val = value
            self._list[key] = (_header_name(name), _header_value(val))
        else:
            self._list[key] = [(_header_name(k), _header_value(v)) for k, v in value]

    def update(self, arg: Any = None, /, **kwargs: Any) -> None:
        """Replace the headers named in ``arg`` and ``kwargs``; list values give several."""
        for source in (arg, kwargs):
            if not source:
                continue
            if isinstance(source, (Headers, MultiDict)):
                seen: set[str] = set()
                for key, value in (
                    source.items() if isinstance(source, Headers) else source.items(multi=True)
                ):
                    if key.lower() in seen:
                        self.add(key, value)
                    else:
                        seen.add(key.lower())
                        self.set(key, value)
            elif isinstance(source, Mapping):
                for key, value in source.items():
                    if isinstance(value, (list, tuple)):
                        self.setlist(key, value)
                    else:
                        self.set(key, value)
            else:
                for key, value in source:
                    self.set(key, value)

    def __or__(self, other: Any) -> Headers:
        if not isinstance(other, (Mapping, Headers)):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __ior__(self, other: Any) -> Headers:
        if not isinstance(other, (Mapping, Headers)):
            return NotImplemented
        self.update(other)
        return self

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """Return the headers as the list of pairs that ``start_response`` takes."""
        return list(self._list)

    def copy(self) -> Headers:
        """Return a copy."""
        return type(self)._trusted(list(self._list))

    def __copy__(self) -> Headers:
        return self.copy()

    def __str__(self) -> str:
        lines = [f"{key}: {value}" for key, value in self._list]
        lines.extend(("", ""))
        return "\r\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"


class CallbackDict(dict[K, V]):
    """A dict that calls ``on_update(self)`` after every change (the session base class)."""

    def __init__(
        self,
        initial: Mapping[K, V] | Iterable[tuple[K, V]] | None = None,
        on_update: Callable[[Any], None] | None = None,
    ) -> None:
        if initial is None:
            super().__init__()
        else:
            super().__init__(initial)
        self.on_update = on_update

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: K) -> None:
        super().__delitem__(key)
        self._changed()

    def clear(self) -> None:
        """Remove every item."""
        super().clear()
        self._changed()

    def pop(self, key: K, default: Any = _UNSET) -> Any:
        """Remove ``key`` and return its value (or ``default``)."""
        value = super().pop(key) if default is _UNSET else super().pop(key, default)
        self._changed()
        return value

    def popitem(self) -> tuple[K, V]:
        """Remove and return an item."""
        item = super().popitem()
        self._changed()
        return item

    def setdefault(self, key: K, default: Any = None) -> V:
        """Return ``self[key]``, setting it to ``default`` when missing."""
        value = super().setdefault(key, default)
        self._changed()
        return value

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Update from a mapping or pairs and keyword arguments."""
        super().update(*args, **kwargs)
        self._changed()

    def __ior__(self, other: Any) -> CallbackDict[K, V]:  # type: ignore[override,misc]
        super().__ior__(other)
        self._changed()
        return self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"


class HeaderSet:
    """An ordered, case-insensitive set of header tokens (``Vary``, ``Allow``)."""

    def __init__(
        self,
        headers: Iterable[str] | None = None,
        on_update: Callable[[HeaderSet], None] | None = None,
    ) -> None:
        self._headers = list(headers or ())
        self._set = {x.lower() for x in self._headers}
        self.on_update = on_update

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def add(self, header: str) -> None:
        """Add ``header`` unless an equal one (ignoring case) is present."""
        self.update((header,))

    def remove(self, header: str) -> None:
        """Remove ``header``; KeyError when missing."""
        key = header.lower()
        if key not in self._set:
            raise KeyError(header)
        self._set.remove(key)
        self._headers = [h for h in self._headers if h.lower() != key]
        self._changed()

    def discard(self, header: str) -> None:
        """Remove ``header`` if present."""
        try:
            self.remove(header)
        except KeyError:
            pass

    def update(self, iterable: Iterable[str]) -> None:
        """Add every header of ``iterable``."""
        inserted = False
        for header in iterable:
            key = header.lower()
            if key not in self._set:
                self._headers.append(header)
                self._set.add(key)
                inserted = True
        if inserted:
            self._changed()

    def find(self, header: str) -> int:
        """Return the index of ``header`` or -1."""
        key = header.lower()
        for idx, item in enumerate(self._headers):
            if item.lower() == key:
                return idx
        return -1

    def index(self, header: str) -> int:
        """Return the index of ``header``; IndexError when missing."""
        idx = self.find(header)
        if idx < 0:
            raise IndexError(header)
        return idx

    def clear(self) -> None:
        """Remove every header."""
        self._set.clear()
        self._headers.clear()
        self._changed()

    def as_set(self, preserve_casing: bool = False) -> set[str]:
        """Return the tokens as a set (lower-cased unless ``preserve_casing``)."""
        if preserve_casing:
            return set(self._headers)
        return set(self._set)

    def to_header(self) -> str:
        """Return the header value, comma-separated."""
        from .http import quote_header_value

        return ", ".join(map(quote_header_value, self._headers))

    def __getitem__(self, idx: int) -> str:
        return self._headers[idx]

    def __delitem__(self, idx: int) -> None:
        removed = self._headers.pop(idx)
        self._set.remove(removed.lower())
        self._changed()

    def __setitem__(self, idx: int, value: str) -> None:
        old = self._headers[idx]
        self._set.remove(old.lower())
        self._headers[idx] = value
        self._set.add(value.lower())
        self._changed()

    def __contains__(self, header: object) -> bool:
        return isinstance(header, str) and header.lower() in self._set

    def __len__(self) -> int:
        return len(self._set)

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __bool__(self) -> bool:
        return bool(self._set)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._headers!r})"


class FileStorage:
    """An uploaded file: the part's stream plus its filename, field name and headers.

    Attribute access not defined here goes to the stream, so ``file.read()`` and
    ``file.seek(0)`` work as on any file object.
    """

    def __init__(
        self,
        stream: IO[bytes] | None = None,
        filename: str | os.PathLike[str] | None = None,
        name: str | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.name = name
        if stream is None:
            from io import BytesIO

            stream = BytesIO()
        self.stream: IO[bytes] = stream
        if filename is None:
            filename = getattr(stream, "name", None)
            if isinstance(filename, bytes):
                filename = filename.decode("latin-1")
            if isinstance(filename, str) and filename.startswith("<") and filename.endswith(">"):
                filename = None
        self.filename: str | None = os.fspath(filename) if filename is not None else None
        if headers is None:
            headers = Headers()
        self.headers = headers
        if content_type is not None:
            headers["Content-Type"] = content_type
        if content_length is not None:
            headers["Content-Length"] = str(content_length)

    def _parse_content_type(self) -> tuple[str, dict[str, str]]:
        from .http import parse_options_header

        return parse_options_header(self.content_type)

    @property
    def content_type(self) -> str | None:
        """The part's ``Content-Type`` header, if the client sent one."""
        return self.headers.get("content-type")

    @property
    def content_length(self) -> int:
        """The part's ``Content-Length`` header, or 0."""
        value = self.headers.get("content-length", "0")
        try:
            return int(value) if value.isdigit() else 0
        except ValueError:
            return 0

    @property
    def mimetype(self) -> str:
        """The content type without parameters, lower-cased (``text/plain``)."""
        return self._parse_content_type()[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The parameters of the content type (``{"charset": "utf-8"}``)."""
        return self._parse_content_type()[1]

    def save(self, dst: str | os.PathLike[str] | IO[bytes], buffer_size: int = 16384) -> None:
        """Copy the file to a path or a writable binary file object.

        A path is opened (and closed) here; a file object is left open. Pass the path through
        :func:`kolba.utils.secure_filename` first when it comes from ``filename``.
        """
        if isinstance(dst, (str, os.PathLike)):
            with open(dst, "wb") as out:
                shutil.copyfileobj(self.stream, out, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)

    def close(self) -> None:
        """Close the underlying stream (temporary files are deleted)."""
        try:
            self.stream.close()
        except Exception:
            pass

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self.stream, name)
        except AttributeError:
            # A SpooledTemporaryFile keeps the real file one level down.
            inner = getattr(self.stream, "_file", None)
            if inner is not None:
                return getattr(inner, name)
            raise

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.filename!r} ({self.content_type!r})>"


class FileMultiDict(MultiDict[str, FileStorage]):
    """A MultiDict of files with :meth:`add_file` (used by the test client)."""

    def add_file(
        self,
        name: str,
        file: FileStorage | str | os.PathLike[str] | IO[bytes],
        filename: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Add ``file`` under field ``name``; a path is opened for reading."""
        if isinstance(file, FileStorage):
            value = file
        else:
            if isinstance(file, (str, os.PathLike)):
                if filename is None:
                    filename = os.fspath(file)
                stream: IO[bytes] = open(file, "rb")  # noqa: SIM115 (closed with the request)
            else:
                stream = cast("IO[bytes]", file)
            if filename is not None and content_type is None:
                import mimetypes

                content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            value = FileStorage(stream, filename, name, content_type)
        self.add(name, value)

    def close(self) -> None:
        """Close every file."""
        for values in self.listvalues():
            for value in values:
                value.close()


__all__ = [
    "CallbackDict",
    "CombinedMultiDict",
    "FileMultiDict",
    "FileStorage",
    "HeaderSet",
    "Headers",
    "ImmutableDict",
    "ImmutableDictMixin",
    "ImmutableList",
    "ImmutableMultiDict",
    "ImmutableMultiDictMixin",
    "ImmutableTypeConversionDict",
    "MultiDict",
    "TypeConversionDict",
]

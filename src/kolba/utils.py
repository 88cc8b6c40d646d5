"""General helpers that apps import directly (the ``werkzeug.utils`` role)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, overload

from .security import _WINDOWS_DEVICE_NAMES

_T = TypeVar("_T")


class cached_property(Generic[_T]):  # lower case like the builtin property
    """A property computed on first access and then stored on the instance.

    Later reads find the value in the instance ``__dict__`` and never call the function
    again; assigning to the attribute replaces the value, deleting it makes the next read
    compute it afresh.
    """

    # PERF: this is a non-data descriptor, so after the first access the instance dict wins
    # and a read costs a plain attribute lookup (functools.cached_property takes a lock in 3.11).

    def __init__(self, fget: Callable[[Any], _T], name: str | None = None, doc: str | None = None):
        self.fget = fget
        self.__name__ = name or fget.__name__
        self.slot_name = self.__name__
        self.__doc__ = doc or fget.__doc__
        self.__module__ = fget.__module__

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot_name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> cached_property[_T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.fget(obj)
        obj.__dict__[self.slot_name] = value
        return value


_FILENAME_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_.-]")


def secure_filename(filename: str) -> str:
    """Turn an untrusted file name (an upload's, say) into one safe to store on any OS.

    Accents are folded to ASCII and other non-ASCII characters dropped, ``/`` and ``\\``
    count as spaces, runs of whitespace become ``_``, anything outside ``A-Z a-z 0-9 _ . -``
    is removed and leading or trailing ``.`` and ``_`` are stripped, so the result names a
    file in the current directory: ``"../../etc/pa ss wd.txt"`` gives ``"etc_pa_ss_wd.txt"``.
    When ``os.name == "nt"`` a reserved device name such as ``CON.txt`` gets a ``_`` prefix.
    The result may be empty; callers must choose a fallback name then.
    """
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    # Both separators on every platform: a name uploaded from a Windows browser
    # ("C:\\x\\boot.ini") keeps its words apart instead of running them together.
    folded = folded.replace("/", " ").replace("\\", " ")
    result = _FILENAME_UNSAFE_RE.sub("", "_".join(folded.split())).strip("._")
    if os.name == "nt" and result and result.split(".", 1)[0].upper() in _WINDOWS_DEVICE_NAMES:
        result = f"_{result}"
    return result


class ImportStringError(ImportError):
    """:func:`import_string` could not find the module or attribute it was given."""

    #: The dotted name that was asked for.
    import_name: str
    #: The ImportError (or AttributeError) that stopped the import.
    exception: BaseException

    def __init__(self, import_name: str, exception: BaseException, tried: list[str]) -> None:
        self.import_name = import_name
        self.exception = exception
        steps = "\n".join(f"  - {step}" for step in tried) or "  - nothing"
        message = (
            f"import_string() could not import {import_name!r}: {exception}\n"
            f"What was tried:\n{steps}\n"
            "Check the spelling (use 'package.module:attribute' or 'package.module.attribute')"
            " and that the package is installed or its directory is on sys.path."
        )
        super().__init__(message)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({self.import_name!r}, {self.exception!r})>"


_NOT_FOUND = object()


def _try_import(module_name: str, tried: list[str]) -> Any:
    """Import ``module_name``, noting the outcome in ``tried``.

    Returns ``_NOT_FOUND`` when the module (or a package above it) does not exist. An
    ImportError from inside a module that does exist, such as a missing dependency, is
    a real error to report, not a hint that the name is an attribute, so it propagates.
    """
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        if missing == module_name or module_name.startswith(f"{missing}."):
            tried.append(f"module {module_name!r}: not found")
            return _NOT_FOUND
        tried.append(f"module {module_name!r}: found, but importing it failed ({exc})")
        raise
    except ImportError as exc:
        tried.append(f"module {module_name!r}: found, but importing it failed ({exc})")
        raise
    tried.append(f"module {module_name!r}: imported")
    return module


def _resolve(import_name: str, tried: list[str]) -> Any:
    name = import_name.strip()
    if not name:
        raise ImportError("the name is empty")
    if name.startswith("."):
        raise ImportError("relative names are not supported; give the full dotted path")
    module_name, colon, attr_path = name.partition(":")
    if colon:
        obj = _try_import(module_name, tried)
        if obj is _NOT_FOUND:
            raise ModuleNotFoundError(f"no module named {module_name!r}", name=module_name)
        attrs = attr_path.split(".") if attr_path else []
    else:
        # Without a colon the module/attribute boundary is unknown: the longest prefix
        # that imports is the module, the rest are attributes.
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            obj = _try_import(".".join(parts[:cut]), tried)
            if obj is not _NOT_FOUND:
                attrs = parts[cut:]
                break
        else:
            raise ModuleNotFoundError(f"no module named {parts[0]!r}", name=parts[0])
    for attr in attrs:
        try:
            obj = getattr(obj, attr)
        except AttributeError as exc:
            tried.append(f"attribute {attr!r} of {obj!r}: missing")
            raise ImportError(f"{obj!r} has no attribute {attr!r}") from exc
    return obj


def import_string(import_name: str, silent: bool = False) -> Any:
    """Import an object from its dotted name and return it.

    ``"package.module"`` gives the module, ``"package.module.name"`` or
    ``"package.module:name"`` an object inside it (after the colon, dots walk attributes).
    On failure raises :class:`ImportStringError` listing each step tried, or returns None
    when ``silent`` is true. Errors other than ImportError raised while the module runs
    (a SyntaxError, say) propagate unchanged.
    """
    tried: list[str] = []
    try:
        return _resolve(import_name, tried)
    except ImportError as exc:
        if silent:
            return None
        raise ImportStringError(import_name, exc, tried) from exc


def find_modules(
    import_path: str, include_packages: bool = False, recursive: bool = False
) -> Iterator[str]:
    """Yield the dotted names of the modules inside the package ``import_path``.

    Subpackages are yielded only with ``include_packages`` and descended into only with
    ``recursive``. Raises ValueError when ``import_path`` is a module, not a package, and
    :class:`ImportStringError` when it cannot be imported.
    """
    package = import_string(import_path)
    search_path = getattr(package, "__path__", None)
    if search_path is None:
        raise ValueError(f"{import_path!r} is a module, not a package; it has no submodules")
    for info in pkgutil.iter_modules(search_path, prefix=f"{package.__name__}."):
        if not info.ispkg:
            yield info.name
            continue
        if include_packages:
            yield info.name
        if recursive:
            yield from find_modules(info.name, include_packages, recursive=True)


# Non-text types whose bodies are text in a charset all the same.
_CHARSET_MIMETYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/sql",
        "application/xml",
        "application/xml-dtd",
        "application/xml-external-parsed-entity",
    }
)


def get_content_type(mimetype: str, charset: str) -> str:
    """Return a Content-Type value for ``mimetype``, naming ``charset`` if it is textual.

    ``text/*``, ``*+xml`` and the few textual ``application/*`` types (XML, JavaScript,
    ECMAScript, SQL) get ``; charset=...`` appended; others come back unchanged, as does
    a value that already names a charset.
    """
    essence, _, params = mimetype.partition(";")
    essence = essence.strip().lower()
    if "charset=" in params.lower():
        return mimetype
    if essence.startswith("text/") or essence in _CHARSET_MIMETYPES or essence.endswith("+xml"):
        return f"{mimetype}; charset={charset}"
    return mimetype


__all__ = [
    "ImportStringError",
    "cached_property",
    "find_modules",
    "get_content_type",
    "import_string",
    "secure_filename",
]

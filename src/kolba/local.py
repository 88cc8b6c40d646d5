"""Proxies to the object of the current context (``request``, ``g``, ``current_user``...).

A :class:`LocalProxy` looks its target up on every use, in a ``ContextVar`` or through a
function, so a module-level name can stand for "the request being handled right now" in
every thread and task at once.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_MISSING: Any = object()


def _unbound(message: str) -> Callable[[], Any]:
    def fail() -> Any:
        raise RuntimeError(message)

    return fail


class LocalProxy(Generic[T]):
    """Forward every operation to the current object.

    ``local`` is a ``ContextVar`` (optionally with ``name``, an attribute of the value it
    holds) or a function that returns the object. Outside a context the proxy is falsy and
    any other use raises RuntimeError with ``unbound_message``.
    """

    __slots__ = ("__wrapped", "_get_current_object")

    _get_current_object: Callable[[], T]

    def __init__(
        self,
        local: ContextVar[Any] | Callable[[], T],
        name: str | None = None,
        *,
        unbound_message: str | None = None,
    ) -> None:
        message = unbound_message or "object is not bound"
        if isinstance(local, ContextVar):
            var = local
            if name is None:

                def get() -> T:
                    value = var.get(_MISSING)
                    if value is _MISSING:
                        raise RuntimeError(message)
                    return value  # type: ignore[no-any-return]

            else:
                attr = name

                def get() -> T:
                    value = var.get(_MISSING)
                    if value is _MISSING:
                        raise RuntimeError(message)
                    return getattr(value, attr)  # type: ignore[no-any-return]

        elif callable(local):
            if name is not None:
                func = local
                attr = name

                def get() -> T:
                    return getattr(func(), attr)  # type: ignore[no-any-return]

            else:
                get = local
        else:
            raise TypeError(f"Don't know how to proxy {type(local)!r}.")
        object.__setattr__(self, "_LocalProxy__wrapped", local)
        object.__setattr__(self, "_get_current_object", get)

    # -- attribute access ------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name == "__wrapped__":
            return object.__getattribute__(self, "_LocalProxy__wrapped")
        return getattr(self._get_current_object(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._get_current_object(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._get_current_object(), name)

    def __dir__(self) -> list[str]:
        try:
            return dir(self._get_current_object())
        except RuntimeError:
            return []

    # -- protocol forwarding ---------------------------------------------------------------

    def __repr__(self) -> str:
        try:
            obj = self._get_current_object()
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"
        return repr(obj)

    def __str__(self) -> str:
        try:
            return str(self._get_current_object())
        except RuntimeError:
            return repr(self)

    def __bool__(self) -> bool:
        try:
            return bool(self._get_current_object())
        except RuntimeError:
            return False

    def __eq__(self, other: object) -> bool:
        return self._get_current_object() == other

    def __ne__(self, other: object) -> bool:
        return self._get_current_object() != other

    def __hash__(self) -> int:
        return hash(self._get_current_object())

    def __lt__(self, other: Any) -> Any:
        return self._get_current_object() < other

    def __le__(self, other: Any) -> Any:
        return self._get_current_object() <= other

    def __gt__(self, other: Any) -> Any:
        return self._get_current_object() > other

    def __ge__(self, other: Any) -> Any:
        return self._get_current_object() >= other

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._get_current_object()(*args, **kwargs)  # type: ignore[operator]

    def __len__(self) -> int:
        return len(self._get_current_object())  # type: ignore[arg-type]

    def __getitem__(self, key: Any) -> Any:
        return self._get_current_object()[key]  # type: ignore[index]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._get_current_object()[key] = value  # type: ignore[index]

    def __delitem__(self, key: Any) -> None:
        del self._get_current_object()[key]  # type: ignore[attr-defined]

    def __iter__(self) -> Any:
        return iter(self._get_current_object())  # type: ignore[call-overload]

    def __contains__(self, item: Any) -> bool:
        return item in self._get_current_object()  # type: ignore[operator]

    def __enter__(self) -> Any:
        return self._get_current_object().__enter__()  # type: ignore[attr-defined]

    def __exit__(self, *args: Any) -> Any:
        return self._get_current_object().__exit__(*args)  # type: ignore[attr-defined]

    def __await__(self) -> Any:
        return self._get_current_object().__await__()  # type: ignore[attr-defined]

    def __add__(self, other: Any) -> Any:
        return operator.add(self._get_current_object(), other)

    def __radd__(self, other: Any) -> Any:
        return operator.add(other, self._get_current_object())

    def __sub__(self, other: Any) -> Any:
        return operator.sub(self._get_current_object(), other)

    def __mul__(self, other: Any) -> Any:
        return operator.mul(self._get_current_object(), other)

    def __mod__(self, other: Any) -> Any:
        return operator.mod(self._get_current_object(), other)

    def __or__(self, other: Any) -> Any:
        return operator.or_(self._get_current_object(), other)

    def __and__(self, other: Any) -> Any:
        return operator.and_(self._get_current_object(), other)

    def __int__(self) -> int:
        obj: Any = self._get_current_object()
        return int(obj)

    def __float__(self) -> float:
        return float(self._get_current_object())  # type: ignore[arg-type]

    def __index__(self) -> int:
        return operator.index(self._get_current_object())  # type: ignore[arg-type]

    def __html__(self) -> str:
        return self._get_current_object().__html__()  # type: ignore[attr-defined,no-any-return]

    def __copy__(self) -> Any:
        import copy

        return copy.copy(self._get_current_object())

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        import copy

        return copy.deepcopy(self._get_current_object(), memo)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        try:
            return type(self._get_current_object())
        except RuntimeError:
            return type(self)

    # The property below replaces the class docstring in the class namespace; keep it.
    _class_doc: str | None = __doc__

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        try:
            return self._get_current_object().__doc__
        except RuntimeError:
            return LocalProxy._class_doc


__all__ = ["LocalProxy"]

"""Class-based views: :class:`View` and :class:`MethodView`."""

from __future__ import annotations

import typing as t

from .globals import _cv_app, _cv_request

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

http_method_funcs = frozenset(("get", "post", "head", "options", "delete", "put", "trace", "patch"))


def _ensure_sync(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    return _cv_app.get().app.ensure_sync(func)


class View:
    """A view as a class: override :meth:`dispatch_request` and register
    ``Cls.as_view("name")``.

    ``methods`` lists the allowed methods, ``decorators`` are applied to the view function,
    and ``init_every_request = False`` reuses one instance for every request (it must then
    hold no per-request state).
    """

    methods: t.ClassVar[t.Collection[str] | None] = None
    provide_automatic_options: t.ClassVar[bool | None] = None
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self) -> t.Any:
        """Handle a request; the URL values come as keyword arguments."""
        raise NotImplementedError()

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> t.Callable[..., t.Any]:
        """A view function for ``add_url_rule``; extra arguments go to the constructor.

        The function's ``view_class`` attribute is the class (replace it to change what
        handles requests).
        """
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> t.Any:
                self = view.view_class(*class_args, **class_kwargs)  # type: ignore[attr-defined]
                return _ensure_sync(self.dispatch_request)(**kwargs)

        else:
            instance = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> t.Any:
                return _ensure_sync(instance.dispatch_request)(**kwargs)

        if cls.decorators:
            view.__name__ = name
            view.__module__ = cls.__module__
            for decorator in cls.decorators:
                view = decorator(view)
        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
        return view


class MethodView(View):
    """Dispatches to the method named after the request method (``get``, ``post``...).

    ``methods`` is worked out from the methods the class defines, inheritance included,
    unless the class sets it. HEAD falls back to ``get``.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" not in cls.__dict__:
            methods: set[str] = set()
            for base in cls.__bases__:
                base_methods = getattr(base, "methods", None)
                if base_methods:
                    methods.update(base_methods)
            for key in http_method_funcs:
                if hasattr(cls, key):
                    methods.add(key.upper())
            if methods:
                cls.methods = methods

    def dispatch_request(self, **kwargs: t.Any) -> t.Any:
        method = _cv_request.get().request.method
        meth = getattr(self, method.lower(), None)
        if meth is None and method == "HEAD":
            meth = getattr(self, "get", None)
        assert meth is not None, f"Unimplemented method {method!r}"
        return _ensure_sync(meth)(**kwargs)


__all__ = ["MethodView", "View", "http_method_funcs"]

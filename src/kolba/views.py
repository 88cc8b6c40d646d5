"""Views written as classes.

:class:`View` handles every request with one method, ``dispatch_request``;
:class:`MethodView` calls the method named after the request's HTTP method. Either is
turned into a view function with ``as_view(name)`` and registered like any other view::

    app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))
"""

from __future__ import annotations

import typing as t

from .globals import _cv_request, _get_app, _no_app_msg, _no_req_msg

if t.TYPE_CHECKING:
    from . import typing as ft
    from .app import Kolba

#: The method names :class:`MethodView` looks for when it works out ``methods``.
http_method_funcs: frozenset[str] = frozenset(
    {"get", "post", "head", "options", "delete", "put", "trace", "patch"}
)


def _call(handler: t.Callable[..., t.Any], url_values: dict[str, t.Any]) -> t.Any:
    """Call a view method through the app's ``ensure_sync``, so ``async def`` methods
    work and an app that overrides ``ensure_sync`` or ``async_to_sync`` is obeyed.
    """
    # PERF: the context variable itself rather than the current_app proxy: one lookup
    # instead of the proxy's resolve-and-forward, on every class-based view call.
    try:
        app: Kolba = _get_app()
    except LookupError:
        raise RuntimeError(_no_app_msg) from None
    return app.ensure_sync(handler)(**url_values)


class View:
    """A view as a class: subclass it, override :meth:`dispatch_request`, and register
    ``MyView.as_view("name")``.

    Class attributes tune the view function ``as_view`` makes:

    - ``methods``: the HTTP methods its rule accepts (as ``route(methods=...)``).
    - ``provide_automatic_options``: whether OPTIONS is answered automatically.
    - ``decorators``: applied to the view function in order, the first innermost.
    - ``init_every_request``: True makes a new instance per request; False makes one
      instance in ``as_view`` and reuses it, which is faster but shared between
      requests (and threads), so it must keep no per-request state on ``self``.
    """

    methods: t.ClassVar[t.Collection[str] | None] = None
    provide_automatic_options: t.ClassVar[bool | None] = None
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self, **url_values: t.Any) -> ft.ResponseReturnValue:
        """Handle a request and return a response value; the rule's URL values come as
        keyword arguments.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not handle requests: define its"
            " dispatch_request(**url_values) method to return a response."
        )

    @classmethod
    def as_view(cls, name: str, *class_args: t.Any, **class_kwargs: t.Any) -> ft.RouteCallable:
        """A view function for ``add_url_rule``, named ``name`` (its default endpoint).

        ``class_args`` and ``class_kwargs`` go to the class's constructor. The function
        carries ``view_class``, ``methods`` and ``provide_automatic_options``; setting
        its ``view_class`` to another class makes that class handle later requests
        (with ``init_every_request``, the default).
        """
        if cls.init_every_request:

            def view(**url_values: t.Any) -> t.Any:
                instance = exposed.view_class(*class_args, **class_kwargs)
                return _call(instance.dispatch_request, url_values)

        else:
            shared = cls(*class_args, **class_kwargs)

            def view(**url_values: t.Any) -> t.Any:
                return _call(shared.dispatch_request, url_values)

        # Named before decorating, so decorators that copy the name (functools.wraps)
        # or register the function by name see the view's name.
        view.__name__ = view.__qualname__ = name
        view.__module__ = cls.__module__
        view.__doc__ = cls.__doc__
        exposed: t.Any = view
        for decorator in cls.decorators:
            exposed = decorator(exposed)
        # And again after, for decorators that do not copy it.
        exposed.__name__ = name
        exposed.__module__ = cls.__module__
        exposed.__doc__ = cls.__doc__
        exposed.view_class = cls
        exposed.methods = cls.methods
        exposed.provide_automatic_options = cls.provide_automatic_options
        return exposed  # type: ignore[no-any-return]


class MethodView(View):
    """A class-based view with one method per HTTP method: ``get``, ``post``, ...

    Unless the class sets ``methods`` itself, it is worked out when the class is
    created: the methods named in ``http_method_funcs`` that the class has (inherited
    ones included) plus the bases' ``methods``. A HEAD request falls back to ``get``
    when there is no ``head``. Other verbs (``propfind`` for PROPFIND) are dispatched
    the same way but must be listed in ``methods``.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" in cls.__dict__:
            return
        found = {verb.upper() for verb in http_method_funcs if hasattr(cls, verb)}
        for base in cls.__bases__:
            found.update(getattr(base, "methods", None) or ())
        if found:
            cls.methods = found

    def dispatch_request(self, **url_values: t.Any) -> ft.ResponseReturnValue:
        """Call the method named after the request method with the URL values."""
        try:
            method: str = _cv_request.get().request.method
        except LookupError:
            raise RuntimeError(_no_req_msg) from None
        handler = getattr(self, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(self, "get", None)
        if handler is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no {method.lower()}() method, yet its route"
                f" accepts {method} requests. Define {method.lower()}(), or leave"
                f" {method} out of the route's methods."
            )
        return _call(handler, url_values)  # type: ignore[no-any-return]


__all__ = ["MethodView", "View", "http_method_funcs"]

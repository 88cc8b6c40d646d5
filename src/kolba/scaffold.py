"""The registration API shared by the app and blueprints: routes, hooks, error handlers."""

from __future__ import annotations

import os
import typing as t
from collections import defaultdict
from datetime import timedelta
from functools import update_wrapper

from .globals import _app_ctx_or_none, _cv_request, _get_app
from .helpers import get_root_path
from .sansio.exceptions import HTTPException, default_exceptions
from .sending import send_from_directory

if t.TYPE_CHECKING:
    from .wrappers import Response

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

_sentinel: t.Any = object()

#: The name under which the app (as opposed to a blueprint) keeps its hooks and handlers.
AppScope = None


def setupmethod(f: F) -> F:
    """Mark a registration method: calling it after the first request raises."""
    f_name = f.__name__

    def wrapper_func(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(f_name)
        return f(self, *args, **kwargs)

    return update_wrapper(wrapper_func, f)  # type: ignore[return-value]


class Scaffold:
    """What apps and blueprints share: the decorators that register views and hooks.

    Hooks and handlers are stored per scope: ``None`` for the app, the blueprint name for
    a blueprint.
    """

    name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        if root_path is None:
            root_path = get_root_path(self.import_name)
        self.root_path = root_path
        self.view_functions: dict[str, t.Callable[..., t.Any]] = {}
        self.error_handler_spec: dict[
            str | None, dict[int | None, dict[type[BaseException], t.Callable[..., t.Any]]]
        ] = defaultdict(lambda: defaultdict(dict))
        self.before_request_funcs: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )
        self.after_request_funcs: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(list)
        self.teardown_request_funcs: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )
        self.template_context_processors: dict[
            str | None, list[t.Callable[[], dict[str, t.Any]]]
        ] = defaultdict(list, {None: [_default_template_ctx_processor]})
        self.url_value_preprocessors: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )
        self.url_default_functions: dict[str | None, list[t.Callable[..., t.Any]]] = defaultdict(
            list
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- folders -------------------------------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or None."""
        folder = self._static_folder
        if folder is None:
            return None
        # PERF: joined once per root_path and folder, not on every static request.
        key = (self.root_path, folder)
        cached = self.__dict__.get("_static_folder_cache")
        if cached is None or cached[0] != key:
            cached = (key, os.path.join(self.root_path, folder))
            self.__dict__["_static_folder_cache"] = cached
        return cached[1]

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip(r"\/")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is configured."""
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix of the static route (``/`` plus the folder name by default)."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self.static_folder is not None:
            basename = os.path.basename(self.static_folder)
            return f"/{basename}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The Cache-Control max age for static files: SEND_FILE_MAX_AGE_DEFAULT."""
        value = _get_app().config["SEND_FILE_MAX_AGE_DEFAULT"]
        if value is None:
            return None
        if isinstance(value, timedelta):
            return int(value.total_seconds())
        return int(value)

    def send_static_file(self, filename: str) -> Response:
        """Serve a file from the static folder (the ``static`` route's view)."""
        # PERF: the folder is read once (has_static_folder would read it a second time).
        folder = self.static_folder
        if folder is None:
            raise RuntimeError(
                f"{self!r} has no static folder, so it cannot serve {filename!r}. Pass"
                " static_folder=... when creating it."
            )
        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(
            folder,
            filename,
            # None would mean "ask the app" to send_file; the answer is known already.
            max_age=_no_max_age if max_age is None else max_age,
        )

    @property
    def jinja_loader(self) -> t.Any:
        """A Jinja loader for ``template_folder`` (None without one)."""
        if self.template_folder is not None:
            from jinja2 import FileSystemLoader

            return FileSystemLoader(os.path.join(self.root_path, self.template_folder))
        return None

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to ``root_path`` for reading (``"rb"``, ``"r"``, ``"rt"``)."""
        if mode not in {"r", "rt", "rb"}:
            raise ValueError(
                f"open_resource() opens files for reading only, not with mode={mode!r}. Use"
                " 'rb', 'r' or 'rt' (open_instance_resource() can write in the instance"
                " folder)."
            )
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding or "utf-8")

    # -- routes ----------------------------------------------------------------------------

    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[F], F]:
        if "methods" in options:
            raise TypeError(
                f"The {method.lower()}() shortcut always means methods=[{method!r}]; use"
                " route(rule, methods=[...]) to choose the methods yourself."
            )
        return self.route(rule, methods=[method], **options)

    def get(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        """``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    def post(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        """``route(rule, methods=["POST"])``."""
        return self._method_route("POST", rule, options)

    def put(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        """``route(rule, methods=["PUT"])``."""
        return self._method_route("PUT", rule, options)

    def delete(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        """``route(rule, methods=["DELETE"])``."""
        return self._method_route("DELETE", rule, options)

    def patch(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        """``route(rule, methods=["PATCH"])``."""
        return self._method_route("PATCH", rule, options)

    def route(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        """Register the decorated function as the view for ``rule``.

        ``methods`` lists the allowed methods (GET by default; HEAD and OPTIONS come with
        it); ``endpoint`` names the route for url_for (the function name by default);
        other options go to the Rule (``defaults``, ``strict_slashes``, ``redirect_to``...).
        """

        def decorator(f: F) -> F:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a rule (see :meth:`route`)."""
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view of ``endpoint`` (for rules added
        to ``url_map`` directly).
        """

        def decorator(f: F) -> F:
            self.view_functions[endpoint] = f
            return f

        return decorator

    # -- hooks -----------------------------------------------------------------------------

    @setupmethod
    def before_request(self, f: F) -> F:
        """Run ``f()`` before each request; a non-None return ends the request with it."""
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def after_request(self, f: F) -> F:
        """Run ``f(response)`` after each request; it must return a response."""
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: F) -> F:
        """Run ``f(error_or_None)`` when the request context is popped, even on errors."""
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def context_processor(self, f: F) -> F:
        """Register ``f()``, returning a dict of names, for every template rendered."""
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(self, f: F) -> F:
        """Run ``f(endpoint, values)`` after matching, before before_request functions,
        to pull values out of the URL (``values`` may be changed in place).
        """
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: F) -> F:
        """Run ``f(endpoint, values)`` when building URLs, to fill in values in place."""
        self.url_default_functions[None].append(f)
        return f

    @setupmethod
    def errorhandler(self, code_or_exception: type[Exception] | int) -> t.Callable[[F], F]:
        """Register the decorated function for an HTTP status code or an exception class.

        The handler receives the exception and returns a response. A handler for a class
        also catches its subclasses; the closest class in the MRO wins.
        """

        def decorator(f: F) -> F:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    @setupmethod
    def register_error_handler(
        self, code_or_exception: type[Exception] | int, f: t.Callable[..., t.Any]
    ) -> None:
        """Register ``f`` as an error handler (see :meth:`errorhandler`)."""
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: type[Exception] | int,
    ) -> tuple[type[Exception], int | None]:
        """The exception class and status code for an ``errorhandler`` argument."""
        exc_class: type[Exception]
        if isinstance(exc_class_or_code, int):
            try:
                exc_class = default_exceptions[exc_class_or_code]
            except KeyError:
                raise ValueError(
                    f"{exc_class_or_code!r} is not an HTTP error status kolba knows. Use a"
                    " subclass of HTTPException with that code instead."
                ) from None
        else:
            exc_class = exc_class_or_code
        if isinstance(exc_class, Exception):
            raise TypeError(
                f"An error handler was registered for the exception object {exc_class!r};"
                f" register it for its class ({type(exc_class).__name__}) or for an HTTP"
                " status code instead."
            )
        if not isinstance(exc_class, type) or not issubclass(exc_class, Exception):
            raise ValueError(
                f"Cannot register an error handler for {exc_class!r}: only subclasses of"
                " Exception and HTTP status codes (like 404) can have handlers."
            )
        if issubclass(exc_class, HTTPException):
            return exc_class, exc_class.code
        return exc_class, None


def _no_max_age(path: str | None) -> None:
    """The max age already worked out for a static file: none (Cache-Control: no-cache)."""


def _endpoint_from_view_func(view_func: t.Callable[..., t.Any] | None) -> str:
    assert view_func is not None, (
        "A rule without a view function needs an explicit endpoint name (endpoint=...)."
    )
    return view_func.__name__


def _default_template_ctx_processor() -> dict[str, t.Any]:
    """Inject ``g`` and ``request`` into templates, when available.

    ``session`` is left to the environment's ``session`` global, a proxy: putting the
    session object itself here would open it (verify the cookie, or query a session
    store) for every template, even those that never use it.
    """
    app_ctx = _app_ctx_or_none()
    req_ctx = _cv_request.get(None)
    rv: dict[str, t.Any] = {}
    if app_ctx is not None:
        rv["g"] = app_ctx.g
    if req_ctx is not None:
        rv["request"] = req_ctx.request
    return rv


__all__ = ["Scaffold", "setupmethod"]

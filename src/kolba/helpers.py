"""Helpers used in views: url_for, redirect, abort, make_response, flash, streaming."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import typing as t
from functools import update_wrapper

from markupsafe import escape

from .globals import _app_ctx_or_none, _cv_request, current_app, request_ctx
from .signals import message_flashed

if t.TYPE_CHECKING:
    from .wrappers import Response

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def get_debug_flag() -> bool:
    """Whether KOLBA_DEBUG asks for debug mode ("", "0", "false", "no" mean no)."""
    value = os.environ.get("KOLBA_DEBUG")
    if not value:
        return False
    return value.lower() not in ("0", "false", "no")


def get_load_dotenv(default: bool = True) -> bool:
    """Whether to load .env files (False when KOLBA_SKIP_DOTENV is set to a true value)."""
    value = os.environ.get("KOLBA_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in ("0", "false", "no")


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """The URL of ``endpoint`` with ``values`` (unknown ones go in the query string).

    ``_external`` makes it absolute, ``_scheme`` picks the scheme (and implies external),
    ``_anchor`` adds a fragment, ``_method`` picks the rule for that method. ``.name``
    refers to an endpoint of the current blueprint.
    """
    return current_app.url_for(
        endpoint,
        _anchor=_anchor,
        _method=_method,
        _scheme=_scheme,
        _external=_external,
        **values,
    )


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A redirect response to ``location`` (kept relative; non-ASCII is percent-encoded).

    A CR, LF or NUL in ``location`` raises ValueError: it would split the response.
    """
    ctx = _app_ctx_or_none()
    if ctx is not None:
        return ctx.app.redirect(location, code=code)
    return make_redirect(location, code=code, Response=Response)


def make_redirect(
    location: str,
    code: int = 302,
    Response: type[Response] | None = None,
) -> Response:
    """Build a redirect response without an app (``kolba.utils.redirect``)."""
    if "\r" in location or "\n" in location or "\0" in location:
        raise ValueError(
            f"The redirect location {location!r} contains a CR, LF or NUL character."
            " Remove them; they would let the location start a new header."
        )
    from .sansio.urls import iri_to_uri
    from .wrappers import Response as _DefaultResponse

    response_class = Response if Response is not None else _DefaultResponse

    shown = escape(location)
    body = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
        "<h1>Redirecting...</h1>\n"
        f'<p>You should be redirected automatically to the target URL: <a href="{shown}">'
        f"{shown}</a>. If not, click the link.\n"
    )
    response = response_class(body, code, mimetype="text/html")
    response.headers["Location"] = iri_to_uri(location)
    return response


def abort(code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTPException for ``code`` (``abort(404)``, ``abort(400, "why")``), or
    stop with a ready Response (``abort(make_response(...))``).
    """
    ctx = _app_ctx_or_none()
    if ctx is not None:
        ctx.app.aborter(code, *args, **kwargs)
    from .sansio.exceptions import abort as _abort

    _abort(code, *args, **kwargs)


def make_response(*args: t.Any) -> Response:
    """Turn a view's return value into a Response, to add headers or cookies to it.

    Takes what a view may return: ``make_response("body", 201, {"X": "y"})``. With no
    arguments it is an empty ``text/html`` 200 response.
    """
    if not args:
        return current_app.response_class()
    if len(args) == 1:
        args = args[0]
    return current_app.make_response(args)


def stream_with_context(
    generator_or_function: t.Iterator[t.AnyStr] | t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Iterator[t.AnyStr]:
    """Keep the request context alive while a streamed body is generated.

    Use it on a generator (``stream_with_context(gen())``) or as a decorator on a generator
    function, so ``request`` and ``session`` work while the response is sent.
    """
    try:
        gen = iter(generator_or_function)  # type: ignore[arg-type]
    except TypeError:
        func = generator_or_function

        def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return stream_with_context(func(*args, **kwargs))  # type: ignore[operator]

        return update_wrapper(decorator, func)  # type: ignore[return-value,arg-type]

    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "stream_with_context() was called with no request being handled, so there is"
            " no context to keep alive. Call it from a view that returns the stream."
        )
    return _ContextStream(ctx, gen)


class _ContextStream:
    """Iterates a generator inside the request context, whichever thread iterates it.

    The request's teardown is deferred until the stream is closed, and runs exactly once,
    even when the server closes the stream from another thread.
    """

    def __init__(self, ctx: t.Any, gen: t.Iterator[t.Any]) -> None:
        import threading

        self._ctx = ctx
        self._gen = gen
        self._closed = False
        self._lock = threading.Lock()
        ctx._begin_stream(self)

    def __iter__(self) -> _ContextStream:
        return self

    def __next__(self) -> t.Any:
        with self._lock:
            if self._closed:
                raise StopIteration
            with self._ctx._bound():
                try:
                    return next(self._gen)
                except StopIteration:
                    pass
        # The body is complete: finish the request now, as Flask does, rather than wait
        # for the server's close() (a test reading response.data never calls it).
        self.close()
        raise StopIteration

    def close(self) -> None:
        """Close the generator, then let the request finish its teardown (once)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                close = getattr(self._gen, "close", None)
                if close is not None:
                    with self._ctx._bound():
                        close()
            finally:
                self._ctx._end_stream(self)


def flash(message: str, category: str = "message") -> None:
    """Remember ``message`` for the next request (shown once by get_flashed_messages).

    Stored in the session, so the app needs a secret key. ``category`` is free text such
    as "error" or "info".
    """
    flashes = request_ctx.session.get("_flashes", [])
    flashes.append((category, message))
    request_ctx.session["_flashes"] = flashes
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if message_flashed.receivers:
        message_flashed.send(
            app, _async_wrapper=app.ensure_sync, message=message, category=category
        )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """Return and clear the flashed messages (the same list for the rest of this request).

    ``with_categories`` gives ``(category, message)`` pairs; ``category_filter`` keeps
    only those categories.
    """
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    flashes = ctx.flashes
    if flashes is None:
        flashes = ctx.session.pop("_flashes") if "_flashes" in ctx.session else []
        ctx.flashes = flashes
    if category_filter:
        wanted = set(category_filter)
        flashes = [f for f in flashes if f[0] in wanted]
    if not with_categories:
        return [x[1] for x in flashes]
    return [tuple(x) for x in flashes]


def get_root_path(import_name: str) -> str:
    """The folder of the module or package ``import_name``, found without importing it.

    Falls back to the current directory for an interactive session or a namespace package.
    """
    mod = sys.modules.get(import_name)
    mod_file: str | None = getattr(mod, "__file__", None)
    if mod_file is not None:
        return os.path.dirname(os.path.abspath(mod_file))
    try:
        spec = _find_spec_without_import(import_name)
    except (ImportError, ValueError):
        return os.getcwd()
    if spec is None or spec.origin in (None, "namespace"):
        return os.getcwd()
    filepath = spec.origin
    assert filepath is not None
    return os.path.dirname(os.path.abspath(filepath))


def _find_spec_without_import(import_name: str) -> importlib.machinery.ModuleSpec | None:
    """Locate a module like ``importlib.util.find_spec``, without running any code.

    ``find_spec("a.b")`` imports ``a`` to learn where ``a.b`` lives, so an app created as
    ``Kolba("a.b")`` would run ``a/__init__.py``. Parents not imported yet are located
    the same way, and their folders searched with the path finder.
    """
    parent = import_name.rpartition(".")[0]
    if not parent or parent in sys.modules:
        return importlib.util.find_spec(import_name)
    parent_spec = _find_spec_without_import(parent)
    if parent_spec is None or parent_spec.submodule_search_locations is None:
        return None
    try:
        return importlib.machinery.PathFinder.find_spec(
            import_name, list(parent_spec.submodule_search_locations)
        )
    except KeyError:
        # A namespace package below another one wants its parent imported; namespace
        # packages have no code to run, so let importlib do that.
        return importlib.util.find_spec(import_name)


def find_package(import_name: str) -> tuple[str | None, str]:
    """Return ``(install prefix or None, folder containing the package)``.

    The prefix is set when the package is installed (in site-packages), so its instance
    folder goes under ``<prefix>/var``.
    """
    root_mod_name = import_name.partition(".")[0]
    package_path = _find_package_path(root_mod_name)
    py_prefix = os.path.abspath(sys.prefix)
    if _path_is_relative_to(package_path, py_prefix):
        return py_prefix, package_path
    site_parent, site_folder = os.path.split(package_path)
    if site_folder.lower() == "site-packages":
        parent, folder = os.path.split(site_parent)
        if folder.lower() == "lib":
            return parent, package_path
        if os.path.basename(parent).lower() == "lib":
            return os.path.dirname(parent), package_path
        return site_parent, package_path
    return None, package_path


def _path_is_relative_to(path: str, base: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), base]) == base
    except ValueError:
        return False


def _find_package_path(import_name: str) -> str:
    root_mod_name, _, _ = import_name.partition(".")
    try:
        root_spec = importlib.util.find_spec(root_mod_name)
        if root_spec is None:
            raise ValueError("not found")
    except (ImportError, ValueError):
        return os.getcwd()
    if root_spec.submodule_search_locations:
        if root_spec.origin is None or root_spec.origin == "namespace":
            package_spec = importlib.util.find_spec(import_name)
            if package_spec is not None and package_spec.submodule_search_locations:
                package_path = os.path.commonpath(package_spec.submodule_search_locations)
                search_location = next(
                    location
                    for location in root_spec.submodule_search_locations
                    if _path_is_relative_to(package_path, location)
                )
            else:
                search_location = root_spec.submodule_search_locations[0]
            return os.path.dirname(search_location)
        return os.path.dirname(os.path.dirname(root_spec.origin))
    return os.path.dirname(root_spec.origin)  # type: ignore[type-var,return-value]


__all__ = [
    "abort",
    "find_package",
    "flash",
    "get_debug_flag",
    "get_flashed_messages",
    "get_load_dotenv",
    "get_root_path",
    "make_redirect",
    "make_response",
    "redirect",
    "stream_with_context",
    "url_for",
]

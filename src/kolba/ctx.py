"""Application and request contexts, kept in ``contextvars`` (one per thread or task)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import update_wrapper
from typing import TYPE_CHECKING, Any, TypeVar

from .globals import _app_ctx_or_none, _cv_app, _cv_request
from .sessions import LAZY_SESSION_INTERFACES
from .signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    request_tearing_down,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from .app import Kolba
    from .routing import MapAdapter
    from .sessions import SessionMixin
    from .wrappers import Request

F = TypeVar("F", bound=Callable[..., Any])
_sentinel: Any = object()


class _AppCtxGlobals:
    """The ``g`` object: a namespace for data during one application context."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name`` or ``default``."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: Any = _sentinel) -> Any:
        """Remove attribute ``name`` and return it (or ``default``; KeyError otherwise)."""
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: Any = None) -> Any:
        """Return attribute ``name``, setting it to ``default`` first when missing."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _app_ctx_or_none()
        if ctx is not None:
            return f"<kolba.g of {ctx.app.name!r}>"
        return object.__repr__(self)


class AppContext:
    """Makes ``current_app`` and ``g`` available. Pushed for every request, and by
    ``with app.app_context():`` for code that runs outside a request (CLI, tests).
    """

    __slots__ = ("__dict__", "__weakref__", "_cv_tokens", "app")

    # PERF: class-level defaults; an instance stores its own only once it has one.
    _url_adapter: Any = _sentinel
    _g: _AppCtxGlobals | None = None

    def __init__(self, app: Kolba) -> None:
        self.app = app
        self._cv_tokens: list[Any] = []

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL map bound to SERVER_NAME, for url_for outside a request (or None)."""
        adapter = self._url_adapter
        if adapter is _sentinel:
            adapter = self._url_adapter = self.app.create_url_adapter(None)
        return adapter  # type: ignore[no-any-return]

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    @property
    def g(self) -> _AppCtxGlobals:
        """The ``g`` namespace of this context (created on first use)."""
        # PERF: most requests never touch g; don't build it for them.
        g = self._g
        if g is None:
            g = self._g = self.app.app_ctx_globals_class()
        return g

    @g.setter
    def g(self, value: _AppCtxGlobals) -> None:
        self._g = value

    def push(self) -> None:
        """Make this the current application context."""
        self._cv_tokens.append(_cv_app.set(self))
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _sentinel, *, defer_teardown: bool = False) -> None:
        """Leave this context; the last pop runs the teardown_appcontext functions
        (unless ``defer_teardown``: a streamed response then runs them when it closes).
        """
        try:
            if len(self._cv_tokens) == 1 and not defer_teardown:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            ctx = _cv_app.get()
            _cv_app.reset(self._cv_tokens.pop())
        if ctx is not self:
            raise AssertionError(
                f"Popped {self!r}, but the current application context is {ctx!r}. Pop"
                " contexts in the reverse order of pushing them."
            )
        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, exc_type: Any, exc_value: BaseException | None, tb: Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.app.name!r}>"


# PERF: shared, never mutated; a context gets its own list only when something is added.
_EMPTY: tuple[()] = ()


class RequestContext(AppContext):
    """Everything about the request being handled: the request object, the session, the
    URL adapter, and callbacks registered with :func:`after_this_request`.

    Pushing it matches the URL, so ``request.endpoint`` is known from the start. When no
    application context for this app is active, the request context is also the
    application context of the request (it provides ``current_app`` and ``g``, and runs
    the teardown_appcontext functions when popped): one object and one push instead of two.
    When the app's context is already active (``with app.app_context():`` around a test
    client call), that one is used, with its ``g``.
    """

    __slots__ = ("_app_token", "_depth", "_owns_app_ctx", "_plan", "_req_token", "request")

    # PERF: what most requests never set lives in class-level defaults, so building a
    # context costs a handful of slot stores.
    flashes: list[tuple[str, str]] | None = None
    _session: SessionMixin | None = None
    _after_request_functions: list[Callable[[Any], Any]] | tuple[()] = _EMPTY
    #: The outer application context this request runs in (None when it is its own).
    _app_ctx: AppContext | None = None
    # Streamed responses that still need the context, and the teardown they hold back.
    _stream_objs: list[Any] | tuple[()] = _EMPTY
    _deferred_exc: BaseException | Any | None = _sentinel

    def __init__(
        self,
        app: Kolba,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
        self.request: Request = request
        if session is not None:
            self._session = session
        #: How many times this context is pushed (it may be pushed again while active).
        self._depth = 0
        self._owns_app_ctx = False
        #: The hooks that apply to the matched endpoint (set by the app when matching).
        self._plan: Any = None

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL map bound to this request's host (created on first use by url_for)."""
        adapter = self._url_adapter
        if adapter is _sentinel:
            adapter = self._url_adapter = self.app.create_url_adapter(self.request)
        return adapter  # type: ignore[no-any-return]

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    @property
    def session(self) -> SessionMixin:
        """The session of this request, opened on first use."""
        # PERF: a request that never touches the session never verifies a cookie.
        session = self._session
        if session is None:
            session = self._session = self.app._open_session(self.request)
        return session

    @session.setter
    def session(self, value: SessionMixin) -> None:
        self._session = value

    def copy(self) -> RequestContext:
        """A new context for the same request and session (to hand to another thread)."""
        return self.__class__(
            self.app, environ=self.request.environ, request=self.request, session=self.session
        )

    def match_request(self) -> None:
        """Match the URL: set ``url_rule`` and ``view_args``, or ``routing_exception``."""
        self.app._match_request(self.request, self)

    def push(self) -> None:
        """Make this the current request context (and match the URL on the first push)."""
        app_ctx = _cv_app.get(None)
        if app_ctx is None:
            app_ctx = _cv_request.get(None)
        owns = app_ctx is None or app_ctx.app is not self.app
        # Only another app's active context needs shadowing in _cv_app; with none active,
        # this context is found through _cv_request (see globals._app_ctx_or_none).
        app_token = _cv_app.set(self) if owns and app_ctx is not None else None
        req_token = _cv_request.set(self)
        depth = self._depth
        if depth:
            self.__dict__.setdefault("_more_tokens", []).append((req_token, app_token, owns))
        else:
            # PERF: the first push keeps its tokens in slots; only re-pushes need a list.
            self._req_token = req_token
            self._app_token = app_token
            if owns:
                self._owns_app_ctx = True
            else:
                self._app_ctx = app_ctx
        if owns and appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)
        self._depth = depth + 1
        app = self.app
        if (
            type(app.session_interface) not in LAZY_SESSION_INTERFACES
            and not depth
            and self._session is None
        ):
            # A custom interface sees open_session on every request, as in Flask.
            self._session = app._open_session(self.request)
        request = self.request
        if request.url_rule is None and request.routing_exception is None:
            app._match_request(request, self)

    def pop(self, exc: BaseException | None = _sentinel, *, defer_teardown: bool = False) -> None:
        """Leave this context. The last pop runs teardown_request functions and closes the
        request, then (if this context is also the app context) teardown_appcontext. While
        a streamed response still runs in this context, that teardown waits until the
        stream is closed.
        """
        depth = self._depth
        if not depth:
            raise RuntimeError(f"{self!r} is not pushed; there is nothing to pop.")
        clear_request = depth == 1
        defer = defer_teardown or (clear_request and bool(self._stream_objs))
        error: BaseException | None = None
        if clear_request:
            if exc is _sentinel:
                exc = sys.exc_info()[1]
            if defer:
                self._deferred_exc = exc
            else:
                try:
                    plan = self._plan
                    if (
                        self.app._lean
                        and plan is not None
                        and not plan.teardown
                        and not request_tearing_down.receivers
                    ):
                        # PERF: nothing to tear down; only the request needs closing.
                        self.request.close()
                    else:
                        self._teardown(exc)
                except BaseException as e:
                    error = e
        ctx = _cv_request.get()
        if clear_request:
            token, app_token, owned = self._req_token, self._app_token, self._owns_app_ctx
        else:
            token, app_token, owned = self.__dict__["_more_tokens"].pop()
        self._depth = depth - 1
        _cv_request.reset(token)
        if owned:
            # The app context's teardown runs even when a request teardown failed; the
            # first failure is the one raised.
            app = self.app
            try:
                if not defer and (
                    not app._lean
                    or app.teardown_appcontext_funcs
                    or appcontext_tearing_down.receivers
                ):
                    # Its teardown functions still see this as the app context (current_app,
                    # g), but no longer as the request context.
                    shown = _cv_app.set(self) if app_token is None else None
                    try:
                        app.do_teardown_appcontext(None if exc is _sentinel else exc)
                    finally:
                        if shown is not None:
                            _cv_app.reset(shown)
            except BaseException as e:
                if error is None:
                    error = e
            finally:
                if app_token is not None:
                    _cv_app.reset(app_token)
            if appcontext_popped.receivers:
                appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)
        if error is not None:
            raise error
        if ctx is not self:
            raise AssertionError(
                f"Popped {self!r}, but the current request context is {ctx!r}. Pop"
                " contexts in the reverse order of pushing them."
            )

    def _teardown(self, exc: BaseException | None) -> None:
        try:
            self.app.do_teardown_request(exc)
        finally:
            self.request.close()

    # -- streaming support (stream_with_context) ----------------------------------------------

    def _begin_stream(self, stream: Any) -> None:
        if not self._stream_objs:
            self._stream_objs = []
        self._stream_objs.append(stream)

    def _close_streams(self) -> None:
        for stream in list(self._stream_objs):
            stream.close()

    @contextmanager
    def _bound(self) -> Iterator[None]:
        """Make this context current for a moment, in whatever thread runs this."""
        token = _cv_request.set(self)
        app_ctx = self if self._owns_app_ctx else self._app_ctx
        app_token = _cv_app.set(app_ctx) if app_ctx is not None else None
        try:
            yield
        finally:
            if app_token is not None:
                _cv_app.reset(app_token)
            _cv_request.reset(token)

    def _end_stream(self, stream: Any) -> None:
        self._stream_objs.remove(stream)  # type: ignore[union-attr]
        if self._stream_objs or self._deferred_exc is _sentinel:
            return
        exc, self._deferred_exc = self._deferred_exc, _sentinel
        error: BaseException | None = None
        with self._bound():
            try:
                self._teardown(exc)
            except BaseException as e:
                error = e
            if self._owns_app_ctx:
                try:
                    self.app.do_teardown_appcontext(exc)
                except BaseException as e:
                    if error is None:
                        error = e
        if error is not None:
            raise error

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: Any, exc_value: BaseException | None, tb: Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.request.url!r}"
            f" [{self.request.method}] of {self.app.name}>"
        )


def after_this_request(f: F) -> F:
    """Run ``f(response)`` after this request's view (it must return the response).

    Use it inside a view to change the response of this request only, for example to set
    a cookie.
    """
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "after_this_request() was called with no request being handled. Call it from"
            " a view or a before_request function (or inside app.test_request_context())."
        )
    if not ctx._after_request_functions:
        ctx._after_request_functions = []
    ctx._after_request_functions.append(f)
    return f


def copy_current_request_context(f: F) -> F:
    """Wrap ``f`` so it runs in a copy of the current request context (for threads)."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "copy_current_request_context() was called with no request being handled; it"
            " needs one to copy. Call it from a view (or inside"
            " app.test_request_context())."
        )
    ctx = ctx.copy()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def has_request_context() -> bool:
    """Whether a request context is active (``request`` and ``session`` usable)."""
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """Whether an application context is active (``current_app`` and ``g`` usable)."""
    return _app_ctx_or_none() is not None


__all__ = [
    "AppContext",
    "RequestContext",
    "after_this_request",
    "copy_current_request_context",
    "has_app_context",
    "has_request_context",
]

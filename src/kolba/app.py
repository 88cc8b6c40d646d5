"""The application object and THE dispatch pipeline.

One request goes: match the URL (while the context is pushed), url_value_preprocessors,
before_request functions, the view, make_response, after_this_request callbacks,
after_request functions, save the session, teardown_request, teardown_appcontext.

The pipeline is the same for every kind of view; what varies per endpoint (which hooks
apply, which error handlers) is worked out once, at the first request for that endpoint,
and cached, since registration is closed once requests are served.
"""

from __future__ import annotations

import collections.abc as cabc
import inspect
import os
import sys
import threading
import typing as t
import weakref
from datetime import timedelta
from urllib.parse import quote

from . import typing as ft
from .config import Config, ConfigAttribute
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .globals import _app_ctx_or_none, _cv_request
from .helpers import find_package, get_debug_flag, get_load_dotenv, make_redirect
from .json.provider import DefaultJSONProvider, JSONProvider
from .logging import create_logger
from .routing import BuildError, Map, MapAdapter, RequestRedirect, Rule
from .routing.exceptions import RoutingException
from .routing.map import Redirect
from .sansio.datastructures import Headers, ImmutableDict
from .sansio.exceptions import (
    Aborter,
    BadRequest,
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
)
from .sansio.response import _checked_content_type
from .scaffold import Scaffold, _endpoint_from_view_func, setupmethod
from .sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin
from .signals import (
    appcontext_tearing_down,
    got_request_exception,
    request_finished,
    request_started,
    request_tearing_down,
)
from .templating import TemplatingMixin
from .utils import cached_property
from .wrappers import Request, Response, _split_blueprint_path

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .blueprints import Blueprint
    from .testing import KolbaClient, KolbaCliRunner

T = t.TypeVar("T")
F = t.TypeVar("F", bound=t.Callable[..., t.Any])
_sentinel: t.Any = object()
_RETURN_TYPES = (
    "Return a str or bytes body, a dict or list (sent as JSON), a Response, a generator,"
    " a WSGI callable, or a tuple adding a status and/or headers to one of those."
)


def _make_timedelta(value: timedelta | int | None) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


class _Plan:
    """The hooks that apply to one endpoint, in the order they run, made callable."""

    __slots__ = ("after", "before", "blueprints", "busy", "teardown", "url_value_preprocessors")

    # PERF: the plan of an endpoint is looked up once per request (at matching) and kept
    # on the request context; every later step reads it from there.

    def __init__(self, app: Kolba, blueprints: list[str]) -> None:
        self.blueprints = blueprints
        outer_first: list[str | None] = [None, *reversed(blueprints)]
        inner_first: list[str | None] = [*blueprints, None]
        ensure = app.ensure_sync
        self.url_value_preprocessors = [
            f for name in outer_first for f in app.url_value_preprocessors.get(name, ())
        ]
        self.before = [
            ensure(f) for name in outer_first for f in app.before_request_funcs.get(name, ())
        ]
        self.after = [
            ensure(f)
            for name in inner_first
            for f in reversed(app.after_request_funcs.get(name, ()))
        ]
        self.teardown = [
            ensure(f)
            for name in inner_first
            for f in reversed(app.teardown_request_funcs.get(name, ()))
        ]
        #: Whether any hook runs before or after the view (the lean path then steps aside).
        self.busy = bool(self.url_value_preprocessors or self.before or self.after)


class Kolba(TemplatingMixin, Scaffold):
    """A WSGI application built the Flask way.

    ``import_name`` (usually ``__name__``) locates the app's folders: ``static/`` is served
    at ``/static``, ``templates/`` holds templates, ``instance/`` per-deployment files.
    ``wsgi_app`` is the application; wrap it with middleware as
    ``app.wsgi_app = ProxyFix(app.wsgi_app)``.
    """

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    aborter_class = Aborter
    app_ctx_globals_class = _AppCtxGlobals
    config_class = Config
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    url_rule_class = Rule
    url_map_class = Map
    test_client_class: type[KolbaClient] | None = None
    test_cli_runner_class: type[KolbaCliRunner] | None = None
    session_interface: SessionInterface = SecureCookieSessionInterface()
    jinja_options: dict[str, t.Any] = {}

    testing = ConfigAttribute[bool]("TESTING")
    secret_key = ConfigAttribute[t.Union[str, bytes, None]]("SECRET_KEY")
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME",
        get_converter=_make_timedelta,  # type: ignore[arg-type]
    )

    default_config = ImmutableDict(
        {
            "DEBUG": None,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": None,
            "SECRET_KEY": None,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
            "USE_X_SENDFILE": False,
            "TRUSTED_HOSTS": None,
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "SESSION_COOKIE_NAME": "session",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_PATH": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_PARTITIONED": False,
            "SESSION_COOKIE_SAMESITE": None,
            "SESSION_REFRESH_EACH_REQUEST": True,
            "MAX_CONTENT_LENGTH": None,
            "MAX_FORM_MEMORY_SIZE": 500_000,
            "MAX_FORM_PARTS": 1_000,
            "SEND_FILE_MAX_AGE_DEFAULT": None,
            "TRAP_BAD_REQUEST_ERRORS": None,
            "TRAP_HTTP_EXCEPTIONS": False,
            "EXPLAIN_TEMPLATE_LOADING": False,
            "PREFERRED_URL_SCHEME": "http",
            "TEMPLATES_AUTO_RELOAD": None,
            "MAX_COOKIE_SIZE": 4093,
            "PROVIDE_AUTOMATIC_OPTIONS": True,
        }
    )

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                f"instance_path={instance_path!r} is relative; kolba needs an absolute"
                " path here. Pass os.path.abspath(...) of it, or leave instance_path out"
                " to use the default instance folder."
            )
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.make_aborter()
        self.json: JSONProvider = self.json_provider_class(self)
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        self.teardown_appcontext_funcs: list[t.Callable[[BaseException | None], None]] = []
        self.shell_context_processors: list[t.Callable[[], dict[str, t.Any]]] = []
        self.before_first_request_funcs: list[t.Callable[[], None]] = []
        self.blueprints: dict[str, Blueprint] = {}
        self.extensions: dict[str, t.Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        self.url_map.subdomain_matching = subdomain_matching
        self._got_first_request = False
        # Re-entrant, and paired with a "running" flag, so a before_first_request function
        # that itself sends a request to the app (a warm-up call) does not deadlock.
        self._first_request_lock = threading.RLock()
        self._first_request_running = False
        #: Set once serving starts when the pipeline methods are kolba's own (see _lean_app).
        self._lean = False
        self._lean_direct = False
        self._lean_content_type = ""
        self._plans: dict[str | None, _Plan] = {}
        self._endpoint_plans: dict[str, _Plan] = {}
        self._handler_cache: dict[tuple[type[BaseException], tuple[str, ...]], t.Any] = {}
        self._sync_views: dict[t.Callable[..., t.Any], t.Callable[..., t.Any]] = {}

        if self.has_static_folder:
            assert bool(static_host) == host_matching, (
                "static_host and host_matching go together: with host_matching=True pass"
                " the host that serves static files as static_host, and without host"
                " matching leave static_host out."
            )
            self_ref = weakref.ref(self)
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: self_ref().send_static_file(**kw),  # type: ignore[union-attr]
            )

    # -- identity and setup --------------------------------------------------------------------

    @cached_property
    def name(self) -> str:
        """The app's name: the import name, or the script's name when run as ``__main__``."""
        if self.import_name == "__main__":
            fn: str | None = getattr(sys.modules["__main__"], "__file__", None)
            if fn is None:
                return "__main__"
            return os.path.splitext(os.path.basename(fn))[0]
        return self.import_name

    @cached_property
    def logger(self) -> t.Any:
        """The app's logger (``logging.getLogger(app.name)``)."""
        return create_logger(self)

    @cached_property
    def cli(self) -> t.Any:
        """The click group for this app's commands (``@app.cli.command()``)."""
        from .cli import AppGroup

        return AppGroup(self.name)

    def auto_find_instance_path(self) -> str:
        """``<root>/instance``, or ``<prefix>/var/<name>-instance`` for an installed app."""
        prefix, package_path = find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", f"{self.name}-instance")

    def make_config(self, instance_relative: bool = False) -> Config:
        """Create ``app.config`` with the defaults and DEBUG from KOLBA_DEBUG."""
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> Aborter:
        """Create ``app.aborter``, used by :func:`abort`."""
        return self.aborter_class()

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file in the instance folder (any mode, unlike ``open_resource``)."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    @property
    def debug(self) -> bool:
        """Debug mode (the DEBUG setting): tracebacks propagate, templates reload."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None and "jinja_env" in self.__dict__:
            self.jinja_env.auto_reload = value

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' was called after the application served"
                " its first request; the running app would only partly see the change.\n"
                "Do all registration (routes, hooks, blueprints, error handlers) while"
                " creating the app, before it handles any request."
            )

    @setupmethod
    def before_first_request(self, f: F) -> F:
        """Run ``f()`` once, before the first request (kept for older apps: prefer doing
        the work when the app is created).
        """
        self.before_first_request_funcs.append(f)
        return f

    @setupmethod
    def teardown_appcontext(self, f: F) -> F:
        """Run ``f(error_or_None)`` when the application context is popped."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(self, f: F) -> F:
        """Register ``f()``, returning a dict of names, for ``kolba shell``."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        """The names ``kolba shell`` starts with: ``app``, ``g``, and what the
        ``shell_context_processor`` functions return.
        """
        from .globals import g

        namespace: dict[str, t.Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            namespace.update(processor())
        return namespace

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register a blueprint: its routes, hooks and handlers join the app.

        Options (``url_prefix``, ``subdomain``, ``url_defaults``, ``name``) override the
        blueprint's own.
        """
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, in registration order."""
        return self.blueprints.values()

    # -- routes --------------------------------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register ``view_func`` for ``rule`` (see :meth:`route`)."""
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                f"methods={methods!r} is a single string; pass a list of method names"
                ' instead, such as methods=["POST"].'
            )
        methods = {item.upper() for item in methods}
        required_methods = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            if "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]:
                provide_automatic_options = True
                required_methods.add("OPTIONS")
            else:
                provide_automatic_options = False
        methods |= required_methods
        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = provide_automatic_options
        self.url_map.add(rule_obj)
        if view_func is not None:
            old_func = self.view_functions.get(endpoint)
            if old_func is not None and old_func != view_func:
                raise AssertionError(
                    f"The endpoint {endpoint!r} already belongs to another view function."
                    " Give this view a unique name with endpoint=..., or rename the"
                    " function."
                )
            self.view_functions[endpoint] = view_func
        self._clear_caches()

    @setupmethod
    def template_filter(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja filter (named ``name`` or its own)."""

        def decorator(f: F) -> F:
            self.add_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register a Jinja filter."""
        self.jinja_env.filters[name or f.__name__] = f

    @setupmethod
    def template_test(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja test."""

        def decorator(f: F) -> F:
            self.add_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        """Register a Jinja test."""
        self.jinja_env.tests[name or f.__name__] = f

    @setupmethod
    def template_global(self, name: str | None = None) -> t.Callable[[F], F]:
        """Register the decorated function as a Jinja global."""

        def decorator(f: F) -> F:
            self.add_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register a Jinja global."""
        self.jinja_env.globals[name or f.__name__] = f

    # -- contexts ------------------------------------------------------------------------------

    def app_context(self) -> AppContext:
        """An application context: ``with app.app_context(): ...``."""
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """A request context for a WSGI environ (``wsgi_app`` uses it)."""
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """A request context for a made-up request, with the test client's arguments:
        ``with app.test_request_context("/path?x=1", method="POST", json={...}):``.
        """
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> KolbaClient:
        """A client that sends requests to the app without a server (for tests)."""
        cls = self.test_client_class
        if cls is None:
            from .testing import KolbaClient

            cls = KolbaClient
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> KolbaCliRunner:
        """A runner that invokes the app's CLI commands (for tests)."""
        cls = self.test_cli_runner_class
        if cls is None:
            from .testing import KolbaCliRunner

            cls = KolbaCliRunner
        return cls(self, **kwargs)

    # -- the pipeline --------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        """The WSGI entry point; it calls :meth:`wsgi_app` so middleware can wrap that."""
        return self.wsgi_app(environ, start_response)

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        """Handle one request: push the context, dispatch, send, tear down."""
        if self._lean:
            return self._lean_app(environ, start_response)
        ctx = self.request_context(environ)
        error: BaseException | None = None
        response: Response | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            if ctx._stream_objs and (response is None or response.is_sequence):
                # A context stream was started but an error page (or nothing) is being sent
                # instead: close it so the teardown it holds back runs now.
                ctx._close_streams()
            preserve = environ.get("kolba.debug.preserve_context")
            if preserve is not None:
                # The test client pushes it again after the request (``with client:``);
                # as the request's own app context too when it is one.
                preserve(ctx)
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)

    def _lean_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Any:
        """:meth:`wsgi_app` with the pipeline methods inlined, for stock apps.

        PERF: once serving starts, an app that overrides none of the pipeline methods
        (``_PIPELINE_METHODS``) takes this path: the same steps in the same order, without
        a method call per step, and skipping the steps that have nothing registered. A
        request with signal receivers, a routing error or automatic OPTIONS goes through
        the methods as usual (``full_dispatch_request``).
        """
        ctx = RequestContext(self, environ)
        error: BaseException | None = None
        response: Response | None = None
        try:
            try:
                ctx.push()
                request = ctx.request
                rule = request.url_rule
                plan = ctx._plan
                if (
                    rule is None
                    or plan is None
                    or request_started.receivers
                    or request_finished.receivers
                    or (
                        request.method == "OPTIONS"
                        and getattr(rule, "provide_automatic_options", False)
                    )
                ):
                    response = self.full_dispatch_request()
                else:
                    view = self.view_functions[rule.endpoint]
                    try:
                        sync_view = self._sync_views.get(view)
                        if sync_view is None:
                            sync_view = self._sync_views[view] = self.ensure_sync(view)
                    except TypeError:  # an unhashable callable view
                        sync_view = self.ensure_sync(view)
                    try:
                        if plan.busy:
                            # preprocess_request, then the view unless a hook answered.
                            rv = None
                            if plan.url_value_preprocessors:
                                endpoint = rule.endpoint
                                for url_func in plan.url_value_preprocessors:
                                    url_func(endpoint, request.view_args)
                            for before_func in plan.before:
                                rv = before_func()
                                if rv is not None:
                                    break
                            if rv is None:
                                rv = sync_view(**request.view_args)  # type: ignore[arg-type]
                        else:
                            rv = sync_view(**request.view_args)  # type: ignore[arg-type]
                    except Exception as e:
                        answer: t.Any = self.handle_user_exception(e)
                        if answer is e:
                            e.__traceback__ = None  # see full_dispatch_request
                        response = self.finalize_request(answer)
                    else:
                        # finalize_request and process_response, inlined.
                        rv_type = type(rv)
                        if (
                            (rv_type is str or rv_type is bytes)
                            and not plan.after
                            and self._lean_direct
                            and not ctx._after_request_functions
                            and ctx._session is None
                            and "HTTP_COOKIE" not in environ
                        ):
                            # PERF: nothing can observe the Response object of a text
                            # return here (no hook, no session, a stock response class),
                            # so send what it would send without building it.
                            data = rv.encode() if rv_type is str else rv
                            start_response(
                                "200 OK",
                                [
                                    ("Content-Type", self._lean_content_type),
                                    ("Content-Length", str(len(data))),
                                ],
                            )
                            if environ.get("REQUEST_METHOD") == "HEAD":
                                return []
                            return [data]
                        if rv_type is str or rv_type is bytes:
                            response = self.response_class._prepared(  # type: ignore[assignment]
                                rv, 200, [("Content-Type", self._lean_content_type)]
                            )
                        else:
                            response = self.make_response(rv)
                        for func in ctx._after_request_functions:
                            response = self.ensure_sync(func)(response)
                        for func in plan.after:
                            response = func(response)
                        self._save_session(ctx, response)  # type: ignore[arg-type]
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)  # type: ignore[misc]
        finally:
            if ctx._stream_objs and (response is None or response.is_sequence):
                ctx._close_streams()
            preserve = environ.get("kolba.debug.preserve_context")
            if preserve is not None:
                # The test client pushes it again after the request (``with client:``);
                # as the request's own app context too when it is one.
                preserve(ctx)
            ctx.pop(error)

    def _first_request(self) -> None:
        # Concurrent first requests wait on the lock until the functions have finished:
        # they must not run their view against a half-initialised app. The flag is set
        # only after all functions succeeded, so a failed start-up is retried.
        with self._first_request_lock:
            if self._got_first_request or self._first_request_running:
                return
            self._first_request_running = True
            try:
                for func in self.before_first_request_funcs:
                    self.ensure_sync(func)()
            finally:
                self._first_request_running = False
            self._lean = self._pipeline_is_stock()
            self._got_first_request = True

    #: The methods the lean pipeline inlines: overriding any of them turns it off.
    _PIPELINE_METHODS = (
        "request_context",
        "full_dispatch_request",
        "preprocess_request",
        "dispatch_request",
        "make_response",
        "finalize_request",
        "process_response",
        "do_teardown_request",
        "do_teardown_appcontext",
        "ensure_sync",
        "should_ignore_error",
    )

    def _pipeline_is_stock(self) -> bool:
        cls = type(self)
        content_type = self._fast_text_content_type
        stock = (
            all(getattr(cls, name) is getattr(Kolba, name) for name in self._PIPELINE_METHODS)
            and content_type is not None
        )
        self._lean_content_type = content_type or ""
        # A text view return can skip the Response object when the response class sends
        # exactly what the stock one sends.
        response_class = self.response_class
        self._lean_direct = (
            stock and response_class._stock_wsgi and response_class.__call__ is Response.__call__
        )
        return stock

    def full_dispatch_request(self) -> Response:
        """Preprocess, dispatch and finalize the current request, handling its errors."""
        if not self._got_first_request:
            self._first_request()
        try:
            if request_started.receivers:
                request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            answer: t.Any = self.handle_user_exception(e)
            rv = answer
            if answer is e or e is _cv_request.get().request.routing_exception:
                # PERF: an exception kept past this point (as the value to answer with, or
                # as the request's routing error) holds, through its traceback, the frames
                # that hold it: a reference cycle keeping the request, its environ and the
                # app alive until the next gc pass. Nothing looks at this traceback again
                # (the error was answered with its own page), so drop it. Error path only.
                e.__traceback__ = None
        return self.finalize_request(rv)

    def _plan_for(self, request: Request) -> _Plan:
        blueprint = request.blueprint
        plan = self._plans.get(blueprint)
        if plan is None:
            plan = _Plan(self, _split_blueprint_path(blueprint) if blueprint else [])
            # Before the first request (a test_request_context, say) hooks may still be
            # registered, so a plan made now could go stale: cache it only once
            # registration is closed.
            if self._got_first_request:
                self._plans[blueprint] = plan
        return plan

    def _ctx_plan(self, ctx: RequestContext) -> _Plan:
        """The plan of the context's request (``ctx._plan`` is set when matching, once
        plans can be cached; this computes it otherwise).
        """
        plan = ctx._plan
        if plan is None or not self._got_first_request:
            plan = ctx._plan = self._plan_for(ctx.request)
        return plan  # type: ignore[no-any-return]

    def _clear_caches(self) -> None:
        """Forget hook plans and handler lookups (registration changed what applies)."""
        self._plans.clear()
        self._endpoint_plans.clear()
        self._handler_cache.clear()
        self._sync_views.clear()

    def preprocess_request(self) -> ft.ResponseReturnValue | None:
        """Run url_value_preprocessors, then before_request functions; a non-None return
        from one of them is the response.
        """
        ctx = _cv_request.get()
        request = ctx.request
        plan = ctx._plan or self._ctx_plan(ctx)
        if plan.url_value_preprocessors:
            endpoint = request.endpoint
            for url_func in plan.url_value_preprocessors:
                url_func(endpoint, request.view_args)
        for before_func in plan.before:
            rv = before_func()
            if rv is not None:
                return rv  # type: ignore[no-any-return]
        return None

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Call the view of the matched rule (or raise the routing error)."""
        request = _cv_request.get().request
        if request.routing_exception is not None:
            self.raise_routing_exception(request)
        rule = t.cast(Rule, request.url_rule)
        if getattr(rule, "provide_automatic_options", False) and request.method == "OPTIONS":
            return self.make_default_options_response()
        view = self.view_functions[rule.endpoint]
        # PERF: ensure_sync inspects the function; do that once per view, not per request.
        try:
            cached = self._sync_views.get(view)
            if cached is None:
                cached = self._sync_views[view] = self.ensure_sync(view)
        except TypeError:  # an unhashable callable view
            cached = self.ensure_sync(view)
        return cached(**request.view_args)  # type: ignore[arg-type,no-any-return]

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the exception routing produced for ``request`` (404, 405, redirect).

        In debug mode, a slash redirect with a code that makes clients resend as GET (301,
        302) for a request with a body raises an AssertionError instead: the form data would
        be lost silently otherwise.
        """
        error = request.routing_exception
        if (
            self.debug
            and isinstance(error, RequestRedirect)
            and error.code not in (307, 308)
            and request.method not in ("GET", "HEAD", "OPTIONS")
        ):
            from .debughelpers import FormDataRoutingRedirect

            raise FormDataRoutingRedirect(request)
        raise error  # type: ignore[misc]

    def make_default_options_response(self) -> Response:
        """The automatic OPTIONS answer: 200 with ``Allow`` listing the URL's methods."""
        request = _cv_request.get().request
        rule, outcome = self.url_map.resolve(request.path, "\0", self._domain_for(request))
        response = self.response_class()
        methods = getattr(outcome, "valid_methods", None) if rule is None else rule.methods
        if methods:
            response.allow.update(sorted(methods))
        return response

    def finalize_request(
        self, rv: ft.ResponseReturnValue | HTTPException, from_error_handler: bool = False
    ) -> Response:
        """Make a response from the view's return value and run after_request functions.

        When called for an error handler's response, a failure here is logged rather than
        raised, so the error page still goes out.
        """
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            if request_finished.receivers:
                request_finished.send(self, _async_wrapper=self.ensure_sync, response=response)
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception(
                "An after_request function failed while finishing an error response;"
                " the error response is sent without its changes."
            )
        return response

    def process_response(self, response: Response) -> Response:
        """Run after_this_request callbacks and after_request functions, save the session."""
        ctx = _cv_request.get()
        for func in ctx._after_request_functions:
            response = self.ensure_sync(func)(response)
        for func in (ctx._plan or self._ctx_plan(ctx)).after:
            response = func(response)
        self._save_session(ctx, response)
        return response

    def _save_session(self, ctx: RequestContext, response: Response) -> None:
        session = ctx._session
        if session is None:
            if "HTTP_COOKIE" not in ctx.request.environ:
                return
            session = self._session_to_refresh(ctx.request)
        if session is not None and not self.session_interface.is_null_session(session):
            self.session_interface.save_session(self, session, response)

    def do_teardown_request(self, exc: BaseException | None = _sentinel) -> None:
        """Run the teardown_request functions (all of them, even if one raises; the first
        error is re-raised afterwards) and send ``request_tearing_down``.
        """
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        ctx = _cv_request.get(None)
        if ctx is None:
            return
        funcs = (ctx._plan or self._ctx_plan(ctx)).teardown
        error = _run_all(funcs, exc) if funcs else None
        if request_tearing_down.receivers:
            request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)
        if error is not None:
            raise error

    def do_teardown_appcontext(self, exc: BaseException | None = _sentinel) -> None:
        """Run the teardown_appcontext functions (all of them) and send the signal."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        error = None
        if self.teardown_appcontext_funcs:
            error = _run_all(
                [self.ensure_sync(f) for f in reversed(self.teardown_appcontext_funcs)], exc
            )
        if appcontext_tearing_down.receivers:
            appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)
        if error is not None:
            raise error

    # -- routing glue --------------------------------------------------------------------------

    def _domain_for(self, request: Request) -> str:
        """The host (host matching) or subdomain (subdomain matching) that selects rules."""
        if self.url_map.host_matching:
            return request.host
        if not self.subdomain_matching:
            return self.url_map.default_subdomain
        server_name = self._bound_server_name(request)
        if server_name is None:
            return self.url_map.default_subdomain
        host = request.host.lower()
        if host == server_name:
            return self.url_map.default_subdomain
        if host.endswith("." + server_name):
            return host[: -len(server_name) - 1]
        return "<invalid>"

    def _bound_server_name(self, request: Request) -> str | None:
        """SERVER_NAME as the request's host would spell it (lowercase, no default
        port), or None when it is not set.
        """
        server_name: str | None = self.config["SERVER_NAME"]
        if not server_name:
            return None
        server_name = server_name.lower()
        default_port = ":443" if request.scheme in ("https", "wss") else ":80"
        return server_name.removesuffix(default_port)

    def _match_request(self, request: Request, ctx: RequestContext | None = None) -> None:
        """Match ``request`` against the URL map; store the rule or the routing error.

        With a context, the matched endpoint's hook plan is stored on it too.
        """
        environ = request.environ
        # PERF: read the path and method from the environ in the common case (an ASCII
        # path with its leading slash, an upper-case method) instead of through the lazy
        # properties, and leave them there for later readers.
        path = environ.get("PATH_INFO", "")
        if path[:1] == "/" and path.isascii():
            request.__dict__["path"] = path
        else:
            path = request.path
        method = environ.get("REQUEST_METHOD", "GET")
        if method.isupper():
            request.__dict__["method"] = method
        else:
            method = request.method
        try:
            config = self.config
            if config["TRUSTED_HOSTS"] is not None:
                request.trusted_hosts = config["TRUSTED_HOSTS"]
                request.host  # noqa: B018 (validates the Host header now, as a 400)
            url_map = self.url_map
            if url_map.host_matching or self.subdomain_matching:
                domain = self._domain_for(request)
            else:
                domain = url_map.default_subdomain
            rule, outcome = url_map.resolve(path, method, domain)
        except HTTPException as e:
            request.routing_exception = e
            return
        if rule is not None:
            request.url_rule = rule
            request.view_args = outcome  # type: ignore[assignment]
            if ctx is not None and self._got_first_request:
                endpoint = rule.endpoint
                plan = self._endpoint_plans.get(endpoint)
                if plan is None:
                    plan = self._endpoint_plans[endpoint] = self._plan_for(request)
                ctx._plan = plan
        elif isinstance(outcome, Redirect):
            request.routing_exception = self._redirect_exception(request, outcome)
        else:
            request.routing_exception = outcome  # type: ignore[assignment]

    def _redirect_exception(self, request: Request, outcome: Redirect) -> HTTPException:
        try:
            target = outcome.target
            if "://" not in target.split("?", 1)[0]:
                target = quote(target, safe="/:@!$&'()*+,;=~%?")
            query = None
            if outcome.keep_query:
                # The raw query goes into a header: escape anything that is not URL-safe
                # (existing escapes are kept).
                query = quote(
                    request.query_string.decode("latin-1"),
                    safe="&=+%/?:@!$'()*,;~",
                    encoding="latin-1",
                )
            adapter = t.cast(MapAdapter, _cv_request.get().url_adapter)
            return RequestRedirect(adapter.make_redirect_url(target, query or None))
        except HTTPException as e:
            return e

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """The URL map bound to the request, or to SERVER_NAME outside a request.

        During a request URLs are built on SERVER_NAME when it is set (with the current
        subdomain in front, under subdomain matching), else on the request's host; with
        host matching always on the request's host.
        """
        if request is not None:
            server_name = None
            if self.url_map.host_matching:
                subdomain = None
            else:
                server_name = self._bound_server_name(request)
                if not self.subdomain_matching:
                    subdomain = self.url_map.default_subdomain or ""
                else:
                    subdomain = self._domain_for(request)
            return MapAdapter(
                self.url_map,
                server_name or request.host,
                request.root_path or "/",
                subdomain,
                request.scheme,
                request.path,
                request.method,
                request.query_string.decode("latin-1"),
            )
        server_name = self.config["SERVER_NAME"]
        if server_name is not None:
            return self.url_map.bind(
                server_name,
                script_name=self.config["APPLICATION_ROOT"],
                url_scheme=self.config["PREFERRED_URL_SCHEME"],
            )
        return None

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Build a URL; see :func:`kolba.url_for`."""
        req_ctx = _cv_request.get(None)
        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            blueprint_name = req_ctx.request.blueprint
            if endpoint[:1] == ".":
                endpoint = f"{blueprint_name}{endpoint}" if blueprint_name else endpoint[1:]
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _app_ctx_or_none()
            url_adapter = (
                app_ctx.url_adapter
                if app_ctx is not None and app_ctx.app is self
                else self.create_url_adapter(None)
            )
            if url_adapter is None:
                raise RuntimeError(
                    f"url_for({endpoint!r}) needs to know the host: call it during a request,"
                    " or set SERVER_NAME in the config (and APPLICATION_ROOT and"
                    " PREFERRED_URL_SCHEME when the defaults do not fit)."
                )
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError(
                f"_scheme={_scheme!r} needs an absolute URL, but _external=False was given."
                " Drop _external=False (a scheme implies an external URL)."
            )
        self.inject_url_defaults(endpoint, values)
        try:
            rv = url_adapter.build(  # type: ignore[union-attr]
                endpoint,
                values,
                method=_method,
                url_scheme=_scheme,
                force_external=_external,
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            rv = f"{rv}#{quote(_anchor, safe='%!#$&()*+,/:;=?@')}"
        return rv

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Let url_defaults functions fill in ``values`` for ``endpoint``."""
        names: t.Iterable[str | None] = (None,)
        if "." in endpoint:
            names = (None, *reversed(_split_blueprint_path(endpoint.rpartition(".")[0])))
        for name in names:
            for func in self.url_default_functions.get(name, ()):
                func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Try ``url_build_error_handlers``; re-raise the BuildError if none gives a URL."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        raise error

    def redirect(self, location: str, code: int = 302) -> Response:
        """A redirect response (used by :func:`kolba.redirect`)."""
        return make_redirect(location, code=code, Response=self.response_class)

    # -- responses -----------------------------------------------------------------------------

    @cached_property
    def _fast_text_content_type(self) -> str | None:
        # PERF: with the stock Response, a str or bytes view return skips __init__.
        cls = self.response_class
        if cls.__init__ is not Response.__init__ or not cls.automatically_set_content_length:
            return None
        # Checked once here (CR, LF, NUL...), as the response constructor would check it.
        return _checked_content_type(cls.default_mimetype or "text/plain")

    def _json_response(self, body: str, mimetype: str) -> Response:
        if self._fast_text_content_type is not None:
            return self.response_class._prepared(body, 200, [("Content-Type", mimetype)])  # type: ignore[return-value]
        return self.response_class(body, mimetype=mimetype)

    def make_response(self, rv: ft.ResponseReturnValue | HTTPException) -> Response:
        """Turn a view's return value into a Response.

        Accepted: str or bytes (the body), dict or list (JSON), a Response, a generator
        (streamed), any WSGI callable, or a tuple ``(body, status)``, ``(body, headers)``,
        ``(body, status, headers)``. Headers in a tuple replace existing ones.
        """
        rv_type = type(rv)
        if rv_type is str or rv_type is bytes:
            ct = self._fast_text_content_type
            if ct is not None:
                return self.response_class._prepared(rv, 200, [("Content-Type", ct)])  # type: ignore[arg-type,return-value]
        status: t.Any = None
        headers: t.Any = None
        if isinstance(rv, tuple):
            parts: tuple[t.Any, ...] = rv
            len_rv = len(parts)
            if len_rv == 3:
                rv, status, headers = parts
            elif len_rv == 2:
                if isinstance(parts[1], (Headers, dict, tuple, list)):
                    rv, headers = parts
                else:
                    rv, status = parts
            else:
                raise TypeError(
                    f"The view for endpoint {self._endpoint_name()} returned a tuple of"
                    f" {len_rv} items, but a response tuple must have the form"
                    " (body, status), (body, headers) or (body, status, headers)."
                )
        if rv is None:
            raise TypeError(
                f"The view for endpoint {self._endpoint_name()} did not return a valid"
                " response: it returned None (or reached its end without a return"
                " statement). Return a body, such as a string, a dict or a Response."
            )
        if not isinstance(rv, self.response_class):
            if isinstance(rv, (str, bytes, bytearray, cabc.Iterator)):
                rv = self.response_class(rv, status=status, headers=headers)
                status = headers = None
            elif isinstance(rv, (dict, list)):
                rv = self.json.response(rv)
            elif isinstance(rv, HTTPException):
                rv = rv.get_response()
                if not isinstance(rv, self.response_class):
                    rv = self.response_class.force_type(rv)
            elif isinstance(rv, Response) or callable(rv):
                try:
                    rv = self.response_class.force_type(
                        rv,
                        _cv_request.get().request.environ,
                    )
                except TypeError as e:
                    raise TypeError(
                        f"{e}\nThe view for endpoint {self._endpoint_name()} did not return"
                        f" a valid response: it was a {type(rv).__name__} that could not be"
                        f" used as a WSGI application. {_RETURN_TYPES}"
                    ).with_traceback(sys.exc_info()[2]) from None
            else:
                raise TypeError(
                    f"The view for endpoint {self._endpoint_name()} did not return a valid"
                    f" response: it was a {type(rv).__name__}. {_RETURN_TYPES}"
                )
        rv = t.cast(Response, rv)
        if status is not None:
            if isinstance(status, (str, bytes, bytearray)):
                rv.status = status.decode() if not isinstance(status, str) else status
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv

    def _endpoint_name(self) -> str:
        ctx = _cv_request.get(None)
        endpoint = ctx.request.endpoint if ctx is not None else None
        return repr(endpoint)

    # -- errors --------------------------------------------------------------------------------

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether an HTTPException should propagate instead of becoming a response
        (TRAP_HTTP_EXCEPTIONS; bad request key errors in debug; TRAP_BAD_REQUEST_ERRORS).
        """
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            return isinstance(e, BadRequest)
        return False

    def _find_error_handler(
        self, e: BaseException, blueprints: list[str]
    ) -> ft.ErrorHandlerCallable | None:
        """The handler for ``e``: the blueprints' (innermost first) then the app's; the code
        before the class; for a class, the closest in the MRO.
        """
        key = (type(e), tuple(blueprints))
        try:
            return self._handler_cache[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        exc_class, code = self._get_exc_class_and_code(type(e))  # type: ignore[arg-type]
        names = (*blueprints, None)
        found = None
        for c in (code, None) if code is not None else (None,):
            for name in names:
                handler_map = self.error_handler_spec.get(name, {}).get(c)
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        found = handler
                        break
                if found is not None:
                    break
            if found is not None:
                break
        if self._got_first_request:
            self._handler_cache[key] = found
        return found

    def handle_http_exception(self, e: HTTPException) -> HTTPException | ft.ResponseReturnValue:
        """Answer an HTTPException: its registered handler, or its own error page."""
        if e.code is None:
            return e
        if isinstance(e, RoutingException):
            return e
        handler = self._find_error_handler(e, _cv_request.get().request.blueprints)
        if handler is None:
            return e
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_user_exception(self, e: Exception) -> HTTPException | ft.ResponseReturnValue:
        """Answer an exception raised while dispatching: HTTPExceptions become their
        response; others go to a registered handler or are re-raised.
        """
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        handler = self._find_error_handler(e, _cv_request.get().request.blueprints)
        if handler is None:
            raise e
        return self.ensure_sync(handler)(e)  # type: ignore[no-any-return]

    def handle_exception(self, e: Exception) -> Response:
        """Answer an unhandled exception: propagate it (debug, testing,
        PROPAGATE_EXCEPTIONS), or log it and answer 500 through a 500 handler.
        """
        exc_info = sys.exc_info()
        if got_request_exception.receivers:
            got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            if exc_info[1] is e:
                # Called from an except block: re-raise as is, without this frame.
                raise  # noqa: PLE0704
            raise e
        self.log_exception(exc_info)
        server_error: InternalServerError | ft.ResponseReturnValue = InternalServerError(
            original_exception=e
        )
        ctx = _cv_request.get(None)
        blueprints = ctx.request.blueprints if ctx is not None else []
        handler = self._find_error_handler(server_error, blueprints)  # type: ignore[arg-type]
        if handler is not None:
            server_error = self.ensure_sync(handler)(server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(self, exc_info: t.Any) -> None:
        """Log an unhandled exception as ``Exception on /path [METHOD]``."""
        ctx = _cv_request.get(None)
        where = f" on {ctx.request.path} [{ctx.request.method}]" if ctx is not None else ""
        self.logger.error(f"Exception{where}", exc_info=exc_info)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions should not see ``error`` (never, by default)."""
        return False

    # -- sessions ------------------------------------------------------------------------------

    def _open_session(self, request: Request) -> SessionMixin:
        interface = self.session_interface
        session = interface.open_session(self, request)
        if session is None:
            session = interface.make_null_session(self)
        return session

    def _session_to_refresh(self, request: Request) -> SessionMixin | None:
        # A permanent session must be re-sent on every request (SESSION_REFRESH_EACH_REQUEST)
        # even when the view never touched it; only then is the cookie worth opening.
        if "HTTP_COOKIE" not in request.environ or not self.config["SESSION_REFRESH_EACH_REQUEST"]:
            return None
        if self.session_interface.get_cookie_name(self) not in request.cookies:
            return None
        ctx = _cv_request.get()
        return ctx.session

    # -- async ---------------------------------------------------------------------------------

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Wrap a coroutine function so it can be called like a plain function."""
        if inspect.iscoroutinefunction(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Run a coroutine function on this thread's event loop (kept across requests)."""
        from .asyncsupport import run_coroutine

        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return run_coroutine(func(*args, **kwargs))

        wrapper.__wrapped__ = func  # type: ignore[attr-defined]
        wrapper.__name__ = getattr(func, "__name__", "wrapper")
        return wrapper

    # -- serving ---------------------------------------------------------------------------------

    def run(
        self,
        host: str | None = None,
        port: int | str | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with the development server (not for production).

        Host and port default to SERVER_NAME's, else 127.0.0.1:5000. In debug mode the
        server reloads on code changes and shows tracebacks in the browser.
        """
        if os.environ.get("KOLBA_RUN_FROM_CLI") == "true":
            from .wsgi.serving import is_running_from_reloader

            if not is_running_from_reloader():
                print(
                    " * app.run() was skipped: the 'kolba' command is already serving this"
                    " app.\n   Put app.run() under 'if __name__ == \"__main__\":' so that"
                    " importing the module does not start a second server.",
                    file=sys.stderr,
                )
            return
        if get_load_dotenv(load_dotenv):
            try:
                from .cli import load_dotenv as _load_dotenv
            except ImportError:  # pragma: no cover - the CLI needs click, a dependency
                pass
            else:
                _load_dotenv()
            if "KOLBA_DEBUG" in os.environ:
                self.debug = get_debug_flag()
        if debug is not None:
            self.debug = bool(debug)
        server_name = self.config.get("SERVER_NAME")
        sn_host = sn_port = None
        if server_name:
            sn_host, _, sn_port = server_name.partition(":")
        if not host:
            host = sn_host or "127.0.0.1"
        if port or port == 0:
            port = int(port)
        elif sn_port:
            port = int(sn_port)
        else:
            port = 5000
        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)
        options.setdefault("passthrough_errors", bool(self.config["PROPAGATE_EXCEPTIONS"]))
        from .wsgi.serving import run_simple

        try:
            run_simple(host, port, self, **options)
        finally:
            # Registration reopens (as in Flask), so drop what was cached under it.
            self._got_first_request = False
            self._clear_caches()


def _run_all(
    funcs: list[t.Callable[..., t.Any]], exc: BaseException | None
) -> BaseException | None:
    """Call every function with ``exc``, even after one fails; return the first failure.

    Teardown functions release independent resources (a database session, a lock, a
    temp file): one failing must not leak the others'. The caller raises the error.
    """
    error: BaseException | None = None
    for func in funcs:
        try:
            func(exc)
        except BaseException as e:
            if error is None:
                error = e
    return error


__all__ = ["Kolba"]

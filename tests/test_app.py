"""The application object: package surface, constructor, paths, attributes, setup guard."""

from __future__ import annotations

import gc
import importlib
import inspect
import io
import os
import sys
import types
import weakref
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import kolba
from kolba import Kolba
from kolba.config import Config
from kolba.sansio.exceptions import Aborter

# -- 1. package surface ---------------------------------------------------------------------

CORE_NAMES = [
    "Kolba",
    "request",
    "session",
    "g",
    "current_app",
    "redirect",
    "url_for",
    "abort",
    "jsonify",
    "flash",
    "get_flashed_messages",
    "make_response",
    "Response",
    "Request",
    "Config",
    "after_this_request",
    "has_request_context",
    "has_app_context",
    "stream_with_context",
    "copy_current_request_context",
]
SIGNAL_NAMES = [
    "template_rendered",
    "before_render_template",
    "request_started",
    "request_finished",
    "request_tearing_down",
    "got_request_exception",
    "appcontext_tearing_down",
    "appcontext_pushed",
    "appcontext_popped",
    "message_flashed",
]


@pytest.mark.parametrize("name", CORE_NAMES + SIGNAL_NAMES)
def test_top_level_name_exported(name: str) -> None:
    ns: dict[str, Any] = {}
    exec(f"from kolba import {name}", ns)
    assert ns[name] is getattr(kolba, name)


def test_top_level_names_are_the_real_objects() -> None:
    from kolba import config, ctx, globals, helpers, signals, wrappers

    assert kolba.Request is wrappers.Request
    assert kolba.Response is wrappers.Response
    assert kolba.Config is config.Config
    assert kolba.request is globals.request
    assert kolba.g is globals.g
    assert kolba.abort is helpers.abort
    assert kolba.after_this_request is ctx.after_this_request
    for name in SIGNAL_NAMES:
        assert getattr(kolba, name) is getattr(signals, name)


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("kolba.json", ["jsonify", "dumps", "loads"]),
        ("kolba.testing", ["KolbaClient", "KolbaCliRunner", "EnvironBuilder"]),
        ("kolba.sessions", ["SecureCookieSessionInterface", "SessionInterface", "SessionMixin"]),
        ("kolba.signals", ["Namespace", *SIGNAL_NAMES]),
        ("kolba.helpers", ["url_for", "abort", "redirect", "make_response", "get_root_path"]),
        ("kolba.wrappers", ["Request", "Response"]),
        ("kolba.globals", ["current_app", "g", "request", "session", "app_ctx", "request_ctx"]),
        ("kolba.globals", ["_cv_app", "_cv_request"]),
        ("kolba.logging", ["default_handler", "has_level_handler", "wsgi_errors_stream"]),
        ("kolba.ctx", ["AppContext", "RequestContext", "after_this_request"]),
        ("kolba.config", ["Config", "ConfigAttribute"]),
        ("kolba.typing", ["ResponseReturnValue", "RouteCallable", "ErrorHandlerCallable"]),
    ],
)
def test_submodule_names(module: str, names: list[str]) -> None:
    mod = importlib.import_module(module)
    missing = [n for n in names if not hasattr(mod, n)]
    assert not missing


def test_signals_namespace_makes_extension_signals() -> None:
    from kolba.signals import Namespace

    sig = Namespace().signal("my-extension-event")
    seen: list[Any] = []
    with sig.connected_to(lambda sender, **kw: seen.append((sender, kw))):
        sig.send("me", x=1)
    assert seen == [("me", {"x": 1})]


def test_port_by_renaming_imports() -> None:
    """A Flask app's source, with only the import names changed, behaves the same."""
    flask = pytest.importorskip("flask")
    source = """
from flask import Flask, request, g, abort, jsonify, after_this_request

app = Flask("ported")

@app.before_request
def load():
    g.user = request.args.get("user", "anon")

@app.route("/hello/<name>")
def hello(name):
    @after_this_request
    def tag(resp):
        resp.headers["X-Who"] = g.user
        return resp
    return f"hello {name}"

@app.route("/data", methods=["POST"])
def data():
    return jsonify(got=request.get_json(), user=g.user), 201

@app.route("/gone")
def gone():
    abort(410)

@app.errorhandler(404)
def missing(e):
    return {"error": e.name}, 404
"""
    ported = source.replace("from flask import Flask", "from kolba import Kolba as Flask")
    answers = []
    for code in (source, ported):
        ns: dict[str, Any] = {}
        exec(code, ns)
        client = ns["app"].test_client()
        got = []
        for method, path, kw in [
            ("GET", "/hello/ann?user=bob", {}),
            ("POST", "/data?user=x", {"json": {"a": [1, 2]}}),
            ("GET", "/gone", {}),
            ("GET", "/nope", {}),
            ("DELETE", "/hello/x", {}),
        ]:
            r = client.open(path, method=method, **kw)
            got.append(
                (r.status_code, r.get_json() if r.is_json else r.data, r.headers.get("X-Who"))
            )
        answers.append(got)
    assert flask.Flask is not Kolba
    # Bodies of HTML error pages are worded differently; compare their status and type.
    flask_answers, kolba_answers = answers
    for f, k in zip(flask_answers, kolba_answers, strict=False):
        assert f[0] == k[0]
        assert f[2] == k[2]
        if not isinstance(f[1], bytes):
            assert f[1] == k[1]


# -- 2. constructor and paths ---------------------------------------------------------------


def test_constructor_signature_matches_flask() -> None:
    flask = pytest.importorskip("flask")
    ours = inspect.signature(Kolba)
    theirs = inspect.signature(flask.Flask)
    assert list(ours.parameters) == list(theirs.parameters)
    for name, param in ours.parameters.items():
        assert param.default == theirs.parameters[name].default, name


def test_constructor_arguments_are_applied(tmp_path: Path) -> None:
    app = Kolba(
        "kolba_app_args",
        static_url_path="/assets",
        static_folder="public",
        template_folder="views",
        instance_path=str(tmp_path / "inst"),
        instance_relative_config=True,
        root_path=str(tmp_path),
    )
    assert app.import_name == "kolba_app_args"
    assert app.name == "kolba_app_args"
    assert app.root_path == str(tmp_path)
    assert app.instance_path == str(tmp_path / "inst")
    assert app.static_folder == os.path.join(str(tmp_path), "public")
    assert app.static_url_path == "/assets"
    assert app.template_folder == "views"
    # instance_relative_config: config files are looked up in the instance folder.
    assert app.config.root_path == str(tmp_path / "inst")
    assert [r.rule for r in app.url_map.iter_rules() if r.endpoint == "static"] == [
        "/assets/<path:filename>"
    ]


def test_static_url_path_defaults_to_folder_name() -> None:
    app = Kolba(__name__, static_folder="files")
    assert app.static_url_path == "/files"
    no_static = Kolba(__name__, static_folder=None)
    assert no_static.static_url_path is None
    assert "static" not in no_static.view_functions


def test_host_matching_needs_static_host() -> None:
    with pytest.raises(AssertionError, match="static_host"):
        Kolba(__name__, host_matching=True)
    app = Kolba(__name__, host_matching=True, static_host="cdn.example.com")
    assert app.url_map.host_matching


@pytest.fixture
def unimportable_pkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package on sys.path that fails loudly if anything imports it."""
    pkg = tmp_path / "kolba_noimport_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('this package must not be imported')\n")
    (pkg / "views.py").write_text("raise RuntimeError('nor this module')\n")
    (tmp_path / "kolba_noimport_mod.py").write_text("raise RuntimeError('nor this one')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return tmp_path


def test_root_path_found_without_importing(unimportable_pkg: Path) -> None:
    pkg_dir = unimportable_pkg / "kolba_noimport_pkg"
    assert Kolba("kolba_noimport_pkg").root_path == str(pkg_dir)
    assert Kolba("kolba_noimport_pkg.views").root_path == str(pkg_dir)
    assert Kolba("kolba_noimport_mod").root_path == str(unimportable_pkg)
    for name in ("kolba_noimport_pkg", "kolba_noimport_pkg.views", "kolba_noimport_mod"):
        assert name not in sys.modules


def test_root_path_of_loaded_module_and_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Kolba(__name__).root_path == os.path.dirname(os.path.abspath(__file__))
    monkeypatch.chdir(os.path.dirname(__file__))
    assert Kolba("kolba_module_that_does_not_exist").root_path == os.getcwd()


def test_instance_path_defaults_to_root_instance(unimportable_pkg: Path) -> None:
    app = Kolba("kolba_noimport_pkg")
    assert app.instance_path == str(unimportable_pkg / "instance")
    mod_app = Kolba("kolba_noimport_mod")
    assert mod_app.instance_path == str(unimportable_pkg / "instance")


@pytest.mark.parametrize(
    "site", ["lib/python3.11/site-packages", "lib/site-packages", "Lib/site-packages"]
)
@pytest.mark.parametrize("framework", ["kolba", "flask"])
def test_instance_path_of_installed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, site: str, framework: str
) -> None:
    """An installed package keeps its instance folder under ``<prefix>/var``, as in Flask."""
    if framework == "flask":
        flask = pytest.importorskip("flask")
        app_class: Any = flask.Flask
    else:
        app_class = Kolba
    prefix = tmp_path / "prefix"
    site_dir = prefix / site
    pkg = site_dir / "kolba_installed_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site_dir))
    monkeypatch.setattr(sys, "prefix", str(prefix))
    importlib.invalidate_caches()
    try:
        app = app_class("kolba_installed_pkg")
        assert app.instance_path == str(prefix / "var" / "kolba_installed_pkg-instance")
    finally:
        sys.modules.pop("kolba_installed_pkg", None)


def test_relative_instance_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"instance_path='instance'.*absolute"):
        Kolba(__name__, instance_path="instance")
    with pytest.raises(ValueError, match="absolute"):
        Kolba(__name__, instance_path=os.path.join("a", "b"))
    assert Kolba(__name__, instance_path=str(tmp_path)).instance_path == str(tmp_path)


def test_name_of_main_module(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = "/srv/site/manage_app.py"
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    assert Kolba("__main__", root_path="/srv/site").name == "manage_app"
    interactive = types.ModuleType("__main__")
    monkeypatch.setitem(sys.modules, "__main__", interactive)
    assert Kolba("__main__", root_path="/srv/site").name == "__main__"


# -- 2. attributes ----------------------------------------------------------------------------


def test_attributes() -> None:
    app = Kolba(__name__)
    assert isinstance(app.config, Config)
    assert app.debug is False
    assert app.testing is False
    assert app.secret_key is None
    assert app.name == __name__
    assert app.import_name == __name__
    assert os.path.isabs(app.root_path)
    assert os.path.isabs(app.instance_path)
    assert app.url_map is not None
    assert set(app.view_functions) == {"static"}
    assert app.blueprints == {}
    assert app.extensions == {}
    assert app.logger.name == __name__
    assert app.json is not None
    assert app.session_interface is not None
    assert app.permanent_session_lifetime == timedelta(days=31)
    assert app.static_folder == os.path.join(app.root_path, "static")
    assert app.static_url_path == "/static"
    assert isinstance(app.aborter, Aborter)
    assert repr(app) == f"<Kolba {__name__!r}>"


def test_jinja_env_and_cli_attributes() -> None:
    app = Kolba(__name__)
    assert app.jinja_env.globals["url_for"] is not None
    pytest.importorskip("click")
    assert app.cli.name == app.name


def test_extensions_pattern() -> None:
    class Ext:
        def __init__(self, app: Kolba | None = None) -> None:
            if app is not None:
                self.init_app(app)

        def init_app(self, app: Kolba) -> None:
            app.config.setdefault("EXT_OPTION", "default")
            app.extensions["ext"] = self
            app.teardown_appcontext(self.teardown)

        def teardown(self, exc: BaseException | None) -> None:
            kolba.g.pop("ext_conn", None)

    app = Kolba(__name__)
    app.config["EXT_OPTION"] = "mine"
    ext = Ext(app)
    assert app.extensions["ext"] is ext
    assert app.config["EXT_OPTION"] == "mine"


def test_class_hooks_can_be_swapped() -> None:
    class MyConfig(Config):
        pass

    class MyAborter(Aborter):
        pass

    class MyApp(Kolba):
        config_class = MyConfig
        aborter_class = MyAborter

    app = MyApp(__name__)
    assert type(app.config) is MyConfig
    assert type(app.aborter) is MyAborter


# -- 2. WSGI entry and middleware -------------------------------------------------------------


def test_app_is_a_wsgi_application() -> None:
    app = Kolba(__name__)

    @app.route("/")
    def index() -> str:
        return "hi"

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    started: list[Any] = []
    body = app(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
    try:
        assert b"".join(body) == b"hi"
    finally:
        if hasattr(body, "close"):
            body.close()
    assert started[0][0] == "200 OK"


def test_wsgi_app_can_be_wrapped_by_middleware() -> None:
    app = Kolba(__name__)

    @app.route("/")
    def index() -> str:
        return kolba.request.environ.get("HTTP_X_FROM_MIDDLEWARE", "none")

    seen: list[str] = []

    class Middleware:
        def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
            self.wsgi_app = wsgi_app

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            seen.append(environ["PATH_INFO"])
            environ["HTTP_X_FROM_MIDDLEWARE"] = "yes"
            return self.wsgi_app(environ, start_response)

    app.wsgi_app = Middleware(app.wsgi_app)  # type: ignore[method-assign]
    assert app.test_client().get("/").data == b"yes"
    assert seen == ["/"]


def test_proxy_fix_wraps_wsgi_app() -> None:
    from kolba.middleware.proxy_fix import ProxyFix

    app = Kolba(__name__)

    @app.route("/")
    def index() -> str:
        return f"{kolba.request.remote_addr} {kolba.request.scheme}"

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    r = app.test_client().get(
        "/", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    )
    assert r.data == b"203.0.113.9 https"


# -- 2. the setup guard -----------------------------------------------------------------------


def _noop(*args: Any) -> None:
    return None


SETUP_CALLS: list[tuple[str, Callable[[Kolba], Any]]] = [
    ("add_url_rule", lambda app: app.add_url_rule("/late", "late", _noop)),
    ("add_url_rule", lambda app: app.route("/late2")(_noop)),
    ("add_url_rule", lambda app: app.get("/late3")(_noop)),
    ("endpoint", lambda app: app.endpoint("late")),
    ("before_request", lambda app: app.before_request(_noop)),
    ("after_request", lambda app: app.after_request(_noop)),
    ("teardown_request", lambda app: app.teardown_request(_noop)),
    ("teardown_appcontext", lambda app: app.teardown_appcontext(_noop)),
    ("before_first_request", lambda app: app.before_first_request(_noop)),
    ("context_processor", lambda app: app.context_processor(_noop)),
    ("url_value_preprocessor", lambda app: app.url_value_preprocessor(_noop)),
    ("url_defaults", lambda app: app.url_defaults(_noop)),
    ("errorhandler", lambda app: app.errorhandler(404)),
    ("register_error_handler", lambda app: app.register_error_handler(500, _noop)),
    ("shell_context_processor", lambda app: app.shell_context_processor(_noop)),
    ("register_blueprint", lambda app: app.register_blueprint(kolba.Blueprint("late", "x"))),
    ("template_filter", lambda app: app.template_filter()),
    ("add_template_global", lambda app: app.add_template_global(_noop)),
]


@pytest.mark.parametrize(("method", "call"), SETUP_CALLS)
def test_setup_methods_refused_after_first_request(
    method: str, call: Callable[[Kolba], Any]
) -> None:
    app = Kolba(__name__)

    @app.route("/")
    def index() -> str:
        return "ok"

    call(Kolba(__name__))  # fine before any request
    assert app.test_client().get("/").status_code == 200
    with pytest.raises(AssertionError, match=f"setup method '{method}'"):
        call(app)


def test_setup_allowed_after_test_request_context() -> None:
    """Only a real request closes registration; a test request context does not."""
    app = Kolba(__name__)
    with app.test_request_context("/"):
        pass
    app.add_url_rule("/x", "x", lambda: "x")
    assert app.test_client().get("/x").data == b"x"


# -- 2. resources -----------------------------------------------------------------------------


@pytest.fixture
def app_with_files(tmp_path: Path) -> Kolba:
    (tmp_path / "schema.sql").write_text("créé\n", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("créé".encode("latin-1"))
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "settings.cfg").write_text("X = 1\n")
    return Kolba("kolba_res_app", root_path=str(tmp_path), instance_path=str(tmp_path / "instance"))


@pytest.mark.parametrize(("mode", "expected"), [("rb", "créé\n".encode()), ("r", "créé\n")])
def test_open_resource_reads_relative_to_root(
    app_with_files: Kolba, mode: str, expected: str | bytes
) -> None:
    with app_with_files.open_resource("schema.sql", mode) as f:
        assert f.read() == expected


def test_open_resource_default_mode_and_encoding(app_with_files: Kolba) -> None:
    with app_with_files.open_resource("schema.sql") as f:
        assert f.read() == "créé\n".encode()
    with app_with_files.open_resource("latin.txt", "rt", encoding="latin-1") as f:
        assert f.read() == "créé"


@pytest.mark.parametrize("mode", ["w", "wb", "a", "r+", "rb+", "x"])
def test_open_resource_refuses_writing(app_with_files: Kolba, mode: str) -> None:
    with pytest.raises(ValueError, match="reading only"):
        app_with_files.open_resource("schema.sql", mode)


def test_open_resource_missing_file(app_with_files: Kolba) -> None:
    with pytest.raises(FileNotFoundError):
        app_with_files.open_resource("nope.sql")


def test_open_instance_resource(app_with_files: Kolba, tmp_path: Path) -> None:
    with app_with_files.open_instance_resource("settings.cfg", "r") as f:
        assert f.read() == "X = 1\n"
    with app_with_files.open_instance_resource("out.txt", "w") as f:
        f.write("written")
    assert (tmp_path / "instance" / "out.txt").read_text() == "written"
    with app_with_files.open_instance_resource("out.txt") as f:
        assert f.read() == b"written"


# -- 2. no reference cycle --------------------------------------------------------------------


def test_app_freed_on_zero_refcount() -> None:
    """CPython frees the app as soon as its last reference goes (no gc needed)."""
    gc.collect()
    gc.disable()
    try:
        app = Kolba(__name__)

        @app.route("/")
        def index() -> str:
            return "x"

        @app.before_request
        def before() -> None:
            kolba.g.x = 1

        @app.errorhandler(404)
        def missing(e: Exception) -> tuple[str, int]:
            return "missing", 404

        client = app.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/missing").status_code == 404
        assert app.view_functions["static"]
        _ = app.logger, app.json, app.config
        weak = weakref.ref(app)
        del app, client, index, before, missing
        assert weak() is None
    finally:
        gc.enable()


# -- 2. run() ------------------------------------------------------------------------------------


@pytest.fixture
def fake_run_simple(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    import kolba.wsgi.serving

    calls: list[tuple[Any, ...]] = []

    def run_simple(host: str, port: int, app: Any, **options: Any) -> None:
        calls.append((host, port, app, options))

    monkeypatch.setattr(kolba.wsgi.serving, "run_simple", run_simple)
    monkeypatch.delenv("KOLBA_RUN_FROM_CLI", raising=False)
    return calls


@pytest.mark.parametrize(
    ("host", "port", "server_name", "expected"),
    [
        (None, None, None, ("127.0.0.1", 5000)),
        ("0.0.0.0", 8080, None, ("0.0.0.0", 8080)),
        (None, "8000", None, ("127.0.0.1", 8000)),
        (None, None, "example.test:9000", ("example.test", 9000)),
        (None, None, "example.test", ("example.test", 5000)),
        ("localhost", None, "example.test:9000", ("localhost", 9000)),
        (None, 0, None, ("127.0.0.1", 0)),
    ],
)
def test_run_host_and_port(
    fake_run_simple: list[tuple[Any, ...]],
    host: str | None,
    port: int | str | None,
    server_name: str | None,
    expected: tuple[str, int],
) -> None:
    app = Kolba(__name__)
    app.config["SERVER_NAME"] = server_name
    app.run(host, port, load_dotenv=False)
    assert fake_run_simple[0][:2] == expected
    assert fake_run_simple[0][2] is app


def test_run_options(fake_run_simple: list[tuple[Any, ...]]) -> None:
    app = Kolba(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    app.run(debug=True, load_dotenv=False, threaded=False)
    options = fake_run_simple[0][3]
    assert app.debug is True
    assert options["use_reloader"] is True
    assert options["use_debugger"] is True
    assert options["threaded"] is False
    assert options["passthrough_errors"] is True


def test_run_does_nothing_under_the_cli(
    fake_run_simple: list[tuple[Any, ...]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KOLBA_RUN_FROM_CLI", "true")
    Kolba(__name__).run(load_dotenv=False)
    assert fake_run_simple == []
    assert "app.run()" in capsys.readouterr().err


# -- 26. the surface extensions use -----------------------------------------------------------


def test_extension_facing_surface() -> None:
    """What Flask-Login, Flask-SQLAlchemy and Flask-WTF reach for, in one small extension."""
    from kolba.globals import app_ctx
    from kolba.local import LocalProxy

    class LoginManager:
        def __init__(self) -> None:
            self._loader: Callable[[str], Any] | None = None

        def init_app(self, app: Kolba) -> None:
            app.extensions["login_manager"] = self
            app.config.setdefault("LOGIN_DISABLED", False)
            app.before_request(self._load)
            app.teardown_appcontext(self._close)

        def user_loader(self, func: Callable[[str], Any]) -> Callable[[str], Any]:
            self._loader = func
            return func

        def _load(self) -> None:
            assert self._loader is not None
            user_id = kolba.request.headers.get("X-User")
            loader = kolba.current_app.ensure_sync(self._loader)
            kolba.g._login_user = loader(user_id) if user_id else None

        def _close(self, exc: BaseException | None) -> None:
            scopes.pop(id(app_ctx._get_current_object()), None)  # type: ignore[attr-defined]

    scopes: dict[int, str] = {}

    def _get_user() -> Any:
        scopes[id(app_ctx._get_current_object())] = "db session"  # type: ignore[attr-defined]
        return kolba.g.get("_login_user")

    current_user: Any = LocalProxy(_get_user)

    app = Kolba("kolba_test_app_extension")
    app.secret_key = "ext"
    manager = LoginManager()
    manager.init_app(app)

    @manager.user_loader
    async def load_user(user_id: str) -> str:
        return f"user:{user_id}"

    @app.route("/me")
    def me() -> str:
        app_obj = kolba.current_app._get_current_object()  # type: ignore[attr-defined]
        assert app_obj is app
        assert app_obj.extensions["login_manager"] is manager
        assert app_obj.view_functions.get("me") is me
        assert app_obj.blueprints.get("nope") is None
        assert (app_obj.import_name, app_obj.testing, app_obj.secret_key) == (
            "kolba_test_app_extension",
            False,
            "ext",
        )
        kolba.session["csrf"] = "token"
        assert kolba.session._get_current_object().get("csrf") == "token"  # type: ignore[attr-defined]
        assert kolba.session.pop("csrf") == "token"
        return str(current_user)

    client = app.test_client()
    assert client.get("/me", headers={"X-User": "7"}).data == b"user:7"
    assert client.get("/me").data == b"None"
    assert scopes == {}  # each app context's scope was released at teardown
    assert app.config["LOGIN_DISABLED"] is False

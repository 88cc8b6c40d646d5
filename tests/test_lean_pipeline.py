"""The lean pipeline (the inlined fast path for stock apps) behaves like the method pipeline.

Every scenario runs three times on an app that takes the lean path, and on an app that
overrides a pipeline method (so it goes through the methods); the answers, the hooks that
ran and the errors raised must be the same.
"""

from __future__ import annotations

import typing as t

import pytest

import kolba
from kolba import Kolba
from kolba.wrappers import Response


class MethodPipelineKolba(Kolba):
    """Overrides a pipeline method, which switches the lean path off."""

    def dispatch_request(self) -> t.Any:
        return super().dispatch_request()


Calls = list[str]


def build(cls: type[Kolba]) -> tuple[Kolba, Calls]:
    app = cls(__name__)
    app.secret_key = "secret"
    calls: Calls = []

    @app.route("/")
    def index() -> str:
        return "hello"

    @app.route("/bytes")
    def raw() -> bytes:
        return b"\x00\x01"

    @app.route("/json")
    def json_view() -> dict[str, int]:
        return {"a": 1}

    @app.route("/tuple")
    def tuple_view() -> tuple[str, int, dict[str, str]]:
        return "made", 201, {"X-Thing": "yes"}

    @app.route("/none")
    def none_view() -> None:
        return None

    @app.route("/abort")
    def abort_view() -> str:
        kolba.abort(418)

    @app.route("/boom")
    def boom() -> str:
        raise LookupError("boom")

    @app.route("/handled")
    def handled() -> str:
        raise KeyError("handled")

    @app.errorhandler(KeyError)
    def on_key_error(e: KeyError) -> tuple[str, int]:
        calls.append("key-handler")
        return "key handled", 409

    @app.route("/after-this")
    def after_this() -> str:
        @kolba.after_this_request
        def add_header(response: Response) -> Response:
            response.headers["X-After"] = "1"
            return response

        return "ok"

    @app.route("/session")
    def set_session() -> str:
        kolba.session["n"] = kolba.session.get("n", 0) + 1
        return str(kolba.session["n"])

    @app.route("/stream")
    def stream() -> Response:
        def gen() -> t.Iterator[str]:
            yield "a"
            yield kolba.request.path

        return Response(kolba.stream_with_context(gen()))

    @app.route("/g")
    def uses_g() -> str:
        kolba.g.value = "from-g"
        return kolba.g.value

    @app.route("/method", methods=["GET", "POST"])
    def method() -> str:
        return kolba.request.method

    @app.teardown_appcontext
    def app_teardown(exc: BaseException | None) -> None:
        calls.append(f"appctx:{type(exc).__name__ if exc else None}")

    return app, calls


PATHS = [
    ("GET", "/"),
    ("GET", "/bytes"),
    ("GET", "/json"),
    ("GET", "/tuple"),
    ("GET", "/abort"),
    ("GET", "/handled"),
    ("GET", "/after-this"),
    ("GET", "/session"),
    ("GET", "/stream"),
    ("GET", "/g"),
    ("POST", "/method"),
    ("HEAD", "/"),
    ("OPTIONS", "/"),
    ("GET", "/missing"),
    ("POST", "/"),
]


def answers(cls: type[Kolba], method: str, path: str) -> list[t.Any]:
    app, calls = build(cls)
    client = app.test_client()
    out: list[t.Any] = []
    for _ in range(3):  # the first request takes the method path in both apps
        rv = client.open(path, method=method)
        out.append((rv.status_code, sorted(rv.headers.items()), rv.data, list(calls)))
        calls.clear()
    return out


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_lean_and_method_pipelines_answer_alike(method: str, path: str) -> None:
    lean = answers(Kolba, method, path)
    methods = answers(MethodPipelineKolba, method, path)
    # Session cookies carry a timestamp; compare without their values.
    assert _strip_cookies(lean) == _strip_cookies(methods)


def _strip_cookies(results: list[t.Any]) -> list[t.Any]:
    cleaned = []
    for status, headers, data, calls in results:
        headers = [(k, v.split("=", 1)[0] if k == "Set-Cookie" else v) for k, v in headers]
        cleaned.append((status, headers, data, calls))
    return cleaned


def test_the_lean_path_is_taken_by_stock_apps_only() -> None:
    stock, _ = build(Kolba)
    custom, _ = build(MethodPipelineKolba)
    for app in (stock, custom):
        app.test_client().get("/")
    assert stock._lean is True
    assert custom._lean is False


@pytest.mark.parametrize("cls", [Kolba, MethodPipelineKolba])
@pytest.mark.parametrize("path", ["/none", "/boom"])
def test_errors_propagate_alike_in_testing_mode(cls: type[Kolba], path: str) -> None:
    app, calls = build(cls)
    app.testing = True
    client = app.test_client()
    client.get("/")
    expected = TypeError if path == "/none" else LookupError
    with pytest.raises(expected):
        client.get(path)
    # The app context was torn down with the error in both pipelines.
    assert calls[-1] == f"appctx:{expected.__name__}"


@pytest.mark.parametrize("cls", [Kolba, MethodPipelineKolba])
@pytest.mark.parametrize("path", ["/none", "/boom"])
def test_errors_become_500_alike_outside_testing(cls: type[Kolba], path: str) -> None:
    app, _calls = build(cls)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    client.get("/")
    rv = client.get(path, errors_stream=_Sink())
    assert rv.status_code == 500
    assert b"Internal Server Error" in rv.data


class _Sink:
    def write(self, data: str) -> int:
        return len(data)

    def flush(self) -> None:
        pass


def build_hooked(cls: type[Kolba]) -> tuple[Kolba, Calls]:
    app, calls = build(cls)
    bp = kolba.Blueprint("bp", __name__, url_prefix="/bp/<lang>")

    @app.url_value_preprocessor
    def pull(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        calls.append(f"pull:{endpoint}")
        if values:
            kolba.g.lang = values.pop("lang", None)

    @app.before_request
    def before() -> t.Any:
        calls.append("before")
        if kolba.request.args.get("stop"):
            return "stopped by before", 202
        return None

    @app.after_request
    def after(response: Response) -> Response:
        calls.append("after")
        response.headers["X-After"] = "app"
        return response

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        calls.append(f"teardown:{type(exc).__name__ if exc else None}")

    @bp.before_request
    def bp_before() -> None:
        calls.append("bp-before")

    @bp.after_request
    def bp_after(response: Response) -> Response:
        calls.append("bp-after")
        return response

    @bp.route("/page")
    def page() -> str:
        return f"page in {kolba.g.lang}"

    app.register_blueprint(bp)
    return app, calls


HOOKED_PATHS = [
    ("GET", "/"),
    ("GET", "/?stop=1"),
    ("GET", "/json"),
    ("GET", "/abort"),
    ("GET", "/handled"),
    ("GET", "/after-this"),
    ("GET", "/session"),
    ("GET", "/bp/fr/page"),
    ("GET", "/missing"),
    ("HEAD", "/"),
]


def hooked_answers(cls: type[Kolba], method: str, path: str) -> list[t.Any]:
    app, calls = build_hooked(cls)
    client = app.test_client()
    out: list[t.Any] = []
    for _ in range(3):
        rv = client.open(path, method=method)
        out.append((rv.status_code, sorted(rv.headers.items()), rv.data, list(calls)))
        calls.clear()
    return out


@pytest.mark.parametrize(("method", "path"), HOOKED_PATHS)
def test_lean_and_method_pipelines_run_hooks_alike(method: str, path: str) -> None:
    lean = hooked_answers(Kolba, method, path)
    methods = hooked_answers(MethodPipelineKolba, method, path)
    assert _strip_cookies(lean) == _strip_cookies(methods)
    # The hooks did run (the comparison would pass if neither ran them).
    assert any("before" in entry[3] for entry in lean)

"""The debugger (``kolba.wsgi.debug``) is never reachable unless asked for, and never runs code.

kolba's debugger is a traceback page only: no console, no PIN. These tests pin down that it
is off unless debug mode (or an explicit ``use_debugger``) turns it on, through every way an
app is started; that an app not in debug mode never shows a traceback; that no query string
reaches a console or evaluates anything; and (xfail, see the reason) that a traceback is not
shown to a client that is not on this machine.
"""

from __future__ import annotations

import http.client
import io
import logging
import os
import threading
import typing as t
from collections.abc import Iterable, Iterator
from wsgiref.util import setup_testing_defaults

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kolba
from kolba.cli import cli
from kolba.wsgi import serving
from kolba.wsgi.debug import DebuggedApplication

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

SECRET_MARKER = "s3cr3t-in-source-and-message"


@pytest.fixture(autouse=True)
def _restore_environ_and_logger() -> Iterator[None]:
    """``kolba run`` and ``--debug`` write to os.environ; a started server configures the
    "kolba" logger. Put both back.
    """
    saved = dict(os.environ)
    for key in ("KOLBA_DEBUG", "KOLBA_RUN_FROM_CLI", "KOLBA_RUN_MAIN"):
        os.environ.pop(key, None)
    logger = logging.getLogger("kolba")
    saved_logger = (logger.level, list(logger.handlers), logger.propagate)
    yield
    os.environ.clear()
    os.environ.update(saved)
    logger.setLevel(saved_logger[0])
    logger.handlers[:] = saved_logger[1]
    logger.propagate = saved_logger[2]
    serving._configured_logger = None


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    """Replace run_simple: record how the app would have been served."""
    calls: list[dict[str, t.Any]] = []

    def fake_run_simple(host: str, port: int, app: t.Any, **options: t.Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(serving, "run_simple", fake_run_simple)
    return calls


def failing_app(**config: t.Any) -> kolba.Kolba:
    app = kolba.Kolba(__name__)
    app.config.update(config)

    @app.route("/boom")
    def boom() -> str:
        secret = SECRET_MARKER  # a local the traceback page would show in its source lines
        raise RuntimeError(f"failed with {secret}")

    return app


# -- off unless debug mode --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "app_debug", "argument", "expected"),
    [
        ({}, False, None, False),
        ({}, False, False, False),
        ({"KOLBA_DEBUG": "1"}, False, False, False),  # the argument wins over the environment
        ({}, True, False, False),  # and over an earlier app.debug = True
        ({"KOLBA_DEBUG": "0"}, False, None, False),
        ({"KOLBA_DEBUG": "false"}, False, None, False),
        ({}, False, True, True),
        ({"KOLBA_DEBUG": "1"}, False, None, True),
    ],
)
def test_app_run_uses_the_debugger_only_in_debug_mode(
    served: list[dict[str, t.Any]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: t.Any,
    environ: dict[str, str],
    app_debug: bool,
    argument: bool | None,
    expected: bool,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file around: only ``environ`` counts
    os.environ.update(environ)
    app = kolba.Kolba(__name__)
    app.debug = app_debug
    app.run(debug=argument)
    (call,) = served
    assert call["use_debugger"] is expected
    assert app.debug is expected


def test_app_run_can_turn_the_debugger_off_in_debug_mode(served: list[dict[str, t.Any]]) -> None:
    kolba.Kolba(__name__).run(debug=True, use_debugger=False, load_dotenv=False)
    assert served[0]["use_debugger"] is False


@pytest.mark.parametrize(
    ("args", "environ", "expected"),
    [
        (["run"], {}, False),
        (["--no-debug", "run"], {"KOLBA_DEBUG": "1"}, False),
        (["--debug", "run", "--no-debugger"], {}, False),
        (["run"], {"KOLBA_DEBUG": "0"}, False),
        (["run"], {"KOLBA_DEBUG": "no"}, False),
        (["--debug", "run"], {}, True),
        (["run"], {"KOLBA_DEBUG": "1"}, True),
        (["run", "--debugger"], {}, True),
    ],
)
def test_kolba_run_uses_the_debugger_only_when_asked(
    served: list[dict[str, t.Any]], args: list[str], environ: dict[str, str], expected: bool
) -> None:
    app = kolba.Kolba(__name__)
    result = app.test_cli_runner().invoke(cli, args, env=environ)
    assert result.exit_code == 0, result.output
    (call,) = served
    assert call["use_debugger"] is expected


class _FakeServer:
    def log_startup(self) -> None:
        pass

    def serve_forever(self) -> None:
        pass

    def server_close(self) -> None:
        pass


@pytest.mark.parametrize("use_evalex", [True, False])
def test_run_simple_without_use_debugger_serves_the_bare_app(
    monkeypatch: pytest.MonkeyPatch, use_evalex: bool
) -> None:
    made: list[t.Any] = []

    def fake_make_server(host: str, port: int, app: t.Any, *args: t.Any, **kw: t.Any) -> t.Any:
        made.append(app)
        return _FakeServer()

    monkeypatch.setattr(serving, "make_server", fake_make_server)
    app = failing_app()
    serving.run_simple("127.0.0.1", 0, app, use_debugger=False, use_evalex=use_evalex)
    assert made == [app]
    serving.run_simple("127.0.0.1", 0, app)  # the default is off too
    assert made == [app, app]


# -- no traceback without debug mode ------------------------------------------------------------


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _serve(app: t.Any) -> tuple[t.Any, threading.Thread]:
    server = serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    return server, thread


def test_dev_server_without_debug_mode_shows_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    def raw_failing(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        secret = SECRET_MARKER
        raise RuntimeError(f"raw app failed with {secret}")

    for app in (failing_app(), raw_failing):
        server, thread = _serve(app)
        try:
            with caplog.at_level(logging.CRITICAL + 1):
                status, body = _get(server.port, "/boom")
        finally:
            server.shutdown()
            thread.join(5)
            server.server_close()
        assert status == 500
        assert SECRET_MARKER not in body
        assert "Traceback" not in body
        assert "RuntimeError" not in body


def test_app_without_debug_mode_shows_no_traceback() -> None:
    rv = failing_app().test_client().get("/boom")
    assert rv.status_code == 500
    assert SECRET_MARKER not in rv.text
    assert "Traceback" not in rv.text


# -- no console, nothing evaluated ---------------------------------------------------------------


class _Recorder:
    """A WSGI app that records the queries it gets and fails on /boom."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self.queries.append(environ.get("QUERY_STRING", ""))
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("boom")
        start_response("404 NOT FOUND", [("Content-Type", "text/plain")])
        return [b"the app's own 404"]


def _call(app: t.Any, path: str = "/", query: str = "", **environ: t.Any) -> tuple[str, bytes]:
    env: dict[str, t.Any] = {
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "wsgi.errors": io.StringIO(),
        **environ,
    }
    setup_testing_defaults(env)
    started: list[str] = []

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
        started.append(status)
        return lambda data: None

    body = b"".join(app(env, start_response))
    return started[-1], body


_CONSOLE_QUERIES = [
    "__debugger__=yes&cmd=resource&f=debugger.js",
    "__debugger__=yes&cmd=resource&f=style.css",
    "__debugger__=yes&cmd=printpin&s=x",
    "__debugger__=yes&cmd=pinauth&pin=123-456-789&s=x",
    "__debugger__=yes&cmd=__import__('os').environ.__setitem__('KOLBA_PWNED','1')&frm=0&s=x",
    "__debugger__=yes&cmd=print(1)&frm=140000000000&s=",
]


@pytest.mark.parametrize("query", _CONSOLE_QUERIES)
@pytest.mark.parametrize("path", ["/", "/console", "/boom"])
def test_console_queries_reach_the_app_and_run_nothing(query: str, path: str) -> None:
    inner = _Recorder()
    debugged = DebuggedApplication(inner, evalex=True, pin_security=False, pin_logging=False)
    status, body = _call(debugged, path, query)
    assert inner.queries == [query]  # the app itself answered (or raised)
    if path == "/boom":
        assert status.startswith("500 ")
    else:
        assert (status, body) == ("404 NOT FOUND", b"the app's own 404")
    assert "KOLBA_PWNED" not in os.environ


@settings(max_examples=100, deadline=None)
@given(cmd=st.text(max_size=40), frame=st.integers(min_value=0), secret=st.text(max_size=10))
def test_no_query_ever_reaches_a_console(cmd: str, frame: int, secret: str) -> None:
    from urllib.parse import urlencode

    inner = _Recorder()
    query = urlencode({"__debugger__": "yes", "cmd": cmd, "frm": frame, "s": secret})
    _status, body = _call(DebuggedApplication(inner, evalex=True), "/", query)
    assert inner.queries == [query]
    assert body == b"the app's own 404"


def test_traceback_page_offers_nothing_to_run() -> None:
    status, body = _call(
        DebuggedApplication(_Recorder(), evalex=True), "/boom", REMOTE_ADDR="127.0.0.1"
    )
    page = body.decode()
    assert status.startswith("500 ")
    assert "RuntimeError" in page  # it is the debug page...
    lowered = page.lower()
    for interactive in ("<script", "<form", "<input", "<textarea", "onclick", "__debugger__"):
        assert interactive not in lowered  # ...with nothing that can send code back


# -- local clients only --------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "127.8.9.10"])
def test_loopback_clients_see_the_traceback(address: str) -> None:
    # In debug mode the app lets the exception through to the debugger, as `kolba run
    # --debug` sets it up.
    debugged = DebuggedApplication(failing_app(DEBUG=True))
    status, body = _call(debugged, "/boom", REMOTE_ADDR=address)
    assert status.startswith("500 ")
    assert SECRET_MARKER in body.decode()


@pytest.mark.parametrize("address", ["203.0.113.7", "10.0.0.2", "2001:db8::1", ""])
def test_other_clients_do_not_see_the_traceback(address: str) -> None:
    debugged = DebuggedApplication(failing_app(DEBUG=True))
    status, body = _call(debugged, "/boom", REMOTE_ADDR=address)
    assert status.startswith("500 ")
    assert SECRET_MARKER not in body.decode()
    assert "Traceback" not in body.decode()

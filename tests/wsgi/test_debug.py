"""The debug-mode traceback page."""

from __future__ import annotations

import http.client
import io
import logging
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.util import setup_testing_defaults

import pytest

from kolba.wsgi import serving
from kolba.wsgi.debug import DebuggedApplication, render_debug_page
from kolba.wsgi.serving import make_server

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


@pytest.fixture(autouse=True)
def _restore_kolba_logger() -> Iterator[None]:
    """Starting a server configures the shared "kolba" logger; undo that for later tests."""
    logger = logging.getLogger("kolba")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]
    serving._configured_logger = None


class Call:
    """Run a WSGI app the way a server does, honouring exc_info and write()."""

    def __init__(self, app: WSGIApplication, **environ: Any) -> None:
        self.environ: dict[str, Any] = {
            "wsgi.errors": io.StringIO(),
            "REMOTE_ADDR": "127.0.0.1",  # the page is shown to local clients only
            **environ,
        }
        setup_testing_defaults(self.environ)
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.headers_sent = False
        self.body = b""
        result = app(self.environ, self.start_response)
        try:
            for chunk in result:
                if chunk:
                    self.headers_sent = True
                self.body += chunk
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Any:
        if exc_info is not None and self.headers_sent:
            raise exc_info[1].with_traceback(exc_info[2])  # type: ignore[union-attr]
        self.status, self.headers = status, headers

        def write(data: bytes) -> None:
            self.headers_sent = True
            self.body += data

        return write

    @property
    def errors(self) -> str:
        return str(self.environ["wsgi.errors"].getvalue())

    @property
    def text(self) -> str:
        return self.body.decode()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def raising_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    raise ValueError("<b>boom</b> & more")  # marker: escaped source line


def test_exception_gives_a_500_page_with_the_traceback() -> None:
    call = Call(DebuggedApplication(raising_app))
    assert call.status.startswith("500 ")
    assert call.header("Content-Type") == "text/html; charset=utf-8"
    assert call.header("Content-Length") == str(len(call.body))
    page = call.text
    assert "<h1>ValueError</h1>" in page
    assert "&lt;b&gt;boom&lt;/b&gt; &amp; more" in page
    assert "<b>boom</b>" not in page
    # The source line of the raise, escaped.
    assert "raise ValueError(&#34;&lt;b&gt;boom&lt;/b&gt; &amp; more&#34;)" in page
    assert "marker: escaped source line" in page
    assert "raising_app" in page
    assert "_respond" not in page.split("Plain traceback")[0]  # the middleware's own frame
    assert __file__ in page
    assert "<script" not in page
    assert "http://" not in page  # no external assets
    assert "https://" not in page


def test_traceback_is_written_to_wsgi_errors() -> None:
    call = Call(DebuggedApplication(raising_app))
    assert "Traceback (most recent call last)" in call.errors
    assert "ValueError: <b>boom</b> & more" in call.errors


def test_error_in_the_iterable_before_output() -> None:
    closed = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b""
            raise KeyError("missing")

        def close(self) -> None:
            closed.append(True)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    call = Call(DebuggedApplication(app))
    assert call.status.startswith("500 ")
    assert "KeyError" in call.text
    assert closed == [True]


def test_error_after_output_is_reraised_and_logged() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        raise RuntimeError("too late")

    errors = io.StringIO()
    with pytest.raises(RuntimeError, match="too late"):
        Call(DebuggedApplication(app), **{"wsgi.errors": errors})
    assert "cut short" in errors.getvalue()
    assert "RuntimeError: too late" in errors.getvalue()


def test_error_after_write_is_reraised() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [])
        write(b"sent already")
        raise RuntimeError("after write")

    with pytest.raises(RuntimeError, match="after write"):
        Call(DebuggedApplication(app))


def test_chained_exceptions_are_all_shown_oldest_first() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            empty: dict[str, int] = {}
            empty["first"]
        except KeyError as exc:
            raise LookupError("second") from exc
        return []

    page = Call(DebuggedApplication(app)).text
    traceback_part = page[page.index("<h2>Traceback") :]
    positions = [
        traceback_part.index(text)
        for text in ("KeyError: &#39;first&#39;", "direct cause", "LookupError: second")
    ]
    assert positions == sorted(positions)


def test_implicit_context_is_shown_unless_suppressed() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            raise TypeError("while handling")  # noqa: B904 (the implicit context is tested)
        return []

    def suppressing_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            raise TypeError("while handling") from None
        return []

    page = Call(DebuggedApplication(app)).text
    assert "ZeroDivisionError: division by zero" in page
    assert "During handling of the above exception" in page
    suppressed = Call(DebuggedApplication(suppressing_app)).text
    assert "During handling" not in suppressed
    assert "ZeroDivisionError: division by zero" not in suppressed


def test_xhr_gets_a_plain_text_traceback() -> None:
    call = Call(DebuggedApplication(raising_app), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert call.header("Content-Type") == "text/plain; charset=utf-8"
    assert call.text.startswith("Traceback (most recent call last)")
    assert "<b>boom</b>" in call.text  # plain text, not HTML


def test_successful_responses_pass_through_untouched() -> None:
    closed = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"a"
            yield b"b"

        def close(self) -> None:
            closed.append(True)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("201 Created", [("X-Thing", "1")])
        return Body()

    call = Call(DebuggedApplication(app))
    assert (call.status, call.headers, call.body) == ("201 Created", [("X-Thing", "1")], b"ab")
    assert closed == [True]


def test_evalex_is_accepted_silently_and_offers_no_console() -> None:
    calls = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"app"]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        debugged = DebuggedApplication(app, evalex=True, pin_security=False, pin_logging=False)
    assert debugged.evalex is False
    call = Call(debugged, PATH_INFO="/console", QUERY_STRING="__debugger__=yes&cmd=1")
    assert call.body == b"app"
    assert calls == ["/console"]


def test_preserve_context_key_is_left_alone() -> None:
    marker = object()
    seen = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        seen.append(environ.get("kolba.debug.preserve_context", "absent"))
        start_response("200 OK", [])
        return [b""]

    Call(DebuggedApplication(app))
    call = Call(DebuggedApplication(app), **{"kolba.debug.preserve_context": marker})
    assert seen == ["absent", marker]
    assert call.environ["kolba.debug.preserve_context"] is marker


def test_broken_str_does_not_break_the_page() -> None:
    class Weird(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no str for you")

    try:
        raise Weird()
    except Weird as exc:
        page = render_debug_page(exc)
    assert "Weird" in page
    assert "__str__ raised" in page


def test_failing_expression_is_marked() -> None:
    values: dict[str, int] = {}
    try:
        print("before", values["missing"], "after")
    except KeyError as exc:
        page = render_debug_page(exc)
    if sys.version_info >= (3, 11):
        assert "<mark>values[&#34;missing&#34;]</mark>" in page
    assert "current" in page


def test_non_ascii_source_and_message() -> None:
    try:
        raise ValueError("naïve ß ☃")
    except ValueError as exc:
        page = render_debug_page(exc)
    assert "naïve ß ☃" in page
    assert page.encode("utf-8")


def test_debug_page_through_the_dev_server() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/late":
            start_response("200 OK", [])
            return _late_failure()
        raise ValueError("<i>served</i>")

    def _late_failure() -> Iterator[bytes]:
        yield b"partial"
        raise RuntimeError("late")

    server = make_server("127.0.0.1", 0, DebuggedApplication(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("GET", "/")
            response = conn.getresponse()
            page = response.read().decode()
            assert response.status == 500
            assert "&lt;i&gt;served&lt;/i&gt;" in page
            conn.request("GET", "/late")
            with pytest.raises(http.client.IncompleteRead):
                conn.getresponse().read()
        finally:
            conn.close()
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()

"""``app.logger``: its name, the default handler, the format, the level in debug mode."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import kolba
from kolba import Kolba
from kolba.logging import default_handler, has_level_handler, wsgi_errors_stream

_counter = iter(range(1_000_000))


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """No handler on the root logger for a moment (pytest's capture handlers are put back
    afterwards), as in a freshly started server process. Used inside the test body: pytest
    adds its handlers again at the start of each test phase.
    """
    root = logging.getLogger()
    saved_handlers = root.handlers[:]
    saved_level = root.level
    root.handlers.clear()
    try:
        yield root
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


@pytest.fixture
def app_name() -> Iterator[str]:
    """A logger name no other test uses, cleaned up afterwards."""
    name = f"kolba_test_logging_{next(_counter)}"
    yield name
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True


def test_logger_name_is_app_name(app_name: str) -> None:
    app = Kolba(app_name)
    assert app.logger is logging.getLogger(app_name)
    assert app.logger.name == app.name


def test_default_handler_added_when_nothing_would_show_records(app_name: str) -> None:
    with bare_root():
        app = Kolba(app_name)
        assert app.logger.handlers == [default_handler]
        assert app.logger.level == logging.NOTSET


def test_no_default_handler_when_the_logger_has_one(app_name: str) -> None:
    with bare_root():
        own = logging.StreamHandler(io.StringIO())
        logging.getLogger(app_name).addHandler(own)
        app = Kolba(app_name)
        assert app.logger.handlers == [own]


def test_no_default_handler_when_root_is_configured(app_name: str) -> None:
    with bare_root() as root:
        root_handler = logging.StreamHandler(io.StringIO())
        root.addHandler(root_handler)
        app = Kolba(app_name)
        assert default_handler not in app.logger.handlers


def test_default_handler_added_when_existing_handlers_filter_the_level(app_name: str) -> None:
    with bare_root() as root:
        quiet_handler = logging.StreamHandler(io.StringIO())
        quiet_handler.setLevel(logging.CRITICAL)
        root.addHandler(quiet_handler)
        root.setLevel(logging.WARNING)
        app = Kolba(app_name)
        assert default_handler in app.logger.handlers


def test_has_level_handler(app_name: str) -> None:
    with bare_root() as root:
        logger = logging.getLogger(app_name)
        assert not has_level_handler(logger)
        handler = logging.StreamHandler(io.StringIO())
        handler.setLevel(logging.ERROR)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        assert not has_level_handler(logger)
        logger.setLevel(logging.ERROR)
        assert has_level_handler(logger)
        logger.removeHandler(handler)
        logger.propagate = False
        root.addHandler(logging.StreamHandler(io.StringIO()))
        assert not has_level_handler(logger)


def test_debug_mode_sets_debug_level(app_name: str) -> None:
    with bare_root():
        app = Kolba(app_name)
        app.debug = True
        assert app.logger.level == logging.DEBUG


def test_debug_level_not_forced_over_an_explicit_level(app_name: str) -> None:
    with bare_root():
        logging.getLogger(app_name).setLevel(logging.WARNING)
        app = Kolba(app_name)
        app.debug = True
        assert app.logger.level == logging.WARNING


def test_format(app_name: str) -> None:
    with bare_root():
        app = Kolba(app_name)
        stream = io.StringIO()
        with app.test_request_context("/", errors_stream=stream):
            app.logger.warning("watch %s", "out")
        line = stream.getvalue()
        assert line.startswith("[")
        # [2024-01-01 12:00:00,123] WARNING in test_logging: watch out
        assert "] WARNING in test_logging: watch out\n" in line
        fmt = default_handler.formatter
        assert fmt is not None
        assert fmt._fmt == "[%(asctime)s] %(levelname)s in %(module)s: %(message)s"


def test_errors_stream_captures_logged_errors(app_name: str) -> None:
    with bare_root():
        app = Kolba(app_name)

        @app.route("/")
        def index() -> str:
            raise ValueError("the view failed")

        stream = io.StringIO()
        r = app.test_client().get("/", errors_stream=stream)
        assert r.status_code == 500
        logged = stream.getvalue()
        assert "ERROR in app: Exception on / [GET]" in logged
        assert "ValueError: the view failed" in logged


def test_views_log_to_the_request_errors_stream(app_name: str) -> None:
    with bare_root():
        app = Kolba(app_name)

        @app.route("/")
        def index() -> str:
            kolba.current_app.logger.error("from the view")
            return "x"

        first, second = io.StringIO(), io.StringIO()
        client = app.test_client()
        client.get("/", errors_stream=first)
        client.get("/", errors_stream=second)
        assert "from the view" in first.getvalue()
        assert "from the view" in second.getvalue()


def test_wsgi_errors_stream_outside_a_request_is_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert wsgi_errors_stream._get_current_object() is sys.stderr  # type: ignore[attr-defined]
    wsgi_errors_stream.write("to stderr\n")
    assert capsys.readouterr().err == "to stderr\n"


def test_wsgi_errors_stream_inside_a_request(app_name: str) -> None:
    app = Kolba(app_name)
    stream = io.StringIO()
    with app.test_request_context("/", errors_stream=stream):
        assert wsgi_errors_stream._get_current_object() is stream  # type: ignore[attr-defined]


def test_logging_outside_a_request_goes_to_stderr(
    app_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with bare_root():
        app = Kolba(app_name)
        app.logger.error("no request here")
        assert "ERROR in test_logging: no request here" in capsys.readouterr().err


def test_log_exception_can_be_overridden(app_name: str) -> None:
    with bare_root():
        seen: list[Any] = []

        class QuietApp(Kolba):
            def log_exception(self, exc_info: Any) -> None:
                seen.append(exc_info[0])

        app = QuietApp(app_name)
        app.add_url_rule("/", "index", lambda: 1 / 0)
        stream = io.StringIO()
        assert app.test_client().get("/", errors_stream=stream).status_code == 500
        assert stream.getvalue() == ""
        assert seen == [ZeroDivisionError]

"""Signals: sent with the right sender and arguments, and not sent when nobody listens."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from blinker import Signal

import kolba
from kolba import Kolba, signals

LIFECYCLE_SIGNALS = [
    "appcontext_pushed",
    "request_started",
    "got_request_exception",
    "request_finished",
    "request_tearing_down",
    "appcontext_tearing_down",
    "appcontext_popped",
]


@pytest.fixture
def app() -> Kolba:
    app = Kolba("kolba_test_signals")
    app.secret_key = "signals"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/boom")
    def boom() -> str:
        raise ZeroDivisionError

    @app.route("/flash")
    def flash() -> str:
        kolba.flash("saved", "info")
        return "flashed"

    return app


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any, dict[str, Any]]] = []

    def receiver(self, name: str) -> Any:
        def receive(sender: Any, **kwargs: Any) -> None:
            self.events.append((name, sender, kwargs))

        return receive


@pytest.fixture
def recorder(app: Kolba) -> Iterator[Recorder]:
    rec = Recorder()
    receivers = [(getattr(signals, n), rec.receiver(n)) for n in LIFECYCLE_SIGNALS]
    for sig, func in receivers:
        sig.connect(func, app)
    yield rec
    for sig, func in receivers:
        sig.disconnect(func)  # from every sender: blinker then forgets the receiver


def test_signals_of_a_successful_request(app: Kolba, recorder: Recorder) -> None:
    app.test_client().get("/")
    names = [name for name, _, _ in recorder.events]
    assert names == [
        "appcontext_pushed",
        "request_started",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    assert all(sender is app for _, sender, _ in recorder.events)
    kwargs = {name: kw for name, _, kw in recorder.events}
    assert kwargs["appcontext_pushed"] == {}
    assert kwargs["request_started"] == {}
    assert isinstance(kwargs["request_finished"]["response"], kolba.Response)
    assert kwargs["request_finished"]["response"].get_data() == b"index"
    assert kwargs["request_tearing_down"] == {"exc": None}
    assert kwargs["appcontext_tearing_down"] == {"exc": None}
    assert kwargs["appcontext_popped"] == {}


def test_signals_of_a_failing_request(app: Kolba, recorder: Recorder) -> None:
    r = app.test_client().get("/boom", errors_stream=io.StringIO())
    assert r.status_code == 500
    names = [name for name, _, _ in recorder.events]
    assert names == [
        "appcontext_pushed",
        "request_started",
        "got_request_exception",
        "request_finished",
        "request_tearing_down",
        "appcontext_tearing_down",
        "appcontext_popped",
    ]
    kwargs = {name: kw for name, _, kw in recorder.events}
    assert isinstance(kwargs["got_request_exception"]["exception"], ZeroDivisionError)
    assert kwargs["request_finished"]["response"].status_code == 500
    assert isinstance(kwargs["request_tearing_down"]["exc"], ZeroDivisionError)
    assert isinstance(kwargs["appcontext_tearing_down"]["exc"], ZeroDivisionError)


def test_signal_sequence_matches_flask() -> None:
    flask = pytest.importorskip("flask")
    sequences = []
    for module, app_class in ((flask, flask.Flask), (kolba, Kolba)):
        app = app_class("kolba_test_signals_cmp")
        app.add_url_rule("/", "index", lambda: "x")
        app.add_url_rule("/boom", "boom", lambda: 1 / 0)
        events: list[tuple[str, bool, list[str]]] = []
        receivers = []
        for name in LIFECYCLE_SIGNALS:

            def receive(
                sender: Any,
                _name: str = name,
                _events: list[Any] = events,
                _app: Any = app,
                **kw: Any,
            ) -> None:
                _events.append((_name, sender is _app, sorted(kw)))

            receivers.append((getattr(module, name), receive))
            getattr(module, name).connect(receive, app)
        try:
            client = app.test_client()
            client.get("/")
            client.get("/boom", errors_stream=io.StringIO())
            client.get("/missing")
        finally:
            for sig, func in receivers:
                sig.disconnect(func)
        sequences.append(events)
    assert sequences[0] == sequences[1]


def test_message_flashed(app: Kolba) -> None:
    sent: list[tuple[Any, dict[str, Any]]] = []
    with kolba.message_flashed.connected_to(lambda s, **kw: sent.append((s, kw)), app):
        app.test_client().get("/flash")
    assert sent == [(app, {"message": "saved", "category": "info"})]


def test_connected_to_only_for_its_sender(app: Kolba) -> None:
    other = Kolba("kolba_test_signals_other")
    other.add_url_rule("/", "index", lambda: "other")
    started: list[Any] = []
    with kolba.request_started.connected_to(lambda s, **kw: started.append(s), app):
        app.test_client().get("/")
        other.test_client().get("/")
    app.test_client().get("/")  # disconnected again
    assert started == [app]


def test_connect_without_sender_gets_every_app(app: Kolba) -> None:
    other = Kolba("kolba_test_signals_any")
    other.add_url_rule("/", "index", lambda: "other")
    started: list[Any] = []

    def receive(sender: Any, **kw: Any) -> None:
        started.append(sender)

    kolba.request_started.connect(receive)
    try:
        app.test_client().get("/")
        other.test_client().get("/")
    finally:
        kolba.request_started.disconnect(receive)
    assert started == [app, other]


def test_receivers_may_be_async(app: Kolba) -> None:
    seen: list[str] = []

    async def receive(sender: Any, **kw: Any) -> None:
        seen.append("async receiver")

    with kolba.request_started.connected_to(receive, app):
        app.test_client().get("/")
    assert seen == ["async receiver"]


@pytest.mark.parametrize("name", [*LIFECYCLE_SIGNALS, "message_flashed"])
def test_no_signal_sent_when_nobody_listens(
    app: Kolba, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """With no receiver connected, kolba does not even call ``send``."""
    sig: Signal = getattr(signals, name)
    # Receivers left by other tests (blinker keeps a weakly held receiver until it is
    # collected) must not decide this test: start from "nobody listens".
    monkeypatch.setattr(sig, "receivers", {})
    calls: list[Any] = []
    monkeypatch.setattr(sig, "send", lambda *a, **kw: calls.append(a) or [])
    client = app.test_client()
    client.get("/")
    client.get("/boom", errors_stream=io.StringIO())
    client.get("/flash")
    client.get("/missing")
    with app.app_context():
        pass
    assert calls == []


def test_signal_sent_once_someone_listens(app: Kolba, monkeypatch: pytest.MonkeyPatch) -> None:
    """The counterpart of the test above: with a receiver, ``send`` is called."""
    calls: list[Any] = []
    original = kolba.request_started.send

    def counting_send(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(kolba.request_started, "send", counting_send)
    with kolba.request_started.connected_to(lambda s, **kw: None, app):
        app.test_client().get("/")
    assert calls == [(app,)]


def test_signals_are_blinker_signals_with_flask_names() -> None:
    for name in [*LIFECYCLE_SIGNALS, "template_rendered", "before_render_template"]:
        sig = getattr(signals, name)
        assert isinstance(sig, Signal)
        assert sig.name == name.replace("_", "-")

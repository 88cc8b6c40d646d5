"""The reloader: file watching, restart arguments, the supervisor loop, and a real restart."""

from __future__ import annotations

import http.client
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kolba.wsgi import reloader, serving
from kolba.wsgi.reloader import (
    RESTART_CODE,
    StatReloaderLoop,
    WatchdogReloaderLoop,
    is_running_from_reloader,
    make_reloader_loop,
    restart_with_reloader,
)

TIMEOUT = 5.0


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


def touch_later(path: Path) -> None:
    """Move the file's mtime forward, as an edit would, whatever the clock resolution."""
    stamp = path.stat().st_mtime + 10
    os.utime(path, (stamp, stamp))


# --- the stat loop ------------------------------------------------------------------------


def test_stat_step_detects_a_touched_extra_file(tmp_path: Path) -> None:
    watched = tmp_path / "settings.cfg"
    watched.write_text("a=1")
    loop = StatReloaderLoop(extra_files=[str(watched)], interval=0.01)
    assert loop.run_step() is None  # the first pass records mtimes only
    assert loop.run_step() is None
    touch_later(watched)
    assert loop.run_step() == str(watched)
    assert loop.run_step() is None  # the new mtime is now the reference


def test_stat_step_watches_imported_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "fake_module.py"
    source.write_text("x = 1\n")
    module = types.ModuleType("kolba_test_fake_module")
    module.__file__ = str(source)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    loop = StatReloaderLoop(interval=0.01)
    assert loop.run_step() is None
    touch_later(source)
    assert loop.run_step() == str(source)


def test_stat_step_honours_exclude_patterns(tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    ignored = tmp_path / "cache" / "ignored.txt"
    ignored.parent.mkdir()
    kept.write_text("")
    ignored.write_text("")
    loop = StatReloaderLoop(
        extra_files=[str(kept), str(ignored)], exclude_patterns=["*/cache/*"], interval=0.01
    )
    assert str(ignored) not in loop.watched_files()
    loop.run_step()
    touch_later(ignored)
    assert loop.run_step() is None
    touch_later(kept)
    assert loop.run_step() == str(kept)


def test_stat_step_survives_a_file_being_replaced(tmp_path: Path) -> None:
    watched = tmp_path / "app.py"
    watched.write_text("v1")
    loop = StatReloaderLoop(extra_files=[str(watched)], interval=0.01)
    loop.run_step()
    watched.unlink()
    assert loop.run_step() is None  # missing for a moment: not an error
    watched.write_text("v2")
    touch_later(watched)
    assert loop.run_step() == str(watched)


def test_stat_step_sees_an_older_mtime_as_a_change(tmp_path: Path) -> None:
    watched = tmp_path / "app.py"
    watched.write_text("v1")
    loop = StatReloaderLoop(extra_files=[str(watched)], interval=0.01)
    loop.run_step()
    old = watched.stat().st_mtime - 100
    os.utime(watched, (old, old))
    assert loop.run_step() == str(watched)


def test_run_loop_triggers_reload_on_change(tmp_path: Path) -> None:
    watched = tmp_path / "app.py"
    watched.write_text("v1")
    triggered: list[str] = []

    class Loop(StatReloaderLoop):
        def trigger_reload(self, filename: str) -> None:
            triggered.append(filename)
            self.stop()

    loop = Loop(extra_files=[str(watched)], interval=0.02)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while str(watched) not in loop.mtimes and time.monotonic() < deadline:
            time.sleep(0.01)
        touch_later(watched)
        thread.join(TIMEOUT)
    finally:
        loop.stop()
        thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert triggered == [str(watched)]


def test_trigger_reload_exits_with_the_restart_code(caplog: pytest.LogCaptureFixture) -> None:
    loop = StatReloaderLoop()
    with pytest.raises(SystemExit) as info:
        loop.trigger_reload("/some/file.py")
    assert info.value.code == RESTART_CODE
    assert "Detected change in '/some/file.py', reloading" in caplog.text


def test_stop_ends_the_loop_without_a_change() -> None:
    loop = StatReloaderLoop(interval=0.02)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    loop.stop()
    thread.join(TIMEOUT)
    assert not thread.is_alive()


# --- choosing the loop ---------------------------------------------------------------------


def test_watchdog_falls_back_to_stat_when_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "watchdog", None)
    monkeypatch.setitem(sys.modules, "watchdog.observers", None)
    for kind in ("watchdog", "auto", "stat"):
        assert isinstance(make_reloader_loop(kind), StatReloaderLoop)


def test_unknown_reloader_type() -> None:
    with pytest.raises(ValueError, match="reloader_type"):
        make_reloader_loop("inotify")


class FakeEvent:
    def __init__(self, event_type: str, src_path: str, is_directory: bool = False) -> None:
        self.event_type = event_type
        self.src_path = src_path
        self.is_directory = is_directory


class FakeObserver:
    instances: list[FakeObserver] = []

    def __init__(self) -> None:
        self.scheduled: list[tuple[Any, str]] = []
        self.stopped = False
        FakeObserver.instances.append(self)

    def schedule(self, handler: Any, path: str, recursive: bool = False) -> None:
        self.scheduled.append((handler, path))

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.stopped = True

    def join(self, timeout: float | None = None) -> None:
        pass


def test_watchdog_loop_reacts_to_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchdog loop against a stand-in for the package's observer API."""
    observers = types.ModuleType("watchdog.observers")
    observers.Observer = FakeObserver  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "watchdog", types.ModuleType("watchdog"))
    monkeypatch.setitem(sys.modules, "watchdog.observers", observers)
    watched = tmp_path / "conf.toml"
    watched.write_text("")
    triggered: list[str] = []
    loop = make_reloader_loop("watchdog", extra_files=[str(watched)], interval=0.02)
    assert isinstance(loop, WatchdogReloaderLoop)

    def trigger(name: str) -> None:
        triggered.append(name)
        loop.stop()

    monkeypatch.setattr(loop, "trigger_reload", trigger)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (FakeObserver.instances and FakeObserver.instances[-1].scheduled):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        observer = FakeObserver.instances[-1]
        assert (loop, str(tmp_path)) in observer.scheduled
        loop.dispatch(FakeEvent("opened", str(watched)))  # reading is not a change
        loop.dispatch(FakeEvent("modified", str(tmp_path / "notes.txt")))  # not watched
        loop.dispatch(FakeEvent("modified", str(tmp_path), is_directory=True))
        time.sleep(0.1)
        assert triggered == []
        loop.dispatch(FakeEvent("modified", str(watched)))
        thread.join(TIMEOUT)
    finally:
        loop.stop()
        thread.join(TIMEOUT)
    assert triggered == [str(watched)]
    assert observer.stopped


# --- restart arguments and the supervisor -------------------------------------------------


def test_restart_args_for_a_script(monkeypatch: pytest.MonkeyPatch) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(sys, "argv", ["app.py", "--port", "8000"])
    monkeypatch.setattr(sys, "warnoptions", ["error::DeprecationWarning"])
    args = reloader._restart_args()
    assert args[0] == sys.executable
    assert "-Werror::DeprecationWarning" in args
    assert args[-3:] == ["app.py", "--port", "8000"]


@pytest.mark.parametrize(
    ("spec_name", "expected"), [("mytool", "mytool"), ("mypkg.__main__", "mypkg")]
)
def test_restart_args_for_python_dash_m(
    monkeypatch: pytest.MonkeyPatch, spec_name: str, expected: str
) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name=spec_name)  # type: ignore[assignment]
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(sys, "argv", ["/abs/path/to/mypkg/__main__.py", "run"])
    args = reloader._restart_args()
    assert args[0] == sys.executable
    assert args[-3:] == ["-m", expected, "run"]


@pytest.mark.skipif(sys.platform == "win32", reason="Unix console scripts are Python files")
def test_restart_args_for_a_console_script(monkeypatch: pytest.MonkeyPatch) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", main)
    monkeypatch.setattr(sys, "argv", ["/venv/bin/kolba", "run", "--reload"])
    args = reloader._restart_args()
    assert args[0] == sys.executable
    assert args[-3:] == ["/venv/bin/kolba", "run", "--reload"]


def test_restart_loop_runs_the_child_until_it_stops_asking(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codes = iter([RESTART_CODE, RESTART_CODE, 0])
    calls: list[dict[str, Any]] = []

    class FakePopen:
        def __init__(self, args: list[str], **kwargs: Any) -> None:
            calls.append({"args": args, **kwargs})

        def wait(self) -> int:
            return next(codes)

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setattr(reloader, "_restart_args", lambda: ["python", "app.py"])
    monkeypatch.setenv("KOLBA_SERVER_FD", "7")
    monkeypatch.delenv("KOLBA_RUN_MAIN", raising=False)
    assert restart_with_reloader() == 0
    assert len(calls) == 3
    assert all(call["env"]["KOLBA_RUN_MAIN"] == "true" for call in calls)
    assert "KOLBA_RUN_MAIN" not in os.environ
    if sys.platform != "win32":
        assert calls[0]["pass_fds"] == (7,)


def test_sigterm_while_spawning_kills_the_new_child(monkeypatch: pytest.MonkeyPatch) -> None:
    killed: list[bool] = []

    class FakePopen:
        def __init__(self, args: list[str], **kwargs: Any) -> None:
            reloader._exit_on_sigterm(signal.SIGTERM, None)  # arrives mid-spawn

        def wait(self) -> int:
            return 0

        def kill(self) -> None:
            killed.append(True)

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    monkeypatch.setattr(reloader._SpawnGuard, "pending", False)
    with pytest.raises(SystemExit) as info:
        reloader._run_child(["python", "app.py"], {}, ())
    assert info.value.code == 0
    assert killed == [True]
    assert reloader._SpawnGuard.active is False


def test_is_running_from_reloader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLBA_RUN_MAIN", raising=False)
    assert not is_running_from_reloader()
    monkeypatch.setenv("KOLBA_RUN_MAIN", "true")
    assert is_running_from_reloader()


# --- a real restart ------------------------------------------------------------------------

APP_SCRIPT = """
import os
from kolba.wsgi.serving import run_simple

VERSION = {version!r}

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%s %d" % (VERSION, os.getpid())).encode()]

if __name__ == "__main__":
    run_simple("127.0.0.1", 0, app, use_reloader=True, reloader_interval=0.1,
               reloader_type="stat", threaded=True)
"""


def _get(port: int) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", "/")
        return conn.getresponse().read()
    finally:
        conn.close()


@pytest.mark.skipif(sys.platform == "win32", reason="uses process groups")
def test_reloader_restarts_the_server_when_the_script_changes(tmp_path: Path) -> None:
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(APP_SCRIPT.format(version="v1")))
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            lines.put(raw.decode("utf-8", "replace"))

    reader_thread = threading.Thread(target=read, daemon=True)
    reader_thread.start()

    def wait_for(pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"{pattern!r} not seen in:\n{''.join(seen)}")

    try:
        port = int(wait_for(r"Running on http://127\.0\.0\.1:(\d+)").group(1))
        wait_for("Restarting with stat")
        first = _get(port)
        assert first.startswith(b"v1 ")
        assert int(first.split()[1]) != process.pid  # served by the child

        script.write_text(textwrap.dedent(APP_SCRIPT.format(version="v2")))
        touch_later(script)
        wait_for(r"Detected change in '.*serve\.py', reloading")
        # The supervisor keeps the socket open: requests during the restart wait, they are
        # never refused.
        deadline = time.monotonic() + 20
        body = b""
        while time.monotonic() < deadline:
            body = _get(port)
            if body.startswith(b"v2 "):
                break
            time.sleep(0.05)
        assert body.startswith(b"v2 ")
        assert body.split()[1] != first.split()[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(TIMEOUT)
        reader_thread.join(TIMEOUT)
        assert process.stderr is not None
        process.stderr.close()

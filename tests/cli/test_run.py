"""``kolba run`` for real: a server process on a free port, a request, then kill it by pid."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kolba() -> list[str]:
    script = pathlib.Path(sys.executable).parent / "kolba"
    if script.exists():
        return [str(script)]
    found = shutil.which("kolba")
    return [found] if found else [sys.executable, "-m", "kolba"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOLBA_", "FLASK_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def _stop(process: subprocess.Popen[bytes], budget: float = 15.0) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=budget)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=budget)


def _get(
    url: str, process: subprocess.Popen[bytes], log: pathlib.Path, budget: float = 30
) -> tuple[int, str]:
    deadline = time.monotonic() + budget
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the server did not answer at {url}:\n{log.read_text(errors='replace')}"
                )
            time.sleep(0.1)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug-with-reloader"])
def test_kolba_run_serves_the_app(
    tmp_path: pathlib.Path, hello_app: pathlib.Path, debug: bool
) -> None:
    port = _free_port()
    log_path = tmp_path / "server.log"
    args = [
        *_kolba(),
        "--app",
        "hello",
        *(["--debug"] if debug else []),
        "run",
        "--port",
        str(port),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, cwd=tmp_path, env=_env(), stdout=log, stderr=log)
        try:
            status, body = _get(f"http://127.0.0.1:{port}/", process, log_path)
            assert status == 200
            assert body == "Hello from kolba"
        finally:
            _stop(process)
    output = log_path.read_text(errors="replace")
    assert " * kolba app: hello" in output
    assert f" * Debug mode: {'on' if debug else 'off'}" in output
    assert "development server" in output
    assert f"http://127.0.0.1:{port}" in output
    # With the reloader the server runs in a child process: it must be gone too.
    deadline = time.monotonic() + 15
    while not _port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _port_is_free(port)


def test_kolba_run_takes_its_port_from_the_environment(
    tmp_path: pathlib.Path, hello_app: pathlib.Path
) -> None:
    port = _free_port()
    log_path = tmp_path / "server.log"
    (tmp_path / ".kolbaenv").write_text(
        f"KOLBA_APP=hello\nKOLBA_RUN_PORT={port}\n", encoding="utf-8"
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kolba", "run"], cwd=tmp_path, env=_env(), stdout=log, stderr=log
        )
        try:
            status, body = _get(f"http://127.0.0.1:{port}/", process, log_path)
        finally:
            _stop(process)
    assert (status, body) == (200, "Hello from kolba")


def test_kolba_run_with_a_broken_app_exits_with_a_message(tmp_path: pathlib.Path) -> None:
    (tmp_path / "app.py").write_text("raise ValueError('missing setting')\n", encoding="utf-8")
    done = subprocess.run(
        [*_kolba(), "run", "--port", str(_free_port())],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ValueError: missing setting" in done.stderr
    assert "Running on" not in done.stderr + done.stdout

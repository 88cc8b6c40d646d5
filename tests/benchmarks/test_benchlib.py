"""benchlib: wrk's output, the loopback-only rule, server commands, and server clean-up."""

from __future__ import annotations

import importlib
import importlib.util
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
benchlib: Any = importlib.import_module("benchlib")

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40001/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.13ms  727.94us   9.48ms   90.31%
    Req/Sec    28.60k     3.70k   31.99k    86.67%
  Latency Distribution
     50%    1.01ms
     75%    1.20ms
     90%    1.62ms
     99%    3.50ms
  142013 requests in 5.00s, 19.76MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:  28393.73
Transfer/sec:      3.95MB
"""


def test_parse_wrk_reads_the_summary() -> None:
    result = benchlib.parse_wrk(WRK_OUTPUT)
    assert result.requests_per_s == pytest.approx(28393.73)
    assert result.requests == 142013
    assert result.non_2xx == 7
    assert result.socket_errors == 3
    assert result.latency_ms == pytest.approx(1.13)
    assert result.latency_p99_ms == pytest.approx(3.5)


def test_parse_wrk_without_errors_counts_none() -> None:
    clean = "\n".join(
        line for line in WRK_OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )
    result = benchlib.parse_wrk(clean)
    assert (result.non_2xx, result.socket_errors) == (0, 0)


def test_parse_wrk_rejects_other_text() -> None:
    with pytest.raises(ValueError, match="could not read wrk's output"):
        benchlib.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1:80/", "http://localhost.example:8000/", "http://192.168.1.2:8000/"]
)
def test_only_loopback_is_ever_loaded_or_fetched(url: str) -> None:
    with pytest.raises(ValueError, match="only"):
        benchlib.run_wrk(url, 1)
    with pytest.raises(ValueError, match="only"):
        benchlib.fetch(url)


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_server_commands_bind_loopback_with_one_worker_and_one_thread(server: str) -> None:
    try:
        command = benchlib.server_command(server, "raw_app:app", 40123)
    except FileNotFoundError:
        pytest.skip(f"{server} is not installed")
    joined = " ".join(command)
    assert "127.0.0.1" in joined
    assert "0.0.0.0" not in joined
    assert command[-1] == "raw_app:app"
    if server == "granian":
        assert "--interface wsgi --workers 1 --blocking-threads 1" in joined
    else:
        assert "--workers 1" in joined
        assert "--threads 1" in joined


def test_describe_gives_median_quartiles_and_extremes() -> None:
    stats = benchlib.describe([5.0, 1.0, 3.0, 2.0, 4.0])
    assert stats == {"median": 3.0, "q1": 2.0, "q3": 4.0, "min": 1.0, "max": 5.0}


def test_free_port_is_free_on_loopback() -> None:
    port = benchlib.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


@pytest.mark.skipif(importlib.util.find_spec("granian") is None, reason="granian not installed")
def test_serving_answers_and_then_stops_the_server() -> None:
    with benchlib.serving("granian", "raw_app:app", benchlib.APPS_DIR) as base:
        status, _, body = benchlib.fetch(base + "/")
        assert (status, body) == (200, b"Hello, World!")
        port = int(base.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more


@pytest.mark.skipif(importlib.util.find_spec("granian") is None, reason="granian not installed")
def test_serving_reports_an_app_that_does_not_load() -> None:
    with (
        pytest.raises(RuntimeError, match="granian no_such_module:app"),
        benchlib.serving("granian", "no_such_module:app", benchlib.APPS_DIR, timeout=10),
    ):
        pass

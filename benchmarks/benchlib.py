"""What the benchmark parts share: statistics, machine facts, result files, servers and wrk.

Every part (inprocess.py, http_load.py, scale.py, memory.py, techempower/run.py) runs alone
and writes its results as JSON into docs/benchmarks/; report.py turns those files into the
Markdown report and the charts. Nothing here sends traffic anywhere but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
APPS_DIR = BENCH_DIR / "apps"
RESULTS_DIR = REPO_DIR / "docs" / "benchmarks"
LOOPBACK = "127.0.0.1"  # the only address any part of the suite ever connects to

#: Distributions whose versions the reports name.
DISTRIBUTIONS = (
    "kolba",
    "Flask",
    "Werkzeug",
    "falcon",
    "bottle",
    "Jinja2",
    "itsdangerous",
    "granian",
    "gunicorn",
    "psycopg",
    "psycopg-pool",
)


def describe(samples: Sequence[float]) -> dict[str, float]:
    """Median, quartiles and extremes of a non-empty sample list."""
    ordered = sorted(samples)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return {
        "median": statistics.median(ordered),
        "q1": q1,
        "q3": q3,
        "min": ordered[0],
        "max": ordered[-1],
    }


def fmt_us(us: float) -> str:
    """Microseconds with about three significant digits."""
    if us < 10:
        return f"{us:.2f}"
    if us < 100:
        return f"{us:.1f}"
    return f"{us:.0f}"


def fmt_count(value: float) -> str:
    """A large count (requests per second, bytes) with thousands separators."""
    return f"{value:,.0f}"


def version_of(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_meta() -> dict[str, Any]:
    """The machine, interpreter and package versions a result was measured with."""
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "machine": f"{platform.system()} {platform.machine()}, {_cpu_model()}, "
        f"{os.cpu_count()} CPUs",
        "versions": {name: version_of(name) for name in DISTRIBUTIONS},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None when the file does not exist."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return data


def log(message: str) -> None:
    """Progress goes to stderr so stdout stays the table."""
    print(message, file=sys.stderr, flush=True)


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def venv_bin(name: str) -> str:
    """An executable installed next to this interpreter (the project venv), else on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed; run: pip install -e '.[bench]'")
    return found


SERVERS = ("granian", "gunicorn")


def server_command(server: str, target: str, port: int) -> list[str]:
    """The command line that serves WSGI ``target`` (module:attr) on 127.0.0.1:port.

    Both servers get one worker process and one thread running Python, so the framework's cost
    per request decides the throughput and the numbers compare across frameworks.
    """
    if server == "granian":
        return [
            venv_bin("granian"),
            "--interface",
            "wsgi",
            "--workers",
            "1",
            "--blocking-threads",
            "1",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            target,
        ]
    if server == "gunicorn":
        return [
            venv_bin("gunicorn"),
            "--workers",
            "1",
            # gthread with one thread: one request at a time, like granian's single blocking
            # thread, but keeps connections alive (the sync worker closes each one).
            "--worker-class",
            "gthread",
            "--threads",
            "1",
            "--bind",
            f"{LOOPBACK}:{port}",
            "--log-level",
            "warning",
            target,
        ]
    raise ValueError(f"unknown server {server!r}; choose from {', '.join(SERVERS)}")


def wait_until_answering(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll ``url`` until the server answers anything at all, or fail with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=1.0) as answer:
                answer.read()
            return
        except urllib.error.HTTPError:
            return  # an HTTP error status is still an answer
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"no answer from {url} within {timeout:g} s")


@contextlib.contextmanager
def serving(
    server: str,
    target: str,
    workdir: Path,
    probe_path: str = "/",
    env: Mapping[str, str] | None = None,
    timeout: float = 20.0,
) -> Iterator[str]:
    """Run ``target`` under ``server`` on a free loopback port; yield its base URL.

    The server runs in its own process group and is always stopped (TERM, then KILL) by its
    process group id on the way out, whatever happened inside the block.
    """
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    handle, log_name = tempfile.mkstemp(prefix="kolba-bench-server-", suffix=".log")
    log_path = Path(log_name)
    try:
        with os.fdopen(handle, "wb") as log_file:
            process = subprocess.Popen(
                server_command(server, target, port),
                cwd=workdir,
                env={**os.environ, "PYTHONPATH": str(workdir), **(env or {})},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            try:
                wait_until_answering(base + probe_path, process, timeout)
            except (RuntimeError, TimeoutError) as exc:
                raise RuntimeError(f"{server} {target}: {exc}{_tail_of(log_path)}") from exc
            yield base
        finally:
            _stop(process)
    finally:
        log_path.unlink(missing_ok=True)


def _tail_of(path: Path) -> str:
    """The server's last lines of output, to say why it did not start."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n" + "\n".join(text.splitlines()[-15:]) if text else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def fetch(url: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """One GET over HTTP: status, headers, body (HTTP error statuses included)."""
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"refusing to fetch {url}: the suite only talks to {LOOPBACK}")
    request = urllib.request.Request(url, headers={"Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, list(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, list(error.headers.items()), error.read()


# --- wrk --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run reports."""

    requests_per_s: float
    requests: int
    non_2xx: int
    socket_errors: int
    latency_ms: float  # average
    latency_p99_ms: float


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, seconds: float, connections: int = 32, threads: int = 1) -> WrkResult:
    """Load ``url`` (which must be on 127.0.0.1) with wrk for ``seconds``; return its summary."""
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"refusing to load {url}: the suite only targets {LOOPBACK}")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise FileNotFoundError("wrk is not installed; run: apt-get install -y wrk")
    completed = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "--timeout",
            "5s",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_wrk(completed.stdout)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's text summary (with --latency)."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if rps is None or total is None:
        raise ValueError(f"could not read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    latency = re.search(r"^\s*Latency\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M)
    return WrkResult(
        requests_per_s=float(rps.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        latency_ms=_duration_ms(latency.group(1)) if latency else float("nan"),
        latency_p99_ms=_duration_ms(p99.group(1)) if p99 else float("nan"),
    )

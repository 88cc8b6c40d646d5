#!/usr/bin/env python3
"""Soak test: kolba under sustained load must lose nothing, leak nothing and keep answering.

Three parts, each printing its figures:

1. HTTP: each example app (examples/tasks, examples/blog) under gunicorn with 2 workers, loaded
   by wrk at saturation (60 s). wrk rotates through a set of requests per app and counts every
   status. Fails on a status outside the expected set (or in the wrong proportion), on any
   socket error, on a worker that died, or on a worker whose resident memory (VmRSS from
   /proc) grew 5 % or more from the 10 s mark to the end.
2. In-process: 200 000 requests round-robin across every benchmark scenario of
   benchmarks/apps/kolba_app.py, under tracemalloc. Fails on a wrong status, a leaked file
   descriptor, or traced memory growing past a small bound after the warm-up.
3. Isolation: 64 concurrent clients x 1000 requests on the threaded dev server, each with its
   own id in path, header, cookie, session and form (tests/reliability/test_concurrency.py).

Run from the repository root with the project venv::

    .venv/bin/python scripts/soak.py            # the full soak, about 5.5 minutes
    .venv/bin/python scripts/soak.py --short    # for CI, about 35 s

``--short`` runs each part small (8 s per app, 20 000 requests, 16 x 100 clients) and skips
the HTTP part with a message when gunicorn or wrk is missing; the full run needs both
(``apt-get install wrk``; ``pip install gunicorn``). Exit status: 0 all good, 1 a violation,
2 the soak could not run. Only 127.0.0.1 is ever contacted; servers are stopped through their
own process group.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import importlib.util
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
RSS_GROWTH_LIMIT = 0.05  # 5 % from the warm-up mark to the end
# tracemalloc growth allowed after the warm-up. Caches that fill once (the json decoder's,
# the regex engine's) add about 15 KiB and then stay flat; a leak of one byte per request over
# the 180 000 measured requests of the full run adds 176 KiB (the short run, 18 000 requests,
# catches leaks of about 4 bytes per request and more).
TRACED_GROWTH_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Mode:
    http_seconds: float
    rss_mark: float  # seconds into the load when the reference RSS is taken
    inprocess_requests: int
    clients: int
    requests_per_client: int


FULL = Mode(http_seconds=60, rss_mark=10, inprocess_requests=200_000, clients=64,
            requests_per_client=1000)  # fmt: skip
SHORT = Mode(http_seconds=8, rss_mark=3, inprocess_requests=20_000, clients=16,
             requests_per_client=100)  # fmt: skip


@dataclass
class Report:
    """Figures and violations, printed as they come."""

    violations: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def line(self, text: str = "") -> None:
        print(text, flush=True)

    def fail(self, text: str) -> None:
        self.violations.append(text)
        print(f"   VIOLATION: {text}", flush=True)


# --- HTTP: gunicorn + wrk ------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One request wrk sends in rotation, and the status it must get."""

    method: str
    path: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""


@dataclass
class Target:
    """An example app as gunicorn serves it."""

    name: str
    workdir: Path
    wsgi: str
    probes: list[Probe]
    env: dict[str, str] = field(default_factory=dict)


def tasks_target() -> Target:
    api = "/todo/api/v1.0/tasks"
    json_type = (("Content-Type", "application/json"),)
    return Target(
        "examples/tasks",
        REPO / "examples" / "tasks",
        "app:app",
        [
            Probe("GET", api, 200),
            Probe("GET", f"{api}/1", 200),
            Probe("GET", f"{api}/99", 404),
            # Writes that change nothing, so the store (and memory) stays the same size.
            Probe("PUT", f"{api}/2", 200, json_type, '{"done": false}'),
            Probe("PUT", f"{api}/1", 400, json_type, '{"done": "maybe"}'),
            Probe("POST", api, 400, json_type, '{"title": '),
            Probe("DELETE", f"{api}/99", 404),
            Probe("GET", "/nothing/here", 404),
        ],
    )


def blog_target(instance: Path) -> Target:
    """The blog on a fresh database with one author and a few posts (created here)."""
    blog_dir = REPO / "examples" / "blog"
    secret = secrets.token_hex(16)
    env = {
        "BLOG_INSTANCE_PATH": str(instance),
        "BLOG_CONFIG": "production",
        "SECRET_KEY": secret,
    }
    session = _seed_blog(blog_dir, env)
    cookie = (("Cookie", f"session={session}"),)
    return Target(
        "examples/blog",
        blog_dir,
        'blog:create_app("production")',
        [
            Probe("GET", "/", 200),
            Probe("GET", "/auth/login", 200),
            Probe("GET", "/auth/register", 200),
            Probe("GET", "/static/style.css", 200),
            Probe("GET", "/create", 302),  # not logged in: to the login page
            Probe("GET", "/", 200, cookie),  # logged in: the session is read on each request
            Probe("GET", "/1/update", 200, cookie),
            Probe("GET", "/999/update", 404, cookie),
            Probe("GET", "/nothing/here", 404),
        ],
        env,
    )


def _seed_blog(blog_dir: Path, env: dict[str, str]) -> str:
    """Create the blog's database with one user and five posts; return that user's session
    cookie, signed as the app signs it.
    """
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    sys.path.insert(0, str(blog_dir))
    try:
        blog = importlib.import_module("blog")
        db = importlib.import_module("blog.db")
        from kolba.security import generate_password_hash

        app = blog.create_app("production")
        db.ensure_db(app)
        with sqlite3.connect(app.config["DATABASE"]) as conn:
            password = generate_password_hash("soak-password", "pbkdf2:sha256:1000")
            conn.execute("INSERT INTO user (username, password) VALUES (?, ?)", ("soak", password))
            for n in range(5):
                conn.execute(
                    "INSERT INTO post (author_id, title, body) VALUES (1, ?, ?)",
                    (f"Post {n}", f"Body of post {n}. " * 20),
                )
        serializer = app.session_interface.get_signing_serializer(app)
        return str(serializer.dumps({"user_id": 1}))
    finally:
        sys.path.remove(str(blog_dir))
        for name in [m for m in sys.modules if m == "blog" or m.startswith("blog.")]:
            del sys.modules[name]
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _lua_string(text: str) -> str:
    out = []
    for char in text.encode():
        if 32 <= char < 127 and chr(char) not in '"\\':
            out.append(chr(char))
        else:
            out.append(f"\\{char:03d}")
    return '"' + "".join(out) + '"'


def wrk_script(probes: Sequence[Probe]) -> str:
    """A wrk Lua script: each thread rotates through the probes; done() prints the status
    counts of all threads and the socket errors on lines starting with SOAK-.
    """
    specs = []
    for probe in probes:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in probe.headers)
        body = _lua_string(probe.body) if probe.body else "nil"
        specs.append(
            f"  {{{_lua_string(probe.method)}, {_lua_string(probe.path)}, {{{headers}}}, {body}}},"
        )
    return "\n".join(
        [
            "local specs = {",
            *specs,
            "}",
            "local prepared = {}",
            "local index = 0",
            "local threads = {}",
            "statuses = {}",
            "function setup(thread) table.insert(threads, thread) end",
            "function init(args)",
            "  for i, s in ipairs(specs) do prepared[i] = wrk.format(s[1], s[2], s[3], s[4]) end",
            "end",
            "function request()",
            "  index = index % #prepared + 1",
            "  return prepared[index]",
            "end",
            "function response(status, headers, body)",
            "  statuses[status] = (statuses[status] or 0) + 1",
            "end",
            "function done(summary, latency, requests)",
            "  local total = {}",
            "  for _, t in ipairs(threads) do",
            "    for code, n in pairs(t:get('statuses')) do",
            "      total[code] = (total[code] or 0) + n",
            "    end",
            "  end",
            "  io.write('SOAK-STATUSES')",
            "  for code, n in pairs(total) do io.write(string.format(' %d=%d', code, n)) end",
            "  io.write('\\n')",
            "  local e = summary.errors",
            "  io.write(string.format('SOAK-ERRORS connect=%d read=%d write=%d timeout=%d\\n',",
            "    e.connect, e.read, e.write, e.timeout))",
            "  io.write(string.format('SOAK-TOTAL %d %d %.3f\\n', summary.requests,",
            "    summary.duration, latency:percentile(99) / 1000))",
            "end",
            "",
        ]
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def answering(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1.0) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


@contextlib.contextmanager
def gunicorn(target: Target, port: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with 2 workers serving the target on 127.0.0.1:port, in its own process
    group, stopped (TERM, then KILL) through that group on the way out.
    """
    command = [
        str(_tool("gunicorn")),
        "--workers",
        "2",
        "--bind",
        f"{LOOPBACK}:{port}",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
        target.wsgi,
    ]
    env = {**os.environ, **target.env, "PYTHONPATH": str(target.workdir)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=target.workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not answering(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not start {target.name}; its log:\n{log_path.read_text()}"
                    )
                time.sleep(0.2)
            yield process
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(15)


def _tool(name: str) -> Path | None:
    local = Path(sys.executable).parent / name
    if local.exists():
        return local
    found = shutil.which(name)
    return Path(found) if found else None


def http_soak(target: Target, mode: Mode, report: Report, workdir: Path) -> None:
    seconds = mode.http_seconds
    report.line(
        f"== HTTP: {target.name} under gunicorn (2 workers), wrk 2 threads x 32 connections,"
        f" {seconds:g} s"
    )
    script = workdir / f"{target.name.replace('/', '_')}.lua"
    script.write_text(wrk_script(target.probes), encoding="utf-8")
    port = free_port()
    with gunicorn(target, port, workdir / "gunicorn.log") as master:
        workers = children_of(master.pid)
        if len(workers) != 2:
            time.sleep(1)
            workers = children_of(master.pid)
        samples: dict[int, list[tuple[float, int]]] = {pid: [] for pid in workers}
        stop = threading.Event()
        started = time.monotonic()

        def sample() -> None:
            while not stop.wait(0.5):
                now = time.monotonic() - started
                for pid in workers:
                    rss = rss_kib(pid)
                    if rss is not None:
                        samples[pid].append((now, rss))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        wrk = subprocess.run(
            [
                str(_tool("wrk")),
                "-t2",
                "-c32",
                f"-d{round(seconds)}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://{LOOPBACK}:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
        stop.set()
        sampler.join(5)
        still = children_of(master.pid)
    if wrk.returncode != 0:
        report.fail(f"{target.name}: wrk failed ({wrk.returncode}): {wrk.stderr.strip()}")
        return
    statuses, errors, total, seconds_run, p99_ms = _parse_wrk(wrk.stdout)
    report.line(
        f"   requests {total:,} ({total / seconds_run:,.0f}/s), p99 latency {p99_ms:.1f} ms"
    )
    report.line("   statuses " + ", ".join(f"{c}: {n:,}" for c, n in sorted(statuses.items())))
    report.line("   socket errors " + ", ".join(f"{k} {v}" for k, v in errors.items()))
    _check_statuses(target, statuses, total, report)
    if any(errors.values()):
        report.fail(f"{target.name}: socket errors {errors}")
    if sorted(still) != sorted(workers):
        report.fail(f"{target.name}: workers {workers} at the start, {still} at the end")
    figures: dict[str, Any] = {
        "requests": total,
        "per_second": round(total / seconds_run),
        "statuses": statuses,
        "socket_errors": errors,
        "p99_ms": p99_ms,
        "rss_kib": {},
    }
    for pid, series in samples.items():
        at_mark = [rss for t, rss in series if t >= mode.rss_mark]
        if len(at_mark) < 2:
            report.fail(f"{target.name}: too few RSS samples of worker {pid}")
            continue
        first, last, peak = at_mark[0], at_mark[-1], max(at_mark)
        growth = (last - first) / first
        figures["rss_kib"][pid] = {"mark": first, "end": last, "peak": peak, "growth": growth}
        report.line(
            f"   worker {pid} RSS {first / 1024:.1f} MiB at {mode.rss_mark:g} s ->"
            f" {last / 1024:.1f} MiB at the end ({growth:+.2%}, peak {peak / 1024:.1f} MiB)"
        )
        if growth >= RSS_GROWTH_LIMIT:
            report.fail(
                f"{target.name}: worker {pid} RSS grew {growth:.2%} from {mode.rss_mark:g} s"
                f" to the end (limit {RSS_GROWTH_LIMIT:.0%})"
            )
    report.figures[f"http {target.name}"] = figures


def _parse_wrk(output: str) -> tuple[dict[int, int], dict[str, int], int, float, float]:
    statuses_line = re.search(r"^SOAK-STATUSES(.*)$", output, re.M)
    errors_line = re.search(r"^SOAK-ERRORS (.*)$", output, re.M)
    total_line = re.search(r"^SOAK-TOTAL (\d+) (\d+) ([\d.]+)$", output, re.M)
    if statuses_line is None or errors_line is None or total_line is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    statuses = {
        int(code): int(n) for code, n in (pair.split("=") for pair in statuses_line[1].split())
    }
    errors = {k: int(v) for k, v in (pair.split("=") for pair in errors_line[1].split())}
    return (
        statuses,
        errors,
        int(total_line[1]),
        int(total_line[2]) / 1e6,
        float(total_line[3]),
    )


def _check_statuses(target: Target, statuses: dict[int, int], total: int, report: Report) -> None:
    """Only expected statuses, each in the share of the rotation that expects it. A request
    in flight at the end makes a share differ by at most one per connection.
    """
    expected: dict[int, int] = {}
    for probe in target.probes:
        expected[probe.status] = expected.get(probe.status, 0) + 1
    unexpected = {code: n for code, n in statuses.items() if code not in expected}
    if unexpected:
        report.fail(f"{target.name}: unexpected statuses {unexpected}")
    answered = sum(statuses.values())
    if answered != total:
        report.fail(f"{target.name}: wrk counted {total} requests but {answered} statuses")
    slack = 32 + 2 * len(target.probes)
    for code, share in expected.items():
        want = answered * share / len(target.probes)
        if abs(statuses.get(code, 0) - want) > slack:
            report.fail(
                f"{target.name}: {statuses.get(code, 0)} answers {code}, expected about"
                f" {want:.0f} ({share} of {len(target.probes)} requests in the rotation)"
            )


# --- in-process: every benchmark scenario under tracemalloc --------------------------------------


def _benchmark_cells(report: Report) -> list[tuple[str, Any, dict[str, Any], bytes, int]]:
    bench = REPO / "benchmarks"
    for path in (bench, bench / "apps"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    inprocess = importlib.import_module("inprocess")
    kolba_app = importlib.import_module("kolba_app")
    cells = []
    for scenario in inprocess.SCENARIOS:
        app = getattr(kolba_app, scenario.app_attr)
        template, problems = inprocess.prepare(scenario, app)
        if problems:
            report.fail(f"benchmark scenario {scenario.name}: wrong answer: {problems}")
            continue
        cells.append((scenario.name, app, template, scenario.body, scenario.expect_status))
    return cells


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def inprocess_soak(mode: Mode, report: Report) -> None:
    total = mode.inprocess_requests
    cells = _benchmark_cells(report)
    report.line(
        f"== In-process: {total:,} requests round-robin across {len(cells)} benchmark"
        " scenarios, under tracemalloc"
    )
    if not cells:
        report.fail("no benchmark scenario could run")
        return
    wrong: dict[str, int] = {}
    status: list[str] = []

    def start_response(s: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], None]:
        status.append(s)
        return lambda data: None

    def run(count: int, offset: int) -> None:
        for i in range(offset, offset + count):
            name, app, template, body, expect = cells[i % len(cells)]
            environ = template.copy()
            environ["wsgi.input"] = io.BytesIO(body)
            status.clear()
            result = app(environ, start_response)
            try:
                b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if not status or int(status[-1][:3]) != expect:
                wrong[name] = wrong.get(name, 0) + 1

    warmup = max(len(cells) * 50, total // 10)
    segments = 8
    per_segment = (total - warmup) // segments
    started = time.perf_counter()
    tracemalloc.start()
    try:
        run(warmup, 0)
        gc.collect()
        fds_before = _open_fds()
        baseline = tracemalloc.get_traced_memory()[0]
        snapshot = tracemalloc.take_snapshot()
        series = []
        done = warmup
        for _ in range(segments):
            run(per_segment, done)
            done += per_segment
            gc.collect()
            series.append(tracemalloc.get_traced_memory()[0] - baseline)
        peak = tracemalloc.get_traced_memory()[1]
        top = tracemalloc.take_snapshot().compare_to(snapshot, "lineno")[:5]
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    fds_after = _open_fds()
    growth = series[-1]
    report.line(
        f"   {done:,} requests in {seconds:.1f} s ({done / seconds:,.0f}/s with tracemalloc on)"
    )
    report.line(
        f"   traced memory after the {warmup:,}-request warm-up: {baseline / 1024:.0f} KiB;"
        f" growth per segment of {per_segment:,} (KiB): "
        + ", ".join(f"{value / 1024:+.1f}" for value in series)
    )
    report.line(
        f"   growth at the end {growth / 1024:+.1f} KiB (limit {TRACED_GROWTH_LIMIT // 1024}"
        f" KiB), traced peak {peak / 1024:.0f} KiB, open fds {fds_before} -> {fds_after}"
    )
    report.figures["inprocess"] = {
        "requests": done,
        "scenarios": [cell[0] for cell in cells],
        "seconds": round(seconds, 2),
        "baseline_bytes": baseline,
        "growth_bytes": series,
        "fds": [fds_before, fds_after],
    }
    if wrong:
        report.fail(f"wrong statuses in-process: {wrong}")
    if growth > TRACED_GROWTH_LIMIT:
        report.fail(f"traced memory grew {growth / 1024:.1f} KiB after the warm-up")
        for stat in top:
            report.line(f"      {stat}")
    if fds_after > fds_before:
        report.fail(f"file descriptors leaked: {fds_before} -> {fds_after}")


# --- isolation: the concurrency test at full size ------------------------------------------------


def _load_test_module(name: str) -> ModuleType:
    folder = REPO / "tests" / "reliability"
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(f"soak_{name}", folder / f"{name}.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load tests/reliability/{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def isolation_soak(mode: Mode, report: Report) -> None:
    clients, per_client = mode.clients, mode.requests_per_client
    report.line(
        f"== Isolation: {clients} concurrent clients x {per_client:,} requests on the threaded"
        " dev server (id in path, header, cookie, session, form)"
    )
    module = _load_test_module("test_concurrency")
    stats = module.run_isolation(clients, per_client)
    report.line(
        f"   {stats.requests:,} requests in {stats.seconds:.1f} s ({stats.per_second:,.0f}/s),"
        f" {len(stats.problems)} isolation problems"
    )
    report.figures["isolation"] = {
        "clients": clients,
        "requests": stats.requests,
        "seconds": round(stats.seconds, 2),
        "problems": stats.problems[:20],
    }
    for problem in stats.problems[:20]:
        report.fail(problem)
    if stats.requests != clients * per_client:
        report.fail(f"{stats.requests} of {clients * per_client} requests answered")


# --- main ----------------------------------------------------------------------------------------


PARTS = ("http", "inprocess", "isolation")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the CI version, well under a minute")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default all: {','.join(PARTS)})",
    )
    parser.add_argument("--seconds", type=float, help="override the HTTP load duration per app")
    parser.add_argument("--requests", type=int, help="override the in-process request count")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if unknown := [p for p in parts if p not in PARTS]:
        parser.error(f"unknown part(s) {unknown}; choose from {', '.join(PARTS)}")
    mode = SHORT if args.short else FULL
    if args.seconds is not None or args.requests is not None:
        mode = Mode(
            args.seconds or mode.http_seconds,
            min(mode.rss_mark, (args.seconds or mode.http_seconds) / 3),
            args.requests or mode.inprocess_requests,
            mode.clients,
            mode.requests_per_client,
        )
    os.chdir(REPO)
    report = Report()
    started = time.monotonic()
    report.line(
        f"kolba soak ({'short' if args.short else 'full'}), Python {sys.version.split()[0]}"
    )
    if "http" in parts:
        missing = [tool for tool in ("gunicorn", "wrk") if _tool(tool) is None]
        if missing:
            text = (
                f"the HTTP part needs {' and '.join(missing)}: apt-get install wrk;"
                " .venv/bin/pip install gunicorn"
            )
            if args.short:
                report.line(f"== HTTP: SKIPPED, {text}")
            else:
                report.line(f"cannot run: {text}")
                return 2
        elif not Path("/proc/self/status").exists():
            report.line("== HTTP: SKIPPED, worker memory is read from /proc (Linux only)")
        else:
            with tempfile.TemporaryDirectory(prefix="kolba-soak-") as tmp:
                workdir = Path(tmp)
                targets = [tasks_target(), blog_target(workdir / "blog-instance")]
                for target in targets:
                    try:
                        http_soak(target, mode, report, workdir)
                    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                        report.fail(f"{target.name}: {exc}")
    if "inprocess" in parts:
        inprocess_soak(mode, report)
    if "isolation" in parts:
        isolation_soak(mode, report)
    elapsed = time.monotonic() - started
    if args.json:
        args.json.write_text(json.dumps(report.figures, indent=2, default=str) + "\n")
    if report.violations:
        report.line(f"FAILED in {elapsed:.0f} s: {len(report.violations)} violation(s)")
        return 1
    report.line(f"OK in {elapsed:.0f} s: no violation")
    return 0


if __name__ == "__main__":
    sys.exit(main())

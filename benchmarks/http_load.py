"""Over HTTP: the hello and JSON scenarios under granian and gunicorn, loaded with wrk.

Run ``python benchmarks/http_load.py [--seconds S] [--rounds R] [--json OUT]``. Needs wrk
(``apt-get install -y wrk``) and the bench extra (granian, gunicorn). Everything listens on and
is loaded from 127.0.0.1 only.

For one server at a time, every framework's benchmark app (benchmarks/apps/<name>_app.py, the
same ones the in-process runner times) is started as its own server process, one worker with one
Python thread, on a free loopback port. Each answer is checked once over the wire, then wrk
(-t1 -c32) loads one app after the other, round-robin, for ``--rounds`` rounds. Cells are the
median requests per second; ``of raw`` is each app's share of the raw WSGI callable's
throughput on the same server in the same round. The servers are stopped by process group id
when the part ends, however it ends.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import benchlib
import inprocess
from benchlib import fmt_count, log

FRAMEWORKS = ("raw", "falcon", "bottle", "flask", "kolba")
SCENARIOS = ("hello", "json")


def url_of(base: str, scenario: inprocess.Scenario) -> str:
    return base + scenario.path + (f"?{scenario.query}" if scenario.query else "")


def run(
    seconds: float,
    rounds: int,
    servers: Sequence[str] = benchlib.SERVERS,
    frameworks: Sequence[str] = FRAMEWORKS,
    connections: int = 32,
) -> dict[str, Any]:
    """Load every app on every server; return the JSON report.py reads."""
    results: dict[str, dict[str, dict[str, Any]]] = {}
    failures: list[str] = []
    for server in servers:
        with contextlib.ExitStack() as stack:
            bases: dict[str, str] = {}
            for framework in frameworks:
                module = inprocess.FRAMEWORKS[framework][0]
                try:
                    bases[framework] = stack.enter_context(
                        benchlib.serving(server, f"{module}:app", benchlib.APPS_DIR)
                    )
                except (RuntimeError, FileNotFoundError) as exc:
                    failures.append(f"{server}/{framework}: did not start: {exc}")
                    log(f"  {server}/{framework}: did not start: {exc}")
            for name in SCENARIOS:
                scenario = inprocess.SCENARIO_BY_NAME[name]
                live = []
                for framework, base in bases.items():
                    problems = inprocess.check_response(
                        scenario, *benchlib.fetch(url_of(base, scenario))
                    )
                    if problems:
                        failures.append(f"{server}/{name}/{framework}: {'; '.join(problems)}")
                    else:
                        # A short unrecorded load first: imports, caches and the JIT-free
                        # interpreter's specialisation settle before anything is timed.
                        benchlib.run_wrk(url_of(base, scenario), 1, connections)
                        live.append(framework)
                samples: dict[str, list[benchlib.WrkResult]] = {f: [] for f in live}
                for round_number in range(rounds):
                    shift = round_number % max(1, len(live))
                    for framework in live[shift:] + live[:shift]:
                        result = benchlib.run_wrk(
                            url_of(bases[framework], scenario), seconds, connections
                        )
                        if result.non_2xx or result.socket_errors:
                            failures.append(
                                f"{server}/{name}/{framework}: {result.non_2xx} non-2xx answers, "
                                f"{result.socket_errors} socket errors"
                            )
                        samples[framework].append(result)
                results.setdefault(server, {})[name] = summarise(samples)
                log(f"  {server}/{name}: done")
    return {
        "meta": benchlib.machine_meta(),
        "settings": {"seconds": seconds, "rounds": rounds, "connections": connections},
        "results": results,
        "failures": failures,
    }


def summarise(samples: dict[str, list[benchlib.WrkResult]]) -> dict[str, Any]:
    """Median req/s per framework, and each one's per-round share of raw's throughput."""
    out: dict[str, Any] = {}
    raw = samples.get("raw")
    for framework, runs in samples.items():
        rps = [r.requests_per_s for r in runs]
        cell: dict[str, Any] = {
            "rps": benchlib.describe(rps),
            "samples_rps": rps,
            "latency_p99_ms": benchlib.describe([r.latency_p99_ms for r in runs])["median"],
        }
        if raw:
            cell["of_raw"] = benchlib.describe(
                [r.requests_per_s / b.requests_per_s for r, b in zip(runs, raw, strict=True)]
            )
        out[framework] = cell
    return out


def render_markdown(data: dict[str, Any]) -> str:
    settings = data["settings"]
    lines = [
        "## Over HTTP (requests per second, higher is better)",
        "",
        f"wrk -t1 -c{settings['connections']}, {settings['seconds']:g} s per run, "
        f"{settings['rounds']} rounds with the frameworks alternating; medians. One worker "
        "process with one Python thread: granian `--interface wsgi --workers 1 "
        "--blocking-threads 1`, gunicorn `--workers 1 --worker-class gthread --threads 1`. "
        "In brackets: the share of the raw WSGI callable's throughput on the same server.",
        "",
    ]
    frameworks: list[str] = []
    for per_scenario in data["results"].values():
        for cells in per_scenario.values():
            frameworks += [f for f in cells if f not in frameworks]
    lines.append("| server | scenario | " + " | ".join(frameworks) + " | kolba/falcon |")
    lines.append("|---|---|" + "---:|" * (len(frameworks) + 1))
    for server, per_scenario in data["results"].items():
        for scenario, cells in per_scenario.items():
            row = []
            for framework in frameworks:
                cell = cells.get(framework)
                if cell is None:
                    row.append("FAIL")
                    continue
                text = fmt_count(cell["rps"]["median"])
                if "of_raw" in cell and framework != "raw":
                    text += f" ({cell['of_raw']['median']:.0%})"
                row.append(text)
            ratio = "n/a"
            if "kolba" in cells and "falcon" in cells:
                ratio = f"{cells['kolba']['rps']['median'] / cells['falcon']['rps']['median']:.2f}"
            lines.append(f"| {server} | {scenario} | " + " | ".join(row) + f" | {ratio} |")
    lines += [
        "",
        "Targets: hello at or above Falcon's requests per second (kolba/falcon >= 1.0), and at "
        "least 70% of the raw callable's.",
        "",
    ]
    if data["failures"]:
        lines += ["Problems:", ""] + [f"- {f}" for f in data["failures"]] + [""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per cell")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    parser.add_argument(
        "--servers",
        default=",".join(benchlib.SERVERS),
        help="comma-separated subset of: " + ",".join(benchlib.SERVERS),
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    args = parser.parse_args(argv)
    if not benchlib.wrk_available():
        log("skipping the HTTP benchmark: wrk is not installed (apt-get install -y wrk)")
        return 0
    servers = [s for s in args.servers.split(",") if s]
    data = run(args.seconds, args.rounds, servers, connections=args.connections)
    print(render_markdown(data))
    if args.json:
        benchlib.write_json(args.json, data)
    return 1 if data["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

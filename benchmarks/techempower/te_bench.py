"""TechEmpower test types for kolba, Flask and Falcon against the local PostgreSQL.

Run ``python benchmarks/techempower/te_bench.py [--seconds S] [--rounds R] [--server granian]
[--json OUT]``. It creates and fills the tables when needed (setup_db.py), starts each
framework's app (te_<name>.py) under the same server with one worker and one Python thread,
validates every test type against the rules (validate.py), then loads each with wrk from
127.0.0.1, the frameworks alternating round by round. With no PostgreSQL reachable it says so
and skips (exit 0), so the rest of the suite still runs.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TE_DIR = Path(__file__).resolve().parent
if str(TE_DIR.parent) not in sys.path:
    sys.path.insert(0, str(TE_DIR.parent))
if str(TE_DIR) not in sys.path:
    sys.path.insert(0, str(TE_DIR))

import benchlib  # noqa: E402  (after the path set-up above)
import setup_db  # noqa: E402
import te_db  # noqa: E402
import validate  # noqa: E402
from benchlib import fmt_count, log  # noqa: E402

FRAMEWORKS = ("falcon", "flask", "kolba")
#: Test type -> the path wrk loads. queries and updates use 20 rows, TechEmpower's top level.
TESTS: dict[str, str] = {
    "plaintext": "/plaintext",
    "json": "/json",
    "db": "/db",
    "queries": "/queries?queries=20",
    "fortunes": "/fortunes",
    "updates": "/updates?queries=20",
}


def run(
    seconds: float,
    rounds: int,
    server: str = "granian",
    frameworks: Sequence[str] = FRAMEWORKS,
    connections: int = 32,
) -> dict[str, Any]:
    """Validate and load every test type on every framework; the JSON report.py reads."""
    dsn = te_db.dsn()
    base_data: dict[str, Any] = {
        "meta": benchlib.machine_meta(),
        "settings": {
            "seconds": seconds,
            "rounds": rounds,
            "server": server,
            "connections": connections,
        },
    }
    why = setup_db.reachable(dsn)
    if why is not None:
        message = f"skipped: no PostgreSQL reachable at {dsn!r} ({why})"
        log(f"TechEmpower {message}")
        return {**base_data, "skipped": message}
    if not benchlib.wrk_available():
        message = "skipped: wrk is not installed (apt-get install -y wrk)"
        log(f"TechEmpower {message}")
        return {**base_data, "skipped": message}
    log(f"  TechEmpower tables: {setup_db.ensure_tables(dsn)}")
    failures: dict[str, dict[str, list[str]]] = {}
    results: dict[str, dict[str, Any]] = {}
    with contextlib.ExitStack() as stack:
        bases: dict[str, str] = {}
        for framework in frameworks:
            try:
                bases[framework] = stack.enter_context(
                    benchlib.serving(
                        server,
                        f"te_{framework}:app",
                        TE_DIR,
                        probe_path="/plaintext",
                        env={"KOLBA_BENCH_PG_DSN": dsn},
                    )
                )
            except (RuntimeError, FileNotFoundError) as exc:
                failures.setdefault(framework, {})["start"] = [str(exc)]
        for framework, base in list(bases.items()):
            problems = validate.validate_server(base, benchlib.fetch, dsn)
            if problems:
                failures.setdefault(framework, {}).update(problems)
                for test, found in problems.items():
                    log(f"  RULES BROKEN {framework}/{test}: {'; '.join(found[:3])}")
        for test, path in TESTS.items():
            live = [f for f in bases if test not in failures.get(f, {})]
            for framework in live:  # unrecorded warm-up: pool, prepared statements, caches
                benchlib.run_wrk(bases[framework] + path, 1, connections)
            samples: dict[str, list[float]] = {f: [] for f in live}
            for round_number in range(rounds):
                shift = round_number % max(1, len(live))
                for framework in live[shift:] + live[:shift]:
                    result = benchlib.run_wrk(bases[framework] + path, seconds, connections)
                    if result.non_2xx or result.socket_errors:
                        failures.setdefault(framework, {}).setdefault(test, []).append(
                            f"{result.non_2xx} non-2xx answers, {result.socket_errors} "
                            "socket errors under load"
                        )
                    samples[framework].append(result.requests_per_s)
            results[test] = {
                f: {"rps": benchlib.describe(s), "samples_rps": s} for f, s in samples.items() if s
            }
            log(f"  TechEmpower {test}: done")
    return {**base_data, "results": results, "failures": failures}


def render_markdown(data: dict[str, Any]) -> str:
    settings = data["settings"]
    lines = ["## TechEmpower test types (requests per second, higher is better)", ""]
    if "skipped" in data:
        return "\n".join([*lines, f"TechEmpower tests {data['skipped']}.", ""])
    lines += [
        f"PostgreSQL on 127.0.0.1 with psycopg 3 (a pool per worker, no caching); every app "
        f"under {settings['server']} (one worker, one Python thread); wrk -t1 "
        f"-c{settings['connections']}, {settings['seconds']:g} s per run, {settings['rounds']} "
        "rounds alternating; medians. queries and updates fetch 20 rows.",
        "",
    ]
    frameworks = sorted(
        {f for cells in data["results"].values() for f in cells},
        key=lambda f: FRAMEWORKS.index(f) if f in FRAMEWORKS else 99,
    )
    lines.append("| test | " + " | ".join(frameworks) + " | kolba/flask | kolba/falcon |")
    lines.append("|---|" + "---:|" * (len(frameworks) + 2))
    for test, cells in data["results"].items():
        row = [fmt_count(cells[f]["rps"]["median"]) if f in cells else "FAIL" for f in frameworks]
        ratios = []
        for other in ("flask", "falcon"):
            if "kolba" in cells and other in cells:
                ratios.append(
                    f"{cells['kolba']['rps']['median'] / cells[other]['rps']['median']:.2f}"
                )
            else:
                ratios.append("n/a")
        lines.append(f"| {test} | " + " | ".join(row + ratios) + " |")
    lines += [
        "",
        "Target: kolba at least twice Flask's requests per second on fortunes and queries.",
        "",
    ]
    failures = data.get("failures") or {}
    if failures:
        lines += ["Rules broken or errors (those cells were not timed or are suspect):", ""]
        for framework, per_test in failures.items():
            for test, problems in per_test.items():
                lines.append(f"- {framework} / {test}: {'; '.join(problems[:3])}")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per cell")
    parser.add_argument("--connections", type=int, default=32, help="wrk -c")
    parser.add_argument("--server", choices=benchlib.SERVERS, default="granian")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    args = parser.parse_args(argv)
    data = run(args.seconds, args.rounds, args.server, connections=args.connections)
    print(render_markdown(data))
    if args.json:
        benchlib.write_json(args.json, data)
    return 1 if data.get("failures") else 0


if __name__ == "__main__":
    sys.exit(main())

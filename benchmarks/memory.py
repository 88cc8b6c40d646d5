"""Memory and start-up: resident size, allocations per request, growth, and import time.

Run ``python benchmarks/memory.py [--quick] [--json OUT]``. Every number comes from a fresh
interpreter per framework (memory_child.py, which reads the bare interpreter's size before it
imports anything), so nothing one framework imported or allocated shows up in another's figures.

- RSS (VmRSS): of the bare interpreter, after ``import <framework>``, and after creating a
  minimal app with one route.
- Per request: tracemalloc's peak during one request of the benchmark app (hello), i.e. how
  much memory a request holds at its high-water mark, and the bytes still held afterwards.
- Growth: memory tracemalloc sees still allocated after 100 000 requests (10 000 with --quick)
  of a mix of the in-process scenarios (hello, param, json, form, cookies, 404), after a
  warm-up and a gc.collect(). A leak shows up as growth proportional to the requests.
- Import time: ``python -X importtime -c "import <framework>"``, the framework's cumulative time,
  median of several runs with the frameworks alternating.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import benchlib
from benchlib import fmt_count, log

FRAMEWORKS = ("raw", "falcon", "bottle", "flask", "kolba")
PACKAGES = {"falcon": "falcon", "bottle": "bottle", "flask": "flask", "kolba": "kolba"}
CHILD = Path(__file__).resolve().parent / "memory_child.py"

# --- the parent -------------------------------------------------------------------------------


def run_child(framework: str, requests: int) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, str(CHILD), framework, str(requests)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


def import_time_us(package: str) -> int:
    """Cumulative import time of ``package`` in a fresh interpreter, from -X importtime."""
    # Measured as deployed: with bytecode caches (a PYTHONDONTWRITEBYTECODE environment
    # would make every run compile every module from source).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", f"import {package}"], env=env, check=True, timeout=120)
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {package}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    for line in completed.stderr.splitlines():
        match = _IMPORTTIME.match(line)
        # The top-level entry (one space of indent) is the statement itself, children included.
        if match and match.group(4) == package and len(match.group(3)) == 1:
            return int(match.group(2))
    raise RuntimeError(f"no import time line for {package}")


def import_times(packages: Sequence[str], repeats: int) -> dict[str, dict[str, float]]:
    samples: dict[str, list[float]] = {p: [] for p in packages}
    for _ in range(repeats):
        for package in packages:  # alternate, so drift hits every package alike
            samples[package].append(import_time_us(package) / 1000.0)
    return {p: benchlib.describe(s) for p, s in samples.items()}


def run(quick: bool, frameworks: Sequence[str] = FRAMEWORKS) -> dict[str, Any]:
    requests = 10_000 if quick else 100_000
    per_framework = {}
    for framework in frameworks:
        log(f"  memory: {framework} ({requests:,} requests under tracemalloc)")
        per_framework[framework] = run_child(framework, requests)
    packages = [PACKAGES[f] for f in frameworks if f in PACKAGES]
    log("  import times")
    times = import_times(packages, 3 if quick else 7)
    for framework in frameworks:
        if framework in PACKAGES:
            per_framework[framework]["import_ms"] = times[PACKAGES[framework]]
    return {"meta": benchlib.machine_meta(), "requests": requests, "frameworks": per_framework}


def render_markdown(data: dict[str, Any]) -> str:
    lines = [
        "## Memory and start-up",
        "",
        f"Fresh interpreter per framework. Growth: tracemalloc after {data['requests']:,} "
        "requests of the hello/param/json/form/cookies/404 mix (after warm-up and gc).",
        "",
        "| framework | import (ms) | RSS after import (MiB) | RSS with app (MiB) | "
        "peak per request (bytes) | growth (bytes) | growth, 2nd half (bytes) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in data["frameworks"].items():
        if "error" in r:
            lines.append(f"| {name} | error: {' '.join(r['error'])} | | | | | |")
            continue
        import_ms = f"{r['import_ms']['median']:.1f}" if "import_ms" in r else "-"
        lines.append(
            f"| {name} | {import_ms} | {r['rss_import_kb'] / 1024:.1f} | "
            f"{r['rss_app_kb'] / 1024:.1f} | {fmt_count(r['request_peak_bytes'])} | "
            f"{fmt_count(r['growth_bytes'])} | {fmt_count(r['growth_second_half_bytes'])} |"
        )
    bare = next(iter(data["frameworks"].values())).get("rss_bare_kb", 0)
    lines += ["", f"Bare interpreter RSS: {bare / 1024:.1f} MiB.", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10 000 requests, 3 import runs")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    args = parser.parse_args(argv)
    data = run(args.quick)
    print(render_markdown(data))
    if args.json:
        benchlib.write_json(args.json, data)
    return 1 if any("error" in r for r in data["frameworks"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())

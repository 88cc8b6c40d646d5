"""Run the whole benchmark suite and write the report: ``python benchmarks/run_all.py``.

Parts, each also runnable alone: inprocess.py, scale.py, memory.py, http_load.py and
techempower/te_bench.py. Each runs in its own interpreter and writes <part>.json into the output
folder (docs/benchmarks/ by default); report.py then writes results.md and the charts there.

- Full run (about 15 minutes on 2 cores): every part.
- ``--quick`` (well under a minute): in-process, scale and memory in their quick modes, no HTTP
  or TechEmpower; results go to a temporary folder unless ``--out`` is given, so a quick look
  never overwrites the published numbers.
- ``--only`` / ``--skip`` choose parts; ``--seconds`` / ``--rounds`` set the wrk runs.

Exits non-zero when a part failed (a wrong answer, a broken rule, a server that did not
start); the other parts still run and the report covers what was measured.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import benchlib
from benchlib import log

PARTS: dict[str, Path] = {
    "inprocess": benchlib.BENCH_DIR / "inprocess.py",
    "scale": benchlib.BENCH_DIR / "scale.py",
    "memory": benchlib.BENCH_DIR / "memory.py",
    "http": benchlib.BENCH_DIR / "http_load.py",
    "techempower": benchlib.BENCH_DIR / "techempower" / "te_bench.py",
}
QUICK_PARTS = ("inprocess", "scale", "memory")
LOADED = {"http", "techempower"}  # the parts that take --seconds / --rounds


def part_command(part: str, out: Path, quick: bool, seconds: float, rounds: int) -> list[str]:
    command = [sys.executable, str(PARTS[part]), "--json", str(out / f"{part}.json")]
    if part in LOADED:
        command += ["--seconds", f"{seconds:g}", "--rounds", str(rounds)]
    elif quick:
        command.append("--quick")
    return command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="in-process, scale, memory; quick")
    parser.add_argument("--out", type=Path, help="results folder (default docs/benchmarks/)")
    parser.add_argument("--only", help="comma-separated parts: " + ",".join(PARTS))
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out")
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk run length (HTTP, TE)")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds per cell (HTTP, TE)")
    parser.add_argument(
        "--write-baseline",
        action="store_true",
        help="also record the in-process ratios as benchmarks/baseline.json (the CI gate's)",
    )
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(QUICK_PARTS if args.quick else PARTS)
    skipped = set(args.skip.split(",")) - {""}
    unknown = (set(chosen) | skipped) - set(PARTS)
    if unknown:
        parser.error(f"unknown part {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    parts = [p for p in PARTS if p in chosen and p not in skipped]
    if args.out is not None:
        out = args.out
    elif args.quick:
        out = Path(tempfile.mkdtemp(prefix="kolba-bench-"))
    else:
        out = benchlib.RESULTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    if args.quick:
        log("quick mode: HTTP and TechEmpower parts are left out")

    failed = []
    for part in parts:
        log(f"== {part}")
        started = time.monotonic()
        command = part_command(part, out, args.quick, args.seconds, args.rounds)
        if part == "inprocess" and args.write_baseline:
            command.append("--write-baseline")
        completed = subprocess.run(
            command,
            stdout=subprocess.DEVNULL,  # the tables go into the report; progress stays on stderr
            check=False,
        )
        log(f"== {part}: exit {completed.returncode} after {time.monotonic() - started:.0f} s")
        if completed.returncode != 0:
            failed.append(part)
    report = subprocess.run(
        [sys.executable, str(benchlib.BENCH_DIR / "report.py"), "--dir", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if report.returncode != 0:
        log(f"report failed: {report.stderr.strip()}")
        failed.append("report")
    else:
        log(f"report written: {out / 'results.md'}")
    if failed:
        log(f"failed parts: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

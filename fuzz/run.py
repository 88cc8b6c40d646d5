"""Run every fuzz harness for a while, one after another; exit 1 if any of them crashed.

    python fuzz/run.py --seconds 3              # the short CI run (about 30 s in all)
    python fuzz/run.py --seconds 600 -j 4       # a long run, four harnesses at a time
    python fuzz/run.py --seconds 60 routing multipart   # only these harnesses

With atheris installed, each harness runs in its own process under libFuzzer
(coverage-guided), starting from the seed corpus in ``fuzzseeds.py`` plus whatever earlier
runs kept in ``fuzz/.work/corpus/<name>/``. Without atheris, a coverage-free mutator written
here (random byte edits and splices of the seeds) runs instead, so that a fresh machine still
fuzzes; ``--require-atheris`` turns that into a skip with a message instead.

A crashing input is saved to ``fuzz/.work/crashes/<name>-crash-*``; replay it with
``python fuzz/fuzz_<name>.py FILE`` and add it to ``tests/fuzz/test_regressions.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
sys.path.insert(0, str(HERE))

import fuzzkit  # noqa: E402 (needs the path above)
import fuzzseeds  # noqa: E402

#: Harness name -> the longest input libFuzzer may build for it.
HARNESSES: dict[str, int] = {
    "cookies": 4096,
    "options_header": 4096,
    "accept_header": 4096,
    "range_header": 4096,
    "cache_control": 4096,
    "etags": 4096,
    "url_decode": 4096,
    "multipart": 65536,
    "routing": 4096,
}

#: Seconds one input may take before libFuzzer reports a hang (a crash).
INPUT_TIMEOUT = 5


def _write_seed_corpus(name: str) -> Path:
    corpus = WORK / "corpus" / name
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in fuzzseeds.SEEDS[name]:
        path = corpus / f"seed-{hashlib.sha1(seed).hexdigest()}"
        if not path.exists():
            path.write_bytes(seed)
    return corpus


def run_atheris(name: str, seconds: int) -> tuple[bool, str]:
    """Run one harness under libFuzzer in a child process; (crashed, output tail)."""
    corpus = _write_seed_corpus(name)
    crashes = WORK / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(HERE / f"fuzz_{name}.py"),
        f"-max_total_time={seconds}",
        f"-max_len={HARNESSES[name]}",
        f"-timeout={INPUT_TIMEOUT}",
        f"-artifact_prefix={crashes}/{name}-",
        "-print_final_stats=1",
        str(corpus),
    ]
    env = dict(os.environ, **{fuzzkit.INSTRUMENT_ENV: "1"})
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    output = (done.stdout + done.stderr).splitlines()
    if done.returncode == 0:
        runs = [
            line.split(":")[-1].strip() for line in output if "number_of_executed_units" in line
        ]
        return False, f"{runs[-1] if runs else '?'} inputs, no crash"
    interesting = [line for line in output if not line.startswith("INFO: Instrumenting")]
    return True, "\n".join(interesting[-25:])


def _mutate(rng: random.Random, data: bytes, seeds: list[bytes], max_len: int) -> bytes:
    """One random edit of ``data``: flip, insert, delete, repeat or splice in a seed."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(6)
        pos = rng.randint(0, len(buf))
        if choice == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            buf[pos:pos] = bytes([rng.choice(b"\0\r\n\t ;,=\"'\\/%-*+.:?&[]@#\xff\xc3")])
        elif choice == 2 and buf:
            del buf[pos : pos + rng.randint(1, 8)]
        elif choice == 3 and buf:
            piece = bytes(buf[pos : pos + rng.randint(1, 8)])
            buf[pos:pos] = piece * rng.randint(1, 64)
        elif choice == 4:
            other = rng.choice(seeds)
            cut = rng.randint(0, len(other))
            buf[pos:] = other[cut:]
        else:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
    return bytes(buf[:max_len])


def run_fallback(name: str, seconds: int, seed: int) -> tuple[bool, str]:
    """Run one harness in this process with the coverage-free mutator; (crashed, report)."""
    module = __import__(f"fuzz_{name}")
    test_one_input: Callable[[bytes], None] = module.TestOneInput
    seeds = list(fuzzseeds.SEEDS[name]) or [b""]
    rng = random.Random(seed)
    pool = list(seeds)
    deadline = time.monotonic() + seconds
    runs = 0
    while time.monotonic() < deadline:
        data = (
            pool[runs]
            if runs < len(pool)
            else _mutate(rng, rng.choice(pool), seeds, HARNESSES[name])
        )
        runs += 1
        try:
            test_one_input(data)
        except Exception:
            crashes = WORK / "crashes"
            crashes.mkdir(parents=True, exist_ok=True)
            path = crashes / f"{name}-crash-{hashlib.sha1(data).hexdigest()}"
            path.write_bytes(data)
            return True, f"{traceback.format_exc()}input saved to {path}"
        if runs % 50 == 0 and len(pool) < 512:
            pool.append(data)  # no coverage to guide it: keep some variety around
    return False, f"{runs} inputs, no crash"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("harnesses", nargs="*", help=f"a subset of: {', '.join(HARNESSES)}")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per harness")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="harnesses run at once")
    parser.add_argument(
        "--fallback", action="store_true", help="use the coverage-free mutator even with atheris"
    )
    parser.add_argument(
        "--require-atheris", action="store_true", help="skip (exit 0) when atheris is missing"
    )
    parser.add_argument("--seed", type=int, default=None, help="fallback mutator seed")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.harnesses) - set(HARNESSES))
    if unknown:
        parser.error(f"unknown harness {', '.join(unknown)}; choose from {', '.join(HARNESSES)}")
    names = args.harnesses or list(HARNESSES)
    use_atheris = fuzzkit.atheris_module() is not None and not args.fallback
    if not use_atheris and not args.fallback:
        if args.require_atheris:
            print("atheris is not installed (pip install -e '.[fuzz]'): fuzzing skipped.")
            return 0
        print(
            "atheris is not installed (pip install -e '.[fuzz]'): running the coverage-free"
            " fallback mutator instead."
        )
    seed = args.seed if args.seed is not None else int(time.time())
    mode = "atheris" if use_atheris else f"fallback mutator, --seed {seed}"
    print(f"fuzzing {len(names)} harnesses for {args.seconds}s each ({mode})", flush=True)

    def one(name: str) -> tuple[str, bool, str]:
        if use_atheris:
            return (name, *run_atheris(name, args.seconds))
        return (name, *run_fallback(name, args.seconds, seed))

    failed = []
    # The fallback runs in this process, so it runs the harnesses one at a time.
    jobs = max(1, args.jobs) if use_atheris else 1
    with ThreadPoolExecutor(max_workers=jobs) as executor:
        for name, crashed, report in executor.map(one, names):
            if crashed:
                failed.append(name)
                print(f"{name}: CRASH\n{report}", flush=True)
            else:
                print(f"{name}: ok ({report})", flush=True)
    if failed:
        print(
            f"crashed: {', '.join(failed)}. Inputs are in {WORK / 'crashes'}; replay one with"
            " python fuzz/fuzz_<name>.py FILE and add it to tests/fuzz/test_regressions.py."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

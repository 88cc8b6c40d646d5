"""In-process benchmark: kolba against Flask, Bottle, Falcon and a raw WSGI callable.

Run ``python benchmarks/inprocess.py --help``; benchmarks/README.md explains the method and how to
read the table. Every framework serves the same scenarios from benchmarks/apps/<name>_app.py; each
scenario is checked once per framework before it is timed, so nobody wins by answering wrongly.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

APPS_DIR = Path(__file__).resolve().parent / "apps"

# name -> (module in benchmarks/apps, distribution whose version is reported)
FRAMEWORKS: dict[str, tuple[str, str | None]] = {
    "raw": ("raw_app", None),
    "falcon": ("falcon_app", "falcon"),
    "bottle": ("bottle_app", "bottle"),
    "flask": ("flask_app", "Flask"),
    "kolba": ("kolba_app", "kolba"),
}
HARNESS = "harness"  # a do-nothing app timed alongside, to show what the loop itself costs

HTML = "text/html; charset=utf-8"
FORM_BODY = b"first=Ada&last=Lovelace&email=ada%40example.com&age=36&city=St+Albans"


@dataclass(frozen=True)
class Scenario:
    """One request shape and what a correct answer to it looks like."""

    name: str
    description: str
    method: str
    path: str
    query: str = ""
    body: bytes = b""
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    app_attr: str = "app"  # which callable of the app module serves it
    expect_status: int = 200
    expect_body: bytes | None = None  # None: any non-empty body
    expect_json: object = None
    expect_content_type: str | None = HTML  # None: not checked
    expect_headers: tuple[tuple[str, str], ...] = ()


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("hello", "GET / returning text", "GET", "/", expect_body=b"Hello, World!"),
    Scenario(
        "param", "GET /user/42 through an int converter", "GET", "/user/42", expect_body=b"user 42"
    ),
    Scenario(
        "json",
        "GET /json?n=5 returning a 2-key dict as JSON",
        "GET",
        "/json",
        query="n=5",
        expect_json={"n": 5, "message": "Hello, World!"},
        expect_content_type="application/json",
    ),
    Scenario(
        "form",
        "POST /form, urlencoded, 5 fields read and echoed",
        "POST",
        "/form",
        body=FORM_BODY,
        content_type="application/x-www-form-urlencoded",
        expect_body=b"Ada Lovelace ada@example.com 36 St Albans",
    ),
    Scenario(
        "cookies",
        "GET /cookies reading 3 cookies, setting 1",
        "GET",
        "/cookies",
        headers=(("Cookie", "theme=dark; lang=en; sid=a1b2c3d4"),),
        expect_body=b"dark en a1b2c3d4",
        expect_headers=(("Set-Cookie", "seen=1; Path=/"),),
    ),
    Scenario(
        "404",
        "GET an unknown path, default 404 page",
        "GET",
        "/does-not-exist",
        expect_status=404,
        expect_content_type=None,
    ),
    Scenario(
        "hooks",
        "GET /hooks with one before- and one after-request hook",
        "GET",
        "/hooks",
        app_attr="hooks_app",
        expect_body=b"hooks ada",
        expect_headers=(("X-Hook", "1"),),
    ),
)
SCENARIO_BY_NAME = {s.name: s for s in SCENARIOS}


# --- loading the apps -------------------------------------------------------------------------


def load_framework(name: str) -> ModuleType:
    """Import the benchmark app module of one framework; import errors propagate."""
    if str(APPS_DIR) not in sys.path:
        sys.path.insert(0, str(APPS_DIR))
    return importlib.import_module(FRAMEWORKS[name][0])


def load_frameworks(names: Sequence[str]) -> tuple[dict[str, ModuleType], dict[str, str]]:
    """Import every named app module; return the loaded ones and, for the rest, why not."""
    loaded: dict[str, ModuleType] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            loaded[name] = load_framework(name)
        except Exception as exc:  # any failure at import means "not runnable today", not a crash
            skipped[name] = f"{type(exc).__name__}: {exc}"
    return loaded, skipped


def framework_version(name: str) -> str:
    dist = FRAMEWORKS[name][1] if name in FRAMEWORKS else None
    if dist is None:
        return platform.python_version()
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


# --- environ and calls ------------------------------------------------------------------------


def environ_template(scenario: Scenario) -> dict[str, Any]:
    """The environ a WSGI server would pass for the scenario's request (PEP 3333 keys).

    Built once per scenario; each call then uses :func:`fresh_environ`.
    """
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scenario.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scenario.path,
        "QUERY_STRING": scenario.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "kolba-bench/1.0",
        "HTTP_ACCEPT": "*/*",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(scenario.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if scenario.body or scenario.method in {"POST", "PUT", "PATCH"}:
        environ["CONTENT_LENGTH"] = str(len(scenario.body))
        if scenario.content_type:
            environ["CONTENT_TYPE"] = scenario.content_type
    for name, value in scenario.headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def fresh_environ(template: dict[str, Any], body: bytes) -> dict[str, Any]:
    """A per-call copy of the template with its own unread input stream."""
    environ = template.copy()
    environ["wsgi.input"] = io.BytesIO(body)
    return environ


def _discard(data: bytes) -> None:
    """The write() callable start_response must return; nothing here uses it."""


def _noop_start_response(
    status: str, headers: list[tuple[str, str]], exc_info: object = None
) -> Callable[[bytes], None]:
    return _discard


def call_app(
    app: WSGIApplication, environ: WSGIEnvironment
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Call the app once the way a server would; return status code, headers and body."""
    captured: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], None]:
        captured.append((status, list(headers)))
        return _discard

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not captured:
        raise RuntimeError("the app returned without calling start_response")
    status, headers = captured[-1]
    return int(status.split(" ", 1)[0]), headers, body


def check_response(
    scenario: Scenario, status: int, headers: Sequence[tuple[str, str]], body: bytes
) -> list[str]:
    """Every way the response differs from what the scenario expects (empty: correct)."""
    problems: list[str] = []
    if status != scenario.expect_status:
        problems.append(f"status {status}, expected {scenario.expect_status}")
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.lower(), []).append(value)
    if scenario.expect_json is not None:
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = f"<not JSON: {body[:60]!r}>"
        if decoded != scenario.expect_json:
            problems.append(f"JSON body {decoded!r}, expected {scenario.expect_json!r}")
    elif scenario.expect_body is not None:
        if body != scenario.expect_body:
            problems.append(f"body {body[:80]!r}, expected {scenario.expect_body!r}")
    elif not body:
        problems.append("empty body")
    if scenario.expect_content_type is not None:
        got = values.get("content-type", [""])[0]
        if _norm_media(got) != _norm_media(scenario.expect_content_type):
            problems.append(f"Content-Type {got!r}, expected {scenario.expect_content_type!r}")
    for name, expected in scenario.expect_headers:
        if expected not in values.get(name.lower(), []):
            problems.append(f"{name} {values.get(name.lower())!r}, expected {expected!r}")
    lengths = values.get("content-length")
    if lengths and lengths[0] != str(len(body)):
        problems.append(f"Content-Length {lengths[0]} but the body has {len(body)} bytes")
    return problems


def _norm_media(value: str) -> str:
    return value.replace(" ", "").lower()


def verify(scenario: Scenario, app: WSGIApplication) -> list[str]:
    """Call the app once for the scenario and list what is wrong with its answer."""
    environ = fresh_environ(environ_template(scenario), scenario.body)
    try:
        status, headers, body = call_app(app, environ)
    except Exception as exc:
        return [f"raised {type(exc).__name__}: {exc}"]
    return check_response(scenario, status, headers, body)


def _null_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


# --- timing -----------------------------------------------------------------------------------


def time_batch(app: WSGIApplication, template: dict[str, Any], body: bytes, calls: int) -> int:
    """Nanoseconds taken by ``calls`` full requests: fresh environ, call, join body, close."""
    # PERF: locals for the loop's lookups, so the harness share of each number stays small and
    # the same for every framework.
    copy = template.copy
    new_input = io.BytesIO
    start_response = _noop_start_response
    join = b"".join
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(calls):
        environ = copy()
        environ["wsgi.input"] = new_input(body)
        result = app(environ, start_response)
        join(result)
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return clock() - start


def warm_up(
    app: WSGIApplication, template: dict[str, Any], body: bytes, warmup_ns: int, batch_ns: int
) -> int:
    """Run the app for about ``warmup_ns``; return the calls per batch that take ``batch_ns``."""
    calls = 1
    spent = 0
    while True:
        elapsed = max(time_batch(app, template, body, calls), 1)
        spent += elapsed
        if spent >= warmup_ns:
            break
        # Doubling keeps the last batch the largest (at most half the warm-up), so the estimate
        # below comes from many calls rather than a few dominated by the clock's own cost.
        calls *= 2
    return max(1, round(batch_ns * calls / elapsed))


@dataclass
class Settings:
    repeats: int
    batch_ms: float
    warmup_ms: float


FULL = Settings(repeats=15, batch_ms=40.0, warmup_ms=200.0)
QUICK = Settings(repeats=7, batch_ms=10.0, warmup_ms=40.0)


@dataclass
class Result:
    """Per-request times (µs) of one framework on one scenario, one sample per repeat."""

    calls_per_batch: int
    samples: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return describe(self.samples)


def describe(samples: Sequence[float]) -> dict[str, float]:
    """Median, quartiles and extremes of a sample list."""
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


@dataclass
class ScenarioRun:
    scenario: str
    results: dict[str, Result] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)

    def ratio(self, top: str, bottom: str) -> dict[str, float] | None:
        """Per-repeat ratios top/bottom (same repeat, so drift cancels), summarised."""
        a, b = self.results.get(top), self.results.get(bottom)
        if a is None or b is None:
            return None
        return describe([x / y for x, y in zip(a.samples, b.samples, strict=True)])


def run_scenario(
    scenario: Scenario,
    modules: dict[str, ModuleType],
    settings: Settings,
    log: Callable[[str], None],
) -> ScenarioRun:
    """Verify, warm up and time every framework on one scenario, alternating between them."""
    run = ScenarioRun(scenario.name)
    apps: dict[str, WSGIApplication] = {HARNESS: _null_app}
    for name, module in modules.items():
        app = getattr(module, scenario.app_attr, None)
        if app is None:
            run.failures[name] = [f"{module.__name__} has no {scenario.app_attr!r}"]
            continue
        problems = verify(scenario, app)
        if problems:
            run.failures[name] = problems
        else:
            apps[name] = app
    template = environ_template(scenario)
    body = scenario.body
    batch_ns = int(settings.batch_ms * 1e6)
    gc.collect()
    for name, app in apps.items():
        calls = warm_up(app, template, body, int(settings.warmup_ms * 1e6), batch_ns)
        run.results[name] = Result(calls)
    order = list(apps)
    for repeat in range(settings.repeats):
        # Round-robin, starting one further along each repeat: drift and any position effect
        # are shared by every framework instead of landing on one.
        shift = repeat % len(order)
        for name in order[shift:] + order[:shift]:
            result = run.results[name]
            elapsed = time_batch(apps[name], template, body, result.calls_per_batch)
            result.samples.append(elapsed / result.calls_per_batch / 1000.0)
    log(f"  {scenario.name}: done")
    return run


# --- reporting --------------------------------------------------------------------------------


def fmt(us: float) -> str:
    """µs with about three significant digits."""
    if us < 10:
        return f"{us:.2f}"
    if us < 100:
        return f"{us:.1f}"
    return f"{us:.0f}"


def fmt_ratio(ratio: dict[str, float] | None) -> str:
    return "n/a" if ratio is None else f"{ratio['median']:.2f}"


def render_markdown(
    runs: Sequence[ScenarioRun],
    frameworks: Sequence[str],
    skipped: dict[str, str],
    settings: Settings,
    meta: dict[str, Any],
) -> str:
    """The report: a summary table of medians and ratios, then the spread behind each number."""
    lines = [
        "## In-process benchmark (µs per request, lower is better)",
        "",
        f"{meta['python']} on {meta['machine']}; "
        + ", ".join(
            f"{name} {meta['versions'][name]}" + (" (not imported)" if name in skipped else "")
            for name in frameworks
            if name != "raw"
        )
        + f". {settings.repeats} repeats of about {settings.batch_ms:g} ms each per cell, "
        "frameworks alternated round-robin; cells are medians.",
        "",
    ]
    header = ["scenario", *frameworks, "kolba/falcon", "kolba/flask"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---|" + "---:|" * (len(header) - 1))
    for run in runs:
        cells = [run.scenario]
        for name in frameworks:
            if name in skipped:
                cells.append("skipped")
            elif name in run.failures:
                cells.append("FAIL")
            else:
                cells.append(fmt(run.results[name].summary()["median"]))
        cells += [fmt_ratio(run.ratio("kolba", "falcon")), fmt_ratio(run.ratio("kolba", "flask"))]
        lines.append("| " + " | ".join(cells) + " |")
    harness = [r.results[HARNESS].summary()["median"] for r in runs if HARNESS in r.results]
    if harness:
        lines += [
            "",
            f"Harness cost included in every cell (fresh environ + BytesIO + call + join, "
            f"no-op app): {fmt(min(harness))}-{fmt(max(harness))} µs.",
        ]
    lines += ["", "Targets: kolba/falcon <= 1.0 and kolba/flask <= 0.125 in every scenario."]
    if skipped:
        lines += ["", "Skipped (app did not import):"]
        lines += [f"- {name}: {why}" for name, why in skipped.items()]
    failures = [(run.scenario, n, p) for run in runs for n, p in run.failures.items()]
    if failures:
        lines += ["", "Wrong answers (not timed):"]
        lines += [f"- {sc} / {name}: {'; '.join(p)}" for sc, name, p in failures]
    lines += [
        "",
        "### Spread",
        "",
        "| scenario | framework | median | q1-q3 | min-max | calls/batch |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        for name, result in run.results.items():
            s = result.summary()
            lines.append(
                f"| {run.scenario} | {name} | {fmt(s['median'])} | {fmt(s['q1'])}-{fmt(s['q3'])}"
                f" | {fmt(s['min'])}-{fmt(s['max'])} | {result.calls_per_batch} |"
            )
        for other in ("falcon", "flask"):
            ratio = run.ratio("kolba", other)
            if ratio is not None:
                lines.append(
                    f"| {run.scenario} | kolba/{other} | {ratio['median']:.2f} | "
                    f"{ratio['q1']:.2f}-{ratio['q3']:.2f} | {ratio['min']:.2f}-{ratio['max']:.2f} | |"
                )
    return "\n".join(lines) + "\n"


def to_json(
    runs: Sequence[ScenarioRun],
    skipped: dict[str, str],
    settings: Settings,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """Everything measured, raw samples included, for later comparison between runs."""
    return {
        "meta": meta,
        "settings": vars(settings),
        "skipped": skipped,
        "scenarios": {
            run.scenario: {
                "results": {
                    name: {
                        "calls_per_batch": r.calls_per_batch,
                        "samples_us": r.samples,
                        **r.summary(),
                    }
                    for name, r in run.results.items()
                },
                "failures": run.failures,
                "ratios": {
                    f"kolba/{other}": ratio
                    for other in ("falcon", "flask")
                    if (ratio := run.ratio("kolba", other)) is not None
                },
            }
            for run in runs
        },
    }


# --- command line -----------------------------------------------------------------------------


def _names(value: str, known: Sequence[str], what: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown) or '(none given)'}; choose from {', '.join(known)}"
        )
    return names


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (< 1 min)")
    parser.add_argument(
        "--scenarios",
        type=lambda v: _names(v, list(SCENARIO_BY_NAME), "scenario"),
        default=list(SCENARIO_BY_NAME),
        help="comma-separated subset of: " + ",".join(SCENARIO_BY_NAME),
    )
    parser.add_argument(
        "--frameworks",
        type=lambda v: _names(v, list(FRAMEWORKS), "framework"),
        default=list(FRAMEWORKS),
        help="comma-separated subset of: " + ",".join(FRAMEWORKS),
    )
    parser.add_argument("--repeats", type=int, help="timed batches per cell")
    parser.add_argument("--batch-ms", type=float, help="target duration of one batch")
    parser.add_argument("--warmup-ms", type=float, help="warm-up time per cell")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    parser.add_argument("--markdown", type=Path, metavar="OUT", help="also write the table")
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    base = QUICK if args.quick else FULL
    settings = Settings(
        repeats=args.repeats or base.repeats,
        batch_ms=args.batch_ms or base.batch_ms,
        warmup_ms=args.warmup_ms if args.warmup_ms is not None else base.warmup_ms,
    )

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # Keep the table's column order fixed whatever order the names were given in.
    frameworks = [name for name in FRAMEWORKS if name in args.frameworks]
    modules, skipped = load_frameworks(frameworks)
    for name, why in skipped.items():
        log(f"skipping {name}: its app failed to import ({why})")
    if not modules:
        log("no framework app could be imported; nothing to measure")
        return 1
    meta = {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "versions": {name: framework_version(name) for name in frameworks},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
    }
    log(f"timing {', '.join(modules)} ({settings.repeats} repeats x ~{settings.batch_ms:g} ms)")
    runs = [
        run_scenario(SCENARIO_BY_NAME[name], modules, settings, log)
        for name in SCENARIO_BY_NAME
        if name in args.scenarios
    ]
    for run in runs:
        for name, problems in run.failures.items():
            log(f"WRONG ANSWER {run.scenario}/{name} (not timed): {'; '.join(problems)}")
    table = render_markdown(runs, frameworks, skipped, settings, meta)
    print(table, end="")
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    if args.json:
        args.json.write_text(
            json.dumps(to_json(runs, skipped, settings, meta), indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""In-process benchmark: kolba against Flask, Bottle, Falcon and a raw WSGI callable.

Run ``python benchmarks/inprocess.py --help``; benchmarks/README.md explains the method and how to
read the table. Every framework serves the same scenarios from benchmarks/apps/<name>_app.py; each
scenario is checked once per framework before it is timed, so nobody wins by answering wrongly.
``--check BASELINE`` makes it a regression gate for CI (see :func:`compare_to_baseline`).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import io
import json
import pstats
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import benchlib
from benchlib import describe, log

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

APPS_DIR = benchlib.APPS_DIR
if str(APPS_DIR) not in sys.path:
    sys.path.insert(0, str(APPS_DIR))
scenario_data: Any = importlib.import_module("scenario_data")

# name -> (module in benchmarks/apps, distribution whose version is reported)
FRAMEWORKS: dict[str, tuple[str, str | None]] = {
    "raw": ("raw_app", None),
    "falcon": ("falcon_app", "falcon"),
    "bottle": ("bottle_app", "bottle"),
    "flask": ("flask_app", "Flask"),
    "kolba": ("kolba_app", "kolba"),
}
HARNESS = "harness"  # a do-nothing app timed alongside, to show what the loop itself costs
DEFAULT_BASELINE = benchlib.BENCH_DIR / "baseline.json"
CHECK_FACTOR = 2.0  # --check fails when kolba/falcon grows past this multiple of the baseline

HTML = "text/html; charset=utf-8"
FORM_BODY = b"first=Ada&last=Lovelace&email=ada%40example.com&age=36&city=St+Albans"
MULTIPART_BOUNDARY = "kolbaBenchBoundary7MA4YWxkTrZu0gW"

Headers = Sequence[tuple[str, str]]
Checker = Callable[[int, Headers, bytes], list[str]]


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
    # Send If-None-Match / If-Modified-Since taken from the framework's own answer to the same
    # request without them, as a browser revalidating its cached copy does.
    revalidate: bool = False
    check: Checker | None = None  # further checks, for answers that vary per framework


# --- scenario data ----------------------------------------------------------------------------


def multipart_body() -> bytes:
    """Three text fields and one small file, encoded as a browser would."""
    lines: list[bytes] = []
    for name, value in scenario_data.MULTIPART_FIELDS:
        lines += [
            f"--{MULTIPART_BOUNDARY}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value.encode(),
        ]
    field_name, filename, content = scenario_data.MULTIPART_FILE
    lines += [
        f"--{MULTIPART_BOUNDARY}".encode(),
        f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"'.encode(),
        b"Content-Type: text/csv",
        b"",
        content,
        f"--{MULTIPART_BOUNDARY}--".encode(),
        b"",
    ]
    return b"\r\n".join(lines)


def reference_table() -> bytes:
    """The template scenario's page as plain Jinja2 renders it with Flask's settings."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(scenario_data.TEMPLATES_DIR), autoescape=select_autoescape()
    )
    page: str = env.get_template("table.html").render(title="Items", rows=scenario_data.ROWS)
    return page.encode()


SESSION_IN = {"user": "ada", "count": 1}
SESSION_OUT = {"user": "ada", "count": 2}


def _header_values(headers: Headers, name: str) -> list[str]:
    wanted = name.lower()
    return [value for key, value in headers if key.lower() == wanted]


def check_session(status: int, headers: Headers, body: bytes) -> list[str]:
    """The new session cookie must carry the incremented count, signed, HttpOnly, Path=/."""
    cookies = [c for c in _header_values(headers, "Set-Cookie") if c.startswith("session=")]
    if len(cookies) != 1:
        return [f"expected one session cookie, got {cookies!r}"]
    value, *attributes = (part.strip() for part in cookies[0].split(";"))
    problems = []
    try:
        data = scenario_data.session_serializer().loads(value.partition("=")[2])
    except Exception as exc:  # any failure to read it back means the cookie is wrong
        problems.append(f"session cookie does not verify: {type(exc).__name__}: {exc}")
    else:
        if data != SESSION_OUT:
            problems.append(f"session cookie holds {data!r}, expected {SESSION_OUT!r}")
    lowered = {a.lower() for a in attributes}
    if "httponly" not in lowered or "path=/" not in lowered:
        problems.append(f"session cookie attributes {attributes!r} lack HttpOnly or Path=/")
    if not any("cookie" in v.lower() for v in _header_values(headers, "Vary")):
        problems.append("no Vary: Cookie on a response that depends on the session")
    return problems


def check_static(status: int, headers: Headers, body: bytes) -> list[str]:
    """A static file answer must be text/plain and carry a validator for revalidation."""
    problems = []
    content_type = (_header_values(headers, "Content-Type") or [""])[0]
    if not content_type.startswith("text/plain"):
        problems.append(f"Content-Type {content_type!r}, expected text/plain")
    if not _header_values(headers, "ETag") and not _header_values(headers, "Last-Modified"):
        problems.append("neither ETag nor Last-Modified: a browser could not revalidate")
    return problems


STATIC_PATH = f"/static/{scenario_data.STATIC_NAME}"
STATIC_BYTES = (scenario_data.STATIC_DIR / scenario_data.STATIC_NAME).read_bytes()
UPLOAD_ANSWER = (
    " ".join(v for _, v in scenario_data.MULTIPART_FIELDS)
    + f" {scenario_data.MULTIPART_FILE[1]} {len(scenario_data.MULTIPART_FILE[2])}"
).encode()
REPORT_PATH = "".join(scenario_data.NESTED_PREFIXES) + "/7"

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
        "session",
        "GET /session: verify the signed session cookie, read it, write it back",
        "GET",
        "/session",
        headers=(("Cookie", "session=" + scenario_data.session_serializer().dumps(SESSION_IN)),),
        app_attr="session_app",
        expect_body=b"ada 2",
        check=check_session,
    ),
    Scenario(
        "template",
        "GET /template: Jinja2 file template, a 20-row table",
        "GET",
        "/template",
        expect_body=reference_table(),
    ),
    Scenario(
        "static",
        f"GET {STATIC_PATH}, a {len(STATIC_BYTES) / 1024:.0f} KB file, through static support",
        "GET",
        STATIC_PATH,
        expect_body=STATIC_BYTES,
        expect_content_type=None,
        check=check_static,
    ),
    Scenario(
        "static-304",
        "the same file revalidated with If-None-Match / If-Modified-Since",
        "GET",
        STATIC_PATH,
        expect_status=304,
        expect_body=b"",
        expect_content_type=None,
        revalidate=True,
    ),
    Scenario(
        "upload",
        f"POST /upload, multipart: 3 fields and a {len(scenario_data.MULTIPART_FILE[2])}-byte "
        "file read",
        "POST",
        "/upload",
        body=multipart_body(),
        content_type=f"multipart/form-data; boundary={MULTIPART_BOUNDARY}",
        expect_body=UPLOAD_ANSWER,
    ),
    Scenario(
        "nested",
        f"GET {REPORT_PATH}, a route 4 blueprints deep",
        "GET",
        REPORT_PATH,
        expect_body=b"report 7",
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
        return "stdlib"
    return benchlib.version_of(dist)


# --- environ and calls ------------------------------------------------------------------------


def environ_template(
    scenario: Scenario, extra_headers: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """The environ a WSGI server would pass for the scenario's request (PEP 3333 keys).

    Built once per scenario and framework; each call then uses :func:`fresh_environ`.
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
    for name, value in (*scenario.headers, *extra_headers):
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


def check_response(scenario: Scenario, status: int, headers: Headers, body: bytes) -> list[str]:
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
            problems.append(f"body {body[:80]!r}, expected {scenario.expect_body[:80]!r}")
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
    # A 304 may announce the length the full answer would have, so only others are compared.
    if lengths and status != 304 and lengths[0] != str(len(body)):
        problems.append(f"Content-Length {lengths[0]} but the body has {len(body)} bytes")
    if scenario.check is not None and not problems:
        problems += scenario.check(status, headers, body)
    return problems


def _norm_media(value: str) -> str:
    return value.replace(" ", "").lower()


def prepare(scenario: Scenario, app: WSGIApplication) -> tuple[dict[str, Any], list[str]]:
    """The environ template this framework gets for the scenario, and what is wrong with its
    answer to it (empty: correct, ready to time)."""
    template = environ_template(scenario)
    try:
        if scenario.revalidate:
            _, headers, _ = call_app(app, fresh_environ(template, scenario.body))
            validators = [
                (request_header, value)
                for response_header, request_header in (
                    ("etag", "If-None-Match"),
                    ("last-modified", "If-Modified-Since"),
                )
                for name, value in headers
                if name.lower() == response_header
            ]
            if not validators:
                return template, ["no ETag or Last-Modified in the full answer to revalidate with"]
            template = environ_template(scenario, validators)
        status, headers, body = call_app(app, fresh_environ(template, scenario.body))
    except Exception as exc:
        return template, [f"raised {type(exc).__name__}: {exc}"]
    return template, check_response(scenario, status, headers, body)


def verify(scenario: Scenario, app: WSGIApplication) -> list[str]:
    """Call the app for the scenario and list what is wrong with its answer."""
    return prepare(scenario, app)[1]


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
QUICK = Settings(repeats=9, batch_ms=10.0, warmup_ms=30.0)


@dataclass
class Result:
    """Per-request times (µs) of one framework on one scenario, one sample per repeat."""

    calls_per_batch: int
    samples: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return describe(self.samples)


@dataclass(frozen=True)
class Cell:
    """One thing to time: an app and the request (environ template and body) it gets."""

    name: str
    app: WSGIApplication
    template: dict[str, Any]
    body: bytes = b""


def measure(cells: Sequence[Cell], settings: Settings) -> dict[str, Result]:
    """Warm up and time every cell, alternating between them; per-request µs by cell name."""
    batch_ns = int(settings.batch_ms * 1e6)
    gc.collect()
    results = {
        cell.name: Result(
            warm_up(cell.app, cell.template, cell.body, int(settings.warmup_ms * 1e6), batch_ns)
        )
        for cell in cells
    }
    order = list(cells)
    for repeat in range(settings.repeats):
        # Round-robin, starting one further along each repeat: drift and any position effect
        # are shared by every cell instead of landing on one.
        shift = repeat % len(order)
        for cell in order[shift:] + order[:shift]:
            result = results[cell.name]
            elapsed = time_batch(cell.app, cell.template, cell.body, result.calls_per_batch)
            result.samples.append(elapsed / result.calls_per_batch / 1000.0)
    return results


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
    log: Callable[[str], None] = log,
    with_harness: bool = True,
) -> ScenarioRun:
    """Verify, warm up and time every framework on one scenario, alternating between them."""
    run = ScenarioRun(scenario.name)
    cells = [Cell(HARNESS, _null_app, environ_template(scenario), scenario.body)]
    if not with_harness:
        cells.clear()
    for name, module in modules.items():
        app = getattr(module, scenario.app_attr, None)
        if app is None:
            run.failures[name] = [f"{module.__name__} has no {scenario.app_attr!r}"]
            continue
        template, problems = prepare(scenario, app)
        if problems:
            run.failures[name] = problems
        else:
            cells.append(Cell(name, app, template, scenario.body))
    if cells:
        run.results = measure(cells, settings)
    log(f"  {scenario.name}: done")
    return run


# --- the CI gate ------------------------------------------------------------------------------


def baseline_from(runs: Sequence[ScenarioRun], settings: Settings) -> dict[str, Any]:
    """What --write-baseline records: the median kolba/falcon ratio of every scenario."""
    ratios = {}
    for run in runs:
        ratio = run.ratio("kolba", "falcon")
        if ratio is not None:
            ratios[run.scenario] = round(ratio["median"], 4)
    return {
        "about": "kolba/falcon median ratios per in-process scenario; inprocess.py --check "
        f"fails when a ratio exceeds {CHECK_FACTOR:g}x the one recorded here. Rewrite with "
        "inprocess.py --write-baseline after a deliberate change.",
        "meta": benchlib.machine_meta(),
        "settings": vars(settings),
        "ratios": ratios,
    }


def compare_to_baseline(
    runs: Sequence[ScenarioRun], baseline: dict[str, float], factor: float = CHECK_FACTOR
) -> list[str]:
    """The scenarios whose kolba/falcon ratio got more than ``factor`` times worse, and why.

    A faster kolba (a smaller ratio) never fails. A scenario kolba answers wrongly fails too:
    a wrong answer is a regression the timing cannot see. Scenarios not run are not judged.
    """
    problems = []
    for run in runs:
        recorded = baseline.get(run.scenario)
        if recorded is None:
            continue
        if "kolba" in run.failures:
            problems.append(f"{run.scenario}: kolba answers wrongly: {run.failures['kolba']}")
            continue
        ratio = run.ratio("kolba", "falcon")
        if ratio is None:
            why = run.failures.get("falcon", ["falcon was not measured"])
            problems.append(f"{run.scenario}: no kolba/falcon ratio ({'; '.join(why)})")
            continue
        if ratio["median"] > factor * recorded:
            problems.append(
                f"{run.scenario}: kolba/falcon {ratio['median']:.2f} is more than {factor:g}x "
                f"the baseline {recorded:.2f}"
            )
    return problems


def load_baseline(path: Path) -> dict[str, float]:
    data = benchlib.read_json(path)
    if data is None:
        raise FileNotFoundError(
            f"no baseline at {path}; record one with: inprocess.py --write-baseline {path}"
        )
    return {name: float(value) for name, value in data["ratios"].items()}


def run_check(
    runs: list[ScenarioRun], baseline: dict[str, float], modules: dict[str, ModuleType]
) -> list[str]:
    """Compare with the baseline; a scenario over the limit is measured once more, longer,
    with kolba and Falcon only, and fails only if it is over again (a busy neighbour can spoil
    one short measurement, rarely two)."""
    problems = compare_to_baseline(runs, baseline)
    if not problems or not {"kolba", "falcon"} <= modules.keys():
        return problems
    pair = {name: modules[name] for name in ("falcon", "kolba")}
    for index, run in enumerate(runs):
        if any(p.startswith(run.scenario + ":") for p in problems):
            log(f"  {run.scenario}: over the limit, measuring again")
            runs[index] = run_scenario(SCENARIO_BY_NAME[run.scenario], pair, FULL, log, False)
    return compare_to_baseline(runs, baseline)


# --- profiling --------------------------------------------------------------------------------


def profile(scenario: Scenario, module: ModuleType, calls: int, top: int) -> str:
    """cProfile of ``calls`` requests of one scenario; the ``top`` functions by own time."""
    app = getattr(module, scenario.app_attr)
    template, problems = prepare(scenario, app)
    if problems:
        return f"{scenario.name}: wrong answer, not profiled: {problems}"
    time_batch(app, template, scenario.body, 200)
    profiler = cProfile.Profile()
    profiler.enable()
    time_batch(app, template, scenario.body, calls)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    calls_per_request = stats.total_calls / calls  # type: ignore[attr-defined]
    return (
        f"## {scenario.name}: {calls} requests, {calls_per_request:.0f} function calls per "
        f"request (harness included)\n{out.getvalue()}"
    )


# --- reporting --------------------------------------------------------------------------------


fmt = benchlib.fmt_us


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
            elif name in run.results:
                cells.append(fmt(run.results[name].summary()["median"]))
            else:
                cells.append("-")
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
    """Everything measured, raw samples included, for report.py and later comparisons."""
    return {
        "meta": meta,
        "settings": vars(settings),
        "skipped": skipped,
        "scenarios": {
            run.scenario: {
                "description": SCENARIO_BY_NAME[run.scenario].description,
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
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (< 30 s)")
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
    parser.add_argument(
        "--check",
        type=Path,
        metavar="BASELINE",
        help=f"exit 1 when a kolba/falcon ratio is over {CHECK_FACTOR:g}x the baseline's",
    )
    parser.add_argument(
        "--write-baseline",
        type=Path,
        nargs="?",
        const=DEFAULT_BASELINE,
        metavar="BASELINE",
        help=f"record this run's kolba/falcon ratios (default {DEFAULT_BASELINE.name})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of timing, cProfile kolba on the chosen scenarios and print the hotspots",
    )
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    needs_pair = args.check or args.write_baseline
    if needs_pair and not {"kolba", "falcon"} <= set(args.frameworks):
        parser.error("--check and --write-baseline need both kolba and falcon in --frameworks")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    base = QUICK if args.quick else FULL
    settings = Settings(
        repeats=args.repeats or base.repeats,
        batch_ms=args.batch_ms or base.batch_ms,
        warmup_ms=args.warmup_ms if args.warmup_ms is not None else base.warmup_ms,
    )
    baseline: dict[str, float] = {}
    if args.check:
        try:
            baseline = load_baseline(args.check)
        except (OSError, KeyError, ValueError) as exc:
            log(f"cannot check: {exc}")
            return 2
    # Keep the table's column order fixed whatever order the names were given in.
    frameworks = [name for name in FRAMEWORKS if name in args.frameworks]
    modules, skipped = load_frameworks(frameworks)
    for name, why in skipped.items():
        log(f"skipping {name}: its app failed to import ({why})")
    if args.profile:
        if "kolba" not in modules:
            log("kolba's app did not import; nothing to profile")
            return 1
        for name in args.scenarios:
            print(profile(SCENARIO_BY_NAME[name], modules["kolba"], 20_000, 25))
        return 0
    if not modules:
        log("no framework app could be imported; nothing to measure")
        return 1
    meta = benchlib.machine_meta()
    meta["versions"].update({name: framework_version(name) for name in frameworks})
    meta["quick"] = args.quick
    log(f"timing {', '.join(modules)} ({settings.repeats} repeats x ~{settings.batch_ms:g} ms)")
    runs = [
        run_scenario(SCENARIO_BY_NAME[name], modules, settings, log)
        for name in SCENARIO_BY_NAME
        if name in args.scenarios
    ]
    for run in runs:
        for name, problems in run.failures.items():
            log(f"WRONG ANSWER {run.scenario}/{name} (not timed): {'; '.join(problems)}")
    status = 0
    if args.check:
        if needs := [n for n in ("kolba", "falcon") if n in skipped]:
            log(f"CHECK FAILED: cannot compare, {', '.join(needs)} did not import")
            status = 1
        elif problems := run_check(runs, baseline, modules):
            log("CHECK FAILED: kolba got slower relative to Falcon than the baseline allows:")
            for problem in problems:
                log(f"  - {problem}")
            status = 1
        else:
            log(f"check passed: every kolba/falcon ratio within {CHECK_FACTOR:g}x of {args.check}")
    table = render_markdown(runs, frameworks, skipped, settings, meta)
    print(table, end="")
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    if args.json:
        benchlib.write_json(args.json, to_json(runs, skipped, settings, meta))
    if args.write_baseline:
        benchlib.write_json(args.write_baseline, baseline_from(runs, settings))
        log(f"baseline written to {args.write_baseline}")
    return status


if __name__ == "__main__":
    sys.exit(main())

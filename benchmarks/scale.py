"""How the cost of one request grows: with registered routes, with nesting depth, with body size.

Run ``python benchmarks/scale.py [--quick] [--json OUT]``. Each case builds one app per
framework (kolba, Flask, Falcon, Bottle) and checks its answer; then all sizes of one axis on all
frameworks are timed in one run, alternating, with the in-process runner's method
(inprocess.measure), so that drift on a busy machine does not pass for growth. The raw callable is left out: its routing is
a dict lookup and says nothing about how a router scales.

- routes: N static routes ``/s{i}/page`` plus N dynamic ``/d{i}/<int:id>`` (N = 10, 100,
  1000); the request goes to the last one registered, the worst case for a linear scan.
  PERFORMANCE.md's target: a static route costs the same at 10 and 1000 routes, a dynamic one
  grows at most logarithmically.
- depth: a route under 1, 2, 4 and 8 nested blueprints (Bottle: mounted apps; Falcon has no
  nesting, so it gets the same path on a flat route).
- form: a urlencoded POST of 10, 100 and 1000 fields, all read.
- upload: a multipart POST carrying one file of 1 KB, 64 KB and 1 MB, read whole.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import benchlib
import inprocess
from benchlib import fmt_us, log

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

FRAMEWORKS = ("falcon", "bottle", "flask", "kolba")
BOUNDARY = "kolbaScaleBoundary"


@dataclass(frozen=True)
class Case:
    """One point on one axis: the request, its expected answer, and the app shape it needs."""

    dimension: str  # routes-static, routes-dynamic, depth, form, upload
    size: int
    method: str
    path: str
    expect_body: bytes
    body: bytes = b""
    content_type: str = ""

    @property
    def label(self) -> str:
        return f"{self.dimension}={self.size}"

    def scenario(self) -> inprocess.Scenario:
        return inprocess.Scenario(
            name=self.label,
            description=self.label,
            method=self.method,
            path=self.path,
            body=self.body,
            content_type=self.content_type,
            expect_body=self.expect_body,
            expect_content_type=None,
        )


def form_body(fields: int) -> bytes:
    return "&".join(f"field{i}=value{i:05d}" for i in range(fields)).encode()


def upload_body(size: int) -> bytes:
    return b"\r\n".join(
        [
            f"--{BOUNDARY}".encode(),
            b'Content-Disposition: form-data; name="upload"; filename="data.bin"',
            b"Content-Type: application/octet-stream",
            b"",
            bytes(range(256)) * (size // 256),
            f"--{BOUNDARY}--".encode(),
            b"",
        ]
    )


def depth_prefixes(depth: int) -> list[str]:
    return [f"/l{level}" for level in range(depth)]


def cases(quick: bool) -> list[Case]:
    route_counts = (10, 1000) if quick else (10, 100, 1000)
    depths = (1, 8) if quick else (1, 2, 4, 8)
    field_counts = (10, 1000) if quick else (10, 100, 1000)
    file_sizes = (1024, 1024 * 1024) if quick else (1024, 64 * 1024, 1024 * 1024)
    result: list[Case] = []
    for n in route_counts:
        result.append(Case("routes-static", n, "GET", f"/s{n - 1}/page", b"static"))
        result.append(Case("routes-dynamic", n, "GET", f"/d{n - 1}/7", b"dynamic 7"))
    for depth in depths:
        path = "".join(depth_prefixes(depth)) + "/7"
        result.append(Case("depth", depth, "GET", path, b"item 7"))
    for fields in field_counts:
        result.append(
            Case(
                "form",
                fields,
                "POST",
                "/form",
                str(fields).encode(),
                form_body(fields),
                "application/x-www-form-urlencoded",
            )
        )
    for size in file_sizes:
        result.append(
            Case(
                "upload",
                size,
                "POST",
                "/upload",
                str(size).encode(),
                upload_body(size),
                f"multipart/form-data; boundary={BOUNDARY}",
            )
        )
    return result


# --- the apps ---------------------------------------------------------------------------------
# kolba and Flask share one builder: the same code, given either package, is the porting promise.


def flaskish_app(package: Any, app_class: str, shape: str, size: int) -> WSGIApplication:
    app = getattr(package, app_class)(__name__)
    request = package.request
    if shape == "routes":
        for i in range(size):
            app.add_url_rule(f"/s{i}/page", f"s{i}", lambda: "static")
            app.add_url_rule(f"/d{i}/<int:item_id>", f"d{i}", lambda item_id: f"dynamic {item_id}")
    elif shape == "depth":
        levels = [
            package.Blueprint(f"level{n}", __name__, url_prefix=prefix)
            for n, prefix in enumerate(depth_prefixes(size))
        ]
        levels[-1].add_url_rule("/<int:item_id>", "item", lambda item_id: f"item {item_id}")
        for outer, inner in pairwise(levels):
            outer.register_blueprint(inner)
        app.register_blueprint(levels[0])
    else:
        app.add_url_rule("/form", "form", lambda: str(len(request.form)), methods=["POST"])
        app.add_url_rule(
            "/upload",
            "upload",
            lambda: str(len(request.files["upload"].read())),
            methods=["POST"],
        )
    wsgi: WSGIApplication = app
    return wsgi


def falcon_app(shape: str, size: int) -> WSGIApplication:
    import falcon

    class Text:
        def __init__(self, text: Callable[..., str]) -> None:
            self.text = text

        def on_get(self, req: falcon.Request, resp: falcon.Response, **params: Any) -> None:
            resp.text = self.text(**params)

    class Form:
        def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.text = str(len(req.get_media()))

    class Upload:
        def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
            size = 0
            for part in req.get_media():
                if part.name == "upload":
                    size = len(part.stream.read())
            resp.text = str(size)

    app = falcon.App(media_type=falcon.MEDIA_TEXT)
    if shape == "routes":
        static = Text(lambda: "static")
        dynamic = Text(lambda item_id: f"dynamic {item_id}")
        for i in range(size):
            app.add_route(f"/s{i}/page", static)
            app.add_route(f"/d{i}/{{item_id:int}}", dynamic)
    elif shape == "depth":
        path = "".join(depth_prefixes(size)) + "/{item_id:int}"
        app.add_route(path, Text(lambda item_id: f"item {item_id}"))
    else:
        app.add_route("/form", Form())
        app.add_route("/upload", Upload())
    # falcon's WSGI signature is a narrower (but compatible) spelling of typeshed's.
    wsgi: WSGIApplication = app  # type: ignore[assignment]
    return wsgi


def bottle_app(shape: str, size: int) -> WSGIApplication:
    import bottle  # type: ignore[import-untyped]

    app = bottle.Bottle()
    if shape == "routes":
        for i in range(size):
            app.route(f"/s{i}/page", callback=lambda: "static")
            app.route(f"/d{i}/<item_id:int>", callback=lambda item_id: f"dynamic {item_id}")
    elif shape == "depth":
        levels = [bottle.Bottle() for _ in range(size)]
        levels[-1].route("/<item_id:int>", callback=lambda item_id: f"item {item_id}")
        prefixes = depth_prefixes(size)
        for depth in range(size - 1, 0, -1):
            levels[depth - 1].mount(prefixes[depth] + "/", levels[depth])
        app.mount(prefixes[0] + "/", levels[0])
    else:
        app.route("/form", "POST", lambda: str(len(bottle.request.forms)))
        app.route(
            "/upload",
            "POST",
            lambda: str(len(bottle.request.files.get("upload").file.read())),
        )
    wsgi: WSGIApplication = app
    return wsgi


def build(framework: str, shape: str, size: int) -> WSGIApplication:
    if framework in {"flask", "kolba"}:
        package = importlib.import_module(framework)
        return flaskish_app(package, "Flask" if framework == "flask" else "Kolba", shape, size)
    if framework == "falcon":
        return falcon_app(shape, size)
    if framework == "bottle":
        return bottle_app(shape, size)
    raise ValueError(f"unknown framework {framework!r}")


def _shape(case: Case) -> tuple[str, int]:
    """The app a case needs: route tables and depths per size; one body app for all sizes."""
    if case.dimension.startswith("routes"):
        return "routes", case.size
    if case.dimension == "depth":
        return "depth", case.size
    return "bodies", 0


# --- running ----------------------------------------------------------------------------------


def run(quick: bool, frameworks: Sequence[str] = FRAMEWORKS) -> dict[str, Any]:
    """Time every case on every framework; return the JSON report.py reads."""
    settings = (
        inprocess.Settings(repeats=5, batch_ms=4.0, warmup_ms=12.0)
        if quick
        else inprocess.Settings(repeats=11, batch_ms=15.0, warmup_ms=50.0)
    )
    apps: dict[tuple[str, str, int], WSGIApplication] = {}
    results: dict[str, dict[str, Any]] = {}
    failures: dict[str, dict[str, list[str]]] = {}
    by_dimension: dict[str, list[Case]] = {}
    for case in cases(quick):
        by_dimension.setdefault(case.dimension, []).append(case)
    for dimension, dimension_cases in by_dimension.items():
        # Every size of one dimension is timed in one alternating run, so machine drift cannot
        # pass for growth with N.
        cells = []
        for case in dimension_cases:
            scenario = case.scenario()
            for framework in frameworks:
                key = (framework, *_shape(case))
                try:
                    if key not in apps:
                        apps[key] = build(framework, *_shape(case))
                    template, problems = inprocess.prepare(scenario, apps[key])
                except Exception as exc:  # a framework that cannot build the case is reported
                    template, problems = {}, [f"{type(exc).__name__}: {exc}"]
                if problems:
                    failures.setdefault(case.label, {})[framework] = problems
                    log(f"WRONG ANSWER {case.label}/{framework}: {'; '.join(problems)}")
                else:
                    cells.append(
                        inprocess.Cell(f"{framework}@{case.size}", apps[key], template, case.body)
                    )
        measured = inprocess.measure(cells, settings) if cells else {}
        for case in dimension_cases:
            results[case.label] = {
                "dimension": case.dimension,
                "size": case.size,
                "results": {
                    framework: {"samples_us": r.samples, **r.summary()}
                    for framework in frameworks
                    if (r := measured.get(f"{framework}@{case.size}")) is not None
                },
            }
        log(f"  {dimension}: done")
    return {
        "meta": benchlib.machine_meta(),
        "settings": vars(settings),
        "quick": quick,
        "frameworks": list(frameworks),
        "cases": results,
        "failures": failures,
    }


DIMENSION_TITLES = {
    "routes-static": "Static route, N static + N dynamic routes registered",
    "routes-dynamic": "Dynamic route (int converter), N static + N dynamic routes registered",
    "depth": "Route under N nested blueprints",
    "form": "Urlencoded POST with N fields, all read",
    "upload": "Multipart POST with one file of N bytes, read whole",
}


def render_markdown(data: dict[str, Any]) -> str:
    """One table per dimension: µs per request by size and framework, and kolba's growth."""
    frameworks: list[str] = data["frameworks"]
    by_dimension: dict[str, list[dict[str, Any]]] = {}
    for case in data["cases"].values():
        by_dimension.setdefault(case["dimension"], []).append(case)
    lines = ["## Scale (µs per request, medians)", ""]
    for dimension, rows in by_dimension.items():
        lines += [f"### {DIMENSION_TITLES.get(dimension, dimension)}", ""]
        lines.append("| N | " + " | ".join(frameworks) + " |")
        lines.append("|---:|" + "---:|" * len(frameworks))
        for case in rows:
            cells = [
                fmt_us(case["results"][f]["median"]) if f in case["results"] else "FAIL"
                for f in frameworks
            ]
            lines.append(f"| {case['size']:,} | " + " | ".join(cells) + " |")
        growth = [
            f"{f} x{rows[-1]['results'][f]['median'] / rows[0]['results'][f]['median']:.2f}"
            for f in frameworks
            if f in rows[0]["results"] and f in rows[-1]["results"]
        ]
        lines += [
            "",
            f"Growth from N={rows[0]['size']:,} to N={rows[-1]['size']:,}: " + ", ".join(growth),
            "",
        ]
    failures = data.get("failures") or {}
    if failures:
        lines += ["Wrong answers (not timed):", ""]
        for label, per in failures.items():
            lines += [f"- {label} / {f}: {'; '.join(p)}" for f, p in per.items()]
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    args = parser.parse_args(argv)
    available = []
    for framework in FRAMEWORKS:
        try:
            importlib.import_module(framework)
            available.append(framework)
        except ImportError as exc:
            log(f"skipping {framework}: {exc}")
    data = run(args.quick, available)
    print(render_markdown(data))
    if args.json:
        benchlib.write_json(args.json, data)
    return 1 if data["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())

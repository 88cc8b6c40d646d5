"""One framework's memory figures, in a fresh interpreter: ``memory_child.py FRAMEWORK N``.

memory.py runs this once per framework and reads the JSON it prints. The bare interpreter's
size is read first, before this file imports anything beyond what Python itself loads.
"""

from __future__ import annotations


def rss_kb() -> int:
    """This process's resident set size in KiB (Linux /proc), read without imports."""
    with open("/proc/self/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


RSS_BARE_KB = rss_kb()

import gc  # noqa: E402  (after the bare figure on purpose)
import importlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tracemalloc  # noqa: E402
from typing import Any  # noqa: E402

PACKAGES = {"falcon": "falcon", "bottle": "bottle", "flask": "flask", "kolba": "kolba"}
MIX = ("hello", "param", "json", "form", "cookies", "404")

# A minimal one-route app per framework, as a user would write it, for the RSS figure.
MINIMAL_APPS = {
    "raw": """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, World!"]
""",
    "falcon": """
import falcon
class Hello:
    def on_get(self, req, resp):
        resp.text = "Hello, World!"
app = falcon.App()
app.add_route("/", Hello())
""",
    "bottle": """
import bottle
app = bottle.Bottle()
app.route("/", callback=lambda: "Hello, World!")
""",
    "flask": """
from flask import Flask
app = Flask("minimal")
@app.route("/")
def hello():
    return "Hello, World!"
""",
    "kolba": """
from kolba import Kolba
app = Kolba("minimal")
@app.route("/")
def hello():
    return "Hello, World!"
""",
}


def measure(framework: str, requests: int) -> dict[str, Any]:
    """RSS after import and app creation, then tracemalloc figures over ``requests``."""
    out: dict[str, Any] = {"rss_bare_kb": RSS_BARE_KB}
    package = PACKAGES.get(framework)
    if package is not None:
        importlib.import_module(package)
    out["rss_import_kb"] = rss_kb()
    exec(compile(MINIMAL_APPS[framework], f"<minimal {framework} app>", "exec"), {})
    out["rss_app_kb"] = rss_kb()

    import inprocess  # the benchmark apps and the timing loop; only after the RSS figures

    module = inprocess.load_framework(framework)
    prepared = []
    for name in MIX:
        scenario = inprocess.SCENARIO_BY_NAME[name]
        template, problems = inprocess.prepare(scenario, module.app)
        if problems:
            raise RuntimeError(f"{framework} answers {name} wrongly: {problems}")
        prepared.append((template, scenario.body))
    for template, body in prepared:
        inprocess.time_batch(module.app, template, body, 500)
    gc.collect()

    tracemalloc.start()
    hello_template = prepared[0][0]
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    inprocess.time_batch(module.app, hello_template, b"", 1)
    after, peak = tracemalloc.get_traced_memory()
    out["request_peak_bytes"] = peak - before
    out["request_kept_bytes"] = after - before

    gc.collect()
    start, _ = tracemalloc.get_traced_memory()
    per_step = max(1, requests // len(prepared) // 10)
    checkpoints = []
    for _ in range(10):
        for template, body in prepared:
            inprocess.time_batch(module.app, template, body, per_step)
        gc.collect()
        checkpoints.append(tracemalloc.get_traced_memory()[0] - start)
    tracemalloc.stop()
    out["requests"] = per_step * 10 * len(prepared)
    out["growth_bytes"] = checkpoints[-1]
    # Growth over the second half alone: a cache filled once early is not a leak.
    out["growth_second_half_bytes"] = checkpoints[-1] - checkpoints[4]
    out["rss_end_kb"] = rss_kb()
    return out


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))

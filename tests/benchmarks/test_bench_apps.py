"""The benchmark apps answer every scenario correctly, and the runner's checks can tell.

Nothing here is timed: these tests keep the benchmark honest (same answers from every
framework, built through the runner's own environ builder) so a fast number is never a wrong one.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
runner: Any = importlib.import_module("inprocess")

SCENARIOS = [s.name for s in runner.SCENARIOS]
FRAMEWORKS = list(runner.FRAMEWORKS)
_loaded: dict[str, ModuleType | str] = {}


def _app_module(framework: str) -> ModuleType:
    """The framework's app module; kolba is skipped (with the reason) while it cannot import."""
    if framework not in _loaded:
        try:
            _loaded[framework] = runner.load_framework(framework)
        except Exception as exc:
            _loaded[framework] = f"{type(exc).__name__}: {exc}"
    module = _loaded[framework]
    if isinstance(module, str):
        package = runner.FRAMEWORKS[framework][1]
        if package and importlib.util.find_spec(package.lower()) is None:
            pytest.skip(f"{package} is not installed (pip install -e '.[bench]')")
        pytest.fail(f"{framework}'s benchmark app failed to import: {module}")
    return module


@pytest.mark.parametrize("scenario_name", SCENARIOS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_app_answers_scenario(framework: str, scenario_name: str) -> None:
    scenario = runner.SCENARIO_BY_NAME[scenario_name]
    app = getattr(_app_module(framework), scenario.app_attr)
    assert runner.verify(scenario, app) == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_app_answers_repeated_calls_the_same(framework: str) -> None:
    # The timing loop reuses one app for thousands of calls; state must not leak between them.
    scenario = runner.SCENARIO_BY_NAME["cookies"]
    app = getattr(_app_module(framework), scenario.app_attr)
    for _ in range(3):
        assert runner.verify(scenario, app) == []


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_session_app_needs_the_session_cookie_to_count(framework: str) -> None:
    # Without the incoming cookie the count starts again: the benchmark really reads it.
    module = _app_module(framework)
    scenario = runner.SCENARIO_BY_NAME["session"]
    template = runner.environ_template(runner.SCENARIO_BY_NAME["hello"])
    template["PATH_INFO"] = scenario.path
    _, _, body = runner.call_app(module.session_app, runner.fresh_environ(template, b""))
    assert body == b"None 1"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_static_revalidation_answers_304_only_for_the_current_file(framework: str) -> None:
    module = _app_module(framework)
    scenario = runner.SCENARIO_BY_NAME["static-304"]
    template, problems = runner.prepare(scenario, module.app)
    assert problems == []
    assert "HTTP_IF_NONE_MATCH" in template or "HTTP_IF_MODIFIED_SINCE" in template
    stale = runner.environ_template(
        scenario,
        [("If-None-Match", '"stale-etag"'), ("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")],
    )
    status, _, body = runner.call_app(module.app, runner.fresh_environ(stale, b""))
    assert (status, body) == (200, runner.STATIC_BYTES)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_hooks_stay_off_the_plain_app(framework: str) -> None:
    # The other scenarios are timed on `app`; hook cost must not leak into them.
    module = _app_module(framework)
    environ = runner.fresh_environ(runner.environ_template(runner.SCENARIO_BY_NAME["hello"]), b"")
    _, headers, _ = runner.call_app(module.app, environ)
    assert "x-hook" not in {name.lower() for name, _ in headers}


def _code_after_docstring(path: Path, rename: bool = False) -> tuple[list[str], list[str]]:
    """(sorted top-level import lines, every other line) of a module, below its docstring.

    The import block is compared as a set because the import sorter places ``kolba`` (first
    party) in another group than ``flask`` (third party); everything else must match line for
    line.
    """
    text = path.read_text(encoding="utf-8")
    code = text[text.index('"""', 3) + 3 :]
    if rename:
        code = code.replace("flask", "kolba").replace("Flask", "Kolba")
    lines = [line for line in code.splitlines() if line.strip()]
    imports = sorted(line for line in lines if line.startswith(("import ", "from ")))
    rest = [line for line in lines if not line.startswith(("import ", "from "))]
    return imports, rest


@pytest.mark.parametrize(
    ("flask_file", "kolba_file"),
    [
        ("apps/flask_app.py", "apps/kolba_app.py"),
        ("techempower/te_flask.py", "techempower/te_kolba.py"),
    ],
)
def test_kolba_app_is_the_flask_app_with_renamed_imports(flask_file: str, kolba_file: str) -> None:
    renamed = _code_after_docstring(BENCH_DIR / flask_file, rename=True)
    assert _code_after_docstring(BENCH_DIR / kolba_file) == renamed


# --- the environ builder ------------------------------------------------------------------


def test_environ_has_pep3333_keys_and_the_scenario_request() -> None:
    scenario = runner.SCENARIO_BY_NAME["json"]
    environ = runner.fresh_environ(runner.environ_template(scenario), scenario.body)
    required = {
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "wsgi.version",
        "wsgi.url_scheme",
        "wsgi.input",
        "wsgi.errors",
        "wsgi.multithread",
        "wsgi.multiprocess",
        "wsgi.run_once",
    }
    assert required <= environ.keys()
    assert (environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"]) == (
        "GET",
        "/json",
        "n=5",
    )
    assert "CONTENT_LENGTH" not in environ


def test_post_environ_carries_body_length_and_type() -> None:
    scenario = runner.SCENARIO_BY_NAME["form"]
    environ = runner.fresh_environ(runner.environ_template(scenario), scenario.body)
    assert environ["CONTENT_LENGTH"] == str(len(scenario.body))
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert environ["wsgi.input"].read() == scenario.body


def test_each_call_gets_its_own_unread_input() -> None:
    scenario = runner.SCENARIO_BY_NAME["form"]
    template = runner.environ_template(scenario)
    first = runner.fresh_environ(template, scenario.body)
    first["wsgi.input"].read()
    first["EXTRA"] = "changed"
    second = runner.fresh_environ(template, scenario.body)
    assert second["wsgi.input"] is not first["wsgi.input"]
    assert second["wsgi.input"].read() == scenario.body
    assert "EXTRA" not in second


def test_request_headers_become_http_keys() -> None:
    environ = runner.environ_template(runner.SCENARIO_BY_NAME["cookies"])
    assert environ["HTTP_COOKIE"] == "theme=dark; lang=en; sid=a1b2c3d4"


# --- the answer checks --------------------------------------------------------------------

HTML = [("Content-Type", "text/html; charset=utf-8")]


def _problems(name: str, status: int, headers: list[tuple[str, str]], body: bytes) -> list[str]:
    result: list[str] = runner.check_response(runner.SCENARIO_BY_NAME[name], status, headers, body)
    return result


def test_check_accepts_a_correct_answer() -> None:
    assert _problems("hello", 200, HTML, b"Hello, World!") == []


@pytest.mark.parametrize(
    ("status", "headers", "body", "complaint"),
    [
        (500, HTML, b"Hello, World!", "status 500"),
        (200, HTML, b"Hello", "body"),
        (200, [("Content-Type", "application/json")], b"Hello, World!", "Content-Type"),
        (200, [*HTML, ("Content-Length", "3")], b"Hello, World!", "Content-Length"),
    ],
)
def test_check_rejects_a_wrong_hello(
    status: int, headers: list[tuple[str, str]], body: bytes, complaint: str
) -> None:
    problems = _problems("hello", status, headers, body)
    assert len(problems) == 1
    assert problems[0].startswith(complaint)


def test_check_compares_json_by_value_not_by_bytes() -> None:
    headers = [("Content-Type", "application/json")]
    assert _problems("json", 200, headers, b'{"message":"Hello, World!","n":5}\n') == []
    assert _problems("json", 200, headers, json.dumps({"n": 6}).encode()) != []
    assert _problems("json", 200, headers, b"not json") != []


def test_check_requires_the_expected_headers() -> None:
    body = b"dark en a1b2c3d4"
    assert _problems("cookies", 200, [*HTML, ("set-cookie", "seen=1; Path=/")], body) == []
    assert _problems("cookies", 200, HTML, body) != []
    assert _problems("cookies", 200, [*HTML, ("Set-Cookie", "seen=2; Path=/")], body) != []


def test_check_404_wants_the_status_and_some_page() -> None:
    assert _problems("404", 404, [], b"Not Found") == []
    assert _problems("404", 200, [], b"Not Found") != []
    assert _problems("404", 404, [], b"") == ["empty body"]


def test_verify_reports_an_app_that_raises() -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        raise RuntimeError("boom")

    assert runner.verify(runner.SCENARIO_BY_NAME["hello"], broken) == ["raised RuntimeError: boom"]


def test_call_app_joins_lazy_bodies_and_closes_them() -> None:
    closed: list[bool] = []

    class Body:
        def __init__(self, start_response: Any) -> None:
            self.start_response = start_response

        def __iter__(self) -> Iterator[bytes]:
            # start_response may legally be called only once iteration begins.
            self.start_response("201 Created", [("X-A", "1")])
            yield b"ab"
            yield b"c"

        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        return Body(start_response)

    environ = runner.fresh_environ(runner.environ_template(runner.SCENARIO_BY_NAME["hello"]), b"")
    assert runner.call_app(app, environ) == (201, [("X-A", "1")], b"abc")
    assert closed == [True]


# --- loading and reporting ----------------------------------------------------------------


def test_an_app_that_fails_to_import_is_skipped_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(runner.FRAMEWORKS, "ghost", ("no_such_bench_app_module", None))
    loaded, skipped = runner.load_frameworks(["raw", "ghost"])
    assert list(loaded) == ["raw"]
    assert skipped["ghost"].startswith("ModuleNotFoundError")


def test_ratios_pair_samples_of_the_same_repeat() -> None:
    run = runner.ScenarioRun("hello")
    run.results["kolba"] = runner.Result(10, [1.0, 4.0, 2.0])
    run.results["falcon"] = runner.Result(10, [2.0, 4.0, 8.0])
    ratio = run.ratio("kolba", "falcon")
    assert (ratio["min"], ratio["median"], ratio["max"]) == (0.25, 0.5, 1.0)
    assert run.ratio("kolba", "flask") is None


def test_markdown_shows_medians_ratios_skips_and_failures() -> None:
    hello = runner.ScenarioRun("hello")
    hello.results["falcon"] = runner.Result(10, [4.0, 5.0, 6.0])
    hello.results["kolba"] = runner.Result(10, [2.0, 2.5, 3.0])
    hello.failures["flask"] = ["status 500, expected 200"]
    meta = {"python": "CPython 3.11", "machine": "test", "versions": dict.fromkeys(FRAMEWORKS, "1")}
    table = runner.render_markdown(
        [hello],
        ["falcon", "flask", "kolba", "bottle"],
        {"bottle": "ImportError: x"},
        runner.QUICK,
        meta,
    )
    assert "| hello | 5.00 | FAIL | 2.50 | skipped | 0.50 | n/a |" in table
    assert "- bottle: ImportError: x" in table
    assert "- hello / flask: status 500, expected 200" in table


def test_cli_rejects_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        runner.parse_args(["--frameworks", "raw,django"])
    assert "unknown framework django" in capsys.readouterr().err


def test_cli_accepts_subsets() -> None:
    args = runner.parse_args(["--quick", "--scenarios", "hello,404", "--frameworks", "raw,flask"])
    assert (args.quick, args.scenarios, args.frameworks) == (
        True,
        ["hello", "404"],
        ["raw", "flask"],
    )


def test_null_app_is_a_valid_wsgi_app() -> None:
    environ = runner.fresh_environ(runner.environ_template(runner.SCENARIO_BY_NAME["hello"]), b"")
    assert runner.call_app(runner._null_app, environ) == (200, [("Content-Length", "0")], b"")

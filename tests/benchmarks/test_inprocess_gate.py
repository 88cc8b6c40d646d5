"""The CI gate (--check / --write-baseline), the timing engine and the extra answer checks."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
runner: Any = importlib.import_module("inprocess")


def _run(name: str, kolba: list[float], falcon: list[float]) -> Any:
    run = runner.ScenarioRun(name)
    run.results["kolba"] = runner.Result(10, kolba)
    run.results["falcon"] = runner.Result(10, falcon)
    return run


def test_gate_passes_within_twice_the_baseline_and_when_faster() -> None:
    runs = [_run("hello", [3.0, 3.0, 3.0], [2.0, 2.0, 2.0]), _run("json", [1.0], [4.0])]
    assert runner.compare_to_baseline(runs, {"hello": 0.8, "json": 1.0}) == []


def test_gate_fails_past_twice_the_baseline() -> None:
    runs = [_run("hello", [5.0, 5.0, 5.0], [2.0, 2.0, 2.0])]
    problems = runner.compare_to_baseline(runs, {"hello": 1.2})
    assert len(problems) == 1
    assert problems[0].startswith("hello: kolba/falcon 2.50 is more than 2x the baseline 1.20")


def test_gate_uses_the_median_so_one_noisy_round_does_not_fail_it() -> None:
    runs = [_run("hello", [1.0, 1.0, 50.0], [1.0, 1.0, 1.0])]
    assert runner.compare_to_baseline(runs, {"hello": 1.0}) == []


def test_gate_fails_on_a_wrong_kolba_answer_and_on_a_missing_ratio() -> None:
    wrong = runner.ScenarioRun("hello", failures={"kolba": ["status 500, expected 200"]})
    lonely = runner.ScenarioRun("json")
    lonely.results["kolba"] = runner.Result(10, [1.0])
    problems = runner.compare_to_baseline([wrong, lonely], {"hello": 1.0, "json": 1.0})
    assert problems[0].startswith("hello: kolba answers wrongly")
    assert problems[1].startswith("json: no kolba/falcon ratio (falcon was not measured)")


def test_gate_ignores_scenarios_the_baseline_does_not_know() -> None:
    assert runner.compare_to_baseline([_run("new", [9.0], [1.0])], {"hello": 1.0}) == []


def test_recorded_baseline_covers_every_scenario() -> None:
    recorded = runner.load_baseline(runner.DEFAULT_BASELINE)
    assert set(recorded) == set(runner.SCENARIO_BY_NAME)
    assert all(ratio > 0 for ratio in recorded.values())


needs_falcon = pytest.mark.skipif(
    importlib.util.find_spec("falcon") is None, reason="falcon is not installed (the bench extra)"
)


def _cli(tmp_path: Path, *args: str) -> int:
    status: int = runner.main(
        [
            "--scenarios",
            "hello",
            "--frameworks",
            "falcon,kolba",
            "--repeats",
            "3",
            "--batch-ms",
            "2",
            "--warmup-ms",
            "2",
            *args,
        ]
    )
    return status


@needs_falcon
def test_write_baseline_then_check_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert _cli(tmp_path, "--write-baseline", str(baseline)) == 0
    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert set(data["ratios"]) == {"hello"}
    # A generous baseline (kolba allowed 1000x Falcon) passes; an impossible one fails.
    data["ratios"]["hello"] = 1000.0
    baseline.write_text(json.dumps(data), encoding="utf-8")
    assert _cli(tmp_path, "--check", str(baseline)) == 0
    data["ratios"]["hello"] = 0.0001
    baseline.write_text(json.dumps(data), encoding="utf-8")
    assert _cli(tmp_path, "--check", str(baseline)) == 1
    assert "CHECK FAILED" in capsys.readouterr().err


def test_check_without_a_baseline_file_is_an_error(tmp_path: Path) -> None:
    assert _cli(tmp_path, "--check", str(tmp_path / "missing.json")) == 2


def test_check_needs_kolba_and_falcon(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        runner.parse_args(["--check", "x.json", "--frameworks", "flask,kolba"])
    assert "need both kolba and falcon" in capsys.readouterr().err


def test_measure_alternates_and_sizes_batches() -> None:
    calls: list[str] = []

    def app(name: str) -> Any:
        def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            calls.append(name)
            start_response("200 OK", [])
            return [b""]

        return wsgi

    template = runner.environ_template(runner.SCENARIO_BY_NAME["hello"])
    cells = [runner.Cell(n, app(n), template) for n in ("a", "b")]
    settings = runner.Settings(repeats=4, batch_ms=0.5, warmup_ms=0.5)
    results = runner.measure(cells, settings)
    assert set(results) == {"a", "b"}
    assert all(len(r.samples) == 4 and r.calls_per_batch >= 1 for r in results.values())
    # Round-robin with a shifting start: both orders occur among the timed rounds.
    assert calls.count("a") > 4
    assert calls.count("b") > 4


# --- the answer checks of the newer scenarios -------------------------------------------------


def _session_cookie(data: dict[str, Any], key: str = "kolba-benchmark-secret") -> str:
    value = runner.scenario_data.session_serializer(key).dumps(data)
    return f"session={value}; HttpOnly; Path=/"


def test_session_check_accepts_the_incremented_signed_cookie() -> None:
    headers = [("Set-Cookie", _session_cookie(runner.SESSION_OUT)), ("Vary", "Cookie")]
    assert runner.check_session(200, headers, b"ada 2") == []


@pytest.mark.parametrize(
    ("headers", "complaint"),
    [
        ([("Vary", "Cookie")], "expected one session cookie"),
        (
            [("Set-Cookie", _session_cookie({"user": "ada", "count": 1})), ("Vary", "Cookie")],
            "session cookie holds",
        ),
        (
            [("Set-Cookie", _session_cookie(runner.SESSION_OUT, "other-key")), ("Vary", "Cookie")],
            "session cookie does not verify",
        ),
        ([("Set-Cookie", _session_cookie(runner.SESSION_OUT))], "no Vary: Cookie"),
        (
            [
                ("Set-Cookie", _session_cookie(runner.SESSION_OUT).replace("; HttpOnly", "")),
                ("Vary", "Cookie"),
            ],
            "session cookie attributes",
        ),
    ],
)
def test_session_check_rejects(headers: list[tuple[str, str]], complaint: str) -> None:
    problems = runner.check_session(200, headers, b"ada 2")
    assert problems
    assert problems[0].startswith(complaint)


def test_static_check_wants_text_and_a_validator() -> None:
    assert runner.check_static(200, [("Content-Type", "text/plain"), ("ETag", '"x"')], b"") == []
    assert runner.check_static(200, [("Content-Type", "text/plain")], b"")[0].startswith(
        "neither ETag"
    )
    assert runner.check_static(200, [("Content-Type", "text/html"), ("ETag", '"x"')], b"")


def test_revalidation_without_validators_is_a_wrong_answer() -> None:
    def no_validators(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [runner.STATIC_BYTES]

    assert runner.verify(runner.SCENARIO_BY_NAME["static-304"], no_validators) == [
        "no ETag or Last-Modified in the full answer to revalidate with"
    ]


def test_multipart_body_carries_three_fields_and_the_file() -> None:
    body = runner.multipart_body()
    assert body.count(b"Content-Disposition: form-data") == 4
    assert runner.scenario_data.MULTIPART_FILE[2] in body
    assert body.endswith(f"--{runner.MULTIPART_BOUNDARY}--\r\n".encode())


def test_template_reference_escapes_the_rows() -> None:
    page = runner.reference_table()
    assert page.count(b"<tr><td>") == 20
    assert b"&lt;b&gt;&amp;&lt;/b&gt;" in page
    assert b"<b>&</b>" not in page


def test_profile_reports_calls_per_request() -> None:
    module = pytest.importorskip("kolba_app")
    text = runner.profile(runner.SCENARIO_BY_NAME["hello"], module, 50, 5)
    assert text.startswith("## hello: 50 requests,")
    assert "function calls per request" in text

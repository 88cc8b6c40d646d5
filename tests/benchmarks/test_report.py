"""report.py: results.md and the charts come out of the parts' JSON, whatever is present."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
pytest.importorskip("matplotlib")
report: Any = importlib.import_module("report")
runner: Any = importlib.import_module("inprocess")
http_load: Any = importlib.import_module("http_load")
memory: Any = importlib.import_module("memory")

META = {
    "python": "CPython 3.11",
    "machine": "Linux x86_64, test CPU, 2 CPUs",
    "versions": {"kolba": "0.1.0", "falcon": "4", "flask": "3.1", "psycopg": "not installed"},
    "date": "2026-01-01T00:00:00",
}


def _cell(rps: float) -> dict[str, Any]:
    return {"rps": {"median": rps, "q1": rps, "q3": rps, "min": rps, "max": rps}}


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def test_report_from_every_part(tmp_path: Path) -> None:
    quick = ["--repeats", "2", "--batch-ms", "1", "--warmup-ms", "1"]
    out = ["--json", str(tmp_path / "inprocess.json")]
    status = runner.main(
        ["--scenarios", "hello,json", "--frameworks", "falcon,flask,kolba", *quick, *out]
    )
    assert status == 0
    http = {
        "meta": META,
        "settings": {"seconds": 1, "rounds": 1, "connections": 32},
        "results": {
            "granian": {
                "hello": {
                    "raw": _cell(1000.0),
                    "falcon": {**_cell(800.0), "of_raw": {"median": 0.8}},
                    "kolba": {**_cell(880.0), "of_raw": {"median": 0.88}},
                }
            }
        },
        "failures": [],
    }
    _write(tmp_path / "http.json", http)
    te = {
        "meta": META,
        "settings": {"seconds": 1, "rounds": 1, "server": "granian", "connections": 32},
        "results": {"fortunes": {"flask": _cell(100.0), "kolba": _cell(250.0)}},
        "failures": {"falcon": {"db": ["no Server header"]}},
    }
    _write(tmp_path / "techempower.json", te)
    scale = {
        "meta": META,
        "frameworks": ["kolba"],
        "cases": {
            f"depth={n}": {"dimension": "depth", "size": n, "results": {"kolba": {"median": n}}}
            for n in (1, 8)
        },
        "failures": {},
    }
    _write(tmp_path / "scale.json", scale)
    mem = {
        "meta": META,
        "requests": 100,
        "frameworks": {
            "kolba": {
                "rss_bare_kb": 9000,
                "rss_import_kb": 20000,
                "rss_app_kb": 20480,
                "request_peak_bytes": 2000,
                "growth_bytes": 10,
                "growth_second_half_bytes": 0,
                "import_ms": {"median": 50.0},
            },
            "flask": {"error": ["ImportError: boom"]},
        },
    }
    _write(tmp_path / "memory.json", mem)

    written = report.build(tmp_path)

    names = {p.name for p in written}
    assert {"results.md", "inprocess.png", "ratios.png", "http.png", "techempower.png"} <= names
    assert {"scale.png", "readme-snippet.md"} <= names
    for path in written:
        assert path.stat().st_size > 0
        if path.suffix == ".png":
            assert path.read_bytes().startswith(b"\x89PNG")
    text = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "Measured on " in text
    assert "| hello |" in text
    assert "| granian | hello | 1,000 | 800 (80%) | 880 (88%) | 1.10 |" in text
    assert "| fortunes | 100 | 250 | 2.50 | n/a |" in text
    assert "- falcon / db: no Server header" in text
    assert "| kolba | 50.0 | 19.5 | 20.0 | 2,000 | 10 | 0 |" in text
    assert "| flask | error: ImportError: boom |" in text
    snippet = (tmp_path / "readme-snippet.md").read_text(encoding="utf-8")
    assert snippet.startswith("![In-process cost per request](docs/benchmarks/inprocess.png)")
    assert "| json |" in snippet


def test_report_without_results_says_so(tmp_path: Path) -> None:
    assert report.main(["--dir", str(tmp_path)]) == 1


def test_http_summary_pairs_rounds_for_the_share_of_raw() -> None:
    def wrk(rps: float) -> Any:
        return importlib.import_module("benchlib").WrkResult(rps, 1, 0, 0, 1.0, 2.0)

    summary = http_load.summarise(
        {"raw": [wrk(100.0), wrk(200.0)], "kolba": [wrk(80.0), wrk(100.0)]}
    )
    assert summary["kolba"]["of_raw"]["median"] == pytest.approx(0.65)
    assert summary["kolba"]["rps"]["median"] == pytest.approx(90.0)


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:       300 |      12345 | falcon
import time:        40 |       4000 |   falcon.app
"""


def test_import_time_reads_the_top_level_line(monkeypatch: pytest.MonkeyPatch) -> None:
    class Completed:
        stderr = IMPORTTIME

    monkeypatch.setattr(memory.subprocess, "run", lambda *a, **k: Completed())
    assert memory.import_time_us("falcon") == 12345
    with pytest.raises(RuntimeError, match="no import time line for bottle"):
        memory.import_time_us("bottle")

"""The scale benchmark's apps answer every case correctly on every framework."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
scale: Any = importlib.import_module("scale")
runner: Any = importlib.import_module("inprocess")

QUICK_CASES = scale.cases(quick=True)


@functools.cache
def _app(framework: str, shape: str, size: int) -> Any:
    # The static and dynamic route cases share one app, as in scale.run: build it once.
    return scale.build(framework, shape, size)


@pytest.mark.parametrize("case", QUICK_CASES, ids=[c.label for c in QUICK_CASES])
@pytest.mark.parametrize("framework", scale.FRAMEWORKS)
def test_case_answers_correctly(framework: str, case: Any) -> None:
    if importlib.util.find_spec(framework) is None:
        pytest.skip(f"{framework} is not installed")
    app = _app(framework, *scale._shape(case))
    _, problems = runner.prepare(case.scenario(), app)
    assert problems == []


def test_full_mode_has_three_sizes_per_axis_and_four_depths() -> None:
    sizes: dict[str, list[int]] = {}
    for case in scale.cases(quick=False):
        sizes.setdefault(case.dimension, []).append(case.size)
    assert sizes == {
        "routes-static": [10, 100, 1000],
        "routes-dynamic": [10, 100, 1000],
        "depth": [1, 2, 4, 8],
        "form": [10, 100, 1000],
        "upload": [1024, 65536, 1048576],
    }


def test_the_request_targets_the_last_route_registered() -> None:
    case = next(c for c in QUICK_CASES if c.dimension == "routes-static" and c.size == 1000)
    assert case.path == "/s999/page"


def test_markdown_shows_growth_and_failures() -> None:
    data = {
        "frameworks": ["falcon", "kolba"],
        "cases": {
            "depth=1": {
                "dimension": "depth",
                "size": 1,
                "results": {"falcon": {"median": 2.0}, "kolba": {"median": 1.0}},
            },
            "depth=8": {
                "dimension": "depth",
                "size": 8,
                "results": {"falcon": {"median": 4.0}},
            },
        },
        "failures": {"depth=8": {"kolba": ["status 404, expected 200"]}},
    }
    text = scale.render_markdown(data)
    assert "| 8 | 4.00 | FAIL |" in text
    assert "falcon x2.00" in text
    assert "- depth=8 / kolba: status 404, expected 200" in text

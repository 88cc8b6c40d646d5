"""Turn the parts' JSON results into docs/benchmarks/results.md and PNG charts.

Run ``python benchmarks/report.py [--dir DIR]`` (run_all.py calls it). It reads whichever of
inprocess.json, scale.json, memory.json, http.json and techempower.json exist in DIR and writes
there: results.md (every table, with the machine and versions), inprocess.png (the headline
chart), ratios.png, http.png, techempower.png, scale.png, and readme-snippet.md (what the
README's Speed section shows). matplotlib draws off-screen (Agg), so no display is needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import benchlib
import http_load
import inprocess
import memory
import scale

COLORS = {
    "harness": "#bbbbbb",
    "raw": "#7f7f7f",
    "falcon": "#1f77b4",
    "bottle": "#9467bd",
    "flask": "#d62728",
    "kolba": "#2ca02c",
}
FRAMEWORK_ORDER = ("raw", "falcon", "bottle", "flask", "kolba")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# --- in-process ------------------------------------------------------------------------------


def inprocess_runs(data: dict[str, Any]) -> list[inprocess.ScenarioRun]:
    """The runner's objects back from its JSON, so its own Markdown renderer can be reused."""
    runs = []
    for name, scenario in data["scenarios"].items():
        run = inprocess.ScenarioRun(name, failures=scenario["failures"])
        for framework, result in scenario["results"].items():
            run.results[framework] = inprocess.Result(
                result["calls_per_batch"], list(result["samples_us"])
            )
        runs.append(run)
    return runs


def inprocess_markdown(data: dict[str, Any]) -> str:
    frameworks = [f for f in FRAMEWORK_ORDER if f in data["meta"]["versions"]]
    settings = inprocess.Settings(**data["settings"])
    table = inprocess.render_markdown(
        inprocess_runs(data), frameworks, data["skipped"], settings, data["meta"]
    )
    scenarios = "\n".join(
        f"| {name} | {s['description']} |" for name, s in data["scenarios"].items()
    )
    return f"{table}\n### Scenarios\n\n| scenario | request |\n|---|---|\n{scenarios}\n"


def _frameworks_in(cells: Sequence[dict[str, Any]]) -> list[str]:
    present = {f for c in cells for f in c}
    return [f for f in FRAMEWORK_ORDER if f in present]


def inprocess_chart(data: dict[str, Any], out: Path) -> None:
    """Grouped horizontal bars: µs per request, log scale, one group per scenario."""
    plt = _pyplot()
    scenarios = list(data["scenarios"])
    per = [data["scenarios"][s]["results"] for s in scenarios]
    frameworks = _frameworks_in(per)
    height = 0.8 / len(frameworks)
    fig, ax = plt.subplots(figsize=(11, 0.62 * len(scenarios) * len(frameworks) / 3 + 2))
    for index, framework in enumerate(frameworks):
        ys, xs = [], []
        for row, results in enumerate(per):
            if framework in results:
                ys.append(row + index * height - 0.4 + height / 2)
                xs.append(results[framework]["median"])
        bars = ax.barh(ys, xs, height=height, color=COLORS[framework], label=framework)
        for bar, value in zip(bars, xs, strict=True):
            ax.text(
                value * 1.04,
                bar.get_y() + bar.get_height() / 2,
                benchlib.fmt_us(value),
                va="center",
                fontsize=7,
            )
    ax.set_xscale("log")
    ax.set_yticks(range(len(scenarios)), scenarios)
    ax.invert_yaxis()
    ax.set_xlabel("µs per request (median, log scale, lower is better)")
    ax.set_title("In-process cost per request: kolba vs Flask, Bottle, Falcon and raw WSGI")
    ax.grid(axis="x", which="both", alpha=0.25)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_xlim(right=ax.get_xlim()[1] * 2)
    _save(fig, out)


def ratios_chart(data: dict[str, Any], out: Path) -> None:
    """kolba/falcon and kolba/flask per scenario with the targets as lines."""
    plt = _pyplot()
    scenarios = [s for s in data["scenarios"] if data["scenarios"][s]["ratios"]]
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.4 * len(scenarios) + 1.8), sharey=True)
    for ax, other, target in zip(axes, ("falcon", "flask"), (1.0, 0.125), strict=True):
        values = [
            data["scenarios"][s]["ratios"].get(f"kolba/{other}", {}).get("median", 0.0)
            for s in scenarios
        ]
        colors = [COLORS["kolba"] if v <= target else "#e6a23c" for v in values]
        bars = ax.barh(range(len(scenarios)), values, color=colors)
        for bar, value in zip(bars, values, strict=True):
            ax.text(
                value,
                bar.get_y() + bar.get_height() / 2,
                f" {value:.2f}",
                va="center",
                fontsize=8,
            )
        ax.axvline(target, color="black", linestyle="--", linewidth=1)
        ax.set_title(f"kolba / {other} (target ≤ {target:g}, dashed)")
        ax.set_xlim(0, max([*values, target]) * 1.2)
        ax.grid(axis="x", alpha=0.25)
    axes[0].set_yticks(range(len(scenarios)), scenarios)
    axes[0].invert_yaxis()
    fig.suptitle("In-process ratios (median of per-round ratios; lower is better)")
    _save(fig, out)


# --- HTTP and TechEmpower ---------------------------------------------------------------------


def rps_chart(
    groups: list[tuple[str, dict[str, Any]]], title: str, out: Path, log_scale: bool
) -> None:
    """Grouped vertical bars of requests per second; one group per (server, scenario) or test."""
    plt = _pyplot()
    frameworks = _frameworks_in([cells for _, cells in groups])
    width = 0.8 / len(frameworks)
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(groups) + 2), 5.5))
    for index, framework in enumerate(frameworks):
        xs, heights = [], []
        for column, (_, cells) in enumerate(groups):
            if framework in cells:
                xs.append(column + index * width - 0.4 + width / 2)
                heights.append(cells[framework]["rps"]["median"])
        bars = ax.bar(xs, heights, width=width, color=COLORS[framework], label=framework)
        for bar, value in zip(bars, heights, strict=True):
            ax.text(
                bar.get_x() + bar.get_width() / 2,
                value,
                f"{value / 1000:.1f}k" if value >= 1000 else f"{value:.0f}",
                ha="center",
                va="bottom",
                fontsize=7,
                rotation=90,
            )
    if log_scale:
        ax.set_yscale("log")
    ax.set_xticks(range(len(groups)), [label for label, _ in groups])
    ax.set_ylabel("requests per second (median" + (", log scale" if log_scale else "") + ")")
    ax.set_title(title)
    ax.grid(axis="y", which="both", alpha=0.25)
    ax.legend(fontsize=9, loc="upper right")
    ax.set_ylim(top=ax.get_ylim()[1] * (3 if log_scale else 1.15))
    _save(fig, out)


def scale_chart(data: dict[str, Any], out: Path) -> None:
    """One panel per dimension: µs per request against N, log-log."""
    plt = _pyplot()
    dimensions: dict[str, list[dict[str, Any]]] = {}
    for case in data["cases"].values():
        dimensions.setdefault(case["dimension"], []).append(case)
    columns = 3
    rows = -(-len(dimensions) // columns)
    fig, grid = plt.subplots(rows, columns, figsize=(5 * columns, 4 * rows), squeeze=False)
    axes = list(grid.flat)
    for ax in axes[len(dimensions) :]:
        ax.set_visible(False)
    for ax, (dimension, cases) in zip(axes, dimensions.items(), strict=False):
        for framework in data["frameworks"]:
            points = [
                (c["size"], c["results"][framework]["median"])
                for c in cases
                if framework in c["results"]
            ]
            if points:
                ax.plot(
                    *zip(*points, strict=True),
                    marker="o",
                    color=COLORS.get(framework),
                    label=framework,
                )
        sizes = [c["size"] for c in cases]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
        ax.tick_params(axis="x", which="minor", bottom=False, labelbottom=False)
        ax.set_title(scale.DIMENSION_TITLES.get(dimension, dimension), fontsize=9, wrap=True)
        ax.set_xlabel("N")
        ax.set_ylabel("µs per request (median)")
        ax.grid(alpha=0.25)
    axes[0].legend(fontsize=8)
    fig.suptitle("How the cost of a request grows (log-log; flat is best)")
    _save(fig, out)


def _save(fig: Any, out: Path) -> None:
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    _pyplot().close(fig)


# --- the report -------------------------------------------------------------------------------


def meta_markdown(meta: dict[str, Any]) -> str:
    seen: set[str] = set()
    named = []
    for name, version in meta["versions"].items():
        # inprocess.py adds its framework names in lower case next to the distributions' own.
        if version not in {"not installed", "stdlib"} and name.lower() not in seen:
            seen.add(name.lower())
            named.append(f"{name} {version}")
    versions = ", ".join(named)
    return f"Measured on {meta['machine']} with {meta['python']}, {meta['date']}. Versions: {versions}."


def readme_snippet(data: dict[str, Any]) -> str:
    """The headline for the README's Speed section: the chart and a short ratio table."""
    lines = [
        "![In-process cost per request](docs/benchmarks/inprocess.png)",
        "",
        "| scenario | Falcon µs | Flask µs | kolba µs | kolba/Falcon | kolba/Flask |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, scenario in data["scenarios"].items():
        results, ratios = scenario["results"], scenario["ratios"]

        def cell(framework: str, results: dict[str, Any] = results) -> str:
            return benchlib.fmt_us(results[framework]["median"]) if framework in results else "-"

        def ratio(key: str, ratios: dict[str, Any] = ratios) -> str:
            return f"{ratios[key]['median']:.2f}" if key in ratios else "-"

        lines.append(
            f"| {name} | {cell('falcon')} | {cell('flask')} | {cell('kolba')} | "
            f"{ratio('kolba/falcon')} | {ratio('kolba/flask')} |"
        )
    lines += [
        "",
        f"{data['meta']['python']}, {data['meta']['machine']}; medians of µs per request, "
        "frameworks alternating in one run. Full results, HTTP and TechEmpower numbers: "
        "[docs/benchmarks/results.md](docs/benchmarks/results.md).",
        "",
    ]
    return "\n".join(lines)


README_START = "<!-- speed:start (benchmarks/report.py rewrites this part) -->"
README_END = "<!-- speed:end -->"


def update_readme(readme: Path, snippet: str) -> bool:
    """Put ``snippet`` between the README's speed markers; False when it has no markers."""
    if not readme.is_file():
        return False
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    head = text[: start + len(README_START)]
    readme.write_text(f"{head}\n{snippet.rstrip()}\n{text[end:]}", encoding="utf-8")
    return True


def build(directory: Path) -> list[Path]:
    """Write the report and charts for whatever results ``directory`` holds; the files written."""
    written: list[Path] = []
    sections: list[str] = []
    meta: dict[str, Any] | None = None

    if (data := benchlib.read_json(directory / "inprocess.json")) is not None:
        meta = data["meta"]
        sections += [
            "![In-process cost per request](inprocess.png)\n",
            inprocess_markdown(data),
            "![kolba's ratios to Falcon and Flask](ratios.png)\n",
        ]
        inprocess_chart(data, directory / "inprocess.png")
        ratios_chart(data, directory / "ratios.png")
        snippet = readme_snippet(data)
        (directory / "readme-snippet.md").write_text(snippet, encoding="utf-8")
        written += [directory / n for n in ("inprocess.png", "ratios.png", "readme-snippet.md")]
        if directory.resolve() == benchlib.RESULTS_DIR.resolve() and update_readme(
            benchlib.REPO_DIR / "README.md", snippet
        ):
            written.append(benchlib.REPO_DIR / "README.md")
    if (data := benchlib.read_json(directory / "http.json")) is not None:
        meta = meta or data["meta"]
        sections += [
            http_load.render_markdown(data),
            "![Requests per second over HTTP](http.png)\n",
        ]
        groups = [
            (f"{server}\n{scenario}", cells)
            for server, per in data["results"].items()
            for scenario, cells in per.items()
        ]
        if groups:
            rps_chart(
                groups, "Over HTTP: one worker, one Python thread", directory / "http.png", False
            )
            written.append(directory / "http.png")
    if (data := benchlib.read_json(directory / "techempower.json")) is not None:
        meta = meta or data["meta"]
        sys.path.insert(0, str(benchlib.BENCH_DIR / "techempower"))
        # te_bench is found through the sys.path entry above.
        import te_bench  # type: ignore[import-not-found]

        sections.append(te_bench.render_markdown(data))
        if data.get("results"):
            sections.append("![TechEmpower test types](techempower.png)\n")
            rps_chart(
                list(data["results"].items()),
                "TechEmpower test types on PostgreSQL (log scale)",
                directory / "techempower.png",
                True,
            )
            written.append(directory / "techempower.png")
    if (data := benchlib.read_json(directory / "scale.json")) is not None:
        meta = meta or data["meta"]
        sections += [scale.render_markdown(data), "![Scale](scale.png)\n"]
        scale_chart(data, directory / "scale.png")
        written.append(directory / "scale.png")
    if (data := benchlib.read_json(directory / "memory.json")) is not None:
        meta = meta or data["meta"]
        sections.append(memory.render_markdown(data))
    if meta is None:
        raise FileNotFoundError(f"no benchmark results (*.json) in {directory}")
    header = [
        "# kolba benchmark results",
        "",
        "Generated by `benchmarks/run_all.py` (see benchmarks/README.md for the method). "
        "Numbers come from one shared, noisy machine: compare ratios measured in the same run, "
        "not absolute figures across runs.",
        "",
        meta_markdown(meta),
        "",
    ]
    report = directory / "results.md"
    report.write_text("\n".join(header) + "\n" + "\n".join(sections), encoding="utf-8")
    return [report, *written]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dir", type=Path, default=benchlib.RESULTS_DIR, help="results folder")
    args = parser.parse_args(argv)
    try:
        written = build(args.dir)
    except FileNotFoundError as exc:
        benchlib.log(str(exc))
        return 1
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

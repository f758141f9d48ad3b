"""Output speed: `write_run` on the seed scenario, in one process, and where its time goes.

Fits the seed scenario once (fixed seed), computes each statement's influence, then times
`riskline.export.write_run` with that influence (every table, forecast.nc, six figures in
PDF, SVG and PNG, report.md and report.html): the first call apart (it loads the drawing
backends and fonts), then the median of several, alternately with the figures shared with a
helper process (riskline.plots.files; write_run does so where the load average leaves a
core idle) and with every figure drawn in this process. Then the same call again, every
figure here, with its parts wrapped in timers: each figure's drawing and each of its
formats, each table the forecast computes (with how often), forecast.nc, the CSV files, the
summary and the report. The wrappers add a little; the breakdown says where the time goes,
the plain runs how long it takes. Not a test: the machines are noisy, so the numbers are
recorded, not asserted, with the CPU time of this process and of the helper and the load
average (other processes on the 2 cores stretch wall-clock times, and leave the helper no
core of its own). Writes benchmarks/results/outputs.json and prints the breakdown.

    .venv/bin/python benchmarks/outputs.py [--repeats 5] [--breakdowns 3]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from unittest import mock

import pandas as pd
import xarray as xr
from matplotlib.figure import Figure

from riskline import export, plots
from riskline.config import load_scenario
from riskline.forecast import Forecast
from riskline.influence import statement_influence
from riskline.model.fit import fit
from riskline.plots.files import FigureWriter

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "russia-nato-attack.yaml"
SEED = 1
TABLES = ("timeline", "year_ends", "per_period", "median_dates", "reconciliation", "hazard_summary", "with_risk_group",
          "risk_at")  # fmt: skip
"""The Forecast methods timed (risk_at also inside the others: it is the draws behind every risk table)."""
STEPS = {"summary.json": "run_summary", "report.md": "report_markdown", "report.html": "render_html"}
"""Parts of write_run by the name export calls them."""


def timed_run(forecast: Forecast, influence: pd.DataFrame, out: Path, share: bool | None = None) -> dict:
    """Wall-clock seconds of one write_run, and the CPU seconds of this process and of the helper.

    `share`: as FigureWriter's (None: as write_run decides).
    """
    with mock.patch.object(export, "FigureWriter", functools.partial(FigureWriter, share=share)):
        before, wall = os.times(), time.perf_counter()
        export.write_run(forecast, out, command="benchmarks/outputs.py", influence=influence)
        wall, after = time.perf_counter() - wall, os.times()
    here = after.user + after.system - before.user - before.system
    helper = after.children_user + after.children_system - before.children_user - before.children_system
    return {"seconds": wall, "cpu_seconds": here, "helper_cpu_seconds": helper}


def medians(runs: list[dict]) -> dict:
    """Each measure's median over `runs`, and its values."""

    def rounded(seconds: float) -> float:
        return round(seconds, 3) + 0.0  # never "-0.0"

    values = {key: [rounded(run[key]) for run in runs] for key in runs[0]}
    return {f"median_{key}": rounded(statistics.median(found)) for key, found in values.items()} | values


@contextmanager
def recording(seconds: dict, counts: dict):
    """write_run's parts wrapped in timers: seconds[part] += wall-clock time, counts[part] += 1."""

    def timer(label, function):
        """`function`, its time added to `label` (or to label(*its arguments))."""

        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                name = label(*args) if callable(label) else label
                seconds[name] += time.perf_counter() - start
                counts[name] += 1

        return wrapped

    def saved(figure, path) -> str:
        return f"figure {Path(path).stem} {Path(path).suffix[1:]}"

    def wrap(owner, name: str, label) -> None:
        stack.enter_context(mock.patch.object(owner, name, timer(label, getattr(owner, name))))

    with ExitStack() as stack:
        wrap(Figure, "savefig", saved)
        for name in [n for n in plots.__all__ if n.startswith("plot_")]:
            wrap(plots, name, f"figure {name.removeprefix('plot_')} draw")
        for name in TABLES:
            wrap(Forecast, name, f"table {name}")
        for label, name in STEPS.items():
            wrap(export, name, label)
        wrap(xr.DataTree, "to_netcdf", "forecast.nc (writing)")
        wrap(pd.DataFrame, "to_csv", "csv files")
        yield


def breakdown(forecast: Forecast, influence: pd.DataFrame, out: Path, runs: int) -> dict:
    """Median seconds (and calls per run) of each part of write_run over `runs` wrapped runs."""
    per_run = []
    for _ in range(runs):
        seconds, counts = defaultdict(float), defaultdict(int)
        with recording(seconds, counts):
            total = timed_run(forecast, influence, out, share=False)["seconds"]
        per_run.append((seconds, counts, total))
    parts = sorted({name for seconds, _, _ in per_run for name in seconds})
    found = {
        name: {
            "seconds": round(statistics.median(seconds[name] for seconds, _, _ in per_run), 4),
            "calls": per_run[0][1][name],
        }
        for name in parts
    }
    found["write_run (wrapped)"] = {"seconds": round(statistics.median(t for *_, t in per_run), 4), "calls": 1}
    return found


def figures_table(parts: dict) -> dict:
    """Seconds per figure: drawing, each format, and their total."""
    table = defaultdict(dict)
    for name, value in parts.items():
        if name.startswith("figure "):
            _, figure, step = name.split()
            table[figure][step] = value["seconds"]
    for steps in table.values():
        steps["total"] = round(sum(steps.values()), 4)
    return dict(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="plain write_run calls after the first")
    parser.add_argument("--breakdowns", type=int, default=3, help="write_run calls with their parts timed")
    args = parser.parse_args()

    start = time.perf_counter()
    forecast = fit(load_scenario(SCENARIO), random_seed=SEED)
    influence = statement_influence(forecast, random_seed=SEED)
    fitted = time.perf_counter() - start
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        first = timed_run(forecast, influence, out)
        runs = {"helper": [], "here": []}
        for _ in range(args.repeats):
            for way, share in (("helper", True), ("here", False)):
                runs[way].append(timed_run(forecast, influence, out, share=share))
        parts = breakdown(forecast, influence, out, args.breakdowns)
    figures = figures_table(parts)
    result = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "seed": SEED,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "fit_and_influence_seconds": round(fitted, 1),
        "write_run_first": {key: round(value, 3) for key, value in first.items()},
        "write_run_with_helper": medians(runs["helper"]),
        "write_run_every_figure_here": medians(runs["here"]),
        "figures_seconds": figures,
        "parts": {name: value for name, value in parts.items() if not name.startswith("figure ")},
        "versions": export.package_versions(),
    }
    path = ROOT / "benchmarks" / "results" / "outputs.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"write_run: first {first['seconds']:.2f} s; load average {result['load_average_before'][0]}")
    for way in ("write_run_with_helper", "write_run_every_figure_here"):
        timing = result[way]
        print(f"{way}: median of {args.repeats} {timing['median_seconds']:.2f} s ({timing['median_cpu_seconds']:.2f} s "
              f"CPU here, {timing['median_helper_cpu_seconds']:.2f} s in the helper)")  # fmt: skip
    print(f"{'figure':18s}" + "".join(f"{step:>8s}" for step in ("draw", "pdf", "svg", "png", "total")))
    for name, steps in figures.items():
        print(f"{name:18s}" + "".join(f"{steps.get(step, 0):8.3f}" for step in ("draw", "pdf", "svg", "png", "total")))
    print(f"{'all figures':18s}" + " " * 32 + f"{sum(s['total'] for s in figures.values()):8.3f}")
    for name, value in result["parts"].items():
        print(f"{name:28s} {value['seconds']:7.3f} s  ({value['calls']} calls)")
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

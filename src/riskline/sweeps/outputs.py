"""A sweep's output folder: the dataset, its table, its figures and the report section that reads them.

Written like a run's folder (riskline.output_folder.staged): into a hidden sibling first,
which replaces the folder only once every file is complete, so an interrupted sweep leaves
the last complete results in place; a manifest lists what riskline wrote, so nothing else
in the folder is ever deleted.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from riskline.export import save_figure, strict_json
from riskline.forecast import headline_years
from riskline.output_folder import staged
from riskline.plots.sweep import plot_statement_swings, plot_sweep_spread, plot_tornado
from riskline.report import render_html
from riskline.sweeps.results import Swing, at_year_end, results_table, statement_shifts, swings
from riskline.sweeps.spec import LEFT_OUT

__all__ = ["MATTERS", "NEGLIGIBLE", "sweep_headline_years", "sweep_markdown", "write_sweep"]

MATTERS = 0.05
"""A swing of 5 percentage points or more changes a briefing's headline number: the assumption matters."""
NEGLIGIBLE = 0.01
"""Below 1 point a swing is within the Monte Carlo error of a variant's mean (~1 point at 400 effective
draws) and below the whole percent a briefing states: the assumption does not matter."""


def sweep_headline_years(dataset: xr.Dataset) -> list[int]:
    """The baseline's headline years (`forecast.headline_years`) that the dataset holds."""
    as_of = dataset["as_of"].values[0].astype("datetime64[D]").item()
    return headline_years(as_of, [int(y) for y in dataset["year"].values])


def write_sweep(dataset: xr.Dataset, out_dir: Path, summary: dict) -> Path:
    """sweep.{nc,csv,json,md,html} and the figures in `out_dir`, replacing an earlier sweep there whole."""
    event = str(dataset["event"].values[-1])
    years = sweep_headline_years(dataset)
    found = {year: swings(dataset, event, year) for year in years}
    figures = {"tornado": plot_tornado(dataset, event, found), "spread": plot_sweep_spread(dataset)}
    if LEFT_OUT in json.loads(dataset.attrs["axes"]):
        figures["statements"] = plot_statement_swings(dataset, event, statement_shifts(dataset, event, years))
    with staged(out_dir) as staging:
        dataset.to_netcdf(staging / "sweep.nc", engine="h5netcdf")
        results_table(dataset).to_csv(staging / "sweep.csv", index=False, float_format="%.6f")
        for name, figure in figures.items():
            save_figure(figure, staging / name)
            plt.close(figure)
        swings_json = {str(y): [s.__dict__ for s in found[y]] for y in years}
        (staging / "sweep.json").write_text(strict_json(summary | {"swings": swings_json}) + "\n", encoding="utf-8")
        markdown = sweep_markdown(dataset, event, found, list(figures), summary)
        (staging / "sweep.md").write_text(markdown, encoding="utf-8")
        html = render_html(markdown, staging, f"Sweep {dataset.attrs['sweep']}")
        (staging / "sweep.html").write_text(html, encoding="utf-8")
    return Path(out_dir)


def sweep_markdown(dataset: xr.Dataset, event: str, found: dict[int, list[Swing]], figures: list[str],
                   summary: dict) -> str:  # fmt: skip
    """The sweep's report section: which assumptions matter and which do not, how each variant was made, failures."""
    label = str(dataset["event_label"].sel(event=event).item())
    status, method = dataset["status"].values, dataset["method"].values
    lines = [
        f"# Sweep {dataset.attrs['sweep']}: {dataset.attrs['title']}",
        "",
        f"{len(status)} variants of `{Path(dataset.attrs['scenario']).name}` (variant 0, the baseline, is the "
        f"scenario as its file has it): {int((method == 'reweighted').sum())} reweighted from their group's base "
        f"fit, {int((method == 'sampled').sum())} sampled, **{int((status == 'failed').sum())} failed**. "
        f"{summary['workers']} workers, {summary['seconds']:.0f} s in all.",
        "",
    ]
    for year, swung in found.items():
        baseline = dataset.sel(variant=0, event=event, stat="mean", date=at_year_end(year))
        lines += [f"## What moves P({label} by the end of {year})", ""]
        lines += [
            f"Baseline: {float(baseline['risk']):.1%}." if baseline["status"] == "done" else "The baseline failed.",
            "",
        ]
        lines += ["| assumption | swing | lowest | highest | verdict |", "|---|---|---|---|---|"]
        for s in swung:
            lines.append(f"| {s.axis} | {s.width * 100:.1f} points | {s.low:.1%} ({s.low_at}) | "
                         f"{s.high:.1%} ({s.high_at}) | {_verdict(s.width)} |")  # fmt: skip
        lines.append("")
    lines += [
        f"A swing is the range of an assumption's main effects (the mean over the variants sharing a value). "
        f"It matters from {MATTERS * 100:.0f} percentage points (a headline changes); under {NEGLIGIBLE * 100:.0f} "
        "point it is within a variant's Monte Carlo error and does not matter.",
        "",
    ]
    ranked = {s.axis for swung in found.values() for s in swung}
    for axis in json.loads(dataset.attrs["axes"]):
        if axis not in ranked:
            values = sorted({str(v) for v in dataset[axis].values[1:]})
            lines += [f"Not ranked: `{axis}` takes one value ({', '.join(values)}) in the design besides the "
                      "baseline's; list the scenario file's own value too to compare with it.", ""]  # fmt: skip
    lines += [f"![{name}]({name}.png)\n" for name in figures]
    failed = np.flatnonzero(status == "failed")
    if failed.size:
        lines += ["## Failed variants", "", "| variant | settings | reason |", "|---|---|---|"]
        lines += [f"| {i} | {dataset['label'].values[i]} | {_cell(dataset['reason'].values[i])} |" for i in failed]
        lines.append("")
    sampled = np.flatnonzero(method == "sampled")
    if sampled.size:
        lines += ["## Sampled rather than reweighted", ""]
        reasons: dict[str, int] = {}
        for i in sampled:
            reason = str(dataset["reason"].values[i]).split(":")[0] or "no base fit to reweight"
            reasons[reason] = reasons.get(reason, 0) + 1
        lines += [f"- {count} × {reason}" for reason, count in sorted(reasons.items(), key=lambda r: -r[1])]
        lines.append("")
    lines += ["Every variant's numbers, settings and reason are in `sweep.csv` and `sweep.nc`.", ""]
    return "\n".join(lines)


def _verdict(width: float) -> str:
    if width >= MATTERS:
        return "**matters**"
    return "minor" if width >= NEGLIGIBLE else "does not matter"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")

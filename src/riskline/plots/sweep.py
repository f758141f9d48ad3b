"""A sweep's figures: what moves the forecast (tornado), how far timelines spread, each statement's pull.

All three read the sweep's dataset (riskline.sweeps.results): the tornado chart draws each
axis's swing of the mean P(event by the end of a headline year), widest on top, with the
baseline (the scenario as its file has it) as a vertical line; the spread draws every done
variant's mean timeline thinly over the baseline's; the influence chart draws, for each
statement left out in turn, how far the forecast moves without it.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from riskline.plots.style import BAND_COLOUR, PAGE_WIDTH, SERIES_COLOURS, add_footer, date_axis, percent_axis

if TYPE_CHECKING:
    from riskline.sweeps.results import Swing

__all__ = ["plot_statement_swings", "plot_sweep_spread", "plot_tornado"]

AXIS_WORDS = {"lexicon": "lexicon", "priors": "prior folder", "as_of": "as_of date", "left_out": "statement left out"}
"""How an axis is named on a chart; a prior number is named by its path."""
BAR_HEIGHT = 0.32
"""Inches per bar of a horizontal bar chart: room for a label line at 7 pt."""
LABEL_CHARS = 30
"""Longest bar label line, and longest value named beside a bar."""
TITLE_CHARS = 62
"""Longest title line at 11 pt bold across the page width."""
FOOTER_CHARS = 125
"""Longest footer line at 7 pt across the page width."""


def plot_tornado(dataset: xr.Dataset, event: str, per_year: dict[int, list[Swing]]) -> Figure:
    """Each varied axis's swing of P(`event` by the end of a year (`per_year`: year -> swings, widest first)).

    A panel per year, widest bar on top.
    """
    years = list(per_year)
    heights = [0.9 + BAR_HEIGHT * 1.6 * max(1, len(found)) for found in per_year.values()]
    fig, axes = plt.subplots(len(years), 1, figsize=(PAGE_WIDTH, 1.2 + sum(heights)), squeeze=False,
                             height_ratios=heights, layout="constrained")  # fmt: skip
    for ax, (year, found) in zip(axes[:, 0], per_year.items(), strict=True):
        baseline = _baseline(dataset, event, year)
        rows = list(reversed(found))  # widest on top
        for row, swing in enumerate(rows):
            ax.barh(row, swing.width, left=swing.low, height=0.55, color=BAND_COLOUR, alpha=0.8)
            words = f"low at {_short(swing.low_at)}\nhigh at {_short(swing.high_at)}"
            beside = swing.high if np.isnan(baseline) else max(swing.high, baseline)  # clear of the baseline
            ax.annotate(words, (beside, row), xytext=(4, 0), textcoords="offset points", va="center", fontsize=6.5)
        ax.set_yticks(range(len(rows)), [_axis_name(s.axis) for s in rows], fontsize=7)
        ax.set_ylim(-0.6, max(len(rows), 1) - 0.4)
        if not np.isnan(baseline):
            ax.axvline(baseline, color="black", linewidth=1, linestyle="--", label=f"baseline {baseline:.1%}")
            ax.legend(loc="lower right", fontsize=7, frameon=False)
        ax.set_title(f"P(by the end of {year})", fontsize=9, loc="left")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        ax.tick_params(axis="x", labelsize=7)
        ends = [v for swing in rows for v in (swing.low, swing.high)] + ([] if np.isnan(baseline) else [baseline])
        if ends:  # room on the right for the values beside the bars
            low, high = min(ends), max(ends)
            span = (high - low) or 0.01
            ax.set_xlim(low - 0.05 * span, high + 0.6 * span)
        if not rows:
            ax.text(0.5, 0.5, "no axis varied", transform=ax.transAxes, ha="center", fontsize=8)
    axes[-1, 0].set_xlabel("mean P(event by date) over the variants sharing each value of the assumption", fontsize=8)
    label = str(dataset["event_label"].sel(event=event).item())
    _title(fig, f"{dataset.attrs['title']}: what moves “{label}” most")
    add_footer(fig, _footer(dataset, "Bar: lowest to highest main effect of the assumption (the other assumptions "
                                     "averaged out); beside it, at which values."))  # fmt: skip
    return fig


def plot_sweep_spread(dataset: xr.Dataset) -> Figure:
    """Every done variant's mean timeline (thin) and the baseline's (thick), a panel per event."""
    events = list(dataset["event"].values)
    fig, axes = plt.subplots(len(events), 1, figsize=(PAGE_WIDTH, 0.9 + 2.2 * len(events)), sharex=True,
                             squeeze=False, layout="constrained")  # fmt: skip
    done = dataset.isel(variant=np.flatnonzero((dataset["status"] == "done").values))
    dates = dataset["date"].values
    for ax, event in zip(axes[:, 0], events, strict=True):
        means = done["risk"].sel(event=event, stat="mean")
        for row in means.values:
            ax.plot(dates, row, color="0.55", linewidth=0.5, alpha=0.5)
        if len(means):
            low, high = np.nanquantile(means.values, [0.05, 0.95], axis=0)
            ax.fill_between(dates, low, high, color=BAND_COLOUR, alpha=0.15, label="5–95% of the variants' means")
        if 0 in done["variant"].values:
            ax.plot(dates, means.sel(variant=0), color=BAND_COLOUR, linewidth=2, label="baseline")
        ax.set_title(str(dataset["event_label"].sel(event=event).item()), fontsize=9, loc="left")
        ax.set_ylabel("P(by date)", fontsize=8)
        ax.set_ylim(0, 1)
        percent_axis(ax.yaxis)
        date_axis(ax)
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    _title(fig, f"{dataset.attrs['title']}: timelines across {len(done['variant'])} variants")
    add_footer(fig, _footer(dataset, "Grey: each variant's mean P(event by the end of each year)."))
    return fig


def plot_statement_swings(dataset: xr.Dataset, event: str, shifts: pd.DataFrame) -> Figure:
    """How far P(`event` by the end of each year moves when each statement is left out.

    `shifts` has a row per statement and a column per year (riskline.sweeps.results.statement_shifts).
    """
    statements, years = list(shifts.index), list(shifts.columns)
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 2.0 + BAR_HEIGHT * len(statements) * max(1, len(years) / 2)),
                           layout="constrained")  # fmt: skip
    height = 0.8 / max(1, len(years))
    for position, year in enumerate(years):
        rows = np.arange(len(statements)) + position * height
        ax.barh(rows, shifts[year].to_numpy(), height=height, color=SERIES_COLOURS[position % len(SERIES_COLOURS)],
                label=f"by the end of {year}")  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(np.arange(len(statements)) + height * (len(years) - 1) / 2, [s[:45] for s in statements],
                  fontsize=7)  # fmt: skip
    ax.invert_yaxis()
    ax.set_xlabel("change of P(event by date) without the statement (percentage points)", fontsize=8)
    ax.xaxis.set_major_formatter(lambda value, _: f"{value * 100:+.0f}")
    ax.tick_params(axis="x", labelsize=7)
    fig.legend(loc="outside right center", fontsize=7, frameon=False)  # clear of the bars
    label = str(dataset["event_label"].sel(event=event).item())
    _title(fig, f"{dataset.attrs['title']}: each statement's pull on “{label}”")
    note = ("Change: the mean over the variants leaving the statement out minus the mean over those leaving nothing "
            "out. Negative: the statement pulls the forecast up.")  # fmt: skip
    add_footer(fig, _footer(dataset, note))
    return fig


def _baseline(dataset: xr.Dataset, event: str, year: int) -> float:
    baseline = dataset.swap_dims(date="year").sel(variant=0, event=event, stat="mean", year=year)
    return float(baseline["risk"]) if str(baseline["status"].item()) == "done" else float("nan")


def _axis_name(axis: str) -> str:
    """The axis in words, or a prior number's path broken at its dots to fit beside a bar."""
    return AXIS_WORDS.get(axis, textwrap.fill(axis.replace(".", ". "), LABEL_CHARS).replace(". ", "."))


def _short(value: str) -> str:
    return value if len(value) <= LABEL_CHARS else value[: LABEL_CHARS - 1] + "…"


def _title(fig: Figure, text: str) -> None:
    fig.suptitle(textwrap.fill(text, TITLE_CHARS), fontsize=11, fontweight="bold")


def _footer(dataset: xr.Dataset, note: str) -> str:
    done = int((dataset["status"] == "done").sum())
    failed = int((dataset["status"] == "failed").sum())
    counts = f"{done} variants done" + (f", {failed} failed (sweep.csv says why)" if failed else "")
    lines = [
        f"Sweep {dataset.attrs['sweep']} of {dataset.attrs['scenario'].rsplit('/', 1)[-1]}: {counts}; "
        f"seed {dataset.attrs['seed']}. Probabilities are conditional on no observed event of a chain by each "
        "variant's as_of.",
        note,
    ]
    return "\n".join(textwrap.fill(line, FOOTER_CHARS) for line in lines)

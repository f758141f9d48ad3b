"""The backtest's figures: scores by method, reliability diagrams, PIT histograms.

Each draws the backtest's tables (`riskline.backtest.scores`); none computes a score.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from riskline.plots.style import PAGE_WIDTH, SERIES_COLOURS, add_footer, percent_axis
from riskline.scoring import reliability_table

__all__ = ["RELIABILITY_EDGES", "plot_pit", "plot_reliability", "plot_scores"]

RELIABILITY_EDGES = np.array([0.0, 0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 1.0])
"""Forecast bins of the reliability diagram: narrow near 0 and 1, where most forecasts lie."""
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<"]


def plot_scores(summary: pd.DataFrame, footer_text: str) -> Figure:
    """Mean log score per method at each horizon, with ±1 standard error over questions (lower is better)."""
    horizons = list(dict.fromkeys(summary["horizon"]))
    methods = list(summary[summary["horizon"] == horizons[0]].sort_values("log_score")["method"])
    fig, axes = plt.subplots(1, len(horizons), figsize=(PAGE_WIDTH, 0.9 + 0.28 * len(methods)), sharey=True,
                             layout="constrained")  # fmt: skip
    for ax, horizon in zip(np.atleast_1d(axes), horizons, strict=True):
        rows = summary[summary["horizon"] == horizon].set_index("method").reindex(methods)
        y = np.arange(len(methods))
        ax.errorbar(rows["log_score"], y, xerr=rows["log_score_se"].fillna(0), fmt="o", color=SERIES_COLOURS[0],
                    ecolor="0.45", elinewidth=1, capsize=2, markersize=4)  # fmt: skip
        best = rows["log_score"].idxmin()
        ax.plot(rows.loc[best, "log_score"], methods.index(best), "o", color=SERIES_COLOURS[1], markersize=6)
        ax.set_title(f"{horizon} (n = {int(rows['n'].max())})", fontsize=9)
        ax.set_xlabel("mean log score\n(nats, lower is better)", fontsize=7.5)
        ax.tick_params(labelsize=7.5)
        ax.grid(True, axis="x", color="0.88", lw=0.6)
        ax.set_axisbelow(True)
    first = np.atleast_1d(axes)[0]
    first.set_yticks(np.arange(len(methods)), methods)
    first.invert_yaxis()
    fig.suptitle("Backtest: mean log score of P(event by origin + horizon)", fontsize=11, fontweight="bold")
    add_footer(fig, footer_text + "\nOrange: the best method at that horizon. Bars: ±1 standard error over questions.")
    return fig


def plot_reliability(horizons: pd.DataFrame, methods: Sequence[str], footer_text: str) -> Figure:
    """Observed frequency against forecast probability per horizon, with the binomial band of the first method."""
    names = list(dict.fromkeys(horizons["horizon"]))
    fig, axes = plt.subplots(2, 2, figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.9), layout="constrained")
    for ax, horizon in zip(axes.flat, names, strict=False):
        rows = horizons[horizons["horizon"] == horizon]
        for i, method in enumerate(methods):
            mine = rows[rows["method"] == method]
            table = reliability_table(mine["p"], mine["happened"], RELIABILITY_EDGES)
            if table.empty:
                continue
            if i == 0:
                ax.fill_between(table["forecast"], table["band_low"], table["band_high"], color=SERIES_COLOURS[0],
                                alpha=0.15, lw=0, label=f"90% band if {method} were calibrated")  # fmt: skip
            ax.plot(table["forecast"], table["observed"], marker=MARKERS[i], color=SERIES_COLOURS[i],
                    ls=["-", "--", ":", "-."][i % 4], lw=1, markersize=4, label=method)  # fmt: skip
        ax.plot([0, 1], [0, 1], color="0.5", lw=0.8, ls=(0, (2, 2)))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        percent_axis(ax.xaxis)
        percent_axis(ax.yaxis)
        ax.set_title(f"by origin + {horizon} ({int(rows[rows['method'] == methods[0]].shape[0])} forecasts)",
                     fontsize=9)  # fmt: skip
        ax.set_xlabel("forecast probability", fontsize=8)
        ax.set_ylabel("observed frequency", fontsize=8)
        ax.tick_params(labelsize=7.5)
        ax.set_aspect("equal")
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(loc="upper left", fontsize=6.5, frameon=False)
    fig.suptitle("Backtest: reliability", fontsize=11, fontweight="bold")
    explained = ("\nForecasts binned at 5, 15, 30, 50, 70, 85%; a point: a bin's mean forecast and observed frequency."
                 "\nThe band assumes independent forecasts (a question's origins are not).")  # fmt: skip
    add_footer(fig, footer_text + explained)
    return fig


def plot_pit(dates: pd.DataFrame, methods: Sequence[str], footer_text: str) -> Figure:
    """Histograms of the PIT of the events' dates (uniform for a calibrated forecast)."""
    fig, axes = plt.subplots(1, len(methods), figsize=(PAGE_WIDTH, 2.4), sharey=True, layout="constrained",
                             squeeze=False)  # fmt: skip
    bins = np.linspace(0, 1, 6)
    for i, (ax, method) in enumerate(zip(axes[0], methods, strict=True)):
        values = dates.loc[dates["method"] == method, "pit"].dropna()
        ax.hist(values, bins=bins, color=SERIES_COLOURS[i], alpha=0.8, edgecolor="white")
        if len(values):
            ax.axhline(len(values) / (len(bins) - 1), color="0.3", lw=0.8, ls="--", label="uniform")
        ax.set_title(f"{method} ({len(values)} dates)", fontsize=8.5)
        ax.set_xlabel("PIT of the event's date", fontsize=8)
        ax.tick_params(labelsize=7.5)
    axes[0, 0].set_ylabel("forecasts", fontsize=8)
    fig.suptitle("Backtest: when the events came, against the forecast", fontsize=11, fontweight="bold")
    add_footer(fig, footer_text + "\nPIT: P(event by its date | event within 5 years of the origin). "
               "Too many low values: events came earlier than forecast; high: later.")  # fmt: skip
    return fig

"""Which statements drive the forecast: the headline numbers without each statement, against the forecast.

One panel per event, one row per statement (by its id). Each marker is how far P(event by the end of a
headline year) moves when that statement is left out, in percentage points: left of zero,
the statement raised the risk. Filled markers come from the fit's reweighted draws, hollow
ones from a new fit (where reweighting was unreliable: riskline.influence). Past
`selection.PER_EVENT` statements, a panel shows those that move its event most, and says so.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from riskline.forecast import Forecast
from riskline.plots import selection
from riskline.plots.style import SERIES_COLOURS, event_panels, footer

__all__ = ["plot_influence"]

MARKERS = ("o", "D", "s")


def plot_influence(forecast: Forecast, influence: pd.DataFrame, event: str | None = None, ax=None) -> Figure:
    """Each statement's shift of the headline numbers, a panel per event, or `event` on `ax`.

    Parameters
    ----------
    forecast
        The forecast the influence was computed for.
    influence
        `riskline.influence.statement_influence(forecast, ...)`.
    event, ax
        As in `plot_timeline`: one event on `ax`, or every event in a figure of its own.

    Returns
    -------
    matplotlib.figure.Figure

    """
    scenario = forecast.scenario
    rows = min(len(scenario.estimates), selection.PER_EVENT)
    return event_panels(scenario.events, lambda panel, each: _draw(panel, forecast, influence, each),
                        title=forecast.title("what each statement adds"),
                        footer_text=footer(scenario, note="Hollow: refitted without the statement; filled: the "
                                                          "fit's draws reweighted (Pareto-smoothed)."),
                        panel_height=0.8 + 0.22 * rows, sharex=False, event=event, ax=ax)  # fmt: skip


def _draw(ax, forecast: Forecast, influence: pd.DataFrame, event) -> None:
    table = influence[influence["event"] == event.id]
    every = [e.id for e in forecast.scenario.estimates]
    ids = selection.most_influential(table, every, selection.PER_EVENT)
    for colour, marker, (year, rows) in zip(SERIES_COLOURS, MARKERS, table.groupby("year"), strict=False):
        rows = rows.set_index("estimate").loc[ids]
        y = -np.arange(len(ids))
        points = 100 * rows["shift"].to_numpy()
        refitted = (rows["method"] == "refitted").to_numpy()
        with_mean = rows["with_mean"].iloc[0]
        label = f"by end {year} (forecast {with_mean:.0%})"
        ax.scatter(points[~refitted], y[~refitted], marker=marker, color=colour, s=22, label=label, zorder=3)
        ax.scatter(points[refitted], y[refitted], marker=marker, facecolor="white", edgecolor=colour, s=22,
                   label=None if (~refitted).any() else label, zorder=3)  # fmt: skip
    ax.set_yticks(-np.arange(len(ids)), [textwrap.shorten(i, 44, placeholder="…") for i in ids], fontsize=7)
    ax.axvline(0, color="0.3", lw=0.8)
    left_out = selection.influence_panel_note(len(ids), len(every))
    ax.set_title(event.label, loc="left", fontsize=10, pad=None if left_out is None else 14)
    if left_out is not None:  # a line of its own between the title and the axes, as the timeline's headline
        ax.text(0, 1.015, left_out, transform=ax.transAxes, ha="left", va="bottom", fontsize=7.5, color="0.15")
    ax.set_xlabel("P(event by the year's end) without the statement minus the forecast (points)", fontsize=8)
    ax.grid(True, axis="x", color="0.88", lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="best", fontsize=7, framealpha=0.9, edgecolor="none")

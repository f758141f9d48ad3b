"""Reconciliation forest plot: each statement's range beside the combined view of the same quantity.

One row per estimate, grouped by event. The coloured bar is the range the statement's
phrase stands for; the black dot and line are the posterior median and 90% interval of the
probability that statement speaks of (its window, given nothing by its issue date). A
flagged row (less than 5% of the posterior inside the stated range) is labelled in bold
with a marker, so disagreement is visible without colour. A statement whose window closed
with nothing having happened is hatched and marked ✕: it scores its source, it is not
evidence of the hazard. Past `selection.ROWS` statements, the figure draws those furthest
from the combined view, and says so above the rows and beside each event's heading.
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from riskline.forecast import FLAG_MASS, Forecast
from riskline.plots import selection
from riskline.plots.style import PAGE_WIDTH, add_footer, footer, percent_axis, short_source
from riskline.plots.timeline import source_colours

__all__ = ["plot_reconciliation"]

NOTE_CHARS = 60
"""The widest line of the note on what is left out: it is centred over the axes, right of the longest labels."""


def plot_reconciliation(forecast: Forecast, ax=None, *, table: pd.DataFrame | None = None) -> Figure:
    """The forest plot of `forecast.reconciliation()`: each statement's range beside the combined view of it.

    Parameters
    ----------
    forecast
        The forecast to draw.
    ax
        A matplotlib Axes to draw on; None makes a page-wide figure.
    table
        `forecast.reconciliation()`, for a caller that has it already (None computes it).

    Returns
    -------
    matplotlib.figure.Figure

    """
    table = forecast.reconciliation() if table is None else table
    scenario = forecast.scenario
    drawn = selection.furthest(table, selection.ROWS)
    note = selection.reconciliation_note(table)
    if ax is None:
        height = 1.4 + 0.36 * (len(drawn) + len(scenario.events)) + (0.3 if note else 0)
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, height), layout="constrained")
    colours = source_colours(scenario)
    labels = {s.id: s.label for s in scenario.sources}
    ticks, y = [], 0.0
    for event in scenario.events:
        rows = drawn[drawn["event"] == event.id].sort_values("issued", kind="stable")
        if rows.empty:
            continue
        of = (table["event"] == event.id).sum()
        ticks.append((y, event.label if len(rows) == of else f"{event.label} ({len(rows)} of {of:,} shown)", True))
        y -= 1
        row: Any  # a table's row: its fields have the columns' types, which pandas' stubs do not know
        for row in rows.itertuples():
            ax.barh(y, row.stated_high - row.stated_low, left=row.stated_low, height=0.6, color=colours[row.source],
                    alpha=0.55, lw=0, hatch="///" if row.window_closed else None)  # fmt: skip
            ax.plot([row.posterior_q05, row.posterior_q95], [y, y], color="black", lw=1.4)
            ax.plot(row.posterior_median, y, "o", color="black", ms=4.5)
            mark = "⚑ " if row.flag else "✕ " if row.window_closed else ""
            name = f"{mark}{short_source(labels[row.source])}, {row.issued:%b %Y}"
            said = textwrap.shorten(f"{row.stated.split(' (')[0]}, {row.window}", 52, placeholder="…")
            ticks.append((y, f"{name}\n{said}", row.flag))
            y -= 1
    ax.set_yticks([t[0] for t in ticks], [t[1] for t in ticks], fontsize=7)
    for label, (*_, bold) in zip(ax.get_yticklabels(), ticks, strict=True):
        if bold:  # an event's heading, or a flagged statement
            label.set_fontweight("bold")
    ax.set_ylim(y + 0.4, 0.6)
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    ax.set_xlabel("P(event in the statement's window | none by its issue date)", fontsize=8)
    ax.grid(True, axis="x", color="0.88", lw=0.6)
    ax.set_axisbelow(True)
    handles = [
        Patch(facecolor="white", edgecolor="0.4", label="stated range (colour: source)"),
        Line2D([], [], color="black", marker="o", ms=4.5, lw=1.4, label="combined view: median, 90%"),
        Line2D([], [], ls="", marker="$⚑$", color="black", label=f"flagged: < {FLAG_MASS:.0%} of it in range"),
    ]
    if drawn["window_closed"].any():
        handles.append(Patch(facecolor="white", edgecolor="0.4", hatch="///",
                             label="✕ window closed, nothing happened"))  # fmt: skip
    fig = ax.figure
    left_out: dict = {} if note is None else {"title": textwrap.fill(note, NOTE_CHARS), "title_fontsize": 7.5}
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=7, frameon=False,
              **left_out)  # fmt: skip
    fig.suptitle(forecast.title("who disagrees with the combined view"), fontsize=11, fontweight="bold")
    add_footer(fig, footer(scenario))
    return fig

"""Fan chart of P(event by date): posterior mean, 50/80/95% bands, stated estimates.

One panel per event, sharing the date axis. The mean at the end of the headline years is
marked and put into the lexicon's words. Each estimate is drawn at its window end as
the range its phrase stands for, numbered and keyed below the panel. That range is about
P(event in the window | no event by the issue date), which is the fan's quantity
P(event by date | no event by as_of) only for windows that open when the statement was
made, and only if nothing is learnt between the issue date and as_of. So beside each
range the combined view of the statement's own probability is drawn too (the
reconciliation's median and 90% interval): that pair, not range against fan, says who
disagrees. An event with more than `selection.PER_EVENT` statements draws and keys those
furthest from the combined view, and its key's title says how many of how many.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from riskline.config.windows import RelativeWindow, Window
from riskline.forecast import Forecast, year_end, year_row
from riskline.plots import selection
from riskline.plots.style import (
    BAND_COLOUR,
    PAGE_WIDTH,
    SERIES_COLOURS,
    add_footer,
    date_axis,
    footer,
    percent_axis,
    short_source,
)

__all__ = ["FAN_QUANTILES", "plot_timeline", "source_colours"]

FAN_QUANTILES = (0.025, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975)
"""The 95%, 80% and 50% central credible bands, widest first, around the median."""
LEGEND_CHARS = 98
"""Longest estimate key that fits the page width at 7 pt."""
COMBINED_OFFSET_DAYS = 45
"""How far after a stated range the combined view of the same probability is drawn."""


def plot_timeline(
    forecast: Forecast,
    event: str | None = None,
    ax=None,
    *,
    year_ends: pd.DataFrame | None = None,
    reconciliation: pd.DataFrame | None = None,
) -> Figure:
    """Draw the risk timeline of one event on `ax`, or of every event in stacked panels.

    Parameters
    ----------
    forecast
        The forecast to draw.
    event
        The id of the one event to draw on `ax`; None draws every event, each in a panel of a
        new figure (with `ax`, None is allowed when the scenario has one event).
    ax
        A matplotlib Axes to draw one event on; None makes a page-wide figure.
    year_ends, reconciliation
        `forecast.year_ends()` and `forecast.reconciliation()`, for a caller that has them
        already (None computes them).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn (`ax`'s, when given); save it with `riskline.export.save_figure`.

    """
    tables = _tables(forecast, year_ends, reconciliation)
    if event is not None:
        if ax is None:
            _, ax = plt.subplots(figsize=(PAGE_WIDTH, 4.2), layout="constrained")
        bands = _draw_event(forecast, event, ax, tables)
        ax.add_artist(ax.legend(handles=bands, loc="upper left", fontsize=7, frameon=False))
        return ax.figure
    events = [e.id for e in forecast.scenario.events]
    # a key's line per statement drawn, and two more saying what is left out
    heights = [2.4 + 0.2 * min(_estimate_count(forecast, e), selection.PER_EVENT + 2) for e in events]
    fig, axes = plt.subplots(len(events) + 1, 1, figsize=(PAGE_WIDTH, sum(heights) + 1.1), layout="constrained",
                             squeeze=False, height_ratios=[0.3, *heights])  # fmt: skip
    key, panels = axes[0, 0], axes[1:, 0]
    for panel, name in zip(panels, events, strict=True):
        panel.sharex(panels[0])
        bands = _draw_event(forecast, name, panel, tables)
    key.axis("off")  # a row of its own for the shared key: a figure legend would overlap the title
    key.legend(handles=bands, loc="center", ncol=3, fontsize=7.5, frameon=False)
    fig.suptitle(forecast.title(), fontsize=13, fontweight="bold")
    add_footer(fig, footer(forecast.scenario))
    return fig


def _tables(forecast: Forecast, year_ends: pd.DataFrame | None, reconciliation: pd.DataFrame | None) -> tuple:
    """The fan's quantiles, the year-end means and the reconciliation, each computed once for every panel."""
    return (
        forecast.timeline(quantiles=FAN_QUANTILES),
        forecast.year_ends() if year_ends is None else year_ends,
        forecast.reconciliation() if reconciliation is None else reconciliation,
    )


def _draw_event(forecast: Forecast, event: str, ax, tables: tuple) -> list:
    """Bands, mean, headline, as_of, signposts and estimates of one event; returns the band handles."""
    scenario = forecast.scenario
    table, years, reconciliation = tables
    rows = table[table["event"] == event]
    dates = np.array(rows["date"].to_list(), dtype="datetime64[D]")
    handles: list = []
    for (low, high), alpha in zip([("025", "975"), ("10", "90"), ("25", "75")], (0.15, 0.25, 0.4), strict=True):
        level = round(100 * (FAN_QUANTILES[-1 - len(handles)] - FAN_QUANTILES[len(handles)]))
        handles.append(ax.fill_between(dates, rows[f"p_q{low}"], rows[f"p_q{high}"], color=BAND_COLOUR, alpha=alpha,
                                       lw=0, label=f"{level}% credible band"))  # fmt: skip
    handles.append(ax.plot(dates, rows["p_mean"], color=BAND_COLOUR, lw=2.2, label="posterior mean")[0])
    handles.append(ax.plot(dates, rows["p_q50"], color="0.15", lw=1, ls=(0, (4, 2)), label="posterior median")[0])
    handles += _mark_headline(forecast, years, event, ax)
    as_of = np.datetime64(scenario.as_of)
    ax.axvline(as_of, color="0.2", ls="--", lw=1)
    ax.text(
        as_of,
        0.03,
        f" as of {scenario.as_of:%-d %b %Y}",
        rotation=90,
        va="bottom",
        ha="right",
        fontsize=7.5,
        color="0.2",
    )
    _shade_unspoken(forecast, event, ax)
    signposts = _draw_signposts(forecast, event, ax)
    if signposts:
        ax.add_artist(ax.legend(handles=signposts, loc="upper left", fontsize=7, frameon=False))
    drawn = selection.furthest(reconciliation[reconciliation["event"] == event], selection.PER_EVENT)
    drawn = drawn.set_index("estimate")
    _draw_estimates(forecast, event, ax, drawn)
    label = next(e.label for e in scenario.events if e.id == event)
    ax.set_title(label, loc="left", fontsize=10, pad=14)  # room for the headline line below it
    ax.set_ylabel("P(event by date)")
    ax.set_ylim(0, 1.05)
    ax.set_xlim(np.datetime64(_first_date(forecast, event, set(drawn.index))), np.datetime64(scenario.horizon))
    percent_axis(ax.yaxis)
    date_axis(ax)
    ax.tick_params(labelbottom=True)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.grid(True, color="0.88", lw=0.6)
    return handles


def _shade_unspoken(forecast: Forecast, event: str, ax) -> None:
    """Grey out the time after the last date a statement on the event's chain speaks of: the model extrapolates.

    Said in words in the panel's top right corner.
    """
    until = forecast.speaks_until()[event]
    if until is not None and until >= forecast.scenario.horizon:
        return
    start = np.datetime64(until if until is not None else forecast.scenario.as_of)
    ax.axvspan(start, np.datetime64(forecast.scenario.horizon), color="0.5", alpha=0.1, lw=0, zorder=0)
    words = f"no statement speaks\npast {until:%b %Y}:" if until else "no statement\nhas a date:"
    words += "\nextrapolated"
    ax.text(0.995, 0.985, words, transform=ax.transAxes, ha="right", va="top", fontsize=6.5, color="0.25",
            bbox={"facecolor": "white", "alpha": 0.85, "lw": 0, "pad": 1.5}, zorder=8)  # fmt: skip


def _mark_headline(forecast: Forecast, years, event: str, ax) -> list:
    """Dots on the mean at each headline year's end; mean and median said in the lexicon's words above the panel.

    Returns the dots' legend handle (none when the horizon covers no headline year).
    """
    said, dot = [], []
    for year in forecast.headline_years():
        row = year_row(years, event, year)
        dot = ax.plot(np.datetime64(year_end(year)), row.p_mean, "o", color="white", mec=BAND_COLOUR, mew=1.6,
                      ms=5, zorder=5, label="mean at a headline year's end")[:1]  # fmt: skip
        said.append(f"{row.p_mean:.0%} (median {row.p_q50:.0%}) by end {year}, "
                    f"{forecast.scenario.lexicon.words_for(row.p_mean, ranges=False)}")  # fmt: skip
    # a line of its own between the panel's title and the axes: never over the fan
    ax.text(0, 1.015, "  ·  ".join(said), transform=ax.transAxes, ha="left", va="bottom", fontsize=7.5, color="0.15")
    return dot


def _draw_estimates(forecast: Forecast, event: str, ax, reconciliation) -> None:
    """Each statement of `reconciliation` (its rows to draw, by estimate) as a numbered range at its window end.

    The combined view of it just after. Keyed below the axes; a statement the reconciliation
    flags is marked ⚑ in the key, one whose window closed with nothing having happened ✕.
    """
    scenario = forecast.scenario
    colours = source_colours(scenario)
    labels = {s.id: s.label for s in scenario.sources}
    handles, combined = [], None
    placed: list[np.datetime64] = []
    estimates = [e for e in scenario.estimates if e.spec.event == event]
    drawn = [e for e in estimates if e.id in reconciliation.index]
    for number, est in enumerate(drawn, start=1):
        colour = colours[est.spec.source]
        stated = est.probability
        relative = isinstance(est.window, RelativeWindow)
        view = reconciliation.loc[est.id]
        flag = "⚑ " if view["flag"] else "✕ closed, nothing happened: " if view["window_closed"] else ""
        label = textwrap.shorten(f"{flag}{number}  {short_source(labels[est.spec.source])}, {est.spec.issued:%b %Y}: "
                                 f"{stated.text} "
                                 f"({100 * stated.low:.0f}–{100 * stated.high:.0f}%), {_window_words(est)}",
                                 LEGEND_CHARS - 12 * relative, placeholder="…")  # fmt: skip
        if not isinstance(window := est.window, Window):  # relative: no calendar date, keyed, not drawn
            handles.append(ax.plot([], [], color=colour, lw=5, alpha=0.5, label=f"{label} (not drawn)")[0])
            continue
        end = np.datetime64(window.end)
        low, high = est.probability.low, est.probability.high
        handle = ax.plot([end, end], [low, high], color=colour, lw=5, solid_capstyle="butt", alpha=0.9, label=label)[0]
        beside = end + np.timedelta64(COMBINED_OFFSET_DAYS, "D")
        ax.plot([beside, beside], [view["posterior_q05"], view["posterior_q95"]], color="black", lw=1, zorder=6)
        combined = ax.plot(beside, view["posterior_median"], "D", color="white", mec="black", mew=1.1, ms=4.5,
                           zorder=7, label="combined view of that probability (median, 90% interval)")[0]  # fmt: skip
        crowded = sum(abs((end - other).astype(int)) < 120 for other in placed)
        ax.annotate(str(number), (end, high), xytext=(0, 4 + 11 * crowded), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7, fontweight="bold", color="white",
                    bbox={"boxstyle": "circle,pad=0.2", "fc": colour, "ec": "none"})  # fmt: skip
        placed.append(end)
        handles.append(handle)
    if combined is not None:
        handles.append(combined)
    if handles:
        title = "Stated estimates (range of the phrase, drawn at the window's end; ⚑ the combined view disagrees)"
        left_out = selection.timeline_panel_note(len(drawn), len(estimates))
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, -0.1),
            fontsize=7,
            frameon=False,
            title=title if left_out is None else f"{title}\n{textwrap.fill(left_out, LEGEND_CHARS)}",
            title_fontsize=7,
            alignment="left",
        )


def _draw_signposts(forecast: Forecast, event: str, ax) -> list:
    """A dotted line at each signpost's date; returns legend handles naming them."""
    handles = []
    for signpost in (s for s in forecast.scenario.signposts if s.event == event):
        low, high = signpost.hazard_ratio
        label = f"signpost {signpost.date:%-d %b %Y}: {signpost.id} (hazard ratio {low:g}–{high:g})"
        handles.append(ax.axvline(np.datetime64(signpost.date), color="0.35", ls=":", lw=1.4, label=label))
    return handles


def _window_words(est) -> str:
    """A window as the key says it.

    'before 1 Jan 2030', 'from 1 Jan 2029 to 1 Jan 2031', 'before a date between Dec 2026 and
    Dec 2029', or 'within 2 years after ceasefire'.
    """
    window = est.window
    if isinstance(window, RelativeWindow):
        return window.describe(est.spec.issued)
    end = f"{window.end:%-d %b %Y}"
    if window.fuzzy:  # drawn at its middle end, but said as stated
        end = f"a date between {window.end_earliest:%b %Y} and {window.end_latest:%b %Y}"
    if window.start == est.spec.issued:
        return f"before {end}"
    return f"from {window.start:%-d %b %Y} to {end}"


def _estimate_count(forecast: Forecast, event: str) -> int:
    return sum(e.spec.event == event for e in forecast.scenario.estimates)


def _first_date(forecast: Forecast, event: str, drawn: set[str]) -> date:
    """Half a year before as_of, or earlier if a `drawn` statement's window ends or a signpost falls before that."""
    scenario = forecast.scenario
    ends = [e.window.end for e in scenario.estimates if e.id in drawn and isinstance(e.window, Window)]
    signposts = [s.date - timedelta(days=60) for s in scenario.signposts if s.event == event]
    return min([scenario.as_of - timedelta(days=183), *ends, *signposts])


def source_colours(scenario) -> dict[str, str]:
    """One colour per source, the same in every figure.

    Blue is kept for the forecast and black for the combined view drawn over the ranges.
    """
    palette = [c for c in SERIES_COLOURS[1:] if c != "#000000"]
    return {s.id: palette[i % len(palette)] for i, s in enumerate(scenario.sources)}

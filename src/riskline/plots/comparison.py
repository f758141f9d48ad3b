"""Timelines overlaid: prior vs posterior, lexicon vs lexicon, or one as_of vs another.

The same figure answers "what do the statements add", "how much does the choice of lexicon
or prior file matter" and "what changed since" (the forecast at two as_of dates).

Each series is a timeline table (`Forecast.timeline()`): its mean as a line and its 90%
band, in its own colour and line style so that the series stay apart in greyscale. A line
above each panel gives each series' mean at the end of the headline years, so the change
reads as numbers.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from riskline.config.scenario import Scenario
from riskline.forecast import Forecast, year_end
from riskline.plots.style import LINE_STYLES, SERIES_COLOURS, date_axis, event_panels, footer, percent_axis

__all__ = ["plot_comparison", "plot_prior_posterior", "plot_update", "update_title"]

HEADLINE_CHARS = 115
"""Longest line of the headline means that fits the page width at 7 pt."""


def plot_comparison(
    timelines: Mapping[str, pd.DataFrame],
    scenario: Scenario,
    *,
    title: str,
    headline_years: Sequence[int] = (),
    lexicons: Sequence[str] = (),
    event: str | None = None,
    ax=None,
    mark: str | None = None,
) -> Figure:
    """Overlay timeline tables, a panel per event of `scenario`, or `event` on `ax`.

    Parameters
    ----------
    timelines
        Each line's label and its table (`Forecast.timeline()`).
    scenario
        The scenario whose events, title and footer the figure takes.
    title
        What the figure compares, after the scenario's title.
    headline_years
        Years whose ends are marked (`Forecast.headline_years()`).
    lexicons
        The lexicons the lines were read in, when they differ (for the footer).
    event, ax
        As in `plot_timeline`: one event on `ax`, or every event in a figure of its own.
    mark
        Words leading the title (a partial forecast's, `PartialDraws.short`).

    Returns
    -------
    matplotlib.figure.Figure

    """
    events = [e for e in scenario.events if any((t["event"] == e.id).any() for t in timelines.values())]
    starts = {table["date"].min() for table in timelines.values()}
    as_of = "each line's own as_of date (where the line starts)" if len(starts) > 1 else None
    words = footer(scenario, lexicons=lexicons, as_of=as_of, note="Bands: 90% credible interval.")
    full_title = " – ".join(filter(None, [mark, f"{scenario.spec.title}: {title}"]))
    return event_panels(events, lambda panel, each: _draw(panel, timelines, each, headline_years),
                        title=full_title, footer_text=words, panel_height=2.4, event=event, ax=ax)  # fmt: skip


def plot_prior_posterior(
    forecast: Forecast, event: str | None = None, ax=None, *, posterior: pd.DataFrame | None = None
) -> Figure:
    """The timeline implied by the priors alone against the forecast: what the statements add.

    Parameters
    ----------
    forecast
        The forecast, fitted with `prior=True`.
    event, ax
        As in `plot_timeline`: one event on `ax`, or every event in a figure of its own.
    posterior
        `forecast.timeline()`, for a caller that has it already (None computes it).

    Returns
    -------
    matplotlib.figure.Figure

    """
    timelines = {
        "priors alone": forecast.timeline("prior"),
        "posterior (+ statements, + nothing by as_of)": forecast.timeline() if posterior is None else posterior,
    }
    mark = forecast.partial.short() if forecast.partial else None
    return plot_comparison(timelines, forecast.scenario, title="prior against posterior",
                           headline_years=forecast.headline_years(), event=event, ax=ax, mark=mark)  # fmt: skip


def plot_update(before: Forecast, after: Forecast, event: str | None = None, ax=None) -> Figure:
    """The forecast as of two dates: what changed since `before`.

    Parameters
    ----------
    before, after
        The forecasts as of the earlier and the later date (`Scenario.at`).
    event, ax
        As in `plot_timeline`: one event on `ax`, or every event in a figure of its own.

    Returns
    -------
    matplotlib.figure.Figure

    """
    timelines = {f"as of {f.scenario.as_of:%-d %b %Y}": f.timeline() for f in (before, after)}
    title = update_title(before.scenario.as_of)
    return plot_comparison(timelines, after.scenario, title=title, headline_years=after.headline_years(),
                           event=event, ax=ax)  # fmt: skip


def update_title(since: date) -> str:
    """The title of an update figure, whether drawn here or by `riskline compare --as-of`."""
    return f"what changed since {since:%-d %b %Y}"


def _draw(ax, timelines: Mapping[str, pd.DataFrame], event, headline_years) -> None:
    said = []
    first = None
    for i, (label, table) in enumerate(timelines.items()):
        rows = table[table["event"] == event.id]
        dates = np.array(rows["date"].to_list(), dtype="datetime64[D]")
        colour, style = SERIES_COLOURS[i % len(SERIES_COLOURS)], LINE_STYLES[i % len(LINE_STYLES)]
        ax.fill_between(dates, rows["p_q05"], rows["p_q95"], color=colour, alpha=0.13, lw=0)
        ax.plot(dates, rows["p_q05"], color=colour, ls=style, lw=0.6)
        ax.plot(dates, rows["p_q95"], color=colour, ls=style, lw=0.6)
        ax.plot(dates, rows["p_mean"], color=colour, ls=style, lw=2, label=label)
        first = dates[0] if first is None else min(first, dates[0])
        ends = [(_at(rows, year_end(y), "p_mean"), _at(rows, year_end(y), "p_q50")) for y in headline_years]
        said.append(f"{label}: " + ", ".join(f"{mean:.0%} ({median:.0%})" for mean, median in ends))
    lines = 0
    if headline_years:  # above the axes, between the title and the panel: never over the bands
        heading = "mean (median) by end " + " / ".join(str(y) for y in headline_years)
        text = textwrap.fill(f"{heading}: " + "  ·  ".join(said), HEADLINE_CHARS)
        lines = text.count("\n") + 1
        ax.text(0, 1.015, text, transform=ax.transAxes, ha="left", va="bottom", fontsize=7, color="0.15")
    ax.set_title(event.label, loc="left", fontsize=10, pad=4 + 10 * lines)
    ax.set_ylabel("P(event by date)", fontsize=8.5)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(first, max(np.datetime64(t["date"].max()) for t in timelines.values()))
    ax.set_yticks(np.linspace(0, 1, 6))
    percent_axis(ax.yaxis)
    date_axis(ax)
    ax.tick_params(labelbottom=True)
    ax.grid(True, color="0.88", lw=0.6)
    ax.legend(loc="upper left", fontsize=7, frameon=False)


def _at(rows: pd.DataFrame, when: date, column: str) -> float:
    """The risk's `column` (p_mean, p_q50) at `when`, interpolated between the table's dates."""
    days = np.array([(d - when).days for d in rows["date"]], dtype=float)
    return float(np.interp(0.0, days, rows[column].to_numpy()))

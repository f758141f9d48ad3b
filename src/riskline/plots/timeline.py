"""Fan chart of P(event by date): posterior mean, 50% and 90% bands, stated estimates.

One panel per event, sharing the date axis. Each estimate is drawn at its window end as
the range its phrase stands for, numbered and keyed below the panel. That range is about
P(event in the window | no event by the issue date), which matches the fan's quantity
P(event by date | no event by as_of) only for windows that open when the statement was
made, and only if nothing is learnt between the issue date and as_of; the footer says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib.metadata import version

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from riskline.config.windows import RelativeWindow, Window
from riskline.forecast import Forecast

__all__ = ["plot_timeline"]

BAND_COLOUR = "#0072B2"
"""Okabe-Ito blue: colour-blind safe, and dark enough to read in greyscale."""
SOURCE_COLOURS = ["#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F7F7F"]
"""The rest of the Okabe-Ito palette (grey for its yellow, unreadable in print), one per source."""


def plot_timeline(forecast: Forecast, event: str | None = None, ax=None) -> Figure:
    """Draw the risk timeline of one event on `ax`, or of every event in stacked panels."""
    if event is not None:
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        _draw_event(forecast, event, ax)
        return ax.figure
    events = [e.id for e in forecast.scenario.events]
    heights = [3.2 + 0.17 * _estimate_count(forecast, e) for e in events]
    fig, axes = plt.subplots(
        len(events),
        1,
        figsize=(8, sum(heights) + 0.8),
        sharex=True,
        layout="constrained",
        squeeze=False,
        height_ratios=heights,
    )
    for panel, name in zip(axes[:, 0], events, strict=True):
        _draw_event(forecast, name, panel)
    fig.suptitle(forecast.scenario.spec.title, fontsize=13, fontweight="bold")
    fig.supxlabel(_footer(forecast), x=0.01, ha="left", fontsize=7, color="0.35")
    return fig


def _draw_event(forecast: Forecast, event: str, ax) -> None:
    scenario = forecast.scenario
    table = forecast.timeline()
    rows = table[table["event"] == event]
    dates = np.array(rows["date"].to_list(), dtype="datetime64[D]")
    bands = [
        ax.fill_between(
            dates, rows["p_q05"], rows["p_q95"], color=BAND_COLOUR, alpha=0.18, lw=0, label="90% credible band"
        ),
        ax.fill_between(
            dates, rows["p_q25"], rows["p_q75"], color=BAND_COLOUR, alpha=0.38, lw=0, label="50% credible band"
        ),
        ax.plot(dates, rows["p_mean"], color=BAND_COLOUR, lw=2.2, label="posterior mean")[0],
    ]
    as_of = np.datetime64(scenario.as_of)
    ax.axvline(as_of, color="0.2", ls="--", lw=1)
    ax.text(
        as_of, 0.03, f" as of {scenario.as_of:%-d %b %Y}", rotation=90, va="bottom", ha="right", fontsize=8, color="0.2"
    )
    bands += _draw_signposts(forecast, event, ax)
    ax.add_artist(ax.legend(handles=bands, loc="upper left", fontsize=8, frameon=False))
    _draw_estimates(forecast, event, ax)
    label = next(e.label for e in scenario.events if e.id == event)
    ax.set_title(label, loc="left", fontsize=11)
    ax.set_ylabel("Probability of the event by date")
    ax.set_ylim(0, 1.05)
    ax.set_xlim(np.datetime64(_first_date(forecast, event)), np.datetime64(scenario.horizon))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(labelbottom=True)
    ax.grid(True, color="0.88", lw=0.6)


def _draw_estimates(forecast: Forecast, event: str, ax) -> None:
    """Each statement as a numbered vertical range at its window end, keyed below the axes."""
    scenario = forecast.scenario
    colours = {s.id: SOURCE_COLOURS[i % len(SOURCE_COLOURS)] for i, s in enumerate(scenario.sources)}
    labels = {s.id: s.label for s in scenario.sources}
    handles = []
    placed: list[np.datetime64] = []
    for number, est in enumerate((e for e in scenario.estimates if e.spec.event == event), start=1):
        colour = colours[est.spec.source]
        stated = est.probability
        label = (f"{number}  {labels[est.spec.source]}, {est.spec.issued:%b %Y}: {stated.text} "
                 f"({100 * stated.low:.0f}–{100 * stated.high:.0f}%), {_window_words(est)}")  # fmt: skip
        if isinstance(est.window, RelativeWindow):  # no calendar date: keyed, not drawn
            handles.append(ax.plot([], [], color=colour, lw=5, alpha=0.5, label=f"{label} (not drawn)")[0])
            continue
        end = np.datetime64(est.window.end)
        low, high = est.probability.low, est.probability.high
        handle = ax.plot([end, end], [low, high], color=colour, lw=5, solid_capstyle="butt", alpha=0.9, label=label)[0]
        crowded = sum(abs((end - other).astype(int)) < 120 for other in placed)
        ax.annotate(str(number), (end, high), xytext=(0, 4 + 11 * crowded), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7, fontweight="bold", color="white",
                    bbox={"boxstyle": "circle,pad=0.2", "fc": colour, "ec": "none"})  # fmt: skip
        placed.append(end)
        handles.append(handle)
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0, -0.1),
            fontsize=7.5,
            frameon=False,
            title="Stated estimates (range of the phrase, drawn at the window's end)",
            title_fontsize=7.5,
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
    """'before 1 Jan 2030', '1 Jan 2029 to 1 Jan 2031', or 'within 2 years after ceasefire'."""
    window = est.window
    if isinstance(window, RelativeWindow):
        return window.describe(est.spec.issued)
    end = f"{window.end:%-d %b %Y}"
    if window.start == est.spec.issued:
        return f"before {end}"
    return f"from {window.start:%-d %b %Y} to {end}"


def _estimate_count(forecast: Forecast, event: str) -> int:
    return sum(e.spec.event == event for e in forecast.scenario.estimates)


def _first_date(forecast: Forecast, event: str) -> date:
    """Half a year before as_of, or earlier if a stated window ends or a signpost falls before that."""
    scenario = forecast.scenario
    ends = [e.window.end for e in scenario.estimates if e.spec.event == event and isinstance(e.window, Window)]
    signposts = [s.date - timedelta(days=60) for s in scenario.signposts if s.event == event]
    return min([scenario.as_of - timedelta(days=183), *ends, *signposts])


def _footer(forecast: Forecast) -> str:
    scenario = forecast.scenario
    hazard = scenario.hazard
    model = "random-walk hazard" if hazard.kind == "random_walk" else "constant hazard"
    links = ", ".join(f"{e.id} after {e.after}" for e in scenario.events if e.after)
    chain = f" ({links})" if links else ""
    return (
        f"Probabilities are conditional on no event of a chain by {scenario.as_of:%-d %b %Y}.\n"
        f"Model: {model}{chain}; lexicon: {scenario.lexicon.name}; riskline {version('riskline')}."
    )

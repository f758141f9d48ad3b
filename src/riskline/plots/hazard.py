"""Hazard over time: how fast each event is expected to come, with bands and signposts.

A root event's hazard is drawn against the calendar; a triggered event's runs on the time
since its trigger, so its panel's axis is "years after <trigger>". The hazard is in events
per year on a log scale (the priors span orders of magnitude); the dotted horizontal line is
the base rate's median, so a reader sees where the statements moved it. Where a signpost
applies, the posterior median without it is drawn dashed.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from riskline.forecast import Forecast
from riskline.plots.style import BAND_COLOUR, date_axis, event_panels, footer

__all__ = ["plot_hazard"]


def plot_hazard(forecast: Forecast, event: str | None = None, ax=None) -> Figure:
    """Median hazard with 50% and 90% bands, a panel per event, or `event` on `ax`.

    Parameters
    ----------
    forecast
        The forecast to draw.
    event, ax
        As in `plot_timeline`: one event on `ax`, or every event in a figure of its own.

    Returns
    -------
    matplotlib.figure.Figure

    """
    scenario = forecast.scenario
    summaries = {which: forecast.hazard_summary(which) for which in forecast.available() if which != "prior"}
    return event_panels(scenario.events, lambda panel, each: _draw(panel, forecast, summaries, each),
                        title=forecast.title("hazard over time"), footer_text=footer(scenario),
                        panel_height=2.1, sharex=False, event=event, ax=ax)  # fmt: skip


def _draw(ax, forecast: Forecast, summaries: dict, event) -> None:
    table = summaries["posterior"]
    rows = table[table["event"] == event.id]
    triggered = event.after is not None
    x = rows["delay"].to_numpy() if triggered else np.array(rows["start"].to_list(), dtype="datetime64[D]")
    ax.fill_between(x, rows["h_q05"], rows["h_q95"], step="post", color=BAND_COLOUR, alpha=0.2, lw=0,
                    label="90% credible band")  # fmt: skip
    ax.fill_between(x, rows["h_q25"], rows["h_q75"], step="post", color=BAND_COLOUR, alpha=0.4, lw=0,
                    label="50% credible band")  # fmt: skip
    ax.step(x, rows["h_q50"], where="post", color=BAND_COLOUR, lw=2, label="posterior median")
    base = forecast.scenario.base_rate(event)
    ax.axhline(
        base.per_year, color="0.3", ls=(0, (1, 2)), lw=1.2, label=f"base rate {base.per_year:g}/yr (prior median)"
    )
    signposts = [s for s in forecast.scenario.signposts if s.event == event.id]
    if signposts and "without_signposts" in summaries:
        without = summaries["without_signposts"]
        plain = without[without["event"] == event.id]
        ax.step(x, plain["h_q50"], where="post", color="0.15", ls="-.", lw=1, label="median without signposts")
    for signpost in signposts:
        low, high = signpost.hazard_ratio
        ax.axvline(np.datetime64(signpost.date), color="#D55E00", ls=":", lw=1.5,
                   label=f"signpost {signpost.date:%-d %b %Y}: {signpost.id} (ratio {low:g}–{high:g})")  # fmt: skip
    if triggered:
        ax.set_xlabel(f"Years after {event.after}", fontsize=8.5)
        ax.set_xlim(0, float(x[-1] + (x[1] - x[0])))
    else:
        ax.axvline(np.datetime64(forecast.scenario.as_of), color="0.45", ls="-", lw=0.8, label="as of")
        ax.set_xlim(x[0], np.datetime64(forecast.scenario.horizon))
        date_axis(ax)
    ax.set_yscale("log")
    low, high = rows["h_q05"].min(), rows["h_q95"].max()
    ax.set_ylim(low / 1.5, high * (high / low) ** 0.6)  # headroom above the band for the key
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:g}"))  # 0.1, 1, 10 rather than 10^-1
    ax.set_ylabel("Hazard, events per year\n(log scale)", fontsize=8.5)
    ax.set_title(event.label, loc="left", fontsize=10)
    ax.grid(True, color="0.88", lw=0.6, which="major")
    # framed: a signpost's line would otherwise run through the key's text
    ax.legend(loc="upper left", fontsize=7, frameon=True, framealpha=0.9, edgecolor="none", ncol=2)

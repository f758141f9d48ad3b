"""Risk per period: the probability of each event within each calendar year, with 90% intervals.

One panel per event. Bars are the posterior mean of each draw's risk within the year, a
dash its median, and the whiskers that quantity's 5th-95th percentiles (not differences of
the cumulative bands). Years no statement speaks of are hatched: there the model extrapolates.
The first year starts at as_of, so its bar covers only the rest of that year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from riskline.forecast import Forecast
from riskline.plots.style import BAND_COLOUR, event_panels, footer, percent_axis

__all__ = ["plot_per_period"]


def plot_per_period(
    forecast: Forecast, event: str | None = None, ax=None, *, table: pd.DataFrame | None = None
) -> Figure:
    """Bars of P(event within each year | none by as_of), a panel per event, or `event` on `ax`.

    Parameters
    ----------
    forecast
        The forecast to draw.
    event, ax
        As in `plot_timeline`: one event on `ax`, or every event in a figure of its own.
    table
        `forecast.per_period()`, for a caller that has it already (None computes it).

    Returns
    -------
    matplotlib.figure.Figure

    """
    table = forecast.per_period() if table is None else table
    scenario = forecast.scenario
    return event_panels(scenario.events, lambda panel, each: _draw(panel, forecast, table, each),
                        title=forecast.title("risk within each year"),
                        footer_text=footer(scenario, note="Whiskers: 90% credible interval."),
                        panel_height=2.0, event=event, ax=ax)  # fmt: skip


def _draw(ax, forecast: Forecast, table, event) -> None:
    rows = table[table["event"] == event.id]
    years = rows["year"].to_numpy()
    mean, median = rows["p_mean"].to_numpy(), rows["p_q50"].to_numpy()
    # whiskers from the median, which always lies between the quantiles (a skewed mean may not)
    whiskers = np.vstack([median - rows["p_q05"], rows["p_q95"] - median])
    unspoken = rows["extrapolated"].to_numpy()
    ax.bar(years[~unspoken], mean[~unspoken], width=0.7, color=BAND_COLOUR, alpha=0.75, label="posterior mean")
    if unspoken.any():
        ax.bar(years[unspoken], mean[unspoken], width=0.7, color=BAND_COLOUR, alpha=0.3, hatch="///", lw=0,
               label="mean, no statement speaks of this year")  # fmt: skip
    ax.errorbar(years, median, yerr=whiskers, fmt="none", ecolor="0.15", elinewidth=1, capsize=2.5,
                label="90% credible interval")  # fmt: skip
    ax.plot(years, median, "_", color="0.1", ms=9, mew=1.6, label="median")
    first = forecast.scenario.as_of
    labels = [f"{y}\n(from {first:%-d %b})" if y == first.year and (first.month, first.day) != (1, 1) else str(y)
              for y in years]  # fmt: skip
    ax.set_xticks(years, labels, fontsize=8)
    ax.set_title(event.label, loc="left", fontsize=10)
    ax.set_ylabel("P(event in year)", fontsize=8.5)
    ax.set_ylim(0, max(0.05, float(rows["p_q95"].max()) * 1.45))  # headroom: the key sits above the whiskers
    percent_axis(ax.yaxis)
    ax.grid(True, axis="y", color="0.88", lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper right", fontsize=7, frameon=False, ncol=2)

"""Proper scores of forecasts against what happened: binary horizons, event dates, calibration.

The scores come from `scoringrules` (a kept library); this module only prepares their
inputs: which outcome a horizon saw (or that it is censored), an event-time ensemble from
a cumulative curve, and the calibration tables. Lower is better for every score here:
the log score is -log P(what happened), the Brier score (p - y)^2, CRPS in years.
docs/backtests.md gives the definitions and the censoring rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import scoringrules as sr
from numpy.typing import ArrayLike
from scipy import stats

__all__ = [
    "PROBABILITY_FLOOR",
    "Outcome",
    "binary_scores",
    "date_scores",
    "reliability_table",
]

PROBABILITY_FLOOR = 0.001
"""Forecasts are clipped to [0.001, 0.999] before the log score: one overconfident forecast
then costs at most -log(0.001) = 6.9 nats instead of infinity, the same for every method."""
ENSEMBLE_SIZE = 2000
"""Quantile levels used to turn a cumulative curve into an ensemble of event times for CRPS."""


@dataclass(frozen=True)
class Outcome:
    """How a question resolved: the event's date, or the latest date known without it."""

    happened: date | None = None
    not_by: date | None = None

    def __post_init__(self) -> None:
        if (self.happened is None) == (self.not_by is None):
            raise ValueError("an outcome has exactly one of 'happened' or 'not_by'")

    def seen_by(self, target: date) -> bool | None:
        """Whether the event had happened by `target`; None when the outcome cannot tell (censored).

        The event counts as happened by `target` when its date is on or before it. A
        `not_by` outcome answers "no" up to its date and nothing after: a horizon that
        ends after `not_by` is censored, never counted as a "no".
        """
        if self.happened is not None:
            return self.happened <= target
        return False if self.not_by is not None and target <= self.not_by else None


def binary_scores(probability: ArrayLike, happened: ArrayLike) -> pd.DataFrame:
    """Log and Brier scores of forecasts `probability` that the event happens, given 0/1 `happened`."""
    p = np.asarray(probability, dtype=float)
    y = np.asarray(happened, dtype=float)
    clipped = np.clip(p, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)  # the Brier score is bounded without it
    return pd.DataFrame({"log_score": sr.log_score(y, clipped), "brier": sr.brier_score(y, p)})


def date_scores(years: np.ndarray, cdf: np.ndarray, happened_years: float) -> dict[str, float]:
    """Scores of an event date `happened_years` (years after the forecast) under a cumulative curve.

    `cdf[i]` is P(event by years[i]) with `years` increasing from 0; the curve need not reach
    1 (the rest lies after the last point). Returns:

    - `log_density`: -log of the probability of the bin holding the date per year of bin
      width (bins between consecutive `years`);
    - `crps`: the CRPS (years) of the date against the distribution truncated at the last
      point, where the mass that never comes within the span is put: the CRPS integrated
      over the span only, computed by `scoringrules.crps_ensemble` on the curve's quantiles;
    - `pit`: P(event by its date | event within the span), uniform over questions for a
      calibrated forecast.

    Raises ValueError when the date lies outside the span.
    """
    years = np.asarray(years, dtype=float)
    cdf = np.maximum.accumulate(np.clip(np.asarray(cdf, dtype=float), 0.0, 1.0))
    if not years[0] <= happened_years <= years[-1]:
        raise ValueError(f"the date ({happened_years:.2f} years) is outside the scored span 0-{years[-1]:.2f} years")
    k = min(int(np.searchsorted(years, happened_years, side="right")) - 1, len(years) - 2)
    mass = max(cdf[k + 1] - cdf[k], PROBABILITY_FLOOR * (years[k + 1] - years[k]))
    levels = (np.arange(ENSEMBLE_SIZE) + 0.5) / ENSEMBLE_SIZE
    # the curve's inverse (a tiny tilt makes flat stretches invertible); levels above its end: the span's end
    times = np.interp(levels, cdf + np.arange(len(cdf)) * 1e-12, years, right=years[-1])
    times[levels > cdf[-1]] = years[-1]
    within = cdf[-1]
    return {
        "log_density": float(-np.log(mass / (years[k + 1] - years[k]))),
        "crps": float(sr.crps_ensemble(happened_years, times, estimator="qd")),  # the quantiles, not a sample
        "pit": float(np.interp(happened_years, years, cdf) / within) if within > 0 else float("nan"),
    }


def reliability_table(
    probability: np.ndarray, happened: np.ndarray, edges: np.ndarray, band: float = 0.9
) -> pd.DataFrame:
    """Forecasts binned by `edges`: mean forecast, observed frequency, and the binomial band.

    The band is the central `band` interval of the observed frequency that a calibrated
    forecaster would see in a bin of that many forecasts at that mean probability
    (binomial quantiles). It assumes independent forecasts; rolling origins of one
    question are not, so read it as a lower bound on the spread.
    """
    p = np.asarray(probability, dtype=float)
    y = np.asarray(happened, dtype=float)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        inside = which == b
        n = int(inside.sum())
        if n == 0:
            continue
        mean = float(p[inside].mean())
        low, high = np.asarray(stats.binom.ppf([(1 - band) / 2, (1 + band) / 2], n, mean)) / n
        rows.append(
            {
                "bin_low": edges[b],
                "bin_high": edges[b + 1],
                "n": n,
                "forecast": mean,
                "observed": float(y[inside].mean()),
                "band_low": low,
                "band_high": high,
            }
        )
    return pd.DataFrame(rows)

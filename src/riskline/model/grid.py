"""The calendar time grid on which hazards are piecewise constant.

Time is measured in years of 365.25 days from the grid's first edge. The one operation the
model needs is *exposure*: how many years of each bin lie before a date. Then the
cumulative hazard at any date is a dot product, exact for a piecewise-constant hazard,
whether or not the date falls on a bin edge.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from dateutil.relativedelta import relativedelta

__all__ = ["DAYS_PER_YEAR", "TimeGrid", "edge_weights"]

DAYS_PER_YEAR = 365.25
SECONDS_PER_DAY = 86_400
MONTHS_PER_BIN = {"month": 1, "quarter": 3}


@dataclass(frozen=True)
class TimeGrid:
    """Bin edges in calendar dates; bin k covers [edges[k], edges[k+1])."""

    edges: tuple[date, ...]

    @classmethod
    def covering(cls, start: date, end: date, resolution: str) -> TimeGrid:
        """Whole months or quarters from the one holding `start` to the first edge >= `end`."""
        months = MONTHS_PER_BIN[resolution]
        first = date(start.year, start.month - (start.month - 1) % months, 1)
        edges = [first]
        while edges[-1] < end:
            edges.append(edges[-1] + relativedelta(months=months))
        return cls(tuple(edges))

    @property
    def n_bins(self) -> int:
        return len(self.edges) - 1

    @property
    def bin_starts(self) -> np.ndarray:
        """Start date of each bin, as datetime64 (the `bin` coordinate)."""
        return np.array(self.edges[:-1], dtype="datetime64[D]")

    def years(self, dates: Sequence[date]) -> np.ndarray:
        """Years from the grid origin to each date (or date-time, to the second)."""
        origin = np.datetime64(self.edges[0], "s")
        seconds = (np.array(dates, dtype="datetime64[s]") - origin).astype(float)
        return seconds / SECONDS_PER_DAY / DAYS_PER_YEAR

    @property
    def widths(self) -> np.ndarray:
        """Length of each bin in years."""
        return np.diff(self._edge_years)

    @functools.cached_property
    def _edge_years(self) -> np.ndarray:
        """`years` of the edges, which every exposure reads: converting dates is most of its time."""
        return self.years(self.edges)

    def exposure(self, dates: Sequence[date]) -> np.ndarray:
        """(len(dates), n_bins): years of each bin that lie before each date.

        The cumulative hazard at date d is `exposure([d]) @ hazard`.
        """
        t = self.years(dates)[:, None]
        lower = self._edge_years[None, :-1]
        return np.clip(t - lower, 0.0, self.widths[None, :])

    def interpolation(self, dates: Sequence[date]) -> np.ndarray:
        """(len(dates), n_bins + 1): linear-interpolation weights over the edges at each date."""
        covered = self.exposure(dates) / self.widths  # 1 for whole bins before the date
        full = np.clip(np.floor(covered.sum(axis=1) + 1e-9).astype(int), 0, self.n_bins - 1)
        fraction = covered[np.arange(len(full)), full]
        return edge_weights(full, fraction, self.n_bins)


def edge_weights(lower: np.ndarray, fraction: np.ndarray, n_bins: int) -> np.ndarray:
    """Weights (1 - fraction) on edge `lower` and `fraction` on the next, one row per point."""
    weights = np.zeros((len(lower), n_bins + 1))
    weights[np.arange(len(lower)), lower] = 1 - fraction
    weights[np.arange(len(lower)), lower + 1] = fraction
    return weights

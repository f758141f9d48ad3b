"""Simple opinion pools: the baselines riskline's model must beat.

Each statement is taken literally: its probability is the centre of its stated range
(`StatedProbability.logit_centre`), and its window is read as a constant hazard from the
issue date that gives that probability over that window (for a window that opens later,
the lower of the two such hazards: `literal_hazard`). Forecasting
from an origin after the statements, each curve is conditioned on no event by the origin
(with a constant hazard, the curve simply restarts there). The pools combine the curves
date by date, so each pool is itself a cumulative curve:

- `linear_pool`: the mean probability;
- `log_pool`: the geometric mean of the odds (mean log-odds);
- `extremized_pool`: the mean log-odds times a factor d > 1 (Baron et al. 2014, "Two
  reasons to make aggregated probability forecasts more extreme", Decision Analysis 11(2));
- `recency_pool`: the mean probability weighted e^(sqrt(n) - sqrt(N)) by issue order, as
  Metaculus weights its community forecasts (n = 1 for the oldest of N statements);
- `latest_statement`: the latest statement alone (the mean of those issued on its day).

All are pure functions of the statements and the dates; none fits anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from riskline.config.scenario import Estimate, Window
from riskline.errors import ConfigError, ConfigIssue

__all__ = [
    "extremized_pool",
    "latest_statement",
    "linear_pool",
    "literal_hazard",
    "log_pool",
    "recency_pool",
    "recency_weights",
    "statement_curves",
    "years_after",
]

CLIP = 1e-6
"""Pooled log-odds are taken of probabilities kept inside [1e-6, 1 - 1e-6]."""


def years_after(origin: date, when: date) -> float:
    """Years from `origin` to `when`, in years of 365.25 days as the model's time grid counts them."""
    return (when - origin).days / 365.25


def literal_hazard(estimate: Estimate) -> float:
    """The constant hazard (per year, from the issue date) under which the statement is exactly right.

    A window [start, end) that opens at the issue date s gives 1 - exp(-rate (end - s)) = p.
    A window that opens later ("in 2029-2030") has P(start <= T < end) = exp(-rate a) -
    exp(-rate b), which is at most some maximum: a stated p above it is read at the hazard
    that maximises it. A fuzzy end is read at its middle.
    """
    window = estimate.window
    if not isinstance(window, Window):
        message = f"estimate '{estimate.id}': the pools read calendar windows only, not windows after '{window.after}'"
        raise ConfigError([ConfigIssue(None, None, "window", message)])
    p = expit(estimate.probability.logit_centre())
    issued = estimate.spec.issued
    end = window.end_earliest + (window.end_latest - window.end_earliest) / 2
    a = years_after(issued, window.start)
    b = years_after(issued, end)
    if a <= 0:
        return -np.log1p(-p) / b
    # exp(-r a) - exp(-r b) peaks where a exp(-r a) = b exp(-r b)
    peak = np.log(b / a) / (b - a)
    if np.exp(-peak * a) - np.exp(-peak * b) <= p:
        return float(peak)
    return float(brentq(lambda r: np.exp(-r * a) - np.exp(-r * b) - p, 1e-12, peak))


def statement_curves(estimates: Sequence[Estimate], origin: date, dates: Sequence[date]) -> np.ndarray:
    """P(T <= date | T > origin) for each statement read literally: shape (statements, dates)."""
    years = np.array([years_after(origin, d) for d in dates])
    rates = np.array([literal_hazard(e) for e in estimates])
    return -np.expm1(-rates[:, None] * np.clip(years, 0, None)[None, :])


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, CLIP, 1 - CLIP)
    return np.log(p) - np.log1p(-p)


def linear_pool(curves: np.ndarray) -> np.ndarray:
    return curves.mean(axis=0)


def log_pool(curves: np.ndarray) -> np.ndarray:
    return expit(_logit(curves).mean(axis=0))


def extremized_pool(curves: np.ndarray, factor: float) -> np.ndarray:
    return expit(factor * _logit(curves).mean(axis=0))


def recency_weights(count: int) -> np.ndarray:
    """e^(sqrt(n) - sqrt(N)) for n = 1..N, normalised: the newest statement weighs most."""
    n = np.arange(1, count + 1)
    weights = np.exp(np.sqrt(n) - np.sqrt(count))
    return weights / weights.sum()


def recency_pool(curves: np.ndarray, issued: Sequence[date]) -> np.ndarray:
    """The linear pool weighted by issue order (ties keep the file's order)."""
    order = np.argsort(np.array(issued, dtype="datetime64[D]"), kind="stable")
    weights = np.empty(len(order))
    weights[order] = recency_weights(len(order))
    return weights @ curves


def latest_statement(curves: np.ndarray, issued: Sequence[date]) -> np.ndarray:
    latest = max(issued)
    return curves[[d == latest for d in issued]].mean(axis=0)

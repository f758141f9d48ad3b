"""Each statement's influence: the headline numbers without it, so an analyst sees which statements drive a forecast.

For every statement, the forecast of the scenario without it (`Scenario.without`, which keeps
the evidence that nothing has happened since the grid's start) comes from the fit's draws
reweighted by Pareto-smoothed importance sampling where the Pareto k-hat allows, and from a
new fit where it does not (riskline.model.update decides, by the same thresholds as any
edit). A statement that carries much of the evidence is exactly one whose removal moves the
posterior far: then the weights tend to fail the Pareto k-hat check and that variant is
sampled anew (`method` says which).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from riskline.forecast import SAMPLE_DIMS, Forecast
from riskline.model.update import update

__all__ = ["COLUMNS", "statement_influence"]

COLUMNS = ["estimate", "source", "event", "year", "with_mean", "with_median", "without_mean", "without_median",
           "shift", "method", "pareto_k"]  # fmt: skip


def statement_influence(forecast: Forecast, random_seed: int) -> pd.DataFrame:
    """One row per statement, event and headline year: P(event by the year's end) with and without the statement.

    COLUMNS: shift is without_mean - with_mean (negative: the statement raised the risk);
    method is "reweighted" or "refitted"; pareto_k is None after a refit. Empty for a
    scenario of one statement (without it there is nothing to fit).
    """
    scenario = forecast.scenario
    years = forecast.headline_years()
    ends = [date(year + 1, 1, 1) for year in years]
    rows: list[dict] = []
    if len(scenario.estimates) < 2:
        return pd.DataFrame(rows, columns=COLUMNS)
    with_it = forecast.risk_at(ends)
    with_mean, with_median = with_it.mean(SAMPLE_DIMS), with_it.median(SAMPLE_DIMS)  # (event, date), once
    for est in scenario.estimates:
        variant = update(forecast, scenario.without(est.id), random_seed=random_seed, prior=False)
        without = variant.risk_at(ends)
        without_mean, without_median = without.mean(SAMPLE_DIMS), without.median(SAMPLE_DIMS)
        pareto_k = variant.diagnostics().pareto_k
        for event in scenario.events:
            for i, year in enumerate(years):
                mean, median = (float(x.sel(event=event.id).isel(date=i)) for x in (with_mean, with_median))
                after = float(without_mean.sel(event=event.id).isel(date=i))
                rows.append({
                    "estimate": est.id, "source": est.spec.source, "event": event.id, "year": year,
                    "with_mean": mean, "with_median": median, "without_mean": after,
                    "without_median": float(without_median.sel(event=event.id).isel(date=i)), "shift": after - mean,
                    "method": "refitted" if pareto_k is None else "reweighted", "pareto_k": pareto_k,
                })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)

"""Each statement's influence: the headline numbers without it, so an analyst sees which statements drive a forecast.

For every statement, the posterior of the scenario without it comes from the fit's draws
reweighted by Pareto-smoothed importance sampling where the Pareto k-hat allows
(riskline.model.update's checks), and from a new fit of `Scenario.without` it where it does
not (`method` says which). The reweighting keeps the scenario's model and switches the
statement off in its data (`encoding.leave_out`: the same density as the scenario without
it), so no statement's absence changes the model's structure and forces a compile; the
numbers without it are the mean and median of the fit's own risk draws resampled by the
weights (the draws `update` would give), so no quantity is computed again. A statement
that carries much of the evidence is exactly one whose removal moves the posterior far:
then the weights tend to fail the Pareto k-hat check and that variant is sampled anew.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from riskline.forecast import SAMPLE_DIMS, Forecast, year_end
from riskline.model.compiled import MODELS, ModelCache
from riskline.model.encoding import encode, leave_out
from riskline.model.fit import fit, named
from riskline.model.provenance import FitBehind, structure_key
from riskline.model.timeline import pack_data
from riskline.model.update import DrawsDoNotCover, free_points, importance_weights, systematic_resample

__all__ = ["COLUMNS", "statement_influence"]

COLUMNS = ["estimate", "source", "event", "year", "with_mean", "with_median", "without_mean", "without_median",
           "shift", "method", "pareto_k"]  # fmt: skip


def statement_influence(forecast: Forecast, random_seed: int, models: ModelCache = MODELS) -> pd.DataFrame:
    """One row per statement, event and headline year: P(event by the year's end) with and without the statement.

    COLUMNS: shift is without_mean - with_mean (negative: the statement raised the risk);
    method is "reweighted" or "refitted"; pareto_k is None after a refit. Empty for a
    scenario of one statement (without it there is nothing to fit).
    """
    scenario = forecast.scenario
    years = forecast.headline_years()
    ends = [year_end(year) for year in years]
    rows: list[dict] = []
    if len(scenario.estimates) < 2:
        return pd.DataFrame(rows, columns=COLUMNS)
    with_it = forecast.risk_at(ends)
    with_mean, with_median = with_it.mean(SAMPLE_DIMS).values, with_it.median(SAMPLE_DIMS).values  # (event, date)
    reweighting = _Reweighting.of(forecast, random_seed, models)
    for index, est in enumerate(scenario.estimates):
        reweighted = None if reweighting is None else reweighting.without(index)
        if reweighted is not None:
            without_mean, without_median, pareto_k = reweighted
        else:
            variant = fit(scenario.without(est.id), random_seed=random_seed, prior=False, models=models)
            without = variant.risk_at(ends)
            without_mean, without_median = without.mean(SAMPLE_DIMS).values, without.median(SAMPLE_DIMS).values
            pareto_k = None
        for e, event in enumerate(scenario.events):
            for i, year in enumerate(years):
                rows.append({
                    "estimate": est.id, "source": est.spec.source, "event": event.id, "year": year,
                    "with_mean": float(with_mean[e, i]), "with_median": float(with_median[e, i]),
                    "without_mean": float(without_mean[e, i]), "without_median": float(without_median[e, i]),
                    "shift": float(without_mean[e, i] - with_mean[e, i]),
                    "method": "refitted" if pareto_k is None else "reweighted", "pareto_k": pareto_k,
                })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


class _Reweighting:
    """The fit behind a forecast, its draws' risk by the headline years' ends, and the model to weigh them by."""

    def __init__(self, forecast: Forecast, behind: FitBehind, encoded: tuple, random_seed: int, models: ModelCache):
        self.behind = behind
        scenario = forecast.scenario
        structure, self.data = encoded  # `encode(scenario)`
        self.compiled = models.get(structure, self.data)
        rng = np.random.default_rng(random_seed)
        self.points = free_points(behind.draws, self.compiled.shapes, rng)
        self.resampling = rng.bit_generator.state  # each variant resamples from here, as `update` would
        hazard = self.compiled.hazard(pack_data(self.data), self.points)
        tree = named(scenario, xr.DataTree.from_dict({"posterior": xr.Dataset(
            {"hazard": (("chain", "draw", "event", "bin"), hazard[None])})}))  # fmt: skip
        ends = [year_end(year) for year in forecast.headline_years()]
        risk = Forecast(scenario, tree).risk_at(ends).values[0]  # (draw, event, date)
        self.risk, self.min_ess = risk.reshape(len(risk), -1), scenario.priors.model.diagnostics.min_ess_bulk
        self.shape = risk.shape[1:]

    @classmethod
    def of(cls, forecast: Forecast, random_seed: int, models: ModelCache) -> _Reweighting | None:
        """None when the forecast holds no fit of its own scenario's model (then every variant is refitted)."""
        behind, encoded = FitBehind.of(forecast.tree), encode(forecast.scenario)
        if behind is None or behind.structure != structure_key(encoded[0]):
            return None
        return cls(forecast, behind, encoded, random_seed, models)

    def without(self, index: int) -> tuple[np.ndarray, np.ndarray, float | None] | None:
        """Mean and median risk (event, date) without statement `index`, and the Pareto k; None if not covered."""
        log_density = self.compiled.log_density(pack_data(leave_out(self.data, index)), self.points)
        try:
            weights, diagnostics = importance_weights(self.behind, log_density, self.min_ess)
        except DrawsDoNotCover:
            return None
        rng = np.random.default_rng()
        rng.bit_generator.state = self.resampling
        chosen = self.risk[systematic_resample(weights, rng)]  # the draws `update` gives
        mean, median = chosen.mean(axis=0), np.median(chosen, axis=0)
        return mean.reshape(self.shape), median.reshape(self.shape), diagnostics.pareto_k

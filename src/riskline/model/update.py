"""Updating a forecast after an edit by reweighting a fit's draws, and sampling anew only when that fails.

An analyst who edits an estimate or a prior usually moves the posterior a little. The draws
theta_i of the fit before the edit, weighted by how much more or less probable the edited
scenario makes each of them, stand for the new posterior (importance sampling with the old
posterior as proposal):

    w_i ∝ p_new(theta_i) / p_old(theta_i) = exp(l_new(theta_i) - l_old(theta_i)),

where l is the sum of the model's Potentials (the statements' likelihood, the closed
windows' scores and the survival to as_of). Every free parameter is a standard normal whatever the data (all priors are
non-centred), so the priors cancel and the normalising constants only rescale the weights.

Pareto smoothing (Vehtari, Simpson, Gelman, Yao and Gabry 2024, "Pareto smoothed importance
sampling", JMLR 25) replaces the largest weights by quantiles of a generalized Pareto fitted
to them, and its shape k-hat says whether the old draws cover the new posterior: beyond
min(1 - 1/log10(S), 0.7) for S draws the estimate is unreliable. Then, and when the weights
leave fewer effective draws than priors/model.yaml asks of a fit, or when the edit changed
the model's structure, `update` samples the edited scenario anew with `fit`.

The weighted draws are resampled (systematic resampling) into an equally weighted set, so
every output of a Forecast reads them as it reads a fit's. An update of an update reweights
the draws of the fit behind both (the resampled draws repeat, and reweighting them again
would hide how far the chain of edits has moved). On the seed scenario an update takes
~0.3 s where a fit takes ~2 s (benchmarks/refit.py).
"""

from __future__ import annotations

import dataclasses
import json
import math
import weakref

import numpy as np
import pymc as pm
import xarray as xr

from riskline.config.scenario import Scenario
from riskline.forecast import DIAGNOSTICS_ATTR, Diagnostics, Forecast
from riskline.model.encoding import encode
from riskline.model.fit import (
    FINGERPRINT_ATTR,
    compiled_for,
    data_fingerprint,
    fit,
    named,
    sample_prior,
    warn_if_unhealthy,
    with_quantities,
)
from riskline.model.timeline import pack_data

__all__ = ["update"]

MIN_DRAWS = 100
"""Fewer draws than this are sampled anew: the Pareto fit needs a tail of several of them."""

_FIT_BEHIND: weakref.WeakKeyDictionary[Forecast, Forecast] = weakref.WeakKeyDictionary()
"""Each reweighted forecast's fit, whose draws it reweighted (kept while the forecast lives)."""
_LOG_DENSITY: weakref.WeakKeyDictionary[Forecast, np.ndarray] = weakref.WeakKeyDictionary()
"""Each fit's log density at its own draws, computed at its first update (a slider's are many)."""


def update(
    forecast: Forecast,
    scenario: Scenario,
    *,
    random_seed: int,
    prior: bool = True,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
) -> Forecast:
    """The forecast of `scenario`, an edit of `forecast.scenario`: a fit's draws reweighted, or a new fit.

    The draws are those of `forecast` when it was fitted, or of the fit it was itself
    reweighted from. Reweights when that fit was sampled for `forecast.scenario` as it is
    now (its data's fingerprint), with the same structure (events, grid, capacities) as
    `scenario` and at least MIN_DRAWS draws, and when the weights pass the Pareto k-hat and
    ESS checks (the module docstring); otherwise returns `fit(scenario, random_seed=random_seed,
    prior=prior, draws=draws, tune=tune, chains=chains)` (None: priors/model.yaml's sizes).
    `Forecast.diagnostics().pareto_k` tells which happened (None after a fit).
    """
    behind = _FIT_BEHIND.get(forecast, forecast)
    structure, data = encode(scenario)
    before_structure, before_data = encode(behind.scenario)
    if structure == before_structure and _reweightable(behind, before_data):
        compiled = compiled_for(structure, data)
        reweighted = _reweighted(behind, scenario, compiled, (before_data, data), random_seed)
        if reweighted is not None:
            if prior:
                reweighted.tree["prior"] = named(scenario, xr.DataTree(sample_prior(scenario, random_seed, compiled)))
            warn_if_unhealthy(reweighted)
            return reweighted
    return fit(scenario, random_seed=random_seed, prior=prior, draws=draws, tune=tune, chains=chains)


def _reweightable(forecast: Forecast, data: dict) -> bool:
    """Whether `forecast` holds a fit's own draws, enough of them, sampled for `data`."""
    posterior = forecast.tree.posterior
    return (
        forecast.tree.attrs.get(FINGERPRINT_ATTR) == data_fingerprint(data)
        and forecast.diagnostics().pareto_k is None
        and posterior.sizes["chain"] * posterior.sizes["draw"] >= MIN_DRAWS
    )


def _reweighted(forecast: Forecast, scenario: Scenario, compiled, data: tuple[dict, dict], random_seed: int):
    """The fit `forecast`'s draws reweighted to `scenario` (its data before and after the edit), or None."""
    rng = np.random.default_rng(random_seed)
    draws = _free_draws(forecast.tree.posterior.to_dataset(), compiled.shapes, rng)
    if forecast not in _LOG_DENSITY:
        _LOG_DENSITY[forecast] = _log_density(compiled, draws, data[0])
    log_ratio = _log_density(compiled, draws, data[1]) - _LOG_DENSITY[forecast]  # leaves the edit's data in
    before = forecast.diagnostics()
    weights, pareto_k = _smoothed_weights(log_ratio, relative_efficiency=min(1.0, before.min_ess_bulk / len(log_ratio)))
    if pareto_k > _k_threshold(len(log_ratio)):  # inf when the tail could not be fitted
        return None
    diagnostics = _diagnostics(before, weights, pareto_k)
    if diagnostics.min_ess_bulk <= scenario.priors.model.diagnostics.min_ess_bulk:
        return None
    tree = xr.DataTree.from_dict({"posterior": _posterior(compiled, draws, _systematic_resample(weights, rng))})
    tree = named(scenario, tree)
    tree.attrs["random_seed"] = random_seed
    tree.attrs[DIAGNOSTICS_ATTR] = json.dumps(dataclasses.asdict(diagnostics))
    reweighted = Forecast(scenario, tree)
    _FIT_BEHIND[reweighted] = forecast
    return reweighted


def _posterior(compiled, draws: dict[str, np.ndarray], chosen: np.ndarray) -> xr.Dataset:
    """The draws `chosen` (one chain) with the model's Deterministics, each distinct draw computed once."""
    distinct, repeats = np.unique(chosen, return_inverse=True)
    dims = compiled.model.named_vars_to_dims
    posterior = xr.Dataset(
        {
            name: (
                ("chain", "draw", *dims.get(name, [f"{name}_dim_{i}" for i in range(v.ndim - 1)])),
                v[distinct][None],
            )
            for name, v in draws.items()
        },
        coords={"chain": [0], "draw": np.arange(len(distinct))},
    )
    return with_quantities(compiled, posterior).isel(draw=repeats).assign_coords(draw=np.arange(len(chosen)))


def _free_draws(posterior: xr.Dataset, shapes: dict[str, tuple[int, ...]], rng: np.random.Generator) -> dict:
    """The forecast's draws of every free parameter, (draws, *shape), padded back to the structure's capacity.

    A forecast keeps only the rows its scenario uses (riskline.model.fit.named). An unused row
    (a source or signpost the structure has room for) is in the posterior a standard normal
    independent of everything else, since nothing reads it: fresh standard normals are draws
    of it, which an edit that starts using the row then reweights.
    """
    stacked = posterior.stack(sample=("chain", "draw"))
    draws = {}
    for name, shape in shapes.items():
        kept = np.moveaxis(stacked[name].values, -1, 0)
        full = rng.standard_normal((kept.shape[0], *shape))
        full[(slice(None), *(slice(0, n) for n in kept.shape[1:]))] = kept
        draws[name] = full
    return draws


def _log_density(compiled, draws: dict[str, np.ndarray], data: dict[str, np.ndarray]) -> np.ndarray:
    """The sum of the model's Potentials at every draw, with `data` in the model (left there)."""
    with compiled.model:
        pm.set_data(pack_data(data))
    return sum(compiled.terms(draws).values())


def _smoothed_weights(log_ratio: np.ndarray, relative_efficiency: float) -> tuple[np.ndarray, float]:
    """Normalised Pareto-smoothed weights and their k-hat; k-hat is inf when the tail cannot be fitted.

    An edit that changes no term of the density gives equal weights, whose tail has no shape
    to fit: k-hat is then 0. arviz's `psislw` weights by the *inverse* of exp(its argument)
    (it serves leave-one-out cross-validation), so it is given minus the log ratio; the
    draws' relative efficiency (ESS / S) sets the length of the tail it fits, as in arviz's loo.
    """
    unfittable = np.full(len(log_ratio), np.nan), math.inf
    if not np.all(np.isfinite(log_ratio)):
        return unfittable
    if np.ptp(log_ratio) == 0.0:
        return np.full(len(log_ratio), 1.0 / len(log_ratio)), 0.0
    try:
        log_weights, pareto_k = xr.DataArray(-log_ratio, dims=["sample"]).azstats.psislw(
            dim="sample", r_eff=relative_efficiency
        )
    except ValueError:  # a tail of equal values, which has no Pareto shape
        return unfittable
    if not np.isfinite(pareto_k):  # a tail of few distinct values
        return unfittable
    weights = np.exp(log_weights.values - log_weights.values.max())
    return weights / weights.sum(), float(pareto_k)


def _k_threshold(draws: int) -> float:
    """The k-hat above which importance sampling with this many draws is unreliable (Vehtari et al. 2024)."""
    return min(1.0 - 1.0 / math.log10(draws), 0.7)


def _diagnostics(before: Diagnostics, weights: np.ndarray, pareto_k: float) -> Diagnostics:
    """The fit's diagnostics, its bulk ESS scaled by the weights' relative efficiency 1 / (S sum w^2)."""
    efficiency = 1.0 / (len(weights) * float(np.sum(weights**2)))
    return dataclasses.replace(before, min_ess_bulk=before.min_ess_bulk * efficiency, pareto_k=pareto_k)


def _systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of len(weights) equally weighted draws: draw i appears ~ S w_i times (one uniform for all)."""
    positions = (rng.random() + np.arange(len(weights))) / len(weights)
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)

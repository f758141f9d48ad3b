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
would hide how far the chain of edits has moved). An update takes a fraction of a fit's
time (benchmarks/README.md, "Refit speed").
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import xarray as xr

from riskline.config.scenario import Scenario
from riskline.forecast import DIAGNOSTICS_ATTR, FINGERPRINT_ATTR, METHOD_ATTR, Diagnostics, Forecast
from riskline.model.compiled import MODELS, CompiledModel, ModelCache
from riskline.model.encoding import data_fingerprint, encode
from riskline.model.fit import fit, named, prior_draws, warn_if_unhealthy, with_quantities
from riskline.model.provenance import FIT_GROUP, FitBehind, structure_key
from riskline.model.timeline import pack_data

__all__ = ["DrawsDoNotCover", "free_points", "importance_weights", "reweight", "systematic_resample", "update"]

MIN_DRAWS = 100
"""Fewer draws than this are sampled anew: the Pareto fit needs a tail of several of them."""


def update(
    forecast: Forecast,
    scenario: Scenario,
    *,
    random_seed: int,
    prior: bool = True,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    models: ModelCache = MODELS,
) -> Forecast:
    """The forecast of `scenario`, an edit of `forecast.scenario`: a fit's draws reweighted, or a new fit.

    The draws are those of `forecast` when it was fitted, or of the fit it was itself
    reweighted from (`FitBehind`, kept in its tree: a forecast loaded from forecast.nc
    updates as well). Reweights when that fit has the same structure (events, grid,
    capacities) as `scenario` and at least MIN_DRAWS draws, and when the weights pass the
    Pareto k-hat and ESS checks (the module docstring); otherwise fits `scenario` anew. The
    tree's "method" attribute tells which happened. A partial forecast (sampling stopped
    early) is never reweighted: its edit is fitted anew.

    Parameters
    ----------
    forecast
        The forecast before the edit (from `fit`, `update` or `Forecast.load`).
    scenario
        The edited scenario (`load_scenario` of the edited file).
    random_seed
        Seeds the resampling of the weighted draws, or the new fit.
    prior
        Also draw the timeline of the priors alone.
    draws, tune, chains
        The sizes of a new fit, when one is needed; None takes priors/model.yaml's.
    models
        The compiled models to reuse.

    Returns
    -------
    Forecast
        The forecast of `scenario`.

    """
    behind = None if forecast.partial is not None else FitBehind.of(forecast.tree)
    if behind is not None:
        try:
            return reweight(behind, scenario, random_seed=random_seed, prior=prior, models=models)
        except DrawsDoNotCover:
            pass
    return fit(scenario, random_seed=random_seed, prior=prior, draws=draws, tune=tune, chains=chains, models=models)


class DrawsDoNotCover(Exception):
    """A fit's draws cannot stand for the edited scenario's posterior; the message says why."""


def reweight(
    behind: FitBehind, scenario: Scenario, *, random_seed: int, prior: bool = True, models: ModelCache = MODELS
) -> Forecast:
    """The fit `behind`'s draws reweighted to `scenario`; DrawsDoNotCover when they cannot be (see `update`)."""
    structure, data = encode(scenario)
    if structure_key(structure) != behind.structure:
        raise DrawsDoNotCover("the model's structure changed: events, chains, grid or the room for statements")
    compiled = models.get(structure, data)
    packed = pack_data(data)
    rng = np.random.default_rng(random_seed)
    points = free_points(behind.draws, compiled.shapes, rng)
    fingerprint = data_fingerprint(data)
    unchanged = fingerprint == behind.fingerprint  # nothing the model reads changed
    log_density = behind.log_density.ravel() if unchanged else compiled.log_density(packed, points)
    weights, diagnostics = importance_weights(behind, log_density, scenario.priors.model.diagnostics.min_ess_bulk)
    tree = xr.DataTree.from_dict({"posterior": _posterior(compiled, packed, points, systematic_resample(weights, rng))})
    tree = named(scenario, tree)
    if prior:
        tree["prior"] = named(scenario, xr.DataTree(prior_draws(compiled, packed, random_seed)))
    tree.attrs["random_seed"] = random_seed
    tree.attrs[METHOD_ATTR] = "reweighted"
    tree.attrs[FINGERPRINT_ATTR] = fingerprint
    tree.attrs[DIAGNOSTICS_ATTR] = json.dumps(dataclasses.asdict(diagnostics))
    tree[FIT_GROUP] = behind.group(with_draws=True)
    reweighted = Forecast(scenario, tree)
    warn_if_unhealthy(reweighted)
    return reweighted


def importance_weights(behind: FitBehind, log_density: np.ndarray, min_ess: float) -> tuple[np.ndarray, Diagnostics]:
    """Pareto-smoothed weights of the fit's draws for a posterior whose Potentials are `log_density` at them.

    Returns the normalised weights and the diagnostics of the reweighted draws; raises
    DrawsDoNotCover when the draws are too few, the Pareto k-hat too large, or fewer than
    `min_ess` effective draws are left (the module docstring).
    """
    sample_size = len(log_density)
    if sample_size < MIN_DRAWS:
        raise DrawsDoNotCover(f"{sample_size} draws, fewer than the {MIN_DRAWS} a reweighting needs")
    relative_efficiency = min(1.0, behind.diagnostics.min_ess_bulk / sample_size)
    weights, pareto_k = _smoothed_weights(log_density - behind.log_density.ravel(), relative_efficiency)
    if pareto_k > _k_threshold(sample_size):  # inf when the tail could not be fitted
        raise DrawsDoNotCover(f"the weights' Pareto k {pareto_k:.2f} is above {_k_threshold(sample_size):.2f}")
    diagnostics = _diagnostics(behind.diagnostics, weights, pareto_k)
    if diagnostics.min_ess_bulk <= min_ess:
        left = f"{diagnostics.min_ess_bulk:.0f} effective draws left"
        raise DrawsDoNotCover(f"{left}, where priors/model.yaml asks for over {min_ess:g}")
    return weights, diagnostics


def _posterior(compiled: CompiledModel, packed: dict, draws: dict[str, np.ndarray], chosen: np.ndarray) -> xr.Dataset:
    """The draws `chosen` (one chain) with the model's Deterministics, each distinct draw computed once."""
    distinct, repeats = np.unique(chosen, return_inverse=True)
    posterior = xr.Dataset(
        {
            name: (("chain", "draw", *compiled.dims(name, value.ndim - 1)), value[distinct][None])
            for name, value in draws.items()
        },
        coords={"chain": [0], "draw": np.arange(len(distinct))},
    )
    posterior = with_quantities(compiled, packed, posterior)
    return posterior.isel(draw=repeats).assign_coords(draw=np.arange(len(chosen)))


def free_points(posterior: xr.Dataset, shapes: dict[str, tuple[int, ...]], rng: np.random.Generator) -> dict:
    """The fit's draws of every free parameter, (draws, *shape), padded back to the structure's capacity.

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


def systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of len(weights) equally weighted draws: draw i appears ~ S w_i times (one uniform for all)."""
    positions = (rng.random() + np.arange(len(weights))) / len(weights)
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)

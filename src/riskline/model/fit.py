"""Sampling a scenario: its structure's compiled model (riskline.model.compiled), given the scenario's data.

The first fit of a structure in a process builds the PyMC model and loads its sampler from
the disk caches, where it is compiled once per machine (riskline.model.sampler); later fits
in the same process, after an analyst edits an estimate or a prior, only pass the new data
and sample (benchmarks/refit.py; `riskline.model.update` reweights an earlier fit's draws
instead when they cover the edited posterior).

nutpie samples and stores the free parameters only. The model's other quantities (the
hazards, the sources' bias and noise, the window probabilities) are computed afterwards for
all draws at once, by one function compiled once per structure: nutpie would compute them
draw by draw and convert them one by one (~0.45 s of a seed refit). The same graph, for
the hazard alone, gives the prior draws (the timeline implied by the priors alone) from
standard normals.

A fit's tree records where its draws came from (riskline.model.provenance): the data they
were sampled for and the log density of the statements and survival at each draw, taken
from nutpie's log density less the free parameters' standard normal priors, so that
`update` can reweight them later without evaluating the fit's density again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings

import numpy as np
import xarray as xr

from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning, SamplingInterrupted
from riskline.forecast import DIAGNOSTICS_ATTR, FINGERPRINT_ATTR, METHOD_ATTR, Forecast
from riskline.model.compiled import FREE_SUFFIX, MODELS, CompiledModel, ModelCache, prior_log_density
from riskline.model.encoding import data_fingerprint, encode, scenario_grid
from riskline.model.provenance import FIT_GROUP, FitBehind
from riskline.model.timeline import pack_data

__all__ = ["fit", "prior_forecast", "sample_prior"]

PRIOR_DRAWS = 1000


def fit(
    scenario: Scenario,
    *,
    random_seed: int,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    prior: bool = True,
    progressbar: bool = False,
    cores: int | None = None,
    models: ModelCache = MODELS,
) -> Forecast:
    """Sample the posterior of `scenario`; None settings come from priors/model.yaml.

    Chains run in parallel on `cores` threads (None: as many as there are chains and CPU
    cores; a sweep's worker, one of several on the machine, passes 1). With `prior`, the forecast also holds draws
    from the prior alone. Warns with ConvergenceWarning when R-hat, bulk ESS or divergences
    miss the thresholds of priors/model.yaml. `models` holds the compiled models to reuse.
    """
    settings = scenario.priors.model.sampler
    chains, draws, tune = chains or settings.chains, draws or settings.draws, tune or settings.tune
    structure, data = encode(scenario)
    compiled = models.get(structure, data)
    packed = pack_data(data)
    tree = compiled.sample(
        packed,
        draws=draws,
        tune=tune,
        chains=chains,
        cores=cores or min(chains, os.cpu_count() or 1),
        seed=random_seed,
        save_warmup=False,
        progress_bar=progressbar,
        target_accept=settings.target_accept,
        adaptation=settings.adaptation,
    )
    free = tree.posterior.to_dataset()
    _check_complete(free, chains, draws)
    points = _points(free)
    log_density = tree.sample_stats["logp"].values - prior_log_density(points).reshape(chains, draws)
    tree["posterior"] = with_quantities(compiled, packed, free)
    tree = named(scenario, tree)
    if prior:
        tree["prior"] = named(scenario, xr.DataTree(_prior_draws(compiled, packed, random_seed)))
    tree.attrs["random_seed"] = random_seed
    tree.attrs[METHOD_ATTR] = "sampled"
    tree.attrs[FINGERPRINT_ATTR] = data_fingerprint(data)
    forecast = Forecast(scenario, tree)
    diagnostics = forecast.diagnostics()
    tree.attrs[DIAGNOSTICS_ATTR] = json.dumps(dataclasses.asdict(diagnostics))  # computed once
    behind = FitBehind.sampled(structure, data, free, log_density, diagnostics, tune)
    tree[FIT_GROUP] = behind.group(with_draws=False)
    warn_if_unhealthy(forecast)
    return forecast


def _check_complete(posterior: xr.Dataset, chains: int, draws: int) -> None:
    """SamplingInterrupted unless every chain has all its draws: nutpie returns what it has on Ctrl-C."""
    found = {dim: posterior.sizes.get(dim, 0) for dim in ("chain", "draw")}
    missing = any(bool(np.isnan(posterior[name].values).any()) for name in posterior.data_vars)
    if found != {"chain": chains, "draw": draws} or missing:
        raise SamplingInterrupted(
            f"sampling stopped early ({found['chain']} chains x {found['draw']} draws of {chains} x {draws}"
            f"{', some missing' if missing else ''}): nothing was written, and an earlier output is untouched; "
            "run again to sample in full"
        )


def warn_if_unhealthy(forecast: Forecast) -> None:
    """ConvergenceWarning when the forecast's draws miss the thresholds of priors/model.yaml."""
    thresholds = forecast.scenario.priors.model.diagnostics
    problems = forecast.diagnostics().problems(thresholds.max_rhat, thresholds.min_ess_bulk)
    if problems:
        warnings.warn(
            f"sampling of '{forecast.scenario.name}' may be unreliable: {'; '.join(problems)}. "
            "Try more draws (--draws), or check the estimates that disagree most.",
            ConvergenceWarning,
            stacklevel=3,
        )


def sample_prior(scenario: Scenario, random_seed: int, models: ModelCache = MODELS) -> xr.Dataset:
    """Draws of the hazards from the priors alone (no statements, no survival): an xr.Dataset.

    Every free variable of the model is a standard normal (all priors are non-centred), so
    the prior of the hazards is the model's own hazard graph at standard-normal draws.
    """
    structure, data = encode(scenario)
    return _prior_draws(models.get(structure, data), pack_data(data), random_seed)


def prior_forecast(scenario: Scenario, random_seed: int, models: ModelCache = MODELS) -> Forecast:
    """The forecast of the priors alone, in seconds: no sampler is compiled and nothing is sampled.

    Only the model's hazard graph is compiled (its prior is a function of standard normals);
    the Forecast has a "prior" timeline and no posterior.
    """
    draws = sample_prior(scenario, random_seed, models)
    return Forecast(scenario, xr.DataTree(children={"prior": named(scenario, xr.DataTree(draws))}))


def _prior_draws(compiled: CompiledModel, packed: dict[str, np.ndarray], random_seed: int) -> xr.Dataset:
    rng = np.random.default_rng(random_seed)
    points = {name: rng.standard_normal((PRIOR_DRAWS, *shape)) for name, shape in compiled.shapes.items()}
    hazard = compiled.hazard(packed, points)
    coords = {"chain": [0], "draw": np.arange(PRIOR_DRAWS)}
    return xr.Dataset({"hazard": (("chain", "draw", "event", "bin"), hazard[None])}, coords=coords)


def _points(posterior: xr.Dataset) -> dict[str, np.ndarray]:
    """The free parameters of `posterior` (chain, draw, ...) as points (chain * draw, ...)."""
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    return {
        name: array.values.reshape(chains * draws, *array.shape[2:])
        for name, array in posterior.items()
        if name.endswith(FREE_SUFFIX)
    }


def with_quantities(compiled: CompiledModel, packed: dict[str, np.ndarray], posterior: xr.Dataset) -> xr.Dataset:
    """The sampled free parameters with the model's Deterministics of every draw, by the model's dims."""
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    return posterior.assign(
        {
            name: (
                ("chain", "draw", *compiled.dims(name, value.ndim - 1)),
                value.reshape(chains, draws, *value.shape[1:]),
            )
            for name, value in compiled.quantities(packed, _points(posterior)).items()
        }
    )


def named(scenario: Scenario, tree: xr.DataTree) -> xr.DataTree:
    """Padded, numbered dimensions cut to the scenario's rows and labelled with its ids."""
    labels = {
        "event": [e.id for e in scenario.events],
        "bin": scenario_grid(scenario).bin_starts,
        "source": [s.id for s in scenario.sources],
        "estimate": [e.id for e in scenario.estimates],
        "signpost": [s.id for s in scenario.signposts],
    }

    def relabel(dataset: xr.Dataset) -> xr.Dataset:
        for dim, names in labels.items():
            if dim in dataset.dims:
                dataset = dataset.isel({dim: slice(0, len(names))}).assign_coords({dim: names})
        return dataset

    return tree.map_over_datasets(relabel)

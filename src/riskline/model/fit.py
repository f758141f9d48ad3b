"""Sampling a scenario: its structure's compiled model (riskline.model.compiled), given the scenario's data.

The first fit of a structure in a process builds the PyMC model and loads its sampler from
the disk caches, where it is compiled once per machine (riskline.model.sampler); later fits
in the same process, after an analyst edits an estimate or a prior, only pass the new data
and sample (benchmarks/refit.py; `riskline.model.update` reweights an earlier fit's draws
instead when they cover the edited posterior).

nutpie samples and stores the free parameters only. The model's other quantities (the
hazards, the sources' bias and noise, the window probabilities) are computed afterwards for
all draws at once, by one function compiled once per structure: nutpie would compute them
draw by draw and convert them one by one (benchmarks/README.md, "Refit speed"). The same graph, for
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
from collections.abc import Sequence

import numpy as np
import xarray as xr

from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning, SamplingInterrupted
from riskline.forecast import DIAGNOSTICS_ATTR, FINGERPRINT_ATTR, METHOD_ATTR, PARTIAL_ATTR, Forecast, PartialDraws
from riskline.model.compiled import FREE_SUFFIX, MODELS, CompiledModel, ModelCache, prior_log_density
from riskline.model.encoding import data_fingerprint, encode, scenario_grid
from riskline.model.provenance import FIT_GROUP, FitBehind
from riskline.model.timeline import pack_data

__all__ = ["fit", "prior_draws", "prior_forecast", "sample_prior"]

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
    keep_partial: bool = False,
    cores: int | None = None,
    models: ModelCache = MODELS,
) -> Forecast:
    """Sample the posterior of `scenario`.

    Chains run in parallel on the CPU cores. Warns with ConvergenceWarning when R-hat, bulk
    ESS or divergences miss the thresholds of priors/model.yaml.

    Parameters
    ----------
    scenario
        The scenario to fit (`load_scenario`).
    random_seed
        Seeds the sampler and the prior draws: the same seed gives the same numbers.
    draws, tune, chains
        Posterior draws and tuning steps per chain, and the number of chains; None takes
        priors/model.yaml's.
    prior
        Also draw the timeline of the priors alone (the forecast's "prior" timeline).
    progressbar
        Show nutpie's progress bar.
    keep_partial
        When sampling is stopped early (Ctrl-C), keep the draws every chain has taken, as a
        forecast marked partial (`Forecast.partial`); without it, raise SamplingInterrupted.
    cores
        Threads the chains run on; None: as many as there are chains and CPU cores (a
        sweep's worker, one of several on the machine, passes 1).
    models
        The compiled models to reuse.

    Returns
    -------
    Forecast
        The posterior draws and the timelines computed from them.

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
    partial = _partial(tree.posterior.to_dataset(), chains, draws, keep_partial)
    if partial is not None:
        kept = {"chain": slice(0, partial.chains), "draw": slice(0, partial.draws)}
        tree = tree.map_over_datasets(lambda group: group.isel({d: s for d, s in kept.items() if d in group.dims}))
    free = tree.posterior.to_dataset()
    points = _points(free)
    log_density = tree.sample_stats["logp"].values - prior_log_density(points).reshape(free.sizes["chain"], -1)
    tree["posterior"] = with_quantities(compiled, packed, free)
    tree = named(scenario, tree)
    if prior:
        tree["prior"] = named(scenario, xr.DataTree(prior_draws(compiled, packed, random_seed)))
    tree.attrs["random_seed"] = random_seed
    tree.attrs[METHOD_ATTR] = "sampled"
    tree.attrs[FINGERPRINT_ATTR] = data_fingerprint(data)
    if partial is not None:
        tree.attrs[PARTIAL_ATTR] = json.dumps(dataclasses.asdict(partial))
    forecast = Forecast(scenario, tree)
    diagnostics = forecast.diagnostics()
    tree.attrs[DIAGNOSTICS_ATTR] = json.dumps(dataclasses.asdict(diagnostics))  # computed once
    behind = FitBehind.sampled(structure, data, free, log_density, diagnostics, tune)
    tree[FIT_GROUP] = behind.group(with_draws=False)
    warn_if_unhealthy(forecast)
    return forecast


def _partial(posterior: xr.Dataset, chains: int, draws: int, keep: bool) -> PartialDraws | None:
    """None when every chain has all its draws; else how many every chain has, if `keep`, or SamplingInterrupted.

    nutpie returns what it has on Ctrl-C: fewer draws, or a chain stopped early padded with NaN.
    """
    found = {dim: posterior.sizes.get(dim, 0) for dim in ("chain", "draw")}
    taken = np.ones((found["chain"], found["draw"]), dtype=bool)
    for array in posterior.data_vars.values():
        taken &= ~np.isnan(array.values.reshape(found["chain"], found["draw"], -1)).any(axis=2)
    every_chain_has = int(np.cumprod(taken, axis=1).sum(axis=1).min(initial=found["draw"]))
    if found == {"chain": chains, "draw": draws} and every_chain_has == draws:
        return None
    stopped = f"sampling stopped early ({found['chain']} chains x {every_chain_has} draws of {chains} x {draws})"
    if not keep:
        raise SamplingInterrupted(f"{stopped}: nothing was written, and an earlier output is untouched; run again "
                                  "to sample in full, or with --keep-partial to write the draws taken")  # fmt: skip
    if every_chain_has == 0:
        raise SamplingInterrupted(f"{stopped}: no draw to keep, so nothing was written; run again to sample in full")
    return PartialDraws(found["chain"], every_chain_has, chains, draws)


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
    return prior_draws(models.get(structure, data), pack_data(data), random_seed)


def prior_forecast(scenario: Scenario, random_seed: int, models: ModelCache = MODELS) -> Forecast:
    """The forecast of the priors alone, in seconds: no sampler is compiled and nothing is sampled.

    Only the model's hazard graph is compiled (its prior is a function of standard normals);
    the Forecast has a "prior" timeline and no posterior.
    """
    draws = sample_prior(scenario, random_seed, models)
    return Forecast(scenario, xr.DataTree(children={"prior": named(scenario, xr.DataTree(draws))}))


def prior_draws(compiled: CompiledModel, packed: dict[str, np.ndarray], random_seed: int) -> xr.Dataset:
    """PRIOR_DRAWS draws of the priors alone (the free parameters' standard normals) and their hazards.

    A fit and a reweighting both add them to their forecast, with the same `random_seed`.
    """
    rng = np.random.default_rng(random_seed)
    points = {name: rng.standard_normal((PRIOR_DRAWS, *shape)) for name, shape in compiled.shapes.items()}
    hazard = compiled.hazard(packed, points)
    coords = {"chain": [0], "draw": np.arange(PRIOR_DRAWS)}
    return xr.Dataset({"hazard": (("chain", "draw", "event", "bin"), hazard[None])}, coords=coords)


def _points(posterior: xr.Dataset) -> dict[str, np.ndarray]:
    """The free parameters of `posterior` (chain, draw, ...) as points (chain * draw, ...)."""
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    return {
        str(name): array.values.reshape(chains * draws, *array.shape[2:])
        for name, array in posterior.items()
        if str(name).endswith(FREE_SUFFIX)
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
    labels: dict[str, Sequence | np.ndarray] = {
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

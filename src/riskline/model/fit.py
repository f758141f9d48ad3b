"""Sampling a scenario: compile once per model structure, then swap data in and sample.

The first fit of a structure builds the PyMC model and compiles it with nutpie (about 40 s
for the seed scenario's three-event chain, 10 s for a single event); later fits in the same
process, after an analyst edits an estimate or a prior, only replace the data and sample
(about 1.7 s on the seed scenario, benchmarks/refit.py). The prior draws (the timeline
implied by the priors alone) come from the same model.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import nutpie
import pymc as pm
import xarray as xr

from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning
from riskline.forecast import Forecast
from riskline.model.encoding import ModelStructure, encode, scenario_grid
from riskline.model.timeline import build_model

__all__ = ["fit", "sample_prior"]

PRIOR_DRAWS = 1000


@dataclass
class _Compiled:
    model: pm.Model
    nutpie: nutpie.sample.CompiledModel


_CACHE: dict[ModelStructure, _Compiled] = {}


def _compiled(structure: ModelStructure, data: dict) -> _Compiled:
    if structure not in _CACHE:
        model = build_model(structure, data)
        _CACHE[structure] = _Compiled(model, nutpie.compile_pymc_model(model))
    return _CACHE[structure]


def fit(
    scenario: Scenario,
    *,
    random_seed: int,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    prior: bool = True,
    progressbar: bool = False,
) -> Forecast:
    """Sample the posterior of `scenario`; None settings come from priors/model.yaml.

    Chains run in parallel on all CPU cores. With `prior`, the forecast also holds draws
    from the prior alone. Warns with ConvergenceWarning when R-hat, bulk ESS or divergences
    miss the thresholds of priors/model.yaml.
    """
    settings = scenario.priors.model.sampler
    chains = chains or settings.chains
    structure, data = encode(scenario)
    compiled = _compiled(structure, data)
    used = {variable.name for variable in compiled.nutpie.shared_var_keys}  # the graph may not need them all
    tree = nutpie.sample(
        compiled.nutpie.with_data(**{name: value for name, value in data.items() if name in used}),
        draws=draws or settings.draws,
        tune=tune or settings.tune,
        chains=chains,
        cores=min(chains, os.cpu_count() or 1),
        seed=random_seed,
        save_warmup=False,
        progress_bar=progressbar,
        target_accept=settings.target_accept,
        adaptation=settings.adaptation,
    )
    tree = _named(scenario, tree)
    if prior:
        tree["prior"] = _named(scenario, xr.DataTree(sample_prior(scenario, random_seed, compiled.model, data)))
    tree.attrs["random_seed"] = random_seed
    forecast = Forecast(scenario, tree)
    thresholds = scenario.priors.model.diagnostics
    problems = forecast.diagnostics().problems(thresholds.max_rhat, thresholds.min_ess_bulk)
    if problems:
        warnings.warn(
            f"sampling of '{scenario.name}' may be unreliable: {'; '.join(problems)}. "
            "Try more draws (--draws), or check the estimates that disagree most.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return forecast


def sample_prior(scenario: Scenario, random_seed: int, model: pm.Model | None = None, data: dict | None = None):
    """Draws of the hazards from the priors alone (no statements, no survival): an xr.Dataset."""
    if model is None:
        structure, data = encode(scenario)
        model = _compiled(structure, data).model
    with model, warnings.catch_warnings():
        # PyMC warns that Potentials are ignored: here that is the point (no statements, no survival)
        warnings.filterwarnings("ignore", message="The effect of Potentials", category=UserWarning)
        pm.set_data(data)
        draws = pm.sample_prior_predictive(draws=PRIOR_DRAWS, var_names=["hazard"], random_seed=random_seed)
    return draws.prior.to_dataset()


def _named(scenario: Scenario, tree: xr.DataTree) -> xr.DataTree:
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

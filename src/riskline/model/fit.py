"""Sampling a scenario: compile once per model structure, then swap data in and sample.

The first fit of a structure builds the PyMC model and compiles it with nutpie (for the
seed scenario's three-event chain on our 2-core machines, ~12 s once PyTensor's compile
cache holds its graph, ~40 s when it does not); later fits in the same process, after an
analyst edits an estimate or a prior, only replace the data and sample (about 1.8 s on the
seed scenario, 4 x 1300 iterations of ~7 gradient evaluations each: benchmarks/refit.py
and its README). The prior draws (the timeline implied by the priors alone) come from the
same model's hazard graph, compiled once per structure too.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import nutpie
import pymc as pm
import pytensor
import pytensor.tensor as pt
import xarray as xr
from pytensor.graph.replace import vectorize_graph
from pytensor.graph.traversal import ancestors
from pytensor.tensor.random.basic import NormalRV

from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning
from riskline.forecast import Forecast
from riskline.model.encoding import ModelStructure, encode, scenario_grid
from riskline.model.timeline import build_model, pack_data

__all__ = ["fit", "sample_prior"]

PRIOR_DRAWS = 1000


@dataclass
class _Compiled:
    model: pm.Model
    nutpie: nutpie.sample.CompiledModel
    prior: Callable | None = None  # compiled on first use (_prior_function)


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
    used = {variable.name for variable in compiled.nutpie.shared_var_keys}  # "integers" may be unused
    tree = nutpie.sample(
        compiled.nutpie.with_data(**{name: value for name, value in pack_data(data).items() if name in used}),
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
        tree["prior"] = _named(scenario, xr.DataTree(sample_prior(scenario, random_seed, compiled, data)))
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


def sample_prior(scenario: Scenario, random_seed: int, compiled: _Compiled | None = None, data: dict | None = None):
    """Draws of the hazards from the priors alone (no statements, no survival): an xr.Dataset.

    Every free variable of the model is a standard normal (all priors are non-centred), so
    the prior of the hazards is the model's own hazard graph at standard-normal draws; it
    is evaluated for all draws in one call of a function compiled once per structure.
    """
    if compiled is None:
        structure, data = encode(scenario)
        compiled = _compiled(structure, data)
    if compiled.prior is None:
        compiled.prior = _prior_function(compiled.model)
    with compiled.model:
        pm.set_data(pack_data(data))
    hazard = compiled.prior(np.random.default_rng(random_seed))
    coords = {"chain": [0], "draw": np.arange(PRIOR_DRAWS)}
    return xr.Dataset({"hazard": (("chain", "draw", "event", "bin"), hazard[None])}, coords=coords)


def _prior_function(model: pm.Model) -> Callable[[np.random.Generator], np.ndarray]:
    """PRIOR_DRAWS prior draws of the hazards from a random generator, in one call."""
    (hazard,) = model.replace_rvs_by_values([model["hazard"]])
    needed = set(ancestors([hazard]))
    values = [model.rvs_to_values[rv] for rv in model.free_RVs if model.rvs_to_values[rv] in needed]
    for value in values:
        rv = model.values_to_rvs[value]
        parameters = [pt.get_underlying_scalar_constant_value(p) for p in rv.owner.inputs[2:]]
        if not (isinstance(rv.owner.op, NormalRV) and parameters == [0.0, 1.0]):
            raise AssertionError(f"{rv.name} is not a standard normal: the prior draws assume it is")
    point = model.initial_point()
    shapes = [point[value.name].shape for value in values]
    batched = [pt.tensor(value.name, shape=(None, *value.type.shape)) for value in values]
    function = pytensor.function(batched, vectorize_graph(hazard, dict(zip(values, batched, strict=True))))
    return lambda rng: function(*(rng.standard_normal((PRIOR_DRAWS, *shape)) for shape in shapes))


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

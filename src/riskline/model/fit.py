"""Sampling a scenario: compile once per model structure, then swap data in and sample.

The first fit of a structure builds the PyMC model and compiles it with nutpie (for the
seed scenario's three-event chain on our 2-core machines, ~12 s once PyTensor's compile
cache holds its graph, ~40 s when it does not); later fits in the same process, after an
analyst edits an estimate or a prior, only replace the data and sample (about 2 s on the
seed scenario, 4 x 1300 iterations of ~7 gradient evaluations each: benchmarks/refit.py
and its README; `riskline.model.update` reweights an earlier fit's draws instead, ~0.3 s,
when they cover the edited posterior).

nutpie samples and stores the free parameters only. The model's other quantities (the
hazards, the sources' bias and noise, the window probabilities) are computed afterwards for
all draws at once, by one function compiled once per structure: nutpie would compute them
draw by draw and convert them one by one (~0.45 s of a seed refit). The same graph, for
the hazard alone, gives the prior draws (the timeline implied by the priors alone) from
standard normals.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
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
from pytensor.tensor.random.basic import NormalRV

from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning, SamplingInterrupted
from riskline.forecast import DIAGNOSTICS_ATTR, Forecast
from riskline.model.encoding import ModelStructure, encode, scenario_grid
from riskline.model.timeline import build_model, pack_data

__all__ = ["fit", "prior_forecast", "sample_prior"]

PRIOR_DRAWS = 1000
FINGERPRINT_ATTR = "data_fingerprint"
"""The DataTree attribute with the `data_fingerprint` of the scenario a fit's draws were sampled for."""


@dataclass
class _Compiled:
    model: pm.Model
    nutpie: nutpie.sample.CompiledModel  # samples the free parameters only
    quantities: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]  # every Deterministic
    hazard: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]  # the hazard only, for the prior
    shapes: dict[str, tuple[int, ...]]  # of each free variable

    @functools.cached_property
    def terms(self) -> Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]:
        """The model's Potentials (survival, statements, closed windows) at a batch of points, for model.update."""
        return _quantities_function(self.model, [term.name for term in self.model.potentials], self.shapes)


_CACHE: dict[ModelStructure, _Compiled] = {}


def compiled_for(structure: ModelStructure, data: dict) -> _Compiled:
    if structure not in _CACHE:
        model = build_model(structure, data)
        _check_standard_normals(model)
        free = [rv.name for rv in model.free_RVs]
        deterministics = [variable.name for variable in model.deterministics]
        shapes = {name: np.shape(value) for name, value in model.initial_point().items()}
        _CACHE[structure] = _Compiled(
            model,
            nutpie.compile_pymc_model(model, var_names=free),
            _quantities_function(model, deterministics, shapes),
            _quantities_function(model, ["hazard"], shapes),
            shapes,
        )
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
    compiled = compiled_for(structure, data)
    packed = pack_data(data)
    with compiled.model:
        pm.set_data(packed)  # for the quantities computed after sampling
    used = {variable.name for variable in compiled.nutpie.shared_var_keys}  # "integers" may be unused
    tree = nutpie.sample(
        compiled.nutpie.with_data(**{name: value for name, value in packed.items() if name in used}),
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
    _check_complete(tree.posterior.to_dataset(), chains, draws or settings.draws)
    tree["posterior"] = with_quantities(compiled, tree.posterior.to_dataset())
    tree = named(scenario, tree)
    if prior:
        tree["prior"] = named(scenario, xr.DataTree(sample_prior(scenario, random_seed, compiled)))
    tree.attrs["random_seed"] = random_seed
    tree.attrs[FINGERPRINT_ATTR] = data_fingerprint(data)
    forecast = Forecast(scenario, tree)
    tree.attrs[DIAGNOSTICS_ATTR] = json.dumps(dataclasses.asdict(forecast.diagnostics()))  # computed once
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


def data_fingerprint(data: dict[str, np.ndarray]) -> str:
    """A digest of every number the model reads: two scenarios with the same one are the same model."""
    digest = hashlib.sha256()
    for array in pack_data(data).values():
        digest.update(array.tobytes())
    return digest.hexdigest()


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


def sample_prior(scenario: Scenario, random_seed: int, compiled: _Compiled | None = None) -> xr.Dataset:
    """Draws of the hazards from the priors alone (no statements, no survival): an xr.Dataset.

    Every free variable of the model is a standard normal (all priors are non-centred), so
    the prior of the hazards is the model's own hazard graph at standard-normal draws.
    `compiled` must hold the scenario's data already (as `fit` leaves it).
    """
    if compiled is None:
        structure, data = encode(scenario)
        compiled = compiled_for(structure, data)
        with compiled.model:
            pm.set_data(pack_data(data))
    return _prior_draws(compiled.hazard, compiled.shapes, random_seed)


def prior_forecast(scenario: Scenario, random_seed: int) -> Forecast:
    """The forecast of the priors alone, in seconds: no sampler is compiled and nothing is sampled.

    Only the model's hazard graph is compiled (its prior is a function of standard normals);
    the Forecast has a "prior" timeline and no posterior.
    """
    structure, data = encode(scenario)
    model = build_model(structure, data)
    shapes = {name: np.shape(value) for name, value in model.initial_point().items()}
    draws = _prior_draws(_quantities_function(model, ["hazard"], shapes), shapes, random_seed)
    return Forecast(scenario, xr.DataTree(children={"prior": named(scenario, xr.DataTree(draws))}))


def _prior_draws(hazard_function: Callable, shapes: dict[str, tuple[int, ...]], random_seed: int) -> xr.Dataset:
    rng = np.random.default_rng(random_seed)
    points = {name: rng.standard_normal((PRIOR_DRAWS, *shape)) for name, shape in shapes.items()}
    hazard = hazard_function(points)["hazard"]
    coords = {"chain": [0], "draw": np.arange(PRIOR_DRAWS)}
    return xr.Dataset({"hazard": (("chain", "draw", "event", "bin"), hazard[None])}, coords=coords)


def _quantities_function(
    model: pm.Model, names: list[str], shapes: dict[str, tuple[int, ...]]
) -> Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """Deterministics or Potentials `names` at a batch of points: free values (draws, ...) by name -> (draws, ...).

    One compiled call for all draws; reads the model's pm.Data as they are when called. The
    free values' `shapes` are given exactly: the vectorised likelihood operation needs them.
    """
    values = [model.rvs_to_values[rv] for rv in model.free_RVs]
    batched = [pt.tensor(value.name, shape=(None, *shapes[value.name])) for value in values]
    outputs = model.replace_rvs_by_values([model[name] for name in names])
    function = pytensor.function(
        batched, vectorize_graph(outputs, dict(zip(values, batched, strict=True))), on_unused_input="ignore"
    )

    def quantities(points: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return dict(zip(names, function(*(points[value.name] for value in values)), strict=True))

    return quantities


def _check_standard_normals(model: pm.Model) -> None:
    """Every free variable must be an untransformed standard normal (all priors are non-centred).

    The prior draws are standard normals, and the quantities take nutpie's stored draws as
    the model's values, which holds only without a transform.
    """
    for rv in model.free_RVs:
        parameters = [pt.get_underlying_scalar_constant_value(p) for p in rv.owner.inputs[2:]]
        if not (isinstance(rv.owner.op, NormalRV) and parameters == [0.0, 1.0] and model.rvs_to_transforms[rv] is None):
            raise AssertionError(f"{rv.name} is not a standard normal: the prior draws and quantities assume it is")


def with_quantities(compiled: _Compiled, posterior: xr.Dataset) -> xr.Dataset:
    """The sampled free parameters with the model's Deterministics of every draw, by the model's dims."""
    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    points = {name: array.values.reshape(chains * draws, *array.shape[2:]) for name, array in posterior.items()}
    dims = compiled.model.named_vars_to_dims
    return posterior.assign(
        {
            name: (("chain", "draw", *dims[name]), value.reshape(chains, draws, *value.shape[1:]))
            for name, value in compiled.quantities(points).items()
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

"""One model structure, compiled: the sampler and the functions of its draws, each taking its data explicitly.

A scenario's model is fixed by its `ModelStructure` (events, grid, capacities); its numbers
are data (riskline.model.timeline). So everything compiled for a structure serves every
scenario of that structure, and the data are an argument of each method, never state left
behind by an earlier call. Each piece is compiled when first used: the priors alone need
only the hazard function, a fit the sampler and the quantities, an update the Potentials.

Compiled code lives on disk between processes: every compiled PyTensor function (the
sampler's log density and the functions of the draws, with their rewritten graphs) in
riskline's store (riskline.model.store), their C and numba code in PyTensor's and numba's
caches, the sampler's C wrappers in numba's (riskline.model.sampler). A fresh process builds
the PyMC model and loads the rest instead of compiling it (benchmarks/README.md, "Fresh-process run time").

`ModelCache` holds one CompiledModel per structure for a process; `MODELS` is the one `fit`,
`update` and `prior_forecast` use unless given another. It only saves time: clearing it
changes no result.
"""

from __future__ import annotations

import functools
import operator
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

from riskline.model.encoding import ModelStructure
from riskline.model.sampler import FixedShapeSampler, compile_sampler
from riskline.model.store import FunctionStore, default_store, without_fastmath
from riskline.model.timeline import DATA_NAMES, build_model

__all__ = ["FREE_SUFFIX", "MODELS", "CompiledModel", "ModelCache", "prior_log_density"]

FREE_SUFFIX = "_z"
"""Every free parameter's name ends in it (they are all standard normals)."""
Points = dict[str, np.ndarray]
"""Values of the free parameters by name, each (draws, *shape)."""


@dataclass(frozen=True, eq=False)
class CompiledModel:
    """The model of one structure; `packed` arguments are its pm.Data for a scenario of that structure (`pack_data`)."""

    structure: ModelStructure
    model: pm.Model
    shapes: dict[str, tuple[int, ...]]
    """The shape of each free parameter (all standard normals: `_check_standard_normals`)."""
    store: FunctionStore
    """Where its compiled functions are kept between processes."""

    @classmethod
    def build(cls, structure: ModelStructure, data: dict[str, np.ndarray], store: FunctionStore) -> CompiledModel:
        """The PyMC model of `structure`; `data` only give the arrays' shapes (any scenario of it will do)."""
        model = build_model(structure, data)
        _check_standard_normals(model)
        with without_fastmath():  # PyMC compiles a function for it
            shapes = {name: np.shape(value) for name, value in model.initial_point().items()}
        return cls(structure, model, shapes, store)

    @functools.cached_property
    def sampler(self) -> FixedShapeSampler:
        """The nutpie sampler over the free parameters (it stores them only: the rest is `quantities`)."""
        free = [rv.name for rv in self.model.free_RVs]
        return compile_sampler(self.model, free, self.store, repr(self.structure))

    def sample(self, packed: dict[str, np.ndarray], **settings) -> xr.DataTree:
        """NUTS draws of the free parameters for the data `packed`; `settings` go to `nutpie.sample`."""
        used = {variable.name for variable in self.sampler.shared_var_keys}  # "integers" may be unused
        sampler = self.sampler.with_data(**{name: value for name, value in packed.items() if name in used})
        return nutpie.sample(sampler, **settings)

    def quantities(self, packed: dict[str, np.ndarray], points: Points) -> dict[str, np.ndarray]:
        """Every Deterministic (hazards, sources' bias and noise, window probabilities) at `points`."""
        return self._deterministics(points, packed)

    def hazard(self, packed: dict[str, np.ndarray], points: Points) -> np.ndarray:
        """The hazards (draws, event, bin) at `points`: the priors' timeline needs nothing else."""
        return self._hazard(points, packed)["hazard"]

    def log_density(self, packed: dict[str, np.ndarray], points: Points) -> np.ndarray:
        """The sum of the model's Potentials (survival, statements, closed windows) at `points`, per draw.

        The rest of the log density, the free parameters' standard normal priors, does not
        depend on the data (`prior_log_density`).
        """
        return functools.reduce(operator.add, self._potentials(points, packed).values())

    def dims(self, name: str, ndim: int) -> tuple[str, ...]:
        """The dimension names of variable `name` of `ndim` dimensions after chain and draw (nutpie's, if unnamed)."""
        return tuple(self.model.named_vars_to_dims.get(name) or (f"{name}_dim_{i}" for i in range(ndim)))

    @functools.cached_property
    def _deterministics(self) -> Callable[[Points, dict], dict[str, np.ndarray]]:
        return self._batched([v.name for v in self.model.deterministics])

    @functools.cached_property
    def _hazard(self) -> Callable[[Points, dict], dict[str, np.ndarray]]:
        return self._batched(["hazard"])

    @functools.cached_property
    def _potentials(self) -> Callable[[Points, dict], dict[str, np.ndarray]]:
        return self._batched([term.name for term in self.model.potentials])

    def _batched(self, names: list[str]) -> Callable[[Points, dict], dict[str, np.ndarray]]:
        """`batched_function` of `names`, compiled once per machine (`store`)."""
        key = ("batched", repr(self.structure), *names)
        return batched_function(self.model, names, self.shapes, lambda graph: self.store.get(key, graph))


def prior_log_density(points: Points) -> np.ndarray:
    """The free parameters' standard normal log density at `points`, per draw."""
    return sum(
        (-0.5 * value**2 - 0.5 * np.log(2 * np.pi)).reshape(len(value), -1).sum(axis=1) for value in points.values()
    )


class ModelCache:
    """Compiled models by structure, for the life of a process (or until `clear`), their functions in `store`."""

    def __init__(self, store: FunctionStore | None = None) -> None:
        self.store = store or default_store()
        self._models: dict[ModelStructure, CompiledModel] = {}

    def get(self, structure: ModelStructure, data: dict[str, np.ndarray]) -> CompiledModel:
        """The compiled model of `structure`, built on first use."""
        if structure not in self._models:
            self._models[structure] = CompiledModel.build(structure, data, self.store)
        return self._models[structure]

    def clear(self) -> None:
        """Forget every compiled model; the disk caches stay (a rebuild loads them; `store.clear` empties ours)."""
        self._models.clear()

    def __len__(self) -> int:
        return len(self._models)


MODELS = ModelCache()
"""The process's compiled models, used unless a caller passes its own."""


def batched_function(
    model: pm.Model,
    names: list[str],
    shapes: dict[str, tuple[int, ...]],
    compiled: Callable[[Callable[[], Callable]], Callable] = lambda compile_graph: compile_graph(),
) -> Callable[[Points, dict], dict[str, np.ndarray]]:
    """Deterministics or Potentials `names` of the model at a batch of points, for given data.

    One compiled call for all draws; the model's pm.Data are inputs of the function, not its
    state. The free values' `shapes` are given exactly: the vectorised likelihood operation
    needs them. `compiled` gets the compiled function given the call that compiles it (a
    store may have it already).
    """
    values = [model.rvs_to_values[rv] for rv in model.free_RVs]
    shared = [model[name] for name in DATA_NAMES]
    dtypes = [variable.dtype for variable in shared]  # pm.Data keeps integers as int32

    def compile_graph() -> Callable:
        batched = [pt.tensor(value.name, shape=(None, *shapes[value.name])) for value in values]
        outputs = model.replace_rvs_by_values([model[name] for name in names])
        outputs = vectorize_graph(outputs, dict(zip(values, batched, strict=True)))
        data_inputs = [variable.type(name=name) for variable, name in zip(shared, DATA_NAMES, strict=True)]
        with without_fastmath():  # as the store compiles it, when there is one
            return pytensor.function(
                [*batched, *data_inputs],
                outputs,
                givens=list(zip(shared, data_inputs, strict=True)),
                on_unused_input="ignore",
            )

    function = compiled(compile_graph)

    def evaluate(points: Points, packed: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        data = [np.asarray(packed[name], dtype=dtype) for name, dtype in zip(DATA_NAMES, dtypes, strict=True)]
        arguments = [points[value.name] for value in values] + data
        return dict(zip(names, function(*arguments), strict=True))

    return evaluate


def _check_standard_normals(model: pm.Model) -> None:
    """Every free variable must be an untransformed standard normal (all priors are non-centred).

    The prior draws are standard normals, and the quantities take nutpie's stored draws as
    the model's values, which holds only without a transform.
    """
    for rv in model.free_RVs:
        parameters = [pt.get_underlying_scalar_constant_value(p) for p in rv.owner.op.dist_params(rv.owner)]
        if not (isinstance(rv.owner.op, NormalRV) and parameters == [0.0, 1.0] and model.rvs_to_transforms[rv] is None):
            raise AssertionError(f"{rv.name} is not a standard normal: the prior draws and quantities assume it is")
        if not rv.name.endswith(FREE_SUFFIX):
            raise AssertionError(f"{rv.name} does not end in {FREE_SUFFIX}: a forecast finds its free parameters by it")

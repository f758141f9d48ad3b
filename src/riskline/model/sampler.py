"""The nutpie sampler of a PyMC model, compiled once per machine instead of once per process.

`nutpie.compile_pymc_model` turns the model's log density and gradient (a PyTensor graph,
compiled by numba and loaded from PyTensor's disk cache) into a C function nutpie calls. Its
wrapper reads each data array's shape at run time (`reshape`, whose error messages numba
builds from string formatting code) and closes over per-process objects, so numba can cache
neither, and every fresh process compiled the wrapper anew (benchmarks/README.md, "Compile
once per machine").

Here the wrapper is generated as source per model: the data arrays' shapes are fixed by the
model's structure (riskline pads every array to the structure's capacities), so they are
written into the source as constants, and the data reach the wrapper as a plain array of
addresses. The source is registered with PyTensor's numba cache under a key made of the
graph's own cache key and the source, so numba keeps the compiled wrapper on disk and a
fresh process loads it instead of compiling it. Everything else is nutpie's: its
`_make_functions` builds the graphs, and `CompiledPyMCModel` runs the sampler.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numba
import numpy as np
import pymc as pm
from nutpie.compile_pymc import (
    CompiledPyMCModel,
    _make_functions,
    _prepare_dims_and_coords,
    _rv_dict_to_flat_array_wrapper,
    _wrap_with_lock,
)
from pymc.initial_point import make_initial_point_fn
from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src

from riskline.model.likelihood.ccall import pointer
from riskline.model.store import FunctionStore, without_fastmath

__all__ = ["compile_sampler"]

_LOGP_SIGNATURE = numba.types.int64(
    numba.types.uint64,
    numba.types.CPointer(numba.types.double),
    numba.types.CPointer(numba.types.double),
    numba.types.CPointer(numba.types.double),
    numba.types.voidptr,
)
_EXPAND_SIGNATURE = numba.types.int64(
    numba.types.uint64,
    numba.types.uint64,
    numba.types.CPointer(numba.types.double),
    numba.types.CPointer(numba.types.double),
    numba.types.voidptr,
)

_LOGP_SOURCE = """
def logp(dim, x_, out_, logp_, addresses_):
    if dim != {n_dim}:
        return -1
    try:
        addresses = numba.carray(addresses_, ({n_data},), np.int64)
        x = numba.carray(x_, ({n_dim},))
        value, gradient = inner(x, {arrays})
        numba.carray(logp_, ())[()] = value
        out = numba.carray(out_, ({n_dim},))
        out[:] = gradient
        for g in out:
            if not np.isfinite(g):
                return 3
        if not np.isfinite(value):
            return 4
    except Exception:
        return 1
    return 0
"""

_EXPAND_SOURCE = """
def expand(dim, expanded, x_, out_, addresses_):
    if dim != {n_dim} or expanded != {n_expanded}:
        return -1
    try:
        addresses = numba.carray(addresses_, ({n_data},), np.int64)
        x = numba.carray(x_, ({n_dim},))
        (values,) = inner(x, {arrays})
        numba.carray(out_, ({n_expanded},))[:] = values
    except Exception:
        return -2
    return 0
"""


@dataclasses.dataclass(frozen=True)
class FixedShapeSampler(CompiledPyMCModel):
    """The nutpie model of `compile_sampler`: its data keep the shapes they were compiled with.

    `shared_data` holds the model's pm.Data by name, `user_data` their addresses (int64), which
    the generated wrappers read.
    """

    def with_data(self, **updates):
        shared_data = dict(self.shared_data)
        for name, value in updates.items():
            if name not in shared_data:
                raise KeyError(f"unknown data variable: {name}")
            old = shared_data[name]
            new = np.array(value, dtype=old.dtype, order="C", copy=True)
            if new.shape != old.shape:
                raise ValueError(f"data {name} has shape {new.shape}, but the sampler was compiled for {old.shape}")
            new.flags.writeable = False
            shared_data[name] = new
        return dataclasses.replace(self, shared_data=shared_data, user_data=_addresses(shared_data))


def compile_sampler(model: pm.Model, var_names: list[str], store: FunctionStore, key: str) -> FixedShapeSampler:
    """The nutpie sampler of `model`, storing `var_names`, for a model identified by `key` in `store`.

    The graphs of its log density and stored values are kept in `store`; its C wrappers come
    from numba's disk cache.
    """
    with without_fastmath():  # compiled in every process, from numba's cached code when there is some
        unlocked = make_initial_point_fn(
            model=model, default_strategy="support_point", jitter_rvs=set(model.free_RVs), return_transformed=True
        )
    initial_point = _wrap_with_lock(unlocked)  # nutpie calls it from every chain's thread; it is not thread-safe
    n_dim, n_expanded, logp_function, expand_function, shape_info, reparameterized = store.get(
        ("sampler", key, *var_names), lambda: _graphs(model, var_names)
    )
    names, _, shapes = shape_info
    free = len(model.free_RVs)
    initial_point_function = _rv_dict_to_flat_array_wrapper(initial_point, names=names[:free], shapes=shapes[:free])
    shared_var_keys, shared_data = {}, {}
    for variable in [*logp_function.get_shared(), *expand_function.get_shared()]:
        shared_var_keys[variable] = variable.name  # the model's pm.Data, by name
        shared_data[variable.name] = np.array(variable.get_value(), order="C", copy=True)
        shared_data[variable.name].flags.writeable = False
    sizes = {"n_dim": n_dim, "n_expanded": n_expanded, "n_data": len(shared_data)}
    logp = _wrapper(_LOGP_SOURCE, "logp", logp_function, shared_var_keys, shared_data, sizes, _LOGP_SIGNATURE)
    expand = _wrapper(_EXPAND_SOURCE, "expand", expand_function, shared_var_keys, shared_data, sizes, _EXPAND_SIGNATURE)
    dims, coords = _prepare_dims_and_coords(model, shape_info, reparameterized)
    return FixedShapeSampler(
        _n_dim=n_dim,
        dims=dims,
        _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info, strict=True)},
        compiled_logp_func=logp,
        compiled_expand_func=expand,
        initial_point_func=initial_point_function,
        shared_data=shared_data,
        shared_var_keys=shared_var_keys,
        user_data=_addresses(shared_data),
        n_expanded=n_expanded,
        shape_info=shape_info,
        logp_func=logp_function,
        expand_func=expand_function,
        reparameterized_names=reparameterized,
    )


def _graphs(model: pm.Model, var_names: list[str]) -> tuple:
    """The nutpie functions of the model's log density (with gradient) and stored values, with their sizes.

    Its initial-point function is left out: it does not pickle, and is quick to make.
    """
    n_dim, n_expanded, logp_function, expand_function, _, shape_info, reparameterized = _make_functions(
        model,
        mode="NUMBA",
        compute_grad=True,
        join_expanded=True,
        pymc_initial_point_fn=lambda seed: {},
        var_names=var_names,
    )
    return n_dim, n_expanded, logp_function, expand_function, shape_info, reparameterized


def _wrapper(template, name, function, shared_var_keys, shared_data, sizes, signature):
    """The C wrapper of the numba-compiled PyTensor `function`, cached on disk when its graph is."""
    keys = list(shared_data)
    arrays = ", ".join(
        f"numba.carray(pointer(addresses[{keys.index(shared_var_keys[variable])}]), "
        f"{shared_data[shared_var_keys[variable]].shape}, np.{shared_data[shared_var_keys[variable]].dtype})"
        for variable in function.get_shared()
    )
    source = template.format(arrays=arrays, **sizes)
    inner = function.vm.jit_fn
    graph_key = CACHED_SRC_FUNCTIONS.get(inner.py_func)
    cache_key = None if graph_key is None else hashlib.sha256(f"{graph_key}\n{source}".encode()).hexdigest()
    python_function = compile_numba_function_src(
        source,
        name,
        {"__name__": __name__, "numba": numba, "np": np, "inner": inner, "pointer": pointer},
        cache_key=cache_key,
    )
    return numba.cfunc(signature, cache=cache_key is not None)(python_function)


def _addresses(shared_data: dict[str, np.ndarray]) -> np.ndarray:
    return np.array([array.ctypes.data for array in shared_data.values()], dtype=np.int64)

"""The statements' likelihood as PyTensor operations, for the PyMC model.

As a PyTensor graph the statements' part of the model (event chains, windows, source
noise, fuzzy ends) took some two hundred small nodes, and inside the sampler each node
costs a fixed overhead whatever its size. Here it is one operation, `StatementsLogp`,
whose value and gradient with respect to the hazards and the sources' bias and noise come
from one pass of the compiled kernel (riskline.model.likelihood.kernels); PyTensor
differentiates the rest of the model (the random walk, signposts, survival) as usual.
`WindowProbability` gives each estimate's q, for the posterior's reconciliation.

Run from Python (`perform`), an operation calls its kernel directly; compiled by numba for
the sampler, it calls the kernel's C symbol (riskline.model.likelihood.ccall). Which
inputs it takes, of which dtype and shape, is riskline.model.likelihood.layout's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ClassVar

import numba
import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType, disconnected_type
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

from riskline.model.chains import relation_path
from riskline.model.encoding import ModelStructure
from riskline.model.likelihood import kernels, layout
from riskline.model.likelihood.ccall import CALLERS, register
from riskline.model.likelihood.jit import SOURCE_DIGEST
from riskline.model.likelihood.layout import Array

__all__ = ["StatementsLogp", "WindowProbability", "statements_logp", "window_probability"]

GIVEN = layout.named("parameter") + layout.named("data")
"""What an operation takes, in order: the parameters, then the encoding's data (the structure's arrays are its own)."""
SOURCE_VERSION = int(SOURCE_DIGEST[:15], 16)
"""Part of the key under which PyTensor caches the compiled graph: an edit of the kernels recompiles."""


class _StructureOp(Op):
    """An operation fixed by the chain topology and the number of fuzzy ends (its props)."""

    __props__ = ("parents", "paths", "points")
    kernel: ClassVar[str]
    """Its kernel's name in riskline.model.likelihood.kernels (and ccall.CALLERS)."""
    results: ClassVar[tuple[Array, ...]]
    """What it returns (riskline.model.likelihood.layout)."""

    def __init__(self, structure: ModelStructure):
        self.parents = structure.parents
        self.paths = _relation_paths(structure)
        self.points = structure.fuzzy_points

    def make_node(self, *arguments):
        if len(arguments) != len(GIVEN):
            raise TypeError(f"{type(self).__name__} takes {len(GIVEN)} arrays ({', '.join(a.name for a in GIVEN)})")
        inputs = [_tensor(array, x) for array, x in zip(GIVEN, arguments, strict=True)]
        outputs = [pt.tensor(dtype=r.dtype, shape=tuple(_size(s, [i.type.shape for i in inputs]) for s in r.shape))
                   for r in self.results]  # fmt: skip
        return Apply(self, inputs, outputs)

    def perform(self, node, inputs, output_storage):
        results = getattr(kernels, self.kernel)(*inputs, *self.constants)
        for storage, value in zip(output_storage, results, strict=True):
            storage[0] = np.asarray(value)

    def infer_shape(self, node, shapes):
        return [tuple(_size(s, shapes) for s in r.shape) for r in self.results]

    @functools.cached_property
    def constants(self) -> tuple:
        """The kernel's arguments after the inputs: the structure's arrays (in the layout's order) and `points`."""
        given = {"parents": np.array(self.parents, dtype=np.int64),
                 "paths": np.array(self.paths, dtype=np.int64).reshape(-1, len(self.parents))}  # fmt: skip
        return (*(given[array.name] for array in layout.named("structure")), self.points)


class StatementsLogp(_StructureOp):
    """(parameters, data) -> (log likelihood, its gradient for each parameter): layout.STATEMENTS_OUTPUTS.

    The gradient outputs are the value's pullback: asking PyTensor for the gradient of the
    first output reuses them, so value and gradient come from one pass.
    """

    kernel, results = "statements_logp", layout.STATEMENTS_OUTPUTS

    def pullback(self, inputs, outputs, cotangents):
        upstream, *unused = cotangents
        if any(not isinstance(c.type, DisconnectedType) for c in unused):
            raise NotImplementedError("only the log likelihood of StatementsLogp is differentiable")
        _, *gradients = outputs  # one per parameter, in order
        by_name = dict(zip((p.name for p in layout.named("parameter")), gradients, strict=True))
        return [upstream * by_name[a.name] if a.role == "parameter" else disconnected_type() for a in GIVEN]

    def connection_pattern(self, node):
        return [[a.role == "parameter"] + [False] * (len(self.results) - 1) for a in GIVEN]


class WindowProbability(_StructureOp):
    """(parameters, data) -> each estimate's q, averaged over its fuzzy ends: layout.WINDOW_OUTPUTS."""

    kernel, results = "window_probability", layout.WINDOW_OUTPUTS


def _tensor(array: Array, value):
    """`value` as a tensor of the array's dtype (pm.Data stores integers as int32) and number of axes."""
    tensor = pt.cast(pt.as_tensor_variable(value), array.dtype)
    if tensor.ndim != len(array.shape):
        raise TypeError(f"{array.name} has {tensor.ndim} axes, not {len(array.shape)} ({', '.join(array.shape)})")
    return tensor


def _size(size: str, shapes: list):
    """The size `size` read off the operation's input `shapes` (static or symbolic)."""
    position, axis = layout.first_axis(size, GIVEN)
    return shapes[position][axis]


def _relation_paths(structure: ModelStructure) -> tuple[int, ...]:
    """Each relation's events from the ancestor's child down to the event, padded with -1, flat."""
    flat: list[int] = []
    for event, ancestor in structure.relations:
        path = relation_path(structure.parents, ancestor, event)
        flat += path + [-1] * (structure.n_events - len(path))
    return tuple(flat)


def _funcify(op: _StructureOp, **kwargs) -> tuple[Callable, int]:
    """The operation in numba-compiled code: its kernel called through its C symbol."""
    *structure_arrays, points = op.constants
    structure, call = tuple(structure_arrays), CALLERS[op.kernel]
    register()

    @numba.njit
    def apply(*inputs):
        return call(inputs, structure, points)

    @numba.njit
    def apply_one(*inputs):  # an operation of one output returns it, not a tuple
        return call(inputs, structure, points)[0]

    return (apply_one if len(op.results) == 1 else apply), SOURCE_VERSION


register_funcify_default_op_cache_key(StatementsLogp)(_funcify)
register_funcify_default_op_cache_key(WindowProbability)(_funcify)


def _given(hazard, bias, noise, data: dict) -> list:
    """The operations' arguments: the parameters by name, then the data arrays the layout names."""
    parameters = {"hazard": hazard, "bias": bias, "noise": noise}
    return [parameters[a.name] if a.role == "parameter" else data[a.name] for a in GIVEN]


def statements_logp(structure: ModelStructure, hazard, bias, noise, data: dict):
    """The statements' log likelihood (a PyTensor scalar, differentiable in hazard, bias and noise)."""
    # Op.__call__ gives a list for an Op of several outputs; pytensor annotates it as a Variable or a list
    return StatementsLogp(structure)(*_given(hazard, bias, noise, data))[0]  # type: ignore[index]


def window_probability(structure: ModelStructure, hazard, bias, noise, data: dict):
    """Each estimate's window probability q (the mean over fuzzy ends), a PyTensor vector."""
    return WindowProbability(structure)(*_given(hazard, bias, noise, data))

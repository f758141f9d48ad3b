"""The kernels' arguments and results, declared once: name, dtype, and shape in named sizes.

Everything that passes the arrays along reads these lists rather than counting positions:
the PyTensor operations (which inputs they take, of which dtype, which are differentiable,
what shape their results have: riskline.model.likelihood.ops), the C functions the sampler
calls (the addresses and sizes they take, the arrays they rebuild from them:
riskline.model.likelihood.ccall), and the kernels (riskline.model.likelihood.kernels),
whose parameters carry the same names in the same order, `points` last (a test checks it).
The data inputs are the encoding's arrays of the same names (riskline.model.encoding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["INPUTS", "SIZES", "STATEMENTS_OUTPUTS", "WINDOW_OUTPUTS", "Array", "first_axis", "named", "position"]

Role = Literal["parameter", "data", "structure"]


@dataclass(frozen=True)
class Array:
    """One argument or result of the kernels."""

    name: str
    shape: tuple[str, ...]
    """Its axes, as names of `SIZES` (() for a 0-d array)."""
    dtype: Literal["float64", "int64"] = "float64"
    role: Role = "data"
    """parameter: what the log density is differentiated for; data: the encoding's arrays, fed to the compiled model;
    structure: fixed by the model's structure, constants of the operation."""


SIZES = ("events", "bins", "sources", "estimates", "rows", "terms", "relations", "conditions", "points")
"""The sizes the shapes are made of. rows and terms: of the sparse window matrix (riskline.model.encoding); relations:
(event, ancestor) pairs a window is counted between; conditions: issue dates a chain is run given. points, the fuzzy
ends per estimate, is no array's axis: the operation gives it."""

INPUTS = (
    Array("hazard", ("events", "bins"), role="parameter"),
    Array("bias", ("sources",), role="parameter"),
    Array("noise", ("sources",), role="parameter"),
    Array("bin_width", ("bins",)),
    Array("delay_width", ()),
    Array("estimate_mask", ("estimates",)),
    Array("estimate_source", ("estimates", "sources")),
    Array("logit_low", ("estimates",)),
    Array("logit_high", ("estimates",)),
    Array("is_survey", ("estimates",)),
    Array("survey_mu", ("estimates",)),
    Array("survey_sigma", ("estimates",)),
    Array("confidence_factor", ("estimates",)),
    Array("window_edge_columns", ("rows", "terms"), "int64"),
    Array("window_edge_weights", ("rows", "terms")),
    Array("condition_exposure", ("conditions", "bins")),
    Array("condition_edges", ("conditions", "events"), "int64"),
    Array("parents", ("events",), "int64", "structure"),
    Array("paths", ("relations", "events"), "int64", "structure"),
)
"""The kernels' array arguments, in their order; then comes `points`."""

STATEMENTS_OUTPUTS = (
    Array("logp", ()),
    *(Array(f"d_{given.name}", given.shape) for given in INPUTS if given.role == "parameter"),
)
"""What `statements_logp` returns: the statements' log likelihood, then its gradient for each parameter."""

WINDOW_OUTPUTS = (Array("window_probability", ("estimates",)),)
"""What `window_probability` returns: each estimate's q, averaged over its fuzzy ends."""


def named(role: Role) -> tuple[Array, ...]:
    """The inputs of `role`, in order."""
    return tuple(array for array in INPUTS if array.role == role)


def position(name: str) -> int:
    """Where input `name` is among the kernels' arguments."""
    return [array.name for array in INPUTS].index(name)


def first_axis(size: str, arrays: tuple[Array, ...] = INPUTS) -> tuple[int, int]:
    """(position, axis) of the first of `arrays` with an axis of `size`: where that size is read off."""
    return next((i, array.shape.index(size)) for i, array in enumerate(arrays) if size in array.shape)

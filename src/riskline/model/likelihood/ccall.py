"""Calling the kernels from the sampler's compiled code: C functions, registered with LLVM under a symbol.

nutpie compiles each model structure's graph into one numba cfunc. A kernel called from it
as a numba function is compiled and optimised again inside each of them, which costs more
than the rest of a structure's compile (benchmarks/README.md, "Refit speed"). So each kernel
is compiled once as a C function (then loaded from the disk cache:
riskline.model.likelihood.jit), registered with LLVM under a symbol name, and the graph
calls that symbol: the graph stays cacheable by PyTensor (no address is baked into it) and a
structure's compile only adds the call.

A C function takes three int64 arrays: the addresses of the input arrays (in the order of
`layout.INPUTS`), the sizes (`layout.SIZES`), and the addresses of the results (the
kernel's outputs in the layout). Its code, and the code of the caller that passes the
arrays to it (`CALLERS`), are generated from the layout: which array has which shape in
which sizes is written down there only.
"""

from __future__ import annotations

import functools

import llvmlite.binding
import numba
import numba.extending
import numpy as np
from numba import literal_unroll

from riskline.model.likelihood import kernels, layout
from riskline.model.likelihood.jit import c_function, jit
from riskline.model.likelihood.layout import INPUTS, SIZES, Array

__all__ = ["CALLERS", "addresses", "pointer", "register"]

SIGNATURE = numba.types.void(*[numba.types.CPointer(numba.types.int64)] * 3)
"""(input addresses, sizes, result addresses), each an int64 array."""
KERNELS = {
    "statements_logp": (kernels.statements_logp, layout.STATEMENTS_OUTPUTS),
    "window_probability": (kernels.window_probability, layout.WINDOW_OUTPUTS),
}
"""Each kernel called through a C symbol, and what it returns."""
SYMBOL_PREFIX = "riskline_"


@numba.extending.intrinsic
def pointer(typingctx, address):
    """The int64 `address` as a void pointer, for numba.carray (the sampler's generated code uses it too)."""

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(numba.types.voidptr))

    return numba.types.voidptr(numba.types.int64), codegen


@jit
def addresses(arrays):
    """The addresses of a tuple of C-contiguous arrays, as int64."""
    found = np.empty(len(arrays), dtype=np.int64)
    i = 0
    for array in literal_unroll(arrays):  # numba has no enumerate over a tuple of mixed types
        if not array.flags.c_contiguous:
            raise ValueError("riskline's likelihood kernels need C-contiguous arrays")
        found[i] = array.ctypes.data
        i += 1  # noqa: SIM113
    return found


def _shape(array: Array) -> str:
    return f"({', '.join(array.shape)}{',' if len(array.shape) == 1 else ''})"


def _view(array: Array, address: str) -> str:
    """Code for `array` over the memory at `address`."""
    return f"numba.carray(pointer({address}), {_shape(array)}, np.{array.dtype})"


def _c_source(name: str, outputs: tuple[Array, ...]) -> str:
    """The C function of kernel `name`: rebuild its arguments from the addresses and sizes, write its results."""
    arguments = "".join(f"        {_view(array, f'addresses[{i}]')},\n" for i, array in enumerate(INPUTS))
    results = "".join(
        f"    {_view(array, f'outputs[{i}]')}[{'()' if not array.shape else ':'}] = results[{i}]"
        f"{'[()]' if not array.shape else ''}\n"
        for i, array in enumerate(outputs)
    )
    sizes = ", ".join(f"sizes[{i}]" for i in range(len(SIZES)))
    return (
        f"def {name}_c(addresses_, sizes_, outputs_):\n"
        f"    addresses = numba.carray(addresses_, ({len(INPUTS)},), np.int64)\n"
        f"    sizes = numba.carray(sizes_, ({len(SIZES)},), np.int64)\n"
        f"    outputs = numba.carray(outputs_, ({len(outputs)},), np.int64)\n"
        f"    {', '.join(SIZES)} = {sizes}\n"
        f"    results = kernel(\n{arguments}        points,\n    )\n"
        f"{results}"
    )


def _caller_source(name: str, outputs: tuple[Array, ...]) -> str:
    """The caller of kernel `name`'s C symbol: the arrays' addresses and sizes, and room for the results."""
    read = ", ".join(f"arrays[{i}].shape[{axis}]" for i, axis in map(layout.first_axis, SIZES[:-1]))
    allocated = "".join(f"np.empty({_shape(array)}, np.{array.dtype}), " for array in outputs)
    return (
        f"def call_{name}(inputs, structure, points):\n"
        f"    arrays = (*inputs, *structure)\n"
        f"    {', '.join(SIZES[:-1])} = {read}\n"
        f"    sizes = np.array([{', '.join(SIZES)}], dtype=np.int64)\n"
        f"    results = ({allocated})\n"
        f"    symbol(addresses(arrays).ctypes, sizes.ctypes, addresses(results).ctypes)\n"
        f"    return results\n"
    )


def _compiled_source(source: str, name: str, names: dict):
    """The function `name` defined by `source`, its global `names` beside numba, NumPy and `pointer`."""
    scope = {"__name__": __name__, "numba": numba, "np": np, "pointer": pointer, **names}
    exec(compile(source, f"<riskline.model.likelihood.ccall: {name}>", "exec"), scope)
    return scope[name]


def _caller(name: str, outputs: tuple[Array, ...]):
    symbol = numba.types.ExternalFunction(SYMBOL_PREFIX + name, SIGNATURE)
    found = _compiled_source(_caller_source(name, outputs), f"call_{name}", {"symbol": symbol, "addresses": addresses})
    return numba.njit(found)  # compiled into each graph that calls it, which PyTensor caches


CALLERS = {name: _caller(name, outputs) for name, (_, outputs) in KERNELS.items()}
"""By kernel: (input arrays, structure arrays, points) -> the kernel's results, through its C symbol (`register`)."""


@functools.cache
def register() -> tuple:
    """Compile the C functions (or load them from the disk cache) and register their symbols with LLVM.

    Returns the compiled functions, which the cache keeps alive for the process: their code
    must outlive every graph that calls it.
    """
    compiled = []
    for name, (kernel, outputs) in KERNELS.items():
        function = _compiled_source(_c_source(name, outputs), f"{name}_c", {"kernel": kernel})
        compiled.append(c_function(SIGNATURE, function))
        llvmlite.binding.add_symbol(SYMBOL_PREFIX + name, compiled[-1].address)
    return tuple(compiled)

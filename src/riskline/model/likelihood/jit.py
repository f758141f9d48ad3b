"""How the likelihood's kernels are compiled: by numba, kept on disk under a digest of their source.

numba's own disk cache checks only the file that defines each function, yet a cached
function holds the compiled code of every function it calls: a kernel calling one from
another module would keep running the old code after that module changed. So every
compiled function here is cached under a key made of the source of all the modules its code
comes from (`SOURCE_DIGEST`: this package and riskline.model.statement), in PyTensor's
numba cache, which looks such keys up (pytensor.link.numba.cache): an edit of any of them
compiles them all anew, and nothing stale is ever loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numba
from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS

__all__ = ["SOURCE_DIGEST", "c_function", "fast_sums", "jit", "keyed"]

SOURCES = (*sorted(Path(__file__).parent.glob("*.py")), Path(__file__).parents[1] / "statement.py")
"""Every module whose code the compiled kernels contain."""
SOURCE_DIGEST = hashlib.sha256(b"".join(path.read_bytes() for path in SOURCES)).hexdigest()


def keyed(function: Callable) -> Callable:
    """`function`, registered to be cached under the sources' digest (see the module docstring)."""
    CACHED_SRC_FUNCTIONS[function] = f"{SOURCE_DIGEST}-{function.__module__}.{function.__qualname__}"
    return function


def jit(function: Callable) -> Callable:
    """A kernel compiled by numba, its errors NumPy's (a division by zero gives inf, not an exception)."""
    return numba.njit(cache=True, error_model="numpy")(keyed(function))


def fast_sums(function: Callable) -> Callable:
    """`jit` for the convolution's sums only: reordering the additions lets them use vector instructions."""
    return numba.njit(cache=True, error_model="numpy", fastmath={"reassoc", "contract"})(keyed(function))


def c_function(signature, function: Callable):
    """`function` compiled as a C function of `signature` (numba.cfunc), cached likewise."""
    return numba.cfunc(signature, cache=True, error_model="numpy")(keyed(function))

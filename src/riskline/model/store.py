"""Compiled PyTensor functions kept on disk, so that a fresh process loads what an earlier one compiled.

Compiling a PyTensor function rewrites its graph before the C or numba code (which
PyTensor and numba cache themselves) is linked, in every fresh process (benchmarks/README.md,
"Compile once per machine"). A compiled function pickles with its rewritten graph and
loads faster than that, so each is kept under a key made of everything its graph
depends on: the name of the function, the model's structure, riskline's model code and the
versions of the libraries that compile it. A file that cannot be loaded is compiled again
and replaced; files are written whole (a temporary file renamed) so that processes sharing
the folder never read half of one.

Every function is compiled, and loaded, `without_fastmath`: a loaded function then
computes bit for bit what it computed in the process that compiled it, so a seed gives the
same draws in every process.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytensor

__all__ = ["FunctionStore", "default_store", "without_fastmath"]

_FASTMATH_FLAG = threading.RLock()
"""Held while PyTensor's process-wide fastmath flag is switched off (`without_fastmath`)."""

LIBRARIES = ("numba", "numpy", "nutpie", "pymc", "pytensor")
MODEL_CODE = ("chains.py", "compiled.py", "encoding.py", "grid.py", "likelihood", "sampler.py", "statement.py",
              "timeline.py")  # fmt: skip
"""riskline's modules that shape a model's graph (in riskline/model/; a folder: its modules): an edit of one compiles
anew."""
SUFFIX = ".pkl"


@contextmanager
def without_fastmath() -> Iterator[None]:
    """A context in which PyTensor's numba code is compiled without fastmath (`numba__fastmath`).

    With fastmath, the same seed gave other draws in the process that compiled a model than
    in every later process that loaded it: the log density differed in its last bits (by up to
    3e-14 on the seed; the gradient did not) and NUTS's trajectories drift apart from there.
    Without it they are bit-identical (benchmarks/README.md, "Same seed, same draws", which
    gives the measurements and a likely cause). PyTensor's flag is one for the whole process,
    so the context holds a lock: a compile in another thread waits rather than seeing it
    switched back half-way. riskline's own kernels keep their fastmath sums (likelihood.jit).
    """
    with _FASTMATH_FLAG, pytensor.config.change_flags(numba__fastmath=False):
        yield


class FunctionStore:
    """Pickled compiled functions in `directory`, by key."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def get(self, parts: tuple[str, ...], compile_function: Callable[[], Any]) -> Any:
        """The function stored under `parts` (with the code and versions); compiled by `compile_function` if absent."""
        path = self.directory / f"{_key(parts)}{SUFFIX}"
        with without_fastmath():  # a pickled function is linked again as it loads
            try:
                with path.open("rb") as file:
                    return pickle.load(file)
            except Exception:  # absent, or written by another version of a library: compile again
                function = compile_function()
        self._write(path, function)
        return function

    def clear(self) -> int:
        """Delete every stored function (only the files this store writes); returns how many."""
        found = list(self.directory.glob(f"*{SUFFIX}")) if self.directory.is_dir() else []
        for path in found:
            path.unlink(missing_ok=True)
        return len(found)

    def _write(self, path: Path, function: Any) -> None:
        """Keep `function` in `path`; a folder that cannot be written only means compiling again next time."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as file:
                pickle.dump(function, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except (OSError, pickle.PicklingError):
            Path(temporary).unlink(missing_ok=True)


def default_store() -> FunctionStore:
    """The store beside PyTensor's own compile cache (its `base_compiledir`)."""
    return FunctionStore(Path(pytensor.config.base_compiledir) / "riskline")


def _key(parts: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for part in (*parts, sys.version, *(f"{name} {version(name)}" for name in LIBRARIES)):
        digest.update(part.encode() + b"\0")
    for path in model_code():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_code() -> list[Path]:
    """The files of MODEL_CODE (a folder's Python modules in name order); a missing one raises."""
    found = []
    for name in MODEL_CODE:
        path = Path(__file__).parent / name
        found += sorted(path.glob("*.py")) if path.is_dir() else [path]
    return found

"""riskline's cacheable sampler against nutpie's own compile of the same PyMC model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import nutpie
import pytensor
import pytest

from riskline import load_scenario
from riskline.model.compiled import MODELS
from riskline.model.encoding import encode
from riskline.model.likelihood.jit import SOURCE_DIGEST
from riskline.model.sampler import compile_sampler
from riskline.model.store import without_fastmath
from riskline.model.timeline import pack_data
from tests.conftest import CONFIGS, SEED_SCENARIO

SETTINGS = {"draws": 100, "tune": 100, "chains": 2, "cores": 2, "seed": 7, "progress_bar": False}


@pytest.fixture(scope="module")
def model_and_data():
    structure, data = encode(load_scenario(CONFIGS / "good" / "minimal.yaml"))
    return MODELS.get(structure, data).model, pack_data(data)


def _used(sampler, packed: dict) -> dict:
    names = {variable.name for variable in sampler.shared_var_keys}
    return {name: value for name, value in packed.items() if name in names}


def test_the_cached_sampler_draws_exactly_what_nutpies_own_compile_draws(model_and_data):
    model, packed = model_and_data
    free = [rv.name for rv in model.free_RVs]
    ours = compile_sampler(model, free, MODELS.store, "minimal")
    with without_fastmath():  # as riskline compiles its graphs
        theirs = nutpie.compile_pymc_model(model, var_names=free)
    edited = {name: value.copy() for name, value in packed.items()}
    edited["numbers"][:5] += 0.25  # other data than the model was built with: swapped in, not compiled in
    for data in (packed, edited):
        ours_trace = nutpie.sample(ours.with_data(**_used(ours, data)), **SETTINGS)
        theirs_trace = nutpie.sample(theirs.with_data(**_used(theirs, data)), **SETTINGS)
        for name in free:
            np.testing.assert_array_equal(ours_trace.posterior[name].values, theirs_trace.posterior[name].values)


def test_data_of_another_shape_is_refused(model_and_data):
    model, packed = model_and_data
    sampler = compile_sampler(model, [rv.name for rv in model.free_RVs], MODELS.store, "minimal")
    with pytest.raises(ValueError, match="but the sampler was compiled for"):
        sampler.with_data(numbers=np.zeros(len(packed["numbers"]) + 1))


DRAWS_OF_A_FRESH_PROCESS = """
import json, sys
from riskline import load_scenario
from riskline.model.compiled import ModelCache
from riskline.model.encoding import encode
from riskline.model.timeline import pack_data

structure, data = encode(load_scenario(sys.argv[1]))
tree = ModelCache().get(structure, data).sample(
    pack_data(data), draws=50, tune=100, chains=2, cores=1, seed=5, progress_bar=False
)
print(json.dumps({name: array.values.ravel().tolist() for name, array in tree.posterior.data_vars.items()}))
"""


@pytest.mark.slow
def test_a_seed_draws_the_same_in_the_process_that_compiles_the_model_and_in_one_that_loads_it(tmp_path):
    """Two fresh processes share a new compile folder: the first compiles the seed's sampler, the second loads it.

    With PyTensor's numba fastmath their draws differed (riskline.model.store.without_fastmath).
    riskline's likelihood kernels, compiled once per machine for every structure, are copied
    in from this session's folder, which saves half a minute (compiled anew, they give the
    same numbers too: benchmarks/README.md, "Same seed, same draws"); the model's graph and
    its wrappers are compiled in the first process.
    """
    (tmp_path / "numba").mkdir()
    for kernel in (Path(pytensor.config.base_compiledir) / "numba").glob(f"*{SOURCE_DIGEST}*"):
        if ".tmp." not in kernel.name:  # not a file another process is still writing (numba renames it when done)
            shutil.copy2(kernel, tmp_path / "numba")
    flags = ",".join(filter(None, [os.environ.get("PYTENSOR_FLAGS"), f"base_compiledir={tmp_path}"]))
    command = [sys.executable, "-c", DRAWS_OF_A_FRESH_PROCESS, str(SEED_SCENARIO)]
    environment = os.environ | {"PYTENSOR_FLAGS": flags}

    def draws_of_a_fresh_process() -> dict:
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def stored() -> dict:
        return {path.name: path.stat().st_mtime_ns for path in (tmp_path / "riskline").glob("*.pkl")}

    compiled = draws_of_a_fresh_process()
    after_compiling = stored()
    loaded = draws_of_a_fresh_process()
    assert after_compiling, "the first process stored nothing"
    assert stored() == after_compiling, "the second process compiled again instead of loading"
    for name, draws in compiled.items():
        np.testing.assert_array_equal(loaded[name], draws, err_msg=name)

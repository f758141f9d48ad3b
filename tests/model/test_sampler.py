"""riskline's cacheable sampler against nutpie's own compile of the same PyMC model."""

from __future__ import annotations

import numpy as np
import nutpie
import pytest

from riskline import load_scenario
from riskline.model.compiled import MODELS
from riskline.model.encoding import encode
from riskline.model.sampler import compile_sampler
from riskline.model.timeline import pack_data
from tests.conftest import CONFIGS

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

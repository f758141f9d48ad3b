"""Simulation-based calibration: a small run of benchmarks/sbc.py (which explains the method).

Parameters drawn from the prior, data simulated from the model given them, a refit: if the
model and sampler are right, the rank of each true value among the posterior draws is
uniform. The slow test runs 60 simulations with small sampling sizes; the benchmark runs
more and records its result in benchmarks/results/sbc.json.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from riskline.model.encoding import encode

from ..conftest import ROOT

SIMULATIONS = 60  # 6 per rank bin: the least for which the chi-square test is sound
SMALL = {"draws": 250, "tune": 200, "chains": 4, "stride": 5}  # ranks among 4 * 250 / 5 - 1 = 199 draws


def load_sbc():
    """benchmarks/sbc.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("riskline_benchmark_sbc", ROOT / "benchmarks" / "sbc.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


SBC = load_sbc()


def test_beliefs_become_ten_point_bands_and_only_the_data_changes():
    scenario = SBC.load_scenario(SBC.SCENARIO)
    structure, data = encode(scenario)
    simulator = SBC.Simulator(scenario, structure, data, evaluate=None)
    changed = simulator.with_beliefs(np.array([0.37, 0.0, 0.999999, 0.1]))
    assert [(e.probability.low, e.probability.high) for e in changed.estimates] == [
        (0.3, 0.4),
        (0.0, 0.1),
        (0.9, 1.0),
        (0.1, 0.2),
    ]
    assert [e.probability for e in changed.spec.estimates] == [[0.3, 0.4], [0.0, 0.1], [0.9, 1.0], [0.1, 0.2]]
    new_structure, new_data = encode(changed)  # with_beliefs checks this too; here stated plainly
    assert new_structure == structure
    assert {k for k in data if not np.array_equal(data[k], new_data[k])} == {"logit_low", "logit_high", "stated_centre"}


@pytest.mark.slow
def test_ranks_are_uniform():
    result = SBC.run(SIMULATIONS, seed=20180, settings=SBC.Settings(**SMALL))
    assert set(result["quantities"]) == {
        "hazard_level_z",
        "risk_by_2027-01-01",
        "risk_by_2029-01-01",
        "source_bias[official]",
        "source_noise[official]",
    }
    for name, found in result["quantities"].items():
        # Five quantities, each at level 0.001: a calibrated model fails one by chance with
        # probability at most 0.5% (Bonferroni); a miscalibrated one fails by far more.
        assert found["p_value"] > 0.001, f"{name}: ranks not uniform, {found}"
        # The mean of rank / 199 is 0.5 for uniform ranks; 3.5 standard errors is two-sided
        # 0.05% each, 0.25% over the five.
        assert abs(found["mean_scaled_rank"] - 0.5) < 3.5 * found["mean_scaled_rank_se"], f"{name}: {found}"

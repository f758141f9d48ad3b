"""The model's quantities as `fit` stores them, against independent computations.

nutpie samples the free parameters only; riskline.model.fit then evaluates the hazards,
the signposts' ratios and the window probabilities for all draws in one call. Checked here
at random points: the signposts' effect against the share of each bin after the date
counted in days from the grid's edges, and the window probabilities against the NumPy
reference of the likelihood's tests.
"""

import numpy as np
import pytest

from riskline import load_scenario
from riskline.model.compiled import MODELS
from riskline.model.encoding import encode, scenario_grid
from riskline.model.timeline import pack_data
from tests.model.test_likelihood import SCENARIOS, reference_q

DRAWS = 6


def _quantities(path, seed: int):
    """The scenario, its structure and data, and every Deterministic at DRAWS random points."""
    scenario = load_scenario(path)
    structure, data = encode(scenario)
    compiled = MODELS.get(structure, data)
    rng = np.random.default_rng(seed)
    points = {name: rng.normal(0.0, 0.7, (DRAWS, *shape)) for name, shape in compiled.shapes.items()}
    return scenario, structure, data, compiled.quantities(pack_data(data), points)


def test_signposts_multiply_the_hazard_from_their_date_on():
    scenario, _, _, quantities = _quantities(SCENARIOS["seed: chain, relative and fuzzy windows"], seed=1)
    grid, events = scenario_grid(scenario), [event.id for event in scenario.events]
    factor = np.ones_like(quantities["hazard"])
    shares = set()
    for i, signpost in enumerate(scenario.signposts):
        for b, (start, end) in enumerate(zip(grid.edges[:-1], grid.edges[1:], strict=True)):
            share = min(max((end - signpost.date).days, 0), (end - start).days) / (end - start).days
            factor[:, events.index(signpost.event), b] *= 1 + share * (quantities["signpost_ratio"][:, i] - 1)
            shares.add(0.0 if share == 0 else 1.0 if share == 1 else 0.5)
    assert shares == {0.0, 0.5, 1.0}, "the seed's signpost should straddle a bin, with bins before and after"
    np.testing.assert_allclose(quantities["hazard"], quantities["hazard_without_signposts"] * factor, rtol=1e-12)


@pytest.mark.parametrize("path", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_window_probabilities_are_the_mean_over_fuzzy_ends(path):
    scenario, _, data, quantities = _quantities(path, seed=2)
    used = data["estimate_mask"] > 0
    for draw in range(DRAWS):
        expected = reference_q(scenario, quantities["hazard"][draw]).mean(axis=1)
        np.testing.assert_allclose(quantities["window_probability"][draw][used], expected, rtol=1e-10)

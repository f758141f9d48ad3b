"""The hazard's walk with and without reversion, against the recursions that define them.

And the factor the model samples it by, against the walk's covariance in closed form.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from riskline import load_scenario
from riskline.config.priors import HazardSettings
from riskline.config.schema import HazardOverride
from riskline.model.encoding import _knot_weights, encode, knot_factors, scenario_grid
from tests.conftest import ROOT

WALK = HazardSettings(kind="random_walk", smoothness=0.5, knot_spacing=1.0)


def simulated_knots(steps: int, phi: float, scale: float, rng: np.random.Generator, n: int = 200_000) -> np.ndarray:
    """w_0 = 0, w_m = phi w_(m-1) + scale eps_m, drawn by the recursion itself."""
    knots = np.zeros((n, steps + 1))
    for m in range(1, steps + 1):
        knots[:, m] = phi * knots[:, m - 1] + scale * rng.standard_normal(n)
    return knots


def test_the_walk_is_a_cumulative_sum_of_steps():
    weights = _knot_weights(4, 1.0, WALK)
    expected = np.tril(np.full((5, 4), 0.5), k=-1)
    np.testing.assert_allclose(weights, expected)


@pytest.mark.parametrize("reversion", [0.5, 2.0, 10.0])
def test_reversion_is_an_ornstein_uhlenbeck_process_on_the_knots(reversion):
    spacing, steps = 0.5, 12
    settings = WALK.model_copy(update={"reversion": reversion, "knot_spacing": spacing})
    weights = _knot_weights(steps, spacing, settings)
    phi = np.exp(-spacing / reversion)
    scale = 0.5 * np.sqrt(reversion * (1 - phi**2) / 2)
    knots = simulated_knots(steps, phi, scale, np.random.default_rng(7))
    np.testing.assert_allclose(weights @ weights.T, np.cov(knots.T), atol=0.004)
    # the closed form of the OU variance: sigma^2 theta / 2 (1 - phi^(2m)), bounded as m grows
    m = np.arange(steps + 1)
    np.testing.assert_allclose((weights**2).sum(axis=1), 0.25 * reversion / 2 * (1 - phi ** (2 * m)))


def test_a_slow_reversion_is_the_walk():
    slow = WALK.model_copy(update={"reversion": 1e7})
    np.testing.assert_allclose(_knot_weights(6, 1.0, slow), _knot_weights(6, 1.0, WALK), rtol=1e-6)


def walk_covariance(knots: int, hazard: HazardSettings, log_sd: float) -> np.ndarray:
    """Cov of the log hazards at the knots (docs/model.md): the level's s^2 plus the walk's.

    Random walk: sigma^2 h min(i, j). Ornstein-Uhlenbeck: sigma^2 theta / 2 (phi^|i-j| - phi^(i+j)).
    """
    i, j = np.meshgrid(np.arange(knots), np.arange(knots), indexing="ij")
    sigma, h = hazard.smoothness, hazard.knot_spacing
    if hazard.reversion is None:
        walk = sigma**2 * h * np.minimum(i, j)
    else:
        phi = np.exp(-h / hazard.reversion)
        walk = sigma**2 * hazard.reversion / 2 * (phi ** np.abs(i - j) - phi ** (i + j))
    return log_sd**2 + walk


@pytest.mark.parametrize("scenario", ["scenarios/russia-nato-attack.yaml", "tests/configs/good/chain-oracle.yaml"])
@pytest.mark.parametrize("hazard", [{}, {"reversion": 2.0}, {"knot_spacing": 0.5}, {"knot_spacing": 4.0}], ids=str)
def test_the_sampled_factor_is_the_walks_prior_exactly(scenario, hazard):
    """The model's standard normals z give log hazards log r + F z at the knots: F F' is the prior's covariance.

    So the prior of every event's hazard path is the one docs/model.md defines, whichever
    average the factor starts from; the level (knot 0) keeps its prior sd s.
    """
    loaded = load_scenario(ROOT / scenario)
    priors = loaded.spec.priors.model_copy(update={"hazard": HazardOverride(**hazard)})
    loaded = replace(loaded, spec=loaded.spec.model_copy(update={"priors": priors}))
    assert loaded.hazard.model_dump(include=set(hazard)) == hazard
    structure, data = encode(loaded)
    grid, bins, knots = scenario_grid(loaded), structure.n_bins, structure.n_knots
    factors = knot_factors(loaded, grid, knots)
    for e, event in enumerate(loaded.events):
        covariance = walk_covariance(knots, loaded.hazard, loaded.base_rate(event).log_sd)
        np.testing.assert_allclose(factors[e] @ factors[e].T, covariance, rtol=1e-12, atol=1e-12)
        # what the model reads through the factor: each bin's log hazard, interpolated between
        # knots at the bin's middle (calendar years for a root event, delay for a triggered
        # one), and the level (knot 0)
        calendar = loaded.parent(event) < 0
        middles = (
            grid.years(grid.edges[:-1]) + grid.widths / 2 if calendar else (np.arange(bins) + 0.5) * grid.widths.mean()
        )
        at_knots = np.arange(knots) * loaded.hazard.knot_spacing
        interpolate = np.stack([np.interp(middles, at_knots, unit) for unit in np.eye(knots)], axis=1)
        block = data["walk_weights"][e * bins : (e + 1) * bins, e * knots : (e + 1) * knots]
        np.testing.assert_allclose(block @ block.T, interpolate @ covariance @ interpolate.T, atol=1e-12)
        level = data["level_weights"][e, e * knots : (e + 1) * knots]
        assert level @ level == pytest.approx(covariance[0, 0], rel=1e-12)

"""The hazard's walk with and without reversion, against the recursions that define them."""

from __future__ import annotations

import numpy as np
import pytest

from riskline.config.priors import HazardSettings
from riskline.model.encoding import _knot_weights

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

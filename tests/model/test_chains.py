"""Event chains against closed forms.

The time to the end of a chain of constant hazards is a sum of exponentials
(hypoexponential), whose CDF is known exactly.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from riskline.model import chains
from riskline.model.grid import TimeGrid
from riskline.model.likelihood.chain_kernels import chain_cdfs

GRID = TimeGrid.covering(date(2025, 1, 1), date(2045, 1, 1), "quarter")
RATES = (0.3, 0.5, 0.8)
START = np.zeros((1, GRID.n_bins))  # CDFs from the grid's start


def hypoexponential_cdf(rates, t):
    """P(X_1 + ... + X_n <= t) for independent exponentials with distinct rates."""
    total = np.zeros_like(t)
    for i, rate in enumerate(rates):
        weight = np.prod([other / (other - rate) for j, other in enumerate(rates) if j != i])
        total += weight * np.exp(-rate * t)
    return 1 - total


def constant_hazards(rates):
    return np.array([np.full(GRID.n_bins, rate) for rate in rates])


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_chain_cdf_matches_the_sum_of_exponentials(depth):
    hazards = constant_hazards(RATES[:depth])
    parents = list(range(-1, depth - 1))
    edges = chains.event_cdfs_at_edges(hazards, parents, GRID.widths, GRID.widths.mean(), START)[-1, 0]
    exact = hypoexponential_cdf(RATES[:depth], GRID.years(GRID.edges))
    # triggers placed at bin middles and delays in whole mean-width bins: within 1e-3 on quarters
    np.testing.assert_allclose(edges, exact, atol=1e-3)


def test_relative_cdf_is_the_delay_convolution():
    hazards = constant_hazards(RATES)
    relative = chains.relative_cdfs_at_edges(hazards, [-1, 0, 1], [(2, 0), (1, 0)], GRID.widths.mean())
    delays = np.arange(GRID.n_bins + 1) * GRID.widths.mean()
    np.testing.assert_allclose(relative[0], hypoexponential_cdf(RATES[1:], delays), atol=1e-3)
    np.testing.assert_allclose(relative[1], -np.expm1(-RATES[1] * delays), atol=1e-12)


def test_conditioning_on_survival_restarts_the_root_clock():
    hazards = constant_hazards(RATES[:1])
    given = GRID.exposure([date(2030, 1, 1)])
    edges = chains.event_cdfs_at_edges(hazards, [-1], GRID.widths, GRID.widths.mean(), given)[0, 0]
    years_after = np.clip(GRID.years(GRID.edges) - GRID.years([date(2030, 1, 1)])[0], 0, None)
    np.testing.assert_allclose(edges, -np.expm1(-RATES[0] * years_after), atol=1e-12)


def test_the_likelihoods_compiled_chain_agrees_with_the_forecasts():
    """The model's likelihood (compiled loops) and the forecast (NumPy over draws) run the same chain.

    From the grid's start and given the root had not happened by a later date, as a
    statement about a triggered event issued then is read.
    """
    rng = np.random.default_rng(0)
    hazards = rng.lognormal(np.log(0.3), 0.5, size=(3, GRID.n_bins))
    parents = [-1, 0, 1]
    width = GRID.widths.mean()
    paths = np.array([[*chains.relation_path(parents, 0, 2), -1]])
    given = np.vstack([START, GRID.exposure([date(2027, 2, 10)])])
    needed = np.full((2, 3), GRID.n_bins + 1)  # every edge of every event
    event_cdf, _, stage_cdf, _ = chain_cdfs(hazards, GRID.widths, width, np.array(parents), paths, given, needed)
    expected = chains.event_cdfs_at_edges(hazards, parents, GRID.widths, width, given)  # (event, date, edge)
    np.testing.assert_allclose(event_cdf, expected.transpose(1, 0, 2), atol=1e-12)
    np.testing.assert_allclose(
        stage_cdf[0, 1], chains.relative_cdfs_at_edges(hazards, parents, [(2, 0)], width)[0], atol=1e-12
    )
    # and a batch of draws gives each draw's own chain
    batch = np.stack([hazards, 2 * hazards])
    batched = chains.event_cdfs_at_edges(batch, parents, GRID.widths, width, START)
    doubled = chain_cdfs(2 * hazards, GRID.widths, width, np.array(parents), paths, START, needed[:1])[0]
    np.testing.assert_allclose(batched[1, :, 0], doubled[0], atol=1e-12)

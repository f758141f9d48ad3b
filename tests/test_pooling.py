"""The baselines against closed forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from scipy.special import expit, logit

from riskline import load_scenario, pooling
from riskline.config.windows import Window

from .conftest import CONFIGS


@pytest.fixture(scope="module")
def happened():
    return load_scenario(CONFIGS / "backtest" / "happened.yaml")


def test_a_window_from_the_issue_date_gives_its_probability(happened):
    likely = happened.estimates[0]  # likely (55-80%) within a year
    centre = expit(np.mean(logit([0.55, 0.80])))
    rate = pooling.literal_hazard(likely)
    assert -np.expm1(-rate * 365 / 365.25) == pytest.approx(centre)
    curves = pooling.statement_curves([likely], likely.spec.issued, [likely.spec.issued, date(2022, 1, 15)])
    np.testing.assert_allclose(curves[0], [0.0, centre], rtol=1e-9)


def test_a_curve_from_a_later_origin_restarts_there(happened):
    likely = happened.estimates[0]
    later = date(2023, 3, 1)
    curves = pooling.statement_curves([likely], later, [later, date(2024, 3, 1)])
    rate = pooling.literal_hazard(likely)
    np.testing.assert_allclose(curves[0], [0.0, -np.expm1(-rate * 366 / 365.25)])


def test_a_window_opening_later_holds_its_probability(happened):
    stated = happened.estimates[1]  # unlikely (20-45%), issued 2021-06-01
    opens_later = replace(stated, window=Window(date(2022, 1, 1), date(2023, 1, 1), date(2023, 1, 1), date(2023, 1, 1)))
    rate = pooling.literal_hazard(opens_later)
    a, b = [(d - stated.spec.issued).days / 365.25 for d in (date(2022, 1, 1), date(2023, 1, 1))]
    assert np.exp(-rate * a) - np.exp(-rate * b) == pytest.approx(expit(np.mean(logit([0.20, 0.45]))))


def test_a_window_opening_later_beyond_reach_takes_the_most_it_can(happened):
    stated = happened.estimates[0]  # likely (55-80%): more than a one-month window five years on can hold
    far = replace(stated, window=Window(date(2026, 1, 1), date(2026, 2, 1), date(2026, 2, 1), date(2026, 2, 1)))
    rate = pooling.literal_hazard(far)
    a, b = [(d - stated.spec.issued).days / 365.25 for d in (date(2026, 1, 1), date(2026, 2, 1))]
    assert rate == pytest.approx(np.log(b / a) / (b - a))


def test_pools_by_hand():
    curves = np.array([[0.1, 0.5], [0.4, 0.8]])
    np.testing.assert_allclose(pooling.linear_pool(curves), [0.25, 0.65])
    odds = np.sqrt((0.1 / 0.9) * (0.4 / 0.6))
    assert pooling.log_pool(curves)[0] == pytest.approx(odds / (1 + odds))
    assert pooling.extremized_pool(curves, 2.0)[0] == pytest.approx(odds**2 / (1 + odds**2))
    np.testing.assert_allclose(pooling.latest_statement(curves, [date(2020, 1, 1), date(2021, 1, 1)]), [0.4, 0.8])


def test_recency_weights_are_metaculus_s():
    w = pooling.recency_weights(3)
    raw = np.exp(np.sqrt([1, 2, 3]) - np.sqrt(3))
    np.testing.assert_allclose(w, raw / raw.sum())
    curves = np.array([[0.1], [0.2], [0.3]])
    issued = [date(2021, 1, 1), date(2020, 1, 1), date(2022, 1, 1)]  # the file's order is not the issue order
    expected = (raw[1] * 0.1 + raw[0] * 0.2 + raw[2] * 0.3) / raw.sum()
    assert pooling.recency_pool(curves, issued)[0] == pytest.approx(expected)

"""Scores against hand computations and closed forms."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy import stats

from riskline.scoring import Outcome, binary_scores, date_scores, reliability_table


def test_binary_scores_match_hand_values():
    scores = binary_scores(np.array([0.8, 0.8, 0.3]), np.array([1, 0, 1]))
    np.testing.assert_allclose(scores["log_score"], [-np.log(0.8), -np.log(0.2), -np.log(0.3)])
    np.testing.assert_allclose(scores["brier"], [0.04, 0.64, 0.49])


def test_certainty_that_fails_costs_a_bounded_score():
    scores = binary_scores(np.array([0.0, 1.0]), np.array([1, 0]))
    np.testing.assert_allclose(scores["log_score"], [-np.log(0.001)] * 2)


def test_a_horizon_after_not_by_is_censored_never_a_no():
    quiet = Outcome(not_by=date(2024, 12, 1))
    assert quiet.seen_by(date(2024, 6, 1)) is False
    assert quiet.seen_by(date(2024, 12, 1)) is False
    assert quiet.seen_by(date(2025, 1, 1)) is None
    war = Outcome(happened=date(2022, 2, 24))
    assert war.seen_by(date(2022, 2, 23)) is False
    assert war.seen_by(date(2022, 2, 24)) is True
    with pytest.raises(ValueError, match="exactly one"):
        Outcome()


def test_date_scores_of_a_uniform_curve_match_the_closed_form():
    # F(t) = t / 5 on [0, 5] years: a uniform date; CRPS at y is (y^3 + (5 - y)^3) / (3 * 25)
    years = np.linspace(0, 5, 61)
    scores = date_scores(years, years / 5, 2.0)
    assert scores["log_density"] == pytest.approx(-np.log(1 / 5))
    assert scores["crps"] == pytest.approx((2.0**3 + 3.0**3) / 75, rel=1e-3)
    assert scores["pit"] == pytest.approx(0.4)


def test_crps_counts_the_mass_beyond_the_span_at_its_end():
    # half the mass never comes within 5 years: F(t) = t / 10 on [0, 5]; CRPS over the span only
    years = np.linspace(0, 5, 61)
    y = 1.0
    expected = ((years[years < y] / 10) ** 2).mean() * y + ((1 - years[years >= y] / 10) ** 2).mean() * (5 - y)
    assert date_scores(years, years / 10, y)["crps"] == pytest.approx(expected, rel=2e-2)
    assert date_scores(years, years / 10, y)["pit"] == pytest.approx(0.2)


def test_a_date_outside_the_span_is_refused():
    with pytest.raises(ValueError, match="outside the scored span"):
        date_scores(np.linspace(0, 5, 61), np.linspace(0, 0.5, 61), 6.0)


def test_reliability_band_is_the_binomial_interval():
    p = np.array([0.1] * 20 + [0.6] * 10)
    y = np.array([1] * 4 + [0] * 16 + [1] * 6 + [0] * 4)
    table = reliability_table(p, y, np.array([0.0, 0.5, 1.0]))
    assert table["n"].tolist() == [20, 10]
    np.testing.assert_allclose(table["observed"], [0.2, 0.6])
    assert table["band_high"].iloc[0] == stats.binom.ppf(0.95, 20, 0.1) / 20
    assert table["band_low"].iloc[1] == stats.binom.ppf(0.05, 10, 0.6) / 10

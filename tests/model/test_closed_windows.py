"""A statement whose window closed with nothing having happened scores its source; it never raises the risk."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy.special import expit

from riskline import fit, load_scenario
from riskline.config.scenario import Window
from riskline.forecast import Forecast
from riskline.model.encoding import encode, window_closed
from tests.conftest import ROOT, SEED_SCENARIO

TAIWAN = ROOT / "backtests" / "questions" / "china-attacks-taiwan.yaml"
SMALL = {"draws": 1000, "tune": 300, "chains": 4, "prior": False}  # 4 x 500 missed R-hat 1.01 on the seed (1.011)

CASES = {
    # eight closed windows, among them "my gut tells me we will fight in 2025"
    "taiwan-2026": (TAIWAN, date(2026, 3, 1)),
    # the seed a few years on, nothing having happened: "within two years" (on a triggered event) has closed
    "seed-2028": (SEED_SCENARIO, date(2028, 6, 1)),
}


def closed_ids(scenario) -> list[str]:
    return [e.id for e in scenario.estimates if window_closed(scenario, e)]


@pytest.fixture(scope="module")
def fitted() -> dict[str, tuple[Forecast, Forecast]]:
    """Each case fitted with its statements, and without those whose window has closed."""
    pairs = {}
    for name, (path, as_of) in CASES.items():
        scenario = load_scenario(path).at(as_of)[0]
        closed = closed_ids(scenario)
        assert closed, "the case must have a closed window"
        pairs[name] = fit(scenario, random_seed=11, **SMALL), fit(scenario.without(*closed), random_seed=12, **SMALL)
    return pairs


@pytest.fixture(params=sorted(CASES))
def with_and_without(request, fitted) -> tuple[Forecast, Forecast]:
    return fitted[request.param]


def _mean_and_error(forecast: Forecast, dates: list[date]) -> tuple[np.ndarray, np.ndarray]:
    """Mean P(event by date) per event and date, and its Monte Carlo error from the forecast's ESS."""
    values = forecast.risk_at(dates).stack(sample=("chain", "draw")).values
    return values.mean(axis=-1), values.std(axis=-1) / np.sqrt(forecast.diagnostics().min_ess_bulk)


def test_a_closed_window_never_raises_the_risk_after_as_of(with_and_without):
    full, without = with_and_without
    dates = [d for d in full.dates() if d > full.scenario.as_of]
    (mean, error), (other, other_error) = _mean_and_error(full, dates), _mean_and_error(without, dates)
    z = (mean - other) / np.hypot(error, other_error)
    assert z.max() < 3.5, f"a closed window raised P(event by t) by {np.max(mean - other):.3f} (z {z.max():.1f})"


def test_a_failed_alarm_is_shown_as_closed_and_never_flagged(with_and_without):
    full, _ = with_and_without
    table = full.reconciliation().set_index("estimate")
    closed = closed_ids(full.scenario)
    assert table["window_closed"].sum() == len(closed)
    assert table.loc[closed, "window_closed"].all()
    assert not table.loc[closed, "flag"].any()  # not data about q: never "disagrees with the combined view"


def test_a_source_known_only_by_a_failed_alarm_has_the_bias_its_one_outcome_implies(fitted):
    """Minihan's only statement, "we will fight in 2025", closed: his bias's posterior is prior x P(nothing | b).

    Checked against quadrature of that one-dimensional posterior: nothing else in the model reads his bias.
    """
    full, _ = fitted["taiwan-2026"]
    scenario = full.scenario
    source = next(s for s in scenario.sources if s.id == "minihan")
    prior = scenario.source_class(source).bias
    centre = next(e for e in scenario.estimates if e.id == "minihan-fight-in-2025").probability.logit_centre()
    b = np.linspace(prior.mean - 10 * prior.sd, prior.mean + 10 * prior.sd, 20001)
    density = np.exp(-0.5 * ((b - prior.mean) / prior.sd) ** 2) * expit(b - centre)  # 1 - sigmoid(c - b)
    expected = float(np.sum(b * density) / np.sum(density))
    draws = full.tree.posterior["source_bias"].sel(source="minihan").values.ravel()
    error = draws.std() / np.sqrt(full.diagnostics().min_ess_bulk)
    assert abs(draws.mean() - expected) < 4 * error
    assert expected > prior.mean + 0.05  # the failed alarm moved it towards overstating
    row = full.reconciliation().set_index("estimate").loc["minihan-fight-in-2025"]
    assert (row.source_bias_mean, row.source_bias_prior) == (pytest.approx(draws.mean()), prior.mean)


def test_a_window_on_a_latent_event_never_closes():
    """Whether a capability was reached by a window's end nobody knows: the statement stays evidence of the hazard."""
    scenario = load_scenario(ROOT / "scenarios" / "china-taiwan-attack.yaml")
    ended = [e for e in scenario.estimates if isinstance(e.window, Window) and e.window.end_latest <= scenario.as_of]
    chiu = next(e for e in ended if e.spec.event == "ready")
    assert not window_closed(scenario, chiu)
    attack = [e for e in ended if e.spec.event == "attack"]
    assert attack
    assert all(window_closed(scenario, e) for e in attack)  # the attack is observed: it has not happened


def test_a_window_closes_when_its_latest_end_is_on_or_before_as_of():
    scenario = load_scenario(TAIWAN)
    estimate = next(e for e in scenario.estimates if isinstance(e.window, Window) and not e.window.fuzzy)
    end = estimate.window.end_latest
    at_end, day_before = scenario.at(end)[0], scenario.at(end - timedelta(days=1))[0]
    assert window_closed(at_end, estimate)
    assert not window_closed(day_before, estimate)
    _, data = encode(at_end)
    row = [e.id for e in at_end.estimates].index(estimate.id)
    assert (data["estimate_mask"][row], data["closed_window"][row]) == (0.0, 1.0)
    assert data["stated_centre"][row] == pytest.approx(estimate.probability.logit_centre())
    _, open_data = encode(day_before)
    row = [e.id for e in day_before.estimates].index(estimate.id)
    assert (open_data["estimate_mask"][row], open_data["closed_window"][row]) == (1.0, 0.0)

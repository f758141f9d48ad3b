"""Risk timelines computed from hazard draws: invariants and the tables built on them."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from riskline import load_scenario
from riskline.forecast import Forecast
from riskline.model import scenario_grid

from .conftest import CONFIGS

SCENARIO = load_scenario(CONFIGS / "good" / "minimal.yaml")
GRID = scenario_grid(SCENARIO)
CHAIN = load_scenario(CONFIGS / "good" / "chain-oracle.yaml")  # a root event and one after it


def forecast_from(hazard: np.ndarray, scenario=SCENARIO) -> Forecast:
    """A Forecast over given hazard draws (chain, draw, event, bin), no sampler involved."""
    posterior = xr.Dataset(
        {"hazard": (("chain", "draw", "event", "bin"), hazard)},
        coords={"event": [e.id for e in scenario.events], "bin": scenario_grid(scenario).bin_starts},
    )
    return Forecast(scenario, xr.DataTree.from_dict({"posterior": posterior}))


def hazards(scenario):
    shape = (2, 5, len(scenario.events), scenario_grid(scenario).n_bins)
    return arrays(np.float64, shape, elements=st.floats(1e-6, 50.0, allow_nan=False, allow_infinity=False))


@pytest.mark.parametrize("scenario", [SCENARIO, CHAIN], ids=["root event", "event chain"])
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_risk_is_a_cdf_from_as_of(scenario, data):
    risk = forecast_from(data.draw(hazards(scenario)), scenario).risk.values
    rounding = 1e-12  # a chain's CDF is a sum of products: flat stretches may wobble by an ulp
    assert np.all(risk >= -rounding)
    assert np.all(risk <= 1 + rounding)
    assert np.all(np.diff(risk, axis=-1) >= -rounding)
    np.testing.assert_array_equal(risk[..., 0], 0.0)  # nothing can have happened yet at as_of


def test_constant_hazard_gives_exponential_risk():
    rate = 0.2
    forecast = forecast_from(np.full((1, 1, 1, GRID.n_bins), rate))
    when = date(2029, 3, 17)
    elapsed = (when - SCENARIO.as_of).days / 365.25
    assert float(forecast.risk_at([when]).squeeze()) == pytest.approx(-np.expm1(-rate * elapsed), rel=1e-12)


def test_tables_agree_with_draws():
    rng = np.random.default_rng(3)
    forecast = forecast_from(rng.lognormal(np.log(0.1), 0.5, size=(2, 50, 1, GRID.n_bins)))
    table = forecast.timeline()
    assert list(table.columns) == ["event", "date", "p_mean", "p_q05", "p_q25", "p_q50", "p_q75", "p_q95"]
    assert table["date"].iloc[0] == SCENARIO.as_of
    assert table["date"].iloc[-1] == SCENARIO.horizon
    draws = forecast.risk.isel(date=7).values.ravel()
    row = table.iloc[7]
    assert row.p_mean == pytest.approx(np.mean(draws), rel=1e-12)
    assert row.p_q95 == pytest.approx(np.quantile(draws, 0.95), rel=1e-12)
    assert all(table["p_q05"] <= table["p_q25"])
    assert all(table["p_q75"] <= table["p_q95"])
    years = forecast.year_ends()
    end_2028 = years[years["year"] == 2028].iloc[0]
    assert end_2028.p_mean == pytest.approx(float(forecast.risk_at([date(2029, 1, 1)]).mean()), rel=1e-12)


def test_median_date_where_mean_risk_crosses_half():
    forecast = forecast_from(np.full((1, 1, 1, GRID.n_bins), 0.5))
    # P = 1 - exp(-0.5 t) = 0.5 at t = 2 ln 2 years after as_of
    expected = np.datetime64(SCENARIO.as_of) + np.timedelta64(round(2 * np.log(2) * 365.25), "D")
    found = np.datetime64(forecast.median_dates()["attack"], "D")
    # linear interpolation of the curve between quarter edges: measured 1 day off; the
    # neighbouring edge (no interpolation) would be 19 days off
    assert abs((found - expected).astype(int)) <= 3
    assert forecast_from(np.full((1, 1, 1, GRID.n_bins), 0.01)).median_dates()["attack"] is None


def test_per_period_risk_is_each_draws_difference():
    rng = np.random.default_rng(5)
    forecast = forecast_from(rng.lognormal(np.log(0.2), 0.5, size=(2, 40, 1, GRID.n_bins)))
    table = forecast.per_period()
    assert table["year"].tolist() == list(range(2026, 2031))
    assert table["from"].iloc[0] == SCENARIO.as_of  # the first period starts at as_of
    draws_2028 = (forecast.risk_at([date(2029, 1, 1)]) - forecast.risk_at([date(2028, 1, 1)]).values).values.ravel()
    row = table[table["year"] == 2028].iloc[0]
    assert row.p_mean == pytest.approx(draws_2028.mean(), rel=1e-12)
    assert row.p_q95 == pytest.approx(np.quantile(draws_2028, 0.95), rel=1e-12)


def test_per_period_risk_of_a_constant_hazard_is_exact():
    """P(event in year y | none by as_of) = exp(-rate (from - as_of)) - exp(-rate (1 Jan y+1 - as_of))."""
    rate = 0.3
    table = forecast_from(np.full((1, 1, 1, GRID.n_bins), rate)).per_period()
    for _, row in table.iterrows():
        start = (row["from"] - SCENARIO.as_of).days / 365.25
        end = (date(row["year"] + 1, 1, 1) - SCENARIO.as_of).days / 365.25
        assert row["p_mean"] == pytest.approx(np.exp(-rate * start) - np.exp(-rate * end), rel=1e-12), row["year"]


@pytest.mark.parametrize("name", ["minimal", "constant-oracle-survey"])
def test_reconciliation_matches_a_hand_computation(name):
    """Each statement's row from fixed draws of q, bias and noise, computed here the plain way.

    The residual is the stated centre minus the mean of logit q + bias, over the predictive
    sd: the spread of logit q + bias, the source's logistic noise (variance pi^2 tau^2 / 3,
    tau times the confidence factor) and, for a survey phrase, the readers' spread sigma.
    """
    scenario = load_scenario(CONFIGS / "good" / f"{name}.yaml")
    n_estimates, n_sources = len(scenario.estimates), len(scenario.sources)
    rng = np.random.default_rng(11)
    q = rng.uniform(0.02, 0.9, size=(2, 40, n_estimates))
    bias, noise = rng.normal(0.0, 0.4, size=(2, 40, n_sources)), rng.lognormal(-0.5, 0.3, size=(2, 40, n_sources))
    posterior = xr.Dataset(
        {
            "window_probability": (("chain", "draw", "estimate"), q),
            "source_bias": (("chain", "draw", "source"), bias),
            "source_noise": (("chain", "draw", "source"), noise),
        },
        coords={"source": [s.id for s in scenario.sources]},
    )
    table = Forecast(scenario, xr.DataTree.from_dict({"posterior": posterior})).reconciliation()
    sources = [s.id for s in scenario.sources]
    for i, est in enumerate(scenario.estimates):
        s, stated = sources.index(est.spec.source), est.probability
        draws, b, tau = q[..., i].ravel(), bias[..., s].ravel(), noise[..., s].ravel()
        factor = {"high": 0.8, "moderate": 1.0, "low": 1.25, None: 1.0}[est.spec.confidence]  # priors/model.yaml
        if stated.logit_normal is not None:
            centre, readers = stated.logit_normal.mu, stated.logit_normal.sigma
        else:
            centre, readers = (np.log(stated.low / (1 - stated.low)) + np.log(stated.high / (1 - stated.high))) / 2, 0
        belief = np.log(draws / (1 - draws)) + b
        spread = np.sqrt(belief.var() + np.mean(np.pi**2 * (tau * factor) ** 2 / 3) + readers**2)
        inside = np.mean((draws >= stated.low) & (draws <= stated.high))
        row = table.iloc[i]
        assert row["estimate"] == est.id
        assert row["residual"] == pytest.approx((centre - belief.mean()) / spread, rel=1e-9)
        assert row["posterior_in_range"] == pytest.approx(inside)
        assert row["posterior_median"] == pytest.approx(np.median(draws))
        assert row["flag"] == (inside < 0.05)
    assert name != "constant-oracle-survey" or any(e.probability.logit_normal is not None for e in scenario.estimates)

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


def forecast_from(hazard: np.ndarray) -> Forecast:
    """A Forecast over given hazard draws (chain, draw, event, bin), no sampler involved."""
    posterior = xr.Dataset(
        {"hazard": (("chain", "draw", "event", "bin"), hazard)},
        coords={"event": [e.id for e in SCENARIO.events], "bin": GRID.bin_starts},
    )
    return Forecast(SCENARIO, xr.DataTree.from_dict({"posterior": posterior}))


hazards = arrays(
    np.float64,
    (2, 5, 1, GRID.n_bins),
    elements=st.floats(1e-6, 50.0, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=50, deadline=None)
@given(hazards)
def test_risk_is_a_cdf_from_as_of(hazard):
    risk = forecast_from(hazard).risk.values
    assert np.all(risk >= 0)
    assert np.all(risk <= 1)
    assert np.all(np.diff(risk, axis=-1) >= 0)
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
    assert abs((found - expected).astype(int)) <= 20  # linear interpolation between quarter edges
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
    # the periods add up to the risk by the last year's end
    total = forecast.year_ends().iloc[-1].p_mean
    assert table["p_mean"].sum() == pytest.approx(total, rel=1e-12)

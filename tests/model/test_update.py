"""riskline.update: the forecast of an edited scenario from an earlier fit's draws, reweighted."""

from __future__ import annotations

import dataclasses
import math
import shutil
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
import xarray as xr

from riskline import fit, load_scenario, update
from riskline.export import run_summary
from riskline.forecast import Forecast
from riskline.language.probability import StatedProbability
from riskline.model import update as update_module
from riskline.report import report_markdown
from tests.conftest import CONFIGS, ROOT, SEED_SCENARIO

DATES = [date(2027, 1, 1), date(2030, 1, 1), date(2034, 1, 1)]


@pytest.fixture(scope="module")
def later(seed_forecast):
    """The seed scenario a year on, nothing having happened: survival moves every event's risk down."""
    return seed_forecast.scenario.at(date(2026, 11, 25))[0]


@pytest.fixture(scope="module")
def updated(seed_forecast, later) -> Forecast:
    return update(seed_forecast, later, random_seed=1)


def _mean_and_error(forecast: Forecast, name: str = "risk") -> tuple[np.ndarray, np.ndarray]:
    """Mean of the risk at DATES (or of a posterior variable) and its Monte Carlo error from the forecast's ESS."""
    draws = forecast.risk_at(DATES) if name == "risk" else forecast.tree.posterior[name]
    values = draws.stack(sample=("chain", "draw")).values
    return values.mean(axis=-1), values.std(axis=-1) / np.sqrt(forecast.diagnostics().min_ess_bulk)


def _z(forecast: Forecast, other: Forecast, name: str = "risk") -> np.ndarray:
    """The difference of the two forecasts' means in units of their combined Monte Carlo error."""
    (mean, error), (other_mean, other_error) = _mean_and_error(forecast, name), _mean_and_error(other, name)
    return (mean - other_mean) / np.hypot(error, other_error)


def test_an_update_agrees_with_a_new_fit_of_the_edited_scenario(seed_forecast, later, updated):
    assert updated.diagnostics().pareto_k is not None  # reweighted, not sampled anew
    refitted = fit(later, random_seed=2, prior=False)
    assert np.abs(_z(updated, refitted)).max() < 4
    # and the edit matters: the update moved away from the forecast it started from
    assert _z(seed_forecast, updated).max() > 8


def test_an_update_of_an_update_reweights_the_fit_behind_both(seed_forecast):
    """A slider moved five steps the same way: each step reweights the fit's draws, as one jump would."""
    scenario = seed_forecast.scenario
    rates = [0.11, 0.12, 0.13, 0.14, 0.15]
    shown = seed_forecast
    for rate in rates:
        shown = update(shown, scenario.with_base_rate("attack-after-readiness", per_year=rate), random_seed=1)
    jump = update(seed_forecast, scenario.with_base_rate("attack-after-readiness", per_year=rates[-1]), random_seed=1)
    assert shown.diagnostics().pareto_k is not None
    assert shown.diagnostics() == jump.diagnostics()
    # and back to where it started: the fit's own draws, each once
    back = update(shown, scenario, random_seed=3)
    assert back.diagnostics().pareto_k == 0.0
    assert back.diagnostics().min_ess_bulk == pytest.approx(seed_forecast.diagnostics().min_ess_bulk)


NEW_SOURCE = """\
  - id: new-assessment
    label: A new intelligence assessment (invented for this test)
    reliability: intelligence_service
"""
NEW_ESTIMATE = """\
  - id: new-ready-by-end-2028
    source: new-assessment
    issued: 2025-12-10
    event: ready
    kind: capability
    quote: "Russian forces are likely to be ready to attack NATO by the end of 2028 (invented)"
    provenance: {outlet: none, note: invented for tests/model/test_update.py}
    window: {end: 2029-01-01}
    probability: likely
"""


def test_a_new_source_gets_its_prior_uncertainty_in_an_update(seed_forecast, tmp_path):
    """A source the fit had no row for: its bias and noise in the update spread as in a new fit."""
    text = SEED_SCENARIO.read_text(encoding="utf-8")
    text = text.replace("\nestimates:\n", f"\n{NEW_SOURCE}\nestimates:\n").replace(
        "\nsignposts:\n", f"\n{NEW_ESTIMATE}\nsignposts:\n"
    )
    (tmp_path / "with-new-source.yaml").write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")  # the statements' provenance
    edited = load_scenario(tmp_path / "with-new-source.yaml", priors_dir=ROOT / "priors")
    updated = update(seed_forecast, edited, random_seed=1)
    assert updated.diagnostics().pareto_k is not None
    refitted = fit(edited, random_seed=2, prior=False)
    for name in ("source_bias", "source_noise"):
        spread, expected = (
            f.tree.posterior[name].sel(source="new-assessment").std().item() for f in (updated, refitted)
        )
        assert spread == pytest.approx(expected, rel=0.1)
    assert np.abs(_z(updated, refitted)).max() < 4
    # every statement's window probability, the new one's included, as the new fit has it
    assert np.abs(_z(updated, refitted, "window_probability")).max() < 4


def test_an_unchanged_scenario_gives_back_the_same_draws(seed_forecast):
    same = update(seed_forecast, seed_forecast.scenario, random_seed=1)
    assert same.diagnostics().pareto_k == 0.0
    for name in ("hazard", "window_probability", "source_noise"):
        before = seed_forecast.tree.posterior[name].stack(sample=("chain", "draw")).values
        after = same.tree.posterior[name].stack(sample=("chain", "draw")).values
        np.testing.assert_allclose(np.sort(after, axis=-1), np.sort(before, axis=-1), rtol=1e-12)


def test_the_outputs_say_the_draws_were_reweighted(updated, tmp_path):
    summary = run_summary(updated)
    assert summary["diagnostics"]["min_ess_bulk"] > 400
    assert summary["diagnostics"]["pareto_k"] < 0.7
    assert summary["diagnostics"]["converged"]
    assert "reweighted to this one by Pareto-smoothed importance sampling" in report_markdown(updated, summary)
    # the diagnostics survive forecast.nc, as `write_run` writes it and the tests read it back
    updated.with_risk_group().to_netcdf(tmp_path / "forecast.nc", engine="h5netcdf")
    tree = xr.open_datatree(tmp_path / "forecast.nc", engine="h5netcdf").load()
    assert Forecast(updated.scenario, tree).diagnostics() == updated.diagnostics()


class _SampledAnew(Exception):
    pass


def _refuse_to_fit(*args, **kwargs):
    raise _SampledAnew


def _almost_certain(scenario):
    """Every statement made 'almost certain': far from what the seed's draws say."""
    certain = StatedProbability(0.95, 0.99, "almost certain")
    return replace(scenario, estimates=tuple(replace(e, probability=certain) for e in scenario.estimates))


def test_an_edit_with_a_large_pareto_k_is_sampled_anew(seed_forecast, monkeypatch):
    monkeypatch.setattr(
        update_module, "_diagnostics", lambda before, weights, k: dataclasses.replace(before, pareto_k=k)
    )
    monkeypatch.setattr(update_module, "fit", _refuse_to_fit)
    with pytest.raises(_SampledAnew):  # the effective draws are not checked here: Pareto k alone refuses
        update(seed_forecast, _almost_certain(seed_forecast.scenario), random_seed=1)


def test_an_edit_that_leaves_too_few_effective_draws_is_sampled_anew(seed_forecast, monkeypatch):
    monkeypatch.setattr(update_module, "_k_threshold", lambda draws: math.inf)
    monkeypatch.setattr(update_module, "fit", _refuse_to_fit)
    with pytest.raises(_SampledAnew):  # Pareto k is not checked here: the effective draws alone refuse
        update(seed_forecast, _almost_certain(seed_forecast.scenario), random_seed=1)


def test_a_scenario_of_another_structure_is_sampled_anew(seed_forecast, monkeypatch):
    monkeypatch.setattr(update_module, "fit", _refuse_to_fit)
    with pytest.raises(_SampledAnew):
        update(seed_forecast, load_scenario(CONFIGS / "good" / "sbc.yaml"), random_seed=1)


def test_a_forecast_read_back_from_its_file_updates_as_it_did_in_memory(seed_forecast, updated, later, tmp_path):
    """forecast.nc keeps the fit behind a forecast: a reloaded one reweights the same draws to the same numbers."""
    for forecast, name in ((seed_forecast, "fit.nc"), (updated, "update.nc")):
        forecast.with_risk_group().to_netcdf(tmp_path / name, engine="h5netcdf")
        read_back = Forecast.load(tmp_path / name)
        assert read_back.scenario.as_of == forecast.scenario.as_of
        edited = later.without(later.estimates[0].id)
        again, before = (update(f, edited, random_seed=5) for f in (read_back, forecast))
        assert again.tree.attrs["method"] == before.tree.attrs["method"] == "reweighted"
        np.testing.assert_array_equal(again.risk_at(DATES).values, before.risk_at(DATES).values)


def test_a_fit_with_few_draws_is_sampled_anew(seed_forecast, monkeypatch):
    few = seed_forecast.tree.copy()
    for group in ("posterior", "fit"):  # its draws and their log density: 4 chains x 20 draws < MIN_DRAWS
        few[group] = few[group].isel(draw=slice(0, 20))
    monkeypatch.setattr(update_module, "fit", _refuse_to_fit)
    with pytest.raises(_SampledAnew):
        update(Forecast(seed_forecast.scenario, few), seed_forecast.scenario, random_seed=1)


def test_a_tail_of_equal_weights_counts_as_an_infinite_pareto_k():
    """Repeated draws in the tail have no Pareto shape to fit (arviz raises): the update must not trust them."""
    for repeated in (20, 300):  # arviz returns NaN for the first, and raises for the second
        log_ratio = np.r_[np.zeros(4000 - repeated), np.ones(repeated)]
        assert update_module._smoothed_weights(log_ratio, relative_efficiency=1.0)[1] == math.inf


def test_systematic_resampling_keeps_each_draw_its_share():
    """Draw i appears floor or ceil of S * w_i times: within one of its share, for any weights."""
    weights = np.random.default_rng(3).gamma(0.3, size=500)
    weights /= weights.sum()
    counts = np.bincount(update_module.systematic_resample(weights, np.random.default_rng(4)), minlength=500)
    assert counts.sum() == 500
    assert np.abs(counts - 500 * weights).max() < 1


def test_the_pareto_k_threshold_is_the_published_one():
    """min(1 - 1/log10(S), 0.7) (Vehtari et al. 2024): 0.5 for 100 draws, 0.7 from ~2,200 on."""
    assert update_module._k_threshold(100) == pytest.approx(0.5)
    assert update_module._k_threshold(4000) == 0.7

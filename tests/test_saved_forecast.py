"""A forecast saves and reloads whole, and `riskline run` reuses the previous run's draws when they cover an edit."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from riskline import load_scenario
from riskline.cli import main
from riskline.errors import ForecastFileError
from riskline.forecast import Forecast
from riskline.model.update import update
from tests.conftest import CONFIGS, ROOT

SMALL = ["--draws", "1000", "--tune", "300", "--chains", "4", "--no-influence"]
"""Small sampling sizes for runs that are not about the sampler's health. With 500 draws a chain, R-hat's own noise
crossed priors/model.yaml's 1.01 (a ConvergenceWarning, an error here) for 1 seed in 6 on the edited minimal
scenario; with 1,000 its largest was 1.006 in 16 fits (2026-12-07)."""


@pytest.fixture
def scenario_folder(tmp_path):
    """The minimal scenario with a copy of the priors and seeds beside it, free to edit."""
    shutil.copytree(ROOT / "priors", tmp_path / "priors")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copy(CONFIGS / "good" / "minimal.yaml", tmp_path / "minimal.yaml")
    return tmp_path


def _run(path, out, *extra) -> dict:
    assert main(["run", str(path), "--out", str(out), *SMALL, *extra]) == 0
    return json.loads((out / "summary.json").read_text())


def test_a_rerun_after_a_small_edit_reweights_the_previous_draws(scenario_folder, capsys):
    path, out = scenario_folder / "minimal.yaml", scenario_folder / "out"
    first = _run(path, out)
    assert first["diagnostics"]["pareto_k"] is None  # sampled
    path.write_text(path.read_text().replace("probability: could", "probability: likely"))
    capsys.readouterr()
    edited = _run(path, out)
    note = capsys.readouterr().err
    assert "the previous run's draws in" in note
    assert "cover this scenario: reweighted (Pareto k" in note
    assert edited["diagnostics"]["pareto_k"] is not None
    # the same edit, sampled anew: the reweighted forecast agrees within Monte Carlo error
    fresh = _run(path, scenario_folder / "fresh", "--fresh")
    assert fresh["diagnostics"]["pareto_k"] is None
    reused, sampled = (Forecast.load(folder / "forecast.nc") for folder in (out, scenario_folder / "fresh"))
    dates = [sampled.scenario.as_of.replace(year=2028)]
    difference = reused.risk_at(dates).mean().item() - sampled.risk_at(dates).mean().item()
    spread = sampled.risk_at(dates).std().item() / np.sqrt(min(r.diagnostics().min_ess_bulk for r in (reused, sampled)))
    assert abs(difference) < 4 * np.sqrt(2) * spread


def test_fresh_and_other_sampler_settings_sample_anew(scenario_folder, capsys):
    path, out = scenario_folder / "minimal.yaml", scenario_folder / "out"
    _run(path, out)
    assert _run(path, out, "--fresh")["diagnostics"]["pareto_k"] is None
    capsys.readouterr()
    assert main(["run", str(path), "--out", str(out), "--draws", "1200", "--tune", "300", "--chains", "4",
                 "--no-influence"]) == 0  # fmt: skip
    assert "cannot be reused (they were sampled with other --chains, --draws or --tune)" in capsys.readouterr().err


def test_a_saved_forecast_reloads_with_its_numbers_and_provenance(seed_forecast, tmp_path):
    seed_forecast.with_risk_group().to_netcdf(tmp_path / "forecast.nc", engine="h5netcdf")
    again = Forecast.load(tmp_path / "forecast.nc")
    assert again.scenario.name == seed_forecast.scenario.name
    assert again.tree.attrs["method"] == "sampled"
    assert again.diagnostics() == seed_forecast.diagnostics()
    assert again.year_ends().equals(seed_forecast.year_ends())
    assert again.reconciliation().equals(seed_forecast.reconciliation())


def test_a_forecast_whose_priors_changed_since_asks_for_its_scenario(scenario_folder):
    path, out = scenario_folder / "minimal.yaml", scenario_folder / "out"
    _run(path, out)
    before = load_scenario(path)
    rates = scenario_folder / "priors" / "base-rates.yaml"
    rates.write_text(rates.read_text().replace("per_year: 0.0066", "per_year: 0.008", 1))
    with pytest.raises(ForecastFileError, match="were not made for the scenario 'minimal' as it reads now"):
        Forecast.load(out / "forecast.nc")
    loaded = Forecast.load(out / "forecast.nc", scenario=before)
    assert update(loaded, load_scenario(path), random_seed=1).tree.attrs["method"] in {"reweighted", "sampled"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file; a run writes forecast.nc in its output folder"),
        ("not a netCDF file", "not a netCDF file riskline can read"),
    ],
)
def test_a_file_that_is_not_a_forecast_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "forecast.nc"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ForecastFileError, match=message):
        Forecast.load(path)


def test_a_forecast_of_an_earlier_riskline_is_a_clear_error(seed_forecast, tmp_path):
    tree = seed_forecast.with_risk_group()
    del tree.attrs["data_fingerprint"]
    tree.to_netcdf(tmp_path / "forecast.nc", engine="h5netcdf")
    with pytest.raises(ForecastFileError, match="written by an earlier version of riskline"):
        Forecast.load(tmp_path / "forecast.nc")

"""Integrity: an interrupted run never looks finished, summary.json is strict JSON, the analyst's files are kept."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import nutpie
import pytest

from riskline import load_scenario
from riskline.cli import INTERRUPTED, main
from riskline.errors import OutputError, SamplingInterrupted
from riskline.export import RUN_FILES, strict_json
from riskline.model import fit as fit_module
from riskline.model.encoding import scenario_grid
from riskline.output_folder import check_output_dir
from riskline.plots import plot_per_period
from riskline.plots.timeline import _mark_headline
from tests.conftest import CONFIGS
from tests.test_forecast import forecast_from

MINIMAL = CONFIGS / "good" / "minimal.yaml"
SMALL = ["--draws", "100", "--tune", "100", "--chains", "2", "--no-influence"]


def test_a_sampler_stopped_early_writes_nothing_and_exits_130(tmp_path, monkeypatch, capsys):
    """Nutpie returns the draws it has on Ctrl-C: riskline must not report from part of a fit."""
    sample = nutpie.sample

    def interrupted(*args, **kwargs):
        tree = sample(*args, **kwargs)
        tree["posterior"] = tree.posterior.to_dataset().isel(draw=slice(0, 40))
        return tree

    monkeypatch.setattr(nutpie, "sample", interrupted)
    out = tmp_path / "run"
    assert main(["run", str(MINIMAL), "--out", str(out), *SMALL]) == INTERRUPTED
    assert "sampling stopped early (2 chains x 40 draws of 2 x 100)" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder left behind
    with pytest.raises(SamplingInterrupted, match="nothing was written"):
        fit_module.fit(load_scenario(MINIMAL), random_seed=1, draws=100, tune=100, chains=2, prior=False)


def test_summary_json_is_strict_json():
    text = strict_json({"diagnostics": {"max_rhat": float("nan"), "values": [1.0, float("inf")]}})

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    assert json.loads(text, parse_constant=refuse) == {"diagnostics": {"max_rhat": None, "values": [1.0, None]}}


def test_an_analysts_folder_beside_or_inside_the_output_is_never_deleted(tmp_path):
    out = tmp_path / "run"
    mine = tmp_path / ".run.old"  # the name riskline once used for the run it replaced
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    args = ["run", str(MINIMAL), "--out", str(out), "--no-influence"]  # full sizes: a healthy fit
    assert main(args) == 0
    assert main(args) == 0  # replaces the first run
    assert (mine / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.old", "run"]
    (out / "report.md").unlink()
    (out / "report.md").mkdir()  # a folder named like a run file is the analyst's
    with pytest.raises(OutputError, match=re.escape("holds report.md/, which riskline did not write")):
        check_output_dir(out, RUN_FILES)


def test_an_output_folder_that_cannot_be_written_is_refused_before_the_fit(tmp_path, monkeypatch):
    monkeypatch.setattr("riskline.output_folder.os.access", lambda path, mode: False)
    with pytest.raises(OutputError, match="is not writable; choose another --out"):
        check_output_dir(tmp_path / "new" / "run", RUN_FILES)


def test_per_year_whiskers_hold_for_a_mean_outside_the_interval():
    """96 draws certain to see the event in the first year, 4 that never do: the mean lies below the 5th percentile."""
    scenario = load_scenario(MINIMAL)
    hazard = np.full((1, 100, 1, scenario_grid(scenario).n_bins), 50.0)
    hazard[0, :4] = 1e-9
    forecast = forecast_from(hazard, scenario)
    first = forecast.per_period().iloc[0]
    assert first.p_mean < first.p_q05
    plot_per_period(forecast)  # matplotlib refuses negative error bars


def test_a_horizon_with_no_headline_year_still_draws():
    scenario = load_scenario(MINIMAL)
    short = replace(scenario, spec=scenario.spec.model_copy(update={"horizon": date(2027, 1, 1)}))
    forecast = forecast_from(np.full((1, 4, 1, scenario_grid(short).n_bins), 0.2), short)
    assert forecast.headline_years() == []
    _, ax = plt.subplots()
    assert _mark_headline(forecast, forecast.year_ends(), "attack", ax) == []  # no dots, no headline line

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
from riskline.errors import ConvergenceWarning, OutputError, SamplingInterrupted
from riskline.export import RUN_FILES, strict_json
from riskline.forecast import Forecast, PartialDraws
from riskline.model import fit as fit_module
from riskline.model.encoding import scenario_grid
from riskline.output_folder import check_output_dir
from riskline.plots import plot_hazard, plot_per_period, plot_prior_posterior, plot_reconciliation, plot_timeline
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
    stopped_after(0, monkeypatch)  # stopped while tuning: nothing to keep, even when asked
    with pytest.raises(SamplingInterrupted, match="no draw to keep, so nothing was written"):
        fit_module.fit(load_scenario(MINIMAL), random_seed=1, draws=100, tune=100, chains=2, keep_partial=True)


def stopped_after(keep: int, monkeypatch):
    """Nutpie as on Ctrl-C: each chain's first `keep` draws, the rest padded with NaN as for a chain stopped early."""
    sample = nutpie.sample

    def interrupted(*args, **kwargs):
        tree = sample(*args, **kwargs)
        tree["posterior"] = tree.posterior.to_dataset().where(tree.posterior["draw"] < keep)
        return tree

    monkeypatch.setattr(nutpie, "sample", interrupted)


def test_partial_draws_kept_on_request_are_marked_partial_everywhere(tmp_path, monkeypatch, capsys):
    stopped_after(40, monkeypatch)
    out = tmp_path / "run"
    with pytest.warns(ConvergenceWarning):  # 40 draws
        assert main(["run", str(MINIMAL), "--out", str(out), "--keep-partial", *SMALL]) == INTERRUPTED
    said = capsys.readouterr()
    mark = "PARTIAL (40 of 100 draws per chain)"
    note = "PARTIAL RUN: sampling was stopped after 40 of 100 draws per chain (2 of 2 chains); not a finished forecast"
    assert said.out.startswith(f"{mark} – ")  # the headline table's title
    assert f"interrupted: {note}, written to {out}/" in said.err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["partial"] is True
    assert summary["partial_draws"] == {"chains": 2, "draws": 40, "chains_asked": 2, "draws_asked": 100, "note": note}
    assert (summary["diagnostics"]["chains"], summary["diagnostics"]["draws"]) == (2, 40)
    assert summary["diagnostics"]["converged"] is False
    assert note in summary["diagnostics"]["problems"]
    report = (out / "report.md").read_text()
    assert report.startswith(f"# {mark} – Minimal scenario\n\n> **{note}**")
    assert "## Headline (PARTIAL RUN): P(event by the end of each year)" in report
    assert f"<title>{mark}" in (out / "report.html").read_text()
    forecast = Forecast.load(out / "forecast.nc")
    assert forecast.partial == PartialDraws(chains=2, draws=40, chains_asked=2, draws_asked=100)
    assert forecast.tree.posterior.sizes["draw"] == 40
    assert not np.isnan(forecast.tree.posterior["hazard"].values).any()
    for draw in (plot_timeline, plot_hazard, plot_per_period, plot_reconciliation, plot_prior_posterior):
        figure = draw(forecast)
        assert figure.get_suptitle().startswith(f"{mark} – "), draw.__name__
        plt.close(figure)


def test_a_finished_fit_is_not_partial(seed_forecast):
    assert seed_forecast.partial is None
    assert seed_forecast.title() == seed_forecast.scenario.spec.title


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

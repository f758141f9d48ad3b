"""`riskline run` on the seed scenario, end to end, with the default sampling sizes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest
import xarray as xr

from riskline import cli, load_scenario
from riskline.cli import main
from riskline.config.scenario import Window
from riskline.errors import OutputError
from riskline.export import FIGURE_FORMATS, RUN_FILES
from riskline.forecast import QUANTILES
from riskline.output_folder import MANIFEST, check_output_dir
from riskline.report import FIGURES

from .conftest import ROOT

EXPECTED_FILES = {
    "timeline.csv",
    "per_period.csv",
    "estimates.csv",
    "summary.json",
    "forecast.nc",
    "report.md",
    "report.html",
    "influence.csv",
    *(f"{name}.{suffix}" for name in [*FIGURES, "influence"] for suffix in FIGURE_FORMATS),
}


def test_run_writes_every_output(seed_run):
    out, _ = seed_run
    cdfs = {f"metaculus-{event}.json" for event in ("ceasefire", "ready", "attack")}  # one per event
    assert {p.name for p in out.iterdir()} == EXPECTED_FILES | cdfs | {MANIFEST}
    assert EXPECTED_FILES == RUN_FILES  # RUN_FILES: what a folder without a manifest may hold to be replaced
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_timeline_csv_is_the_conditional_cdf(seed_run):
    out, summary = seed_run
    table = pd.read_csv(out / "timeline.csv", parse_dates=["date"])
    assert list(table.columns) == ["event", "date", "p_mean", *[f"p_q{round(100 * q):02d}" for q in QUANTILES]]
    assert set(table["event"]) == {"ceasefire", "ready", "attack"}
    for _, rows in table.groupby("event"):
        assert rows["date"].iloc[0].date().isoformat() == summary["as_of"]
        assert rows["date"].iloc[-1].date().isoformat() == summary["horizon"]
        assert (rows["p_mean"].diff().dropna() >= 0).all()
        assert ((rows["p_q05"] <= rows["p_q50"]) & (rows["p_q50"] <= rows["p_q95"])).all()
        assert rows[["p_mean", "p_q95"]].max().max() <= 1


def test_summary_reports_years_medians_diagnostics_and_provenance(seed_run):
    _, summary = seed_run
    attack = summary["events"]["attack"]["by_year_end"]
    assert [row["year"] for row in attack] == list(range(2025, 2036))
    assert all(row["q05"] <= row["mean"] <= row["q95"] for row in attack)
    assert summary["events"]["ready"]["median_date"] != "after horizon"
    per_year = summary["events"]["attack"]["per_year"]
    assert sum(row["mean"] for row in per_year) == pytest.approx(attack[-1]["mean"], abs=1e-3)
    assert summary["versions"]["pymc"].startswith("6.")
    assert summary["random_seed"] == 20251203
    assert len(summary["estimates_used"]) == 10


def test_chain_order_holds_in_the_outputs(seed_run):
    """An event cannot come before the one it waits for: its risk is never higher."""
    _, summary = seed_run
    events = summary["events"]
    for later, earlier in [("ready", "ceasefire"), ("attack", "ready")]:
        assert events[later]["after"] == earlier
        for a, b in zip(events[later]["by_year_end"], events[earlier]["by_year_end"], strict=True):
            assert a["mean"] <= b["mean"]


def test_summary_has_prior_signpost_and_reconciliation(seed_run):
    out, summary = seed_run
    ceasefire = summary["events"]["ceasefire"]
    assert "prior_by_year_end" in ceasefire
    assert "without_signposts_by_year_end" in ceasefire
    # the talks signpost raises the ceasefire hazard (ratio's median 1.26)
    assert ceasefire["by_year_end"][2]["mean"] > ceasefire["without_signposts_by_year_end"][2]["mean"]
    table = pd.read_csv(out / "estimates.csv")
    assert len(table) == len(summary["reconciliation"]) == 10
    assert set(table.columns) >= {"estimate", "stated_low", "stated_high", "posterior_median", "residual", "flag"}
    assert (table["posterior_q05"] <= table["posterior_median"]).all()
    assert summary["flagged_estimates"] == table.loc[table["flag"], "estimate"].tolist()


@pytest.mark.slow
def test_seed_scenario_samples_cleanly(seed_run):
    """The done-when of the foundation: R-hat < 1.01, bulk ESS > 400, no divergences."""
    diagnostics = seed_run[1]["diagnostics"]
    assert diagnostics["max_rhat"] < 1.01
    assert diagnostics["min_ess_bulk"] > 400
    assert diagnostics["divergences"] == 0
    assert diagnostics["converged"]


def test_netcdf_holds_draws_and_scenario(seed_run):
    out, _ = seed_run
    tree = xr.open_datatree(out / "forecast.nc", engine="h5netcdf")
    assert tree["forecast"]["risk"].dims == ("chain", "draw", "event", "date")
    assert tree["posterior"]["hazard"].dims == ("chain", "draw", "event", "bin")
    assert "intelligence services pointed out" in tree.attrs["scenario_yaml"]
    tree.close()


def test_run_refuses_a_folder_holding_other_files(tmp_path, capsys):
    """A folder without a manifest holding the analyst's own files is refused, before any fit."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "summary.json").write_text("{}")  # a riskline name beside it does not make the folder riskline's
    assert main(["run", str(ROOT / "scenarios" / "russia-nato-attack.yaml"), "--out", str(folder)]) == 2
    assert (
        "has no riskline-manifest.json (the list of the files riskline wrote) and holds notes.txt, not among the "
        "files riskline writes" in capsys.readouterr().err
    )
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "summary.json"]


def test_a_folder_of_riskline_outputs_may_be_replaced(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    for name in ["timeline.csv", "report.html", "hazard.pdf"]:
        (folder / name).write_text("old")
    check_output_dir(folder, RUN_FILES)  # no error
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_output_dir(folder / "timeline.csv", RUN_FILES)


def test_an_as_of_after_today_is_said(tmp_path, capsys):
    """The forecast would assume nothing happens until then: the run says so (stopped here before the fit)."""
    refused = tmp_path / "refused"
    refused.mkdir()
    (refused / "notes.txt").write_text("mine")
    later = date.today() + timedelta(days=30)
    args = ["run", str(ROOT / "scenarios" / "russia-nato-attack.yaml"), "--as-of", str(later), "--out", str(refused)]
    assert main(args) == 2
    assert f"note: as_of {later} is after today" in capsys.readouterr().err


def test_years_no_statement_speaks_of_are_marked_and_medians_stand_beside_means(seed_run):
    out, summary = seed_run
    scenario = load_scenario(ROOT / "scenarios" / "russia-nato-attack.yaml")
    last_end = max(e.window.end_latest for e in scenario.estimates if isinstance(e.window, Window))
    timeline = pd.read_csv(out / "timeline.csv", parse_dates=["date"])
    for event, found in summary["events"].items():
        assert found["statements_speak_until"] == last_end.isoformat()  # one chain: every statement counts
        for row in found["by_year_end"]:
            assert row["extrapolated"] == (date(row["year"] + 1, 1, 1) > last_end)
            at = timeline[(timeline["event"] == event) & (timeline["date"] == pd.Timestamp(row["year"] + 1, 1, 1))]
            if len(at):  # a year end within the horizon is a grid edge
                assert row["median"] == pytest.approx(at["p_q50"].iloc[0], abs=1e-4)
    assert any(row["extrapolated"] for row in summary["events"]["attack"]["by_year_end"])
    report = (out / "report.md").read_text()
    assert f"no statement speaks of the time after {last_end:%d %b %Y}" in report
    assert "(median " in report
    assert "## What the priors alone imply" in report


def test_each_statements_influence_is_in_the_table_summary_and_report(seed_run):
    out, summary = seed_run
    table = pd.read_csv(out / "influence.csv")
    estimates = summary["estimates_used"]
    assert len(table) == len(estimates) * 3 * 2 == len(summary["influence"])  # statements x events x headline years
    assert set(table["estimate"]) == set(estimates)
    assert set(table["year"]) == {2026, 2029}
    assert table.loc[table["method"] == "reweighted", "pareto_k"].max() <= 0.7
    report = (out / "report.md").read_text()
    assert "## What each statement adds" in report
    assert all(f"| `{e}` |" in report for e in estimates)


def test_check_shows_what_the_priors_alone_imply(capsys):
    seed = str(ROOT / "scenarios" / "russia-nato-attack.yaml")
    assert main(["check", seed]) == 0
    said = capsys.readouterr().out
    assert "the priors alone (base rates, no statements, nothing sampled)" in said
    assert re.search(r"attack: 2026: [\d.]+% \(median [\d.]+%\) \[[\d.]+%–[\d.]+%\]; 2029: .*; 2035: ", said)
    assert main(["check", seed, "--no-priors"]) == 0
    assert "priors alone" not in capsys.readouterr().out


def test_check_says_what_it_takes_as_known_about_each_event(capsys):
    scenarios = ROOT / "scenarios"
    assert main(["check", str(scenarios / "russia-nato-attack.yaml"), str(scenarios / "china-taiwan-attack.yaml"),
                 "--no-priors"]) == 0  # fmt: skip
    said = capsys.readouterr().out
    assert "  ceasefire: observed; had not happened by as_of: that is evidence\n" in said
    assert "  ready: latent (capability); waits for 'ceasefire', and 'ceasefire' had not happened by as_of" in said
    assert "  ready: latent (capability); may have happened unseen; that 'attack' had not happened by as_of" in said
    assert "  attack: observed; had not happened by as_of: that is evidence (it waits for latent 'ready')" in said


def test_a_run_prints_the_furthest_flags_and_counts_the_rest(monkeypatch, capsys):
    """Made-up rows of a reconciliation table, as a run of many statements has: one line per flag, then a count."""
    monkeypatch.setattr(cli, "FLAGS_PRINTED", 2)
    table = pd.DataFrame({
        "estimate": ["a", "b", "c", "d"], "stated": ["likely (55–80%, icd-203)"] * 4, "flag": [True, True, False, True],
        "residual": [-1.5, 3.0, 9.0, 2.0], "posterior_in_range": [0.01, 0.0, 0.5, 0.02],
        "posterior_median": [0.3, 0.2, 0.6, 0.35],
    })  # fmt: skip
    cli._print_flags(table)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "flag: b says likely (55–80%, icd-203); only under 0.1% of the combined view lies in that range "
        "(its median: 20%)",
        "flag: d says likely (55–80%, icd-203); only 2.0% of the combined view lies in that range (its median: 35%)",
        "flag: 1 more flagged, not printed (those above are the furthest from the combined view): the flag column of "
        "estimates.csv, and the report",
    ]

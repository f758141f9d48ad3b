"""The backtest end to end on two synthetic questions, small samples; its rules on built tables."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from riskline import ConfigError
from riskline.backtest import CANDIDATES, FitSettings, PriorSetting, load_corpus, run_backtest
from riskline.backtest.scores import LEARNED, _cross_validated
from riskline.cli import main

from ..conftest import CONFIGS

QUESTIONS = CONFIGS / "backtest"
SMALL = ["--draws", "200", "--tune", "200", "--chains", "2"]


@pytest.fixture(scope="module")
def backtest_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("backtest") / "out"
    argv = ["backtest", str(QUESTIONS), "--out", str(out), *SMALL]
    assert main(argv) == 0
    return out


def test_writes_the_tables_figures_and_report(backtest_run):
    names = {p.name for p in backtest_run.iterdir()}
    for stem in ("scores", "reliability", "pit"):
        assert {f"{stem}.png", f"{stem}.svg", f"{stem}.pdf"} <= names
    scores = pd.read_csv(backtest_run / "scores.csv")
    assert list(scores.columns[:5]) == ["method", "horizon", "n", "log_score", "log_score_se"][:3] + list(
        scores.columns[3:5]
    )
    assert {"method", "horizon", "n", "log_score", "brier", "sharpness"} <= set(scores.columns)
    expected = {"riskline", LEARNED, "priors_alone", "linear_pool", "log_pool", "extremized_pool", "recency_pool",
                "latest_statement"}  # fmt: skip
    assert expected <= set(scores["method"])
    settings = pd.read_csv(backtest_run / "settings.csv")
    assert set(settings["method"]) == {"judgement"} | {s.label for s in CANDIDATES[1:]}
    assert not scores["method"].str.startswith("riskline:").any()
    html = (backtest_run / "report.html").read_text()
    assert "data:image/png;base64," in html
    assert "censored" in html


def test_censored_horizons_are_left_out_and_outcomes_are_right(backtest_run):
    rows = pd.read_csv(backtest_run / "questions.csv", parse_dates=["origin"])
    quiet = rows[rows["question"] == "not-happened"]
    # origin 2022-03-01, not_by 2024-12-01: 6m, 1y and 2y are "no"; 5y is censored
    assert set(quiet["horizon"]) == {"6m", "1y", "2y"}
    assert (quiet["happened"] == 0).all()
    war = rows[(rows["question"] == "happened") & (rows["method"] == "riskline")]
    seen = {(r.origin.date(), r.horizon): r.happened for r in war.itertuples()}
    # happened 2022-02-24: from 2021-01-15, by 6m and 1y no, by 2y yes; from 2021-06-01, by 1y yes
    assert seen[(date(2021, 1, 15), "6m")] == 0
    assert seen[(date(2021, 1, 15), "1y")] == 0
    assert seen[(date(2021, 1, 15), "2y")] == 1
    assert seen[(date(2021, 6, 1), "1y")] == 1


def test_scores_are_the_log_and_brier_of_each_row(backtest_run):
    rows = pd.read_csv(backtest_run / "questions.csv")
    p = rows["p"].clip(0.001, 0.999)
    expected = -np.log(np.where(rows["happened"] == 1, p, 1 - p))
    np.testing.assert_allclose(rows["log_score"], expected, rtol=1e-4)
    np.testing.assert_allclose(rows["brier"], (rows["p"] - rows["happened"]) ** 2, atol=1e-5)
    summary = pd.read_csv(backtest_run / "scores.csv").set_index(["method", "horizon"])
    mine = rows[(rows["method"] == "riskline") & (rows["horizon"] == "1y")]
    by_question = mine.groupby("question")["log_score"].mean().mean()  # each question counts once
    assert summary.loc[("riskline", "1y"), "log_score"] == pytest.approx(by_question, rel=1e-4)
    assert summary.loc[("riskline", "1y"), "sharpness"] == pytest.approx(np.std(mine["p"]), rel=1e-4)


def test_riskline_moves_with_the_statements():
    """A question whose statement says 'likely within a year' gets more risk than the priors alone."""
    questions = [q for q in load_corpus(QUESTIONS) if q.name == "happened"]
    result = run_backtest(questions, FitSettings(200, 200, 2))
    rows = result.horizons.set_index(["origin", "method", "horizon"])["p"]
    first = date(2021, 1, 15)
    assert rows[(first, "riskline", "6m")] > rows[(first, "priors_alone", "6m")] + 0.05


def test_a_date_is_scored_only_for_an_event_that_happened(backtest_run):
    dates = pd.read_csv(backtest_run / "dates.csv")
    assert set(dates["question"]) == {"happened"}
    assert dates["pit"].between(0, 1).all()


def test_paired_differences_are_question_by_question():
    from riskline.backtest.scores import paired_differences

    rows = pd.DataFrame(
        {
            "question": ["a", "a", "b", "b"],
            "method": ["x", "y", "x", "y"],
            "horizon": "1y",
            "log_score": [1.0, 0.5, 3.0, 2.0],
        }
    )
    table = paired_differences(rows, "x").set_index("method")
    assert table.loc["y", "difference"] == pytest.approx(-0.75)  # (0.5 - 1 + 2 - 3) / 2
    assert table.loc["y", "se"] == pytest.approx(np.std([-0.5, -1.0], ddof=1) / np.sqrt(2))


def test_cross_validation_never_uses_the_question_scored():
    # candidate "a" is best on q1 only, "b" on q2-q4: q1 must get "b", chosen on the others
    rows = []
    for question, good in (("q1", "a"), ("q2", "b"), ("q3", "b"), ("q4", "b")):
        for candidate in ("a", "b"):
            p = 0.9 if candidate == good else 0.5
            rows.append({"question": question, "candidate": candidate, "p": p, "happened": 1})
    table = pd.DataFrame(rows)
    candidates = {c: table[table["candidate"] == c].assign(choice=c) for c in ("a", "b")}
    chosen = _cross_validated(candidates).set_index("question")["choice"]
    assert chosen.to_dict() == {"q1": "b", "q2": "b", "q3": "b", "q4": "b"}


def test_prior_settings_edit_every_class_and_the_base_rate():
    question = next(q for q in load_corpus(QUESTIONS) if q.name == "happened")
    setting = PriorSetting(bias_shift=0.5, noise_scale=2.0, base_rate_scale=0.5)
    edited = setting.apply(question.scenario, question.category)
    for source in question.scenario.sources:
        # from the judged priors, not the learned ones in use: no arm reuses what the outcomes taught
        judged = question.scenario.source_class(source).judgement
        after = edited.source_class(source)
        assert after.bias.mean == judged.bias.mean + 0.5
        assert after.noise.median == judged.noise.median * 2
    event = question.scenario.events[0]
    assert edited.base_rate(event).per_year == question.scenario.base_rate(event).per_year / 2
    assert len(set(CANDIDATES)) == len(CANDIDATES)


def test_a_question_without_outcome_is_a_clear_error(tmp_path, capsys):
    folder = tmp_path / "questions"
    folder.mkdir()
    text = (QUESTIONS / "happened.yaml").read_text()
    (folder / "no-outcome.yaml").write_text(text[: text.index("outcome:")])
    (folder / "short.yaml").write_text(text.replace("horizon: 2027-01-01", "horizon: 2025-01-01"))
    assert (
        main(
            ["backtest", str(folder), "--out", str(tmp_path / "out"), "--priors", str(CONFIGS.parent.parent / "priors")]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "no-outcome.yaml: outcome: a backtest question needs an 'outcome:' block" in err
    assert "short.yaml: horizon: horizon 2025-01-01 ends before the last origin's 5-year horizon (2026-06-01)" in err
    assert not (tmp_path / "out").exists()


def test_an_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="holds no question files"):
        load_corpus(tmp_path)


def test_summary_records_the_corpus_and_the_sampler(backtest_run):
    summary = json.loads((backtest_run / "summary.json").read_text())
    assert summary["questions"] == 2
    assert summary["statements"] == 3
    assert summary["origins"] == 3
    assert summary["sampler"]["draws"] == 200
    assert set(summary["learned_choices"]) == {"happened", "not-happened"}


def test_each_statement_is_scored_against_its_own_window(backtest_run):
    statements = pd.read_csv(backtest_run / "statements.csv").set_index("estimate")
    # happened 2022-02-24: 'likely within a year' of 2021-01-15 failed, 'unlikely before 2023' came true;
    # not_by 2024-12-01 is after 'could within 6 weeks' of 2022-03-01 closed: failed
    assert statements["came_true"].to_dict() == {"likely-within-a-year": 0, "unlikely-in-two-years": 1,
                                                 "could-within-weeks": 0}  # fmt: skip
    assert statements.loc["likely-within-a-year", "window_years"] == pytest.approx(365 / 365.25)
    assert statements.loc["could-within-weeks", "phrase"] == "could"
    classes = pd.read_csv(backtest_run / "classes.csv").set_index("class")
    assert classes.loc["intelligence_service", "statements"] == 1
    assert classes.loc["government_official", "came_true"] == 1.0


def test_the_forecast_never_reads_the_outcome(tmp_path):
    from riskline import load_scenario
    from riskline.model.encoding import data_fingerprint, encode

    text = (QUESTIONS / "happened.yaml").read_text()
    (tmp_path / "priors").symlink_to(CONFIGS.parent.parent / "priors")
    blind = tmp_path / "blind.yaml"
    blind.write_text(text[: text.index("outcome:")])
    with_outcome, without = (encode(load_scenario(p)) for p in (QUESTIONS / "happened.yaml", blind))
    assert with_outcome[0] == without[0]
    assert data_fingerprint(with_outcome[1]) == data_fingerprint(without[1])


CHAIN = """
  - id: trigger
    label: The trigger
    base_rate: backtest-war-onset
"""


def chain_question(tmp_path, window: str):
    """happened.yaml with a trigger event before its event, and an earlier statement about the trigger."""
    text = (QUESTIONS / "happened.yaml").read_text()
    text = text.replace("events:\n", "events:" + CHAIN, 1).replace(
        "    base_rate: backtest-war-onset\nsources:", "    base_rate: backtest-war-onset\n    after: trigger\nsources:"
    )
    text = text.replace("    window: {within: 1 year}", f"    window: {window}", 1)
    early = """  - id: trigger-soon
    source: service
    issued: 2020-06-01
    event: trigger
    quote: the trigger is likely within a year
    provenance: {outlet: Example Times}
    window: {within: 1 year}
    probability: likely
"""
    text = text.replace("estimates:\n", "estimates:\n" + early, 1)
    folder = tmp_path / "questions"
    folder.mkdir(exist_ok=True)
    (tmp_path / "priors").symlink_to(CONFIGS.parent.parent / "priors")
    (folder / "chain.yaml").write_text(text)
    return folder


def test_origins_start_at_the_first_statement_the_pools_can_read(tmp_path):
    question = load_corpus(chain_question(tmp_path, "{within: 1 year}"))[0]
    assert question.event == "event"
    # the trigger's statement of 2020-06-01 is no origin: nothing about the event had been said
    assert question.origins() == [date(2021, 1, 15), date(2021, 6, 1)]


def test_a_question_whose_event_has_no_calendar_window_is_a_clear_error(tmp_path):
    folder = chain_question(tmp_path, "{after: trigger, within: 1 year}")
    text = (
        (folder / "chain.yaml")
        .read_text()
        .replace("    window: {end: 2023-01-01}", "    window: {after: trigger, within: 2 years}")
    )
    (folder / "chain.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"no statement about .event. .* has a calendar window"):
        load_corpus(folder)


def test_dates_are_placed_in_calendar_years():
    """A month-end origin: the event in the curve's second month must be scored in that month."""
    from types import SimpleNamespace

    from riskline.backtest.forecasts import MONTHS, curve_dates
    from riskline.backtest.scores import date_table
    from riskline.scoring import Outcome

    origin = date(2021, 1, 31)
    dates = curve_dates(origin)
    p = np.array([0.0 if d <= date(2021, 2, 28) else 0.5 for d in dates])  # all of the rise in the 2nd month
    curves = pd.DataFrame({"question": "q", "origin": origin, "method": "m", "months": np.arange(MONTHS + 1), "p": p})
    question = SimpleNamespace(name="q", outcome=Outcome(happened=date(2021, 3, 2)))
    row = date_table(curves, [question], ["m"]).iloc[0]
    assert row["pit"] == pytest.approx(0.0, abs=0.2)  # early in the month that holds all the mass
    assert row["log_density"] < 0  # 50% within one month: a density of 6 per year, not the floor

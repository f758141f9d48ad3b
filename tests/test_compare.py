"""`riskline run --lexicon` and `riskline compare`: sensitivity and update runs from the command line."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from riskline.cli import main

from .conftest import ROOT, SEED_SCENARIO

SMALL = ["--draws", "200", "--tune", "200", "--chains", "2"]


def test_unknown_lexicon_is_named_with_a_suggestion(tmp_path, capsys):
    assert main(["run", str(SEED_SCENARIO), "--lexicon", "icd203", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "--lexicon: no lexicon named 'icd203'; did you mean 'icd-203'?" in err
    assert not (tmp_path / "x").exists()


def test_a_lexicon_without_the_scenarios_phrases_names_each_line(tmp_path, capsys):
    priors = tmp_path / "priors"
    shutil.copytree(ROOT / "priors", priors)
    kent = priors / "lexicons" / "kent.yaml"
    kent.write_text(re.sub(r"  - phrase: likely\n    to: probable\n    reason: [^\n]*\n", "", kent.read_text()))
    args = ["run", str(SEED_SCENARIO), "--lexicon", "kent", "--priors", str(priors), "--out", str(tmp_path / "x")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "russia-nato-attack.yaml:116: estimates[2].probability: phrase 'likely' is not in lexicon 'kent'" in err
    assert f"`aliases:` block of {kent}" in err
    assert not (tmp_path / "x").exists()


def test_compare_needs_two_variants(capsys):
    assert main(["compare", str(SEED_SCENARIO), "--lexicons", "icd-203"]) == 2
    assert "nothing to compare" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::riskline.errors.ConvergenceWarning")  # 2 x 200 draws, on purpose
def test_compare_lexicons_and_as_of_write_overlays(tmp_path, capsys):
    out = tmp_path / "lexicons"
    assert main(["compare", str(SEED_SCENARIO), "--lexicons", "icd-203", "kent", "--out", str(out), *SMALL]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["variant"]) == {"icd-203", "kent"}
    meta = json.loads((out / "comparison.json").read_text())
    assert meta["title"] == "sensitivity to the lexicon"
    # Kent has no "likely": its alias reads it as "probable" (63-87%); the words stay, the numbers change
    assert [(a["lexicon"], a["stated"], a["read_as"]) for a in meta["aliases"]] == [("kent", "likely", "probable")]
    readings = pd.read_csv(out / "readings.csv").set_index(["variant", "estimate"])
    likely = readings.loc[readings["stated"] == "likely", ["read_as", "low", "high", "alias"]].drop_duplicates()
    assert likely.loc["kent"].values.tolist() == [["probable", 0.63, 0.87, True]]
    assert likely.loc["icd-203"].values.tolist() == [["likely", 0.55, 0.8, False]]
    assert not readings.loc["icd-203", "alias"].any()
    assert "alias: kent reads 'likely' as 'probable' (ICD 203 55–80%" in capsys.readouterr().out
    assert {f"comparison.{s}" for s in ("png", "svg", "pdf")} <= {p.name for p in out.iterdir()}
    out = tmp_path / "update"
    args = ["compare", str(SEED_SCENARIO), "--as-of", "2025-12-11", "2026-11-25", "--out", str(out), *SMALL]
    assert main(args) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["variant"]) == {"as of 11 Dec 2025", "as of 25 Nov 2026"}
    assert json.loads((out / "comparison.json").read_text())["title"] == "what changed since 11 Dec 2025"
    # a year without the chain starting lowers the risk by a later date: less time is left
    by_2030 = table[(table["event"] == "attack") & (table["year"] == 2029)].set_index("variant")["p_mean"]
    assert by_2030["as of 25 Nov 2026"] < by_2030["as of 11 Dec 2025"]

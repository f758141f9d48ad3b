"""`riskline extract`, `parse` and `lexicon` on real text, through the command line."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pytest
from ruamel.yaml import YAML

from riskline.cli import main
from riskline.files.seeds import read_seed
from riskline.language.extract import extract
from riskline.language.lexicon import load_lexicon
from riskline.language.statements import load_reader
from riskline.plots import plot_lexicons

from ..conftest import ROOT

SEED = ROOT / "seeds" / "2025-12-03-el-mundo-rutte-nato.md"


def test_extract_finds_both_timeline_statements_of_the_seed():
    candidates = extract(read_seed(SEED), load_reader(ROOT / "priors", "icd-203")).candidates
    text = SEED.read_text()
    top = candidates[:2]
    assert [c.window.expression for c in top] == ["before 2030", "within two years"]
    assert [c.probability.text for c in top] == ["could", "could happen"]
    for candidate in top:
        assert text[slice(*candidate.offsets)] == candidate.quote
        assert candidate.kind == "occurrence"
    assert top[0].quote == "intelligence services pointed out that Russia could attack before 2030"
    assert top[0].source == "intelligence services"
    assert top[0].actor == "Russia"
    assert top[1].source == "reports from the Netherlands and Germany"
    assert top[0].score > candidates[2].score


def test_extract_yaml_pastes_into_a_scenario(capsys, tmp_path):
    assert main(["extract", str(SEED)]) == 0
    estimates = YAML(typ="safe").load(capsys.readouterr().out)["estimates"]
    first = estimates[0]
    assert first["quote"] == "intelligence services pointed out that Russia could attack before 2030"
    assert first["provenance"]["offsets"] == [1919, 1989]
    assert first["window"] == {"expression": "before 2030"}
    assert first["probability"] == "could"
    # the same quote and offsets as the seed scenario, which `riskline check` verifies
    scenario = (ROOT / "scenarios" / "russia-nato-attack.yaml").read_text()
    assert "offsets: [1919, 1989]" in scenario


def test_extract_json(capsys):
    assert main(["extract", str(SEED), "--json", "--min-score", "0.75"]) == 0
    out = json.loads(capsys.readouterr().out)
    candidates = out["candidates"]
    assert len(candidates) == 2
    assert candidates[1]["window"]["end"] == "2027-12-03"
    assert all(d["reason"].startswith("score ") for d in out["dropped"])  # the rest are listed, with their score


def test_parse_json_contract(capsys):
    text = "We assess with moderate confidence that Russia is unlikely to attack NATO within 18 months"
    assert main(["parse", text, "--issued", "2025-12-03", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["window"]["start"] == "2025-12-03"
    assert data["window"]["end"] == "2027-06-03"
    assert data["window"]["expression"] == "within 18 months"
    assert data["probability"] | {"as_written": None, "negated": None, "stacked_hedges": None} == {
        "phrase": "unlikely", "low": 0.2, "high": 0.45, "lexicon": "icd-203", "as_written": None, "negated": None,
        "stacked_hedges": None, "weakened_from": None,
    }  # fmt: skip
    assert (data["kind"], data["confidence"]) == ("occurrence", "moderate")


def test_parse_keeps_a_phrase_the_lexicon_lacks_and_names_who_defines_it(capsys):
    """Issue 20: parse used to refuse the statement and throw away the window it had read."""
    assert main(["parse", "a realistic possibility of an attack by 2030", "--issued", "2025-12-03"]) == 0
    out = capsys.readouterr().out
    assert "window:      2025-12-03 to 2031-01-01  ['by 2030']" in out
    assert "probability: unresolved: phrase 'realistic possibility' is not in lexicon 'icd-203'" in out
    assert "defined in: capphrase, new-zealand, uk-phia" in out


def test_lexicon_phrase_across_lexicons(capsys):
    assert main(["lexicon", "--phrase", "realistic possibility"]) == 0
    out = capsys.readouterr().out
    assert "uk-phia        40–50%" in out
    assert "capphrase      readers: median 58%" in out


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_lexicon_comparison_chart(tmp_path, suffix, capsys):
    path = tmp_path / f"compare.{suffix}"
    assert main(["lexicon", "icd-203", "--compare", "uk-phia", "capphrase", "--plot", str(path)]) == 0
    assert path.stat().st_size > 10_000


def test_lexicon_chart_content():
    lexicons = [load_lexicon(ROOT / "priors", name) for name in ("icd-203", "capphrase")]
    figure = plot_lexicons(lexicons)
    axes = figure.axes
    assert len(axes) == 2
    assert [t.get_text() for t in axes[0].get_yticklabels()][-1].startswith("almost certain")
    assert len(axes[0].get_yticklabels()) == len(lexicons[0].entries)
    assert "capphrase" in axes[1].get_title(loc="left")
    assert axes[1].get_xlabel() == "Probability the phrase stands for"
    plt.close(figure)

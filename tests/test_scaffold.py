"""`riskline new`: from a reading list to a scenario skeleton whose TODOs `riskline check` lists, then a scenario."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from riskline.cli import main
from riskline.config.priors import load_priors
from riskline.scaffold import RELIABILITY_HINTS, seed_path_for, suggest_reliability

from .conftest import ROOT

READING_LIST = ROOT / "seeds" / "2026-12-06-reading-list-us-officials-taiwan.md"
PRIORS = ROOT / "priors"


@pytest.fixture
def skeleton(tmp_path, capsys):
    """The skeleton of the reading list, written by `riskline new`, and what the command printed."""
    out = tmp_path / "taiwan-officials.yaml"
    assert main(["new", str(READING_LIST), "--name", "taiwan-officials", "--out", str(out), "--as-of",
                 "2026-12-06"]) == 0  # fmt: skip
    return out, capsys.readouterr().out


def _todo_lines(path) -> list[int]:
    """Lines of the file whose value (not a comment) starts with TODO."""
    return [n for n, line in enumerate(path.read_text().splitlines(), 1) if re.search(r'^[^#]*:\s*"TODO', line)]


def test_check_points_at_every_todo_of_the_skeleton(skeleton, capsys):
    out, printed = skeleton
    todo_lines = _todo_lines(out)
    assert f"next: settle its {len(todo_lines)} TODO(s), which `riskline check {out}` lists" in printed
    assert main(["check", str(out), "--priors", str(PRIORS)]) == 2
    err = capsys.readouterr().err
    reported = [int(m) for m in re.findall(rf"^  {re.escape(str(out))}:(\d+): ", err, re.MULTILINE)]
    assert reported == todo_lines  # each TODO once, in file order, and nothing else
    assert f"{len(todo_lines)} problems in configuration" in err
    assert "events[0].base_rate: TODO: the base rate its hazard prior is centred on (choose an entry of " \
           "priors/base-rates.yaml" in err  # fmt: skip
    assert "valid choices: 'attack-after-readiness'" in err
    assert (
        "probability: TODO: no probability phrase read in the quote (give a phrase of lexicon 'icd-203' "
        "(`riskline lexicon icd-203` lists them), a number ('30%') or an interval [0.2, 0.4])"
    ) in err
    assert (
        "probability: TODO: the window follows 'does not mean', so the quote does not assert it; give the "
        "probability the speaker implies, or delete this estimate"
    ) in err  # Burns: "that does not mean ..."


def test_the_skeleton_holds_every_statement_with_quote_offsets_window_and_source(skeleton):
    out, printed = skeleton
    data = YAML(typ="safe").load(out.read_text())
    text = READING_LIST.read_text()
    estimates = data["estimates"]
    # one estimate per statement, however many windows it names (issue 20: Davidson's two, Gilday's three)
    assert [e["issued"].isoformat() for e in estimates] == ["2021-03-09", "2022-10-19", "2023-01-27", "2023-02-02"]
    for estimate in estimates:
        start, end = estimate["provenance"]["offsets"]
        assert text[start:end] == estimate["quote"]
        # named from the nearest folder above the scenario that holds it (absolute when only the root does), as
        # `riskline check` looks for it: which it is depends on where the clone and the temporary folder lie
        named = Path(estimate["provenance"]["seed"])
        assert any((folder / named).resolve() == READING_LIST.resolve() for folder in [out.parent, *out.parents])
        assert estimate["provenance"]["url"].startswith("https://")
    assert [e["window"]["expression"] for e in estimates] == ["in the next six years",
        "a 2022 window or potentially a 2023 window", "in 2025", "in 2027"]  # fmt: skip
    gilday = estimates[1]  # the window and "I can't rule it out", across the ';', are one statement
    assert gilday["quote"].endswith("a 2023 window; I can’t rule it out.”")
    assert gilday["probability"] == "can't rule it out"
    text_out = out.read_text()
    assert "windows found: 'during this decade', 'in the next six years'; used 'in the next six years': 'in fact' " \
           "corrects 'during this decade' to 'in the next six years'" in text_out  # fmt: skip
    assert "windows found: 'the 2027 window', 'a 2022 window', 'a 2023 window'" in text_out
    minihan = estimates[2]
    assert (minihan["probability"], minihan["confidence"]) == ("will", "low")  # "My gut tells me": a hunch
    sources = {s["id"]: s["reliability"] for s in data["sources"]}
    assert sources == {"phil-davidson": "military_commander", "mike-gilday": "military_commander",
                       "mike-minihan": "military_commander", "william-burns": "intelligence_chief"}  # fmt: skip
    assert "guessed: source 'william-burns': intelligence_chief, from 'Director of the CIA'" in printed
    assert [(e["id"], e["kind"]) for e in data["events"]] == [("war", "occurrence")]
    assert data["as_of"].isoformat() == "2026-12-06"
    assert data["horizon"].isoformat() == "2034-01-01"  # the last window ends 2028-01-01 ('in 2027'): 2028 + 1 + 5


def test_new_never_writes_over_a_file_without_force(skeleton, capsys):
    out, _ = skeleton
    out.write_text("# the analyst's edits\n")
    assert main(["new", str(READING_LIST), "--name", "taiwan-officials", "--out", str(out)]) == 2
    assert "exists; riskline new never writes over a file: choose another --out, or pass --force" in (
        capsys.readouterr().err
    )
    assert out.read_text() == "# the analyst's edits\n"
    assert main(["new", str(READING_LIST), "--name", "taiwan-officials", "--out", str(out), "--force"]) == 0
    assert out.read_text().startswith("# Scenario skeleton written by `riskline new`")
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no staging file left behind


def test_a_bad_name_is_refused_with_a_suggestion(tmp_path, capsys):
    out = tmp_path / "x.yaml"
    assert main(["new", str(READING_LIST), "--name", "Taiwan Officials", "--out", str(out)]) == 2
    assert (
        "--name: expected lowercase letters, digits, '-' and '_' (e.g. 'taiwan-officials')" in capsys.readouterr().err
    )
    assert not out.exists()


FILLED = {
    "title": "Chinese armed attack on Taiwan (four US officials)",
    "question": "When, if ever, will China launch a military attack on Taiwan?",
    "resolution": "The date the PLA begins an armed attack on Taiwan (strikes, an assault or a blockade by force).",
}
READINGS = {  # as scenarios/china-taiwan-attack.yaml reads the same statements; Gilday's is read from his words
    "phil-davidson-in-the-next-six-years": "could",
    "mike-gilday-a-2022-window-or-potentially-a-2023-window": "can't rule it out",
    "mike-minihan-in-2025": "likely",
    "william-burns-in-2027": "unlikely",
}


def test_once_the_todos_are_settled_check_passes(skeleton, tmp_path, capsys):
    out, _ = skeleton
    yaml = YAML()
    data = yaml.load(out.read_text())
    data.update(FILLED)
    event = data["events"][0]
    event["label"], event["base_rate"], event["resolution"] = "Chinese armed attack on Taiwan", "backtest-war-onset", \
        "as the scenario's resolution"  # fmt: skip
    for estimate in data["estimates"]:
        estimate["probability"] = READINGS[estimate["id"]]
    settled = tmp_path / "settled.yaml"
    with settled.open("w") as file:
        yaml.dump(data, file)
    assert _todo_lines(settled) == []
    assert main(["check", str(settled), "--priors", str(PRIORS), "--no-priors"]) == 0
    assert f"ok: {settled} (1 events, 4 estimates)" in capsys.readouterr().out


def test_seeds_are_named_relative_to_the_folder_above_both():
    assert seed_path_for(READING_LIST, ROOT / "scenarios" / "new.yaml") == f"seeds/{READING_LIST.name}"


@pytest.mark.parametrize(
    ("speaker", "expected"),
    [
        ("Adm. Phil Davidson, commander of US Indo-Pacific Command", "military_commander"),
        ("William Burns, Director of the CIA", "intelligence_chief"),
        ("CIA Director William Burns", "intelligence_chief"),
        ("US intelligence community, Annual Threat Assessment (ODNI)", "intelligence_service"),
        ("Rep. Michael McCaul, chair of the House Foreign Affairs Committee", "legislator"),
        ("NATO Secretary General Mark Rutte", "alliance_official"),
        ("Taiwan's Minister of National Defense Chiu Kuo-cheng", "government_official"),
        ("retired Adm. James Stavridis", "independent_expert"),
        ("reports from the Netherlands and Germany", "media_report"),
        ("Chen Ming-tong, Director-General of Taiwan's National Security Bureau", "intelligence_chief"),
        ("US Department of Defense, annual report to Congress on China's military power", "government_official"),
    ],
)
def test_reliability_is_suggested_from_the_title(speaker, expected):
    assert suggest_reliability(speaker)[0] == expected


def test_every_suggested_class_is_in_the_priors():
    classes = load_priors(PRIORS).source_classes
    assert {name for _, name in RELIABILITY_HINTS} <= set(classes)
    assert suggest_reliability("Xi Jinping") is None  # no word to go by: left as a TODO
    assert suggest_reliability("Xi Jinping, as relayed by a senior US official") is None  # whose words: the analyst's


def test_the_event_is_named_from_the_statements_words(tmp_path, capsys):
    seed = tmp_path / "list.md"
    seed.write_text(
        "---\ntitle: t\noutlet: reading list\npublished: 2026-12-06\nlanguage: en\ncompiled: true\n---\n"
        "## 2025-02-20 · inkl\n"
        "url: https://inkl.com/news/vladimir-putin-will-agree-ukraine-ceasefire-in-2025-says-spy-chief\n"
        "speaker: Kyrylo Budanov, head of Ukraine's military intelligence (HUR)\n\n"
        "Vladimir Putin will agree a ceasefire this year in Ukraine, says the country’s military intelligence chief.\n",
        encoding="utf-8",
    )
    out = tmp_path / "cf.yaml"
    assert main(["new", str(seed), "--name", "cf", "--out", str(out), "--priors", str(PRIORS)]) == 0
    printed = capsys.readouterr().out
    assert "guessed: event 'ceasefire' (occurrence) from the statements' words: 'ceasefire'" in printed
    assert "guessed: source 'kyrylo-budanov': intelligence_chief" in printed
    data = YAML(typ="safe").load(out.read_text())
    assert data["estimates"][0]["window"] == {"expression": "this year"}
    assert data["estimates"][0]["provenance"]["seed"] == "list.md"  # beside the scenario


def test_a_phrase_the_lexicon_lacks_is_a_todo_naming_the_lexicons_that_define_it(tmp_path, capsys):
    seed = tmp_path / "note.md"  # the words of the parse test: 'realistic possibility' is not in ICD 203
    seed.write_text("---\ntitle: t\noutlet: test\npublished: 2025-12-03\nlanguage: en\n---\n"
                    "A realistic possibility of an attack by 2030.\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "x.yaml"
    assert main(["new", str(seed), "--name", "x", "--out", str(out), "--priors", str(PRIORS)]) == 0
    [estimate] = YAML(typ="safe").load(out.read_text())["estimates"]
    assert estimate["probability"] == (
        "TODO: 'realistic possibility' (as written: 'realistic possibility') is not in lexicon 'icd-203' "
        "(defined in: capphrase, new-zealand, uk-phia)"
    )

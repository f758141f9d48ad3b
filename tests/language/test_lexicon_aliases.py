"""Lexicon aliases: a phrase a lexicon lacks, read as its nearest own phrase, so scenarios compare across lexicons."""

from __future__ import annotations

import re
import shutil

import pytest

from riskline import ConfigError, load_scenario, update
from riskline.export import run_summary
from riskline.language.lexicon import available_lexicons, load_lexicon, normalize_phrase
from riskline.language.probability import parse_probability
from riskline.report import report_markdown

from ..conftest import CONFIGS, ROOT

PRIORS = ROOT / "priors"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BAD = sorted((CONFIGS / "bad-lexicons").glob("*.yaml"))


@pytest.mark.parametrize("lexicon", available_lexicons(PRIORS))
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_scenario_reads_in_every_lexicon_with_its_words_kept(path, lexicon):
    written = load_scenario(path)
    read = load_scenario(path, lexicon=lexicon)
    assert [e.probability.text for e in read.estimates] == [e.probability.text for e in written.estimates]
    for est in read.estimates:
        alias = est.probability.alias
        if alias is not None:  # read through an alias only where the lexicon lacks the words
            assert normalize_phrase(est.probability.text) not in read.lexicon.phrases
            assert f"{est.probability.text} as {alias.to} (" in est.probability.describe()


def _end_gap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]))


def _middle_gap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return abs((a[0] + a[1]) / 2 - (b[0] + b[1]) / 2)


@pytest.mark.parametrize("name", [n for n in available_lexicons(PRIORS) if load_lexicon(PRIORS, n).aliases])
def test_each_alias_leads_to_the_row_nearest_to_the_icd_203_range(name):
    """The rule of docs/language.md, computed here from the ranges: the smallest end gap, a tie to the nearer middle."""
    icd, lexicon = load_lexicon(PRIORS, "icd-203"), load_lexicon(PRIORS, name)
    for alias in [a for a in lexicon.aliases if normalize_phrase(a.phrase) in icd.phrases]:  # the shipped scenarios'
        wanted = icd.lookup(alias.phrase).interval
        gaps = {e.phrase: (round(_end_gap(wanted, e.interval), 9), _middle_gap(wanted, e.interval))
                for e in lexicon.entries}  # fmt: skip
        best = min(gaps.values())
        assert gaps[lexicon.lookup(alias.to).phrase] == pytest.approx(best), (alias, best)
        assert alias.reason.startswith(f"ICD 203 {100 * wanted[0]:.0f}–{100 * wanted[1]:.0f}%")


def test_icd_203_reads_other_yardsticks_words_as_its_row_nearest_to_how_readers_read_them():
    """ICD 203's aliases (words officials use in plain speech, 'highly unlikely'): the same rule, from CAPphrase."""
    icd, survey = load_lexicon(PRIORS, "icd-203"), load_lexicon(PRIORS, "capphrase")
    assert {a.phrase for a in icd.aliases} >= {"highly likely", "highly unlikely"}
    for alias in icd.aliases:
        read = survey.lookup(alias.phrase).interval  # the fitted readers' 5th-95th percentiles
        gaps = {e.phrase: (round(_end_gap(read, e.interval), 9), _middle_gap(read, e.interval)) for e in icd.entries}
        assert gaps[icd.lookup(alias.to).phrase] == min(gaps.values()), alias
        assert alias.reason.startswith(f"CAPphrase readers' 5th–95th {100 * read[0]:.0f}–{100 * read[1]:.0f}%")


def test_highly_unlikely_as_taiwan_s_security_bureau_said_it_reads_as_very_unlikely():
    """Chen Ming-tong, Taipei Times, 25 March 2022 (seeds/2026-12-06-reading-list-china-taiwan-attack.md)."""
    said = parse_probability("highly unlikely", load_lexicon(PRIORS, "icd-203"))
    assert (said.low, said.high, said.text, said.alias.to) == (0.05, 0.20, "highly unlikely", "very unlikely")


@pytest.mark.parametrize(
    ("lexicon", "phrase", "target"),
    [("uk-phia", "very likely", "highly likely"), ("kent", "likely", "probable"), ("capphrase", "very unlikely",
                                                                                   "highly unlikely")],
)  # fmt: skip
def test_an_alias_reads_as_its_target_phrase(lexicon, phrase, target):
    words = load_lexicon(PRIORS, lexicon)
    through, direct = parse_probability(phrase, words), parse_probability(target, words)
    assert (through.low, through.high, through.logit_normal) == (direct.low, direct.high, direct.logit_normal)
    assert (through.text, through.alias.to, direct.alias) == (phrase, target, None)


def test_a_missing_mapping_names_the_phrase_the_file_and_the_lexicons_that_define_it(tmp_path):
    shutil.copytree(PRIORS, tmp_path / "priors")
    kent = tmp_path / "priors" / "lexicons" / "kent.yaml"
    text = kent.read_text()
    kent.write_text(re.sub(r"  - phrase: likely\n    to: probable\n    reason: [^\n]*\n", "", text))
    with pytest.raises(ConfigError) as caught:
        load_scenario(ROOT / "scenarios" / "russia-nato-attack.yaml", tmp_path / "priors", lexicon="kent")
    message = str(caught.value)
    assert "estimates[2].probability: phrase 'likely' is not in lexicon 'kent'" in message
    assert "defined in capphrase, ddis, efsa, icd-203, ipcc, lithuania, nato, new-zealand, uk-phia" in message
    assert f"`aliases:` block of {kent}" in message


def _expectation(path):
    text = path.read_text()
    return re.search(r"^# expect: (.*)$", text, re.M).group(1), int(re.search(r"^# line: (\d+)$", text, re.M).group(1))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_a_bad_alias_is_named_with_its_file_and_line(path, tmp_path):
    message, line = _expectation(path)
    (tmp_path / "lexicons").mkdir()
    copy = tmp_path / "lexicons" / path.name
    shutil.copy(path, copy)
    with pytest.raises(ConfigError) as caught:
        load_lexicon(tmp_path, path.stem)
    assert f"{copy}:{line}: {message}" in str(caught.value)


@pytest.mark.filterwarnings("ignore::riskline.errors.ConvergenceWarning")  # a refit, if update makes one, is small
def test_the_report_says_which_phrases_were_read_through_an_alias(seed_forecast):
    kent = update(seed_forecast, load_scenario(ROOT / "scenarios" / "russia-nato-attack.yaml", lexicon="kent"),
                  random_seed=1)  # fmt: skip
    markdown = report_markdown(kent, run_summary(kent))
    assert "- Stated: likely as probable (63–87%, kent alias)" in markdown
    assert ("**Read through aliases** (phrases `kent` lacks, docs/language.md): 'likely' as 'probable' "
            "(ICD 203 55–80%; nearest here 'probable' 63–87%") in markdown  # fmt: skip

"""Whole sentences read into estimates, as in real reporting."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskline import LexiconError
from riskline.language.probability import parse_probability
from riskline.language.statements import TwoEstimatesError, load_reader, statement_confidence, statement_kind
from riskline.language.time_expressions import TimeExpressionError

from ..conftest import ROOT

READER = load_reader(ROOT / "priors", "icd-203")
ISSUED = date(2025, 12, 3)


@pytest.mark.parametrize(
    ("text", "phrase", "written"),
    [
        ("Russia could attack before 2030", "could", "could"),
        ("this could happen within two years", "could happen", "could happen"),
        ("Russia is likely to attack within five years", "likely", "likely"),
        ("Russia is Very Likely to test NATO by 2027", "very likely", "Very Likely"),
        ("Russia will probably attack before 2029", "probable", "probably"),
        ("An attack is unlikely to happen in 2026", "unlikely", "unlikely"),
        ("an attack is not likely for now", "unlikely", "not likely"),
        ("Russia probably will not attack before 2027", "improbable", "probably will not"),
        ("an attack is not very likely before 2028", "unlikely", "not very likely"),
        ("Russia could possibly attack within two years", "could", "could"),
        ("An attack cannot be ruled out within 18 months", "cannot be ruled out", "cannot be ruled out"),
        ("Russia is almost certainly rearming; an attack is not likely before 2028", "unlikely", "not likely"),
        ("It is likely that Russia could attack before 2030", "likely", "likely"),
        ("Russia might attack in May 2027", "might", "might"),
    ],
)
def test_probability_phrases_in_sentences(text, phrase, written):
    parsed = READER.parse(text, ISSUED)
    assert parsed.probability.text == phrase
    assert parsed.phrase.text == written
    low, high = READER.lexicon.lookup(phrase).interval
    assert (parsed.probability.low, parsed.probability.high) == (low, high)


def test_different_phrases_for_different_windows_are_two_estimates():
    """'Unlikely before 2027 but likely by 2030' is two estimates; read as one, it reversed 'unlikely'."""
    text = "Russia is unlikely to be able to attack before 2027 but likely by 2030"
    with pytest.raises(TwoEstimatesError, match="'unlikely' for 'before 2027' and 'likely' for 'by 2030'"):
        READER.parse(text, ISSUED)


def test_the_phrase_before_a_window_governs_it():
    """Each window takes the last phrase after the window before it (else the nearest)."""
    assert READER.parse("an attack is unlikely before 2027", ISSUED).probability.text == "unlikely"
    assert READER.parse("Before 2030, an attack on NATO is likely", ISSUED).probability.text == "likely"
    seed = "services said Russia could attack before 2030, but reports suggest this could happen within two years"
    assert READER.parse(seed, ISSUED).probability.text == "could happen"  # one phrase for both windows: one estimate


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("There is a 30% chance of a Russian attack on NATO within 5 years", 0.25, 0.35),
        ("a 30 per cent chance that Russia could attack within two years", 0.25, 0.35),  # the number beats "could"
        ("the risk is 62% that the war ends by 2027", 0.615, 0.625),
    ],
)
def test_a_stated_percentage_is_the_probability(text, low, high):
    parsed = READER.parse(text, ISSUED)
    assert (parsed.probability.low, parsed.probability.high) == pytest.approx((low, high))


def test_a_percentage_without_a_word_of_chance_is_not_a_probability():
    assert READER.parse("NATO members must spend 5% of GDP by 2035", ISSUED).probability is None


def test_stacked_hedges_are_recorded():
    parsed = READER.parse("Russia could possibly attack within two years", ISSUED)
    assert parsed.phrase.stacked == ("possibly",)


def test_may_as_a_month_is_not_a_hedge():
    parsed = READER.parse("In May 2027 an attack is highly improbable", ISSUED)
    assert parsed.probability.text == "highly improbable"
    assert (parsed.window.start, parsed.window.end) == (date(2027, 5, 1), date(2027, 6, 1))


def test_a_phrase_the_lexicon_lacks_is_kept_unresolved_with_the_lexicons_that_define_it():
    """Issue 20: the reading is not thrown away; a scenario still needs a resolved phrase."""
    parsed = READER.parse("an attack on NATO by 2030 is a realistic possibility", ISSUED)
    assert parsed.probability is None
    assert (parsed.window.expression, parsed.kind) == ("by 2030", "occurrence")
    assert parsed.unresolved.phrase == "realistic possibility"
    assert parsed.unresolved.defined_in == ("capphrase", "new-zealand", "uk-phia")
    assert "phrase 'realistic possibility' is not in lexicon 'icd-203'" in parsed.unresolved.message
    assert parsed.as_dict()["unresolved"]["defined_in"] == ["capphrase", "new-zealand", "uk-phia"]
    with pytest.raises(LexiconError, match="phrase 'realistic possibility' is not in lexicon 'icd-203'"):
        parse_probability(parsed.unresolved.phrase, READER.lexicon)  # what a scenario's check does


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Russia could be ready to use military force against NATO within five years", "capability"),
        ("Russian forces should be able to carry out an attack on NATO", "capability"),
        ("Russia could be capable of attacking NATO in 2029-2030", "capability"),
        ("a period of five to eight years in which this could be possible", "capability"),
        ("Russia is seen ready to execute a large scale troop move", "capability"),
        ("Russia could attack before 2030", "occurrence"),
        ("Russia will attack NATO", "occurrence"),
        ("this could happen within two years", "occurrence"),
    ],
)
def test_capability_is_told_apart_from_occurrence(text, kind):
    assert statement_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("We assess with high confidence that an attack is unlikely", "high"),
        ("We have moderate confidence in this judgement", "moderate"),
        ("medium confidence", "moderate"),
        ("Analysts are highly confident", "high"),
        ("low confidence: Russia could attack", "low"),
        ("Russia could attack", None),
    ],
)
def test_confidence_is_kept(text, confidence):
    assert statement_confidence(text) == confidence


def test_parse_json_keys():
    data = READER.parse(
        "We judge with low confidence that Russia is likely to attack within 18 months", ISSUED
    ).as_dict()
    assert set(data["window"]) >= {"start", "end", "end_earliest", "end_latest", "relative_to", "expression"}
    assert set(data["probability"]) >= {"phrase", "low", "high", "lexicon"}
    assert data["window"]["end"] == "2027-06-03"
    assert (data["kind"], data["confidence"]) == ("occurrence", "low")


def test_conditional_clause_starts_the_clock():
    """DDIS, 2025-02-11: the six months count from the end of the war, not from the statement."""
    text = "if the war in Ukraine ends or freezes, Russia could wage a local war against a neighbour within 6 months"
    parsed = READER.parse(text, date(2025, 2, 11))
    assert parsed.window.relative_to == "the war in Ukraine ends or freezes"
    assert parsed.window.end is None
    assert parsed.probability.text == "could"


def test_modal_be_possible_reads_as_the_modal():
    """Pistorius, 2024-01-19: 'could be possible' is a hedge on capability, read as 'could'."""
    parsed = READER.parse("a period of five to eight years in which this could be possible", date(2024, 1, 19))
    assert parsed.probability.text == "could"
    assert parsed.kind == "capability"
    assert (parsed.window.start, parsed.window.end) == (date(2029, 1, 19), date(2032, 1, 19))


words = st.sampled_from(
    ["Russia", "could", "not", "likely", "very", "probably", "attack", "within", "two", "years", "by", "2029", "may",
     "May", "2027", "be", "ready", "to", "possible", "high", "confidence", "if", "the", "war", "ends", ",", "will"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(words, max_size=14).map(" ".join)))
def test_parsing_any_text_gives_a_result_or_a_documented_error(text):
    try:
        parsed = READER.parse(text, ISSUED)
    except (TimeExpressionError, TwoEstimatesError):
        return
    assert parsed.kind in {"occurrence", "capability"}
    if parsed.probability is not None:
        assert 0 <= parsed.probability.low < parsed.probability.high <= 1

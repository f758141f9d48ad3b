from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskline import LexiconError
from riskline.language import load_lexicon, parse_probability, parse_span, span_after

from ..conftest import ROOT

ICD = load_lexicon(ROOT / "priors", "icd-203")


@pytest.mark.parametrize(
    ("phrase", "low", "high"),
    [
        ("likely", 0.55, 0.80),
        ("Very Likely", 0.80, 0.95),
        ("probable", 0.55, 0.80),
        ("  could  ", 0.10, 0.70),
        ("might happen", 0.10, 0.66),
        ("remote", 0.01, 0.05),
    ],
)
def test_icd_203_phrases(phrase, low, high):
    stated = parse_probability(phrase, ICD)
    assert (stated.low, stated.high, stated.lexicon) == (low, high, "icd-203")


@pytest.mark.parametrize(
    ("phrase", "low", "high"),
    [("cannot be ruled out", 0.01, 0.50), ("cannot exclude", 0.01, 0.50), ("should", 0.60, 0.90), ("will", 0.90, 1.0)],
)
def test_words_icd_203_lacks_are_read_from_the_official_words_and_say_so(phrase, low, high):
    stated = parse_probability(phrase, ICD)
    assert (stated.low, stated.high, stated.lexicon) == (low, high, "official-words")


@pytest.mark.parametrize(
    ("written", "low", "high"),
    [("30-40%", 0.30, 0.40), ("30–40%", 0.30, 0.40), ("30% to 40%", 0.30, 0.40), ("1 in 3", 1 / 3.5, 1 / 2.5),
     ("1 in 10", 1 / 10.5, 1 / 9.5)],
)  # fmt: skip
def test_ranges_and_odds(written, low, high):
    """A stated range is itself; odds are every chance whose denominator rounds to the one stated."""
    stated = parse_probability(written, ICD)
    assert (stated.low, stated.high) == pytest.approx((low, high))


@pytest.mark.parametrize("written", ["40-30%", "30-140%", "3 in 2", "0 in 5"])
def test_backward_ranges_and_impossible_odds_are_refused(written):
    with pytest.raises(ValueError, match=r"range of percentages must run upwards|odds 'k in n' need 0 < k < n"):
        parse_probability(written, ICD)


def test_icd_203_hedges_are_capphrase_5th_to_95th_percentiles():
    """The hedge rows cite CAPphrase: recompute them from the survey where it is available."""
    answers = pd.read_csv(ROOT / "data" / "capphrase" / "absolute_judgements.csv")
    for phrase, term in [("could", "Could Happen"), ("may", "May Happen"), ("might", "Might Happen")]:
        values = answers.loc[answers["term"] == term, "probability"]
        expected = np.percentile(values, [5, 95]) / 100
        assert ICD.lookup(phrase).range == pytest.approx(tuple(expected))


def test_unknown_phrase_lists_nearest():
    with pytest.raises(
        LexiconError, match=r"phrase 'very likley' is not in lexicon 'icd-203'; did you mean 'very likely'"
    ):
        parse_probability("very likley", ICD)


@pytest.mark.parametrize(
    ("written", "low", "high"),
    [
        ("30%", 0.25, 0.35),
        (0.3, 0.25, 0.35),
        ("15%", 0.125, 0.175),
        ("62%", 0.615, 0.625),
        (0.0, 0.0, 0.05),
        ("100%", 0.95, 1.0),
    ],
)
def test_numbers_are_intervals_of_their_rounding(written, low, high):
    stated = parse_probability(written, ICD)
    assert (stated.low, stated.high) == pytest.approx((low, high))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (30, "write 0.3 or '30%'"),
        ("thirty%", "expected a percentage"),
        ([0.5, 0.2], "must be [low, high]"),
        ("120%", "must lie in [0, 1]"),
    ],
)
def test_bad_numbers_say_what_was_expected(value, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_probability(value, ICD)


def test_spans_count_calendar_units():
    assert span_after(date(2024, 2, 29), "2 years") == date(2026, 2, 28)
    assert span_after(date(2025, 12, 3), "18 months") == date(2027, 6, 3)
    with pytest.raises(ValueError, match="expected a span such as '2 years'"):
        parse_span("two years")


@given(st.text(max_size=40))
def test_span_parser_never_crashes_on_text(text):
    """Any text either parses to a positive span or raises the documented ValueError."""
    try:
        span = parse_span(text)
    except ValueError as exc:
        outcome = str(exc)
    else:
        outcome = "parsed a span" if date(2025, 1, 1) + span > date(2025, 1, 1) else "non-positive span"
    assert "span" in outcome
    assert "non-positive" not in outcome

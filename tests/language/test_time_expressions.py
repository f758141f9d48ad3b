"""Every form of time expression listed in the language issue, read as an analyst would."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from riskline.language.conventions import load_time_conventions
from riskline.language.time_expressions import NUMBER_WORDS, TimeExpressionError, find_windows, parse_window

from ..conftest import ROOT

CONVENTIONS = load_time_conventions(ROOT / "priors")
LITHUANIA = load_time_conventions(ROOT / "priors", "lithuania")
ISSUED = date(2025, 12, 3)
D = date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Russia could attack before 2030", ISSUED, D(2030, 1, 1)),
        ("by 2029", ISSUED, D(2030, 1, 1)),
        ("by the end of 2027", ISSUED, D(2028, 1, 1)),
        ("in 2029", D(2029, 1, 1), D(2030, 1, 1)),
        ("capable of attacking NATO in 2029–2030", D(2029, 1, 1), D(2031, 1, 1)),
        ("between 2028 and 2030", D(2028, 1, 1), D(2031, 1, 1)),
        ("as early as 2028", ISSUED, D(2029, 1, 1)),
        ("by the end of this decade at the latest", ISSUED, D(2030, 1, 1)),
        ("sometime this decade", ISSUED, D(2030, 1, 1)),
        ("within two years", ISSUED, D(2027, 12, 3)),
        ("within 18 months", ISSUED, D(2027, 6, 3)),
        ("within half a year", ISSUED, D(2026, 6, 3)),
        ("in the next five years", ISSUED, D(2030, 12, 3)),
        ("in the coming year", ISSUED, D(2026, 12, 3)),
        ("over the next decade", ISSUED, D(2035, 12, 3)),
        ("within a year", ISSUED, D(2026, 12, 3)),
        ("within the next 2 years", ISSUED, D(2027, 12, 3)),
        ("a period of five to eight years", D(2030, 12, 3), D(2033, 12, 3)),
        ("four to seven years", D(2029, 12, 3), D(2032, 12, 3)),
        ("by mid-2027", ISSUED, D(2027, 7, 1)),
        ("by March 2027", ISSUED, D(2027, 4, 1)),
        ("before March 2027", ISSUED, D(2027, 3, 1)),
        ("in May 2027", D(2027, 5, 1), D(2027, 6, 1)),
        ("as soon as the first semester of 2026", ISSUED, D(2026, 7, 1)),
        ("next year", D(2026, 1, 1), D(2027, 1, 1)),
        ("in the near term", ISSUED, D(2027, 12, 3)),
        ("in the 2030s", D(2030, 1, 1), D(2040, 1, 1)),
        ("Russia could attack NATO in 2026 or 2027", D(2026, 1, 1), D(2028, 1, 1)),  # not "in 2026" alone
    ],
)
def test_windows(text, start, end):
    window = parse_window(text, ISSUED, CONVENTIONS)
    assert (window.start, window.end) == (start, end)
    assert window.end_earliest is None
    assert window.reasoning


@pytest.mark.parametrize(("text", "start"), [("from 2029", D(2029, 1, 1)), ("not before 2027", D(2027, 1, 1))])
def test_open_windows_have_no_end(text, start):
    window = parse_window(text, ISSUED, CONVENTIONS)
    assert (window.start, window.end) == (start, None)
    assert "no end" in window.reasoning


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("in a few years", D(2027, 12, 3), D(2030, 12, 3)),
        ("within the next decade or so", D(2033, 12, 3), D(2037, 12, 3)),
        ("an attack could come soon", D(2026, 6, 3), D(2027, 12, 3)),
        ("in the near future", D(2026, 6, 3), D(2027, 12, 3)),
        ("within five to eight years", D(2030, 12, 3), D(2033, 12, 3)),
        ("about two years", D(2027, 6, 3), D(2028, 6, 3)),
        ("within a year or two", D(2026, 12, 3), D(2027, 12, 3)),  # not "within a year"
        ("within one or two years", D(2026, 12, 3), D(2027, 12, 3)),
        ("likely in the next 3-5 years", D(2028, 12, 3), D(2030, 12, 3)),  # not a window opening in 3 years
    ],
)
def test_fuzzy_windows_carry_a_range_of_ends(text, earliest, latest):
    window = parse_window(text, ISSUED, CONVENTIONS)
    assert window.fuzzy
    assert (window.end_earliest, window.end_latest) == (earliest, latest)
    assert earliest <= window.end <= latest
    assert window.start == ISSUED


def test_conventions_come_from_the_file(tmp_path):
    """Change 'by' to mean the start of the year in a copy of priors/: the reading follows."""
    import shutil

    priors = tmp_path / "priors"
    shutil.copytree(ROOT / "priors", priors)
    path = priors / "time-conventions.yaml"
    path.write_text(path.read_text().replace("  by: end ", "  by: start "))
    window = parse_window("by 2029", ISSUED, load_time_conventions(priors))
    assert window.end == D(2029, 1, 1)


@pytest.mark.parametrize(
    ("term", "start", "end"),
    [("short", ISSUED, D(2026, 6, 3)), ("near", D(2026, 6, 3), D(2027, 12, 3)), ("mid", D(2028, 12, 3), D(2030, 12, 3)),
     ("long", D(2031, 12, 3), D(2035, 12, 3))],
)  # fmt: skip
def test_lithuanian_horizon_vocabulary(term, start, end):
    window = parse_window(f"a threat in the {term} term", ISSUED, LITHUANIA)
    assert (window.start, window.end) == (start, end)
    assert "lithuania" in window.reasoning


def test_undefined_horizon_term_says_what_the_vocabulary_has():
    with pytest.raises(TimeExpressionError, match="'medium term' is not defined in the horizon vocabulary 'lithuania'"):
        parse_window("in the medium term", ISSUED, LITHUANIA)


@pytest.mark.parametrize(
    ("text", "trigger", "after_start", "after_end"),
    [
        ("within 6 months after the war ends", "the war ends", relativedelta(), relativedelta(months=6)),
        ("about one year after a ceasefire", "a ceasefire", relativedelta(months=9), relativedelta(months=15)),
        ("a regional war within 2 years of a ceasefire, provided the U.S. does not intervene", "a ceasefire",
         relativedelta(), relativedelta(months=24)),
    ],
)  # fmt: skip
def test_windows_relative_to_a_trigger(text, trigger, after_start, after_end):
    window = parse_window(text, ISSUED, CONVENTIONS)
    assert window.relative_to == trigger
    assert (window.after_start, window.after_end) == (after_start, after_end)
    assert window.start is None
    assert window.end is None


def test_window_ending_before_issue_is_an_error():
    with pytest.raises(TimeExpressionError, match="ends 2025-01-01, on or before the issue date 2025-12-03"):
        parse_window("an attack before 2025", ISSUED, CONVENTIONS)


def test_two_separate_years_are_an_error_not_the_first_year():
    with pytest.raises(TimeExpressionError, match="'in 2026 or 2028' names two separate years"):
        parse_window("an attack in 2026 or 2028", ISSUED, CONVENTIONS)


def test_two_statements_in_one_sentence():
    text = "services said Russia could attack before 2030, but reports suggest this could happen within two years"
    windows = find_windows(text, ISSUED, CONVENTIONS)
    assert [w.expression for w in windows] == ["before 2030", "within two years"]
    assert text[slice(*windows[1].offsets)] == "within two years"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 1, 1)))
def test_arbitrary_text_never_crashes_and_never_ends_before_issue(text, issued):
    documented = ("issue date", "empty window", "runs backwards", "not defined")
    try:
        windows = find_windows(text, issued, CONVENTIONS)
    except TimeExpressionError as exc:
        windows, message = [], str(exc)
    else:
        message = "issue date"
    assert any(words in message for words in documented)
    assert all(window.end is None or window.end > issued for window in windows)


sentence_parts = st.sampled_from(
    ["Russia could attack", "an attack is likely", "the threat", "perhaps", "2029", "by", "within", "years", "in",
     "before", "the end of", "this decade", "two", "18 months", "soon", ",", "and", "after the war ends", "not"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(sentence_parts, max_size=10).map(" ".join))
def test_sentences_of_real_words_never_crash(text):
    with contextlib.suppress(TimeExpressionError):  # the documented error is allowed
        find_windows(text, ISSUED, CONVENTIONS)


spans = st.sampled_from(sorted(set(NUMBER_WORDS) - {"a", "an", "a couple of"}) + [str(n) for n in range(1, 40)])


@settings(max_examples=200, deadline=None)
@given(spans, spans, st.sampled_from(["years", "months", "weeks", "days"]))
def test_a_longer_window_is_never_parsed_as_a_shorter_one(a, b, unit):
    first = parse_window(f"within {a} {unit}", ISSUED, CONVENTIONS)
    second = parse_window(f"within {b} {unit}", ISSUED, CONVENTIONS)
    value = lambda word: NUMBER_WORDS.get(word) or int(word)  # noqa: E731
    if value(a) < value(b):
        assert first.end <= second.end
    assert first.end > ISSUED

"""Fuzzing `riskline parse`: a reading or a clear error, never a traceback; nothing found discarded.

Any statement gives a reading (0) or a clear error (2); a parse never discards a window it
found, and never reads a negated phrase as its positive.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from riskline.cli import main
from riskline.language.statements import MAX_STATEMENT_CHARS, StatementTooLongError, TwoEstimatesError, load_reader
from riskline.language.time_expressions import TimeExpressionError, ends_by, find_windows
from tests.conftest import FUZZ, ROOT

PIECES = [
    "likely", "very likely", "could", "almost certainly", "not", "within", "before", "by", "in", "after the ceasefire",
    "two years", "99999 years", "9999999 weeks", "roughly 7974 years", "next year", "the coming months", "2030",
    "9999", "0001", "999%", "30%", "1e309%", "-5%", "1" * 400 + "%", "half", "a decade", "soon", "imminent", ",", ".",
    "🙂", "\x00", "if the war ends,", "between 2027 and 2029", "from 2031 to 2027",
    "will", "should be able to", "allies should expect", "we assess", "in all likelihood", "cannot exclude",
    "my gut tells me", "I think", "I hope I am wrong", "potentially", "possibly", "does not mean", "no intention of",
    "not before", "for now", "one in three", "a 30-40% chance", "the chance", "is about 15 percent", "a 2022 window",
    "or potentially", "in fact", "during this decade", "don't think", "won't", "40-30%", "7 in 3", "in 1950",
    "should not be ruled out", "I would not be surprised if", "30-percent", "possible", "certain",
]  # fmt: skip
ISSUED = ["2025-01-01", "1900-01-01", "2199-12-31", "9999-06-01", "0001-01-01"]


@FUZZ
@given(words=st.lists(st.sampled_from(PIECES), min_size=1, max_size=8), issued=st.sampled_from(ISSUED))
def test_any_statement_is_read_or_refused_clearly(words, issued, capsys):
    try:
        code = main(["parse", " ".join(words), "--issued", issued, "--priors", str(ROOT / "priors")])
    except SystemExit as exit:  # argparse refusing the command line: text that reads as an option, a bad date
        code = exit.code
    said = capsys.readouterr()
    assert code in (0, 2), said.err
    if code == 2:
        assert "error: " in said.err
        assert len(said.err) < 2_000


def test_a_text_longer_than_one_statement_is_refused(capsys):
    """Reading grows with the square of the length: a document is for `extract`, a statement is short."""
    longest = ("within two years " * 200)[:MAX_STATEMENT_CHARS]
    assert main(["parse", longest, "--issued", "2025-01-01", "--priors", str(ROOT / "priors")]) == 0
    capsys.readouterr()
    too_long = longest + " likely"
    assert main(["parse", too_long, "--issued", "2025-01-01", "--priors", str(ROOT / "priors")]) == 2
    assert f"a statement of {len(too_long):,} characters" in capsys.readouterr().err


READER = load_reader(ROOT / "priors", "icd-203")


@FUZZ
@given(words=st.lists(st.sampled_from(PIECES), min_size=1, max_size=10))
def test_a_parse_lists_every_window_it_found_and_uses_one(words):
    text = " ".join(words)
    try:
        parsed = READER.parse(text, date(2025, 1, 1))
    except (TimeExpressionError, TwoEstimatesError, StatementTooLongError):
        return  # documented refusals, each naming what it found (ten 401-character pieces are over 2,000)
    found = find_windows(text, date(2025, 1, 1), READER.conventions, keep_past=True)
    assert list(parsed.windows) == found
    assert (parsed.window is None) == (not [w for w in found if not ends_by(w, date(2025, 1, 1))])
    if parsed.window is not None:  # one of them, or the span of alternatives among them
        assert (
            parsed.window in found
            or parsed.window.expression == text[parsed.window.offsets[0] : parsed.window.offsets[1]]
        )
    assert parsed.probability is None or parsed.unresolved is None


POSITIVE = {  # a phrase, the sentence that says it, and the same sentence negated
    "likely": ("an attack is likely by 2030", ["an attack is not likely by 2030", "it is not at all likely by 2030"]),
    "very likely": ("an attack is very likely by 2030", ["an attack is not very likely by 2030"]),
    "probable": ("an attack is probable by 2030", ["an attack is not probable by 2030"]),
    "almost certain": ("an attack is almost certain by 2030", ["an attack is not almost certain by 2030"]),
    "will": ("Russia will attack by 2030", ["Russia will not attack by 2030", "Russia won't attack by 2030",
                                          "I don't think Russia will attack by 2030"]),
    "would": ("Russia would attack by 2030", ["Russia would not attack by 2030", "Russia wouldn't attack by 2030"]),
    "should": ("Russia should attack by 2030", ["Russia should not attack by 2030"]),
    "could": ("Russia could attack by 2030", ["Russia could not attack by 2030", "Russia couldn't attack by 2030"]),
    "may": ("Russia may attack by 2030", ["Russia may not attack by 2030"]),
    "expect": ("we expect an attack by 2030",
               ["we do not expect an attack by 2030", "we don't expect it by 2030", "it is not expected by 2030"]),
    "disclaimed": ("an attack is likely by 2030", ["that does not mean that an attack is likely by 2030"]),
}  # fmt: skip


@FUZZ
@given(
    phrase=st.sampled_from(sorted(POSITIVE)),
    which=st.integers(0, 2),
    prefix=st.sampled_from(["", "My gut tells me ", "I hope I am wrong. ", "Officials said ", "Possibly "]),
    suffix=st.sampled_from(["", ", in fact within two years", " or potentially in 2031", ". I may be wrong."]),
)
def test_a_negated_phrase_is_never_read_as_its_positive(phrase, which, prefix, suffix):
    positive, negatives = POSITIVE[phrase]
    negative = negatives[which % len(negatives)]
    read = {}
    for text in (positive, negative):
        try:
            parsed = READER.parse(prefix + text + suffix, date(2025, 1, 1))
        except TwoEstimatesError:
            return  # "possibly ... or potentially in 2031": two phrases for two windows, refused as such
        read[text] = parsed.probability
    if read[positive] is not None and read[negative] is not None:
        assert (read[negative].low, read[negative].high) != (read[positive].low, read[positive].high)
        assert read[negative].high <= read[positive].high or phrase in {"could", "may"}

"""Fuzzing `riskline parse`: any statement gives a reading (0) or a clear error (2), never a traceback."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from riskline.cli import main
from riskline.language.statements import MAX_STATEMENT_CHARS
from tests.conftest import FUZZ, ROOT

PIECES = [
    "likely", "very likely", "could", "almost certainly", "not", "within", "before", "by", "in", "after the ceasefire",
    "two years", "99999 years", "9999999 weeks", "roughly 7974 years", "next year", "the coming months", "2030",
    "9999", "0001", "999%", "30%", "1e309%", "-5%", "1" * 400 + "%", "half", "a decade", "soon", "imminent", ",", ".",
    "🙂", "\x00", "if the war ends,", "between 2027 and 2029", "from 2031 to 2027",
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

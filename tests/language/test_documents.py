"""Documents with many dates: compiled reading lists, dates stated in the text, what extract drops and why.

The sentences are real: Adm. Phil Davidson to the Senate Armed Services Committee on
9 March 2021 (USNI News), Gen. Mike Minihan's memo sent on 27 January 2023 (The Washington
Times; The Daily Caller), Adm. Mike Gilday at the Atlantic Council on 19 October 2022
(NewsGram/RFA), CIA Director William Burns at Georgetown on 2 February 2023 (Reuters); the
reading list seeds/2026-12-06-reading-list-us-officials-taiwan.md gives each URL.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskline.cli import main
from riskline.errors import ConfigError
from riskline.files.seeds import Seed, SeedEntry, SeedMeta, read_seed
from riskline.language.extract import NOT_A_SOURCE, extract
from riskline.language.stated_dates import stated_date
from riskline.language.statements import load_reader

from ..conftest import FUZZ, ROOT

READING_LIST = ROOT / "seeds" / "2026-12-06-reading-list-us-officials-taiwan.md"
FRONT = "---\ntitle: Officials on Taiwan\noutlet: test\npublished: {published}\nlanguage: en\n---\n"
DAVIDSON = ("On 9 March 2021, Adm. Phil Davidson told the Senate Armed Services Committee: “Taiwan is clearly one "
            "of their ambitions before then. And I think the threat is manifest during this decade, in fact in the "
            "next six years.”")  # fmt: skip
MINIHAN = "“I hope I am wrong. My gut tells me we will fight in 2025,” he wrote in the memo first obtained by NBC News."


@pytest.fixture(scope="module")
def reader():
    return load_reader(ROOT / "priors", "icd-203")


def _seed(tmp_path: Path, body: str, published: str = "2026-12-06") -> Seed:
    path = tmp_path / "document.md"
    path.write_text(FRONT.format(published=published) + body, encoding="utf-8")
    return read_seed(path)


def test_each_paragraph_takes_the_date_its_text_gives(tmp_path, reader):
    body = f"{DAVIDSON}\n\nOn 27 January 2023, Gen. Mike Minihan sent a memo to his commanders. {MINIHAN}\n"
    extraction = extract(_seed(tmp_path, body), reader)
    by_window = {c.window.expression: c for c in extraction.candidates}
    assert by_window["in the next six years"].issued == date(2021, 3, 9)
    assert by_window["in the next six years"].window.end == date(2027, 3, 9)  # six years from the hearing
    assert by_window["in 2025"].issued == date(2023, 1, 27)
    assert by_window["in 2025"].reasons[0] == "issued 2023-01-27: the date the text gives ('On 27 January 2023')"
    assert extraction.dropped == []


def test_a_window_that_ended_before_the_date_is_listed_with_why(tmp_path, reader):
    undated = f"Gen. Mike Minihan sent a memo to his commanders. {MINIHAN}\n"  # read as of the document's date
    extraction = extract(_seed(tmp_path, undated), reader)
    assert extraction.candidates == []
    [dropped] = extraction.dropped
    assert dropped.quote.startswith("My gut tells me we will fight in 2025")
    assert dropped.issued == date(2026, 12, 6)
    assert "the date of the document" in dropped.reason
    assert "'in 2025' ends 2026-01-01, on or before the issue date 2026-12-06" in dropped.reason


def test_a_date_later_than_the_document_is_not_its_issue_date(tmp_path, reader):
    text = "On 1 January 2030, Russia could attack within two years."  # a future date is what is forecast
    [candidate] = extract(_seed(tmp_path, text, published="2025-12-03"), reader).candidates
    assert candidate.issued == date(2025, 12, 3)


def test_every_candidate_under_min_score_is_listed_with_its_score(reader):
    seed = read_seed(ROOT / "seeds" / "2025-12-03-el-mundo-rutte-nato.md")
    everything = extract(seed, reader)
    kept = extract(seed, reader, min_score=0.75)
    assert len(kept.candidates) + len(kept.dropped) == len(everything.candidates) + len(everything.dropped)
    assert len(kept.candidates) == 2
    assert {d.reason.split(" is under")[0] for d in kept.dropped} == {
        f"score {c.score:.2f}" for c in everything.candidates if c.score < 0.75
    }


def test_the_reading_list_dates_each_entry_by_its_heading(reader):
    seed = read_seed(READING_LIST)
    assert [e.issued for e in seed.entries] == [date(2021, 3, 9), date(2022, 10, 19), date(2023, 1, 27),
                                               date(2023, 2, 2)]  # fmt: skip
    assert seed.entries[0].outlet == "USNI News"
    assert seed.entries[0].url.startswith("https://news.usni.org/2021/03/09/")
    extraction = extract(seed, reader)
    by_window = {c.window.expression if c.window else None: c for c in extraction.candidates}
    assert by_window["in the next six years"].issued == date(2021, 3, 9)
    assert by_window["in 2025"].issued == date(2023, 1, 27)  # read from 2023: the window is open
    assert by_window["in 2027"].issued == date(2023, 2, 2)
    gilday = by_window["a 2022 window or potentially a 2023 window"]  # one window spanning both (issue 20, reading)
    assert gilday.quote.startswith("“When we talk about the 2027 window")
    assert gilday.issued == date(2022, 10, 19)
    assert len(extraction.candidates) == 4  # one per statement, whatever the number of windows in it
    for candidate in extraction.candidates:
        assert seed.text[slice(*candidate.offsets)] == candidate.quote
        assert candidate.source == candidate.entry.speaker
    assert extraction.dropped == []


def test_a_reading_list_entry_without_a_time_expression_is_proposed_whole(tmp_path, reader):
    path = tmp_path / "list.md"
    path.write_text(
        FRONT.format(published="2026-12-06").replace("language: en\n", "language: en\ncompiled: true\n")
        + "## 2023-02-02 · WTOP\nurl: https://wtop.com/world/2023/02/i-wouldnt-underestimate-xis-ambitions-for-"
        "taiwan-says-cia-director/\nspeaker: William Burns, Director of the CIA\n\n“Our assessment at CIA is that "
        "I wouldn’t underestimate President Xi’s ambitions with regard to Taiwan,” Burns said\n",
        encoding="utf-8",
    )
    [candidate] = extract(read_seed(path), reader).candidates
    assert candidate.window is None
    assert candidate.quote.startswith("“Our assessment at CIA")
    assert candidate.reasons[1] == "no time expression read in the entry: give its window by hand (docs/scenarios.md)"
    assert candidate.source == "William Burns, Director of the CIA"


def test_a_window_after_a_disclaimer_is_not_asserted(reader):
    extraction = extract(read_seed(READING_LIST), reader)
    [burns] = [c for c in extraction.candidates if c.issued == date(2023, 2, 2)]
    assert burns.disclaimer == "does not mean"
    assert burns.phrase is None
    assert burns.probability is None


def test_the_introduction_of_a_reading_list_is_not_read(reader):
    seed = read_seed(READING_LIST)
    intro_end = seed.entries[0].start
    assert all(c.offsets[0] >= intro_end for c in extract(seed, reader).candidates)


@pytest.mark.parametrize(
    "sentence",
    [
        "My gut tells me we will fight in 2025.",
        "I believe Russia could attack within two years.",
        "We assess that Russia could attack NATO within two years.",
        "Our experts expect that this could happen within two years.",
        "He said that China could attack Taiwan before 2027.",
    ],
)
def test_a_hedge_or_a_pronoun_is_never_the_source(tmp_path, reader, sentence):
    [candidate] = extract(_seed(tmp_path, sentence, published="2023-01-27"), reader).candidates
    assert candidate.source is None


def test_a_named_source_before_a_reporting_verb_is_kept(tmp_path, reader):
    text = "Intelligence services pointed out that Russia could attack before 2030."
    [candidate] = extract(_seed(tmp_path, text, published="2025-12-03"), reader).candidates
    assert candidate.source == "Intelligence services"


HEDGES = ["My gut tells me", "I think", "I believe", "We assess that", "Our sources say", "In my view,", "They said"]


@FUZZ
@given(
    hedge=st.sampled_from(HEDGES),
    middle=st.text(alphabet=st.characters(codec="ascii", categories=["L", "Zs"]), max_size=40),
)
def test_no_hedge_ever_becomes_a_source(reader, hedge, middle):
    text = f"{hedge} {middle} could attack before 2030."
    entry = SeedEntry(date(2025, 12, 3), "test", None, None, None, False, 0, len(text), 1, compiled=False)
    meta = SeedMeta(title="t", outlet="test", published=date(2025, 12, 3), language="en")
    for candidate in extract(Seed(Path("x.md"), meta, text, 0, (entry,)), reader).candidates:
        assert candidate.source is None or not NOT_A_SOURCE.match(candidate.source)


def test_extract_json_lists_candidates_and_dropped(capsys):
    assert main(["extract", str(READING_LIST), "--json", "--min-score", "0.5"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [c["issued"] for c in out["candidates"]] == ["2023-01-27", "2022-10-19", "2023-02-02"]
    assert out["candidates"][0]["provenance"]["url"].startswith("https://highergroundtimes.com/")
    [davidson] = out["dropped"]  # one statement, one piece, whatever its windows
    assert davidson["reason"].startswith("score 0.40 is under --min-score 0.5 (window 'in the next six years')")
    assert "note: 1 piece(s) of text read but not proposed" in captured.err


ENTRY = "## 2021-03-09 · USNI News\nurl: https://news.usni.org/x\n\nThe threat is manifest in the next six years.\n"


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        (ENTRY.replace("2021-03-09", "9 March"), 8, "entry: expected a date like 2021-03-09 after '## ', got '9'"),
        (ENTRY.replace(" · USNI News", ""), 8, "entry: give the outlet after the date"),
        (ENTRY.replace("url: https://news.usni.org/x\n", ""), 8, "url: every entry needs 'url: ...'"),
        (ENTRY.replace("url:", "speaker: Adm. Phil Davidson\nspeeker: x\nurl:"), 10,
         "speeker: unknown key in an entry; did you mean 'speaker'?"),
        (ENTRY.replace("url:", "paraphrase: yes\nurl:"), 9, "paraphrase: expected true or false, got 'yes'"),
        (ENTRY.replace("The threat is manifest in the next six years.\n", ""), 8, "entry: the entry has no text"),
        ("No entry here.\n", 8, "no entry found; a compiled document (compiled: true) holds entries"),
    ],
)  # fmt: skip
def test_a_malformed_entry_names_file_line_and_fix(tmp_path, entry, line, message):
    path = tmp_path / "list.md"
    compiled = FRONT.format(published="2026-12-06").replace("language: en\n", "language: en\ncompiled: true\n")
    path.write_text(compiled + entry, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_seed(path)
    assert any(issue.line == line and message in str(issue) for issue in caught.value.issues), str(caught.value)


@FUZZ
@given(
    paragraphs=st.lists(
        st.one_of(
            st.sampled_from(
                [DAVIDSON, MINIHAN, "On 27 January 2023, he wrote a memo.", "Russia could attack by 2030."]
            ),
            st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=80),
        ),
        max_size=4,
    )
)
def test_whatever_the_text_every_piece_read_is_a_candidate_or_listed_as_dropped(reader, paragraphs):
    text = "\n\n".join(paragraphs)
    entry = SeedEntry(date(2024, 6, 1), "test", None, None, None, False, 0, len(text), 1, compiled=False)
    meta = SeedMeta(title="t", outlet="test", published=date(2024, 6, 1), language="en")
    extraction = extract(Seed(Path("x.md"), meta, text, 0, (entry,)), reader, min_score=0.5)
    for piece in [*extraction.candidates, *extraction.dropped]:
        assert text[slice(*piece.offsets)] == piece.quote
        assert piece.issued <= date(2024, 6, 1)
    assert all(c.score >= 0.5 for c in extraction.candidates)
    assert all(d.reason for d in extraction.dropped)
    everything = extract(Seed(Path("x.md"), meta, text, 0, (entry,)), reader)
    assert len(everything.candidates) + len(everything.dropped) == len(extraction.candidates) + len(
        extraction.dropped
    )  # the threshold moves candidates to the dropped list, never out of sight


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("On 27 January 2023, Gen. Mike Minihan sent a memo", date(2023, 1, 27)),
        ("Burns said on Thursday, 2 February 2023 that", date(2023, 2, 2)),
        ("the memo, dated Feb. 1, 2023, said", date(2023, 2, 1)),
        ("he testified on 2021-03-09", date(2021, 3, 9)),
        ("In March 2021, Davidson said", date(2021, 3, 1)),  # to the month: read from its first day, and said so
        ("On Wednesday, Gilday said", None),
        ("an attack on 1 January 2030", None),  # later than the document: what is forecast
        ("On 31 February 2023, nothing", None),
    ],
)
def test_a_stated_date_must_not_be_after_the_document(sentence, expected):
    found = stated_date(sentence, latest=date(2026, 12, 6))
    assert (found.day if found else None) == expected

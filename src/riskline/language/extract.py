"""Candidate estimates from a document: `riskline extract seeds/FILE`.

A candidate is a statement: a clause holding a time expression, ideally with a probability
phrase or modal hedge ("intelligence services pointed out that Russia could attack before
2030"), read as `riskline parse` reads it. One clause gives one candidate, however many
windows it names ("during this decade, in fact in the next six years"): every window and
phrase found is listed with which one was used and why, as `parse` lists them. Only a clause
that gives different phrases to different windows ("unlikely before 2027 and likely by
2030") is two statements, split after the first one's window. A clause boundary at ";" does
not part a window from the phrase that qualifies it: when one side has a time expression
and no phrase and the other a phrase and no time expression ("a 2022 window or potentially
a 2023 window; I can't rule it out"), they are one statement.

For each candidate the extractor gives the quote and its character offsets in the file, the
date it was issued (the entry's date in a compiled reading list, a date the text states
such as "On 27 January 2023, ..." or, to the month only, "In January 2023, ...", else the
document's), the reading relative to that date, the actor and the source where it can find
them, and a score of how sure it is, with the reasons. What it read but does not propose (a
window that ended before its date, a score under the threshold, an entry with no time
expression) is listed with the reason, never dropped silently. It proposes; the analyst
decides.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from riskline.files.seeds import Seed, SeedEntry
from riskline.language.phrases import PhraseMatch, disclaimer_before, find_probability_phrases
from riskline.language.probability import StatedProbability
from riskline.language.stated_dates import stated_date
from riskline.language.statements import (
    ParsedStatement,
    Reader,
    StatementTooLongError,
    TwoEstimatesError,
    UnresolvedPhrase,
)
from riskline.language.time_expressions import ParsedWindow, TimeExpressionError, find_windows

__all__ = [
    "Candidate",
    "Dropped",
    "Extraction",
    "dropped_comments",
    "estimate_yaml",
    "extract",
    "render_yaml",
    "window_slug",
]

SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘(]?[A-Z0-9])|\n\s*\n|\n(?=[A-Z\"“])")
PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
CLAUSE_BREAK = re.compile(r",?\s+\b(?:but|while|whereas|although|however)\b\s+|;\s+", re.IGNORECASE)
LEADING_ADVERBIAL = re.compile(r"(?:[\w’'-]+\s+){0,3}[\w’'-]+,\s+")  # "Until recently, ..."
REPORTING = re.compile(
    r"^(?P<source>.+?)\s+(?:has\s+|have\s+)?(?:pointed\s+out|said|says|suggest(?:s|ed)?|warn(?:s|ed)?|stated?|states"
    r"|assess(?:es|ed)?|believes?|believed|estimates?|estimated|expects?|expected|indicated?|indicates|predicts?"
    r"|predicted|judges?|judged|reported|reports|told|tells|claims?|claimed|wrote|writes)\b",
    re.IGNORECASE,
)
ACCORDING = re.compile(r"according\s+to\s+(?P<source>[^,.;]+)", re.IGNORECASE)
ACTOR = re.compile(r"(?P<actor>(?:[A-Z][\w-]*\s+)*[A-Z][\w-]*|this|it|they|he|she)\s+(?:\w+\s+)?$")
TOPIC = re.compile(r"\b(?:attack\w*|war|invad\w*|invasion|military|force|forces|troops?|strike|aggression|conflict"
                   r"|fight\w*)\b", re.IGNORECASE)  # fmt: skip
FIRST_PERSON = r"(?:i|me|my|mine|we|us|our|ours)"
NOT_A_SOURCE = re.compile(r"^(?:" + FIRST_PERSON + r"|you|your|he|him|his|she|her|it|its|they|them|their|this|that"
                          r"|these|those|there)\b", re.IGNORECASE)  # fmt: skip
"""Words a source never starts with: a hedge ("My gut tells me", "I believe") or a pronoun names nobody."""


@dataclass(frozen=True)
class Dated:
    """The date a piece of text was issued on, and how it was found (the first of a candidate's reasons).

    `words` are the file offsets of the date's own words in the text, which are no window;
    `precision` is "month" for a date the text gives without its day.
    """

    day: date
    how: str
    words: tuple[int, int] | None = None
    precision: Literal["day", "month"] = "day"


@dataclass(frozen=True)
class Candidate:
    """One proposed estimate: a statement's quote, where it is, its date, `parse`'s reading of it, and the rest."""

    quote: str
    offsets: tuple[int, int]
    dated: Dated
    reading: ParsedStatement
    disclaimer: str | None
    actor: str | None
    source: str | None
    score: float
    entry: SeedEntry
    reasons: list[str] = field(default_factory=list)

    @property
    def issued(self) -> date:
        return self.dated.day

    @property
    def window(self) -> ParsedWindow | None:
        """The window the estimate rests on (offsets within the quote)."""
        return self.reading.window

    @property
    def phrase(self) -> PhraseMatch | None:
        return self.reading.phrase

    @property
    def probability(self) -> StatedProbability | None:
        return self.reading.probability

    @property
    def unresolved(self) -> UnresolvedPhrase | None:
        return self.reading.unresolved

    @property
    def kind(self) -> str:
        return self.reading.kind

    @property
    def confidence(self) -> str | None:
        return self.reading.confidence

    def as_dict(self, seed_path: str) -> dict:
        """JSON-ready: the reading as `riskline parse --json` gives it (offsets within the quote), and the rest."""
        reading = self.reading.as_dict()
        del reading["text"], reading["issued"]  # the quote and the issue date are the candidate's own
        return {
            "quote": self.quote,
            "provenance": {
                "seed": seed_path,
                "offsets": list(self.offsets),
                "outlet": self.entry.outlet,
                "url": self.entry.url,
            },
            "issued": self.issued.isoformat(),
            "issued_precision": self.dated.precision,
            **reading,
            "disclaimer": self.disclaimer,
            "actor": self.actor,
            "source": self.source,
            "paraphrase": self.entry.paraphrase,
            "score": self.score,
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Dropped:
    """Text that was read but is not proposed, and why."""

    quote: str
    offsets: tuple[int, int]
    issued: date
    reason: str

    def as_dict(self) -> dict:
        return {"quote": self.quote, "offsets": list(self.offsets), "issued": self.issued.isoformat(),
                "reason": self.reason}  # fmt: skip


@dataclass(frozen=True)
class Extraction:
    """What `extract` found in a document: the candidates, best first, and what it dropped, in reading order."""

    candidates: list[Candidate]
    dropped: list[Dropped]

    def as_dict(self, seed_path: str) -> dict:
        """The JSON of `riskline extract --json`."""
        return {"candidates": [c.as_dict(seed_path) for c in self.candidates],
                "dropped": [d.as_dict() for d in self.dropped]}  # fmt: skip


def extract(seed: Seed, reader: Reader, min_score: float = 0.0) -> Extraction:
    """Every statement of the seed's entries with a time expression, best candidates first.

    Candidates scoring under `min_score` are listed as dropped, with their score.
    """
    found: list[Candidate] = []
    dropped: list[Dropped] = []
    for entry in seed.entries:
        before = len(found) + len(dropped)
        for sentence, dated in _dated_sentences(seed.text, entry):
            for start, end in _statements(seed.text, *sentence, reader, dated.day):
                _read_statement(seed.text, start, end, dated, entry, reader, found, dropped)
        if entry.compiled and len(found) + len(dropped) == before:  # a listed statement is proposed whole
            _read_statement(seed.text, entry.start, entry.end, _entry_date(entry), entry, reader, found, dropped)
    kept = [c for c in found if c.score >= min_score]
    dropped += [Dropped(c.quote, c.offsets, c.issued, f"score {c.score:.2f} is under --min-score {min_score:g} "
                        f"({_window_words(c)})") for c in found if c.score < min_score]  # fmt: skip
    dropped.sort(key=lambda d: d.offsets[0])
    return Extraction(sorted(kept, key=lambda c: (-c.score, c.offsets[0])), dropped)


def _entry_date(entry: SeedEntry) -> Dated:
    return Dated(entry.issued, f"issued {entry.issued}: the date of {entry.describe()}")


def _dated_sentences(text: str, entry: SeedEntry) -> list[tuple[tuple[int, int], Dated]]:
    """The entry's sentences, each with the date it was issued on.

    In a compiled document the entry's heading dates every sentence. Elsewhere a date the
    text gives ("On 27 January 2023, Gen. Minihan wrote"; "In January 2023, ..." to the
    month) dates its sentence and the rest of the paragraph, when it is not later than the
    document; else the document's date.
    """
    default = _entry_date(entry)
    sentences = []
    for paragraph in _spans(text, entry.start, entry.end, PARAGRAPH_END):
        dated = default
        for start, end in _spans(text, *paragraph, SENTENCE_END):
            stated = None if entry.compiled else stated_date(text[start:end], entry.issued)
            if stated is not None:
                words = (start + stated.span[0], start + stated.span[1])
                dated = Dated(stated.day, f"issued {stated.day}: {stated.describe()}", words, stated.precision)
            sentences.append(((start, end), dated))
    return sentences


def _spans(text: str, start: int, end: int, separator: re.Pattern) -> list[tuple[int, int]]:
    """Pieces of text[start:end] between separators, as (start, end) without outer blanks."""
    return [piece for piece, _ in _pieces(text, start, end, separator)]


def _pieces(text: str, start: int, end: int, separator: re.Pattern) -> list[tuple[tuple[int, int], str]]:
    """Pieces of text[start:end] between separators, without outer blanks, each with the separator after it."""
    pieces, cursor = [], start
    for match in separator.finditer(text, start, end):
        pieces.append(((cursor, match.start()), match[0]))
        cursor = match.end()
    pieces.append(((cursor, end), ""))
    trimmed = []
    for (a, b), after in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in ".;,:"):
            b -= 1
        if b > a:
            trimmed.append(((a, b), after))
    return trimmed


def _statements(text: str, start: int, end: int, reader: Reader, issued: date) -> list[tuple[int, int]]:
    """The sentence's clauses, a clause with only a window and the one beside it at ';' with only a phrase joined.

    "that has to be a 2022 window or potentially a 2023 window; I can't rule it out": the
    phrase after the semicolon qualifies the window before it, so the two are one statement.
    """
    pieces = _pieces(text, start, end, CLAUSE_BREAK)
    statements: list[tuple[int, int]] = []
    joinable, previous = False, None  # whether the last statement may take the next clause across its ";"
    for (a, b), after in pieces:
        has = _has_window_or_phrase(text[a:b], reader, issued)
        if statements and joinable and has != previous and None not in (has, previous):
            statements[-1] = (statements[-1][0], b)
            joinable = False
        else:
            statements.append((a, b))
            joinable, previous = after.startswith(";"), has
    return statements


def _has_window_or_phrase(clause: str, reader: Reader, issued: date) -> str | None:
    """'window' for a clause with a time expression and no phrase, 'phrase' for the reverse, else None."""
    try:
        windows = bool(find_windows(clause, issued, reader.conventions, keep_past=True))
    except TimeExpressionError:
        windows = True  # an expression was found, if not a usable one
    phrases = any(m.disclaimed_by is None for m in find_probability_phrases(clause, reader.lexicon,
                                                                             set(reader.vocabulary)))  # fmt: skip
    return "window" if windows and not phrases else "phrase" if phrases and not windows else None


def _read_statement(text: str, start: int, end: int, dated: Dated, entry: SeedEntry, reader: Reader,
                    found: list[Candidate], dropped: list[Dropped]) -> None:  # fmt: skip
    """The candidate of text[start:end] when it holds a time expression (or is a whole entry), or why it is dropped.

    Two estimates in it ("unlikely before 2027 and likely by 2030") are read as two statements.
    """
    whole_entry = (start, end) == (entry.start, entry.end)
    lead = LEADING_ADVERBIAL.match(text, start, end)
    if lead and not TOPIC.search(lead[0]) and not whole_entry:  # "Until recently, ...", "On 27 January 2023, ..."
        start = lead.end()
    clause = text[start:end]
    if dated.words and start <= dated.words[0] and dated.words[1] <= end:  # "In March 2021" dates it: no window
        a, b = dated.words[0] - start, dated.words[1] - start
        clause = clause[:a] + " " * (b - a) + clause[b:]
    try:
        reading = reader.parse(clause, dated.day)
    except TwoEstimatesError as two:
        second = start + two.at
        _read_statement(text, start, second, dated, entry, reader, found, dropped)
        while second < end and (text[second].isspace() or text[second] in ".,;:…–—-"):  # "... our experts expect"
            second += 1
        _read_statement(text, second, end, dated, entry, reader, found, dropped)
        return
    except (TimeExpressionError, StatementTooLongError) as exc:
        dropped.append(Dropped(text[start:end], (start, end), dated.day, f"{dated.how}; {exc}"))
        return
    if reading.windows or whole_entry:
        found.append(_candidate(text, start, end, reading, dated, entry))


def _candidate(text: str, start: int, end: int, reading: ParsedStatement, dated: Dated,
               entry: SeedEntry) -> Candidate:  # fmt: skip
    """The candidate of text[start:end], read as `reading`, with its reasons and score."""
    clause = text[start:end]
    window, phrase, probability, why = reading.window, reading.phrase, reading.probability, reading.why
    reasons = [dated.how]
    if window is None:
        reasons.append("no time expression read in the entry: give its window by hand (docs/scenarios.md)")
        score = 0.0
    else:
        reasons.append(f"window '{window.expression}': {window.reasoning}")
        score = 0.3 if window.relative_to is None and window.end is not None else 0.2
    if len(reading.windows) > 1:
        said = ", ".join(f"'{w.expression}'" for w in reading.windows)
        reasons.append(f"windows found: {said}; used {why['window']}")
    disclaimer = _disclaimer(reading)
    if disclaimer is not None:  # "does not mean that he's decided to ... in 2027": the window is not asserted
        reasons.append(f"the window follows '{disclaimer}', so it is not asserted: no estimate for it as it stands")
    if phrase is None:
        if disclaimer is None:
            reasons.append("no probability phrase or hedge: not an estimate unless the context gives one")
    elif probability is not None:
        score += 0.3
        reasons.append(f"phrase '{phrase.text}' = {probability.describe()}")
    else:
        score += 0.1
        lexicon = reading.unresolved.lexicon if reading.unresolved else ""
        reasons.append(f"'{phrase.phrase}' is not in lexicon '{lexicon}'{_defined_in(reading.unresolved)}: choose a "
                       "phrase or a number")  # fmt: skip
    if phrase is not None and len(reading.phrases) > 1:
        said = ", ".join(f"'{p.text}'" for p in reading.phrases)
        reasons.append(f"phrases found: {said}; used {why['phrase']}")
    if reading.negations:
        reasons.append(f"check the event: the clause negates {_said(reading.negations)}, not the phrase, so "
                       f"'{phrase.text if phrase else ''}' may assert that event's opposite")  # fmt: skip
    if reading.hunches or reading.confidence is not None:
        reasons.append(f"confidence: {why['confidence']}")
    before = clause[: phrase.offsets[0]] if phrase else clause[: window.offsets[0]] if window else ""
    actor = _actor(before)
    source = entry.speaker or _source(before)
    if actor:
        score += 0.1
    if source:
        score += 0.1
        reasons.append(f"source: '{source}'" + (" (the entry's speaker)" if entry.speaker else ""))
    if TOPIC.search(clause):
        score += 0.2
    else:
        reasons.append("no words of armed conflict in the clause")
    return Candidate(clause, (start, end), dated, reading, disclaimer, actor, source, round(min(score, 1.0), 2),
                     entry, reasons)  # fmt: skip


def _disclaimer(reading: ParsedStatement) -> str | None:
    """The disclaimer ('does not mean') before the statement's window when it leaves no estimate: not asserted."""
    if reading.window is None or reading.phrase is not None:
        return None
    return disclaimer_before(reading.text, reading.window.offsets[0])


def _said(words: tuple[str, ...]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def _actor(before: str) -> str | None:
    """Who would act: the capitalised words (or pronoun) before the phrase, never the speaker's own 'I' or 'We'."""
    match = ACTOR.search(before)
    if match is None or re.fullmatch(FIRST_PERSON, match["actor"], re.IGNORECASE):
        return None
    return match["actor"]


def _source(before: str) -> str | None:
    """Who says it: the words before a reporting verb or after 'according to'; never a hedge or a pronoun."""
    match = ACCORDING.search(before) or REPORTING.match(before)
    if match is None:
        return None
    source = match["source"].strip(" \"“”‘’'")
    if NOT_A_SOURCE.match(source) or len(source.split()) > 10:
        return None
    return source


def render_yaml(extraction: Extraction, seed_path: str) -> str:
    """Candidates as `estimates:` entries to paste into a scenario, reasons as comments, then what was dropped.

    `event` and `source` are left for the analyst to name (a scenario check points at them).
    """
    lines = ["# Candidate estimates; paste the ones you keep under `estimates:` in a scenario.",
             "# Set `event` and `source` to ids of your scenario (riskline check tells what is missing).",
             "estimates:"]  # fmt: skip
    for number, c in enumerate(extraction.candidates, start=1):
        lines.append(f"  # candidate {number}, score {c.score:.2f}")
        lines.extend(f"  #   {reason}" for reason in c.reasons)
        source = f"TODO: name the source ({json.dumps(c.source, ensure_ascii=False) if c.source else 'not found'})"
        event = f"TODO: name the event (actor: {json.dumps(c.actor) if c.actor else 'not found'})"
        lines.extend(estimate_yaml(c, seed_path, _slug(c), source, event))
    lines.extend(dropped_comments(extraction.dropped))
    return "\n".join(lines) + "\n"


def estimate_yaml(c: Candidate, seed_path: str, estimate_id: str, source: str, event: str) -> list[str]:
    """The lines of one `estimates:` entry for candidate `c`; a probability not read in the lexicon is a TODO."""
    provenance = f"{{seed: {seed_path}, offsets: [{c.offsets[0]}, {c.offsets[1]}]"
    if c.entry.compiled:
        provenance += f", outlet: {json.dumps(c.entry.outlet, ensure_ascii=False)}, url: {json.dumps(c.entry.url)}"
    lines = [
        f"  - id: {estimate_id}",
        f"    source: {json.dumps(source, ensure_ascii=False)}",
        f"    issued: {_issued(c)}",
        f"    event: {json.dumps(event, ensure_ascii=False)}",
        f"    kind: {c.kind}",
        f"    quote: {json.dumps(c.quote, ensure_ascii=False)}",
        f"    provenance: {provenance}}}",
    ]
    if c.entry.paraphrase:
        lines.append("    paraphrase: true")
    if c.window is None:
        window = 'expression: "TODO: no time expression read; the window in words, or as dates"'
    elif c.window.end is None and c.window.relative_to is None:  # "for now", "from 2029": no end to read
        asked = f"TODO: {c.window.expression!r} gives no end: the window in words, or as dates"
        window = f"expression: {json.dumps(asked, ensure_ascii=False)}"
    else:
        window = f"expression: {json.dumps(c.window.expression, ensure_ascii=False)}"
    if c.window is not None and c.window.relative_to is not None:
        said = json.dumps(c.window.relative_to, ensure_ascii=False)[1:-1]
        window += f", after: \"TODO: the event of the scenario that '{said}' names (it starts the clock)\""
    lines.append(f"    window: {{{window}}}")
    lines.append(f"    probability: {json.dumps(_probability(c), ensure_ascii=False)}")
    if c.confidence:
        lines.append(f"    confidence: {c.confidence}")
    return lines


def _issued(c: Candidate) -> str:
    """The issue date; a TODO asking for the day when the text gives only the month."""
    if c.dated.precision == "day":
        return c.issued.isoformat()
    asked = f"TODO: the day in {c.issued:%B %Y} the words were said or written (the text gives only the month; "
    return json.dumps(asked + f"read from {c.issued.isoformat()})")


def _probability(c: Candidate) -> str:
    """The phrase as the lexicon reads it, or a TODO saying what was (not) read."""
    if c.probability is not None and c.reading.negations:
        return (
            f"TODO: '{c.phrase.text if c.phrase else c.probability.text}' reads as {c.probability.describe()}, "
            f"but the quote also negates {_said(c.reading.negations)}: give the probability of the event "
            f"(its opposite, e.g. 'will not', if the event is what is negated; else '{c.probability.text}')"
        )
    if c.probability is not None:
        return c.probability.text
    if c.disclaimer is not None:
        return (f"TODO: the window follows '{c.disclaimer}', so the quote does not assert it; give the probability "
                "the speaker implies, or delete this estimate")  # fmt: skip
    if c.phrase is not None and c.unresolved is not None:
        return (f"TODO: '{c.phrase.phrase}' (as written: '{c.phrase.text}') is not in lexicon "
                f"'{c.unresolved.lexicon}'{_defined_in(c.unresolved)}")  # fmt: skip
    return "TODO: no probability phrase read in the quote"


def _defined_in(unresolved: UnresolvedPhrase | None) -> str:
    """' (defined in: capphrase, uk-phia)', or ' (in no lexicon)'."""
    if unresolved is None:
        return ""
    return f" (defined in: {', '.join(unresolved.defined_in)})" if unresolved.defined_in else " (in no lexicon)"


def dropped_comments(dropped: list[Dropped]) -> list[str]:
    """What was read but not proposed, as YAML comments: offsets, quote and reason."""
    if not dropped:
        return []
    lines = [f"# Read but not proposed ({len(dropped)}), with why:"]
    for item in dropped:
        quote = json.dumps(item.quote if len(item.quote) <= 100 else item.quote[:99] + "…", ensure_ascii=False)
        lines.append(f"#   [{item.offsets[0]}, {item.offsets[1]}] {quote}")
        lines.append(f"#     {item.reason}")
    return lines


def _window_words(c: Candidate) -> str:
    return f"window '{c.window.expression}'" if c.window else "no window read"


def window_slug(c: Candidate) -> str:
    """A few words naming the candidate's window, for its id: 'in-the-next-six-years', or 'no-window'."""
    return "-".join(re.findall(r"[a-z0-9]+", c.window.expression.lower())) if c.window else "no-window"


def _slug(candidate: Candidate) -> str:
    words = re.findall(r"[a-z0-9]+", f"{candidate.actor or ''} {window_slug(candidate)}".lower())
    return "-".join(words[:8]) or "candidate"

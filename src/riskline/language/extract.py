"""Candidate estimates from a document: `riskline extract seeds/FILE`.

A candidate is a clause holding a time expression, ideally with a probability phrase or
modal hedge: "intelligence services pointed out that Russia could attack before 2030".
For each one the extractor gives the quote and its character offsets in the file, the
window read relative to the document's date, the phrase, the kind, the actor and the
source where it can find them, and a score of how sure it is, with the reasons. It
proposes; the analyst decides (and names the scenario's event and source).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date

from riskline.errors import LexiconError
from riskline.files.seeds import Seed
from riskline.language.phrases import PhraseMatch, find_probability_phrase
from riskline.language.probability import StatedProbability, parse_probability
from riskline.language.statements import Reader, statement_confidence, statement_kind
from riskline.language.time_expressions import ParsedWindow, TimeExpressionError, find_windows

__all__ = ["Candidate", "extract_candidates", "render_yaml"]

SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘(]?[A-Z0-9])|\n\s*\n|\n(?=[A-Z\"“])")
CLAUSE_BREAK = re.compile(r",?\s+\b(?:but|while|whereas|although|however)\b\s+|;\s+", re.IGNORECASE)
LEADING_ADVERBIAL = re.compile(r"(?:[\w’'-]+\s+){0,3}[\w’'-]+,\s+")  # "Until recently, ..."
REPORTING = re.compile(
    r"^(?P<source>.+?)\s+(?:has\s+|have\s+)?(?:pointed\s+out|said|says|suggest(?:s|ed)?|warn(?:s|ed)?|stated?|states"
    r"|assess(?:es|ed)?|believes?|believed|estimates?|estimated|expects?|expected|indicated?|indicates|predicts?"
    r"|predicted|judges?|judged|reported|reports|told|tells|claims?|claimed)\b",
    re.IGNORECASE,
)
ACCORDING = re.compile(r"according\s+to\s+(?P<source>[^,.;]+)", re.IGNORECASE)
ACTOR = re.compile(r"(?P<actor>(?:[A-Z][\w-]*\s+)*[A-Z][\w-]*|this|it|they|he|she)\s+(?:\w+\s+)?$")
TOPIC = re.compile(r"\b(?:attack\w*|war|invad\w*|invasion|military|force|forces|troops?|strike|aggression|conflict)\b",
                   re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """One proposed estimate, with everything the extractor could read from its clause."""

    quote: str
    offsets: tuple[int, int]
    issued: date
    window: ParsedWindow
    phrase: PhraseMatch | None
    probability: StatedProbability | None
    kind: str
    confidence: str | None
    actor: str | None
    source: str | None
    score: float
    reasons: list[str] = field(default_factory=list)

    def as_dict(self, seed_path: str) -> dict:
        """JSON-ready; `window` and `probability` as `riskline parse --json` gives them."""
        return {
            "quote": self.quote,
            "provenance": {"seed": seed_path, "offsets": list(self.offsets)},
            "issued": self.issued.isoformat(),
            "window": self.window.as_dict(),
            "probability": None
            if self.probability is None
            else {
                "phrase": self.probability.text,
                "low": self.probability.low,
                "high": self.probability.high,
                "lexicon": self.probability.lexicon,
                "as_written": self.phrase.text if self.phrase else None,
            },
            "kind": self.kind,
            "confidence": self.confidence,
            "actor": self.actor,
            "source": self.source,
            "score": self.score,
            "reasons": self.reasons,
        }


def extract_candidates(seed: Seed, reader: Reader) -> list[Candidate]:
    """Every clause of the seed's body with a time expression, best candidates first."""
    issued = seed.meta.published
    found = []
    for start, end in _spans(seed.text, seed.body_offset, len(seed.text), SENTENCE_END):
        for c_start, c_end in _spans(seed.text, start, end, CLAUSE_BREAK):
            found.extend(_candidates_in_clause(seed.text, c_start, c_end, issued, reader))
    return sorted(found, key=lambda c: (-c.score, c.offsets[0]))


def _spans(text: str, start: int, end: int, separator: re.Pattern) -> list[tuple[int, int]]:
    """Pieces of text[start:end] between separators, as (start, end) without outer blanks."""
    pieces, cursor = [], start
    for match in separator.finditer(text, start, end):
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, end))
    trimmed = []
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in ".;,:"):
            b -= 1
        if b > a:
            trimmed.append((a, b))
    return trimmed


def _candidates_in_clause(text: str, start: int, end: int, issued: date, reader: Reader) -> list[Candidate]:
    lead = LEADING_ADVERBIAL.match(text, start, end)
    if lead and not TOPIC.search(lead[0]):
        start = lead.end()
    clause = text[start:end]
    try:
        windows = find_windows(clause, issued, reader.conventions)
    except TimeExpressionError:
        return []  # a time expression that reads as the past: not a forecast
    ends = [0, *(w.offsets[1] for w in windows)]  # each window's phrase comes after the window before it
    return [_candidate(text, start, end, w, since, issued, reader) for w, since in zip(windows, ends, strict=False)]


def _candidate(text: str, start: int, end: int, window: ParsedWindow, since: int, issued: date,
               reader: Reader) -> Candidate:  # fmt: skip
    clause = text[start:end]
    reasons = [f"window '{window.expression}': {window.reasoning}"]
    score = 0.3 if window.relative_to is None and window.end is not None else 0.2
    vocabulary = set(reader.vocabulary)
    phrase = find_probability_phrase(clause, reader.lexicon, vocabulary, near=window.offsets[0], since=since)
    probability = None
    if phrase is None:
        reasons.append("no probability phrase or hedge: not an estimate unless the context gives one")
    else:
        try:
            probability = parse_probability(phrase.phrase, reader.lexicon)
            score += 0.3
            reasons.append(f"phrase '{phrase.text}' = {probability.describe()}")
        except LexiconError:
            score += 0.1
            reasons.append(f"'{phrase.phrase}' is not in lexicon '{reader.lexicon.name}': choose a phrase or a number")
    before = clause[: phrase.offsets[0]] if phrase else clause[: window.offsets[0]]
    actor = _actor(before)
    source = _source(before)
    if actor:
        score += 0.1
    if source:
        score += 0.1
        reasons.append(f"source: '{source}'")
    if TOPIC.search(clause):
        score += 0.2
    else:
        reasons.append("no words of armed conflict in the clause")
    window = _shifted(window, start)
    return Candidate(clause, (start, end), issued, window, phrase, probability, statement_kind(clause),
                     statement_confidence(clause), actor, source, round(min(score, 1.0), 2), reasons)  # fmt: skip


def _shifted(window: ParsedWindow, by: int) -> ParsedWindow:
    """The window with offsets into the whole file rather than the clause."""
    return replace(window, offsets=(window.offsets[0] + by, window.offsets[1] + by))


def _actor(before: str) -> str | None:
    match = ACTOR.search(before)
    return match["actor"] if match else None


def _source(before: str) -> str | None:
    match = ACCORDING.search(before) or REPORTING.match(before)
    if match is None:
        return None
    source = match["source"].strip()
    return source if len(source.split()) <= 10 else None


def render_yaml(candidates: list[Candidate], seed_path: str) -> str:
    """Candidates as `estimates:` entries to paste into a scenario, reasons as comments.

    `event` and `source` are left for the analyst to name (a scenario check points at them).
    """
    lines = ["# Candidate estimates; paste the ones you keep under `estimates:` in a scenario.",
             "# Set `event` and `source` to ids of your scenario (riskline check tells what is missing).",
             "estimates:"]  # fmt: skip
    for number, c in enumerate(candidates, start=1):
        lines.append(f"  # candidate {number}, score {c.score:.2f}")
        lines.extend(f"  #   {reason}" for reason in c.reasons)
        lines.append(f"  - id: {_slug(c)}")
        lines.append(f"    source: TODO  # {json.dumps(c.source) if c.source else 'not found'}")
        lines.append(f"    issued: {c.issued.isoformat()}")
        lines.append(f"    event: TODO  # actor: {json.dumps(c.actor) if c.actor else 'not found'}")
        lines.append(f"    kind: {c.kind}")
        lines.append(f"    quote: {json.dumps(c.quote, ensure_ascii=False)}")
        lines.append(f"    provenance: {{seed: {seed_path}, offsets: [{c.offsets[0]}, {c.offsets[1]}]}}")
        lines.append(f"    window: {{expression: {json.dumps(c.window.expression, ensure_ascii=False)}}}")
        phrase = c.probability.text if c.probability else (c.phrase.phrase if c.phrase else "TODO")
        lines.append(f"    probability: {json.dumps(phrase)}")
        if c.confidence:
            lines.append(f"    confidence: {c.confidence}")
    return "\n".join(lines) + "\n"


def _slug(candidate: Candidate) -> str:
    words = re.findall(r"[a-z0-9]+", f"{candidate.actor or ''} {candidate.window.expression}".lower())
    return "-".join(words[:8]) or "candidate"

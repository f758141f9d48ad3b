"""A whole statement read into an estimate: window, probability, kind and confidence.

    reader = load_reader(priors_dir, "icd-203")
    reader.parse("Russia could attack NATO before 2030", issued=date(2025, 12, 3))

Kind: statements about capability ("could be ready to", "should be able to", "capable
of") are told apart from statements about occurrence ("could attack"), because they
inform different events. Confidence (ICD 203 keeps it apart from likelihood: "we assess
with high confidence") is kept, and priors/model.yaml says how it scales a statement's
noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from riskline.errors import RisklineError
from riskline.language.conventions import TimeConventions, load_time_conventions
from riskline.language.lexicon import Lexicon, available_lexicons, load_lexicon
from riskline.language.phrases import PhraseMatch, find_probability_phrase
from riskline.language.probability import StatedProbability, parse_probability
from riskline.language.time_expressions import ParsedWindow, find_windows, main_window

__all__ = [
    "MAX_STATEMENT_CHARS",
    "ParsedStatement",
    "Reader",
    "StatementTooLongError",
    "TwoEstimatesError",
    "load_reader",
    "statement_confidence",
    "statement_kind",
]

Kind = Literal["occurrence", "capability"]
Confidence = Literal["high", "moderate", "low"]
CONFIDENCE_LEVELS: dict[str, Confidence] = {
    "high": "high", "highly": "high", "moderate": "moderate", "medium": "moderate", "moderately": "moderate",
    "low": "low",
}  # fmt: skip
"""Each word CONFIDENCE matches, lower-cased, and the level it says."""

CAPABILITY = re.compile(
    r"\b(?:(?:be|been|being|is|are|was|were|become|becomes)\s+(?:\w+\s+)?(?:ready|able|capable|prepared|in\s+a\s+position)"
    r"|ready\s+to|able\s+to|capable\s+of|capability\s+(?:to|for)|capacity\s+to|in\s+a\s+position\s+to"
    r"|(?:could|would|will|might|may)\s+be\s+possible)\b",
    re.IGNORECASE,
)
CONFIDENCE = re.compile(
    r"\b(?:(?P<level>high|moderate|medium|low)(?:er)?\s+confidence|(?P<adverb>highly|moderately)\s+confident)\b",
    re.IGNORECASE,
)


class TwoEstimatesError(RisklineError, ValueError):
    """A sentence gives different probabilities for different windows: two estimates, not one."""


class StatementTooLongError(RisklineError, ValueError):
    """A text too long to be one statement (MAX_STATEMENT_CHARS)."""


MAX_STATEMENT_CHARS = 2_000
"""The longest statement `Reader.parse` reads: a long sentence is a few hundred characters, and the
reading's time grows with the square of the length (100,000 characters took two minutes)."""


def statement_kind(text: str) -> Kind:
    """'capability' when the words speak of readiness or ability, else 'occurrence'."""
    return "capability" if CAPABILITY.search(text) else "occurrence"


def statement_confidence(text: str) -> Confidence | None:
    """'high', 'moderate' or 'low' when the statement says so; None otherwise."""
    match = CONFIDENCE.search(text)
    if match is None:
        return None
    word = (match["level"] or match["adverb"]).lower()
    return CONFIDENCE_LEVELS[word]


@dataclass(frozen=True)
class ParsedStatement:
    """What a statement says: each part None where the text does not say it."""

    text: str
    issued: date
    window: ParsedWindow | None
    phrase: PhraseMatch | None
    probability: StatedProbability | None
    kind: Kind
    confidence: Confidence | None

    def as_dict(self) -> dict:
        """The JSON of `riskline parse`."""
        probability = None
        if self.probability is not None:
            probability = {
                "phrase": self.probability.text,
                "low": self.probability.low,
                "high": self.probability.high,
                "lexicon": self.probability.lexicon,
                "as_written": self.phrase.text if self.phrase else None,
                "negated": self.phrase.negated if self.phrase else False,
                "stacked_hedges": list(self.phrase.stacked) if self.phrase else [],
            }
            if self.probability.logit_normal is not None:
                probability["logit_normal"] = self.probability.logit_normal.model_dump()
        return {
            "text": self.text,
            "issued": self.issued.isoformat(),
            "window": self.window.as_dict() if self.window else None,
            "probability": probability,
            "kind": self.kind,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Reader:
    """A lexicon, the estimative vocabulary of all lexicons, and the time conventions."""

    lexicon: Lexicon
    vocabulary: frozenset[str]
    conventions: TimeConventions

    def parse(self, text: str, issued: date) -> ParsedStatement:
        """Read `text` as issued on `issued`.

        Raises TimeExpressionError for a window ending before `issued`, LexiconError for an
        estimative phrase that the chosen lexicon lacks, and TwoEstimatesError for a sentence
        that gives different phrases for different windows ("unlikely before 2027 but
        likely by 2030"): one estimate cannot say both; StatementTooLongError for a text over
        MAX_STATEMENT_CHARS (the reading's time grows with the square of the length).
        """
        if len(text) > MAX_STATEMENT_CHARS:
            raise StatementTooLongError(
                f"a statement of {len(text):,} characters: riskline reads one statement at a time, of at most "
                f"{MAX_STATEMENT_CHARS:,} characters; for a whole document use `riskline extract`"
            )
        windows = find_windows(text, issued, self.conventions)
        phrases = [
            find_probability_phrase(text, self.lexicon, set(self.vocabulary), w.offsets[0], since)
            for w, since in zip(windows, [0, *(w.offsets[1] for w in windows)], strict=False)
        ]
        if len({p.phrase for p in phrases if p is not None}) > 1:
            said = [f"'{p.text}' for '{w.expression}'" for w, p in zip(windows, phrases, strict=True) if p is not None]
            parts = " and ".join(said)  # left to right, as find_windows orders them
            raise TwoEstimatesError(f"the statement holds more than one estimate ({parts}): enter each as its own")
        window = main_window(windows)
        if window is None:
            phrase = find_probability_phrase(text, self.lexicon, set(self.vocabulary))
        else:
            phrase = phrases[windows.index(window)]
        probability = parse_probability(phrase.phrase, self.lexicon) if phrase else None
        return ParsedStatement(
            text, issued, window, phrase, probability, statement_kind(text), statement_confidence(text)
        )


def load_reader(priors_dir: Path, lexicon: str, horizons: str | None = None) -> Reader:
    """A Reader over the files in `priors_dir`."""
    vocabulary = {p for name in available_lexicons(priors_dir) for p in load_lexicon(priors_dir, name).phrases}
    return Reader(load_lexicon(priors_dir, lexicon), frozenset(vocabulary), load_time_conventions(priors_dir, horizons))

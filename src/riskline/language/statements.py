"""A whole statement read into an estimate: window, probability, kind and confidence.

    reader = load_reader(priors_dir, "icd-203")
    reader.parse("Russia could attack NATO before 2030", issued=date(2025, 12, 3))

Nothing read is discarded: every time expression and every probability phrase found is
listed, with which one was used and why; a phrase the chosen lexicon lacks is kept as
`unresolved`, naming the lexicons that define it (a scenario still needs a resolved one).

Kind: statements about capability ("could be ready to", "should be able to", "capable
of") are told apart from statements about occurrence ("could attack"), because they
inform different events. Confidence (ICD 203 keeps it apart from likelihood: "we assess
with high confidence") is kept, and priors/model.yaml says how it scales a statement's
noise. A speaker who marks a statement as a personal hunch ("my gut tells me", "I think",
"I hope I am wrong") and states no confidence gets `low`: the words keep their reading,
the statement counts for less.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from riskline.errors import LexiconError, ProbabilityError, RisklineError
from riskline.language.conventions import TimeConventions, load_time_conventions
from riskline.language.lexicon import (
    Lexicon,
    available_lexicons,
    load_official_words,
    normalize_phrase,
    read_lexicon,
)
from riskline.language.phrases import (
    HUNCH,
    PhraseMatch,
    choose_phrase,
    disclaimer_before,
    find_probability_phrases,
    negations_outside,
)
from riskline.language.probability import StatedProbability, parse_probability
from riskline.language.time_expressions import ParsedWindow, choose_window, ends_by, find_windows

__all__ = [
    "MAX_STATEMENT_CHARS",
    "ParsedStatement",
    "Reader",
    "StatementTooLongError",
    "TwoEstimatesError",
    "UnresolvedPhrase",
    "hunch_confidence",
    "load_reader",
    "statement_confidence",
    "statement_hunches",
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
    """A sentence gives different probabilities for different windows: two estimates, not one.

    `at` is where the second estimate's words begin: the end of the window before the one
    that takes another phrase (`extract` reads the two pieces as two statements).
    """

    def __init__(self, message: str, at: int) -> None:
        super().__init__(message)
        self.at = at


class StatementTooLongError(RisklineError, ValueError):
    """A text too long to be one statement (MAX_STATEMENT_CHARS)."""


MAX_STATEMENT_CHARS = 2_000
"""The longest statement `Reader.parse` reads: a long sentence is a few hundred characters, and the
reading's time grows with the square of the length (issue 19)."""


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


def statement_hunches(text: str) -> tuple[str, ...]:
    """The words by which the speaker offers a hunch ('my gut tells me', 'I think'), as written."""
    return tuple(match[0] for match in HUNCH.finditer(text))


@dataclass(frozen=True)
class UnresolvedPhrase:
    """A probability phrase found but not read: the chosen lexicon (and the official words) lack it."""

    phrase: str
    lexicon: str
    defined_in: tuple[str, ...]
    message: str

    def as_dict(self) -> dict:
        return {"phrase": self.phrase, "lexicon": self.lexicon, "defined_in": list(self.defined_in),
                "message": self.message}  # fmt: skip


@dataclass(frozen=True)
class ParsedStatement:
    """What a statement says: each part None where the text does not say it.

    `window` and `phrase` are the ones the estimate rests on; `windows` and `phrases` all
    that were found, and `why` says why those were chosen (keys window, phrase, confidence).
    `negations` are the negations of other words than the phrase ('not collapse' in "will
    stay strong and not collapse"): the reader cannot tell which event the phrase asserts.
    """

    text: str
    issued: date
    window: ParsedWindow | None
    phrase: PhraseMatch | None
    probability: StatedProbability | None
    kind: Kind
    confidence: Confidence | None
    windows: tuple[ParsedWindow, ...] = ()
    phrases: tuple[PhraseMatch, ...] = ()
    unresolved: UnresolvedPhrase | None = None
    hunches: tuple[str, ...] = ()
    why: dict[str, str] = field(default_factory=dict)
    negations: tuple[str, ...] = ()

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
                "weakened_from": self.phrase.weakened_from if self.phrase else None,
            }
            if self.probability.logit_normal is not None:
                probability["logit_normal"] = self.probability.logit_normal.model_dump()
        return {
            "text": self.text,
            "issued": self.issued.isoformat(),
            "window": self.window.as_dict() if self.window else None,
            "probability": probability,
            "unresolved": self.unresolved.as_dict() if self.unresolved else None,
            "kind": self.kind,
            "confidence": self.confidence,
            "hunches": list(self.hunches),
            "windows_found": [w.as_dict() for w in self.windows],
            "phrases_found": [p.as_dict() for p in self.phrases],
            "negations": list(self.negations),
            "why": dict(self.why),
        }


@dataclass(frozen=True)
class Reader:
    """A lexicon, the estimative vocabulary of all lexicons (and who defines each phrase), the time conventions."""

    lexicon: Lexicon
    vocabulary: frozenset[str]
    conventions: TimeConventions
    defined_in: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def parse(self, text: str, issued: date) -> ParsedStatement:
        """Read `text` as issued on `issued`: everything found, and what the estimate rests on.

        A phrase the lexicon lacks does not stop the reading: `probability` is None and
        `unresolved` names the phrase and the lexicons that define it; a window that ended
        by `issued` beside one that did not is listed as the past. Raises
        TimeExpressionError when every window ends by `issued`, TwoEstimatesError for a
        sentence that gives different phrases for different windows ("unlikely before 2027
        but likely by 2030"): one estimate cannot say both; StatementTooLongError for a text
        over MAX_STATEMENT_CHARS (the reading's time grows with the square of the length).
        """
        if len(text) > MAX_STATEMENT_CHARS:
            raise StatementTooLongError(
                f"a statement of {len(text):,} characters: riskline reads one statement at a time, of at most "
                f"{MAX_STATEMENT_CHARS:,} characters; for a whole document use `riskline extract`"
            )
        windows = find_windows(text, issued, self.conventions, keep_past=True)
        past = [w for w in windows if ends_by(w, issued)]
        if past and len(past) == len(windows):
            find_windows(text, issued, self.conventions)  # raises, naming the first: check the issue date
        found = find_probability_phrases(text, self.lexicon, set(self.vocabulary))
        future = [w for w in windows if w not in past]
        _check_one_estimate(text, future, found)
        asserted = [w for w in future if disclaimer_before(text, w.offsets[0]) is None]
        window, why_window = choose_window(text, asserted or future)
        if past:
            why_window += "; " + ", ".join(f"'{w.expression}' ends {w.end}, by the issue date: the past" for w in past)
        since = max((w.offsets[1] for w in windows if window and w.offsets[1] <= window.offsets[0]), default=0)
        phrase, why_phrase = choose_phrase(found, text, window.offsets[0] if window else None, since)
        if window is not None and not asserted:
            disclaimer = disclaimer_before(text, window.offsets[0])
            why_window += f"; it follows '{disclaimer}', so it is not asserted: no estimate for it"
            phrase, why_phrase = None, f"every window follows '{disclaimer}': no estimate, whatever the phrases"
        probability, unresolved = self.read_phrase(phrase)
        if probability is not None and probability.lexicon not in (None, self.lexicon.name):
            why_phrase += f"; read from {probability.lexicon}, the fallback for words '{self.lexicon.name}' lacks"
        read = [m.offsets for m in found] + [w.offsets for w in windows]
        negations = () if phrase is None else negations_outside(text, read)
        if phrase is not None and negations:
            said = ", ".join(f"'{n}'" for n in negations)
            why_phrase += (f"; check the event: the statement also negates {said}, not the phrase, so '{phrase.text}' "
                           "may assert that event's opposite")  # fmt: skip
        hunches = statement_hunches(text)
        confidence, why_confidence = hunch_confidence(text, hunches)
        why = {"window": why_window, "phrase": why_phrase, "confidence": why_confidence}
        return ParsedStatement(text, issued, window, phrase, probability, statement_kind(text), confidence,
                               tuple(windows), tuple(found), unresolved, hunches, why, negations)  # fmt: skip

    def read_phrase(self, phrase: PhraseMatch | None) -> tuple[StatedProbability | None, UnresolvedPhrase | None]:
        """The phrase's probability; or None and what is missing, when neither lexicon nor official words read it."""
        if phrase is None:
            return None, None
        try:
            return parse_probability(phrase.phrase, self.lexicon), None
        except (LexiconError, ProbabilityError) as error:
            defined_in = self.defined_in.get(normalize_phrase(phrase.phrase), ())
            return None, UnresolvedPhrase(phrase.phrase, self.lexicon.name, defined_in, str(error))


def _check_one_estimate(text: str, windows: list[ParsedWindow], found: list[PhraseMatch]) -> None:
    """TwoEstimatesError when different windows take different phrases."""
    ends = [0, *(w.offsets[1] for w in windows)]
    governing = [
        (w, choose_phrase(found, text, w.offsets[0], since)[0], since) for w, since in zip(windows, ends, strict=False)
    ]
    phrased = [(w, p, since) for w, p, since in governing if p is not None]
    if len({p.phrase for _, p, _ in phrased}) > 1:
        said = " and ".join(f"'{p.text}' for '{w.expression}'" for w, p, _ in phrased)
        at = next(since for (_, p, _), (_, q, since) in itertools.pairwise(phrased) if p.phrase != q.phrase)
        raise TwoEstimatesError(f"the statement holds more than one estimate ({said}): enter each as its own", at)


def hunch_confidence(text: str, hunches: tuple[str, ...]) -> tuple[Confidence | None, str]:
    """The stated confidence; else `low` for a hunch ('my gut tells me'); else None. With the reason."""
    stated = statement_confidence(text)
    words = ", ".join(f"'{h}'" for h in hunches)
    if stated is not None:
        return stated, f"stated ({stated})" + (f"; the stated confidence wins over {words}" if hunches else "")
    if hunches:
        return "low", f"{words}: a personal hunch, so low confidence (the phrase keeps its reading)"
    return None, "not stated"


def load_reader(priors_dir: Path, lexicon: str, horizons: str | None = None) -> Reader:
    """A Reader over the files in `priors_dir` (each read once: YAML with long headers is slow to read)."""
    official = load_official_words(priors_dir)
    lexicons = {name: read_lexicon(priors_dir, name) for name in available_lexicons(priors_dir)}
    chosen = lexicons[lexicon] if lexicon in lexicons else read_lexicon(priors_dir, lexicon)  # the latter: the error
    defined_in: dict[str, list[str]] = {}
    for each in [*lexicons.values(), *([official] if official else [])]:
        for phrase in each.phrases:
            defined_in.setdefault(phrase, []).append(each.name)
    return Reader(chosen.with_fallback(official), frozenset(defined_in), load_time_conventions(priors_dir, horizons),
                  {phrase: tuple(names) for phrase, names in defined_in.items()})  # fmt: skip

"""Finding the probability phrase in a real sentence.

Sentences say "is likely to", "probably", "not likely", "could possibly"; lexicons list
"likely", "probable", "unlikely", "could". This module finds the estimative words in a
sentence and says which lexicon phrase they are:

- case and spacing are ignored; adverbs count as their adjective ("probably" is "probable",
  "almost certainly" is "almost certain");
- negation is resolved: "not likely" is the lexicon's own "not likely" if it has one,
  else the phrase's opposite from NEGATIONS ("unlikely");
- modal hedges ("could", "may", "might", "will") are found too, but an estimative phrase in
  the same sentence wins ("it is likely that Russia could attack" is "likely");
- stacked hedges ("could possibly") resolve to the modal, the rest is recorded;
- a stated percentage beats them all ("a 30% chance", "the probability is 30%"): it is the
  statement's own number. Only with a word of chance beside it, so that "5% of GDP" is not
  a probability.

Which words are estimative comes from every lexicon in priors/lexicons/ together, so a
phrase is recognised even when the chosen lexicon lacks it; looking it up in the chosen
lexicon then raises LexiconError naming the nearest phrases it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskline.language.lexicon import Lexicon, normalize_phrase

__all__ = ["MODALS", "NEGATIONS", "PhraseMatch", "find_probability_phrase"]

MODALS = ("could", "may", "might", "will", "would", "should", "can")
"""Modal verbs that hedge a statement; lexicons give them entries (survey-based)."""

HEDGE_ADVERBS = ("possibly", "perhaps", "conceivably", "potentially", "plausibly")

NEGATIONS = {
    "likely": "unlikely",
    "very likely": "unlikely",
    "highly likely": "unlikely",
    "probable": "improbable",
    "highly probable": "improbable",
    "possible": "unlikely",
    "certain": "unlikely",
    "almost certain": "unlikely",
}
"""Opposites used when a lexicon has no entry for the negated phrase itself.

"Not very likely" reads as "unlikely", not "very unlikely": negating an intensified phrase
removes the intensity rather than reversing it.
"""

_ADVERBS = {"probable": "probably", "certain": "certainly", "improbable": "improbably", "possible": "possibly"}

_CHANCE = r"(?:chance|probability|likelihood|risk)"
STATED_PERCENT = re.compile(
    r"\b(?P<a>\d{1,3}(?:\.\d+)?)\s*(?:%|per\s?cent)\s+" + _CHANCE + r"\b"
    r"|\b" + _CHANCE + r"\s+(?:of|is|at)\s+(?:about\s+|around\s+)?(?P<b>\d{1,3}(?:\.\d+)?)\s*(?:%|per\s?cent)",
    re.IGNORECASE,
)
"""'a 30% chance', '30 per cent probability', 'the risk is 30%': a number with a word of chance."""


@dataclass(frozen=True)
class PhraseMatch:
    """Estimative words found in a text and the lexicon phrase they stand for."""

    phrase: str
    text: str
    offsets: tuple[int, int]
    negated: bool = False
    stacked: tuple[str, ...] = ()

    @property
    def is_modal(self) -> bool:
        return self.phrase in MODALS


def _forms(phrase: str) -> list[str]:
    """The phrase and its adverb form ("almost certain" -> "almost certainly")."""
    words = phrase.split()
    forms = [phrase]
    if words[-1] in _ADVERBS:
        forms.append(" ".join([*words[:-1], _ADVERBS[words[-1]]]))
    return forms


def _pattern(vocabulary: set[str]) -> re.Pattern:
    alternatives = {form: phrase for phrase in vocabulary for form in _forms(phrase)}
    ordered = sorted(alternatives, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, form.split())) for form in ordered)
    negation = r"(?P<neg>\b(?:not|n't|never)\s+(?:(?:be|been|very|so|at\s+all)\s+)?)?"
    month_guard = r"(?!\s+(?:\d|19\d\d|20\d\d))"  # "May 2027" is a month, not a hedge
    after = (
        r"(?P<postneg>\s+(?:(?:will|would|does|do|is|are|could|can)\s+)?not\b)?(?P<stack>(?:\s+(?:"
        + "|".join(HEDGE_ADVERBS)
        + r"))*)"
    )
    return re.compile(negation + r"\b(?P<phrase>" + body + r")\b" + month_guard + after, re.IGNORECASE)


_CACHE: dict[frozenset[str], tuple[re.Pattern, dict[str, str]]] = {}


def _compiled(vocabulary: set[str]) -> tuple[re.Pattern, dict[str, str]]:
    key = frozenset(vocabulary)
    if key not in _CACHE:
        forms = {normalize_phrase(form): phrase for phrase in vocabulary for form in _forms(phrase)}
        _CACHE[key] = (_pattern(vocabulary), forms)
    return _CACHE[key]


def find_probability_phrase(
    text: str, lexicon: Lexicon, vocabulary: set[str], near: int | None = None, since: int = 0
) -> PhraseMatch | None:
    """The estimative phrase of `text` as a phrase of `lexicon` (None if there is none).

    `vocabulary` holds every phrase that counts as estimative (all lexicons' phrases and
    aliases, and MODALS). With several, a lexicon phrase beats a modal hedge. Then, for the
    time expression at offset `near`, the phrase that governs it: the last one between
    `since` (the end of the time expression before it, if any) and `near`, as in "unlikely
    before 2027 but likely by 2030"; else the one nearest to `near`; without `near`, the
    first. The returned phrase may still be missing from `lexicon`:
    `lexicon.lookup(match.phrase)` then raises LexiconError with the nearest phrases.
    """
    pattern, forms = _compiled(vocabulary | set(MODALS))
    matches = [_resolve(m, forms, lexicon) for m in pattern.finditer(text)]
    numbers = [PhraseMatch(f"{m['a'] or m['b']}%", m[0], m.span()) for m in STATED_PERCENT.finditer(text)]
    if not matches and not numbers:
        return None
    candidates = numbers or [m for m in matches if not m.is_modal and not _modal_be_possible(text, m)] or matches
    if near is None:
        return candidates[0]
    governing = [m for m in candidates if since <= m.offsets[0] and m.offsets[1] <= near]
    if governing:
        return governing[-1]
    return min(candidates, key=lambda m: min(abs(m.offsets[0] - near), abs(m.offsets[1] - near)))


def _modal_be_possible(text: str, match: PhraseMatch) -> bool:
    """'could be possible' says 'could': the modal carries the estimate, 'possible' the capability."""
    return match.phrase.startswith("possib") and bool(
        re.search(r"\b(?:could|may|might)\s+be\s+$", text[: match.offsets[0]])
    )


def _resolve(match: re.Match, forms: dict[str, str], lexicon: Lexicon) -> PhraseMatch:
    phrase = _as_in_lexicon(forms[normalize_phrase(match["phrase"])], lexicon)
    stacked = tuple(match["stack"].split()) if match["stack"] else ()
    negated = bool(match["neg"] or match["postneg"])
    if negated:
        phrase = _negate(phrase, match["phrase"], lexicon)
    start = match.start("neg") if match["neg"] else match.start("phrase")
    end = match.end("postneg") if match["postneg"] else match.end("phrase")
    return PhraseMatch(phrase, match.string[start:end], (start, end), negated, stacked)


def _as_in_lexicon(phrase: str, lexicon: Lexicon) -> str:
    """'probably' as 'probable' (or the reverse) when only that form is in the lexicon."""
    words = phrase.split()
    adjectives = {adverb: adjective for adjective, adverb in _ADVERBS.items()}
    for table in (_ADVERBS, adjectives):
        if words[-1] in table and phrase not in lexicon.phrases:
            other = " ".join([*words[:-1], table[words[-1]]])
            if other in lexicon.phrases:
                return other
    return phrase


def _negate(phrase: str, written: str, lexicon: Lexicon) -> str:
    """'not likely' as the lexicon's own entry if it has one, else the opposite phrase."""
    for form in (f"not {phrase}", f"{written.lower()} not", f"{phrase} not"):
        if normalize_phrase(form) in lexicon.phrases:
            return normalize_phrase(form)
    return NEGATIONS.get(phrase, f"not {phrase}")

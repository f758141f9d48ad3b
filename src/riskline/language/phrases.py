"""Finding the probability phrases in a real sentence, and the one that carries its estimate.

Sentences say "is likely to", "probably", "not likely", "could possibly", "allies should
expect", "a one-in-three chance"; lexicons list "likely", "probable", "unlikely", "could".
This module finds every estimative phrase and stated number in a sentence, says which
lexicon phrase each one is, and which one the estimate rests on and why:

- case and spacing are ignored; adverbs count as their adjective ("probably" is "probable",
  "almost certainly" is "almost certain");
- negation is resolved, never dropped: "not likely" is the lexicon's own "not likely" if it
  has one, else the phrase's opposite from NEGATIONS ("unlikely"), else the "not" entry of
  priors/official-words.yaml ("will not", "is not expected to"); a negated phrase with
  none of these stays "not X", which no lexicon reads, so it is never read as X. "I don't
  think it will" negates "will" as "will not" does;
- a disclaimer ("does not mean", "is not to say", "not necessarily") takes what follows
  it in the sentence out of the estimate: listed, never used;
- a hedge adverb ("possibly", "potentially", "perhaps") on a phrase that reads higher than
  "could" reads as "could" ("will possibly" says no more than "could"); on "could", "may"
  or "might" it changes nothing; either way it is recorded;
- the tiers: a stated number ("a 30% chance", "the chance ... is about 15 percent", "one
  in three", "a 30-40% chance": only with a word of chance, so "5% of GDP" is not a
  probability) beats every phrase; an estimative phrase beats a modal hedge ("it is likely
  that Russia could attack" is "likely"); a modal beats a frame ("we assess that Russia
  could attack" is "could");
- stacked hedges ("could possibly") resolve to the modal, the rest is recorded.

Which words are estimative comes from every lexicon in priors/lexicons/ together (and the
official words), so a phrase is recognised even when the chosen lexicon lacks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from riskline.language.lexicon import Lexicon, normalize_phrase

__all__ = [
    "FRAMES",
    "HUNCH",
    "MODALS",
    "NEGATIONS",
    "PhraseMatch",
    "choose_phrase",
    "disclaimer_before",
    "find_probability_phrase",
    "find_probability_phrases",
    "negations_outside",
]

MODALS = ("could", "may", "might", "will", "would", "should", "can")
"""Modal verbs that hedge a statement; lexicons give them entries (survey-based)."""

FRAMES = ("we assess", "we assess that", "we judge", "we judge that")
"""Words that frame a judgement without weighing it: used only when the sentence has no other phrase."""

HEDGE_ADVERBS = ("possibly", "perhaps", "conceivably", "potentially", "plausibly", "maybe")
WEAKENED = "could"
"""What a phrase reading higher than it says under a hedge adverb: "will possibly" is "could"."""

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

_CHANCE = r"(?:chances?|probability|likelihood|risk|odds)"
_SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUM = (
    r"(?>\d{1,4}(?:\.\d+)?|a\s+hundred|(?:"
    + "|".join(_TENS)
    + r")(?:[-\s](?:"
    + "|".join(_SMALL[1:10])
    + r"))?|"
    + "|".join(sorted(_SMALL, key=len, reverse=True))
    + ")"
)
_PER = r"(?:\s*|-)(?:%|per\s?cent)"  # "30%", "30 percent", "30-percent"
STATED_NUMBER = re.compile(
    r"\b(?:(?P<lo>" + _NUM + ")(?:" + _PER + r")?\s*(?:-|–|—|to)\s*(?P<hi>" + _NUM + ")" + _PER
    + r"|(?P<k>" + _NUM + r")(?:\s+|-)in(?:\s+|-)(?P<n>" + _NUM + ")"
    + r"|(?P<one>" + _NUM + ")" + _PER + r")(?!\w)",
    re.IGNORECASE,
)  # fmt: skip
"""A percentage, a range of them, or odds, in digits or words: '30%', 'fifteen per cent', '30-40%', 'one in three'."""
CHANCE_AFTER = re.compile(r"(?:\s+|\s*-\s*)" + _CHANCE + r"\b", re.IGNORECASE)
CHANCE_BEFORE = re.compile(
    r"\b" + _CHANCE + r"\b[^.;!?]{0,80}?\b(?:is|are|was|were|at|of|stands?\s+at|puts?\s+(?:it\s+)?at)\s+"
    r"(?:(?:about|around|roughly|approximately|some|nearly|almost|only|just|perhaps|maybe)\s+)?$",
    re.IGNORECASE,
)
"""A number is a probability only with a word of chance: right after it ('a 30% chance') or before it in the
sentence, linked by a verb ('the chance of war before 2030 is about 15 percent')."""

DISCLAIMER = re.compile(
    r"\b(?:(?:does|do|did)\s*(?:\bnot|n't)\s+mean|is\s+not\s+to\s+say|not\s+necessarily"
    r"|(?:must|should)\s*(?:\bnot|n't)\s+(?:assume|think|believe)|not\s+rest\s+on\s+(?:our|its|their)\s+laurels)\b",
    re.IGNORECASE,
)
"""'That does not mean that he has decided to invade in 2027': what follows is not asserted. So with a belief the
speaker rejects: 'We must not assume a possible Russian attack will not come until 2029' (BND, 2025)."""
NEGATED_BELIEF = re.compile(r"\b(?:do|does|did)\s*(?:\bnot|n't)\s+(?:think|believe)\b", re.IGNORECASE)
"""'I don't think it will happen': the phrase after it is negated."""
NEGATION = re.compile(r"(?:\b(?:not|never|cannot)|n't)\b(?:\s+[\w'-]+)?", re.IGNORECASE)
"""A negation and the word it negates: 'not collapse', "n't think", 'never attack'."""
NOT_WEIGHING = re.compile(
    r"\b(?:a|an|the|any)\s+(?:possible|probable)\s+(?=[a-z])|\b(?:certainly|surely|definitely)(?=\s+(?:could|may|might|can)\b)",
    re.IGNORECASE,
)
"""Estimative words that weigh nothing here: an adjective that names the event ('the risks of a possible attack')
and an adverb that stresses a modal ('it certainly could be': the modal carries the estimate)."""
_SENTENCE_BREAK = re.compile(r"[.;!?]")
HUNCH = re.compile(
    r"\b(?:my\s+gut\s+(?:tells\s+me|says)|gut\s+feeling|I\s+(?:(?:do\s*not|do\s*n't)\s+)?(?:think|believe|feel|suspect|guess)"
    r"|in\s+my\s+(?:mind|view|opinion)|my\s+(?:sense|guess)\s+is|I\s+hope\s+I\s*(?:am|'m|’m)\s+wrong|I\s+(?:could|may|might)\s+be\s+wrong)\b",
    re.IGNORECASE,
)
"""Words by which a speaker offers a hunch, not a considered judgement: the modal in 'I may be wrong' is no estimate."""


@dataclass(frozen=True)
class PhraseMatch:
    """Estimative words found in a text and the lexicon phrase they stand for."""

    phrase: str
    text: str
    offsets: tuple[int, int]
    negated: bool = False
    stacked: tuple[str, ...] = ()
    stated: bool = False
    """A number the statement states ('30%', '1 in 3'), not a phrase."""
    weakened_from: str | None = None
    """The phrase a hedge adverb weakened to `phrase` ('will' in 'will possibly')."""
    disclaimed_by: str | None = None
    """The disclaimer before it ('does not mean'): not asserted, so never the estimate."""

    @property
    def is_modal(self) -> bool:
        return self.phrase in MODALS

    def as_dict(self) -> dict:
        """JSON-ready, for `riskline parse --json`."""
        return {
            "phrase": self.phrase,
            "as_written": self.text,
            "offsets": list(self.offsets),
            "negated": self.negated,
            "stacked_hedges": list(self.stacked),
            "weakened_from": self.weakened_from,
            "disclaimed_by": self.disclaimed_by,
        }


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
    negation = r"(?P<neg>(?:\bnot|n't|\bnever)\s+(?:(?:be|been|very|so|at\s+all)\s+)?)?"
    prestack = r"(?P<prestack>(?:\b(?:" + "|".join(HEDGE_ADVERBS) + r")\s+)+)?"
    month_guard = r"(?!\s+(?:\d|19\d\d|20\d\d))"  # "May 2027" is a month, not a hedge
    after = (
        r"(?P<postneg>\s+(?:(?:will|would|does|do|is|are|could|can)\s+)?not\b|n't\b)?(?P<stack>(?:\s+(?:"
        + "|".join(HEDGE_ADVERBS)
        + r"))*)"
    )
    end = r"(?:\b|(?=n't\b))"  # "could" in "couldn't"
    return re.compile(negation + prestack + r"\b(?P<phrase>" + body + ")" + end + month_guard + after, re.IGNORECASE)


_CACHE: dict[frozenset[str], tuple[re.Pattern, dict[str, str]]] = {}


def _compiled(vocabulary: set[str]) -> tuple[re.Pattern, dict[str, str]]:
    key = frozenset(vocabulary)
    if key not in _CACHE:
        forms = {normalize_phrase(form): phrase for phrase in sorted(vocabulary) for form in _forms(phrase)}
        forms |= {
            normalize_phrase(phrase): phrase for phrase in vocabulary
        }  # "possibly" is itself where it is a phrase
        _CACHE[key] = (_pattern(vocabulary), forms)
    return _CACHE[key]


def find_probability_phrases(text: str, lexicon: Lexicon, vocabulary: set[str]) -> list[PhraseMatch]:
    """Every estimative phrase and stated number in `text`, left to right, each as a phrase of `lexicon`.

    `vocabulary` holds every phrase that counts as estimative (all lexicons' phrases and
    aliases, the official words, and MODALS). A returned phrase may still be missing from
    `lexicon`: `lexicon.lookup(match.phrase)` then raises LexiconError with the nearest phrases.
    """
    plain = text.replace("\u2019", "'")  # "can’t" as "can't"; one character for one, so offsets hold
    pattern, forms = _compiled(vocabulary | set(MODALS))
    hunches = [m.span() for m in HUNCH.finditer(plain)]
    found = [_resolve(m, forms, lexicon) for m in pattern.finditer(plain)]
    found = [m for m in found if not any(a <= m.offsets[0] and m.offsets[1] <= b for a, b in hunches)]
    naming = [m.span() for m in NOT_WEIGHING.finditer(plain)]
    found = [m for m in found if not any(a <= m.offsets[0] < b for a, b in naming)]
    found += [n for m in STATED_NUMBER.finditer(plain) if (n := _stated_number(m)) is not None]
    found = [
        replace(m, text=text[m.offsets[0] : m.offsets[1]], disclaimed_by=disclaimer_before(plain, m.offsets[0]))
        for m in found
    ]
    return sorted(found, key=lambda m: m.offsets)


def choose_phrase(
    found: list[PhraseMatch], text: str, near: int | None = None, since: int = 0
) -> tuple[PhraseMatch | None, str]:
    """The phrase the estimate rests on, of those `find_probability_phrases` found, and why.

    First the tier: a stated number, else an estimative phrase, else a modal hedge, else a
    frame ("we assess"); disclaimed phrases never count. Then, for the time expression at
    offset `near`, the phrase that governs it: the last one between `since` (the end of the
    time expression before it, if any) and `near`, as in "unlikely before 2027 but likely
    by 2030"; else the one nearest to `near`; without `near`, the first.
    """
    usable = [m for m in found if m.disclaimed_by is None]
    if not usable:
        if found:
            return None, "; ".join(
                f"'{m.text}' follows '{m.disclaimed_by}': not asserted, so not an estimate" for m in found
            )
        return None, "no probability phrase or stated number"
    tier = min(_tier(m, text) for m in usable)
    candidates = [m for m in usable if _tier(m, text) == tier]
    passed = [f"'{m.text}'" for m in usable if _tier(m, text) != tier]
    why = [_TIER_REASONS[tier] + (f" ({', '.join(passed)} not used)" if passed else "")] if passed else []
    if len(candidates) == 1:
        chosen = candidates[0]
        why.append("the only one" if len(found) == 1 else "the only one of its tier")
    elif near is None:
        chosen = candidates[0]
        why.append("the first of its tier")
    else:
        governing = [m for m in candidates if since <= m.offsets[0] and m.offsets[1] <= near]
        chosen = governing[-1] if governing else min(candidates, key=lambda m: _distance(m, near))
        why.append("the last before the time expression" if governing else "the nearest to the time expression")
    disclaimed = [f"'{m.text}' (after '{m.disclaimed_by}')" for m in found if m.disclaimed_by]
    if disclaimed:
        why.append("disclaimed, not used: " + ", ".join(disclaimed))
    return chosen, f"{_as_read(chosen)}: " + "; ".join(why)


def _as_read(match: PhraseMatch) -> str:
    """'not likely' read as 'unlikely' (negated); 'will possibly' read as 'could' (weakened by 'possibly')."""
    said = f"'{match.text}'"
    if match.weakened_from:
        return f"{said} read as '{match.phrase}' ('{' '.join(match.stacked)}' weakens '{match.weakened_from}')"
    if match.negated:
        return f"{said} read as '{match.phrase}' (negated)"
    if match.stacked:
        return f"{said} (with '{' '.join(match.stacked)}', which changes nothing on a hedge)"
    return said


def find_probability_phrase(
    text: str, lexicon: Lexicon, vocabulary: set[str], near: int | None = None, since: int = 0
) -> PhraseMatch | None:
    """The phrase the estimate of `text` rests on (`choose_phrase` of `find_probability_phrases`); None if none."""
    return choose_phrase(find_probability_phrases(text, lexicon, vocabulary), text, near, since)[0]


_TIER_REASONS = {
    0: "a stated number beats every phrase",
    1: "an estimative phrase beats modal hedges and frames",
    2: "a modal hedge beats a frame",
}


def _tier(match: PhraseMatch, text: str) -> int:
    """0 a stated number, 1 an estimative phrase, 2 a modal hedge, 3 a frame ('we assess')."""
    if match.stated:
        return 0
    if match.phrase in FRAMES:
        return 3
    if match.is_modal or _modal_be_possible(text, match):
        return 2
    return 1


def _distance(match: PhraseMatch, near: int) -> int:
    return min(abs(match.offsets[0] - near), abs(match.offsets[1] - near))


def _stated_number(match: re.Match) -> PhraseMatch | None:
    """The number as a probability phrase ('30%', '30–40%', '1 in 3'), if a word of chance goes with it."""
    text = match.string
    if not (
        CHANCE_AFTER.match(text, match.end()) or CHANCE_BEFORE.search(text[max(0, match.start() - 120) : match.start()])
    ):
        return None
    if match["one"]:
        if _number(match["one"]) > 100:
            return None  # "999% chance": no probability; left for the analyst rather than refused
        phrase = f"{_number(match['one']):g}%"
    elif match["lo"]:
        low, high = _number(match["lo"]), _number(match["hi"])
        if not 0 <= low < high <= 100:
            return None  # "2027-2030%" or "40-30%": not a range of chances
        phrase = f"{low:g}–{high:g}%"
    else:
        k, n = _number(match["k"]), _number(match["n"])
        if not (k.is_integer() and n.is_integer() and 0 < k < n):
            return None
        phrase = f"{k:g} in {n:g}"
    return PhraseMatch(phrase, match[0], match.span(), stated=True)


def _number(word: str) -> float:
    """'15' -> 15, 'fifteen' -> 15, 'twenty-five' -> 25, 'a hundred' -> 100."""
    word = " ".join(word.lower().replace("-", " ").split())
    if word == "a hundred":
        return 100.0
    if word[0].isdigit():
        return float(word)
    parts = word.split()
    if parts[0] in _TENS:
        return float(_TENS[parts[0]] + (_SMALL.index(parts[1]) if len(parts) > 1 else 0))
    return float(_SMALL.index(word))


def disclaimer_before(text: str, offset: int) -> str | None:
    """The disclaimer ('does not mean') before `offset` in its sentence, if any: what follows it is not asserted."""
    for disclaimer in DISCLAIMER.finditer(text, 0, offset):
        if not _SENTENCE_BREAK.search(text, disclaimer.end(), offset):
            return disclaimer[0]
    return None


def negations_outside(text: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    """Negations of other words than those read, each with the word it negates: 'not collapse'.

    Outside `spans` (the phrases and windows read) and the words already read as negating
    or disclaiming ('I don't think', 'does not mean').

    In "the government will stay strong and not collapse" the phrase is 'will' but 'not'
    negates another verb: which event the phrase asserts is then the analyst's to check.
    """
    plain = text.replace("\u2019", "'")  # as find_probability_phrases reads it; offsets hold
    read = [*spans, *(m.span() for pattern in (DISCLAIMER, NEGATED_BELIEF, HUNCH) for m in pattern.finditer(plain))]
    return tuple(
        " ".join(text[m.start() : m.end()].split())
        for m in NEGATION.finditer(plain)
        if not any(a <= m.start() < b for a, b in read)
    )


def _negated_by_belief(text: str, start: int) -> bool:
    """'I don't think it will': a negated belief shortly before, in the same sentence."""
    return any(
        not _SENTENCE_BREAK.search(text, m.end(), start) and start - m.end() <= 60
        for m in NEGATED_BELIEF.finditer(text, 0, start)
    )


def _modal_be_possible(text: str, match: PhraseMatch) -> bool:
    """'could be possible' says 'could': the modal carries the estimate, 'possible' the capability."""
    return match.phrase.startswith("possib") and bool(
        re.search(r"\b(?:could|may|might)\s+be\s+$", text[: match.offsets[0]])
    )


def _resolve(match: re.Match, forms: dict[str, str], lexicon: Lexicon) -> PhraseMatch:
    phrase = _as_in_lexicon(forms[normalize_phrase(match["phrase"])], lexicon)
    stacked = tuple((match["prestack"] or "").split()) + tuple((match["stack"] or "").split())
    negated = bool(match["neg"] or match["postneg"]) or _negated_by_belief(match.string, match.start("phrase"))
    weakened_from = None
    inner = re.fullmatch(r"not\s+(.+)|(.+?)\s+not", phrase)
    if inner and not lexicon.accepts(phrase) and not negated:  # another lexicon's "probably not": "probable", negated
        positive = _as_in_lexicon(inner[1] or inner[2], lexicon)
        mirrored = _mirror(positive, lexicon) if inner[2] else None  # "probable not": the event's complement
        negated, phrase = True, mirrored or _negate(positive, positive, lexicon)
    elif match["postneg"] and not match["neg"]:
        opposite, mirrored = _negate(phrase, match["phrase"], lexicon), _mirror(phrase, lexicon)
        same = mirrored and lexicon.accepts(opposite) and lexicon.lookup(opposite) is lexicon.lookup(mirrored)
        phrase = opposite if same or not mirrored else mirrored  # "probably will not": "improbable", as written
    elif negated:
        phrase = _negate(phrase, match["phrase"], lexicon)
    elif stacked and _reads_higher(phrase, WEAKENED, lexicon):
        weakened_from, phrase = phrase, WEAKENED
    end = match.end("postneg") if match["postneg"] else match.end("phrase")
    return PhraseMatch(phrase, match.string[match.start() : end], (match.start(), end), negated, stacked,
                       weakened_from=weakened_from)  # fmt: skip


def _reads_higher(phrase: str, than: str, lexicon: Lexicon) -> bool:
    """Whether `phrase` reads as a higher chance than `than` in `lexicon` (midpoints of their intervals)."""
    if not (lexicon.accepts(phrase) and lexicon.accepts(than)):
        return False
    return sum(lexicon.lookup(phrase).interval) > sum(lexicon.lookup(than).interval)


def _as_in_lexicon(phrase: str, lexicon: Lexicon) -> str:
    """'probably' as 'probable' (or the reverse) when only that form is in the lexicon."""
    words = phrase.split()
    adjectives = {adverb: adjective for adjective, adverb in _ADVERBS.items()}
    for table in (_ADVERBS, adjectives):
        if words[-1] in table and not lexicon.accepts(phrase):
            other = " ".join([*words[:-1], table[words[-1]]])
            if lexicon.accepts(other):
                return other
    return phrase


def _mirror(phrase: str, lexicon: Lexicon) -> str | None:
    """'very likely not' is 'very unlikely': the lexicon's phrase whose range is the complement of the phrase's.

    A negation after the phrase negates the event, not the phrase: "almost certainly not"
    is almost certain that it will not happen. None when the lexicon has no such row.
    """
    if not lexicon.accepts(phrase) or (bounds := lexicon.lookup(phrase).range) is None:
        return None
    low, high = bounds
    mirrored = [
        e.phrase
        for e in lexicon.entries
        if e.range and abs(e.range[0] - (1 - high)) + abs(e.range[1] - (1 - low)) < 1e-9
    ]
    return mirrored[0] if mirrored else None


def _negate(phrase: str, written: str, lexicon: Lexicon) -> str:
    """'not likely' as the lexicon's own entry if it has one, else the opposite phrase, else a 'not' entry.

    The 'not' entries are looked for under the phrase as written and under its entry's name in
    the lexicon and in the fallback ("will happen" is "will" in the official words: "will not").
    """
    for form in (f"not {phrase}", f"{written.lower()} not", f"{phrase} not"):
        if normalize_phrase(form) in lexicon.phrases:
            return normalize_phrase(form)
    names = [phrase, written.lower()]
    names += [each.lookup(phrase).phrase for each in (lexicon, lexicon.fallback) if each and each.accepts(phrase)]
    for name in names:
        if name in NEGATIONS:
            return NEGATIONS[name]
    for name in dict.fromkeys(names):
        for form in (f"not {name}", f"{name} not"):
            if lexicon.accepts(form):  # the official words' "will not", "is not expected to"
                return lexicon.lookup(form).phrase
    return f"not {phrase}"

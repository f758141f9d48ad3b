"""Probability lexicons: files in priors/lexicons/ mapping phrases to probabilities.

Two kinds of entry:

- `range: [low, high]`: an official yardstick (ICD 203, PHIA, ...) defines the phrase as an
  interval; entries for words it does not define (the hedges "could", "may", "might") say
  where their numbers come from.
- `logit_normal: {mu, sigma}`: a survey lexicon gives the distribution of how people read
  the phrase, logit(p) ~ Normal(mu, sigma), fitted to their answers.

A lexicon may also map phrases of *other* lexicons that it lacks to one of its own rows
(the `aliases:` block, each with a one-line reason): then a scenario written in one lexicon
can be read in another, and a comparison changes the numbers, never the words.

Lookup ignores case and spacing; an unknown phrase is an error naming the nearest phrases,
the file, and the lexicons that define it, never a guess.

Words officials use that no yardstick defines ("will", "should", "expect", "cannot
exclude") have one home, priors/official-words.yaml, in the same format: every lexicon
falls back to it for a phrase it lacks, and the reading names the file it came from. One
file rather than an entry in each lexicon, because the reading of "expect" does not depend
on which yardstick a report uses, and ten copies of one judgement would drift apart.
"""

from __future__ import annotations

import difflib
from functools import cached_property
from pathlib import Path

from pydantic import Field, PrivateAttr, model_validator
from scipy.special import expit, logit, ndtri

from riskline.errors import ConfigError, ConfigIssue, LexiconError, excerpt
from riskline.files.yamlfile import Strict, closest, read_yaml, validate

__all__ = [
    "OFFICIAL_WORDS",
    "Alias",
    "Lexicon",
    "LexiconEntry",
    "LogitNormal",
    "available_lexicons",
    "defining_lexicons",
    "load_lexicon",
    "load_official_words",
    "normalize_phrase",
    "read_lexicon",
]

OFFICIAL_WORDS = "official-words"
"""priors/official-words.yaml: the readings every lexicon falls back to."""


def normalize_phrase(text: str) -> str:
    """Lower-case, single-spaced, without surrounding quotes or punctuation."""
    return " ".join(text.lower().strip(" \t\n\"'.,;:!?").split())


class LogitNormal(Strict):
    """logit(p) ~ Normal(mu, sigma): how a population of readers interprets a phrase."""

    mu: float
    sigma: float = Field(gt=0)

    def quantile(self, prob: float) -> float:
        """The probability below which a fraction `prob` of readers put the phrase."""
        return float(expit(self.mu + self.sigma * ndtri(prob)))


class LexiconEntry(Strict):
    """A phrase (and its synonyms) with the probability interval or distribution it stands for."""

    phrase: str
    aliases: list[str] = []
    range: tuple[float, float] | None = Field(default=None, description="[low, high] probability, both in [0, 1]")
    logit_normal: LogitNormal | None = None
    source: str | None = Field(default=None, description="where this entry's numbers come from, if not the lexicon's")

    @model_validator(mode="after")
    def _one_meaning(self) -> LexiconEntry:
        if (self.range is None) == (self.logit_normal is None):
            raise ValueError("give exactly one of 'range: [low, high]' or 'logit_normal: {mu, sigma}'")
        if self.range is not None and not 0 <= self.range[0] < self.range[1] <= 1:
            raise ValueError(f"range must satisfy 0 <= low < high <= 1, got [{self.range[0]}, {self.range[1]}]")
        return self

    @property
    def interval(self) -> tuple[float, float]:
        """The range, or the 5th-95th percentile of readers for a survey entry."""
        if self.range is not None:
            return self.range
        assert self.logit_normal is not None  # `_one_meaning`: a range or a reader distribution
        return self.logit_normal.quantile(0.05), self.logit_normal.quantile(0.95)


class Alias(Strict):
    """A phrase of another lexicon that this one lacks, read as one of this lexicon's own phrases.

    `reason` says why `to` is the nearest (docs/language.md: the row whose range is nearest).
    """

    phrase: str
    to: str = Field(description="one of this lexicon's own phrases")
    reason: str = Field(min_length=1, description="one line: why this phrase is the nearest")


class Lexicon(Strict):
    """A whole lexicon file."""

    name: str
    title: str
    source: str
    caveats: str | None = None
    aliases: list[Alias] = []
    entries: list[LexiconEntry] = Field(min_length=1)
    _fallback: Lexicon | None = PrivateAttr(default=None)
    _path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _phrases_unique(self) -> Lexicon:
        seen: set[str] = set()
        for entry in self.entries:
            for phrase in [entry.phrase, *entry.aliases]:
                if normalize_phrase(phrase) in seen:
                    raise ValueError(f"phrase '{phrase}' appears twice; each phrase may have one meaning")
                seen.add(normalize_phrase(phrase))
        return self

    @cached_property
    def _by_phrase(self) -> dict[str, LexiconEntry]:
        return {normalize_phrase(p): e for e in self.entries for p in [e.phrase, *e.aliases]}

    @property
    def phrases(self) -> list[str]:
        """Every phrase the lexicon defines, row synonyms included (not the `aliases:` block, nor the fallback)."""
        return list(self._by_phrase)

    @property
    def fallback(self) -> Lexicon | None:
        """The lexicon consulted for a phrase this one lacks (priors/official-words.yaml), if any."""
        return self._fallback

    def with_fallback(self, fallback: Lexicon | None) -> Lexicon:
        """A copy of the lexicon that falls back to `fallback` for the phrases it lacks."""
        copy = self.model_copy()
        copy._fallback = fallback
        return copy

    def accepts(self, phrase: str) -> bool:
        """Whether `phrase` has a reading here (its own, or by alias) or in the fallback."""
        return self.defining(phrase) is not None

    def defining(self, phrase: str) -> Lexicon | None:
        """The lexicon whose entry reads `phrase`: this one (directly or by alias), else its fallback; else None."""
        if normalize_phrase(phrase) in self._by_phrase or self.alias_of(phrase) is not None:
            return self
        if self._fallback is not None and self._fallback.accepts(phrase):
            return self._fallback
        return None

    def alias_of(self, phrase: str) -> Alias | None:
        """The alias that reads `phrase` as one of this lexicon's own, if the lexicon lacks the phrase itself."""
        wanted = normalize_phrase(phrase)
        if wanted in self._by_phrase:
            return None
        return next((a for a in self.aliases if normalize_phrase(a.phrase) == wanted), None)

    def lookup(self, phrase: str) -> LexiconEntry:
        """The entry for `phrase`: its own, by alias, else the fallback's; or LexiconError naming the nearest."""
        alias = self.alias_of(phrase)
        entry = self._by_phrase.get(normalize_phrase(alias.to if alias else phrase))
        if entry is None and self._fallback is not None and self._fallback.accepts(phrase):
            entry = self._fallback.lookup(phrase)
        if entry is None:
            near = difflib.get_close_matches(normalize_phrase(phrase), self.phrases, n=3, cutoff=0.5)
            hint = (
                ("did you mean " + " or ".join(f"'{n}'" for n in near) + "?")
                if near
                else ("known phrases: " + ", ".join(f"'{p}'" for p in sorted(self.phrases)))
            )
            shown = excerpt(phrase, 60)
            raise LexiconError(f"phrase '{shown}' is not in lexicon '{self.name}'; {hint}{self._where(phrase)}")
        return entry

    def _where(self, phrase: str) -> str:
        """The file, and the lexicons beside it that define `phrase`: where an alias would go, and to what."""
        if self._path is None:
            return f' (`riskline lexicon --phrase "{excerpt(phrase, 60)}"` shows the lexicons that define it)'
        others = [name for name in defining_lexicons(self._path.parent.parent, phrase) if name != self.name]
        defined = f"defined in {', '.join(others)}" if others else "no lexicon beside it defines it either"
        return (
            f" ({defined}; to read it here, map it to the nearest phrase in the `aliases:` block of {self._path}, "
            "docs/language.md)"
        )

    def alias_problems(self) -> list[tuple[list[str | int], str]]:
        """(field path, message) for each alias that leads nowhere, shadows a phrase, or repeats another."""
        found: list[tuple[list[str | int], str]] = []
        seen: set[str] = set()
        for index, alias in enumerate(self.aliases):
            phrase = normalize_phrase(alias.phrase)
            if phrase in self._by_phrase:
                found.append((["aliases", index, "phrase"], f"'{excerpt(alias.phrase, 60)}' is a phrase of this "
                              "lexicon already; an alias maps only a phrase the lexicon lacks: remove it"))  # fmt: skip
            elif phrase in seen:
                found.append((["aliases", index, "phrase"], f"'{excerpt(alias.phrase, 60)}' has an alias already; "
                              "each phrase may have one reading: remove one"))  # fmt: skip
            seen.add(phrase)
            if normalize_phrase(alias.to) not in self._by_phrase:
                hint = closest(normalize_phrase(alias.to), self.phrases)
                found.append((["aliases", index, "to"], f"'{excerpt(alias.to, 60)}' is not a phrase of this "
                              f"lexicon; an alias leads to one of its own phrases; {hint}"))  # fmt: skip
        return found

    def words_for(self, probability: float, *, ranges: bool = True) -> str:
        """A probability in this lexicon's own words: 'unlikely (20–45%, icd-203)', or 'unlikely' without `ranges`.

        Official rows (no `source` of their own) come first: the narrowest range holding the
        number; in a gap between ranges (the UK yardstick leaves some), both neighbours
        ("between unlikely (25–35%) and realistic possibility (40–50%, uk-phia)"); beyond the
        outermost range, that range. A survey lexicon gives the phrase whose readers' median
        is nearest on the logit scale. Added hedges ("could") are never chosen: they are too
        wide to say anything back.
        """
        official = [e for e in self.entries if e.range is not None and e.source is None]
        if official:
            holding = [e for e in official if e.interval[0] <= probability <= e.interval[1]]
            below = [e for e in official if e.interval[1] < probability]
            above = [e for e in official if e.interval[0] > probability]
            name = self.name if ranges else None
            if holding:
                return _said(min(holding, key=lambda e: e.interval[1] - e.interval[0]), name, ranges)
            if below and above:
                lower = max(below, key=lambda e: e.interval[1])
                upper = min(above, key=lambda e: e.interval[0])
                return f"between {_said(lower, None, ranges)} and {_said(upper, name, ranges)}"
            return _said(min(official, key=lambda e: _distance(e.interval, probability)), name, ranges)
        survey = [(e, e.logit_normal) for e in self.entries if e.logit_normal is not None]
        if not survey:
            raise LexiconError(f"lexicon '{self.name}' has only added hedges; it cannot put a number into words")
        target = logit(min(max(probability, 1e-4), 1 - 1e-4))
        entry, readers = min(survey, key=lambda pair: abs(pair[1].mu - target))
        if not ranges:
            return entry.phrase
        return f"{entry.phrase} (readers' median {100 * readers.quantile(0.5):.0f}%, {self.name})"


def _said(entry: LexiconEntry, lexicon: str | None, ranges: bool) -> str:
    """'unlikely (20–45%, icd-203)', without the lexicon's name, or the phrase alone."""
    if not ranges:
        return entry.phrase
    low, high = entry.interval
    return f"{entry.phrase} ({100 * low:.0f}–{100 * high:.0f}%{f', {lexicon}' if lexicon else ''})"


def _distance(interval: tuple[float, float], probability: float) -> float:
    return max(interval[0] - probability, probability - interval[1], 0.0)


def available_lexicons(priors_dir: Path) -> list[str]:
    """Names of the lexicon files in `priors_dir/lexicons/`."""
    return sorted(p.stem for p in (Path(priors_dir) / "lexicons").glob("*.yaml"))


def defining_lexicons(priors_dir: Path, phrase: str) -> list[str]:
    """Names of the lexicons in `priors_dir/lexicons/` that define `phrase` themselves (not by alias)."""
    wanted = normalize_phrase(phrase)
    return [name for name in available_lexicons(priors_dir) if wanted in read_lexicon(priors_dir, name).phrases]


def load_lexicon(priors_dir: Path, name: str) -> Lexicon:
    """Read and validate `priors_dir/lexicons/<name>.yaml`, falling back to the official words."""
    return read_lexicon(priors_dir, name).with_fallback(load_official_words(priors_dir))


def read_lexicon(priors_dir: Path, name: str) -> Lexicon:
    """`priors_dir/lexicons/<name>.yaml` alone, without the fallback; every bad alias is named with its line."""
    path = Path(priors_dir) / "lexicons" / f"{name}.yaml"
    if not path.is_file():
        hint = closest(name, available_lexicons(priors_dir))
        raise ConfigError([ConfigIssue(path, None, "lexicon", f"no lexicon named '{name}'; {hint}")])
    doc = read_yaml(path)
    lexicon = validate(Lexicon, doc)
    if problems := lexicon.alias_problems():
        raise ConfigError([doc.issue(loc, message) for loc, message in problems])
    lexicon._path = path
    return lexicon


def load_official_words(priors_dir: Path) -> Lexicon | None:
    """`priors_dir/official-words.yaml`, the readings every lexicon falls back to; None where there is none."""
    path = Path(priors_dir) / f"{OFFICIAL_WORDS}.yaml"
    return validate(Lexicon, read_yaml(path)) if path.is_file() else None

"""What a statement says about probability: a lexicon phrase, a number, or an interval.

Everything becomes an interval [low, high] for the source's belief. A number is an
interval too, the width of its rounding: people who say "30%" rarely mean 30.0%, so a
multiple of 10 percentage points stands for +/-5, a multiple of 5 for +/-2.5, anything
else for +/-0.5. Odds are rounded the same way, in their denominator: "1 in 3" is every
chance that rounds to one in three, 1/3.5 to 1/2.5. A stated range ("30-40%") is itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy.special import logit

from riskline.errors import ProbabilityError
from riskline.language.lexicon import Alias, Lexicon, LogitNormal

__all__ = ["StatedProbability", "parse_probability"]


STATED_RANGE = re.compile(r"(?P<low>\d{1,3}(?:\.\d+)?)\s*%?\s*(?:-|–|—|to)\s*(?P<high>\d{1,3}(?:\.\d+)?)\s*%")
"""'30-40%', '30–40%', '30% to 40%': a stated range of percentages."""
STATED_ODDS = re.compile(r"(?P<k>\d{1,3})\s+in\s+(?P<n>\d{1,4})")
"""'1 in 3': odds, as riskline writes the ones it reads ('one in three', 'a one-in-three chance')."""


@dataclass(frozen=True)
class StatedProbability:
    """The interval a statement puts the probability in, and how it was written.

    For a survey-lexicon phrase, `logit_normal` is the readers' distribution and
    [low, high] its 5th-95th percentiles (for display); the model uses the distribution.
    `alias` is set when the lexicon lacks the phrase and reads it as one of its own.
    """

    low: float
    high: float
    text: str
    lexicon: str | None = None
    logit_normal: LogitNormal | None = None
    alias: Alias | None = None

    def logit_centre(self) -> float:
        """The belief's centre on the logit scale: its survey mean, or its interval's middle.

        The middle is taken on the logit scale (bounds clipped to [1e-4, 1 - 1e-4]), where the
        model relates beliefs to probabilities: 'could' (10-70%) is centred at 34%, not 40%.
        """
        if self.logit_normal is not None:
            return self.logit_normal.mu
        return float(np.mean(logit(np.clip([self.low, self.high], 1e-4, 1 - 1e-4))))

    def describe(self) -> str:
        """'could (10-70%, icd-203)', '30% (25-35%)', or 'very likely as highly likely (80-90%, uk-phia alias)'."""
        where = f", {self.lexicon}" if self.lexicon else ""
        said = self.text if self.alias is None else f"{self.text} as {self.alias.to}"
        return f"{said} ({100 * self.low:.0f}–{100 * self.high:.0f}%{where}{' alias' if self.alias else ''})"


def parse_probability(value: str | float | list[float], lexicon: Lexicon) -> StatedProbability:
    """Turn a scenario's `probability` field into an interval.

    Raises ProbabilityError (a ValueError) for malformed numbers and LexiconError for unknown phrases.
    """
    if isinstance(value, list):
        if len(value) != 2 or not 0 <= value[0] < value[1] <= 1:
            raise ProbabilityError(f"an interval must be [low, high] with 0 <= low < high <= 1, got {value}")
        return StatedProbability(float(value[0]), float(value[1]), f"{value[0]:g}–{value[1]:g}")
    if isinstance(value, str) and (written := STATED_RANGE.fullmatch(value.strip())):
        low, high = float(written["low"]) / 100, float(written["high"]) / 100
        if not 0 <= low < high <= 1:
            raise ProbabilityError(f"a range of percentages must run upwards within 0-100%, got {value!r}")
        return StatedProbability(low, high, value.strip())
    if isinstance(value, str) and (written := STATED_ODDS.fullmatch(value.strip())):
        k, n = int(written["k"]), int(written["n"])
        if not 0 < k < n:
            raise ProbabilityError(f"odds 'k in n' need 0 < k < n, got {value!r}")
        return StatedProbability(k / (n + 0.5), k / (n - 0.5), value.strip())
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip().rstrip("%")) / 100
        except ValueError:
            raise ProbabilityError(f"expected a percentage such as '30%', got {value!r}") from None
        return _rounded(number, value.strip())
    if isinstance(value, int | float):
        if value > 100:
            raise ProbabilityError(f"a probability lies in [0, 1] (or 0%–100% as text), got {value:g}")
        if value > 1:
            raise ProbabilityError(f"probabilities are between 0 and 1: write {value / 100:g} or '{value:g}%'")
        return _rounded(float(value), f"{100 * value:g}%")
    entry = lexicon.lookup(value)
    low, high = entry.interval
    defining = lexicon.defining(value) or lexicon  # lookup found it: this lexicon or its fallback defines it
    return StatedProbability(low, high, value, defining.name, entry.logit_normal, lexicon.alias_of(value))


def _rounded(number: float, text: str) -> StatedProbability:
    if not 0 <= number <= 1:
        raise ProbabilityError(f"a probability must lie in [0, 1], got {text}")
    percent = round(100 * number, 6)
    half = 5.0 if percent % 10 == 0 else 2.5 if percent % 5 == 0 else 0.5
    low, high = max(percent - half, 0.0), min(percent + half, 100.0)
    return StatedProbability(low / 100, high / 100, text)

"""The exceptions and warnings users see.

Every message says what failed, what was expected and, where one exists, how to fix it.
Configuration errors also carry the file, line and field so an editor can jump there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "ConvergenceWarning",
    "ForecastFileError",
    "LexiconError",
    "OutputError",
    "ProbabilityError",
    "RisklineError",
    "SamplingInterrupted",
    "excerpt",
]


def excerpt(value: object, limit: int = 80) -> str:
    """`value` in at most `limit` characters: a message quotes what it saw, never a whole file."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RisklineError(Exception):
    """Base class of every error riskline raises on purpose."""


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in one configuration file: where it is and what is wrong."""

    file: Path | None
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        place = str(self.file) if self.file is not None else "<input>"
        if self.line is not None:
            place += f":{self.line}"
        return f"{place}: {self.field}: {self.message}" if self.field else f"{place}: {self.message}"


class ConfigError(RisklineError):
    """A scenario or prior file is invalid; lists every issue found, one per line."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = list(issues)
        count = len(self.issues)
        head = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{head} in configuration:\n" + "\n".join(f"  {i}" for i in self.issues))


class ProbabilityError(RisklineError, ValueError):
    """A stated probability is not one: '999%', [0.7, 0.2], 'x%'."""


class LexiconError(RisklineError):
    """A probability phrase is not in the chosen lexicon (the message lists the nearest)."""


class OutputError(RisklineError):
    """An output folder cannot be written without losing files riskline did not write."""


class ForecastFileError(RisklineError):
    """A saved forecast (forecast.nc) cannot be read back, or not as the scenario it was made for."""


class SamplingInterrupted(RisklineError):
    """Sampling stopped before every chain had all its draws (Ctrl-C): nothing is reported from part of a fit."""


class ConvergenceWarning(UserWarning):
    """The sampler's diagnostics miss the thresholds, so the forecast may be unreliable."""

"""Conventions for reading time expressions, from files an analyst can edit.

priors/time-conventions.yaml and the horizon vocabularies in priors/time-horizons/
("near term" and the like).

Kept in files so that an analyst can see and change every reading ("by 2029" includes
2029?) without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import Field, field_validator

from riskline.errors import ConfigError, ConfigIssue
from riskline.files.yamlfile import Strict, closest, read_yaml, validate
from riskline.language.durations import parse_span

__all__ = ["FuzzySpan", "HorizonTerm", "TimeConventions", "load_time_conventions"]


def _check_span(text: str) -> str:
    parse_span(text, allow_zero=True)  # raises ValueError with the expected form
    return text


class FuzzySpan(Strict):
    """A span without an exact length: the window ends between `earliest` and `latest`."""

    earliest: str
    latest: str
    reason: str

    _spans = field_validator("earliest", "latest")(_check_span)


class HorizonTerm(Strict):
    """A named period after the issue date ("near term": 6 months to 2 years)."""

    start: str
    end: str

    _spans = field_validator("start", "end")(_check_span)


class HorizonFile(Strict):
    """A file in priors/time-horizons/."""

    name: str
    source: str
    terms: dict[str, HorizonTerm]


class ConventionsFile(Strict):
    """priors/time-conventions.yaml."""

    years: dict[Literal["by", "before", "until", "as_early_as"], Literal["start", "end"]]
    fuzzy: dict[str, FuzzySpan]
    approximately: dict[str, tuple[float, float]] = Field(description="factors for the earliest and latest end")
    horizons: str


@dataclass(frozen=True)
class TimeConventions:
    """Everything the time-expression parser reads from priors/."""

    years: dict[str, str]
    fuzzy: dict[str, FuzzySpan]
    approximately: dict[str, tuple[float, float]]
    horizons: HorizonFile

    def fuzzy_range(self, phrase: str) -> tuple[relativedelta, relativedelta, str]:
        entry = self.fuzzy[phrase]
        return parse_span(entry.earliest), parse_span(entry.latest), entry.reason

    def horizon(self, term: str) -> tuple[relativedelta, relativedelta]:
        entry = self.horizons.terms[term]
        return parse_span(entry.start, allow_zero=True), parse_span(entry.end)


def load_time_conventions(priors_dir: Path, horizons: str | None = None) -> TimeConventions:
    """Read the conventions, with the horizon vocabulary named there (or `horizons`)."""
    priors_dir = Path(priors_dir)
    conventions = validate(ConventionsFile, read_yaml(priors_dir / "time-conventions.yaml"))
    name = horizons or conventions.horizons
    path = priors_dir / "time-horizons" / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise ConfigError(
            [ConfigIssue(path, None, "horizons", f"no horizon vocabulary '{name}'; {closest(name, known)}")]
        )
    vocabulary = validate(HorizonFile, read_yaml(path))
    return TimeConventions(
        {str(word): str(end) for word, end in conventions.years.items()},
        dict(conventions.fuzzy),
        dict(conventions.approximately),
        vocabulary,
    )

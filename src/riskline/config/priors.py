"""The prior files in priors/: hazard settings, source reliability classes, base rates.

Each file is validated like a scenario (unknown fields rejected, errors with file:line),
so an analyst can edit them by hand. Lexicons live in `riskline.language.lexicon`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from riskline.errors import ConfigError, ConfigIssue
from riskline.files.yamlfile import Strict, read_yaml, validate

__all__ = [
    "SAMPLER_ENVIRONMENT",
    "BaseRate",
    "BaseRatesFile",
    "HazardSettings",
    "ModelFile",
    "Priors",
    "SamplerSettings",
    "SourceClass",
    "SourcesFile",
    "find_priors_dir",
    "load_priors",
]


MIN_KNOT_SPACING = 0.05
"""Years: knots closer than about 18 days add nothing a monthly grid can show, and cost memory."""


class HazardSettings(Strict):
    """How an event's hazard may vary over time (see docs/model.md)."""

    kind: Literal["random_walk", "constant"]
    smoothness: float = Field(gt=0, description="sd of the change in log hazard per sqrt(year)")
    knot_spacing: float = Field(ge=MIN_KNOT_SPACING, description="years between the random walk's knots")
    reversion: float | None = Field(
        default=None,
        gt=0,
        description="years over which the log hazard falls back e-fold towards its level; none: it never does",
    )


SAMPLER_ENVIRONMENT = {"draws": "RISKLINE_DRAWS", "tune": "RISKLINE_TUNE", "chains": "RISKLINE_CHAINS"}
"""Environment variables that override model.yaml's sampling sizes: the documented way to run
every notebook quickly (the test suite does) without touching the files or the code."""


class SamplerSettings(Strict):
    """Defaults for NUTS; the environment (SAMPLER_ENVIRONMENT), then the CLI's --draws etc. override them."""

    draws: int = Field(gt=0)
    tune: int = Field(gt=0)
    chains: int = Field(ge=1)
    target_accept: float = Field(gt=0, lt=1)
    adaptation: Literal["diag", "low_rank"] = Field(description="nutpie's mass matrix adaptation")


class DiagnosticThresholds(Strict):
    """Below these the forecast carries a ConvergenceWarning."""

    max_rhat: float = Field(gt=1)
    min_ess_bulk: float = Field(gt=0)


class ConfidenceFactors(Strict):
    """Multipliers of a statement's noise scale by the confidence it states."""

    high: float = Field(gt=0)
    moderate: float = Field(gt=0)
    low: float = Field(gt=0)


class ModelFile(Strict):
    """priors/model.yaml."""

    hazard: HazardSettings
    sampler: SamplerSettings
    diagnostics: DiagnosticThresholds
    confidence: ConfidenceFactors
    fuzzy_window_points: int = Field(ge=2)


class Normal(Strict):
    mean: float
    sd: float = Field(ge=0)


class LogNormal(Strict):
    median: float = Field(gt=0)
    log_sd: float = Field(ge=0)


class JudgedPrior(Strict):
    """A class's bias and noise priors as judged before the backtest (kept for its judgement arm)."""

    bias: Normal
    noise: LogNormal


class SourceClass(Strict):
    """Prior on a class of sources' bias (logit scale) and noise scale.

    `judgement`, when present, holds the priors as judged before they were learned from the
    backtest (scripts/fit_backtest_priors.py); the model uses `bias` and `noise`.
    """

    description: str
    bias: Normal
    noise: LogNormal
    judgement: JudgedPrior | None = None


class SourcesFile(Strict):
    """priors/sources.yaml."""

    classes: dict[str, SourceClass]


class BaseRate(Strict):
    """Centre and spread of an event's hazard before any statement is read."""

    description: str
    per_year: float = Field(gt=0, description="median hazard, events per year")
    log_sd: float = Field(gt=0, description="sd of log hazard around the median")
    reason: str


class BaseRatesFile(Strict):
    """priors/base-rates.yaml."""

    rates: dict[str, BaseRate]


@dataclass(frozen=True)
class Priors:
    """The validated contents of a priors/ directory."""

    directory: Path
    model: ModelFile
    source_classes: dict[str, SourceClass]
    base_rates: dict[str, BaseRate]


def load_priors(directory: Path) -> Priors:
    """Read and validate model.yaml, sources.yaml and base-rates.yaml in `directory`."""
    directory = Path(directory)
    model = validate(ModelFile, read_yaml(directory / "model.yaml"))
    model = model.model_copy(update={"sampler": _sampler_from_environment(model.sampler)})
    sources = validate(SourcesFile, read_yaml(directory / "sources.yaml"))
    rates = validate(BaseRatesFile, read_yaml(directory / "base-rates.yaml"))
    return Priors(directory, model, dict(sources.classes), dict(rates.rates))


def _sampler_from_environment(settings: SamplerSettings) -> SamplerSettings:
    """model.yaml's sampler settings with any RISKLINE_DRAWS / _TUNE / _CHAINS applied."""
    update = {}
    for field, variable in SAMPLER_ENVIRONMENT.items():
        value = os.environ.get(variable)
        if value is None:
            continue
        if not value.strip().isdigit() or int(value) == 0:
            message = f"expected a positive whole number, got {value!r}; unset it to use priors/model.yaml's {field}"
            raise ConfigError([ConfigIssue(None, None, variable, message)])
        update[field] = int(value)
    return settings.model_copy(update=update)


def find_priors_dir(start: Path) -> Path | None:
    """The nearest `priors/` holding a model.yaml, looking upward from `start`.

    Scenarios live in a project's scenarios/ folder, so this finds the project's priors the
    way git finds .git; pass an explicit directory to use another set.
    """
    for folder in [start, *start.parents]:
        if (folder / "priors" / "model.yaml").is_file():
            return folder / "priors"
    return None

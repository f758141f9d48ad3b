"""The shape of scenario files, as pydantic models that reject unknown fields.

These models check each field on its own (types, required fields, allowed words).
Checks that need several fields or other files (an estimate's event exists, its window
ends after it was issued, its phrase is in the lexicon) live in `riskline.config.scenario`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from riskline.config.priors import MIN_KNOT_SPACING, BaseRate, LogNormal, Normal, SourceClass
from riskline.files.yamlfile import Strict

__all__ = [
    "EstimateSpec",
    "EventSpec",
    "HazardOverride",
    "OutcomeSpec",
    "PlatformCdfSpec",
    "PlatformForecastSpec",
    "PriorOverrides",
    "ProvenanceSpec",
    "ScenarioFile",
    "SignpostSpec",
    "SourceSpec",
    "WindowSpec",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
FIRST_YEAR, LAST_YEAR = 1900, 2200
"""The dates riskline handles: every date in a scenario, and every window's end, lies in these years."""


def _in_range(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"expected a date between {FIRST_YEAR} and {LAST_YEAR}, got {day}")
    return day


Day = Annotated[date, AfterValidator(_in_range)]


class EventSpec(Strict):
    """Something that may happen, with the base rate its hazard prior is centred on.

    With `after: other`, the event can only happen once `other` has, and its base rate is
    the hazard of the delay after `other` (docs/model.md, event chains). A latent event
    (`observed: false`) may have happened unseen (docs/model.md, latent events).
    """

    id: str = Field(pattern=ID_PATTERN)
    label: str
    kind: Literal["occurrence", "capability"] = "occurrence"
    base_rate: str
    after: str | None = None
    resolution: str | None = None
    observed: bool | None = Field(
        default=None,
        description="whether it would be known at once if it happened (default: yes for an occurrence, no for a "
        "capability, which nobody announces); if not, 'not happened by as_of' is not data for it (docs/model.md)",
    )

    @property
    def is_observed(self) -> bool:
        """`observed`, or its default: an occurrence is seen when it happens, a capability is not."""
        return self.observed if self.observed is not None else self.kind == "occurrence"


class SourceSpec(Strict):
    """Who made statements; `reliability` names a class in priors/sources.yaml.

    `bias` and `noise` replace the class's priors for this source alone.
    """

    id: str = Field(pattern=ID_PATTERN)
    label: str
    reliability: str
    bias: Normal | None = None
    noise: LogNormal | None = None


class WindowSpec(Strict):
    """When the stated event would happen, in words or in dates.

    - `expression: "within two years"`: read relative to the issue date by
      riskline.language (conventions in priors/time-conventions.yaml);
    - `end` (exclusive: "before 2030" is `end: 2030-01-01`) or `within: 2 years`, with an
      optional later `start` ("in 2029-2030"), and optionally `end_earliest`/`end_latest`
      for a fuzzy end ("in a few years"), over which the model averages.
    """

    expression: str | None = None
    after: str | None = Field(default=None, description="an event the window counts from, e.g. 'ceasefire'")
    start: Day | None = None
    end: Day | None = None
    within: str | None = Field(default=None, description="a span such as '2 years' or '18 months'")
    end_earliest: Day | None = None
    end_latest: Day | None = None

    @model_validator(mode="after")
    def _one_end(self) -> WindowSpec:
        dates = (self.start, self.end, self.end_earliest, self.end_latest)
        if self.after is not None:
            if any(v is not None for v in dates) or (self.within is None) == (self.expression is None):
                raise ValueError(
                    "a window 'after' an event takes 'within' (a span such as '1 year') or 'expression' "
                    "(words such as 'about one year after a ceasefire'), and no dates"
                )
            return self
        if self.expression is not None:
            if any(v is not None for v in (*dates, self.within)):
                raise ValueError("give either 'expression' alone, or dates ('end' or 'within', optional 'start')")
            return self
        if (self.end is None) == (self.within is None):
            raise ValueError(
                "give exactly one of 'end' (a date), 'within' (a span such as '2 years') or 'expression' (words)"
            )
        if (self.end_earliest is None) != (self.end_latest is None):
            raise ValueError("a fuzzy end needs both 'end_earliest' and 'end_latest'")
        return self


class ProvenanceSpec(Strict):
    """Where a quote came from: a seed document with character offsets, or an outlet."""

    seed: str | None = Field(default=None, description="path of a seed file, e.g. seeds/2025-12-03-....md")
    offsets: tuple[int, int] | None = None
    outlet: str | None = None
    url: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _seed_or_outlet(self) -> ProvenanceSpec:
        if self.seed is None and self.outlet is None:
            raise ValueError("give 'seed' (a file in seeds/ with 'offsets') or 'outlet' (who reported it)")
        if self.seed is not None and self.offsets is None:
            raise ValueError("a 'seed' needs 'offsets: [start, end]', the quote's character offsets in the file")
        return self


class EstimateSpec(Strict):
    """One sourced statement about when an event may happen."""

    id: str = Field(pattern=ID_PATTERN)
    source: str
    issued: Day
    event: str
    kind: Literal["occurrence", "capability"] = "occurrence"
    quote: str
    provenance: ProvenanceSpec
    window: WindowSpec = Field(
        description='fields such as {within: 2 years}, {end: 2030-01-01} or {expression: "within two years"}'
    )
    probability: str | float | list[float] = Field(
        description="a lexicon phrase ('likely'), a number (0.3 or '30%'), or an interval [0.2, 0.4]"
    )
    confidence: Literal["high", "moderate", "low"] | None = None
    paraphrase: bool = Field(
        default=False, description="true when `quote` is the outlet's reported speech, not the speaker's words"
    )
    note: str | None = None


class PlatformCdfSpec(Strict):
    """A forecasting platform's date-question CDF: a file, or the values written out with the question's range."""

    file: str | None = Field(default=None, description="a JSON file as `riskline run` writes (metaculus-EVENT.json), "
                             "relative to the scenario file")  # fmt: skip
    range: tuple[Day, Day] | None = Field(default=None, description="the question's range [lower bound, upper bound]")
    continuous_cdf: list[float] | None = Field(default=None, description="201 values of P(event by date) evenly "
                                               "spaced across the range")  # fmt: skip

    @model_validator(mode="after")
    def _file_or_values(self) -> PlatformCdfSpec:
        if (self.file is None) == (self.continuous_cdf is None):
            raise ValueError("give 'file' (a CDF file) or 'continuous_cdf' with 'range' (the values written out)")
        if (self.continuous_cdf is None) != (self.range is None):
            raise ValueError("'continuous_cdf' and 'range' go together: the values and the dates they span")
        return self


class PlatformForecastSpec(Strict):
    """A forecasting platform's forecast of an event's date, read as statements P(event by date) (docs/scenarios.md).

    Each date of `read_at` becomes one estimate, `ID-by-DATE`: the CDF's probability of the
    event by that date, given that it had not happened by `issued`.
    """

    id: str = Field(pattern=ID_PATTERN)
    source: str
    issued: Day
    event: str
    quote: str = Field(description="what the platform showed, e.g. the question's title and the forecast's median")
    provenance: ProvenanceSpec
    cdf: PlatformCdfSpec
    read_at: list[Day] = Field(default=[], description="dates to read P(event by date) at (default: the range's end)")
    note: str | None = None


class SignpostSpec(Strict):
    """A dated development that multiplies an event's hazard from its date on.

    `hazard_ratio: [low, high]` is a 90% interval for the multiplier (log-normal, median
    the geometric mean of the two).
    """

    id: str = Field(pattern=ID_PATTERN)
    event: str
    date: Day
    description: str
    hazard_ratio: tuple[float, float] = Field(
        description="a 90% interval [low, high] for the multiplier of the hazard, e.g. [0.8, 2]"
    )
    provenance: ProvenanceSpec | None = None
    quote: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ratio(self) -> SignpostSpec:
        low, high = self.hazard_ratio
        if not 0 < low < high:
            raise ValueError(f"hazard_ratio must be [low, high] with 0 < low < high, got [{low}, {high}]")
        return self


class HazardOverride(Strict):
    """Scenario-level changes to priors/model.yaml's hazard settings."""

    kind: Literal["random_walk", "constant"] | None = None
    smoothness: float | None = Field(default=None, gt=0)
    knot_spacing: float | None = Field(default=None, ge=MIN_KNOT_SPACING)
    reversion: float | None = Field(default=None, gt=0)


class PriorOverrides(Strict):
    """Prior settings a scenario replaces; names refer to entries of the priors/ files."""

    hazard: HazardOverride = HazardOverride()
    base_rates: dict[str, BaseRate] = {}
    source_classes: dict[str, SourceClass] = {}


class OutcomeSpec(Strict):
    """How a historical question resolved: the backtest scores against it, the forecast never reads it.

    `happened`: the date of the first event of the scenario's chain that resolves the
    question (its last event); `not_by`: the latest date known with nothing having happened.
    """

    happened: Day | None = None
    not_by: Day | None = None
    evidence: ProvenanceSpec = Field(
        description="where the resolution is documented: {outlet: ..., url: ..., note: ...}"
    )

    @model_validator(mode="after")
    def _one_resolution(self) -> OutcomeSpec:
        if (self.happened is None) == (self.not_by is None):
            raise ValueError(
                "give exactly one of 'happened: DATE' (the event's date) or 'not_by: DATE' (nothing by then)"
            )
        return self


class ScenarioFile(Strict):
    """A whole scenario file: the question, its dates, events, sources and estimates."""

    name: str = Field(pattern=ID_PATTERN)
    title: str
    question: str
    resolution: str
    as_of: Day
    horizon: Day
    at_risk_from: Day | None = None
    grid: Literal["month", "quarter"] = "quarter"
    cdf_range: tuple[Day, Day] | None = Field(
        default=None, description="[start, end] of the date-question CDFs a run writes (default: as_of to the horizon)"
    )
    lexicon: str
    events: list[EventSpec] = Field(min_length=1)
    sources: list[SourceSpec] = []
    estimates: list[EstimateSpec] = []
    platform_forecasts: list[PlatformForecastSpec] = []
    signposts: list[SignpostSpec] = []
    priors: PriorOverrides = PriorOverrides()
    outcome: OutcomeSpec | None = None

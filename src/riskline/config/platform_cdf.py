"""Date-question CDFs as forecasting platforms exchange them (Metaculus' API format), read and written.

A Metaculus date question has a range [range_min, range_max]; a forecast is `continuous_cdf`,
201 values of P(date <= x) at 201 evenly spaced points x across the range (docs/scenarios.md
cites the API description). The first value is the mass below the lower bound, 1 minus the
last the mass above the upper bound. Between two points the CDF is read linearly: the API
scores a forecast by the differences of consecutive values, i.e. as mass spread evenly over
each step.

riskline writes one per event (riskline.interchange) and reads one as statements of a
forecasting platform (`platform_forecasts:` in a scenario, `platform_estimates`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from riskline.config.priors import Priors
from riskline.config.schema import EstimateSpec, PlatformForecastSpec, ScenarioFile, WindowSpec
from riskline.errors import ConfigIssue
from riskline.files.yamlfile import YamlDocument

__all__ = [
    "CDF_POINTS",
    "DateCdf",
    "cdf_from_json",
    "cdf_locations",
    "make_cdf",
    "platform_estimates",
    "read_cdf_file",
]

CDF_POINTS = 201
"""Values in a Metaculus continuous CDF (200 steps over the range)."""
MIN_STEP = 0.01 / 200
"""The API's smallest rise per step: at least 1% of the mass spread evenly within the range."""
MAX_STEP = 0.2
"""The API's largest rise per step (0.59 in older versions of its description)."""
OPEN_BOUND_MASS = 0.001
"""The API's least mass beyond an open bound; beyond a closed bound it must be none."""
TOLERANCE = 1e-9
"""Rounding allowed where a CDF must not fall or leave [0, 1]; values this close to 0 or 1 are read as 0 or 1 (a
forecast's chain convolution leaves ~1e-17 where nothing can have happened)."""
PLATFORM_CLASS = "forecasting_platform"
"""The reliability class a `platform_forecasts` source must have: its priors are a platform's bias and noise."""
PLATFORM_HALF_WIDTH = 0.005
"""A probability read off a platform's CDF is the interval +/- half a percentage point: a number like any other
(riskline.language.probability), but exact, so not widened to its rounding."""


@dataclass(frozen=True)
class DateCdf:
    """P(date <= x) at CDF_POINTS evenly spaced instants from `range_min` to `range_max` (UTC)."""

    range_min: datetime
    range_max: datetime
    cdf: tuple[float, ...]
    open_lower_bound: bool
    open_upper_bound: bool

    def locations(self) -> list[datetime]:
        """The instants the CDF's values belong to."""
        return cdf_locations(self.range_min, self.range_max)

    @property
    def below_lower_bound(self) -> float:
        """The mass before range_min."""
        return self.cdf[0]

    @property
    def above_upper_bound(self) -> float:
        """The mass after range_max: the chance the date falls later, or never."""
        return 1.0 - self.cdf[-1]

    def at(self, when: date | datetime) -> float:
        """P(date <= when), read linearly between the two points around it; `when` inside the range."""
        moment = _utc(when)
        if not self.range_min <= moment <= self.range_max:
            raise ValueError(f"{moment:%Y-%m-%d} is outside the CDF's range {self.range_min:%Y-%m-%d} to "
                             f"{self.range_max:%Y-%m-%d}")  # fmt: skip
        position = (moment - self.range_min) / (self.range_max - self.range_min) * (CDF_POINTS - 1)
        return float(np.interp(position, np.arange(CDF_POINTS), self.cdf))

    def api_problems(self) -> list[str]:
        """The rules of Metaculus' API this CDF breaks (it would refuse it as a forecast), in words."""
        steps = np.diff(self.cdf)
        found = []
        if (flat := int(np.sum(steps < MIN_STEP))) > 0:
            found.append(f"{flat} of 200 steps rise less than {MIN_STEP:g} (the API wants at least 1% of the mass "
                         "spread evenly within the range)")  # fmt: skip
        if (steep := int(np.sum(steps > MAX_STEP))) > 0:
            found.append(f"{steep} steps rise more than {MAX_STEP:g}")
        for side, open_, mass in (("lower", self.open_lower_bound, self.below_lower_bound),
                                  ("upper", self.open_upper_bound, self.above_upper_bound)):  # fmt: skip
            if open_ and mass < OPEN_BOUND_MASS:
                found.append(f"the {side} bound is open but only {mass:.4g} of the mass lies beyond it "
                             f"(at least {OPEN_BOUND_MASS:g})")  # fmt: skip
            if not open_ and mass > 0:
                found.append(f"the {side} bound is closed but {mass:.4g} of the mass lies beyond it")
        return found

    def to_json(self) -> dict:
        """The question's range and the forecast as the API lays them out (`question.scaling`, `forecast`)."""
        return {
            "question": {
                "type": "date",
                "scaling": {
                    "range_min": self.range_min.timestamp(),
                    "range_max": self.range_max.timestamp(),
                    "zero_point": None,
                    "open_lower_bound": self.open_lower_bound,
                    "open_upper_bound": self.open_upper_bound,
                    "continuous_range": [x.isoformat().replace("+00:00", "Z") for x in self.locations()],
                },
            },
            "forecast": {"continuous_cdf": list(self.cdf)},
            "below_lower_bound": self.below_lower_bound,
            "above_upper_bound": self.above_upper_bound,
        }


def cdf_locations(range_min: datetime, range_max: datetime) -> list[datetime]:
    """The CDF_POINTS instants of a range: its ends and 199 between them, in 200 equal steps."""
    step = (range_max - range_min) / (CDF_POINTS - 1)
    return [range_min + i * step for i in range(CDF_POINTS)]


def cdf_from_json(data: object) -> DateCdf:
    """A DateCdf from the layout `DateCdf.to_json` writes; ValueError saying what is wrong and what is expected."""
    question = _field(data, "question", dict, "the question: {type: date, scaling: {range_min, range_max, ...}}")
    if question.get("type", "date") != "date":
        raise ValueError(f"question.type is {question['type']!r}; riskline reads date questions only")
    scaling = _field(question, "scaling", dict, "the question's range: {range_min, range_max}", "question.")
    forecast = _field(data, "forecast", dict, "{continuous_cdf: [201 numbers]}")
    values = _field(forecast, "continuous_cdf", list, f"{CDF_POINTS} numbers", "forecast.")
    range_min, range_max = (_moment(scaling.get(key), f"question.scaling.{key}") for key in ("range_min", "range_max"))
    return make_cdf(range_min, range_max, values, scaling.get("open_lower_bound"), scaling.get("open_upper_bound"))


def make_cdf(
    range_min: datetime, range_max: datetime, values: list, open_lower: bool | None, open_upper: bool | None
) -> DateCdf:
    """A checked DateCdf; unset bounds are open where the CDF puts mass beyond them."""
    if not range_min < range_max:
        raise ValueError(f"the range must run forwards, got {range_min:%Y-%m-%d} to {range_max:%Y-%m-%d}")
    if len(values) != CDF_POINTS:
        raise ValueError(f"continuous_cdf has {len(values)} values; a Metaculus CDF has {CDF_POINTS}, one at each "
                         "of 200 equal steps across the range, ends included")  # fmt: skip
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        raise ValueError("continuous_cdf must hold numbers only")
    cdf = np.asarray(values, dtype=float)
    if cdf.min() < -TOLERANCE or cdf.max() > 1 + TOLERANCE:
        raise ValueError(f"continuous_cdf values are probabilities in [0, 1], got {cdf.min():g} to {cdf.max():g}")
    if (falls := np.flatnonzero(np.diff(cdf) < -TOLERANCE)).size:
        raise ValueError(f"continuous_cdf falls from value {falls[0]} to {falls[0] + 1} ({cdf[falls[0]]:g} > "
                         f"{cdf[falls[0] + 1]:g}); a CDF never falls")  # fmt: skip
    cdf = np.where(cdf < TOLERANCE, 0.0, np.where(cdf > 1 - TOLERANCE, 1.0, cdf))  # rounding, not mass
    lower = bool(cdf[0] > 0) if open_lower is None else open_lower
    upper = bool(cdf[-1] < 1) if open_upper is None else open_upper
    return DateCdf(range_min, range_max, tuple(float(v) for v in cdf), lower, upper)


def read_cdf_file(path: Path) -> DateCdf:
    """Read a CDF file (JSON as riskline writes it); ValueError naming what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found; check the path (relative to the scenario file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    try:
        return cdf_from_json(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def platform_estimates(
    index: int, platform: PlatformForecastSpec, spec: ScenarioFile, priors: Priors, doc: YamlDocument,
    issues: list[ConfigIssue],
) -> list[EstimateSpec]:  # fmt: skip
    """A platform's CDF as estimates: at each date of `read_at`, P(event by then | not by `issued`).

    The platform's forecast of an open question is a belief given that the event had not
    happened when it was made, so the CDF is conditioned on `issued` as every statement's q is
    (docs/model.md); before the CDF's range the CDF is taken as 0 there.
    """
    loc: list[str | int] = ["platform_forecasts", index]
    sources = {s.id: s for s in spec.sources}
    classes = spec.priors.source_classes | priors.source_classes
    source = sources.get(platform.source)
    if source is not None and source.reliability in classes and source.reliability != PLATFORM_CLASS:
        message = (f"source '{source.id}' has reliability '{source.reliability}'; a platform forecast's source has "
                   f"'{PLATFORM_CLASS}', whose priors are a platform's bias and noise")  # fmt: skip
        issues.append(doc.issue([*loc, "source"], message))
    try:
        cdf = _platform_cdf(platform, doc)
    except ValueError as exc:
        issues.append(doc.issue([*loc, "cdf"], str(exc)))
        return []
    given = 0.0 if platform.issued < cdf.range_min.date() else None
    if given is None and platform.issued > cdf.range_max.date():
        issues.append(doc.issue([*loc, "issued"], f"issued {platform.issued} is after the CDF's range, which ends "
                                f"{cdf.range_max:%Y-%m-%d}"))  # fmt: skip
        return []
    given = cdf.at(platform.issued) if given is None else given
    if given >= 1.0:
        issues.append(doc.issue([*loc, "cdf"], f"the CDF says the event had happened by {platform.issued} (issued)"))
        return []
    events = {e.id: e for e in spec.events}
    kind = events[platform.event].kind if platform.event in events else "occurrence"
    taken = {e.id for e in spec.estimates}
    found = []
    for number, when in enumerate(platform.read_at or [cdf.range_max.date()]):
        if (name := f"{platform.id}-by-{when.isoformat()}") in taken:
            issues.append(doc.issue([*loc, "read_at", number], f"estimate id '{name}' is taken; read each date once "
                                    "and give the platform forecast an id no estimate has"))  # fmt: skip
            continue
        taken.add(name)
        if not (platform.issued < when and cdf.range_min.date() <= when <= cdf.range_max.date()):
            span = f"{cdf.range_min:%Y-%m-%d} to {cdf.range_max:%Y-%m-%d}"
            message = f"{when} is not after issued ({platform.issued}) and within the CDF's range ({span})"
            issues.append(doc.issue([*loc, "read_at", number], message))
            continue
        by = cdf.at(when)
        q = (by - given) / (1.0 - given)
        low, high = max(q - PLATFORM_HALF_WIDTH, 0.0), min(q + PLATFORM_HALF_WIDTH, 1.0)
        note = (f"read off the platform's CDF: P(by {when}) = {by:.4f}, given not by {platform.issued} "
                f"(P {given:.4f} then): {q:.4f}")  # fmt: skip
        found.append(EstimateSpec(
            id=name, source=platform.source, issued=platform.issued,
            event=platform.event, kind=kind, quote=platform.quote, provenance=platform.provenance,
            window=WindowSpec(end=when), probability=[round(low, 6), round(high, 6)],
            note=" ".join(filter(None, [platform.note, note])),
        ))  # fmt: skip
    return found


def _platform_cdf(platform: PlatformForecastSpec, doc: YamlDocument) -> DateCdf:
    """The CDF a platform forecast names: its file (relative to the scenario file) or its values written out."""
    if platform.cdf.file is not None:
        return read_cdf_file(doc.path.parent / platform.cdf.file)
    assert platform.cdf.range is not None  # the schema: a file, or the range and values written out
    assert platform.cdf.continuous_cdf is not None
    start, end = (_utc(d) for d in platform.cdf.range)
    return make_cdf(start, end, platform.cdf.continuous_cdf, None, None)


def _field[T](holder: object, key: str, kind: type[T], expected: str, prefix: str = "") -> T:
    if not isinstance(holder, dict) or not isinstance(holder.get(key), kind):
        raise ValueError(f"expected '{prefix}{key}': {expected}")
    return holder[key]


def _moment(value: object, name: str) -> datetime:
    """A unix timestamp (the API's numbers) or an ISO date or date-time, as a UTC datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    if isinstance(value, str):
        try:
            return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            pass
    raise ValueError(f"{name} must be a unix timestamp or an ISO date such as 2030-01-01, got {value!r}")


def _utc(when: date | datetime) -> datetime:
    """A date as midnight UTC; a naive date-time taken as UTC."""
    if not isinstance(when, datetime):
        return datetime(when.year, when.month, when.day, tzinfo=UTC)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)

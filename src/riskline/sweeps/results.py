"""A sweep's results as one tidy dataset, and what moves the forecast most.

`sweep.nc` holds `risk` (variant × stat × event × date): P(event by date | no event of its
chain by the variant's as_of), as the mean and 5/50/95% quantiles of the variant's draws.
Every axis's value, the variant's label, status, method (reweighted or sampled), the reason
and its diagnostics are coordinates along `variant`, so `ds.risk.sel(stat="mean")
.groupby("lexicon").mean()` answers "how much does the lexicon matter" directly.

A *main effect* is the mean risk over the done variants that share one value of an axis
(the design's other axes averaged out); an axis's *swing* is the range of its main effects:
the tornado chart's bar. A number drawn from a range is cut into RANGE_BINS equal-count
bins first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import xarray as xr

from riskline.config.scenario import Scenario
from riskline.forecast import year_end, years_reported
from riskline.sweeps.engine import STATS, VariantResult
from riskline.sweeps.spec import LEFT_OUT
from riskline.sweeps.variants import SweepPlan

__all__ = [
    "RANGE_BINS",
    "Swing",
    "at_year_end",
    "results_dataset",
    "results_table",
    "statement_shifts",
    "swings",
    "year_ends",
]

RANGE_BINS = 5
"""Equal-count bins a number drawn from a range is cut into for its main effects."""
NOTHING = "nothing"
"""The `left_out` coordinate of a variant that leaves no statement out."""


def year_ends(scenario: Scenario, earliest_as_of: date) -> list[date]:
    """The end of each year from `earliest_as_of`'s to the horizon's, as a run's tables read them: the dates held."""
    return [year_end(year) for year in years_reported(earliest_as_of, scenario.horizon)]


def at_year_end(year: int) -> np.datetime64:
    """The `date` coordinate of the end of `year` in a sweep's dataset."""
    return np.datetime64(year_end(year), "ns")


def results_dataset(plan: SweepPlan, results: list[VariantResult], dates: list[date], command: str) -> xr.Dataset:
    """The tidy dataset of `results` (one per variant of `plan`, in its order): sweep.nc."""
    baseline = plan.loaded[plan.variants[0].load]
    events = [e.id for e in baseline.events]
    risk = np.full((len(results), len(STATS), len(events), len(dates)), np.nan)
    for row, result in enumerate(results):
        if result.risk is not None:
            risk[row] = result.risk
    coords: dict[str, tuple] = {
        "label": ("variant", [v.label for v in plan.variants]),
        "group": ("variant", [v.group for v in plan.variants]),
        "seed": ("variant", [v.seed for v in plan.variants]),
        "status": ("variant", [r.status for r in results]),
        "method": ("variant", [r.method or "" for r in results]),
        "reason": ("variant", [r.reason for r in results]),
        "attempts": ("variant", [r.attempts for r in results]),
        "seconds": ("variant", [r.seconds for r in results]),
        "pareto_k": ("variant", [_number(r.pareto_k) for r in results]),
        "max_rhat": ("variant", [_number(r.max_rhat) for r in results]),
        "min_ess_bulk": ("variant", [_number(r.min_ess_bulk) for r in results]),
    }
    for axis in plan.variants[0].settings:
        coords[axis] = ("variant", [_coordinate(axis, v.settings[axis]) for v in plan.variants])
    dataset = xr.Dataset(
        {"risk": (("variant", "stat", "event", "date"), risk)},
        coords={
            "variant": np.arange(len(results)),
            "stat": list(STATS),
            "event": events,
            "event_label": ("event", [e.label for e in baseline.events]),
            "date": np.array(dates, dtype="datetime64[ns]"),
            "year": ("date", [d.year - 1 for d in dates]),  # the year each date ends (year_end)
            **coords,
        },
    )
    dataset["risk"].attrs["long_name"] = "P(event by date | no event of its chain by the variant's as_of)"
    dataset.attrs = {
        "sweep": plan.sweep.name,
        "scenario": str(plan.sweep.scenario_path),
        "title": baseline.spec.title,
        "seed": plan.sweep.spec.seed,
        "design": json.dumps(plan.sweep.spec.design.model_dump()),
        "axes": json.dumps(plan.axes),
        "command": command,
    }
    return dataset


def _number(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _coordinate(axis: str, value: object):
    if axis == LEFT_OUT:
        return NOTHING if value is None else str(value)
    if axis == "as_of":
        return np.datetime64(str(value), "ns")
    if axis in ("lexicon", "priors"):
        return str(value)
    return _number(value)  # type: ignore[arg-type]


def results_table(dataset: xr.Dataset) -> pd.DataFrame:
    """sweep.csv: one row per variant, event and date, with every axis's value and the variant's status."""
    risk = dataset["risk"].to_dataset(dim="stat").to_dataframe().reset_index()
    variant_columns = [name for name, coord in dataset.coords.items() if coord.dims == ("variant",)]
    variants = dataset[variant_columns].to_dataframe().reset_index()
    table = variants.merge(risk[["variant", "event", "date", *STATS]], on="variant")
    table["date"] = table["date"].dt.date
    return table


@dataclass(frozen=True)
class Swing:
    """How far one axis moves P(event by date): its main effects' lowest and highest, and at which values."""

    axis: str
    low: float
    high: float
    low_at: str
    high_at: str
    values: int

    @property
    def width(self) -> float:
        return self.high - self.low


def swings(dataset: xr.Dataset, event: str, year: int) -> list[Swing]:
    """Each varied axis's swing of the mean P(`event` by the end of `year`), widest first (the tornado's bars)."""
    done = dataset.sel(event=event, date=at_year_end(year), stat="mean")
    done = done.isel(variant=np.flatnonzero((done["status"] == "done").values & (done["variant"] > 0).values))
    found = []
    for axis in json.loads(dataset.attrs["axes"]):
        values = done[axis].to_series()
        if values.dtype.kind == "f" and values.nunique() > RANGE_BINS:
            values = pd.qcut(values, RANGE_BINS, duplicates="drop").astype(str)
        effects = done["risk"].to_series().groupby(values.to_numpy()).mean().dropna()
        if len(effects) < 2:
            continue
        found.append(Swing(axis, effects.min(), effects.max(), _shown(effects.idxmin()), _shown(effects.idxmax()),
                           len(effects)))  # fmt: skip
    return sorted(found, key=lambda s: -s.width)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return str(pd.Timestamp(value).date())
    return str(value)


def statement_shifts(dataset: xr.Dataset, event: str, years: list[int]) -> pd.DataFrame:
    """Each statement's pull on P(`event` by the end of each of `years`): statement × year.

    The mean over the variants leaving the statement out minus the mean over those leaving
    nothing out, so the other axes are averaged alike on both sides.
    """
    done = dataset.isel(variant=np.flatnonzero((dataset["status"] == "done").values))
    statements = [s for s in dict.fromkeys(dataset[LEFT_OUT].values.tolist()) if s != NOTHING]
    shifts = {}
    for year in years:
        risk = done["risk"].sel(event=event, stat="mean", date=at_year_end(year)).to_series()
        means = risk.groupby(done[LEFT_OUT].values).mean()
        shifts[year] = means.reindex(statements) - means.get(NOTHING, np.nan)
    return pd.DataFrame(shifts, index=statements)

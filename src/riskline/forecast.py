"""From posterior draws of the hazards to risk timelines and their summaries.

The risk reported is conditional on the event not having happened by as_of:
P(T <= t | T > as_of) = 1 - exp(-(L(t) - L(as_of))), L the cumulative hazard. It is
computed from the posterior hazards after sampling (exact for a piecewise-constant
hazard), for any dates, not only the grid's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from riskline.config.scenario import Scenario
from riskline.model.timeline import scenario_grid

__all__ = ["QUANTILES", "Diagnostics", "Forecast"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles reported in timeline.csv; 5-95% is the 90% interval quoted everywhere."""

SAMPLE_DIMS = ("chain", "draw")


@dataclass(frozen=True)
class Diagnostics:
    """Sampler health over the model's free parameters."""

    max_rhat: float
    min_ess_bulk: float
    divergences: int
    chains: int
    draws: int

    def problems(self, max_rhat: float, min_ess_bulk: float) -> list[str]:
        """What misses the thresholds, in words; empty when the sampler looks healthy."""
        found = []
        if not self.max_rhat < max_rhat:
            found.append(f"max R-hat {self.max_rhat:.3f} >= {max_rhat}")
        if not self.min_ess_bulk > min_ess_bulk:
            found.append(f"min bulk ESS {self.min_ess_bulk:.0f} <= {min_ess_bulk:g}")
        if self.divergences:
            found.append(f"{self.divergences} divergent transitions")
        return found


class Forecast:
    """A fitted scenario: the ArviZ DataTree plus the risk timeline computed from it."""

    def __init__(self, scenario: Scenario, tree: xr.DataTree):
        self.scenario = scenario
        self.tree = tree
        self.grid = scenario_grid(scenario)

    @property
    def hazard(self) -> xr.DataArray:
        """Posterior hazard draws (chain, draw, event, bin), events per year."""
        return self.tree.posterior["hazard"]

    def dates(self) -> list[date]:
        """as_of, every grid edge after it and before the horizon, then the horizon."""
        inner = [d for d in self.grid.edges if self.scenario.as_of < d < self.scenario.horizon]
        return [self.scenario.as_of, *inner, self.scenario.horizon]

    def risk_at(self, dates: list[date]) -> xr.DataArray:
        """Draws of P(T <= date | T > as_of), dims (chain, draw, event, date)."""
        exposure = self.grid.exposure(dates) - self.grid.exposure([self.scenario.as_of])
        after_as_of = xr.DataArray(
            exposure, dims=("date", "bin"), coords={"date": np.array(dates, dtype="datetime64[ns]")}
        )
        cumulative = xr.dot(self.hazard, after_as_of.assign_coords(bin=self.hazard["bin"]), dim="bin")
        risk = (-np.expm1(-cumulative)).rename("risk")
        risk.attrs = {"long_name": "P(event by date | no event by as_of)", "as_of": str(self.scenario.as_of)}
        return risk.transpose(*SAMPLE_DIMS, "event", "date")

    @property
    def risk(self) -> xr.DataArray:
        """Risk on the reporting dates (see `dates`)."""
        return self.risk_at(self.dates())

    def timeline(self) -> pd.DataFrame:
        """One row per event and date: mean and quantiles of the risk (timeline.csv)."""
        return _summarise(self.risk)

    def year_ends(self) -> pd.DataFrame:
        """Risk by the end of each calendar year from as_of's to the horizon's."""
        years = [
            y
            for y in range(self.scenario.as_of.year, self.scenario.horizon.year + 1)
            if date(y + 1, 1, 1) <= self.scenario.horizon
        ]
        table = _summarise(self.risk_at([date(y + 1, 1, 1) for y in years]))
        table.insert(1, "year", [y for _ in self.scenario.events for y in years])
        return table.drop(columns="date")

    def median_dates(self) -> dict[str, date | None]:
        """Date by which the mean risk reaches 50% (None: not before the horizon)."""
        mean = self.risk.mean(SAMPLE_DIMS)
        dates = self.dates()
        medians = {}
        for event in mean["event"].values:
            curve = mean.sel(event=event).values
            medians[str(event)] = _crossing(dates, curve, 0.5)
        return medians

    def diagnostics(self) -> Diagnostics:
        """R-hat, bulk ESS and divergences over the free (non-deterministic) parameters."""
        names = [v for v in self.tree.posterior.data_vars if v.endswith("_z")]
        rhat = az.rhat(self.tree, var_names=names)
        ess = az.ess(self.tree, var_names=names, method="bulk")
        posterior = self.tree.posterior
        return Diagnostics(
            max_rhat=max(float(rhat[v].max()) for v in names),
            min_ess_bulk=min(float(ess[v].min()) for v in names),
            divergences=int(self.tree.sample_stats["diverging"].sum()),
            chains=posterior.sizes["chain"],
            draws=posterior.sizes["draw"],
        )

    def with_risk_group(self) -> xr.DataTree:
        """The DataTree with a `forecast` group holding the risk and the scenario as attributes."""
        tree = self.tree.copy()
        tree["forecast"] = xr.Dataset({"risk": self.risk})
        tree.attrs["scenario_yaml"] = self.scenario.text
        tree.attrs["scenario_path"] = str(self.scenario.path)
        tree.attrs["priors"] = json.dumps(self.priors_used(), default=str)
        return tree

    def priors_used(self) -> dict:
        """The hazard settings, base rates, source classes and lexicon this fit used."""
        scenario = self.scenario
        return {
            "hazard": scenario.hazard.model_dump(),
            "base_rates": {e.base_rate: scenario.base_rate(e).model_dump() for e in scenario.events},
            "source_classes": {s.reliability: scenario.source_class(s).model_dump() for s in scenario.sources},
            "lexicon": {"name": scenario.lexicon.name, "source": scenario.lexicon.source},
            "priors_dir": str(scenario.priors.directory),
        }


def _summarise(risk: xr.DataArray) -> pd.DataFrame:
    """Mean and QUANTILES over the draws, one row per (event, date)."""
    stacked = risk.stack(sample=SAMPLE_DIMS)
    table = pd.DataFrame(
        {
            "event": np.repeat(risk["event"].values, risk.sizes["date"]),
            "date": np.tile(pd.to_datetime(risk["date"].values).date, risk.sizes["event"]),
            "p_mean": stacked.mean("sample").values.ravel(),
        }
    )
    quantiles = stacked.quantile(QUANTILES, dim="sample").transpose("event", "date", "quantile").values
    for i, q in enumerate(QUANTILES):
        table[f"p_q{round(100 * q):02d}"] = quantiles[..., i].ravel()
    return table


def _crossing(dates: list[date], curve: np.ndarray, level: float) -> date | None:
    """First date where a rising curve reaches `level`, interpolated linearly in time."""
    above = np.nonzero(curve >= level)[0]
    if len(above) == 0:
        return None
    k = above[0]
    if k == 0:
        return dates[0]
    fraction = (level - curve[k - 1]) / (curve[k] - curve[k - 1])
    return dates[k - 1] + (dates[k] - dates[k - 1]) * float(fraction)

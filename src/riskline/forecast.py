"""From posterior draws of the hazards to risk timelines and their summaries.

The risk reported is conditional on nothing in the event's chain having happened by as_of:
for a root event P(T <= t | T > as_of) = 1 - exp(-(L(t) - L(as_of))), L the cumulative
hazard (exact); for a triggered event the chain's convolution (riskline.model.chains). In a
chain whose first event is latent, conditional on its observed event not having happened
(`Forecast._latent_chain_risk`). It is computed from the hazard draws after sampling, for
any dates, not only the grid's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from riskline.config.scenario import Scenario, Window, load_scenario
from riskline.errors import ForecastFileError, RisklineError, excerpt
from riskline.model import chains
from riskline.model.encoding import data_fingerprint, encode, latent_survival_weights, scenario_grid, window_closed
from riskline.model.statement import belief_centre, belief_variance

__all__ = [
    "QUANTILES",
    "Diagnostics",
    "Forecast",
    "PartialDraws",
    "describe_risk",
    "headline_years",
    "year_end",
    "year_row",
    "years_reported",
]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""Quantiles reported in timeline.csv; 5-95% is the 90% interval quoted everywhere."""

SAMPLE_DIMS = ("chain", "draw")
DIAGNOSTICS_ATTR = "diagnostics"
"""The DataTree attribute with the Diagnostics (JSON) that `fit` or `update` found (reweighted draws have no own)."""
METHOD_ATTR = "method"
"""The DataTree attribute saying how the draws were made: "sampled" (NUTS) or "reweighted" (PSIS from a fit)."""
FINGERPRINT_ATTR = "data_fingerprint"
PARTIAL_ATTR = "partial_draws"
"""The DataTree attribute with the PartialDraws (JSON) of a fit stopped early and kept on request."""
"""The DataTree attribute with the `data_fingerprint` of the scenario the draws are of."""
RISK_GROUP = "forecast"
"""The group of risk draws `with_risk_group` adds for forecast.nc; computed again from the hazards on load."""
EXTRAPOLATION = (
    "the forecast rests on the model alone: the hazard carried on from where the statements leave it, "
    "which nobody has said"
)
"""What the years after the last date a statement speaks of are (summary.json, the tables' footnotes)."""
TINY = 1e-300
"""Floor of a probability a forecast divides by: a draw whose observed event is all but certain by as_of."""
FLAG_MASS = 0.05
"""A statement is flagged when the combined view puts less than this inside its range."""


@dataclass(frozen=True)
class Diagnostics:
    """Sampler health over the model's free parameters.

    For draws reweighted from another fit (riskline.model.update), R-hat and divergences
    are that fit's, the bulk ESS is scaled by the weights' efficiency, and `pareto_k` is the
    weights' Pareto k-hat; it is None for draws sampled by NUTS.
    """

    max_rhat: float
    min_ess_bulk: float
    divergences: int
    chains: int
    draws: int
    pareto_k: float | None = None

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


@dataclass(frozen=True)
class PartialDraws:
    """Sampling stopped early (Ctrl-C) and the draws taken were kept on request (`riskline run --keep-partial`).

    Such a forecast is marked as partial in everything written from it: its numbers rest on
    fewer draws than asked, from chains that may not have mixed.
    """

    chains: int
    draws: int
    chains_asked: int
    draws_asked: int

    def __str__(self) -> str:
        return (f"PARTIAL RUN: sampling was stopped after {self.draws} of {self.draws_asked} draws per chain "
                f"({self.chains} of {self.chains_asked} chains); not a finished forecast")  # fmt: skip

    def short(self) -> str:
        """A few words for a figure's title."""
        return f"PARTIAL ({self.draws} of {self.draws_asked} draws per chain)"


class Forecast:
    """A fitted scenario: the ArviZ DataTree, and the risk timelines computed from it.

    Made by `fit` or `update`, or read back from a run's forecast.nc by `Forecast.load`.
    `which` selects the hazards behind a timeline: "posterior" (the forecast), "prior"
    (the priors alone, when fitted with `prior=True`) or "without_signposts" (the
    posterior draws with every signpost's ratio set to 1, when the scenario has signposts).

    Parameters
    ----------
    scenario
        The scenario the draws are of.
    tree
        The ArviZ DataTree: "posterior" (the hazards and the model's other quantities per
        chain and draw), "sample_stats", and "prior" when the priors alone were drawn.

    Attributes
    ----------
    scenario : Scenario
    tree : xarray.DataTree
    grid : TimeGrid
        The scenario's time grid.

    """

    def __init__(self, scenario: Scenario, tree: xr.DataTree):
        self.scenario = scenario
        self.tree = tree
        self.grid = scenario_grid(scenario)

    @property
    def hazard(self) -> xr.DataArray:
        """Posterior hazard draws (chain, draw, event, bin), events per year."""
        return self.tree.posterior["hazard"]

    def hazard_draws(self, which: str = "posterior") -> xr.DataArray:
        """The hazard draws behind timeline `which` (see the class docstring)."""
        if which == "posterior":
            return self.hazard
        if which == "prior" and "prior" in self.tree.children:
            return self.tree["prior"].dataset["hazard"]
        if which == "without_signposts" and "hazard_without_signposts" in self.tree.posterior:
            return self.tree.posterior["hazard_without_signposts"]
        raise ValueError(f"no '{which}' draws in this forecast; available: {', '.join(self.available())}")

    def available(self) -> list[str]:
        """The timelines this forecast can give."""
        found = ["posterior"]
        if "prior" in self.tree.children:
            found.append("prior")
        if "hazard_without_signposts" in self.tree.posterior:
            found.append("without_signposts")
        return found

    def dates(self) -> list[date]:
        """as_of, every grid edge after it and before the horizon, then the horizon."""
        inner = [d for d in self.grid.edges if self.scenario.as_of < d < self.scenario.horizon]
        return [self.scenario.as_of, *inner, self.scenario.horizon]

    def risk_at(self, dates: Sequence[date], which: str = "posterior") -> xr.DataArray:
        """Draws of P(T <= date | no event of its chain by as_of), dims (chain, draw, event, date)."""
        hazard = self.hazard_draws(which)
        values = hazard.transpose(*SAMPLE_DIMS, "event", "bin").values
        given = self.grid.exposure([self.scenario.as_of])
        at = self.grid.exposure(dates)
        exact = chains.root_cdf_between(values, given, at)
        parents = [self.scenario.parent(e) for e in self.scenario.events]
        widths = self.grid.widths
        edges = chains.event_cdfs_at_edges(values, parents, widths, widths.mean(), given)[..., 0, :]
        # from as_of on: the chain places a trigger at its bin's middle, which for the bin
        # holding as_of can lie before it; only what falls after as_of counts, as in a window
        interpolated = np.matmul(
            edges, (self.grid.interpolation(dates) - self.grid.interpolation([self.scenario.as_of])).T
        )
        is_root = np.array([p < 0 for p in parents])[:, None]
        values_out = np.where(is_root, exact, interpolated)
        for event, latent_risk in self._latent_chain_risk(values, dates).items():
            values_out[..., event, :] = latent_risk
        risk = xr.DataArray(
            values_out,
            dims=(*SAMPLE_DIMS, "event", "date"),
            coords={**{d: hazard[d] for d in (*SAMPLE_DIMS, "event")}, "date": np.array(dates, dtype="datetime64[ns]")},
            name="risk",
            attrs={
                "long_name": "P(event by date | no event by as_of)",
                "as_of": str(self.scenario.as_of),
                "which": which,
            },
        )
        return risk.where(risk["date"] >= np.datetime64(self.scenario.as_of), 0.0)

    def _latent_chain_risk(self, values: np.ndarray, dates: Sequence[date]) -> dict[int, np.ndarray]:
        """Risk (..., date) of each event in a chain whose first event is latent (docs/model.md, latent events).

        With no observed event in the chain: P(T <= date), counting what may already have
        happened. With observed event c right after latent r: for r, P(T_r <= date | T_c > as_of),
        summed over the bins of r weighted by P(c not by as_of | r then); for c,
        P(T_c <= date | T_c > as_of); for c's descendants, their chain run from c given that.
        """
        scenario, grid = self.scenario, self.grid
        latent = scenario.latent_chains()
        if not latent:
            return {}
        parents = [scenario.parent(e) for e in scenario.events]
        widths, delay_width = grid.widths, grid.widths.mean()
        at, now = grid.interpolation(dates), grid.interpolation([scenario.as_of])
        # each event's CDF at the edges from the grid's start, nothing known
        free = chains.event_cdfs_at_edges(values, parents, widths, delay_width, np.zeros((1, grid.n_bins)))[..., 0, :]
        before, weights = latent_survival_weights(grid, scenario.as_of)
        found: dict[int, np.ndarray] = {}
        for root, seen in latent:
            members = [i for i, e in enumerate(scenario.events) if scenario.root(e) is scenario.events[root]]
            if seen is None:
                found |= {e: free[..., e, :] @ at.T for e in members}
                continue
            mass = np.diff(free[..., root, :], axis=-1)  # P(r in bin j)
            delay = chains.cumulative_at_edges(values[..., seen, :], delay_width)
            quiet_after = 1.0 - before * -np.expm1(-(delay @ weights.T))  # P(c not by as_of | r in bin j)
            quiet = np.sum(mass * quiet_after, axis=-1, keepdims=True) + 1.0 - free[..., root, -1:]
            found[root] = chains.cumulative_at_edges(mass * quiet_after, 1.0) @ at.T / np.maximum(quiet, TINY)
            seen_by_now = free[..., seen, :] @ now.T  # (..., 1)
            unseen = np.maximum(1.0 - seen_by_now, TINY)
            edges = {seen: np.clip((free[..., seen, :] - seen_by_now) / unseen, 0.0, 1.0)}
            found[seen] = (free[..., seen, :] @ at.T - seen_by_now) / unseen
            for event in members:
                if parents[event] in edges and event not in edges:
                    step = chains.chain_step(edges[parents[event]][..., None, :], values[..., event, :], delay_width)
                    edges[event] = step[..., 0, :]
                    found[event] = edges[event] @ (at - now).T
        # the chain's FFT convolution and the ratios leave rounding of order 1e-11 outside [0, 1]
        return {event: np.clip(risk, 0.0, 1.0) for event, risk in found.items()}

    @property
    def risk(self) -> xr.DataArray:
        """Posterior risk on the reporting dates (see `dates`)."""
        return self.risk_at(self.dates())

    def timeline(self, which: str = "posterior", quantiles: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
        """One row per event and date: mean and quantiles of the risk (timeline.csv)."""
        return _summarise(self.risk_at(self.dates(), which), quantiles)

    def hazard_summary(self, which: str = "posterior", quantiles: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
        """One row per event and grid bin: mean and quantiles of the hazard, events per year.

        A root event's bins are calendar periods (`start`, a date); a triggered event's hazard
        runs on the time since its trigger, in bins of the grid's mean width (`delay`, years
        after the trigger, at the bin's start). The other column is empty.
        """
        hazard = self.hazard_draws(which)
        n = self.grid.n_bins
        frames = []
        for event in self.scenario.events:
            draws = hazard.sel(event=event.id).stack(sample=SAMPLE_DIMS).transpose("bin", "sample").values
            triggered = event.after is not None
            frame = pd.DataFrame({
                "event": event.id,
                "start": [None] * n if triggered else pd.to_datetime(self.grid.bin_starts).date,
                "delay": np.arange(n) * self.grid.widths.mean() if triggered else np.nan,
                "h_mean": draws.mean(axis=1),
            })  # fmt: skip
            for q, column in zip(quantiles, np.quantile(draws, quantiles, axis=1), strict=True):
                frame[_quantile_name("h", q)] = column
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def _years(self) -> list[int]:
        return years_reported(self.scenario.as_of, self.scenario.horizon)

    def year_ends(self, which: str = "posterior") -> pd.DataFrame:
        """Risk by the end of each calendar year from as_of's to the horizon's.

        `extrapolated` marks the years that end after the last date any statement on the
        event's chain speaks of (`speaks_until`): there the model extrapolates, carrying the
        hazard on from where the statements leave it (EXTRAPOLATION).
        """
        years = self._years()
        table = _summarise(self.risk_at([year_end(y) for y in years], which))
        table.insert(1, "year", [y for _ in self.scenario.events for y in years])
        return self._mark_extrapolated(table.drop(columns="date"))

    def _mark_extrapolated(self, table: pd.DataFrame) -> pd.DataFrame:
        """`extrapolated`: the row's year ends after the last date its event's chain is spoken of."""
        until = self.speaks_until()
        table["extrapolated"] = [
            (last := until[event]) is None or year_end(year) > last
            for event, year in zip(table["event"], table["year"], strict=True)
        ]
        return table

    def speaks_until(self) -> dict[str, date | None]:
        """Per event, the latest calendar date a statement on its chain speaks of (a window's latest end).

        Statements on any event of the chain count, since each constrains the others through
        it; windows counted from an ancestor have no calendar end and do not. None: no
        statement on the chain has a calendar window.
        """
        scenario = self.scenario
        roots = {e.id: scenario.root(e).id for e in scenario.events}
        ends: dict[str, date] = {}
        for est in scenario.estimates:
            if isinstance(est.window, Window):
                root = roots[est.spec.event]
                ends[root] = max(ends.get(root, est.window.end_latest), est.window.end_latest)
        return {event: ends.get(root) for event, root in roots.items()}

    def extrapolation_notes(self) -> list[str]:
        """Where the statements stop speaking, one sentence per date: the footnote of every headline table."""
        by_date: dict[str, list[str]] = {}
        for event, until in self.speaks_until().items():
            where = f"after {until:%d %b %Y}" if until else "at any date"
            by_date.setdefault(where, []).append(event)
        return [
            f"{', '.join(events)}: no statement speaks of the time {where}; from there {EXTRAPOLATION}"
            for where, events in by_date.items()
        ]

    def summary_years(self) -> list[int]:
        """The headline years and the last one: where a short summary (check, the report's priors table) looks."""
        return sorted({*self.headline_years(), self._years()[-1]})

    def headline_years(self) -> list[int]:
        """The years whose end the plots annotate: next year and four years on, if covered."""
        return headline_years(self.scenario.as_of, self._years())

    def per_period(self, which: str = "posterior") -> pd.DataFrame:
        """Risk within each calendar year: P(event in the year | nothing in its chain by as_of).

        The first year starts at as_of. Each draw's difference of the cumulative risk, so
        the intervals are those of the per-year risk itself, not differences of intervals.
        `extrapolated` as in `year_ends`.
        """
        years = self._years()
        starts = [max(self.scenario.as_of, date(y, 1, 1)) for y in years]
        cumulative = self.risk_at([*starts, date(years[-1] + 1, 1, 1)], which)
        within = cumulative.isel(date=slice(1, None)) - cumulative.isel(date=slice(None, -1)).values
        table = _summarise(within.assign_coords(date=np.array(starts, dtype="datetime64[ns]")))
        table.insert(1, "year", [y for _ in self.scenario.events for y in years])
        return self._mark_extrapolated(table.rename(columns={"date": "from"}))

    def median_dates(self, which: str = "posterior") -> dict[str, date | None]:
        """Date by which the mean risk reaches 50% (None: not before the horizon)."""
        mean = self.risk_at(self.dates(), which).mean(SAMPLE_DIMS)
        return {str(e): _crossing(self.dates(), mean.sel(event=e).values, 0.5) for e in mean["event"].values}

    def reconciliation(self) -> pd.DataFrame:
        """Each statement beside the combined view of the same quantity ("who disagrees with whom").

        For every estimate: the stated range; the posterior median and 90% interval of q, the
        probability the statement speaks of; the posterior mass inside the stated range; a
        standardized residual of the stated belief (logit scale, in units of its predictive sd:
        the model's uncertainty about q, the source's bias and noise); and a flag when less than
        5% of the posterior lies inside the stated range. A statement whose window closed by as_of
        with nothing having happened (`window_closed`) is read as its source's failed forecast, not
        as data about q (docs/model.md): it is never flagged, and `source_bias_mean` /
        `source_bias_prior` give what the fit concluded about its source's bias (logit) against
        the prior's mean, for every row.
        """
        posterior, scenario = self.tree.posterior, self.scenario
        estimates, factors = scenario.estimates, scenario.priors.model.confidence
        sources = list(posterior["source_bias"]["source"].values)
        at = [sources.index(est.spec.source) for est in estimates]
        q = _draws(posterior["window_probability"])  # (estimate, sample), and the same for its source's bias and noise
        bias, noise = _draws(posterior["source_bias"])[at], _draws(posterior["source_noise"])[at]
        stated = [est.probability for est in estimates]
        low, high = np.array([s.low for s in stated])[:, None], np.array([s.high for s in stated])[:, None]
        factor = np.array([getattr(factors, est.spec.confidence) if est.spec.confidence else 1.0 for est in estimates])
        readers = np.array([s.logit_normal.sigma if s.logit_normal is not None else 0.0 for s in stated])  # a survey's
        belief = belief_centre(q, bias)
        spread = np.sqrt(
            belief.var(axis=1) + np.mean(belief_variance(noise * factor[:, None], readers[:, None]), axis=1)
        )
        inside = np.mean((q >= low) & (q <= high), axis=1)
        closed = np.array([window_closed(scenario, est) for est in estimates])
        bias_priors = {s.id: scenario.source_class(s).bias.mean for s in scenario.sources}
        return pd.DataFrame({
            "estimate": [est.id for est in estimates], "source": [est.spec.source for est in estimates],
            "issued": [est.spec.issued for est in estimates], "event": [est.spec.event for est in estimates],
            "quote": [est.spec.quote for est in estimates],
            "window": [est.window.describe(est.spec.issued) for est in estimates],
            "stated": [s.describe() for s in stated], "stated_low": low[:, 0], "stated_high": high[:, 0],
            "posterior_q05": np.quantile(q, 0.05, axis=1), "posterior_median": np.median(q, axis=1),
            "posterior_q95": np.quantile(q, 0.95, axis=1), "posterior_in_range": inside,
            "residual": (np.array([s.logit_centre() for s in stated]) - belief.mean(axis=1)) / spread,
            "flag": (inside < FLAG_MASS) & ~closed, "window_closed": closed, "source_bias_mean": bias.mean(axis=1),
            "source_bias_prior": [bias_priors[est.spec.source] for est in estimates],
        })  # fmt: skip

    @property
    def partial(self) -> PartialDraws | None:
        """How far sampling got, when it was stopped early and its draws kept; None for a finished fit."""
        recorded = self.tree.attrs.get(PARTIAL_ATTR)
        return None if recorded is None else PartialDraws(**json.loads(recorded))

    def title(self, what: str | None = None) -> str:
        """The scenario's title (and `what` a figure shows), led by the partial mark when the draws are partial."""
        title = self.scenario.spec.title + (f": {what}" if what else "")
        return title if self.partial is None else f"{self.partial.short()} – {title}"

    def diagnostics(self) -> Diagnostics:
        """R-hat, bulk ESS and divergences over the free (non-deterministic) parameters."""
        if DIAGNOSTICS_ATTR in self.tree.attrs:  # as `fit` or `update` found them
            return Diagnostics(**json.loads(self.tree.attrs[DIAGNOSTICS_ATTR]))
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
        """The DataTree with a `forecast` group (risk draws of every timeline) and the scenario: forecast.nc.

        The scenario's text, path, priors folder, lexicon and as_of are what `Forecast.load`
        reads it back with.
        """
        tree = self.tree.copy()
        risks = {f"risk_{w}" if w != "posterior" else "risk": self.risk_at(self.dates(), w) for w in self.available()}
        tree[RISK_GROUP] = xr.Dataset({name: r.rename(name) for name, r in risks.items()})
        tree.attrs |= {
            "scenario_yaml": self.scenario.text,
            "scenario_path": str(self.scenario.path),
            "priors_dir": str(Path(self.scenario.priors.directory).resolve()),
            "lexicon": self.scenario.lexicon.name,
            "as_of": self.scenario.as_of.isoformat(),
            "priors": json.dumps(self.priors_used(), default=str),
        }
        return tree

    @classmethod
    def load(cls, path: str | Path, scenario: Scenario | None = None) -> Forecast:
        """The forecast saved in `path` (a run's forecast.nc), whole: every output and `update` work on it.

        Without `scenario`, the scenario is read again from the text saved in the file, with
        the priors folder and lexicon it was run with, at its as_of. ForecastFileError when
        that is not the scenario the draws were made for (the priors changed since, or the
        forecast was of a variant, say one statement left out): then pass that `scenario`.
        """
        path = Path(path)
        tree = read_forecast_tree(path)
        if scenario is None:
            scenario = _saved_scenario(tree, path)
        if data_fingerprint(encode(scenario)[1]) != tree.attrs[FINGERPRINT_ATTR]:
            raise ForecastFileError(
                f"{path}: the draws were not made for the scenario '{scenario.name}' as it reads now (its priors in "
                f"{scenario.priors.directory} or its lexicon changed since, or the run was of a variant); pass the "
                "scenario they were made for: Forecast.load(path, scenario=...), or run the scenario again"
            )
        return cls(scenario, tree)

    def priors_used(self) -> dict:
        """The hazard settings, base rates, source priors, signposts and lexicon this fit used."""
        scenario = self.scenario
        return {
            "hazard": scenario.hazard.model_dump(),
            "base_rates": {e.base_rate: scenario.base_rate(e).model_dump() for e in scenario.events},
            "sources": {s.id: scenario.source_class(s).model_dump() for s in scenario.sources},
            "signposts": {
                s.id: {"event": s.event, "date": s.date.isoformat(), "hazard_ratio_90": s.hazard_ratio}
                for s in scenario.signposts
            },
            "lexicon": {"name": scenario.lexicon.name, "source": scenario.lexicon.source},
            "priors_dir": str(scenario.priors.directory),
        }


def year_end(year: int) -> date:
    """The date "by the end of `year`" is read at: the first instant of the next year."""
    return date(year + 1, 1, 1)


def years_reported(first: date, horizon: date) -> list[int]:
    """Calendar years from `first`'s to the last one that ends by `horizon`: the years tables report."""
    return [y for y in range(first.year, horizon.year + 1) if year_end(y) <= horizon]


def headline_years(as_of: date, years: list[int]) -> list[int]:
    """The years whose end the plots annotate: next year and four years on, of `years`."""
    return [y for y in (as_of.year + 1, as_of.year + 4) if y in years]


def year_row(table: pd.DataFrame, event: str, year: int) -> pd.Series:
    """The row of a `year_ends` or `per_period` table for `event` and `year`."""
    return table[(table["event"] == event) & (table["year"] == year)].iloc[0]


def describe_risk(row, digits: int = 0) -> str:
    """A row of a risk table in words: '16% (median 11%) [5%–34%]', mean first.

    The median stands beside the mean because, with a wide prior, a few draws with a high
    hazard lift the mean well above what most draws say.
    """
    f = f"{{:.{digits}%}}".format
    return f"{f(row.p_mean)} (median {f(row.p_q50)}) [{f(row.p_q05)}–{f(row.p_q95)}]"


def _quantile_name(prefix: str, q: float) -> str:
    """'p_q05' for the 5th percentile, 'p_q025' for the 2.5th."""
    percent = 100 * q
    return f"{prefix}_q{round(percent):02d}" if float(percent).is_integer() else f"{prefix}_q{round(10 * percent):03d}"


def _draws(array: xr.DataArray) -> np.ndarray:
    """(row, sample): an array of (chain, draw, row) draws with its samples in one axis."""
    return array.stack(sample=SAMPLE_DIMS).values


def _summarise(risk: xr.DataArray, quantiles: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
    """Mean and quantiles over the draws, one row per (event, date)."""
    stacked = risk.stack(sample=SAMPLE_DIMS)
    table = pd.DataFrame(
        {
            "event": np.repeat(risk["event"].values, risk.sizes["date"]),
            "date": np.tile(pd.to_datetime(risk["date"].values).date, risk.sizes["event"]),
            "p_mean": stacked.mean("sample").values.ravel(),
        }
    )
    values = stacked.quantile(list(quantiles), dim="sample").transpose("event", "date", "quantile").values
    for i, q in enumerate(quantiles):
        table[_quantile_name("p", q)] = values[..., i].ravel()
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


def read_forecast_tree(path: Path) -> xr.DataTree:
    """The DataTree in forecast.nc `path`, its risk group left out; ForecastFileError unless riskline wrote it."""
    if not path.is_file():
        raise ForecastFileError(f"{path}: no such file; a run writes forecast.nc in its output folder")
    try:
        with xr.open_datatree(path, engine="h5netcdf") as opened:
            tree = opened.load()
    except (OSError, ValueError) as exc:
        raise ForecastFileError(f"{path}: not a netCDF file riskline can read ({excerpt(exc)})") from None
    if "posterior" not in tree.children or "scenario_yaml" not in tree.attrs:
        raise ForecastFileError(f"{path}: not a forecast written by riskline (no posterior draws or no scenario)")
    if FINGERPRINT_ATTR not in tree.attrs:
        raise ForecastFileError(f"{path}: written by an earlier version of riskline, which kept no record of its fit; "
                                "run the scenario again")  # fmt: skip
    return tree.drop_nodes(RISK_GROUP, errors="ignore")


def _saved_scenario(tree: xr.DataTree, path: Path) -> Scenario:
    """The scenario saved in a forecast's tree, read as it was run (priors folder, lexicon, as_of)."""
    attrs = tree.attrs
    try:
        scenario = load_scenario(
            attrs["scenario_path"], attrs["priors_dir"], attrs["lexicon"], text=attrs["scenario_yaml"]
        )
    except RisklineError as exc:
        raise ForecastFileError(f"{path}: the scenario saved in it cannot be read again: {exc}") from None
    as_of = date.fromisoformat(attrs["as_of"])
    return scenario if as_of == scenario.as_of else scenario.at(as_of)[0]

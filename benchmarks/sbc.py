"""Simulation-based calibration (SBC, Talts et al. 2018) of the timeline model.

If the model and its sampler are right, then for parameters drawn from the prior and data
drawn from the model given them, the rank of the true value of any quantity among the
posterior draws is uniform. For each simulation this script

1. draws every free parameter from its prior (the standard normals hazard_knot_z,
   source_bias_z, source_noise_z) and evaluates the model's own graph at that point for
   the hazards, the level (the hazard at the grid's start, recorded standardised as
   hazard_level_z), each statement's window probability q and each source's bias and
   noise scale;
2. simulates the data the model conditions on: the event time T, by inverting the
   cumulative hazard at an Exp(1) draw (the simulation is redrawn when T <= as_of, since
   the model knows nothing happened by then), and each source's belief
   logit(pi) = logit(q) + bias + Logistic(0, tau), stated as its 10-point band
   (pi = 0.37 -> [0.3, 0.4]) and set as the statement's interval;
3. refits the scenario with those intervals (same ModelStructure, new data: the compiled
   model is reused) and records the rank of each true value among the thinned draws;

then tests each quantity's ranks for uniformity with a chi-square test over 10 bins.
The scenario is tests/configs/good/sbc.yaml (one event, random-walk hazard on a five-year
quarterly grid, two sources, four statements).

    .venv/bin/python benchmarks/sbc.py [--simulations 1000] [--seed 2018]

writes benchmarks/results/sbc.json and prints a summary. tests/model/test_sbc.py runs a
small version of the same.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import arviz as az
import numpy as np
import xarray as xr
from scipy.special import expit
from scipy.stats import chisquare

from riskline import ConvergenceWarning, fit, load_scenario
from riskline.config.scenario import Scenario
from riskline.language.probability import StatedProbability
from riskline.model.compiled import MODELS
from riskline.model.encoding import ModelStructure, encode, scenario_grid
from riskline.model.statement import belief_centre

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "tests" / "configs" / "good" / "sbc.yaml"
RESULT = ROOT / "benchmarks" / "results" / "sbc.json"

BINS = 10
"""Rank histogram bins of the chi-square test."""
BAND = 0.1
"""Stated beliefs are rounded to bands this wide: pi = 0.37 -> [0.3, 0.4]."""
RISK_DATES = (date(2027, 1, 1), date(2029, 1, 1))
"""Dates of the risk P(T <= date | T > as_of) whose ranks are recorded."""
BIAS_SOURCE = "official"
"""The source whose bias and noise scale are recorded."""
DATA_KEYS = {"logit_low", "logit_high", "stated_centre"}
"""The only data arrays a simulation changes: the stated intervals (and their centres, which closed windows read)."""


@dataclass(frozen=True)
class Settings:
    """Sampling sizes of each refit.

    `stride` thins each chain, then one draw is dropped, so that the rank of a true value
    among the `chains * draws / stride - 1` draws takes `chains * draws / stride` values, a
    multiple of BINS.
    """

    draws: int = 500
    tune: int = 300
    chains: int = 4
    stride: int = 10

    @property
    def kept(self) -> int:
        return self.chains * (self.draws // self.stride) - 1

    def check(self) -> None:
        if self.draws % self.stride or (self.kept + 1) % BINS:
            raise ValueError(f"chains * draws / stride must be a multiple of {BINS}: {self}")


@dataclass
class Simulator:
    """The base scenario, its structure and data, and the model's graph at a point."""

    scenario: Scenario
    structure: ModelStructure
    data: dict[str, np.ndarray]
    evaluate: Callable[[dict[str, np.ndarray]], list[np.ndarray]]
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = SCENARIO) -> Simulator:
        """Load the scenario and compile (or reuse) its model; compiles the point function too."""
        scenario = load_scenario(path)
        structure, data = encode(scenario)
        model = MODELS.get(structure, data).model
        outputs = [
            model[name] for name in ("hazard", "window_probability", "source_bias", "source_noise", "hazard_level")
        ]
        evaluate = model.compile_fn(model.replace_rvs_by_values(outputs), inputs=model.value_vars, point_fn=True)
        shapes = {name: np.shape(value) for name, value in model.initial_point().items()}
        return cls(scenario, structure, data, evaluate, shapes)

    def draw(self, rng: np.random.Generator) -> tuple[dict, Scenario, int]:
        """Parameters from the prior and a scenario holding data simulated from them.

        Returns the true values (free parameters and Deterministics), the scenario, and how
        many draws were rejected because the event would have happened by as_of.
        """
        rejected = 0
        while True:
            point = {name: rng.standard_normal(shape) for name, shape in self.shapes.items()}
            hazard, q, bias, noise, level = self.evaluate(point)
            if self._survives(hazard, rng):
                break
            rejected += 1
        d = self.data
        n = len(self.scenario.estimates)
        centre = belief_centre(q[:n], d["estimate_source"][:n] @ bias)
        scale = (d["estimate_source"][:n] @ noise) * d["confidence_factor"][:n]
        belief = expit(centre + rng.logistic(0.0, scale))
        truth = point | {"hazard": hazard, "hazard_level": level, "window_probability": q}
        truth |= {"source_bias": bias, "source_noise": noise}
        return truth | {"belief": belief}, self.with_beliefs(belief), rejected

    def _survives(self, hazard: np.ndarray, rng: np.random.Generator) -> bool:
        """Whether the event time T of every root event falls after as_of.

        T = L^-1(E) with E ~ Exp(1) and L the cumulative hazard from the grid's start, so
        T <= as_of exactly when E <= L(as_of).
        """
        at_as_of = hazard @ self.data["exposure_as_of"]
        unit = rng.exponential(1.0, size=len(at_as_of))
        return bool(np.all((unit > at_as_of) | (self.data["observed_root"] == 0)))

    def with_beliefs(self, belief: np.ndarray) -> Scenario:
        """The scenario with each statement's probability the 10-point band holding its belief."""
        index = np.minimum(np.floor(belief / BAND), round(1 / BAND) - 1).astype(int)
        bands = [(round(k * BAND, 10), round((k + 1) * BAND, 10)) for k in index]
        estimates = tuple(
            replace(est, probability=StatedProbability(low, high, f"{low:g}–{high:g}"))
            for est, (low, high) in zip(self.scenario.estimates, bands, strict=True)
        )
        specs = [
            est.spec.model_copy(update={"probability": [low, high]})
            for est, (low, high) in zip(estimates, bands, strict=True)
        ]
        spec = self.scenario.spec.model_copy(update={"estimates": specs})
        scenario = replace(self.scenario, spec=spec, estimates=estimates)
        self._check_same_structure(scenario)
        return scenario

    def _check_same_structure(self, scenario: Scenario) -> None:
        structure, data = encode(scenario)
        if structure != self.structure:
            raise AssertionError(f"a simulated scenario changed the model structure: {structure}")
        changed = {k for k in data if not np.array_equal(data[k], self.data[k])}
        if not changed <= DATA_KEYS:
            raise AssertionError(f"a simulated scenario changed more than the stated intervals: {sorted(changed)}")


def true_values(simulator: Simulator, truth: dict) -> dict[str, float]:
    """The recorded quantities at the drawn parameters (risk from the hazards, as in docs/model.md)."""
    scenario = simulator.scenario
    grid = scenario_grid(scenario)
    cumulative = grid.exposure([scenario.as_of, *RISK_DATES]) @ truth["hazard"][0]
    source = [s.id for s in scenario.sources].index(BIAS_SOURCE)
    values = {"hazard_level_z": float(level_z(simulator.data, truth["hazard_level"][0]))}
    for day, at in zip(RISK_DATES, cumulative[1:], strict=True):
        values[f"risk_by_{day}"] = float(-np.expm1(-(at - cumulative[0])))
    values[f"source_bias[{BIAS_SOURCE}]"] = float(truth["source_bias"][source])
    values[f"source_noise[{BIAS_SOURCE}]"] = float(truth["source_noise"][source])
    return values


def level_z(data: dict[str, np.ndarray], level):
    """The first event's level (its hazard at the grid's start), as the standard normal of its prior."""
    return (np.log(level) - data["log_base_rate"][0]) / data["base_rate_log_sd"][0]


def posterior_draws(forecast, data: dict[str, np.ndarray]) -> xr.Dataset:
    """The recorded quantities' posterior draws, (chain, draw) each."""
    posterior = forecast.tree.posterior
    risk = forecast.risk_at(list(RISK_DATES)).isel(event=0)
    draws = {"hazard_level_z": level_z(data, posterior["hazard_level"].isel(event=0))}
    for i, day in enumerate(RISK_DATES):
        draws[f"risk_by_{day}"] = risk.isel(date=i, drop=True)
    draws[f"source_bias[{BIAS_SOURCE}]"] = posterior["source_bias"].sel(source=BIAS_SOURCE)
    draws[f"source_noise[{BIAS_SOURCE}]"] = posterior["source_noise"].sel(source=BIAS_SOURCE)
    return xr.Dataset({k: v.drop_vars([c for c in v.coords if c not in ("chain", "draw")]) for k, v in draws.items()})


def simulate(simulator: Simulator, rng: np.random.Generator, settings: Settings) -> dict:
    """One simulation: truth, data, refit; the ranks of the true values and sampler health."""
    truth, scenario, rejected = simulator.draw(rng)
    values = true_values(simulator, truth)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        forecast = fit(
            scenario,
            random_seed=int(rng.integers(2**31)),
            draws=settings.draws,
            tune=settings.tune,
            chains=settings.chains,
            prior=False,
        )
    unexpected = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    for w in unexpected:  # let anything else through as it would have come
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    draws = posterior_draws(forecast, simulator.data)
    ess_tail = az.ess(draws, method="tail")
    ess_bulk = az.ess(draws, method="bulk")
    thinned = draws.isel(draw=slice(None, None, settings.stride)).stack(sample=("chain", "draw"))
    ranks = {name: int(np.sum(thinned[name].values[: settings.kept] < value)) for name, value in values.items()}
    diagnostics = forecast.diagnostics()
    return {
        "ranks": ranks,
        "truth": values,
        "bands": [[e.probability.low, e.probability.high] for e in scenario.estimates],
        "rejected": rejected,
        "convergence_warning": len(caught) > len(unexpected),
        "divergences": diagnostics.divergences,
        "max_rhat": diagnostics.max_rhat,
        "min_ess_bulk": min(float(ess_bulk[name]) for name in values),
        "min_ess_tail": min(float(ess_tail[name]) for name in values),
    }


def uniformity(ranks: np.ndarray, kept: int) -> dict:
    """Chi-square test of ranks in 0..kept against the uniform, over BINS equal bins."""
    counts = np.bincount(ranks * BINS // (kept + 1), minlength=BINS)
    test = chisquare(counts)
    n = len(ranks)
    scaled = ranks / kept
    return {
        "counts": counts.tolist(),
        "chi2": float(test.statistic),
        "p_value": float(test.pvalue),
        "mean_scaled_rank": float(scaled.mean()),
        "mean_scaled_rank_se": float(np.sqrt((kept + 2) / (12 * kept)) / np.sqrt(n)),  # sd of rank/kept
        "share_in_outer_bins": float((counts[0] + counts[-1]) / n),
    }


def run(simulations: int, seed: int, settings: Settings | None = None, progress: bool = False) -> dict:
    """Run SBC; the result as written to sbc.json."""
    settings = settings or Settings()
    settings.check()
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    simulator = Simulator.load()
    compiled = time.perf_counter() - start
    runs = []
    for i in range(simulations):
        runs.append(simulate(simulator, rng, settings))
        if progress and (i + 1) % 20 == 0:
            print(f"  {i + 1}/{simulations} simulations, {time.perf_counter() - start:.0f} s", flush=True)
    elapsed = time.perf_counter() - start
    names = list(runs[0]["ranks"])
    return {
        "scenario": str(SCENARIO.relative_to(ROOT)),
        "simulations": simulations,
        "seed": seed,
        "settings": {
            "draws": settings.draws,
            "tune": settings.tune,
            "chains": settings.chains,
            "stride": settings.stride,
            "posterior_draws_ranked": settings.kept,
            "bins": BINS,
        },
        "quantities": {name: uniformity(np.array([r["ranks"][name] for r in runs]), settings.kept) for name in names},
        "rejected_for_survival": sum(r["rejected"] for r in runs),
        "convergence_warnings": sum(r["convergence_warning"] for r in runs),
        "divergences": sum(r["divergences"] for r in runs),
        "max_rhat": max(r["max_rhat"] for r in runs),
        "min_ess_bulk": min(r["min_ess_bulk"] for r in runs),
        "min_ess_tail": min(r["min_ess_tail"] for r in runs),
        "seconds": {
            "total": round(elapsed, 1),
            "load_and_compile": round(compiled, 1),
            "per_simulation": round((elapsed - compiled) / simulations, 3),
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "runs": runs,
    }


def summary(result: dict) -> str:
    s = result["settings"]
    lines = [
        f"SBC of {result['scenario']}: {result['simulations']} simulations (seed {result['seed']}), "
        f"{s['chains']} chains x {s['draws']} draws thinned by {s['stride']} "
        f"-> ranks among {s['posterior_draws_ranked']} draws",
        f"{'quantity':<26} {'chi2':>7} {'p':>7} {'mean rank':>10}  counts per bin",
    ]
    for name, q in result["quantities"].items():
        mean = f"{q['mean_scaled_rank']:.3f}"
        lines.append(f"{name:<26} {q['chi2']:7.2f} {q['p_value']:7.3f} {mean:>10}  {q['counts']}")
    se = next(iter(result["quantities"].values()))["mean_scaled_rank_se"]
    lines += [
        f"(uniform ranks: mean rank 0.5 +/- {se:.3f})",
        f"rejected for survival: {result['rejected_for_survival']}, convergence warnings: "
        f"{result['convergence_warnings']}, divergences: {result['divergences']}, max R-hat {result['max_rhat']:.3f}, "
        f"min ESS of the ranked quantities: bulk {result['min_ess_bulk']:.0f}, tail {result['min_ess_tail']:.0f} "
        f"(of {s['chains'] * s['draws']} draws)",
        f"time: {result['seconds']['total']:.0f} s ({result['seconds']['load_and_compile']:.0f} s loading and "
        f"compiling, {result['seconds']['per_simulation']:.2f} s per simulation)",
    ]
    return "\n".join(lines)


def to_json(result: dict) -> str:
    """The result as JSON, one line per simulation."""
    runs = ",\n  ".join(json.dumps(run) for run in result["runs"])
    rest = json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1)
    return f'{rest[:-2]},\n "runs": [\n  {runs}\n ]\n}}\n'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    result = run(args.simulations, args.seed, progress=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_json(result))
    print(summary(result))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()

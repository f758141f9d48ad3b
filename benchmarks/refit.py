"""Refit speed: an analyst edits an estimate or a prior and fits again, in one process.

Measured in one run, on the seed scenario:
- refit: `riskline.fit` after an edit, as an analyst calls it (with the prior draws, the
  diagnostics and the Forecast), reusing the model compiled for the scenario's structure
  (only the data change), median over several edits;
- update: `riskline.update` from the first fit after the same edits (its draws reweighted,
  riskline.model.update), with each update's Pareto k, effective draws, and how far its
  mean risk lies from the refit's of the same edit, in Monte Carlo standard errors; the
  first update is reported apart (it compiles the log density and evaluates the fit's own);
  then a few other edits an analyst makes, some of which `update` must sample anew;
- rebuild: building the PyMC model again and calling `pm.sample()` (nutpie), which
  compiles anew, as code without a cache would;
and the ratios; then the same refits at smaller settings (as an interactive control would
use), with the worst R-hat and ESS they reached and how many refits missed the thresholds
of priors/model.yaml. Not a test: the machines are noisy, so the numbers are recorded, not
asserted, with the process CPU time of each refit and the load average (other processes
on the 2 cores stretch wall-clock times). Writes benchmarks/results/refit.json.

    .venv/bin/python benchmarks/refit.py [--edits 5] [--rebuilds 2] [--fewer 250/200 400/200 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import warnings
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pymc as pm

from riskline import ConvergenceWarning, fit, load_scenario, update
from riskline.export import package_versions
from riskline.language.probability import StatedProbability
from riskline.model.encoding import encode
from riskline.model.timeline import build_model

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "russia-nato-attack.yaml"


DATES = [date(2027, 1, 1), date(2030, 1, 1), date(2034, 1, 1)]


def other_edits(scenario) -> dict:
    """Edits an analyst makes besides moving a range: some move the posterior too far to reweight."""
    return {
        "as_of a year later": scenario.at(date(2026, 11, 25))[0],
        "lexicon uk-phia": load_scenario(SCENARIO, lexicon="uk-phia"),
        "attack base rate 0.1 -> 0.08 per year": scenario.with_base_rate("attack-after-readiness", per_year=0.08),
        "attack base rate 0.1 -> 0.15 per year": scenario.with_base_rate("attack-after-readiness", per_year=0.15),
        "attack base rate 0.1 -> 0.05 per year": scenario.with_base_rate("attack-after-readiness", per_year=0.05),
        "attack base rate 0.1 -> 0.03 per year": scenario.with_base_rate("attack-after-readiness", per_year=0.03),
        "attack base rate 0.1 -> 0.3 per year": scenario.with_base_rate("attack-after-readiness", per_year=0.3),
    }


def distance(forecast, other) -> float:
    """The largest difference of mean risk (events x DATES) in combined Monte Carlo standard errors."""
    moments = []
    for f in (forecast, other):
        risk = f.risk_at(DATES).stack(sample=("chain", "draw")).values
        moments.append((risk.mean(axis=-1), risk.std(axis=-1) / np.sqrt(f.diagnostics().min_ess_bulk)))
    (mean, error), (other_mean, other_error) = moments
    return float(np.abs((mean - other_mean) / np.hypot(error, other_error)).max())


def edited(scenario, step: int):
    """The scenario with one estimate's stated range moved, as an analyst would try."""
    estimates = list(scenario.estimates)
    first = estimates[0]
    low = 0.05 + 0.05 * (step % 5)
    estimates[0] = replace(first, probability=StatedProbability(low, low + 0.3, f"{low:.2f}-{low + 0.3:.2f}"))
    return replace(scenario, estimates=tuple(estimates))


CPU: list[float] = []


def timed(action) -> float:
    """Wall-clock seconds of `action`; its process CPU seconds go to CPU."""
    start, cpu = time.perf_counter(), time.process_time()
    action()
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--rebuilds", type=int, default=2)
    parser.add_argument(
        "--fewer", nargs="*", default=["250/200", "400/200", "600/300"], metavar="DRAWS/TUNE",
        help="smaller sampling settings to time the same refits with, as an interactive control would use",
    )  # fmt: skip
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    scenario = load_scenario(SCENARIO)
    settings = scenario.priors.model.sampler
    fitted = {}
    first = timed(lambda: fitted.setdefault("first", fit(scenario, random_seed=0)))
    thresholds = scenario.priors.model.diagnostics
    refitted = {}

    def refits_at(draws: int, tune: int) -> dict:
        """The refits after each edit at these settings (per chain): times, CPU and the worst health."""
        health, cpu_before = [], len(CPU)

        def refit(step: int) -> None:
            forecast = fit(edited(scenario, step), random_seed=step, draws=draws, tune=tune)
            health.append(forecast.diagnostics())
            if (draws, tune) == (settings.draws, settings.tune):
                refitted[step] = forecast

        times = [timed(lambda i=i: refit(i)) for i in range(args.edits)]
        problems = [d.problems(thresholds.max_rhat, thresholds.min_ess_bulk) for d in health]
        return {
            "draws": draws,
            "tune": tune,
            "refit_s": [round(t, 3) for t in times],
            "refit_median_s": round(statistics.median(times), 3),
            "refit_cpu_s": [round(t, 3) for t in CPU[cpu_before:]],
            "max_rhat": round(max(d.max_rhat for d in health), 4),
            "min_ess_bulk": round(min(d.min_ess_bulk for d in health), 1),
            "divergences": sum(d.divergences for d in health),
            "refits_missing_thresholds": sum(bool(found) for found in problems),
        }

    default = refits_at(settings.draws, settings.tune)
    fewer = [refits_at(*(int(n) for n in setting.split("/"))) for setting in args.fewer]

    def update_record(name: str, edit, compare_with=None) -> dict:
        """One update from the first fit: its time, CPU, and whether it reweighted or sampled anew."""
        done = {}
        seconds = timed(lambda: done.setdefault("forecast", update(fitted["first"], edit, random_seed=1)))
        found = done["forecast"].diagnostics()
        record = {"edit": name, "s": round(seconds, 3), "cpu_s": round(CPU[-1], 3)}
        if found.pareto_k is None:
            return record | {"method": "sampled anew (fit)"}
        record |= {"method": "reweighted", "pareto_k": round(found.pareto_k, 3), "ess_bulk": round(found.min_ess_bulk)}
        if compare_with is not None:
            record["max_z_against_refit"] = round(distance(done["forecast"], compare_with), 2)
        return record

    first_update = update_record("first update (same edit as the first refit)", edited(scenario, 0), refitted[0])
    updates = [
        update_record(f"stated range {step}", edited(scenario, step), refitted[step]) for step in range(args.edits)
    ]
    update_median = statistics.median(u["s"] for u in updates)
    others = [update_record(name, edit) for name, edit in other_edits(scenario).items()]

    def rebuild(step: int) -> None:
        structure, data = encode(edited(scenario, step))
        with build_model(structure, data):
            pm.sample(draws=settings.draws, tune=settings.tune, chains=settings.chains, cores=2,
                      random_seed=step, progressbar=False)  # fmt: skip

    rebuilds = [timed(lambda i=i: rebuild(i)) for i in range(args.rebuilds)]
    result = {
        "scenario": SCENARIO.name,
        "sampler": settings.model_dump(),
        "first_fit_with_compile_s": round(first, 2),
        "refit": default,
        "refit_median_s": default["refit_median_s"],
        "fewer_draws": {
            "what": "the same refits with smaller settings, as an interactive control (a slider) would use",
            "thresholds": thresholds.model_dump(),
            "settings": fewer,
        },
        "update": {
            "what": "riskline.update from the first fit after the same edits: its draws reweighted (or a new fit)",
            "first": first_update,
            "after_the_first": updates,
            "median_s": update_median,
            "other_edits": others,
        },
        "update_median_s": update_median,
        "rebuild_and_pm_sample_s": [round(t, 2) for t in rebuilds],
        "rebuild_median_s": round(statistics.median(rebuilds), 2),
        "ratio_rebuild_over_refit": round(statistics.median(rebuilds) / default["refit_median_s"], 1),
        "ratio_rebuild_over_update": round(statistics.median(rebuilds) / update_median, 1),
        "target": "refit median <= 0.5 s; rebuild >= 10 s",
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
        "versions": package_versions(),
    }
    out = ROOT / "benchmarks" / "results" / "refit.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "versions"}, indent=2))


if __name__ == "__main__":
    main()

"""Refit speed: an analyst edits an estimate or a prior and fits again, in one process.

Measured in one run, on the seed scenario:
- refit: `riskline.fit` after an edit, as an analyst calls it (with the prior draws, the
  diagnostics and the Forecast), reusing the model compiled for the scenario's structure
  (only the data change), median over several edits;
- rebuild: building the PyMC model again and calling `pm.sample()` (nutpie), which
  compiles anew, as code without a cache would;
and their ratio; then the same refits at smaller settings (as an interactive control would
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
from pathlib import Path

import pymc as pm

from riskline import ConvergenceWarning, fit, load_scenario
from riskline.export import package_versions
from riskline.language.probability import StatedProbability
from riskline.model.encoding import encode
from riskline.model.timeline import build_model

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "russia-nato-attack.yaml"


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
    first = timed(lambda: fit(scenario, random_seed=0))
    thresholds = scenario.priors.model.diagnostics

    def refits_at(draws: int, tune: int) -> dict:
        """The refits after each edit at these settings (per chain): times, CPU and the worst health."""
        health, cpu_before = [], len(CPU)

        def refit(step: int) -> None:
            health.append(fit(edited(scenario, step), random_seed=step, draws=draws, tune=tune).diagnostics())

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
        "rebuild_and_pm_sample_s": [round(t, 2) for t in rebuilds],
        "rebuild_median_s": round(statistics.median(rebuilds), 2),
        "ratio_rebuild_over_refit": round(statistics.median(rebuilds) / default["refit_median_s"], 1),
        "target": "refit median <= 0.5 s; rebuild >= 10 s",
        "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()],
        "versions": package_versions(),
    }
    out = ROOT / "benchmarks" / "results" / "refit.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "versions"}, indent=2))


if __name__ == "__main__":
    main()

"""Sweep throughput: the seed's 199 variants on Dask workers against the same variants fitted one after another.

The sweep is benchmarks/sweep.yaml: base rate (3) x lexicon (3) x the media's noise (2) x
each statement left out or none (11) = 198 variants and the baseline. Measured in one run:

- serial: `riskline.fit` of each variant in this process, as `riskline compare` does (all
  cores for each fit's chains, the compiled model reused), on an evenly spaced subset of
  the variants; its median time per variant, times the variants, is the serial time;
- sampled on 1 and on 2 workers: the same subset, every variant sampled (no reweighting),
  through a fresh local cluster each: the scaling from one worker to two;
- the whole sweep on 2 workers with reweighting, as `riskline sweep` runs it: wall time,
  how many variants were reweighted or sampled, and the time per variant after the first
  result (the compile and the base fits done);
and the ratios. Not a test: the numbers are recorded, not asserted, with the load average
(other processes on the 2 cores stretch every time). Writes benchmarks/results/sweep.json.

    .venv/bin/python benchmarks/sweep.py [--subset 12]
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

from riskline import ConvergenceWarning, fit
from riskline.export import package_versions
from riskline.sweeps import load_sweep, plan_sweep
from riskline.sweeps.engine import local_cluster, run_variants
from riskline.sweeps.results import year_ends
from riskline.sweeps.variants import SweepPlan, variant_scenario

ROOT = Path(__file__).resolve().parent.parent
SWEEP = ROOT / "benchmarks" / "sweep.yaml"


def serial(plan: SweepPlan) -> list[float]:
    """Seconds to fit each variant of `plan` in this process, one after another (as `riskline compare`)."""
    times = []
    for variant in plan.variants:
        scenario = variant_scenario(plan.loaded, variant)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit(scenario, random_seed=variant.seed, prior=False)
        times.append(time.perf_counter() - started)
        print(f"  serial {variant.index}: {times[-1]:.2f} s", flush=True)
    return times


def on_cluster(plan: SweepPlan, workers: int, reweighting: bool) -> dict:
    """Wall time of `plan` on a fresh local cluster, with the time to the first result and after it."""
    baseline = plan.loaded[plan.variants[0].load]
    dates = year_ends(baseline, baseline.as_of)
    arrivals: list[float] = []
    started = time.perf_counter()
    with local_cluster(workers) as client:
        ready = time.perf_counter()
        results = run_variants(plan, client, dates, lambda r: arrivals.append(time.perf_counter()),
                               reweighting=reweighting)  # fmt: skip
    ended = time.perf_counter()
    after_first = (arrivals[-1] - arrivals[0]) / max(1, len(arrivals) - 1)
    methods = [r.method or r.status for r in results]
    return {
        "workers": workers,
        "reweighting": reweighting,
        "variants": len(results),
        "wall_seconds": ended - started,
        "cluster_start_seconds": ready - started,
        "first_result_seconds": arrivals[0] - started,
        "seconds_per_variant_after_first": after_first,
        "reweighted": methods.count("reweighted"),
        "sampled": methods.count("sampled"),
        "failed": methods.count("failed"),
        "median_task_seconds": {
            m: statistics.median([r.seconds for r in results if r.method == m])
            for m in ("reweighted", "sampled")
            if m in methods
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--subset", type=int, default=12, help="variants fitted serially and sampled on 1 and 2 workers"
    )
    args = parser.parse_args()
    plan = plan_sweep(load_sweep(SWEEP))
    step = max(1, len(plan.variants) // args.subset)
    subset = replace(plan, variants=plan.variants[::step][: args.subset])
    record: dict = {"sweep": str(SWEEP.relative_to(ROOT)), "variants": len(plan.variants), "subset": args.subset,
                    "load_before": os.getloadavg(), "versions": package_versions()}  # fmt: skip
    print(f"{len(plan.variants)} variants, {len(plan.bases)} groups; subset of {len(subset.variants)}", flush=True)
    serial_times = serial(subset)
    record["serial_seconds_per_variant"] = statistics.median(serial_times)
    record["serial_seconds_all"] = record["serial_seconds_per_variant"] * len(plan.variants)
    for workers in (1, 2):
        record[f"sampled_{workers}_workers"] = on_cluster(subset, workers, reweighting=False)
        print(json.dumps(record[f"sampled_{workers}_workers"]), flush=True)
    record["sweep_2_workers"] = on_cluster(plan, 2, reweighting=True)
    print(json.dumps(record["sweep_2_workers"]), flush=True)
    one, two = record["sampled_1_workers"], record["sampled_2_workers"]
    record["ratios"] = {
        "two_workers_vs_one_sampled": one["wall_seconds"] / two["wall_seconds"],
        "two_workers_vs_one_after_first": one["seconds_per_variant_after_first"]
        / two["seconds_per_variant_after_first"],
        "two_workers_sampled_vs_serial": record["serial_seconds_per_variant"]
        * len(subset.variants)
        / two["wall_seconds"],
        "sweep_vs_serial": record["serial_seconds_all"] / record["sweep_2_workers"]["wall_seconds"],
    }
    record["load_after"] = os.getloadavg()
    out = ROOT / "benchmarks" / "results" / "sweep.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record["ratios"], indent=2))


if __name__ == "__main__":
    main()

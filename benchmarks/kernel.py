"""The statements' likelihood kernel: its speed, and whether a fit's draws stay bit for bit the same.

Speed: `StatementsLogp.perform` (value and gradient, the kernel called from Python) at one
point of each scenario's model, in batches of calls; the best batch's time per call. The
operation is found in the model's graph and its inputs computed there, so the script
measures any version of riskline's code (run it with PYTHONPATH pointing at another
checkout to compare).

Draws: a fit of the seed scenario with a fixed seed, and a SHA-256 of every posterior array
(names, shapes and bytes): a change of the code that leaves the mathematics alone must
leave it unchanged.

    .venv/bin/python benchmarks/kernel.py [--scenarios FILE ...] [--batches 30] [--calls 200] [--draws] [--label NAME]

Each run is added to benchmarks/results/kernel.json under its label, with the load average
before and after it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import pytensor
from pytensor.graph.traversal import apply_ancestors

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "russia-nato-attack.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "kernel.json"


def kernel_time(path: Path, batches: int, calls: int) -> dict:
    """Best time per call of `StatementsLogp.perform` over `batches` batches of `calls` calls, in microseconds."""
    from riskline import load_scenario
    from riskline.model.encoding import encode
    from riskline.model.timeline import build_model

    model = build_model(*encode(load_scenario(path, priors_dir=ROOT / "priors")))
    (potential,) = model.replace_rvs_by_values([model["estimates"]])
    (node,) = [n for n in apply_ancestors([potential]) if type(n.op).__name__ == "StatementsLogp"]
    rng = np.random.default_rng(0)
    point = {name: rng.normal(0, 0.5, np.shape(value)) for name, value in model.initial_point().items()}
    inputs = pytensor.function(model.value_vars, node.inputs, on_unused_input="ignore")(**point)
    storage = [[None] for _ in node.outputs]
    node.op.perform(node, inputs, storage)  # compiles, or loads from numba's cache
    best = np.inf
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            node.op.perform(node, inputs, storage)
        best = min(best, (time.perf_counter() - start) / calls)
    return {"scenario": path.name, "estimates": len(model.coords["estimate"]), "perform_us": round(best * 1e6, 2)}


def draws_digest(seed: int) -> dict:
    """SHA-256 of the posterior of a fit of the seed scenario (2 chains x 200 draws, 200 tuning steps)."""
    from riskline import fit, load_scenario

    forecast = fit(load_scenario(SEED), random_seed=seed, draws=200, tune=200, chains=2, prior=False)
    digest = hashlib.sha256()
    posterior = forecast.tree.posterior
    for name in sorted(posterior.data_vars):
        values = np.ascontiguousarray(posterior[name].values)
        digest.update(f"{name} {values.shape} {values.dtype}".encode())
        digest.update(values.tobytes())
    return {"seed": seed, "variables": len(posterior.data_vars), "sha256": digest.hexdigest()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=Path, nargs="*", default=[SEED])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--draws", action="store_true", help="also fit the seed and print the draws' digest")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--label", default="run", help="what this run measures, e.g. the commit")
    args = parser.parse_args()
    result = {"label": args.label, "load_average": os.getloadavg(), "kernel": []}
    for path in args.scenarios:
        result["kernel"].append(kernel_time(path, args.batches, args.calls))
        print(json.dumps(result["kernel"][-1]), flush=True)
    if args.draws:
        result["draws"] = draws_digest(args.seed)
        print(json.dumps(result["draws"]), flush=True)
    result["load_average_after"] = os.getloadavg()
    print(json.dumps({"load_average": result["load_average"], "after": result["load_average_after"]}))
    runs = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.write_text(json.dumps([*runs, result], indent=1) + "\n")


if __name__ == "__main__":
    main()

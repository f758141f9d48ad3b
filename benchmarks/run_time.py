"""Wall-clock time of a fresh-process `riskline run` on the seed scenario: cold, warm, and after a small edit.

Cold: empty compile caches (PyTensor's, which also holds riskline's cached sampler
wrappers, and numba's for the likelihood kernels), so everything compiles anew as on a
new machine. Warm: the same caches again, as on every later run (`--fresh`, so it samples).
Edited: a copy of the scenario with one statement's phrase changed, run into the output
folder of a warm run, so `riskline run` reweights that run's draws. Each is a new Python
process, as when an analyst types the command. Then where the time of a warm run goes,
stage by stage, in one more fresh process. Reported as times and ratios measured in one
run (results/run_time.json); not a test: machines here are noisy.

    .venv/bin/python benchmarks/run_time.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "russia-nato-attack.yaml"
EDIT = ("probability: could", "probability: likely")
"""The small edit: the seed's statement read as 'could' now read as 'likely'."""

STAGES = """
import json, sys, tempfile, time
from pathlib import Path
start = time.perf_counter()
marks = {}
def mark(name):
    marks[name] = round(time.perf_counter() - start - sum(marks.values()), 2)
from riskline import load_scenario, fit
from riskline.export import write_run
from riskline.influence import statement_influence
from riskline.random_seed import DEFAULT_SEED
mark("imports")
scenario = load_scenario(sys.argv[1])
mark("load and check the scenario")
forecast = fit(scenario, random_seed=DEFAULT_SEED)
mark("fit (build, load the compiled model, sample, quantities, prior draws)")
influence = statement_influence(forecast, random_seed=DEFAULT_SEED)
mark("each statement's influence")
write_run(forecast, Path(tempfile.mkdtemp()) / "out", command="benchmark", influence=influence)
mark("outputs (tables, figures, report)")
print(json.dumps(marks))
"""


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def riskline(scenario: Path, out: Path, *extra: str) -> list[str]:
    return [str(Path(sys.executable).parent / "riskline"), "run", str(scenario), "--out", str(out), *extra]


def edited_copy(folder: Path) -> Path:
    """The seed scenario with one phrase changed, beside copies of the priors and seeds it reads."""
    for name in ("priors", "seeds"):
        shutil.copytree(ROOT / name, folder / name)
    text = SCENARIO.read_text()
    assert text.count(EDIT[0]) >= 1, "the edit must change the scenario"
    (folder / SCENARIO.name).write_text(text.replace(EDIT[0], EDIT[1], 1))
    return folder / SCENARIO.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results: dict = {
        "cold": [],
        "warm": [],
        "edited": [],
        "load_average_before": {"cold": [], "warm": [], "edited": []},
    }
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        edited = edited_copy(scratch / "edited")
        for i in range(args.repeats):
            cache = scratch / f"cache-{i}"
            env = os.environ | {"PYTENSOR_FLAGS": f"base_compiledir={cache}", "NUMBA_CACHE_DIR": str(cache / "numba")}
            out = scratch / f"out-{i}"
            for name, command in (
                ("cold", riskline(SCENARIO, out, "--fresh")),
                ("warm", riskline(SCENARIO, out, "--fresh")),
                ("edited", riskline(edited, out)),
            ):
                results["load_average_before"][name].append(os.getloadavg()[0])  # it decides write_run's helper
                results[name].append(timed(command, env))
        stages = subprocess.run(
            [sys.executable, "-c", STAGES, str(SCENARIO)], env=env, check=True, capture_output=True, text=True
        )
        results["warm_stages"] = json.loads(stages.stdout.strip().splitlines()[-1])
    medians = {name: statistics.median(results[name]) for name in ("cold", "warm", "edited")}
    results["median"] = medians
    results["ratios"] = {
        "cold / warm": medians["cold"] / medians["warm"],
        "warm / edited": medians["warm"] / medians["edited"],
    }
    results["machine"] = {"cpus": os.cpu_count(), "load_average": os.getloadavg()}
    (ROOT / "benchmarks" / "results" / "run_time.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"fresh-process riskline run, seed scenario, {args.repeats} repeats (median):")
    for name in ("cold", "warm", "edited"):
        print(f"  {name:>6}: {medians[name]:6.1f} s   {[round(t, 1) for t in results[name]]}")
    print("  ratios: " + ", ".join(f"{k} {v:.2f}" for k, v in results["ratios"].items()))
    print("  where a warm run's time goes: " + ", ".join(f"{k} {v} s" for k, v in results["warm_stages"].items()))


if __name__ == "__main__":
    main()

"""Time, memory and sampler health of `riskline run` on generated scenarios of many statements.

Each size (statements / sources / events) is a scenario generated from a seed: events in
two chains (a root with triggered events after it), sources of every class, statements
with calendar windows, fuzzy ends and windows counted from a trigger, stated as phrases,
numbers and intervals. The statements are SYNTHETIC benchmark data, not real statements:
each is a noisy, biased reading of a known timeline (constant hazards), so the scenario
is coherent and the sampler's health means something.

Every size runs `riskline run FILE --out DIR --no-influence` in a fresh Python process
(the command line's own `main`, with timers around its parts), `--repeats` times (the
first may compile for the scenario's structure, later ones load it from the disk caches),
recording the wall time, the peak resident memory, R-hat, bulk ESS and divergences from
its summary.json, the sampler's gradient evaluations after tuning, and where the time
went. Results go to benchmarks/results/scale.json.

    .venv/bin/python benchmarks/scale.py [--sizes 100/20/5 1000/100/5] [--seed 17] [--repeats 2]
    .venv/bin/python benchmarks/scale.py --write DIR   # only the scenario files
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import xarray as xr
import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
SIZES = ("100/20/5", "300/50/5", "1000/100/5")
AS_OF, HORIZON, FIRST_ISSUE = date(2026, 1, 1), date(2036, 1, 1), date(2023, 1, 1)
CLASSES = ("intelligence_service", "government_official", "alliance_official", "military_commander",
           "independent_expert", "media_report", "forecasting_platform")  # fmt: skip
CLASS_PRIORS = {"intelligence_service": (0.3, 0.5), "government_official": (0.5, 0.7), "alliance_official": (0.5, 0.7),
                "military_commander": (0.5, 0.7), "independent_expert": (0.5, 0.9), "media_report": (0.5, 0.9),
                "forecasting_platform": (0.2, 0.4)}  # fmt: skip
"""(bias sd, noise median) of each class in priors/sources.yaml, to draw the synthetic sources' own."""
PHRASES = (("almost no chance", 0.05), ("very unlikely", 0.20), ("unlikely", 0.45), ("roughly even chance", 0.55),
           ("likely", 0.80), ("very likely", 0.95), ("almost certain", 1.0))  # fmt: skip
"""ICD 203's rows by their upper bound."""
ROOT_RATE, DELAY_RATES = 0.25, (0.6, 0.3)
"""True constant hazards per year: each chain's root, then each later event's delay after its trigger."""
SAMPLES = 4000
"""Simulated timelines per statement for its true probability."""

# ---- the scenario -------------------------------------------------------------------------


def chains_of(events: int) -> list[list[str]]:
    """Event ids in two chains (the first one longer), e.g. 5 -> [a0, a1, a2], [b0, b1]."""
    first = (events + 1) // 2
    return [[f"a{i}" for i in range(first)], [f"b{i}" for i in range(events - first)]]


def scenario(statements: int, sources: int, events: int, seed: int) -> dict:
    """The scenario as YAML data; the same arguments give the same scenario."""
    rng = np.random.default_rng(seed)
    chains = [chain for chain in chains_of(events) if chain]
    rates = {e: ROOT_RATE if i == 0 else DELAY_RATES[(i - 1) % 2] for chain in chains for i, e in enumerate(chain)}
    event_specs = [
        {"id": e, "label": f"Synthetic event {e}", "base_rate": f"scale-{e}"} | ({"after": chain[i - 1]} if i else {})
        for chain in chains
        for i, e in enumerate(chain)
    ]
    classes = [CLASSES[i % len(CLASSES)] for i in range(sources)]
    truth = [(rng.normal(0, CLASS_PRIORS[c][0]), CLASS_PRIORS[c][1] * np.exp(0.3 * rng.normal())) for c in classes]
    estimates = [_estimate(i, rng, chains, rates, truth) for i in range(statements)]
    return {
        "name": f"scale-{statements}-{sources}-{events}",
        "title": f"Scale benchmark: {statements} synthetic statements, {sources} sources, {events} events",
        "question": "When will the synthetic events happen? (generated benchmark data, not real statements)",
        "resolution": "Synthetic: never resolves.",
        "as_of": AS_OF,
        "horizon": HORIZON,
        "grid": "quarter",
        "lexicon": "icd-203",
        "events": event_specs,
        "sources": [{"id": f"s{i:03d}", "label": f"Source {i}", "reliability": c} for i, c in enumerate(classes)],
        "estimates": estimates,
        "priors": {"base_rates": {f"scale-{e}": _base_rate(e, rate) for e, rate in rates.items()}},
    }


def _base_rate(event: str, rate: float) -> dict:
    reason = "benchmark: the true rate the statements were generated from"
    return {"description": f"synthetic rate of {event}", "per_year": rate, "log_sd": 1.0, "reason": reason}


def _estimate(i: int, rng, chains: list[list[str]], rates: dict, truth: list) -> dict:
    chain = chains[rng.integers(len(chains))]
    position = int(rng.integers(len(chain)))
    event = chain[position]
    issued = FIRST_ISSUE + timedelta(days=int(rng.integers((AS_OF - FIRST_ISSUE).days)))
    if position and rng.random() < 0.3:  # counted from a trigger or an earlier ancestor
        ancestor = int(rng.integers(position))
        years = int(rng.integers(1, 6))
        window, start, end = {"after": chain[ancestor], "within": f"{years} years"}, None, float(years)
        delays = sum(rng.exponential(1 / rates[e], SAMPLES) for e in chain[ancestor + 1 : position + 1])
        q = float(np.mean(delays <= end))
    else:
        window, start, end = _calendar_window(rng, issued)
        root = _years(issued) + rng.exponential(1 / rates[chain[0]], SAMPLES)  # not by the issue date
        happens = root + sum(rng.exponential(1 / rates[e], SAMPLES) for e in chain[1 : position + 1])
        q = float(np.mean((happens >= _years(start)) & (happens < _years(end))))
    source = int(rng.integers(len(truth)))
    bias, noise = truth[source]
    belief = 1 / (1 + np.exp(-(_logit(q) + bias + noise * rng.logistic())))
    return {
        "id": f"st{i:04d}",
        "source": f"s{source:03d}",
        "issued": issued,
        "event": event,
        "quote": f"synthetic statement {i} (benchmark data)",
        "provenance": {"outlet": "synthetic benchmark data"},
        "window": window,
        "probability": _stated(rng, belief),
    }


def _calendar_window(rng, issued: date) -> tuple[dict, date, date]:
    """A window by a year's end, within years, from a later year, or with a fuzzy end; (spec, start, end)."""
    kind = rng.choice(["end", "within", "start", "fuzzy"], p=[0.35, 0.3, 0.15, 0.2])
    year = int(rng.integers(issued.year + 1, HORIZON.year))
    if kind == "within":
        years = int(rng.integers(1, 6))
        return {"within": f"{years} years"}, issued, issued.replace(year=issued.year + years, day=min(issued.day, 28))
    if kind == "start" and year + 1 < HORIZON.year:
        start, end = date(year, 1, 1), date(int(rng.integers(year + 1, HORIZON.year)), 1, 1)
        return {"start": start, "end": end}, start, end
    if kind == "fuzzy" and year + 1 < HORIZON.year:
        end = date(year, 7, 1)
        return {"end": end, "end_earliest": date(year, 1, 1), "end_latest": date(year + 1, 1, 1)}, issued, end
    return {"end": date(year, 1, 1)}, issued, date(year, 1, 1)


def _stated(rng, belief: float) -> str | list[float]:
    """A phrase (60%, a hedge now and then), a rounded percentage (25%) or an interval (15%)."""
    draw = rng.random()
    if draw < 0.05:
        return str(rng.choice(["could", "may", "might"]))
    if draw < 0.6:
        return next(phrase for phrase, upper in PHRASES if belief <= upper)
    if draw < 0.85:
        return f"{min(max(round(100 * float(belief)), 1), 99)}%"
    low = round(float(min(max(belief - 0.1, 0.0), 0.8)), 2)
    return [low, round(low + 0.2, 2)]


def _years(day: date) -> float:
    return (day - FIRST_ISSUE).days / 365.25


def _logit(q: float) -> float:
    q = min(max(q, 1e-4), 1 - 1e-4)
    return float(np.log(q / (1 - q)))


def write_scenario(folder: Path, size: str, seed: int) -> Path:
    statements, sources, events = (int(x) for x in size.split("/"))
    path = folder / f"scale-{statements}-{sources}-{events}.yaml"
    header = "# SYNTHETIC benchmark data (benchmarks/scale.py): generated statements, not real ones.\n"
    path.write_text(header + yaml.safe_dump(scenario(statements, sources, events, seed), sort_keys=False))
    return path


# ---- one run, timed by parts --------------------------------------------------------------

PARTS = (
    ("load and check", "riskline.config", "load_scenario"),
    ("encode", "riskline.model.fit", "encode"),
    ("build model", "riskline.model.compiled", "build_model"),
    ("compile or load sampler", "riskline.model.compiled", "compile_sampler"),
    ("sample (nutpie)", "nutpie", "sample"),
    ("quantities after sampling", "riskline.model.compiled", "CompiledModel.quantities"),
    ("prior draws", "riskline.model.fit", "sample_prior"),
    ("diagnostics", "riskline.forecast", "Forecast.diagnostics"),
    ("reconciliation", "riskline.forecast", "Forecast.reconciliation"),
    ("write_run", "riskline.export", "write_run"),
)
"""What is timed inside a run: (label, module, attribute). A part absent from the code is left out."""


def timed_run(path: Path, out: Path) -> dict:
    """`riskline run path --out out --no-influence` in this process, timing each part (seconds and calls).

    The priors are this repository's priors/ (the scenario files live in a temporary folder).
    """
    spent: dict[str, list[float]] = {}
    for label, module_name, attribute in PARTS:
        _wrap(label, module_name, attribute, spent)
    from riskline.cli import main

    start = time.perf_counter()
    code = main(["run", str(path), "--out", str(out), "--no-influence", "--priors", str(ROOT / "priors")])
    wall = time.perf_counter() - start
    parts = {label: {"seconds": round(sum(t), 3), "calls": len(t)} for label, t in spent.items() if t}
    return {"exit_code": code, "main_seconds": round(wall, 3), "parts": parts}


def _wrap(label: str, module_name: str, attribute: str, spent: dict) -> None:
    try:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, name)
    except (ImportError, AttributeError):
        return
    spent[label] = []

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label].append(time.perf_counter() - start)

    setattr(owner, name, timed)


def measure(path: Path, out: Path) -> dict:
    """A fresh process for one run: wall time, peak resident memory, the parts and the sampler's health."""
    command = [sys.executable, __file__, "--timed-run", str(path), str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    stdout, stderr = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"run of {path.name} failed:\n{stderr[-3000:]}")
    timings = json.loads(stdout.strip().splitlines()[-1])
    summary = json.loads((out / "summary.json").read_text())
    with xr.open_datatree(out / "forecast.nc") as tree:
        steps = tree["sample_stats"]["n_steps"].values
    return {
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "diagnostics": summary["diagnostics"],
        "gradient_evaluations_after_tuning": int(steps.sum()),
        "mean_steps_per_draw": round(float(steps.mean()), 1),
        **timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), help="statements/sources/events")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--write", type=Path, help="only write the scenario files to this folder")
    parser.add_argument("--record", type=Path, default=RESULTS)
    parser.add_argument("--repeats", type=int, default=2, help="runs per size: the first may compile for its structure")
    parser.add_argument("--timed-run", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.timed_run:
        result = timed_run(*args.timed_run)
        print(json.dumps(result))
        return
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            print(write_scenario(args.write, size, args.seed))
        return
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            path = write_scenario(Path(scratch), size, args.seed)
            for repeat in range(args.repeats):  # a new --out each time: a run reuses an earlier run's draws
                load = os.getloadavg()[0]
                result = measure(path, Path(scratch) / f"out-{path.stem}-{repeat}")
                runs.append({"size": size, "seed": args.seed, "run": repeat + 1, "load_average_before": load, **result})
                print(json.dumps(runs[-1]), flush=True)
    record = {
        "recorded": time.strftime("%Y-%m-%d %H:%M"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "runs": runs,
    }
    args.record.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""The full backtest: every question of backtests/questions/, full sampler sizes, every prior setting.

Runs what `make backtest` runs and records, in one run, the scores table, the date scores,
the settings cross-validation chose and where the time went. Not a test: the test suite
runs the backtest on two small synthetic questions with small samples.

    .venv/bin/python benchmarks/backtest.py [--out out/backtest] [--seed 20251203]
    .venv/bin/python benchmarks/backtest.py --reversion 2 --no-learning --record backtest-reversion-2
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path

from riskline.backtest import CANDIDATES, JUDGEMENT, FitSettings, load_corpus, run_backtest, write_backtest
from riskline.random_seed import DEFAULT_SEED

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "backtest")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reversion", type=float, help="hazard reversion time (years) for every question")
    parser.add_argument("--no-learning", action="store_true", help="the priors as given only")
    parser.add_argument("--record", default="backtest", help="name of the record in benchmarks/results/")
    args = parser.parse_args()
    start = time.perf_counter()
    questions = load_corpus(ROOT / "backtests" / "questions")
    if args.reversion is not None:
        questions = [replace(q, scenario=q.scenario.with_hazard(reversion=args.reversion)) for q in questions]
    settings = (JUDGEMENT,) if args.no_learning else CANDIDATES
    origins = sum(len(q.origins()) for q in questions)
    done = []

    def progress(what: str) -> None:
        done.append(time.perf_counter())
        print(f"[{len(done)}/{origins}] {what}", flush=True)

    result = run_backtest(questions, FitSettings(random_seed=args.seed), settings, progress=progress)
    fitted = time.perf_counter()
    command = shlex.join(["python", "benchmarks/backtest.py", *sys.argv[1:]])
    write_backtest(result, args.out, command)
    written = time.perf_counter()
    scores = result.scores()
    record = {
        "questions": len(questions),
        "statements": sum(len(q.scenario.estimates) for q in questions),
        "origins": origins,
        "settings": [s.label for s in settings],
        "reversion": args.reversion,
        "seconds": {"forecasts_and_scores": round(fitted - start, 1), "outputs": round(written - fitted, 1)},
        "scores": json.loads(scores.round(4).to_json(orient="records")),
        "date_scores": json.loads(result.date_scores().round(4).to_json(orient="records")),
        "learned_choices": dict(result.learned_choices().itertuples(index=False)),
        "seed": args.seed,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.record}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    scores.to_csv(RESULTS / f"{args.record}-scores.csv", index=False, float_format="%.4f")
    # every forecast with its outcome: what scripts/fit_backtest_priors.py learns from
    result.horizons.to_csv(RESULTS / f"{args.record}-questions.csv", index=False, float_format="%.6f")
    print(scores.to_string(index=False))
    print(f"\n{origins} origins in {fitted - start:.0f} s; outputs {written - fitted:.1f} s; wrote {args.out}")


if __name__ == "__main__":
    main()

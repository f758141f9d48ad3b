"""The full backtest: every question of backtests/questions/, full sampler sizes, every prior setting.

Runs what `make backtest` runs and records, in one run, the scores table, the date scores,
the settings cross-validation chose and where the time went. Not a test: the test suite
runs the backtest on two small synthetic questions with small samples.

    .venv/bin/python benchmarks/backtest.py [--out out/backtest] [--seed 20251203]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from riskline.backtest import CANDIDATES, FitSettings, load_corpus, run_backtest, write_backtest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "backtest")
    parser.add_argument("--seed", type=int, default=20251203)
    args = parser.parse_args()
    start = time.perf_counter()
    questions = load_corpus(ROOT / "backtests" / "questions")
    origins = sum(len(q.origins()) for q in questions)
    done = []

    def progress(what: str) -> None:
        done.append(time.perf_counter())
        print(f"[{len(done)}/{origins}] {what}", flush=True)

    result = run_backtest(questions, FitSettings(random_seed=args.seed), CANDIDATES, progress=progress)
    fitted = time.perf_counter()
    command = f"python benchmarks/backtest.py --seed {args.seed}"
    write_backtest(result, args.out, command)
    written = time.perf_counter()
    scores = result.scores()
    record = {
        "questions": len(questions),
        "statements": sum(len(q.scenario.estimates) for q in questions),
        "origins": origins,
        "settings": [s.label for s in CANDIDATES],
        "seconds": {"forecasts_and_scores": round(fitted - start, 1), "outputs": round(written - fitted, 1)},
        "scores": json.loads(scores.round(4).to_json(orient="records")),
        "date_scores": json.loads(result.date_scores().round(4).to_json(orient="records")),
        "learned_choices": dict(result.learned_choices().itertuples(index=False)),
        "seed": args.seed,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "backtest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    scores.to_csv(RESULTS / "backtest-scores.csv", index=False, float_format="%.4f")
    print(scores.to_string(index=False))
    print(f"\n{origins} origins in {fitted - start:.0f} s; outputs {written - fitted:.1f} s; wrote {args.out}")


if __name__ == "__main__":
    main()

"""Learn the source classes' priors in priors/sources.yaml from the backtest's track record.

The backtest scores riskline under each prior setting of `riskline.backtest.CANDIDATES`
(every class's mean bias shifted, its noise scaled, the base rate scaled), each starting
from the classes' judged priors. This script takes the setting with the best mean log score
over all questions and horizons (`setting_scores`, the objective that cross-validation uses
question by question), provided that learning holds up out of sample (riskline under the
setting chosen on the other questions beats the judged priors; otherwise the judged priors
are written), and writes it into priors/sources.yaml: each class's `bias.mean` is
its judged mean plus the shift, its `noise.median` the judged median times the scale. The
judged values stay in each class's `judgement:` entry, and the file's header says where the
numbers come from. Only these numbers and the header are written; everything else in the
file is kept as it is.

    .venv/bin/python scripts/fit_backtest_priors.py                     # from benchmarks/results/
    .venv/bin/python scripts/fit_backtest_priors.py --check             # exit 1 if sources.yaml is stale
    .venv/bin/python scripts/fit_backtest_priors.py --questions out/backtest/questions.csv

A setting that scales the base rate is refused: the base rates of backtest questions are not
the source classes', and learning them is a separate decision (docs/backtests.md).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from riskline.backtest import CANDIDATES, JUDGEMENT
from riskline.backtest.forecasts import SETTING_PREFIX
from riskline.backtest.scores import setting_scores

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT / "benchmarks" / "results" / "backtest-questions.csv"
DEFAULT_RECORD = ROOT / "benchmarks" / "results" / "backtest.json"
SOURCES = ROOT / "priors" / "sources.yaml"
BEGIN = "# --- learned from the backtest (scripts/fit_backtest_priors.py writes this block) ---"
END = "# --- end of the learned block ---"
LEARNED = "riskline_learned"
"""The backtest's method for riskline under the setting chosen on the other questions."""
CROSS_VALIDATED = "cross-validated"


def best_setting(questions: pd.DataFrame):
    """The setting to write, and every setting's score (with "cross-validated" for learning out of sample).

    The candidate with the best mean log score on the whole corpus, if learning holds up out
    of sample: riskline under the setting chosen on the other questions (`riskline_learned`,
    leave one question out) must score better than the judged priors. Otherwise the judged.
    """
    scores = setting_scores(questions)
    labels = {s.label: s for s in CANDIDATES} | {"judgement": JUDGEMENT}
    learned = questions[questions["method"] == LEARNED].assign(method=f"{SETTING_PREFIX}{CROSS_VALIDATED}")
    if not learned.empty:
        scores = pd.concat([scores, setting_scores(learned).drop("judgement", errors="ignore")]).sort_values()
        if scores[CROSS_VALIDATED] >= scores["judgement"]:
            return JUDGEMENT, scores
    best = next(label for label in scores.index if label in labels)
    return labels[best], scores


def learned_text(text: str, setting, scores: pd.Series, record: dict) -> str:
    """sources.yaml's text with the setting applied to every class and the header block rewritten."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 120
    document = yaml.load(text)
    for entry in document["classes"].values():
        if "judgement" not in entry:
            judged = CommentedMap(bias=_flow(entry["bias"]), noise=_flow(entry["noise"]))
            judged.fa.set_flow_style()
            entry["judgement"] = judged
        judged = entry["judgement"]
        entry["bias"]["mean"] = round(judged["bias"]["mean"] + setting.bias_shift, 6)
        entry["noise"]["median"] = round(judged["noise"]["median"] * setting.noise_scale, 6)
    body = io.StringIO()
    yaml.dump(document, body)
    return _header(setting, scores, record) + _without_block(body.getvalue())


def _flow(mapping) -> CommentedMap:
    """A copy of `mapping` written on one line, as the file's other priors are."""
    copy = CommentedMap(mapping)
    copy.fa.set_flow_style()
    return copy


def _header(setting, scores: pd.Series, record: dict) -> str:
    judged = scores["judgement"]
    best = next(label for label in scores.index if label != CROSS_VALIDATED)
    if setting == JUDGEMENT and best != "judgement":  # the best setting did not hold up out of sample
        return "\n".join([
            BEGIN,
            "# The numbers in use are the judged priors (each class's `judgement:`): nothing is learned. In the",
            f"# backtest of {record['questions']} resolved questions and {record['statements']} statements "
            f"({record['origins']} forecast origins; backtests/README.md)",
            f"# the best setting on the whole corpus ({best}, mean log score {scores[best]:.4f} against "
            f"{judged:.4f} judged)",
            "# does not hold up out of sample: chosen on the other questions, it scores "
            f"{scores[CROSS_VALIDATED]:.4f}.",
            END,
            "",
        ])  # fmt: skip
    lines = [
        BEGIN,
        "# The numbers in use are the judged priors (each class's `judgement:`) changed by the setting with",
        f"# the best mean log score in the backtest of {record['questions']} resolved questions and "
        f"{record['statements']} statements",
        f"# ({record['origins']} forecast origins; horizons 6 months to 5 years; backtests/README.md):",
        f"#   every class's mean bias {setting.bias_shift:+g} logit, its median noise x {setting.noise_scale:g}",
        f"#   mean log score {scores.iloc[0]:.4f} against {judged:.4f} with the judged priors "
        f"(lower is better; {len(scores)} settings tried).",
        "# A positive bias: sources state higher probabilities than the events' timing bears out.",
        "# Leave-one-question-out scores of this choice are in benchmarks/results/backtest.json.",
        END,
        "",
    ]
    return "\n".join(lines)


def _without_block(text: str) -> str:
    """The file's text without an earlier learned block."""
    if BEGIN not in text:
        return text
    head, rest = text.split(BEGIN, 1)
    return head + rest.split(END, 1)[1].lstrip("\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="a backtest's questions.csv")
    parser.add_argument("--record", type=Path, default=DEFAULT_RECORD, help="its benchmarks/results record")
    parser.add_argument("--sources", type=Path, default=SOURCES)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what would be written")
    args = parser.parse_args()
    setting, scores = best_setting(pd.read_csv(args.questions))
    if setting.base_rate_scale != 1.0:
        print(f"the best setting scales the base rate ({setting.label}); not written: see the docstring")
        return 1
    text = learned_text(args.sources.read_text(encoding="utf-8"), setting, scores, json.loads(args.record.read_text()))
    if args.check:
        stale = text != args.sources.read_text(encoding="utf-8")
        print(f"{args.sources} is {'stale' if stale else 'up to date'} ({setting.label})")
        return int(stale)
    args.sources.write_text(text, encoding="utf-8")
    print(f"wrote {args.sources}: {setting.label}\n{scores.round(4).to_string()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

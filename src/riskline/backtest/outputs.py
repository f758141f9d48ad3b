"""Running a backtest and writing its folder: tables, figures and report.

The folder is written like a run's (`riskline.export.staged`): all or nothing, and only
into a folder that holds nothing but the files listed in BACKTEST_FILES.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from riskline.backtest.corpus import HORIZONS, Question
from riskline.backtest.forecasts import JUDGEMENT, FitSettings, PriorSetting, forecast_corpus
from riskline.backtest.scores import (
    LEARNED,
    chosen_curves,
    class_record,
    date_table,
    horizon_table,
    statement_table,
    summary_table,
)
from riskline.export import FIGURE_FORMATS, package_versions, save_figure, staged
from riskline.plots.backtest import plot_pit, plot_reliability, plot_scores
from riskline.report import render_html

__all__ = ["BACKTEST_FILES", "BacktestResult", "run_backtest", "write_backtest"]

FIGURES = {
    "scores": "Mean log score of each method at each horizon (lower is better), ±1 standard error over questions.",
    "reliability": "Reliability: observed frequency against forecast probability, per horizon.",
    "pit": "PIT of the events' dates: uniform for a calibrated forecast.",
}
TABLES = ("scores.csv", "questions.csv", "dates.csv", "date_scores.csv", "curves.csv", "statements.csv", "classes.csv")
BACKTEST_FILES = frozenset(
    [*TABLES, "summary.json", "report.md", "report.html"]
    + [f"{name}.{suffix}" for name in FIGURES for suffix in FIGURE_FORMATS]
)
"""Every file `write_backtest` writes."""
CALIBRATION_METHODS = ("riskline", LEARNED, "linear_pool")
"""The methods the reliability and PIT figures show (riskline first: its band is drawn)."""


@dataclass(frozen=True)
class BacktestResult:
    """Everything a backtest computed; each table is tidy (see docs/backtests.md)."""

    questions: list[Question]
    curves: pd.DataFrame  # question, origin, method, months, p
    horizons: pd.DataFrame  # question, origin, method, horizon, p, happened, scores, choice
    dates: pd.DataFrame  # question, origin, method, years, log_density, crps, pit
    sampler: FitSettings
    settings: tuple[PriorSetting, ...]

    def scores(self) -> pd.DataFrame:
        """scores.csv: one row per method and horizon."""
        return summary_table(self.horizons)

    def date_scores(self) -> pd.DataFrame:
        """date_scores.csv: per method, the mean over questions of each question's mean date scores."""
        per_question = self.dates.groupby(["method", "question"])[["log_density", "crps"]].mean()
        table = per_question.groupby("method").mean()
        table["n"] = per_question.groupby("method").size()
        table["n_forecasts"] = self.dates.groupby("method").size()
        return table.reset_index().sort_values("log_density")[["method", "n", "n_forecasts", "log_density", "crps"]]

    def statements(self) -> pd.DataFrame:
        """statements.csv: each statement scored against its own window (`statement_table`)."""
        return statement_table(self.questions)

    def learned_choices(self) -> pd.DataFrame:
        """Which prior setting cross-validation chose for each question (from the other questions)."""
        rows = self.horizons[self.horizons["method"] == LEARNED]
        return rows.drop_duplicates("question")[["question", "choice"]].reset_index(drop=True)


def run_backtest(
    questions: Sequence[Question],
    sampler: FitSettings,
    settings: Sequence[PriorSetting] = (JUDGEMENT,),
    progress: Callable[[str], None] | None = None,
) -> BacktestResult:
    """Forecast every question from every origin with every method, and score the forecasts."""
    curves = forecast_corpus(questions, sampler, settings, progress)
    horizons = horizon_table(curves, questions)
    every = pd.concat([curves, chosen_curves(curves, horizons)], ignore_index=True)
    methods = [m for m in every["method"].unique() if not m.startswith("riskline:")]
    dates = date_table(every, questions, methods)
    return BacktestResult(list(questions), every, horizons, dates, sampler, tuple(settings))


def write_backtest(result: BacktestResult, out_dir: str | Path, command: str | None = None) -> Path:
    """scores.csv, questions.csv, dates.csv, date_scores.csv, curves.csv, summary.json, the figures and the report."""
    scores = result.scores()
    date_scores = result.date_scores()
    footer_text = _footer(result)
    shown = [m for m in CALIBRATION_METHODS if m in set(result.horizons["method"])]
    figures = {
        "scores": plot_scores(scores, footer_text),
        "reliability": plot_reliability(result.horizons, shown, footer_text),
        "pit": plot_pit(result.dates, shown, footer_text),
    }
    with staged(Path(out_dir), BACKTEST_FILES) as staging:
        scores.to_csv(staging / "scores.csv", index=False, float_format="%.6f")
        result.horizons.to_csv(staging / "questions.csv", index=False, float_format="%.6f")
        result.dates.to_csv(staging / "dates.csv", index=False, float_format="%.6f")
        date_scores.to_csv(staging / "date_scores.csv", index=False, float_format="%.6f")
        result.curves.to_csv(staging / "curves.csv", index=False, float_format="%.6f")
        statements = result.statements()
        statements.to_csv(staging / "statements.csv", index=False, float_format="%.6f")
        class_record(statements).to_csv(staging / "classes.csv", index=False, float_format="%.6f")
        summary = _summary(result, scores, date_scores, command)
        (staging / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        for name, figure in figures.items():
            save_figure(figure, staging / name)
        markdown = _report(result, scores, date_scores, command)
        (staging / "report.md").write_text(markdown, encoding="utf-8")
        (staging / "report.html").write_text(render_html(markdown, staging, "riskline backtest"), encoding="utf-8")
    return Path(out_dir)


def _footer(result: BacktestResult) -> str:
    statements = sum(len(q.scenario.estimates) for q in result.questions)
    return (f"{len(result.questions)} resolved questions, {statements} statements, rolling origins at each issue date; "
            f"riskline {version('riskline')}.")  # fmt: skip


def _class_section(statements: pd.DataFrame) -> list[str]:
    """Each class of source's statements against their own windows."""
    if statements.empty:
        return []
    lines = [
        "",
        "## Statements against their own windows",
        "",
        f"Each statement read literally as a forecast of its own window: {len(statements)} windows have closed (the "
        f"event came, or the outcome's not_by date passed their end); {statements['came_true'].mean():.0%} came true, "
        f"against a mean stated probability of {statements['stated'].mean():.0%}.",
        "",
        "| source class | statements | questions | mean stated | came true | Brier |",
        "|---|---|---|---|---|---|",
    ]
    for row in class_record(statements).itertuples(index=False):
        lines.append(f"| {row[0]} | {row.statements} | {row.questions} | {row.mean_stated:.0%} | {row.came_true:.0%} | "
                     f"{row.brier:.3f} |")  # fmt: skip
    return lines


def _summary(result: BacktestResult, scores: pd.DataFrame, date_scores: pd.DataFrame, command: str | None) -> dict:
    fits = result.curves.drop_duplicates(["question", "origin"])
    return {
        "questions": len(result.questions),
        "statements": sum(len(q.scenario.estimates) for q in result.questions),
        "origins": len(fits),
        "horizons": list(HORIZONS),
        "scores": json.loads(scores.round(6).to_json(orient="records")),
        "date_scores": json.loads(date_scores.round(6).to_json(orient="records")),
        "learned_choices": dict(result.learned_choices().itertuples(index=False)) if len(result.settings) > 1 else {},
        "settings": [s.label for s in result.settings],
        "sampler": {
            "draws": result.sampler.draws,
            "tune": result.sampler.tune,
            "chains": result.sampler.chains,
            "random_seed": result.sampler.random_seed,
            "max_rhat": round(float(fits["max_rhat"].max()), 4),
            "min_ess_bulk": round(float(fits["min_ess_bulk"].min()), 1),
        },
        "versions": package_versions(),
        "command": command,
    }


def _report(result: BacktestResult, scores: pd.DataFrame, date_scores: pd.DataFrame, command: str | None) -> str:
    lines = [
        "# riskline backtest",
        "",
        f"{_footer(result)} Every forecast is P(event by origin + horizon | nothing by the origin), scored "
        "against what happened. Lower is better for every score: the log score is −ln P(what happened) in nats "
        "(forecasts clipped to 0.1–99.9%), the Brier score (p − y)². A horizon that ends after a question's "
        "`not_by` date is censored: left out, never counted as a “no”. Each question counts once (its origins "
        "are averaged first). Definitions: docs/backtests.md.",
        "",
        "## Scores by horizon",
        "",
        "| horizon | method | questions | forecasts | log score (± se) | Brier |",
        "|---|---|---|---|---|---|",
    ]
    for row in scores.itertuples(index=False):
        se = "" if pd.isna(row.log_score_se) else f" ± {row.log_score_se:.3f}"
        lines.append(f"| {row.horizon} | {row.method} | {row.n} | {row.n_forecasts} | {row.log_score:.3f}{se} | "
                     f"{row.brier:.3f} |")  # fmt: skip
    lines += [
        "",
        f"![{FIGURES['scores']}](scores.png)",
        "",
        "## When the events came",
        "",
        "For events that happened within five years of an origin: −ln of the forecast's probability per year "
        "of the month holding the date (log density), and the CRPS of the date in years over the five-year span.",
        "",
        "| method | questions | forecasts | log density | CRPS (years) |",
        "|---|---|---|---|---|",
    ]
    for row in date_scores.itertuples(index=False):
        lines.append(f"| {row.method} | {row.n} | {row.n_forecasts} | {row.log_density:.3f} | {row.crps:.3f} |")
    lines += [
        "",
        f"![{FIGURES['pit']}](pit.png)",
        "",
        "## Calibration",
        "",
        f"![{FIGURES['reliability']}](reliability.png)",
    ]
    lines += _class_section(result.statements())
    if len(result.settings) > 1:
        lines += ["", "## Learned priors (leave one question out)", "",
                  "For each question, the prior setting with the best mean log score on the *other* questions:", "",
                  "| question | setting chosen |", "|---|---|"]  # fmt: skip
        lines += [f"| {q} | {c} |" for q, c in result.learned_choices().itertuples(index=False)]
    lines += [
        "",
        "## The questions",
        "",
        "| question | kind | outcome | statements | origins |",
        "|---|---|---|---|---|",
    ]
    for q in result.questions:
        outcome = f"happened {q.outcome.happened}" if q.outcome.happened else f"not by {q.outcome.not_by}"
        kind = q.category.removeprefix("backtest-")
        lines.append(f"| {q.scenario.spec.title} | {kind} | {outcome} | {len(q.scenario.estimates)} | "
                     f"{len(q.origins())} |")  # fmt: skip
    sampler = result.sampler
    fits = result.curves.drop_duplicates(["question", "origin"])
    lines += [
        "",
        "## Reproducing",
        "",
        f"Sampler: {sampler.draws or 'default'} draws × {sampler.chains or 'default'} chains after "
        f"{sampler.tune or 'default'} tuning steps, seed {sampler.random_seed}; over the {len(fits)} fits, "
        f"max R-hat {fits['max_rhat'].max():.3f}, min bulk ESS {fits['min_ess_bulk'].min():.0f}.",
        "",
        f"`{command}`" if command else "",
        "",
    ]
    return "\n".join(lines)

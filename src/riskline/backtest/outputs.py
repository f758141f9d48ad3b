"""Running a backtest and writing its folder: tables, figures and report.

The folder is written like a run's (`riskline.output_folder.staged`): all or nothing, with
a manifest of its files, so that a later backtest deletes nothing of the analyst's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from riskline.backtest.corpus import HORIZONS, Question
from riskline.backtest.forecasts import JUDGEMENT, SETTING_PREFIX, FitSettings, PriorSetting, forecast_corpus
from riskline.backtest.scores import (
    LEARNED,
    chosen_curves,
    class_record,
    date_table,
    horizon_table,
    paired_differences,
    statement_table,
    summary_table,
)
from riskline.export import FIGURE_FORMATS, package_versions, save_figure
from riskline.output_folder import staged
from riskline.plots.backtest import plot_pit, plot_reliability, plot_scores
from riskline.report import render_html

__all__ = ["BACKTEST_FILES", "BacktestResult", "run_backtest", "write_backtest"]

FIGURES = {
    "scores": "Mean log score of each method at each horizon (lower is better), ±1 standard error over questions.",
    "reliability": "Reliability: observed frequency against forecast probability, per horizon.",
    "pit": "PIT of the events' dates: uniform for a calibrated forecast.",
}
TABLES = ("scores.csv", "settings.csv", "questions.csv", "dates.csv", "date_scores.csv", "curves.csv", "statements.csv",
          "classes.csv")  # fmt: skip
BACKTEST_FILES = frozenset(
    [*TABLES, "summary.json", "report.md", "report.html"]
    + [f"{name}.{suffix}" for name in FIGURES for suffix in FIGURE_FORMATS]
)
"""Every file `write_backtest` writes besides its manifest."""
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
        """scores.csv: one row per method and horizon (riskline under the other prior settings: `settings`)."""
        table = summary_table(self.horizons)
        return table[~table["method"].str.startswith(SETTING_PREFIX)].reset_index(drop=True)

    def settings_scores(self) -> pd.DataFrame:
        """settings.csv: riskline under each prior setting tried, per horizon, judgement first."""
        table = summary_table(self.horizons)
        table = table[(table["method"] == "riskline") | table["method"].str.startswith(SETTING_PREFIX)]
        return table.assign(method=table["method"].str.removeprefix(SETTING_PREFIX).replace("riskline", "judgement"))

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
    methods = [m for m in every["method"].unique() if not m.startswith(SETTING_PREFIX)]
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
        result.settings_scores().to_csv(staging / "settings.csv", index=False, float_format="%.6f")
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
        markdown = _report(result, scores, date_scores, statements, command)
        (staging / "report.md").write_text(markdown, encoding="utf-8")
        (staging / "report.html").write_text(render_html(markdown, staging, "riskline backtest"), encoding="utf-8")
    return Path(out_dir)


def _footer(result: BacktestResult) -> str:
    statements = sum(len(q.scenario.estimates) for q in result.questions)
    return (f"{len(result.questions)} resolved questions, {statements} statements, rolling origins at each issue date; "
            f"riskline {version('riskline')}.")  # fmt: skip


def _versus(result: BacktestResult, scores: pd.DataFrame, reference: str) -> pd.DataFrame:
    """paired_differences in the shape of scores.csv (`scores`, for its counts), for _wide_table."""
    main = result.horizons[~result.horizons["method"].str.startswith(SETTING_PREFIX)]
    table = paired_differences(main, reference)
    counts = scores.drop_duplicates("horizon").set_index("horizon")
    return table.assign(
        log_score=table["difference"],
        log_score_se=table["se"],
        n=table["horizon"].map(counts["n"]),
        n_forecasts=table["horizon"].map(counts["n_forecasts"]),
    )


def _learning_section(result: BacktestResult) -> list[str]:
    """The prior settings tried, their scores on the whole corpus, and what cross-validation chose."""
    choices = result.learned_choices()["choice"].value_counts()
    chosen = "; ".join(f"{label} for {count} question{'s' if count > 1 else ''}" for label, count in choices.items())
    lines = [
        "",
        "## Learned priors",
        "",
        "riskline under each prior setting tried (`bias`: the shift of every class's mean bias, in logits; `noise`: "
        "the factor on every class's median noise; `rate`: the factor on the question's base rate), scored on the "
        "whole corpus. `riskline_learned` above takes, for each question, the setting best on the *other* questions "
        f"(leave-one-question-out): {chosen}.",
        "",
        *_wide_table(result.settings_scores(), "log_score", "log_score_se"),
    ]
    return lines


def _wide_table(scores: pd.DataFrame, column: str, se: str | None = None, bold: bool = True) -> list[str]:
    """A Markdown table: a row per method (lowest first at the second horizon), a column per horizon.

    With `bold`, the lowest value at each horizon (the best score) is in bold.
    """
    horizons = list(dict.fromkeys(scores["horizon"]))
    counts = scores.drop_duplicates("horizon").set_index("horizon")
    head = " | ".join(f"{h} ({counts.loc[h, 'n']} q., {counts.loc[h, 'n_forecasts']} f.)" for h in horizons)
    table = scores.set_index(["method", "horizon"])
    best = scores.loc[scores.groupby("horizon")[column].idxmin()].set_index("horizon")["method"]
    order = scores[scores["horizon"] == horizons[1 if len(horizons) > 1 else 0]].sort_values(column)["method"]
    lines = [f"| method | {head} |", "|---" * (len(horizons) + 1) + "|"]
    for method in order:
        cells = []
        for h in horizons:
            if (method, h) not in table.index:
                cells.append("")
                continue
            value = f"{table.loc[(method, h), column]:.3f}"
            if se is not None and not pd.isna(table.loc[(method, h), se]):
                value += f" ± {table.loc[(method, h), se]:.3f}"
            cells.append(f"**{value}**" if bold and best[h] == method else value)
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return lines


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


def _report(
    result: BacktestResult,
    scores: pd.DataFrame,
    date_scores: pd.DataFrame,
    statements: pd.DataFrame,
    command: str | None,
) -> str:
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
        "Mean log score (± its standard error over questions); the best at each horizon in bold. The "
        "number of questions scored at each horizon is in its heading (forecasts: question × origin).",
        "",
        *_wide_table(scores, "log_score", "log_score_se"),
        "",
        "Brier score:",
        "",
        *_wide_table(scores, "brier"),
        "",
        "Sharpness (the standard deviation of the forecasts; higher is sharper, which only helps a calibrated method):",
        "",
        *_wide_table(scores, "sharpness", bold=False),
        "",
        "Against riskline question by question: each method's mean log score minus riskline's on the same "
        "questions, ± its standard error (negative: better than riskline). Questions differ far more from each "
        "other than methods do on one question, so this is the sharper comparison.",
        "",
        *_wide_table(_versus(result, scores, "riskline"), "log_score", "log_score_se"),
    ]
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
    lines += _class_section(statements)
    if len(result.settings) > 1:
        lines += _learning_section(result)
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

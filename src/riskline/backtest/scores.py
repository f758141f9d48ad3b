"""Scoring the backtest's curves: horizons, dates, and the choices made by cross-validation.

Every question counts once: a method's score at a horizon is the mean over questions of
the mean over that question's origins, so a question with many statements does not
outweigh one with few. Two methods choose a setting from the track record, always by
leave-one-question-out cross-validation (the forecast scored for a question never used
that question's outcome):

- `extremized_pool`: the log pool's log-odds times the factor d of EXTREMIZING_FACTORS
  with the best mean log score on the other questions;
- `riskline_learned`: riskline under the `PriorSetting` with the best mean log score on
  the other questions (the settings of `forecast_corpus`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.special import expit

from riskline.backtest.corpus import HORIZONS, Question, curve_months, readable_statements
from riskline.backtest.forecasts import SETTING_PREFIX, curve_dates
from riskline.config.windows import Window
from riskline.pooling import extremized_pool, years_after
from riskline.scoring import binary_scores, date_scores

__all__ = [
    "EXTREMIZING_FACTORS",
    "LEARNED",
    "chosen_curves",
    "class_record",
    "date_table",
    "horizon_table",
    "paired_differences",
    "setting_scores",
    "statement_table",
    "summary_table",
]

EXTREMIZING_FACTORS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
"""Candidates for the extremized pool's factor (Baron et al. 2014 found values of about 1.5-2.5)."""
LEARNED = "riskline_learned"


def horizon_table(curves: pd.DataFrame, questions: Sequence[Question]) -> pd.DataFrame:
    """One row per question, origin, method and horizon: p, the outcome seen, log and Brier scores.

    Horizons that end after a `not_by` outcome are censored (left out). Adds the
    cross-validated `extremized_pool` and `riskline_learned` rows, with the chosen setting
    in `choice`.
    """
    outcomes = {q.name: q.outcome for q in questions}
    rows = []
    for name, months in HORIZONS.items():
        at = curves[curves["months"] == curve_months(months)]
        row: Any  # a table's row: its fields have the columns' types, which pandas' stubs do not know
        for row in at.itertuples(index=False):
            seen = outcomes[row.question].seen_by(row.origin + months)
            if seen is not None:
                rows.append({"question": row.question, "origin": row.origin, "method": row.method,
                             "horizon": name, "p": row.p, "happened": int(seen)})  # fmt: skip
    table = pd.DataFrame(rows)
    table = pd.concat([table, _extremized(table), _learned(table)], ignore_index=True)
    return pd.concat([table, binary_scores(table["p"], table["happened"])], axis=1)


def _extremized(table: pd.DataFrame) -> pd.DataFrame:
    log_pool = table[table["method"] == "log_pool"]
    candidates = {}
    for factor in EXTREMIZING_FACTORS:
        candidates[factor] = log_pool.assign(method="extremized_pool", p=_extremized_log_pool(log_pool["p"], factor),
                                             choice=f"d={factor:g}")  # fmt: skip
    return _cross_validated(candidates)


def _extremized_log_pool(log_pool: pd.Series, factor: float) -> np.ndarray:
    """The extremized pool from the log pool's probabilities: its mean log-odds are their log-odds."""
    return extremized_pool(log_pool.to_numpy()[None, :], factor)


def _setting_rows(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Riskline's forecasts under each prior setting, by the setting's label ("judgement": the priors as given)."""
    settings = sorted(m for m in table["method"].unique() if m.startswith(SETTING_PREFIX))
    found = {"judgement": table[table["method"] == "riskline"]}
    return found | {m.removeprefix(SETTING_PREFIX): table[table["method"] == m] for m in settings}


def _learned(table: pd.DataFrame) -> pd.DataFrame:
    candidates = _setting_rows(table)
    if len(candidates) == 1:
        return pd.DataFrame()
    return _cross_validated({k: v.assign(method=LEARNED, choice=k) for k, v in candidates.items()})


def setting_scores(table: pd.DataFrame) -> pd.Series:
    """Each prior setting's mean log score over all questions and horizons (the learning objective), best first."""
    means = pd.DataFrame({k: _question_means(v) for k, v in _setting_rows(table).items()})
    return means.mean().sort_values()


def _question_means(rows: pd.DataFrame) -> pd.Series:
    """Each question's mean log score over its forecasts (origins and horizons)."""
    scores = binary_scores(rows["p"], rows["happened"])["log_score"].to_numpy()
    return rows.assign(score=scores).groupby("question")["score"].mean()


def _cross_validated(candidates: dict) -> pd.DataFrame:
    """For each question, the candidate with the best mean log score on the other questions.

    A corpus of one question has no other questions to learn from: it gets the first
    candidate, the default (d = 1, or the priors as given).
    """
    means = pd.DataFrame({key: _question_means(rows) for key, rows in candidates.items()})  # question x candidate
    chosen = []
    for question in means.index:
        others = means.drop(index=question).mean()
        best = others.idxmin() if others.notna().any() else next(iter(candidates))
        rows = candidates[best]
        chosen.append(rows[rows["question"] == question])
    return pd.concat(chosen, ignore_index=True)


def chosen_curves(curves: pd.DataFrame, horizons: pd.DataFrame) -> pd.DataFrame:
    """The curves of the cross-validated methods, each question's as chosen for its horizons."""
    frames = []
    choices = horizons.dropna(subset=["choice"]).drop_duplicates(["method", "question"])
    row: Any  # see `horizon_table`
    for row in choices.itertuples(index=False):
        mine = curves[curves["question"] == row.question]
        if row.method == "extremized_pool":
            base = mine[mine["method"] == "log_pool"]
            factor = float(row.choice.removeprefix("d="))
            p = _extremized_log_pool(base["p"], factor)
        else:
            source = "riskline" if row.choice == "judgement" else SETTING_PREFIX + row.choice
            base = mine[mine["method"] == source]
            p = base["p"].to_numpy()
        frames.append(base.assign(method=row.method, p=p))
    return pd.concat(frames, ignore_index=True) if frames else curves.iloc[:0]


def date_table(curves: pd.DataFrame, questions: Sequence[Question], methods: Sequence[str]) -> pd.DataFrame:
    """One row per happened question, origin and method: the date's log density, CRPS and PIT.

    Only events that happened within the scored span of the origin count.
    """
    rows = []
    for question in questions:
        happened = question.outcome.happened
        if happened is None:
            continue
        mine = curves[curves["question"] == question.name]
        origin: Any  # a date (the groupby's keys are typed Hashable)
        for (origin, method), curve in mine.groupby(["origin", "method"]):
            if method not in methods:
                continue
            # the curve's points are calendar months after the origin: place them in years as the date is
            years = np.array([years_after(origin, d) for d in curve_dates(origin)])[curve["months"].to_numpy()]
            after = years_after(origin, happened)
            if after > years[-1]:
                continue
            scores = date_scores(years, curve["p"].to_numpy(), after)
            rows.append({"question": question.name, "origin": origin, "method": method, "years": after, **scores})
    return pd.DataFrame(rows)


def summary_table(forecasts: pd.DataFrame) -> pd.DataFrame:
    """scores.csv: per method and horizon, the mean over questions of each question's mean score.

    `n` counts questions, `n_forecasts` the (question, origin) forecasts; `*_se` is the
    standard error of the mean over questions. `sharpness` is the standard deviation of the
    forecast probabilities over all forecasts: 0 for a method that always says the same,
    0.5 for one that only says 0 or 1 in equal measure; a sharp method is only better when
    it is also calibrated.
    """
    per_question = forecasts.groupby(["method", "horizon", "question"])[["log_score", "brier"]].mean()
    grouped = per_question.groupby(["method", "horizon"])
    summary = grouped.mean()
    summary["log_score_se"] = grouped["log_score"].std() / np.sqrt(grouped.size())
    summary["n"] = grouped.size()
    summary["n_forecasts"] = forecasts.groupby(["method", "horizon"]).size()
    summary["sharpness"] = forecasts.groupby(["method", "horizon"])["p"].std(ddof=0)
    summary = _in_horizon_order(summary.reset_index(), then="log_score")
    return summary[["method", "horizon", "n", "n_forecasts", "log_score", "log_score_se", "brier", "sharpness"]]


def paired_differences(forecasts: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Per method and horizon: the mean over questions of (its log score - `reference`'s), with its standard error.

    Questions differ far more from each other than methods do on the same question, so the
    difference question by question says whether one method beats another where the
    methods' own standard errors overlap. Negative: better than `reference`.
    """
    per_question = forecasts.groupby(["method", "horizon", "question"])["log_score"].mean().unstack("method")
    differences = per_question.sub(per_question[reference], axis=0).drop(columns=reference)
    stacked = cast(pd.Series, differences.stack())  # a Series: the frame has one column level
    grouped = stacked.rename("difference").reset_index().groupby(["method", "horizon"])["difference"]
    table = pd.DataFrame({"difference": grouped.mean(), "se": grouped.std() / np.sqrt(grouped.count()),
                          "n": grouped.count()})  # fmt: skip
    return _in_horizon_order(table.reset_index(), then="method")


def _in_horizon_order(table: pd.DataFrame, then: str) -> pd.DataFrame:
    """Rows by horizon as HORIZONS lists them (6m first, not alphabetically), then by `then`."""
    order = {name: i for i, name in enumerate(HORIZONS)}
    return table.sort_values(["horizon", then], key=lambda c: c.map(order) if c.name == "horizon" else c)


def statement_table(questions: Sequence[Question]) -> pd.DataFrame:
    """Each statement as a forecast of its own window: did the event come inside it.

    A window [start, end) came true when the event happened in it; it failed when the
    event happened outside it or the outcome's `not_by` reaches the window's end (the
    latest end, for a fuzzy one); otherwise it is still open (censored) and left out.
    `stated` is the centre of the stated range (logit scale), as the pools read it; `phrase`
    the probability as written; `window_years` from the issue date to the window's latest end.
    """
    rows = []
    for question in questions:
        outcome = question.outcome
        classes = {s.id: s.reliability for s in question.scenario.sources}
        for estimate in readable_statements(question.scenario):
            window = estimate.window
            assert isinstance(window, Window)  # readable_statements keeps calendar windows only
            if outcome.happened is not None:
                came = window.start <= outcome.happened < window.end_latest
            elif outcome.not_by is not None and outcome.not_by >= window.end_latest:
                came = False
            else:
                continue
            span = years_after(estimate.spec.issued, window.end_latest)
            rows.append({
                "question": question.name, "estimate": estimate.id, "class": classes[estimate.spec.source],
                "phrase": estimate.probability.text, "window_years": span,
                "stated": float(expit(estimate.probability.logit_centre())), "came_true": int(came),
            })  # fmt: skip
    table = pd.DataFrame(rows)
    return pd.concat([table, binary_scores(table["stated"], table["came_true"])], axis=1) if rows else table


def class_record(statements: pd.DataFrame) -> pd.DataFrame:
    """Per source class: how many closed windows, the mean stated probability, how often they came true."""
    grouped = statements.groupby("class")
    table = pd.DataFrame({
        "statements": grouped.size(),
        "questions": grouped["question"].nunique(),
        "mean_stated": grouped["stated"].mean(),
        "came_true": grouped["came_true"].mean(),
        "brier": grouped["brier"].mean(),
    })  # fmt: skip
    return table.sort_values("statements", ascending=False).reset_index()

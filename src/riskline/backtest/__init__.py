"""Backtests: riskline's forecasts of resolved questions scored against what happened.

    questions = load_corpus("backtests/questions")
    result = run_backtest(questions, FitSettings(), settings=CANDIDATES)
    write_backtest(result, "out/backtest")

docs/backtests.md explains the corpus, the scores, the censoring and the learned priors.
"""

from riskline.backtest.corpus import HORIZONS, Question, load_corpus
from riskline.backtest.forecasts import CANDIDATES, JUDGEMENT, FitSettings, PriorSetting
from riskline.backtest.outputs import BACKTEST_FILES, BacktestResult, run_backtest, write_backtest

__all__ = [
    "BACKTEST_FILES",
    "CANDIDATES",
    "HORIZONS",
    "JUDGEMENT",
    "BacktestResult",
    "FitSettings",
    "PriorSetting",
    "Question",
    "load_corpus",
    "run_backtest",
    "write_backtest",
]

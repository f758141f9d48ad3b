"""The corpus of resolved questions: scenario files with an `outcome` block.

Each file in `backtests/questions/` is an ordinary scenario (it runs with `riskline run`,
which ignores the outcome) about a historical question. The question's event is the
scenario's last event (the end of its chain). The backtest forecasts from each *origin*,
every distinct issue date of its statements: the scenario as it stood that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

from riskline.config.scenario import Estimate, Scenario, Window, load_scenario
from riskline.errors import ConfigError, ConfigIssue
from riskline.scoring import Outcome

__all__ = ["HORIZONS", "SPAN", "Question", "curve_months", "load_corpus", "readable_statements"]

HORIZONS = {"6m": relativedelta(months=6), "1y": relativedelta(years=1), "2y": relativedelta(years=2),
            "5y": relativedelta(years=5)}  # fmt: skip
"""The horizons scored: P(event by origin + h)."""
SPAN = HORIZONS["5y"]
"""How far after each origin the forecast's curve is read: the longest horizon."""


def readable_statements(scenario: Scenario) -> list[Estimate]:
    """The statements the pools read: about the question's event (the scenario's last), with a calendar window."""
    event = scenario.events[-1].id
    return [e for e in scenario.estimates if e.spec.event == event and isinstance(e.window, Window)]


def curve_months(span: relativedelta) -> int:
    """A horizon or span in whole months."""
    return 12 * span.years + span.months


@dataclass(frozen=True)
class Question:
    """A resolved question: the scenario the forecasts see, and the outcome they do not."""

    scenario: Scenario
    outcome: Outcome

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def event(self) -> str:
        """The event the question asks about: the scenario's last."""
        return self.scenario.events[-1].id

    @property
    def category(self) -> str:
        """The question's kind: its event's base rate (e.g. backtest-war-onset)."""
        return self.scenario.events[-1].base_rate

    def origins(self) -> list[date]:
        """The rolling origins, oldest first: every distinct issue date from the first statement the pools can read.

        Earlier statements (about another event of the chain) count from there on; forecasting
        before any statement about the question itself would leave the pools nothing to read.
        """
        first = min(e.spec.issued for e in readable_statements(self.scenario))
        return sorted({e.spec.issued for e in self.scenario.estimates if e.spec.issued >= first})

    def at(self, origin: date) -> Scenario:
        """The scenario as of `origin`: statements issued later left out."""
        scenario, _ = self.scenario.at(origin)
        return scenario


def load_corpus(folder: str | Path, priors_dir: str | Path | None = None) -> list[Question]:
    """Every `*.yaml` question in `folder`, validated; ConfigError lists the problems of all files at once."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError([ConfigIssue(folder, None, "", "no such folder; give the folder of question files")])
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        message = "holds no question files (*.yaml); see backtests/README.md for the format"
        raise ConfigError([ConfigIssue(folder, None, "", message)])
    questions, issues = [], []
    for path in paths:
        try:
            scenario = load_scenario(path, priors_dir)
        except ConfigError as exc:
            issues.extend(exc.issues)
            continue
        issues.extend(_backtest_problems(scenario))
        spec = scenario.spec.outcome
        if spec is not None:
            questions.append(Question(scenario, Outcome(spec.happened, spec.not_by)))
    if issues:
        raise ConfigError(issues)
    return questions


def _backtest_problems(scenario: Scenario) -> list[ConfigIssue]:
    """What a valid scenario still lacks to be scored: an outcome, a statement on the question's event, a horizon."""
    if scenario.spec.outcome is None:
        message = "a backtest question needs an 'outcome:' block ({happened: DATE} or {not_by: DATE}, with evidence)"
        return [ConfigIssue(scenario.path, None, "outcome", message)]
    if not readable_statements(scenario):
        event = scenario.events[-1].id
        message = (f"no statement about '{event}' (the question's event: the scenario's last) has a calendar "
                   "window; the baselines read only those: add one, or list the question's event last")  # fmt: skip
        return [ConfigIssue(scenario.path, None, "estimates", message)]
    last = max(e.spec.issued for e in scenario.estimates) + SPAN
    if scenario.horizon < last:
        message = (f"horizon {scenario.horizon} ends before the last origin's 5-year horizon ({last}); "
                   f"set the horizon to {date(last.year + 1, 1, 1)}")  # fmt: skip
        return [ConfigIssue(scenario.path, None, "horizon", message)]
    return []

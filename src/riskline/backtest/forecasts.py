"""Every method's forecast of every question from every origin, as cumulative curves.

From each origin, each method gives P(event by origin + m months | no event by origin)
for m = 0..60 (monthly up to the longest horizon): riskline's posterior and prior means
(the predictive probability is the mean over draws), and each pool of `riskline.pooling`.
riskline's variants with other priors (`PriorSetting`, the candidates the learned priors
are chosen from) reuse the origin's fit through `riskline.update`, which reweights its
draws or samples anew when they do not cover the edit.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from riskline import pooling
from riskline.backtest.corpus import SPAN, Question, curve_months, readable_statements
from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning
from riskline.forecast import Forecast
from riskline.model.fit import fit
from riskline.model.update import update
from riskline.random_seed import DEFAULT_SEED

__all__ = ["CANDIDATES", "JUDGEMENT", "SETTING_PREFIX", "FitSettings", "PriorSetting", "curve_dates", "forecast_corpus"]

MONTHS = curve_months(SPAN)
SETTING_PREFIX = "riskline:"
"""riskline's curves under a prior setting other than the judged one are named SETTING_PREFIX + its label."""


@dataclass(frozen=True)
class PriorSetting:
    """A change of every source class's prior and of the question's base rate, applied alike to all questions.

    `bias_shift` is added to each class's mean bias (logit scale; positive: sources state
    higher probabilities than the truth), `noise_scale` multiplies each class's median noise,
    `base_rate_scale` the question's base rate per year.
    """

    bias_shift: float = 0.0
    noise_scale: float = 1.0
    base_rate_scale: float = 1.0

    @property
    def label(self) -> str:
        return f"bias{self.bias_shift:+g}_noise×{self.noise_scale:g}_rate×{self.base_rate_scale:g}"

    def apply(self, scenario: Scenario, base_rate: str) -> Scenario:
        """`scenario` with this setting's changes as scenario-level prior overrides.

        The changes start from each class's judged priors (`SourceClass.judgement`, where the
        priors in use were learned from the backtest), so that no arm of a backtest reuses
        numbers learned from the outcomes it scores.
        """
        classes = {}
        for source in scenario.sources:
            found = scenario.source_class(source)
            judged = found.judgement or found
            classes[source.reliability] = found.model_copy(
                update={
                    "bias": judged.bias.model_copy(update={"mean": judged.bias.mean + self.bias_shift}),
                    "noise": judged.noise.model_copy(update={"median": judged.noise.median * self.noise_scale}),
                }
            )
        overrides = scenario.spec.priors.model_copy(
            update={"source_classes": {**scenario.spec.priors.source_classes, **classes}}
        )
        edited = replace(scenario, spec=scenario.spec.model_copy(update={"priors": overrides}))
        rate = edited.base_rate(next(e for e in edited.events if e.base_rate == base_rate))
        return edited.with_base_rate(base_rate, per_year=rate.per_year * self.base_rate_scale)


JUDGEMENT = PriorSetting()
"""The judged priors: the files' own, or each class's `judgement:` where the file holds learned ones."""
CANDIDATES = (
    JUDGEMENT,
    *(
        PriorSetting(bias, noise)
        for bias in (-0.5, 0.0, 0.5, 1.0, 1.5, 2.0)
        for noise in (1.0, 2.0)
        if (bias, noise) != (0.0, 1.0)
    ),
    PriorSetting(base_rate_scale=0.5),
    PriorSetting(base_rate_scale=2.0),
)
"""The settings the learned priors are chosen from: sources that understate or overstate (a
negative or positive bias shift, in logits, up to +2: odds 7.4 times too high) or are twice as
noisy as judged, and base rates half or twice as high. A coarse grid: each setting costs one
`update` per origin."""


@dataclass(frozen=True)
class FitSettings:
    """Sampler sizes and seed of the backtest's fits (None: priors/model.yaml's, with RISKLINE_DRAWS etc. applied)."""

    draws: int | None = None
    tune: int | None = None
    chains: int | None = None
    random_seed: int = DEFAULT_SEED


def curve_dates(origin: date) -> list[date]:
    """origin, origin + 1 month, ..., origin + SPAN."""
    return [origin + relativedelta(months=m) for m in range(MONTHS + 1)]


def forecast_corpus(
    questions: Sequence[Question],
    sampler: FitSettings,
    settings: Sequence[PriorSetting] = (JUDGEMENT,),
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """One row per question, origin, method and month: `p`, P(event by origin + `months`).

    Methods: `riskline` (the priors as given), `riskline:<setting label>` for each other
    setting, `priors_alone`, and the pools of `riskline.pooling` (the extremized pool is
    made from the log pool when scored, with a factor chosen by cross-validation).
    """
    frames = []
    for question in questions:
        for origin in question.origins():
            if progress is not None:
                progress(f"{question.name} as of {origin}")
            frames.append(_origin_curves(question, origin, sampler, settings))
    return pd.concat(frames, ignore_index=True)


def _origin_curves(question: Question, origin: date, sampler: FitSettings, settings) -> pd.DataFrame:
    scenario = JUDGEMENT.apply(question.at(origin), question.category)
    dates = curve_dates(origin)
    seed = sampler.random_seed ^ zlib.crc32(f"{question.name}:{origin}".encode())
    with warnings.catch_warnings():
        # a backtest fits hundreds of scenarios; their health is recorded in the table instead
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = fit(scenario, random_seed=seed, draws=sampler.draws, tune=sampler.tune, chains=sampler.chains)
        curves = {
            "riskline": _mean_curve(base, question.event, dates),
            "priors_alone": _mean_curve(base, question.event, dates, "prior"),
        }
        for setting in settings:
            if setting != JUDGEMENT:
                edited = update(base, setting.apply(scenario, question.category), random_seed=seed, prior=False,
                                draws=sampler.draws, tune=sampler.tune, chains=sampler.chains)  # fmt: skip
                curves[SETTING_PREFIX + setting.label] = _mean_curve(edited, question.event, dates)
    estimates = readable_statements(scenario)
    statements = pooling.statement_curves(estimates, origin, dates)
    issued = [e.spec.issued for e in estimates]
    curves |= {
        "linear_pool": pooling.linear_pool(statements),
        "log_pool": pooling.log_pool(statements),
        "recency_pool": pooling.recency_pool(statements, issued),
        "latest_statement": pooling.latest_statement(statements, issued),
    }
    table = pd.concat(
        [
            pd.DataFrame({"method": method, "months": np.arange(MONTHS + 1), "p": curve})
            for method, curve in curves.items()
        ],
        ignore_index=True,
    )
    health = base.diagnostics()  # of the fit behind every riskline curve
    return table.assign(question=question.name, origin=origin, statements=len(estimates),
                        max_rhat=health.max_rhat, min_ess_bulk=health.min_ess_bulk)  # fmt: skip


def _mean_curve(forecast: Forecast, event: str, dates: list[date], which: str = "posterior") -> np.ndarray:
    return forecast.risk_at(dates, which).sel(event=event).mean(("chain", "draw")).values

"""Sampling a scenario's model with NUTS (nutpie) and wrapping the result as a Forecast."""

from __future__ import annotations

import os
import warnings

import pymc as pm

from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning
from riskline.forecast import Forecast
from riskline.model.timeline import build_model

__all__ = ["fit"]


def fit(
    scenario: Scenario,
    *,
    random_seed: int,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    progressbar: bool = False,
) -> Forecast:
    """Sample the posterior of `scenario`; None settings come from priors/model.yaml.

    Chains run in parallel on up to all CPU cores (PyMC's own default uses half of them).
    Warns with ConvergenceWarning when R-hat, bulk ESS or divergences miss the thresholds
    of priors/model.yaml.
    """
    settings = scenario.priors.model.sampler
    chains = chains or settings.chains
    model = build_model(scenario)
    with model:
        tree = pm.sample(
            draws=draws or settings.draws,
            tune=tune or settings.tune,
            chains=chains,
            cores=min(chains, os.cpu_count() or 1),
            target_accept=settings.target_accept,
            random_seed=random_seed,
            nuts_sampler="nutpie",
            progressbar=progressbar,
        )
    tree.attrs["random_seed"] = random_seed
    forecast = Forecast(scenario, tree)
    thresholds = scenario.priors.model.diagnostics
    problems = forecast.diagnostics().problems(thresholds.max_rhat, thresholds.min_ess_bulk)
    if problems:
        warnings.warn(
            f"sampling of '{scenario.name}' may be unreliable: {'; '.join(problems)}. "
            "Try more draws (--draws), or check the estimates that disagree most.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return forecast

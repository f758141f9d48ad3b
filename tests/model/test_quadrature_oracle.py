"""The sampler against an exact answer.

With a constant hazard, fixed source noise and no source bias, the posterior is over one
number, the rate lambda, and can be integrated on a fine grid. This oracle is written
independently of riskline's model code: plain dates, the logistic CDF from scipy, the
naive difference of CDFs (safe here: no interval sits far in a tail).
"""

from __future__ import annotations

from datetime import date

import arviz as az
import numpy as np
import pytest
from scipy.special import expit, logit
from scipy.stats import norm

ORIGIN = date(2025, 1, 1)  # first day of the quarter holding the earliest issue date
AS_OF = date(2026, 6, 1)
RATE_MEDIAN, RATE_LOG_SD, NOISE = 0.1, 1.0, 0.6
# (issued, window start, window end, low, high) as in tests/configs/good/constant-oracle.yaml
STATEMENTS = [
    (date(2025, 1, 1), date(2025, 1, 1), date(2027, 1, 1), 0.55, 0.80),
    (date(2025, 6, 1), date(2027, 1, 1), date(2029, 1, 1), 0.20, 0.40),
    (date(2026, 1, 1), date(2026, 1, 1), date(2030, 1, 1), 0.25, 0.35),  # "30%" = 25-35%
]
CHECK_DATES = [date(2027, 6, 1), date(2029, 1, 1), date(2031, 1, 1)]


def years(a: date, b: date) -> float:
    return (b - a).days / 365.25


def oracle_posterior(n: int = 40001):
    """Grid over log lambda and normalised posterior weights."""
    log_rate = np.linspace(np.log(RATE_MEDIAN) - 9 * RATE_LOG_SD, np.log(RATE_MEDIAN) + 9 * RATE_LOG_SD, n)
    rate = np.exp(log_rate)
    log_post = norm.logpdf(log_rate, np.log(RATE_MEDIAN), RATE_LOG_SD) - rate * years(ORIGIN, AS_OF)
    for issued, start, end, low, high in STATEMENTS:
        q = np.exp(-rate * years(issued, start)) * (1 - np.exp(-rate * years(start, end)))
        with np.errstate(divide="ignore", invalid="ignore"):  # the grid's far ends underflow
            centre = logit(q)
            log_post += np.log(expit((logit(high) - centre) / NOISE) - expit((logit(low) - centre) / NOISE))
    log_post = np.where(np.isfinite(log_post), log_post, -np.inf)
    weights = np.exp(log_post - log_post.max())
    return rate, weights / weights.sum()


def oracle_risk(when: date):
    """Posterior mean and 5/50/95% quantiles of P(T <= when | T > as_of)."""
    rate, weights = oracle_posterior()
    risk = -np.expm1(-rate * years(AS_OF, when))  # increasing in the rate
    cdf = np.cumsum(weights)
    quantiles = np.interp([0.05, 0.5, 0.95], cdf, risk)
    return float(np.sum(weights * risk)), quantiles


@pytest.mark.parametrize("when", CHECK_DATES, ids=str)
def test_sampler_matches_quadrature(oracle_forecast, when):
    risk = oracle_forecast.risk_at([when]).sel(event="event").squeeze("date", drop=True)
    mean, quantiles = oracle_risk(when)
    mcse_mean = float(az.mcse(risk.to_dataset(name="risk"), method="mean")["risk"])
    assert abs(float(risk.mean()) - mean) < 4 * mcse_mean
    for prob, expected in zip([0.05, 0.5, 0.95], quantiles, strict=True):
        mcse_q = float(az.mcse(risk.to_dataset(name="risk"), method="quantile", prob=prob)["risk"])
        assert abs(float(risk.quantile(prob)) - expected) < 4 * mcse_q + 1e-4, prob


def test_oracle_posterior_is_informative():
    """Guards the oracle itself: the statements must move the rate away from the prior."""
    rate, weights = oracle_posterior()
    posterior_median = float(np.interp(0.5, np.cumsum(weights), rate))
    assert abs(np.log(posterior_median) - np.log(RATE_MEDIAN)) > 0.3

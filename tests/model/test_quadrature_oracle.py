"""The sampler against an exact answer.

With a constant hazard, fixed source noise and no source bias, the posterior is over one
number, the rate lambda, and can be integrated on a fine grid. This oracle is written
independently of riskline's model code: plain dates, the logistic CDF and the normal
density from scipy, the naive difference of CDFs (safe here: no interval sits far in a
tail). Its inputs are typed here from the scenario files in tests/configs/good/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import arviz as az
import numpy as np
import pytest
from scipy.special import expit, logit, logsumexp
from scipy.stats import norm

from riskline import fit, load_scenario
from riskline.influence import statement_influence
from riskline.language import load_lexicon
from riskline.model.fit import prior_forecast

from ..conftest import CONFIGS, ROOT

ORIGIN = date(2025, 1, 1)  # first day of the quarter holding the earliest issue date
AS_OF = date(2026, 6, 1)
RATE_MEDIAN, RATE_LOG_SD, NOISE = 0.1, 1.0, 0.6
LOW_CONFIDENCE = 1.25  # priors/model.yaml
CHECK_DATES = [date(2027, 6, 1), date(2029, 1, 1), date(2031, 1, 1)]
CAPPHRASE = load_lexicon(ROOT / "priors", "capphrase")


@dataclass
class Statement:
    issued: date
    start: date
    ends: list[date]  # one end, or the equally spaced ends of a fuzzy window
    low: float = 0.0
    high: float = 1.0
    survey: tuple[float, float] | None = None  # (mu, sigma) of a survey phrase
    noise: float = NOISE


def fuzzy_ends(earliest: date, step_days: int) -> list[date]:
    return [earliest + timedelta(days=step_days * k) for k in range(5)]


ORACLES = {
    "constant-oracle": [
        Statement(date(2025, 1, 1), date(2025, 1, 1), [date(2027, 1, 1)], 0.55, 0.80),  # likely (ICD 203)
        Statement(date(2025, 6, 1), date(2027, 1, 1), [date(2029, 1, 1)], 0.20, 0.40),
        Statement(date(2026, 1, 1), date(2026, 1, 1), [date(2030, 1, 1)], 0.25, 0.35),  # "30%" = 25-35%
        # unlikely (20-45%), low confidence, window ending between 2027-03-01 and 2029-03-06
        Statement(date(2026, 3, 1), date(2026, 3, 1), fuzzy_ends(date(2027, 3, 1), 184), 0.20, 0.45,
                  noise=NOISE * LOW_CONFIDENCE),
    ],
    "constant-oracle-survey": [
        Statement(date(2025, 1, 1), date(2025, 1, 1), [date(2027, 1, 1)],
                  survey=(CAPPHRASE.lookup("likely").logit_normal.mu, CAPPHRASE.lookup("likely").logit_normal.sigma)),
        Statement(date(2026, 1, 1), date(2026, 1, 1), [date(2030, 1, 1)],
                  survey=(CAPPHRASE.lookup("could happen").logit_normal.mu,
                          CAPPHRASE.lookup("could happen").logit_normal.sigma)),
    ],
}  # fmt: skip


def years(a: date, b: date) -> float:
    return (b - a).days / 365.25


def statement_loglik(statement: Statement, rate: np.ndarray) -> np.ndarray:
    per_end = []
    for end in statement.ends:
        q = np.exp(-rate * years(statement.issued, statement.start)) * (1 - np.exp(-rate * years(statement.start, end)))
        with np.errstate(divide="ignore", invalid="ignore"):  # the grid's far ends underflow
            centre = logit(q)
            if statement.survey is None:
                upper = expit((logit(statement.high) - centre) / statement.noise)
                lower = expit((logit(statement.low) - centre) / statement.noise)
                per_end.append(np.log(upper - lower))
            else:
                mu, sigma = statement.survey
                per_end.append(norm.logpdf(mu, centre, np.sqrt(sigma**2 + np.pi**2 * statement.noise**2 / 3)))
    return logsumexp(per_end, axis=0) - np.log(len(statement.ends))


def oracle_posterior(statements: list[Statement], n: int = 40001):
    """Grid over the rate and normalised posterior weights."""
    log_rate = np.linspace(np.log(RATE_MEDIAN) - 9 * RATE_LOG_SD, np.log(RATE_MEDIAN) + 9 * RATE_LOG_SD, n)
    rate = np.exp(log_rate)
    log_post = norm.logpdf(log_rate, np.log(RATE_MEDIAN), RATE_LOG_SD) - rate * years(ORIGIN, AS_OF)
    for statement in statements:
        log_post = log_post + statement_loglik(statement, rate)
    log_post = np.where(np.isfinite(log_post), log_post, -np.inf)
    weights = np.exp(log_post - log_post.max())
    return rate, weights / weights.sum()


def oracle_risk(statements: list[Statement], when: date):
    """Posterior mean and 5/50/95% quantiles of P(T <= when | T > as_of)."""
    rate, weights = oracle_posterior(statements)
    risk = -np.expm1(-rate * years(AS_OF, when))  # increasing in the rate
    quantiles = np.interp([0.05, 0.5, 0.95], np.cumsum(weights), risk)
    return float(np.sum(weights * risk)), quantiles


@pytest.fixture(scope="module", params=sorted(ORACLES))
def oracle_case(request):
    forecast = fit(load_scenario(CONFIGS / "good" / f"{request.param}.yaml"), random_seed=7)
    return forecast, ORACLES[request.param]


@pytest.mark.parametrize("when", CHECK_DATES, ids=str)
def test_sampler_matches_quadrature(oracle_case, when):
    forecast, statements = oracle_case
    risk = forecast.risk_at([when]).sel(event="event").squeeze("date", drop=True).to_dataset(name="risk")
    mean, quantiles = oracle_risk(statements, when)
    assert abs(float(risk["risk"].mean()) - mean) < 4 * float(az.mcse(risk, method="mean")["risk"])
    for prob, expected in zip([0.05, 0.5, 0.95], quantiles, strict=True):
        mcse = float(az.mcse(risk, method="quantile", prob=prob)["risk"])
        assert abs(float(risk["risk"].quantile(prob)) - expected) < 4 * mcse + 1e-4, prob


@pytest.mark.parametrize("name", sorted(ORACLES))
def test_oracle_posterior_is_informative(name):
    """Guards the oracle itself: the statements must move the rate away from the prior."""
    rate, weights = oracle_posterior(ORACLES[name])
    posterior_median = float(np.interp(0.5, np.cumsum(weights), rate))
    assert abs(np.log(posterior_median) - np.log(RATE_MEDIAN)) > 0.3


def test_fuzzy_ends_match_the_scenario():
    """The oracle's five ends are the ones the model averages over."""
    window = load_scenario(CONFIGS / "good" / "constant-oracle.yaml").estimates[3].window
    assert (window.end_earliest, window.end_latest) == (date(2027, 3, 1), date(2029, 3, 6))
    assert ORACLES["constant-oracle"][3].ends[-1] == window.end_latest


def test_each_statements_influence_matches_quadrature_without_it(oracle_case):
    """The forecast without each statement (reweighted or refitted) against the exact posterior without it."""
    forecast, statements = oracle_case
    influence = statement_influence(forecast, random_seed=3)
    ids = [e.id for e in forecast.scenario.estimates]
    moved = 0.0
    for row in influence.itertuples():
        others = [s for s, i in zip(statements, ids, strict=True) if i != row.estimate]
        expected, quantiles = oracle_risk(others, date(row.year + 1, 1, 1))
        assert abs(row.without_mean - expected) < 0.015, (row.estimate, row.year)
        assert abs(row.without_median - quantiles[1]) < 0.02, (row.estimate, row.year)
        moved = max(moved, abs(expected - oracle_risk(statements, date(row.year + 1, 1, 1))[0]))
    assert moved > 0.03  # some statement matters, so the comparison can fail
    assert len(influence) == 2 * len(ids)


@pytest.mark.parametrize("when", CHECK_DATES, ids=str)
def test_the_priors_alone_match_quadrature_over_the_base_rate(when):
    """`riskline check`'s priors-alone numbers: E and median of 1 - exp(-r (t - as_of)) over the log-normal rate."""
    forecast = prior_forecast(load_scenario(CONFIGS / "good" / "constant-oracle.yaml"), random_seed=5)
    risk = forecast.risk_at([when], "prior").sel(event="event").values.ravel()
    log_rate = np.linspace(np.log(RATE_MEDIAN) - 9 * RATE_LOG_SD, np.log(RATE_MEDIAN) + 9 * RATE_LOG_SD, 40001)
    weights = norm.pdf(log_rate, np.log(RATE_MEDIAN), RATE_LOG_SD)
    exact = -np.expm1(-np.exp(log_rate) * years(AS_OF, when))
    mean = float(np.sum(weights * exact) / np.sum(weights))
    median = -np.expm1(-RATE_MEDIAN * years(AS_OF, when))  # the risk rises with the rate
    error = risk.std() / np.sqrt(risk.size)  # independent draws
    assert abs(risk.mean() - mean) < 4 * error
    # the median's standard error 1 / (2 f(m) sqrt n), with f the risk's density at its median, exactly:
    # at the median rate r_m, f = lognormal density / (dr / drate) = 1 / (sqrt(2 pi) sd r_m) / (t e^(-r_m t))
    elapsed = years(AS_OF, when)
    density = 1 / (np.sqrt(2 * np.pi) * RATE_LOG_SD * RATE_MEDIAN) / (elapsed * np.exp(-RATE_MEDIAN * elapsed))
    median_error = 1 / (2 * density * np.sqrt(risk.size))
    assert abs(np.median(risk) - median) < 4 * median_error
    assert risk.mean() > np.median(risk) + 0.02  # a wide prior: the mean sits well above the median

"""The timeline model: hazards on a grid, statements as interval-censored data.

The mathematics is written out in docs/model.md; the names here follow it.

- Each event's log hazard is a Gaussian random walk over the grid (or one constant),
  centred on its base rate. Every prior is non-centred (a standard normal scaled by
  hyperparameters), which keeps NUTS out of funnels.
- An estimate issued at s about a window [a, w) speaks of
  q = P(a <= T < w | T > s) = exp(-(L(a) - L(s))) * (1 - exp(-(L(w) - L(a)))),
  L the cumulative hazard.
- The source believes pi with logit(pi) = logit(q) + bias + noise, noise ~ Logistic(0, tau),
  tau scaled by the statement's stated confidence;
  a stated interval [lo, hi] for pi has likelihood F((logit hi - m)/tau) - F((logit lo - m)/tau),
  m = logit(q) + bias, F the logistic CDF; a survey phrase, logit(pi) ~ Normal(mu, sigma)
  over readers, has a Gaussian likelihood with the variances added.
- A fuzzy window's likelihood is the average over equally spaced ends of its range.
- "Not happened by as_of" adds -L(as_of) per event.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy.special import logit

from riskline.config.scenario import Scenario
from riskline.language.probability import StatedProbability
from riskline.model.grid import TimeGrid

__all__ = ["LOGIT_BOUND", "build_model", "interval_logp", "scenario_grid"]

LOGIT_BOUND = 50.0
"""Stand-in for logit(0) and logit(1): past every logit a hazard can produce, yet finite,
so that gradients stay finite at open-ended intervals such as [0, 0.05]."""


def scenario_grid(scenario: Scenario) -> TimeGrid:
    """The grid from the earliest issue date (or as_of) to the horizon."""
    return TimeGrid.covering(scenario.start(), scenario.horizon, scenario.spec.grid)


def interval_logp(logit_low, logit_high, centre, scale):
    """Log P(low <= pi <= high) for logit(pi) ~ Logistic(centre, scale), stable in both tails.

    Uses F(b) - F(a) = F(b) * F(-a) * (1 - exp(a - b)) for the logistic CDF F, so nothing
    cancels however far the interval sits in a tail.
    """
    z_low = (logit_low - centre) / scale
    z_high = (logit_high - centre) / scale
    return -pt.softplus(-z_high) - pt.softplus(z_low) + pt.log1mexp(z_low - z_high)


def build_model(scenario: Scenario) -> pm.Model:
    """The PyMC model of `scenario` (see the module docstring and docs/model.md)."""
    grid = scenario_grid(scenario)
    events = [e.id for e in scenario.events]
    coords = {
        "event": events,
        "bin": grid.bin_starts,
        "source": [s.id for s in scenario.sources],
        "estimate": [e.id for e in scenario.estimates],
    }
    with pm.Model(coords=coords) as model:
        hazard = _hazard_prior(scenario, grid)
        cumulative_at_as_of = pt.as_tensor(grid.exposure([scenario.as_of])[0]) @ hazard.T
        pm.Potential("survival", -pt.sum(cumulative_at_as_of))
        if scenario.estimates:
            _estimate_likelihood(scenario, grid, hazard, events)
    return model


def _hazard_prior(scenario: Scenario, grid: TimeGrid):
    """Hazard per event and bin (events per year), log-normal around each base rate."""
    rates = [scenario.base_rate(e) for e in scenario.events]
    log_base = np.log([r.per_year for r in rates])[:, None]
    level_sd = np.array([r.log_sd for r in rates])[:, None]
    level = pm.Normal("hazard_level_z", 0.0, 1.0, dims="event")
    log_hazard = log_base + level_sd * level[:, None]
    settings = scenario.hazard
    if settings.kind == "random_walk" and grid.n_bins > 1:
        gaps = (grid.widths[1:] + grid.widths[:-1]) / 2
        step_sd = settings.smoothness * np.sqrt(gaps)
        steps = pm.Normal("hazard_step_z", 0.0, 1.0, shape=(len(rates), grid.n_bins - 1))
        walk = pt.concatenate([pt.zeros((len(rates), 1)), pt.cumsum(steps * step_sd, axis=1)], axis=1)
        log_hazard = log_hazard + walk
    else:
        log_hazard = pt.repeat(log_hazard, grid.n_bins, axis=1)
    return pm.Deterministic("hazard", pt.exp(log_hazard), dims=("event", "bin"))


def _estimate_likelihood(scenario: Scenario, grid: TimeGrid, hazard, events: list[str]) -> None:
    """Each statement as data about the source's belief, averaged over a fuzzy window's ends."""
    estimates = scenario.estimates
    rows = hazard[[events.index(e.spec.event) for e in estimates]]
    start = grid.exposure([e.window.start for e in estimates])
    before_window = pt.sum(rows * (start - grid.exposure([e.spec.issued for e in estimates])), axis=1)

    def log_q(ends: list[list[date]]):
        """Log q, shape (estimate, end), for each estimate's window closing at each of its ends."""
        exposure = grid.exposure([d for row in ends for d in row]).reshape(len(ends), len(ends[0]), -1)
        inside = pt.sum(rows[:, None, :] * (exposure - start[:, None, :]), axis=2)
        return -before_window[:, None] + pt.log1mexp(-inside)

    points = scenario.priors.model.fuzzy_window_points
    log_q_fuzzy = log_q([_spread(e.window.end_earliest, e.window.end_latest, points) for e in estimates])
    logit_q = log_q_fuzzy - pt.log1mexp(log_q_fuzzy)
    at_end = pt.exp(log_q([[e.window.end] for e in estimates])[:, 0])
    pm.Deterministic("window_probability", at_end, dims="estimate")

    bias, noise = _source_terms(scenario)
    which = [[s.id for s in scenario.sources].index(e.spec.source) for e in estimates]
    factors = scenario.priors.model.confidence
    confidence = np.array([getattr(factors, e.spec.confidence) if e.spec.confidence else 1.0 for e in estimates])
    centre = logit_q + bias[which][:, None]
    scale = (noise[which] * confidence)[:, None]
    logp = _statement_logp([e.probability for e in estimates], centre, scale)
    pm.Potential("estimates", pt.logsumexp(logp, axis=1) - np.log(points), dims="estimate")


def _spread(earliest: date, latest: date, points: int) -> list[date]:
    """`points` equally spaced dates from earliest to latest (all equal for an exact end)."""
    return [earliest + (latest - earliest) * k / (points - 1) for k in range(points)]


def _source_terms(scenario: Scenario):
    """Bias and noise scale per source, non-centred around the priors of its class."""
    classes = [scenario.source_class(s) for s in scenario.sources]
    bias_z = pm.Normal("source_bias_z", 0.0, 1.0, dims="source")
    noise_z = pm.Normal("source_noise_z", 0.0, 1.0, dims="source")
    bias_mean, bias_sd = np.array([c.bias.mean for c in classes]), np.array([c.bias.sd for c in classes])
    noise_median, noise_log_sd = (
        np.array([c.noise.median for c in classes]),
        np.array([c.noise.log_sd for c in classes]),
    )
    bias = pm.Deterministic("source_bias", bias_mean + bias_sd * bias_z, dims="source")
    noise = pm.Deterministic("source_noise", noise_median * pt.exp(noise_log_sd * noise_z), dims="source")
    return bias, noise


def _statement_logp(stated: list[StatedProbability], centre, scale):
    """Interval-censored for interval phrases and numbers; Gaussian for survey phrases.

    A survey phrase says logit(pi) ~ Normal(mu, sigma) over readers; with the source's
    logistic noise approximated by a normal of equal variance (pi^2 tau^2 / 3), the phrase's
    mu is Normal(centre, sqrt(sigma^2 + pi^2 tau^2 / 3)).
    """
    survey = np.array([s.logit_normal is not None for s in stated])[:, None]
    mu = np.array([s.logit_normal.mu if s.logit_normal else 0.0 for s in stated])[:, None]
    sigma = np.array([s.logit_normal.sigma if s.logit_normal else 1.0 for s in stated])[:, None]
    logit_low = np.clip(logit([s.low for s in stated]), -LOGIT_BOUND, LOGIT_BOUND)[:, None]
    logit_high = np.clip(logit([s.high for s in stated]), -LOGIT_BOUND, LOGIT_BOUND)[:, None]
    spread = pt.sqrt(sigma**2 + (np.pi**2 / 3) * scale**2)
    gaussian = -0.5 * ((mu - centre) / spread) ** 2 - pt.log(spread) - 0.5 * np.log(2 * np.pi)
    return pt.where(survey, gaussian, interval_logp(logit_low, logit_high, centre, scale))

"""The sampler against an importance sampler of the full model, on a two-event chain.

The scenario (tests/configs/good/chain-oracle.yaml) has everything the model has but
signposts and fuzzy windows: random-walk hazards on yearly knots, a root event `trigger`
and an event `outcome` after it, sources with free bias and noise, statements on absolute
windows of both events and one on a window counted from the trigger. Its posterior has
too many dimensions for quadrature, but not too many for self-normalised importance
sampling with the prior as proposal: draw every free parameter from its prior, weight each
draw by its likelihood, and read the posterior off the weighted draws.

The oracle is written independently of riskline's model code (riskline.model.*): its
inputs are typed here from the scenario file and the files in priors/, and the hazards,
the chain (the discrete convolution of docs/model.md and riskline.model.chains: the
trigger placed at the middle of its quarter, the delay counted in whole bins of the grid's
mean width, linear interpolation between grid edges), the window probabilities and the
interval-censored logistic likelihood are computed here in plain NumPy. Tests at the end
check the hand-typed inputs against the loaded scenario; the model's log density and
Forecast.risk_at against the oracle's, pointwise at prior draws (so that a disagreement of
the sampler with the oracle points at the sampling, not at the formulas); and the discrete
chain (the oracle's and riskline's) against the closed form for two constant hazards.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date

import arviz as az
import numpy as np
import pytest
import xarray as xr
from scipy.special import expit, logit
from scipy.stats import norm

from riskline import fit, load_scenario
from riskline.forecast import Forecast
from riskline.model import chains
from riskline.model.encoding import encode, knot_factors, scenario_grid
from riskline.model.timeline import build_model

from ..conftest import CONFIGS

SCENARIO = CONFIGS / "good" / "chain-oracle.yaml"
ORIGIN = date(2024, 1, 1)  # first day of the quarter holding the earliest issue date
AS_OF = date(2026, 6, 1)
HORIZON = date(2031, 1, 1)
DAYS_PER_YEAR = 365.25

# priors/base-rates.yaml (ukraine-ceasefire) and the scenario's oracle-delay: (per year, log sd)
BASE_RATES = {"trigger": (0.3, 1.0), "outcome": (0.5, 1.0)}
SMOOTHNESS, KNOT_SPACING = 0.5, 1.0  # priors/model.yaml
# priors/sources.yaml, the judged priors in use (nothing learned holds up out of sample):
# bias (mean, sd), noise (median, log sd)
SOURCES = {
    "service": ((0.0, 0.3), (0.5, 0.3)),  # intelligence_service
    "minister": ((0.0, 0.5), (0.7, 0.3)),  # government_official
    "paper": ((0.0, 0.5), (0.9, 0.3)),  # media_report
}
EVENTS = list(BASE_RATES)
CHECK_DATES = [date(2027, 6, 1), date(2029, 1, 1), date(2031, 1, 1)]
PROBS = (0.05, 0.5, 0.95)
N_DRAWS, CHUNK, SEED = 200_000, 50_000, 20240201
MIN_ESS = 2000
DRAWS = 4000
"""NUTS draws per chain: 4x the default, halving the sampler's Monte Carlo error so that the
comparisons can see smaller errors in the model (the compiled model is reused: the extra
draws cost about 15 seconds)."""
SLACK = 0.001
"""Absolute slack on every comparison, for what neither Monte Carlo error covers. The
oracle computes the model's own discretisation of the chain (not the continuous
convolution), so no slack is needed for it; what remains is the self-normalised sampler's
bias (of order sd/ESS, below 1e-5 here), the two ways of interpolating a quantile between
draws (4000 draws: steps of about 1e-4 near the middle, more in the tails), and the error
of the oracle's quantile error estimate (a density from a central difference)."""


@dataclass(frozen=True)
class Statement:
    event: str
    source: str
    issued: date
    low: float
    high: float
    start: date | None = None  # absolute window [start, end); start defaults to issued
    end: date | None = None
    within_years: float | None = None  # window counted from the trigger: [0, within_years)


STATEMENTS = [
    Statement("trigger", "service", date(2024, 2, 1), 0.20, 0.45, end=date(2027, 1, 1)),  # unlikely (ICD 203)
    Statement("outcome", "minister", date(2026, 3, 1), 0.20, 0.45, start=date(2027, 1, 1), end=date(2030, 1, 1)),
    Statement("outcome", "paper", date(2025, 6, 1), 0.55, 0.80, within_years=2.0),  # likely, after: trigger
    Statement("trigger", "minister", date(2026, 1, 15), 0.25, 0.35, end=date(2028, 1, 15)),  # "30%" = 25-35%
]


def years(when: date) -> float:
    return (when - ORIGIN).days / DAYS_PER_YEAR


def quarter_edges(start: date, end: date) -> list[date]:
    edges = [start]
    while edges[-1] < end:
        month = edges[-1].month + 3
        edges.append(date(edges[-1].year + (month > 12), (month - 1) % 12 + 1, 1))
    return edges


EDGES = quarter_edges(ORIGIN, HORIZON)
EDGE_YEARS = np.array([years(e) for e in EDGES])
LOWER, WIDTHS = EDGE_YEARS[:-1], np.diff(EDGE_YEARS)
N_BINS = len(WIDTHS)
DELAY_WIDTH = WIDTHS.mean()  # a triggered event's delay bins: the grid's mean width
N_KNOTS = max(2, math.ceil(EDGE_YEARS[-1] / KNOT_SPACING) + 1)


def interpolation_matrix(points: np.ndarray) -> np.ndarray:
    """(points, knots): the walk's value at each point, linear between knots, flat beyond."""
    knots = np.arange(N_KNOTS) * KNOT_SPACING
    return np.stack([np.interp(points, knots, np.eye(N_KNOTS)[j]) for j in range(N_KNOTS)], axis=1)


# roots walk in calendar time from the grid's start, triggered events in delay time
KNOT_WEIGHTS = {
    "trigger": interpolation_matrix(LOWER + WIDTHS / 2),
    "outcome": interpolation_matrix((np.arange(N_BINS) + 0.5) * DELAY_WIDTH),
}


def exposure(when: date) -> np.ndarray:
    """Years of each bin before `when`."""
    return np.clip(years(when) - LOWER, 0.0, WIDTHS)


def interpolate(cdf_edges: np.ndarray, position: float) -> np.ndarray:
    """(n, K+1) values at edges 0..K -> (n,) at a fractional edge index `position`."""
    lower = min(int(np.floor(position)), N_BINS - 1)
    fraction = position - lower
    return (1 - fraction) * cdf_edges[:, lower] + fraction * cdf_edges[:, lower + 1]


def edge_position(when: date) -> float:
    """Fractional index of `when` among the grid edges (whole bins plus the covered share)."""
    k = int(np.searchsorted(EDGE_YEARS, years(when), side="right")) - 1
    k = min(k, N_BINS - 1)
    return k + (years(when) - EDGE_YEARS[k]) / WIDTHS[k]


def convolve_chain_with(parent_cdf_edges: np.ndarray, delay_hazard: np.ndarray, delay_width: float) -> np.ndarray:
    """(n, K+1) parent CDF at the edges, (n, K) delay hazards -> the child's CDF at the edges.

    child(edge k) = sum_{j<k} P(parent in bin j) F_delay((k - j - 1/2) delay widths).
    """
    mass = np.diff(parent_cdf_edges, axis=1)
    n_bins = mass.shape[1]
    before = np.cumsum(delay_hazard, axis=1) - delay_hazard  # whole delay bins before bin m
    half = 1.0 - np.exp(-delay_width * (before + delay_hazard / 2))  # F_delay((m + 1/2) widths)
    child = np.zeros_like(parent_cdf_edges)
    for lag in range(n_bins):  # child[k] gets mass[j] * half[k - 1 - j], j = k - 1 - lag
        child[:, lag + 1 :] += mass[:, : n_bins - lag] * half[:, lag : lag + 1]
    return child


def convolve_chain(parent_cdf_edges: np.ndarray, delay_hazard: np.ndarray) -> np.ndarray:
    return convolve_chain_with(parent_cdf_edges, delay_hazard, DELAY_WIDTH)


def prior_draws(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Every free parameter of the model, from its prior (all standard normal, non-centred)."""
    return {
        "level": rng.standard_normal((n, len(EVENTS))),
        "steps": rng.standard_normal((n, len(EVENTS), N_KNOTS - 1)),
        "bias": rng.standard_normal((n, len(SOURCES))),
        "noise": rng.standard_normal((n, len(SOURCES))),
    }


def knot_log_hazards(draws: dict[str, np.ndarray], e: int) -> np.ndarray:
    """(n, N_KNOTS) log hazard of event e at the knots less the base rate's log: spread * level + the walk."""
    walk = np.cumsum(SMOOTHNESS * np.sqrt(KNOT_SPACING) * draws["steps"][:, e], axis=1)
    at_knots = np.concatenate([np.zeros((len(walk), 1)), walk], axis=1)
    return BASE_RATES[EVENTS[e]][1] * draws["level"][:, e, None] + at_knots


def hazards(draws: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """(n, K) hazard per event: log base rate + spread * level + the walk at each bin."""
    out = {}
    for e, event in enumerate(EVENTS):
        rate = BASE_RATES[event][0]
        out[event] = np.exp(np.log(rate) + knot_log_hazards(draws, e) @ KNOT_WEIGHTS[event].T)
    return out


def cumulative_at_edges(hazard: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """(n, K) hazards -> (n, K+1) cumulative hazard at the grid edges, 0 first."""
    return np.concatenate([np.zeros((len(hazard), 1)), np.cumsum(hazard * widths, axis=1)], axis=1)


def outcome_edges_given(hazard: dict[str, np.ndarray], when: date) -> np.ndarray:
    """(n, K+1): the outcome's CDF at the grid edges given the trigger had not happened by `when`."""
    trigger = hazard["trigger"]
    given = np.maximum(cumulative_at_edges(trigger, WIDTHS) - (trigger @ exposure(when))[:, None], 0.0)
    return convolve_chain(1.0 - np.exp(-given), hazard["outcome"])


def log_likelihood(draws: dict[str, np.ndarray], hazard: dict[str, np.ndarray]) -> np.ndarray:
    """Statements plus 'the trigger has not happened by as_of' (the root event only)."""
    trigger = hazard["trigger"]

    def cumulative(when: date) -> np.ndarray:  # the trigger's, exact at any date
        return trigger @ exposure(when)

    delay_edges = 1.0 - np.exp(-cumulative_at_edges(hazard["outcome"], DELAY_WIDTH))  # at whole delay bins
    total = -cumulative(AS_OF)
    for st in STATEMENTS:
        start = st.start or st.issued
        if st.within_years is not None:  # P(delay < within)
            q = interpolate(delay_edges, st.within_years / DELAY_WIDTH)
        elif st.event == "trigger":  # P(start <= T < end | T > issued), exact
            survived = np.exp(-(cumulative(start) - cumulative(st.issued)))
            q = survived * (1.0 - np.exp(-(cumulative(st.end) - cumulative(start))))
        else:  # F(end) - F(start), F the chain's CDF given no trigger by the issue date
            outcome_edges = outcome_edges_given(hazard, st.issued)
            q = interpolate(outcome_edges, edge_position(st.end)) - interpolate(outcome_edges, edge_position(start))
        s = list(SOURCES).index(st.source)
        (bias_mean, bias_sd), (noise_median, noise_log_sd) = SOURCES[st.source]
        bias = bias_mean + bias_sd * draws["bias"][:, s]
        scale = noise_median * np.exp(noise_log_sd * draws["noise"][:, s])
        centre = logit(np.clip(q, 1e-12, 1 - 1e-12)) + bias
        mass = expit((logit(st.high) - centre) / scale) - expit((logit(st.low) - centre) / scale)
        with np.errstate(divide="ignore"):  # far-off draws: both ends in one tail, weight 0
            total = total + np.log(mass)
    return total


def risks(hazard: dict[str, np.ndarray]) -> np.ndarray:
    """(n, event, date): P(event by date | no event of its chain by as_of)."""
    trigger = hazard["trigger"]
    at_as_of = trigger @ exposure(AS_OF)
    root = [1.0 - np.exp(-(trigger @ exposure(when) - at_as_of)) for when in CHECK_DATES]
    outcome_edges = outcome_edges_given(hazard, AS_OF)
    at_as_of = interpolate(outcome_edges, edge_position(AS_OF))  # counted from as_of, as a window from it
    outcome = [interpolate(outcome_edges, edge_position(when)) - at_as_of for when in CHECK_DATES]
    return np.stack([np.stack(root, axis=1), np.stack(outcome, axis=1)], axis=1)


@dataclass
class Oracle:
    risk: np.ndarray  # (n, event, date), prior draws
    weights: np.ndarray  # normalised importance weights
    seconds: float

    @property
    def ess(self) -> float:
        """Kish's effective sample size of the weights."""
        return float(1.0 / np.sum(self.weights**2))

    def mean(self, weighted: bool = True) -> np.ndarray:
        if not weighted:
            return self.risk.mean(axis=0)
        return np.einsum("n,ned->ed", self.weights, self.risk)

    def mean_error(self) -> np.ndarray:
        """Monte Carlo sd of the weighted mean: the weighted sd over sqrt(ESS)."""
        var = np.einsum("n,ned->ed", self.weights, (self.risk - self.mean()) ** 2)
        return np.sqrt(var / self.ess)

    def quantile(self, e: int, d: int, prob: float) -> float:
        """Weighted quantile: the weighted CDF through the middle of each draw's weight."""
        values = self.risk[:, e, d]
        order = np.argsort(values)
        cumulative = np.cumsum(self.weights[order])
        return float(np.interp(prob, cumulative - self.weights[order] / 2, values[order]))

    def quantile_error(self, e: int, d: int, prob: float, step: float = 0.02) -> float:
        """sqrt(p(1-p)/ESS) over the density at the quantile (its slope, by central difference)."""
        slope = (self.quantile(e, d, prob + step) - self.quantile(e, d, prob - step)) / (2 * step)
        return float(np.sqrt(prob * (1 - prob) / self.ess) * slope)


def run_oracle(n: int = N_DRAWS, seed: int = SEED) -> Oracle:
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    risk, log_weights = [], []
    for _ in range(0, n, CHUNK):
        draws = prior_draws(rng, CHUNK)
        hazard = hazards(draws)
        log_weights.append(log_likelihood(draws, hazard))
        risk.append(risks(hazard))
    log_w = np.concatenate(log_weights)
    weights = np.exp(log_w - log_w.max())
    return Oracle(np.concatenate(risk), weights / weights.sum(), time.perf_counter() - began)


@pytest.fixture(scope="module")
def oracle() -> Oracle:
    return run_oracle()


@pytest.fixture(scope="module")
def forecast():
    return fit(load_scenario(SCENARIO), random_seed=7, draws=DRAWS)


def test_oracle_is_effective_and_informative(oracle):
    """Guards the oracle itself: enough effective draws, and statements that move the risk."""
    assert oracle.ess > MIN_ESS
    shift = np.abs(oracle.mean() - oracle.mean(weighted=False))
    prior_error = oracle.risk.std(axis=0) / np.sqrt(len(oracle.risk))
    assert np.all(shift.max(axis=1) > 0.1), shift  # each event: the posterior is not the prior
    assert np.all(shift.max(axis=1) > 20 * np.hypot(oracle.mean_error(), prior_error).max(axis=1))


@pytest.mark.parametrize("when", CHECK_DATES, ids=str)
@pytest.mark.parametrize("event", EVENTS)
def test_sampler_matches_importance_oracle(forecast, oracle, event, when):
    e, d = EVENTS.index(event), CHECK_DATES.index(when)
    risk = forecast.risk_at([when]).sel(event=event).squeeze("date", drop=True).to_dataset(name="risk")
    mcse = float(az.mcse(risk, method="mean")["risk"])
    difference = float(risk["risk"].mean()) - oracle.mean()[e, d]
    assert abs(difference) < 4 * np.hypot(mcse, oracle.mean_error()[e, d]) + SLACK, ("mean", difference)
    for prob in PROBS:
        mcse = float(az.mcse(risk, method="quantile", prob=prob)["risk"])
        difference = float(risk["risk"].quantile(prob)) - oracle.quantile(e, d, prob)
        assert abs(difference) < 4 * np.hypot(mcse, oracle.quantile_error(e, d, prob)) + SLACK, (prob, difference)


def test_prior_draws_match_importance_oracle(forecast, oracle):
    """The forecast's prior draws (independent, 1000) against the oracle's unweighted draws."""
    prior = forecast.risk_at(CHECK_DATES, which="prior").stack(sample=("chain", "draw"))
    for e, event in enumerate(EVENTS):
        draws = prior.sel(event=event).transpose("sample", "date").values
        error = draws.std(axis=0) / np.sqrt(len(draws))
        assert np.all(np.abs(draws.mean(axis=0) - oracle.mean(weighted=False)[e]) < 4 * error), event


def test_inputs_match_the_scenario():
    """What the oracle typed by hand is what riskline reads from the files."""
    scenario = load_scenario(SCENARIO)
    assert (scenario.as_of, scenario.horizon, scenario.hazard.kind) == (AS_OF, HORIZON, "random_walk")
    assert (scenario.hazard.smoothness, scenario.hazard.knot_spacing) == (SMOOTHNESS, KNOT_SPACING)
    assert [e.id for e in scenario.events] == EVENTS
    assert [scenario.parent(e) for e in scenario.events] == [-1, 0]
    for event in scenario.events:
        rate = scenario.base_rate(event)
        assert (rate.per_year, rate.log_sd) == BASE_RATES[event.id]
    assert [s.id for s in scenario.sources] == list(SOURCES)
    for source in scenario.sources:
        cls = scenario.source_class(source)
        assert ((cls.bias.mean, cls.bias.sd), (cls.noise.median, cls.noise.log_sd)) == SOURCES[source.id]
    assert len(scenario.estimates) == len(STATEMENTS)
    for est, st in zip(scenario.estimates, STATEMENTS, strict=True):
        spec, window = est.spec, est.window
        assert (spec.event, spec.source, spec.issued) == (st.event, st.source, st.issued)
        assert (est.probability.low, est.probability.high) == pytest.approx((st.low, st.high))
        assert spec.confidence is None
        assert not window.fuzzy
        if st.within_years is None:
            assert (window.start, window.end) == (st.start or st.issued, st.end)
        else:
            assert (window.after, window.start, window.end) == ("trigger", 0.0, st.within_years)
    structure, data = encode(scenario)
    assert (structure.n_bins, structure.n_knots, structure.fuzzy_points) == (N_BINS, N_KNOTS, 1)
    assert scenario_grid(scenario).edges == tuple(EDGES)
    assert float(data["delay_width"]) == pytest.approx(DELAY_WIDTH)


def test_model_density_equals_the_oracle_at_prior_draws():
    """Pointwise, without sampling: the model's log density is the oracle's prior + likelihood.

    riskline's PyMC model is the thing checked here; the oracle never calls it.
    Unused (padded) sources of the model have standard-normal parameters of their own.
    The model's standard normals of the walk are another factor of the same prior
    (`knot_factors`): the oracle's log hazards at the knots, solved for them.
    """
    scenario = load_scenario(SCENARIO)
    structure, data = encode(scenario)
    logp = build_model(structure, data).compile_logp(jacobian=False)
    draws = prior_draws(np.random.default_rng(5), 100)
    expected = log_likelihood(draws, hazards(draws))
    pad = (0, structure.source_capacity - len(SOURCES))
    factors = knot_factors(scenario, scenario_grid(scenario), structure.n_knots)
    knots = np.stack([np.linalg.solve(factors[e], knot_log_hazards(draws, e).T).T for e in range(len(EVENTS))], 1)
    for i in range(100):
        point = {
            "hazard_knot_z": knots[i],
            "source_bias_z": np.pad(draws["bias"][i], pad),
            "source_noise_z": np.pad(draws["noise"][i], pad),
        }
        prior = sum(norm.logpdf(value).sum() for value in point.values())
        assert logp(point) - prior == pytest.approx(expected[i], rel=1e-10, abs=1e-10), i


def test_forecast_risk_equals_the_oracle_at_prior_draws():
    """Pointwise: Forecast.risk_at on given hazard draws is the oracle's risk."""
    draws = prior_draws(np.random.default_rng(6), 200)
    hazard = hazards(draws)
    values = np.stack([hazard[event] for event in EVENTS], axis=1)[None]  # (chain, draw, event, bin)
    posterior = xr.Dataset(
        {"hazard": (("chain", "draw", "event", "bin"), values)},
        coords={"chain": [0], "draw": np.arange(200), "event": EVENTS},
    )
    forecast = Forecast(load_scenario(SCENARIO), xr.DataTree(children={"posterior": xr.DataTree(posterior)}))
    risk = forecast.risk_at(CHECK_DATES).isel(chain=0).transpose("draw", "event", "date").values
    np.testing.assert_allclose(risk, risks(hazard), atol=1e-12, rtol=0)


def constant_chain_cdf(a: float, b: float, t: np.ndarray) -> np.ndarray:
    """P(T1 + D <= t) for T1 ~ Exp(a), D ~ Exp(b), a != b."""
    return 1.0 - (b * np.exp(-a * t) - a * np.exp(-b * t)) / (b - a)


@pytest.mark.parametrize(("a", "b"), [(0.3, 0.5), (1.0, 0.2), (0.2, 1.0)])
def test_chain_matches_closed_form(a, b):
    """The discrete chain, riskline's and the oracle's, against the exact CDF of a sum of exponentials.

    Quarterly bins over 20 years, from a zero-exposure start. Placing the trigger at the
    middle of its bin is the midpoint rule for the convolution integral, and delay bins of
    the mean width differ from calendar quarters by at most a day: for rates up to one per
    year the error stays below 1e-3 (measured: 3e-4 to 9e-4).
    """
    edges = quarter_edges(date(2024, 1, 1), date(2044, 1, 1))
    t = np.array([(e - edges[0]).days for e in edges]) / DAYS_PER_YEAR
    widths = np.diff(t)
    k = len(widths)
    hazard = np.stack([np.full(k, a), np.full(k, b)])
    exact = constant_chain_cdf(a, b, t)
    ours = chains.event_cdfs_at_edges(hazard, [-1, 0], widths, widths.mean(), np.zeros((1, k)))[1, 0]
    np.testing.assert_allclose(ours, exact, atol=1e-3, rtol=0)
    trigger = 1.0 - np.exp(-a * t)[None, :]
    oracle_chain = convolve_chain_with(trigger, np.full((1, k), b), widths.mean())[0]
    np.testing.assert_allclose(oracle_chain, exact, atol=1e-3, rtol=0)


def test_oracle_chain_equals_riskline_chain():
    """On random hazards the oracle's convolution and riskline's FFT one agree to rounding."""
    rng = np.random.default_rng(3)
    hazard = np.exp(rng.normal(-1.0, 1.0, size=(5, 2, N_BINS)))
    given = exposure(AS_OF)
    theirs = chains.event_cdfs_at_edges(hazard, [-1, 0], WIDTHS, DELAY_WIDTH, given[None, :])[:, 1, 0]
    root = np.maximum(np.cumsum(hazard[:, 0] * WIDTHS, 1) - hazard[:, 0] @ given[:, None], 0.0)
    trigger = 1.0 - np.exp(-np.concatenate([np.zeros((5, 1)), root], 1))
    np.testing.assert_allclose(convolve_chain(trigger, hazard[:, 1]), theirs, atol=1e-12, rtol=0)

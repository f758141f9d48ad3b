"""The timeline model: hazards on a grid, statements as data about them (docs/model.md).

- Each event's log hazard is a Gaussian random walk over the grid (or one constant),
  centred on its base rate; a triggered event's hazard runs on the delay since its trigger.
  Every prior is non-centred (standard normals scaled by data), so NUTS meets no funnel and
  every hyperparameter can be changed without recompiling.
- Signposts multiply a root event's hazard from their date on by an uncertain ratio.
- An estimate issued at s about the window [a, w) speaks of q = P(a <= T < w | T > s)
  = (F(w) - F(a)) / (1 - F(s)); one relative to an ancestor, of the delay's CDF. A fuzzy
  window's likelihood is averaged over equally spaced ends.
- The source believes pi with logit(pi) = logit(q) + bias + noise, noise ~ Logistic(0, tau),
  tau scaled by the statement's confidence. An interval [lo, hi] for pi is interval-censored;
  a survey phrase, logit(pi) ~ Normal(mu, sigma) over readers, is Gaussian with the
  variances added.
- "Not happened by as_of" adds -L(as_of) per root event (a triggered event cannot happen
  before its trigger, which has not happened either).

`build_model` takes a ModelStructure and data arrays (riskline.model.encoding): all numbers
enter as pm.Data, so a compiled model is reused for any scenario of the same structure.
Constant parts are computed once in NumPy when encoding (the walk and the windows become
matrices), because every node of the graph costs time at each gradient evaluation.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from riskline.model import chains
from riskline.model.encoding import ModelStructure

__all__ = ["build_model", "interval_logp"]

CLIP = 1e-12
"""q is kept within [CLIP, 1 - CLIP] before its logit: far below any stated probability."""


def interval_logp(logit_low, logit_high, centre, scale):
    """Log P(low <= pi <= high) for logit(pi) ~ Logistic(centre, scale), stable in both tails.

    Uses F(b) - F(a) = F(b) * F(-a) * (1 - exp(a - b)) for the logistic CDF F, so nothing
    cancels however far the interval sits in a tail.
    """
    z_low = (logit_low - centre) / scale
    z_high = (logit_high - centre) / scale
    return -pt.softplus(-z_high) - pt.softplus(z_low) + pt.log1mexp(z_low - z_high)


def build_model(structure: ModelStructure, data: dict[str, np.ndarray]) -> pm.Model:
    """The PyMC model for `structure`, with `data` as its (replaceable) pm.Data."""
    coords = {
        "event": range(structure.n_events),
        "bin": range(structure.n_bins),
        "source": range(structure.sources),
        "estimate": range(structure.estimates),
    }
    if structure.signposts:
        coords["signpost"] = range(structure.signposts)
    with pm.Model(coords=coords) as model:
        d = {name: pm.Data(name, value) for name, value in data.items()}
        hazard = _hazard(structure, d)
        at_as_of = pt.sum(hazard * d["exposure_as_of"], axis=1)
        pm.Potential("survival", -pt.sum(d["is_root"] * at_as_of))
        _estimates(structure, d, hazard)
    return model


def _hazard(structure: ModelStructure, d: dict):
    """Hazard per event and bin (events per year; per delay bin for triggered events)."""
    level = pm.Normal("hazard_level_z", 0.0, 1.0, dims="event")
    log_hazard = (d["log_base_rate"] + d["base_rate_log_sd"] * level)[:, None]
    if structure.hazard_kind == "random_walk":
        steps = pm.Normal("hazard_step_z", 0.0, 1.0, shape=(structure.n_events, structure.n_knots - 1))
        walk = pt.dot(d["walk_weights"], steps.ravel()).reshape((structure.n_events, structure.n_bins))
        log_hazard = log_hazard + walk
    else:
        log_hazard = pt.broadcast_to(log_hazard, (structure.n_events, structure.n_bins))
    if structure.signposts:
        pm.Deterministic("hazard_without_signposts", pt.exp(log_hazard), dims=("event", "bin"))
        ratio_z = pm.Normal("signpost_ratio_z", 0.0, 1.0, dims="signpost")
        ratio = pm.Deterministic(
            "signpost_ratio", pt.exp(d["signpost_log_median"] + d["signpost_log_sd"] * ratio_z), dims="signpost"
        )
        # each signpost multiplies the share of a bin after its date by its ratio; summed as
        # logs, whose gradient is cheaper than a product's
        log_hazard = log_hazard + pt.sum(pt.log1p(d["signpost_share"] * (ratio[:, None, None] - 1.0)), axis=0)
    return pm.Deterministic("hazard", pt.exp(log_hazard), dims=("event", "bin"))


def _estimates(structure: ModelStructure, d: dict, hazard) -> None:
    """Each statement as data about the source's belief."""
    q = _window_probability(structure, d, hazard)  # (estimate, end)
    pm.Deterministic("window_probability", pt.mean(q, axis=1), dims="estimate")
    q = pt.clip(q, CLIP, 1 - CLIP)
    centre = pt.log(q) - pt.log1p(-q) + pt.dot(d["estimate_source"], _source_bias(d))[:, None]
    scale = (pt.dot(d["estimate_source"], _source_noise(d)) * d["confidence_factor"])[:, None]
    logp = interval_logp(d["logit_low"][:, None], d["logit_high"][:, None], centre, scale)
    if structure.surveys:
        survey = _survey_logp(d["survey_mu"][:, None], d["survey_sigma"][:, None], centre, scale)
        logp = pt.switch(d["is_survey"][:, None] > 0, survey, logp)
    if structure.fuzzy_points > 1:
        per_estimate = pt.logsumexp(logp, axis=1) - np.log(structure.fuzzy_points)
    else:
        per_estimate = logp[:, 0]
    pm.Potential("estimates", d["estimate_mask"] * per_estimate, dims="estimate")


def _window_probability(structure: ModelStructure, d: dict, hazard):
    """The window probability q for every estimate and each of its (fuzzy) ends: (estimate, end).

    The rows of `window_gaps` and `window_edges` (riskline.model.encoding) pick each
    estimate's event, relation and dates, so that every kind of window is one matrix
    product away; a kind no estimate uses is left out of the graph. A row of one kind is
    zero in the other's matrix, and gives q = 0 there.
    """
    rows, points = structure.estimates, structure.fuzzy_points
    q = pt.zeros((rows, points))
    if structure.root_windows:  # exact: e^-(L(a) - L(s)) * (1 - e^-(L(w) - L(a)))
        gaps = pt.maximum(pt.dot(d["window_gaps"], hazard.ravel()), 0.0)
        q = q + pt.exp(-gaps[rows * points :, None]) * -pt.expm1(-gaps[: rows * points].reshape((rows, points)))
    cdfs = []
    if structure.chain_windows:  # unconditional CDFs from the grid's start, interpolated
        cdfs.append(chains.event_cdfs_at_edges(hazard, structure.parents, d["bin_width"], d["delay_width"], None, pt))
    if structure.relations:  # windows counted from an earlier event of the chain
        cdfs.append(chains.relative_cdfs_at_edges(hazard, structure.parents, structure.relations, d["delay_width"], pt))
    if cdfs:
        at_edges = pt.dot(d["window_edges"], pt.concatenate([cdf.ravel() for cdf in cdfs]))
        survived = 1 - at_edges[rows * points :, None]  # P(T > s), s the issue date
        q = q + at_edges[: rows * points].reshape((rows, points)) / survived
    return q


def _source_bias(d: dict):
    z = pm.Normal("source_bias_z", 0.0, 1.0, dims="source")
    return pm.Deterministic("source_bias", d["bias_mean"] + d["bias_sd"] * z, dims="source")


def _source_noise(d: dict):
    z = pm.Normal("source_noise_z", 0.0, 1.0, dims="source")
    return pm.Deterministic("source_noise", d["noise_median"] * pt.exp(d["noise_log_sd"] * z), dims="source")


def _survey_logp(mu, sigma, centre, scale):
    """Normal log density of the phrase's mu around the centre, logistic noise as a normal."""
    spread = pt.sqrt(sigma**2 + (np.pi**2 / 3) * scale**2)
    return -0.5 * ((mu - centre) / spread) ** 2 - pt.log(spread) - 0.5 * np.log(2 * np.pi)

"""The timeline model: hazards on a grid, statements as data about them (docs/model.md).

- Each event's log hazard is a Gaussian random walk on knots a year apart (by default),
  interpolated to the grid's bins, or one constant; centred on its base rate. The walk's
  standard normals start from an average of the knots the statements speak of
  (`encoding.knot_factors`): the same prior, without a ridge between its level and steps. A triggered
  event's hazard runs on the delay since its trigger. Every prior is non-centred
  (standard normals scaled by data), so NUTS meets no funnel and every hyperparameter can
  be changed without recompiling.
- Signposts multiply a root event's hazard from their date on by an uncertain ratio.
- An estimate issued at s about the window [a, w) speaks of q = P(a <= T < w | T > s)
  = (F(w) - F(a)) / (1 - F(s)); for a triggered event, of F(w) - F(a) with its chain run
  given the root had not happened by s; one relative to an ancestor, of the delay's CDF.
  A fuzzy window's likelihood is averaged over ends spread evenly over its range.
- The source believes pi with logit(pi) = logit(q) + bias + noise, noise ~ Logistic(0, tau),
  tau scaled by the statement's confidence. An interval [lo, hi] for pi is interval-censored;
  a survey phrase, logit(pi) ~ Normal(mu, sigma) over readers, is Gaussian with the
  variances added.
- A statement whose calendar window closed by as_of with nothing having happened is not
  data about the hazard: it is its source's forecast, and it failed. It adds
  log(1 - sigmoid(c - bias)), c the logit centre of what was stated: the probability the
  source gave, its bias removed, that nothing would happen. So it teaches the source's bias,
  and through it discounts the source's other statements, but cannot raise the hazard.
- "Not happened by as_of" adds -L(as_of) per observed root event (a triggered event cannot
  happen before its trigger, which has not happened either). A latent root (a capability,
  nobody announces it) adds log P(the observed event right after it had not happened by
  as_of) instead, summed over when the latent one may have happened.

`build_model` takes a ModelStructure and data arrays (riskline.model.encoding): all numbers
enter as pm.Data (packed into two arrays, `pack_data`), so a compiled model is reused for
any scenario of the same structure.
Constant parts are computed once in NumPy when encoding (the walk and the windows become
matrices), because every node of the graph costs time at each gradient evaluation.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from riskline.model.encoding import ModelStructure
from riskline.model.likelihood import statements_logp, window_probability

__all__ = ["DATA_NAMES", "build_model", "pack_data"]

DATA_NAMES = ("numbers", "integers")
"""The model's two pm.Data (`pack_data`): every float, every integer."""


def build_model(structure: ModelStructure, data: dict[str, np.ndarray]) -> pm.Model:
    """The PyMC model for `structure`, with `data` as its (replaceable) pm.Data."""
    coords = {
        "event": range(structure.n_events),
        "bin": range(structure.n_bins),
        "source": range(structure.source_capacity),
        "estimate": range(structure.estimate_capacity),
    }
    if structure.signpost_capacity:
        coords["signpost"] = range(structure.signpost_capacity)
    with pm.Model(coords=coords) as model:
        d = _data_views(data)
        hazard = _hazard(structure, d)
        pm.Potential("survival", _survival(structure, d, hazard))
        _estimates(structure, d, hazard)
    return model


def _hazard(structure: ModelStructure, d: dict):
    """Hazard per event and bin (events per year; per delay bin for triggered events)."""
    if structure.hazard_kind == "random_walk":
        knots = pm.Normal("hazard_knot_z", 0.0, 1.0, shape=(structure.n_events, structure.n_knots)).ravel()
        walk = pt.dot(d["walk_weights"], knots).reshape((structure.n_events, structure.n_bins))
        log_hazard = d["log_base_rate"][:, None] + walk
        log_level = d["log_base_rate"] + pt.dot(d["level_weights"], knots)
    else:
        log_level = d["log_base_rate"] + d["base_rate_log_sd"] * pm.Normal("hazard_level_z", 0.0, 1.0, dims="event")
        log_hazard = pt.broadcast_to(log_level[:, None], (structure.n_events, structure.n_bins))
    pm.Deterministic("hazard_level", pt.exp(log_level), dims="event")
    if structure.signpost_capacity:
        pm.Deterministic("hazard_without_signposts", pt.exp(log_hazard), dims=("event", "bin"))
        ratio_z = pm.Normal("signpost_ratio_z", 0.0, 1.0, dims="signpost")
        log_ratio = d["signpost_log_median"] + d["signpost_log_sd"] * ratio_z
        ratio = pm.Deterministic("signpost_ratio", pt.exp(log_ratio), dims="signpost")
        # a bin wholly after a signpost's date: hazard x ratio; the bin holding the date:
        # x (1 + share (ratio - 1)) for its share after the date. As logs, summed over signposts.
        straddled = pt.log1p(d["signpost_straddle_share"] * (ratio - 1.0))
        log_hazard = (
            log_hazard
            + pt.tensordot(log_ratio, d["signpost_after"], axes=1)
            + pt.tensordot(straddled, d["signpost_straddle"], axes=1)
        )
    return pm.Deterministic("hazard", pt.exp(log_hazard), dims=("event", "bin"))


def _survival(structure: ModelStructure, d: dict, hazard):
    """The log probability that no observed event had happened by as_of (docs/model.md).

    -L(as_of) per observed first event of a chain; for a latent one, log P(the observed
    event right after it had not happened), summed over when the latent one may have happened.
    """
    total = -pt.sum(d["observed_root"] * pt.sum(hazard * d["exposure_as_of"], axis=1))
    for root, child in structure.latent_chains:
        root_cdf = -pt.expm1(-pt.cumsum(hazard[root] * d["bin_width"]))
        mass = pt.diff(pt.concatenate([pt.zeros(1), root_cdf]))  # P(first event in bin j)
        delay = pt.concatenate([pt.zeros(1), pt.cumsum(hazard[child] * d["delay_width"])])
        child_cdf = -pt.expm1(-pt.dot(d["latent_delay_weights"], delay))  # F_delay(as_of - middle of bin j)
        total = total + pt.log1p(-pt.sum(mass * d["latent_before"] * child_cdf))
    return total


def _estimates(structure: ModelStructure, d: dict, hazard) -> None:
    """Each statement as data about the source's belief (riskline.model.likelihood)."""
    bias, noise = _source_bias(d), _source_noise(d)
    pm.Deterministic("window_probability", window_probability(structure, hazard, bias, noise, d), dims="estimate")
    pm.Potential("estimates", statements_logp(structure, hazard, bias, noise, d))
    # a window closed with nothing having happened: the source's forecast, bias removed, failed
    corrected = d["stated_centre"] - pt.dot(d["estimate_source"], bias)
    pm.Potential("closed_windows", -pt.sum(d["closed_window"] * pt.softplus(corrected)))


def _source_bias(d: dict):
    z = pm.Normal("source_bias_z", 0.0, 1.0, dims="source")
    return pm.Deterministic("source_bias", d["bias_mean"] + d["bias_sd"] * z, dims="source")


def _source_noise(d: dict):
    z = pm.Normal("source_noise_z", 0.0, 1.0, dims="source")
    return pm.Deterministic("source_noise", d["noise_median"] * pt.exp(d["noise_log_sd"] * z), dims="source")


def pack_data(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The data arrays as the model's two pm.Data: every float, then every integer, flattened.

    nutpie compiles one extraction function per pm.Data into the sampler, and unrolls a loop
    over all of them: with the ~25 arrays of the seed scenario this took most of a model's
    compile (benchmarks/README.md, "Refit speed"). The arrays' shapes
    and order are fixed by the structure, so the model takes them back as views (_data_views).
    """
    numbers, integers = DATA_NAMES
    floats = [value.ravel() for value in data.values() if value.dtype.kind == "f"]
    whole = [value.ravel() for value in data.values() if value.dtype.kind != "f"]
    return {
        numbers: np.concatenate(floats),
        integers: np.concatenate(whole) if whole else np.zeros(1, dtype=np.int64),
    }


def _data_views(data: dict[str, np.ndarray]) -> dict:
    """Each data array as a slice of the model's packed pm.Data (pack_data), by name."""
    packed = {name: pm.Data(name, value) for name, value in pack_data(data).items()}
    numbers, integers = DATA_NAMES
    views, used = {}, dict.fromkeys(DATA_NAMES, 0)
    for name, value in data.items():
        kind = numbers if value.dtype.kind == "f" else integers
        views[name] = packed[kind][used[kind] : used[kind] + value.size].reshape(value.shape)
        used[kind] += value.size
    return views

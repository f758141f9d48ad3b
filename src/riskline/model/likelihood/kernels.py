"""The statements' log density and its gradient, in loops compiled by numba (docs/model.md).

- q for every (estimate, fuzzy end), each a sparse row of at most four terms
  (riskline.model.encoding): root events' calendar windows exactly from the cumulative
  hazard; windows on triggered events from the chain's CDFs at the grid's edges given the
  root had not happened by the issue date; windows counted from an ancestor from the delay's
  CDF (riskline.model.likelihood.chain_kernels).
- logit(pi) = logit(q) + bias + Logistic(0, noise * confidence) (riskline.model.statement):
  the stated interval is interval-censored (`interval_logp`); a survey phrase is Gaussian in
  logit space with the variances added (`survey_logp`); fuzzy ends average the likelihood.

`statements_logp` returns the value with its gradient with respect to the hazards and the
sources' bias and noise, computed in the same pass; `window_probability` is the same
forward pass, for the posterior's reconciliation. Both take the arrays of
riskline.model.likelihood.layout, in its order and under its names.
"""

from __future__ import annotations

import math

import numpy as np

from riskline.model import statement
from riskline.model.likelihood.chain_kernels import chain_cdfs, chain_cdfs_back, last_stage
from riskline.model.likelihood.jit import jit
from riskline.model.statement import CLIP, LOGISTIC_VARIANCE

__all__ = ["interval_logp", "statements_logp", "survey_logp", "window_probability"]

# ---- scalar pieces ----------------------------------------------------------------------

_belief_centre = jit(statement.belief_centre)
_belief_variance = jit(statement.belief_variance)


@jit
def _softplus_sigmoid(x):
    """(log(1 + e^x), 1 / (1 + e^-x)), sharing one exponential."""
    e = math.exp(-abs(x))
    if x > 0:
        return x + math.log1p(e), 1.0 / (1.0 + e)
    return math.log1p(e), (e / (1.0 + e) if x < 0 else 1.0 / (1.0 + e))


@jit
def _log1mexp(x):
    """log(1 - e^x) for x < 0, accurate near 0 and far below it."""
    return math.log(-math.expm1(x)) if x > -math.log(2.0) else math.log1p(-math.exp(x))


@jit
def interval_logp(logit_low, logit_high, centre, scale):
    """(log P(low <= pi <= high), d/d centre, d/d scale) for logit(pi) ~ Logistic(centre, scale).

    Uses F(b) - F(a) = F(b) * F(-a) * (1 - exp(a - b)) for the logistic CDF F, so nothing
    cancels however far the interval sits in a tail.
    """
    z_low, z_high = (logit_low - centre) / scale, (logit_high - centre) / scale
    (softplus_low, sigmoid_low), (softplus_high, sigmoid_high) = _softplus_sigmoid(z_low), _softplus_sigmoid(-z_high)
    value = -softplus_high - softplus_low + _log1mexp(z_low - z_high)
    inner = 1.0 / math.expm1(z_high - z_low)
    d_low, d_high = -sigmoid_low - inner, sigmoid_high + inner
    return value, -(d_low + d_high) / scale, -(d_low * z_low + d_high * z_high) / scale


@jit
def survey_logp(mu, sigma, centre, scale):
    """(value, d/d centre, d/d scale) of a survey phrase's normal density in logit space.

    Readers ~ Normal(mu, sigma); the source's logistic noise counts as a normal of the same variance.
    """
    spread = math.sqrt(_belief_variance(scale, sigma))
    u = (mu - centre) / spread
    value = -0.5 * u**2 - math.log(spread) - 0.5 * math.log(2 * math.pi)
    return value, u / spread, (u**2 - 1.0) / spread * LOGISTIC_VARIANCE * scale / spread


# ---- window probabilities --------------------------------------------------------------


@jit
def _tail_values(hazard, bin_width, stage_cdf, paths):
    """What the window rows read after the event CDFs: relations' delay CDFs, then cumulative hazards (event, edge)."""
    events, bins = hazard.shape
    edges, relations = bins + 1, paths.shape[0]
    values = np.zeros((relations + events) * edges)
    for r in range(relations):
        values[r * edges : (r + 1) * edges] = stage_cdf[r, last_stage(paths, r)]
    for e in range(events):
        total = 0.0
        for k in range(bins):
            total += hazard[e, k] * bin_width[k]
            values[(relations + e) * edges + k + 1] = total
    return values


@jit
def _window_q(hazard, bin_width, delay_width, estimates, edge_columns, edge_weights, condition_exposure,
              condition_edges, parents, paths, points):  # fmt: skip
    """The window probabilities (estimates, points) and what their gradient needs.

    The window rows (riskline.model.encoding) read the event CDFs given each condition date,
    then `_tail_values`. They give CDF differences, added to q, then the cumulative hazard
    over each root window and from its issue date to its start, which give
    q = exp(-before) (1 - exp(-within)). `delay_width` is a 0-d array (`delay_width[()]` its number).
    """
    cdfs = chain_cdfs(hazard, bin_width, delay_width[()], parents, paths, condition_exposure, condition_edges)
    chain, tail = cdfs[0].reshape(-1), _tail_values(hazard, bin_width, cdfs[2], paths)
    reads = np.zeros(edge_weights.shape[0])
    for r in range(edge_weights.shape[0]):
        for t in range(edge_weights.shape[1]):
            if edge_weights[r, t] == 0.0:  # a row's terms come first, then zeros
                break
            column = edge_columns[r, t]
            reads[r] += edge_weights[r, t] * (chain[column] if column < chain.size else tail[column - chain.size])
    rows = estimates * points
    q = reads[:rows].copy().reshape((estimates, points))
    for n in range(estimates):
        if edge_weights[rows + n * points, 0] == 0.0:  # not a root window (a row's terms come first)
            continue
        before, within = math.exp(-max(reads[2 * rows + n], 0.0)), 0.0
        for f in range(points):
            gap = reads[rows + n * points + f]
            if f == 0 or gap != reads[rows + n * points + f - 1]:  # an exact end: the same at every point
                within = -math.expm1(-max(gap, 0.0))
            q[n, f] += before * within
    return q, reads, tail.size, cdfs


@jit
def statements_logp(hazard, bias, noise, bin_width, delay_width, estimate_mask, estimate_source, logit_low, logit_high,
                    is_survey, survey_mu, survey_sigma, confidence_factor, window_edge_columns, window_edge_weights,
                    condition_exposure, condition_edges, parents, paths, points):  # fmt: skip
    """(log likelihood of every statement, its gradient for hazard, for bias, for noise): layout.STATEMENTS_OUTPUTS."""
    hazard = np.ascontiguousarray(hazard)
    estimates = estimate_mask.shape[0]
    q, reads, tail_size, cdfs = _window_q(hazard, bin_width, delay_width, estimates, window_edge_columns,
                                          window_edge_weights, condition_exposure, condition_edges, parents, paths,
                                          points)  # fmt: skip
    d_q, d_bias, d_noise = np.zeros_like(q), np.zeros_like(bias), np.zeros_like(noise)
    values, slopes, spreads = np.zeros(points), np.zeros(points), np.zeros(points)
    total = 0.0
    for n in range(estimates):
        if estimate_mask[n] == 0.0:
            continue
        s = 0
        while estimate_source[n, s] == 0.0 and s + 1 < bias.shape[0]:  # a row holds one source (encoding)
            s += 1
        shift, scale = estimate_source[n, s] * bias[s], estimate_source[n, s] * noise[s] * confidence_factor[n]
        top, computed = -math.inf, 0
        for f in range(points):
            if f > 0 and q[n, f] == q[n, f - 1]:  # an exact end: every point the same
                values[f], slopes[f], spreads[f] = values[f - 1], slopes[f - 1], spreads[f - 1]
                continue
            centre = _belief_centre(q[n, f], shift)
            if is_survey[n] > 0:
                values[f], slopes[f], spreads[f] = survey_logp(survey_mu[n], survey_sigma[n], centre, scale)
            else:
                values[f], slopes[f], spreads[f] = interval_logp(logit_low[n], logit_high[n], centre, scale)
            top, computed = max(top, values[f]), computed + 1
        mean = top  # the log of the average likelihood; of equal ones, without exponentials
        if computed > 1:
            spread_sum = 0.0
            for f in range(points):
                spread_sum += math.exp(values[f] - top)
            mean = top + math.log(spread_sum / points)
        total += estimate_mask[n] * mean
        d_shift = d_scale = 0.0
        for f in range(points):
            weight = estimate_mask[n] * (math.exp(values[f] - mean) if computed > 1 else 1.0) / points
            d_shift += weight * slopes[f]
            d_scale += weight * spreads[f]
            inside = CLIP < q[n, f] < 1 - CLIP
            d_q[n, f] = weight * slopes[f] / (q[n, f] * (1 - q[n, f])) if inside else 0.0
        d_bias[s] += d_shift * estimate_source[n, s]
        d_noise[s] += d_scale * confidence_factor[n] * estimate_source[n, s]
    rows = estimates * points
    d_reads = np.zeros_like(reads)
    d_reads[:rows] = d_q.ravel()
    for n in range(estimates):
        if window_edge_weights[rows + n * points, 0] == 0.0:
            continue
        start = 2 * rows + n
        before, within = math.exp(-max(reads[start], 0.0)), 0.0
        for f in range(points):
            gap = reads[rows + n * points + f]
            if f == 0 or gap != reads[rows + n * points + f - 1]:
                within = -math.expm1(-max(gap, 0.0))
            if gap >= 0:
                d_reads[rows + n * points + f] += d_q[n, f] * before * (1 - within)
            if reads[start] >= 0:
                d_reads[start] -= d_q[n, f] * before * within
    d_event_cdf, d_tail = np.zeros_like(cdfs[0]), np.zeros(tail_size)
    d_chain = d_event_cdf.reshape(-1)
    for r in range(window_edge_weights.shape[0]):
        for t in range(window_edge_weights.shape[1] if d_reads[r] != 0.0 else 0):
            if window_edge_weights[r, t] == 0.0:
                break
            column = window_edge_columns[r, t]
            if column < d_chain.size:
                d_chain[column] += window_edge_weights[r, t] * d_reads[r]
            else:
                d_tail[column - d_chain.size] += window_edge_weights[r, t] * d_reads[r]
    d_hazard = np.zeros_like(hazard)
    events, bins = hazard.shape
    edges, relations = bins + 1, paths.shape[0]
    for e in range(events):
        suffix = 0.0
        for k in range(bins - 1, -1, -1):
            suffix += d_tail[(relations + e) * edges + k + 1]
            d_hazard[e, k] += bin_width[k] * suffix
    d_relation_cdf = d_tail[: relations * edges].copy().reshape((relations, edges))
    chain_cdfs_back(hazard, bin_width, delay_width[()], parents, paths, condition_exposure, condition_edges, cdfs,
                    d_event_cdf, d_relation_cdf, d_hazard)  # fmt: skip
    return np.array(total), d_hazard, d_bias, d_noise


@jit
def window_probability(hazard, bias, noise, bin_width, delay_width, estimate_mask, estimate_source, logit_low,
                       logit_high, is_survey, survey_mu, survey_sigma, confidence_factor, window_edge_columns,
                       window_edge_weights, condition_exposure, condition_edges, parents, paths, points):  # fmt: skip
    """(each estimate's q averaged over its fuzzy ends,): layout.WINDOW_OUTPUTS."""
    q = _window_q(np.ascontiguousarray(hazard), bin_width, delay_width, estimate_mask.shape[0], window_edge_columns,
                  window_edge_weights, condition_exposure, condition_edges, parents, paths, points)[0]  # fmt: skip
    out = np.zeros(q.shape[0])
    for n in range(q.shape[0]):
        out[n] = q[n].mean()
    return (out,)

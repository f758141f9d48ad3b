"""The statements' likelihood as one compiled operation, with its gradient written out.

NUTS evaluates the log density and its gradient ~36,000 times per fit of the seed scenario.
As a PyTensor graph, the statements' part (event chains, windows, source noise, fuzzy
ends) took ~200 small nodes, and each node costs about half a microsecond of overhead
inside the sampler whatever its size: ~110 us per evaluation. Here the same mathematics
(docs/model.md) runs as plain loops compiled by numba, forward and backward in one pass,
and enters the PyMC model as one operation: `statements_logp(hazard, source_bias,
source_noise, data...)`. Its gradient with respect to the hazards and the sources' bias
and noise is computed together with the value, and PyTensor differentiates the rest of the
model (the random walk, signposts, survival) as usual.

- q for every (estimate, fuzzy end), each a sparse row of at most four terms: root events'
  calendar windows exactly from the cumulative hazard; windows on triggered events from the
  chain's CDFs at the grid's edges given the root had not happened by the issue date (each
  date's a mixture of chains shared by all dates, `_chain_cdfs`: a thousand issue dates
  cost little more than one); windows counted from an ancestor from the delay's CDF
  (riskline.model.chains describes the chain, which the forecast runs in NumPy over draws;
  the tests check that the two agree).
- logit(pi) = logit(q) + bias + Logistic(0, noise * confidence): the stated interval is
  interval-censored (`interval_logp`); a survey phrase is Gaussian in logit space with the
  variances added; fuzzy ends average the likelihood.

`window_probability` is the same forward pass, for the posterior's reconciliation.
"""

from __future__ import annotations

import functools
import hashlib
import math
from pathlib import Path

import llvmlite.binding
import numba
import numba.extending
import numpy as np
import pytensor.tensor as pt
from numba import literal_unroll
from pytensor.gradient import DisconnectedType, disconnected_type
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

from riskline.model import statement
from riskline.model.chains import relation_path
from riskline.model.encoding import ModelStructure
from riskline.model.statement import CLIP, LOGISTIC_VARIANCE

__all__ = ["DATA_INPUTS", "interval_logp", "pointer", "statements_logp", "window_probability"]

DATA_INPUTS = (
    "bin_width", "delay_width", "estimate_mask", "estimate_source", "logit_low", "logit_high",
    "is_survey", "survey_mu", "survey_sigma", "confidence_factor", "window_edge_columns", "window_edge_weights",
    "condition_exposure", "condition_edges",
)  # fmt: skip
"""The model's data arrays the operation reads, in its argument order (after hazard, bias, noise)."""

jit = numba.njit(cache=True, error_model="numpy")
fast_sums = numba.njit(cache=True, error_model="numpy", fastmath={"reassoc", "contract"})
"""For the convolution's sums only: reordering the additions lets them use vector instructions."""


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
def _survey_logp(mu, sigma, centre, scale):
    """(value, d/d centre, d/d scale) of a survey phrase's normal density in logit space.

    Readers ~ Normal(mu, sigma); the source's logistic noise counts as a normal of the same variance.
    """
    spread = math.sqrt(_belief_variance(scale, sigma))
    u = (mu - centre) / spread
    value = -0.5 * u**2 - math.log(spread) - 0.5 * math.log(2 * math.pi)
    return value, u / spread, (u**2 - 1.0) / spread * LOGISTIC_VARIANCE * scale / spread


# ---- chains: CDFs at the grid's edges and their vector-Jacobian products -----------------


@jit
def _cdf_after(hazard, widths, given, cdf):
    """cdf[k] = 1 - exp(-max(sum_{j<k} hazard[j] * widths[j] - given, 0)), k = 0..K.

    The CDF at the edges of an event that had not happened when its cumulative hazard was
    `given` (0: from the first edge on).
    """
    total = 0.0
    cdf[0] = 0.0
    for k in range(hazard.shape[0]):
        total += hazard[k] * widths[k]
        cdf[k + 1] = -math.expm1(-max(total - given, 0.0))


@jit
def _cdf_after_back(cdf, widths, d_cdf, d_hazard):
    """Adds the pullback of `_cdf_after` to d_hazard; returns the derivative with respect to -given."""
    suffix = 0.0
    for k in range(cdf.shape[0] - 1, 0, -1):
        if cdf[k] > 0.0:  # past the date of `given`; before it the CDF is 0 whatever the hazards
            suffix += d_cdf[k] * (1.0 - cdf[k])
        d_hazard[k - 1] += widths[k - 1] * suffix
    return suffix


@jit
def _half_bin_cdf(delay_hazard, width, half):
    """half[m] = F_delay((m + 1/2) widths) (riskline.model.chains.half_bin_cdf)."""
    total = 0.0
    for m in range(delay_hazard.shape[0]):
        total += delay_hazard[m] * width
        half[m] = -math.expm1(-(total - 0.5 * width * delay_hazard[m]))


@jit
def _half_bin_cdf_back(half, width, d_half, d_hazard):
    suffix = 0.0
    for m in range(half.shape[0] - 1, -1, -1):
        d_exponent = d_half[m] * (1.0 - half[m])
        suffix += d_exponent
        d_hazard[m] += width * suffix - 0.5 * width * d_exponent


@fast_sums
def _chain_step(parent_cdf, half, child_cdf, edges):
    """child[k+1] = sum_{j<=k} P(parent in bin j) * half[k - j] (riskline.model.chains.chain_step), k+1 < `edges`.

    Only the first `edges` edges are computed (those the windows read), and the sums start at
    the parent's first bin with mass: a chain run given that its root had not happened by a
    date has none before it.
    """
    mass = parent_cdf[1:] - parent_cdf[:-1]
    first = _first_with_mass(mass)
    child_cdf[: first + 1] = 0.0
    for k in range(first, edges - 1):
        total = 0.0
        for j in range(first, k + 1):
            total += mass[j] * half[k - j]
        child_cdf[k + 1] = total


@fast_sums
def _chain_step_back(parent_cdf, half, d_child, d_parent, d_half, edges):
    """The pullback of `_chain_step`; bins before the parent's first mass stay zero whatever the hazards."""
    mass, upstream = parent_cdf[1:] - parent_cdf[:-1], d_child[1:edges]
    bins, first = edges - 1, _first_with_mass(mass)
    for j in range(first, bins):
        d_mass = 0.0
        for k in range(j, bins):
            d_mass += upstream[k] * half[k - j]
        d_parent[j + 1] += d_mass
        d_parent[j] -= d_mass
    for lag in range(bins - first):
        d_half_lag = 0.0
        for j in range(first, bins - lag):
            d_half_lag += upstream[j + lag] * mass[j]
        d_half[lag] += d_half_lag


@jit
def _first_with_mass(mass):
    first = 0
    while first < mass.shape[0] and mass[first] == 0.0:
        first += 1
    return first


@jit
def _roots(parents):
    roots = np.arange(parents.shape[0])
    for e in range(parents.shape[0]):  # parents come before their children
        if parents[e] >= 0:
            roots[e] = roots[parents[e]]
    return roots


@jit
def _condition_bins(condition_exposure, bin_width):
    """Per condition date: the bin holding it (K past the grid) and the years of that bin after it."""
    conditions, bins = condition_exposure.shape
    holding, rest = np.full(conditions, bins), np.zeros(conditions)
    for c in range(conditions):
        for k in range(bins):
            if condition_exposure[c, k] < bin_width[k]:  # the bins before are whole
                holding[c], rest[c] = k, bin_width[k] - condition_exposure[c, k]
                break
    return holding, rest


@jit
def _chain_basis(hazard, bin_width, delay_width, parents, needed, holding):
    """What every condition's chain is mixed from (`_chain_cdfs`); `top[e]`: how many edges of e are read.

    unit (E, K+1): each event's CDF given its chain's root happened in bin 0; given it in bin
    b, the same shifted b edges on (the delays do not depend on the calendar). later (K, E, K+1):
    given the root had not happened by edge b + 1, from later[K-1] = 0 down: the root happens
    in bin b + 1 or, with probability exp(-hazard * width), not by edge b + 2.
    """
    events, bins = hazard.shape
    top, lowest = np.zeros(events, dtype=np.int64), bins
    for c in range(needed.shape[0]):
        for e in range(events):
            if needed[c, e]:
                top[e], lowest = max(top[e], needed[c, e]), min(lowest, holding[c])
    half, unit, later = np.zeros((events, bins)), np.zeros((events, bins + 1)), np.zeros((bins, events, bins + 1))
    for e in range(events):
        if top[e] == 0:
            continue
        if parents[e] < 0:
            unit[e, 1:] = 1.0
        else:
            _half_bin_cdf(hazard[e], delay_width, half[e])
            _chain_step(unit[parents[e]], half[e], unit[e], top[e])
    roots = _roots(parents)
    for b in range(bins - 2, lowest - 1, -1):
        for e in range(events):
            if top[e] <= b + 2:
                continue
            exponent = hazard[roots[e], b + 1] * bin_width[b + 1]
            stays, arrives = math.exp(-exponent), -math.expm1(-exponent)
            for k in range(b + 2, top[e]):
                later[b, e, k] = arrives * unit[e, k - b - 1] + stays * later[b + 1, e, k]
    return half, unit, later, top, lowest


@jit
def _chain_cdfs(hazard, bin_width, delay_width, parents, paths, condition_exposure, needed):
    """Each event's CDF given its chain's root had not happened by each condition date; each relation's delay CDF.

    Returns event_cdf (C, E, K+1), the basis it is mixed from (`_chain_basis`), stage_cdf
    (R, E, K+1), stage_half (R, E, K); `condition_exposure[c]` is the exposure at date c,
    and only the CDFs `needed` (C, E, how many edges) are computed (the others stay zero);
    `paths[r]` lists relation r's events from the ancestor's child down, -1 after.
    Given a date s in bin b, the root happens in the rest of bin b with probability
    1 - exp(-hazard * rest) or else not by edge b + 1, and every CDF of the chain is the
    same mixture of the two cases: each date costs one mixture, not one run of the chain.
    """
    events, bins = hazard.shape
    holding, rest = _condition_bins(condition_exposure, bin_width)
    basis = _chain_basis(hazard, bin_width, delay_width, parents, needed, holding)
    unit, later, roots = basis[1], basis[2], _roots(parents)
    event_cdf = np.zeros((condition_exposure.shape[0], events, bins + 1))
    for c in range(condition_exposure.shape[0]):
        b = holding[c]
        for e in range(events):
            if needed[c, e] <= b + 1:  # nothing read, or the date is past the grid
                continue
            exponent = hazard[roots[e], b] * rest[c]
            stays, arrives = math.exp(-exponent), -math.expm1(-exponent)
            for k in range(b + 1, needed[c, e]):
                event_cdf[c, e, k] = arrives * unit[e, k - b] + stays * later[b, e, k]
    relations = paths.shape[0]
    delay_widths = np.full(bins, delay_width)
    stage_cdf, stage_half = np.zeros((relations, events, bins + 1)), np.zeros((relations, events, bins))
    for r in range(relations):
        _cdf_after(hazard[paths[r, 0]], delay_widths, 0.0, stage_cdf[r, 0])
        for i in range(1, events):
            if paths[r, i] < 0:
                break
            _half_bin_cdf(hazard[paths[r, i]], delay_width, stage_half[r, i])
            _chain_step(stage_cdf[r, i - 1], stage_half[r, i], stage_cdf[r, i], bins + 1)
    return event_cdf, basis, stage_cdf, stage_half


@jit
def _last_stage(paths, r):
    stage = 0
    while stage + 1 < paths.shape[1] and paths[r, stage + 1] >= 0:
        stage += 1
    return stage


@jit
def _chain_cdfs_back(hazard, bin_width, delay_width, parents, paths, condition_exposure, needed, cdfs, d_event_cdf,
                     d_relation_cdf, d_hazard):  # fmt: skip
    _, (half, unit, later, top, lowest), stage_cdf, stage_half = cdfs
    events, bins = hazard.shape
    for r in range(paths.shape[0]):
        d_stage = d_relation_cdf[r].copy()
        for i in range(_last_stage(paths, r), 0, -1):
            d_previous, d_half = np.zeros(bins + 1), np.zeros(bins)
            _chain_step_back(stage_cdf[r, i - 1], stage_half[r, i], d_stage, d_previous, d_half, bins + 1)
            _half_bin_cdf_back(stage_half[r, i], delay_width, d_half, d_hazard[paths[r, i]])
            d_stage = d_previous
        _cdf_after_back(stage_cdf[r, 0], np.full(bins, delay_width), d_stage, d_hazard[paths[r, 0]])
    holding, rest = _condition_bins(condition_exposure, bin_width)
    roots = _roots(parents)
    d_unit, d_later = np.zeros_like(unit), np.zeros_like(later)
    for c in range(condition_exposure.shape[0]):
        b = holding[c]
        for e in range(events):
            if needed[c, e] <= b + 1:
                continue
            exponent = hazard[roots[e], b] * rest[c]
            stays, arrives = math.exp(-exponent), -math.expm1(-exponent)
            d_arrives = 0.0
            for k in range(b + 1, needed[c, e]):
                d_unit[e, k - b] += arrives * d_event_cdf[c, e, k]
                d_later[b, e, k] += stays * d_event_cdf[c, e, k]
                d_arrives += (unit[e, k - b] - later[b, e, k]) * d_event_cdf[c, e, k]
            d_hazard[roots[e], b] += d_arrives * stays * rest[c]
    for b in range(lowest, bins - 1):  # later[b] reads later[b + 1]
        for e in range(events):
            if top[e] <= b + 2:
                continue
            exponent = hazard[roots[e], b + 1] * bin_width[b + 1]
            stays, arrives = math.exp(-exponent), -math.expm1(-exponent)
            d_arrives = 0.0
            for k in range(b + 2, top[e]):
                d_unit[e, k - b - 1] += arrives * d_later[b, e, k]
                d_later[b + 1, e, k] += stays * d_later[b, e, k]
                d_arrives += (unit[e, k - b - 1] - later[b + 1, e, k]) * d_later[b, e, k]
            d_hazard[roots[e], b + 1] += d_arrives * stays * bin_width[b + 1]
    d_half = np.zeros((events, bins))
    for e in range(events - 1, -1, -1):
        if parents[e] >= 0 and top[e]:
            _chain_step_back(unit[parents[e]], half[e], d_unit[e], d_unit[parents[e]], d_half[e], top[e])
            _half_bin_cdf_back(half[e], delay_width, d_half[e], d_hazard[e])


# ---- window probabilities --------------------------------------------------------------


@jit
def _tail_values(hazard, bin_width, stage_cdf, paths):
    """What the window rows read after the event CDFs: relations' delay CDFs, then cumulative hazards (event, edge)."""
    events, bins = hazard.shape
    edges, relations = bins + 1, paths.shape[0]
    values = np.zeros((relations + events) * edges)
    for r in range(relations):
        values[r * edges : (r + 1) * edges] = stage_cdf[r, _last_stage(paths, r)]
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
    q = exp(-before) (1 - exp(-within)). `delay_width` is a one-element array (a 0-d array is
    not a number to numba's math).
    """
    cdfs = _chain_cdfs(hazard, bin_width, delay_width[0], parents, paths, condition_exposure, condition_edges)
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
def _statements_logp(hazard, bias, noise, bin_width, delay_width, mask, source, logit_low, logit_high, is_survey,
                     survey_mu, survey_sigma, confidence, edge_columns, edge_weights, condition_exposure,
                     condition_edges, parents, paths, points):  # fmt: skip
    """The log likelihood of every statement and its gradient for hazard, bias and noise."""
    hazard = np.ascontiguousarray(hazard)
    estimates = mask.shape[0]
    q, reads, tail_size, cdfs = _window_q(hazard, bin_width, delay_width, estimates, edge_columns, edge_weights,
                                          condition_exposure, condition_edges, parents, paths, points)  # fmt: skip
    d_q, d_bias, d_noise = np.zeros_like(q), np.zeros_like(bias), np.zeros_like(noise)
    values, slopes, spreads = np.zeros(points), np.zeros(points), np.zeros(points)
    total = 0.0
    for n in range(estimates):
        if mask[n] == 0.0:
            continue
        s = 0
        while source[n, s] == 0.0 and s + 1 < bias.shape[0]:  # a row holds one source (riskline.model.encoding)
            s += 1
        shift, scale = source[n, s] * bias[s], source[n, s] * noise[s] * confidence[n]
        top, computed = -math.inf, 0
        for f in range(points):
            if f > 0 and q[n, f] == q[n, f - 1]:  # an exact end: every point the same
                values[f], slopes[f], spreads[f] = values[f - 1], slopes[f - 1], spreads[f - 1]
                continue
            centre = _belief_centre(q[n, f], shift)
            if is_survey[n] > 0:
                values[f], slopes[f], spreads[f] = _survey_logp(survey_mu[n], survey_sigma[n], centre, scale)
            else:
                values[f], slopes[f], spreads[f] = interval_logp(logit_low[n], logit_high[n], centre, scale)
            top, computed = max(top, values[f]), computed + 1
        mean = top  # the log of the average likelihood; of equal ones, without exponentials
        if computed > 1:
            spread_sum = 0.0
            for f in range(points):
                spread_sum += math.exp(values[f] - top)
            mean = top + math.log(spread_sum / points)
        total += mask[n] * mean
        d_shift = d_scale = 0.0
        for f in range(points):
            weight = mask[n] * (math.exp(values[f] - mean) if computed > 1 else 1.0) / points
            d_shift += weight * slopes[f]
            d_scale += weight * spreads[f]
            inside = CLIP < q[n, f] < 1 - CLIP
            d_q[n, f] = weight * slopes[f] / (q[n, f] * (1 - q[n, f])) if inside else 0.0
        d_bias[s] += d_shift * source[n, s]
        d_noise[s] += d_scale * confidence[n] * source[n, s]
    rows = estimates * points
    d_reads = np.zeros_like(reads)
    d_reads[:rows] = d_q.ravel()
    for n in range(estimates):
        if edge_weights[rows + n * points, 0] == 0.0:
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
    for r in range(edge_weights.shape[0]):
        for t in range(edge_weights.shape[1] if d_reads[r] != 0.0 else 0):
            if edge_weights[r, t] == 0.0:
                break
            column = edge_columns[r, t]
            if column < d_chain.size:
                d_chain[column] += edge_weights[r, t] * d_reads[r]
            else:
                d_tail[column - d_chain.size] += edge_weights[r, t] * d_reads[r]
    d_hazard = np.zeros_like(hazard)
    events, bins = hazard.shape
    edges, relations = bins + 1, paths.shape[0]
    for e in range(events):
        suffix = 0.0
        for k in range(bins - 1, -1, -1):
            suffix += d_tail[(relations + e) * edges + k + 1]
            d_hazard[e, k] += bin_width[k] * suffix
    d_relation_cdf = d_tail[: relations * edges].copy().reshape((relations, edges))
    _chain_cdfs_back(hazard, bin_width, delay_width[0], parents, paths, condition_exposure, condition_edges, cdfs,
                     d_event_cdf, d_relation_cdf, d_hazard)  # fmt: skip
    return np.array(total), d_hazard, d_bias, d_noise


# ---- the PyTensor operations -----------------------------------------------------------


class _StructureOp(Op):
    """An operation fixed by the chain topology and the number of fuzzy ends (its props)."""

    __props__ = ("parents", "paths", "points")

    def __init__(self, structure: ModelStructure):
        self.parents = structure.parents
        self.paths = _relation_paths(structure)
        self.points = structure.fuzzy_points

    def tensors(self, args) -> list:
        """The arguments as tensors of the dtypes the kernels read (pm.Data stores integers as int32)."""
        names = _ARRAYS[: len(args)]
        return [
            pt.cast(pt.as_tensor_variable(x), "int64" if n in _INTEGER_ARRAYS else "float64")
            for n, x in zip(names, args, strict=True)
        ]

    def constants(self):
        paths = np.array(self.paths, dtype=np.int64).reshape(-1, len(self.parents))
        return np.array(self.parents, dtype=np.int64), paths, self.points


class StatementsLogp(_StructureOp):
    """(hazard, bias, noise, *data) -> (log likelihood, d/d hazard, d/d bias, d/d noise).

    The gradient outputs are the value's pullback: asking PyTensor for the gradient of the
    first output reuses them, so value and gradient come from one pass.
    """

    def make_node(self, hazard, bias, noise, *data):
        inputs = self.tensors((hazard, bias, noise, *data))
        outputs = [pt.dscalar(), inputs[0].type(), inputs[1].type(), inputs[2].type()]
        return Apply(self, inputs, outputs)

    def perform(self, node, inputs, output_storage):
        results = _statements_logp(*inputs, *self.constants())
        for storage, value in zip(output_storage, results, strict=True):
            storage[0] = np.asarray(value)

    def infer_shape(self, node, shapes):
        return [(), shapes[0], shapes[1], shapes[2]]

    def pullback(self, inputs, outputs, cotangents):
        if any(not isinstance(c.type, DisconnectedType) for c in cotangents[1:]):
            raise NotImplementedError("only the log likelihood of StatementsLogp is differentiable")
        upstream = cotangents[0]
        gradients = [upstream * outputs[1], upstream * outputs[2], upstream * outputs[3]]
        return gradients + [disconnected_type() for _ in inputs[3:]]

    def connection_pattern(self, node):
        differentiable = [[True, False, False, False]] * 3
        return differentiable + [[False] * 4 for _ in node.inputs[3:]]


class WindowProbability(_StructureOp):
    """(hazard, bias, noise, *data) -> each estimate's q, averaged over its fuzzy ends."""

    def make_node(self, hazard, bias, noise, *data):
        return Apply(self, self.tensors((hazard, bias, noise, *data)), [pt.dvector()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = _window_probability(*inputs, *self.constants())

    def infer_shape(self, node, shapes):
        return [(shapes[5][0],)]


@jit
def _window_probability(hazard, bias, noise, bin_width, delay_width, mask, source, logit_low, logit_high, is_survey,
                        survey_mu, survey_sigma, confidence, edge_columns, edge_weights, condition_exposure,
                        condition_edges, parents, paths, points):  # fmt: skip
    q = _window_q(np.ascontiguousarray(hazard), bin_width, delay_width, mask.shape[0], edge_columns, edge_weights,
                  condition_exposure, condition_edges, parents, paths, points)[0]  # fmt: skip
    out = np.zeros(q.shape[0])
    for n in range(q.shape[0]):
        out[n] = q[n].mean()
    return out


def _relation_paths(structure: ModelStructure) -> tuple[int, ...]:
    """Each relation's events from the ancestor's child down to the event, padded with -1, flat."""
    flat: list[int] = []
    for event, ancestor in structure.relations:
        path = relation_path(structure.parents, ancestor, event)
        flat += path + [-1] * (structure.n_events - len(path))
    return tuple(flat)


# ---- calling the kernels from the sampler -------------------------------------------------
#
# nutpie compiles each model structure's graph into one numba cfunc. A kernel called from it
# as a numba function is compiled and optimised again inside each of them: +10 to +25 s per
# structure. So each kernel is compiled once as a C function (then loaded from numba's disk
# cache), registered with LLVM under a symbol name, and the graph calls that symbol: the
# graph stays cacheable by PyTensor (no address is baked into it) and a structure's compile
# only adds the call. The C functions take three int64 arrays: the addresses of the input
# arrays (in `_ARRAYS` order), the sizes below, and the addresses of the outputs.

_ARRAYS = ("hazard", "bias", "noise", *DATA_INPUTS, "parents", "paths")
_ARGUMENTS, _SIZES = len(_ARRAYS), 9  # the lengths of the first two arrays (see `_arguments`)
_INTEGER_ARRAYS = {"window_edge_columns", "condition_edges", "parents", "paths"}
_C_SIGNATURE = numba.types.void(*[numba.types.CPointer(numba.types.int64)] * 3)
_STATEMENTS_SYMBOL, _WINDOWS_SYMBOL = "riskline_statements_logp", "riskline_window_probability"
_statements_logp_symbol = numba.types.ExternalFunction(_STATEMENTS_SYMBOL, _C_SIGNATURE)
_window_probability_symbol = numba.types.ExternalFunction(_WINDOWS_SYMBOL, _C_SIGNATURE)


@numba.extending.intrinsic
def pointer(typingctx, address):
    """The int64 `address` as a void pointer, for numba.carray (the sampler's generated code uses it too)."""

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(numba.types.voidptr))

    return numba.types.voidptr(numba.types.int64), codegen


@jit
def _arguments(inputs, parents, paths, points):
    """What the C functions take first: the input arrays' addresses (`_ARRAYS` order) and the sizes.

    The sizes: E, K (events, bins), S (sources), N (estimates), R, T (window rows, terms), P
    (relations), C (condition dates), and the number of fuzzy ends.
    """
    events, bins = inputs[0].shape
    rows, terms = inputs[14].shape
    sizes = np.array([events, bins, inputs[1].shape[0], inputs[5].shape[0], rows, terms, paths.shape[0],
                      inputs[15].shape[0], points], dtype=np.int64)  # fmt: skip
    return _addresses((*inputs, parents, paths)), sizes


@jit
def _from_addresses(addresses, sizes):
    """The kernel's arguments, as arrays over the caller's memory."""
    e, k, s, n, r, t, p, c = sizes[:8]

    def floats(i, shape):
        return numba.carray(pointer(addresses[i]), shape, np.float64)

    def integers(i, shape):
        return numba.carray(pointer(addresses[i]), shape, np.int64)

    return (floats(0, (e, k)), floats(1, s), floats(2, s), floats(3, k), floats(4, 1), floats(5, n),
            floats(6, (n, s)), floats(7, n), floats(8, n), floats(9, n), floats(10, n), floats(11, n),
            floats(12, n), integers(13, (r, t)), floats(14, (r, t)), floats(15, (c, k)), integers(16, (c, e)),
            integers(17, e), integers(18, (p, e)))  # fmt: skip


def _statements_logp_c(addresses, sizes, outputs):
    addresses, sizes, outputs = (
        numba.carray(addresses, _ARGUMENTS),
        numba.carray(sizes, _SIZES),
        numba.carray(outputs, 4),
    )
    arrays = _from_addresses(addresses, sizes)
    total, d_hazard, d_bias, d_noise = _statements_logp(*arrays, sizes[8])
    numba.carray(pointer(outputs[0]), 1, np.float64)[0] = total[()]
    numba.carray(pointer(outputs[1]), d_hazard.shape, np.float64)[:] = d_hazard
    numba.carray(pointer(outputs[2]), d_bias.shape, np.float64)[:] = d_bias
    numba.carray(pointer(outputs[3]), d_noise.shape, np.float64)[:] = d_noise


def _window_probability_c(addresses, sizes, outputs):
    addresses, sizes, outputs = (
        numba.carray(addresses, _ARGUMENTS),
        numba.carray(sizes, _SIZES),
        numba.carray(outputs, 1),
    )
    q = _window_probability(*_from_addresses(addresses, sizes), sizes[8])
    numba.carray(pointer(outputs[0]), q.shape, np.float64)[:] = q


@functools.cache
def _register_kernels() -> tuple:
    """Compile the C functions (or load them from numba's cache) and register their symbols with LLVM.

    Returns the compiled functions, which the cache keeps alive for the process: their code
    must outlive every graph that calls it.
    """
    compiled = []
    for symbol, kernel in ((_STATEMENTS_SYMBOL, _statements_logp_c), (_WINDOWS_SYMBOL, _window_probability_c)):
        compiled.append(numba.cfunc(_C_SIGNATURE, cache=True, error_model="numpy")(kernel))
        llvmlite.binding.add_symbol(symbol, compiled[-1].address)
    return tuple(compiled)


@jit
def _addresses(arrays):
    addresses = np.empty(len(arrays), dtype=np.int64)
    i = 0
    for array in literal_unroll(arrays):  # numba has no enumerate over a tuple of mixed types
        if not array.flags.c_contiguous:
            raise ValueError("riskline's likelihood kernels need C-contiguous arrays")
        addresses[i] = array.ctypes.data
        i += 1  # noqa: SIM113
    return addresses


SOURCE_VERSION = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:15], 16)
"""Part of the key under which PyTensor caches the compiled graph: an edit here recompiles."""


@register_funcify_default_op_cache_key(StatementsLogp)
def _funcify_statements_logp(op, **kwargs):
    parents, paths, points = op.constants()
    _register_kernels()

    @numba.njit
    def apply(*inputs):
        addresses, sizes = _arguments(inputs, parents, paths, points)
        total, d_hazard, d_bias, d_noise = (
            np.zeros(1),
            np.empty(inputs[0].shape),
            np.empty(inputs[1].shape),
            np.empty(inputs[2].shape),
        )
        outputs = _addresses((total, d_hazard, d_bias, d_noise))
        _statements_logp_symbol(addresses.ctypes, sizes.ctypes, outputs.ctypes)
        return np.array(total[0]), d_hazard, d_bias, d_noise

    return apply, SOURCE_VERSION


@register_funcify_default_op_cache_key(WindowProbability)
def _funcify_window_probability(op, **kwargs):
    parents, paths, points = op.constants()
    _register_kernels()

    @numba.njit
    def apply(*inputs):
        addresses, sizes = _arguments(inputs, parents, paths, points)
        q = np.empty(inputs[5].shape[0])
        _window_probability_symbol(addresses.ctypes, sizes.ctypes, _addresses((q,)).ctypes)
        return q

    return apply, SOURCE_VERSION


def _inputs(hazard, bias, noise, data: dict) -> list:
    """The operations' arguments."""
    given = data | {"delay_width": pt.reshape(data["delay_width"], (1,))}
    return [hazard, bias, noise, *(given[name] for name in DATA_INPUTS)]


def statements_logp(structure: ModelStructure, hazard, bias, noise, data: dict):
    """The statements' log likelihood (a PyTensor scalar, differentiable in its first three arguments)."""
    # Op.__call__ gives a list for an Op of several outputs; pytensor annotates it as a Variable or a list
    return StatementsLogp(structure)(*_inputs(hazard, bias, noise, data))[0]  # type: ignore[index]


def window_probability(structure: ModelStructure, hazard, bias, noise, data: dict):
    """Each estimate's window probability q (the mean over fuzzy ends), a PyTensor vector."""
    return WindowProbability(structure)(*_inputs(hazard, bias, noise, data))

"""Event chains on the grid, compiled: each event's CDF at the grid's edges, and the pullbacks of them.

A triggered event happens a delay after its trigger, the trigger at the middle of its bin
and the delay in whole bins of the grid's mean width (riskline.model.chains runs the same
chain in NumPy over draws, for the forecast; the tests check that the two agree). The
statements read a chain's CDFs given that its root had not happened by each statement's
issue date (`chain_cdfs`), and the delay's CDF of each relation between an ancestor and an
event (a window counted from the ancestor). `chain_cdfs_back` adds their pullback to the
hazards' gradient, for the statements' log density (riskline.model.likelihood.kernels).
"""

from __future__ import annotations

import math

import numpy as np

from riskline.model.likelihood.jit import fast_sums, jit

__all__ = ["chain_cdfs", "chain_cdfs_back", "last_stage"]


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
    """What every condition's chain is mixed from (`chain_cdfs`); `top[e]`: how many edges of e are read.

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
def chain_cdfs(hazard, bin_width, delay_width, parents, paths, condition_exposure, needed):
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
def last_stage(paths, r):
    """The index of relation r's event in `paths[r]` (its last entry before the -1 padding)."""
    stage = 0
    while stage + 1 < paths.shape[1] and paths[r, stage + 1] >= 0:
        stage += 1
    return stage


@jit
def chain_cdfs_back(hazard, bin_width, delay_width, parents, paths, condition_exposure, needed, cdfs, d_event_cdf,
                    d_relation_cdf, d_hazard):  # fmt: skip
    """Adds to d_hazard the pullback of `chain_cdfs` (which returned `cdfs`) of d_event_cdf and d_relation_cdf."""
    _, (half, unit, later, top, lowest), stage_cdf, stage_half = cdfs
    events, bins = hazard.shape
    for r in range(paths.shape[0]):
        d_stage = d_relation_cdf[r].copy()
        for i in range(last_stage(paths, r), 0, -1):
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

"""When each event happens, given the hazards: root events and event chains.

The forecast runs these in NumPy over posterior draws: every function works on the last
axes, so leading draw dimensions pass through. The model's likelihood runs the same chain
as compiled loops with their gradient (riskline.model.likelihood); the tests check that
the two agree.

- A root event has a hazard per calendar bin. Given that it had not happened by a date s,
  its CDF at the grid edges is 1 - exp(-(L(edge) - L(s))), zero before s.
- A triggered event (`after: parent`) has a hazard per *delay* bin: bin m covers m to m+1
  bin widths after the parent happened. Its CDF is the discrete convolution
  F(t_k) = sum_j P(parent in bin j) * F_delay(t_k - mid_j), with the parent placed at the
  middle of its bin (an error of at most half a bin) and the delay measured in whole bins
  of the grid's mean width, so the sum is a discrete convolution (an FFT convolution over
  draws here).
- Between edges, a triggered event's CDF is interpolated linearly; a root event's is exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.signal import fftconvolve

__all__ = [
    "chain_step",
    "cumulative_at_edges",
    "delay_cdf_at_edges",
    "event_cdfs_at_edges",
    "half_bin_cdf",
    "relation_path",
    "relative_cdfs_at_edges",
    "root_cdf_between",
    "root_cdf_edges",
]


def cumulative_at_edges(hazard, widths):
    """(..., K) hazards and bin widths -> (..., K+1) cumulative hazard at the edges, 0 first."""
    total = np.cumsum(hazard * widths, axis=-1)
    return np.concatenate([np.zeros_like(total[..., :1]), total], axis=-1)


def root_cdf_edges(hazard, widths, exposure_given):
    """(..., n, K+1): P(T <= edge | T > s_n) for a root event; `exposure_given` is (n, K)."""
    at_edges = cumulative_at_edges(hazard, widths)
    at_given = np.matmul(hazard, exposure_given.T)
    return -np.expm1(-np.maximum(at_edges[..., None, :] - at_given[..., :, None], 0.0))


def root_cdf_between(hazard, exposure_given, exposure_at):
    """Exact P(T <= t | T > s) for a root event: hazards (..., K), exposures (1, K) at s and (D, K) at t -> (..., D).

    One matrix product over the bins, not a sum over a broadcast product (benchmarks/README.md, "Output speed").
    """
    gap = np.matmul(hazard, (exposure_at - exposure_given).T)
    return -np.expm1(-np.maximum(gap, 0.0))


def half_bin_cdf(delay_hazard, delay_width):
    """(..., K): F_delay((m + 1/2) bin widths), m = 0..K-1."""
    cumulative = np.cumsum(delay_hazard, axis=-1) * delay_width
    return -np.expm1(-(cumulative - 0.5 * delay_width * delay_hazard))


def delay_cdf_at_edges(delay_hazard, delay_width):
    """(..., K+1): F_delay at whole numbers of bin widths after the trigger (exact)."""
    return -np.expm1(-cumulative_at_edges(delay_hazard, delay_width))


def chain_step(parent_cdf_edges, delay_hazard, delay_width):
    """(..., n, K+1) CDF of the parent at the edges -> the same for its triggered child.

    child[k] = sum_{j<k} P(parent in bin j) * F_delay((k - j - 1/2) widths), k = 0..K.
    """
    mass = np.diff(parent_cdf_edges, axis=-1)  # (..., n, K): P(parent in bin j)
    half = half_bin_cdf(delay_hazard, delay_width)[..., None, :]  # (..., 1, K)
    convolved = fftconvolve(mass, half, axes=-1)[..., : mass.shape[-1]]
    return np.concatenate([np.zeros_like(convolved[..., :1]), convolved], axis=-1)


def event_cdfs_at_edges(hazard, parents: Sequence[int], widths, delay_width, exposure_given):
    """(..., E, n, K+1): each event's CDF at the grid edges given no event of its chain by s_n.

    `parents[e]` is the index of e's trigger or -1; parents come before their children.
    `exposure_given` (n, K) holds the exposures at the dates s_n (zeros: from the grid's start).
    """
    cdfs: list = []
    for event, parent in enumerate(parents):
        if parent >= 0:
            cdfs.append(chain_step(cdfs[parent], hazard[..., event, :], delay_width))
        else:
            cdfs.append(root_cdf_edges(hazard[..., event, :], widths, exposure_given))
    return np.stack(cdfs, axis=-3)


def relative_cdfs_at_edges(hazard, parents: Sequence[int], relations, delay_width):
    """(..., R, K+1): CDF of the time from an ancestor to an event, at whole bin widths.

    `relations` lists (event, ancestor) pairs; the path between them is followed down the
    chain, convolving each link's delay.
    """
    out = []
    for event, ancestor in relations:
        path = relation_path(parents, ancestor, event)
        cdf = delay_cdf_at_edges(hazard[..., path[0], :], delay_width)
        for link in path[1:]:
            cdf = chain_step(cdf[..., None, :], hazard[..., link, :], delay_width)[..., 0, :]
        out.append(cdf)
    return np.stack(out, axis=-2)


def relation_path(parents: Sequence[int], ancestor: int, event: int) -> list[int]:
    """The events below `ancestor` down to `event`, in order (ValueError if not a descendant)."""
    path = [event]
    while parents[path[0]] != ancestor:
        if parents[path[0]] < 0:
            raise ValueError(f"event {event} does not descend from event {ancestor}")
        path.insert(0, parents[path[0]])
    return path

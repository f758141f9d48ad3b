"""A scenario as the model sees it: a structure (what is compiled) and data (what is fed).

The *structure* fixes the shapes and the chain topology: the number of grid bins, which
event waits for which, the hazard kind, capacities for estimates, sources, signposts and
the dates a triggered event's chain is conditioned on (rounded up, unused rows masked),
and whether any window has a fuzzy end. Two
scenarios with the same structure share one compiled model; everything else (dates,
phrases, priors) is *data*, swapped in without recompiling. That is what makes a refit
after editing a prior take seconds, not the minute a compile takes.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from riskline.config.priors import HazardSettings
from riskline.config.scenario import Estimate, Scenario, Window
from riskline.model.grid import TimeGrid, edge_weights
from riskline.model.statement import stated_bounds

__all__ = ["ModelStructure", "encode", "scenario_grid", "window_closed"]

EDGE_TERMS = 4
"""Terms per row of the window matrix, stored sparse (`_estimate_data`)."""

CAPACITY_STEP = 8
"""Capacities are rounded up to multiples of this, so adding a statement rarely recompiles."""

ANCHOR_DELAY = 1.0
"""Years after its trigger at which a triggered event's walk is anchored (`knot_factors`)."""
ANCHOR_HALF_WIDTH = 3.0
"""Years either side of an anchor over which its weights fall to 0 (`knot_factors`)."""


@dataclass(frozen=True)
class ModelStructure:
    """Everything that fixes the compiled model's graph; hashable, the cache key."""

    parents: tuple[int, ...]
    relations: tuple[tuple[int, int], ...]
    n_bins: int
    n_knots: int
    hazard_kind: str
    estimate_capacity: int
    """Rows for estimates: the scenario's count rounded up (`_capacity`), so that an added one fits."""
    source_capacity: int
    """Rows for sources, likewise."""
    signpost_capacity: int
    """Rows for signposts, likewise (0: none)."""
    fuzzy_points: int
    condition_capacity: int
    """Rows for the issue dates of calendar windows on triggered events (0: none)."""
    latent_chains: tuple[tuple[int, int], ...] = ()
    """(latent first event, the observed event right after it): each adds log P(observed one not by as_of)."""

    @property
    def n_events(self) -> int:
        return len(self.parents)


def scenario_grid(scenario: Scenario) -> TimeGrid:
    """The grid from the scenario's start (`Scenario.start`) to the horizon."""
    return TimeGrid.covering(scenario.start(), scenario.horizon, scenario.spec.grid)


def _capacity(count: int) -> int:
    return max(CAPACITY_STEP, math.ceil(count / CAPACITY_STEP) * CAPACITY_STEP)


def encode(scenario: Scenario) -> tuple[ModelStructure, dict[str, np.ndarray]]:
    """The structure and the data arrays of `scenario` (see the module docstring)."""
    grid = scenario_grid(scenario)
    ids = [e.id for e in scenario.events]
    relations = sorted({(ids.index(e.spec.event), ids.index(e.window.after)) for e in scenario.estimates
                        if not isinstance(e.window, Window)})  # fmt: skip
    conditions = _condition_dates(scenario)
    structure = ModelStructure(
        parents=tuple(scenario.parent(e) for e in scenario.events),
        relations=tuple(relations),
        n_bins=grid.n_bins,
        n_knots=_knot_count(grid, scenario.hazard.knot_spacing),
        hazard_kind=scenario.hazard.kind,
        estimate_capacity=_capacity(len(scenario.estimates)),
        source_capacity=_capacity(len(scenario.sources)),
        signpost_capacity=_capacity(len(scenario.signposts)) if scenario.signposts else 0,
        fuzzy_points=scenario.priors.model.fuzzy_window_points
        if any(e.window.fuzzy for e in scenario.estimates)
        else 1,
        condition_capacity=_capacity(len(conditions)) if conditions else 0,
        latent_chains=tuple((root, child) for root, child in scenario.latent_chains() if child is not None),
    )
    data = _grid_data(scenario, grid) | _hazard_data(scenario, grid, structure) | _source_data(scenario, structure)
    data |= _estimate_data(scenario, grid, structure, conditions) | _signpost_data(scenario, grid, structure)
    for index, estimate in enumerate(scenario.estimates):
        if estimate.id in scenario.muted:
            data = leave_out(data, index)
    return structure, data


def _condition_dates(scenario: Scenario) -> list[date | None]:
    """The distinct conditions of calendar windows on triggered events: issue dates in order, then None.

    Such a statement speaks of its event's chain given that the chain's root had not happened
    by the issue date (docs/model.md), so the model runs the chain once per date. In a chain
    whose first event is latent nobody knows whether it has happened: the chain runs from
    the grid's start (None).
    """
    triggered = [e for e in scenario.estimates if isinstance(e.window, Window) and scenario.event(e.spec.event).after]
    dates = sorted({e.spec.issued for e in triggered if _chain_observed(scenario, e)})
    return dates + ([None] if any(not _chain_observed(scenario, e) for e in triggered) else [])


def _condition(scenario: Scenario, estimate: Estimate) -> date | None:
    """The condition a calendar window on a triggered event is read under (`_condition_dates`)."""
    return estimate.spec.issued if _chain_observed(scenario, estimate) else None


def _chain_observed(scenario: Scenario, estimate: Estimate) -> bool:
    """Whether the first event of the estimate's chain is observed (its absence by the issue date known)."""
    return scenario.root(scenario.event(estimate.spec.event)).is_observed


def _exposures(grid: TimeGrid, dates: list[date | None]) -> np.ndarray:
    """`grid.exposure`, with None for the grid's start (no exposure)."""
    rows = np.zeros((len(dates), grid.n_bins))
    known = [i for i, d in enumerate(dates) if d is not None]
    if known:
        rows[known] = grid.exposure([d for d in dates if d is not None])  # in the order of `known`
    return rows


def latent_survival_weights(grid: TimeGrid, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """What P(the observed event of a latent chain happened by as_of) needs: (before (K,), weights (K, K+1)).

    P = sum_j P(first event in bin j) F_delay(as_of - mid_j) over the bins whose middle is
    before as_of (`before`), the trigger at its bin's middle as in every chain (docs/model.md);
    `weights[j]` interpolates the delay's cumulative hazard at as_of - mid_j between whole
    delay bins (zero for the other bins).
    """
    middles = grid.years(grid.edges[:-1]) + grid.widths / 2
    delay = grid.years([as_of])[0] - middles
    before = (delay > 0).astype(float)
    weights = _uniform_weights(np.clip(delay, 0.0, None), grid.widths.mean(), grid.n_bins)
    return before, weights * before[:, None]


def _grid_data(scenario: Scenario, grid: TimeGrid) -> dict[str, np.ndarray]:
    return {
        "bin_width": grid.widths,
        "delay_width": np.array(grid.widths.mean()),
        "exposure_as_of": grid.exposure([scenario.as_of])[0],
    }


def _knot_count(grid: TimeGrid, spacing: float) -> int:
    return max(2, math.ceil(grid.years([grid.edges[-1]])[0] / spacing) + 1)


def _hazard_data(scenario: Scenario, grid: TimeGrid, structure: ModelStructure) -> dict[str, np.ndarray]:
    """Base rates, their spread, and the random walk as one matrix from standard normals to log hazards.

    Root events walk in calendar time from the grid's start, triggered events in delay
    time from their trigger (bins of the grid's mean width); each bin's log hazard is the
    linear interpolation of the walk at the bin's middle. The log hazards at the knots are
    linear in the standard normals (`knot_factors`) and the interpolation is linear, so
    `walk_weights` maps the standard normals of all events, (event, knot) flattened,
    straight to the (event, bin) log hazards less the base rates' logs: one matrix product
    in the model. `level_weights` maps them to the log hazard at knot 0, the level.
    """
    rates = [scenario.base_rate(e) for e in scenario.events]
    roots = np.array([scenario.parent(e) < 0 for e in scenario.events])
    data = {
        "log_base_rate": np.log([r.per_year for r in rates]),
        "base_rate_log_sd": np.array([r.log_sd for r in rates]),
        "observed_root": np.array([r and e.is_observed for r, e in zip(roots, scenario.events, strict=True)], float),
    }
    if structure.latent_chains:
        data["latent_before"], data["latent_delay_weights"] = latent_survival_weights(grid, scenario.as_of)
    if structure.hazard_kind != "random_walk":
        return data
    spacing, events, bins, knots = scenario.hazard.knot_spacing, len(rates), grid.n_bins, structure.n_knots
    calendar_middles = grid.years(grid.edges[:-1]) + grid.widths / 2
    delay_middles = (np.arange(bins) + 0.5) * grid.widths.mean()
    walk, level = np.zeros((events, bins, events, knots)), np.zeros((events, events, knots))
    for event, (root, factor) in enumerate(zip(roots, knot_factors(scenario, grid, knots), strict=True)):
        walk[event, :, event] = (
            _uniform_weights(calendar_middles if root else delay_middles, spacing, knots - 1) @ factor
        )
        level[event, event] = factor[0]
    return data | {
        "walk_weights": walk.reshape(events * bins, events * knots),
        "level_weights": level.reshape(events, events * knots),
    }


def knot_factors(scenario: Scenario, grid: TimeGrid, knots: int) -> np.ndarray:
    """(event, knot, knot): F per event, whose log hazards at the knots are log r + F z, z standard normal.

    The prior of docs/model.md, "Hazard": a level of sd s plus the walk of `_knot_weights`,
    covariance S = F0 F0' with F0 = [s 1 | walk]. Any F with F F' = S is the same prior;
    this one (`_anchored_factor`) starts from an average the statements speak of: a root
    event's log hazard around as_of (issued before it, the statements speak of the years
    around it, and the survival evidence runs up to it), a triggered event's ANCHOR_DELAY
    after its trigger, each at the nearest knot (so that moving as_of a little changes
    nothing: `update` reweights draws through the same factor); the weights fall linearly
    to 0 ANCHOR_HALF_WIDTH either side (at least one knot spacing). Parametrised from the
    level at the grid's start, which the statements barely see, the level traded off
    against the walk's first steps: a ridge that NUTS crossed in long trees.
    """
    hazard = scenario.hazard
    at = np.arange(knots) * hazard.knot_spacing
    half_width = max(ANCHOR_HALF_WIDTH, hazard.knot_spacing)
    walk = _knot_weights(knots - 1, hazard.knot_spacing, hazard)
    as_of = grid.years([scenario.as_of])[0]
    factors = []
    for event in scenario.events:
        centre = as_of if scenario.parent(event) < 0 else ANCHOR_DELAY
        weights = np.clip(1 - np.abs(at - at[np.argmin(np.abs(at - centre))]) / half_width, 0.0, None)
        start = np.hstack([np.full((knots, 1), scenario.base_rate(event).log_sd), walk])
        factors.append(_anchored_factor(start @ start.T, weights / weights.sum()))
    return np.array(factors)


def _anchored_factor(covariance: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """F with F F' = `covariance`: its first column gives w'x (standardised), the rest a Cholesky factor given it.

    After the average come the knots after its heaviest knot c, then those before c going
    back, each given the average and the knots before it in that order; x_c follows from
    the average and the others.
    """
    knots, centre = len(weights), int(np.argmax(weights))
    others = np.r_[centre + 1 : knots, centre - 1 : -1 : -1]
    spread = covariance @ weights
    given = covariance - np.outer(spread, spread) / (weights @ spread)  # the covariance given w'x
    factor = np.empty((knots, knots))
    factor[:, 0] = spread / np.sqrt(weights @ spread)
    factor[others, 1:] = np.linalg.cholesky(given[np.ix_(others, others)])
    factor[centre, 1:] = -(weights[others] @ factor[others, 1:]) / weights[centre]
    return factor


def _knot_weights(steps: int, spacing: float, hazard: HazardSettings) -> np.ndarray:
    """(knot, step): how much each standard-normal step moves the walk at each knot (its definition).

    Knot 0 is 0. A random walk: knot m holds the sum of steps 0..m-1, each sigma sqrt(h).
    With reversion time theta (Ornstein-Uhlenbeck, docs/model.md): each knot keeps
    phi = exp(-h / theta) of the one before, and step j reaches knot m > j as
    phi^(m-1-j) sigma sqrt(theta (1 - phi^2) / 2), which tends to the random walk's as theta grows.
    The model samples another factor of the same prior (`knot_factors`).
    """
    sigma = hazard.smoothness
    if hazard.reversion is None:
        phi, scale = 1.0, sigma * np.sqrt(spacing)
    else:
        phi = np.exp(-spacing / hazard.reversion)
        scale = sigma * np.sqrt(hazard.reversion * (1 - phi**2) / 2)
    lag = np.arange(steps + 1)[:, None] - 1 - np.arange(steps)[None, :]
    return np.where(lag >= 0, scale * phi ** np.clip(lag, 0, None), 0.0)


def _source_data(scenario: Scenario, structure: ModelStructure) -> dict[str, np.ndarray]:
    classes = [scenario.source_class(s) for s in scenario.sources]
    pad = structure.source_capacity - len(classes)
    return {
        "bias_mean": np.pad([c.bias.mean for c in classes], (0, pad)),
        "bias_sd": np.pad([c.bias.sd for c in classes], (0, pad), constant_values=1.0),
        "noise_median": np.pad([c.noise.median for c in classes], (0, pad), constant_values=1.0),
        "noise_log_sd": np.pad([c.noise.log_sd for c in classes], (0, pad)),
    }


def _estimate_data(
    scenario: Scenario, grid: TimeGrid, structure: ModelStructure, conditions: list
) -> dict[str, np.ndarray]:
    """Per estimate: what it says, and where its window lies as rows of one sparse matrix.

    A statement whose window closed by as_of (`window_closed`) is not data about the hazard
    (`estimate_mask` 0) but a forecast of its source that failed (`closed_window` 1, with the
    centre of what it stated, `stated_centre`): docs/model.md, "Closed windows".
    The window matrix (`window_edge_columns`, `window_edge_weights`) reads a vector of the model's values at the grid's
    edges: for triggered events, the chain's CDFs given its root had not happened by each
    condition date (`condition_exposure`, the exposures at those dates; `conditions` are the
    dates, `_condition_dates`); for windows relative to an ancestor, the relation's delay
    CDF; and each event's cumulative hazard. Rows 0..cap*points-1, one per (estimate, end):
    CDF at the end minus CDF at the start (triggered events and relative windows,
    interpolated). The next cap*points rows: cumulative hazard at the end minus at the start
    (root events' calendar windows, exact: it is piecewise linear); the last cap rows, one per
    estimate, from the issue date to the start. A window probability is then a few
    element-wise operations on one sparse product, whatever the mix of estimates, and
    padded rows are all zero. A row has at most four terms (two dates, each between two
    edges), passed as their columns and weights; `condition_edges` says how much of each
    chain they read.
    """
    cap, points, width = structure.estimate_capacity, structure.fuzzy_points, grid.widths.mean()
    ids, source_ids = [e.id for e in scenario.events], [s.id for s in scenario.sources]
    bins, events, relations = grid.n_bins, len(ids), len(structure.relations)
    edges = bins + 1
    chain_columns = structure.condition_capacity * events * edges
    hazard_columns = chain_columns + relations * edges
    shape = (2 * cap * points + cap, EDGE_TERMS)
    columns, weights = np.zeros(shape, dtype=np.int64), np.zeros(shape)
    data = {
        "estimate_mask": np.zeros(cap), "estimate_source": np.zeros((cap, structure.source_capacity)),
        "logit_low": np.full(cap, -1.0), "logit_high": np.full(cap, 1.0), "is_survey": np.zeros(cap),
        "survey_mu": np.zeros(cap), "survey_sigma": np.ones(cap), "confidence_factor": np.ones(cap),
        "condition_exposure": np.zeros((structure.condition_capacity, bins)),
        "closed_window": np.zeros(cap), "stated_centre": np.zeros(cap),
    }  # fmt: skip
    if conditions:  # padded rows: no window reads them, so the model skips them
        data["condition_exposure"][: len(conditions)] = _exposures(grid, conditions)
    factors = scenario.priors.model.confidence
    for i, est in enumerate(scenario.estimates):
        closed = window_closed(scenario, est)
        data["estimate_mask"][i], data["closed_window"][i] = (0.0, 1.0) if closed else (1.0, 0.0)
        data["stated_centre"][i] = est.probability.logit_centre()
        data["estimate_source"][i, source_ids.index(est.spec.source)] = 1.0
        window, event, rows = est.window, ids.index(est.spec.event), range(i * points, (i + 1) * points)
        if isinstance(window, Window) and structure.parents[event] < 0:
            # P(start <= T < end | T > issued); for a latent event, whether it had happened by then is
            # unknown: P(start <= T < end) from the grid's start, a window from the issue date counting all before
            known = scenario.events[event].is_observed
            issued = est.spec.issued if known else grid.edges[0]
            start = max(window.start, issued) if known or window.start > est.spec.issued else issued
            at_start, first = grid.interpolation([start]), hazard_columns + event * edges
            ends = grid.interpolation(_spread(window.end_earliest, window.end_latest, points)) - at_start
            _set_rows(columns, weights, range(cap * points + rows.start, cap * points + rows.stop), first, ends)
            gap_row = 2 * cap * points + i
            _set_rows(columns, weights, range(gap_row, gap_row + 1), first, at_start - grid.interpolation([issued]))
        elif isinstance(window, Window):
            ends = grid.interpolation(_spread(window.end_earliest, window.end_latest, points))
            first = (conditions.index(_condition(scenario, est)) * events + event) * edges
            _set_rows(columns, weights, rows, first, ends - grid.interpolation([max(window.start, est.spec.issued)]))
        else:
            ends = _uniform_weights(np.array(_spread(window.end_earliest, window.end_latest, points)), width, bins)
            first = chain_columns + structure.relations.index((event, ids.index(window.after))) * edges
            _set_rows(columns, weights, rows, first, ends - _uniform_weights(np.array([window.start]), width, bins))
        stated = est.probability
        data["logit_low"][i], data["logit_high"][i] = stated_bounds(stated.low, stated.high)
        if stated.logit_normal is not None:
            data["is_survey"][i] = 1.0
            data["survey_mu"][i], data["survey_sigma"][i] = stated.logit_normal.mu, stated.logit_normal.sigma
        if est.spec.confidence:
            data["confidence_factor"][i] = getattr(factors, est.spec.confidence)
    data["estimate_source"][len(scenario.estimates) :, 0] = 1.0  # masked out, but kept finite: source 0
    data["window_edge_columns"], data["window_edge_weights"] = columns, weights
    data["condition_edges"] = _condition_edges(columns, weights, structure)
    return data


def _condition_edges(columns: np.ndarray, weights: np.ndarray, structure: ModelStructure) -> np.ndarray:
    """(condition, event): how many grid edges of the event's CDF given the condition date the windows read.

    Ancestors need as many as their descendants; 0 for a padded condition date or an event
    no statement issued then speaks of: the model runs only these.
    """
    edges, events = structure.n_bins + 1, structure.n_events
    needed = np.zeros((structure.condition_capacity, events), dtype=np.int64)
    read = (weights != 0.0) & (columns < structure.condition_capacity * events * edges)
    blocks = columns[read] // edges
    np.maximum.at(needed.reshape(-1), blocks, columns[read] - blocks * edges + 1)
    for event in reversed(range(events)):  # parents come before their children
        if structure.parents[event] >= 0:
            needed[:, structure.parents[event]] = np.maximum(needed[:, structure.parents[event]], needed[:, event])
    return needed


def window_closed(scenario: Scenario, estimate: Estimate) -> bool:
    """Whether the estimate's window closed by as_of with nothing having happened.

    Its calendar window's latest end is on or before as_of, and its event is known not to
    have happened (`Scenario.known_quiet`). A window counted from an ancestor never closes
    while the ancestor has not happened; on a latent event (a capability reached unseen) a
    window may have come true without anyone knowing.
    """
    window = estimate.window
    known = scenario.known_quiet(scenario.event(estimate.spec.event))
    return known and isinstance(window, Window) and window.end_latest <= scenario.as_of


def _set_rows(columns: np.ndarray, weights: np.ndarray, rows: range, first: int, terms: np.ndarray) -> None:
    """Rows `rows` of the window matrix from `terms` (a row each, one column per grid edge from column `first`)."""
    for row, values in zip(rows, terms, strict=True):
        (nonzero,) = np.nonzero(values)
        if len(nonzero) > EDGE_TERMS:
            raise AssertionError(f"window row {row} has {len(nonzero)} terms, more than {EDGE_TERMS}")
        columns[row, : len(nonzero)], weights[row, : len(nonzero)] = first + nonzero, values[nonzero]


def _signpost_data(scenario: Scenario, grid: TimeGrid, structure: ModelStructure) -> dict[str, np.ndarray]:
    """Log hazard-ratio prior per signpost, and where on its event's grid it applies.

    A bin wholly after the date takes the whole ratio (`signpost_after`); the one bin that
    holds the date, only on its share after the date (`signpost_straddle`, a one-hot row, and
    `signpost_straddle_share`). Split so because the model then needs one log1p per
    signpost instead of one per padded signpost, event and bin (1152 for the seed scenario:
    benchmarks/README.md, "Refit speed").
    """
    if not structure.signpost_capacity:
        return {}
    cap, ids = structure.signpost_capacity, [e.id for e in scenario.events]
    z90 = 1.6448536269514722
    shape = (cap, len(ids), grid.n_bins)
    data = {"signpost_log_median": np.zeros(cap), "signpost_log_sd": np.ones(cap), "signpost_after": np.zeros(shape),
            "signpost_straddle": np.zeros(shape), "signpost_straddle_share": np.zeros(cap)}  # fmt: skip
    for i, signpost in enumerate(scenario.signposts):
        low, high = np.log(signpost.hazard_ratio)
        data["signpost_log_median"][i] = (low + high) / 2
        data["signpost_log_sd"][i] = (high - low) / (2 * z90)
        share = (grid.widths - grid.exposure([signpost.date])[0]) / grid.widths  # of each bin, from the date on
        event = ids.index(signpost.event)
        data["signpost_after"][i, event] = share >= 1.0
        for straddled in np.flatnonzero((share > 0.0) & (share < 1.0)):  # at most one bin
            data["signpost_straddle"][i, event, straddled] = 1.0
            data["signpost_straddle_share"][i] = share[straddled]
    return data


def _spread(earliest, latest, points: int) -> list:
    """The middles of `points` equal parts of [earliest, latest], dates or years (all equal for an exact end).

    Averaging over them is the midpoint rule for a uniform average over the range.
    """
    return [earliest + (latest - earliest) * ((k + 0.5) / points) for k in range(points)]


def _uniform_weights(points: np.ndarray, step: float, intervals: int) -> np.ndarray:
    """Linear-interpolation weights over the edges 0, step, ..., intervals * step at `points`.

    Used for delay edges (whole bin widths) and for the random walk's knots; points beyond
    the last edge take its value.
    """
    position = np.clip(points / step, 0, intervals)
    lower = np.minimum(np.floor(position).astype(int), intervals - 1)
    return edge_weights(lower, position - lower, intervals)


def data_fingerprint(data: dict[str, np.ndarray]) -> str:
    """A digest of every number the model reads: two scenarios with the same one are the same model."""
    digest = hashlib.sha256()
    for name, array in data.items():
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def leave_out(data: dict[str, np.ndarray], index: int) -> dict[str, np.ndarray]:
    """`data` with estimate `index` switched off: the scenario without that statement, in the same structure.

    A statement enters the model's density through its mask (its window read as evidence
    about the hazard) or through `closed_window` (its source's failed forecast); with both
    at 0 nothing reads its row, so the density is the one of `Scenario.without`.
    """
    left = dict(data)
    for name in ("estimate_mask", "closed_window"):
        left[name] = data[name].copy()
        left[name][index] = 0.0
    return left

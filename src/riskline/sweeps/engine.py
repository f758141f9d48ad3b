"""Running a sweep's variants on Dask: one process per core, or an existing cluster.

Cost model. A worker loads each model structure once (compiled once per machine, then kept
in the machine's compile folders and, for the worker's life, by riskline.model.compiled) and
then takes variants: a reweighting of its group's base fit or, where the base's draws do not
cover the variant, a fit on one core, several times slower (benchmarks/README.md, "Sweeps on
Dask"). Wall time is about

    load (or first compile) per structure per worker + base fits + variants' time / workers.

Workers are single-threaded processes sharing the machine's compile folders. A variant that
raises, or whose fit misses priors/model.yaml's diagnostics, is tried again once with a seed
of its own; a variant whose worker dies is run again once on another (the scheduler's
`allowed_failures`); after that it is recorded as failed with the reason, never dropped. A
variant's numbers depend only on the sweep's seed and the variant, so 1 or N workers give
the same numbers.
"""

from __future__ import annotations

import contextlib
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Literal

import dask
import numpy as np
from distributed import Client, Future, KilledWorker, Nanny, Scheduler, SpecCluster, as_completed, wait

from riskline.config.scenario import Scenario
from riskline.errors import ConvergenceWarning, RisklineError
from riskline.forecast import Forecast
from riskline.model.fit import fit
from riskline.model.provenance import FitBehind
from riskline.model.update import DrawsDoNotCover, reweight
from riskline.sweeps.spec import SamplingSizes
from riskline.sweeps.variants import LoadKey, SweepPlan, Variant, variant_scenario

__all__ = ["STATS", "VariantResult", "local_cluster", "run_variants"]

STATS = ("mean", "q05", "median", "q95")
"""What a variant keeps of each P(event by date): the mean and the 5%, 50% and 95% quantiles of the draws."""
WORKER_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""One thread per worker process: the cores are shared by running more workers, not more threads."""


@dataclass(frozen=True)
class VariantResult:
    """What became of one variant: its numbers, how they were made, or why it failed."""

    index: int
    status: Literal["done", "failed"]
    method: Literal["reweighted", "sampled"] | None
    reason: str
    """Why it was sampled rather than reweighted, or why it failed ("" when reweighted)."""
    attempts: int
    seconds: float
    pareto_k: float | None
    max_rhat: float | None
    min_ess_bulk: float | None
    risk: np.ndarray | None
    """(stat, event, date) with STATS; None when failed."""


def fit_base(loaded: dict[LoadKey, Scenario], base: Variant, sizes: SamplingSizes) -> FitBehind | str:
    """The group's base fit, whose draws its variants are reweighted from; the reason when it fails."""
    forecast, reason, _ = _healthy_fit(variant_scenario(loaded, base), base.seed, sizes)
    if forecast is None:
        return reason
    return FitBehind.of(forecast.tree) or "the fit kept no draws"


def run_variant(
    loaded: dict[LoadKey, Scenario], variant: Variant, behind: FitBehind | str, sizes: SamplingSizes,
    dates: list[date],
) -> VariantResult:  # fmt: skip
    """The variant's P(event by each date): reweighted from `behind` where its draws cover it, else sampled.

    `behind` is its group's base fit, or why there is none to reweight.
    """
    started = time.perf_counter()
    try:
        scenario = variant_scenario(loaded, variant)
    except RisklineError as exc:
        return _failed(variant, str(exc), 1, started)
    method: Literal["reweighted", "sampled"] = "reweighted"
    forecast, reason, attempts = None, f"no draws to reweight: {behind}", 1
    if isinstance(behind, FitBehind):
        try:
            forecast = reweight(behind, scenario, random_seed=variant.seed, prior=False)
            reason = _unhealthy(scenario, forecast)
        except DrawsDoNotCover as exc:
            reason = f"not covered by its group's base fit: {exc}"
    if forecast is None or reason:
        method, why_sampled = "sampled", reason
        forecast, reason, attempts = _healthy_fit(scenario, variant.seed, sizes)
        if forecast is None:
            return _failed(variant, reason, attempts, started)
        reason = why_sampled
    diagnostics = forecast.diagnostics()
    risk = forecast.risk_at(dates).stack(sample=("chain", "draw")).transpose("event", "date", "sample").values
    stats = np.stack([risk.mean(-1), *np.quantile(risk, [0.05, 0.5, 0.95], axis=-1)])
    return VariantResult(variant.index, "done", method, reason, attempts, time.perf_counter() - started,
                         diagnostics.pareto_k, diagnostics.max_rhat, diagnostics.min_ess_bulk, stats)  # fmt: skip


def _healthy_fit(scenario: Scenario, seed: int, sizes: SamplingSizes) -> tuple[Forecast | None, str, int]:
    """A fit that passes priors/model.yaml's diagnostics, tried again once with the next seed.

    Returns the forecast (None when both tries fail), why the last try failed, and the tries made.
    """
    reason = ""
    for attempt in range(2):
        try:
            forecast = _fit(scenario, seed + attempt, sizes)
        except RisklineError as exc:
            reason = str(exc)
            continue
        if not (reason := _unhealthy(scenario, forecast)):
            return forecast, "", attempt + 1
    return None, reason, 2


def _fit(scenario: Scenario, seed: int, sizes: SamplingSizes) -> Forecast:
    with warnings.catch_warnings():  # a fit's health is checked and recorded by _unhealthy
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(scenario, random_seed=seed % 2**32, prior=False, cores=1, **sizes.model_dump())


def _unhealthy(scenario: Scenario, forecast: Forecast) -> str:
    thresholds = scenario.priors.model.diagnostics
    problems = forecast.diagnostics().problems(thresholds.max_rhat, thresholds.min_ess_bulk)
    return "; ".join(problems)


def _failed(variant: Variant, reason: str, attempts: int, started: float | None) -> VariantResult:
    seconds = 0.0 if started is None else time.perf_counter() - started
    return VariantResult(variant.index, "failed", None, reason, attempts, seconds, None, None, None, None)


def run_variants(
    plan: SweepPlan,
    client: Client,
    dates: list[date],
    on_result: Callable[[VariantResult], None] = lambda result: None,
    *,
    reweighting: bool = True,
) -> list[VariantResult]:
    """Every variant of `plan` run on `client`'s workers, each after its group's base fit.

    `on_result` is called with each variant's result as it arrives. Without `reweighting`
    every variant is sampled and no base is fitted (to compare, or to check the reweighting).

    The scenarios and each base fit are task results, not scattered data: if the worker
    holding one dies, the scheduler computes it again (same seed, same draws). Each is
    copied to every worker before the variants that read it are submitted; otherwise the
    scheduler, which places a task where its inputs are, would run them all on one worker.
    """
    sizes = plan.sweep.spec.sampling
    run = uuid.uuid4().hex[:8]  # task keys of their own on a cluster that ran other sweeps
    loaded = _everywhere(client, client.submit(_held, plan.loaded, key=f"riskline-{run}-scenarios"))
    futures, pending = as_completed(), {}

    def submit(function: Callable, variant: Variant, *args: object, kind: str) -> None:
        key = f"riskline-{run}-{kind}-{variant.group if kind == 'base' else variant.index}"
        future = client.submit(function, loaded, variant, *args, key=key, retries=1)
        pending[future.key] = variant
        futures.add(future)

    by_group: dict[int, list[Variant]] = {}
    for variant in plan.variants:
        by_group.setdefault(variant.group, []).append(variant)
    for base in plan.bases if reweighting else []:
        submit(fit_base, base, sizes, kind="base")
    if not reweighting:
        for variant in plan.variants:
            submit(run_variant, variant, "reweighting was switched off", sizes, dates, kind="variant")
    results: dict[int, VariantResult] = {}
    for future in futures:
        variant = pending.pop(future.key)
        if variant.index < 0:  # a group's base fit: its variants can start, reading it wherever they run
            behind = _everywhere(client, future) if future.status == "finished" else "its group's base fit was lost"
            for member in by_group[variant.group]:
                submit(run_variant, member, behind, sizes, dates, kind="variant")
            continue
        try:
            outcome = future.result()
        except KilledWorker as exc:
            outcome = _failed(variant, f"its worker died twice while running it or its base fit ({exc})", 2, None)
        except Exception as exc:  # whatever Dask raises (a lost input, a cancel), the variant is recorded
            outcome = _failed(variant, f"Dask could not run it: {type(exc).__name__}: {exc}", 1, None)
        results[variant.index] = outcome
        on_result(outcome)
    return [results[v.index] for v in plan.variants]


def _everywhere(client: Client, future: Future) -> Future:
    """`future`'s result copied to every worker (the local cluster keeps the copies: no memory manager).

    The copies are for speed only. If a worker dies while they are made (the scheduler then
    fails the copy), the sweep goes on without them: a task that reads the result gets it
    from where it is, or the scheduler computes it again.
    """
    wait(future)
    if future.status == "finished":
        with contextlib.suppress(Exception):  # see the docstring: nothing is lost, only the copies
            client.replicate([future])
    return future


def _held(value: object) -> object:
    """`value` as a task's result: the scheduler can compute it again if its worker dies (scattered data is lost)."""
    return value


@contextmanager
def local_cluster(workers: int) -> Iterator[Client]:
    """A cluster of `workers` single-threaded processes on this machine.

    They share the machine's compile folders (PyTensor's and riskline's store), so a worker
    loads what an earlier run or sweep compiled; workers that compile the same structure at
    once each write whole files, and none waits for another (riskline's graphs compile with
    numba, whose cache needs no lock). A worker whose process dies is restarted; a task it
    was running is run again once.
    """
    specs = {}
    for index in range(workers):
        options = {"nthreads": 1, "env": WORKER_ENVIRONMENT, "silence_logs": 40}
        specs[f"worker-{index}"] = {"cls": Nanny, "options": options}
    # its HTTP server on a free port: two sweeps (or a sweep and a notebook's cluster) can run at once
    scheduler_options = {"dashboard_address": "127.0.0.1:0", "host": "127.0.0.1", "allowed_failures": 1}
    scheduler = {"cls": Scheduler, "options": scheduler_options}
    # the Active Memory Manager would drop the copies run_variants makes of the scenarios and base fits
    with dask.config.set({"distributed.scheduler.active-memory-manager.start": False}):
        cluster = SpecCluster(workers=specs, scheduler=scheduler, silence_logs=40, name="riskline")
    with cluster, Client(cluster) as client:
        yield client

"""`sweep`: a sweep file to its results, on this machine's cores or an existing Dask cluster."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import xarray as xr
from distributed import Client
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from riskline.output_folder import check_output_dir
from riskline.sweeps.engine import VariantResult, local_cluster, run_variants
from riskline.sweeps.outputs import write_sweep
from riskline.sweeps.results import results_dataset, year_ends
from riskline.sweeps.spec import load_sweep
from riskline.sweeps.variants import plan_sweep

__all__ = ["sweep"]


def sweep(
    path: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    out: str | Path | None = None,
    progress: bool = False,
    command: str = "",
) -> xr.Dataset:
    """Run the sweep file at `path` and return its dataset (riskline.sweeps.results); write it to `out` if given.

    `scheduler` is the address of a running Dask scheduler (tcp://host:8786); without it a
    cluster of `workers` single-threaded processes (default: one per core) is started on
    this machine and closed at the end. The file is read and every scenario it names
    loaded before any cluster starts, so a bad file is a ConfigError and nothing more.
    """
    started = time.perf_counter()
    plan = plan_sweep(load_sweep(path))
    if out is not None:
        check_output_dir(Path(out))  # before the fits, not after them
    baseline = plan.loaded[plan.variants[0].load]
    dates = year_ends(baseline, min(s.as_of for s in plan.loaded.values()))
    with _client(scheduler, workers) as client, _progress(progress, len(plan.variants)) as advance:
        count = len(client.scheduler_info(n_workers=-1)["workers"])
        results = run_variants(plan, client, dates, on_result=advance)
    dataset = results_dataset(plan, results, dates, command)
    if out is not None:
        summary = {"command": command, "workers": count, "scheduler": scheduler or "local",
                   "seconds": time.perf_counter() - started, "variants": len(results)}  # fmt: skip
        write_sweep(dataset, Path(out), summary)
    return dataset


@contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Client]:
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
    else:
        with local_cluster(workers or os.cpu_count() or 1) as client:
            yield client


@contextmanager
def _progress(shown: bool, total: int) -> Iterator[Callable[[VariantResult], None]]:
    """A bar of variants done, failures counted, and the time left; a no-op when not `shown`."""
    if not shown:
        yield lambda result: None
        return
    columns = [TextColumn("variants"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]  # fmt: skip
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("sweep", total=total, failed=0)
        failed = 0

        def advance(result: VariantResult) -> None:
            nonlocal failed
            failed += result.status == "failed"
            bar.update(task, advance=1, failed=failed)

        yield advance

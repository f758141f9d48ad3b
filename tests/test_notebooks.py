"""Every notebook runs top to bottom on the real code (nbclient), failing on any error.

Sampling sizes are reduced through the documented environment variables (README,
"Notebooks"), not mocked: the notebooks fit the real model, only with fewer draws. The
notebooks run side by side to keep CI short, each driven from its own process (a kernel
client in a thread of the test process leaves sockets for pytest to warn about).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import NOTEBOOK_TIMING, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
QUICK_SAMPLING = {"RISKLINE_DRAWS": "300", "RISKLINE_TUNE": "200", "RISKLINE_CHAINS": "2"}
CELL_TIMEOUT = 150
"""Seconds a cell may take. The slowest (a first fit) took 17-19 s with warm compile caches beside
the other test process of `make test`, and 118-121 s with every cache empty, when notebooks 01
and 02 compiled the seed's structure at once (2026-12-07, benchmarks/results/test_time*.json)."""
POLL_SECONDS = 1.0
"""How long one wait for a kernel's message lasts before the client looks again (`_PollingClient`)."""


class _PollingClient(NotebookClient):
    """nbclient, waiting for each of the kernel's messages a second at a time.

    nbclient waits for a cell's reply with one poll of the shell socket, up to the cell's
    timeout, and that poll can miss the reply's arrival and wake only at the timeout
    (pyzmq's asyncio poller on ZMQ's edge-triggered descriptor). So notebook 03 sat idle for
    exactly CELL_TIMEOUT after its widget cell in 3 of the 4 full or partial runs of the
    suite watched on 2026-12-07 before this client: its client's debug log showed nothing
    for 148 s between the kernel going idle after cell 12 and the client going on to cell 14.
    A poll started anew finds a waiting message at once.
    """

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        for channel in (client.shell_channel, client.iopub_channel):
            channel.get_msg = _in_slices(channel.get_msg)
        return client


def _in_slices(get_msg):
    """`get_msg` of a kernel client's channel, its wait cut into polls of POLL_SECONDS."""

    async def get_msg_in_slices(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
            try:
                return await get_msg(timeout=max(left, 0.0))
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    return get_msg_in_slices


def _execute(path) -> tuple[list[str], str]:
    """Run one notebook in a fresh kernel: the error outputs it produced, as text, and its timing."""
    notebook = nbformat.read(path, as_version=4)
    where = {"metadata": {"path": str(path.parent)}}
    started = time.perf_counter()
    client = _PollingClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources=where, allow_errors=True)
    client.execute()
    errors = [
        f"{output['ename']}: {output['evalue']}"
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    cells = _cell_seconds(notebook)
    slowest = ", ".join(f"cell {index} {seconds:.0f} s" for seconds, index in sorted(cells, reverse=True)[:3])
    gap, after = max(_gaps(notebook), default=(0.0, None))
    return errors, (
        f"{time.perf_counter() - started:.0f} s, of which cells {sum(s for s, _ in cells):.0f} s "
        f"(the rest: kernel start, shutdown, between cells); slowest cells: {slowest}; "
        f"longest wait outside a cell's input-to-reply: {gap:.0f} s, {after}"
    )


def _cell_seconds(notebook) -> list[tuple[float, int]]:
    """(seconds, index) of every code cell, by the execution times nbclient records in its metadata."""
    found = []
    for index, cell in enumerate(notebook.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start, end = (datetime.fromisoformat(timing[k]) for k in ("iopub.execute_input", "shell.execute_reply"))
            found.append(((end - start).total_seconds(), index))
    return found


def _gaps(notebook) -> list[tuple[float, str]]:
    """(seconds, where) of every wait outside a cell's input-to-reply: busy to input, reply to idle, idle to next busy.

    Notebook 03 spent up to ~300 s outside its cells before `_PollingClient`: this says where such a wait is.
    """
    found, idle_before, previous = [], None, None
    for index, cell in enumerate(notebook.cells):
        timing = {k: datetime.fromisoformat(v) for k, v in cell.get("metadata", {}).get("execution", {}).items()}
        if not {"iopub.status.busy", "iopub.execute_input", "shell.execute_reply", "iopub.status.idle"} <= set(timing):
            continue
        steps = [("iopub.status.busy", "iopub.execute_input"), ("shell.execute_reply", "iopub.status.idle")]
        for start, end in steps:
            found.append(((timing[end] - timing[start]).total_seconds(), f"cell {index}: {start} to {end}"))
        if idle_before is not None:
            found.append(
                ((timing["iopub.status.busy"] - idle_before).total_seconds(), f"from cell {previous} to {index}")
            )
        idle_before, previous = timing["iopub.status.idle"], index
    return found


@pytest.fixture(scope="session")
def executed_notebooks() -> dict[str, tuple[list[str], str]]:
    """Every notebook executed once, two at a time, with the quick sampling settings: its errors and its timing."""
    saved = {name: os.environ.get(name) for name in QUICK_SAMPLING}
    os.environ.update(QUICK_SAMPLING)  # kernels inherit the environment when they start
    try:
        workers = max(2, min(4, os.cpu_count() or 1))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            return dict(zip([p.stem for p in NOTEBOOKS], pool.map(_execute, NOTEBOOKS), strict=True))
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_notebook_runs(name, executed_notebooks, record_property):
    errors, timing = executed_notebooks[name]
    record_property(NOTEBOOK_TIMING, f"{name}: {timing}")  # the notebooks are much of the suite's time; it varies
    assert errors == []


def test_notebooks_are_stored_without_outputs():
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), path.name


def test_notebooks_are_numbered_and_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for number, path in enumerate(NOTEBOOKS, start=1):
        assert path.name.startswith(f"{number:02d}-")
        assert f"`{path.stem}`" in readme

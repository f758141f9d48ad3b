"""Shared fixtures. Fitted models are built once per test session (they take seconds)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import matplotlib
import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

from riskline.cli import main
from riskline.forecast import Forecast
from riskline.plots.files import usable_cpus

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SEED_SCENARIO = ROOT / "scenarios" / "russia-nato-attack.yaml"
CONFIGS = Path(__file__).resolve().parent / "configs"
FUZZ_EXAMPLES = {"ci": 150, "long": 2_000, "nightly": 10_000}
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES[os.environ.get("RISKLINE_FUZZ", "ci")],
    deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
"""The fuzz tests' settings: `ci` in the test suite, RISKLINE_FUZZ=nightly (make fuzz) for the long run; no
input may take over 5 s."""


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory) -> tuple[Path, dict]:
    """`riskline run` on the seed scenario with the default (full) sampling settings, once per test command.

    pytest-xdist's workers (make test) share it: the first to ask runs it, the others wait for it and read it. The
    tests only read its folder.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the workers' base folders sit side by side in the command's own
    out = shared / "seed-run" / "russia-nato-attack"
    with FileLock(shared / "seed-run.lock"):
        if not (out / "summary.json").is_file():
            assert main(["run", str(SEED_SCENARIO), "--out", str(out)]) == 0
    return out, json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="session")
def seed_forecast(seed_run) -> Forecast:
    """The seed run's Forecast, read back from its forecast.nc (no second fit)."""
    out, _ = seed_run
    return Forecast.load(out / "forecast.nc")


LONGEST_FIRST = (
    "tests/test_notebooks.py",
    "tests/sweeps/test_sweep.py",
    "tests/model/test_sampler.py",
    "tests/language/test_fuzz_parse.py",
    "tests/test_saved_forecast.py",
)
"""The files that take longest in one process (benchmarks/README.md, "Test command time"), run first so that the
parallel processes of `make test` finish near together; the order of the rest is unchanged."""
NOTEBOOK_TIMING = "notebook"
"""The property under which each notebook's test records its name, time and slowest cells (tests/test_notebooks.py),
for the run's summary: a property reaches the summary from any of pytest-xdist's processes."""


def pytest_xdist_auto_num_workers(config) -> int:
    """`make test`'s processes: one per CPU this process may run on (xdist's own count is of physical cores)."""
    return usable_cpus()


def pytest_collection_modifyitems(items) -> None:
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_terminal_summary(terminalreporter) -> None:
    """How long each notebook took, when they ran (tests/test_notebooks.py)."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in report.user_properties:
            if name == NOTEBOOK_TIMING:
                terminalreporter.write_line(f"notebook {value}")

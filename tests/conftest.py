"""Shared fixtures. Fitted models are built once per test session (they take seconds)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

from riskline.cli import main
from riskline.forecast import Forecast

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
    """`riskline run` on the seed scenario with the default (full) sampling settings."""
    out = tmp_path_factory.mktemp("run") / "russia-nato-attack"
    assert main(["run", str(SEED_SCENARIO), "--out", str(out)]) == 0
    return out, json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="session")
def seed_forecast(seed_run) -> Forecast:
    """The seed run's Forecast, read back from its forecast.nc (no second fit)."""
    out, _ = seed_run
    return Forecast.load(out / "forecast.nc")


def pytest_terminal_summary(terminalreporter) -> None:
    """How long each notebook took, when they ran (tests/test_notebooks.py)."""
    from tests.test_notebooks import TIMES

    for name, timing in TIMES.items():
        terminalreporter.write_line(f"notebook {name}: {timing}")

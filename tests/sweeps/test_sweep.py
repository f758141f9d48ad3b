"""Sweeps on Dask: the same numbers as single fits, on 1 or 2 workers, and through a worker's death.

Two clusters in all (each costs seconds to start and its workers a compile): the sweep on 1
worker, and the same sweep on 2 workers, one of which is killed mid-sweep.
"""

from __future__ import annotations

import json
import os
import signal
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from riskline.config.scenario import load_scenario
from riskline.forecast import year_end
from riskline.model.fit import fit
from riskline.model.provenance import FitBehind
from riskline.model.update import reweight
from riskline.sweeps import load_sweep, plan_sweep, sweep
from riskline.sweeps.engine import local_cluster, run_variants
from riskline.sweeps.results import results_dataset, year_ends

ROOT = Path(__file__).resolve().parents[2]
SEED_SCENARIO = ROOT / "scenarios" / "russia-nato-attack.yaml"
SMALL = {"draws": 1000, "tune": 300, "chains": 4}
"""priors/model.yaml's sizes: the base fit with a base rate of 0.03 misses R-hat 1.01 at 4 x 500."""
SIZES = "{draws: 1000, tune: 300, chains: 4}"
RATE = "base_rates.attack-after-readiness.per_year"


def write_sweep(folder: Path, axes: str, name: str = "two-axes") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"scenario: {SEED_SCENARIO}\nseed: 7\nsampling: {SIZES}\naxes:\n{textwrap.indent(axes, '  ')}design: grid\n",
        encoding="utf-8",
    )
    return path


TWO_AXES = "lexicons: [nato]\nnumbers:\n  base_rates.attack-after-readiness.per_year: [0.03, 0.3]\n"
"""Two axes: 1 lexicon x 2 base rates = 2 variants and the baseline, in three groups (the baseline's rate, and
each listed rate), whose base fits the NATO lexicon's variants are reweighted from."""


@pytest.fixture(scope="module")
def two_axes(tmp_path_factory) -> tuple[Path, xr.Dataset, Path]:
    folder = tmp_path_factory.mktemp("sweep")
    path = write_sweep(folder, TWO_AXES)
    out = folder / "out"
    return path, sweep(path, workers=1, out=out, command="test"), out


def test_a_sweep_gives_the_numbers_of_the_single_fits(two_axes):
    path, dataset, _ = two_axes
    plan = plan_sweep(load_sweep(path))
    assert (dataset["status"] == "done").all(), dataset["reason"].values
    dates = [d.astype("datetime64[D]").item() for d in dataset["date"].values]

    def seed_with(rate: float, lexicon: str = "icd-203"):
        """The variant's scenario built through the public API, not the sweep's own code."""
        scenario = load_scenario(SEED_SCENARIO, lexicon=lexicon)
        return scenario.with_base_rate("attack-after-readiness", per_year=rate)

    # one base fit per listed base rate; the lexicon's variants are reweighted from it
    assert [b.settings[RATE] for b in plan.bases] == [0.1, 0.03, 0.3]
    behind = {}
    for base in plan.bases:
        base_fit = fit(seed_with(base.settings[RATE]), random_seed=base.seed, prior=False, cores=1, **SMALL)
        behind[base.group] = FitBehind.of(base_fit.tree)
    for variant in plan.variants:
        scenario = seed_with(variant.settings[RATE], str(variant.settings["lexicon"]))
        row = dataset.sel(variant=variant.index)
        if str(row["method"].item()) == "reweighted":
            single = reweight(behind[variant.group], scenario, random_seed=variant.seed, prior=False)
        else:
            single = fit(scenario, random_seed=variant.seed, prior=False, cores=1, **SMALL)
        expected = single.risk_at(dates).mean(("chain", "draw")).transpose("event", "date").values
        np.testing.assert_allclose(row["risk"].sel(stat="mean").values, expected, rtol=1e-12)
    assert set(dataset["method"].values) == {"reweighted"}, dataset["reason"].values


def test_the_outputs_say_what_moves_the_forecast(two_axes):
    _, dataset, out = two_axes
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == dataset.sizes["variant"] * dataset.sizes["event"] * dataset.sizes["date"]
    assert {"lexicon", "base_rates.attack-after-readiness.per_year", "method", "reason", "q95"} <= set(table.columns)
    reread = xr.open_dataset(out / "sweep.nc", engine="h5netcdf")
    np.testing.assert_array_equal(reread["risk"].values, dataset["risk"].values)
    summary = json.loads((out / "sweep.json").read_text())
    year = str(load_scenario(SEED_SCENARIO).as_of.year + 1)
    by_axis = {s["axis"]: s for s in summary["swings"][year]}
    # the base rate's swing is its two variants' difference (one variant per value; the lexicon is averaged in)
    at = dataset.sel(event="attack", stat="mean", date=np.datetime64(year_end(int(year)), "ns"))["risk"]
    rate = dataset["base_rates.attack-after-readiness.per_year"]
    low, high = float(at.where(rate == 0.03).sum()), float(at.where(rate == 0.3).sum())
    assert by_axis["base_rates.attack-after-readiness.per_year"]["high"] == pytest.approx(max(low, high))
    assert by_axis["base_rates.attack-after-readiness.per_year"]["low"] == pytest.approx(min(low, high))
    for name in ("tornado", "spread"):
        assert (out / f"{name}.png").stat().st_size > 10_000
    report = (out / "sweep.md").read_text()
    assert "What moves P(Russian armed attack on NATO territory" in report
    assert "base_rates.attack-after-readiness.per_year" in report


def test_two_workers_one_killed_mid_sweep_give_the_numbers_of_one(two_axes):
    path, dataset, _ = two_axes
    plan = plan_sweep(load_sweep(path))
    dates = year_ends(plan.loaded[plan.variants[0].load], plan.variants[0].settings["as_of"])
    killed = None
    with local_cluster(2) as client, ThreadPoolExecutor(1) as background:
        running = background.submit(run_variants, plan, client, dates)
        while killed is None and not running.done():  # the first worker seen busy dies mid-task
            busy = [worker for worker, keys in client.processing().items() if keys]
            if busy:
                os.kill(client.run(os.getpid, workers=busy[:1])[busy[0]], signal.SIGKILL)
                killed = busy[0]
            time.sleep(0.05)
        results = running.result()
    assert killed is not None, "the sweep ended before a worker was seen busy: the test killed nothing"
    assert [r.status for r in results] == ["done"] * len(plan.variants), [r.reason for r in results]
    again = results_dataset(plan, results, dates, "test")
    np.testing.assert_array_equal(again["risk"].values, dataset["risk"].values)
    np.testing.assert_array_equal(again["method"].values, dataset["method"].values)


@pytest.mark.parametrize(
    ("axes", "message"),
    [
        ("numbers:\n  base_rates.attack-after-readiness.per_yer: [0.1]\n", "not the path of a prior number"),
        ("numbers:\n  base_rates.attack-after-readiness.per_year: [-1]\n", "greater than 0"),
        ("numbers:\n  base_rates.no-such-rate.per_year: [0.1]\n", "no event uses 'no-such-rate'"),
        ("numbers:\n  base_rates.attack-after-readiness.per_year: {low: 0.1, high: 1}\n", "a grid needs a list"),
        ("leave_out: [kahl-readiness]\n", "no estimate 'kahl-readiness'"),
        ("lexicons: [icd-204]\n", "no lexicon named 'icd-204'"),
        ("numbers:\n  sources.media_reports.noise.median: [1.0]\n", "no source class 'media_reports'"),
    ],
)
def test_a_bad_sweep_file_is_a_clear_error_and_starts_no_cluster(tmp_path, monkeypatch, capsys, axes, message):
    from riskline import cli
    from riskline.sweeps import run

    def no_cluster(*args, **kwargs):
        raise AssertionError("a cluster was started for a bad sweep file")

    monkeypatch.setattr(run, "local_cluster", no_cluster)
    path = write_sweep(tmp_path, axes, name="bad")
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert f"{path}:" in error  # file:line
    assert not (tmp_path / "out").exists()


def test_a_sobol_design_needs_a_power_of_two(tmp_path, capsys):
    from riskline import cli

    path = tmp_path / "sobol.yaml"
    path.write_text(f"scenario: {SEED_SCENARIO}\naxes:\n  lexicons: [nato]\ndesign: {{method: sobol, samples: 100}}\n")
    assert cli.main(["sweep", str(path)]) == 2
    assert "try 64 or 128" in capsys.readouterr().err


def test_a_latin_hypercube_takes_each_choice_equally_often_and_ranges_at_their_quantiles(tmp_path):
    from scipy.stats import qmc

    path = tmp_path / "lhs.yaml"
    path.write_text(
        f"scenario: {SEED_SCENARIO}\nseed: 11\naxes:\n  lexicons: [icd-203, nato, uk-phia]\n  numbers:\n"
        f"    {RATE}: {{low: 0.01, high: 1.0, scale: log}}\ndesign: {{method: latin_hypercube, samples: 6}}\n"
    )
    plan = plan_sweep(load_sweep(path))
    drawn = plan.variants[1:]  # variant 0 is the baseline
    assert len(drawn) == 6
    lexicons = [v.settings["lexicon"] for v in drawn]
    assert sorted(lexicons) == sorted(["icd-203", "nato", "uk-phia"] * 2)  # one per third of [0, 1), twice
    unit = qmc.LatinHypercube(d=2, seed=11).random(6)  # scipy directly: the same points
    np.testing.assert_allclose([v.settings[RATE] for v in drawn], 0.01 * 100 ** unit[:, 1], rtol=1e-12)
    assert plan.variants[0].settings[RATE] == 0.1  # the baseline keeps the file's number
    assert len(plan.bases) == 1  # a range gets no base of its own: every variant reweights from the file's


def test_ctrl_c_leaves_the_last_complete_results_in_place(two_axes, monkeypatch, capsys):
    from contextlib import contextmanager

    from riskline import cli
    from riskline.sweeps import run

    path, _, out = two_axes
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    class Scheduler:
        def scheduler_info(self, n_workers):
            return {"workers": {"a": {}, "b": {}}}

    @contextmanager
    def cluster(workers):
        yield Scheduler()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "local_cluster", cluster)
    monkeypatch.setattr(run, "run_variants", interrupted)
    assert cli.main(["sweep", str(path), "--out", str(out)]) == cli.INTERRUPTED
    assert "nothing was written" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_a_running_cluster_takes_the_same_sweep_by_its_address_even_when_copies_fail(two_axes, monkeypatch):
    from distributed import Client, LocalCluster

    def copy_fails(self, futures, **kwargs):  # as when a worker dies while the scheduler copies its data
        raise AssertionError("the scheduler lost the data it was copying")

    monkeypatch.setattr(Client, "replicate", copy_fails)
    path, dataset, _ = two_axes
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster:
        again = sweep(path, scheduler=cluster.scheduler_address)
    np.testing.assert_array_equal(again["risk"].values, dataset["risk"].values)

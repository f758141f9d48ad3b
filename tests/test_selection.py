"""Figures of many statements draw a readable selection, say so, and the tables and report keep every statement.

The seed has 10 statements, under every limit; here the limits are lowered so that the seed's
own forecast exercises the selection (a scenario of a thousand statements is benchmarks/scale.py's).
"""

from __future__ import annotations

import functools
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from riskline import export
from riskline.forecast import Forecast
from riskline.plots import plot_influence, plot_reconciliation, plot_timeline, selection
from riskline.plots.files import FigureWriter
from riskline.plots.style import short_source


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def few(monkeypatch):
    """The limits lowered: 4 rows in the reconciliation figure, 3 statements an event's panel."""
    monkeypatch.setattr(selection, "ROWS", 4)
    monkeypatch.setattr(selection, "PER_EVENT", 3)


@pytest.fixture(scope="module")
def influence(seed_run) -> pd.DataFrame:
    out, _ = seed_run
    return pd.read_csv(out / "influence.csv")


def _largest(values: dict[str, float], count: int) -> set[str]:
    """The keys of the `count` largest values (no ties among them in the seed's numbers)."""
    ordered = sorted(values, key=lambda key: -values[key])
    assert values[ordered[count - 1]] > values[ordered[count]]  # the selection is unambiguous
    return set(ordered[:count])


def test_reconciliation_draws_the_furthest_statements_and_counts_the_rest(seed_forecast: Forecast, few):
    table = seed_forecast.reconciliation()
    expected = _largest(dict(zip(table["estimate"], np.abs(table["residual"]), strict=True)), 4)
    ax = plot_reconciliation(seed_forecast, table=table).axes[0]
    assert len(ax.patches) == 4  # one stated range per statement drawn
    medians = sorted(line.get_xdata()[0] for line in ax.lines if line.get_marker() == "o")
    np.testing.assert_allclose(medians, sorted(table.set_index("estimate").loc[list(expected), "posterior_median"]))
    title = " ".join(ax.get_legend().get_title().get_text().split())
    assert title == (
        "4 of 10 statements shown: those furthest from the combined view (largest |residual|); every statement is in "
        "estimates.csv and the report."
    )
    headings = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold" and "\n" not in t.get_text()]
    for event in seed_forecast.scenario.events:
        drawn = sum(table.set_index("estimate").loc[list(expected), "event"] == event.id)
        if drawn:
            assert f"{event.label} ({drawn} of {sum(table['event'] == event.id)} shown)" in headings


def test_timeline_keys_the_furthest_statements_of_each_event(seed_forecast: Forecast, few):
    table = seed_forecast.reconciliation()
    fig = plot_timeline(seed_forecast, reconciliation=table)
    panels = [ax for ax in fig.axes if ax.axison]
    labels = {s.id: s.label for s in seed_forecast.scenario.sources}
    for ax, event in zip(panels, seed_forecast.scenario.events, strict=True):
        rows = table[table["event"] == event.id]
        legend = ax.get_legend()
        if rows.empty:
            continue
        keyed = [t.get_text() for t in legend.get_texts() if not t.get_text().startswith("combined view")]
        title = " ".join(legend.get_title().get_text().split())
        if len(rows) <= 3:
            assert len(keyed) == len(rows)
            assert "shown" not in title
            continue
        expected = _largest(dict(zip(rows["estimate"], np.abs(rows["residual"]), strict=True)), 3)
        assert len(keyed) == 3
        in_order = [e for e in seed_forecast.scenario.estimates if e.id in expected]  # numbered in the scenario's order
        for number, (text, est) in enumerate(zip(keyed, in_order, strict=True), start=1):
            assert f"{number} {short_source(labels[est.spec.source])}, {est.spec.issued:%b %Y}: " in text
        assert title.endswith(
            f"3 of {len(rows)} statements shown: those furthest from the combined view (largest |residual|); every "
            "statement is in estimates.csv and the report"
        )


def test_influence_panels_show_the_statements_that_move_them_most(seed_forecast: Forecast, influence, few):
    fig = plot_influence(seed_forecast, influence)
    ids = [e.id for e in seed_forecast.scenario.estimates]
    for ax, event in zip(fig.axes, seed_forecast.scenario.events, strict=True):
        rows = influence[influence["event"] == event.id]
        moved = {i: rows.loc[rows["estimate"] == i, "shift"].abs().max() for i in ids}
        expected = [i for i in ids if i in _largest(moved, 3)]
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            textwrap.shorten(i, 44, placeholder="…") for i in expected
        ]
        said = [t.get_text() for t in ax.texts]
        assert said == ["3 of 10 statements shown: those whose removal moves it most; every one is in influence.csv"]


def test_a_run_says_what_its_figures_leave_out_and_lists_every_statement(
    seed_forecast: Forecast, influence, few, tmp_path, monkeypatch
):
    monkeypatch.setattr(export, "FigureWriter", functools.partial(FigureWriter, share=False))
    out = export.write_run(seed_forecast, tmp_path / "run", command="test", influence=influence)
    estimates = pd.read_csv(out / "estimates.csv")
    assert estimates["estimate"].tolist() == [e.id for e in seed_forecast.scenario.estimates]
    assert sorted(set(pd.read_csv(out / "influence.csv")["estimate"])) == sorted(estimates["estimate"])
    report = " ".join((out / "report.md").read_text(encoding="utf-8").split())
    assert (
        "*Each statement's range against the combined view of the same probability. 4 of 10 statements shown: those "
        "furthest from the combined view (largest |residual|); every statement is in estimates.csv and the report.*"
    ) in report
    per_event = estimates["event"].value_counts().clip(upper=3).sum()  # ready 6 -> 3, attack 4 -> 3
    assert (
        f"{per_event} of 10 statements shown: at most 3 an event, those furthest from the combined view (largest "
        "|residual|); every statement is in estimates.csv and the report.*"
    ) in report
    assert "Each event's panel shows 3 of 10 statements, those whose removal moves it most; every one is in " in report
    for est in seed_forecast.scenario.estimates:  # the report still lists every statement
        assert f"(`{est.id}`)" in report
        assert " ".join(est.spec.quote.split()) in report


def test_selection_keeps_the_tables_order():
    table = pd.DataFrame({"estimate": list("abcde"), "residual": [0.1, -3.0, 2.0, -0.5, 2.5]})
    assert selection.furthest(table, 3)["estimate"].tolist() == ["b", "c", "e"]
    assert selection.furthest(table, 5) is table
    influence = pd.DataFrame({"estimate": list("aabbcc"), "shift": [0.01, -0.2, 0.05, 0.0, -0.1, 0.1]})
    assert selection.most_influential(influence, ["c", "b", "a"], 2) == ["c", "a"]
    assert selection.shown(3, 3, "all") is None
    assert selection.shown(20, 1000, "some") == "20 of 1,000 statements shown: some"

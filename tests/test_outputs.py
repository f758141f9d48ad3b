"""The seed run's figures, tables and report: what is drawn and written matches the forecast."""

from __future__ import annotations

import base64
import json
from datetime import date
from html.parser import HTMLParser

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from riskline.config.windows import Window
from riskline.forecast import Forecast
from riskline.plots import (
    plot_hazard,
    plot_per_period,
    plot_prior_posterior,
    plot_reconciliation,
    plot_timeline,
    plot_update,
)
from riskline.plots.style import date_axis
from riskline.plots.timeline import FAN_QUANTILES
from riskline.report import FIGURES


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _panels(fig) -> list:
    """The data axes of a figure (not the row that only holds a key)."""
    return [ax for ax in fig.axes if ax.axison]


def test_fan_chart_bands_are_nested_and_every_estimate_is_keyed(seed_forecast: Forecast):
    table = seed_forecast.timeline(quantiles=FAN_QUANTILES)
    columns = ["p_q025", "p_q10", "p_q25", "p_q75", "p_q90", "p_q975"]
    assert (np.diff(table[columns].to_numpy(), axis=1) >= -1e-12).all()  # 95% band holds 80% holds 50%
    fig = plot_timeline(seed_forecast)
    scenario = seed_forecast.scenario
    panels = _panels(fig)
    views = seed_forecast.reconciliation().set_index("estimate")
    assert [ax.get_title(loc="left") for ax in panels] == [e.label for e in scenario.events]
    for ax, event in zip(panels, scenario.events, strict=True):
        estimates = [e for e in scenario.estimates if e.spec.event == event.id]
        legend = ax.get_legend()
        estimate_key = legend is not None and legend.get_title().get_text().startswith("Stated estimates")
        keyed = [t.get_text() for t in legend.get_texts()] if estimate_key else []
        on_calendar = [e for e in estimates if isinstance(e.window, Window)]
        if on_calendar:  # the diamonds beside the ranges
            assert keyed.pop().startswith("combined view")
        assert len(keyed) == len(estimates)
        assert [k.startswith("⚑") for k in keyed] == [bool(views.loc[e.id, "flag"]) for e in estimates]
        drawn = [line for line in ax.lines if len(line.get_xdata()) == 2 and line.get_linewidth() == 5]
        assert len(drawn) == len(on_calendar)
        diamonds = [line.get_ydata()[0] for line in ax.lines if line.get_marker() == "D"]
        np.testing.assert_allclose(diamonds, [views.loc[e.id, "posterior_median"] for e in on_calendar])
        assert ax.get_ylabel() == "P(event by date)"
        years = [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()]  # named mid-year
        assert years
        assert all(y.isdigit() for y in years)
        rows = seed_forecast.timeline()
        for label, column in (("posterior mean", "p_mean"), ("posterior median", "p_q50")):
            line = next(line for line in ax.lines if line.get_label() == label)
            np.testing.assert_allclose(line.get_ydata(), rows[rows["event"] == event.id][column])
        until = seed_forecast.speaks_until()[event.id]  # shaded from there: the years no statement speaks of
        (shaded,) = [p for p in ax.patches if p.get_alpha() == 0.1]
        assert mdates.num2date(shaded.get_x()).date() == until
        assert any(f"no statement speaks\npast {until:%b %Y}" in t.get_text() for t in ax.texts)


def test_fan_chart_says_the_headline_in_the_lexicons_words(seed_forecast: Forecast):
    fig = plot_timeline(seed_forecast)
    years = seed_forecast.year_ends()
    texts = [t.get_text() for ax in _panels(fig) for t in ax.texts]
    for event in seed_forecast.scenario.events:
        for year in seed_forecast.headline_years():
            row = years[(years["event"] == event.id) & (years["year"] == year)].iloc[0]
            words = seed_forecast.scenario.lexicon.words_for(row.p_mean, ranges=False)
            said = f"{row.p_mean:.0%} (median {row.p_q50:.0%}) by end {year}, {words}"
            assert any(said in text for text in texts), said
    assert "icd-203" in fig.get_supxlabel()
    assert "11 Dec 2025" in fig.get_supxlabel()


def test_per_period_bars_are_the_table(seed_forecast: Forecast):
    fig = plot_per_period(seed_forecast)
    table = seed_forecast.per_period()
    for ax, event in zip(_panels(fig), seed_forecast.scenario.events, strict=True):
        rows = table[table["event"] == event.id]
        bars = {round(bar.get_x() + bar.get_width() / 2): bar for bar in ax.patches}
        np.testing.assert_allclose([bars[y].get_height() for y in rows["year"]], rows["p_mean"])
        assert [bars[y].get_hatch() == "///" for y in rows["year"]] == rows["extrapolated"].tolist()
        medians = next(line for line in ax.lines if line.get_label() == "median")
        np.testing.assert_allclose(medians.get_ydata(), rows["p_q50"])
        assert ax.get_ylabel() == "P(event in year)"


def test_hazard_panels_use_calendar_or_delay_axes_and_mark_signposts(seed_forecast: Forecast):
    fig = plot_hazard(seed_forecast)
    panels = _panels(fig)
    for ax, event in zip(panels, seed_forecast.scenario.events, strict=True):
        assert ax.get_yscale() == "log"
        assert ax.get_xlabel() == (f"Years after {event.after}" if event.after else "")
        labels = [line.get_label() for line in ax.lines]
        has_signpost = any(s.event == event.id for s in seed_forecast.scenario.signposts)
        assert any(label.startswith("signpost") for label in labels) == has_signpost
        assert ("median without signposts" in labels) == has_signpost


def test_reconciliation_rows_match_the_table_and_flags_are_bold(seed_forecast: Forecast):
    table = seed_forecast.reconciliation()
    fig = plot_reconciliation(seed_forecast)
    ax = _panels(fig)[0]
    assert len(ax.patches) == len(table)  # one stated range per estimate
    medians = sorted(line.get_xdata()[0] for line in ax.lines if line.get_marker() == "o")
    np.testing.assert_allclose(medians, sorted(table["posterior_median"]))
    flagged = [t.get_text() for t in ax.get_yticklabels() if t.get_text().startswith("⚑")]
    assert len(flagged) == table["flag"].sum() >= 1
    assert all(t.get_fontweight() == "bold" for t in ax.get_yticklabels() if t.get_text().startswith("⚑"))


def test_prior_posterior_and_update_overlay_the_right_timelines(seed_forecast: Forecast):
    fig = plot_prior_posterior(seed_forecast)
    first = _panels(fig)[0]
    lines = {line.get_label(): line for line in first.lines if not line.get_label().startswith("_")}
    prior = seed_forecast.timeline("prior").query("event == 'ceasefire'")["p_mean"]
    np.testing.assert_allclose(lines["priors alone"].get_ydata(), prior)
    years = seed_forecast.year_ends().query("event == 'ceasefire'").set_index("year")
    said = ", ".join(f"{years.p_mean[y]:.0%} ({years.p_q50[y]:.0%})" for y in seed_forecast.headline_years())
    assert any(f"nothing by as_of): {said}" in " ".join(t.get_text().split()) for t in first.texts), said
    later, _ = seed_forecast.scenario.at(date(2026, 11, 25))
    fig = plot_update(seed_forecast, Forecast(later, seed_forecast.tree))
    assert "what changed since 11 Dec 2025" in fig.get_suptitle()
    labels = [line.get_label() for line in _panels(fig)[0].lines]
    assert "as of 11 Dec 2025" in labels
    assert "as of 25 Nov 2026" in labels


def test_tables_agree_with_the_forecast(seed_run, seed_forecast: Forecast):
    out, summary = seed_run
    estimates = pd.read_csv(out / "estimates.csv")
    expected = seed_forecast.reconciliation()
    written = {"rtol": 0, "atol": 1e-6}  # the CSV files hold six decimals
    np.testing.assert_allclose(estimates["posterior_median"], expected["posterior_median"], **written)
    assert estimates["flag"].tolist() == expected["flag"].tolist()
    periods = pd.read_csv(out / "per_period.csv")
    np.testing.assert_allclose(periods["p_q95"], seed_forecast.per_period()["p_q95"], **written)
    assert summary["flagged_estimates"] == expected.loc[expected["flag"], "estimate"].tolist()


class _Page(HTMLParser):
    """Collects what a browser would fetch: images, scripts, stylesheets, frames."""

    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.fetched: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag in {"script", "link", "iframe", "object", "embed"}:
            self.fetched.append(attrs.get("src") or attrs.get("href") or tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_self_contained_and_shows_every_figure(seed_run, seed_forecast: Forecast):
    out, _ = seed_run
    page = _Page()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert page.fetched == []  # nothing to load: opens offline
    assert len(page.images) == len(FIGURES) + 1  # and the run's influence figure
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    text = " ".join(" ".join(page.text).split())
    for est in seed_forecast.scenario.estimates:
        assert " ".join(est.spec.quote.split()) in text


def test_markdown_report_traces_numbers_to_quotes(seed_run, seed_forecast: Forecast):
    out, summary = seed_run
    report = (out / "report.md").read_text(encoding="utf-8")
    for est in seed_forecast.scenario.estimates:
        provenance = est.spec.provenance
        if provenance.seed:
            assert f"`{provenance.seed}`, characters {provenance.offsets[0]}–{provenance.offsets[1]}" in report
        else:
            assert provenance.outlet in report
        assert est.probability.describe() in report
    assert summary["command"] in report
    assert seed_forecast.scenario.lexicon.title in report
    # the sources' priors in use are the judged ones (priors/sources.yaml: learning did not hold up out of sample)
    assert "| intelligence_service | Normal(mean 0, sd 0.3) | LogNormal(median 0.5, sd of log 0.3) |" in report
    for name in [*FIGURES, "influence"]:
        assert f"]({name}.png)" in report
    year = seed_forecast.headline_years()[-1]
    row = seed_forecast.year_ends().query("event == 'attack' and year == @year").iloc[0]
    assert f"| {year} |" in report
    assert f"{row.p_mean:.0%} (median {row.p_q50:.0%}) [{row.p_q05:.0%}–{row.p_q95:.0%}]" in report
    json.dumps(summary)  # still plain JSON


@pytest.mark.parametrize("plot", [plot_timeline, plot_per_period, plot_hazard, plot_prior_posterior])
def test_one_event_on_a_given_axes(seed_forecast: Forecast, plot):
    fig, ax = plt.subplots()
    assert plot(seed_forecast, event="attack", ax=ax) is fig
    assert ax.get_title(loc="left") == "Russian armed attack on NATO territory"
    if plot is not plot_timeline:
        _, other = plt.subplots()
        with pytest.raises(ValueError, match="one axes holds one event; pass event= one of ceasefire, ready, attack"):
            plot(seed_forecast, ax=other)


@pytest.mark.parametrize("view", [(date(2025, 6, 1), date(2036, 1, 1)), (date(1999, 12, 31), date(2001, 1, 2))])
def test_date_ticks_are_matplotlibs(view):
    """The year and mid-year ticks in view are those of YearLocator and MonthLocator(bymonth=7)."""
    _, ax = plt.subplots()
    ax.plot(np.array(view, dtype="datetime64[D]"), [0, 1])
    date_axis(ax)
    ax.set_xlim(*(np.datetime64(d) for d in view))
    low, high = ax.get_xlim()

    def in_view(locator) -> list[float]:
        locator.set_axis(ax.xaxis)
        return [tick for tick in locator() if low <= tick <= high]

    ours = in_view(ax.xaxis.get_major_locator()), in_view(ax.xaxis.get_minor_locator())
    assert ours == (in_view(mdates.YearLocator()), in_view(mdates.MonthLocator(bymonth=7)))
    named = [str(year) for year in range(view[0].year, view[1].year + 1) if view[0] <= date(year, 7, 1) <= view[1]]
    assert ax.xaxis.get_minor_formatter().format_ticks(ours[1]) == named  # each year named in its middle

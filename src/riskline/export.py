"""Write a fitted forecast to a run directory: tables, NetCDF and figures.

The folder is written through `riskline.output_folder.staged`: all or nothing, with a
manifest of its files, so that a later run deletes nothing of the analyst's.
"""

from __future__ import annotations

import dataclasses
import json
import math
import platform
from collections.abc import Callable, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from riskline import plots
from riskline.forecast import EXTRAPOLATION, Forecast
from riskline.interchange import PLATFORM_FILE, platform_document
from riskline.output_folder import staged
from riskline.plots.files import FIGURE_FORMATS, FigureWriter, save_figure
from riskline.plots.selection import influence_note, reconciliation_note, timeline_note
from riskline.report import FIGURES, INFLUENCE_CAPTION, render_html, report_markdown

__all__ = [
    "FIGURE_FORMATS",
    "RUN_FILES",
    "package_versions",
    "run_summary",
    "save_figure",
    "strict_json",
    "write_run",
]

INFLUENCE_FIGURE = "influence"
RUN_FILES = frozenset(
    ["timeline.csv", "estimates.csv", "per_period.csv", "summary.json", "forecast.nc", "report.md", "report.html",
     "influence.csv"]
    + [f"{name}.{suffix}" for name in [*FIGURES, INFLUENCE_FIGURE] for suffix in FIGURE_FORMATS]
)  # fmt: skip
"""Every file `write_run` writes besides its manifest (influence.* only when given each statement's influence)."""
PACKAGES = ("riskline", "pymc", "pytensor", "nutpie", "arviz", "numpy", "scipy", "xarray", "matplotlib")


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape a result."""
    return {"python": platform.python_version()} | {name: version(name) for name in PACKAGES}


def run_summary(
    forecast: Forecast,
    command: str | None = None,
    *,
    year_ends: Mapping[str, pd.DataFrame] | None = None,
    per_period: pd.DataFrame | None = None,
    reconciliation: pd.DataFrame | None = None,
) -> dict:
    """The content of summary.json: headline numbers, diagnostics and provenance.

    `year_ends` (`forecast.year_ends(which)` for each of `forecast.available()`), `per_period`
    and `reconciliation` are the forecast's tables, for a caller that has them already.
    """
    scenario = forecast.scenario
    diagnostics = forecast.diagnostics()
    thresholds = scenario.priors.model.diagnostics
    problems = diagnostics.problems(thresholds.max_rhat, thresholds.min_ess_bulk)
    partial = forecast.partial
    if partial is not None:
        problems.append(str(partial))
    if year_ends is None:
        year_ends = {which: forecast.year_ends(which) for which in forecast.available()}
    timelines = {which: (year_ends[which], forecast.median_dates(which)) for which in forecast.available()}
    events: dict[str, dict[str, object]] = {}
    for event in scenario.events:
        events[event.id] = {"label": event.label, "kind": event.kind, "after": event.after}
        for which, (years, medians) in timelines.items():
            prefix = "" if which == "posterior" else f"{which}_"
            events[event.id][f"{prefix}by_year_end"] = _by_year(years[years["event"] == event.id])
            median = medians[event.id]
            events[event.id][f"{prefix}median_date"] = median.isoformat() if median else "after horizon"
    periods = forecast.per_period() if per_period is None else per_period
    speaks_until = forecast.speaks_until()
    for event in scenario.events:
        events[event.id]["per_year"] = _by_year(periods[periods["event"] == event.id])
        until = speaks_until[event.id]
        events[event.id]["statements_speak_until"] = until.isoformat() if until else None
    if reconciliation is None:
        reconciliation = forecast.reconciliation()
    return {
        "scenario": scenario.name,
        "title": scenario.spec.title,
        "partial": partial is not None,
        "partial_draws": None if partial is None else dataclasses.asdict(partial) | {"note": str(partial)},
        "question": scenario.spec.question,
        "as_of": scenario.as_of.isoformat(),
        "horizon": scenario.horizon.isoformat(),
        "probability": "P(event by date | no event by as_of); intervals are 90% (5th-95th percentile)",
        "per_year": "P(event within the calendar year | no event by as_of); the first year starts at as_of",
        "extrapolated": "a year ending after statements_speak_until, the last date a statement on the event's chain "
        f"speaks of: there {EXTRAPOLATION}",
        "events": events,
        "estimates_used": [e.id for e in scenario.estimates],
        "timelines": {
            "posterior": "the forecast",
            "prior": "the priors alone, before any statement or survival (prior_ keys)",
            "without_signposts": "the forecast's draws with every signpost's ratio set to 1 (without_signposts_ keys)",
        },
        "reconciliation": json.loads(
            reconciliation.drop(columns=["quote"]).round(4).to_json(orient="records", date_format="iso")
        ),
        "flagged_estimates": reconciliation.loc[reconciliation["flag"], "estimate"].tolist(),
        "diagnostics": {
            "max_rhat": round(diagnostics.max_rhat, 4),
            "min_ess_bulk": round(diagnostics.min_ess_bulk, 1),
            "divergences": diagnostics.divergences,
            "chains": diagnostics.chains,
            "draws": diagnostics.draws,
            "pareto_k": None if diagnostics.pareto_k is None else round(diagnostics.pareto_k, 3),
            "converged": not problems,
            "problems": problems,
        },
        "random_seed": _plain(forecast.tree.attrs.get("random_seed")),
        "priors": forecast.priors_used(),
        "versions": package_versions(),
        "command": command,
    }


def strict_json(value) -> str:
    """JSON that any parser reads: a NaN or infinite number (a failed diagnostic) becomes null."""

    def finite(item):
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {key: finite(v) for key, v in item.items()}
        if isinstance(item, list | tuple):
            return [finite(v) for v in item]
        return item

    return json.dumps(finite(value), indent=2, allow_nan=False)


def _plain(value):
    """A NumPy scalar (as read back from NetCDF) as the Python number JSON can hold."""
    return value.item() if hasattr(value, "item") else value


def _by_year(rows) -> list[dict]:
    return [
        {
            "year": int(r.year),
            "mean": round(r.p_mean, 4),
            "median": round(r.p_q50, 4),
            "q05": round(r.p_q05, 4),
            "q95": round(r.p_q95, 4),
            "extrapolated": bool(r.extrapolated),
        }
        for r in rows.itertuples()
    ]


def write_run(
    forecast: Forecast,
    out_dir: Path,
    command: str | None = None,
    extra: dict | None = None,
    influence: pd.DataFrame | None = None,
) -> Path:
    """Write the tables, summary.json, forecast.nc, the figures of FIGURES (PNG, SVG, PDF), the report, the CDFs.

    Each event's date-question CDF goes to metaculus-EVENT.json (riskline.interchange).

    The folder is written whole or not at all, with a manifest of its files
    (`riskline.output_folder.staged`): a folder holding anything riskline did not write is
    refused, never overwritten.

    Parameters
    ----------
    forecast
        The forecast to write (`fit`, `update` or `Forecast.load`).
    out_dir
        The run folder; made, or replaced when it holds a previous run's files only.
    command
        The command line that made the run, recorded in summary.json and the report.
    extra
        More keys for summary.json.
    influence
        Each statement's influence (`riskline.influence.statement_influence`): adds
        influence.csv, its figure, its summary.json key and its report section.

    Returns
    -------
    Path
        `out_dir`.

    Raises
    ------
    OutputError
        When `out_dir` cannot be written or holds files riskline did not write.

    """
    with staged(out_dir, RUN_FILES) as staging, FigureWriter() as figure_files:
        # each table once: the files, the summary, the figures and the report share them
        timeline, reconciliation, per_period = forecast.timeline(), forecast.reconciliation(), forecast.per_period()
        year_ends = {which: forecast.year_ends(which) for which in forecast.available()}
        drawings = _drawings(forecast, influence, timeline, year_ends["posterior"], reconciliation, per_period)
        figures = _captions(INFLUENCE_FIGURE in drawings, reconciliation, influence)
        for name, draw in drawings.items():  # queued: a helper process may take them (FigureWriter)
            figure_files.save(draw(), staging / name)
        timeline.to_csv(staging / "timeline.csv", index=False, float_format="%.6f")
        reconciliation.to_csv(staging / "estimates.csv", index=False, float_format="%.6f")
        per_period.to_csv(staging / "per_period.csv", index=False, float_format="%.6f")
        tables: dict[str, Any] = {"year_ends": year_ends, "reconciliation": reconciliation}
        summary = run_summary(forecast, command, per_period=per_period, **tables) | (extra or {})
        if influence is not None:
            influence.to_csv(staging / "influence.csv", index=False, float_format="%.6f")
            summary["influence"] = json.loads(influence.round(4).to_json(orient="records"))
        (staging / "summary.json").write_text(strict_json(summary) + "\n", encoding="utf-8")
        for event in forecast.scenario.events:
            document = strict_json(platform_document(forecast, event.id))
            (staging / PLATFORM_FILE.format(event=event.id)).write_text(document + "\n", encoding="utf-8")
        forecast.with_risk_group().to_netcdf(staging / "forecast.nc", engine="h5netcdf")
        figure_files.wait()  # the figures the helper has not taken are drawn here
        markdown = report_markdown(forecast, summary, figures, influence, **tables)
        (staging / "report.md").write_text(markdown, encoding="utf-8")
        page = render_html(markdown, staging, forecast.title())
        (staging / "report.html").write_text(page, encoding="utf-8")
    return Path(out_dir)


def _captions(influence_drawn: bool, reconciliation: pd.DataFrame, influence: pd.DataFrame | None) -> dict[str, str]:
    """The report's caption of each figure drawn, with what a figure leaves out of many statements (plots.selection)."""
    figures = FIGURES | ({INFLUENCE_FIGURE: INFLUENCE_CAPTION} if influence_drawn else {})
    notes = {"timeline": timeline_note(reconciliation), "reconciliation": reconciliation_note(reconciliation)}
    if influence_drawn and influence is not None:
        notes[INFLUENCE_FIGURE] = influence_note(influence)
    return {name: " ".join(filter(None, [caption, notes.get(name)])) for name, caption in figures.items()}


def _drawings(
    forecast: Forecast,
    influence: pd.DataFrame | None,
    timeline: pd.DataFrame,
    year_ends: pd.DataFrame,
    reconciliation: pd.DataFrame,
    per_period: pd.DataFrame,
) -> dict[str, Callable[[], Figure]]:
    """Each figure of a run by its file stem, to be drawn from the forecast's tables computed once.

    The longest to write first (on the seed), so that the last one, which one process may wait
    for while the other has finished, is short.
    """
    drawings = {
        "timeline": lambda: plots.plot_timeline(forecast, year_ends=year_ends, reconciliation=reconciliation),
        "hazard": lambda: plots.plot_hazard(forecast),
        "prior_posterior": lambda: plots.plot_prior_posterior(forecast, posterior=timeline),
    }
    if influence is not None and not influence.empty:  # one statement: nothing to leave out
        drawings[INFLUENCE_FIGURE] = lambda: plots.plot_influence(forecast, influence)
    drawings["reconciliation"] = lambda: plots.plot_reconciliation(forecast, table=reconciliation)
    drawings["per_period"] = lambda: plots.plot_per_period(forecast, table=per_period)
    return drawings

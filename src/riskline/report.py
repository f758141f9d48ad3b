"""The run's report: report.md, and report.html with every figure embedded so it opens offline.

The report is written in Markdown first and the HTML is rendered from that same text, so
the two never disagree. It traces every number to its quote: each estimate is listed with
its source, date, provenance (seed file and character offsets, or outlet) and the combined
view of the same quantity, next to the lexicon and the priors with where they come from.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from markdown_it import MarkdownIt

from riskline.forecast import Forecast, describe_risk, year_row

__all__ = ["FIGURES", "render_html", "report_markdown"]

FIGURES = {
    "timeline": "Risk timeline: P(event by date) with 50/80/95% credible bands; stated estimates numbered.",
    "per_period": "Risk within each calendar year, with 90% credible intervals.",
    "hazard": "Hazard over time (events per year, log scale), with signposts where they apply.",
    "reconciliation": "Each statement's range against the combined view of the same probability.",
    "prior_posterior": "The timeline implied by the priors alone against the posterior.",
}
"""Figure file stems written by every run, in report order, with their captions."""
INFLUENCE_CAPTION = "What each statement adds: the headline numbers without it, against the forecast."
"""The caption of the figure a run adds when it computed each statement's influence."""

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45;
       color: #111; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #eee; }
img { max-width: 100%; border: 1px solid #ddd; }
blockquote { border-left: 4px solid #0072B2; margin: 0.5rem 0; padding: 0.1rem 1rem; color: #333; }
code { background: #f3f3f3; padding: 0 0.2rem; }
"""


def report_markdown(
    forecast: Forecast,
    summary: dict,
    figures: dict[str, str] = FIGURES,
    influence: pd.DataFrame | None = None,
    *,
    year_ends: Mapping[str, pd.DataFrame] | None = None,
    reconciliation: pd.DataFrame | None = None,
) -> str:
    """The report as Markdown; figures are referenced as `<stem>.png` beside it.

    `year_ends` (`forecast.year_ends(which)` by `which`: the posterior's, and the prior's when
    the forecast has one) and `reconciliation` are the forecast's tables, for a caller that has
    them already.
    """
    scenario, spec = forecast.scenario, forecast.scenario.spec
    if year_ends is None:
        year_ends = {which: forecast.year_ends(which) for which in forecast.available() if which != "without_signposts"}
    if reconciliation is None:
        reconciliation = forecast.reconciliation()
    lines = [f"# {forecast.title()}", ""]
    if forecast.partial is not None:
        lines += [f"> **{forecast.partial}**: its numbers rest on fewer draws than asked, from chains that may not "
                  "have mixed; run again without Ctrl-C for the forecast.", ""]  # fmt: skip
    lines += [f"**Question.** {spec.question}", ""]
    if spec.resolution:
        lines += [f"**Resolution.** {' '.join(spec.resolution.split())}", ""]
    lines += [
        f"Forecast as of **{scenario.as_of}** (no observed event had happened by then; the model counts that "
        f"quiet from {forecast.grid.edges[0]}, {_quiet_from(scenario)}), horizon {scenario.horizon}; "
        f"scenario file `{_relative(scenario.path)}`. Probabilities are P(event by date | no observed event of its "
        "chain by as_of), which for a latent event counts that it may already have happened (the events table "
        "says what is known of each); intervals are 90% credible intervals; words are those of the scenario's "
        f"lexicon ({scenario.lexicon.name}).",
        "",
        "## Events",
        "",
        "| event | what | waits for | resolves when | known by as_of |",
        "|---|---|---|---|---|",
    ]
    for event in scenario.events:
        lines.append(
            f"| `{event.id}` | {_cell(event.label)} | {event.after or '—'} | {_cell(event.resolution or '')} | "
            f"{_cell(scenario.what_is_known(event))} |"
        )
    headline = _headline_table(forecast, year_ends["posterior"])
    partial = " (PARTIAL RUN)" if forecast.partial is not None else ""
    lines += ["", f"## Headline{partial}: P(event by the end of each year)", "", headline, ""]
    lines += _priors_alone_section(forecast, year_ends)
    for name, caption in figures.items():
        lines += [f"![{caption}]({name}.png)", "", f"*{caption}*", ""]
    if influence is not None:
        lines += _influence_section(forecast, influence)
    lines += _estimates_section(forecast, summary, reconciliation)
    lines += _priors_section(forecast)
    lines += _diagnostics_section(summary)
    command = summary.get("command") or "(not recorded: fitted from Python)"
    seed = f"Random seed {summary.get('random_seed')}; priors directory `{_relative(scenario.priors.directory)}`."
    lines += ["## Reproduce", "", "```", command, "```", "", seed, ""]
    return "\n".join(lines)


def _headline_table(forecast: Forecast, table: pd.DataFrame) -> str:
    events = [e.id for e in forecast.scenario.events]
    rows = ["| end of | " + " | ".join(f"`{e}`" for e in events) + " |", "|---" * (len(events) + 1) + "|"]
    lexicon = forecast.scenario.lexicon
    for year in sorted(set(table["year"])):
        cells = []
        for event in events:
            row = year_row(table, event, year)
            words = lexicon.words_for(row.p_mean, ranges=False)
            cells.append(f"{describe_risk(row)} {words}" + (" \\*" if row.extrapolated else ""))
        rows.append(f"| {year} | " + " | ".join(cells) + " |")
    notes = [f"\\* {note}." for note in forecast.extrapolation_notes()]
    caption = "Mean (median) [90% interval], in the lexicon's words for the mean."
    return "\n".join([*rows, "", caption, *(line for note in notes for line in ("", note))])


def _priors_alone_section(forecast: Forecast, year_ends: Mapping[str, pd.DataFrame]) -> list[str]:
    """The priors alone beside the forecast: what the base rates already said before any statement."""
    if "prior" not in year_ends:
        return []
    prior, posterior = year_ends["prior"], year_ends["posterior"]
    years = forecast.summary_years()
    lines = ["## What the priors alone imply", "",
             "The base rates and their spread (priors/base-rates.yaml) alone, before any statement and before learning "
             "from the quiet so far: where the forecast sits near them, the statements added little.", "",
             "| event | end of | priors alone | forecast |", "|---|---|---|---|"]  # fmt: skip
    for event in forecast.scenario.events:
        for year in years:
            cells = [describe_risk(year_row(table, event.id, year)) for table in (prior, posterior)]
            lines.append(f"| `{event.id}` | {year} | {cells[0]} | {cells[1]} |")
    return [*lines, ""]


def _influence_section(forecast: Forecast, influence: pd.DataFrame) -> list[str]:
    """The statements that move the question's event most, by the later headline year, largest first.

    The question's event is the scenario's last (a chain's outcome comes after what it waits for).
    """
    if influence.empty:
        return []
    event, year = forecast.scenario.events[-1].id, max(influence["year"])
    rows = influence[(influence["event"] == event) & (influence["year"] == year)]
    rows = rows.reindex(rows["shift"].abs().sort_values(ascending=False).index)
    first = rows.iloc[0]
    lines = ["## What each statement adds", "",
             f"P(`{event}` by end {year}) is {first.with_mean:.0%} (median {first.with_median:.0%}) with every "
             "statement. Without each one in turn (the fit's draws reweighted by Pareto-smoothed importance sampling, "
             "or a new fit where the Pareto k is too high):", "",
             "| statement | without it | change | how |", "|---|---|---|---|"]  # fmt: skip
    for row in rows.itertuples():
        how = f"reweighted (k {row.pareto_k:.2f})" if row.method == "reweighted" else "refitted"
        without = f"{row.without_mean:.0%} (median {row.without_median:.0%})"
        lines.append(f"| `{row.estimate}` | {without} | {100 * row.shift:+.1f} points | {how} |")
    return [*lines, ""]


def _estimates_section(forecast: Forecast, summary: dict, reconciliation: pd.DataFrame) -> list[str]:
    scenario = forecast.scenario
    views = {row.estimate: row for row in reconciliation.itertuples(index=False)}  # a thousand .loc calls take ~0.3 s
    sources = {s.id: s.label for s in scenario.sources}
    lines = ["## The statements, and the combined view of each", ""]
    left_out = summary.get("estimates_left_out")
    if left_out:
        lines += [f"Left out (issued after as_of): {', '.join(left_out)}.", ""]
    for number, est in enumerate(scenario.estimates, start=1):
        row = views[est.id]
        spec = est.spec
        flag = " **Flagged: the combined view puts less than 5% inside this range.**" if row.flag else ""
        lines += [
            f"### {number}. {_cell(sources[spec.source])}, {spec.issued} (`{est.id}`)",
            "",
            f"> {spec.quote}",
            "",
            f"- Provenance: {_provenance(spec.provenance)}",
            f"- Event: `{spec.event}` ({spec.kind}); window: {est.window.describe(spec.issued)}",
            f"- Stated: {est.probability.describe()}" + (f"; confidence {spec.confidence}" if spec.confidence else ""),
            _verdict(row, flag),
        ]
        if spec.note:
            lines.append(f"- Analyst's note: {' '.join(spec.note.split())}")
        lines.append("")
    return lines


def _verdict(row, flag: str) -> str:
    """The combined view of a statement's probability; for a closed window, what it taught about its source."""
    view = (f"median {row.posterior_median:.0%} [{row.posterior_q05:.0%}–{row.posterior_q95:.0%}], "
            f"{row.posterior_in_range:.0%} of it inside the stated range")  # fmt: skip
    if row.window_closed:
        return (
            f"- **Window closed, nothing happened.** Read as a failed forecast of its source, not as evidence of "
            f"the hazard: the fit puts the source's bias at {row.source_bias_mean:+.2f} logit (prior mean "
            f"{row.source_bias_prior:+.2f}; positive: overstates). Combined view of the window: {view}."
        )
    return f"- Combined view of the same probability: {view}, residual {row.residual:+.2f}.{flag}"


def _provenance(provenance) -> str:
    if provenance.seed is not None:
        start, end = provenance.offsets
        found = f"seed file `{provenance.seed}`, characters {start}–{end}"
    else:
        found = f"reported by {provenance.outlet}"
    if provenance.url:
        found += f", <{provenance.url}>"
    if provenance.note:
        found += f" ({' '.join(provenance.note.split())})"
    return found


def _aliases_read(scenario) -> list[str]:
    """A paragraph naming each phrase the lexicon lacks and read through its `aliases:` block, or nothing."""
    aliases = {e.probability.alias.phrase: e.probability.alias for e in scenario.estimates if e.probability.alias}
    if not aliases:
        return []
    said = "; ".join(f"'{a.phrase}' as '{a.to}' ({a.reason})" for a in aliases.values())
    return [f"**Read through aliases** (phrases `{scenario.lexicon.name}` lacks, docs/language.md): {said}.", ""]


def _priors_section(forecast: Forecast) -> list[str]:
    scenario = forecast.scenario
    lexicon = scenario.lexicon
    hazard = scenario.hazard
    lines = [
        "## Lexicon and priors",
        "",
        f"**Lexicon** `{lexicon.name}`: {lexicon.title}. Source: {' '.join(lexicon.source.split())}",
        "",
        *_aliases_read(scenario),
        f"**Hazard**: {_hazard_words(hazard)} (priors/model.yaml and the scenario's overrides).",
        "",
        "| base rate | median per year | sd of log | why |",
        "|---|---|---|---|",
    ]
    for event in scenario.events:
        rate = scenario.base_rate(event)
        lines.append(
            f"| `{event.base_rate}` ({event.id}) | {rate.per_year:g} | {rate.log_sd:g} | {_cell(rate.reason)} |"
        )
    lines += ["", "| source | class | bias prior (logit) | noise prior |", "|---|---|---|---|"]
    for source in scenario.sources:
        found = scenario.source_class(source)
        bias = f"Normal(mean {found.bias.mean:g}, sd {found.bias.sd:g})"
        noise = f"LogNormal(median {found.noise.median:g}, sd of log {found.noise.log_sd:g})"
        lines.append(f"| {_cell(source.label)} | {source.reliability} | {bias} | {noise} |")
    lines += _learned_classes(scenario)
    for signpost in scenario.signposts:
        low, high = signpost.hazard_ratio
        where = f"`{signpost.id}` on {signpost.date} ({signpost.event})"
        lines += ["", f"**Signpost** {where}: hazard ratio {low:g}–{high:g} (90%) from that date."]
    return [*lines, ""]


def _learned_classes(scenario) -> list[str]:
    """Which classes' priors were learned from the backtest, and what they were as judged."""
    judged = {}
    for source in scenario.sources:
        found = scenario.source_class(source)
        if found.judgement is not None and (found.judgement.bias, found.judgement.noise) != (found.bias, found.noise):
            was = found.judgement
            judged[source.reliability] = (
                f"{source.reliability} bias mean {was.bias.mean:g}, noise median {was.noise.median:g}"
            )
    if not judged:
        return []
    return ["", "These classes' priors are learned from the track record of resolved questions (`priors/sources.yaml`, "
            f"docs/backtests.md); as judged before any outcome was scored: {'; '.join(judged.values())}."]  # fmt: skip


def _hazard_words(hazard) -> str:
    if hazard.kind == "constant":
        return "constant over time"
    reverting = "" if hazard.reversion is None else f", falling back towards its level over {hazard.reversion:g} years"
    return (f"random walk on the log hazard, sd {hazard.smoothness:g} per sqrt(year), "
            f"knots every {hazard.knot_spacing:g} year(s){reverting}")  # fmt: skip


def _diagnostics_section(summary: dict) -> list[str]:
    found = summary["diagnostics"]
    health = "healthy" if found["converged"] else "**not converged: " + "; ".join(found["problems"]) + "**"
    versions = ", ".join(f"{name} {number}" for name, number in summary["versions"].items())
    sampled = (
        f"{found['chains']} chains x {found['draws']} draws: max R-hat {found['max_rhat']}, min bulk ESS "
        f"{found['min_ess_bulk']}, {found['divergences']} divergences ({health})."
    )
    if found["pareto_k"] is not None:
        sampled = (
            f"The draws of a fit of an earlier version of the scenario, reweighted to this one by Pareto-smoothed "
            f"importance sampling (Pareto k {found['pareto_k']}; riskline.update). That fit: {sampled} "
            "The bulk ESS is scaled by the weights' efficiency."
        )
    return [
        "## Sampler diagnostics and versions",
        "",
        sampled,
        "",
        f"Versions: {versions}.",
        "",
    ]


def _relative(path: Path) -> Path:
    """`path` relative to the working directory when it lies below it (a report is shared)."""
    path = Path(path).resolve()
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def render_html(markdown: str, run_dir: Path, title: str) -> str:
    """The Markdown as one self-contained HTML page: CSS inline, each figure a data: URI."""
    body = MarkdownIt("commonmark").enable("table").render(markdown)

    def embed(match: re.Match) -> str:
        data = base64.b64encode((Path(run_dir) / html.unescape(match.group(1))).read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^":]+\.png)"', embed, body)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _quiet_from(scenario) -> str:
    """Why the evidence of "nothing has happened yet" starts where it does."""
    if scenario.spec.at_risk_from is not None:
        return f"the start of the period holding the scenario's at_risk_from, {scenario.spec.at_risk_from}"
    return "the start of the period holding the earliest statement or signpost (set at_risk_from to change it)"

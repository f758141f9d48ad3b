"""Sensitivity and update runs: variants of a scenario fitted and their timelines overlaid.

A variant is a scenario file read with a lexicon, a priors folder and an as_of date.
Variants are every combination of the choices given; each is labelled by what varies, so
"icd-203 vs capphrase" or "as of 11 Dec 2025 vs as of 25 Nov 2026" name the lines. Variants
of the same structure reuse the compiled model (riskline.model.fit), so a comparison costs
one compile and a refit per variant. A lexicon that lacks a phrase of the scenario reads it
through its `aliases:` block; `readings` lists how each variant read every statement's words.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from riskline.config.scenario import Scenario, load_scenario
from riskline.errors import ConfigError, ConfigIssue
from riskline.export import FIGURE_FORMATS, save_figure
from riskline.forecast import Forecast
from riskline.output_folder import staged
from riskline.plots import plot_comparison
from riskline.plots.comparison import update_title

__all__ = [
    "COMPARISON_FILES",
    "Variant",
    "aliases_used",
    "comparison_table",
    "load_variants",
    "readings",
    "write_comparison",
]

COMPARISON_FILES = frozenset(
    ["comparison.csv", "comparison.json", "readings.csv", *(f"comparison.{s}" for s in FIGURE_FORMATS)]
)
"""Every file `write_comparison` writes besides its manifest."""


@dataclass(frozen=True)
class Variant:
    """One scenario to fit, and the words that tell it from the others."""

    label: str
    scenario: Scenario
    varies: tuple[str, ...]


def load_variants(
    paths: Sequence[Path],
    *,
    lexicons: Sequence[str] = (),
    priors_dirs: Sequence[Path] = (),
    as_ofs: Sequence[date] = (),
) -> list[Variant]:
    """Every combination of scenario file, lexicon, priors folder and as_of; at least two."""
    choices: dict[str, list[tuple[str | None, Any]]] = {
        "scenario": [(p.stem, p) for p in paths],
        "lexicon": [(name, name) for name in lexicons] or [(None, None)],
        "priors": [(str(d), d) for d in priors_dirs] or [(None, None)],
        "as_of": [(f"as of {d:%-d %b %Y}", d) for d in as_ofs] or [(None, None)],
    }
    varies = tuple(name for name, options in choices.items() if len(options) > 1)
    combinations = list(itertools.product(*choices.values()))
    if len(combinations) < 2:
        message = "nothing to compare: give two or more scenarios, --lexicons, --priors or --as-of values"
        raise ConfigError([ConfigIssue(None, None, "compare", message)])
    variants = []
    for (name, path), (_, lexicon), (_, priors), (when, as_of) in combinations:
        scenario = load_scenario(path, priors, lexicon=lexicon)
        if as_of is not None:
            scenario, _ = scenario.at(as_of)
        words = {"scenario": name, "lexicon": scenario.lexicon.name, "priors": str(priors), "as_of": when}
        variants.append(Variant(", ".join(str(words[v]) for v in varies), scenario, varies))  # a varying one is named
    return variants


def comparison_table(forecasts: dict[str, Forecast]) -> pd.DataFrame:
    """Risk by the end of each year, one block of rows per variant (comparison.csv)."""
    frames = [f.year_ends().assign(variant=label) for label, f in forecasts.items()]
    table = pd.concat(frames, ignore_index=True)
    return table[["variant", *[c for c in table.columns if c != "variant"]]]


def readings(forecasts: dict[str, Forecast]) -> pd.DataFrame:
    """How each variant read each statement's probability (readings.csv): the words, the range, and any alias.

    `read_as` is the lexicon's own phrase the words were read as (the words themselves unless
    an alias mapped them); `alias_reason` says why that phrase is the nearest.
    """
    rows = []
    for label, forecast in forecasts.items():
        for est in forecast.scenario.estimates:
            stated, alias = est.probability, est.probability.alias
            rows.append({
                "variant": label, "estimate": est.id, "lexicon": stated.lexicon, "stated": stated.text,
                "read_as": alias.to if alias else stated.text, "low": stated.low, "high": stated.high,
                "alias": alias is not None, "alias_reason": alias.reason if alias else "",
            })  # fmt: skip
    return pd.DataFrame(rows)


def aliases_used(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `readings` table read through an alias, once per lexicon and phrase."""
    return table[table["alias"]].drop_duplicates(["lexicon", "stated"])


def write_comparison(forecasts: dict[str, Forecast], varies: tuple[str, ...], out_dir: Path, command: str) -> Path:
    """comparison.{png,svg,pdf}, comparison.csv, comparison.json and readings.csv in `out_dir`."""
    first = next(iter(forecasts.values()))
    title = _title(varies, first)
    lexicons = list(dict.fromkeys(f.scenario.lexicon.name for f in forecasts.values()))
    timelines = {label: f.timeline() for label, f in forecasts.items()}
    latest = max(forecasts.values(), key=lambda f: f.scenario.as_of)
    figure = plot_comparison(timelines, latest.scenario, title=title, headline_years=latest.headline_years(),
                             lexicons=lexicons)  # fmt: skip
    table, read = comparison_table(forecasts), readings(forecasts)
    aliased = aliases_used(read)
    with staged(out_dir, COMPARISON_FILES) as staging:
        save_figure(figure, staging / "comparison")
        table.to_csv(staging / "comparison.csv", index=False, float_format="%.6f")
        read.to_csv(staging / "readings.csv", index=False, float_format="%.6f")
        summary = {
            "title": title, "varies": list(varies), "variants": list(forecasts), "command": command,
            "aliases": aliased[["lexicon", "stated", "read_as", "alias_reason"]].to_dict(orient="records"),
        }  # fmt: skip
        (staging / "comparison.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return Path(out_dir)


def _title(varies: tuple[str, ...], first: Forecast) -> str:
    if varies == ("as_of",):
        return update_title(first.scenario.as_of)
    words = {"scenario": "scenario file", "lexicon": "lexicon", "priors": "prior files", "as_of": "as_of date"}
    return "sensitivity to the " + " and ".join(words[v] for v in varies)

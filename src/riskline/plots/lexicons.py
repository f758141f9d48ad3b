"""Lexicons side by side: what each phrase stands for, on one probability axis.

One panel per lexicon, stacked, sharing the 0-100% axis, phrases ordered by where they
sit. An official range is a solid bar; a row with its own source line (the hedges added
from a survey, or a point widened to a range) is hatched; a survey phrase is drawn as a
box: 5th-95th percentile of readers (thin), 25th-75th (thick) and the median (white tick).
"""

from __future__ import annotations

import textwrap
from importlib.metadata import version
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from riskline.language.lexicon import Lexicon, LexiconEntry
from riskline.plots.style import PAGE_WIDTH, add_footer, survey_credit

__all__ = ["plot_lexicons"]

OFFICIAL = "#0072B2"
ADDED = "#E69F00"
SURVEY = "#009E73"
LABEL_CHARS = 32
"""Longest row label that leaves the bars most of the page width."""


def plot_lexicons(lexicons: list[Lexicon]) -> Figure:
    """Draw each lexicon's phrases as ranges or reader distributions, a panel per lexicon.

    Parameters
    ----------
    lexicons
        The lexicons (`riskline.language.lexicon.load_lexicon`).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn.

    """
    heights = [0.6 + 0.26 * len(lexicon.entries) for lexicon in lexicons]
    fig, axes = plt.subplots(len(lexicons), 1, figsize=(PAGE_WIDTH, sum(heights) + 1.2), sharex=True, squeeze=False,
                             height_ratios=heights, layout="constrained")  # fmt: skip
    for ax, lexicon in zip(axes[:, 0], lexicons, strict=True):
        _draw_lexicon(ax, lexicon)
    axes[-1, 0].set_xlabel("Probability the phrase stands for")
    axes[-1, 0].xaxis.set_major_formatter(PercentFormatter(1.0))
    axes[-1, 0].set_xlim(0, 1)
    entries = [entry for lexicon in lexicons for entry in lexicon.entries]
    kinds = {
        "official range": any(e.logit_normal is None and e.source is None for e in entries),
        "added row (a survey's 5–95%, or an analyst's judgement: see the file)": any(
            e.logit_normal is None and e.source is not None for e in entries
        ),
        "survey readers: 5–95% (thin), 25–75% (thick), median (white)": any(
            e.logit_normal is not None for e in entries
        ),
    }
    styles: list[dict[str, Any]] = [
        {"color": OFFICIAL},
        {"facecolor": "white", "edgecolor": ADDED, "hatch": "////"},
        {"color": SURVEY},
    ]
    handles = [
        Patch(label=label, **style) for (label, drawn), style in zip(kinds.items(), styles, strict=True) if drawn
    ]
    # under the last panel's axis label (part of its layout), and the footer under that
    axes[-1, 0].legend(handles=handles, loc="upper left", bbox_to_anchor=(-0.02, -0.16), fontsize=7, frameon=False)
    fig.suptitle("Probability lexicons compared", fontsize=12, fontweight="bold")
    credit = survey_credit(lexicons)
    add_footer(fig, f"riskline {version('riskline')}." + (f" {credit}" if credit else ""))
    return fig


def _draw_lexicon(ax, lexicon: Lexicon) -> None:
    entries = sorted(lexicon.entries, key=lambda e: sum(e.interval))
    for row, entry in enumerate(entries):
        _draw_entry(ax, row, entry)
    ax.set_yticks(range(len(entries)), [_label(e) for e in entries], fontsize=8)
    ax.set_ylim(-0.7, len(entries) - 0.3)
    ax.set_title(textwrap.fill(f"{lexicon.name}: {lexicon.title}", 50), loc="left", fontsize=9.5)
    ax.grid(True, axis="x", color="0.88", lw=0.6)
    ax.set_axisbelow(True)


def _draw_entry(ax, row: int, entry: LexiconEntry) -> None:
    if entry.logit_normal is not None:
        q = {p: entry.logit_normal.quantile(p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
        ax.barh(row, q[0.95] - q[0.05], left=q[0.05], height=0.22, color=SURVEY, alpha=0.55)
        ax.barh(row, q[0.75] - q[0.25], left=q[0.25], height=0.6, color=SURVEY)
        ax.plot([q[0.5], q[0.5]], [row - 0.3, row + 0.3], color="white", lw=1.5)
        return
    low, high = entry.interval
    if entry.source is None:
        ax.barh(row, high - low, left=low, height=0.6, color=OFFICIAL)
    else:
        ax.barh(row, high - low, left=low, height=0.6, facecolor="white", edgecolor=ADDED, hatch="////", lw=1)


def _label(entry: LexiconEntry) -> str:
    """The phrase and, room permitting, its first alias: the labels share the page with the bars."""
    if not entry.aliases:
        return entry.phrase
    more = ", …" if len(entry.aliases) > 1 else ""
    label = f"{entry.phrase} ({entry.aliases[0]}{more})"
    return label if len(label) <= LABEL_CHARS else entry.phrase

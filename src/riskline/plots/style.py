"""What every riskline figure shares: page width, palette, date and percent axes, footer.

Figures are drawn at the width of an A4 page's text block (170 mm), so a briefing can paste
them at 100% and every font stays at 7 pt or more. Colours are the Okabe-Ito palette (safe
for colour-blind readers); series that must also be told apart in greyscale get line styles
or hatching as well.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime
from importlib.metadata import version

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import Locator, NullFormatter, PercentFormatter

from riskline.config.scenario import Scenario
from riskline.language.lexicon import Lexicon, load_lexicon

__all__ = [
    "BAND_COLOUR",
    "LINE_STYLES",
    "PAGE_WIDTH",
    "SERIES_COLOURS",
    "EveryYear",
    "add_footer",
    "axes_or_new",
    "date_axis",
    "event_panels",
    "footer",
    "one_event",
    "percent_axis",
    "short_source",
    "survey_credit",
]

PAGE_WIDTH = 6.7
"""Inches: 170 mm, the text width of an A4 page with 20 mm margins."""
BAND_COLOUR = "#0072B2"
"""Okabe-Ito blue: the forecast's colour; dark enough to read in greyscale."""
SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F7F7F"]
"""Okabe-Ito, in an order whose neighbours differ in greyscale too (grey for its yellow)."""
LINE_STYLES = ["-", "--", ":", "-."]
CAPPHRASE_CREDIT = ("Phrase ranges partly from the CAPphrase survey: Kucharski AJ (2026), "
                    "DOI 10.5281/zenodo.18750055, CC-BY 4.0.")  # fmt: skip


def short_source(label: str) -> str:
    """A source's label up to its first comma or parenthesis, at most 40 characters: 'Adm. John Aquilino'."""
    return textwrap.shorten(label.split(" (")[0].split(",")[0], 40, placeholder="…")


def axes_or_new(ax, height: float):
    """`ax` if given, else the axes of a new page-wide figure `height` inches tall."""
    if ax is None:
        _, ax = plt.subplots(figsize=(PAGE_WIDTH, height), layout="constrained")
    return ax


def event_panels(events: list, draw, *, title: str, footer_text: str, panel_height: float, sharex: bool = True,
                 event: str | None = None, ax=None):  # fmt: skip
    """`draw(axes, event)` for `event` on `ax`, or on a page-wide stack of panels, one per event."""
    if ax is not None:
        draw(ax, one_event(events, event))
        return ax.figure
    fig, axes = plt.subplots(len(events), 1, figsize=(PAGE_WIDTH, 0.8 + panel_height * len(events)), sharex=sharex,
                             squeeze=False, layout="constrained")  # fmt: skip
    for panel, each in zip(axes[:, 0], events, strict=True):
        draw(panel, each)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    add_footer(fig, footer_text)
    return fig


def one_event(events: list, event: str | None):
    """The event a call with `ax=` draws: the one named by `event`, or the only one."""
    ids = [e.id for e in events]
    if event is None and len(events) == 1:
        return events[0]
    if event in ids:
        return events[ids.index(event)]
    named = f"no event '{event}'" if event is not None else "one axes holds one event"
    raise ValueError(f"{named}; pass event= one of {', '.join(ids)}, or call without ax= for every event")


def date_axis(ax) -> None:
    """Years on the time axis: a tick (and grid line) at each 1 January, the year's name in its middle.

    Named in the middle, a point at 1 January 2027 ("by the end of 2026") sits at the end of
    the span labelled 2026, not on a tick labelled 2027.
    """
    ax.xaxis.set_major_locator(EveryYear(month=1))
    ax.xaxis.set_major_formatter(NullFormatter())
    ax.xaxis.set_minor_locator(EveryYear(month=7))
    ax.xaxis.set_minor_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="x", which="minor", length=0, labelsize=8)


class EveryYear(Locator):
    """A tick on the first of `month` in every year in view.

    The ticks of matplotlib's YearLocator and MonthLocator(bymonth=...), found by counting
    years rather than through dateutil's recurrence rules, which a figure re-evaluates at every
    draw (a tenth of its drawing time).
    """

    def __init__(self, month: int = 1):
        self.month = month

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        """The first of `month` in each year from vmin's to the one after vmax's (the axis keeps those in view)."""
        try:
            first, last = (mdates.num2date(value).year for value in sorted((vmin, vmax)))
        except ValueError:  # a view beyond the calendar: no ticks, as matplotlib's date locators
            return []
        years = range(first, last + 2)
        return self.raise_if_exceeds(mdates.date2num([datetime(year, self.month, 1) for year in years]))


def percent_axis(axis) -> None:
    """Probabilities as percentages on `axis` (ax.xaxis or ax.yaxis)."""
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def footer(
    scenario: Scenario, *, lexicons: Sequence[str] = (), as_of: str | None = None, note: str | None = None
) -> str:
    """as_of, model, chain, lexicons, version, survey credit (and `note`): what a reader needs to place a figure.

    `lexicons` names the lexicons a comparison draws on (default: the scenario's).
    """
    hazard = scenario.hazard
    model = "random-walk hazard" if hazard.kind == "random_walk" else "constant hazard"
    links = ", ".join(f"{e.id} after {e.after}" for e in scenario.events if e.after)
    chain = f" ({links})" if links else ""
    used = [load_lexicon(scenario.priors.directory, name) for name in lexicons] if lexicons else [scenario.lexicon]
    lines = [
        f"Probabilities are conditional on no observed event of a chain by "
        f"{as_of or f'{scenario.as_of:%-d %b %Y} (as of)'}.",
        f"Model: {model}{chain}; lexicon: {' / '.join(x.name for x in used)}; riskline {version('riskline')}.",
        survey_credit(used),
        note,
    ]
    return "\n".join(line for line in lines if line)


def survey_credit(lexicons: Sequence[Lexicon]) -> str | None:
    """The citation the CAPphrase survey's licence (CC-BY 4.0) asks for, when a lexicon's numbers draw on it."""
    if any("CAPphrase" in lexicon.source for lexicon in lexicons):
        return CAPPHRASE_CREDIT
    return None


def add_footer(fig, text: str) -> None:
    """The footer in small grey type under the figure."""
    fig.supxlabel(text, x=0.01, ha="left", fontsize=7, color="0.35")

"""Which statements a figure draws when a scenario has more than a printed page can hold.

A figure with a row (or a numbered key entry) per statement reads well up to a few dozen;
a thousand rows cannot be read in print. Past its limit a figure draws a selection and says
so in the figure, and the report's caption says so too: the statements furthest from the
combined view (the largest |residual| of the reconciliation, in predictive standard
deviations), or, in the influence figure, those whose removal moves the forecast most.
Every statement stays in estimates.csv, influence.csv and the report's list. Up to the
limits (every shipped scenario), every statement is drawn, as before.

The figures read the limits here when they draw (a test may lower them). No drawing here:
the report's captions and the figures say the same from the same functions.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "PER_EVENT",
    "ROWS",
    "furthest",
    "influence_note",
    "influence_panel_note",
    "most_influential",
    "reconciliation_note",
    "shown",
    "timeline_note",
    "timeline_panel_note",
]

ROWS = 40
"""Most statements in the reconciliation figure: about 17 inches at 0.36 a row, two printed pages."""
PER_EVENT = 20
"""Most statements in one event's panel: keyed in the timeline, rows of the influence figure."""
FURTHEST = "those furthest from the combined view (largest |residual|)"
MOVING = "those whose removal moves it most"
IN_ESTIMATES = "every statement is in estimates.csv and the report"
IN_INFLUENCE = "every one is in influence.csv"


def furthest(reconciliation: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The rows of `reconciliation` with the `limit` largest |residual|, in the table's order; all if no more."""
    if len(reconciliation) <= limit:
        return reconciliation
    keep = reconciliation["residual"].abs().nlargest(limit, keep="first").index
    return reconciliation[reconciliation.index.isin(keep)]


def most_influential(influence: pd.DataFrame, ids: list[str], limit: int) -> list[str]:
    """Of `ids` (in their order), the `limit` whose rows of `influence` have the largest |shift|; all if no more."""
    if len(ids) <= limit:
        return ids
    largest = influence.assign(size=influence["shift"].abs()).groupby("estimate")["size"].max()
    keep = set(largest.reindex(ids).nlargest(limit, keep="first").index)
    return [i for i in ids if i in keep]


def shown(count: int, total: int, which: str) -> str | None:
    """'20 of 1,000 statements shown: <which>', or None when every statement is."""
    return None if count >= total else f"{count:,} of {total:,} statements shown: {which}"


def timeline_panel_note(count: int, total: int) -> str | None:
    """What an event's key in the timeline leaves out (None: nothing)."""
    return shown(count, total, f"{FURTHEST}; {IN_ESTIMATES}")


def influence_panel_note(count: int, total: int) -> str | None:
    """What a panel of the influence figure leaves out (None: nothing)."""
    return shown(count, total, f"{MOVING}; {IN_INFLUENCE}")


def reconciliation_note(reconciliation: pd.DataFrame) -> str | None:
    """What the reconciliation figure leaves out (None: nothing)."""
    said = shown(min(len(reconciliation), ROWS), len(reconciliation), FURTHEST)
    return None if said is None else f"{said}; {IN_ESTIMATES}."


def timeline_note(reconciliation: pd.DataFrame) -> str | None:
    """What the timeline's keys leave out, over all events (None: nothing): the report's caption."""
    counts = reconciliation["event"].value_counts()
    drawn = int(counts.clip(upper=PER_EVENT).sum())
    said = shown(drawn, len(reconciliation), f"at most {PER_EVENT} an event, {FURTHEST}")
    return None if said is None else f"{said}; {IN_ESTIMATES}."


def influence_note(influence: pd.DataFrame) -> str | None:
    """What the influence figure's panels leave out (None: nothing): the report's caption."""
    total = influence["estimate"].nunique()
    if total <= PER_EVENT:
        return None
    return f"Each event's panel shows {PER_EVENT:,} of {total:,} statements, {MOVING}; {IN_INFLUENCE}."

"""Dates a text gives for what it reports: "On 27 January 2023, Gen. Minihan wrote ...".

A document often quotes statements made long before it was published. `stated_date` finds
a full date (day, month, year) introduced by "on" or "dated" in a sentence, so that
`extract` can read the statement's window from the day it was made rather than from the
document's date. A date later than the document is what a statement forecasts, not when it
was made, and is passed over; a month alone ("in March 2021") or a weekday ("on
Wednesday") is not a date to read a window from.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["STATED_DATE", "stated_date"]

_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
           r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)")  # fmt: skip
STATED_DATE = re.compile(
    r"\b(?:on|dated)\s+(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:(?P<d1>\d{1,2})\s+(?P<m1>" + _MONTHS + r")\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<m2>" + _MONTHS + r")\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))\b",
    re.IGNORECASE,
)
"""A full date the text gives for what follows: "On 27 January 2023,", "on Jan. 27, 2023", "dated 2023-01-27"."""


def stated_date(sentence: str, latest: date) -> tuple[date, str] | None:
    """(the date, its words) of the first full date the sentence gives no later than `latest`; None if none."""
    for match in STATED_DATE.finditer(sentence):
        day = _day(match)
        if day is not None and day <= latest:
            return day, match[0]
    return None


def _day(match: re.Match) -> date | None:
    """The date a STATED_DATE match names; None for an impossible one (31 February)."""
    if match["iso"]:
        try:
            return date.fromisoformat(match["iso"])
        except ValueError:
            return None
    month_name = (match["m1"] or match["m2"]).lower()[:3]
    month = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(month_name) + 1
    try:
        return date(int(match["y1"] or match["y2"]), month, int(match["d1"] or match["d2"]))
    except ValueError:
        return None

"""Dates a text gives for what it reports: "On 27 January 2023, Gen. Minihan wrote ...".

A document often quotes statements made long before it was published. `stated_date` finds
the date a sentence gives for what it reports, so that `extract` can read the statement's
window from the day it was made rather than from the document's date:

- a full date introduced by "on" or "dated": "On 27 January 2023,", "on Jan. 27, 2023",
  "dated 2023-01-27";
- a month and year where they can only date the report: opening the sentence ("In January
  2023, ...", "In March 2021 Davidson said") or right after a reporting verb ("said in
  March 2021"). Its day is not known: the date is read as the month's first day, the
  earliest the words allow, and `precision` says "month", so that the analyst is asked for
  the day (a window read from it can be off by up to a month).

A date later than the document is what a statement forecasts, not when it was made, and is
passed over; so is a weekday alone ("on Wednesday"), and a month anywhere else in the
sentence ("Russia attacked in February 2022" dates an event, not the statement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["MONTH_DATE", "STATED_DATE", "StatedDate", "stated_date"]

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
MONTH_DATE = re.compile(
    r"(?:^[\W_]*|\b(?:said|says|wrote|writes|told|tells|warned|stated|testified|declared|remarked|noted|predicted"
    r"|claimed|added)\s+)(?P<words>in\s+(?P<m3>" + _MONTHS + r")\.?,?\s+(?P<y3>\d{4}))\b",
    re.IGNORECASE,
)
"""A month and year that date a report: opening the sentence ("In January 2023, ...") or after a reporting verb."""


@dataclass(frozen=True)
class StatedDate:
    """The date a sentence gives, its words and where they are, and to what it is precise."""

    day: date
    words: str
    span: tuple[int, int]
    precision: Literal["day", "month"]

    def describe(self) -> str:
        """'the date the text gives ('On 27 January 2023')', or, dated to the month, which day was taken."""
        if self.precision == "day":
            return f"the date the text gives ('{self.words}')"
        return (f"dated to the month: {self.day:%B %Y}; the day is not given ('{self.words}'), so read from the "
                "1st, the earliest it allows: give the day")  # fmt: skip


def stated_date(sentence: str, latest: date) -> StatedDate | None:
    """The first full date the sentence gives no later than `latest`, else such a month; None if neither."""
    for match in STATED_DATE.finditer(sentence):
        day = _day(match)
        if day is not None and day <= latest:
            return StatedDate(day, match[0], match.span(), "day")
    for match in MONTH_DATE.finditer(sentence):
        first = date(int(match["y3"]), _month(match["m3"]), 1)
        if first <= latest:
            return StatedDate(first, match["words"], match.span("words"), "month")
    return None


_MONTH_NUMBERS = {name: n for n, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                    "oct", "nov", "dec"), start=1)}  # fmt: skip


def _month(name: str) -> int:
    return _MONTH_NUMBERS[name.lower()[:3]]


def _day(match: re.Match) -> date | None:
    """The date a STATED_DATE match names; None for an impossible one (31 February)."""
    if match["iso"]:
        try:
            return date.fromisoformat(match["iso"])
        except ValueError:
            return None
    try:
        year, month = int(match["y1"] or match["y2"]), _month(match["m1"] or match["m2"])
        return date(year, month, int(match["d1"] or match["d2"]))
    except ValueError:
        return None

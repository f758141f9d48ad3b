"""Spans of time written as words ("2 years", "18 months") and their calendar arithmetic.

Calendar arithmetic comes from dateutil: "2 years after 2024-02-29" is 2026-02-28, as a
reader would count it, not 730 days.
"""

from __future__ import annotations

import re
from datetime import date

from dateutil.relativedelta import relativedelta

__all__ = ["parse_span", "span_after"]

_SPAN = re.compile(r"^\s*(\d+)\s*(year|month|week|day)s?\s*$", re.IGNORECASE)


def parse_span(text: str, allow_zero: bool = False) -> relativedelta:
    """'2 years' -> relativedelta(years=2); ValueError (with the expected form) otherwise."""
    match = _SPAN.match(text)
    if match is None:
        raise ValueError(f"expected a span such as '2 years', '18 months', '6 weeks' or '90 days', got {text!r}")
    count, unit = int(match.group(1)), match.group(2).lower()
    if count == 0 and not allow_zero:
        raise ValueError(f"a span must be positive, got {text!r}")
    spans = {"year": relativedelta(years=count), "month": relativedelta(months=count),
             "week": relativedelta(weeks=count), "day": relativedelta(days=count)}  # fmt: skip
    return spans[unit]


def span_after(start: date, span: str) -> date:
    """The date `span` after `start`; ValueError when it runs past the calendar."""
    try:
        return start + parse_span(span)
    except OverflowError:
        raise ValueError(f"'{span}' from {start} runs past the calendar") from None

"""Time expressions -> windows, relative to the date a statement was issued.

`find_windows(text, issued, conventions)` finds every time expression in a text;
`choose_window` says which one an analyst means and why (a correction, "this decade, in
fact, the next six years", takes the later; alternatives, "a 2022 window or potentially a
2023 window", the span of both; else the longest, then the first). Each
window records the words it came from, its character offsets and the reasoning behind
its reading. Readings that are conventions ("by 2029" includes 2029) come from
priors/time-conventions.yaml, never from code.

Windows are half-open, [start, end). A fuzzy window ("in a few years") has a range of
plausible ends, [end_earliest, end_latest], with `end` its midpoint. A window relative to
another event ("within 6 months after the war ends") has no dates: its `after` names the
trigger and its spans count from it. An open window ("from 2029") has no end.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from dateutil.relativedelta import relativedelta

from riskline.errors import RisklineError, excerpt
from riskline.language.conventions import TimeConventions

__all__ = [
    "NUMBER_WORDS",
    "ParsedWindow",
    "TimeExpressionError",
    "choose_window",
    "describe_span",
    "ends_by",
    "find_windows",
    "parse_window",
    "span_words",
]


class TimeExpressionError(RisklineError, ValueError):
    """A time expression was found but gives no usable window (e.g. it ends before issue)."""


@dataclass(frozen=True)
class ParsedWindow:
    """A window read from words; dates are None where the words give none."""

    expression: str
    offsets: tuple[int, int]
    reasoning: str
    start: date | None = None
    end: date | None = None
    end_earliest: date | None = None
    end_latest: date | None = None
    relative_to: str | None = None
    after_start: relativedelta | None = None
    after_end: relativedelta | None = None
    span: relativedelta | None = None  # for "within N units": N units, which a condition may re-anchor

    @property
    def fuzzy(self) -> bool:
        return self.end_earliest is not None and self.end_earliest != self.end_latest

    def as_dict(self) -> dict:
        """JSON-ready: dates ISO-8601, spans after a trigger as ISO-8601 durations."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "end_earliest": _iso(self.end_earliest),
            "end_latest": _iso(self.end_latest),
            "relative_to": self.relative_to,
            "after_trigger": None
            if self.relative_to is None
            else {"from": _duration(self.after_start), "to": _duration(self.after_end)},
            "expression": self.expression,
            "offsets": list(self.offsets),
            "reasoning": self.reasoning,
        }


NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "twenty-four": 24, "thirty": 30, "thirty-six": 36, "forty": 40, "fifty": 50, "a couple of": 2,
}  # fmt: skip
UNIT_MONTHS = {"year": 12, "month": 1, "decade": 120}
UNIT_DAYS = {"week": 7, "day": 1}

_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)) + ")"
_UNIT = r"(?:years?|months?|weeks?|days?|decades?)"
_YEAR = r"(?:19|20)\d{2}"
_DASH = r"\s*(?:-|–|—|to|and)\s*"
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")  # fmt: skip
_MONTH = r"(?:" + "|".join(_MONTHS) + ")"
_TRIGGER = (
    r"(?P<trigger>(?:the|a|an)\s+[^,.;:]+?)(?=\s*(?:[,.;:]|$|\s+(?:if|provided|unless|and\s+(?:would|could|will))\b))"
)


def span_words(number: str, unit: str) -> relativedelta:
    """('two', 'years') -> 2 years; ('1.5', 'years') -> 18 months; ('half a', 'year') -> 6 months."""
    number = number.lower().strip()
    count = 0.5 if number == "half a" else float(NUMBER_WORDS.get(number, number) if number else 1)
    unit = unit.lower().rstrip("s")
    if unit in UNIT_MONTHS:
        return relativedelta(months=round(count * UNIT_MONTHS[unit]))
    return relativedelta(days=round(count * UNIT_DAYS[unit]))


def _months(span: relativedelta) -> int:
    return span.years * 12 + span.months


def _scaled(span: relativedelta, factor: float) -> relativedelta:
    months = _months(span)
    return relativedelta(months=round(months * factor), days=round(span.days * factor))


def describe_span(span: relativedelta) -> str:
    """'2 years', '18 months', '90 days'."""
    months = _months(span)
    if months and months % 12 == 0:
        return f"{months // 12} year{'s' * (months != 12)}"
    if months:
        return f"{months} month{'s' * (months != 1)}"
    return f"{span.days} day{'s' * (span.days != 1)}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _duration(span: relativedelta | None) -> str | None:
    if span is None:
        return None
    months = _months(span)
    return f"P{months}M" if months else f"P{span.days}D"


def _midpoint(a: date, b: date) -> date:
    return a + (b - a) / 2


# Each reading: a regular expression and a function of (match, issued, conventions) that
# returns a ParsedWindow without expression/offsets (filled in by find_windows), or None
# when the words match but mean something else ("thirty-six" is not "thirty to six").
Reading = Callable[[re.Match, date, TimeConventions], ParsedWindow | None]
_READINGS: list[tuple[re.Pattern, Reading]] = []


def _reading(pattern: str) -> Callable[[Reading], Reading]:
    def register(function: Reading) -> Reading:
        _READINGS.append((re.compile(r"\b" + pattern + r"(?![\w-])", re.IGNORECASE), function))
        return function

    return register


def _year_boundary(year: int, side: str) -> date:
    """`start`: 1 January of `year`; `end`: 1 January of the next year."""
    return date(year + (side == "end"), 1, 1)


def _window(reasoning: str, start: date | None = None, end: date | None = None, **fuzzy) -> ParsedWindow:
    return ParsedWindow(expression="", offsets=(0, 0), reasoning=reasoning, start=start, end=end, **fuzzy)


# --- spans after the issue date ---------------------------------------------------------


@_reading(
    r"(?P<approx>about|around|roughly)\s+(?P<n>"
    + _NUM
    + r")\s+(?P<unit>"
    + _UNIT
    + r")\s+(?:after|following)\s+"
    + _TRIGGER
)
def _about_after_trigger(m, issued, conv):
    span = span_words(m["n"], m["unit"])
    low, high = conv.approximately[m["approx"].lower()]
    return _window(
        f"about {describe_span(span)} after '{m['trigger']}': between {low:g} and {high:g} times that, "
        "counted from the trigger (priors/time-conventions.yaml, approximately)",
        relative_to=m["trigger"],
        after_start=_scaled(span, low),
        after_end=_scaled(span, high),
    )


@_reading(
    r"(?:within\s+)?(?:the\s+first\s+)?(?P<n>"
    + _NUM
    + r")\s+(?P<unit>"
    + _UNIT
    + r")\s+(?:after|of|following)\s+"
    + _TRIGGER
)
def _within_after_trigger(m, issued, conv):
    span = span_words(m["n"], m["unit"])
    return _window(
        f"within {describe_span(span)} counted from '{m['trigger']}', not from the issue date",
        relative_to=m["trigger"],
        after_start=relativedelta(),
        after_end=span,
    )


@_reading(
    r"(?:within|(?:in|over|during)\s+the\s+(?:next|coming))\s+(?:the\s+next\s+)?(?P<n1>"
    + _NUM
    + r")(?:"
    + _DASH
    + r"|\s+or\s+)(?P<n2>"
    + _NUM
    + r")\s+(?P<unit>"
    + _UNIT
    + ")"
)
@_reading(  # "within a year or two"
    r"(?:within|in|over)\s+(?:the\s+next\s+)?(?P<n1>a|an|one)\s+(?P<unit>year|month|decade|week)\s+or\s+(?P<n2>two|three|2|3)"
)
def _within_range(m, issued, conv):
    if not _ascending(m["n1"], m["n2"]):
        return None
    first, second = span_words(m["n1"], m["unit"]), span_words(m["n2"], m["unit"])
    early, late = issued + first, issued + second
    return _window(
        f"the window closes somewhere between {describe_span(first)} and {describe_span(second)} after issue",
        issued,
        _midpoint(early, late),
        end_earliest=early,
        end_latest=late,
    )


@_reading(r"(?:in\s+|between\s+)?(?P<n1>" + _NUM + r")" + _DASH + r"(?P<n2>" + _NUM + r")\s+(?P<unit>" + _UNIT + ")")
def _period_range(m, issued, conv):
    if not _ascending(m["n1"], m["n2"]):
        return None
    start, end = issued + span_words(m["n1"], m["unit"]), issued + span_words(m["n2"], m["unit"])
    return _window(
        f"a period from {m['n1']} to {m['n2']} {m['unit']} after issue (the event placed inside it)", start, end
    )


@_reading(
    r"(?P<lead>within|in|over|during)\s+(?:the\s+)?(?:next|coming)\s+(?P<unit1>year|decade|month)(?P<orso>\s+or\s+so)?"
)
def _next_unit(m, issued, conv):
    return _span_window(issued, conv, "1", m["unit1"], bool(m["orso"]), f"the next {m['unit1']}")


@_reading(
    r"(?P<approx>about|around|roughly)\s+(?P<n>" + _NUM + r")\s+(?P<unit>" + _UNIT + r")(?!\s+(?:after|following|of)\b)"
)
def _about_span(m, issued, conv):
    span = span_words(m["n"], m["unit"])
    return _approximate(issued, span, conv.approximately[m["approx"].lower()], f"about {describe_span(span)}")


@_reading(
    r"(?:within|in|over|during)\s+(?:the\s+)?(?:(?:next|coming|following)\s+)?(?P<half>half\s+a\s+(?P<hunit>year|decade))"
)
def _half(m, issued, conv):
    return _span_window(issued, conv, "half a", m["hunit"], False, m["half"])


@_reading(
    r"(?:within|in|over|during)\s+(?:the\s+)?(?:(?:next|coming|following)\s+)?(?P<n>"
    + _NUM
    + r")\s+(?P<unit>"
    + _UNIT
    + r")(?P<orso>\s+or\s+so)?(?!\s+(?:after|following|of)\b)"
)
def _within_span(m, issued, conv):
    return _span_window(issued, conv, m["n"], m["unit"], bool(m["orso"]), f"{m['n']} {m['unit']}")


def _ascending(first: str, second: str) -> bool:
    """'five to eight' is a range; 'thirty-six' is one number, not thirty to six."""
    return _months(span_words(first, "year")) < _months(span_words(second, "year"))


def _span_window(issued, conv, number, unit, or_so, words) -> ParsedWindow:
    span = span_words(number, unit)
    if not or_so:
        return _window(
            f"within {describe_span(span)} of the issue date, counted in calendar units",
            issued,
            issued + span,
            span=span,
        )
    return _approximate(issued, span, conv.approximately["or so"], f"'{words} or so'")


def _approximate(issued: date, span: relativedelta, factors: tuple[float, float], words: str) -> ParsedWindow:
    """A window closing about `span` after issue: between the two factors times the span."""
    low, high = factors
    reasoning = f"{words}: the window closes between {low:g} and {high:g} times {describe_span(span)} after issue"
    return _window(reasoning, issued, issued + span, end_earliest=issued + _scaled(span, low),
                   end_latest=issued + _scaled(span, high))  # fmt: skip


@_reading(
    r"(?:within|in|over|during|for)\s+(?P<phrase>(?:the\s+)?(?:next\s+few|coming|next)\s+years|a\s+few\s+years|several\s+years|the\s+(?:near|foreseeable)\s+future)|\b(?<!as\s)(?P<soon>soon)(?!\s+as\b)"
)
def _fuzzy(m, issued, conv):
    phrase = " ".join((m["phrase"] or m["soon"]).lower().split())
    phrase = {
        "next few years": "the next few years",
        "coming years": "the coming years",
        "next years": "the coming years",
        "the next years": "the coming years",
    }.get(phrase, phrase)
    earliest, latest, reason = conv.fuzzy_range(phrase)
    early, late = issued + earliest, issued + latest
    return _window(
        f"'{phrase}' closes between {describe_span(earliest)} and {describe_span(latest)} after issue: {reason} "
        "(priors/time-conventions.yaml)",
        issued,
        _midpoint(early, late),
        end_earliest=early,
        end_latest=late,
    )


@_reading(r"for\s+(?:now|the\s+time\s+being)|at\s+this\s+point\s+in\s+time")
def _for_now(m, issued, conv):
    return _window(
        f"'{' '.join(m[0].lower().split())}' speaks of the present and gives no end: vague, so no window is guessed "
        "(the judgement holds now and may change, at a time the words do not say); give the window's end",
        issued,
        None,
    )


@_reading(r"(?:in|over|during|for|within)\s+the\s+(?P<term>short|near|medium|mid|long)[\s-]+term")
def _horizon_term(m, issued, conv):
    term = f"{m['term'].lower()} term"
    if term not in conv.horizons.terms:
        raise TimeExpressionError(
            f"'{term}' is not defined in the horizon vocabulary '{conv.horizons.name}' "
            f"(priors/time-horizons/); it defines: {', '.join(conv.horizons.terms)}"
        )
    start, end = conv.horizon(term)
    return _window(
        f"'{term}' is {describe_span(start) if start else 'now'} to {describe_span(end)} after issue in the "
        f"'{conv.horizons.name}' vocabulary ({conv.horizons.source})",
        issued + start,
        issued + end,
    )


# --- calendar years ---------------------------------------------------------------------


@_reading(r"(?:in\s+|during\s+|between\s+|from\s+)?(?P<y1>" + _YEAR + r")" + _DASH + r"(?P<y2>" + _YEAR + r"|\d{2})")
@_reading(r"(?:in|during)\s+(?P<y1>" + _YEAR + r")\s+or\s+(?P<y2>" + _YEAR + r")(?P<either>)")  # "in 2026 or 2027"
def _year_range(m, issued, conv):
    first = int(m["y1"])
    last = int(m["y2"]) if len(m["y2"]) == 4 else first // 100 * 100 + int(m["y2"])
    if last < first:
        raise TimeExpressionError(f"'{m[0]}' runs backwards: {last} is before {first}")
    if "either" in m.groupdict() and last != first + 1:
        raise TimeExpressionError(f"'{m[0]}' names two separate years: give one window, e.g. '{first}-{last}'")
    return _window(f"the years {first} to {last} inclusive", date(first, 1, 1), date(last + 1, 1, 1))


@_reading(r"(?P<word>by|before|until|till)\s+the\s+(?P<edge>end|start|beginning|middle)\s+of\s+(?P<y>" + _YEAR + ")")
def _edge_of_year(m, issued, conv):
    year = int(m["y"])
    edge = {"end": date(year + 1, 1, 1), "middle": date(year, 7, 1)}.get(m["edge"].lower(), date(year, 1, 1))
    return _window(f"{m['word'].lower()} the {m['edge'].lower()} of {year}", issued, edge)


@_reading(r"(?P<word>by|before|until|till)\s+(?:mid-?|the\s+middle\s+of\s+)(?P<y>" + _YEAR + ")")
def _mid_year(m, issued, conv):
    return _window(f"by the middle of {m['y']} (1 July)", issued, date(int(m["y"]), 7, 1))


@_reading(r"(?P<word>by|before|until|till|in|during)\s+(?P<month>" + _MONTH + r")\s+(?P<y>" + _YEAR + ")")
def _by_month(m, issued, conv):
    month = _MONTHS.index(m["month"].lower()) + 1
    first = date(int(m["y"]), month, 1)
    if m["word"].lower() in {"in", "during"}:
        return _window(f"during {m['month']} {m['y']}", max(issued, first), first + relativedelta(months=1))
    if m["word"].lower() == "before":
        return _window(f"before {m['month']} {m['y']}: earlier than its first day", issued, first)
    return _window(
        f"{m['word'].lower()} {m['month']} {m['y']}: through the end of that month",
        issued,
        first + relativedelta(months=1),
    )


@_reading(
    r"(?P<lead>in|during|by|before|as\s+(?:early|soon)\s+as)\s+the\s+(?P<half>first|second)\s+(?:half|semester)\s+of\s+(?P<y>"
    + _YEAR
    + ")"
)
def _half_year(m, issued, conv):
    year, lead = int(m["y"]), " ".join(m["lead"].lower().split())
    start = date(year, 1, 1) if m["half"].lower() == "first" else date(year, 7, 1)
    end = start + relativedelta(months=6)
    if lead in {"in", "during"}:
        return _window(f"the {m['half'].lower()} half of {year}", start, end)
    if lead == "before":
        return _window(f"before the {m['half'].lower()} half of {year}", issued, start)
    return _window(f"'{lead}' the {m['half'].lower()} half of {year}: by its end", issued, end)


@_reading(r"(?P<word>not\s+before|from|after|beyond)\s+(?P<y>" + _YEAR + r")(?:\s+on(?:wards?)?)?")
def _open_from_year(m, issued, conv):
    word, year = " ".join(m["word"].lower().split()), int(m["y"])
    start = date(year + (word in {"after", "beyond"}), 1, 1)
    return _window(
        f"'{word} {year}' places the event at {start} or later, with no end: give the window an end "
        "(e.g. the horizon) if the statement implies one",
        start,
        None,
    )


@_reading(r"as\s+(?:early|soon)\s+as\s+(?P<y>" + _YEAR + ")")
def _as_early_as(m, issued, conv):
    side = conv.years["as_early_as"]
    return _window(
        f"'as early as {m['y']}' read as possible by the {side} of {m['y']} (priors/time-conventions.yaml, years)",
        issued,
        _year_boundary(int(m["y"]), side),
    )


@_reading(r"(?P<word>by|before|until|till)\s+(?P<y>" + _YEAR + r")(?![-–—]\d)")
def _by_year(m, issued, conv):
    word = {"till": "until"}.get(m["word"].lower(), m["word"].lower())
    side = conv.years[word]
    end = _year_boundary(int(m["y"]), side)
    return _window(
        f"'{word} {m['y']}' ends {end} ({'including' if side == 'end' else 'excluding'} {m['y']}; "
        "priors/time-conventions.yaml, years)",
        issued,
        end,
    )


@_reading(r"(?:in|during)\s+(?P<y>" + _YEAR + r")(?![-–—]\d)")
@_reading(r"(?:an?|the)\s+(?P<y>" + _YEAR + r")\s+window")  # "that has to be a 2022 window"
def _in_year(m, issued, conv):
    year = int(m["y"])
    return _window(f"during {year}", max(issued, date(year, 1, 1)), date(year + 1, 1, 1))


@_reading(
    r"(?:(?P<by>by|before|until)\s+the\s+end\s+of|(?:within|in|during)|(?P<end>at\s+the\s+end\s+of))\s+(?:this|the|the\s+current)\s+decade|\bthis\s+decade"
)
def _this_decade(m, issued, conv):
    end = date(issued.year // 10 * 10 + 10, 1, 1)
    return _window(f"this decade: the {issued.year // 10 * 10}s, ending {end}", issued, end)


@_reading(r"(?:in|during)\s+the\s+(?P<y>(?:19|20)\d0)s")
def _in_decade(m, issued, conv):
    first = int(m["y"])
    return _window(f"the {first}s", max(issued, date(first, 1, 1)), date(first + 10, 1, 1))


@_reading(r"(?P<which>this|next)\s+year")
def _this_next_year(m, issued, conv):
    if m["which"].lower() == "this":
        return _window(f"this year ({issued.year})", issued, date(issued.year + 1, 1, 1))
    return _window(f"next year ({issued.year + 1})", date(issued.year + 1, 1, 1), date(issued.year + 2, 1, 1))


CONDITION = re.compile(
    r"\b(?:if|once|when|after)\s+(?P<trigger>(?:the|a|an)\s+[^,;]*?\b(?:ends?|ended|freezes?|froze|frozen|is\s+over"
    r"|stops?|stopped|is\s+concluded|concludes?|ceasefire|armistice|peace)\b[^,;]*)",
    re.IGNORECASE,
)
"""'If the war in Ukraine ends or freezes, ... within 6 months': the clock starts at the condition."""


def find_windows(
    text: str, issued: date, conventions: TimeConventions, *, keep_past: bool = False
) -> list[ParsedWindow]:
    """Every time expression in `text`, left to right, overlapping readings resolved to the longest.

    A span ("within 6 months") that follows a condition naming the end of something ("if
    the war ends or freezes, ...") counts from that condition, not from the issue date.
    Raises TimeExpressionError when an expression is found but reads as a window that
    ends on or before the issue date, or is otherwise unusable; with `keep_past`, a window
    that ends on or before the issue date is returned instead (a statement may name a past
    year beside its forecast), and `ends_by(window, issued)` tells it apart.
    """
    found = sorted(_candidates(text, issued, conventions), key=lambda w: (w.offsets[0], -(w.offsets[1] - w.offsets[0])))
    chosen: list[ParsedWindow] = []
    for window in found:
        if chosen and window.offsets[0] < chosen[-1].offsets[1]:
            continue
        chosen.append(window)
    condition = CONDITION.search(text)
    if condition is not None:
        chosen = [
            _counted_from(w, w.span, condition) if w.span and w.offsets[0] > condition.end() else w for w in chosen
        ]
    for window in chosen:
        if not (keep_past and ends_by(window, issued)):
            _check_after_issue(window, issued)
    return chosen


def ends_by(window: ParsedWindow, day: date) -> bool:
    """Whether `window` ends on or before `day` (for a statement issued that day: it speaks of the past)."""
    return window.end is not None and window.end <= day


def _counted_from(window: ParsedWindow, span: relativedelta, condition: re.Match) -> ParsedWindow:
    trigger = condition["trigger"].strip()
    reasoning = f"within {describe_span(span)} counted from the condition '{trigger}', which the sentence states first"
    return replace(window, reasoning=reasoning, start=None, end=None, relative_to=trigger,
                   after_start=relativedelta(), after_end=span)  # fmt: skip


def parse_window(text: str, issued: date, conventions: TimeConventions) -> ParsedWindow | None:
    """The window a statement gives (`choose_window` of what `find_windows` finds); None if none."""
    return choose_window(text, find_windows(text, issued, conventions))[0]


CORRECTION = re.compile(
    r"\W*(?:in\s+fact|indeed|actually|or\s+rather|rather|more\s+precisely|that\s+is|if\s+not\s+(?:sooner|earlier))\W*",
    re.IGNORECASE,
)
"""Words between two time expressions by which the speaker narrows the first to the second."""
ALTERNATIVE = re.compile(r"\W*or\s+(?:(?:potentially|possibly|perhaps|maybe|even)\s+)?", re.IGNORECASE)
"""Words between two time expressions that offer the second as an alternative to the first."""


def choose_window(text: str, windows: list[ParsedWindow]) -> tuple[ParsedWindow | None, str]:
    """Of a statement's windows (as `find_windows` gives them), the one an analyst means, and why.

    - a correction ("during this decade, in fact, in the next six years"): the later one;
    - alternatives ("a 2022 window or potentially a 2023 window") that meet or overlap: one
      window spanning both, since the speaker allows either;
    - of what remains, the longest expression, then the first.
    """
    if not windows:
        return None, "no time expression"
    if len(windows) == 1:
        return windows[0], f"'{windows[0].expression}': the only time expression"
    kept, why = [windows[0]], []
    for window in windows[1:]:
        previous = kept[-1]
        between = text[previous.offsets[1] : window.offsets[0]]
        if CORRECTION.fullmatch(between):
            kept[-1] = window
            why.append(f"'{between.strip(' ,;')}' corrects '{previous.expression}' to '{window.expression}'")
        elif ALTERNATIVE.fullmatch(between) and (either := _either(text, previous, window)) is not None:
            kept[-1] = either
            why.append(f"'{previous.expression}' or '{window.expression}': either, so the span of both")
        else:
            kept.append(window)
    chosen = max(kept, key=lambda w: (w.offsets[1] - w.offsets[0], -w.offsets[0]))
    if len(kept) > 1:
        others = ", ".join(f"'{w.expression}'" for w in kept if w is not chosen)
        why.append(f"the longest expression (not {others})")
    return chosen, f"'{chosen.expression}': " + "; ".join(why)


def _either(text: str, first: ParsedWindow, second: ParsedWindow) -> ParsedWindow | None:
    """One window from the start of `first` to the end of `second`, when both are dated, exact and meet."""
    if any(w.fuzzy or w.relative_to is not None for w in (first, second)):
        return None
    if first.start is None or first.end is None or second.start is None or second.end is None:
        return None  # not both dated
    if second.start > first.end or second.end < first.end:
        return None
    expression = text[first.offsets[0] : second.offsets[1]]
    return ParsedWindow(
        expression,
        (first.offsets[0], second.offsets[1]),
        f"either {first.reasoning} or {second.reasoning}: from {first.start} to {second.end}",
        start=min(first.start, second.start),
        end=second.end,
    )


def _candidates(text: str, issued: date, conventions: TimeConventions) -> Iterator[ParsedWindow]:
    for pattern, reading in _READINGS:
        for match in pattern.finditer(text):
            try:
                window = reading(match, issued, conventions)
            except (ValueError, OverflowError) as exc:  # a span that runs past the calendar: "within 99999 years"
                if isinstance(exc, TimeExpressionError):
                    raise
                raise TimeExpressionError(
                    f"'{excerpt(match[0])}' from {issued} runs past the dates riskline handles; give a shorter span"
                ) from None
            if window is None:
                continue
            yield replace(window, expression=match[0], offsets=match.span())


def _check_after_issue(window: ParsedWindow, issued: date) -> None:
    if window.end is not None and window.end <= issued:
        raise TimeExpressionError(
            f"'{window.expression}' ends {window.end}, on or before the issue date {issued}: "
            "a statement speaks about the future; check the issue date"
        )
    if window.start is not None and window.end is not None and window.start >= window.end:
        raise TimeExpressionError(f"'{window.expression}' gives an empty window ({window.start} to {window.end})")

"""An estimate's window resolved to dates, or to spans after a trigger event.

Windows come as dates (`end`, `within`, optional `start` and fuzzy ends), as words
(`expression`, read by riskline.language relative to the issue date), or relative to an
event of the scenario (`after: ceasefire` with `within` or `expression`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from riskline.config.schema import EstimateSpec
from riskline.errors import ConfigIssue
from riskline.files.yamlfile import YamlDocument
from riskline.language.conventions import TimeConventions
from riskline.language.durations import parse_span, span_after
from riskline.language.time_expressions import TimeExpressionError, describe_span, parse_window

__all__ = ["RelativeWindow", "Window", "resolve_window", "span_years"]


@dataclass(frozen=True)
class Window:
    """The stated event falls in [start, end); start is the issue date unless said otherwise.

    A fuzzy window's end lies somewhere in [end_earliest, end_latest] (equal to `end` when
    the end is exact); `reasoning` says how words were read, when they were.
    """

    start: date
    end: date
    end_earliest: date
    end_latest: date
    reasoning: str | None = None

    @property
    def fuzzy(self) -> bool:
        return self.end_earliest != self.end_latest

    def describe(self, issued: date) -> str:
        """'before 2030-01-01', 'from 2029-01-01 to 2031-01-01', 'before a date between 2026-12-18 and 2029-12-18'."""
        ends = f"a date between {self.end_earliest} and {self.end_latest}" if self.fuzzy else str(self.end)
        return f"before {ends}" if self.start == issued else f"from {self.start} to {ends}"


@dataclass(frozen=True)
class RelativeWindow:
    """The stated event falls between `start` and `end` years after the event `after`.

    Fuzzy ends as in Window, in years after the trigger.
    """

    after: str
    start: float
    end: float
    end_earliest: float
    end_latest: float
    reasoning: str | None = None

    @property
    def fuzzy(self) -> bool:
        return self.end_earliest != self.end_latest

    def describe(self, issued: date) -> str:
        """'within 2 years after ceasefire', 'within 9–15 months after ceasefire', '1–3 years after ...'."""
        ends = [self.end_earliest, self.end_latest] if self.fuzzy else [self.end]
        in_months = max(ends) < 2 and all(abs(12 * e - round(12 * e)) < 1e-6 for e in [self.start, *ends])
        unit, scale = ("months", 12) if in_months else ("years", 1)
        span = "–".join(f"{scale * e:g}" for e in ends)
        if self.start > 0:
            return f"{scale * self.start:g} to {span} {unit} after {self.after}"
        return f"within {span} {unit} after {self.after}"


def span_years(span: relativedelta) -> float:
    """A calendar span in years (months / 12, days / 365.25)."""
    return (span.years * 12 + span.months) / 12 + span.days / 365.25


def resolve_window(
    est: EstimateSpec, conventions: TimeConventions, doc: YamlDocument, loc: list, issues: list[ConfigIssue]
) -> Window | RelativeWindow | None:
    """The estimate's window, or None after adding what is wrong to `issues`."""
    spec, where = est.window, [*loc, "window"]
    if spec.after is not None:
        return _relative(est, spec.after, conventions, doc, where, issues)
    if spec.expression is not None:
        return _from_words(est, spec.expression, conventions, doc, [*where, "expression"], issues)
    end: date | None
    if spec.within is not None:
        try:
            end = span_after(est.issued, spec.within)
        except ValueError as exc:
            issues.append(doc.issue([*where, "within"], str(exc)))
            return None
    else:
        end = spec.end
    assert end is not None  # the schema gives 'end' to a window without 'within', 'expression' or 'after'
    window = Window(spec.start or est.issued, end, spec.end_earliest or end, spec.end_latest or end)
    problem = _dates_problem(window, est.issued)
    if problem:
        issues.append(doc.issue([*where, problem[0]], problem[1]))
        return None
    return window


def _from_words(
    est: EstimateSpec,
    expression: str,
    conventions: TimeConventions,
    doc: YamlDocument,
    loc: list,
    issues: list[ConfigIssue],
) -> Window | None:
    parsed = _parsed(est, expression, conventions, doc, loc, issues)
    if parsed is None:
        return None
    if parsed.relative_to is not None:
        hint = f"add 'after: <event id>' to the window to count from the scenario's event for '{parsed.relative_to}'"
        issues.append(doc.issue(loc, f"the window counts from another event ('{parsed.relative_to}'); {hint}"))
        return None
    if parsed.end is None:
        issues.append(doc.issue(loc, f"{parsed.reasoning}: give 'end' (a date) instead of 'expression'"))
        return None
    end_earliest = parsed.end_earliest or parsed.end
    return Window(parsed.start, parsed.end, end_earliest, parsed.end_latest or parsed.end, parsed.reasoning)


def _relative(
    est: EstimateSpec,
    after: str,
    conventions: TimeConventions,
    doc: YamlDocument,
    loc: list,
    issues: list[ConfigIssue],
) -> RelativeWindow | None:
    spec = est.window
    if spec.within is not None:
        try:
            span = span_years(parse_span(spec.within))
        except ValueError as exc:
            issues.append(doc.issue([*loc, "within"], str(exc)))
            return None
        return RelativeWindow(after, 0.0, span, span, span, f"within {spec.within} after '{after}'")
    assert spec.expression is not None  # the schema gives a window 'after' an event 'within' or 'expression'
    parsed = _parsed(est, spec.expression, conventions, doc, [*loc, "expression"], issues)
    if parsed is None:
        return None
    if parsed.relative_to is not None:
        start, end = span_years(parsed.after_start), span_years(parsed.after_end)
        if parsed.after_start == relativedelta():  # "within 6 months after": one end
            return RelativeWindow(after, 0.0, end, end, end, parsed.reasoning)
        middle = (start + end) / 2  # "about one year after": the end lies between the two
        return RelativeWindow(after, 0.0, middle, start, end, parsed.reasoning)
    if parsed.span is not None:  # "within two years", counted from the trigger
        span = span_years(parsed.span)
        return RelativeWindow(after, 0.0, span, span, span, f"within {describe_span(parsed.span)} after '{after}'")
    hint = "write e.g. 'within 2 years' or 'about one year after a ceasefire'"
    issues.append(doc.issue([*loc, "expression"], f"'{parsed.expression}' names no span after '{after}'; {hint}"))
    return None


def _parsed(
    est: EstimateSpec,
    expression: str,
    conventions: TimeConventions,
    doc: YamlDocument,
    loc: list,
    issues: list[ConfigIssue],
):
    try:
        parsed = parse_window(expression, est.issued, conventions)
    except TimeExpressionError as exc:
        issues.append(doc.issue(loc, str(exc)))
        return None
    if parsed is None:
        hint = "write e.g. 'within two years' or 'before 2030', or give 'end' as a date"
        issues.append(doc.issue(loc, f"no time expression found in {est.window.expression!r}; {hint}"))
    return parsed


def _dates_problem(window: Window, issued: date) -> tuple[str, str] | None:
    """(field, message) when a window's dates are out of order."""
    if window.end <= issued:
        return (
            "end",
            f"window ends {window.end}, not after the issue date {issued}; a statement speaks about the future",
        )
    if window.start < issued:
        return (
            "start",
            f"window starts {window.start}, before the issue date {issued}; start it on or after the issue date",
        )
    if window.start >= window.end:
        return "start", f"window starts {window.start}, not before its end {window.end}"
    if not window.start < window.end_earliest <= window.end <= window.end_latest:
        dates = f"{window.start}, {window.end_earliest}, {window.end}, {window.end_latest}"
        return "end_earliest", f"a fuzzy end needs start < end_earliest <= end <= end_latest, got {dates}"
    return None

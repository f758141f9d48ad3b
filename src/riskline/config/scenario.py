"""Load a scenario file into validated objects the model can use.

Loading happens in two passes. The schema pass checks each field alone. The resolve pass
checks what needs several fields or other files, turns windows into dates and phrases into
probability intervals, and collects *every* problem before raising, so that an analyst fixes
a file in one go.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from riskline.config.priors import BaseRate, HazardSettings, Priors, SourceClass, find_priors_dir, load_priors
from riskline.config.schema import EstimateSpec, EventSpec, ScenarioFile, SourceSpec
from riskline.config.seeds import check_quote
from riskline.config.yamlfile import YamlDocument, closest, read_yaml, validate
from riskline.errors import ConfigError, ConfigIssue, LexiconError
from riskline.language.conventions import TimeConventions, load_time_conventions
from riskline.language.durations import span_after
from riskline.language.lexicon import Lexicon, available_lexicons, load_lexicon
from riskline.language.probability import StatedProbability, parse_probability
from riskline.language.time_expressions import TimeExpressionError, parse_window

__all__ = ["Estimate", "Scenario", "Window", "load_scenario"]


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


@dataclass(frozen=True)
class Estimate:
    """A statement from the file with its window and probability resolved to numbers."""

    spec: EstimateSpec
    window: Window
    probability: StatedProbability

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with the priors and lexicon it refers to."""

    spec: ScenarioFile
    estimates: tuple[Estimate, ...]
    priors: Priors
    lexicon: Lexicon
    path: Path
    text: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def as_of(self) -> date:
        return self.spec.as_of

    @property
    def horizon(self) -> date:
        return self.spec.horizon

    @property
    def events(self) -> list[EventSpec]:
        return self.spec.events

    @property
    def sources(self) -> list[SourceSpec]:
        return self.spec.sources

    @property
    def hazard(self) -> HazardSettings:
        """priors/model.yaml's hazard settings with the scenario's overrides applied."""
        override = self.spec.priors.hazard.model_dump(exclude_none=True)
        return self.priors.model.hazard.model_copy(update=override)

    def base_rate(self, event: EventSpec) -> BaseRate:
        return self.spec.priors.base_rates.get(event.base_rate) or self.priors.base_rates[event.base_rate]

    def source_class(self, source: SourceSpec) -> SourceClass:
        overrides = self.spec.priors.source_classes
        return overrides.get(source.reliability) or self.priors.source_classes[source.reliability]

    def start(self) -> date:
        """Where the time grid begins: the earliest issue date, or as_of without estimates."""
        return min([e.spec.issued for e in self.estimates] + [self.as_of])

    def at(self, as_of: date) -> tuple[Scenario, list[Estimate]]:
        """The scenario as it stood on `as_of`: later statements left out (and returned)."""
        if as_of >= self.horizon:
            raise ConfigError(
                [ConfigIssue(self.path, None, "as_of", f"as_of {as_of} must be before the horizon {self.horizon}")]
            )
        kept = tuple(e for e in self.estimates if e.spec.issued <= as_of)
        dropped = [e for e in self.estimates if e.spec.issued > as_of]
        spec = self.spec.model_copy(update={"as_of": as_of, "estimates": [e.spec for e in kept]})
        return replace(self, spec=spec, estimates=kept), dropped


def load_scenario(path: str | Path, priors_dir: str | Path | None = None) -> Scenario:
    """Read, validate and resolve a scenario file.

    `priors_dir` defaults to the nearest `priors/` folder above the scenario file.
    Raises ConfigError listing every problem found, each with file, line and field.
    """
    path = Path(path)
    doc = read_yaml(path)
    spec = validate(ScenarioFile, doc)
    if priors_dir is None:
        priors_dir = find_priors_dir(path.resolve().parent)
        if priors_dir is None:
            raise ConfigError(
                [
                    ConfigIssue(
                        path, None, "", "no priors/ folder with a model.yaml found above this file; pass --priors DIR"
                    )
                ]
            )
    priors = load_priors(Path(priors_dir))
    names = available_lexicons(priors.directory)
    if spec.lexicon not in names:
        raise ConfigError(
            [doc.issue(["lexicon"], f"no lexicon named '{spec.lexicon}'; {closest(spec.lexicon, names)}")]
        )
    lexicon = load_lexicon(priors.directory, spec.lexicon)
    conventions = load_time_conventions(priors.directory)
    issues = _check_references(spec, priors, doc)
    estimates = []
    for index, est in enumerate(spec.estimates):
        resolved = _resolve_estimate(index, est, spec, lexicon, conventions, doc, issues)
        if resolved is not None:
            estimates.append(resolved)
    if issues:
        raise ConfigError(issues)
    return Scenario(spec, tuple(estimates), priors, lexicon, path, doc.text)


def _check_references(spec: ScenarioFile, priors: Priors, doc: YamlDocument) -> list[ConfigIssue]:
    """Dates in order, ids unique, and every name pointing at something that exists."""
    issues = []
    if spec.horizon <= spec.as_of:
        issues.append(doc.issue(["horizon"], f"horizon {spec.horizon} must be after as_of {spec.as_of}"))
    rates = set(priors.base_rates) | set(spec.priors.base_rates)
    classes = set(priors.source_classes) | set(spec.priors.source_classes)
    for section in ("events", "sources", "estimates"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(spec, section)):
            if item.id in seen:
                issues.append(doc.issue([section, index, "id"], f"duplicate id '{item.id}'; ids must be unique"))
            seen.add(item.id)
    for index, event in enumerate(spec.events):
        if event.base_rate not in rates:
            issues.append(_unknown(doc, ["events", index, "base_rate"], "base rate", event.base_rate, rates))
    for index, source in enumerate(spec.sources):
        if source.reliability not in classes:
            issues.append(
                _unknown(doc, ["sources", index, "reliability"], "reliability class", source.reliability, classes)
            )
    return issues


def _unknown(doc: YamlDocument, loc: list, what: str, name: str, known) -> ConfigIssue:
    """'unknown source 'x'; did you mean 'y'?' (or the valid choices)."""
    hint = closest(name, sorted(known)) if known else f"define a {what} first"
    return doc.issue(loc, f"unknown {what} '{name}'; {hint}")


def _resolve_estimate(
    index: int,
    est: EstimateSpec,
    spec: ScenarioFile,
    lexicon: Lexicon,
    conventions: TimeConventions,
    doc: YamlDocument,
    issues: list[ConfigIssue],
) -> Estimate | None:
    """Check one estimate against the rest of the file; None (and issues) when it is bad."""
    loc = ["estimates", index]
    before = len(issues)
    events = {e.id: e for e in spec.events}
    sources = {s.id for s in spec.sources}
    if est.event not in events:
        issues.append(_unknown(doc, [*loc, "event"], "event", est.event, events))
    elif (event_kind := events[est.event].kind) != est.kind:
        message = f"a {est.kind} estimate cannot inform '{est.event}', which is a {event_kind} event"
        issues.append(doc.issue([*loc, "kind"], f"{message}; attach it to a {est.kind} event"))
    if est.source not in sources:
        issues.append(_unknown(doc, [*loc, "source"], "source", est.source, sources))
    if est.issued > spec.as_of:
        message = f"issued {est.issued} is after as_of {spec.as_of}"
        issues.append(doc.issue([*loc, "issued"], f"{message}; move as_of forward or leave the estimate out"))
    window = _resolve_window(est, conventions, doc, loc, issues)
    if window is not None and window.end_latest > spec.horizon:
        message = f"window ends {window.end_latest}, after the horizon {spec.horizon}"
        issues.append(doc.issue([*loc, "window"], f"{message}; move the horizon to {window.end_latest} or later"))
    try:
        probability = parse_probability(est.probability, lexicon)
    except (ValueError, LexiconError) as exc:
        issues.append(doc.issue([*loc, "probability"], str(exc)))
        probability = None
    if est.provenance.seed is not None:
        problem = check_quote(doc.path, est.provenance.seed, est.provenance.offsets, est.quote)
        if problem:
            issues.append(doc.issue([*loc, "provenance"], problem))
    if len(issues) > before or window is None or probability is None:
        return None
    return Estimate(est, window, probability)


def _resolve_window(
    est: EstimateSpec, conventions: TimeConventions, doc: YamlDocument, loc: list, issues: list[ConfigIssue]
) -> Window | None:
    """Dates for an estimate's window, from its words or its fields; None (and issues) if bad."""
    spec, where = est.window, [*loc, "window"]
    if spec.expression is not None:
        return _window_from_words(est, conventions, doc, [*where, "expression"], issues)
    if spec.within is not None:
        try:
            end = span_after(est.issued, spec.within)
        except ValueError as exc:
            issues.append(doc.issue([*where, "within"], str(exc)))
            return None
    else:
        end = spec.end
    window = Window(spec.start or est.issued, end, spec.end_earliest or end, spec.end_latest or end)
    problem = _window_problem(window, est.issued)
    if problem:
        issues.append(doc.issue([*where, problem[0]], problem[1]))
        return None
    return window


def _window_from_words(
    est: EstimateSpec, conventions: TimeConventions, doc: YamlDocument, loc: list, issues: list[ConfigIssue]
) -> Window | None:
    try:
        parsed = parse_window(est.window.expression, est.issued, conventions)
    except TimeExpressionError as exc:
        issues.append(doc.issue(loc, str(exc)))
        return None
    if parsed is None:
        hint = "write e.g. 'within two years' or 'before 2030', or give 'end' as a date"
        issues.append(doc.issue(loc, f"no time expression found in {est.window.expression!r}; {hint}"))
        return None
    if parsed.relative_to is not None:
        issues.append(doc.issue(loc, f"the window counts from another event ('{parsed.relative_to}'); "
                                "windows relative to a trigger event are not modelled yet"))  # fmt: skip
        return None
    if parsed.end is None:
        issues.append(doc.issue(loc, f"{parsed.reasoning}: give 'end' (a date) instead of 'expression'"))
        return None
    end_earliest = parsed.end_earliest or parsed.end
    return Window(parsed.start, parsed.end, end_earliest, parsed.end_latest or parsed.end, parsed.reasoning)


def _window_problem(window: Window, issued: date) -> tuple[str, str] | None:
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
        return "end_earliest", (f"a fuzzy end needs start < end_earliest <= end <= end_latest, got {window.start}, "
                                f"{window.end_earliest}, {window.end}, {window.end_latest}")  # fmt: skip
    return None

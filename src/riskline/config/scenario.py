"""Load a scenario file into validated objects the model can use.

Loading happens in two passes. The schema pass checks each field alone. The resolve pass
checks what needs several fields or other files, turns windows into dates and phrases into
probability intervals, and collects *every* problem before raising, so that an analyst fixes
a file in one go.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ValidationError

from riskline.config.checks import ancestors, check_references, first_observed, horizon_problem, unknown
from riskline.config.platform_cdf import platform_estimates
from riskline.config.priors import BaseRate, HazardSettings, Priors, SourceClass, find_priors_dir, load_priors
from riskline.config.schema import (
    LAST_YEAR,
    EstimateSpec,
    EventSpec,
    HazardOverride,
    ScenarioFile,
    SignpostSpec,
    SourceSpec,
)
from riskline.config.todos import find_todos, todo_issues, without_todo_fields
from riskline.config.windows import RelativeWindow, Window, resolve_window
from riskline.errors import ConfigError, ConfigIssue, LexiconError, excerpt
from riskline.files.seeds import check_quote
from riskline.files.yamlfile import YamlDocument, closest, read_yaml, validate
from riskline.language.conventions import TimeConventions, load_time_conventions
from riskline.language.lexicon import Lexicon, available_lexicons, load_lexicon
from riskline.language.probability import StatedProbability, parse_probability

__all__ = ["Estimate", "RelativeWindow", "Scenario", "Window", "load_scenario"]

NO_ESTIMATES = (
    "riskline fits a timeline to statements, so it needs at least one; the priors alone are in every "
    "run's prior_ columns and prior_posterior figure"
)


@dataclass(frozen=True)
class Estimate:
    """A statement from the file with its window and probability resolved to numbers."""

    spec: EstimateSpec
    window: Window | RelativeWindow
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
    muted: frozenset[str] = frozenset()
    """Statements kept in the scenario but not read by the model (`Scenario.muting`)."""

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
        """The source's class priors, with the source's own `bias`/`noise` where it gives them."""
        overrides = self.spec.priors.source_classes
        found = overrides.get(source.reliability) or self.priors.source_classes[source.reliability]
        own = {"bias": source.bias, "noise": source.noise}
        return found.model_copy(update={k: v for k, v in own.items() if v is not None})

    @property
    def signposts(self) -> list[SignpostSpec]:
        return self.spec.signposts

    def parent(self, event: EventSpec) -> int:
        """Index of the event `event` waits for, or -1."""
        return -1 if event.after is None else [e.id for e in self.events].index(event.after)

    def event(self, event_id: str) -> EventSpec:
        """The event with id `event_id` (an estimate's `spec.event`)."""
        return next(e for e in self.events if e.id == event_id)

    def waits_for(self, event: EventSpec) -> list[EventSpec]:
        """The events `event` waits for, nearest first."""
        return [self.event(i) for i in ancestors(self.spec, event.id)]

    def root(self, event: EventSpec) -> EventSpec:
        """The first event of `event`'s chain."""
        return ([event, *self.waits_for(event)])[-1]

    def known_quiet(self, event: EventSpec) -> bool:
        """Whether `event` is known not to have happened by as_of: it is observed, or it waits for one that is."""
        return any(e.is_observed for e in [event, *self.waits_for(event)])

    def what_is_known(self, event: EventSpec) -> str:
        """What the model takes as known about `event` by as_of, in words (docs/model.md, latent events)."""
        how = "observed" if event.is_observed else f"latent ({'set' if event.observed is not None else event.kind})"
        root = self.root(event)
        seen_before = next((e for e in self.waits_for(event) if e.is_observed), None)
        if seen_before is not None:
            said = f"waits for '{event.after}', and '{seen_before.id}' had not happened by as_of: it cannot have either"
        elif event.is_observed:
            latent = f" (it waits for latent '{root.id}')" if event is not root else ""
            said = f"had not happened by as_of: that is evidence{latent}"
        elif event is root:
            seen = dict(self.latent_chains())[self.events.index(event)]
            said = "may have happened unseen; " + (
                f"that '{self.events[seen].id}' had not happened by as_of is the evidence" if seen is not None
                else "nothing in its chain is observed, so there is no evidence of quiet")  # fmt: skip
        else:
            said = f"may have happened unseen, as '{root.id}' may have"
        return f"{how}; {said}"

    def latent_chains(self) -> list[tuple[int, int | None]]:
        """Each chain whose first event is latent: (its index, the index of its observed event or None).

        The observed event is the chain's first, which waits for the latent one directly (the
        loader refuses other shapes); its absence by as_of is the chain's evidence of quiet.
        """
        ids = [e.id for e in self.events]
        return [
            (ids.index(e.id), next((ids.index(i) for i in first_observed(self.spec, e.id)), None))
            for e in self.events
            if e.after is None and not e.is_observed
        ]

    def start(self) -> date:
        """Where the time grid begins, and with it the evidence that nothing has happened yet.

        `at_risk_from` when the scenario sets it; otherwise the earliest issue or signpost
        date (or as_of without either).
        """
        if self.spec.at_risk_from is not None:
            return self.spec.at_risk_from
        return min([e.spec.issued for e in self.estimates] + [s.date for s in self.signposts] + [self.as_of])

    def at(self, as_of: date) -> tuple[Scenario, list[Estimate]]:
        """The scenario as it stood on `as_of`: later statements left out (and returned)."""
        if problem := horizon_problem(as_of, self.horizon):
            raise ConfigError([ConfigIssue(self.path, None, "as_of", problem)])
        if self.spec.at_risk_from is not None and as_of < self.spec.at_risk_from:
            message = f"as_of {as_of} is before at_risk_from {self.spec.at_risk_from}; move at_risk_from back"
            raise ConfigError([ConfigIssue(self.path, None, "as_of", message)])
        kept = tuple(e for e in self.estimates if e.spec.issued <= as_of)
        dropped = [e for e in self.estimates if e.spec.issued > as_of]
        if not kept:
            first = min(e.spec.issued for e in self.estimates)
            message = f"as_of {as_of} leaves out every estimate (the first was issued {first}); {NO_ESTIMATES}"
            raise ConfigError([ConfigIssue(self.path, None, "as_of", message)])
        signposts = [s for s in self.signposts if s.date <= as_of]
        spec = self.spec.model_copy(
            update={"as_of": as_of, "estimates": [e.spec for e in kept], "signposts": signposts}
        )
        return replace(self, spec=spec, estimates=kept), dropped

    def without(self, *estimate_ids: str) -> Scenario:
        """The scenario with these statements left out ("what does this one contribute?").

        The time grid keeps its start (`at_risk_from`): leaving out the earliest statement
        must not shorten the evidence that nothing has happened yet.
        """
        self._known_estimates(estimate_ids)
        kept = tuple(e for e in self.estimates if e.id not in estimate_ids)
        if not kept:
            raise ConfigError([ConfigIssue(self.path, None, "estimates", f"that leaves no estimate; {NO_ESTIMATES}")])
        spec = self.spec.model_copy(update={"estimates": [e.spec for e in kept], "at_risk_from": self.start()})
        return replace(self, spec=spec, estimates=kept)

    def _known_estimates(self, estimate_ids: tuple[str, ...]) -> set[str]:
        """Every estimate id of the scenario; ConfigError naming any of `estimate_ids` it lacks."""
        known = {e.id for e in self.estimates}
        missing = [i for i in estimate_ids if i not in known]
        if missing:
            message = f"no estimate {', '.join(map(repr, missing))}; {closest(missing[0], sorted(known))}"
            raise ConfigError([ConfigIssue(self.path, None, "estimates", message)])
        return known

    def muting(self, *estimate_ids: str) -> Scenario:
        """The scenario with these statements muted: the model does not read them, as in `without`.

        Unlike `without`, the statements keep their rows, so the model's structure (and its
        compiled code) stays the same: a sweep leaves each statement out in turn this way.
        """
        known = self._known_estimates(estimate_ids)
        if known <= self.muted | set(estimate_ids):
            raise ConfigError([ConfigIssue(self.path, None, "estimates", f"that mutes every estimate; {NO_ESTIMATES}")])
        return replace(self, muted=self.muted | frozenset(estimate_ids))

    def with_base_rate(self, name: str, **changes: float) -> Scenario:
        """The scenario with base rate `name` changed, e.g. `with_base_rate("ukraine-ceasefire", per_year=1.0)`.

        The change is a scenario override (as a `priors.base_rates` entry in the file would
        be), so the model's structure stays the same and refitting reuses the compiled model.
        """
        used = {e.base_rate for e in self.events}
        if name not in used:
            raise ConfigError(
                [ConfigIssue(self.path, None, "base_rate", f"no event uses '{name}'; {closest(name, sorted(used))}")]
            )
        event = next(e for e in self.events if e.base_rate == name)
        rate = self._checked(BaseRate, self.base_rate(event).model_dump() | changes, f"base_rates.{name}")
        overrides = self.spec.priors.model_copy(update={"base_rates": {**self.spec.priors.base_rates, name: rate}})
        return replace(self, spec=self.spec.model_copy(update={"priors": overrides}))

    def with_source_class(self, name: str, part: str, **changes: float) -> Scenario:
        """The scenario with one part (`bias` or `noise`) of source class `name`'s prior changed.

        E.g. `with_source_class("media_report", "noise", median=1.0)`. Sources that give their
        own `bias`/`noise` in the scenario file keep them: the change is to the class.
        """
        classes = self.priors.source_classes
        if name not in classes:
            message = f"no source class '{name}'; {closest(name, sorted(classes))}"
            raise ConfigError([ConfigIssue(self.priors.directory / "sources.yaml", None, "classes", message)])
        dumped = classes[name].model_dump()
        if part not in ("bias", "noise"):
            message = f"a source class has a 'bias' and a 'noise' prior, not '{part}'"
            raise ConfigError([ConfigIssue(self.priors.directory / "sources.yaml", None, f"classes.{name}", message)])
        changed = self._checked(SourceClass, dumped | {part: dumped[part] | changes}, f"sources.{name}")
        priors = replace(self.priors, source_classes={**classes, name: changed})
        return replace(self, priors=priors)

    def with_hazard(self, **changes: float | str) -> Scenario:
        """The scenario with its hazard settings changed, e.g. `with_hazard(reversion=2.0)`.

        The change is a scenario override (as a `priors.hazard` entry in the file would be).
        """
        hazard = self._checked(HazardOverride, self.spec.priors.hazard.model_dump() | changes, "priors.hazard")
        overrides = self.spec.priors.model_copy(update={"hazard": hazard})
        return replace(self, spec=self.spec.model_copy(update={"priors": overrides}))

    def _checked[M: BaseModel](self, model: type[M], values: dict, field: str) -> M:
        """`values` validated as `model` (the same checks as in the file), or a ConfigError naming `field`."""
        try:
            return model.model_validate(values)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigError([ConfigIssue(self.path, None, field, problems)]) from None


def load_scenario(
    path: str | Path, priors_dir: str | Path | None = None, lexicon: str | None = None, text: str | None = None
) -> Scenario:
    """Read, validate and resolve a scenario file.

    Parameters
    ----------
    path
        The scenario YAML file (docs/scenarios.md).
    priors_dir
        The priors folder (lexicons, sources, base rates, model settings); None takes the
        nearest `priors/` folder above the scenario file.
    lexicon
        Read every phrase in this lexicon instead of the file's (a sensitivity run).
    text
        The file's text as kept elsewhere (in a forecast.nc), read instead of the file.

    Returns
    -------
    Scenario
        The validated scenario, its phrases and time expressions resolved into numbers.

    Raises
    ------
    ConfigError
        Listing every problem found, each with file, line and field; a "TODO" placeholder
        (`riskline new`) is one, with the valid choices.

    """
    path = Path(path)
    doc = read_yaml(path, text)
    todos = find_todos(doc)
    try:
        spec = validate(ScenarioFile, doc)
    except ConfigError as exc:
        raise ConfigError(without_todo_fields(exc.issues, todo_issues(doc, todos, {}))) from None
    if lexicon is not None:
        spec = spec.model_copy(update={"lexicon": lexicon})
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
            [doc.issue(["lexicon"], f"no lexicon named '{excerpt(spec.lexicon, 60)}'; {closest(spec.lexicon, names)}")]
            if lexicon is None
            else [ConfigIssue(None, None, "--lexicon", f"no lexicon named '{lexicon}'; {closest(lexicon, names)}")]
        )
    conventions = load_time_conventions(priors.directory)
    issues = check_references(spec, priors, doc)
    if spec.cdf_range is not None and not spec.cdf_range[0] < spec.cdf_range[1] <= spec.horizon:
        message = (f"expected [start, end] with start before end and end by the horizon ({spec.horizon}), got "
                   f"[{spec.cdf_range[0]}, {spec.cdf_range[1]}]: the forecast stops at the horizon")  # fmt: skip
        issues.append(doc.issue(["cdf_range"], message))
    if not spec.estimates and not spec.platform_forecasts:
        issues.append(doc.issue(["estimates"], f"the scenario has no estimates; {NO_ESTIMATES}"))
    words = load_lexicon(priors.directory, spec.lexicon)
    estimates = []
    for index, est in enumerate(spec.estimates):
        resolved = _resolve_estimate(["estimates", index], est, spec, words, conventions, doc, issues)
        if resolved is not None:
            estimates.append(resolved)
    for index, platform in enumerate(spec.platform_forecasts):
        for est in platform_estimates(index, platform, spec, priors, doc, issues):
            resolved = _resolve_estimate(["platform_forecasts", index], est, spec, words, conventions, doc, issues)
            if resolved is not None:
                estimates.append(resolved)
    if todos:
        issues = without_todo_fields(issues, todo_issues(doc, todos, _choices(spec, priors)))
    if issues:
        raise ConfigError(issues)
    spec = spec.model_copy(update={"estimates": [e.spec for e in estimates]})
    scenario = Scenario(spec, tuple(estimates), priors, words, path, doc.text)
    if issues := _delays_beyond_the_grid(scenario, doc):
        raise ConfigError(issues)
    return scenario


def _choices(spec: ScenarioFile, priors: Priors) -> dict[str, list[str]]:
    """The valid values of the fields a placeholder may stand in, for its message."""
    events = [e.id for e in spec.events]
    return {
        "base_rate": sorted(set(priors.base_rates) | set(spec.priors.base_rates)),
        "reliability": sorted(set(priors.source_classes) | set(spec.priors.source_classes)),
        "event": events,
        "after": events,
        "source": [s.id for s in spec.sources],
    }


def _delays_beyond_the_grid(scenario: Scenario, doc: YamlDocument) -> list[ConfigIssue]:
    """Windows counted from a trigger that run longer than the scenario's time span.

    A triggered event's delay hazard covers as many years as the grid (start to horizon);
    beyond that its CDF would stay flat, and the statement would silently say less.
    """
    start = scenario.start()
    span = (scenario.horizon - start).days / 365.25
    issues = []
    for index, est in enumerate(scenario.estimates):
        window = est.window
        if isinstance(window, RelativeWindow) and window.end_latest > span:
            years = window.end_latest
            needed = (start + timedelta(days=math.ceil(years * 365.25))) if years < LAST_YEAR - start.year else None
            fix = f"move the horizon to {needed} or later" if needed else "give a shorter span"
            message = (f"window runs to {years:g} years after {window.after}, longer than the {span:.1f} "
                       f"years from {start} to the horizon; {fix}")  # fmt: skip
            issues.append(doc.issue(["estimates", index, "window"], message))
    return issues


def _resolve_estimate(
    loc: list[str | int],
    est: EstimateSpec,
    spec: ScenarioFile,
    lexicon: Lexicon,
    conventions: TimeConventions,
    doc: YamlDocument,
    issues: list[ConfigIssue],
) -> Estimate | None:
    """Check one estimate (at `loc` in the file) against the rest of the file; None (and issues) when it is bad."""
    before = len(issues)
    events = {e.id: e for e in spec.events}
    sources = {s.id for s in spec.sources}
    if est.event not in events:
        issues.append(unknown(doc, [*loc, "event"], "event", est.event, events))
    elif (event_kind := events[est.event].kind) != est.kind:
        message = f"a {est.kind} estimate cannot inform '{est.event}', which is a {event_kind} event"
        issues.append(doc.issue([*loc, "kind"], f"{message}; attach it to a {est.kind} event"))
    if est.source not in sources:
        issues.append(unknown(doc, [*loc, "source"], "source", est.source, sources))
    if est.issued > spec.as_of:
        message = f"issued {est.issued} is after as_of {spec.as_of}"
        issues.append(doc.issue([*loc, "issued"], f"{message}; move as_of forward or leave the estimate out"))
    window = resolve_window(est, conventions, doc, loc, issues)
    if isinstance(window, Window) and window.end_latest > spec.horizon:
        message = f"window ends {window.end_latest}, after the horizon {spec.horizon}"
        issues.append(doc.issue([*loc, "window"], f"{message}; move the horizon to {window.end_latest} or later"))
    if isinstance(window, RelativeWindow) and est.event in events and window.after not in ancestors(spec, est.event):
        waits = ancestors(spec, est.event)
        hint = f"it waits for: {', '.join(waits)}" if waits else "it waits for no event (add 'after:' to the event)"
        issues.append(doc.issue([*loc, "window", "after"], f"'{est.event}' does not wait for '{window.after}'; {hint}"))
    try:
        probability = parse_probability(est.probability, lexicon)
    except (ValueError, LexiconError) as exc:
        issues.append(doc.issue([*loc, "probability"], str(exc)))
        probability = None
    if est.provenance.seed is not None and est.provenance.offsets is not None:  # the schema gives both or none
        problem = check_quote(doc.path, est.provenance.seed, est.provenance.offsets, est.quote)
        if problem:
            issues.append(doc.issue([*loc, "provenance"], problem))
    if len(issues) > before or window is None or probability is None:
        return None
    return Estimate(est, window, probability)

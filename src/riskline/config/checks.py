"""Checks of a scenario that need several fields or the prior files.

Each check appends ConfigIssues (file, line, field, message) rather than raising, so that
an analyst sees every problem of a file at once.
"""

from __future__ import annotations

from datetime import date

from riskline.config.priors import Priors
from riskline.config.schema import ScenarioFile
from riskline.errors import ConfigIssue, excerpt
from riskline.files.yamlfile import YamlDocument, closest

__all__ = ["ancestors", "check_references", "first_observed", "horizon_problem", "unknown"]


def unknown(doc: YamlDocument, loc: list, what: str, name: str, known) -> ConfigIssue:
    """'unknown source 'x'; did you mean 'y'?' (or the valid choices)."""
    hint = closest(name, sorted(known)) if known else f"define a {what} first"
    return doc.issue(loc, f"unknown {what} '{excerpt(name, 60)}'; {hint}")


def ancestors(spec: ScenarioFile, event_id: str) -> list[str]:
    """The events `event_id` waits for, nearest first (stops at a cycle or an unknown id)."""
    parents = {e.id: e.after for e in spec.events}
    found: list[str] = []
    current = parents.get(event_id)
    while current is not None and current in parents and current not in found and current != event_id:
        found.append(current)
        current = parents[current]
    return found


def horizon_problem(as_of: date, horizon: date) -> str | None:
    """What is wrong with a horizon for this as_of, if anything.

    Risk is reported by calendar year, so the horizon must reach the end of as_of's year.
    """
    if horizon <= as_of:
        return f"horizon {horizon} must be after as_of {as_of}"
    if horizon < date(as_of.year + 1, 1, 1):
        return (f"horizon {horizon} ends before {as_of.year} does (as_of {as_of}); risk is reported by calendar "
                f"year, so set the horizon to {as_of.year + 1}-01-01 or later")  # fmt: skip
    return None


def check_references(spec: ScenarioFile, priors: Priors, doc: YamlDocument) -> list[ConfigIssue]:
    """Dates in order, ids unique, chains acyclic, every name pointing at something that exists."""
    issues = []
    if problem := horizon_problem(spec.as_of, spec.horizon):
        issues.append(doc.issue(["horizon"], problem))
    for section in ("events", "sources", "estimates", "signposts"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(spec, section)):
            if item.id in seen:
                issues.append(doc.issue([section, index, "id"], f"duplicate id '{item.id}'; ids must be unique"))
            seen.add(item.id)
    rates = set(priors.base_rates) | set(spec.priors.base_rates)
    classes = set(priors.source_classes) | set(spec.priors.source_classes)
    for index, event in enumerate(spec.events):
        if event.base_rate not in rates:
            issues.append(unknown(doc, ["events", index, "base_rate"], "base rate", event.base_rate, rates))
    for index, source in enumerate(spec.sources):
        if source.reliability not in classes:
            issues.append(
                unknown(doc, ["sources", index, "reliability"], "reliability class", source.reliability, classes)
            )
    chain_issues = _check_chains(spec, doc)
    issues.extend(chain_issues or _check_latent(spec, doc))
    issues.extend(_check_signposts(spec, doc))
    issues.extend(_check_at_risk_from(spec, doc))
    issues.extend(_check_outcome(spec, doc))
    return issues


def _check_outcome(spec: ScenarioFile, doc: YamlDocument) -> list[ConfigIssue]:
    """A resolved question's forecast must precede what it forecasts.

    Every statement must be issued before the event happened (otherwise it reports, not
    forecasts), and `not_by` cannot be earlier than as_of (the forecast already knows that much).
    """
    outcome = spec.outcome
    if outcome is None:
        return []
    if outcome.happened is not None and outcome.happened <= spec.as_of:
        return [
            doc.issue(
                ["outcome", "happened"],
                f"the event happened {outcome.happened}, on or before as_of {spec.as_of}: a backtest forecasts "
                f"from before the event; set as_of before {outcome.happened} and leave out later statements",
            )
        ]
    if outcome.not_by is not None and outcome.not_by < spec.as_of:
        return [
            doc.issue(
                ["outcome", "not_by"],
                f"not_by {outcome.not_by} is before as_of {spec.as_of}; give the latest date known with nothing "
                "having happened, on or after as_of",
            )
        ]
    return []


def _check_at_risk_from(spec: ScenarioFile, doc: YamlDocument) -> list[ConfigIssue]:
    """The time grid starts at `at_risk_from`, so it must come before every dated item."""
    if spec.at_risk_from is None:
        return []
    dated = [("as_of", spec.as_of)] + [(f"estimate '{e.id}' (issued)", e.issued) for e in spec.estimates]
    dated += [(f"signpost '{s.id}'", s.date) for s in spec.signposts]
    late = [(what, when) for what, when in dated if when < spec.at_risk_from]
    if not late:
        return []
    what, when = min(late, key=lambda item: item[1])
    return [
        doc.issue(
            ["at_risk_from"],
            f"at_risk_from {spec.at_risk_from} is after {what} {when}; the time grid starts at at_risk_from "
            f"and must cover it: set at_risk_from on or before {when}",
        )
    ]


def _check_chains(spec: ScenarioFile, doc: YamlDocument) -> list[ConfigIssue]:
    ids = [e.id for e in spec.events]
    issues = []
    for index, event in enumerate(spec.events):
        if event.after is None:
            continue
        loc: list[str | int] = ["events", index, "after"]
        if event.after not in ids:
            issues.append(unknown(doc, loc, "event", event.after, ids))
        elif event.after == event.id or event.id in ancestors(spec, event.after):
            issues.append(doc.issue(loc, f"'{event.id}' waits for itself through 'after'; a chain must have a start"))
        elif ids.index(event.after) > index:
            issues.append(doc.issue(loc, f"'{event.after}' must be listed before '{event.id}', which waits for it"))
    return issues


def first_observed(spec: ScenarioFile, root_id: str) -> list[str]:
    """The first observed events after latent `root_id`, on each path down its chain (docs/model.md, latent events)."""
    found, waiting = [], [e for e in spec.events if e.after == root_id]
    while waiting:
        event = waiting.pop(0)
        if event.is_observed:
            found.append(event.id)
        else:
            waiting += [e for e in spec.events if e.after == event.id]
    return found


def _check_latent(spec: ScenarioFile, doc: YamlDocument) -> list[ConfigIssue]:
    """A latent chain's first observed event must come right after its start, and be the only one.

    Its absence by as_of is then the data (log P(it has not happened), docs/model.md); two
    such events would be two dependent pieces of evidence, which the model does not handle.
    """
    ids, issues = [e.id for e in spec.events], []
    for index, root in enumerate(spec.events):
        if root.after is not None or root.is_observed:
            continue
        loc: list[str | int] = ["events", index, "observed" if root.observed is not None else "kind"]
        observed = first_observed(spec, root.id)
        if len(observed) > 1:
            issues.append(doc.issue(loc, f"'{root.id}' is latent and more than one event after it is observed "
                                         f"({', '.join(observed)}): their quiet is not independent evidence, which "
                                         f"riskline cannot use yet; set observed: true on '{root.id}', or split the "
                                         "chain"))  # fmt: skip
        elif observed and (others := _off_the_path(spec, root.id, observed[0])):
            issues.append(doc.issue(loc, f"'{root.id}' is latent and '{observed[0]}' after it is observed, so "
                                         f"{', '.join(others)} must wait for '{observed[0]}' too: riskline forecasts "
                                         f"a latent chain given that its observed event has not happened; set "
                                         f"observed: true on '{root.id}', or move them"))  # fmt: skip
        elif observed and (between := spec.events[ids.index(observed[0])].after) not in (root.id, None):
            message = (f"'{between}' is latent and stands between latent '{root.id}' and observed '{observed[0]}': a "
                       "latent chain's first observed event must wait for its first event directly; set observed: "
                       f"true on '{between}', or on '{root.id}'")  # fmt: skip
            issues.append(doc.issue(["events", ids.index(between), "observed"], message))
    return issues


def _off_the_path(spec: ScenarioFile, root_id: str, observed_id: str) -> list[str]:
    """Events of `root_id`'s chain that neither lead to `observed_id` nor come after it."""
    leading = ancestors(spec, observed_id)
    return [
        e.id
        for e in spec.events
        if root_id in ancestors(spec, e.id)
        and e.id != observed_id
        and e.id not in leading
        and observed_id not in ancestors(spec, e.id)
    ]


def _check_signposts(spec: ScenarioFile, doc: YamlDocument) -> list[ConfigIssue]:
    events = {e.id: e for e in spec.events}
    issues = []
    for index, signpost in enumerate(spec.signposts):
        loc: list[str | int] = ["signposts", index]
        if signpost.event not in events:
            issues.append(unknown(doc, [*loc, "event"], "event", signpost.event, events))
        elif (trigger := events[signpost.event].after) is not None:
            why = f"'{signpost.event}' waits for '{trigger}', so its hazard runs on the delay since that event"
            issues.append(doc.issue([*loc, "event"], f"{why}; attach the signpost to an event without 'after'"))
        if signpost.date > spec.as_of:
            why = f"signpost dated {signpost.date}, after as_of {spec.as_of}: a signpost is an observed development"
            issues.append(doc.issue([*loc, "date"], f"{why}; move as_of forward or leave it out"))
    return issues

"""From a sweep file to its variants: each one the scenario with some assumptions moved.

Every lexicon, priors folder and as_of date is loaded here, in the process that reads the
sweep file, so a bad sweep is an error before any worker starts. Workers get the few loaded
scenarios once and build each variant from one of them by setting prior numbers and muting
a statement (`variant_scenario`), which is cheap.

Variants are grouped by what can change the model's structure (priors folder, as_of, knot
spacing) and by the listed values of prior numbers. Each group gets one fit, its *base*;
the group's variants are reweighted from the base's draws where those cover them
(riskline.model.update) and sampled otherwise. A prior number moves the posterior far (a
base rate from 0.1 to 0.03 per year leaves a Pareto k of 0.8 on the seed), while a lexicon
or one statement left out mostly does not; numbers drawn from a range get no base of their
own (every draw would need one) and are reweighted from their group's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from riskline.config.scenario import Scenario, load_scenario
from riskline.errors import ConfigError, ConfigIssue
from riskline.sweeps.spec import LEFT_OUT, NumberRange, Sweep, design_points

__all__ = ["BASELINE", "SweepPlan", "Variant", "number_of", "plan_sweep", "variant_scenario", "with_number"]

BASELINE = "baseline"
"""The label of variant 0: the scenario as its file has it, the reference of every comparison."""
DEFAULT_PRIORS = "default"
"""The priors axis's value for the sweep file's own priors folder."""
LOADED_AXES = ("lexicon", "priors", "as_of")
"""Axes that need the scenario file read again; the others change a loaded scenario."""
STRUCTURAL = ("priors", "as_of", "hazard.knot_spacing")
"""Axes whose value can change the model's structure: a group's variants share one value of each."""
NUMBER_PATHS = (
    "base_rates.<name>.per_year|log_sd, hazard.smoothness|knot_spacing|reversion, "
    "sources.<class>.bias.mean|sd, sources.<class>.noise.median|log_sd"
)

LoadKey = tuple[str, str, date]
"""(lexicon, priors folder as the sweep file writes it, as_of) of a loaded scenario."""


@dataclass(frozen=True)
class Variant:
    """One point of the sweep: its settings (axis -> value), the scenario it starts from, its group and seed."""

    index: int
    label: str
    settings: dict[str, object]
    group: int
    seed: int

    @property
    def load(self) -> LoadKey:
        lexicon, priors, as_of = (self.settings[name] for name in LOADED_AXES)
        return str(lexicon), str(priors), as_of  # type: ignore[return-value]


@dataclass(frozen=True)
class SweepPlan:
    """Every variant (the baseline first), the scenarios they start from, and each group's base."""

    sweep: Sweep
    variants: list[Variant]
    loaded: dict[LoadKey, Scenario]
    bases: list[Variant]
    """Per group, the variant its base fit is of: the baseline's settings with the group's own values."""

    @property
    def axes(self) -> list[str]:
        """The axes the sweep varies (the loaded ones are kept in the settings of every variant)."""
        varied = {name for v in self.variants for name, value in v.settings.items()
                  if value != self.variants[0].settings[name]}  # fmt: skip
        return [name for name in self.variants[0].settings if name in varied]


def plan_sweep(sweep: Sweep) -> SweepPlan:
    """Load every scenario the sweep needs and list its variants; ConfigError on any problem."""
    file_scenario = _load(sweep, (None, DEFAULT_PRIORS, None))
    listed, ranges = _listed_axes(sweep, file_scenario)
    _check_axes(sweep, file_scenario, listed, ranges)
    start: dict[str, object] = {
        "lexicon": file_scenario.lexicon.name,
        "priors": DEFAULT_PRIORS,
        "as_of": file_scenario.as_of,
    }
    start |= {name: None for name in listed if name == LEFT_OUT}
    start |= {name: number_of(file_scenario, name) for name in [*listed, *ranges] if name not in start}
    points = [start, *({**start, **p} for p in design_points(listed, ranges, sweep.spec.design, sweep.spec.seed))]
    grouped_by = [*STRUCTURAL, *(name for name in listed if name not in (*LOADED_AXES, LEFT_OUT))]
    groups: dict[tuple, int] = {}
    variants, bases = [], []
    for index, settings in enumerate(points):
        key = tuple(settings.get(name) for name in grouped_by)
        if key not in groups:
            group = groups[key] = len(groups)
            base = {**start, **{name: settings[name] for name in grouped_by if name in settings}}
            bases.append(Variant(-1 - group, f"base {group}", base, group, _seed(sweep.spec.seed, 1, group)))
        label = BASELINE if index == 0 else _label(settings, start)
        variants.append(Variant(index, label, settings, groups[key], _seed(sweep.spec.seed, 0, index)))
    keys = {v.load for v in [*variants, *bases]}
    loaded = {key: _load(sweep, key, start) for key in sorted(keys, key=str)}
    return SweepPlan(sweep, variants, loaded, bases)


def _load(sweep: Sweep, key: tuple[str | None, str, date | None], start: dict | None = None) -> Scenario:
    """The scenario file read with this lexicon and priors folder, as of this date.

    A problem is reported at the sweep file's axis value that caused it (`start`: the file's
    own values), followed by the scenario's own problems.
    """
    lexicon, priors, as_of = key
    folder = sweep.path.resolve().parent / priors if priors != DEFAULT_PRIORS else sweep.priors_dir
    try:
        scenario = load_scenario(sweep.scenario_path, folder, lexicon=lexicon)
        if as_of is not None and as_of != scenario.as_of:
            scenario, _ = scenario.at(as_of)
    except ConfigError as exc:
        if start is None:
            raise
        axis, field, value = next(
            (axis, field, value)
            for axis, field, value in zip(LOADED_AXES, ("lexicons", "priors", "as_of"), key, strict=True)
            if value != start[axis]
        )
        where = sweep.doc.issue(["axes", field, getattr(sweep.spec.axes, field).index(value)], "")
        issues = [ConfigIssue(where.file, where.line, f"axes.{field}", f"with {axis} {value}: {i.message}")
                  for i in exc.issues if i.file is None]  # fmt: skip
        raise ConfigError(issues + [i for i in exc.issues if i.file is not None]) from None
    return scenario


def _listed_axes(sweep: Sweep, scenario: Scenario) -> tuple[dict[str, list], dict[str, NumberRange]]:
    """The axes with a list of choices, and the numbers drawn from a range."""
    axes = sweep.spec.axes
    listed: dict[str, list] = {}
    if axes.lexicons:
        listed["lexicon"] = list(axes.lexicons)
    if axes.priors:
        listed["priors"] = list(axes.priors)
    if axes.as_of:
        listed["as_of"] = list(axes.as_of)
    if axes.leave_out is not None:
        ids = [e.id for e in scenario.estimates] if axes.leave_out == "each" else list(axes.leave_out)
        listed[LEFT_OUT] = [None, *ids]  # nothing left out is a choice too: the others' reference
    ranges = {}
    for name, values in axes.numbers.items():
        if isinstance(values, NumberRange):
            ranges[name] = values
        else:
            listed[name] = list(values)
    return listed, ranges


def _check_axes(sweep: Sweep, scenario: Scenario, listed: dict[str, list], ranges: dict[str, NumberRange]) -> None:
    """The statements to leave out exist, and every number axis's values pass that number's checks."""
    issues = []
    if LEFT_OUT in listed:
        try:
            for statement in listed[LEFT_OUT][1:]:
                scenario.muting(statement)
        except ConfigError as exc:
            issues.append(sweep.doc.issue(["axes", "leave_out"], exc.issues[0].message))
    for name in sweep.spec.axes.numbers:
        values = [ranges[name].low, ranges[name].high] if name in ranges else listed[name]
        try:
            for value in values:
                with_number(scenario, name, value)
        except ConfigError as exc:
            issues.append(sweep.doc.issue(["axes", "numbers", name], exc.issues[0].message))
    if issues:
        raise ConfigError(issues)


def _label(settings: dict[str, object], start: dict[str, object]) -> str:
    moved = [f"{name}={_shown(value)}" for name, value in settings.items() if value != start[name]]
    return ", ".join(moved) or "as the file has it"


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "nothing" if value is None else str(value)


def _seed(seed: int, kind: int, index: int) -> int:
    """A seed of its own for each variant (kind 0) and each group's base fit (kind 1), the same on any worker."""
    return int(np.random.SeedSequence([seed, kind, index]).generate_state(1)[0])


def variant_scenario(loaded: dict[LoadKey, Scenario], variant: Variant) -> Scenario:
    """The variant's scenario: its loaded scenario with its prior numbers set and its statement muted."""
    scenario = loaded[variant.load]
    for name, value in variant.settings.items():
        if name in LOADED_AXES or value is None:
            continue
        muted = name == LEFT_OUT
        scenario = scenario.muting(str(value)) if muted else with_number(scenario, name, float(value))  # type: ignore[arg-type]
    return scenario


def with_number(scenario: Scenario, path: str, value: float) -> Scenario:
    """The scenario with the prior number at `path` (e.g. base_rates.ukraine-ceasefire.per_year) set to `value`."""
    match path.split("."):
        case ["base_rates", name, ("per_year" | "log_sd") as number]:
            return scenario.with_base_rate(name, **{number: value})
        case ["hazard", ("smoothness" | "knot_spacing" | "reversion") as number]:
            return scenario.with_hazard(**{number: value})
        case ["sources", name, ("bias" | "noise") as part, number]:
            return scenario.with_source_class(name, part, **{number: value})
    message = f"'{path}' is not the path of a prior number; the paths are {NUMBER_PATHS}"
    raise ConfigError([ConfigIssue(None, None, path, message)])


def number_of(scenario: Scenario, path: str) -> float | None:
    """The value the scenario uses for the prior number at `path` (None where it has none, e.g. no reversion)."""
    match path.split("."):
        case ["base_rates", name, number]:
            event = next(e for e in scenario.events if e.base_rate == name)
            return getattr(scenario.base_rate(event), number)
        case ["hazard", number]:
            return getattr(scenario.hazard, number)
        case ["sources", name, part, number]:
            return getattr(getattr(scenario.priors.source_classes[name], part), number)
    raise ValueError(path)  # with_number has checked every path before

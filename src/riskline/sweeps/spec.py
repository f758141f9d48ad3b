"""The sweep file: which scenario, which assumptions to vary, and how to choose the variants.

A sweep file (sweeps/*.yaml, docs/sweeps.md) names a scenario and the axes along which its
assumptions move: lexicons, prior folders, as_of dates, prior numbers by their path, and
each statement left out in turn. `design: grid` takes every combination;
`design: {method: latin_hypercube | sobol, samples: N}` takes N seeded quasi-random points
of the axes' space, the usual design of a global sensitivity analysis.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, model_validator
from scipy.stats import qmc

from riskline.config.schema import Day
from riskline.errors import ConfigError
from riskline.files.yamlfile import Strict, YamlDocument, read_yaml, validate
from riskline.random_seed import DEFAULT_SEED

__all__ = ["LEFT_OUT", "NumberRange", "Sweep", "SweepFile", "design_points", "load_sweep"]

LEFT_OUT = "left_out"
"""The axis of statements left out in turn; its value None is "nothing left out"."""
MAX_VARIANTS = 100_000
"""More variants than this are refused: at a second each they would take more than a day on 1 core."""


class NumberRange(Strict):
    """A prior number drawn between `low` and `high` in a random design (uniform, or log-uniform with scale: log)."""

    low: float
    high: float
    scale: Literal["linear", "log"] = "linear"

    @model_validator(mode="after")
    def _ordered(self) -> NumberRange:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.scale == "log" and self.low <= 0:
            raise ValueError(f"a log scale needs low > 0, got {self.low:g}")
        return self

    def at(self, unit: np.ndarray) -> np.ndarray:
        """The values at quantiles `unit` (in [0, 1)) of the range."""
        if self.scale == "log":
            return np.exp(math.log(self.low) + unit * (math.log(self.high) - math.log(self.low)))
        return self.low + unit * (self.high - self.low)


class Axes(Strict):
    """What varies; an axis left out stays as the scenario file has it."""

    lexicons: list[str] = Field(default=[], description="lexicons to read every phrase in")
    priors: list[str] = Field(default=[], description="priors folders, relative to the sweep file")
    as_of: list[Day] = Field(default=[], description="as_of dates (later statements are left out)")
    leave_out: Literal["each"] | list[str] | None = Field(
        default=None, description="'each': every statement left out in turn; or a list of statement ids"
    )
    numbers: dict[str, list[float] | NumberRange] = Field(
        default={}, description="prior numbers by path: a list of values, or a range for a random design"
    )


class Design(Strict):
    """Every combination of the listed values (`grid`), or N seeded quasi-random points of the axes' space."""

    method: Literal["grid", "latin_hypercube", "sobol"] = "grid"
    samples: int | None = Field(default=None, gt=0, le=MAX_VARIANTS)

    @model_validator(mode="before")
    @classmethod
    def _from_word(cls, value: object) -> object:
        return {"method": value} if isinstance(value, str) else value  # design: grid

    @model_validator(mode="after")
    def _samples(self) -> Design:
        if self.method == "grid" and self.samples is not None:
            raise ValueError("a grid takes every combination; samples is for method: latin_hypercube or sobol")
        if self.method != "grid" and self.samples is None:
            raise ValueError(f"a {self.method} design needs samples: how many variants to draw")
        if self.method == "sobol" and self.samples is not None and self.samples & (self.samples - 1):
            lower = 1 << (self.samples.bit_length() - 1)
            raise ValueError(
                f"a Sobol design needs a power of two samples (its balance depends on it); "
                f"got {self.samples}, try {lower} or {2 * lower}"
            )
        return self


class SamplingSizes(Strict):
    """NUTS sizes for the sweep's fits (each left out: priors/model.yaml's)."""

    draws: int | None = Field(default=None, gt=0)
    tune: int | None = Field(default=None, gt=0)
    chains: int | None = Field(default=None, ge=1)


class SweepFile(Strict):
    """sweeps/<name>.yaml."""

    name: str | None = Field(default=None, description="names the output folder (default: the file's name)")
    scenario: str = Field(description="the scenario file, relative to the sweep file")
    priors: str | None = Field(default=None, description="priors folder (default: the nearest above the scenario)")
    seed: int = DEFAULT_SEED
    sampling: SamplingSizes = SamplingSizes()
    axes: Axes
    design: Design = Design()


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file with its paths resolved."""

    spec: SweepFile
    path: Path
    scenario_path: Path
    priors_dir: Path | None
    priors_dirs: tuple[Path, ...]
    doc: YamlDocument

    @property
    def name(self) -> str:
        return self.spec.name or self.path.stem


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; ConfigError (file:line: field: message) on any problem."""
    path = Path(path)
    doc = read_yaml(path)
    spec = validate(SweepFile, doc)
    folder = path.resolve().parent
    issues = []
    scenario_path = folder / spec.scenario
    if not scenario_path.is_file():
        issues.append(doc.issue(["scenario"], f"no file {scenario_path}; give the scenario's path from this file"))
    priors_dir = folder / spec.priors if spec.priors is not None else None
    priors_dirs = tuple(folder / p for p in spec.axes.priors)
    places: list[tuple[list[str | int], Path | None]] = [(["priors"], priors_dir)]
    places += [(["axes", "priors", i], d) for i, d in enumerate(priors_dirs)]
    for loc, directory in places:
        if directory is not None and not (directory / "model.yaml").is_file():
            issues.append(doc.issue(loc, f"no model.yaml in {directory}; give a priors folder's path from this file"))
    if spec.design.method == "grid":
        for name, values in spec.axes.numbers.items():
            if isinstance(values, NumberRange):
                message = "a grid needs a list of values; give one, or use design: {method: sobol, samples: 64}"
                issues.append(doc.issue(["axes", "numbers", name], message))
    if issues:
        raise ConfigError(issues)
    return Sweep(spec, path, scenario_path, priors_dir, priors_dirs, doc)


def design_points(
    axes: dict[str, list], ranges: dict[str, NumberRange], design: Design, seed: int
) -> list[dict[str, object]]:
    """The variants' settings: one dict of axis -> value per variant, in a fixed order.

    `axes` are the axes with listed choices, `ranges` the numbers drawn from a range. A grid
    is every combination of `axes`; a random design draws `samples` points of the unit cube
    (one dimension per axis) and reads a listed axis's choice by which of its equal parts
    the point falls in, a range's value at that quantile.
    """
    names = [*axes, *ranges]
    if design.method == "grid":
        return [dict(zip(axes, combination, strict=True)) for combination in itertools.product(*axes.values())]
    samples = design.samples or 0  # set for every random design (Design checks it)
    sampler = (qmc.LatinHypercube if design.method == "latin_hypercube" else qmc.Sobol)(d=len(names), seed=seed)
    unit = sampler.random(samples)
    points: list[dict[str, object]] = [{} for _ in range(samples)]
    for column, name in enumerate(names):
        if name in axes:
            chosen = np.minimum((unit[:, column] * len(axes[name])).astype(int), len(axes[name]) - 1)
            values = [axes[name][i] for i in chosen]
        else:
            values = [float(v) for v in ranges[name].at(unit[:, column])]
        for point, value in zip(points, values, strict=True):
            point[name] = value
    return points

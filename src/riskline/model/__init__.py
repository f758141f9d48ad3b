"""The timeline model: grid, construction (PyMC) and fitting (`riskline.model.fit`).

`fit` is not re-exported here because it returns a `riskline.forecast.Forecast`, which
itself reads the grid from this package; the top-level `riskline.fit` is the public name.
"""

from riskline.model.encoding import ModelStructure, encode, scenario_grid
from riskline.model.grid import TimeGrid
from riskline.model.timeline import build_model

__all__ = ["ModelStructure", "TimeGrid", "build_model", "encode", "scenario_grid"]

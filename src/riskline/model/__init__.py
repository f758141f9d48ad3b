"""The timeline model: grid, construction (PyMC) and fitting (`riskline.model.fit`).

`fit` is not re-exported here because it returns a `riskline.forecast.Forecast`, which
itself reads the grid from this package; the top-level `riskline.fit` is the public name.
"""

from riskline.model.grid import TimeGrid
from riskline.model.timeline import build_model, scenario_grid

__all__ = ["TimeGrid", "build_model", "scenario_grid"]

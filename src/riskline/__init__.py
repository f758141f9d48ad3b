"""riskline: Bayesian risk timelines from verbal estimates.

The names a notebook needs::

    from riskline import load_scenario, fit, update, plot_timeline, write_run
"""

from riskline.config import load_scenario
from riskline.errors import ConfigError, ConvergenceWarning, LexiconError, RisklineError
from riskline.export import write_run
from riskline.forecast import Forecast
from riskline.model.fit import fit
from riskline.model.update import update
from riskline.plots import plot_timeline

__all__ = [
    "ConfigError",
    "ConvergenceWarning",
    "Forecast",
    "LexiconError",
    "RisklineError",
    "fit",
    "load_scenario",
    "plot_timeline",
    "update",
    "write_run",
]

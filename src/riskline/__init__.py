"""riskline: Bayesian risk timelines from verbal estimates.

The names a notebook needs::

    from riskline import load_scenario, fit, update, plot_timeline, write_run
    from riskline import sweep   # sensitivity sweeps on Dask (riskline.sweeps)
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
    "sweep",
    "update",
    "write_run",
]


def __getattr__(name: str):
    """`riskline.sweep`, imported when first used: it brings in Dask, which a run does not need."""
    if name == "sweep":
        from riskline.sweeps import sweep

        return sweep
    raise AttributeError(f"module 'riskline' has no attribute {name!r}")

"""Figures. Each function draws precomputed numbers and returns the matplotlib Figure."""

from riskline.plots.comparison import plot_comparison, plot_prior_posterior, plot_update
from riskline.plots.hazard import plot_hazard
from riskline.plots.influence import plot_influence
from riskline.plots.lexicons import plot_lexicons
from riskline.plots.per_period import plot_per_period
from riskline.plots.reconciliation import plot_reconciliation
from riskline.plots.timeline import plot_timeline

__all__ = [
    "plot_comparison",
    "plot_hazard",
    "plot_influence",
    "plot_lexicons",
    "plot_per_period",
    "plot_prior_posterior",
    "plot_reconciliation",
    "plot_timeline",
    "plot_update",
]

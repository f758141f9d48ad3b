"""Figures. Each function draws precomputed numbers and returns the matplotlib Figure."""

from riskline.plots.lexicons import plot_lexicons
from riskline.plots.timeline import plot_timeline

__all__ = ["plot_lexicons", "plot_timeline"]

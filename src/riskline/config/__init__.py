"""Scenario and prior files: validated at the edge, with file:line errors."""

from riskline.config.priors import Priors, load_priors
from riskline.config.scenario import Estimate, Scenario, Window, load_scenario
from riskline.files.seeds import Seed, read_seed

__all__ = ["Estimate", "Priors", "Scenario", "Seed", "Window", "load_priors", "load_scenario", "read_seed"]

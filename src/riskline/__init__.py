"""riskline: Bayesian risk timelines from verbal estimates."""

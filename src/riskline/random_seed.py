"""The random seed every riskline command and API entry point uses unless given one."""

DEFAULT_SEED = 20251203
"""Fixed so that two runs of the same command give the same numbers (the seed document's date)."""

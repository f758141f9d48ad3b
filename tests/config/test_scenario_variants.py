"""Scenario.without and Scenario.with_base_rate: what-if variants from Python, checked like files."""

from __future__ import annotations

import pytest

from riskline import load_scenario
from riskline.errors import ConfigError
from riskline.model.encoding import encode

from ..conftest import SEED_SCENARIO

SEED = load_scenario(SEED_SCENARIO)


def test_without_leaves_statements_out():
    fewer = SEED.without("kahl-ready-by-2030", "rutte-ready-within-five-years-june")
    assert [e.id for e in fewer.estimates] == [
        e.id for e in SEED.estimates if e.id not in {"kahl-ready-by-2030", "rutte-ready-within-five-years-june"}
    ]
    assert len(fewer.spec.estimates) == len(SEED.estimates) - 2


def test_without_an_unknown_statement_suggests_one():
    with pytest.raises(ConfigError, match="no estimate 'kahl-ready-by-203'; did you mean 'kahl-ready-by-2030'"):
        SEED.without("kahl-ready-by-203")


def test_with_base_rate_changes_only_the_data():
    faster = SEED.with_base_rate("ukraine-ceasefire", per_year=1.0)
    ceasefire = faster.events[0]
    assert faster.base_rate(ceasefire).per_year == 1.0
    assert faster.base_rate(ceasefire).log_sd == SEED.base_rate(ceasefire).log_sd
    (structure, data), (old_structure, old_data) = encode(faster), encode(SEED)
    assert structure == old_structure  # refitting reuses the compiled model
    assert any((data[k] != old_data[k]).any() for k in data)


def test_with_base_rate_checks_like_the_file():
    with pytest.raises(ConfigError, match=r"base_rates\.ukraine-ceasefire: per_year: Input should be greater than 0"):
        SEED.with_base_rate("ukraine-ceasefire", per_year=0)
    with pytest.raises(ConfigError, match="no event uses 'ceasefire'; did you mean 'ukraine-ceasefire'"):
        SEED.with_base_rate("ceasefire", per_year=1.0)

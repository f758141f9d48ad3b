"""Scenario.without and Scenario.with_base_rate: what-if variants from Python, checked like files."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import numpy as np
import pytest

from riskline import load_scenario
from riskline.errors import ConfigError
from riskline.model.encoding import encode, scenario_grid

from ..conftest import SEED_SCENARIO

SEED = load_scenario(SEED_SCENARIO)


def test_without_leaves_statements_out():
    fewer = SEED.without("kahl-ready-by-2030", "rutte-ready-within-five-years-june")
    assert [e.id for e in fewer.estimates] == [
        e.id for e in SEED.estimates if e.id not in {"kahl-ready-by-2030", "rutte-ready-within-five-years-june"}
    ]
    assert len(fewer.spec.estimates) == len(SEED.estimates) - 2


def test_without_keeps_the_evidence_that_nothing_has_happened():
    """Leaving out the earliest statements keeps the grid's start, and the quiet years before as_of."""
    earliest = min(SEED.estimates, key=lambda e: e.spec.issued)
    fewer = SEED.without(*[e.id for e in SEED.estimates if e.spec.issued.year == earliest.spec.issued.year])
    assert min(e.spec.issued for e in fewer.estimates) > earliest.spec.issued
    assert fewer.start() == SEED.start() == earliest.spec.issued
    np.testing.assert_array_equal(encode(fewer)[1]["exposure_as_of"], encode(SEED)[1]["exposure_as_of"])


def test_at_risk_from_moves_the_start_back():
    """Quiet since the invasion: the grid starts in 2022 and the survival evidence is longer."""
    spec = SEED.spec.model_copy(update={"at_risk_from": date(2022, 2, 24)})
    longer = dataclasses.replace(SEED, spec=spec)
    (structure, data), (old_structure, old_data) = encode(longer), encode(SEED)
    assert scenario_grid(longer).edges[0] == date(2022, 1, 1)
    years = data["exposure_as_of"].sum() - old_data["exposure_as_of"].sum()
    assert years == pytest.approx((scenario_grid(SEED).edges[0] - date(2022, 1, 1)).days / 365.25, rel=1e-12)
    assert structure.n_bins == old_structure.n_bins + 8  # two more years of quarters


def test_as_of_before_at_risk_from_is_an_error():
    late = dataclasses.replace(SEED, spec=SEED.spec.model_copy(update={"at_risk_from": date(2025, 1, 1)}))
    with pytest.raises(ConfigError, match="as_of 2024-06-01 is before at_risk_from 2025-01-01; move at_risk_from back"):
        late.at(date(2024, 6, 1))


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


def test_leaving_out_every_statement_is_an_error():
    with pytest.raises(ConfigError, match="that leaves no estimate; riskline fits a timeline to statements"):
        SEED.without(*(e.id for e in SEED.estimates))
    with pytest.raises(
        ConfigError, match=re.escape("as_of 2023-06-01 leaves out every estimate (the first was issued 2024-01-19)")
    ):
        SEED.at(date(2023, 6, 1))


def test_a_horizon_inside_as_ofs_year_is_an_error():
    """Risk is reported by calendar year: the horizon must reach the end of as_of's year."""
    short = dataclasses.replace(SEED, spec=SEED.spec.model_copy(update={"horizon": date(2035, 12, 1)}))
    with pytest.raises(
        ConfigError, match=re.escape("horizon 2035-12-01 ends before 2035 does (as_of 2035-06-01); risk is")
    ):
        short.at(date(2035, 6, 1))

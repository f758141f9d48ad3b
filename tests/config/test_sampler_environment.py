"""RISKLINE_DRAWS / _TUNE / _CHAINS: the documented way to run notebooks with smaller samples."""

from __future__ import annotations

import pytest

from riskline.config.priors import load_priors
from riskline.errors import ConfigError

from ..conftest import ROOT


def test_environment_overrides_model_yaml(monkeypatch):
    default = load_priors(ROOT / "priors").model.sampler
    monkeypatch.setenv("RISKLINE_DRAWS", "250")
    monkeypatch.setenv("RISKLINE_CHAINS", "2")
    sampler = load_priors(ROOT / "priors").model.sampler
    assert (sampler.draws, sampler.chains, sampler.tune) == (250, 2, default.tune)


def test_a_bad_value_is_named(monkeypatch):
    monkeypatch.setenv("RISKLINE_TUNE", "lots")
    with pytest.raises(ConfigError, match="RISKLINE_TUNE: expected a positive whole number, got 'lots'"):
        load_priors(ROOT / "priors")

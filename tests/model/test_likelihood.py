"""The interval likelihood: exact against the logistic CDF, and finite far in the tails."""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from scipy.special import expit

from riskline.model.timeline import interval_logp

low, high, centre, scale = pt.dvectors("low", "high", "centre", "scale")
LOGP = pytensor.function([low, high, centre, scale], interval_logp(low, high, centre, scale))


def test_matches_logistic_cdf_difference():
    lo, hi = np.array([-2.0, -0.5, 1.0]), np.array([0.5, 2.0, 1.4])
    m, s = np.array([0.0, 1.0, -1.0]), np.array([0.5, 1.0, 2.0])
    expected = np.log(expit((hi - m) / s) - expit((lo - m) / s))
    np.testing.assert_allclose(LOGP(lo, hi, m, s), expected, rtol=1e-12)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_far_tail_keeps_its_value(sign):
    """An interval 40-41 scale units from the centre: the naive difference rounds to 0.

    Closed form there: F(41) - F(40) = e^-40 (1 - e^-1) to 1e-17 relative.
    """
    lo, hi = (np.array([40.0]), np.array([41.0])) if sign > 0 else (np.array([-41.0]), np.array([-40.0]))
    value = LOGP(lo, hi, np.zeros(1), np.ones(1))[0]
    assert value == pytest.approx(-40 + np.log1p(-np.exp(-1)), rel=1e-12)

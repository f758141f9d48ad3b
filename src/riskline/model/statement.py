"""The statement model in one place: how a source's stated belief relates to q, the probability it speaks of.

logit(pi) = logit(q) + bias + noise · confidence · Logistic(0, 1) (docs/model.md). The
likelihood's compiled kernel (riskline.model.likelihood, through numba), the encoding of a
statement's interval (riskline.model.encoding) and the forecast's reconciliation
(riskline.forecast, on NumPy arrays of draws) all read it from here, so that the statement
model a fit used and the one a report shows cannot drift apart.

Two bounds, for two different things: q is clipped to [CLIP, 1 - CLIP] before its logit
(a hazard can make it all but 0 or 1), and a stated interval's ends to [-LOGIT_BOUND,
LOGIT_BOUND] (a phrase may say 0% or 100%). Where a report needs one number for a stated
interval, its centre (`Probability.logit_centre`, riskline.language) takes the middle of
the logits of its ends clipped to [1e-4, 1 - 1e-4]: ±50 would put the centre of [0, 5%]
at a logit of -26, a reading nobody meant.

`belief_centre` and `belief_variance` use NumPy's ufuncs only, so that they work on floats
inside numba and on arrays of draws outside it alike.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logit

__all__ = ["CLIP", "LOGISTIC_VARIANCE", "LOGIT_BOUND", "belief_centre", "belief_variance", "stated_bounds"]

CLIP = 1e-12
"""q is kept within [CLIP, 1 - CLIP] before its logit: far below any stated probability."""
LOGISTIC_VARIANCE = math.pi**2 / 3
"""Variance of the standard logistic distribution, to add the source's noise to a survey's spread."""
LOGIT_BOUND = 50.0
"""Stand-in for logit(0) and logit(1): past every logit a hazard can produce, yet finite,
so that gradients stay finite at open-ended intervals such as [0, 0.05]."""


def stated_bounds(low: float, high: float) -> tuple[float, float]:
    """The logits of a stated interval's ends, within [-LOGIT_BOUND, LOGIT_BOUND]: what the likelihood reads."""
    bounds = np.clip(logit([low, high]), -LOGIT_BOUND, LOGIT_BOUND)
    return float(bounds[0]), float(bounds[1])


def belief_centre(q, bias):
    """logit(q) + bias, the centre of the source's stated belief on the logit scale (q clipped to [CLIP, 1 - CLIP])."""
    clipped = np.minimum(np.maximum(q, CLIP), 1 - CLIP)
    return np.log(clipped) - np.log1p(-clipped) + bias


def belief_variance(scale, readers_sd):
    """The stated belief's variance on the logit scale around its centre.

    `scale` is the source's noise times the statement's confidence factor (a logistic
    scale); `readers_sd` the spread of a survey phrase's readers (0 for an interval phrase).
    The logistic noise counts as a normal of the same variance.
    """
    return readers_sd**2 + LOGISTIC_VARIANCE * scale**2

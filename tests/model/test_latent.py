"""Latent events: a first event nobody would see, whose chain is known quiet only through its observed event.

Against closed forms for constant hazards: with the latent event R ~ Exp(a) from the grid's
start and the observed event D = R + Exp(b), P(D > s) = (b e^{-a s} - a e^{-b s}) / (b - a),
and P(R <= t, D > s) is one integral over R's time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from scipy.integrate import quad

from riskline import load_scenario
from riskline.model.compiled import MODELS, batched_function
from riskline.model.encoding import encode, knot_factors, scenario_grid
from riskline.model.timeline import pack_data
from tests.conftest import CONFIGS
from tests.test_forecast import forecast_from

CHAIN = load_scenario(CONFIGS / "good" / "chain-oracle.yaml")  # trigger, then outcome after it
LATENT = replace(
    CHAIN,
    spec=CHAIN.spec.model_copy(
        update={"events": [CHAIN.events[0].model_copy(update={"observed": False}), CHAIN.events[1]]}
    ),
)
A, B = 0.3, 0.5  # the latent event's hazard, and the observed one's after it (per year)
GRID = scenario_grid(LATENT)


def years(when: date) -> float:
    return (when - GRID.edges[0]).days / 365.25


def quiet(s: float) -> float:
    """P(D > s), D = R + Exp(B), R ~ Exp(A)."""
    return (B * np.exp(-A * s) - A * np.exp(-B * s)) / (B - A)


def latent_by(t: float, s: float) -> float:
    """P(R <= t, D > s)."""
    inside = quad(lambda r: A * np.exp(-A * r) * (np.exp(-B * (s - r)) if r < s else 1.0), 0, t, points=[s])[0]
    return inside


def constant_hazards() -> np.ndarray:
    hazard = np.empty((1, 1, 2, GRID.n_bins))
    hazard[..., 0, :], hazard[..., 1, :] = A, B
    return hazard


def at_constant_hazards(scenario, name: str):
    """The model's quantity `name` as a function of the free values, and the point giving hazards A and B.

    Every free value is a standard normal: the walk's are those that put each event's log
    hazard at every knot at its rate's (`knot_factors`: log r + F z at the knots).
    """
    structure, data = encode(scenario)
    compiled = MODELS.get(structure, data)
    point = {var: np.zeros((1, *shape)) for var, shape in compiled.shapes.items()}
    factors = knot_factors(scenario, scenario_grid(scenario), structure.n_knots)
    at_rates = np.log([A, B]) - data["log_base_rate"]
    point["hazard_knot_z"] = np.stack(
        [np.linalg.solve(f, np.full(len(f), x)) for f, x in zip(factors, at_rates, strict=True)]
    )[None]
    function = batched_function(compiled.model, [name], compiled.shapes)
    return (lambda points: function(points, pack_data(data))), point


def test_the_latent_chain_is_found_and_the_loader_accepts_it():
    assert LATENT.latent_chains() == [(0, 1)]
    assert CHAIN.latent_chains() == []
    assert encode(LATENT)[0].latent_chains == ((0, 1),)


@pytest.mark.parametrize("when", [date(2026, 6, 1), date(2027, 6, 1), date(2030, 1, 1)], ids=str)
def test_the_forecast_of_a_latent_chain_is_conditional_on_its_observed_event_only(when):
    forecast = forecast_from(constant_hazards(), LATENT)
    risk = forecast.risk_at([when]).values[0, 0, :, 0]
    s, t = years(LATENT.as_of), years(when)
    # the latent event: P(R <= t | D > s), counting that it may have happened before as_of
    assert risk[0] == pytest.approx(latent_by(t, s) / quiet(s), abs=4e-3)
    # the observed event: P(D <= t | D > s)
    assert risk[1] == pytest.approx(1 - quiet(t) / quiet(s), abs=4e-3)
    assert risk[0] > 0.05  # at as_of already: it may have happened unseen


def test_the_quiet_of_a_latent_chain_is_the_survival_of_its_observed_event():
    survival, point = at_constant_hazards(LATENT, "survival")
    found = float(survival(point)["survival"][0])
    assert found == pytest.approx(np.log(quiet(years(LATENT.as_of))), abs=3e-3)
    # observed, the same chain's quiet is -L(as_of) of its first event
    observed, point = at_constant_hazards(CHAIN, "survival")
    assert float(observed(point)["survival"][0]) == pytest.approx(-A * years(CHAIN.as_of), rel=1e-6)


def test_a_window_on_a_latent_event_counts_what_may_already_have_happened():
    """'By 2027' of a latent event is P(R < 2027) from the grid's start, not given R had not happened when said."""
    windows, point = at_constant_hazards(LATENT, "window_probability")
    q = windows(point)["window_probability"][0]
    index = [e.id for e in LATENT.estimates].index("trigger-unlikely-before-2027")
    end = LATENT.estimates[index].window.end
    assert q[index] == pytest.approx(-np.expm1(-A * years(end)), rel=1e-6)


def three_events(third_observed: bool):
    """The latent chain with a third event after the observed one (C per year after it)."""
    third = CHAIN.events[1].model_copy(
        update={"id": "after", "label": "After the outcome", "after": "outcome", "observed": third_observed}
    )
    return replace(LATENT, spec=LATENT.spec.model_copy(update={"events": [*LATENT.events, third]}))


C = 0.8


def test_what_is_known_follows_the_first_observed_event():
    scenario = three_events(third_observed=False)
    said = {e.id: scenario.what_is_known(e) for e in scenario.events}
    assert said["trigger"].startswith("latent (set); may have happened unseen; that 'outcome' had not happened")
    assert said["outcome"] == "observed; had not happened by as_of: that is evidence (it waits for latent 'trigger')"
    assert said["after"] == (
        "latent (set); waits for 'outcome', and 'outcome' had not happened by as_of: it cannot have either"
    )
    assert [scenario.known_quiet(e) for e in scenario.events] == [False, True, True]


def test_no_observed_event_means_the_forecast_counts_what_may_already_have_happened():
    unseen = replace(
        LATENT,
        spec=LATENT.spec.model_copy(
            update={"events": [e.model_copy(update={"observed": False}) for e in LATENT.events]}
        ),
    )
    assert unseen.latent_chains() == [(0, None)]
    when = date(2028, 1, 1)
    risk = forecast_from(constant_hazards(), unseen).risk_at([when]).values[0, 0, :, 0]
    assert risk[0] == pytest.approx(-np.expm1(-A * years(when)), rel=1e-9)  # from the grid's start, nothing known
    assert risk[1] == pytest.approx(1 - quiet(years(when)), abs=4e-3)


def test_an_event_after_the_observed_one_is_forecast_given_its_quiet():
    """Against simulation: R ~ Exp(A) from the grid's start, D = R + Exp(B), E = D + Exp(C), given D > as_of."""
    scenario = three_events(third_observed=False)
    hazard = np.concatenate([constant_hazards(), np.full((1, 1, 1, GRID.n_bins), C)], axis=2)
    when = [date(2027, 6, 1), date(2030, 1, 1)]
    risk = forecast_from(hazard, scenario).risk_at(when).values[0, 0, 2]
    rng = np.random.default_rng(5)
    r = rng.exponential(1 / A, 2_000_000)
    d = r + rng.exponential(1 / B, r.size)
    e = d + rng.exponential(1 / C, r.size)
    quiet_now = d > years(LATENT.as_of)
    simulated = [np.mean(e[quiet_now] <= years(w)) for w in when]
    np.testing.assert_allclose(risk, simulated, atol=8e-3)  # the chain's half-bin placement, quarterly bins

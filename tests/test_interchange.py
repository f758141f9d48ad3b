"""Forecasting-platform interchange: the run's Metaculus-style date CDFs, and a CDF read back as statements."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from riskline import ConfigError, load_scenario
from riskline.config.platform_cdf import make_cdf
from riskline.forecast import Forecast
from riskline.interchange import platform_cdf

from .conftest import CONFIGS, ROOT

SECONDS_PER_YEAR = 365.25 * 86_400
PRIORS = ROOT / "priors"


def _cdf(out, event):
    return json.loads((out / f"metaculus-{event}.json").read_text())


def test_a_run_writes_one_cdf_per_event_over_as_of_to_the_horizon(seed_run, seed_forecast):
    out, _ = seed_run
    scenario = seed_forecast.scenario
    for event in scenario.events:
        document = _cdf(out, event.id)
        scaling, values = document["question"]["scaling"], np.array(document["forecast"]["continuous_cdf"])
        assert document["question"]["type"] == "date"
        assert len(values) == 201
        assert np.all(np.diff(values) >= 0)
        assert (values[0], scaling["open_lower_bound"]) == (0.0, False)  # nothing before as_of: closed lower bound
        assert scaling["open_upper_bound"] == (values[-1] < 1)
        assert document["above_upper_bound"] == pytest.approx(1 - values[-1])
        ends = [datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() for d in (scenario.as_of, scenario.horizon)]
        assert [scaling["range_min"], scaling["range_max"]] == ends
        instants = [datetime.fromisoformat(x.replace("Z", "+00:00")).timestamp() for x in scaling["continuous_range"]]
        assert np.allclose(np.diff(instants), (ends[1] - ends[0]) / 200)
        # its last value is the timeline's P(event by the horizon), a table computed apart from it
        timeline = pd.read_csv(out / "timeline.csv")
        by_horizon = timeline[(timeline["event"] == event.id) & (timeline["date"] == str(scenario.horizon))]
        assert values[-1] == pytest.approx(by_horizon["p_mean"].item(), abs=2e-6)


def test_the_cdf_is_the_forecasts_probability_by_each_date_from_the_draws(seed_run, seed_forecast):
    """For the root event, P(T <= t | T > as_of) = mean over draws of 1 - exp(-sum of hazard x time in each bin)."""
    out, _ = seed_run
    document = _cdf(out, "ceasefire")
    instants = np.array([datetime.fromisoformat(x.replace("Z", "+00:00")).timestamp()
                         for x in document["question"]["scaling"]["continuous_range"]])  # fmt: skip
    edges = np.array([datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() for d in seed_forecast.grid.edges])
    as_of = datetime.combine(seed_forecast.scenario.as_of, datetime.min.time(), UTC).timestamp()
    # years of each bin between as_of and each instant
    overlap = np.clip(np.minimum(instants[:, None], edges[None, 1:]) - np.maximum(as_of, edges[None, :-1]), 0, None)
    hazard = seed_forecast.hazard.sel(event="ceasefire").stack(sample=("chain", "draw")).transpose("sample", "bin")
    expected = (1 - np.exp(-hazard.values @ (overlap / SECONDS_PER_YEAR).T)).mean(axis=0)
    assert document["forecast"]["continuous_cdf"] == pytest.approx(expected.tolist(), abs=1e-9)


def _scenario_with(tmp_path, platform: str, reliability: str = "forecasting_platform"):
    """tests/configs/good/minimal.yaml with a platform source and `platform` as its platform_forecasts."""
    text = (CONFIGS / "good" / "minimal.yaml").read_text().replace("seed: seeds/", f"seed: {ROOT}/seeds/")
    text = text.replace(
        "estimates:\n",
        f"  - id: platform\n    label: A forecasting platform\n    reliability: {reliability}\nestimates:\n",
    )
    path = tmp_path / "with-platform.yaml"
    path.write_text(text + "platform_forecasts:\n" + platform)
    return path


def _read_off(values, start: date, end: date, when: date) -> float:
    """P(by `when`) from 201 values evenly spaced from `start` to `end`, linear between them."""
    position = (when - start).days / (end - start).days * 200
    return float(np.interp(position, np.arange(201), values))


def test_a_cdf_read_back_yields_statements_with_its_probabilities(seed_run, tmp_path):
    out, _ = seed_run
    path = _scenario_with(
        tmp_path,
        f"""\
  - id: exported
    source: platform
    issued: 2026-01-15
    event: attack
    quote: the seed run's CDF of an attack
    provenance: {{outlet: riskline}}
    cdf: {{file: {out / "metaculus-attack.json"}}}
    read_at: [2027-01-01, 2030-01-01]
""",
    )
    scenario = load_scenario(path, PRIORS)
    read = {e.id: e for e in scenario.estimates if e.spec.source == "platform"}
    assert set(read) == {"exported-by-2027-01-01", "exported-by-2030-01-01"}
    values = _cdf(out, "attack")["forecast"]["continuous_cdf"]
    start, end = date(2025, 12, 11), date(2036, 1, 1)  # the seed's as_of and horizon
    given = _read_off(values, start, end, date(2026, 1, 15))
    for when in (date(2027, 1, 1), date(2030, 1, 1)):
        estimate = read[f"exported-by-{when}"]
        q = (_read_off(values, start, end, when) - given) / (1 - given)
        assert (estimate.probability.low + estimate.probability.high) / 2 == pytest.approx(q, abs=1e-6)
        assert estimate.probability.high - estimate.probability.low == pytest.approx(0.01, abs=1e-6)
        assert (estimate.window.end, estimate.spec.issued) == (when, date(2026, 1, 15))


def test_an_inline_cdf_is_read_at_the_end_of_its_range_by_default(tmp_path):
    values = [0.5 * i / 200 for i in range(201)]  # half the mass spread evenly over the range, half after it
    path = _scenario_with(
        tmp_path,
        f"""\
  - id: inline
    source: platform
    issued: 2025-06-01
    event: attack
    quote: a made-up CDF
    provenance: {{outlet: a test}}
    cdf: {{range: [2026-01-01, 2031-01-01], continuous_cdf: {values}}}
""",
    )
    [estimate] = [e for e in load_scenario(path, PRIORS).estimates if e.spec.source == "platform"]
    assert estimate.id == "inline-by-2031-01-01"
    assert (estimate.probability.low, estimate.probability.high) == pytest.approx((0.495, 0.505))


def _platform_error(tmp_path, cdf: str, read_at: str = "", reliability: str = "forecasting_platform") -> str:
    path = _scenario_with(tmp_path, f"""\
  - id: broken
    source: platform
    issued: 2026-01-15
    event: attack
    quote: a CDF
    provenance: {{outlet: a test}}
    cdf: {cdf}
{read_at}""", reliability)  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load_scenario(path, PRIORS)
    return str(caught.value)


def _file(values: list[float], range_min: object = 1.8e9, kind: str = "date") -> str:
    return json.dumps({"question": {"type": kind, "scaling": {"range_min": range_min, "range_max": 1.9e9}},
                       "forecast": {"continuous_cdf": values}})  # fmt: skip


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON (line 1"),
        ('{"forecast": {"continuous_cdf": []}}', "expected 'question': the question: {type: date, scaling"),
        (_file([0.1] * 200), "continuous_cdf has 200 values; a Metaculus CDF has 201"),
        (_file([0.2] * 100 + [0.1] * 101), "continuous_cdf falls from value 99 to 100 (0.2 > 0.1); a CDF never falls"),
        (_file([0.1] * 201, kind="numeric"), "question.type is 'numeric'; riskline reads date questions only"),
        (
            _file([0.1] * 201, range_min="soon"),
            "question.scaling.range_min must be a unix timestamp or an ISO date such as 2030-01-01, got 'soon'",
        ),
        (_file([0.1] * 201, range_min=2e9), "the range must run forwards, got 2033-05-18 to 2030-03-17"),
    ],
)
def test_a_bad_cdf_file_is_named_with_what_is_wrong(tmp_path, content, expected):
    cdf = tmp_path / "bad.json"
    cdf.write_text(content)
    message = _platform_error(tmp_path, f"{{file: {cdf}}}")
    assert f"with-platform.yaml:47: platform_forecasts[0].cdf: {cdf}: {expected}" in message


def test_a_missing_cdf_file_and_dates_outside_its_range_are_named(tmp_path):
    assert "platform_forecasts[0].cdf: " in _platform_error(tmp_path, f"{{file: {tmp_path / 'nope.json'}}}")
    assert "nope.json: file not found; check the path (relative to the scenario file)" in _platform_error(
        tmp_path, f"{{file: {tmp_path / 'nope.json'}}}"
    )
    inline = f"{{range: [2026-01-01, 2030-01-01], continuous_cdf: {[i / 400 for i in range(201)]}}}"
    message = _platform_error(tmp_path, inline, "    read_at: [2030-06-01]\n")
    assert ("platform_forecasts[0].read_at[0]: 2030-06-01 is not after issued (2026-01-15) and within the CDF's "
            "range (2026-01-01 to 2030-01-01)") in message  # fmt: skip
    message = _platform_error(tmp_path, inline, reliability="media_report")
    assert ("platform_forecasts[0].source: source 'platform' has reliability 'media_report'; a platform forecast's "
            "source has 'forecasting_platform'") in message  # fmt: skip


def test_a_cdf_range_of_the_scenarios_own_opens_the_lower_bound(seed_forecast):
    scenario = seed_forecast.scenario
    spec = scenario.spec.model_copy(update={"cdf_range": (date(2027, 1, 1), date(2031, 1, 1))})
    forecast = Forecast(replace(scenario, spec=spec), seed_forecast.tree)
    cdf = platform_cdf(forecast, "attack")
    assert (cdf.range_min, cdf.range_max) == (datetime(2027, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))
    by = forecast.risk_at([date(2027, 1, 1), date(2031, 1, 1)]).sel(event="attack").mean(("chain", "draw")).values
    assert (cdf.cdf[0], cdf.cdf[-1]) == pytest.approx(tuple(by), abs=1e-12)
    assert cdf.open_lower_bound  # what may happen between as_of and 2027 lies below the range
    assert cdf.below_lower_bound == pytest.approx(by[0])


def test_the_rules_of_the_api_a_cdf_breaks_are_named():
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
    rounding = make_cdf(start, end, [6e-18] + [i / 400 for i in range(1, 201)], None, None)
    assert (rounding.cdf[0], rounding.open_lower_bound, rounding.api_problems()) == (0.0, False, [])
    jump = make_cdf(start, end, [0.0] * 101 + [0.5 + i / 200 for i in range(100)], None, None)
    assert jump.api_problems() == [
        "100 of 200 steps rise less than 5e-05 (the API wants at least 1% of the mass spread evenly within the range)",
        "1 steps rise more than 0.2",
    ]
    certain = make_cdf(start, end, [i / 200 for i in range(201)], None, True)
    assert certain.api_problems() == ["the upper bound is open but only 0 of the mass lies beyond it (at least 0.001)"]

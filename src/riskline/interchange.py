"""A forecast as forecasting platforms exchange it: one Metaculus-style date-question CDF per event.

The question a CDF answers is "when will the event happen?", over the scenario's range (as_of
to the horizon, or its `cdf_range`). Its values are the forecast's P(event by date | nothing in
its chain by as_of), the posterior mean over draws (the predictive probability), at the 201
evenly spaced instants of the range. So nothing lies before as_of (the lower bound is
closed when the range starts there) and the mass above the upper bound is the chance the
event comes later or never (the upper bound is open). `riskline run` writes the file
(`PLATFORM_FILE`); a scenario reads one back as a platform's statements
(riskline.config.scenario, `platform_forecasts`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from riskline.config.platform_cdf import DateCdf, cdf_locations, make_cdf
from riskline.forecast import SAMPLE_DIMS, Forecast

__all__ = ["PLATFORM_FILE", "platform_cdf", "platform_document"]

PLATFORM_FILE = "metaculus-{event}.json"
"""The name of the CDF file a run writes for each event."""


def platform_cdf(forecast: Forecast, event: str) -> DateCdf:
    """The forecast of `event` as a date-question CDF over the scenario's `cdf_range` (default as_of to horizon)."""
    scenario = forecast.scenario
    start, end = scenario.spec.cdf_range or (scenario.as_of, scenario.horizon)
    start_at, end_at = (datetime(d.year, d.month, d.day, tzinfo=UTC) for d in (start, end))
    instants = [x.replace(tzinfo=None) for x in cdf_locations(start_at, end_at)]  # NumPy takes naive date-times (UTC)
    risk = forecast.risk_at(instants).sel(event=event).mean(SAMPLE_DIMS)
    return make_cdf(start_at, end_at, risk.values.tolist(), None, None)


def platform_document(forecast: Forecast, event: str) -> dict:
    """The content of `metaculus-EVENT.json`: the question's range, the CDF, and what it is of."""
    scenario = forecast.scenario
    cdf = platform_cdf(forecast, event)
    document = cdf.to_json()
    document["question"]["title"] = f"When will this happen: {scenario.event(event).label}?"
    document["riskline"] = {
        "format": "Metaculus API date question: question.scaling (range_min and range_max as unix times) and "
        "forecast.continuous_cdf, 201 values of P(event by date) evenly spaced across the range (docs/scenarios.md)",
        "scenario": scenario.name,
        "event": event,
        "as_of": scenario.as_of.isoformat(),
        "values": "P(event by date | nothing in its chain by as_of), the mean over the posterior draws",
        "api_problems": cdf.api_problems(),
    }
    return document

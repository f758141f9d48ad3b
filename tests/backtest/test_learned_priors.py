"""scripts/fit_backtest_priors.py: the learned priors are the judged ones changed by the best setting."""

from __future__ import annotations

import importlib.util

import pandas as pd
from ruamel.yaml import YAML

from riskline.backtest import PriorSetting

from ..conftest import ROOT

SCRIPT = ROOT / "scripts" / "fit_backtest_priors.py"
RECORD = {"questions": 2, "statements": 3, "origins": 3}


def script():
    spec = importlib.util.spec_from_file_location("fit_backtest_priors", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def forecasts(best: str) -> pd.DataFrame:
    """Two questions' forecasts under two settings: `best` nearer the outcomes."""
    rows = []
    for method in ("riskline", "riskline:bias+0.5_noise×1_rate×1"):
        p = 0.8 if method == best else 0.4
        rows += [{"question": q, "method": method, "p": p, "happened": 1} for q in ("a", "b")]
    return pd.DataFrame(rows)


def test_the_best_setting_is_written_from_the_judged_priors():
    fitting = script()
    setting, scores = fitting.best_setting(forecasts("riskline:bias+0.5_noise×1_rate×1"))
    assert setting == PriorSetting(bias_shift=0.5)
    text = (ROOT / "priors" / "sources.yaml").read_text()
    learned = fitting.learned_text(text, setting, scores, RECORD)
    classes = YAML(typ="safe").load(learned)["classes"]
    for name, entry in YAML(typ="safe").load(text)["classes"].items():
        judged = entry.get("judgement", entry)
        assert classes[name]["bias"]["mean"] == judged["bias"]["mean"] + 0.5
        assert classes[name]["noise"]["median"] == judged["noise"]["median"]
        assert classes[name]["judgement"]["bias"] == judged["bias"]
    assert learned.count(fitting.BEGIN) == 1
    assert "every class's mean bias +0.5 logit" in learned
    # written again from its own output: the same file (the judged values are kept)
    assert fitting.learned_text(learned, setting, scores, RECORD) == learned


def test_learning_that_does_not_hold_up_out_of_sample_leaves_the_judged_numbers():
    """A setting best on the whole corpus, but riskline under the settings chosen question by question scores worse."""
    fitting = script()
    table = forecasts("riskline:bias+0.5_noise×1_rate×1")
    worse = table[table["method"] == "riskline"].assign(method="riskline_learned", p=0.2)
    setting, scores = fitting.best_setting(pd.concat([table, worse]))
    assert setting == PriorSetting()
    assert scores["cross-validated"] > scores["judgement"] > scores["bias+0.5_noise×1_rate×1"]
    text = fitting.learned_text((ROOT / "priors" / "sources.yaml").read_text(), setting, scores, RECORD)
    assert "nothing is learned" in text
    assert "does not hold up out of sample: chosen on the other questions, it scores" in text
    better = table[table["method"] == "riskline"].assign(method="riskline_learned", p=0.9)
    assert fitting.best_setting(pd.concat([table, better]))[0] == PriorSetting(bias_shift=0.5)


def test_judgement_winning_leaves_the_judged_numbers():
    fitting = script()
    table = forecasts("riskline")
    learned = table[table["method"] == "riskline"].assign(method="riskline_learned")
    setting, scores = fitting.best_setting(pd.concat([table, learned]))
    assert setting == PriorSetting()
    text = fitting.learned_text((ROOT / "priors" / "sources.yaml").read_text(), setting, scores, RECORD)
    assert "every class's mean bias +0 logit" in text  # judged best outright: not "did not hold up"
    assert "does not hold up" not in text
    setting, scores = fitting.best_setting(forecasts("riskline"))
    text = (ROOT / "priors" / "sources.yaml").read_text()
    classes = YAML(typ="safe").load(fitting.learned_text(text, setting, scores, RECORD))["classes"]
    for entry in classes.values():
        assert entry["bias"] == entry["judgement"]["bias"]
        assert entry["noise"] == entry["judgement"]["noise"]


def test_sources_yaml_is_what_the_recorded_backtest_learns():
    """priors/sources.yaml holds what the script writes from benchmarks/results/ (as --check verifies)."""
    fitting = script()
    setting, scores = fitting.best_setting(pd.read_csv(fitting.DEFAULT_QUESTIONS))
    record = __import__("json").loads(fitting.DEFAULT_RECORD.read_text())
    text = fitting.SOURCES.read_text(encoding="utf-8")
    assert fitting.learned_text(text, setting, scores, record) == text

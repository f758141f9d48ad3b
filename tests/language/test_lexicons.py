"""Every lexicon in priors/lexicons/: loads, is internally consistent, matches its source."""

import importlib.util
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from riskline.language.lexicon import available_lexicons, load_lexicon, normalize_phrase

from ..conftest import ROOT

PRIORS = ROOT / "priors"
DATA = ROOT / "data" / "capphrase"
SCRIPT = ROOT / "scripts" / "fit_capphrase_lexicon.py"
YARDSTICKS = ["uk-phia", "nato", "kent", "ipcc", "efsa", "ddis", "lithuania", "new-zealand"]


def _load_script():
    spec = importlib.util.spec_from_file_location("fit_capphrase_lexicon", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIT = _load_script()


def test_expected_lexicons_exist():
    assert {"icd-203", "capphrase", *YARDSTICKS} <= set(available_lexicons(PRIORS))


@pytest.mark.parametrize("name", available_lexicons(PRIORS))
def test_lexicon_loads_and_names_each_phrase_once(name):
    lexicon = load_lexicon(PRIORS, name)
    assert lexicon.name == name
    phrases = Counter(normalize_phrase(p) for e in lexicon.entries for p in [e.phrase, *e.aliases])
    assert [p for p, n in phrases.items() if n > 1] == []


# Rows typed from the published tables (see the header of each lexicon file).
@pytest.mark.parametrize(
    ("name", "phrase", "low", "high"),
    [
        ("uk-phia", "realistic possibility", 0.40, 0.50),
        ("uk-phia", "remote chance", 0.00, 0.05),
        ("uk-phia", "highly unlikely", 0.10, 0.20),
        ("uk-phia", "probably", 0.55, 0.75),
        ("uk-phia", "almost certain", 0.95, 1.00),
        ("nato", "highly unlikely", 0.00, 0.10),
        ("nato", "even chance", 0.40, 0.60),
        ("nato", "likely", 0.60, 0.90),
        ("kent", "almost certain", 0.87, 0.99),
        ("kent", "probable", 0.63, 0.87),
        ("kent", "chances about even", 0.40, 0.60),
        ("kent", "probably not", 0.20, 0.40),
        ("kent", "almost certainly not", 0.02, 0.12),
        ("kent", "certain", 0.99, 1.00),
        ("kent", "impossible", 0.00, 0.01),
        ("ipcc", "virtually certain", 0.99, 1.00),
        ("ipcc", "likely", 0.66, 1.00),
        ("ipcc", "about as likely as not", 0.33, 0.66),
        ("ipcc", "very unlikely", 0.00, 0.10),
        ("ipcc", "exceptionally unlikely", 0.00, 0.01),
        ("ipcc", "more likely than not", 0.50, 1.00),
        ("efsa", "extremely likely", 0.95, 0.99),
        ("efsa", "likely", 0.66, 0.90),
        ("efsa", "unlikely", 0.10, 0.33),
        ("efsa", "almost impossible", 0.00, 0.01),
        ("ddis", "meget sandsynligt", 0.85, 1.00),
        ("ddis", "very likely", 0.85, 1.00),
        ("ddis", "sandsynligt", 0.60, 0.85),
        ("ddis", "mindre sandsynligt", 0.15, 0.40),
        ("ddis", "unlikely", 0.00, 0.15),
        ("lithuania", "unlikely", 0.00, 0.25),
        ("lithuania", "possible", 0.25, 0.50),
        ("lithuania", "highly likely", 0.75, 1.00),
        ("new-zealand", "almost certain", 0.90, 1.00),
        ("new-zealand", "very likely", 0.75, 0.85),
        ("new-zealand", "highly probable", 0.75, 0.85),
        ("new-zealand", "likely", 0.55, 0.70),
        ("new-zealand", "realistic possibility", 0.25, 0.50),
        ("new-zealand", "unlikely", 0.15, 0.20),
        ("new-zealand", "highly unlikely", 0.00, 0.10),
    ],
)
def test_yardstick_rows_match_published_tables(name, phrase, low, high):
    assert load_lexicon(PRIORS, name).lookup(phrase).range == pytest.approx((low, high))


@pytest.mark.parametrize("name", YARDSTICKS)
def test_yardsticks_carry_the_icd_203_survey_hedges(name):
    icd, lexicon = load_lexicon(PRIORS, "icd-203"), load_lexicon(PRIORS, name)
    for hedge in ["could", "may", "might", "could happen", "may happen", "might happen"]:
        assert lexicon.lookup(hedge).range == icd.lookup(hedge).range
        assert "CAPphrase" in lexicon.lookup(hedge).source


def test_capphrase_lexicon_regenerates_exactly():
    written = (PRIORS / "lexicons" / "capphrase.yaml").read_text()
    assert FIT.render_lexicon(DATA) == written


def test_check_flags_a_stale_lexicon(tmp_path):
    stale = tmp_path / "capphrase.yaml"
    stale.write_text((PRIORS / "lexicons" / "capphrase.yaml").read_text().replace("sigma: ", "sigma: 1", 1))
    with pytest.raises(SystemExit, match="out of date"):
        FIT.main(["--data", str(DATA), "--out", str(stale), "--check"])
    FIT.main(["--data", str(DATA), "--out", str(stale)])
    assert FIT.main(["--data", str(DATA), "--out", str(stale), "--check"]) == 0


def test_fit_term_recovers_a_known_logit_normal_from_rounded_answers():
    rng = np.random.default_rng(20260225)
    answers = np.round(100 * expit(rng.normal(-0.5, 1.0, size=20_000)))
    mu, sigma = FIT.fit_term(answers)
    assert (mu, sigma) == pytest.approx((-0.5, 1.0), abs=0.03)


def _kept_answers(term: str) -> pd.Series:
    """The term's answers after the dataset's 4-SD outlier rule, computed here independently."""
    answers = pd.read_csv(DATA / "absolute_judgements.csv")
    values = answers.loc[answers["term"] == term, "probability"].astype(float)
    return values[(values - values.mean()).abs() <= 4 * values.std()]


@pytest.mark.parametrize(
    ("phrase", "term"), [("could happen", "Could Happen"), ("likely", "Likely"), ("highly unlikely", "Highly Unlikely")]
)
def test_fitted_distribution_agrees_with_the_survey(phrase, term):
    fitted = load_lexicon(PRIORS, "capphrase").lookup(phrase).logit_normal
    kept = _kept_answers(term)
    assert 100 * expit(fitted.mu) == pytest.approx(kept.median(), abs=5)
    assert 100 * fitted.quantile(0.05) == pytest.approx(kept.quantile(0.05), abs=8)
    assert 100 * fitted.quantile(0.95) == pytest.approx(kept.quantile(0.95), abs=8)


@pytest.mark.parametrize(
    ("probability", "words"),
    [
        (0.03, "almost no chance (1–5%, icd-203)"),
        (0.12, "very unlikely (5–20%, icd-203)"),
        (0.30, "unlikely (20–45%, icd-203)"),
        (0.50, "roughly even chance (45–55%, icd-203)"),
        (0.70, "likely (55–80%, icd-203)"),
        (0.90, "very likely (80–95%, icd-203)"),
        (0.97, "almost certain (95–99%, icd-203)"),
        (0.002, "almost no chance (1–5%, icd-203)"),  # below every row: the nearest
    ],
)
def test_words_back_follow_the_icd_203_table(probability, words):
    """ICD 203's published likelihood table; the hedges ('could', 10-70%) are never said back."""
    assert load_lexicon(PRIORS, "icd-203").words_for(probability) == words


def test_a_number_in_a_gap_of_the_uk_yardstick_names_both_neighbours():
    """The PHIA yardstick leaves 35-40% unnamed: 36% is neither 'unlikely' nor 'a realistic possibility'."""
    said = load_lexicon(PRIORS, "uk-phia").words_for(0.36)
    assert said == "between unlikely (25–35%) and realistic possibility (40–50%, uk-phia)"
    assert load_lexicon(PRIORS, "uk-phia").words_for(0.36, ranges=False) == "between unlikely and realistic possibility"


def test_words_back_from_a_survey_lexicon_use_the_nearest_median():
    lexicon = load_lexicon(PRIORS, "capphrase")
    said = lexicon.words_for(0.5)
    phrase = said.split(" (")[0]
    centre = min(lexicon.entries, key=lambda e: abs(e.logit_normal.mu))
    assert phrase == centre.phrase
    assert said.endswith(f"(readers' median {100 * expit(centre.logit_normal.mu):.0f}%, capphrase)")


@pytest.mark.parametrize("name", sorted(available_lexicons(PRIORS)))
def test_every_lexicon_says_every_probability_back(name):
    lexicon = load_lexicon(PRIORS, name)
    for p in np.linspace(0, 1, 101):
        assert lexicon.words_for(float(p)).endswith(f"{name})")

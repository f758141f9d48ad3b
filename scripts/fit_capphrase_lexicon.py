"""Fit the survey lexicon priors/lexicons/capphrase.yaml from the CAPphrase answers.

Each phrase's readings are summarised as logit(p) ~ Normal(mu, sigma), fitted by maximum
likelihood. The lexicon file is generated, never edited by hand, so that every number in it
can be traced to data/capphrase/ and reproduced byte for byte:

    .venv/bin/python scripts/fit_capphrase_lexicon.py           # rewrite the lexicon
    .venv/bin/python scripts/fit_capphrase_lexicon.py --check   # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, log_ndtr, logit, ndtri

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "data" / "capphrase"
DEFAULT_OUT = ROOT / "priors" / "lexicons" / "capphrase.yaml"

OUTLIER_SDS = 4.0
"""The dataset author's rule: drop answers more than 4 SD from their phrase's mean."""

ALIASES = {
    "could happen": ["could"],
    "may happen": ["may"],
    "might happen": ["might"],
    "will happen": ["will"],
}
"""Bare modal verbs stand for the 'X happen' phrases the survey asked about."""

ICD_203_RANGES = {
    "very unlikely": (0.05, 0.20),
    "roughly even chance": (0.45, 0.55),
    "very likely": (0.80, 0.95),
    "cannot be ruled out": (0.01, 0.50),
}
"""ICD 203 phrases (the shipped scenarios' lexicon) the survey did not ask about, with their icd-203.yaml
ranges; each becomes an alias of the survey phrase whose readers' 5th-95th range is nearest (`_alias_lines`)."""


def drop_outliers(answers: np.ndarray) -> np.ndarray:
    """The answers within 4 SD (sample SD, as R's sd()) of their mean: the dataset's own rule.

    It removes misreadings such as "highly unlikely" answered as if it were "highly likely"
    without trimming phrases that people genuinely read in many ways.
    """
    answers = np.asarray(answers, dtype=float)
    mean, sd = answers.mean(), answers.std(ddof=1)
    return answers[np.abs(answers - mean) <= OUTLIER_SDS * sd]


def _log_prob_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a < b, accurate in both tails.

    Upper-tail intervals are mirrored into the lower tail (Phi(b) - Phi(a) = Phi(-a) - Phi(-b)),
    where log_ndtr keeps full relative precision; then log(Phi(b)) + log1p(-Phi(a)/Phi(b)).
    """
    mirror = a > 0
    lo = np.where(mirror, -b, a)
    hi = np.where(mirror, -a, b)
    log_hi, log_lo = log_ndtr(hi), log_ndtr(lo)
    return log_hi + np.log1p(-np.exp(log_lo - log_hi))


def _rounding_bounds(percents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The logit bounds of the interval an answer of k percent was rounded from.

    k stands for p in [(k - 0.5)/100, (k + 0.5)/100] clipped to [0, 1], so 0 and 100 are
    one-sided intervals reaching -inf and +inf on the logit scale, not infinite points.
    """
    low = np.clip((percents - 0.5) / 100, 0.0, 1.0)
    high = np.clip((percents + 0.5) / 100, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        return logit(low), logit(high)


def fit_term(answers) -> tuple[float, float]:
    """Maximum-likelihood (mu, sigma) of logit(p) ~ Normal(mu, sigma) for answers in percent.

    Answers are whole percentages, so each is treated as interval-censored to its rounding
    interval: this handles the many 0, 5 and 100 answers without infinities or an arbitrary
    epsilon. The optimiser works on (mu, log sigma) from a deterministic start (the logit of
    the median, a MAD-based sd of the logits) with Nelder-Mead, so reruns give the same
    digits.
    """
    answers = np.asarray(answers, dtype=float)
    if answers.size < 2 or np.any((answers < 0) | (answers > 100)) or np.any(answers != np.round(answers)):
        raise ValueError("answers must be at least two whole percentages in [0, 100]")
    percents, counts = np.unique(answers, return_counts=True)
    low, high = _rounding_bounds(percents)

    def neg_log_lik(theta: np.ndarray) -> float:
        mu, sigma = theta[0], np.exp(theta[1])
        return -float(np.sum(counts * _log_prob_between((low - mu) / sigma, (high - mu) / sigma)))

    clipped = np.clip(answers / 100, 0.005, 0.995)
    logits = logit(clipped)
    mu0 = float(logit(np.median(clipped)))
    mad = float(np.median(np.abs(logits - np.median(logits))))
    sd0 = 1.4826 * mad if mad > 0 else max(float(np.std(logits)), 0.1)
    result = minimize(
        neg_log_lik,
        x0=np.array([mu0, np.log(sd0)]),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 10_000, "maxfev": 20_000},
    )
    if not result.success:
        raise RuntimeError(f"logit-normal fit did not converge: {result.message}")
    return float(result.x[0]), float(np.exp(result.x[1]))


def _number(value: float, digits: int = 4) -> str:
    """Fixed-decimal text with no negative zero, so the file never changes by formatting."""
    text = f"{value:.{digits}f}"
    return text[1:] if re.fullmatch(r"-0\.0*", text) else text


def _percent(value: float) -> str:
    """A percentile as at most one decimal, '40' rather than '40.0'."""
    return f"{round(float(value), 1):g}"


def _yaml_text(text: str) -> str:
    """A plain YAML scalar when that is safe, otherwise a double-quoted one."""
    if re.fullmatch(r"[a-z][a-z' -]*[a-z]", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _alias_lines(readers: dict[str, tuple[float, float]]) -> list[str]:
    """The `aliases:` block: each ICD 203 phrase the survey lacks, read as the survey phrase nearest to its range.

    `readers` holds each survey phrase's fitted 5th-95th percentiles. Nearest as in every
    lexicon's aliases (docs/language.md): the smaller larger-of-the-two end differences, a tie
    going to the nearer middle.
    """

    def distance(phrase: str, wanted: tuple[float, float]) -> tuple[float, float]:
        (low, high), middle = readers[phrase], (wanted[0] + wanted[1]) / 2
        return round(max(abs(low - wanted[0]), abs(high - wanted[1])), 9), abs((low + high) / 2 - middle)

    def percents(interval: tuple[float, float]) -> str:
        return f"{100 * interval[0]:.0f}–{100 * interval[1]:.0f}%"

    lines = ["aliases:"]
    for phrase, wanted in ICD_203_RANGES.items():
        nearest, following = sorted(readers, key=lambda p: distance(p, wanted))[:2]
        gap, next_gap = (round(100 * distance(p, wanted)[0]) for p in (nearest, following))
        reason = (
            f"ICD 203 {percents(wanted)}; nearest here '{nearest}' readers' 5th–95th {percents(readers[nearest])}, "
            f"ends within {gap} points (next '{following}', {next_gap})"
        )
        lines += [f"  - phrase: {phrase}", f"    to: {nearest}", f'    reason: "{reason}"']
    return lines


def render_lexicon(data_dir: Path) -> str:
    """The full text of capphrase.yaml fitted from `data_dir`, in the order of terms.csv."""
    data_dir = Path(data_dir)
    terms = pd.read_csv(data_dir / "terms.csv")["term"].tolist()
    answers = pd.read_csv(data_dir / "absolute_judgements.csv")
    unknown = sorted(set(answers["term"]) - set(terms))
    if unknown:
        raise ValueError(f"absolute_judgements.csv has terms missing from terms.csv: {unknown}")
    respondents = answers["response_id"].nunique()
    phrases = [term.lower() for term in terms]

    entries, readers = [], {}
    for term, phrase in zip(terms, phrases, strict=True):
        raw = answers.loc[answers["term"] == term, "probability"].to_numpy(dtype=float)
        kept = drop_outliers(raw)
        mu, sigma = fit_term(kept)
        written = float(_number(mu)), float(_number(sigma))  # the 5th-95th range a reader of the file computes
        readers[phrase] = tuple(float(expit(written[0] + written[1] * ndtri(q))) for q in (0.05, 0.95))
        p5, p50, p95 = np.percentile(kept, [5, 50, 95])
        aliases = [a for a in ALIASES.get(phrase, []) if a not in phrases]
        lines = [f"  - phrase: {_yaml_text(phrase)}"]
        if aliases:
            lines.append(f"    aliases: [{', '.join(_yaml_text(a) for a in aliases)}]")
        lines.append(f"    logit_normal: {{mu: {_number(mu)}, sigma: {_number(sigma)}}}")
        lines.append(
            f"    source: \"CAPphrase '{term}': n={kept.size} kept of {raw.size}, "
            f'median {_percent(p50)}%, 5th-95th {_percent(p5)}-{_percent(p95)}%"'
        )
        entries.append("\n".join(lines))

    header = f"""\
# Survey lexicon: how members of the public read {len(terms)} probability phrases, fitted to the
# CAPphrase dataset. GENERATED FILE, do not edit by hand; regenerate with:
#   .venv/bin/python scripts/fit_capphrase_lexicon.py
#
# Data: Kucharski AJ (2026) CAPphrase: Comparative and Absolute Probability phrase dataset.
#   DOI 10.5281/zenodo.18750055. Licence CC-BY 4.0 (copy and attribution in data/capphrase/).
#   absolute_judgements.csv: {respondents} respondents, each giving a number 0-100 for every phrase.
# Outliers: the dataset author's own rule, answers more than 4 standard deviations from their
#   phrase's mean are dropped (this removes e.g. "highly unlikely" read as "highly likely").
# Fit: logit(p) ~ Normal(mu, sigma) per phrase by maximum likelihood, each answer of k% treated
#   as interval-censored to its rounding, p in [(k-0.5)/100, (k+0.5)/100] clipped to [0, 1]
#   (so answers of 0 and 100 need no fudge); scipy Nelder-Mead on (mu, log sigma) from the
#   logit of the median and a MAD-based sd. mu and sigma are rounded to 4 decimals.
# Each entry's source line gives the answers kept and their empirical median and 5th-95th
# percentiles, to compare with the fitted distribution.
# Aliases: ICD 203 phrases the survey did not ask about (the shipped scenarios use icd-203),
# each read as the survey phrase whose fitted readers' 5th-95th range is nearest to ICD 203's
# (the larger of the two end differences; a tie goes to the nearer middle), so a scenario can
# be compared in this lexicon (`riskline compare --lexicons`); docs/language.md.
"""
    body = f"""\
name: capphrase
title: CAPphrase survey readings of {len(terms)} probability phrases (logit-normal fits)
source: >
  Kucharski AJ (2026) CAPphrase: Comparative and Absolute Probability phrase dataset,
  DOI 10.5281/zenodo.18750055, CC-BY 4.0; absolute judgements of {respondents} respondents,
  logit-normal maximum-likelihood fits by scripts/fit_capphrase_lexicon.py.
caveats: >
  Readings by general-public volunteers in an English-language online quiz, not by
  intelligence analysts or the readers of a particular report; the sample is self-selected.
  Each distribution describes how differently people read a phrase, not what a speaker
  meant. Answers heap on multiples of 5 and 10, and a single logit-normal smooths over
  shapes it cannot follow: "about even" and "will happen" are mostly one number (50%,
  100%), "realistic possibility" has clusters either side of a dip at 50%, and the fit to
  "improbable" has a longer upper tail than the answers. Compare each entry's source line
  (the answers) with its fitted percentiles before relying on the tails.
"""
    return header + body + "\n".join([*_alias_lines(readers), "entries:", *entries]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) the lexicon; exit status 1 means it is out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the CAPphrase CSVs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="lexicon file to write")
    parser.add_argument("--check", action="store_true", help="only compare with the file on disk")
    args = parser.parse_args(argv)

    text = render_lexicon(args.data)
    if args.check:
        current = args.out.read_text() if args.out.is_file() else None
        if current != text:
            sys.exit(f"{args.out} is out of date with {args.data}; rerun scripts/fit_capphrase_lexicon.py")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

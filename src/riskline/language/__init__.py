"""Words to numbers: probability phrases, numbers and spans of time."""

from riskline.language.durations import parse_span, span_after
from riskline.language.lexicon import Lexicon, load_lexicon
from riskline.language.probability import StatedProbability, parse_probability

__all__ = ["Lexicon", "StatedProbability", "load_lexicon", "parse_probability", "parse_span", "span_after"]

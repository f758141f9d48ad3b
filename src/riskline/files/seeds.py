"""Seed documents: the source texts in seeds/, Markdown with a YAML front matter.

Format (documented in seeds/README.md)::

    ---
    title: ...
    outlet: El Mundo
    published: 2025-12-03
    language: en
    url: https://...        # optional
    ---
    The text, verbatim.

Quotes in scenarios point into a seed by character offsets into the *whole file* (front
matter included, Python string indices), so `text[start:end]` is the quote exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import Field

from riskline.errors import ConfigError, ConfigIssue, excerpt
from riskline.files.yamlfile import Strict, YamlDocument, parse_yaml, validate

__all__ = ["Seed", "SeedMeta", "check_quote", "read_seed"]


class SeedMeta(Strict):
    """The front matter of a seed document."""

    title: str
    outlet: str
    published: date
    language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code such as 'en'")
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Seed:
    """A seed document: its metadata, its full text, and where the body starts."""

    path: Path
    meta: SeedMeta
    text: str
    body_offset: int

    @property
    def body(self) -> str:
        return self.text[self.body_offset :]


def read_seed(path: Path) -> Seed:
    """Read a seed file; a missing or malformed front matter is a ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(path, None, "", "seed file not found")]) from None
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        raise ConfigError([ConfigIssue(path, 1, "", "expected front matter between two '---' lines at the top")])
    end = text.index("\n---\n", 3)
    data = parse_yaml(text[: end + 1])  # the opening "---" is a YAML document marker
    meta = validate(SeedMeta, YamlDocument(path, data, text))
    return Seed(path, meta, text, end + len("\n---\n"))


def resolve_seed_path(scenario_path: Path, seed: str) -> Path | None:
    """The seed file named in a scenario, looked for beside it and in the folders above."""
    for folder in [scenario_path.resolve().parent, *scenario_path.resolve().parents]:
        try:
            if (folder / seed).is_file():
                return folder / seed
        except OSError:  # a name the file system cannot hold (over 255 characters): not found
            return None
    return None


def check_quote(scenario_path: Path, seed: str, offsets: tuple[int, int], quote: str) -> str | None:
    """None if `quote` sits at `offsets` in the seed; otherwise what is wrong and how to fix it."""
    path = resolve_seed_path(scenario_path, seed)
    if path is None:
        return f"seed file '{excerpt(seed)}' not found beside the scenario or in the folders above it"
    text = read_seed(path).text
    start, end = offsets
    if text[start:end] == quote:
        return None
    found = text.find(quote)
    hint = (
        f"the quote is at offsets [{found}, {found + len(quote)}]"
        if found >= 0
        else "the quote does not occur in the file; copy it verbatim"
    )
    return f"the text at offsets [{start}, {end}] of {seed} is {excerpt(repr(text[start:end]))}, not the quote; {hint}"

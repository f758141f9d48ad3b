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

A *compiled* document (`compiled: true` in the front matter) is a reading list: each
statement comes under a heading with its own date and outlet, and key lines for its URL
and speaker::

    ## 2021-03-09 · USNI News
    url: https://news.usni.org/...
    speaker: Adm. Philip Davidson, commander of US Indo-Pacific Command

    “Taiwan is clearly one of their ambitions before then. ...”

Quotes in scenarios point into a seed by character offsets into the *whole file* (front
matter included, Python string indices), so `text[start:end]` is the quote exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import Field

from riskline.errors import ConfigError, ConfigIssue, excerpt
from riskline.files.yamlfile import Strict, YamlDocument, closest, parse_yaml, validate

__all__ = ["Seed", "SeedEntry", "SeedMeta", "check_quote", "read_seed"]

ENTRY_HEADING = re.compile(r"^## +(?P<date>\S+)(?:[ \t]+[·|—–-][ \t]*|[ \t]+)?(?P<outlet>.*?)[ \t]*$", re.MULTILINE)
"""A compiled document's entry: `## 2021-03-09 · USNI News` (·, |, — or - between date and outlet)."""
ENTRY_KEY = re.compile(r"^(?P<key>[a-z_]+):[ \t]*(?P<value>.*?)[ \t]*$")
ENTRY_KEYS = ("url", "speaker", "note", "paraphrase")
"""The key lines an entry may have under its heading; `url` is required."""


class SeedMeta(Strict):
    """The front matter of a seed document."""

    title: str
    outlet: str
    published: date
    language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code such as 'en'")
    url: str | None = None
    note: str | None = None
    compiled: bool = Field(
        default=False,
        description="true for a reading list: dated entries under '## YYYY-MM-DD · Outlet' headings (seeds/README.md)",
    )


@dataclass(frozen=True)
class SeedEntry:
    """One dated piece of a seed: an entry of a compiled document, or an ordinary document's whole body.

    `start` and `end` are offsets into the whole file of the text the entry holds (its key
    lines excluded); `line` is the line of its heading (of the body's start for a whole body).
    """

    issued: date
    outlet: str
    url: str | None
    speaker: str | None
    note: str | None
    paraphrase: bool
    start: int
    end: int
    line: int
    compiled: bool

    def describe(self) -> str:
        """Where the entry is, in words: 'the entry of 2021-03-09 (line 12)' or 'the document'."""
        return f"the entry of {self.issued} (line {self.line})" if self.compiled else "the document"


@dataclass(frozen=True)
class Seed:
    """A seed document: its metadata, its full text, where the body starts, and its dated entries."""

    path: Path
    meta: SeedMeta
    text: str
    body_offset: int
    entries: tuple[SeedEntry, ...]

    @property
    def body(self) -> str:
        return self.text[self.body_offset :]


def read_seed(path: Path) -> Seed:
    """Read a seed file; a missing or malformed front matter, or a malformed entry, is a ConfigError."""
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
    body = end + len("\n---\n")
    if meta.compiled:
        entries = _entries(path, text, body)
    else:
        whole = SeedEntry(meta.published, meta.outlet, meta.url, None, meta.note, False, body, len(text),
                          text.count("\n", 0, body) + 1, compiled=False)  # fmt: skip
        entries = (whole,)
    return Seed(path, meta, text, body, entries)


def _entries(path: Path, text: str, body: int) -> tuple[SeedEntry, ...]:
    """The entries of a compiled document; every malformed heading or key line is reported at once."""
    headings = list(ENTRY_HEADING.finditer(text, body))
    if not headings:
        message = "a compiled document (compiled: true) holds entries under headings like '## 2021-03-09 · USNI News'"
        raise ConfigError([ConfigIssue(path, text.count("\n", 0, body) + 1, "", f"no entry found; {message}")])
    issues: list[ConfigIssue] = []
    entries = []
    for number, heading in enumerate(headings):
        stop = headings[number + 1].start() if number + 1 < len(headings) else len(text)
        entry = _entry(path, text, heading, stop, issues)
        if entry is not None:
            entries.append(entry)
    if issues:
        raise ConfigError(issues)
    return tuple(entries)


def _entry(path: Path, text: str, heading: re.Match, stop: int, issues: list[ConfigIssue]) -> SeedEntry | None:
    """One entry from its heading to `stop`; None (and issues) when it is malformed."""
    line = text.count("\n", 0, heading.start()) + 1
    before = len(issues)
    try:
        issued = date.fromisoformat(heading["date"])
    except ValueError:
        issues.append(ConfigIssue(path, line, "entry", f"expected a date like 2021-03-09 after '## ', got "
                                                       f"{excerpt(heading['date'], 40)!r}"))  # fmt: skip
        issued = None
    if not heading["outlet"]:
        message = "give the outlet after the date, e.g. '## 2021-03-09 · USNI News'"
        issues.append(ConfigIssue(path, line, "entry", message))
    keys, cursor = {}, heading.end() + 1
    while cursor < stop:
        line_end = text.find("\n", cursor, stop)
        line_end = stop if line_end < 0 else line_end
        found = ENTRY_KEY.match(text[cursor:line_end])
        if found is None:
            break
        key_line = text.count("\n", 0, cursor) + 1
        if found["key"] not in ENTRY_KEYS:
            hint = closest(found["key"], ENTRY_KEYS)
            issues.append(ConfigIssue(path, key_line, found["key"], f"unknown key in an entry; {hint}"))
        elif found["key"] == "paraphrase" and found["value"] not in ("true", "false"):
            issues.append(ConfigIssue(path, key_line, "paraphrase", f"expected true or false, got {found['value']!r}"))
        else:
            keys[found["key"]] = found["value"]
        cursor = line_end + 1
    if not keys.get("url"):
        issues.append(ConfigIssue(path, line, "url", "every entry needs 'url: ...' under its heading, the page the "
                                                     "quote was read on"))  # fmt: skip
    start, end = cursor, stop
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        issues.append(ConfigIssue(path, line, "entry", "the entry has no text: put the quote below its key lines"))
    if len(issues) > before or issued is None:  # a missing date is among the issues
        return None
    return SeedEntry(issued, heading["outlet"], keys["url"], keys.get("speaker") or None, keys.get("note") or None,
                     keys.get("paraphrase") == "true", start, end, line, compiled=True)  # fmt: skip


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

"""A scenario skeleton from seed documents: `riskline new SEED... --name NAME`.

Every candidate statement `extract` finds becomes an estimate with its quote, offsets,
issue date, window and probability; its speaker becomes a source with a reliability class
suggested from the speaker's title; the statements' words suggest one event per kind
(occurrence, capability). What only the analyst can decide is written as "TODO: ...":
the question and its resolution, each event's base rate, a probability the lexicon cannot
read. `riskline check` lists every TODO with its line and the valid choices, and refuses
to run the scenario until none is left. The file is never written over without `force`,
and is written whole or not at all.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from riskline.config.schema import ID_PATTERN
from riskline.config.todos import find_todos
from riskline.errors import ConfigError, ConfigIssue, OutputError
from riskline.files.seeds import Seed
from riskline.files.yamlfile import YamlDocument, parse_yaml
from riskline.language.extract import Candidate, Extraction, dropped_comments, estimate_yaml, extract, window_slug
from riskline.language.statements import Reader

__all__ = ["RELIABILITY_HINTS", "Skeleton", "scenario_skeleton", "seed_path_for", "suggest_reliability", "write_new"]

AGENCIES = r"(?:CIA|intelligence|security service|National Security Bureau|NSB|BND|MI6|DGSE|Mossad|FSB|SVR)"
HEADS = r"(?:director|director-general|head|chief)"
NOT_A_RANK = r"(?<!Secretary )(?<!Secretary-)(?<!Director-)(?<!Director )(?<!Attorney )(?<!Inspector )"
"""'General' in a Secretary General's or a Director-General's title is not a military rank."""
RELIABILITY_HINTS: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in [
        (r"\b(?:retired|former|professor|analyst|researcher|think[- ]tank|fellow)\b", "independent_expert"),
        (r"\b(?:Adm|Gen|Lt|Col|Maj|Cmdr|Admiral|" + NOT_A_RANK + r"General|commander|chief of staff"
         r"|chief of naval operations|joint chiefs|chief of defen[cs]e)\b", "military_commander"),
        (rf"\b{HEADS}\b.*\b{AGENCIES}\b|\b{AGENCIES}\b.*\b{HEADS}\b|\bspy chief\b", "intelligence_chief"),
        (rf"\b{AGENCIES}\b", "intelligence_service"),
        (r"\b(?:NATO|European Union|EU|European Commission|alliance)\b", "alliance_official"),
        (r"\b(?:Senator|Sen|Rep|Representative|Congressman|Congresswoman|lawmaker|member of parliament|MP)\b",
         "legislator"),
        (r"\b(?:President|Prime Minister|Minister|Secretary|Chancellor|spokes(?:person|man|woman)|official"
         r"|government|ministry|Department of|Pentagon|White House)\b", "government_official"),
        (r"\b(?:reports?|media|newspaper)\b", "media_report"),
    ]
)  # fmt: skip
"""Words in a speaker's name or title that suggest a class of priors/sources.yaml, first match wins.

A suggestion only: the skeleton says which words it followed, and the analyst checks it
against the class descriptions (a former official speaking for themselves is an
independent expert, so "former" is looked at first)."""

RELAYED = re.compile(r"\brelay(?:s|ed|ing)?\b|\bas told by\b", re.IGNORECASE)
"""A speaker line that names someone else's words: no class is suggested for it."""
TITLES = re.compile(r"^(?:(?:Adm|Gen|Lt|Col|Maj|Cmdr|Dr|Mr|Mrs|Ms|Sen|Rep|Prof)\.?\s+)+")
EVENT_WORDS = {"attack": r"attack\w*", "invasion": r"invad\w*|invasions?", "war": r"wars?|fight\w*|conflicts?",
               "strike": r"strikes?", "blockade": r"blockade\w*",
               "ceasefire": r"cease-?fires?|truces?|armistices?"}  # fmt: skip
"""The id the skeleton gives an occurrence event, and the words in the quotes that suggest it."""
HORIZON_YEARS = 5
"""The skeleton's horizon: the end of the year five years past the last window's end (or as_of), so that the
far years show what the base rates make of them (docs/scenarios.md, riskline new)."""


@dataclass(frozen=True)
class Skeleton:
    """A scenario skeleton's text, and what the analyst should know about it."""

    text: str
    estimates: int
    sources: int
    events: int
    todos: int
    guesses: list[str]
    dropped: int


def suggest_reliability(speaker: str) -> tuple[str, str] | None:
    """(class, the words followed) for a speaker's name and title, or None when no word suggests one.

    None too for words relayed by someone else ("Xi Jinping, as relayed by a senior US
    official"): whose statement it is, and so its class, is the analyst's call.
    """
    if RELAYED.search(speaker):
        return None
    for pattern, name in RELIABILITY_HINTS:
        match = pattern.search(speaker)
        if match:
            return name, match[0]
    return None


def scenario_skeleton(seeds: list[tuple[Seed, str]], reader: Reader, name: str, as_of: date) -> Skeleton:
    """The skeleton of scenario `name` from seeds given as (seed, its path as the scenario names it)."""
    if not re.match(ID_PATTERN, name):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "my-scenario"
        raise ConfigError([ConfigIssue(None, None, "--name", f"expected lowercase letters, digits, '-' and '_' "
                                                             f"(e.g. {suggestion!r}), got {name!r}")])  # fmt: skip
    read = [(extract(seed, reader), path) for seed, path in seeds]
    candidates = [(c, path) for extraction, path in read for c in extraction.candidates]
    if not candidates:
        raise ConfigError([ConfigIssue(None, None, "SEED", "no candidate statement found (no time expression read "
                                                           "in any entry); `riskline extract SEED` lists what was "
                                                           "read and why it was dropped")])  # fmt: skip
    candidates.sort(key=lambda item: (item[0].issued, item[0].offsets[0]))
    events = _events([c for c, _ in candidates])
    sources, guesses = _sources([c for c, _ in candidates])
    lines = _header(read, as_of, candidates, name, reader.lexicon.name)
    lines += ["", "events:"]
    for kind, (event_id, words) in events.items():
        said = ", ".join(f"'{w}'" for w in words) or "no word of armed conflict"
        lines += [f"  - id: {event_id}",
                  f"    label: {json.dumps(f'TODO: what happens, in a few words (the statements say {said})')}",
                  f"    kind: {kind}",
                  '    base_rate: "TODO: the base rate its hazard prior is centred on"',
                  '    resolution: "TODO: what counts as this event and what does not"']  # fmt: skip
        guesses.append(f"event '{event_id}' ({kind}) from the statements' words: {said}")
    if len(events) == 2:
        ready, then = events["capability"][0], events["occurrence"][0]
        lines += ["  # Both kinds were found: if the occurrence can only follow the capability, add",
                  f"  # `after: {ready}` to '{then}' (docs/model.md, event chains)."]  # fmt: skip
    lines += ["", "sources:"]
    for speaker, (source_id, reliability) in sources.items():
        lines += [f"  - id: {source_id}", f"    label: {json.dumps(speaker, ensure_ascii=False)}"]
        lines.append(f"    reliability: {reliability[0]}  # {reliability[1]}" if reliability[0]
                     else f"    reliability: {json.dumps(reliability[1])}")  # fmt: skip
    lines += ["", "estimates:"]
    ids: Counter[str] = Counter()
    for candidate, path in candidates:
        source_id = sources[candidate.source][0] if candidate.source else "TODO: name the source of this quote"
        estimate_id = _unique(ids, f"{source_id if candidate.source else 'unknown'}-{window_slug(candidate)}")
        lines.append(f"  # score {candidate.score:.2f}; " + "; ".join(candidate.reasons[1:]))
        lines.extend(estimate_yaml(candidate, path, estimate_id, source_id, events[candidate.kind][0]))
    for extraction, _ in read:
        lines.extend(dropped_comments(extraction.dropped))
    text = "\n".join(lines) + "\n"
    todos = len(find_todos(YamlDocument(Path(f"{name}.yaml"), parse_yaml(text), text)))
    return Skeleton(text, len(candidates), len(sources), len(events), todos, guesses,
                    sum(len(e.dropped) for e, _ in read))  # fmt: skip


def _header(read: list[tuple[Extraction, str]], as_of: date, candidates, name: str, lexicon: str) -> list[str]:
    ends = [c.window.end_latest or c.window.end for c, _ in candidates if c.window and c.window.relative_to is None]
    later = max([as_of, *(e for e in ends if e is not None)])
    horizon = date(later.year + 1 + HORIZON_YEARS, 1, 1)
    made = [f"#   {path}: {len(e.candidates)} candidate(s), {len(e.dropped)} read but not proposed (listed at the end)"
            for e, path in read]  # fmt: skip
    return [
        "# Scenario skeleton written by `riskline new` from:",
        *made,
        '# Every "TODO: ..." is a decision left to you: `riskline check` lists each one with its line and the',
        "# valid choices, and the scenario runs once none is left. Guessed, to check: the events (from the",
        "# statements' words) and each source's reliability class (from its title). Every candidate is here:",
        "# delete those that are not estimates. Window and probability are read as `riskline parse` reads them.",
        f"name: {name}",
        '''title: "TODO: a short title, e.g. 'Chinese armed attack on Taiwan'"''',
        '''question: "TODO: the question, e.g. 'When, if ever, will China attack Taiwan?'"''',
        '''resolution: "TODO: what resolves the question: what counts, what does not, and who would report it"''',
        f"as_of: {as_of.isoformat()}  # the forecast's date: nothing has happened by then",
        f"horizon: {horizon.isoformat()}  # the end of the year {HORIZON_YEARS} years past the last window's end",
        "grid: quarter",
        f"lexicon: {lexicon}",
    ]


def _events(candidates: list[Candidate]) -> dict[str, tuple[str, list[str]]]:
    """One event per kind the statements have: {kind: (id, the words that suggested it)}, capability first."""
    events = {}
    for kind, fallback in (("capability", "ready"), ("occurrence", "event")):
        counts: Counter[str] = Counter()
        words: list[str] = []
        for c in candidates:
            if c.kind != kind:
                continue
            for word in re.findall(r"[a-z]+(?:-[a-z]+)*", c.quote.lower()):
                event_id = next((e for e, pattern in EVENT_WORDS.items() if re.fullmatch(pattern, word)), None)
                if event_id is not None:
                    counts[event_id] += 1
                    if word not in words:
                        words.append(word)
        if any(c.kind == kind for c in candidates):
            top = counts.most_common(1)[0][0] if counts and kind == "occurrence" else fallback
            events[kind] = (top, words)
    return events


def _sources(candidates: list[Candidate]) -> tuple[dict[str, tuple[str, tuple[str | None, str]]], list[str]]:
    """{speaker: (id, (class or None, comment or TODO))} for every named source, and the guesses made."""
    sources: dict[str, tuple[str, tuple[str | None, str]]] = {}
    guesses: list[str] = []
    ids: Counter[str] = Counter()
    for c in candidates:
        if c.source is None or c.source in sources:
            continue
        name = TITLES.sub("", c.source.split(",")[0]).strip()
        source_id = _unique(ids, _words(name) or "source")
        suggested = suggest_reliability(c.source)
        reliability: tuple[str | None, str]
        if suggested is None:
            reliability = (None, "TODO: a class of priors/sources.yaml for this source")
        else:
            reliability = (suggested[0], f"suggested from '{suggested[1]}': check the class's description")
            guesses.append(f"source '{source_id}': {suggested[0]}, from '{suggested[1]}'")
        sources[c.source] = (source_id, reliability)
    return sources, guesses


def _words(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6])


def _unique(seen: Counter, base: str) -> str:
    seen[base] += 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def seed_path_for(seed: Path, scenario: Path) -> str:
    """How the scenario names the seed: relative to the nearest folder above the scenario that holds it.

    `riskline check` looks for it beside the scenario and in the folders above (config.seeds).
    """
    seed = seed.resolve()
    for folder in [scenario.resolve().parent, *scenario.resolve().parents]:
        if seed.is_relative_to(folder) and folder != Path(folder.anchor):  # none but the root: the absolute path
            return seed.relative_to(folder).as_posix()
    return seed.as_posix()


def write_new(path: Path, text: str, force: bool) -> None:
    """Write `text` to `path` whole or not at all; an existing file is kept unless `force`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not force:
        raise OutputError(f"{path} exists; riskline new never writes over a file: choose another --out, or pass "
                          "--force to replace it")  # fmt: skip
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        if force:
            os.replace(staging, path)
        else:
            os.link(staging, path)  # fails if the file appeared meanwhile: never written over
    except FileExistsError:
        raise OutputError(f"{path} appeared while writing; nothing was written over") from None
    finally:
        if os.path.exists(staging):
            os.unlink(staging)

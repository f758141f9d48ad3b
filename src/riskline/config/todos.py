"""Placeholders left for the analyst: a value that starts with "TODO" is reported, never read.

`riskline new` writes a scenario skeleton with "TODO: ..." wherever a decision is the
analyst's (the question, an event's base rate, a probability the lexicon cannot read).
Loading such a file reports each placeholder with its line, what it asks and the valid
choices, instead of reading "TODO" as a name or a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from riskline.errors import ConfigIssue
from riskline.files.yamlfile import YamlDocument, closest

__all__ = ["Choices", "find_todos", "todo_issues", "without_todo_fields"]

TODO = re.compile(r"^\s*TODO\b")
"""A placeholder: a text value that starts with the word TODO, in capitals."""

Choices = Mapping[str, Sequence[str]]
"""Valid values by field name ('base_rate', 'reliability', 'event', 'source', 'after')."""

WHAT = {
    "base_rate": "choose an entry of priors/base-rates.yaml (`riskline check` then shows what it implies)",
    "reliability": "choose a class of priors/sources.yaml (its description says whom it fits)",
    "event": "name an event of this scenario",
    "after": "name the event of this scenario that starts the window's clock",
    "source": "name a source of this scenario",
    "probability": "give a phrase of lexicon '{lexicon}' (`riskline lexicon {lexicon}` lists them), a number "
    "('30%') or an interval [0.2, 0.4]",
    "expression": "give the window in words ('within two years'), or as dates (docs/scenarios.md, window)",
    "issued": "give the date as YYYY-MM-DD: the window in words is read from it",
    "title": "write it in words",
    "question": "write it in words",
    "resolution": "write it in words",
    "label": "write it in words",
}
"""What each placeholder asks for, by field name; others ask for their value."""


def find_todos(doc: YamlDocument) -> list[tuple[list[str | int], str]]:
    """Every placeholder in the file: (its field path, its text), in file order."""
    found: list[tuple[list[str | int], str]] = []

    def walk(node, loc: list[str | int]) -> None:
        if isinstance(node, CommentedMap):
            for key, value in node.items():
                walk(value, [*loc, key])
        elif isinstance(node, CommentedSeq):
            for index, value in enumerate(node):
                walk(value, [*loc, index])
        elif isinstance(node, str) and TODO.match(node):
            found.append((loc, node.strip()))

    walk(doc.data, [])
    return found


def todo_issues(doc: YamlDocument, todos: list[tuple[list[str | int], str]], choices: Choices) -> list[ConfigIssue]:
    """One issue per placeholder: its own text, then what it asks for and the valid choices where known."""
    issues = []
    lexicon = doc.data.get("lexicon", "NAME")
    for loc, text in todos:
        name = next((key for key in reversed(loc) if isinstance(key, str)), "")
        asks = WHAT.get(name, "write the value in place of the TODO").format(lexicon=lexicon)
        known = choices.get(name)
        hint = f"{asks}; {closest('', known)}" if known else asks  # nothing is close to '': the list
        issues.append(doc.issue(loc, f"{text} ({hint})"))
    return issues


def without_todo_fields(issues: list[ConfigIssue], todos: list[ConfigIssue]) -> list[ConfigIssue]:
    """Every issue once, by line: those about a placeholder's field are said by the placeholder's."""
    fields = {t.field for t in todos}
    merged = todos + [i for i in issues if i.field not in fields]
    return sorted(merged, key=lambda i: i.line if i.line is not None else 0)

"""Read YAML keeping line numbers, and validate it against a `Strict` model so that every error names file:line.

ruamel.yaml's round-trip loader remembers where each key and item sits; pydantic reports
*which* field failed as a path. Joining the two gives errors an analyst can act on.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from riskline.errors import ConfigError, ConfigIssue, excerpt

__all__ = ["MAX_BYTES", "Strict", "YamlDocument", "closest", "parse_yaml", "read_yaml", "validate"]

Location = Sequence[str | int]
CHOICES_SHOWN = 30
"""At most this many valid choices are listed in a message."""
MAX_DEPTH = 40
"""The deepest nesting read: a scenario needs five or six levels."""
MAX_BYTES = 1_000_000
"""The largest scenario or prior file read: a thousand statements take about 400 KB."""


class Strict(BaseModel):
    """Base of every model of a file an analyst edits: unknown fields are errors, values immutable, numbers finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _DatesAsText(RoundTripConstructor):
    """Leave dates as text so pydantic parses them: 2026-13-45 then gets a field error."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def parse_yaml(text: str):
    """Round-trip parse (keeps line numbers) with dates left as text."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _DatesAsText
    return yaml.load(text)


class YamlDocument:
    """A parsed YAML file that can say on which line any field path sits."""

    def __init__(self, path: Path, data: Any, text: str):
        self.path = path
        self.data = data
        self.text = text

    def line_of(self, loc: Location) -> int | None:
        """1-based line of the deepest node of `loc` that exists in the file (a top-level field missing: the first)."""
        node, line = self.data, None
        if isinstance(node, CommentedMap) and node:
            line = node.lc.key(next(iter(node)))[0] + 1
        for key in loc:
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        return line

    def issue(self, loc: Location, message: str) -> ConfigIssue:
        return ConfigIssue(self.path, self.line_of(loc), field_name(loc), message)


def field_name(loc: Location) -> str:
    """`('estimates', 2, 'window', 'end')` -> `estimates[2].window.end`."""
    name = ""
    for key in loc:
        name += f"[{key}]" if isinstance(key, int) else (f".{key}" if name else str(key))
    return name


def closest(word: str, choices: Sequence[str]) -> str:
    """A 'did you mean' hint, or the list of valid choices when nothing is close."""
    near = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if near:
        return "did you mean " + " or ".join(f"'{excerpt(n, 60)}'" for n in near) + "?"
    shown = sorted(choices)[:CHOICES_SHOWN]
    more = f" and {len(choices) - len(shown)} more" if len(choices) > len(shown) else ""
    return "valid choices: " + ", ".join(f"'{excerpt(c, 60)}'" for c in shown) + more


def read_yaml(path: Path, text: str | None = None) -> YamlDocument:
    """Parse `path` (or `text`, a copy of it kept elsewhere); a missing file or broken YAML becomes a ConfigError."""
    path = Path(path)
    if text is None:
        text = _read_text(path)
    if problem := _too_deep(text):
        raise ConfigError([ConfigIssue(path, problem[0], "", problem[1])])
    try:
        data = parse_yaml(text)
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError([ConfigIssue(path, line, "", f"not valid YAML: {excerpt(exc.problem)}")]) from None
    except YAMLError as exc:  # ruamel's reader: control characters and the like
        raise ConfigError([ConfigIssue(path, _line(exc), "", f"not valid YAML: {excerpt(exc)}")]) from None
    except RecursionError:
        message = "nested too deeply to read; a scenario needs a few levels only"
        raise ConfigError([ConfigIssue(path, None, "", message)]) from None
    except Exception as exc:  # the YAML library's own failures on odd input: `!!int abc`, `!!set x`
        message = (f"not valid YAML: the YAML reader failed ({excerpt(exc)}); look for a tag (!!...) or an anchor "
                   "(&..., *...) on a field that cannot hold it")  # fmt: skip
        raise ConfigError([ConfigIssue(path, None, "", message)]) from None
    if not isinstance(data, CommentedMap):
        raise ConfigError([ConfigIssue(path, 1, "", "expected a mapping of fields at the top level")])
    return YamlDocument(path, data, text)


def _read_text(path: Path) -> str:
    """The file's text; a missing, oversized, unreadable or non-UTF-8 file is a ConfigError."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError([ConfigIssue(path, None, "", f"file is larger than {MAX_BYTES // 1_000_000} MB; "
                                                           "split it into several scenarios")])  # fmt: skip
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(path, None, "", "file not found; check the path")]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte {exc.object[exc.start]:#04x}); save the file as UTF-8"
        raise ConfigError([ConfigIssue(path, line, "", message)]) from None
    except OSError as exc:
        raise ConfigError([ConfigIssue(path, None, "", f"cannot read file ({exc.strerror})")]) from None


def _too_deep(text: str) -> tuple[int, str] | None:
    """(line, message) where the text nests deeper than a scenario ever needs, before the parser recurses into it.

    Brackets and braces are counted outside quotes only roughly (a quoted bracket counts too),
    which errs on the safe side far below the limit.
    """
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) - len(line.lstrip(" ")) > 2 * MAX_DEPTH:
            return number, f"indented more than {2 * MAX_DEPTH} spaces; a scenario needs a few levels only"
        for char in line:
            depth += (char in "[{") - (char in "]}")
            if depth > MAX_DEPTH:
                return number, f"nested more than {MAX_DEPTH} brackets deep; a scenario needs a few levels only"
    return None


def _line(exc: Exception) -> int | None:
    """The 1-based line a ruamel error points at, if it says."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def validate[M: BaseModel](model: type[M], doc: YamlDocument) -> M:
    """Validate `doc` against a pydantic model, turning each error into a ConfigIssue (one per field)."""
    try:
        return model.model_validate(doc.data)
    except RecursionError:
        raise ConfigError([ConfigIssue(doc.path, None, "", "nested too deeply to read")]) from None
    except ValidationError as exc:
        issues, seen = [], set()
        for err in exc.errors():
            loc = _location(err["loc"])
            if tuple(loc) not in seen:  # a field of several types fails once per type: say it once
                seen.add(tuple(loc))
                issues.append(doc.issue(loc, _message(model, loc, err)))
        raise ConfigError(issues) from None


def _location(raw: Location) -> list[str | int]:
    """The field an error is about: pydantic's path, cut where it names a member type of a union."""
    loc: list[str | int] = []
    for part in raw:
        if _is_union_tag(part):
            break
        loc.append(part)
    return loc


def _message(model: type[BaseModel], loc: list, err: ErrorDetails) -> str:
    """What is wrong, in words: the field's own description of what it takes where it has one."""
    given = _Shown(err.get("input"))
    if err["type"] == "extra_forbidden":
        return f"unknown field '{loc[-1]}'; " + closest(str(loc[-1]), _fields_at(model, loc[:-1]))
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"].startswith("date"):
        return f"expected a date like 2025-12-03, got {given!r}"
    if err["type"] == "value_error":
        return str(err["ctx"]["error"])
    if err["type"] == "literal_error":
        return f"{err['msg']}, got {given!r}"
    if err["type"] == "string_pattern_mismatch":
        suggestion = excerpt("-".join(str(given.value).lower().split()))
        return f"expected lowercase letters, digits, '-' and '_' (e.g. {suggestion!r}), got {given!r}"
    field = _field_at(model, loc)
    if field is not None and field.description:
        return f"expected {field.description}, got {given!r}"
    return f"{err['msg']}, got {given!r}"


class _Shown:
    """A value as a message shows it: its repr, at most 80 characters."""

    def __init__(self, value: Any):
        self.value = value
        try:
            self.text = excerpt(repr(value))
        except RecursionError:
            self.text = "(a value nested too deeply to show)"

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _field_at(model: type[BaseModel], loc: Location) -> Any:
    """The pydantic FieldInfo at `loc` (None if `loc` does not end at a field)."""
    if not loc or not isinstance(loc[-1], str):
        return None
    holder = _model_at(model, loc[:-1])
    return holder.model_fields.get(loc[-1]) if holder is not None else None


def _is_union_tag(part: str | int) -> bool:
    """Pydantic adds the member type's name to the path of union errors; drop it."""
    return isinstance(part, str) and ("[" in part or part in {"str", "float", "int", "date", "list", "tuple"})


def _fields_at(model: type[BaseModel], loc: Location) -> list[str]:
    """Field names of the (nested) pydantic model that sits at `loc`."""
    holder = _model_at(model, loc)
    return list(holder.model_fields) if holder is not None else []


def _model_at(model: type[BaseModel], loc: Location) -> type[BaseModel] | None:
    """The (nested) pydantic model that sits at `loc`, list indices skipped; None if none does."""
    current: Any = model
    for key in loc:
        if isinstance(key, int):
            continue
        field = current.model_fields.get(key) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if field is None:
            return None
        current = _model_in(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside `list[X]`, `X | None`, `dict[str, X]` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None

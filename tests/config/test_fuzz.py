"""Fuzzing `riskline check`: a mutated scenario file gives ok (0) or a clear error (2), never a traceback.

Mutations of the good configs: a line deleted or doubled, a value replaced by an extreme or
ill-typed one (huge spans, far dates, NaN, YAML tags, control characters, long text), bytes
that are not UTF-8. `FUZZ` (tests/conftest.py) sets how many; `make fuzz` runs the long
profile. A failure found here becomes a file in tests/configs/bad/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskline.cli import main
from tests.conftest import CONFIGS, FUZZ, ROOT

GOOD = [
    CONFIGS / "good" / "minimal.yaml",
    CONFIGS / "good" / "chain-oracle.yaml",
    ROOT / "scenarios" / "russia-nato-attack.yaml",
]
VALUES = [
    "99999 years", "within 9999999 days", "9999-12-31", "0001-01-01", "1900-01-01", ".nan", ".inf", "-.inf", "1e309",
    "-1", "0", "1e-9", "!!set x", "!!omap []", "!!int abc", "!!binary zz", "[0.5, .inf]", "{}", "[]", "null", "~",
    "'\x00'", "\x07", "x" * 5000, "&a [*a]", "{after: ceasefire, within: 99999 years}", "[" * 60 + "]" * 60,
    "2026-02-30", "likely likely likely", "1" * 400, "🙂", "'", '"', "|", ">", "- - -",
    "{expression: within 99999 years}", "{within: 9999999 days}", "{end: 9999-12-31}",
    "{start: 0001-01-01, end: 9999-01-01}",
    "{expression: roughly 7974 years}", "999%", "1e400%", "[0, 1e309]", "{after: attack, within: 99999 years}",
    "{mean: .nan, sd: 1}", "{median: 1e-300, log_sd: 1e300}", "[1e-300, 1e300]", "[" * 2000 + "]" * 2000,
    "&a [&b [*a, *a], *b, *b]",
]  # fmt: skip
LINE_LIMIT = 2_000
"""Every problem's line quotes at most an excerpt of the file (a list of valid choices may be long)."""


@st.composite
def mutants(draw) -> bytes:
    text = draw(st.sampled_from(GOOD)).read_text(encoding="utf-8")
    lines = text.splitlines()
    what = draw(st.sampled_from(["delete", "double", "value", "value", "value", "bytes"]))
    i = draw(st.integers(0, len(lines) - 1))
    if what == "delete":
        del lines[i]
    elif what == "double":
        lines.insert(i, lines[i])
    elif what == "value":
        line = lines[i]
        key = re.match(r"^(\s*-?\s*[\w-]+:)", line)
        lines[i] = (key.group(1) if key else line.rstrip() + " ") + " " + draw(st.sampled_from(VALUES))
    else:
        start = len("\n".join(lines[:i]).encode())
        data = "\n".join(lines).encode()
        return data[:start] + draw(st.binary(min_size=1, max_size=4)) + data[start:]
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A folder like the project's: priors/ and seeds/ beside the scenario, as `check` looks for them."""
    folder = tmp_path_factory.mktemp("fuzz")
    for name in ("priors", "seeds"):
        (folder / name).symlink_to(ROOT / name, target_is_directory=True)
    return folder


@FUZZ
@given(mutant=mutants())
def test_a_mutated_scenario_gets_ok_or_a_clear_error(mutant, project, capsys):
    path = project / "scenario.yaml"
    path.write_bytes(mutant)
    code = main(["check", str(path), "--no-priors"])
    said = capsys.readouterr()
    assert code in (0, 2), said.err
    if code == 2:
        assert said.err.startswith("error: ")
        assert max(len(line) for line in said.err.splitlines()) < LINE_LIMIT


def test_the_unmutated_files_pass_where_the_mutants_are_written(project):
    """Guards the harness: the files check clean there, so the errors above are the mutations'."""
    for good in GOOD:
        path = project / good.name
        path.write_bytes(good.read_bytes())
        assert main(["check", str(path), "--no-priors"]) == 0, good

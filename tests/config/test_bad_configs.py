"""One file in tests/configs/bad/ per validation rule; each states the message it must give."""

from __future__ import annotations

import re

import pytest

from riskline import ConfigError, load_scenario
from riskline.cli import main

from ..conftest import CONFIGS, ROOT

BAD = sorted((CONFIGS / "bad").glob("*.yaml"))


def expectation(path):
    text = path.read_text()
    message = re.search(r"^# expect: (.*)$", text, re.MULTILINE).group(1)
    line = re.search(r"^# line: (\d+)$", text, re.MULTILINE)
    return message, int(line.group(1)) if line else None


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_config_names_file_line_field_and_fix(path):
    message, line = expectation(path)
    with pytest.raises(ConfigError) as caught:
        load_scenario(path)
    matching = [issue for issue in caught.value.issues if message in str(issue)]
    assert matching, f"expected {message!r} in:\n{caught.value}"
    assert matching[0].file == path
    assert matching[0].line == line


def test_there_is_a_bad_config_per_rule():
    assert len(BAD) >= 25


@pytest.mark.parametrize("name", ["unknown-phrase", "window-ends-before-issue", "unparsable-date"])
def test_cli_exits_2_and_writes_nothing(name, tmp_path, capsys):
    out = tmp_path / "out"
    path = CONFIGS / "bad" / f"{name}.yaml"
    assert main(["run", str(path), "--out", str(out)]) == 2
    message, line = expectation(path)
    err = capsys.readouterr().err
    assert message in err
    assert f"{path}:{line}" in err
    assert not tmp_path.joinpath("out").exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_missing_file(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: file not found" in capsys.readouterr().err


def test_check_accepts_good_files(capsys):
    paths = [str(p) for p in sorted((CONFIGS / "good").glob("*.yaml"))]
    assert main(["check", *paths]) == 0
    assert capsys.readouterr().out.count("ok: ") == len(paths)


def test_all_problems_reported_at_once(tmp_path):
    text = (CONFIGS / "good" / "minimal.yaml").read_text()
    broken = (
        text.replace("probability: likely", "probability: likley")
        .replace("event: attack\n    quote: Russia", "event: atack\n    quote: Russia")
        .replace("seed: seeds/", f"seed: {ROOT}/seeds/")
    )
    path = tmp_path / "two-problems.yaml"
    path.write_text(broken)
    with pytest.raises(ConfigError, match="2 problems") as caught:
        load_scenario(path, ROOT / "priors")
    assert {i.field for i in caught.value.issues} == {"estimates[0].probability", "estimates[1].event"}


def test_as_of_earlier_leaves_later_statements_out():
    scenario = load_scenario(CONFIGS / "good" / "minimal.yaml")
    earlier, left_out = scenario.at(scenario.as_of.replace(year=2025, month=6))
    assert [e.id for e in left_out] == ["seed-quote"]
    assert [e.id for e in earlier.estimates] == ["within-two-years"]

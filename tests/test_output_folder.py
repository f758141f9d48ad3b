"""Output folders: riskline replaces only what its manifest lists, and refuses anything else before it fits."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from riskline.cli import main
from riskline.errors import OutputError
from riskline.model.compiled import ModelCache
from riskline.output_folder import MANIFEST, check_output_dir, staged
from tests.conftest import CONFIGS

MINIMAL = CONFIGS / "good" / "minimal.yaml"
KNOWN = frozenset(["table.csv", "report.md"])


def write(out, files: dict[str, str], meanwhile=lambda: None):
    """`files` written through `staged`; `meanwhile` is called while they are being written."""
    with staged(out, KNOWN) as staging:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text)
        meanwhile()


def tree(folder) -> dict[str, str]:
    """Every file under `folder` by relative path, with its text."""
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_manifest_lists_each_file_with_its_size_and_hash(tmp_path):
    out = tmp_path / "run"
    write(out, {"table.csv": "a,b\n1,2\n", "figures/fan.svg": "<svg/>"})
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["files"]) == {"table.csv", "figures/fan.svg"}
    entry = manifest["files"]["table.csv"]
    assert entry == {"bytes": 8, "sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging folder left


def test_a_folder_of_listed_files_is_replaced_and_what_it_listed_is_gone(tmp_path):
    out = tmp_path / "run"
    write(out, {"table.csv": "old", "figures/fan.svg": "old", "old-only.csv": "old"})
    write(out, {"table.csv": "new"})
    assert tree(out) == {"table.csv": "new", MANIFEST: (out / MANIFEST).read_text()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("mine", ["notes.txt", ".notes", "figures/notes.txt"])
def test_a_file_not_in_the_manifest_stops_the_run_and_nothing_is_deleted(tmp_path, mine):
    out = tmp_path / "run"
    write(out, {"table.csv": "old", "figures/fan.svg": "old"})
    (out / mine).write_text("mine")
    before = tree(out)
    message = f"holds {mine}, which riskline did not write (not in its {MANIFEST}): riskline replaces the folder " \
        "whole, so move it elsewhere or choose another --out"  # fmt: skip
    with pytest.raises(OutputError, match=re.escape(message)):
        write(out, {"table.csv": "new"})
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_folder_of_the_analysts_is_refused_even_when_empty_or_named_like_a_run_file(tmp_path):
    out = tmp_path / "run"
    write(out, {"table.csv": "old", "report.md": "old"})
    (out / "drafts").mkdir()
    (out / "report.md").unlink()
    (out / "report.md").mkdir()
    with pytest.raises(OutputError, match=re.escape("holds drafts/, report.md/, which riskline did not write")):
        check_output_dir(out, KNOWN)


def test_a_link_is_refused_and_its_target_kept(tmp_path):
    out = tmp_path / "run"
    write(out, {"table.csv": "old"})
    mine = tmp_path / "mine.csv"
    mine.write_text("mine")
    (out / "table.csv").unlink()
    (out / "table.csv").symlink_to(mine)  # listed by name, but riskline never writes a link
    with pytest.raises(OutputError, match=re.escape("holds table.csv, which riskline did not write")):
        write(out, {"table.csv": "new"})
    assert mine.read_text() == "mine"


def test_a_listed_file_edited_since_is_refused(tmp_path):
    out = tmp_path / "run"
    write(out, {"report.md": "# riskline's report\n"})
    (out / "report.md").write_text("# riskline's report\nmy notes\n")
    message = "holds report.md, changed since riskline wrote it (it differs from riskline-manifest.json): replacing " \
        "the folder would delete it, so move it elsewhere or choose another --out"  # fmt: skip
    with pytest.raises(OutputError, match=re.escape(message)):
        write(out, {"report.md": "new"})
    assert (out / "report.md").read_text() == "# riskline's report\nmy notes\n"


def test_a_manifest_naming_files_outside_the_folder_deletes_none_of_them(tmp_path):
    out = tmp_path / "run"
    write(out, {"table.csv": "old"})
    outside = tmp_path / "outside.txt"
    outside.write_text("mine")
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["../outside.txt"] = {"bytes": 4, "sha256": hashlib.sha256(b"mine").hexdigest()}
    (out / MANIFEST).write_text(json.dumps(manifest))
    write(out, {"table.csv": "new"})
    assert outside.read_text() == "mine"
    assert tree(out)["table.csv"] == "new"


@pytest.mark.parametrize("text", ["not json", '{"files": ["table.csv"]}', '{"files": {"table.csv": 3}}'])
def test_a_manifest_that_cannot_be_read_is_refused(tmp_path, text):
    out = tmp_path / "run"
    write(out, {"table.csv": "old"})
    (out / MANIFEST).write_text(text)
    with pytest.raises(OutputError, match="cannot be read as the list of the files riskline wrote"):
        write(out, {"table.csv": "new"})
    assert tree(out) == {"table.csv": "old", MANIFEST: text}


def test_a_folder_from_before_manifests_is_replaced_only_if_it_holds_nothing_but_run_files(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "table.csv").write_text("old")
    (out / "report.md").write_text("old")
    write(out, {"table.csv": "new"})  # every entry a run file's name: replaced, as before manifests
    assert set(tree(out)) == {"table.csv", MANIFEST}
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "table.csv").write_text("old")
    (legacy / "notes.txt").write_text("mine")
    message = f"has no {MANIFEST} (the list of the files riskline wrote) and holds notes.txt, not among the files " \
        "riskline writes"  # fmt: skip
    with pytest.raises(OutputError, match=re.escape(message)):
        write(legacy, {"table.csv": "new"})
    assert tree(legacy) == {"notes.txt": "mine", "table.csv": "old"}


def test_a_file_added_while_the_folder_is_written_stops_the_replacement(tmp_path):
    out = tmp_path / "run"
    write(out, {"table.csv": "old"})

    def analyst():  # during a long run
        (out / "notes.txt").write_text("mine")

    with pytest.raises(OutputError, match=re.escape("holds notes.txt, which riskline did not write")):
        write(out, {"table.csv": "new"}, meanwhile=analyst)
    assert tree(out)["notes.txt"] == "mine"
    assert tree(out)["table.csv"] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_run_stops_before_fitting_on_a_file_of_the_analysts(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    write(out, {"summary.json": "{}"})
    (out / "notes.txt").write_text("mine")

    def no_model(*args, **kwargs):
        raise AssertionError("fitting before checking the output folder")

    monkeypatch.setattr(ModelCache, "get", no_model)  # the first step of every fit
    assert main(["run", str(MINIMAL), "--out", str(out), "--fresh"]) == 2
    assert "holds notes.txt, which riskline did not write" in capsys.readouterr().err
    assert set(tree(out)) == {"summary.json", "notes.txt", MANIFEST}

"""Output folders that riskline may replace without deleting anything of the analyst's.

Every command that writes a folder (`run`, `compare`, `backtest`, and any later one) writes
it through `staged`: into a hidden sibling first, moved into place only once complete, so
a failure half-way leaves the previous folder (or nothing) rather than a mix. Beside its
files it writes a manifest, `riskline-manifest.json`, naming each file with its size and
SHA-256. When a later run replaces the folder, it deletes the files of that manifest that
are still as riskline wrote them, and nothing else: any other file or folder there, hidden
or not, or a listed file that was edited since, stops the run with an `OutputError` naming
it (`check_output_dir`, which the commands call before they fit).

A folder written before riskline kept manifests has none; it is replaced only when every
entry in it is a plain file named like one the command writes (`known`), as riskline did
then. Such a file edited by hand cannot be told from riskline's own, and is replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from riskline.errors import OutputError

__all__ = ["MANIFEST", "check_output_dir", "staged"]

MANIFEST = "riskline-manifest.json"
"""The file, inside an output folder, that lists what riskline wrote there."""
SHOWN = 3
"""How many unexpected entries a message names before it counts the rest."""


def check_output_dir(out_dir: Path, known: frozenset[str] = frozenset()) -> list[Path]:
    """Raise OutputError unless `out_dir` is new, or can be replaced deleting only files riskline wrote.

    Parameters
    ----------
    out_dir
        The folder a command is about to write (`--out`).
    known
        The file names the command wrote before riskline kept a manifest: a folder without
        one is replaced only if it holds nothing but plain files of these names.

    Returns
    -------
    list of Path
        The files, relative to `out_dir`, that replacing it will delete (empty for a new folder).

    Raises
    ------
    OutputError
        When the place cannot be written, `out_dir` is a file, or it holds anything riskline did
        not write (named in the message, with what to do).

    """
    out_dir = Path(out_dir).resolve()
    writes_in = next(p for p in out_dir.parents if p.exists())  # where the staging folder goes, or is made
    if not os.access(writes_in, os.W_OK):
        raise OutputError(f"{out_dir} cannot be written: {writes_in} is not writable; choose another --out")
    if not out_dir.exists():
        return []
    if not out_dir.is_dir():
        raise OutputError(f"{out_dir} is a file, not a folder: choose another --out")
    entries = _entries(out_dir)
    if not _is_file(out_dir / MANIFEST):
        return _legacy_files(out_dir, entries, known)
    listed = _read_manifest(out_dir)
    ours = [p for p in entries if _is_file(p) and p.relative_to(out_dir).as_posix() in listed]
    holding = {parent for p in ours for parent in p.relative_to(out_dir).parents}
    foreign = [
        p
        for p in entries
        if p != out_dir / MANIFEST and p not in ours and not (_is_folder(p) and p.relative_to(out_dir) in holding)
    ]
    if foreign:
        raise OutputError(
            f"{out_dir} holds {_names(foreign, out_dir)}, which riskline did not write (not in its {MANIFEST}): "
            f"riskline replaces the folder whole, so move {_it(foreign)} elsewhere or choose another --out"
        )
    changed = [p for p in ours if _changed(p, listed[p.relative_to(out_dir).as_posix()])]
    if changed:
        raise OutputError(
            f"{out_dir} holds {_names(changed, out_dir)}, changed since riskline wrote {_it(changed)} (it differs from "
            f"{MANIFEST}): replacing the folder would delete {_it(changed)}, so move {_it(changed)} elsewhere or "
            "choose another --out"
        )
    files = [*ours, out_dir / MANIFEST]
    return [p.relative_to(out_dir) for p in files]


@contextmanager
def staged(out_dir: Path, known: frozenset[str] = frozenset()) -> Iterator[Path]:
    """A hidden sibling of `out_dir` to write into; it replaces `out_dir` only if the block succeeds.

    Use it for every output folder: write the files into the yielded folder (sub-folders
    allowed). At the end of the block the manifest of everything written there is added,
    `out_dir` is checked again (`check_output_dir`, as before the block), and the new
    folder takes its place; of the previous one only the files of its manifest are deleted.

    Parameters
    ----------
    out_dir
        The folder to write.
    known
        The file names written before riskline kept a manifest (see `check_output_dir`).

    """
    out_dir = Path(out_dir).resolve()  # "." has no name to make a sibling from
    check_output_dir(out_dir, known)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a run directory is for sharing
    try:
        yield staging
        _write_manifest(staging)
        _replace_dir(staging, out_dir, check_output_dir(out_dir, known))  # the analyst may have added a file since
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace_dir(new: Path, target: Path, deletable: list[Path]) -> None:
    """Move `new` to `target`; of the previous `target`, delete only the `deletable` files.

    The previous folder is moved into a fresh hidden folder of its own first, so no folder
    of the analyst's beside it (say one named `.<out>.old`) is touched. Anything else found
    in it then (added between the check and the move) is kept there, with a warning.
    """
    if not target.exists():
        new.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    previous = old / target.name
    target.rename(previous)
    new.rename(target)
    for file in deletable:
        (previous / file).unlink()
    folders = sorted({p for f in deletable for p in f.parents if p != Path(".")}, key=lambda p: -len(p.parts))
    try:
        for folder in [*folders, Path(".")]:
            (previous / folder).rmdir()  # only empty folders: never a file riskline did not list
        old.rmdir()
    except OSError:
        warnings.warn(f"files added to {target} while riskline wrote it are kept in {previous}", stacklevel=3)


def _entries(folder: Path) -> list[Path]:
    """Every file, folder and link under `folder`, hidden ones included (links are not followed)."""
    found = []
    for root, dirs, files in os.walk(folder):
        found += [Path(root) / name for name in [*dirs, *files]]
    return sorted(found)


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _is_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _legacy_files(out_dir: Path, entries: list[Path], known: frozenset[str]) -> list[Path]:
    """A folder from before manifests: replaceable only if it holds nothing but plain files named like riskline's."""
    foreign = [p for p in entries if p.name not in known or p.parent != out_dir or not _is_file(p)]
    if foreign:
        raise OutputError(
            f"{out_dir} has no {MANIFEST} (the list of the files riskline wrote) and holds {_names(foreign, out_dir)}, "
            f"not among the files riskline writes: riskline replaces the folder whole, so move {_it(foreign)} "
            "elsewhere or choose another --out"
        )
    return [p.relative_to(out_dir) for p in entries]


def _write_manifest(folder: Path) -> None:
    files = {
        p.relative_to(folder).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in _entries(folder)
        if _is_file(p)
    }
    manifest = {
        "about": "the files riskline wrote in this folder; a run that replaces the folder deletes these (if unchanged) "
        "and refuses to start while the folder holds anything else",
        "written_by": f"riskline {version('riskline')}",
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _read_manifest(out_dir: Path) -> dict[str, dict]:
    """The manifest's files by relative path; OutputError if it is not one riskline wrote."""
    path = out_dir / MANIFEST
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        valid = all(
            isinstance(entry, dict) and isinstance(entry.get("bytes"), int) and isinstance(entry.get("sha256"), str)
            for entry in files.values()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise OutputError(
            f"{path} cannot be read as the list of the files riskline wrote, so riskline cannot tell its files from "
            "yours: move the folder elsewhere or choose another --out"
        )
    return files


def _changed(path: Path, entry: dict) -> bool:
    """Whether `path` differs in size or content from its manifest entry (a file the analyst edited)."""
    return entry["bytes"] != path.stat().st_size or entry["sha256"] != _sha256(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _names(paths: list[Path], out_dir: Path) -> str:
    names = [p.relative_to(out_dir).as_posix() + ("/" if _is_folder(p) else "") for p in paths]
    more = len(names) - SHOWN
    return ", ".join(names[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def _it(paths: list[Path]) -> str:
    return "it" if len(paths) == 1 else "them"

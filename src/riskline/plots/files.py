"""A figure's files: PDF, SVG and PNG from one layout, written here or by a helper process.

`save_figure` writes them in this process. `FigureWriter` shares the figures of a run with a
helper process, so that a second core draws while this one goes on: the helper takes a
figure whenever it is free, this process draws the others. A helper pays only where a core
is idle: on a machine whose other cores are busy it slows this process down (it costs CPU
time of its own: starting, loading its fonts, pickling; benchmarks/README.md, "Output
speed"). The helper is this file run as a script by the same Python: it imports matplotlib
only (riskline's own imports take seconds), reads pickled figures, writes their files with
`save_figure` and reports each one done, with the warnings drawing it raised, which are
raised again here. So this file imports nothing of riskline.
"""

from __future__ import annotations

import builtins
import itertools
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import warnings
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator

__all__ = ["FIGURE_FORMATS", "FigureWriter", "save_figure", "usable_cpus"]

FIGURE_FORMATS = ("pdf", "svg", "png")
"""Every figure's file formats, in the order `save_figure` writes them."""
SAVE_OPTIONS = {"png": {"pil_kwargs": {"compress_level": 1}}}
"""zlib's fastest level: flat-coloured figures compress about as well as at its default (6), in 2/3 of the time."""


def save_figure(figure, stem: Path) -> None:
    """`stem`.pdf, .svg and .png, then free the figure.

    The layout is found once, for the PDF, and kept for the other formats: a layout engine
    measures every text of the figure again at each save. The PDF's (and SVG's) text measures
    are the wider ones (the PNG's, hinted at 200 dpi, run about 3% narrower), so text laid out
    for the PDF fits in all three.
    """
    for suffix in FIGURE_FORMATS:
        figure.savefig(Path(stem).with_suffix(f".{suffix}"), dpi=200, **SAVE_OPTIONS.get(suffix, {}))
        figure.set_layout_engine("none")
    plt.close(figure)


@dataclass
class _Helper:
    """The helper process, its two pipes, and the thread that reads its reports."""

    process: subprocess.Popen[str]
    stdin: IO[str]
    stdout: IO[str]
    reader: threading.Thread = field(init=False)


class FigureWriter:
    """Writes figures' files, sharing them with a helper process; a context manager.

    `save(figure, stem)` queues a figure: the helper takes the next one in the queue whenever
    it is free, and `wait` writes here the ones it has not taken, then returns once every file
    is written, raising here the warnings the helper's drawing raised (RuntimeError if the
    helper failed). Leaving the block waits too; leaving it by an exception stops the helper.
    Without a helper, `save` writes the files at once.

    `share`: True, a helper wherever there is a second CPU; False, no helper; None (the
    default), a helper where the load average (this process's own work included) stays below
    the CPUs less one half: one for this process, most of another idle.
    """

    def __init__(self, share: bool | None = None):
        self._folder = tempfile.TemporaryDirectory(prefix="riskline-figures-")
        self._helper: _Helper | None = None
        self._queue: deque = deque()  # (figure, stem, its pickle) not taken yet
        self._taken: list = []  # the figures the helper took
        self._warnings: list[list[str]] = []  # [builtin warning class, message] from the helper
        self._lock, self._busy, self._jobs = threading.Lock(), False, itertools.count()
        if share is None:
            share = _load() < usable_cpus() - 0.5
        if share and usable_cpus() > 1:
            folder = Path(self._folder.name)
            settings = folder / "rcParams.pickle"  # the files as this process would write them
            settings.write_bytes(pickle.dumps({k: v for k, v in matplotlib.rcParams.items() if k != "backend"}))
            with open(folder / "errors.txt", "w") as errors:  # a file: nobody needs to drain it
                process = subprocess.Popen(
                    [sys.executable, "-I", __file__, str(settings)],  # -I: no riskline on the path, nor needed
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True,
                )  # fmt: skip
            assert process.stdin is not None  # asked for as a pipe
            assert process.stdout is not None  # asked for as a pipe
            helper = _Helper(process, process.stdin, process.stdout)
            helper.reader = threading.Thread(target=self._read_reports, args=(helper,), daemon=True)
            helper.reader.start()
            self._helper = helper

    def __enter__(self) -> FigureWriter:
        return self

    def __exit__(self, kind, *error) -> None:
        try:
            if kind is None:
                self.wait()
        finally:
            if (helper := self._helper) is not None:
                if helper.process.poll() is None:
                    helper.process.kill()
                    helper.process.wait()
                with self._lock, suppress(BrokenPipeError):
                    helper.stdin.close()
                helper.reader.join()
                helper.stdout.close()
            for figure in [*self._taken, *(item[0] for item in self._queue)]:
                plt.close(figure)
            self._folder.cleanup()

    def save(self, figure, stem: Path) -> None:
        """`stem`.pdf, .svg and .png: queued for the helper, or written at once if there is none."""
        if (helper := self._helper) is None:
            save_figure(figure, stem)
            return
        job = Path(self._folder.name) / f"{next(self._jobs)}.pickle"
        job.write_bytes(pickle.dumps((_portable(figure), Path(stem).resolve())))
        with self._lock:
            self._queue.append((figure, stem, job))
            if not self._busy:
                self._hand_next(helper)

    def wait(self) -> None:
        """Write here the figures the helper has not taken; return once it has written the others.

        The warnings its drawing raised are raised here; RuntimeError, with its traceback, if it failed.
        """
        if (helper := self._helper) is None or helper.stdin.closed:
            return
        while (item := self._take()) is not None:
            save_figure(*item[:2])
        with self._lock, suppress(BrokenPipeError):  # a helper that failed: said below
            helper.stdin.close()
        helper.reader.join()
        if helper.process.wait():
            errors = (Path(self._folder.name) / "errors.txt").read_text()
            raise RuntimeError(f"the process drawing the figures failed (exit {helper.process.returncode}):\n{errors}")
        for category, message in self._warnings:
            warnings.warn(message, getattr(builtins, category), stacklevel=2)

    def _take(self) -> tuple | None:
        """The next queued figure, for this process to write; None when the queue is empty."""
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def _hand_next(self, helper: _Helper) -> None:
        """Hand the next queued figure to the helper, busy until it reports it done (with the lock held)."""
        self._busy = bool(self._queue)
        if not self._queue:
            return
        item = self._queue.popleft()
        try:
            helper.stdin.write(f"{item[2]}\n")
            helper.stdin.flush()
        except BrokenPipeError:  # the helper has failed: this process writes the rest, `wait` says why
            self._queue.appendleft(item)
            return
        self._taken.append(item[0])

    def _read_reports(self, helper: _Helper) -> None:
        """On the helper's reports: keep the warnings, and hand it the next figure when one is done."""
        for line in helper.stdout:
            report = json.loads(line)
            if report == "done":
                with self._lock:
                    self._hand_next(helper)
            else:
                self._warnings.append(report)


def usable_cpus() -> int:
    """How many CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _load() -> float:
    """Processes running or waiting to, on average over the last minute (0 where the system does not say)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def _portable(figure):
    """`figure` with riskline's tick locators (EveryYear) replaced by their ticks, for a helper without riskline."""
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for locator, put in ((axis.get_major_locator(), axis.set_major_locator),
                                 (axis.get_minor_locator(), axis.set_minor_locator)):  # fmt: skip
                if not type(locator).__module__.startswith("matplotlib."):
                    put(FixedLocator(locator()))
    return figure


def _helper(settings: str) -> None:
    """Write the files of each pickled (figure, stem) whose path comes on standard input, one a line.

    On standard output, one JSON value a line: each warning drawing a figure raised (the
    builtin class it derives from, and its message), then "done".
    """
    matplotlib.use("agg")
    matplotlib.rcParams.update(pickle.loads(Path(settings).read_bytes()))
    for line in sys.stdin:
        figure, stem = pickle.loads(Path(line.strip()).read_bytes())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            save_figure(figure, stem)
        for found in caught:
            category = next(c for c in found.category.__mro__ if getattr(builtins, c.__name__, None) is c)
            print(json.dumps([category.__name__, f"{Path(stem).name}: {found.message}"]))
        print(json.dumps("done"), flush=True)


if __name__ == "__main__":
    _helper(sys.argv[1])

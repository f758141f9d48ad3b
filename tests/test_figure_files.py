"""A figure's files, written here (save_figure) or by the helper process (FigureWriter)."""

from __future__ import annotations

import signal
from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pytest

from riskline.plots import files
from riskline.plots.files import FIGURE_FORMATS, FigureWriter, save_figure
from riskline.plots.style import date_axis, percent_axis


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _figure(note: str = "as of 11 Dec 2025"):
    """A small riskline-styled figure: a date axis (riskline's own tick locator), constrained layout."""
    fig, ax = plt.subplots(figsize=(4, 2.5), layout="constrained")
    dates = np.array([date(2025, 12, 11), date(2030, 1, 1)], dtype="datetime64[D]")
    ax.plot(dates, [0.1, 0.6], label="posterior mean")
    ax.set_xlim(*dates)
    date_axis(ax)
    percent_axis(ax.yaxis)
    ax.set_title(note, loc="left")
    ax.legend(loc="upper left")
    return fig


needs_two_cores = pytest.mark.skipif(files.usable_cpus() < 2, reason="a helper process needs a second CPU")


@needs_two_cores
def test_the_helper_writes_what_this_process_writes(tmp_path):
    save_figure(_figure(), tmp_path / "here")
    handed = _figure()
    with FigureWriter(share=True) as writer:
        writer.save(handed, tmp_path / "helper")
        writer.wait()
    for suffix in FIGURE_FORMATS:
        assert (tmp_path / f"helper.{suffix}").stat().st_size > 1000
    assert (tmp_path / "helper.png").read_bytes() == (tmp_path / "here.png").read_bytes()  # same pixels and layout
    assert not plt.fignum_exists(handed.number)  # handed over: freed here (other tests may leave theirs open)


@needs_two_cores
def test_the_helpers_warnings_are_raised_here(tmp_path):
    cramped = _figure()
    cramped.set_size_inches(1, 0.6)  # no room left for the axes
    with FigureWriter(share=True) as writer:
        writer.save(cramped, tmp_path / "cramped")
        with pytest.warns(UserWarning, match="cramped: constrained_layout not applied"):
            writer.wait()


@needs_two_cores
def test_a_figure_the_helper_cannot_draw_is_an_error(tmp_path):
    with FigureWriter(share=True) as writer:
        writer.save(_figure(r"$\notacommand$"), tmp_path / "bad")
        with pytest.raises(RuntimeError, match=r"failed \(exit 1\)(.|\n)*notacommand"):
            writer.wait()


def _interrupted(writer: FigureWriter, stem) -> None:
    with writer:
        writer.save(_figure(), stem)
        raise KeyboardInterrupt


@needs_two_cores
def test_leaving_by_an_exception_stops_the_helper(tmp_path):
    writer = FigureWriter(share=True)
    with pytest.raises(KeyboardInterrupt):
        _interrupted(writer, tmp_path / "stopped")
    assert writer._helper is None or writer._helper.process.returncode == -signal.SIGKILL  # not waited for


def test_leaving_the_block_waits(tmp_path):
    with FigureWriter(share=True) as writer:
        writer.save(_figure(), tmp_path / "waited")
    assert all((tmp_path / f"waited.{suffix}").exists() for suffix in FIGURE_FORMATS)


@needs_two_cores
def test_the_figures_the_helper_has_not_taken_are_written_here(tmp_path):
    with FigureWriter(share=True) as writer:
        for number in range(3):
            writer.save(_figure(), tmp_path / f"figure{number}")
    assert 1 <= len(writer._taken) <= 2  # the first to the helper, the next here while the helper still starts
    assert all((tmp_path / f"figure{n}.{suffix}").exists() for n in range(3) for suffix in FIGURE_FORMATS)


@pytest.mark.parametrize(("load", "helper"), [(0.2, True), (1.5, False)])
def test_a_helper_only_where_the_load_leaves_a_core_idle(monkeypatch, load, helper):
    monkeypatch.setattr(files, "usable_cpus", lambda: 2)
    monkeypatch.setattr(files, "_load", lambda: load)
    with FigureWriter() as writer:
        assert (writer._helper is not None) == helper

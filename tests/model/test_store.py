"""The on-disk store of compiled functions: loaded when present, compiled again when not readable."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt

from riskline.model.store import FunctionStore


def _compile():
    x = pt.dvector("x")
    return pytensor.function([x], 2 * x)


def test_a_stored_function_is_loaded_not_compiled_again(tmp_path):
    store, calls = FunctionStore(tmp_path), []
    first = store.get(("double",), lambda: calls.append(1) or _compile())
    again = store.get(("double",), lambda: calls.append(1) or _compile())
    assert calls == [1]  # compiled once; the second came from the file
    np.testing.assert_array_equal(again(np.array([1.0, 2.5])), first(np.array([1.0, 2.5])))
    assert store.get(("other",), lambda: calls.append(1) or _compile()) is not None
    assert calls == [1, 1]  # another key is another function


def test_an_unreadable_file_is_compiled_again_and_replaced(tmp_path):
    store = FunctionStore(tmp_path)
    store.get(("double",), _compile)
    (path,) = tmp_path.glob("*.pkl")
    path.write_bytes(b"not a pickle")
    assert store.get(("double",), _compile)(np.array([3.0]))[0] == 6.0
    assert path.read_bytes() != b"not a pickle"


def test_clear_deletes_only_what_the_store_wrote(tmp_path):
    store = FunctionStore(tmp_path)
    store.get(("double",), _compile)
    (tmp_path / "notes.txt").write_text("the analyst's")
    assert store.clear() == 1
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]

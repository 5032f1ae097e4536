"""bot/infra/atomic.py: every cache file is written under a temporary name and
moved into place, and a cache that cannot be written is not an error."""

from __future__ import annotations

import numpy as np
import pytest

from bot.infra.atomic import write_atomically


def test_the_file_appears_whole_and_no_temporary_file_is_left(tmp_path):
    seen = []

    def write(tmp):
        seen.append(tmp)
        assert not (tmp_path / "sub" / "vectors.npz").exists()    # not there until it is whole
        np.savez(tmp, v=np.arange(3))

    assert write_atomically(tmp_path / "sub" / "vectors.npz", write)
    assert np.load(tmp_path / "sub" / "vectors.npz")["v"].tolist() == [0, 1, 2]
    # np.savez adds ".npz" to a name without it: the temporary name keeps the suffix
    assert seen[0].suffix == ".npz" and seen[0].parent == tmp_path / "sub"
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["vectors.npz"]


def test_an_existing_file_is_replaced(tmp_path):
    path = tmp_path / "key.txt"
    path.write_text("old")
    assert write_atomically(path, lambda tmp: tmp.write_text("new"))
    assert path.read_text() == "new"


def test_a_cache_that_cannot_be_written_is_not_an_error(tmp_path):
    (tmp_path / "cache").write_text("a file where the cache directory should be")
    assert write_atomically(tmp_path / "cache" / "model.pkl", lambda tmp: tmp.write_bytes(b"x")) is False


@pytest.mark.parametrize("error", [OSError("disk full"), RuntimeError("onnxruntime could not save")])
def test_a_failing_writer_leaves_nothing_behind(tmp_path, error):
    def write(tmp):
        tmp.write_bytes(b"half")
        raise error

    assert write_atomically(tmp_path / "graph.onnx", write) is False
    assert list(tmp_path.iterdir()) == []


def test_other_errors_are_not_swallowed(tmp_path):
    def write(tmp):
        tmp.write_bytes(b"half")
        raise ValueError("a bug in the writer")

    with pytest.raises(ValueError):
        write_atomically(tmp_path / "x.bin", write)
    assert list(tmp_path.iterdir()) == []

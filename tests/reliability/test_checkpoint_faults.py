"""Checkpoint faults: a save that fails midway leaves the previous file intact and no
temporary file; foreign files are refused with a message saying what they are."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, serialization


def _state() -> dict[str, Any]:
    return nn.MLP(3, [4], 2, rng=np.random.default_rng(0)).state_dict()


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_failure_in_the_middle_of_save_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    path = tmp_path / "model.npz"
    first = _state()
    ag.save(first, path)
    before = path.read_bytes()
    calls = {"n": 0}
    real = np.lib.format.write_array

    def failing(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # after the header and one array are written
            raise exc
        real(*args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing)
    second = {k: v + 1 for k, v in first.items()}
    with pytest.raises(type(exc)):
        ag.save(second, path)
    assert calls["n"] == 3
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]
    monkeypatch.undo()
    assert _same(ag.load(path), first)


def test_failure_at_the_final_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ckpt.npz"
    ag.save({"a": np.arange(3.0)}, path)

    def broken_replace(src: str, dst: str) -> None:
        raise PermissionError("read-only target")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(PermissionError):
        ag.save({"a": np.zeros(3)}, path)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]
    np.testing.assert_array_equal(ag.load(path)["a"], np.arange(3.0))


def test_checkpoint_carries_a_format_version(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    ag.save({"w": np.ones(2)}, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert "__autograd_lite__.npy" in names
    with np.load(path, allow_pickle=False) as npz:
        header = npz["__autograd_lite__"].tobytes().decode()
    assert f'"version": {serialization.FORMAT_VERSION}' in header


def test_unknown_version_is_refused_saying_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "future.npz"
    monkeypatch.setattr(serialization, "FORMAT_VERSION", 99)
    ag.save({"w": np.ones(2)}, path)
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"version 99 is not supported.*reads version 1"):
        ag.load(path)


def test_plain_npz_is_refused_as_not_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    np.savez(path, weights=np.ones(3))
    with pytest.raises(ValueError, match="not an autograd_lite checkpoint") as info:
        ag.load(path)
    assert "weights" in str(info.value)

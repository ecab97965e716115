"""ag.save / ag.load: round trips, atomic writes, and refusal of unsafe, foreign, newer
and damaged files."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, optim, serialization


def trained_pair() -> tuple[nn.MLP, optim.Adam]:
    model = nn.MLP(2, [4], 3, rng=np.random.default_rng(0))
    opt = optim.Adam(model.parameters(), lr=0.01)
    x = ag.Tensor(np.random.default_rng(1).standard_normal((5, 2)))
    ag.nn.functional.cross_entropy(model(x), [0, 1, 2, 0, 1]).backward()
    opt.step()
    return model, opt


def test_round_trip_of_nested_values(tmp_path: Path) -> None:
    obj = {
        "a": np.arange(6, dtype=np.int32).reshape(2, 3),
        "f32": np.ones(2, dtype=np.float32),
        "nested": {"list": [1, 2.5, "x", None, True], "tuple": (np.zeros(0), 3)},
        7: "int key",
        "scalar": np.float32(1.5),
        "empty": {},
    }
    ag.save(obj, tmp_path / "x.npz")
    back = ag.load(tmp_path / "x.npz")
    assert set(back) == {"a", "f32", "nested", 7, "scalar", "empty"}
    np.testing.assert_array_equal(back["a"], obj["a"])
    assert back["a"].dtype == np.int32 and back["f32"].dtype == np.float32
    assert back["nested"]["list"] == [1, 2.5, "x", None, True]
    assert isinstance(back["nested"]["tuple"], tuple) and back["nested"]["tuple"][1] == 3
    assert back[7] == "int key" and back["empty"] == {}
    assert isinstance(back["scalar"], np.float32) and back["scalar"] == 1.5


def test_model_and_optimizer_state_round_trip(tmp_path: Path) -> None:
    model, opt = trained_pair()
    path = tmp_path / "ck.npz"
    ag.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
    ck = ag.load(path)
    assert list(ck["model"]) == list(model.state_dict())
    model2 = nn.MLP(2, [4], 3, rng=np.random.default_rng(5))
    model2.load_state_dict(ck["model"])
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    opt2 = optim.Adam(model2.parameters())
    opt2.load_state_dict(ck["optimizer"])
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert opt2.state[0]["step"] == 1
    np.testing.assert_array_equal(opt2.state[0]["exp_avg"], opt.state[0]["exp_avg"])
    # The members are readable by plain NumPy under their dotted names.
    with np.load(path, allow_pickle=False) as npz:
        assert "model/net.0.weight" in npz.files


def test_save_overwrites_and_keeps_exact_path(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.bin"
    ag.save({"v": 1}, path)
    ag.save({"v": 2}, str(path))
    assert ag.load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["ckpt.bin"]


def test_save_refuses_objects_that_would_need_pickle(tmp_path: Path) -> None:
    path = tmp_path / "x.npz"
    with pytest.raises(TypeError, match="object"):
        ag.save({"bad": np.array([1, "a", None], dtype=object)}, path)
    with pytest.raises(TypeError, match="cannot store a set"):
        ag.save({"bad": {1, 2}}, path)
    assert not path.exists() and os.listdir(tmp_path) == []


def test_failure_mid_save_leaves_previous_checkpoint_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ck.npz"
    ag.save({"w": np.ones(3)}, path)
    before = path.read_bytes()
    calls = []

    def failing_write(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        real_write(*args, **kwargs)

    real_write = np.lib.format.write_array
    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="disk full"):
        ag.save({"w": np.zeros(3), "b": np.zeros(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ck.npz"]
    np.testing.assert_array_equal(ag.load(path)["w"], np.ones(3))


def test_failure_at_rename_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ck.npz"

    def failing_replace(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        ag.save({"w": np.ones(3)}, path)
    assert os.listdir(tmp_path) == []


def test_refuses_a_pickle(tmp_path: Path) -> None:
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"w": np.ones(2)}))
    with pytest.raises(ValueError, match=r"refusing to load .*pickle"):
        ag.load(path)


def test_refuses_object_arrays_inside_an_npz(tmp_path: Path) -> None:
    path = tmp_path / "obj.npz"
    ag.save({"w": np.ones(2)}, path)
    # Add a pickled object array beside a valid header.
    with zipfile.ZipFile(path, "a") as zf, zf.open("w~.npy", "w") as f:
        np.lib.format.write_array(f, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"refusing to load .*object arrays"):
        ag.load(path)


def test_refuses_npz_and_npy_files_that_are_not_checkpoints(tmp_path: Path) -> None:
    np.savez(tmp_path / "plain.npz", w=np.ones(2))
    with pytest.raises(ValueError, match="not an autograd_lite checkpoint"):
        ag.load(tmp_path / "plain.npz")
    np.save(tmp_path / "one.npy", np.ones(2))
    with pytest.raises(ValueError, match=r"single \.npy array"):
        ag.load(tmp_path / "one.npy")


def rewrite_header(path: Path, **changes: object) -> None:
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    with zipfile.ZipFile(path) as zf, zf.open("__autograd_lite__.npy") as f:
        meta = json.loads(np.lib.format.read_array(f).tobytes())
    meta.update(changes)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            if name == "__autograd_lite__.npy":
                with zf.open(name, "w") as f:
                    raw = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
                    np.lib.format.write_array(f, raw)
            else:
                zf.writestr(name, data)


def test_refuses_unknown_format_version(tmp_path: Path) -> None:
    path = tmp_path / "new.npz"
    ag.save({"w": np.ones(2)}, path)
    rewrite_header(path, version=99)
    with pytest.raises(ValueError, match="format version 99 is not supported"):
        ag.load(path)
    rewrite_header(path, version=serialization.FORMAT_VERSION, format="something.else")
    with pytest.raises(ValueError, match="not an autograd_lite checkpoint"):
        ag.load(path)


@pytest.mark.parametrize("cut", [0, 3, 40, -30, -1])
def test_truncated_file_is_a_clear_error(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "ck.npz"
    ag.save(OrderedDict(w=np.arange(100.0), b=np.ones(3)), path)
    data = path.read_bytes()
    path.write_bytes(data[:cut])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        ag.load(path)


def test_corrupted_array_data_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ck.npz"
    ag.save({"w": np.arange(100.0)}, path)
    data = bytearray(path.read_bytes())
    i = data.index(np.arange(100.0).tobytes()[8:16])
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt or truncated"):
        ag.load(path)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ag.load(tmp_path / "nope.npz")


def test_checkpoint_gets_ordinary_permissions(tmp_path: Path) -> None:
    path = tmp_path / "ck.npz"
    ag.save({"w": 1}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o600)
    ag.save({"w": 2}, path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_keys_that_look_like_member_names_round_trip(tmp_path: Path) -> None:
    """The member of key "x" is "x.npy": reading members by exact name keeps it apart from
    the key "x.npy" (and a NUL byte, where zip names end, is stored escaped)."""
    obj = {
        "x.npy": np.zeros(2),
        "x": np.ones(2),
        "a\x00b": np.full(2, 3.0),
        "a\\0b": np.full(2, 4.0),
        "__autograd_lite__": np.arange(2),
    }
    ag.save(obj, tmp_path / "c.npz")
    back = ag.load(tmp_path / "c.npz")
    assert list(back) == list(obj)
    for k, v in obj.items():
        np.testing.assert_array_equal(back[k], v)


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [("method", 1, "compression method"), ("flags", 1, "encrypted")],
)
def test_a_member_zipfile_cannot_open_is_a_clear_error(
    tmp_path: Path, field: str, value: int, what: str
) -> None:
    """An unsupported compression method or an encryption flag (one flipped bit can make
    either) is a CheckpointError, not zipfile's NotImplementedError or RuntimeError."""
    path = tmp_path / "c.npz"
    ag.save({"w": np.ones(3)}, path)
    raw = bytearray(path.read_bytes())
    # Local headers keep flags and method at offsets 6 and 8, central ones at 8 and 10.
    for sig, offsets in ((b"PK\x03\x04", (6, 8)), (b"PK\x01\x02", (8, 10))):
        at = raw.find(sig)
        while at != -1:
            off = at + offsets[0 if field == "flags" else 1]
            raw[off : off + 2] = value.to_bytes(2, "little")
            at = raw.find(sig, at + 4)
    path.write_bytes(bytes(raw))
    with pytest.raises(serialization.CheckpointError, match="corrupt") as info:
        ag.load(path)
    assert what in str(info.value)


def test_a_member_that_is_not_npy_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ck.npz"
    ag.save({"w": np.arange(3.0)}, path)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("v.npy", b"not an npy file")
    with pytest.raises(ValueError, match=r"member 'v' is not a \.npy array"):
        ag.load(path)


def test_a_header_declaring_a_huge_array_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ck.npz"
    ag.save({"w": np.arange(3.0)}, path)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**13,)}
    )
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("v.npy", header.getvalue())
    with pytest.raises(ValueError, match="corrupt or truncated"):
        ag.load(path)


def test_a_long_file_name_saves(tmp_path: Path) -> None:
    """The temporary file's name does not grow with the target's (names hold 255 bytes)."""
    path = tmp_path / ("c" * 240 + ".npz")
    ag.save({"w": np.ones(2)}, path)
    np.testing.assert_array_equal(ag.load(path)["w"], np.ones(2))
    assert os.listdir(tmp_path) == [path.name]


@pytest.mark.parametrize(
    ("obj", "match"),
    [
        ({"x" * 70000: np.ones(1)}, r"key 'x{30}\.\.\.x{10}' \(70000 bytes"),
        ({"model": {"é" * 40000: np.ones(1)}}, r"key 'model/é{24}\.\.\.é{10}' \(80006 bytes"),
    ],
)
def test_a_key_too_long_for_a_zip_member_is_named_before_writing(
    tmp_path: Path, obj: dict[str, object], match: str
) -> None:
    path = tmp_path / "ck.npz"
    ag.save({"w": np.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=match):
        ag.save(obj, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ck.npz"]


def test_a_key_that_is_not_utf8_is_named_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"key 'a\\ud800' cannot be stored"):
        ag.save({"a\ud800": np.ones(1)}, tmp_path / "ck.npz")
    assert os.listdir(tmp_path) == []

"""``save`` and ``load``: checkpoints as ``.npz`` files that can never run code.

``save(obj, path)`` takes nested dicts, lists and tuples whose leaves are
ndarrays (or Tensors, stored as their data), numbers, strings, booleans or
None: a model's ``state_dict()``, an optimizer's, or a dict of both. Each array
becomes one ``.npy`` member of the zip, named by its path in the tree
(``model/net.0.weight``); the tree itself, with the scalars and the key types,
is a JSON member ``__autograd_lite__`` that also carries the format version.

``load`` opens the file with ``allow_pickle=False`` always: a file holding
pickled data or object arrays is refused, as is an ``.npz`` that is not a
checkpoint or one of an unknown format version, and a corrupt or truncated
file raises ValueError. Saving writes a temporary file beside the target (named
``.autograd_lite-*.tmp``, whatever the target's name) and renames it over the target
with ``os.replace``, so a save that fails midway leaves the previous checkpoint
intact: an exception removes the temporary file, and a process killed outright may
leave it beside the target, never in its place. A key path too long for a zip member
name (65535 bytes with ``.npy``) is refused before anything is written.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from typing import Any

import numpy as np

from ._typing import Array
from .tensor import Tensor

__all__ = ["FORMAT_VERSION", "CheckpointError", "load", "save"]

FORMAT_VERSION = 1
_META = "__autograd_lite__"
_FORMAT = "autograd_lite.checkpoint"
# A zip member name's length is a 16-bit field; each array's member is its key path + ".npy".
_MAX_NAME_BYTES = 0xFFFF - len(".npy")


class CheckpointError(ValueError):
    """A file that is not a readable autograd_lite checkpoint (unsafe, foreign, corrupt)."""


def _encode(obj: Any, path: str, arrays: dict[str, Array]) -> Any:
    """The JSON tree of ``obj``; arrays are moved into ``arrays`` under unique names."""
    if isinstance(obj, Tensor):
        obj = obj.data
    if isinstance(obj, (np.ndarray, np.generic)):
        arr = np.asarray(obj)
        if arr.dtype.hasobject or arr.dtype.kind not in "biufcUS":
            raise TypeError(
                f"save: cannot store the {arr.dtype} array at {path or '<root>'!r}: only numeric, "
                "bool and string arrays are saved (object arrays would need pickle)"
            )
        # A zip member name ends at a NUL byte.
        name = (path or "<root>").replace("\x00", "\\0")
        while name in arrays or name == _META:
            name += "~"
        arrays[name] = arr
        return {"array": name, "scalar": isinstance(obj, np.generic)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if isinstance(k, bool) or not isinstance(k, (str, int)):
                raise TypeError(f"save: dict keys must be str or int, got {k!r} at {path!r}")
            child = f"{path}/{k}" if path else str(k)
            items.append([k, _encode(v, child, arrays)])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {
            kind: [_encode(v, f"{path}/{i}" if path else str(i), arrays) for i, v in enumerate(obj)]
        }
    raise TypeError(
        f"save: cannot store a {type(obj).__name__} at {path or '<root>'!r}; checkpoints hold "
        "dicts, lists and tuples of arrays, numbers, strings, booleans and None"
    )


def _decode(node: Any, arrays: dict[str, Array]) -> Any:
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise ValueError(f"malformed checkpoint tree node {node!r}")
    if "array" in node:
        arr = arrays[node["array"]]
        return arr[()] if node.get("scalar") else arr
    if "value" in node:
        return node["value"]
    if "dict" in node:
        return {k: _decode(v, arrays) for k, v in node["dict"]}
    if "list" in node:
        return [_decode(v, arrays) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, arrays) for v in node["tuple"])
    raise ValueError(f"malformed checkpoint tree node {node!r}")


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` (nested dicts/lists/tuples of arrays and plain values) to ``path``
    atomically, as an ``.npz`` loadable without pickle."""
    arrays: dict[str, Array] = {}
    tree = _encode(obj, "", arrays)
    meta = {"format": _FORMAT, "version": FORMAT_VERSION, "tree": tree}
    meta_bytes = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    for name in arrays:
        _check_member_name(name)
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    # A fixed-length name: the target's own name may already be near the file system's limit.
    fd, tmp = tempfile.mkstemp(prefix=".autograd_lite-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                _write_member(zf, _META, meta_bytes)
                for name, arr in arrays.items():
                    _write_member(zf, name, arr)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates the file readable by its owner only; give the checkpoint the
        # permissions of the file it replaces, or the ones a plain open() would.
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _check_member_name(name: str) -> None:
    short = name if len(name) <= 50 else f"{name[:30]}...{name[-10:]}"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError(
            f"save: the key {short!r} cannot be stored: a zip member name must be valid "
            "UTF-8 (it holds a lone surrogate)"
        ) from None
    if size > _MAX_NAME_BYTES:
        raise ValueError(
            f"save: the key {short!r} ({size} bytes in UTF-8) is too long: an array is stored "
            f"as a zip member named by its key path, which holds at most {_MAX_NAME_BYTES} bytes"
        )


def _mode_for(target: str) -> int:
    try:
        return os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_member(zf: zipfile.ZipFile, name: str, arr: Array) -> None:
    with zf.open(name + ".npy", "w", force_zip64=True) as member:
        np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)


def load(path: str | os.PathLike[str]) -> Any:
    """Read a checkpoint written by :func:`save` (never unpickling anything)."""
    where = os.fspath(path)
    with open(where, "rb") as f:
        head = f.read(6)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        pass
    elif head.startswith(b"\x93NUMPY"):
        raise CheckpointError(f"{where} is a single .npy array, not an autograd_lite checkpoint")
    elif head[:1] == b"\x80":
        raise CheckpointError(
            f"refusing to load {where}: it is a pickle, which could run code; "
            "autograd_lite checkpoints are .npz files without pickled data"
        )
    else:
        raise CheckpointError(
            f"cannot read checkpoint {where}: corrupt or truncated, or not an .npz file "
            f"(it starts with {head!r})"
        )
    try:
        with np.load(where, allow_pickle=False) as npz:
            return _read(npz, where)
    except CheckpointError:
        raise
    except ValueError as e:
        if "allow_pickle" in str(e):
            raise CheckpointError(
                f"refusing to load {where}: it holds pickled data or object arrays, which "
                "could run code; autograd_lite checkpoints never contain pickles"
            ) from None
        raise CheckpointError(
            f"cannot read checkpoint {where}: corrupt or truncated ({e})"
        ) from None
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        KeyError,
        TypeError,
        NotImplementedError,  # a member compressed by a method zipfile lacks
        RuntimeError,  # an encrypted member; RecursionError: a header nested too deep
        MemoryError,  # a header declaring a shape far beyond the file's size
    ) as e:
        raise CheckpointError(
            f"cannot read checkpoint {where}: corrupt or truncated ({type(e).__name__}: {e})"
        ) from None


def _member(npz: Any, name: str, where: str) -> np.ndarray[Any, Any]:
    """The array stored under ``name``, read by its exact member name ``name.npy``."""
    arr = npz[name + ".npy"]
    if not isinstance(arr, np.ndarray):
        # NpzFile hands back the raw bytes of a member that is not in .npy format.
        raise CheckpointError(f"{where}: member {name!r} is not a .npy array (corrupt checkpoint)")
    return arr


def _read(npz: Any, where: str) -> Any:
    if _META not in npz.files:
        raise CheckpointError(
            f"{where} is an .npz file but not an autograd_lite checkpoint (no {_META!r} entry; "
            f"it holds {sorted(npz.files)[:5]})"
        )
    # Members are read by their exact names: NpzFile would also find the member "x.npy"
    # of the key "x" under the key "x.npy".
    meta_arr = _member(npz, _META, where)
    try:
        meta = json.loads(meta_arr.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{where}: corrupt checkpoint header ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise CheckpointError(f"{where} is an .npz file but not an autograd_lite checkpoint")
    version = meta.get("version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{where}: checkpoint format version {version!r} is not supported (this "
            f"autograd_lite reads version {FORMAT_VERSION}); was it written by a newer release?"
        )
    arrays = {name: _member(npz, name, where) for name in npz.files if name != _META}
    for name, arr in arrays.items():
        if arr.dtype.hasobject:
            raise CheckpointError(f"refusing to load {where}: {name!r} is an object array")
    return _decode(meta["tree"], arrays)

"""Indexing: ``x[index]``, its VJP the scatter-add ``IndexAdd``, and ``x[index] = v``.

``GetItem`` and ``IndexAdd`` are each other's VJP, so ``create_graph=True`` can
differentiate the backward pass of either again. Repeated integer indices
accumulate (``np.add.at``); every other index selects each element at most once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._typing import Array, Shape
from ..engine import is_grad_enabled
from ..tensor import Tensor
from ..versions import bump, rewrites
from . import dual, samples
from .base import Op

__all__ = [
    "GetItem",
    "IndexAdd",
    "SetItem",
    "index_add_array",
    "normalize_index",
    "setitem",
]


def normalize_index(index: Any) -> Any:
    """An index with Tensors, lists and nested tuples turned into arrays, checked for
    float arrays. (A tuple inside the index tuple is an array to NumPy: ``x[:, (1, 1)]``.)

    Array items are copied: the graph keeps the index for the backward pass, and a
    caller reusing its index array must not change where the gradient goes."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, Tensor):
            item = np.array(item.data)
        elif isinstance(item, np.ndarray):
            item = np.array(item)
        elif isinstance(item, (list, tuple)):
            item = np.array(item)
            if item.size == 0 and item.dtype.kind == "f":
                # An empty list selects nothing, as in NumPy (np.array([]) is float64).
                item = item.astype(np.intp)
        if isinstance(item, np.ndarray) and item.dtype.kind not in "biu":
            raise IndexError(f"arrays used as indices must be integer or bool, got {item.dtype}")
        out.append(item)
    return tuple(out) if isinstance(index, tuple) else out[0]


def _has_integer_array(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in items)


def index_add_array(shape: Shape, index: Any, g: Array) -> Array:
    """``zeros(shape)`` with ``g`` added at ``index``; repeated integer indices accumulate."""
    out = np.zeros(shape, dtype=g.dtype)
    if _has_integer_array(index):
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


class GetItem(Op):
    """y = x[index]: ints, slices, None, Ellipsis, boolean masks, integer arrays.

    dL/dx = zeros like x with g added at ``index`` (repeated indices accumulate).
    No derivation file applies.
    """

    name = "getitem"
    formula = "dx = index_add(zeros(x.shape), index, g)"
    sample = samples.getitem
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, index: Any) -> tuple[Any, Any]:
        # A copy, so writing into the result never changes x behind the graph's back.
        return np.array(x[index]), (x.shape, index)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        shape, index = saved
        return (dual.index_add(shape, index, g),)


class IndexAdd(Op):
    """y = zeros(shape) with x added at ``index`` (the VJP of ``GetItem``).

    dL/dx = g[index].
    No derivation file applies.
    """

    name = "index_add"
    formula = "dx = g[index]"
    sample = samples.index_add
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, shape: Shape, index: Any) -> tuple[Any, Any]:
        return index_add_array(shape, index, x), index

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g[saved],)


class SetItem(Op):
    """y = x with ``y[index] = v`` (what ``x[index] = v`` records when a grad is needed).

    dL/dx = g with zeros at ``index``,  dL/dv = g[index] ⊙ 1[the write landed] (summed
    to v's shape). An integer-array index that repeats a position writes it several
    times and only the last write lands, so only that one passes the gradient to v.
    No derivation file applies.
    """

    name = "setitem"
    formula = "dx = g ⊙ 1[not written];  dv = g[index] ⊙ 1[landed]"
    sample = samples.setitem
    reads_inputs = False
    #: Its output replaces input 0 in place (``x[index] = v``); see
    #: versions.redirect_rewritten_parents.
    overwrites_input = True
    reads_output = False

    @staticmethod
    def forward(x: Array, v: Array, index: Any) -> tuple[Any, Any]:
        y = x.copy()
        y[index] = v
        keep = np.ones(x.shape, dtype=bool)
        keep[index] = False
        return y, (keep, index, _landed(x.shape, index), v.shape)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        keep, index, landed, vshape = saved
        gv = None
        if needs[1]:
            gv = g[index] if landed is None else g[index] * landed
            lead = len(vshape) - gv.ndim
            if lead > 0:
                # NumPy drops leading size-1 axes of v (v of shape (1, 3) into a row of
                # shape (3,)): sum to v's shape without them, then put them back.
                gv = dual.sum_to_shape(gv, vshape[lead:]).reshape(vshape)
        return (g * keep if needs[0] else None), gv


def _landed(shape: Shape, index: Any) -> Array | None:
    """Which slots of the written region ``zeros(shape)[index]`` survive the assignment
    (a repeated integer index is overwritten by its later writes); None when all do."""
    if not _has_integer_array(index):
        return None
    region = np.zeros(shape)[index].shape
    ids = np.arange(int(np.prod(region))).reshape(region)
    slot = np.full(shape, -1)
    # Replaying the assignment with slot ids records exactly the writes NumPy keeps.
    slot[index] = ids
    landed = np.zeros(ids.size, dtype=bool)
    landed[slot[slot >= 0]] = True
    return None if landed.all() else landed.reshape(region)


def setitem(t: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``; bumps ``t``'s version.

    The write goes into a fresh copy of ``t.data`` that ``t`` then holds, so arrays that
    share memory with it (reshape/transpose views, ``detach()``, values a graph saved)
    never change behind the graph's back; a backward that reads ``t`` itself sees the
    version bump and raises. When a gradient must flow, ``t`` becomes the output of a
    ``SetItem`` node whose input is its old self."""
    index = normalize_index(index)
    v = value if isinstance(value, Tensor) else None
    track = is_grad_enabled() and (t.requires_grad or (v is not None and v.requires_grad))
    if track and t._op is None and t.requires_grad:
        raise RuntimeError(
            f"in-place assignment to a leaf tensor that requires grad (shape {t.shape}, dtype "
            f"{t.dtype}); assign under no_grad(), or build a new tensor"
        )
    if not track:
        data = t.data.copy()
        try:
            data[index] = value.data if isinstance(value, Tensor) else value
        except (ValueError, TypeError, IndexError, OverflowError) as e:
            vshape = np.shape(value.data if isinstance(value, Tensor) else value)
            kind = (
                IndexError
                if isinstance(e, IndexError) and not isinstance(e, ValueError)
                else (TypeError if isinstance(e, TypeError) else ValueError)
            )
            raise kind(
                f"setitem: {e} (tensor shape {t.shape}, dtype {t.dtype}; value shape {vshape})"
            ) from None
        t.data = data
        bump(t)
        return
    old = Tensor._wrap(t.data)
    old.requires_grad, old._op, old._parents, old._saved = (
        t.requires_grad,
        t._op,
        t._parents,
        t._saved,
    )
    if t._op is not None:
        old._seq = t._seq
        old._versions = t._versions
        trace = getattr(t, "_trace", None)
        if trace is not None:
            old._trace = trace
    # ``old`` stands for t at its current version: edges made before this write are
    # redirected to it in backward (versions.redirect_rewritten_parents).
    old._version = t._version
    new = SetItem.apply(old, value, index=index)
    if new._op is None:
        # An integer tensor cannot carry the value's gradient: a plain write.
        t.data = new.data
        bump(t)
        return
    t.data, t.requires_grad, t._op, t._parents, t._saved, t._seq, t._versions = (
        new.data,
        new.requires_grad,
        new._op,
        new._parents,
        new._saved,
        new._seq,
        new._versions,
    )
    trace = getattr(new, "_trace", None)
    if trace is not None:
        t._trace = trace
    bump(t)
    rewrites.seen = True

"""Shape ops: reshape, transpose, indexing, concatenate, stack, broadcast, cast.

These move elements without changing them, so each VJP moves the gradient back
the same way (reshape back, the inverse permutation, scatter-add into zeros).
``SumTo`` and ``BroadcastTo`` are each other's VJP; ``GetItem`` and
``IndexAdd`` likewise, which is what lets ``create_graph=True`` differentiate
the backward pass of any of them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._typing import Array, Shape
from ..engine import _mode
from ..tensor import Tensor
from ..versions import rewrites
from . import dual, samples
from .base import Op

__all__ = [
    "BroadcastTo",
    "Cast",
    "Concatenate",
    "GetItem",
    "IndexAdd",
    "Reshape",
    "SetItem",
    "Stack",
    "SumTo",
    "Transpose",
    "Where",
    "concatenate",
    "index_add_array",
    "normalize_index",
    "reshape",
    "setitem",
    "stack",
    "swapaxes",
    "transpose",
    "where",
]


class Reshape(Op):
    """y = x reshaped (one axis may be -1).

    dL/dx = g reshaped to x's shape.
    No derivation file applies.
    """

    formula = "dx = reshape(g, x.shape)"
    sample = samples.reshape
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, shape: Shape) -> tuple[Any, Any]:
        return x.reshape(shape), x.shape

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g.reshape(saved),)


class Transpose(Op):
    """y = x with axes permuted (reversed when ``axes`` is None).

    dL/dx = g permuted by the inverse permutation.
    No derivation file applies.
    """

    formula = "dx = transpose(g, inverse(axes))"
    sample = samples.transpose
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, axes: Sequence[int] | None) -> tuple[Any, Any]:
        y = x.transpose(axes)
        inverse = None if axes is None else tuple(np.argsort([a % x.ndim for a in axes]))
        return y, inverse

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g.transpose(saved),)


class Cast(Op):
    """y = x converted to ``dtype``.

    dL/dx = g converted back to x's dtype.
    No derivation file applies.
    """

    formula = "dx = g as x.dtype"
    sample = samples.cast
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, dtype: np.dtype[Any]) -> tuple[Any, Any]:
        if dtype.kind not in "biuf":
            raise TypeError(f"cannot cast to dtype {dtype}")
        return x.astype(dtype), x.dtype

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g.astype(saved),)


class BroadcastTo(Op):
    """y = x broadcast to ``shape`` (NumPy rules).

    dL/dx = g summed over the broadcast axes.
    Its VJP is the bias-gradient rule of derivation 000: db = Σ_rows G.
    """

    name = "broadcast_to"
    formula = "dx = sum_to_shape(g, x.shape)"
    sample = samples.broadcast_to
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, shape: Shape) -> tuple[Any, Any]:
        return np.broadcast_to(x, shape), x.shape

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (dual.sum_to_shape(g, saved),)


class SumTo(Op):
    """y = x summed over the axes that broadcasting to x's shape would add or stretch.

    dL/dx = g broadcast back to x's shape.
    No derivation file applies.
    """

    name = "sum_to"
    formula = "dx = broadcast_to(g, x.shape)"
    sample = samples.sum_to
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, shape: Shape) -> tuple[Any, Any]:
        return dual.reduce_to_shape(x, shape), x.shape

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (dual.broadcast_to(g, saved),)


def normalize_index(index: Any) -> Any:
    """An index with Tensors and lists turned into arrays, checked for float arrays.

    Array items are copied: the graph keeps the index for the backward pass, and a
    caller reusing its index array must not change where the gradient goes."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, Tensor):
            item = np.array(item.data)
        elif isinstance(item, (list, np.ndarray)):
            item = np.array(item)
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
        return y, (keep, index, _landed(x.shape, index))

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        keep, index, landed = saved
        gv = None
        if needs[1]:
            gv = g[index] if landed is None else g[index] * landed
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
    track = _mode.enabled and (t.requires_grad or (v is not None and v.requires_grad))
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
        t._version += 1
        return
    old = Tensor._wrap(t.data)
    old.requires_grad, old._op, old._parents, old._saved = (
        t.requires_grad,
        t._op,
        t._parents,
        t._saved,
    )
    if t._op is not None:
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
        t._version += 1
        return
    t.data, t.requires_grad, t._op, t._parents, t._saved, t._versions = (
        new.data,
        new.requires_grad,
        new._op,
        new._parents,
        new._saved,
        new._versions,
    )
    trace = getattr(new, "_trace", None)
    if trace is not None:
        t._trace = trace
    t._version += 1
    rewrites.seen = True


class Concatenate(Op):
    """y = concatenate(x₁, …, xₙ) along ``axis``.

    dL/dxᵢ = the slice of g that xᵢ filled.
    No derivation file applies.
    """

    formula = "dxᵢ = g[..., offsetᵢ : offsetᵢ + sizeᵢ, ...] along axis"
    sample = samples.concatenate
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(*xs: Array, axis: int = 0) -> tuple[Any, Any]:
        y = np.concatenate(xs, axis=axis)
        ax = axis % y.ndim
        bounds = np.cumsum([0] + [x.shape[ax] for x in xs]).tolist()
        return y, (ax, bounds)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        ax, bounds = saved
        lead = (slice(None),) * ax
        return tuple(
            g[lead + (slice(bounds[i], bounds[i + 1]),)] if need else None
            for i, need in enumerate(needs)
        )


class Stack(Op):
    """y = stack(x₁, …, xₙ) along a new ``axis``.

    dL/dxᵢ = g taken at position i of that axis.
    No derivation file applies.
    """

    formula = "dxᵢ = g[..., i, ...] along axis"
    sample = samples.stack
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(*xs: Array, axis: int = 0) -> tuple[Any, Any]:
        y = np.stack(xs, axis=axis)
        return y, axis % y.ndim

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        lead = (slice(None),) * saved
        return tuple(g[lead + (i,)] if need else None for i, need in enumerate(needs))


class Where(Op):
    """y = x where ``condition`` else z (``condition`` is a constant bool array).

    dL/dx = g ⊙ condition,  dL/dz = g ⊙ ¬condition.
    No derivation file applies.
    """

    formula = "dx = g ⊙ c;  dz = g ⊙ ¬c"
    sample = samples.where
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, z: Array, condition: Array) -> tuple[Any, Any]:
        return np.where(condition, x, z), (condition, ~condition)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        c, not_c = saved
        return (g * c if needs[0] else None), (g * not_c if needs[1] else None)


# ----------------------------------------------------------------- public functions
def _shape_args(args: tuple[Any, ...]) -> Any:
    if len(args) == 1 and (isinstance(args[0], (tuple, list)) or args[0] is None):
        return None if args[0] is None else tuple(args[0])
    return tuple(args)


def reshape(x: Any, *shape: Any) -> Tensor:
    """``x`` with a new shape: ``reshape(x, 2, -1)`` or ``reshape(x, (2, -1))``."""
    return Reshape.apply(x, shape=_shape_args(shape))


def transpose(x: Any, *axes: Any) -> Tensor:
    """``x`` with its axes permuted; no axes reverses them."""
    perm = _shape_args(axes) if axes else None
    return Transpose.apply(x, axes=perm)


def swapaxes(x: Any, a: int, b: int) -> Tensor:
    t = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
    if t.ndim < 2:
        raise ValueError(f"swapaxes needs at least 2 dimensions, got shape {t.shape}")
    for axis in (a, b):
        if not isinstance(axis, (int, np.integer)) or not -t.ndim <= axis < t.ndim:
            raise ValueError(f"swapaxes: axis {axis!r} is out of bounds for shape {t.shape}")
    perm = list(range(t.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return Transpose.apply(t, axes=tuple(perm))


def broadcast_to(x: Any, shape: Shape) -> Tensor:
    """``x`` broadcast to ``shape`` (a read-only view, as ``np.broadcast_to``)."""
    return BroadcastTo.apply(x, shape=tuple(shape))


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    if len(tensors) == 0:
        raise ValueError("concatenate needs at least one tensor")
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis."""
    if len(tensors) == 0:
        raise ValueError("stack needs at least one tensor")
    return Stack.apply(*tensors, axis=axis)


def where(condition: Any, x: Any, z: Any) -> Tensor:
    """Elements of ``x`` where ``condition`` holds, else of ``z`` (broadcasting)."""
    # A copy: the VJP reads the condition, which the caller may reuse and change.
    c = np.array(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    return Where.apply(x, z, condition=c)

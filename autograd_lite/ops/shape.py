"""Shape ops: reshape, transpose, concatenate, stack, broadcast, cast, where.

These move elements without changing them, so each VJP moves the gradient back
the same way (reshape back, the inverse permutation, the slice each input filled).
``SumTo`` and ``BroadcastTo`` are each other's VJP, which is what lets
``create_graph=True`` differentiate the backward pass of either again. Indexing
lives in :mod:`autograd_lite.ops.indexing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._typing import Array, Shape
from ..tensor import Tensor
from . import dual, samples
from .base import Op

__all__ = [
    "BroadcastTo",
    "Cast",
    "Clone",
    "Concatenate",
    "Reshape",
    "Stack",
    "SumTo",
    "Transpose",
    "Where",
    "concatenate",
    "reshape",
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


class Clone(Op):
    """y = a copy of x (its own memory; the graph is kept, unlike ``detach``).

    dL/dx = g.
    No derivation file applies.
    """

    formula = "dx = g"
    sample = samples.elementwise()
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array) -> tuple[Any, Any]:
        return x.copy(), None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g,)


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


class Concatenate(Op):
    """y = concatenate(x₁, …, xₙ) along ``axis`` (``axis=None``: of the flattened xᵢ).

    dL/dxᵢ = the slice of g that xᵢ filled (reshaped to xᵢ's shape for ``axis=None``).
    No derivation file applies.
    """

    formula = "dxᵢ = g[..., offsetᵢ : offsetᵢ + sizeᵢ, ...] along axis"
    sample = samples.concatenate
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(*xs: Array, axis: int | None = 0) -> tuple[Any, Any]:
        y = np.concatenate(xs, axis=axis)
        if axis is None:
            bounds = np.cumsum([0] + [x.size for x in xs]).tolist()
            return y, (None, bounds, [x.shape for x in xs])
        ax = axis % y.ndim
        bounds = np.cumsum([0] + [x.shape[ax] for x in xs]).tolist()
        return y, (ax, bounds, None)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        ax, bounds, shapes = saved
        if ax is None:
            return tuple(
                g[bounds[i] : bounds[i + 1]].reshape(shapes[i]) if need else None
                for i, need in enumerate(needs)
            )
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
    if not shape:
        raise TypeError("reshape() needs a shape: reshape(2, -1), reshape((2, -1)) or reshape(())")
    return Reshape.apply(x, shape=_shape_args(shape))


def transpose(x: Any, *axes: Any) -> Tensor:
    """``x`` with its axes permuted; no axes reverses them."""
    perm = _shape_args(axes) if axes else None
    return Transpose.apply(x, axes=perm)


def swapaxes(x: Any, a: int, b: int) -> Tensor:
    """``x`` with axes ``a`` and ``b`` exchanged (an axis with itself: ``x`` unchanged)."""
    t = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
    for axis in (a, b):
        if not isinstance(axis, (int, np.integer)) or not -t.ndim <= axis < t.ndim:
            raise ValueError(f"swapaxes: axis {axis!r} is out of bounds for shape {t.shape}")
    perm = list(range(t.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return Transpose.apply(t, axes=tuple(perm))


def broadcast_to(x: Any, shape: Shape | int) -> Tensor:
    """``x`` broadcast to ``shape`` (a read-only view, as ``np.broadcast_to``); an int ``n``
    is the shape ``(n,)``."""
    if isinstance(shape, (int, np.integer)):
        return BroadcastTo.apply(x, shape=(shape,))
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(
            f"broadcast_to: shape must be an int or a sequence of ints, got {type(shape).__name__}"
        ) from None
    return BroadcastTo.apply(x, shape=dims)


def concatenate(tensors: Sequence[Any], axis: int | None = 0) -> Tensor:
    """Join tensors along an existing axis; ``axis=None`` flattens them first."""
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

"""Reductions over axes: sum, mean, max, min.

``axis`` is None (all axes), an int (negative counts from the end) or a tuple;
``keepdims`` keeps reduced axes as size 1, as in NumPy. Each VJP reshapes the
upstream gradient to the kept-dims shape and broadcasts it back over the input
(the batch sums of derivation 002 run the other way along the same axes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._typing import Array, AxisLike, Shape
from . import dual, samples
from .base import Op
from .dual import _add_reduce

__all__ = ["Max", "Mean", "Min", "Sum", "kept_shape", "normalize_axes", "per_element"]


def normalize_axes(axis: AxisLike, ndim: int) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative axes, checked against ``ndim``."""
    if axis is None:
        return tuple(range(ndim))
    if ndim == 0 and isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        if axis in (0, -1):
            # As NumPy's sum and max: a 0-d value reduces along axis 0 (or -1) to itself.
            return ()
    if isinstance(axis, (int, np.integer)):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"axis must be an int or a tuple of ints, got {type(axis).__name__}")
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for a tensor of {ndim} dimension(s)")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {axis!r}")
    return tuple(sorted(out))


def per_element(g: Any, n: int) -> Any:
    """``g / n``, the share of each of n elements (0 of them: g). In float16, which holds no
    count above 65504 (``g / 70000`` would divide by inf), it is ``g · (1/n)``."""
    n = max(n, 1)
    return g * (1.0 / n) if g.dtype == np.float16 else g / n


def kept_shape(shape: Shape, axes: tuple[int, ...]) -> Shape:
    """``shape`` with the reduced ``axes`` set to 1 (the ``keepdims=True`` shape)."""
    if len(axes) == len(shape):
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Op):
    """y = Σ_axes x.

    dL/dx = g broadcast back over the summed axes.
    No derivation file applies.
    """

    formula = "dx = broadcast(g) over the summed axes"
    sample = samples.reduction()
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, axis: AxisLike = None, keepdims: bool = False) -> tuple[Any, Any]:
        if axis is None:
            # The total (a loss, usually): no axes to check.
            return _add_reduce(x, None, keepdims=keepdims), (x.shape, (1,) * x.ndim)
        axes = normalize_axes(axis, x.ndim)
        return _add_reduce(x, axes, keepdims=keepdims), (x.shape, kept_shape(x.shape, axes))

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        shape, kshape = saved
        # A 0-d g (the total) broadcasts as it is.
        return (dual.broadcast_to(g if g.ndim == 0 else g.reshape(kshape), shape),)


class Mean(Op):
    """y = (1/n) Σ_axes x, n the number of elements reduced.

    dL/dx = g / n broadcast back over the reduced axes (derivation 002: the batch
    gradient is the mean of the per-example gradients).
    """

    formula = "dx = broadcast(g) / n over the reduced axes"
    sample = samples.reduction()
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, axis: AxisLike = None, keepdims: bool = False) -> tuple[Any, Any]:
        axes = normalize_axes(axis, x.ndim)
        n = 1
        for a in axes:
            n *= x.shape[a]
        # As NumPy's mean: float16 adds up in float32 (a float16 sum overflows at 65504) and
        # is rounded back; integers and bools add up in float64, the result's dtype (an
        # int64 sum would wrap around).
        wide = None
        if x.dtype.kind != "f":
            wide = np.float64
        elif x.dtype == np.float16:
            wide = np.float32
        s = x.sum(axis=axes, keepdims=keepdims, dtype=wide)
        # The mean of nothing is NaN, as in NumPy (without its warning).
        y = s / n if n else s * np.nan
        if x.dtype == np.float16:
            y = y.astype(x.dtype)
        return y, (x.shape, kept_shape(x.shape, axes), n)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        shape, kshape, n = saved
        return (dual.broadcast_to(per_element(g.reshape(kshape), n), shape),)


def _select(
    x: Array, reduce: Callable[..., Any], axis: AxisLike, keepdims: bool
) -> tuple[Any, Any]:
    axes = normalize_axes(axis, x.ndim)
    if x.size == 0 and (x.ndim == 0 or any(x.shape[a] == 0 for a in axes)):
        # As in NumPy: reducing over an empty axis has no identity; other axes may be empty.
        raise ValueError(f"{reduce.__name__} over an empty axis of a tensor of shape {x.shape}")
    kept = reduce(x, axis=axes, keepdims=True)
    mask = x == kept
    count = mask.sum(axis=axes, keepdims=True)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    # float16 holds no count above 65504 (1/inf would give the ties no gradient): their
    # shares are computed in float64 and rounded, as per_element does for Mean.
    share = np.dtype(np.float64) if dtype == np.float16 else dtype
    if (count == 0).any():
        # A NaN in a slice: no element equals the max, so its gradient is NaN throughout.
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = mask.astype(share) / count.astype(share)
    else:
        weights = mask.astype(share) / count.astype(share)
    if dtype == np.float16:
        weights = weights.astype(dtype)
    y = kept if keepdims else kept.reshape([n for i, n in enumerate(x.shape) if i not in axes])
    return y, (weights, kept_shape(x.shape, axes))


class Max(Op):
    """y = max_axes x.

    dL/dx = g ⊙ 1[x = y] / (number of maxima).  Subgradient choice: tied maxima share
    the gradient evenly, so the total passed down equals g.
    No derivation file applies.
    """

    formula = "dx = g ⊙ 1[x = max] / #ties"
    sample = samples.reduction(distinct=True)
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, axis: AxisLike = None, keepdims: bool = False) -> tuple[Any, Any]:
        return _select(x, np.max, axis, keepdims)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        weights, kshape = saved
        return (g.reshape(kshape) * weights,)


class Min(Op):
    """y = min_axes x.

    dL/dx = g ⊙ 1[x = y] / (number of minima).  Tied minima share the gradient evenly.
    No derivation file applies.
    """

    formula = "dx = g ⊙ 1[x = min] / #ties"
    sample = samples.reduction(distinct=True)
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Array, axis: AxisLike = None, keepdims: bool = False) -> tuple[Any, Any]:
        return _select(x, np.min, axis, keepdims)

    vjp = Max.vjp

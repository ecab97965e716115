"""Softmax and log-softmax along an axis (derivations 001 and 002).

Both subtract the maximum along the axis before exponentiating, which changes
nothing mathematically and keeps logits of ±1e4 finite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._typing import Array
from . import dual, samples
from .base import Op
from .dual import _add_reduce

__all__ = ["LogSoftmax", "Softmax"]


#: The largest finite value of each floating dtype, as a 0-d array (filled in on use).
_LARGEST: dict[np.dtype[Any], Array] = {}


def _largest(dtype: np.dtype[Any]) -> Array:
    big = _LARGEST.get(dtype)
    if big is None:
        if dtype.kind == "f":
            big = np.asarray(np.finfo(dtype).max, dtype=dtype)
        else:
            # Integers and bools have no +inf to clip; a float64 +inf leaves them as they
            # are and shifts them in float64.
            big = np.asarray(np.inf)
        _LARGEST[dtype] = big
    return big


class Softmax(Op):
    """P = exp(x) / Σ_axis exp(x)   (derivation 001).

    dL/dx = P ⊙ (g − Σ_axis g ⊙ P).
    """

    formula = "dx = P ⊙ (g − Σ_axis(g ⊙ P))"
    sample = samples.along_axis
    reads_inputs = False

    @staticmethod
    def forward(x: Array, axis: int = -1) -> tuple[Any, Any]:
        _check_axis(axis, x.ndim)
        if x.dtype.kind != "f":
            # Integer logits as float64: their difference from the max could wrap around.
            x = x.astype(np.float64)
        if x.size == 0:
            return x.copy(), axis
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        if x.dtype == np.float16:
            return (e / _wide_sum(e, axis)).astype(x.dtype), axis
        return e / e.sum(axis=axis, keepdims=True), axis

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (out * (g - (g * out).sum(axis=saved, keepdims=True)),)


class LogSoftmax(Op):
    """y = x − log Σ_axis exp(x)   (derivations 001, 002: −y[i, yᵢ] is the cross-entropy).

    dL/dx = g − exp(y) ⊙ Σ_axis g.
    """

    name = "log_softmax"
    formula = "dx = g − softmax(x) ⊙ Σ_axis g"
    sample = samples.along_axis
    reads_inputs = False

    @staticmethod
    def forward(x: Array, axis: int = -1) -> tuple[Any, Any]:
        _check_axis(axis, x.ndim)
        if x.size == 0:
            return x.copy(), axis
        # Subtracting the max before the log-sum keeps low-precision logits exact: in float32
        # ``x − logsumexp(x)`` at x ≈ −1e4 would lose the last digits to rounding. A +inf
        # max is clipped to the largest finite value, so that only the +inf entries of its
        # slice give NaN (the others −inf); an all −inf slice gives NaN, clipped or not.
        m = np.minimum(np.maximum.reduce(x, axis, keepdims=True), _largest(x.dtype))
        shifted = x - m
        if x.dtype == np.float16:
            return (shifted - np.log(_wide_sum(np.exp(shifted), axis))).astype(x.dtype), axis
        return shifted - np.log(_add_reduce(np.exp(shifted), axis, keepdims=True)), axis

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        if g.dtype == np.float16:
            # Σ g overflows float16 past 65504 ones, where g − softmax ⊙ Σ g does not.
            total = g.astype(np.float32).sum(axis=saved, keepdims=True)
            return ((g - dual.exp(out) * total).astype(g.dtype),)
        return (g - dual.exp(out) * g.sum(axis=saved, keepdims=True),)


def _wide_sum(e: Array, axis: int) -> Array:
    """Σ_axis e of float16 ``e``, added up in float32 as NumPy's float16 mean does: a float16
    sum is inf past 65504 (70000 equal logits), where the softmax is not."""
    total: Array = _add_reduce(e, axis, np.float32, keepdims=True)
    return total


def _check_axis(axis: int, ndim: int) -> None:
    # A plain int passes at once; otherwise a NumPy integer or an int subclass, not a bool.
    if type(axis) is not int and (
        isinstance(axis, bool) or not isinstance(axis, (int, np.integer))
    ):
        raise TypeError(f"axis must be one int, got {axis!r}")
    bound = ndim or 1
    if not -bound <= axis < bound:
        raise ValueError(f"axis {axis} is out of bounds for a tensor of {ndim} dimension(s)")

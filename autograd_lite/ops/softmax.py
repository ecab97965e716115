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

__all__ = ["LogSoftmax", "Softmax", "logsumexp"]


def logsumexp(x: Array, axis: int) -> Array:
    """log Σ exp(x) along ``axis`` (kept as size 1), shifted by the max for stability."""
    m = x.max(axis=axis, keepdims=True)
    # An all -inf slice has max -inf; shifting by 0 there keeps the result -inf, not NaN.
    m = np.where(np.isfinite(m), m, 0)
    out: Array = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return out


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
        if x.size == 0:
            return x.copy(), axis
        e = np.exp(x - x.max(axis=axis, keepdims=True))
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
        m = x.max(axis=axis, keepdims=True)
        # Subtracting the max before the log-sum keeps low-precision logits exact: in float32
        # ``x − logsumexp(x)`` at x ≈ −1e4 would lose the last digits to rounding.
        shifted = x - np.where(np.isfinite(m), m, 0)
        return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True)), axis

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g - dual.exp(out) * g.sum(axis=saved, keepdims=True),)


def _check_axis(axis: int, ndim: int) -> None:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be one int, got {axis!r}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for a tensor of {ndim} dimension(s)")

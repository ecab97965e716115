"""Fused losses: softmax cross-entropy and binary cross-entropy on logits.

Each is one op whose VJP is the short closed form (derivations 001, 002)
rather than the chain of a log-softmax, an index and a mean, and each is
computed from shifted logits so that logits of ±1e4 stay finite. On a plain
backward the VJP reuses the probabilities kept by ``forward``; under
``create_graph=True`` it recomputes them from the logits Tensor so the
gradient is itself differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._typing import Array
from ..tensor import Tensor, constant
from . import samples
from .base import Op
from .dual import _add_reduce
from .reduction import per_element
from .softmax import LogSoftmax, Softmax

__all__ = ["REDUCTIONS", "BCEWithLogits", "CrossEntropy", "stable_sigmoid"]

REDUCTIONS = ("mean", "sum", "none")


def stable_sigmoid(x: Array) -> Array:
    """1 / (1 + e^(−x)) from e^(−|x|), which never overflows."""
    e = np.exp(-np.abs(x))
    out: Array = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return out


def _reduce(losses: Array, reduction: str) -> Array:
    if reduction == "mean":
        if losses.size == 0:
            # The mean of an empty batch is NaN, as in NumPy (without its warning).
            return np.asarray(np.nan, dtype=losses.dtype)
        # Σ / n: ndarray.mean's Python-level wrapper costs over three times as much on a
        # batch of 128 losses.
        # float16 adds up in float32, as NumPy's mean does.
        wide = np.float32 if losses.dtype == np.float16 else None
        return np.asarray(_add_reduce(losses, None, wide) / losses.size, dtype=losses.dtype)
    if reduction == "sum":
        return np.asarray(_add_reduce(losses, None), dtype=losses.dtype)
    return losses


def _scale(g: Any, reduction: str, n: int, shape: tuple[int, ...]) -> Any:
    """The upstream gradient of the reduced loss, as a factor for each element's loss."""
    if reduction == "mean":
        return per_element(g, n)
    if reduction == "sum":
        return g
    return g.reshape(shape)


class CrossEntropy(Op):
    """Lᵢ = −log softmax(S)[i, yᵢ] = logsumexp(Sᵢ) − S[i, yᵢ], S: (N, C), y: N ints,
    reduced by mean (default), sum or none   (derivations 001, 002).

    dL/dS = (P − onehot(y)) / N for the mean, with P = softmax(S) row-wise; the sum
    drops the 1/N, and ``none`` scales row i by gᵢ. The targets get no gradient.
    """

    name = "cross_entropy"
    formula = "dS = (softmax(S) − onehot(y)) / N"
    sample = samples.cross_entropy

    @staticmethod
    def forward(s: Array, targets: Array, reduction: str = "mean") -> tuple[Any, Any]:
        n, c = s.shape
        if targets.dtype.kind not in "iu":
            raise TypeError(f"targets must be integer class indices, got dtype {targets.dtype}")
        t = targets.astype(np.intp, copy=False)
        # Read as unsigned, a negative target exceeds every class count: one max checks
        # both bounds.
        if t.size and t.view(np.uintp).max() >= c:
            bad = targets[(t < 0) | (t >= c)]
            raise ValueError(f"target {int(bad[0])} is out of range for {c} classes")
        logp, _ = LogSoftmax.forward(s, 1)
        # Each row's target as an index into the flattened array: a flat gather here and a
        # flat scatter in the VJP cost NumPy well under half what (rows, targets) pairs do.
        flat = np.arange(0, n * c, c or 1) + t
        losses = -logp.reshape(-1)[flat]
        return _reduce(losses, reduction), (flat, reduction, np.exp(logp))

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (s,) = xs
        flat, reduction, p = saved
        n = s.shape[0]
        scale = _scale(g, reduction, n, (n, 1))
        if isinstance(s, Tensor):
            onehot = np.zeros(s.shape, dtype=s.dtype)
            onehot.reshape(-1)[flat] = 1
            return ((Softmax.apply(s, axis=1) - onehot) * scale,)
        d = p.copy()
        d.reshape(-1)[flat] -= constant(1, (), d.dtype)
        return (d * scale,)


class BCEWithLogits(Op):
    """Lᵢ = −[yᵢ log σ(xᵢ) + (1 − yᵢ) log(1 − σ(xᵢ))] = max(xᵢ, 0) − xᵢyᵢ + log(1 + e^(−|xᵢ|)),
    x and y of the same shape, reduced by mean over all elements, sum or none.

    dL/dx = (σ(x) − y) / n,  dL/dy = −x / n  (n the element count for the mean, 1 for
    the sum; ``none`` scales element i by gᵢ). Smooth everywhere: no subgradient choice.
    No derivation file applies.
    """

    name = "binary_cross_entropy_with_logits"
    formula = "dx = (σ(x) − y) / n;  dy = −x / n"
    sample = samples.bce_with_logits

    @staticmethod
    def forward(x: Array, y: Array, reduction: str = "mean") -> tuple[Any, Any]:
        if x.shape != y.shape:
            # The VJP's 1/n is x's element count: broadcasting would make it wrong.
            raise ValueError(f"logits {x.shape} and targets {y.shape} must have the same shape")
        losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        return _reduce(losses, reduction), (reduction, stable_sigmoid(x))

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, y = xs
        reduction, sig = saved
        scale = _scale(g, reduction, x.size, x.shape)
        if isinstance(x, Tensor):
            sig = x.sigmoid()
        gx = (sig - y) * scale if needs[0] else None
        gy = -x * scale if needs[1] else None
        return gx, gy

"""Losses and layer functions on Tensors: ``cross_entropy``, ``mse_loss``,
``binary_cross_entropy_with_logits``, ``linear`` and the activations.

Cross-entropy and binary cross-entropy are single fused ops
(:mod:`autograd_lite.ops.losses`); ``mse_loss`` is composed from primitives.
Every loss takes ``reduction="mean" | "sum" | "none"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.affine import Affine
from ..ops.elementwise import ReLU, Sigmoid, Tanh
from ..ops.losses import REDUCTIONS, BCEWithLogits, CrossEntropy
from ..tensor import Tensor

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "linear",
    "mse_loss",
    "relu",
    "sigmoid",
    "tanh",
]


def _as_tensor(x: Any, what: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except TypeError as e:
        raise TypeError(f"{what}: {e}") from None


def _check_reduction(fn: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def cross_entropy(logits: Any, targets: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) against integer class ``targets`` (N,).

    One fused op whose gradient is ``(softmax(logits) − onehot(targets)) / N`` for the
    mean (derivation 001); stable for logits of any size.
    """
    _check_reduction("cross_entropy", reduction)
    s = _as_tensor(logits, "cross_entropy logits")
    if targets is None:
        raise TypeError("cross_entropy: targets must be integer class indices, got None")
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if t.size == 0 and not isinstance(targets, (Tensor, np.ndarray)):
        # An empty list is float64 to NumPy; no index in it can be a float.
        t = t.astype(np.int64)
    if s.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {s.shape}")
    if s.dtype.kind != "f":
        raise TypeError(f"cross_entropy: logits must be floating, got dtype {s.dtype}")
    n = s.shape[0]
    if t.shape != (n,):
        raise ValueError(
            f"cross_entropy: targets must have shape ({n},) for logits {s.shape}, got {t.shape}"
        )
    # A copy (kept for the backward pass, whatever the caller later writes into theirs);
    # the op checks that they are integers, each a class.
    return CrossEntropy.apply(s, targets=t.copy(), reduction=reduction)


def binary_cross_entropy_with_logits(logits: Any, targets: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of ``sigmoid(logits)`` against ``targets`` in [0, 1], same shape.

    One fused op, ``max(x, 0) − x·y + log(1 + e^(−|x|))``, finite for any finite logit
    (an infinite one can give NaN).
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    x = _as_tensor(logits, "binary_cross_entropy_with_logits logits")
    if x.dtype.kind != "f":
        raise TypeError(
            f"binary_cross_entropy_with_logits: logits must be floating, got dtype {x.dtype}"
        )
    if isinstance(targets, Tensor):
        y = targets
    else:
        try:
            y = Tensor(np.asarray(targets, dtype=x.dtype))
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"binary_cross_entropy_with_logits: targets of type {type(targets).__name__} "
                f"cannot be read as {x.dtype} for logits of shape {x.shape}: {e}"
            ) from None
    if y.shape != x.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: targets of shape {y.shape} do not match "
            f"logits of shape {x.shape}"
        )
    if y.dtype != x.dtype:
        y = y.astype(x.dtype)
    return BCEWithLogits.apply(x, y, reduction=reduction)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error ``(input − target)²``, averaged (default), summed, or per element."""
    _check_reduction("mse_loss", reduction)
    x = _as_tensor(input, "mse_loss input")
    y = _as_tensor(target, "mse_loss target")
    if x.shape != y.shape:
        raise ValueError(f"mse_loss: input of shape {x.shape} and target of shape {y.shape} differ")
    d = x - y
    sq = d * d
    if reduction == "mean":
        return sq.mean()
    if reduction == "sum":
        return sq.sum()
    return sq


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight + bias`` with ``weight`` of shape (in_features, out_features).

    Inputs of 2+ dimensions go through one fused op; a 1-D input uses matmul and add.
    """
    xt = _as_tensor(x, "linear input")
    if xt.ndim >= 2:
        if bias is None:
            return Affine.apply(xt, weight)
        return Affine.apply(xt, weight, bias)
    y = xt @ weight
    return y if bias is None else y + bias


def relu(x: Any) -> Tensor:
    return ReLU.apply(x)


def sigmoid(x: Any) -> Tensor:
    return Sigmoid.apply(x)


def tanh(x: Any) -> Tensor:
    return Tanh.apply(x)

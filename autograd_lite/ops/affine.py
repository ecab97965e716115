"""The affine layer ``Y = X W + b`` as one op (derivation 000).

Fusing the product and the bias add halves the nodes a linear layer puts in
the graph, which is most of the per-step overhead of a small MLP.
"""

from __future__ import annotations

from typing import Any

from .._typing import Array
from . import samples
from .base import Op

__all__ = ["Affine"]


class Affine(Op):
    """Y = X W + b, X: (..., D), W: (D, C), b: (C,) or absent   (derivation 000).

    With G = dL/dY:  dL/dX = G Wᵀ,  dL/dW = Xᵀ G (batch axes summed by the engine),
    dL/db = G (its rows summed to (C,) by the engine's broadcast reduction).
    """

    name = "affine"
    formula = "dX = G Wᵀ;  dW = Xᵀ G;  db = Σ_rows G"
    sample = samples.affine

    @staticmethod
    def forward(x: Array, w: Array, b: Array | None = None) -> tuple[Any, Any]:
        if x.ndim < 2 or w.ndim != 2:
            raise ValueError(
                f"affine needs X of 2+ dimensions and a 2-D W, got {x.shape} and {w.shape}"
            )
        if x.shape[-1] != w.shape[0]:
            raise ValueError(f"affine shape mismatch: X {x.shape} @ W {w.shape}")
        y = x @ w
        if b is not None:
            if b.dtype == y.dtype:
                # Into the fresh product: one array fewer.
                y += b
            else:
                # NumPy's promotion, as ``x @ w + b`` gives it (float32 with a float64 b
                # is float64).
                y = y + b
        return y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, w = xs[0], xs[1]
        gx = g @ w.T if needs[0] else None
        gw = x.mT @ g if needs[1] else None
        if len(xs) == 2:
            return gx, gw
        return gx, gw, (g if needs[2] else None)

"""The affine layer ``Y = X W + b`` as one op (derivation 000).

Fusing the product and the bias add halves the nodes a linear layer puts in
the graph, which is most of the per-step overhead of a small MLP.
"""

from __future__ import annotations

from typing import Any

from .._typing import Array
from . import dual, samples
from .base import Op

__all__ = ["Affine"]


class Affine(Op):
    """Y = X W + b, X: (..., D), W: (D, C), b: (C,), absent, or any shape X W broadcasts
    with (Y then has the broadcast shape, as ``x @ w + b``)   (derivation 000).

    With G = dL/dY:  dL/dX = G Wᵀ,  dL/dW = Xᵀ G (batch axes summed by the engine),
    dL/db = G (its rows summed to (C,) by the engine's broadcast reduction).
    When b broadcasts X W to a larger shape, G is first summed back to X W's shape
    (dL/d(XW) = sum_to_shape(G)), which the two products then use.
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
        if b is None:
            return y, None
        if b.dtype == y.dtype:
            try:
                # Into the fresh product: one array fewer.
                y += b
                return y, None
            except ValueError:
                # b broadcasts X W to a larger shape (or not at all: ``+`` below then
                # raises NumPy's broadcast error). NumPy checks the shapes before it
                # writes, so y is still X W here.
                pass
        # NumPy's promotion and broadcasting, as ``x @ w + b`` gives them (float32 with a
        # float64 b is float64).
        xw_shape = y.shape
        y = y + b
        # Saved: X W's shape when b made Y larger, for the VJP to sum G back to.
        return y, (None if y.shape == xw_shape else xw_shape)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, w = xs[0], xs[1]
        gxw = g if saved is None else dual.sum_to_shape(g, saved)
        gx = gxw @ w.T if needs[0] else None
        gw = x.mT @ gxw if needs[1] else None
        if len(xs) == 2:
            return gx, gw
        return gx, gw, (g if needs[2] else None)

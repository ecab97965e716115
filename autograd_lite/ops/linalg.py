"""Matrix products in every ``np.matmul`` case (derivations 000 and 003).

The gufunc signature is ``(n?,k),(k,m?)->(n?,m?)``: a 1-D operand is promoted
to a matrix (a row on the left, a column on the right), the product taken with
batch axes broadcast, and the added axis dropped. The VJP follows the same
steps backwards; the engine sums broadcast batch axes back to each input.
"""

from __future__ import annotations

from typing import Any

from .._typing import Array
from . import samples
from .base import Op

__all__ = ["MatMul"]


def _expand_last(a: Any) -> Any:
    return a.reshape((*a.shape, 1))


def _drop_last(a: Any) -> Any:
    return a.reshape(a.shape[:-1])


def _mismatch(x: Array, w: Array) -> str:
    """What makes ``x @ w`` fail: an operand of no dimension, or contracted axes that differ
    (or batch axes that do not broadcast)."""
    if x.ndim == 0 or w.ndim == 0:
        return f"matmul needs operands of at least 1 dimension, got shapes {x.shape} and {w.shape}"
    kx = x.shape[-1]
    kw = w.shape[-2] if w.ndim >= 2 else w.shape[0]
    if kx != kw:
        axis_w = w.ndim - 2 if w.ndim >= 2 else 0
        return (
            f"matmul shape mismatch: {x.shape} @ {w.shape}: the contracted axis has size "
            f"{kx} (axis {x.ndim - 1} of the first) but {kw} (axis {axis_w} of the second)"
        )
    return (
        f"matmul shape mismatch: {x.shape} @ {w.shape}: the batch axes "
        f"{x.shape[:-2]} and {w.shape[:-2]} do not broadcast"
    )


class MatMul(Op):
    """Y = X @ W with ``np.matmul`` semantics (derivations 000, 003).

    With G = dL/dY:  dL/dX = G Wᵀ,  dL/dW = Xᵀ G  (the affine layer of 000, batched
    over leading axes). The 1-D cases of 003: x (D,) @ W (D,C): dx = W g, dW = outer(x, g);
    W (C,D) @ x (D,): dW = outer(g, x), dx = Wᵀ g; x·w (both 1-D): dx = g w, dw = g x.
    """

    name = "matmul"
    formula = "dX = G Wᵀ;  dW = Xᵀ G"
    sample = samples.matmul
    reads_output = False

    @staticmethod
    def forward(x: Array, w: Array) -> tuple[Any, Any]:
        try:
            return x @ w, None
        except ValueError:
            # Said in terms of the operands (NumPy's message speaks of gufunc signatures).
            raise ValueError(_mismatch(x, w)) from None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, w = xs
        gx = gw = None
        if x.ndim > 1 and w.ndim > 1:
            # Matrices, or stacks of them: the common case, first.
            if needs[0]:
                gx = g @ w.mT
            if needs[1]:
                gw = x.mT @ g
            return gx, gw
        if x.ndim == 1 and w.ndim == 1:
            # A dot product: g is a scalar.
            return (g * w if needs[0] else None), (g * x if needs[1] else None)
        if x.ndim == 1:
            # (k,) @ (..., k, m) -> (..., m): x acts as a row (1, k).
            gcol = _expand_last(g)  # (..., m, 1)
            if needs[0]:
                gx = _drop_last(w @ gcol)  # (..., k)
            if needs[1]:
                gw = _expand_last(x) * g.reshape((*g.shape[:-1], 1, g.shape[-1]))
            return gx, gw
        # What is left: (..., n, k) @ (k,) -> (..., n), w acting as a column (k, 1).
        gcol = _expand_last(g)  # (..., n, 1)
        if needs[0]:
            gx = gcol * w  # (..., n, k)
        if needs[1]:
            gw = _drop_last(x.mT @ gcol)  # (..., k)
        return gx, gw

"""Arithmetic ops with NumPy broadcasting: + - * / ** and negation.

Each VJP returns the gradient in the output's (broadcast) shape; the engine sums
it back to each input's shape (the rule behind every bias gradient of
derivations 000, 001 and 003).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import dual
from .base import Op

__all__ = ["Add", "Div", "Mul", "Neg", "Pow", "PowTensor", "Sub", "power"]


class Add(Op):
    """z = x + y.

    dL/dx = g,  dL/dy = g  (summed over broadcast axes by the engine; derivation 000's
    bias gradient ``db = Σ_rows G`` is this rule).
    """

    formula = "dx = g;  dy = g"
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Any, y: Any) -> tuple[Any, Any]:
        return x + y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return g, g


class Sub(Op):
    """z = x - y.

    dL/dx = g,  dL/dy = -g.
    """

    formula = "dx = g;  dy = -g"
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Any, y: Any) -> tuple[Any, Any]:
        return x - y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return g, (-g if needs[1] else None)


class Mul(Op):
    """z = x ⊙ y.

    dL/dx = g ⊙ y,  dL/dy = g ⊙ x.
    """

    formula = "dx = g ⊙ y;  dy = g ⊙ x"
    reads_output = False

    @staticmethod
    def forward(x: Any, y: Any) -> tuple[Any, Any]:
        return x * y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, y = xs
        return (g * y if needs[0] else None), (g * x if needs[1] else None)


class Div(Op):
    """z = x / y.

    dL/dx = g / y,  dL/dy = -g ⊙ z / y.
    """

    formula = "dx = g / y;  dy = -g ⊙ z / y"

    @staticmethod
    def forward(x: Any, y: Any) -> tuple[Any, Any]:
        return x / y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        _, y = xs
        gx = g / y if needs[0] else None
        gy = -(g * out) / y if needs[1] else None
        return gx, gy


class Neg(Op):
    """z = -x.

    dL/dx = -g.
    """

    formula = "dx = -g"
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return -x, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (-g,)


class Pow(Op):
    """z = x ** p for a constant number p.

    dL/dx = g ⊙ p x^(p-1)   (power rule; ``p == 0`` gives a zero gradient).
    """

    formula = "dx = g ⊙ p·x^(p−1)"
    reads_output = False

    @staticmethod
    def forward(x: Any, p: float) -> tuple[Any, Any]:
        return x**p, p

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (x,) = xs
        p = saved
        if p == 0:
            return (g * 0,)
        if p == 1:
            return (g,)
        if p == 2:
            return (g * (2 * x),)
        return (g * (p * x ** (p - 1)),)


class PowTensor(Op):
    """z = x ** y with y a tensor (for x > 0).

    dL/dx = g ⊙ y x^(y-1),  dL/dy = g ⊙ z ⊙ log x.
    """

    formula = "dx = g ⊙ y·x^(y−1);  dy = g ⊙ z ⊙ log x"

    @staticmethod
    def forward(x: Any, y: Any) -> tuple[Any, Any]:
        return x**y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, y = xs
        gx = g * (y * x ** (y - 1)) if needs[0] else None
        gy = g * (out * dual.log(x)) if needs[1] else None
        return gx, gy


def power(x: Any, exponent: Any) -> Tensor:
    """``x ** exponent``: a number exponent uses :class:`Pow`, a tensor one :class:`PowTensor`."""
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        return Pow.apply(x, p=exponent)
    if isinstance(exponent, np.ndarray) and exponent.ndim == 0:
        return Pow.apply(x, p=exponent.item())
    if isinstance(exponent, Tensor) or isinstance(exponent, np.ndarray):
        return PowTensor.apply(x, exponent)
    shape = x.shape if isinstance(x, Tensor) else np.shape(x)
    raise TypeError(
        f"pow: unsupported exponent of type {type(exponent).__name__} "
        f"(base shape {shape}); use a number or a Tensor"
    )

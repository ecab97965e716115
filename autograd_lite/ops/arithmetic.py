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

__all__ = [
    "Add",
    "AddConstant",
    "Div",
    "Mul",
    "MulConstant",
    "Neg",
    "Pow",
    "PowTensor",
    "Sub",
    "add",
    "mul",
    "power",
    "sub",
]


class Add(Op):
    """z = x + y.

    dL/dx = g,  dL/dy = g  (summed over broadcast axes by the engine; derivation 000's
    bias gradient ``db = Σ_rows G`` is this rule).
    """

    formula = "dx = g;  dy = g"

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


class AddConstant(Op):
    """z = x + c for a Python number c, kept as a parameter rather than made a Tensor.

    dL/dx = g  (as for :class:`Add`; c needs no gradient).
    """

    name = "add_constant"
    formula = "dx = g"

    @staticmethod
    def forward(x: Any, c: float) -> tuple[Any, Any]:
        return x + c, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g,)


class MulConstant(Op):
    """z = c x for a Python number c, kept as a parameter rather than made a Tensor.

    dL/dx = c g  (as for :class:`Mul`; c needs no gradient).
    """

    name = "mul_constant"
    formula = "dx = c·g"

    @staticmethod
    def forward(x: Any, c: float) -> tuple[Any, Any]:
        return x * c, c

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g * saved,)


class Neg(Op):
    """z = -x.

    dL/dx = -g.
    """

    formula = "dx = -g"

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
    raise TypeError(f"pow: unsupported exponent type {type(exponent).__name__}")


def _is_constant(c: Any, x: Any) -> bool:
    """Whether ``c`` can stay a number beside the Tensor ``x``: a Python float, or a Python
    int beside floating data. NumPy then computes exactly what it would with ``c`` made a
    constant array (a float32 tensor stays float32), so no Tensor is built for it."""
    kind = type(c)
    if kind is float:
        return isinstance(x, Tensor)
    return kind is int and isinstance(x, Tensor) and x.data.dtype.kind == "f"


def add(x: Any, y: Any) -> Tensor:
    """``x + y``; a number on either side is a parameter of :class:`AddConstant` (IEEE
    addition commutes, so ``c + x`` is ``x + c`` bit for bit)."""
    if isinstance(y, Tensor) and isinstance(x, Tensor):
        return Add.apply(x, y)
    if _is_constant(y, x):
        return AddConstant.apply(x, c=y)
    if _is_constant(x, y):
        return AddConstant.apply(y, c=x)
    return Add.apply(x, y)


def sub(x: Any, y: Any) -> Tensor:
    """``x - y``; ``x - c`` is ``x + (-c)`` bit for bit, so a number ``y`` uses
    :class:`AddConstant`."""
    if _is_constant(y, x):
        return AddConstant.apply(x, c=-y)
    return Sub.apply(x, y)


def mul(x: Any, y: Any) -> Tensor:
    """``x * y``; a number on either side is a parameter of :class:`MulConstant`."""
    if isinstance(y, Tensor) and isinstance(x, Tensor):
        return Mul.apply(x, y)
    if _is_constant(y, x):
        return MulConstant.apply(x, c=y)
    if _is_constant(x, y):
        return MulConstant.apply(y, c=x)
    return Mul.apply(x, y)

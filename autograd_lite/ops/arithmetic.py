"""Arithmetic ops with NumPy broadcasting: + - * / ** and negation.

Each VJP returns the gradient in the output's (broadcast) shape; the engine sums
it back to each input's shape (the rule behind every bias gradient of
derivations 000, 001 and 003).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import dual, samples
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
    "sqrt",
    "sub",
]


class Add(Op):
    """z = x + y.

    dL/dx = g,  dL/dy = g  (summed over broadcast axes by the engine; derivation 000's
    bias gradient ``db = Σ_rows G`` is this rule).
    """

    formula = "dx = g;  dy = g"
    sample = samples.broadcast({}, {})
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
    No derivation file applies.
    """

    formula = "dx = g;  dy = -g"
    sample = samples.broadcast({}, {})
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
    No derivation file applies.
    """

    formula = "dx = g ⊙ y;  dy = g ⊙ x"
    sample = samples.broadcast({}, {})
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
    No derivation file applies.
    """

    formula = "dx = g / y;  dy = -g ⊙ z / y"
    sample = samples.broadcast({}, {"away_from": (0.0,), "min_distance": 0.3})

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

    dL/dx = g  (as for :class:`Add`; c needs no gradient). No derivation file applies.
    """

    name = "add"
    formula = "dx = g"
    sample = samples.constant
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Any, c: float) -> tuple[Any, Any]:
        return x + c, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g,)


class MulConstant(Op):
    """z = c x for a Python number c, kept as a parameter rather than made a Tensor.

    dL/dx = c g  (as for :class:`Mul`; c needs no gradient). No derivation file applies.
    """

    name = "mul"
    formula = "dx = c·g"
    sample = samples.constant
    reads_inputs = False
    reads_output = False

    @staticmethod
    def forward(x: Any, c: float) -> tuple[Any, Any]:
        return x * c, c

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g * saved,)


class Neg(Op):
    """z = -x.

    dL/dx = -g.
    No derivation file applies.
    """

    formula = "dx = -g"
    sample = samples.elementwise()
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
    No derivation file applies.
    """

    formula = "dx = g ⊙ p·x^(p−1)"
    sample = samples.power
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
            # x + x is 2x exactly, without NumPy converting a Python 2 first.
            return (g * (x + x),)
        try:
            return (g * (p * x ** (p - 1)),)
        except (ZeroDivisionError, OverflowError) as e:
            # Python floats (a Scalar's) raise where arrays give inf: say where it happened.
            raise type(e)(f"backward of pow: {x!r} ** {p - 1!r}: {e}") from None


class PowTensor(Op):
    """z = x ** y with y a tensor (for x > 0).

    dL/dx = g ⊙ y x^(y-1),  dL/dy = g ⊙ z ⊙ log x.
    No derivation file applies.
    """

    name = "pow"
    formula = "dx = g ⊙ y·x^(y−1);  dy = g ⊙ z ⊙ log x"
    sample = samples.broadcast({"min_value": 0.2}, {"min_value": -2.0, "max_value": 2.0})

    @staticmethod
    def forward(x: Any, y: Any) -> tuple[Any, Any]:
        return x**y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, y = xs
        gx = g * (y * x ** (y - 1)) if needs[0] else None
        gy = None
        if needs[1]:
            # log x in the output's dtype: a float32 base under a float64 exponent must
            # not give the exponent's gradient float32 accuracy.
            gy = g * (out * dual.log(x if x.dtype == out.dtype else x.astype(out.dtype)))
        return gx, gy


def power(x: Any, exponent: Any) -> Tensor:
    """``x ** exponent``: a number exponent uses :class:`Pow`, a tensor one :class:`PowTensor`."""
    if type(exponent) is int or type(exponent) is float:
        # The common case, ahead of the slower abstract-class check below.
        return Pow.apply(x, p=exponent)
    if isinstance(exponent, np.ndarray) and exponent.ndim == 0:
        exponent = exponent[()]
    if isinstance(exponent, (numbers.Real, np.bool_)):
        # A NumPy number or a bool keeps its type, so the result's dtype is NumPy's: float32
        # ** np.float64(2) is float64, float32 ** np.float32(2) float32, a bool tensor ** True
        # int8 (Pow's VJP takes True and False as 1 and 0). Another real (a Fraction) is
        # its float.
        if isinstance(exponent, (bool, np.bool_, int, np.integer, np.floating)):
            p: Any = exponent
        else:
            p = float(exponent)
        return Pow.apply(x, p=p)
    if isinstance(exponent, (Tensor, np.ndarray, list, tuple)):
        # A list or tuple is an array, as in NumPy and as for the other operators.
        return PowTensor.apply(x, exponent)
    shape = x.shape if isinstance(x, Tensor) else np.shape(x)
    raise TypeError(
        f"pow: unsupported exponent of type {type(exponent).__name__} "
        f"(base shape {shape}); use a number or a Tensor"
    )


def sqrt(x: Tensor) -> Tensor:
    """``x ** 0.5``. Integer and bool data are first converted to the float dtype ``np.sqrt``
    gives them (float16 for 8-bit ones, float32 for 16-bit ones, float64 for wider ones)."""
    if x.dtype.kind != "f":
        x = x.astype(np.result_type(x.dtype, np.float16))
    return Pow.apply(x, p=0.5)


def div(x: Any, y: Any) -> Tensor:
    """``x / y``. True division computes in floating point, so a Python int or bool beside an
    integer or bool Tensor is a float64 (as NumPy takes it: uint8 / -2 is float64, where a
    uint8 constant could not hold -2)."""
    if type(y) in (int, bool) and isinstance(x, Tensor) and x.dtype.kind in "biu":
        y = np.float64(y)
    elif type(x) in (int, bool) and isinstance(y, Tensor) and y.dtype.kind in "biu":
        x = np.float64(x)
    return Div.apply(x, y)


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

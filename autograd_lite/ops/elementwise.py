"""Elementwise activations and transcendental functions (derivation 003).

Every gradient here is ``g`` times the local derivative, written in terms of the
input ``x`` or, where cheaper and as exact, of the output ``y``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, constant
from . import samples
from .base import Op

__all__ = ["Abs", "Exp", "Log", "ReLU", "Sigmoid", "Tanh"]


class ReLU(Op):
    """y = max(x, 0)   (derivation 003).

    dL/dx = g ⊙ 1[x > 0].  Subgradient choice: relu'(0) = 0, as in 003 (``x ≤ 0 → 0``).
    """

    name = "relu"
    formula = "dx = g ⊙ 1[x > 0]"
    sample = samples.elementwise(away_from=(0.0,))
    reads_output = False

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return np.maximum(x, constant(0, (), x.dtype)), None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (x,) = xs
        if type(x) is np.ndarray:
            # A cached zero of x's dtype: NumPy converts a Python 0 at as much cost again.
            return (g * (x > constant(0, (), x.dtype)),)
        # A Scalar's float, or a Tensor or Scalar node under create_graph=True.
        return (g * (x > 0.0),)


class Sigmoid(Op):
    """y = 1 / (1 + e^(−x))   (derivation 003).

    dL/dx = g ⊙ y(1 − y)   (003 reaches it through d(1/u) = −1/u²).
    Computed from e^(−|x|), which never overflows: ±1000 give exactly 1 and 0. Integer and
    bool inputs give the float dtype ``np.exp`` gives them (float16 for 8-bit ones).
    """

    formula = "dx = g ⊙ y(1 − y)"
    sample = samples.elementwise(min_value=-8.0, max_value=8.0)
    reads_inputs = False

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        if x.dtype.kind != "f":
            # −|x| wraps around in unsigned types (and at the minimum of signed ones): work
            # in the float dtype np.exp resolves the input to, where it cannot.
            x = x.astype(np.result_type(x.dtype, np.float16))
        e = np.exp(-np.abs(x))
        d = 1 + e
        return np.where(x >= 0, 1 / d, e / d), None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g * (out * (1 - out)),)


class Tanh(Op):
    """y = tanh x.

    dL/dx = g ⊙ (1 − y²).
    No derivation file applies.
    """

    formula = "dx = g ⊙ (1 − y²)"
    sample = samples.elementwise()
    reads_inputs = False

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return np.tanh(x), None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g * (1 - out * out),)


class Exp(Op):
    """y = e^x   (derivation 003).

    dL/dx = g ⊙ e^x = g ⊙ y.
    """

    formula = "dx = g ⊙ y"
    sample = samples.elementwise()
    reads_inputs = False

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return np.exp(x), None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g * out,)


class Log(Op):
    """y = ln x   (x > 0).

    dL/dx = g / x.
    No derivation file applies.
    """

    formula = "dx = g / x"
    sample = samples.elementwise(min_value=0.05, max_value=5.0)
    reads_output = False

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return np.log(x), None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (x,) = xs
        return (g / x,)


class Abs(Op):
    """y = |x|.

    dL/dx = g ⊙ sign(x).  Subgradient choice: |·|'(0) = 0.
    No derivation file applies.
    """

    formula = "dx = g ⊙ sign(x)"
    sample = samples.elementwise(away_from=(0.0,))
    reads_output = False

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return np.abs(x), None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (x,) = xs
        # One product, not g·1[x > 0] − g·1[x < 0]: an infinite g gives ±g, not inf − inf.
        if isinstance(x, Tensor):
            # create_graph=True: sign is piecewise constant, so it needs no node.
            return (g * Tensor._wrap(np.sign(x.data)),)
        return (g * np.sign(x),)

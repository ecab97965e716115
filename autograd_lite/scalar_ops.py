"""The Scalar ops Tensor has no one-to-one counterpart for, each forward beside its VJP.

Every other Scalar op runs the Tensor op's own VJP (see :mod:`autograd_lite.scalar`).
These three follow the same contract (``name``, ``formula``, ``vjp(g, xs, out, saved,
needs)``, written with operators only, so ``create_graph=True`` works), with an
``apply`` that computes the float forward and records the node.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from operator import mul
from typing import Any, ClassVar

from .scalar import Scalar, _const, _node, _number, _pow

__all__ = ["Dot", "PowScalar", "SumN"]


class PowScalar:
    """z = x ** y with y a Scalar, for x > 0 (the Scalar form of ``PowTensor``).

    dL/dx = g · y x^(y−1),  dL/dy = g · z · log x.
    """

    name: ClassVar[str] = "powtensor"
    formula: ClassVar[str] = "dx = g·y·x^(y−1);  dy = g·z·log x"

    @staticmethod
    def apply(x: Scalar, y: Scalar) -> Scalar:
        # NaN is not refused: it gives NaN, as ``Scalar.log`` does.
        if x.data <= 0.0:
            raise ValueError(f"Scalar ** Scalar: needs a positive base, got {x.data!r}")
        return _node(_pow(x.data, y.data), PowScalar, (x, y), None)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        x, y = xs
        try:
            gx = g * (y * x ** (y - 1)) if needs[0] else None
        except (ZeroDivisionError, OverflowError) as e:
            raise type(e)(f"backward of pow: {x!r} ** ({y!r} - 1): {e}") from None
        gy = g * (out * (x.log() if isinstance(x, Scalar) else math.log(x))) if needs[1] else None
        return gx, gy


def _exact_sum(xs: list[float]) -> float:
    """The exact sum rounded once, whatever the order of the terms (``math.fsum``), also
    where fsum gives up: +inf and -inf together are NaN, and a sum whose partial sums
    overflow is taken exactly in fractions (1e308 + 1e308 - 1e308 is 1e308)."""
    try:
        return math.fsum(xs)
    except ValueError:
        return math.nan
    except OverflowError:
        # Partial sums overflowed. An infinite or NaN term decides the sum by itself.
        if any(math.isnan(x) for x in xs):
            return math.nan
        up, down = math.inf in xs, -math.inf in xs
        if up or down:
            return math.nan if up and down else (math.inf if up else -math.inf)
        total = sum(map(Fraction, xs))
        try:
            return float(total)
        except OverflowError:
            return math.inf if total > 0 else -math.inf


class SumN:
    """z = Σᵢ xᵢ over n Scalars: the n-ary form of ``Add`` (derivation 000's bias rule,
    db = Σ G, read backwards: each term receives g).

    dL/dxᵢ = g for every i.
    """

    name: ClassVar[str] = "sum"
    formula: ClassVar[str] = "dxᵢ = g"

    @staticmethod
    def apply(values: Iterable[Any]) -> Scalar:
        parents = tuple(v if isinstance(v, Scalar) else _const(_number(v, "sum")) for v in values)
        return _node(_exact_sum([p.data for p in parents]), SumN, parents, None)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g,) * len(xs)


class Dot:
    """z = Σᵢ wᵢ xᵢ + b: one output of the affine layer of derivation 000 (N = C = 1).

    dL/dwᵢ = g xᵢ,  dL/dxᵢ = g wᵢ,  dL/db = g  (000: dW = Xᵀ G, dX = G Wᵀ, db = Σ G).
    Parents are ``(w₁…wₙ, x₁…xₙ, b)``; ``saved`` is n.
    """

    name: ClassVar[str] = "dot"
    formula: ClassVar[str] = "dwᵢ = g·xᵢ;  dxᵢ = g·wᵢ;  db = g"

    @staticmethod
    def apply(ws: Sequence[Any], xs: Sequence[Any], bias: Any) -> Scalar:
        n = len(ws)
        if len(xs) != n:
            raise ValueError(f"Scalar.dot: {n} weights but {len(xs)} inputs")
        parents = (*ws, *xs, bias)
        if set(map(type, parents)) != _ONLY_SCALARS:
            parents = tuple(
                v if isinstance(v, Scalar) else _const(_number(v, "dot")) for v in parents
            )
        data = [p.data for p in parents]
        # The bias first, then the terms in order, as the chain b + w₁x₁ + w₂x₂ + … adds.
        return _node(sum(map(mul, data[:n], data[n:-1]), data[-1]), Dot, parents, n)

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        # Every gradient is computed, needed or not: cheaper than testing ``needs``, and
        # the engine drops the ones no input asked for.
        n = saved
        return (*[g * x for x in xs[n:-1]], *[g * w for w in xs[:n]], g)


_ONLY_SCALARS = {Scalar}

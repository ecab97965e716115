"""``Scalar``: a Python float that records the ops applied to it.

The scalar engine for learning backprop and for graphs of a few hundred numbers.
A Scalar is a node of the same contract as ``Tensor`` (:class:`engine.Node`) and
``backward()`` is the same engine code, so the semantics are Tensor's: gradients
accumulate into leaves, intermediates hold none, the graph is released after one
backward, ``no_grad()`` applies. Forwards run on floats with :mod:`math`; each
node's VJP is the Tensor op's own (``Mul.vjp`` serves both), which is written with
plain operators and so runs on floats unchanged. Only the ops Tensor has no
counterpart for (a Scalar exponent, the n-ary ``sum`` and ``dot``) carry a VJP of
their own, beside their forward in :mod:`autograd_lite.scalar_ops`, citing the
same derivation.

Floats follow Python's rules, with errors that say which op failed: division by
zero raises ZeroDivisionError, ``log`` of x ≤ 0 and a negative base under a
fractional power raise ValueError, and overflow in ``**`` and ``exp`` raises
OverflowError (``+``, ``*`` and ``/`` give ±inf, as floats do).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from operator import add, mul, sub
from typing import Any

from . import engine
from .engine import mode, next_seq
from .ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from .ops.elementwise import Exp, Log, ReLU, Sigmoid, Tanh
from .tensor import Tensor

__all__ = ["Scalar"]

_new = object.__new__


def _number(x: Any, op: str) -> float:
    """A non-Scalar operand as a float, or a TypeError naming its type."""
    if isinstance(x, (int, float, numbers.Real)):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(
                f"Scalar {op}: an int of {len(str(x))} digits is too large for a float"
            ) from None
    if isinstance(x, Tensor):
        raise _mixed(op)
    raise TypeError(
        f"Scalar {op}: unsupported operand type {type(x).__name__} (use a Scalar, int or float)"
    )


def _mixed(op: str) -> TypeError:
    return TypeError(
        f"Scalar {op}: a Scalar and a Tensor do not mix; use float(s) or s.data for the "
        "number of a Scalar s"
    )


def _const(value: float) -> Scalar:
    s: Scalar = _new(Scalar)
    s.data = value
    s.grad = None
    s.requires_grad = False
    s._op = None
    s._parents = ()
    s._saved = None
    s._retains_grad = False
    return s


def _node(data: float, op: Any, parents: tuple[Scalar, ...], saved: Any) -> Scalar:
    """The result of an op: recorded when grad mode is on and a parent requires grad."""
    s: Scalar = _new(Scalar)
    s.data = data
    s.grad = None
    s._retains_grad = False
    s._saved = saved
    if mode().enabled:
        for p in parents:
            if p.requires_grad:
                s.requires_grad = True
                s._op = op
                s._parents = parents
                s._seq = next_seq()
                return s
    s.requires_grad = False
    s._op = None
    s._parents = ()
    return s


def _div(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        raise ZeroDivisionError(f"Scalar /: division of {x!r} by zero") from None


def _binary(
    name: str, op: Any, forward: Callable[[float, float], float], symbol: str
) -> Callable[[Scalar, Any], Scalar]:
    """The method ``name``: ``x (symbol) y``, or ``y (symbol) x`` for a reflected name
    (``__radd__``), recording ``op``.

    The node is built inline rather than by :func:`_node`: binary ops are most of a
    scalar graph, and a Python call per op is a large part of their cost.
    """

    reflected = name.startswith("__r")

    def method(self: Scalar, other: Any) -> Scalar:
        if type(other) is not Scalar:
            other = other if isinstance(other, Scalar) else _const(_number(other, symbol))
        x, y = (other, self) if reflected else (self, other)
        s: Scalar = _new(Scalar)
        s.data = forward(x.data, y.data)
        s.grad = None
        s._retains_grad = False
        s._saved = None
        if (x.requires_grad or y.requires_grad) and mode().enabled:
            s.requires_grad = True
            s._op = op
            s._parents = (x, y)
            s._seq = next_seq()
        else:
            s.requires_grad = False
            s._op = None
            s._parents = ()
        return s

    method.__name__ = method.__qualname__ = name
    return method


class Scalar(engine.GradNode):
    """A float with reverse-mode automatic differentiation.

    ``Scalar(x, requires_grad=True)``: ``.data`` is ``float(x)``; ``.grad`` is None until
    a ``backward()`` reaches the Scalar, then a float. ``requires_grad=False`` makes a
    constant. Works with ints and floats on either side of every operator; comparisons
    compare ``.data`` and return bools. Hashing is by identity, so Scalars can key dicts
    and sets while their values change.
    """

    __slots__ = (
        "__weakref__",
        "_op",
        "_parents",
        "_retains_grad",
        "_saved",
        "_seq",
        "data",
        "grad",
        "requires_grad",
    )
    # NumPy numbers on the left defer to Scalar's reflected operators.
    __array_ufunc__ = None
    __hash__ = object.__hash__

    data: float
    grad: Any
    requires_grad: bool
    _op: Any
    _parents: tuple[Scalar, ...] | None
    _saved: Any
    _retains_grad: bool
    _seq: int  # set only on recorded nodes (engine.next_seq)

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        if isinstance(data, Scalar):
            data = data.data
        self.data = _number(data, "constructor")
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Scalar: requires_grad must be a bool, got {requires_grad!r}")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._op = None
        self._parents = ()
        self._saved = None
        self._retains_grad = False

    # ----------------------------------------------------------------- properties
    def item(self) -> float:
        return self.data

    def detach(self) -> Scalar:
        """The same value as a constant, cut from the graph."""
        return _const(self.data)

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        return self.data != 0.0

    def __repr__(self) -> str:
        if self._op is not None:
            return f"Scalar({self.data!r}, grad_fn=<{self._op.name}>)"
        if not self.requires_grad:
            return f"Scalar({self.data!r}, requires_grad=False)"
        return f"Scalar({self.data!r}, grad={self.grad!r})"

    # ------------------------------------------------------------------ the graph
    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        explain: bool = False,
    ) -> None:
        """Accumulate d(self)/d(leaf) · ``grad`` (1 when left out; a number or a Scalar,
        as Tensor.backward's first argument) into the ``.grad`` of every leaf that
        requires grad.

        The graph is released afterwards unless ``retain_graph=True`` (which
        ``create_graph=True`` implies); ``create_graph=True`` records the backward pass
        itself, leaving Scalars in ``.grad``. ``explain=True`` also prints each step, as
        :func:`autograd_lite.explain` does.
        """
        seed: Any = 1.0 if grad is None else self._seed(grad, "backward()")
        if create_graph:
            seed = grad if isinstance(grad, Scalar) else _const(seed)
        self._backward_from(seed, retain_graph, create_graph, explain)

    def _seed(self, grad: Any, what: str) -> float:
        """``grad``, the upstream gradient of this Scalar, as a float; ``what`` names the
        caller in the error for anything but a number or a Scalar."""
        if isinstance(grad, bool) or not isinstance(grad, (Scalar, numbers.Real)):
            raise TypeError(f"{what}: grad must be a number or a Scalar, got {grad!r}")
        return float(grad.data if isinstance(grad, Scalar) else grad)

    # Scalars are never written in place: no versions for the engine to check.
    _versions: None = None

    def _fit_grad(self, g: Any) -> Any:
        # The gradient of a float is a float: nothing to reduce or cast.
        return g

    def _check_grad(self) -> None:
        if isinstance(self.grad, bool) or not isinstance(self.grad, (int, float)):
            raise RuntimeError(
                f"backward(): a Scalar's .grad must be a number, got {self.grad!r}; set it to "
                "None or to a float. No .grad was changed"
            )

    def _accumulate(self, g: Any, owned: bool = False) -> None:
        self.grad = g if self.grad is None else self.grad + g

    # ---------------------------------------------------------------- arithmetic
    # Each binary op: the float forward and the Tensor op whose VJP it records.
    __add__ = _binary("__add__", Add, add, "+")
    __radd__ = _binary("__radd__", Add, add, "+")
    __sub__ = _binary("__sub__", Sub, sub, "-")
    __rsub__ = _binary("__rsub__", Sub, sub, "-")
    __mul__ = _binary("__mul__", Mul, mul, "*")
    __rmul__ = _binary("__rmul__", Mul, mul, "*")
    __truediv__ = _binary("__truediv__", Div, _div, "/")
    __rtruediv__ = _binary("__rtruediv__", Div, _div, "/")

    def __pow__(self, exponent: Any) -> Scalar:
        if isinstance(exponent, Scalar):
            return scalar_ops.PowScalar.apply(self, exponent)
        p = _number(exponent, "**")
        return _node(_pow(self.data, p), Pow, (self,), p)

    def __rpow__(self, base: Any) -> Scalar:
        return scalar_ops.PowScalar.apply(_const(_number(base, "**")), self)

    def __neg__(self) -> Scalar:
        return _node(-self.data, Neg, (self,), None)

    def __pos__(self) -> Scalar:
        return self

    # Comparisons compare values and record nothing.
    def __lt__(self, other: Any) -> bool:
        return self.data < _value(other, "<")

    def __le__(self, other: Any) -> bool:
        return self.data <= _value(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self.data > _value(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self.data >= _value(other, ">=")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Scalar):
            return self.data == other.data
        if isinstance(other, (int, float, numbers.Real)):
            # bool(): a NumPy number (np.float64 too, a float subclass) answers np.bool_.
            return bool(self.data == other)
        if isinstance(other, Tensor):
            # Refused here: Tensor's reflected == would fail on Scalar's __array_ufunc__.
            raise _mixed("==")
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    # --------------------------------------------------------------- elementwise
    def relu(self) -> Scalar:
        x = self.data
        # relu'(0) = 0 (ReLU's subgradient choice): the VJP tests x > 0. Built inline, as
        # the binary ops are: relu is in every hidden neuron.
        s: Scalar = _new(Scalar)
        # NaN stays NaN, as max(x, 0) gives it for a Tensor.
        s.data = x if x > 0.0 else (0.0 if x == x else x)
        s.grad = None
        s._retains_grad = False
        s._saved = None
        if self.requires_grad and mode().enabled:
            s.requires_grad = True
            s._op = ReLU
            s._parents = (self,)
            s._seq = next_seq()
        else:
            s.requires_grad = False
            s._op = None
            s._parents = ()
        return s

    def sigmoid(self) -> Scalar:
        x = self.data
        # From e^(−|x|), which cannot overflow (Sigmoid's stable form).
        if x >= 0.0:
            y = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            y = e / (1.0 + e)
        return _node(y, Sigmoid, (self,), None)

    def tanh(self) -> Scalar:
        return _node(math.tanh(self.data), Tanh, (self,), None)

    def exp(self) -> Scalar:
        try:
            y = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"Scalar exp: e^{self.data!r} overflows a float") from None
        return _node(y, Exp, (self,), None)

    def log(self) -> Scalar:
        x = self.data
        # NaN is not refused: it gives NaN, as math.log and Tensor.log do.
        if x <= 0.0:
            raise ValueError(f"Scalar log: needs x > 0, got {x!r}")
        return _node(math.log(x), Log, (self,), None)

    # ----------------------------------------------------------------- n-ary ops
    @staticmethod
    def sum(values: Iterable[Any]) -> Scalar:
        """Σ values as one node (one edge per term, where ``sum()`` makes a chain)."""
        return scalar_ops.SumN.apply(values)

    @staticmethod
    def dot(ws: Sequence[Any], xs: Sequence[Any], bias: Any = 0.0) -> Scalar:
        """Σᵢ wsᵢ·xsᵢ + bias as one node: a neuron's pre-activation (derivation 000)."""
        return scalar_ops.Dot.apply(ws, xs, bias)


def _value(x: Any, op: str) -> float:
    return x.data if isinstance(x, Scalar) else _number(x, op)


def _pow(x: float, p: float) -> float:
    try:
        y: float = x**p
    except ZeroDivisionError:
        raise ZeroDivisionError(f"Scalar **: {x!r} ** {p!r} divides by zero") from None
    except OverflowError:
        raise OverflowError(f"Scalar **: {x!r} ** {p!r} overflows a float") from None
    if isinstance(y, complex):
        raise ValueError(f"Scalar **: {x!r} ** {p!r} is not real (negative base)")
    return y


# The Scalar-only ops build Scalars, so they come after the class.
from . import scalar_ops  # noqa: E402

"""The op contract: one class per op, its forward beside its vector-Jacobian product.

``forward(*arrays, **params) -> (out, saved)`` computes on ndarrays.
``vjp(g, xs, out, saved, needs) -> per-input gradients`` is written only with
operations that ndarrays and Tensors share (operators, ``.T``, ``.mT``,
``.sum(axis, keepdims)``, ``.reshape``, ``.astype`` and the helpers of
:mod:`autograd_lite.ops.dual`), so the engine runs the same code on arrays for
a plain backward and on Tensors for ``create_graph=True``. A VJP returns each
gradient in the broadcast shape of the output; the engine reduces it to the
input's shape. ``saved`` holds only constants (axes, shapes, masks): inputs and
output reach the VJP as ``xs`` and ``out``.

Defining a subclass registers it in :data:`REGISTRY`. The registry test
(tests/ops/test_registry.py) then checks every op of the package without anyone
writing a test for it, from three things the class states:

- its docstring: the forward formula, one line per input's VJP, and the derivation
  file it implements ("derivation 003") or "no derivation file applies";
- ``formula``: the VJPs on one line (shown by ``ag.explain``);
- ``sample``: how to draw a valid call, ``sample(draw) -> (inputs, params)`` with
  ``draw`` hypothesis's ``data.draw``. The samplers of :mod:`autograd_lite.ops.samples`
  cover most ops (``sample = samples.elementwise(away_from=(0.0,))`` for relu); an op
  with an unusual domain writes its own. The test gradchecks ``Op.apply(*inputs,
  **params)`` over the drawn calls and checks float32 inputs give float32 outputs and
  gradients. An op without ``sample`` fails the test with a message saying what to add.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .. import anomaly
from ..engine import mode, next_seq
from ..tensor import Tensor
from .samples import Sampler

__all__ = ["REGISTRY", "Op"]

REGISTRY: dict[str, type[Op]] = {}

#: "autograd_lite.": ops of modules under it are the package's own.
_PACKAGE = __name__.partition(".")[0] + "."
_new = object.__new__
#: The error for a Scalar used as a Tensor operand (in arithmetic or a comparison).
MIXED_WITH_SCALAR = (
    "a Tensor and a Scalar do not mix; use float(s) or s.data for the number of a Scalar s"
)
_UNWRITTEN_1 = (0,)
_UNWRITTEN_2 = (0, 0)


class Op:
    """Base class of every Tensor op (and of user-defined ones, as ``ag.Function``).

    Subclasses define ``forward`` and ``vjp`` as static methods. ``name`` defaults to
    the lower-case class name and is what errors and ``explain`` show.
    """

    name: ClassVar[str] = "op"
    #: A one-line statement of the VJP for each input, shown by ``ag.explain``.
    formula: ClassVar[str] = ""
    #: Whether ``vjp`` reads the inputs' / the output's values. The engine raises when a
    #: value it reads was changed in place after the forward; False skips that check.
    reads_inputs: ClassVar[bool] = True
    reads_output: ClassVar[bool] = True
    #: How the registry test draws a valid call: ``sample(draw) -> (inputs, params)``
    #: (see :mod:`autograd_lite.ops.samples`). None fails that test for ops of the package.
    sample: ClassVar[Sampler | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()
        REGISTRY[f"{cls.__module__}.{cls.__qualname__}"] = cls
        if not cls.__module__.startswith(_PACKAGE):
            _check_results(cls)

    @staticmethod
    def forward(*xs: Any, **params: Any) -> tuple[Any, Any]:
        raise NotImplementedError

    @staticmethod
    def vjp(
        g: Any, xs: tuple[Any, ...], out: Any, saved: Any, needs: tuple[bool, ...]
    ) -> tuple[Any, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **params: Any) -> Tensor:
        """Run ``forward`` on the inputs' data and record the node when a grad is needed.

        This runs once per op of every forward pass, so it is written for speed: one to
        three inputs (nearly every op) are passed without unpacking a sequence, an op
        without parameters without an empty ``**params``, the mode is read once, and the
        output Tensor is built here rather than by a call to ``Tensor._wrap``.
        """
        tensors: tuple[Tensor, ...] = inputs
        for x in inputs:
            if not isinstance(x, Tensor):
                tensors = _as_tensors(inputs)
                break
        n = len(tensors)
        try:
            if params:
                if n == 1:
                    data, saved = cls.forward(tensors[0].data, **params)
                else:
                    data, saved = cls.forward(*[t.data for t in tensors], **params)
            elif n == 1:
                data, saved = cls.forward(tensors[0].data)
            elif n == 2:
                data, saved = cls.forward(tensors[0].data, tensors[1].data)
            elif n == 3:
                data, saved = cls.forward(tensors[0].data, tensors[1].data, tensors[2].data)
            else:
                data, saved = cls.forward(*[t.data for t in tensors])
        except (ValueError, TypeError, IndexError, OverflowError) as e:
            raise _plain_error(e)(f"{cls.name}: {e} ({_describe(tensors)})") from None
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        out: Tensor = _new(Tensor)
        out.data = data
        out.grad = None
        out._retains_grad = False
        out._version = 0
        # A node is recorded in grad mode, for an output that can carry a gradient (a cast
        # to int ends the graph) when some input requires grad.
        record = False
        current = mode()
        if current.enabled and data.dtype.kind == "f":
            for t in tensors:
                if t.requires_grad:
                    record = True
                    break
        if record:
            out.requires_grad = True
            out._op = cls
            out._parents = tensors
            out._saved = saved
            out._seq = next_seq()
            # The inputs' versions. Inputs never written (nearly all) share one tuple: an
            # object fewer per node for the garbage collector to track.
            if n == 1:
                v = tensors[0]._version
                out._versions = (v,) if v else _UNWRITTEN_1
            elif n == 2:
                v, w = tensors[0]._version, tensors[1]._version
                out._versions = (v, w) if v or w else _UNWRITTEN_2
            else:
                out._versions = tuple([t._version for t in tensors])
        else:
            out.requires_grad = False
            out._op = None
            out._parents = ()
            out._saved = None
        if current.anomaly:
            anomaly.record(out, tensors, cls.name)
        return out


def _check_results(cls: type[Op]) -> None:
    """Wrap a user-defined op's ``forward`` and ``vjp`` in checks of what they return.

    A forward that returns only its output would be unpacked as ``(output, saved)`` when
    the output has two rows, and a VJP that returns one gradient too few would leave an
    input without one: both silently. The package's own ops, checked by the registry
    test, run unwrapped (the checks would cost every op of every graph).
    """

    def forward_checked(result: Any) -> Any:
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError(f"forward must return a tuple (output, saved), got {_what(result)}")
        return result

    def vjp_checked(grads: Any, xs: tuple[Any, ...]) -> Any:
        if not isinstance(grads, (tuple, list)) or len(grads) != len(xs):
            raise TypeError(
                f"the vjp of {cls.name} returned {_what(grads)}; it must return a tuple with "
                f"one gradient (or None) per input, {len(xs)} here"
            )
        return tuple(grads)

    for attr, check in (("forward", forward_checked), ("vjp", vjp_checked)):
        if attr in cls.__dict__:
            setattr(cls, attr, _wrapped(cls.__dict__[attr], check, attr == "vjp"))


def _wrapped(method: Any, check: Callable[..., Any], is_vjp: bool) -> Any:
    """``method`` (a staticmethod, a classmethod or a plain function in a class body) with
    ``check`` applied to what it returns, of the same kind, so that a classmethod still
    sees the class it is called on."""
    kind = type(method) if isinstance(method, (staticmethod, classmethod)) else staticmethod
    fn = method.__func__ if isinstance(method, (staticmethod, classmethod)) else method
    # The vjp's xs: its second argument, after the class for a classmethod.
    at = (2 if kind is classmethod else 1) if is_vjp else -1

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        return check(result, args[at]) if is_vjp else check(result)

    return kind(checked)


def _what(result: Any) -> str:
    if isinstance(result, (tuple, list)):
        return f"a {type(result).__name__} of {len(result)}"
    return f"a value of type {type(result).__name__}"


def _describe(tensors: tuple[Tensor, ...]) -> str:
    shapes = ", ".join(str(t.shape) for t in tensors)
    dtypes = ", ".join(str(t.dtype) for t in tensors)
    return f"input shapes: {shapes}; dtypes: {dtypes}"


def _plain_error(e: Exception) -> type[Exception]:
    """The built-in class of a forward's error, so NumPy's own subclasses (AxisError,
    DTypePromotionError, ...) never reach the user; an IndexError or OverflowError (int8 ** 300)
    stays one."""
    for base in (ValueError, TypeError, IndexError, OverflowError):
        if isinstance(e, base):
            return base
    return ValueError


def _as_tensors(inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    dtypes = [x.dtype for x in inputs if isinstance(x, Tensor)]
    out = []
    for x in inputs:
        if isinstance(x, Tensor):
            out.append(x)
        else:
            out.append(Tensor._wrap(_constant(x, dtypes)))
    return tuple(out)


def _constant(x: Any, dtypes: list[np.dtype[Any]]) -> np.ndarray[Any, Any]:
    """A non-Tensor operand as an array. A Python number takes the dtype NumPy gives it
    beside the Tensors' dtypes: that dtype when its kind can hold the number (float32
    stays float32, int8 + 5 is int8), NumPy's default otherwise (int8 * 1.5 is float64)."""
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        dtype = np.result_type(*dtypes, x)
        if dtype.kind == "O":
            # An int past int64 beside no Tensor of a dtype that can hold it.
            dtype = np.dtype(np.int64)
        try:
            return np.asarray(x, dtype=dtype)
        except OverflowError:
            # As NumPy: int8 + 300 and uint8 - 1 raise rather than wrap around.
            raise OverflowError(f"Python integer {x} is out of bounds for {dtype}") from None
    if isinstance(x, complex) or (isinstance(x, np.ndarray) and x.dtype.kind in "cOUSV"):
        raise TypeError(f"unsupported operand dtype {np.asarray(x).dtype}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as e:
        raise TypeError(f"cannot use a {type(x).__name__} as a Tensor operand: {e}") from None
    if arr.dtype.kind not in "biuf":
        from ..scalar import Scalar

        if isinstance(x, Scalar):
            raise TypeError(MIXED_WITH_SCALAR)
        raise TypeError(f"cannot use a {type(x).__name__} of dtype {arr.dtype} as an operand")
    return arr

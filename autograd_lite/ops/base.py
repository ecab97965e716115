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

Defining a subclass registers it in :data:`REGISTRY`; nothing else is needed.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar

import numpy as np

from ..engine import _mode
from ..tensor import Tensor

__all__ = ["REGISTRY", "Op"]

REGISTRY: dict[str, type[Op]] = {}

_data = attrgetter("data")


class Op:
    """Base class of every Tensor op (and of user-defined ones, as ``ag.Function``).

    Subclasses define ``forward`` and ``vjp`` as static methods. ``name`` defaults to
    the lower-case class name and is what errors and ``explain`` show.
    """

    name: ClassVar[str] = "op"
    #: A one-line statement of the VJP for each input, shown by ``ag.explain``.
    formula: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()
        REGISTRY[f"{cls.__module__}.{cls.__qualname__}"] = cls

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
        """Run ``forward`` on the inputs' data and record the node when a grad is needed."""
        tensors: tuple[Tensor, ...] = inputs
        for x in inputs:
            if not isinstance(x, Tensor):
                tensors = _as_tensors(inputs)
                break
        try:
            data, saved = cls.forward(*map(_data, tensors), **params)
        except (ValueError, TypeError) as e:
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise type(e)(f"{cls.name}: {e} (input shapes: {shapes})") from None
        out = Tensor._wrap(data)
        if _mode.enabled:
            for t in tensors:
                if t.requires_grad:
                    out.requires_grad = True
                    out._op = cls
                    out._parents = tensors
                    out._saved = saved
                    break
        return out


def _as_tensors(inputs: tuple[Any, ...]) -> tuple[Tensor, ...]:
    like: np.dtype[Any] | None = None
    for x in inputs:
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            like = x.dtype
            break
    out = []
    for x in inputs:
        if isinstance(x, Tensor):
            out.append(x)
        else:
            out.append(Tensor._wrap(_constant(x, like)))
    return tuple(out)


def _constant(x: Any, like: np.dtype[Any] | None) -> np.ndarray[Any, Any]:
    """A non-Tensor operand as an array. A Python number next to a floating Tensor takes
    that Tensor's dtype, as NumPy treats Python scalars (float32 stays float32)."""
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        if like is not None:
            return np.asarray(x, dtype=like)
        return np.asarray(x)
    if isinstance(x, complex) or (isinstance(x, np.ndarray) and x.dtype.kind in "cOUSV"):
        raise TypeError(f"unsupported operand dtype {np.asarray(x).dtype}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as e:
        raise TypeError(f"cannot use a {type(x).__name__} as a Tensor operand: {e}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"cannot use a {type(x).__name__} of dtype {arr.dtype} as an operand")
    return arr

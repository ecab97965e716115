"""``Tensor``: an ndarray that records the ops applied to it.

The class holds data and the node slots the engine reads; every op lives in
:mod:`autograd_lite.ops` and every method here is a one-line delegation to one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from . import engine
from ._typing import Array, AxisLike, DTypeLike

__all__ = ["Tensor"]


class Tensor(engine.GradNode):
    """A multi-dimensional array with reverse-mode automatic differentiation.

    ``Tensor(data, requires_grad=False, dtype=None)`` copies ``data`` (a number,
    nested list or ndarray). Python floats become float64. Dtypes combine as NumPy's
    do: a float32 tensor stays float32 through every op, with Python numbers and with
    other float32 tensors, and becomes float64 beside a float64 array, a NumPy float64
    number or an int64 tensor (as ``np.float32`` arrays do). Only floating tensors can
    require grad. ``.grad`` is an ndarray of the tensor's shape and dtype after
    ``backward()`` (a Tensor, itself differentiable, after
    ``backward(create_graph=True)``).

    In-place changes: ``x += y`` and the other augmented assignments build a new
    tensor and rebind ``x`` (out of place). ``x[idx] = v`` writes into a fresh copy of
    the data (so no other tensor sharing memory with ``x`` changes) and bumps
    ``x._version``. When a gradient flows through the write, ``x`` becomes the output
    of a ``setitem`` node and graphs built before the write still differentiate the
    value they used (``x[i] += f(x)`` works). After a write that is not recorded (under
    ``no_grad()``), a backward that needs ``x``'s old value, or whose graph ran through
    ``x``, raises RuntimeError naming the tensor's shape, dtype and both versions.
    Writing to ``x.data`` directly (``x.data[0] = 1``), or into the shared arrays
    ``x.numpy()`` and ``np.asarray(x)`` return, bypasses this check, as in PyTorch:
    gradients computed afterwards may silently use the new values.
    """

    __slots__ = (
        "__weakref__",
        "_op",
        "_parents",
        "_retains_grad",
        "_saved",
        "_seq",
        "_trace",
        "_version",
        "_versions",
        "data",
        "grad",
        "requires_grad",
    )
    # NumPy defers to Tensor's reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None
    __hash__ = object.__hash__

    data: Array
    grad: Any
    requires_grad: bool
    _op: Any
    _parents: tuple[Tensor, ...] | None
    _saved: Any
    _retains_grad: bool
    _version: int
    # Set only on recorded nodes (by Op.apply): the creation number the reverse pass
    # orders nodes by (engine.next_seq) and the parents' versions at creation.
    _seq: int
    _versions: tuple[int, ...]
    # Set only in anomaly mode; read with getattr.
    _trace: str

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: DTypeLike | None = None
    ) -> None:
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Tensor: requires_grad must be a bool, got {requires_grad!r}")
        if isinstance(data, Tensor):
            data = data.data
        try:
            arr = np.array(data, dtype=dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(f"Tensor: cannot make an array of {type(data).__name__}: {e}") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Tensor: unsupported dtype {arr.dtype} (use bool, int or float data)")
        if requires_grad and arr.dtype.kind != "f":
            raise TypeError(
                f"Tensor: requires_grad=True needs floating data, got dtype {arr.dtype}; "
                "pass dtype=np.float64 (or float32) to convert"
            )
        self.data = arr
        self.grad = None
        self.requires_grad = requires_grad
        self._op = None
        self._parents = ()
        self._saved = None
        self._retains_grad = False
        self._version = 0

    @classmethod
    def _wrap(cls, data: Any) -> Tensor:
        """A Tensor around ``data`` without copying (the ops' constructor)."""
        t = cls.__new__(cls)
        t.data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t.requires_grad = False
        t._op = None
        t._parents = ()
        t._saved = None
        t._retains_grad = False
        t._version = 0
        return t

    # ----------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (shape ())")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        """The slices along the first axis, as NumPy iterates (a 0-d tensor cannot be)."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor (shape ())")
        for i in range(len(self.data)):
            yield self[i]

    def item(self) -> Any:
        if self.data.size != 1:
            raise ValueError(
                f"item(): only a tensor of one element converts to a Python number, "
                f"got shape {self.shape}"
            )
        return self.data.item()

    def numpy(self) -> Array:
        """The data as an ndarray (shared, not copied)."""
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (its gradient flows back to self)."""
        return shape_ops.Clone.apply(self)

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor._wrap(self.data)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Array:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ""
        if self.data.dtype not in (np.float64, np.int64, np.bool_):
            # NumPy's defaults go unnamed, as in NumPy's repr; int32 and int64 differ.
            extra += f", dtype={self.data.dtype}"
        if self._op is not None:
            extra += f", grad_fn=<{self._op.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a Tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    # Any one-element tensor converts, whatever its number of axes (NumPy 2 allows only 0-d).
    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """A 0-d integer tensor as an index (``xs[t]``, ``range(t)``), as NumPy allows."""
        if self.data.ndim != 0 or self.data.dtype.kind not in "iu":
            raise TypeError(
                f"only a 0-d integer Tensor can be used as an index, got shape {self.shape} "
                f"and dtype {self.dtype}"
            )
        return int(self.data)

    # ------------------------------------------------------------------ the graph
    def backward(
        self,
        grad: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        explain: bool = False,
    ) -> None:
        """Accumulate d(self)/d(leaf) into the ``.grad`` of every leaf that requires grad.

        ``grad`` (same shape as self) may be left out only when self has one element.
        The graph's saved values are released unless ``retain_graph=True`` (which
        ``create_graph=True`` implies). ``explain=True`` also prints each step, as
        :func:`autograd_lite.explain` does.
        """
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): grad can be implicitly created only for a tensor with one "
                    f"element, got shape {self.shape}; pass grad= of that shape"
                )
            g: Any = constant(1, self.data.shape, self.data.dtype)
        else:
            g = self._seed(grad, "backward(): grad", "the tensor")
        if create_graph:
            # A fresh array: the seed may come back as a leaf's differentiable .grad.
            g = grad if isinstance(grad, Tensor) else Tensor._wrap(np.array(g))
        self._backward_from(g, retain_graph, create_graph, explain)

    def _seed(self, grad: Any, what: str, this: str) -> Array:
        """``grad``, the upstream gradient of this tensor, as an array of its shape (in
        its dtype unless a Tensor); ``what`` and ``this`` name both in errors."""
        g = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
        if g.dtype.kind not in "biuf":
            # Cast to a real dtype, a complex seed would silently lose its imaginary part.
            raise TypeError(f"{what} must hold real numbers, got dtype {g.dtype}")
        if not isinstance(grad, Tensor) and g.dtype != self.dtype:
            g = g.astype(self.dtype)
        if g.shape != self.shape:
            raise ValueError(f"{what} has shape {g.shape} but {this} has shape {self.shape}")
        return g

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf in place and return it."""
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"requires_grad_(): expected a bool, got {requires_grad!r}")
        requires_grad = bool(requires_grad)
        if self._op is not None and not requires_grad:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor; use .detach()")
        if requires_grad and self.dtype.kind != "f":
            raise TypeError(f"requires_grad=True needs floating data, got dtype {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def _fit_grad(self, g: Any) -> Any:
        data = self.data
        try:
            if g.shape != data.shape:
                g = dual.sum_to_shape(g, data.shape)
            if g.dtype != data.dtype:
                if data.dtype.kind != "f":
                    # requires_grad (or .data) set by hand on integer data: a cast would
                    # truncate the gradient.
                    raise TypeError(
                        f"a gradient reached a tensor of dtype {data.dtype} (shape "
                        f"{data.shape}), which cannot hold one: only floating tensors can "
                        "require grad"
                    )
                g = g.astype(data.dtype)
        except AttributeError:
            # Not an array: a number is one; anything else (a list, say) is a VJP's slip.
            if not isinstance(g, (bool, int, float)):
                raise TypeError(
                    f"a gradient must be an array or a Tensor, got {type(g).__name__} "
                    f"(for an input of shape {data.shape})"
                ) from None
            return self._fit_grad(np.asarray(g))
        return g

    def _check_grad(self) -> None:
        grad = self.grad
        g = grad.data if isinstance(grad, Tensor) else grad
        if not isinstance(g, np.ndarray):
            problem = f"is a {type(grad).__name__}, not an array or a Tensor"
        elif g.shape != self.shape or g.dtype != self.dtype:
            problem = f"has shape {g.shape} and dtype {g.dtype}"
        elif not isinstance(grad, Tensor) and not g.flags.writeable:
            problem = "is a read-only array (a broadcast view, say)"
        else:
            return
        raise RuntimeError(
            f"backward(): the .grad of a tensor of shape {self.shape} and dtype {self.dtype} "
            f"{problem}; set it to None or to an array like the tensor. No .grad was changed"
        )

    def _accumulate(self, g: Any, owned: bool = False) -> None:
        grad = self.grad
        if type(g) is np.ndarray and grad is None:
            # The plain backward's case, first. The engine hands over g in this tensor's
            # dtype and shape; made for this leaf alone (a W of X @ W, say), g is kept.
            self.grad = g if owned and g.base is None and g.flags.writeable else g.copy()
        elif isinstance(g, Tensor):
            # create_graph: a clone (in the graph) so that no two .grad, nor the caller's
            # seed, are one object that a write into one would change for all.
            self.grad = g.clone() if grad is None else grad + g
        elif grad is None:
            self.grad = np.array(g, dtype=self.data.dtype, copy=True)
        elif isinstance(grad, Tensor):
            # A .grad left by create_graph=True stays a Tensor; a plain pass adds no graph.
            self.grad = Tensor._wrap(grad.data + g)
        else:
            self.grad += g

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Tensor:
        return arithmetic.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return arithmetic.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return arithmetic.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return arithmetic.Sub.apply(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return arithmetic.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return arithmetic.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return arithmetic.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return arithmetic.div(other, self)

    def __pow__(self, exponent: Any) -> Tensor:
        return arithmetic.power(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return arithmetic.PowTensor.apply(base, self)

    def __neg__(self) -> Tensor:
        return arithmetic.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return linalg.MatMul.apply(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return linalg.MatMul.apply(other, self)

    # Comparisons record no graph and return bool tensors.
    def __lt__(self, other: Any) -> Tensor:
        return _compare(self, other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return _compare(self, other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(self, other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(self, other, np.greater_equal)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(self, other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(self, other, np.not_equal)

    def __invert__(self) -> Tensor:
        if self.dtype.kind not in "biu":
            raise TypeError(f"~ needs bool or integer data, got dtype {self.dtype}")
        return Tensor._wrap(~self.data)

    def any(self) -> bool:
        return bool(self.data.any())

    def all(self) -> bool:
        return bool(self.data.all())

    # --------------------------------------------------------------- elementwise
    def relu(self) -> Tensor:
        return elementwise.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return elementwise.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return elementwise.Tanh.apply(self)

    def exp(self) -> Tensor:
        return elementwise.Exp.apply(self)

    def log(self) -> Tensor:
        return elementwise.Log.apply(self)

    def sqrt(self) -> Tensor:
        return arithmetic.sqrt(self)

    def abs(self) -> Tensor:
        return elementwise.Abs.apply(self)

    def astype(self, dtype: DTypeLike) -> Tensor:
        return shape_ops.Cast.apply(self, dtype=np.dtype(dtype))

    # ---------------------------------------------------------------- reductions
    def sum(self, axis: AxisLike = None, keepdims: bool = False) -> Tensor:
        return reduction.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: AxisLike = None, keepdims: bool = False) -> Tensor:
        return reduction.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: AxisLike = None, keepdims: bool = False) -> Tensor:
        return reduction.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: AxisLike = None, keepdims: bool = False) -> Tensor:
        return reduction.Min.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        return softmax_ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return softmax_ops.LogSoftmax.apply(self, axis=axis)

    # --------------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Tensor:
        return shape_ops.reshape(self, *shape)

    def flatten(self) -> Tensor:
        return shape_ops.reshape(self, -1)

    def transpose(self, *axes: Any) -> Tensor:
        return shape_ops.transpose(self, *axes)

    @property
    def T(self) -> Tensor:
        return shape_ops.Transpose.apply(self, axes=None)

    @property
    def mT(self) -> Tensor:
        """The matrix transpose of the last two axes (batched ``.T``)."""
        return shape_ops.swapaxes(self, -1, -2)

    def __getitem__(self, index: Any) -> Tensor:
        return indexing.GetItem.apply(self, index=indexing.normalize_index(index))

    def __setitem__(self, index: Any, value: Any) -> None:
        indexing.setitem(self, index, value)


#: Read-only constant arrays, one per value, shape and dtype: ``backward()``'s implicit
#: seed of ones, relu's 0-d zero. NumPy computes with them without first converting a
#: Python number (on small arrays that conversion costs as much as the op itself). The
#: reverse pass only reads them, and a leaf that receives one unchanged copies it, as it
#: copies any gradient something else holds.
_CONSTANTS: dict[tuple[float, tuple[int, ...], np.dtype[Any]], Array] = {}


def constant(value: float, shape: tuple[int, ...], dtype: np.dtype[Any]) -> Array:
    """A cached read-only array of ``shape`` and ``dtype`` filled with ``value``."""
    key = (value, shape, dtype)
    c = _CONSTANTS.get(key)
    if c is None:
        c = np.full(shape, value, dtype)
        c.flags.writeable = False
        _CONSTANTS[key] = c
    return c


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _compare(t: Tensor, other: Any, ufunc: Any) -> Tensor:
    try:
        return Tensor._wrap(ufunc(t.data, _raw(other)))
    except (TypeError, ValueError) as e:
        from .ops.base import MIXED_WITH_SCALAR
        from .scalar import Scalar

        if isinstance(other, Scalar):
            raise TypeError(f"{ufunc.__name__}: {MIXED_WITH_SCALAR}") from None
        kind = ValueError if isinstance(e, ValueError) else TypeError
        raise kind(
            f"{ufunc.__name__}: cannot compare a Tensor of shape {t.shape} and dtype {t.dtype} "
            f"with {type(other).__name__} of shape {np.shape(_raw(other))}: {e}"
        ) from None


# The op families import Tensor, so they come after it.
from .ops import (  # noqa: E402
    arithmetic,
    dual,
    elementwise,
    indexing,
    linalg,
    reduction,
)
from .ops import shape as shape_ops  # noqa: E402
from .ops import softmax as softmax_ops  # noqa: E402

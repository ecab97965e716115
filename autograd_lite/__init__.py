"""autograd_lite: reverse-mode automatic differentiation on NumPy.

``Tensor`` records the ops applied to it; ``backward()`` runs the iterative
reverse pass of :mod:`autograd_lite.engine`; every op is one class in
:mod:`autograd_lite.ops` with its forward beside its vector-Jacobian product.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functional, scalar_nn
from .anomaly import detect_anomaly, is_anomaly_enabled
from .autograd import grad
from .engine import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .explain import explain
from .ops import arithmetic, elementwise, reduction
from .ops import softmax as _softmax
from .ops.base import Op
from .ops.shape import broadcast_to, concatenate, reshape, stack, swapaxes, transpose, where
from .scalar import Scalar
from .tensor import Tensor
from .viz import draw_graph

# isort: split
# nn and optim build on the Tensor and ops above, so they are imported after them.
from . import datasets, nn, optim, testing
from .serialization import load, save

__version__ = "0.1.0"

__all__ = [
    "Function",
    "Op",
    "Scalar",
    "Tensor",
    "__version__",
    "broadcast_to",
    "concatenate",
    "datasets",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "exp",
    "explain",
    "functional",
    "grad",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "load",
    "log",
    "log_softmax",
    "matmul",
    "nn",
    "no_grad",
    "ones",
    "optim",
    "relu",
    "reshape",
    "save",
    "scalar_nn",
    "set_grad_enabled",
    "sigmoid",
    "softmax",
    "stack",
    "swapaxes",
    "tanh",
    "tensor",
    "testing",
    "transpose",
    "where",
    "zeros",
]

#: The op base class, public for user-defined ops: subclass it with ``forward`` and ``vjp``.
Function = Op


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: Any, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    size = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.zeros(size, dtype=dtype), requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    size = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    return Tensor(np.ones(size, dtype=dtype), requires_grad=requires_grad)


def matmul(x: Any, w: Any) -> Tensor:
    from .ops.linalg import MatMul

    return MatMul.apply(x, w)


def relu(x: Any) -> Tensor:
    return elementwise.ReLU.apply(x)


def sigmoid(x: Any) -> Tensor:
    return elementwise.Sigmoid.apply(x)


def tanh(x: Any) -> Tensor:
    return elementwise.Tanh.apply(x)


def exp(x: Any) -> Tensor:
    return elementwise.Exp.apply(x)


def log(x: Any) -> Tensor:
    return elementwise.Log.apply(x)


def softmax(x: Any, axis: int = -1) -> Tensor:
    return _softmax.Softmax.apply(x, axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return _softmax.LogSoftmax.apply(x, axis=axis)


_ = (arithmetic, reduction)

"""Layers: ``Linear``, the activations ``ReLU``/``Sigmoid``/``Tanh``, and ``MLP``."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .._typing import DTypeLike
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter, Sequential

__all__ = ["MLP", "Linear", "ReLU", "Sigmoid", "Tanh"]


class Linear(Module):
    """``Y = X W + b`` with ``weight`` W of shape (in_features, out_features) and ``bias``
    b of shape (out_features,): the row convention of derivations 000 and 001.

    PyTorch's ``nn.Linear`` stores the transpose, a weight of shape (out_features,
    in_features) used as ``X Wᵀ``; transpose when moving weights between the two.
    W and b are drawn from U(−k, k), k = 1/√in_features (PyTorch's default scale),
    using ``rng`` (a ``np.random.Generator``; a fresh unseeded one when None).
    An input whose last axis is not ``in_features`` wide raises a ValueError naming
    the layer and both widths.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        for what, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
                raise ValueError(f"Linear: {what} must be a positive integer, got {n!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        if np.dtype(dtype).kind != "f":
            raise TypeError(f"Linear: dtype must be a floating dtype, got {np.dtype(dtype)}")
        if rng is None:
            rng = np.random.default_rng()
        k = 1.0 / math.sqrt(self.in_features)
        self.weight = Parameter(np.zeros((self.in_features, self.out_features), dtype=dtype))
        init.uniform_(self.weight, rng, -k, k)
        self.bias: Parameter | None = None
        if bias:
            self.bias = Parameter(np.zeros(self.out_features, dtype=dtype))
            init.uniform_(self.bias, rng, -k, k)

    def forward(self, x: Any) -> Tensor:
        shape = np.shape(x.data if isinstance(x, Tensor) else x)
        if len(shape) == 0 or shape[-1] != self.in_features:
            got = "a 0-d input" if not shape else f"width {shape[-1]} (input shape {shape})"
            raise ValueError(
                f"{self!r} expected inputs of width {self.in_features} on the last axis, got {got}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class ReLU(Module):
    """max(x, 0) elementwise (relu'(0) = 0)."""

    def forward(self, x: Any) -> Tensor:
        return F.relu(x)


class Sigmoid(Module):
    """1 / (1 + e^(−x)) elementwise."""

    def forward(self, x: Any) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh x elementwise."""

    def forward(self, x: Any) -> Tensor:
        return F.tanh(x)


_ACTIVATIONS: dict[str, type[Module]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


class MLP(Module):
    """A multi-layer perceptron: ``Linear`` layers with ``activation`` between them
    (none after the last, which outputs logits), held in ``self.net``, a ``Sequential``.

    ``MLP(2, [64, 64], 3)`` has parameters ``net.0.weight`` (2, 64), ``net.0.bias``,
    ``net.2.weight`` (64, 64), …, ``net.4.bias`` (3,).
    """

    def __init__(
        self,
        in_features: int,
        hidden_sizes: Sequence[int],
        out_features: int,
        activation: str = "relu",
        rng: np.random.Generator | None = None,
        dtype: DTypeLike = np.float64,
    ) -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"MLP: activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}"
            )
        if isinstance(hidden_sizes, int):
            hidden_sizes = [hidden_sizes]
        if isinstance(hidden_sizes, (str, bytes)) or not isinstance(hidden_sizes, Iterable):
            raise TypeError(
                f"MLP: hidden_sizes must be an int or a sequence of ints, got {hidden_sizes!r}"
            )
        if rng is None:
            rng = np.random.default_rng()
        sizes = [in_features, *hidden_sizes, out_features]
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(n_in, n_out, rng=rng, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[activation]())
        self.in_features = in_features
        self.hidden_sizes = list(hidden_sizes)
        self.out_features = out_features
        self.activation = activation
        self.net = Sequential(*layers)

    def forward(self, x: Any) -> Tensor:
        out: Tensor = self.net(x)
        return out

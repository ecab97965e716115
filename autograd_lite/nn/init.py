"""Weight initialisers: uniform, normal, He (Kaiming) and Xavier (Glorot).

Each fills a Tensor's data in place from an explicit ``np.random.Generator``
(so a seed reproduces a model exactly) and returns the Tensor. Fans follow
this package's layout, W of shape (in_features, out_features): fan_in is
``shape[0]`` and fan_out ``shape[1]`` (PyTorch stores the transpose, so its
fans read the other way round; the numbers drawn have the same scale).
"""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from ..versions import bump

__all__ = [
    "calculate_gain",
    "fans",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def _check_rng(fn: str, rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{fn}: rng must be a np.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )


def _fill(t: Tensor, values: np.ndarray) -> Tensor:
    t.data[...] = values.astype(t.dtype, copy=False)
    bump(t)
    return t


def fans(t: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a 2-D weight of shape (in_features, out_features)."""
    if t.ndim != 2:
        raise ValueError(f"fans are defined for 2-D weights (in, out), got shape {t.shape}")
    return int(t.shape[0]), int(t.shape[1])


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: 1 for linear/sigmoid, 5/3 for tanh,
    √2 for relu, √(2 / (1 + a²)) for leaky_relu with negative slope ``param`` (0.01)."""
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + a * a))
    raise ValueError(
        f"unknown nonlinearity {nonlinearity!r}: use linear, sigmoid, tanh, relu or leaky_relu"
    )


def _fan(t: Tensor, mode: str) -> int:
    fan_in, fan_out = fans(t)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def uniform_(t: Tensor, rng: np.random.Generator, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with U(a, b)."""
    _check_rng("uniform_", rng)
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(t, rng.uniform(a, b, size=t.shape))


def normal_(t: Tensor, rng: np.random.Generator, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std²)."""
    _check_rng("normal_", rng)
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(t, rng.normal(mean, std, size=t.shape))


def zeros_(t: Tensor) -> Tensor:
    return _fill(t, np.zeros(t.shape))


def ones_(t: Tensor) -> Tensor:
    return _fill(t, np.ones(t.shape))


def kaiming_uniform_(
    t: Tensor,
    rng: np.random.Generator,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "relu",
) -> Tensor:
    """He uniform: U(−bound, bound), bound = gain · √(3 / fan) (``a``: leaky_relu slope)."""
    _check_rng("kaiming_uniform_", rng)
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(t, mode))
    return _fill(t, rng.uniform(-bound, bound, size=t.shape))


def kaiming_normal_(
    t: Tensor,
    rng: np.random.Generator,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "relu",
) -> Tensor:
    """He normal: N(0, std²), std = gain / √fan."""
    _check_rng("kaiming_normal_", rng)
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(t, mode))
    return _fill(t, rng.normal(0.0, std, size=t.shape))


def xavier_uniform_(t: Tensor, rng: np.random.Generator, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(−bound, bound), bound = gain · √(6 / (fan_in + fan_out))."""
    _check_rng("xavier_uniform_", rng)
    fan_in, fan_out = fans(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(t, rng.uniform(-bound, bound, size=t.shape))


def xavier_normal_(t: Tensor, rng: np.random.Generator, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std²), std = gain · √(2 / (fan_in + fan_out))."""
    _check_rng("xavier_normal_", rng)
    fan_in, fan_out = fans(t)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(t, rng.normal(0.0, std, size=t.shape))

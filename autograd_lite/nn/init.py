"""Weight initialisers: uniform, normal, He (Kaiming) and Xavier (Glorot).

Each fills a Tensor from an explicit ``np.random.Generator`` (so a seed
reproduces a model exactly) and returns the Tensor. The values go into a fresh
array, as the optimizers and ``load_state_dict`` write, and the Tensor's version
goes up: views of the old array (``w.T`` in a retained graph) keep the values
their graph saw, and a graph that read the Tensor itself refuses to backward.
The random fills need a floating Tensor; one with no elements (a zero fan) gets an
empty fresh array, with no scale computed. Fans follow
this package's layout, W of shape (in_features, out_features): fan_in is
``shape[0]`` and fan_out ``shape[1]`` (PyTorch stores the transpose, so its
fans read the other way round; the numbers drawn have the same scale).
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import real_number
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


def _check_tensor(fn: str, t: object, random: bool = True) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(t).__name__}")
    if random and t.dtype.kind != "f":
        raise TypeError(f"{fn}: needs a floating Tensor, got dtype {t.dtype}")


def _check_number(fn: str, name: str, value: object, minimum: float | None = None) -> float:
    """``value`` as a finite float (at least ``minimum`` when given), or a clear error."""
    real_number(f"{fn}: {name}", value, minimum)
    return float(value)  # type: ignore[arg-type]


def _fill(fn: str, t: Tensor, values: np.ndarray) -> Tensor:
    # A fresh array, not a write into the old one (see the module docstring).
    with np.errstate(over="ignore"):
        data = np.asarray(values, dtype=t.dtype)
    if not np.isfinite(data).all():
        # Finite values beyond the dtype's range (±1e6 in float16) would be ±inf.
        raise ValueError(
            f"{fn}: the fill has values beyond the range of {t.dtype} (up to "
            f"{float(np.abs(values).max()):.4g}); the tensor is unchanged"
        )
    t.data = data
    bump(t)
    return t


def fans(t: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a 2-D weight of shape (in_features, out_features)."""
    _check_tensor("fans", t, random=False)
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
        a = 0.01 if param is None else _check_number("calculate_gain", "param", param)
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
    _check_tensor("uniform_", t)
    _check_rng("uniform_", rng)
    low, high = _check_number("uniform_", "a", a), _check_number("uniform_", "b", b)
    if not low <= high:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill("uniform_", t, rng.uniform(low, high, size=t.shape))


def normal_(t: Tensor, rng: np.random.Generator, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with N(mean, std²)."""
    _check_tensor("normal_", t)
    _check_rng("normal_", rng)
    mu = _check_number("normal_", "mean", mean)
    sigma = _check_number("normal_", "std", std, minimum=0.0)
    return _fill("normal_", t, rng.normal(mu, sigma, size=t.shape))


def zeros_(t: Tensor) -> Tensor:
    _check_tensor("zeros_", t, random=False)
    return _fill("zeros_", t, np.zeros(t.shape))


def ones_(t: Tensor) -> Tensor:
    _check_tensor("ones_", t, random=False)
    return _fill("ones_", t, np.ones(t.shape))


def _he_scale(fn: str, t: Tensor, rng: object, a: float, mode: str, nonlinearity: str) -> float:
    """gain / √fan for the He initialisers; 0 for a Tensor without elements."""
    _check_tensor(fn, t)
    _check_rng(fn, rng)
    slope = _check_number(fn, "a", a)
    if slope != 0.0 and nonlinearity != "leaky_relu":
        raise ValueError(
            f"{fn}: a={a} is the negative slope of leaky_relu, but nonlinearity is {nonlinearity!r}"
        )
    gain = calculate_gain(nonlinearity, slope)
    fan = _fan(t, mode)
    return gain / math.sqrt(fan) if fan else 0.0


def _glorot_scale(fn: str, t: Tensor, rng: object, gain: float) -> float:
    """gain · √(1 / (fan_in + fan_out)) for the Xavier initialisers; 0 without elements."""
    _check_tensor(fn, t)
    _check_rng(fn, rng)
    g = _check_number(fn, "gain", gain, minimum=0.0)
    fan_in, fan_out = fans(t)
    return g / math.sqrt(fan_in + fan_out) if fan_in + fan_out else 0.0


def kaiming_uniform_(
    t: Tensor,
    rng: np.random.Generator,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
) -> Tensor:
    """He uniform: U(−bound, bound), bound = gain · √(3 / fan). ``a`` is leaky_relu's
    negative slope (0, the default, gives relu's gain √2)."""
    bound = math.sqrt(3.0) * _he_scale("kaiming_uniform_", t, rng, a, mode, nonlinearity)
    return _fill("kaiming_uniform_", t, rng.uniform(-bound, bound, size=t.shape))


def kaiming_normal_(
    t: Tensor,
    rng: np.random.Generator,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
) -> Tensor:
    """He normal: N(0, std²), std = gain / √fan, ``a`` as for :func:`kaiming_uniform_`."""
    std = _he_scale("kaiming_normal_", t, rng, a, mode, nonlinearity)
    return _fill("kaiming_normal_", t, rng.normal(0.0, std, size=t.shape))


def xavier_uniform_(t: Tensor, rng: np.random.Generator, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(−bound, bound), bound = gain · √(6 / (fan_in + fan_out))."""
    bound = math.sqrt(6.0) * _glorot_scale("xavier_uniform_", t, rng, gain)
    return _fill("xavier_uniform_", t, rng.uniform(-bound, bound, size=t.shape))


def xavier_normal_(t: Tensor, rng: np.random.Generator, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std²), std = gain · √(2 / (fan_in + fan_out))."""
    std = math.sqrt(2.0) * _glorot_scale("xavier_normal_", t, rng, gain)
    return _fill("xavier_normal_", t, rng.normal(0.0, std, size=t.shape))

"""Small 2-D classification sets generated from a seed (no download): two moons and
interleaved spirals, plus a train/held-out split.

Every function takes an explicit integer ``seed`` (0 by default) and returns the
same arrays for the same arguments on every machine: ``X`` float64 of shape (n, 2)
and ``y`` int64 class labels of shape (n,).
"""

from __future__ import annotations

import math

import numpy as np

from ._checks import real_number
from ._typing import Array

TURNS = 1.5
__all__ = ["spirals", "train_test_split", "two_moons"]


def two_moons(n: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[Array, Array]:
    """Two interleaving half circles, ``n`` points in all (class 0 gets the extra one when
    ``n`` is odd), with Gaussian noise of standard deviation ``noise`` on each coordinate."""
    real_number("n", n, 2, integer=True)
    real_number("noise", noise, 0.0)
    real_number("seed", seed, 0, integer=True)
    rng = np.random.default_rng(seed)
    n0 = (n + 1) // 2
    n1 = n - n0
    t0 = np.linspace(0.0, math.pi, n0)
    t1 = np.linspace(0.0, math.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def spirals(
    n_per_class: int = 200, n_classes: int = 3, noise: float = 0.03, seed: int = 0
) -> tuple[Array, Array]:
    """``n_classes`` interleaved spiral arms of ``n_per_class`` points each.

    Arm k runs from the centre outwards (radius 0.05 to 1) while its angle turns
    starting at 2πk / n_classes; ``noise`` is the standard deviation of Gaussian noise
    added to each coordinate. Arms lie about 0.1 apart near the centre, so noise much
    above 0.04 makes them overlap (no model then separates them).
    """
    real_number("n_per_class", n_per_class, 1, integer=True)
    real_number("n_classes", n_classes, 2, integer=True)
    real_number("noise", noise, 0.0)
    real_number("seed", seed, 0, integer=True)
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k in range(n_classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        start = 2.0 * math.pi * k / n_classes
        theta = start + TURNS * 2.0 * math.pi * r
        arm = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
        xs.append(arm + rng.normal(0.0, noise, size=(n_per_class, 2)))
        ys.append(np.full(n_per_class, k, dtype=np.int64))
    X = np.concatenate(xs)
    y = np.concatenate(ys)
    order = rng.permutation(len(y))
    return X[order], y[order]


def train_test_split(
    X: Array, y: Array, test_fraction: float = 0.25, seed: int = 0
) -> tuple[Array, Array, Array, Array]:
    """Shuffle with ``seed`` and hold out ``test_fraction`` of the rows:
    returns ``X_train, X_test, y_train, y_test``. The test part has
    ``round(n · test_fraction)`` rows (Python's rounding, half to even), and both parts
    get at least one row."""
    X = np.asarray(X)
    y = np.asarray(y)
    for name, a in (("X", X), ("y", y)):
        if a.ndim == 0:
            raise ValueError(f"{name} must have a first axis of rows, got a 0-d array")
    real_number("seed", seed, 0, integer=True)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    if isinstance(test_fraction, bool) or not isinstance(
        test_fraction, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"test_fraction must be a real number, got {test_fraction!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    n = len(y)
    if n < 2:
        raise ValueError(f"need at least 2 rows to split, got {n}")
    n_test = min(max(1, round(n * test_fraction)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]

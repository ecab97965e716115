"""Generated data sets: shapes, labels, determinism from the seed, and the split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite import datasets


def test_two_moons() -> None:
    X, y = datasets.two_moons(101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [51, 50]
    X2, y2 = datasets.two_moons(101, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, datasets.two_moons(101, noise=0.1, seed=4)[0])
    # Without noise the upper moon lies on the unit circle, the lower on one shifted by (1, 0.5).
    X0, y0 = datasets.two_moons(50, noise=0.0)
    np.testing.assert_allclose(np.hypot(*X0[y0 == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(X0[y0 == 1, 0] - 1, X0[y0 == 1, 1] - 0.5), 1.0)


def test_spirals() -> None:
    X, y = datasets.spirals(40, n_classes=4, noise=0.0, seed=0)
    assert X.shape == (160, 2) and np.bincount(y).tolist() == [40] * 4
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1.0 + 1e-12
    Xa, ya = datasets.spirals(40, noise=0.03, seed=1)
    Xb, yb = datasets.spirals(40, noise=0.03, seed=1)
    np.testing.assert_array_equal(Xa, Xb)
    np.testing.assert_array_equal(ya, yb)


@pytest.mark.parametrize(
    ("call", "exc"),
    [
        (lambda: datasets.two_moons(1), ValueError),
        (lambda: datasets.two_moons(10, noise=-0.1), ValueError),
        (lambda: datasets.spirals(10, n_classes=1), ValueError),
        (lambda: datasets.spirals(2.5), TypeError),
        (lambda: datasets.two_moons(10, noise=math.inf), ValueError),
        (lambda: datasets.two_moons(10, noise="a"), TypeError),
        (lambda: datasets.two_moons(10, seed=None), TypeError),
        (lambda: datasets.spirals(10, seed=-1), ValueError),
        (lambda: datasets.spirals(10, seed=np.random.default_rng(0)), TypeError),
        (lambda: datasets.train_test_split(np.zeros(()), np.zeros(())), ValueError),
        (lambda: datasets.train_test_split(np.zeros(4), np.zeros(4), "0.5"), TypeError),
        (lambda: datasets.train_test_split(np.zeros(4), np.zeros(4), seed=1.5), TypeError),
    ],
)
def test_bad_arguments(call, exc) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc):
        call()


def test_a_huge_integer_seed_is_a_seed() -> None:
    X, _ = datasets.two_moons(10, seed=10**400)
    np.testing.assert_array_equal(datasets.two_moons(10, seed=10**400)[0], X)


def test_train_test_split() -> None:
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    Xtr, _, ytr, yte = datasets.train_test_split(X, y, 0.3, seed=0)
    assert len(ytr) == 7 and len(yte) == 3
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(10))
    np.testing.assert_array_equal(Xtr[:, 0], 2 * ytr)
    again = datasets.train_test_split(X, y, 0.3, seed=0)
    np.testing.assert_array_equal(again[3], yte)
    with pytest.raises(ValueError, match="rows"):
        datasets.train_test_split(X, y[:5])
    with pytest.raises(ValueError, match="test_fraction"):
        datasets.train_test_split(X, y, 1.0)

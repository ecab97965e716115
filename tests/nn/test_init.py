"""Initialisers: scale, reproducibility from an explicit Generator, argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.nn import init


def weight(shape: tuple[int, ...] = (400, 300)) -> ag.Tensor:
    return ag.Tensor(np.zeros(shape), requires_grad=True)


def test_uniform_and_normal() -> None:
    w = init.uniform_(weight(), np.random.default_rng(0), -2.0, 3.0)
    assert w.data.min() >= -2.0 and w.data.max() <= 3.0
    assert abs(w.data.mean() - 0.5) < 0.05
    w = init.normal_(weight(), np.random.default_rng(0), 1.0, 0.5)
    assert abs(w.data.mean() - 1.0) < 0.01 and abs(w.data.std() - 0.5) < 0.01


def test_kaiming_uses_fan_in_of_an_in_by_out_weight() -> None:
    rng = np.random.default_rng(0)
    w = init.kaiming_uniform_(weight(), rng)
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 400)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    w = init.kaiming_normal_(weight(), rng)
    assert abs(w.data.std() - math.sqrt(2.0 / 400)) < 0.002
    w = init.kaiming_normal_(weight(), rng, mode="fan_out", nonlinearity="linear")
    assert abs(w.data.std() - math.sqrt(1.0 / 300)) < 0.002


def test_xavier() -> None:
    rng = np.random.default_rng(0)
    w = init.xavier_uniform_(weight(), rng, gain=2.0)
    bound = 2.0 * math.sqrt(6.0 / 700)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    w = init.xavier_normal_(weight(), rng)
    assert abs(w.data.std() - math.sqrt(2.0 / 700)) < 0.002


def test_same_seed_same_numbers_and_dtype_kept() -> None:
    a = init.kaiming_uniform_(weight((5, 4)), np.random.default_rng(3))
    b = init.kaiming_uniform_(weight((5, 4)), np.random.default_rng(3))
    np.testing.assert_array_equal(a.data, b.data)
    w32 = ag.Tensor(np.zeros((3, 3), dtype=np.float32), requires_grad=True)
    assert init.xavier_uniform_(w32, np.random.default_rng(0)).dtype == np.float32
    assert init.zeros_(a) is a and np.all(a.data == 0)
    assert np.all(init.ones_(a).data == 1)


def test_gains() -> None:
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        init.calculate_gain("swish")


def test_argument_errors() -> None:
    with pytest.raises(TypeError, match=r"np\.random\.Generator"):
        init.kaiming_uniform_(weight(), 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2-D"):
        init.xavier_uniform_(weight((3,)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(weight(), np.random.default_rng(0), mode="fan_avg")
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(weight(), np.random.default_rng(0), 1.0, 0.0)

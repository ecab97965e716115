"""Initialisers: scale, reproducibility from an explicit Generator, argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn
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
    with pytest.raises(ValueError, match="finite"):
        init.uniform_(weight(), np.random.default_rng(0), 0.0, math.inf)
    with pytest.raises(ValueError, match="std must be finite and >= 0"):
        init.normal_(weight(), np.random.default_rng(0), 0.0, -1.0)
    with pytest.raises(ValueError, match="gain must be finite and >= 0"):
        init.xavier_uniform_(weight(), np.random.default_rng(0), gain=-1.0)
    with pytest.raises(TypeError, match="param must be a real number"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(TypeError, match="expected a Tensor, got ndarray"):
        init.uniform_(np.zeros(3), np.random.default_rng(0))  # type: ignore[arg-type]


def test_kaiming_slope_a_follows_leaky_relu_by_default() -> None:
    """The default nonlinearity is leaky_relu, so ``a`` sets the gain √(2 / (1 + a²)) (a = 0
    is relu's √2); an ``a`` with another nonlinearity would be ignored, so it is refused."""
    w = init.kaiming_uniform_(weight(), np.random.default_rng(0), a=math.sqrt(5))
    bound = math.sqrt(2.0 / 6.0) * math.sqrt(3.0 / 400)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.99 * bound
    w = init.kaiming_normal_(weight(), np.random.default_rng(0), a=1.0)
    assert abs(w.data.std() - math.sqrt(1.0 / 400)) < 0.002
    before = w.data.copy()
    with pytest.raises(
        ValueError, match="negative slope of leaky_relu, but nonlinearity is 'relu'"
    ):
        init.kaiming_uniform_(w, np.random.default_rng(0), a=0.1, nonlinearity="relu")
    np.testing.assert_array_equal(w.data, before)


def test_fills_need_a_floating_tensor_and_skip_empty_ones() -> None:
    ints = ag.Tensor(np.zeros((3, 2), dtype=np.int64))
    for fill in (init.uniform_, init.normal_, init.kaiming_uniform_, init.xavier_normal_):
        with pytest.raises(TypeError, match="needs a floating Tensor, got dtype int64"):
            fill(ints, np.random.default_rng(0))
    assert init.ones_(ints).data.dtype == np.int64 and np.all(ints.data == 1)
    for shape in ((0, 3), (3, 0), (0, 0)):
        empty = weight(shape)
        assert init.kaiming_uniform_(empty, np.random.default_rng(0)) is empty
        assert init.kaiming_normal_(empty, np.random.default_rng(0), mode="fan_out") is empty
        assert init.xavier_uniform_(empty, np.random.default_rng(0)).shape == shape


def test_a_fill_gives_a_fresh_array_that_graphs_notice() -> None:
    """As an optimizer step: a graph that read the weight refuses to backward after the
    fill, and one that read a view of it (w.T) keeps the values it saw."""
    w = nn.Parameter(np.array([[1.0, 2.0], [3.0, 4.0]]))
    x = ag.Tensor(np.array([[1.0, 1.0]]), requires_grad=True)
    through_view = (x @ w.T).sum()
    through_w = (x @ w).sum()
    old = w.data
    init.zeros_(w)
    assert w.data is not old and np.all(old == [[1.0, 2.0], [3.0, 4.0]])
    through_view.backward()
    np.testing.assert_array_equal(x.grad, [[4.0, 6.0]])  # ones @ old w: [1 + 3, 2 + 4]
    with pytest.raises(RuntimeError, match="version"):
        through_w.backward()


def test_a_fill_beyond_the_dtypes_range_is_refused_and_changes_nothing() -> None:
    t = ag.Tensor(np.zeros(3, np.float16))
    with pytest.raises(ValueError, match="uniform_: the fill has values beyond the range of"):
        init.uniform_(t, np.random.default_rng(0), -1e6, 1e6)
    with pytest.raises(ValueError, match="normal_: the fill has values beyond"):
        init.normal_(t, np.random.default_rng(0), 0.0, 1e6)
    np.testing.assert_array_equal(t.data, [0.0, 0.0, 0.0])
    assert t._version == 0

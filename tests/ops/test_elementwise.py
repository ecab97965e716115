"""relu, sigmoid, tanh, exp, log, abs: gradcheck away from kinks, stability, dtype kept."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given

import autograd_lite as ag
from autograd_lite import Tensor
from autograd_lite.testing import strategies as s

from ._check import check_float32, check_grad


@given(x=s.arrays(s.shapes(), away_from=(0.0,)))
def test_relu(x: np.ndarray) -> None:
    check_grad(lambda t: t.relu(), x)


@given(x=s.arrays(s.shapes(), min_value=-8.0, max_value=8.0))
def test_sigmoid(x: np.ndarray) -> None:
    check_grad(lambda t: t.sigmoid(), x)


@given(x=s.arrays(s.shapes()))
def test_tanh(x: np.ndarray) -> None:
    check_grad(lambda t: t.tanh(), x)


@given(x=s.arrays(s.shapes()))
def test_exp(x: np.ndarray) -> None:
    check_grad(lambda t: t.exp(), x)


@given(x=s.arrays(s.shapes(), min_value=0.05, max_value=5.0))
def test_log(x: np.ndarray) -> None:
    check_grad(lambda t: t.log(), x)


@given(x=s.arrays(s.shapes(), away_from=(0.0,)))
def test_abs(x: np.ndarray) -> None:
    check_grad(lambda t: t.abs(), x)


@given(x=s.arrays(s.shapes(), min_value=0.05, max_value=5.0))
def test_sqrt(x: np.ndarray) -> None:
    check_grad(lambda t: t.sqrt(), x)


def test_relu_gradient_at_zero_is_zero() -> None:
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_saturates_exactly_without_warnings(dtype: Any) -> None:
    x = Tensor(np.array([-1000.0, 1000.0, 0.0], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.sigmoid()
        y.sum().backward()
    assert y.data.tolist() == [0.0, 1.0, 0.5]
    assert y.dtype == dtype
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.25])


def test_functional_forms_match_methods() -> None:
    x = Tensor(np.array([0.5, 1.5]))
    for fn, method in [
        (ag.relu, x.relu),
        (ag.sigmoid, x.sigmoid),
        (ag.tanh, x.tanh),
        (ag.exp, x.exp),
        (ag.log, x.log),
    ]:
        np.testing.assert_array_equal(fn(x).data, method().data)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: t.relu(),
        lambda t: t.sigmoid(),
        lambda t: t.tanh(),
        lambda t: t.exp(),
        lambda t: t.log(),
        lambda t: t.abs(),
        lambda t: t.sqrt(),
    ],
    ids=["relu", "sigmoid", "tanh", "exp", "log", "abs", "sqrt"],
)
def test_float32_kept(fn: Callable[[Any], Any]) -> None:
    check_float32(fn, [[0.5, 1.0], [2.0, 3.0]])

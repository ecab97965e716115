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

from ._check import INTEGER_DTYPES, check_float32, check_grad


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


def _integer_samples(dtype: Any) -> np.ndarray:
    """0, small values, the extremes and their halves of ``dtype`` (False and True for bool)."""
    if dtype is np.bool_:
        return np.array([False, True])
    info = np.iinfo(dtype)
    candidates = [0, 1, 5, 200, -1, -5, -200, info.max, info.min, info.max // 2, info.min // 2]
    return np.array(sorted({v for v in candidates if info.min <= v <= info.max}), dtype=dtype)


@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
def test_sigmoid_of_integers_is_computed_in_the_float_dtype_of_exp(dtype: Any) -> None:
    # The stable form's −|x| wraps around in unsigned types (uint8 5 gave 0).
    x = _integer_samples(dtype)
    with np.errstate(over="ignore"):
        float_x = x.astype(np.exp(x).dtype)
        expected = 1 / (1 + np.exp(-float_x))
    y = Tensor(x).sigmoid()
    assert y.dtype == expected.dtype
    np.testing.assert_allclose(y.data, expected, rtol=2 * np.finfo(y.dtype).eps, atol=0)
    np.testing.assert_array_equal(ag.sigmoid(Tensor(x)).data, y.data)


def test_abs_gradient_of_an_infinite_g_is_plus_or_minus_g() -> None:
    x = Tensor(np.array([-2.0, 3.0, -1.0, 0.0, 0.0]), requires_grad=True)
    with np.errstate(invalid="ignore"):
        x.abs().backward(np.array([np.inf, np.inf, -np.inf, 1.0, np.inf]))
    # At 0 the gradient is 0 · g: 0 for a finite g, NaN for an infinite one.
    np.testing.assert_array_equal(x.grad, [-np.inf, np.inf, np.inf, 0.0, np.nan])


def test_abs_gradient_under_create_graph() -> None:
    x = Tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    (gx,) = ag.grad(x.abs().sum(), x, create_graph=True)
    assert isinstance(gx, Tensor)
    np.testing.assert_array_equal(gx.data, [-1.0, 0.0, 1.0])


@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
def test_sqrt_of_integers_takes_numpys_dtype(dtype: Any) -> None:
    x = _integer_samples(dtype)
    with np.errstate(invalid="ignore"):
        expected = np.sqrt(x)
        y = Tensor(x).sqrt()
    assert y.dtype == expected.dtype
    np.testing.assert_allclose(y.data, expected, rtol=np.finfo(y.dtype).eps, atol=0)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sqrt_of_floats_keeps_the_dtype(dtype: Any) -> None:
    x = np.array([0.0, 0.25, 2.0], dtype)
    y = Tensor(x).sqrt()
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.data, x**0.5)

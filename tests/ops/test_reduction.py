"""sum, mean, max, min over every kind of ``axis`` with ``keepdims``; max/min tie splitting."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor
from autograd_lite.testing import strategies as s

from ._check import INTEGER_DTYPES, check_float32, check_grad

REDUCTIONS = ["sum", "mean", "max", "min"]


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction(name: str, data: st.DataObject) -> None:
    x = data.draw(s.arrays(s.shapes()))
    if name in ("max", "min"):
        x = s.distinct(x)  # away from ties, where max is not differentiable
    axis = data.draw(s.axes(x.ndim))
    keepdims = data.draw(st.booleans())
    fn = lambda t: getattr(t, name)(axis=axis, keepdims=keepdims)  # noqa: E731
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(fn(Tensor(x)).data, expected)
    check_grad(fn, x)


def test_max_splits_ties_evenly() -> None:
    x = Tensor(np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 0.0]]), requires_grad=True)
    x.max(axis=1).backward(np.array([1.0, 6.0]))
    np.testing.assert_allclose(x.grad, [[0.0, 0.5, 0.5, 0.0], [2.0, 2.0, 2.0, 0.0]])


def test_max_over_all_ties_and_min() -> None:
    x = Tensor(np.array([[2.0, 1.0], [2.0, 2.0]]), requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad, [[1 / 3, 0.0], [1 / 3, 1 / 3]])
    y = Tensor(np.array([1.0, 1.0, 4.0]), requires_grad=True)
    y.min().backward()
    np.testing.assert_allclose(y.grad, [0.5, 0.5, 0.0])


def test_sum_and_mean_values() -> None:
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    y = x.mean(axis=(0, -1), keepdims=True)
    assert y.shape == (1, 3, 1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.full((2, 3, 4), 1 / 8))


@pytest.mark.parametrize("axis", [2, -3, (0, 0), (0, -2)])
def test_bad_axis(axis: Any) -> None:
    with pytest.raises(ValueError, match="axis"):
        Tensor(np.ones((2, 3))).sum(axis=axis)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axis", [0, -1])
def test_a_0d_tensor_reduces_along_axis_0_to_itself(name: str, axis: int) -> None:
    x = Tensor(np.array(0.5), requires_grad=True)
    y = getattr(x, name)(axis=axis)
    assert y.shape == () and float(y.data) == 0.5
    assert getattr(x, name)(axis=axis, keepdims=True).shape == ()
    y.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("axis", [1, -2, (0,), (), False])
def test_a_0d_tensor_has_no_other_axis(axis: Any) -> None:
    t = Tensor(np.array(0.5))
    if axis == ():
        # No axes: nothing reduced, as in NumPy.
        assert float(t.sum(axis=axis).data) == 0.5
        return
    with pytest.raises(TypeError if axis is False else ValueError, match="axis"):
        t.sum(axis=axis)


def test_max_of_empty_raises() -> None:
    with pytest.raises(ValueError, match=r"\(0,\)"):
        Tensor(np.ones(0)).max()


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: t.sum(axis=0),
        lambda t: t.mean(axis=-1, keepdims=True),
        lambda t: t.max(axis=(0, 1)),
        lambda t: t.min(axis=1),
        lambda t: t.mean(),
    ],
    ids=["sum", "mean", "max", "min", "mean_all"],
)
def test_float32_kept(fn: Callable[[Any], Any]) -> None:
    check_float32(fn, [[0.5, 1.0, 1.5], [2.0, 3.0, -1.0]])


def test_float16_mean_adds_up_in_float32_and_divides_by_any_count() -> None:
    """As NumPy's mean: no float16 overflow of the sum, and no count past 65504 turning
    into inf (which made the mean and its gradient 0)."""
    x = Tensor(np.full(70000, 0.5, np.float16), requires_grad=True)
    m = x.mean()
    m.backward()
    assert m.dtype == np.float16 and float(m.data) == 0.5
    assert x.grad.dtype == np.float16
    np.testing.assert_allclose(x.grad.astype(np.float64), 1 / 70000, rtol=1e-2)
    assert float(Tensor(np.full(2000, 100, np.float16)).mean().data) == 100.0


@pytest.mark.parametrize(("shape", "axis"), [((2, 3), None), ((5,), 0), ((4, 1, 3), (0, 2))])
def test_float16_mean_gradient_is_one_over_the_count(shape: Any, axis: Any) -> None:
    """Each element's share, g·(1/n), in float16 as a float64 reference rounds it."""
    x = Tensor(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(np.float16))
    x.requires_grad_()
    x.mean(axis=axis).sum().backward()
    n = x.data.size if axis is None else x.data.size // x.mean(axis=axis).data.size
    assert x.grad is not None and x.grad.dtype == np.float16
    np.testing.assert_array_equal(x.grad, np.full(shape, 1 / n, np.float16))


AXES = [None, 0, 1, -1, (0, 1), ()]


@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_mean_of_integers_adds_up_in_float64_as_numpy(
    dtype: Any, axis: Any, keepdims: bool
) -> None:
    # An int64 sum of 2**62 + 2**62 wrapped around to a negative mean.
    if dtype is np.bool_:
        x = np.array([[True, True, False], [True, False, False]])
    else:
        info = np.iinfo(dtype)
        x = np.array([[info.max, info.max, 1], [info.max, info.min, 0]], dtype=dtype)
    expected = np.mean(x, axis=axis, keepdims=keepdims)
    y = Tensor(x).mean(axis=axis, keepdims=keepdims)
    assert y.dtype == expected.dtype == np.float64
    assert y.shape == expected.shape
    np.testing.assert_allclose(y.data, expected, rtol=1e-15)


def test_mean_of_int64_past_the_int64_sum() -> None:
    y = Tensor(np.array([2**62, 2**62], np.int64)).mean()
    assert y.dtype == np.float64 and float(y.data) == 2.0**62


def test_mean_of_an_empty_integer_axis_is_nan() -> None:
    x = np.zeros((0, 3), np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.mean(x, axis=0)
    y = Tensor(x).mean(axis=0)
    assert y.dtype == expected.dtype
    np.testing.assert_array_equal(y.data, expected)


@pytest.mark.parametrize("name", ["max", "min"])
def test_float16_ties_past_65504_share_the_gradient(name: str) -> None:
    # A float16 count of 70000 ties is inf: 1/inf gave every tie a zero gradient.
    x = Tensor(np.zeros(70000, np.float16), requires_grad=True)
    getattr(x, name)().backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_array_equal(x.grad, np.float16(1 / 70000))
    assert abs(x.grad.astype(np.float64).sum() - 1.0) < 1e-2
    y = Tensor(np.zeros((2, 70000), np.float16), requires_grad=True)
    getattr(y, name)(axis=1, keepdims=True).backward(np.array([[2.0], [1.0]], np.float16))
    expected = np.broadcast_to([[2 / 70000], [1 / 70000]], (2, 70000))
    np.testing.assert_allclose(y.grad.astype(np.float64), expected, rtol=5e-3)

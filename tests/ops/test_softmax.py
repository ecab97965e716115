"""softmax and log_softmax along an axis: gradcheck, stability at ±1e4, dtype kept."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Tensor
from autograd_lite.testing import strategies as s

from ._check import check_float32, check_grad


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_family(name: str, data: st.DataObject) -> None:
    x = data.draw(s.arrays(s.shapes(min_dims=1)))
    axis = data.draw(st.integers(min_value=-x.ndim, max_value=x.ndim - 1))
    fn = lambda t: getattr(t, name)(axis=axis)  # noqa: E731
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    p = e / e.sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(fn(Tensor(x)).data, p if name == "softmax" else np.log(p))
    check_grad(fn, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_huge_logits(dtype: Any) -> None:
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype)
    x = Tensor(logits, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = x.softmax(axis=1)
        lp = x.log_softmax(axis=1)
        (p * np.arange(3.0)).sum().backward()
        lp[0, 1].backward()
    np.testing.assert_allclose(p.data, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)
    np.testing.assert_allclose(lp.data[0], [0.0, -2e4, -1e4])
    np.testing.assert_allclose(lp.data[1], np.full(3, -np.log(3.0)), rtol=1e-6)
    assert np.isfinite(x.grad).all()
    assert p.dtype == dtype and lp.dtype == dtype and x.grad.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_softmax_of_infinite_slices(dtype: Any) -> None:
    # A +inf logit: NaN where it is, −inf beside it (not NaN throughout); an all −inf or
    # a NaN slice: NaN; a −inf beside finite logits: −inf; the largest finite values: exact.
    inf, nan, big = np.inf, np.nan, np.finfo(dtype).max
    rows = [[inf, 1.0], [-inf, -inf], [nan, 1.0], [-inf, 1.0], [big, -big], [big, big]]
    expected = [[nan, -inf], [nan, nan], [nan, nan], [-inf, 0.0], [0.0, -inf], [-np.log(2)] * 2]
    with np.errstate(invalid="ignore", over="ignore"):
        got = Tensor(np.array(rows, dtype=dtype)).log_softmax(axis=1).data
    np.testing.assert_allclose(got, np.array(expected, dtype=dtype), rtol=1e-6)


@pytest.mark.parametrize(
    "logits", [np.array([[-128, 127]], np.int8), np.array([[1, 2, 3]]), np.array([[True, False]])]
)
def test_log_softmax_of_integers_is_computed_in_float64(logits: np.ndarray) -> None:
    # int8 −128 − 127 wraps in int8: the shift must not be taken in the input's dtype.
    got = Tensor(logits).log_softmax(axis=1)
    expected = Tensor(logits.astype(np.float64)).log_softmax(axis=1)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.data, expected.data)


def test_functional_forms() -> None:
    x = Tensor(np.array([[1.0, 2.0], [3.0, 5.0]]))
    np.testing.assert_array_equal(ag.softmax(x, axis=0).data, x.softmax(axis=0).data)
    np.testing.assert_array_equal(ag.log_softmax(x).data, x.log_softmax().data)


def test_bad_axis() -> None:
    with pytest.raises(ValueError, match="axis 2"):
        Tensor(np.ones((2, 3))).softmax(axis=2)
    with pytest.raises(TypeError, match="one int, got None"):
        Tensor(np.ones((2, 3))).log_softmax(axis=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"one int, got \(0, 1\)"):
        Tensor(np.ones((2, 3))).softmax(axis=(0, 1))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fn", [lambda t: t.softmax(axis=0), lambda t: t.log_softmax()], ids=["softmax", "log"]
)
def test_float32_kept(fn: Callable[[Any], Any]) -> None:
    check_float32(fn, [[0.5, 1.0, 1.5], [2.0, 3.0, -1.0]])


def test_softmax_of_integers_does_not_wrap_around() -> None:
    for x in (np.array([0, 3], np.uint8), np.array([-100, 100], np.int8)):
        expected = np.exp(x.astype(np.float64) - x.max())
        np.testing.assert_allclose(Tensor(x).softmax().data, expected / expected.sum(), rtol=1e-12)


def test_float16_softmax_over_more_than_65504_entries() -> None:
    # Σ e of 70000 ones is inf in float16: every probability came out 0.
    x = Tensor(np.zeros(70000, np.float16), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.softmax()
        y.backward(np.ones(70000, np.float16))
    assert y.dtype == np.float16 and x.grad.dtype == np.float16
    np.testing.assert_array_equal(y.data, np.float16(1 / 70000))
    # dL/dx = P ⊙ (1 − Σ P) = 0 up to float16 rounding.
    assert np.abs(x.grad.astype(np.float64)).max() < 1e-6


def test_float16_log_softmax_over_more_than_65504_entries() -> None:
    # log Σ e of 70000 ones was log inf in float16, and Σ g in the VJP inf too.
    x = Tensor(np.zeros((2, 70000), np.float16), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.log_softmax(axis=1)
        y.backward(np.ones((2, 70000), np.float16))
    assert y.dtype == np.float16 and x.grad.dtype == np.float16
    np.testing.assert_allclose(y.data.astype(np.float64), -np.log(70000), rtol=1e-3)
    # dL/dx = 1 − softmax ⊙ 70000 = 0 up to float16 rounding of the softmax.
    assert np.abs(x.grad.astype(np.float64)).max() < 1e-2


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_float16_small_axis_matches_float32_rounded(name: str) -> None:
    logits = np.array([[0.5, -1.0, 2.0], [3.0, 3.0, -4.0]], np.float16)
    got = getattr(Tensor(logits), name)(axis=1)
    expected = getattr(Tensor(logits.astype(np.float32)), name)(axis=1).data
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.data, expected.astype(np.float16), rtol=1e-3)

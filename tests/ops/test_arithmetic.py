"""+ - * / ** and negation: gradcheck over drawn broadcast pairs, dtype kept, reflected forms."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor
from autograd_lite.ops import arithmetic
from autograd_lite.testing import strategies as s

from ._check import check_float32, check_grad

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_broadcast(name: str, data: st.DataObject) -> None:
    sa, sb = data.draw(s.broadcastable_shapes())
    a, b = data.draw(s.arrays(sa)), data.draw(s.arrays(sb))
    check_grad(BINARY[name], a, b)


@given(data=st.data())
def test_div_broadcast(data: st.DataObject) -> None:
    sa, sb = data.draw(s.broadcastable_shapes())
    a = data.draw(s.arrays(sa))
    b = data.draw(s.arrays(sb, away_from=(0.0,), min_distance=0.3))
    check_grad(lambda x, y: x / y, a, b)


@given(x=s.arrays(s.shapes()))
def test_neg(x: np.ndarray) -> None:
    check_grad(lambda t: -t, x)


@pytest.mark.parametrize("p", [0, 1, 2, 3, -1, 0.5, -1.5, 2.5])
@given(x=s.arrays(s.shapes(), min_value=0.2, max_value=3.0))
def test_pow_number_exponent_positive_bases(p: float, x: np.ndarray) -> None:
    check_grad(lambda t: t**p, x)


@pytest.mark.parametrize("p", [2, 3, -2])
@given(x=s.arrays(s.shapes(), away_from=(0.0,), min_distance=0.3))
def test_pow_integer_exponent_any_sign(p: int, x: np.ndarray) -> None:
    check_grad(lambda t: t**p, x)


@given(data=st.data())
def test_pow_tensor_exponent(data: st.DataObject) -> None:
    sa, sb = data.draw(s.broadcastable_shapes())
    a = data.draw(s.arrays(sa, min_value=0.2, max_value=3.0))
    b = data.draw(s.arrays(sb, min_value=-2.0, max_value=2.0))
    check_grad(lambda x, y: x**y, a, b)


def test_pow_float32_base_float64_exponent_gradient_is_float64_accurate() -> None:
    base = np.array([1.1, 0.7, 3.0], np.float32)
    y = Tensor(np.array([0.3, 2.5, -1.5]), requires_grad=True)
    (Tensor(base) ** y).sum().backward()
    exact = base.astype(np.float64) ** y.data * np.log(base.astype(np.float64))
    assert y.grad.dtype == np.float64
    np.testing.assert_allclose(y.grad, exact, rtol=1e-14)


def test_bool_exponent_is_its_number() -> None:
    x = Tensor(np.array([1.5, 2.0], np.float32), requires_grad=True)
    for p in (True, np.True_):
        y = x**p
        assert y.dtype == np.float32
        np.testing.assert_array_equal(y.data, x.data)
    (x**False).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


@given(data=st.data())
def test_reflected_forms_with_numbers_and_arrays(data: st.DataObject) -> None:
    sa, sb = data.draw(s.broadcastable_shapes())
    a = data.draw(s.arrays(sa, min_value=0.5, max_value=2.0))
    c = data.draw(s.arrays(sb, min_value=0.5, max_value=2.0))
    check_grad(lambda x: 2.0 + x - c * x / 3.0 - c / x + 1.5**x - (c - x) + (2 - x) ** 2, a)
    check_grad(lambda x: c + x * 2 - 2 * x / c, a)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
        lambda a, b: -a + 2.0 * b - 1 / a + a**2 + a**0.5 + 2.0**b,
    ],
    ids=["add", "sub", "mul", "div", "pow_tensor", "mixed"],
)
def test_float32_kept(fn: Callable[[Any, Any], Any]) -> None:
    check_float32(fn, [[1.0, 2.0, 3.0]], [[0.5], [1.5]])


def test_broadcast_3x1_plus_3x4() -> None:
    a = Tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    b = Tensor(np.ones((3, 4)), requires_grad=True)
    g = np.arange(12.0).reshape(3, 4)
    (a + b).backward(g)
    np.testing.assert_allclose(a.grad, g.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(b.grad, g)


def test_mul_by_array_on_the_left_is_a_tensor() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    y = np.arange(3.0) * x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.arange(3.0))


def test_bad_exponent_type() -> None:
    with pytest.raises(TypeError, match="exponent"):
        Tensor(np.ones(2)) ** "2"  # type: ignore[operator]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int64, bool])
@pytest.mark.parametrize("c", [3, -2, 0.1, 1e5])
def test_number_operands_match_the_constant_tensor_path(dtype: Any, c: Any) -> None:
    """A Python number may stay an op parameter (AddConstant, MulConstant) only where that
    gives what Add, Sub, Mul give with the number made a constant Tensor."""
    x = Tensor(np.array([0, 1, 3], dtype=dtype))
    with np.errstate(over="ignore", invalid="ignore"):
        for got, want in [
            (x + c, arithmetic.Add.apply(x, c)),
            (c + x, arithmetic.Add.apply(c, x)),
            (x - c, arithmetic.Sub.apply(x, c)),
            (x * c, arithmetic.Mul.apply(x, c)),
            (c * x, arithmetic.Mul.apply(c, x)),
        ]:
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got.data, want.data)


_BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int8, np.uint8, np.int64, bool])
@pytest.mark.parametrize("c", [3, -2, 300, 2**70, 0.5, 1e5, True])
@pytest.mark.parametrize("op", _BINARY, ids=lambda f: f.__name__)
def test_number_operands_take_numpys_dtype(dtype: Any, c: Any, op: Any) -> None:
    """A Python number beside a Tensor gets NumPy's dtype for it: int8 + 5 stays int8,
    int8 * 0.5 is float64, and a number the dtype cannot hold (uint8 - 1, int8 + 300)
    raises OverflowError instead of wrapping around."""
    a = np.array([1, 2, 3], dtype=dtype)
    for left, right in [(a, c), (c, a)]:
        with np.errstate(all="ignore"):
            try:
                want = op(left, right)
            except (OverflowError, ValueError, TypeError) as e:
                # int8 + 300, ints to negative int powers, bool - bool.
                with pytest.raises(type(e)):
                    op(*(Tensor(v) if v is a else v for v in (left, right)))
                continue
            got = op(*(Tensor(v) if v is a else v for v in (left, right)))
        assert got.dtype == want.dtype, (left, right)
        np.testing.assert_array_equal(got.data, want)


def test_number_operand_is_a_parameter_not_a_recorded_input() -> None:
    w = Tensor(np.array([0.0, 1.0, 3.0], np.float32), requires_grad=True)
    y = (w * 0.5 + 2) - 1.0
    assert y._parents is not None and len(y._parents) == 1
    y.sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, np.full(3, 0.5, np.float32))


@pytest.mark.parametrize("dtype", [bool, np.int8, np.uint8, np.float16, np.float32])
@pytest.mark.parametrize("p", [True, False, np.True_, np.False_])
def test_bool_exponent_takes_numpys_dtype(dtype: Any, p: Any) -> None:
    # A bool tensor ** True is int8 in NumPy; as the int 1 it was int64.
    x = np.array([True, False, True]).astype(dtype)
    expected = x**p
    y = Tensor(x) ** p
    assert y.dtype == expected.dtype
    np.testing.assert_array_equal(y.data, expected)


@pytest.mark.parametrize("p", [[2, 3], (2, 3), [2.0, 0.5], [[1.0], [2.0]]])
def test_list_and_tuple_exponents_are_arrays(p: Any) -> None:
    x = np.array([1.5, 2.5])
    expected = x ** np.asarray(p)
    y = Tensor(x) ** p
    assert y.dtype == expected.dtype and y.shape == expected.shape
    np.testing.assert_allclose(y.data, expected)
    check_grad(lambda t: t**p, x)


def test_ragged_list_exponent_raises_type_error() -> None:
    with pytest.raises(TypeError, match="list"):
        Tensor(np.ones(2)) ** [1, [2]]

"""Tensor: construction and dtype rules, properties, repr, hashing, comparisons, .grad."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor


# ------------------------------------------------------------------ construction
def test_python_floats_and_lists_become_float64() -> None:
    assert Tensor(1.5).dtype == np.float64
    assert Tensor([1.0, 2.0]).dtype == np.float64
    assert Tensor([[1.0], [2.0]]).shape == (2, 1)


def test_floating_arrays_keep_their_dtype() -> None:
    for dtype in (np.float32, np.float64):
        t = Tensor(np.ones(3, dtype=dtype), requires_grad=True)
        assert t.dtype == dtype


def test_dtype_argument_converts() -> None:
    t = Tensor([1, 2, 3], dtype=np.float32, requires_grad=True)
    assert t.dtype == np.float32


def test_constructor_copies_data() -> None:
    a = np.ones(3)
    t = Tensor(a)
    a[0] = 5.0
    assert t.data[0] == 1.0


def test_float32_kept_through_ops_and_into_grad() -> None:
    x = Tensor(np.linspace(0.1, 1.0, 6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    y = ((x @ w).sigmoid() * 2.0 + 1.0).log().softmax(axis=-1) ** 2
    z = (y / 3.0 - 0.5).tanh().exp().relu().mean()
    assert y.dtype == np.float32 and z.dtype == np.float32
    z.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


@pytest.mark.parametrize("data", [[1, 2, 3], np.arange(4), True, np.array([True, False])])
def test_int_and_bool_data_without_grad(data: object) -> None:
    t = Tensor(data)
    assert t.dtype.kind in "biu"
    assert not t.requires_grad


@pytest.mark.parametrize(
    "data, name", [([1, 2], "int64"), (np.array([True]), "bool"), (np.int32(3), "int32")]
)
def test_requires_grad_on_non_floating_data_names_the_dtype(data: object, name: str) -> None:
    with pytest.raises(TypeError, match=name):
        Tensor(data, requires_grad=True)


def test_unsupported_data_raises_type_error() -> None:
    with pytest.raises(TypeError):
        Tensor("abc")
    with pytest.raises(TypeError):
        Tensor(np.array([1 + 2j]))


# -------------------------------------------------------------------- properties
def test_properties() -> None:
    a = np.arange(6.0).reshape(2, 3)
    t = Tensor(a)
    assert isinstance(t.data, np.ndarray)
    np.testing.assert_array_equal(t.data, a)
    assert t.grad is None
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.dtype == np.float64
    assert Tensor(4.0).item() == 4.0 and isinstance(Tensor(4.0).item(), float)
    assert t.numpy() is t.data
    np.testing.assert_array_equal(np.asarray(t), a)
    assert np.asarray(t, dtype=np.float32).dtype == np.float32


def test_len_of_0d_raises() -> None:
    with pytest.raises(TypeError):
        len(Tensor(1.0))


def test_iteration_is_over_the_first_axis_as_in_numpy() -> None:
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    rows = list(x)
    assert [r.shape for r in rows] == [(2,)] * 3
    sum(r.sum() * (i + 1) for i, r in enumerate(rows)).backward()  # type: ignore[union-attr]
    np.testing.assert_array_equal(x.grad, [[1, 1], [2, 2], [3, 3]])
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(Tensor(1.0))


def test_detach_cuts_the_graph() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.is_leaf
    np.testing.assert_array_equal(y.data, 2 * np.ones(3))


def test_repr() -> None:
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    r = repr(Tensor(np.ones(2, dtype=np.float32), requires_grad=True))
    assert "dtype=float32" in r and "requires_grad=True" in r
    x = Tensor([1.0], requires_grad=True)
    assert "grad_fn=<mul>" in repr(x * 2)
    # NumPy's default dtypes go unnamed, others are named: int32 and int64 differ.
    assert repr(Tensor([1])) == "Tensor([1])" and repr(Tensor([True])) == "Tensor([ True])"
    assert repr(Tensor(np.array([1], dtype=np.int32))) == "Tensor([1], dtype=int32)"


def test_clone_copies_the_data_and_keeps_the_graph() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.data is not x.data and not np.shares_memory(y.data, x.data)
    assert y.grad_fn == "clone"
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_a_0d_integer_tensor_is_an_index() -> None:
    assert [10, 20, 30][Tensor(1)] == 20 and list(range(Tensor(np.int8(3)))) == [0, 1, 2]
    for bad in (Tensor(1.0), Tensor([1])):
        with pytest.raises(TypeError, match="only a 0-d integer Tensor can be used as an index"):
            [10, 20][bad]
    with pytest.raises(TypeError, match="axis must be an int or a tuple of ints, got Tensor"):
        Tensor(np.ones((2, 3))).sum(axis=Tensor(0))  # type: ignore[arg-type]


def test_requires_grad_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="requires_grad must be a bool, got 'yes'"):
        Tensor([1.0], requires_grad="yes")  # type: ignore[arg-type]
    assert Tensor([1.0], requires_grad=np.bool_(True)).requires_grad


def test_identity_hashing() -> None:
    a, b = Tensor(1.0), Tensor(1.0)
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b" and len(d) == 2


def test_comparisons_return_bool_tensors_without_graph() -> None:
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = Tensor(np.array([3.0, 2.0, 1.0]), requires_grad=True)
    results = [x < y, x <= y, x > y, x >= y, x == y, x != y, x < 2.0, x == np.array(2.0)]
    expected = [
        [True, False, False],
        [True, True, False],
        [False, False, True],
        [False, True, True],
        [False, True, False],
        [True, False, True],
        [True, False, False],
        [False, True, False],
    ]
    for r, e in zip(results, expected):
        assert isinstance(r, Tensor) and r.dtype == np.bool_
        assert not r.requires_grad and r.is_leaf
        assert r.data.tolist() == e


# ----------------------------------------------------------------------- .grad
def test_only_leaves_get_grad() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    c = Tensor(np.array([3.0, 4.0]))
    h = x * c
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data * c.data**2)
    assert h.grad is None
    assert c.grad is None


def test_retain_grad_keeps_an_intermediate_gradient() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3.0
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    np.testing.assert_allclose(x.grad, 6 * h.data)


def test_grad_has_data_shape_and_dtype() -> None:
    x = Tensor(np.ones((2, 1), dtype=np.float32), requires_grad=True)
    (x + np.ones((3, 2, 4))).sum().backward()
    assert x.grad.shape == (2, 1) and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, np.full((2, 1), 12.0))


def test_reflected_operators_with_numbers_and_arrays() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    a = np.array([3.0, 5.0])
    ys = [2.0 + x, 2.0 - x, 2.0 * x, 2.0 / x, a + x, a - x, a * x, a / x, 2.0**x, -x]
    expected = [2 + x.data, 2 - x.data, 2 * x.data, 2 / x.data, a + x.data]
    expected += [a - x.data, a * x.data, a / x.data, 2.0**x.data, -x.data]
    for y, e in zip(ys, expected):
        assert isinstance(y, Tensor) and y.requires_grad
        np.testing.assert_allclose(y.data, e)


def test_cast_to_int_records_no_graph() -> None:
    x = Tensor(np.array([1.5, 2.5]), requires_grad=True)
    y = x.astype(np.int64)
    assert y.dtype == np.int64 and not y.requires_grad


def test_numpy_scalar_exponents_promote_as_in_numpy() -> None:
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    for p in (np.float32(2.0), np.float64(2.0), np.int64(2), np.array(2.0), np.True_, 2.0, 2):
        y = x**p
        assert y.dtype == (x.data**p).dtype, p
        np.testing.assert_allclose(y.data, x.data**p)
        y.sum().backward()
        assert x.grad is not None and x.grad.dtype == np.float32
        np.testing.assert_allclose(x.grad, 2 * x.data if p is not np.True_ else [1.0, 1.0])
        x.grad = None
    assert (x ** np.float64(2)).dtype == np.float64 and (x**2.0).dtype == np.float32
    assert (x ** Fraction(1, 2)).dtype == np.float32


def test_tensor_function_and_factories() -> None:
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.dtype == np.float64
    assert ag.zeros(2, 3).shape == (2, 3) and ag.ones((2,)).data.tolist() == [1.0, 1.0]


def test_float_and_int_of_one_element_tensors() -> None:
    assert float(Tensor([[2.5]])) == 2.5
    assert int(Tensor(np.array([3]))) == 3
    with pytest.raises(ValueError):
        float(Tensor([1.0, 2.0]))


def test_requires_grad_underscore_takes_a_bool() -> None:
    t = Tensor([1.0])
    with pytest.raises(TypeError, match="requires_grad_\\(\\): expected a bool, got 'False'"):
        t.requires_grad_("False")  # type: ignore[arg-type]
    assert t.requires_grad is False
    assert t.requires_grad_(np.bool_(True)).requires_grad is True


@pytest.mark.parametrize(
    "dtype",
    [np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64],
)
def test_invert_of_bool_and_every_integer_dtype(dtype: type) -> None:
    # Unsigned integers were refused; ~uint8(1) is 254 in NumPy.
    x = np.array([0, 1], dtype=dtype)
    y = ~Tensor(x)
    assert y.dtype == x.dtype and not y.requires_grad
    np.testing.assert_array_equal(y.data, ~x)


def test_invert_of_floats_names_the_dtype() -> None:
    with pytest.raises(TypeError, match="float32"):
        ~Tensor(np.ones(2, np.float32))


def test_comparing_a_tensor_with_a_scalar_says_they_do_not_mix() -> None:
    t, s = Tensor([1.0]), ag.Scalar(2.0)
    for compare in (lambda: t == s, lambda: t < s, lambda: t >= s, lambda: t != s):
        with pytest.raises(TypeError, match="a Tensor and a Scalar do not mix"):
            compare()

"""Edge shapes and dtypes through every op: size-0 arrays, 0-d tensors, float16/32/64
kept in outputs and gradients, mixed dtypes promoted as NumPy promotes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.ops.base import REGISTRY

T = ag.Tensor
FLOATS = [np.float16, np.float32, np.float64]

# One use of every differentiable op of one tensor argument (the op names cover REGISTRY).
UNARY: dict[str, Callable[[T], T]] = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: (x * x + 1.0).log(),
    "relu": lambda x: x.relu(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "abs": lambda x: x.abs(),
    "pow": lambda x: x**3,
    "powtensor": lambda x: 2.0**x,
    "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(),
    "softmax": lambda x: x.softmax(),
    "log_softmax": lambda x: x.log_softmax(),
    "reshape": lambda x: x.reshape(-1),
    "transpose": lambda x: x.T,
    "getitem": lambda x: x[...],
    "cast": lambda x: x.astype(x.dtype),
    "clone": lambda x: x.clone(),
    "broadcast_to": lambda x: ag.broadcast_to(x, (2, *x.shape)),
    "sum_to": lambda x: ag.broadcast_to(x, (2, *x.shape)).sum(axis=0),
    "concatenate": lambda x: ag.concatenate([x.reshape(-1), x.reshape(-1)]),
    "stack": lambda x: ag.stack([x, x]),
    "where": lambda x: ag.where(x.data > 0, x, -x),
    "add": lambda x: x + x,
    "sub": lambda x: x - 1.0,
    "mul": lambda x: x * x,
    "div": lambda x: x / 2.0,
    "matmul": lambda x: x.reshape(-1) @ x.reshape(-1),
    "max": lambda x: x.max(),
    "min": lambda x: x.min(),
    "index_add": lambda x: ag.grad((x.reshape(-1)[::2] ** 2).sum(), x, create_graph=True)[0],  # type: ignore[return-value]
}
EMPTY_RAISES = {"max", "min"}
# Ops with fixed input ranks, checked by test_fused_ops_on_empty_batches_and_dtypes.
FUSED = {"affine", "cross_entropy", "binary_cross_entropy_with_logits"}


def test_the_table_covers_every_registered_op() -> None:
    core = {cls.name for key, cls in REGISTRY.items() if key.startswith("autograd_lite.ops.")}
    assert core - set(UNARY) - FUSED - {"setitem"} == set()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("n", [0, 3])
@pytest.mark.parametrize("dtype", FLOATS)
def test_fused_ops_on_empty_batches_and_dtypes(dtype: Any, n: int, reduction: str) -> None:
    from autograd_lite.nn import functional as F

    x = T(np.ones((n, 4), dtype), requires_grad=True)
    w = T(np.ones((4, 3), dtype), requires_grad=True)
    b = T(np.zeros(3, dtype), requires_grad=True)
    s = F.linear(x, w, b)
    losses = [
        F.cross_entropy(s, np.zeros(n, dtype=np.int64), reduction=reduction),
        F.binary_cross_entropy_with_logits(s, np.zeros((n, 3)), reduction=reduction),
    ]
    for loss in losses:
        assert loss.dtype == dtype
        if reduction == "mean" and n == 0:
            assert np.isnan(loss.item())  # the mean of nothing, as in NumPy
        loss.backward(np.ones(loss.shape, dtype=dtype), retain_graph=True)
    for t, shape in ((x, (n, 4)), (w, (4, 3)), (b, (3,))):
        assert t.grad.dtype == dtype and t.grad.shape == shape


def _run(f: Callable[[T], T], x: T) -> T:
    y = f(x)
    y.backward(np.ones(y.shape, dtype=y.dtype))
    return y


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 2)])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_size_zero_through_every_op(name: str, shape: tuple[int, ...], dtype: Any) -> None:
    x = T(np.zeros(shape, dtype=dtype), requires_grad=True)
    if name in EMPTY_RAISES:
        with pytest.raises(ValueError, match=r"empty.*\(" + str(shape[0])):
            UNARY[name](x)
        return
    y = _run(UNARY[name], x)
    assert y.dtype == dtype
    assert x.grad.shape == shape and x.grad.dtype == dtype


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_zero_d_through_every_op(name: str, dtype: Any) -> None:
    x = T(np.array(0.75, dtype=dtype), requires_grad=True)
    y = _run(UNARY[name], x)
    assert y.dtype == dtype
    assert x.grad.shape == () and x.grad.dtype == dtype
    assert np.isfinite(x.grad).all()


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_dtype_kept_in_outputs_and_grads(name: str, dtype: Any) -> None:
    x = T(np.linspace(-1.0, 1.0, 6).reshape(2, 3).astype(dtype), requires_grad=True)
    y = _run(UNARY[name], x)
    assert y.dtype == dtype
    assert x.grad.dtype == dtype and x.grad.shape == (2, 3)


def test_empty_sum_is_zero_and_empty_max_raises_like_numpy() -> None:
    x = T(np.zeros((0, 3)), requires_grad=True)
    s = x.sum()
    assert s.item() == 0.0
    s.backward()
    assert x.grad.shape == (0, 3)
    np.testing.assert_array_equal(x.sum(axis=0).data, np.zeros(3))
    with pytest.raises(ValueError, match=r"\(0, 3\)"):
        x.max()
    with pytest.raises(ValueError, match="empty"):
        x.min(axis=0)
    assert x.max(axis=1).shape == (0,)  # NumPy allows reducing a non-empty axis


def test_matmul_with_an_empty_contracted_axis_gives_zeros() -> None:
    a = T(np.zeros((2, 0)), requires_grad=True)
    b = T(np.zeros((0, 3)), requires_grad=True)
    y = a @ b
    np.testing.assert_array_equal(y.data, np.zeros((2, 3)))
    y.sum().backward()
    assert a.grad.shape == (2, 0) and b.grad.shape == (0, 3)


BINARY: dict[str, Callable[[Any, Any], T]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "matmul": lambda a, b: a @ b,
    "where": lambda a, b: ag.where(np.array([True, False]), a, b),
    "concatenate": lambda a, b: ag.concatenate([a, b]),
    "stack": lambda a, b: ag.stack([a, b]),
}
NUMPY: dict[str, Callable[[Any, Any], Any]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.true_divide,
    "pow": np.power,
    "matmul": np.matmul,
    "where": lambda a, b: np.where(np.array([True, False]), a, b),
    "concatenate": lambda a, b: np.concatenate([a, b]),
    "stack": lambda a, b: np.stack([a, b]),
}
DTYPES = [np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_]


@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_mixed_dtypes_follow_numpy_and_grads_keep_each_input_dtype(
    name: str, da: Any, db: Any
) -> None:
    na, nb = np.array([1.5, 2.0]).astype(da), np.array([2.0, 1.0]).astype(db)
    a = T(na, requires_grad=na.dtype.kind == "f")
    b = T(nb, requires_grad=nb.dtype.kind == "f")
    try:
        expected = NUMPY[name](na, nb)
    except TypeError:  # e.g. bool - bool: refused by NumPy, so by us too
        with pytest.raises(TypeError, match="bool"):
            BINARY[name](a, b)
        return
    y = BINARY[name](a, b)
    assert y.dtype == expected.dtype
    if y.requires_grad:
        y.backward(np.ones(y.shape, dtype=y.dtype))
    for t in (a, b):
        if t.requires_grad:
            assert t.grad.dtype == t.dtype and t.grad.shape == t.shape


@pytest.mark.parametrize("dtype", FLOATS)
def test_python_numbers_take_the_tensor_dtype(dtype: Any) -> None:
    x = T(np.array([1.0, 2.0], dtype=dtype), requires_grad=True)
    y = (2.5 * x + 1) / 3 - 0.5
    assert y.dtype == dtype
    y.sum().backward()
    assert x.grad.dtype == dtype


def test_ints_mixed_with_floats_promote() -> None:
    i = T(np.array([1, 2, 3]))
    f = T(np.array([0.5, 0.5, 0.5], dtype=np.float32), requires_grad=True)
    y = i * f
    assert y.dtype == np.result_type(np.int64, np.float32)
    y.sum().backward()
    assert f.grad.dtype == np.float32
    np.testing.assert_array_equal(f.grad, [1.0, 2.0, 3.0])
    assert (i + 0.5).dtype == np.float64
    assert (i.exp()).dtype == np.float64
    assert (i.mean()).dtype == np.float64


def test_float16_and_float64_mixed_in_one_graph() -> None:
    h = T(np.array([1.0, 2.0], dtype=np.float16), requires_grad=True)
    d = T(np.array([3.0, 4.0], dtype=np.float64), requires_grad=True)
    y = (h * d).sum()
    assert y.dtype == np.float64
    y.backward()
    assert h.grad.dtype == np.float16 and d.grad.dtype == np.float64
    np.testing.assert_array_equal(h.grad, [3.0, 4.0])
    np.testing.assert_array_equal(d.grad, [1.0, 2.0])

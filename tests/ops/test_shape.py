"""reshape, transpose/.T/.mT, indexing of every kind, concatenate, stack, broadcast_to, where."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite import Tensor
from autograd_lite.testing import strategies as s

from ._check import check_float32, check_grad


# ---------------------------------------------------------------------- reshape
@given(data=st.data())
def test_reshape(data: st.DataObject) -> None:
    x = data.draw(s.arrays(s.shapes()))
    # Any factorisation of the size works; one axis may be left to -1.
    target = list(data.draw(st.permutations(list(x.shape) + [1])))
    if target and data.draw(st.booleans()):
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    check_grad(lambda t: t.reshape(tuple(target)), x)
    check_grad(lambda t: t.reshape(-1), x)
    check_grad(lambda t: t.flatten(), x)
    assert Tensor(x).reshape(*target).shape == x.reshape(target).shape


def test_reshape_forms() -> None:
    x = Tensor(np.arange(6.0), requires_grad=True)
    assert x.reshape(2, -1).shape == (2, 3)
    assert x.reshape((3, -1)).shape == (3, 2)
    assert ag.reshape(x, (-1, 1)).shape == (6, 1)
    with pytest.raises(ValueError, match=r"\(6,\)"):
        x.reshape(4, -1)
    with pytest.raises(TypeError, match="needs a shape"):
        Tensor(np.ones(1)).reshape()
    assert Tensor(np.ones(1)).reshape(()).shape == ()


# -------------------------------------------------------------------- transpose
@given(data=st.data())
def test_transpose(data: st.DataObject) -> None:
    x = data.draw(s.arrays(s.shapes()))
    perm = data.draw(st.permutations(range(x.ndim)))
    # Some axes given as negatives.
    signs = data.draw(st.lists(st.booleans(), min_size=x.ndim, max_size=x.ndim))
    axes = tuple(a - x.ndim if neg else a for a, neg in zip(perm, signs))
    np.testing.assert_array_equal(Tensor(x).transpose(axes).data, x.transpose(axes))
    check_grad(lambda t: t.transpose(axes), x)
    check_grad(lambda t: t.transpose(), x)
    check_grad(lambda t: t.T, x)
    if x.ndim >= 2:
        np.testing.assert_array_equal(Tensor(x).mT.data, np.swapaxes(x, -1, -2))
        check_grad(lambda t: t.mT, x)


def test_transpose_forms() -> None:
    x = Tensor(np.ones((2, 3, 4)))
    assert x.transpose(1, 2, 0).shape == (3, 4, 2)
    assert x.transpose([2, 0, 1]).shape == (4, 2, 3)
    assert ag.transpose(x).shape == (4, 3, 2)
    assert ag.swapaxes(x, 0, -1).shape == (4, 3, 2)
    with pytest.raises(ValueError, match="swapaxes"):
        _ = Tensor(np.ones(3)).mT


# --------------------------------------------------------------------- indexing
@given(data=st.data())
def test_basic_indexing(data: st.DataObject) -> None:
    x = data.draw(s.arrays(s.shapes(min_dims=1)))
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    np.testing.assert_array_equal(Tensor(x)[index].data, x[index])
    check_grad(lambda t: t[index], x)


@given(data=st.data())
def test_integer_array_indexing(data: st.DataObject) -> None:
    x = data.draw(s.arrays(s.shapes(min_dims=1)))
    index = data.draw(hnp.integer_array_indices(x.shape, result_shape=s.shapes(1, 2)))
    np.testing.assert_array_equal(Tensor(x)[index].data, x[index])
    check_grad(lambda t: t[index], x)


@given(data=st.data())
def test_boolean_mask_indexing(data: st.DataObject) -> None:
    x = data.draw(s.arrays(s.shapes(min_dims=1)))
    lead = data.draw(st.integers(1, x.ndim))
    mask = data.draw(hnp.arrays(np.bool_, x.shape[:lead]))
    np.testing.assert_array_equal(Tensor(x)[mask].data, x[mask])
    check_grad(lambda t: t[mask], x)
    check_grad(lambda t: t[Tensor(mask)], x)


def test_repeated_indices_accumulate() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x[np.array([0, 0, 1, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [[3.0, 3.0, 3.0], [1.0, 1.0, 1.0]])
    y = Tensor(np.arange(4.0), requires_grad=True)
    y[[1, 1, 3]].backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(y.grad, [0.0, 11.0, 0.0, 100.0])


def test_a_tuple_inside_the_index_is_an_array() -> None:
    """To NumPy ``x[:, (1, 1)]`` is an integer-array index, so repeats add up here too."""
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    np.testing.assert_array_equal(x[:, (1, 1)].data, x.data[:, (1, 1)])
    x[:, (1, 1)].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 2.0, 0.0], [0.0, 2.0, 0.0]])
    y = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y[(0, 0),].sum().backward()
    np.testing.assert_array_equal(y.grad, [2.0, 0.0, 0.0])
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = Tensor([10.0, 20.0], requires_grad=True)
    h = a * 1.0
    h[(0, 0),] = v  # the second write lands
    h.sum().backward()
    np.testing.assert_array_equal(v.grad, [0.0, 1.0])
    np.testing.assert_array_equal(a.grad, [0.0, 1.0, 1.0])


def test_mixed_index() -> None:
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    for index in [
        (1, ..., None, slice(None, None, -2)),
        (np.array([2, 0, 2]), slice(1, 3), np.array([4, 4, 0])),
        (..., np.array([1, 1])),
        (np.array([True, False, True]), None, 2),
        Tensor(np.array([0, 2, 0])),
    ]:
        np.testing.assert_array_equal(
            Tensor(x)[index].data, x[ag.ops.indexing.normalize_index(index)]
        )
        check_grad(lambda t, i=index: t[i], x)


def test_float_index_raises() -> None:
    with pytest.raises(IndexError, match="float64"):
        Tensor(np.ones(3))[np.array([0.0])]


# ----------------------------------------------------------- concatenate, stack
@given(data=st.data())
def test_concatenate(data: st.DataObject) -> None:
    base = data.draw(s.shapes(min_dims=1))
    axis = data.draw(st.integers(-len(base), len(base) - 1))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    shapes = [base[: axis % len(base)] + (n,) + base[axis % len(base) + 1 :] for n in sizes]
    xs = [data.draw(s.arrays(shp)) for shp in shapes]
    np.testing.assert_array_equal(
        ag.concatenate(list(xs), axis=axis).data, np.concatenate(xs, axis)
    )
    check_grad(lambda *ts: ag.concatenate(list(ts), axis=axis), *xs)


@given(data=st.data())
def test_stack(data: st.DataObject) -> None:
    shape = data.draw(s.shapes(max_dims=3))
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    n = data.draw(st.integers(1, 3))
    xs = [data.draw(s.arrays(shape)) for _ in range(n)]
    np.testing.assert_array_equal(ag.stack(list(xs), axis=axis).data, np.stack(xs, axis))
    check_grad(lambda *ts: ag.stack(list(ts), axis=axis), *xs)


def test_concatenate_and_stack_errors() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ag.concatenate([])
    with pytest.raises(ValueError, match="at least one"):
        ag.stack([])
    with pytest.raises(ValueError, match=r"\(2, 3\), \(3, 2\)"):
        ag.stack([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))])


# ---------------------------------------------------------- broadcast_to, where
@given(data=st.data())
def test_broadcast_to(data: st.DataObject) -> None:
    sx, target = data.draw(s.broadcastable_shapes())
    full = np.broadcast_shapes(sx, target)
    x = data.draw(s.arrays(sx))
    check_grad(lambda t: ag.broadcast_to(t, full), x)


@given(data=st.data())
def test_where(data: st.DataObject) -> None:
    sa, sb, sc = data.draw(s.broadcastable_shapes(num_shapes=3))
    a, b = data.draw(s.arrays(sa)), data.draw(s.arrays(sb))
    cond = data.draw(hnp.arrays(np.bool_, sc))
    np.testing.assert_array_equal(ag.where(cond, a, b).data, np.where(cond, a, b))
    check_grad(lambda x, y: ag.where(cond, x, y), a, b)


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda t: t.reshape(-1), [(2, 3)]),
        (lambda t: t.transpose(1, 0), [(2, 3)]),
        (lambda t: t.T, [(2, 3)]),
        (lambda t: t.reshape(1, 2, 3).mT, [(2, 3)]),
        (lambda t: t[np.array([0, 0, 1]), 1:], [(2, 3)]),
        (lambda t: t[t > 0.5], [(2, 3)]),
        (lambda a, b: ag.concatenate([a, b], axis=1), [(2, 3), (2, 1)]),
        (lambda a, b: ag.stack([a, b], axis=-1), [(2, 3), (2, 3)]),
        (lambda a: ag.broadcast_to(a, (4, 2, 3)), [(2, 1)]),
        (lambda a, b: ag.where(a.data > 0.5, a, b), [(2, 3), (3,)]),
    ],
    ids=["reshape", "transpose", "T", "mT", "getitem", "mask", "concat", "stack", "bcast", "where"],
)
def test_float32_kept(fn: Callable[..., Any], shapes: list[tuple[int, ...]]) -> None:
    rng = np.random.default_rng(0)
    check_float32(fn, *[rng.uniform(0, 1, shp) for shp in shapes])


def test_reusing_an_index_array_after_the_forward_keeps_the_gradient() -> None:
    x = Tensor(np.arange(4.0), requires_grad=True)
    index = np.array([0, 1])
    mask = np.array([True, False, False, True])
    y = x[index].sum() + x[mask].sum() * 10 + x[Tensor(index)].sum() * 100
    index[:] = 3
    mask[:] = False
    y.backward()
    np.testing.assert_array_equal(x.grad, [111.0, 101.0, 0.0, 10.0])


def test_reusing_a_where_condition_after_the_forward_keeps_the_gradient() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    cond = np.array([True, False, True])
    y = ag.where(cond, x, 0.0)
    cond[:] = False
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


def test_swapaxes_out_of_bounds() -> None:
    with pytest.raises(ValueError, match=r"axis 5 .*\(2, 3\)"):
        ag.swapaxes(Tensor(np.ones((2, 3))), 0, 5)


def test_repeated_setitem_index_passes_gradient_once() -> None:
    x = Tensor(np.arange(4.0), requires_grad=True)
    v = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * 1.0
    y[np.array([0, 0, 2])] = v  # the write of v[0] is overwritten by v[1]
    y.backward(np.array([10.0, 20.0, 30.0, 40.0]))
    np.testing.assert_array_equal(y.data, [2.0, 1.0, 3.0, 3.0])
    np.testing.assert_array_equal(v.grad, [0.0, 10.0, 30.0])
    np.testing.assert_array_equal(x.grad, [0.0, 20.0, 0.0, 40.0])


def test_empty_list_index_selects_nothing() -> None:
    x = np.arange(6.0).reshape(2, 3)
    for index in [[], (slice(None), []), [[], []]]:
        got = Tensor(x)[index]
        assert got.shape == x[index].shape
        check_grad(lambda t, i=index: t[i].sum() + t.sum(), x)
    h = Tensor(x) * 1.0
    h[[]] = 5.0
    np.testing.assert_array_equal(h.data, x)


@pytest.mark.parametrize(
    ("index", "vshape"),
    [(0, (1, 3)), (0, (1, 1)), (0, (1, 1, 3)), (slice(1, 3), (1, 2, 1)), ([0, 2], (1, 2, 3))],
)
def test_setitem_value_with_leading_size_1_axes(index: Any, vshape: tuple[int, ...]) -> None:
    """NumPy drops a value's leading size-1 axes on assignment; its gradient gets them back."""
    rng = np.random.default_rng(0)

    def f(x: Tensor, v: Tensor) -> Tensor:
        h = x * 1.0
        h[index] = v
        return h * h

    x, v = rng.standard_normal((4, 3)), rng.standard_normal(vshape)
    check_grad(f, x, v)


@given(data=st.data())
def test_concatenate_axis_none_flattens_the_inputs(data: st.DataObject) -> None:
    shapes = data.draw(st.lists(s.shapes(max_dims=3), min_size=1, max_size=3))
    xs = [data.draw(s.arrays(shp)) for shp in shapes]
    y = ag.concatenate(list(xs), axis=None)
    np.testing.assert_array_equal(y.data, np.concatenate(xs, axis=None))
    check_grad(lambda *ts: ag.concatenate(list(ts), axis=None), *xs)


def test_concatenate_axis_none_gradient_goes_back_to_each_shape() -> None:
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    ag.concatenate([a, b], axis=None).backward(np.arange(7.0))
    np.testing.assert_array_equal(a.grad, [[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(b.grad, [4.0, 5.0, 6.0])
    check_float32(lambda p, q: ag.concatenate([p, q], axis=None), [[1.0, 2.0]], [3.0])


@pytest.mark.parametrize("n", [3, np.int64(3)])
def test_broadcast_to_an_int_shape(n: Any) -> None:
    y = ag.broadcast_to(Tensor(np.array([1.5])), n)
    assert y.shape == np.broadcast_to(np.array([1.5]), n).shape == (3,)
    check_grad(lambda t: ag.broadcast_to(t, n), np.array([1.5]))
    check_grad(lambda t: ag.broadcast_to(t, n), np.array(2.5))


def test_broadcast_to_a_shape_that_is_no_shape() -> None:
    with pytest.raises(TypeError, match="shape must be an int or a sequence of ints, got float"):
        ag.broadcast_to(Tensor(np.ones(1)), 3.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 1, 3)])
def test_swapaxes_of_an_axis_with_itself(shape: tuple[int, ...]) -> None:
    x = np.arange(float(np.prod(shape))).reshape(shape)
    for a in range(-len(shape), len(shape)):
        np.testing.assert_array_equal(ag.swapaxes(Tensor(x), a, a).data, np.swapaxes(x, a, a))
        check_grad(lambda t, a=a: ag.swapaxes(t, a, a), x)


def test_swapaxes_out_of_bounds_in_few_dimensions() -> None:
    with pytest.raises(ValueError, match=r"axis 1 .*\(3,\)"):
        ag.swapaxes(Tensor(np.ones(3)), 0, 1)
    with pytest.raises(ValueError, match=r"axis 0 .*\(\)"):
        ag.swapaxes(Tensor(np.array(1.0)), 0, 0)

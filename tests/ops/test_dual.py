"""The helpers shared by ndarrays and Tensors, above all the one broadcast reduction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from autograd_lite import Tensor
from autograd_lite.ops import dual
from autograd_lite.testing import strategies as s


@given(s.broadcastable_shapes())
def test_reduce_to_shape_undoes_broadcasting(pair: tuple[tuple[int, ...], ...]) -> None:
    small, other = pair
    full = np.broadcast_shapes(small, other)
    g = np.arange(float(np.prod(full))).reshape(full).astype(np.float32)
    out = dual.reduce_to_shape(g, small)
    assert out.shape == small and out.dtype == np.float32
    # Each input element receives the sum of every output element it was copied to.
    ids = np.arange(int(np.prod(small))).reshape(small)
    spread = np.broadcast_to(ids, full)
    expected = np.bincount(spread.reshape(-1), weights=g.reshape(-1), minlength=ids.size)
    np.testing.assert_allclose(out.reshape(-1), expected, rtol=1e-6)


def test_summed_axes() -> None:
    assert dual.summed_axes((2, 3, 4), (3, 1)) == (0, 2)
    assert dual.summed_axes((3, 4), (3, 4)) == ()
    assert dual.summed_axes((5,), ()) == (0,)


@pytest.mark.parametrize("frm, to", [((3,), (2, 3)), ((2, 3), (4,)), ((2, 3), (2, 2))])
def test_cannot_reduce_names_both_shapes(frm: tuple[int, ...], to: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=rf"{frm}.*{to}".replace("(", r"\(").replace(")", r"\)")):
        dual.summed_axes(frm, to)


def test_helpers_run_on_arrays_and_tensors() -> None:
    a = np.array([0.5, 2.0])
    t = Tensor(a, requires_grad=True)
    for fn in (dual.exp, dual.log):
        np.testing.assert_allclose(fn(t).data, fn(a))
        assert fn(t).requires_grad
    np.testing.assert_array_equal(dual.broadcast_to(t, (3, 2)).data, np.broadcast_to(a, (3, 2)))
    np.testing.assert_array_equal(dual.sum_to_shape(Tensor(np.ones((3, 2))), (2,)).data, [3, 3])
    added = dual.index_add((3,), np.array([0, 0, 2]), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(added, [3.0, 0.0, 3.0])

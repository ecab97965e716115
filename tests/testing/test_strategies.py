"""The hypothesis strategies produce what they promise."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor
from autograd_lite.testing import strategies as s


@given(s.shapes())
def test_shapes_are_0d_to_4d(shape: tuple[int, ...]) -> None:
    assert 0 <= len(shape) <= 4 and all(1 <= n <= 4 for n in shape)


@given(s.broadcastable_shapes())
def test_broadcastable_shapes_broadcast(pair: tuple[tuple[int, ...], ...]) -> None:
    a, b = pair
    assert len(a) <= 4 and len(b) <= 4
    np.broadcast_shapes(a, b)


def test_broadcastable_shapes_cover_size1_and_missing_axes() -> None:
    find(s.broadcastable_shapes(), lambda p: len(p[0]) != len(p[1]))
    find(
        s.broadcastable_shapes(),
        lambda p: len(p[0]) == len(p[1]) and any(x == 1 != y for x, y in zip(*p)),
    )


@given(s.matmul_shapes())
def test_matmul_shapes_are_valid_and_at_most_4d(pair: tuple[tuple[int, ...], ...]) -> None:
    a, b = pair
    assert 1 <= len(a) <= 4 and 1 <= len(b) <= 4
    np.matmul(np.ones(a), np.ones(b))


@pytest.mark.parametrize(
    "case",
    [
        lambda a, b: len(a) == 1 and len(b) == 1,
        lambda a, b: len(a) == 1 and len(b) >= 2,
        lambda a, b: len(a) >= 2 and len(b) == 1,
        lambda a, b: len(a) == 2 and len(b) == 2,
        lambda a, b: len(a) >= 3 and len(b) >= 3,
        lambda a, b: len(a) >= 3 and len(b) >= 2 and a[:-2][-1:] != b[:-2][-1:],
    ],
    ids=["1d@1d", "1d@nd", "nd@1d", "2d@2d", "batched", "broadcast_batch"],
)
def test_matmul_shapes_cover_every_case(case: object) -> None:
    find(s.matmul_shapes(), lambda p: case(*p), settings=settings(max_examples=2000))  # type: ignore[operator]


@given(data=st.data())
def test_arrays_respect_bounds_and_kinks(data: st.DataObject) -> None:
    a = data.draw(s.arrays(s.shapes(), min_value=-2, max_value=5, away_from=(0.0, 1.0)))
    assert a.dtype == np.float64
    assert np.all((a >= -2) & (a <= 5))
    assert np.all(np.abs(a) >= 1e-3) and np.all(np.abs(a - 1.0) >= 1e-3)


@given(s.arrays((2, 3), dtype=np.float32))
def test_arrays_dtype(a: np.ndarray) -> None:
    assert a.dtype == np.float32 and a.shape == (2, 3)


@given(data=st.data())
def test_bounds_and_kinks_hold_in_the_narrower_dtype(data: st.DataObject) -> None:
    """Values are checked as stored: float32 rounding must not cross max_value or come
    within min_distance of a kink, and float16 must not overflow to inf."""
    a = data.draw(s.arrays(s.shapes(), dtype=np.float32, max_value=0.1, away_from=(1.0,)))
    assert np.all(a <= np.float32(0.1)) and np.all(a <= 0.1)
    b = data.draw(s.arrays(s.shapes(), dtype=np.float32, min_value=0.5, away_from=(1.0,)))
    assert np.all(np.abs(b.astype(np.float64) - 1.0) >= 1e-3)
    c = data.draw(s.arrays(s.shapes(), dtype=np.float16, min_value=-1e6, max_value=1e6))
    assert np.all(np.isfinite(c))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="dtype must be floating, got int64"):
        s.arrays((2,), dtype=np.int64)
    with pytest.raises(ValueError, match="min_value 2 is above max_value 1"):
        s.arrays((2,), min_value=2, max_value=1)
    with pytest.raises(ValueError, match="min_distance must be >= 0"):
        s.arrays((2,), min_distance=-1.0)
    with pytest.raises(ValueError, match="ndim must be an int >= 0, got -1"):
        s.axes(-1)


@given(data=st.data())
def test_distinct_leaves_no_near_ties(data: st.DataObject) -> None:
    a = s.distinct(data.draw(s.arrays(s.shapes())), min_gap=0.01)
    flat = np.sort(a.reshape(-1))
    assert flat.size < 2 or np.min(np.diff(flat)) >= 0.01


@given(data=st.data())
def test_axes_are_valid_for_numpy(data: st.DataObject) -> None:
    shape = data.draw(s.shapes())
    axis = data.draw(s.axes(len(shape)))
    np.ones(shape).sum(axis=axis)


def test_axes_cover_none_int_negative_and_tuple() -> None:
    find(s.axes(3), lambda a: a is None)
    find(s.axes(3), lambda a: isinstance(a, int) and a < 0)
    find(s.axes(3), lambda a: isinstance(a, tuple) and len(a) >= 2 and min(a) < 0)


@given(s.tensors())
def test_tensors(t: Tensor) -> None:
    assert isinstance(t, Tensor) and t.requires_grad and t.dtype == np.float64

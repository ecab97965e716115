"""Hypothesis strategies for property-testing gradients.

Shapes from 0-d to 4-d, pairs of shapes that broadcast (size-1 axes, missing
leading axes), the shapes of every ``np.matmul`` case (driven by its gufunc
signature ``(n?,k),(k,m?)->(n?,m?)``), float64 arrays kept away from an op's
kinks, and Tensors built from them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .._typing import Array, Shape
from ..tensor import Tensor

__all__ = [
    "arrays",
    "axes",
    "broadcastable_shapes",
    "distinct",
    "matmul_shapes",
    "shapes",
    "tensors",
]

MATMUL_SIGNATURE = "(n?,k),(k,m?)->(n?,m?)"


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[Shape]:
    """Array shapes of ``min_dims`` to ``max_dims`` axes."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 4, max_side: int = 4
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """``num_shapes`` shapes that broadcast together (some axes 1, some missing)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda b: tuple(b.input_shapes))


def matmul_shapes(max_dims: int = 4, max_side: int = 4) -> st.SearchStrategy[tuple[Shape, Shape]]:
    """Operand shapes for ``x @ w`` in every ``np.matmul`` case: 1-D·1-D, 1-D·N-D,
    N-D·1-D and batched N-D·N-D with broadcast batch axes; each operand has at most
    ``max_dims`` axes (at least 2)."""
    if max_dims < 2:
        raise ValueError(f"matmul_shapes needs max_dims >= 2, got {max_dims}")
    # hypothesis counts only the batch (loop) axes in max_dims; the two core axes come on top.
    return hnp.mutually_broadcastable_shapes(
        signature=MATMUL_SIGNATURE, max_dims=max_dims - 2, max_side=max_side
    ).map(lambda b: (b.input_shapes[0], b.input_shapes[1]))


def axes(ndim: int) -> st.SearchStrategy[int | tuple[int, ...] | None]:
    """Valid ``axis`` arguments of a reduction over ``ndim`` axes: None, an int
    (negative ones too) or a tuple of distinct axes, each possibly negative."""
    if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 0:
        raise ValueError(f"axes: ndim must be an int >= 0, got {ndim!r}")
    if ndim == 0:
        return st.sampled_from([None, ()])
    one = st.integers(min_value=-ndim, max_value=ndim - 1)
    many = st.lists(one, max_size=ndim, unique_by=lambda a: a % ndim).map(tuple)
    return st.one_of(st.none(), one, many)


def arrays(
    shape: Shape | st.SearchStrategy[Shape],
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    away_from: tuple[float, ...] = (),
    min_distance: float = 1e-3,
) -> st.SearchStrategy[Array]:
    """Finite arrays of the floating ``dtype`` with elements in [min_value, max_value],
    each at least ``min_distance`` from every point of ``away_from`` (an op's kinks, e.g.
    relu's 0). The bounds hold for the values as stored in ``dtype``."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"arrays: dtype must be floating, got {dt}")
    if not min_value <= max_value:
        raise ValueError(f"arrays: min_value {min_value} is above max_value {max_value}")
    if not min_distance >= 0:
        raise ValueError(f"arrays: min_distance must be >= 0, got {min_distance}")
    elements = st.floats(
        min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False, width=64
    )
    # Hypothesis favours simple values such as 0.0, which are exactly the kinks: a value
    # that falls near one is moved just outside it (a little further than min_distance,
    # so rounding to a narrower dtype keeps it out) instead of being discarded.
    step = min_distance * 1.001

    def push(v: float) -> float:
        for k in away_from:
            if abs(v - k) < min_distance:
                v = k + step if v >= k else k - step
        with np.errstate(over="ignore"):  # past float16's range: inf, filtered out below
            return float(dt.type(v))

    def ok(v: float) -> bool:
        return (
            math.isfinite(v)
            and min_value <= v <= max_value
            and all(abs(v - k) >= min_distance for k in away_from)
        )

    # The filter only catches the rare value moved near another kink or past a bound,
    # or rounded there by the dtype.
    elements = elements.map(push).filter(ok)
    return hnp.arrays(dtype=dt, shape=shape, elements=elements)


def distinct(array: Array, min_gap: float = 1e-3) -> Array:
    """``array`` unchanged, after telling hypothesis to skip it when two elements are
    within ``min_gap`` (max/min away from ties)."""
    flat = np.sort(array.reshape(-1))
    assume(flat.size < 2 or bool(np.min(np.diff(flat)) >= min_gap))
    return array


def tensors(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    requires_grad: bool = True,
    **array_kwargs: Any,
) -> st.SearchStrategy[Tensor]:
    """Tensors over :func:`arrays` (shapes from :func:`shapes` when none is given)."""
    return arrays(shapes() if shape is None else shape, **array_kwargs).map(
        lambda a: Tensor(a, requires_grad=requires_grad)
    )

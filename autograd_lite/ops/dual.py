"""Helpers that run on ndarrays and Tensors alike, for writing VJPs once.

On an ndarray each is the NumPy computation; on a Tensor it applies the op of
the same meaning, so a VJP run by ``create_graph=True`` records a graph. The
broadcast reduction every gradient edge goes through is :func:`sum_to_shape`,
whose array form :func:`reduce_to_shape` is the one place that undoes
broadcasting in the package.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._typing import Array, Shape
from ..tensor import Tensor

__all__ = [
    "broadcast_to",
    "exp",
    "index_add",
    "log",
    "reduce_to_shape",
    "sum_to_shape",
    "summed_axes",
]

#: What ndarray.sum calls, minus its Python-level wrapper. (Typed Any: NumPy's stubs
#: accept only a literal True or False for its keepdims.)
_add_reduce: Any = np.add.reduce

#: Elements up to which :func:`broadcast_to` fills in a new array instead of a view.
_FILL_LIMIT = 4096


def summed_axes(from_shape: Shape, to_shape: Shape) -> tuple[int, ...]:
    """The axes of ``from_shape`` that broadcasting added or stretched to reach it from
    ``to_shape``: the leading axes, then the axes where ``to_shape`` has size 1."""
    lead = len(from_shape) - len(to_shape)
    if lead < 0:
        raise ValueError(f"cannot reduce a gradient of shape {from_shape} to shape {to_shape}")
    axes = list(range(lead))
    for i, n in enumerate(to_shape):
        m = from_shape[lead + i]
        if n == m:
            continue
        if n != 1:
            raise ValueError(
                f"cannot reduce a gradient of shape {from_shape} to shape {to_shape}: "
                f"axis {lead + i} has size {m}, expected {n} or a broadcast size-1 axis"
            )
        axes.append(lead + i)
    return tuple(axes)


def reduce_to_shape(g: Array, shape: Shape) -> Array:
    """Sum ``g`` over the axes broadcasting added (leading) or stretched (size 1), keeping
    its dtype, so that it has ``shape``."""
    gshape = g.shape
    lead = len(gshape) - len(shape)
    if lead > 0 and shape and gshape[lead:] == shape:
        # Only leading axes were added (a bias, say). A batch of one needs no sum at all;
        # otherwise one sum, with an int axis where it can (on small arrays a tuple of
        # axes costs NumPy as much again as the sum).
        if lead == 1:
            return g.reshape(shape) if gshape[0] == 1 else _add_reduce(g, 0)
        summed: Array = _add_reduce(g, tuple(range(lead)))
        return summed
    axes = summed_axes(gshape, shape)
    if any(gshape[a] != 1 for a in axes):
        g = _add_reduce(g, axes, keepdims=True)
    # Summing over axes of size 1 changes no value: the reshape drops them.
    return g.reshape(shape)


def sum_to_shape(g: Any, shape: Shape) -> Any:
    if type(g) is np.ndarray:
        # The plain backward's case, first.
        return reduce_to_shape(g, shape)
    if isinstance(g, Tensor):
        return shape_ops.SumTo.apply(g, shape=shape)
    return reduce_to_shape(np.asarray(g), shape)


def broadcast_to(g: Any, shape: Shape) -> Any:
    if isinstance(g, Tensor):
        return shape_ops.BroadcastTo.apply(g, shape=shape)
    if math.prod(shape) <= _FILL_LIMIT:
        # np.broadcast_to's Python wrapper costs several µs per call: a small gradient is
        # cheaper filled in; past the limit a view saves the memory of a copy.
        out = np.empty(shape, dtype=g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def exp(x: Any) -> Any:
    if isinstance(x, Tensor):
        return elementwise.Exp.apply(x)
    return np.exp(x)


def log(x: Any) -> Any:
    if isinstance(x, Tensor):
        return elementwise.Log.apply(x)
    return np.log(x)


def index_add(shape: Shape, index: Any, g: Any) -> Any:
    """A zero array of ``shape`` with ``g`` added at ``index`` (repeated indices add up)."""
    if isinstance(g, Tensor):
        return indexing.IndexAdd.apply(g, shape=shape, index=index)
    return indexing.index_add_array(shape, index, np.asarray(g))


from . import elementwise, indexing  # noqa: E402
from . import shape as shape_ops  # noqa: E402

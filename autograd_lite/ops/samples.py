"""Samplers: how to draw a valid call of an op, the metadata the registry test runs on.

An op declares ``sample = samples.elementwise(min_value=0.05)`` (or any function
``draw -> (inputs, params)``). ``draw`` is hypothesis's ``data.draw``; ``inputs`` are
float64 arrays inside the op's domain, away from its kinks, and ``params`` are the
keyword arguments of ``apply``. The registry test (tests/ops/test_registry.py) then
gradchecks ``Op.apply(*inputs, **params)`` and checks that float32 stays float32.

hypothesis is a test dependency only, so it is imported inside the samplers, which
run only under a test.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .._typing import Array

__all__ = [
    "Call",
    "Draw",
    "Sampler",
    "affine",
    "along_axis",
    "bce_with_logits",
    "broadcast",
    "broadcast_to",
    "cast",
    "concatenate",
    "cross_entropy",
    "elementwise",
    "getitem",
    "index_add",
    "matmul",
    "power",
    "reduction",
    "reshape",
    "setitem",
    "stack",
    "sum_to",
    "transpose",
    "where",
]

Call = tuple[tuple[Array, ...], dict[str, Any]]
Draw = Callable[[Any], Any]
Sampler = Callable[[Draw], Call]


def _s() -> ModuleType:
    from ..testing import strategies

    return strategies


def _st() -> ModuleType:
    from hypothesis import strategies

    return strategies


def _index(draw: Draw, shape: tuple[int, ...]) -> Any:
    """A basic index, an integer-array index (repeats included) or a boolean mask."""
    from hypothesis.extra import numpy as hnp

    kind = draw(_st().sampled_from(["basic", "integer", "mask"]))
    if kind == "basic":
        return draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    if kind == "integer":
        return draw(hnp.integer_array_indices(shape, result_shape=_s().shapes(1, 2)))
    lead = draw(_st().integers(1, len(shape)))
    return draw(hnp.arrays(np.bool_, shape[:lead]))


# ------------------------------------------------------------ reusable samplers
def elementwise(**domain: Any) -> Sampler:
    """One array of any shape (0-d to 4-d); ``domain`` goes to ``strategies.arrays``
    (``min_value``, ``max_value``, ``away_from`` the op's kinks)."""

    def sample(draw: Draw) -> Call:
        return (draw(_s().arrays(_s().shapes(), **domain)),), {}

    return sample


def broadcast(*domains: dict[str, Any]) -> Sampler:
    """One array per domain, of mutually broadcastable shapes (size-1 and missing axes)."""

    def sample(draw: Draw) -> Call:
        shapes = draw(_s().broadcastable_shapes(num_shapes=len(domains)))
        return tuple(draw(_s().arrays(shp, **d)) for shp, d in zip(shapes, domains)), {}

    return sample


def reduction(distinct: bool = False) -> Sampler:
    """An array, an ``axis`` (None, int, negative, tuple) and ``keepdims``; ``distinct``
    keeps elements apart (max/min away from ties)."""

    def sample(draw: Draw) -> Call:
        x = draw(_s().arrays(_s().shapes()))
        if distinct:
            x = _s().distinct(x)
        axis = draw(_s().axes(x.ndim))
        return (x,), {"axis": axis, "keepdims": draw(_st().booleans())}

    return sample


def along_axis(draw: Draw) -> Call:
    """An array of at least one axis and one int ``axis`` (softmax and friends)."""
    x = draw(_s().arrays(_s().shapes(min_dims=1)))
    return (x,), {"axis": draw(_st().integers(-x.ndim, x.ndim - 1))}


# ------------------------------------------------------------ one op's domain each
def matmul(draw: Draw) -> Call:
    sx, sw = draw(_s().matmul_shapes())
    return (draw(_s().arrays(sx)), draw(_s().arrays(sw))), {}


def power(draw: Draw) -> Call:
    x = draw(_s().arrays(_s().shapes(), min_value=0.2, max_value=3.0))
    return (x,), {"p": draw(_st().sampled_from([0, 1, 2, 3, -1, 0.5, -1.5, 2.5]))}


def constant(draw: Draw) -> Call:
    """An array and a Python number ``c`` (float, or int) to add or multiply it by."""
    x = draw(_s().arrays(_s().shapes()))
    c = draw(_st().one_of(_st().floats(-3.0, 3.0), _st().integers(-3, 3)))
    return (x,), {"c": c}


def reshape(draw: Draw) -> Call:
    x = draw(_s().arrays(_s().shapes()))
    target = list(draw(_st().permutations([*x.shape, 1])))
    if draw(_st().booleans()):
        target[draw(_st().integers(0, len(target) - 1))] = -1
    return (x,), {"shape": tuple(target)}


def transpose(draw: Draw) -> Call:
    x = draw(_s().arrays(_s().shapes()))
    axes = draw(_st().one_of(_st().none(), _st().permutations(range(x.ndim)).map(tuple)))
    return (x,), {"axes": axes}


def cast(draw: Draw) -> Call:
    # float64 only: a cast that rounds would defeat the finite differences.
    return (draw(_s().arrays(_s().shapes())),), {"dtype": np.dtype(np.float64)}


def broadcast_to(draw: Draw) -> Call:
    small, other = draw(_s().broadcastable_shapes())
    x = draw(_s().arrays(small))
    return (x,), {"shape": np.broadcast_shapes(small, other)}


def sum_to(draw: Draw) -> Call:
    small, other = draw(_s().broadcastable_shapes())
    x = draw(_s().arrays(np.broadcast_shapes(small, other)))
    return (x,), {"shape": small}


def getitem(draw: Draw) -> Call:
    x = draw(_s().arrays(_s().shapes(min_dims=1)))
    return (x,), {"index": _index(draw, x.shape)}


def index_add(draw: Draw) -> Call:
    shape = draw(_s().shapes(min_dims=1))
    index = _index(draw, shape)
    x = draw(_s().arrays(np.zeros(shape)[index].shape))
    return (x,), {"shape": shape, "index": index}


def setitem(draw: Draw) -> Call:
    x = draw(_s().arrays(_s().shapes(min_dims=1)))
    index = _index(draw, x.shape)
    target = x[index].shape
    # v may be broadcast into the written region: drop leading axes, shrink some to 1.
    vshape = tuple(
        n if draw(_st().booleans()) else 1 for n in target[draw(_st().integers(0, len(target))) :]
    )
    return (x, draw(_s().arrays(vshape))), {"index": index}


def concatenate(draw: Draw) -> Call:
    base = draw(_s().shapes(min_dims=1))
    axis = draw(_st().integers(-len(base), len(base) - 1))
    ax = axis % len(base)
    sizes = draw(_st().lists(_st().integers(1, 3), min_size=1, max_size=3))
    xs = tuple(draw(_s().arrays((*base[:ax], n, *base[ax + 1 :]))) for n in sizes)
    return xs, {"axis": axis}


def stack(draw: Draw) -> Call:
    shape = draw(_s().shapes(max_dims=3))
    axis = draw(_st().integers(-len(shape) - 1, len(shape)))
    n = draw(_st().integers(1, 3))
    return tuple(draw(_s().arrays(shape)) for _ in range(n)), {"axis": axis}


def where(draw: Draw) -> Call:
    from hypothesis.extra import numpy as hnp

    sx, sz, sc = draw(_s().broadcastable_shapes(num_shapes=3))
    inputs = (draw(_s().arrays(sx)), draw(_s().arrays(sz)))
    return inputs, {"condition": draw(hnp.arrays(np.bool_, sc))}


def affine(draw: Draw) -> Call:
    """X (..., D) of 2 to 4 axes, W (D, C) and, half the time, b (C,)."""
    sx = draw(_s().shapes(min_dims=2))
    sw = (sx[-1], draw(_st().integers(1, 4)))
    xs = [draw(_s().arrays(sx)), draw(_s().arrays(sw))]
    if draw(_st().booleans()):
        xs.append(draw(_s().arrays(sw[1:])))
    return tuple(xs), {}


def cross_entropy(draw: Draw) -> Call:
    """Logits (N, C), integer targets in [0, C) and a reduction."""
    n, c = draw(_st().integers(1, 4)), draw(_st().integers(1, 4))
    targets = np.array(draw(_st().lists(_st().integers(0, c - 1), min_size=n, max_size=n)))
    reduction = draw(_st().sampled_from(["mean", "sum", "none"]))
    return (draw(_s().arrays((n, c))),), {"targets": targets, "reduction": reduction}


def bce_with_logits(draw: Draw) -> Call:
    """Logits and targets in [0, 1] of one shape, and a reduction."""
    shape = draw(_s().shapes())
    x, y = draw(_s().arrays(shape)), draw(_s().arrays(shape, min_value=0.0, max_value=1.0))
    return (x, y), {"reduction": draw(_st().sampled_from(["mean", "sum", "none"]))}

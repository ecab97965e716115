"""Fuzzing the public API: random sequences of ops on random shapes, dtypes and values.

Every call either succeeds, and then backward gives each leaf a gradient of its shape
and dtype, or raises ValueError/TypeError/RuntimeError whose message names a shape or
a dtype. Indexing alone may raise IndexError (Python's protocol for ``x[i]``, which
iteration relies on). Nothing else (AttributeError, a bare IndexError from deep in the
engine, NumPy's AxisError, ...) may escape.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.nn import functional as F

T = ag.Tensor
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
RUNS = {"examples": 0, "calls": 0, "raised": 0, "backward": 0}

VALUES = st.sampled_from([0.0, -0.0, 1.0, -2.5, 0.5, np.nan, np.inf, -np.inf, 1e308, -1e308])
DTYPES = st.sampled_from(["float16", "float32", "float64", "float64", "int64", "int32", "bool"])
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
AXES = st.one_of(st.none(), st.integers(-4, 4), st.tuples(st.integers(-4, 4), st.integers(-4, 4)))
NAMES_SHAPE_OR_DTYPE = re.compile(
    r"shape|got '|retain_graph=True|\(\d+(, ?\d+)*,?\)"
    r"|\b(float\d+|u?int\d+|bool|complex\d+|object|<U\d+|dtype)\b"
)


@st.composite
def arrays(draw: st.DrawFn) -> np.ndarray[Any, Any]:
    dtype = draw(DTYPES)
    shape = draw(SHAPES)
    with np.errstate(all="ignore"):
        base = draw(hnp.arrays(np.float64, shape, elements=VALUES))
        return base.astype(dtype)


def _leaf(draw: st.DrawFn) -> T:
    a = draw(arrays())
    return T(a, requires_grad=a.dtype.kind == "f" and draw(st.sampled_from([True, True, False])))


def _operand(draw: st.DrawFn, pool: list[T]) -> Any:
    kind = draw(st.sampled_from(["pool", "pool", "pool", "number", "array", "junk"]))
    if kind == "pool":
        return draw(st.sampled_from(pool))
    if kind == "number":
        return draw(st.one_of(VALUES, st.integers(-3, 3), st.booleans()))
    if kind == "array":
        return draw(arrays())
    return draw(st.sampled_from(["abc", None, 1j, [1, [2]], object()]))


def _shape_arg(draw: st.DrawFn) -> Any:
    return draw(st.lists(st.integers(-2, 4), max_size=4).map(tuple))


def _index(draw: st.DrawFn, x: T) -> Any:
    kind = draw(st.sampled_from(["int", "slice", "mask", "array", "tuple", "junk"]))
    if kind == "int":
        return draw(st.integers(-4, 4))
    if kind == "slice":
        return slice(
            draw(st.integers(-4, 4)), draw(st.integers(-4, 4)), draw(st.sampled_from([1, 2, -1]))
        )
    if kind == "mask":
        return x.data > 0
    if kind == "array":
        return np.array(draw(st.lists(st.integers(-3, 3), max_size=3)), dtype=np.int64)
    if kind == "tuple":
        return (draw(st.integers(-3, 3)), slice(None))
    return draw(st.sampled_from([1.5, "a", None, np.array([0.5])]))


# Each op: (arity from the pool, call(draw, args)).
OPS: dict[str, tuple[int, Callable[[st.DrawFn, list[Any]], Any]]] = {
    "neg": (1, lambda d, a: -a[0]),
    "exp": (1, lambda d, a: a[0].exp()),
    "log": (1, lambda d, a: a[0].log()),
    "relu": (1, lambda d, a: a[0].relu()),
    "sigmoid": (1, lambda d, a: a[0].sigmoid()),
    "tanh": (1, lambda d, a: a[0].tanh()),
    "abs": (1, lambda d, a: a[0].abs()),
    "sqrt": (1, lambda d, a: a[0].sqrt()),
    "pow": (1, lambda d, a: a[0] ** d(st.sampled_from([0, 1, 2, 3, 0.5, -1, -2.5, 1e308]))),
    "sum": (1, lambda d, a: a[0].sum(axis=d(AXES), keepdims=d(st.booleans()))),
    "mean": (1, lambda d, a: a[0].mean(axis=d(AXES), keepdims=d(st.booleans()))),
    "max": (1, lambda d, a: a[0].max(axis=d(AXES), keepdims=d(st.booleans()))),
    "min": (1, lambda d, a: a[0].min(axis=d(AXES), keepdims=d(st.booleans()))),
    "softmax": (1, lambda d, a: a[0].softmax(axis=d(st.integers(-4, 3)))),
    "log_softmax": (1, lambda d, a: ag.log_softmax(a[0], axis=d(st.integers(-4, 3)))),
    "reshape": (1, lambda d, a: a[0].reshape(_shape_arg(d))),
    "transpose": (1, lambda d, a: a[0].transpose(*_shape_arg(d))),
    "T": (1, lambda d, a: a[0].T),
    "mT": (1, lambda d, a: a[0].mT),
    "swapaxes": (1, lambda d, a: ag.swapaxes(a[0], d(st.integers(-3, 3)), d(st.integers(-3, 3)))),
    "flatten": (1, lambda d, a: a[0].flatten()),
    "getitem": (1, lambda d, a: a[0][_index(d, a[0])]),
    "astype": (
        1,
        lambda d, a: a[0].astype(
            d(
                st.sampled_from(
                    ["float16", "float32", "int64", "bool", "complex128", "U3", "object"]
                )
            )
        ),
    ),
    "broadcast_to": (1, lambda d, a: ag.broadcast_to(a[0], _shape_arg(d))),
    "len": (1, lambda d, a: len(a[0])),
    "item": (1, lambda d, a: a[0].item()),
    "bool": (1, lambda d, a: bool(a[0])),
    "add": (2, lambda d, a: a[0] + a[1]),
    "sub": (2, lambda d, a: a[0] - a[1]),
    "mul": (2, lambda d, a: a[0] * a[1]),
    "div": (2, lambda d, a: a[0] / a[1]),
    "rsub": (2, lambda d, a: a[1] - a[0]),
    "powt": (2, lambda d, a: a[0] ** a[1]),
    "matmul": (2, lambda d, a: a[0] @ a[1]),
    "lt": (2, lambda d, a: a[0] < a[1]),
    "where": (2, lambda d, a: ag.where(d(arrays()) > 0, a[0], a[1])),
    "concatenate": (2, lambda d, a: ag.concatenate([a[0], a[1]], axis=d(st.integers(-3, 3)))),
    "stack": (2, lambda d, a: ag.stack([a[0], a[1]], axis=d(st.integers(-3, 3)))),
    "setitem": (2, lambda d, a: a[0].__setitem__(_index(d, a[0]), a[1])),
    "linear": (2, lambda d, a: F.linear(a[0], a[1])),
    "cross_entropy": (
        1,
        lambda d, a: F.cross_entropy(
            a[0],
            np.array(d(st.lists(st.integers(-1, 3), max_size=3)), dtype=np.int64),
            reduction=d(st.sampled_from(["mean", "sum", "none", "max"])),
        ),
    ),
    "bce": (2, lambda d, a: F.binary_cross_entropy_with_logits(a[0], a[1])),
    "mse": (2, lambda d, a: F.mse_loss(a[0], a[1])),
    "backward": (1, lambda d, a: a[0].backward(retain_graph=d(st.booleans()))),
    "tensor": (1, lambda d, a: ag.tensor(a[0], requires_grad=d(st.booleans()))),
}
INDEXING = {"getitem", "setitem"}


def _check_error(name: str, e: BaseException) -> None:
    allowed: tuple[type[BaseException], ...] = (ValueError, TypeError, RuntimeError)
    if name in INDEXING:
        allowed += (IndexError,)
    if ag.is_anomaly_enabled():
        allowed += (FloatingPointError,)
    assert type(e) in allowed, f"{name} raised {type(e).__module__}.{type(e).__name__}: {e}"
    assert NAMES_SHAPE_OR_DTYPE.search(str(e)), f"{name}: message names no shape or dtype: {e}"


def _check_grads(y: T, leaves: list[T], second_order: bool) -> None:
    grads = ag.grad(
        y,
        leaves,
        np.ones(y.shape, dtype=y.dtype),
        retain_graph=True,
        create_graph=second_order,
        allow_unused=True,
    )
    for x, g in zip(leaves, grads):
        if g is not None:
            assert g.shape == x.shape, (g.shape, x.shape)
            assert g.dtype == x.dtype, (g.dtype, x.dtype)
    used = [(x, g) for x, g in zip(leaves, grads) if g is not None and g.requires_grad]
    if second_order and used:
        total = used[0][1].sum()
        for _, g in used[1:]:
            total = total + g.sum()
        seconds = ag.grad(total, leaves, retain_graph=True, allow_unused=True)
        for x, h in zip(leaves, seconds):
            if h is not None:
                assert h.shape == x.shape and h.dtype == x.dtype, (h.shape, h.dtype, x.dtype)


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_random_op_sequences_fail_loudly_or_give_well_formed_grads(data: st.DataObject) -> None:
    draw = data.draw
    RUNS["examples"] += 1
    pool = [_leaf(draw) for _ in range(draw(st.integers(1, 3)))]
    leaves = [t for t in pool if t.requires_grad]
    anomaly = draw(st.sampled_from([None, False, True]))
    mode = contextlib.nullcontext() if anomaly is None else ag.detect_anomaly(anomaly)
    with warnings.catch_warnings(), np.errstate(all="ignore"), mode:
        warnings.simplefilter("ignore")
        for _ in range(draw(st.integers(1, 8))):
            name = draw(st.sampled_from(sorted(OPS)))
            arity, call = OPS[name]
            args = [draw(st.sampled_from(pool))] + [_operand(draw, pool) for _ in range(arity - 1)]
            RUNS["calls"] += 1
            try:
                out = call(draw, args)
            except Exception as e:
                RUNS["raised"] += 1
                _check_error(name, e)
                if os.environ.get("FUZZ_LOG"):
                    print(f"FUZZLOG {name} {type(e).__name__}: {str(e)[:160]}")
                continue
            if isinstance(out, T):
                pool.append(out)
        for y in pool:
            if y.requires_grad and y._op is not None:
                RUNS["backward"] += 1
                try:
                    _check_grads(y, leaves, second_order=draw(st.booleans()))
                except Exception as e:
                    _check_error("backward", e)


def test_report_how_many_examples_ran() -> None:
    # Runs after the fuzz test in file order; a regression in the count shows up here.
    if RUNS["examples"]:
        print(f"\nfuzz: {RUNS}")
        assert RUNS["examples"] >= min(EXAMPLES, settings().max_examples) // 2

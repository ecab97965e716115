"""Second derivatives of every op: gradgradcheck over hypothesis-drawn shapes.

Each VJP is run on Tensors under ``create_graph=True`` and the result is
differentiated again, then compared with central differences of the first
derivatives. Ops with kinks (relu, abs, max, min) are drawn away from them,
where their second derivative is zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.testing import gradgradcheck
from autograd_lite.testing import strategies as ags

SMALL = {"max_dims": 3, "max_side": 3}
FEW = settings(max_examples=12)

Fn = Callable[..., ag.Tensor]


def _unary(fn: Fn, **array_kwargs: Any) -> tuple[Fn, Any]:
    return fn, ags.arrays(ags.shapes(**SMALL), **array_kwargs).map(lambda a: (a,))


def _binary(fn: Fn, **array_kwargs: Any) -> tuple[Fn, Any]:
    pairs = ags.broadcastable_shapes(**SMALL).flatmap(
        lambda s: st.tuples(*(ags.arrays(shape, **array_kwargs) for shape in s))
    )
    return fn, pairs


UNARY_AND_BINARY: dict[str, tuple[Fn, Any]] = {
    "add": _binary(lambda x, y: (x + y) ** 2),
    "sub": _binary(lambda x, y: (x - y) ** 2),
    "mul": _binary(lambda x, y: x * y),
    "div": _binary(lambda x, y: x / y, min_value=0.5, max_value=3.0),
    "pow_tensor": _binary(lambda x, y: x**y, min_value=0.5, max_value=2.0),
    "neg": _unary(lambda x: -(x**2)),
    "pow_number": _unary(lambda x: x**3.5, min_value=0.5, max_value=3.0),
    "sigmoid": _unary(lambda x: x.sigmoid()),
    "tanh": _unary(lambda x: x.tanh()),
    "exp": _unary(lambda x: x.exp()),
    "log": _unary(lambda x: x.log(), min_value=0.5, max_value=3.0),
    "relu": _unary(lambda x: x.relu() * x, away_from=(0.0,), min_distance=1e-2),
    "abs": _unary(lambda x: x.abs() * x, away_from=(0.0,), min_distance=1e-2),
    "sum": _unary(lambda x: x.sum(axis=-1, keepdims=True) ** 2 if x.ndim else x.sum() ** 2),
    "mean": _unary(lambda x: x.mean() ** 2 + x),
    "max": _unary(lambda x: x.max(axis=0) ** 2 if x.ndim else x.max() ** 2),
    "min": _unary(lambda x: x.min() ** 2),
    "softmax": _unary(lambda x: x.softmax(axis=-1) if x.ndim else x.exp()),
    "log_softmax": _unary(lambda x: x.log_softmax(axis=0) * x if x.ndim else x.exp()),
    "reshape": _unary(lambda x: x.reshape(-1) ** 2),
    "transpose": _unary(lambda x: x.T**2),
    "getitem": _unary(lambda x: x.reshape(-1)[np.array([0, 0, -1])] ** 2),
    "broadcast_to": _unary(lambda x: ag.broadcast_to(x, (2, *x.shape)) ** 2),
    "concatenate": _unary(lambda x: ag.concatenate([x.reshape(-1), x.reshape(-1) ** 2]) ** 2),
    "stack": _unary(lambda x: ag.stack([x, x**2], axis=0) ** 2),
    "where": _unary(lambda x: ag.where(x.data > 0, x**2, x**3), away_from=(0.0,)),
    "astype": _unary(lambda x: x.astype(np.float32).astype(np.float64) ** 2),
}


@pytest.mark.parametrize("name", sorted(UNARY_AND_BINARY))
def test_gradgradcheck(name: str) -> None:
    fn, inputs = UNARY_AND_BINARY[name]

    @FEW
    @given(inputs)
    def check(arrays: tuple[np.ndarray, ...]) -> None:
        if name in ("max", "min"):
            ags.distinct(arrays[0])
        tensors = [ag.Tensor(a, requires_grad=True) for a in arrays]
        # A float32 round trip rounds x to ~1e-7: a wider step keeps that out of the
        # differences (the first derivative is linear in x, so the step adds no error).
        tol = {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3} if name == "astype" else {}
        assert gradgradcheck(fn, tensors, **tol)

    check()


@FEW
@given(ags.matmul_shapes(max_dims=3, max_side=3), st.integers(0, 2**32 - 1))
def test_matmul_gradgradcheck_every_case(shapes: tuple[Any, Any], seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = ag.Tensor(rng.standard_normal(shapes[0]), requires_grad=True)
    w = ag.Tensor(rng.standard_normal(shapes[1]), requires_grad=True)
    assert gradgradcheck(lambda a, b: (a @ b) * (a @ b), [x, w])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_0d_tensor_gradgradcheck(name: str) -> None:
    # The VJP sums along the axis the forward took: a 0-d tensor's axis 0.
    x = ag.Tensor(np.array(0.5), requires_grad=True)
    assert gradgradcheck(lambda t: getattr(t, name)(axis=-1) * t * t, [x])


def test_two_layer_net_gradgradcheck() -> None:
    rng = np.random.default_rng(0)
    X = ag.Tensor(rng.standard_normal((4, 3)))
    W1 = ag.Tensor(rng.standard_normal((3, 5)), requires_grad=True)
    W2 = ag.Tensor(rng.standard_normal((5, 2)), requires_grad=True)
    labels = np.array([0, 1, 1, 0])

    def loss(w1: ag.Tensor, w2: ag.Tensor) -> ag.Tensor:
        logp = ((X @ w1).tanh() @ w2).log_softmax(axis=1)
        return -logp[np.arange(4), labels].mean()

    assert gradgradcheck(loss, [W1, W2])

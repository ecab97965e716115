"""Graphs small autodiff engines get wrong: reuse, diamonds, shared leaves, broadcasting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor
from autograd_lite.testing import gradcheck
from autograd_lite.testing import strategies as s


def test_x_times_x() -> None:
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data)


def test_scalar_x_times_x_plus_x() -> None:
    x = Tensor(3.0, requires_grad=True)
    (x * x + x).backward()
    assert x.grad == 7.0


def test_diamond() -> None:
    """h is used by two branches that meet again: its gradient is the sum of both."""
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    h = x.exp()
    y = (h * 2.0 + h.sigmoid()).sum()
    y.backward()
    e = np.exp(x.data)
    sig = 1 / (1 + np.exp(-e))
    np.testing.assert_allclose(x.grad, e * (2.0 + sig * (1 - sig)))


def test_one_leaf_in_two_matmuls() -> None:
    rng = np.random.default_rng(1)
    X1, X2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    W = Tensor(rng.standard_normal((3, 5)), requires_grad=True)
    G1, G2 = rng.standard_normal((4, 5)), rng.standard_normal((2, 5))
    y = ((Tensor(X1) @ W) * G1).sum() + ((Tensor(X2) @ W) * G2).sum()
    y.backward()
    np.testing.assert_allclose(W.grad, X1.T @ G1 + X2.T @ G2)


def test_equal_valued_leaves_keep_separate_gradients() -> None:
    a = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    (a * 5.0 + b * b).sum().backward()
    np.testing.assert_allclose(a.grad, [5.0, 5.0])
    np.testing.assert_allclose(b.grad, [4.0, 6.0])


def test_broadcast_3x1_plus_3x4() -> None:
    a = Tensor(np.array([[1.0], [2.0], [3.0]]), requires_grad=True)
    b = Tensor(np.zeros((3, 4)), requires_grad=True)
    ((a + b) * (a + b)).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (3, 4)
    np.testing.assert_allclose(a.grad, 8 * a.data)
    np.testing.assert_allclose(b.grad, 2 * np.broadcast_to(a.data, (3, 4)))


def test_retain_graph_accumulation() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * x
    y = (h * h).sum()  # x⁴
    y.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad, 4 * x.data**3)
    y.backward()
    np.testing.assert_allclose(x.grad, 8 * x.data**3)


def test_leaf_used_as_both_operands_of_matmul() -> None:
    A = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    (A @ A).sum().backward()
    ones = np.ones((2, 2))
    np.testing.assert_allclose(A.grad, ones @ A.data.T + A.data.T @ ones)


# Expressions drawn by hypothesis: each step applies a random op to random earlier values,
# so intermediates are shared by several later steps (diamonds of every size).
UNARY: list[Callable[[Any], Any]] = [
    lambda t: t.tanh(),
    lambda t: t.sigmoid(),
    lambda t: t * 0.5,
    lambda t: -t,
    lambda t: (t * t + 1.0).log(),
    lambda t: t.sum(keepdims=True),
]
BINARY: list[Callable[[Any, Any], Any]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0),
]

steps = st.lists(
    st.tuples(
        st.booleans(),
        st.integers(0, 5),
        st.integers(min_value=0, max_value=10**6),
        st.integers(min_value=0, max_value=10**6),
    ),
    min_size=1,
    max_size=10,
)


@given(data=st.data(), program=steps)
def test_shared_subexpressions(data: st.DataObject, program: list[Any]) -> None:
    sa, sb = data.draw(s.broadcastable_shapes(max_dims=3))
    a, b = data.draw(s.arrays(sa, min_value=-1, max_value=1)), data.draw(s.arrays(sb))

    def fn(x: Tensor, y: Tensor) -> Tensor:
        values = [x, y]
        for binary, k, i, j in program:
            u, v = values[i % len(values)], values[j % len(values)]
            if binary:
                values.append(BINARY[k % len(BINARY)](u, v))
            else:
                values.append(UNARY[k](u))
        # Every value reaches the output, so unused branches cannot hide a wrong gradient.
        total = values[0]
        for value in values[1:]:
            total = total + value
        return total

    assert gradcheck(fn, [Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)])

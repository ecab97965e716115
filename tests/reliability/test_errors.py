"""The errors users will hit: each message names what went wrong and where."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, optim


def test_matmul_shape_mismatch_names_both_shapes_and_the_contracted_axis() -> None:
    a = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    b = ag.Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError) as info:
        a @ b
    msg = str(info.value)
    assert "(2, 3)" in msg and "(4, 5)" in msg
    assert "contracted axis" in msg and "3" in msg and "4" in msg
    with pytest.raises(ValueError, match=r"\(5, 2, 3\).*\(2,\)"):
        ag.Tensor(np.ones((5, 2, 3))) @ ag.Tensor(np.ones(2))


def test_broadcast_failure_names_both_shapes() -> None:
    a = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    b = ag.Tensor(np.ones((4,)))
    for op in (lambda: a + b, lambda: a * b, lambda: b - a, lambda: a / b):
        with pytest.raises(ValueError) as info:
            op()
        msg = str(info.value)
        assert re.search(r"\(2, ?3\)", msg) and re.search(r"\(4,\)", msg), msg


def test_backward_on_a_non_scalar_without_a_gradient() -> None:
    y = ag.Tensor(np.ones((2, 3)), requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match=r"one element.*\(2, 3\)"):
        y.backward()
    with pytest.raises(RuntimeError, match=r"\(2, 3\)"):
        ag.grad(y, [y])


def test_backward_on_a_tensor_that_does_not_require_grad() -> None:
    x = ag.Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad") as info:
        (x * 2.0).sum().backward()
    assert "shape ()" in str(info.value)
    w = ag.Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        y = (w * 2.0).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


@pytest.mark.parametrize("data", [[1, 2, 3], np.arange(3, dtype=np.int32), [True, False]])
def test_requires_grad_on_integer_data(data: object) -> None:
    with pytest.raises(TypeError, match=r"floating.*dtype (int|bool)") as info:
        ag.Tensor(data, requires_grad=True)
    assert "dtype=np.float64" in str(info.value)  # says how to fix it
    with pytest.raises(TypeError, match="floating"):
        ag.Tensor(data).requires_grad_()


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_optimizer_given_no_parameters(cls: type) -> None:
    with pytest.raises(ValueError, match=f"{cls.__name__}.*empty parameter list"):
        cls([], lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        cls(iter(()), lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        cls(nn.ReLU().parameters(), lr=0.1)  # a model with no parameters


def test_module_called_with_the_wrong_input_width_says_which_layer_expected_what() -> None:
    layer = nn.Linear(4, 2)
    with pytest.raises(ValueError, match=r"Linear\(in_features=4.*width 4.*got width 3"):
        layer(np.ones((5, 3)))
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(7, 2))
    with pytest.raises(ValueError) as info:
        model(np.ones((5, 4)))
    msg = str(info.value)
    assert "layer (2)" in msg and "in_features=7" in msg and "got width 8" in msg
    mlp = nn.MLP(3, [5], 2)
    with pytest.raises(ValueError, match=r"layer \(0\).*width 3.*got width 6"):
        mlp(np.ones((2, 6)))

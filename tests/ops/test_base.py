"""The op contract: ``Op.apply`` wraps constants, records nodes only when needed, names errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor
from autograd_lite.ops.arithmetic import Add, Mul
from autograd_lite.ops.base import REGISTRY, Op


def test_defining_an_op_registers_it_with_a_default_name() -> None:
    class Twice(Op):
        """y = 2x (test op; no derivation file applies)."""

        formula = "dx = 2 g"

        @staticmethod
        def forward(x: Any) -> tuple[Any, Any]:
            return 2 * x, None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
            return (2 * g,)

    assert REGISTRY[f"{__name__}.{Twice.__qualname__}"] is Twice
    assert Twice.name == "twice"
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Twice.apply(x)
    assert y.grad_fn == "twice"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert ag.Function is Op


def test_python_numbers_take_the_tensor_dtype() -> None:
    x = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    assert Add.apply(x, 1.5).dtype == np.float32
    assert Mul.apply(2, x).dtype == np.float32
    assert Add.apply(x, np.ones(2)).dtype == np.float64  # an array keeps NumPy's promotion


def test_nothing_recorded_without_a_grad_or_under_no_grad() -> None:
    a = Tensor(np.ones(2))
    assert Mul.apply(a, a).is_leaf
    x = Tensor(np.ones(2), requires_grad=True)
    with ag.no_grad():
        y = Mul.apply(x, x)
    assert y.is_leaf and not y.requires_grad
    z = Mul.apply(x, a)
    assert z.requires_grad and z._parents is not None and len(z._parents) == 2


def test_forward_errors_name_the_op_and_input_shapes() -> None:
    with pytest.raises(ValueError, match=r"^add: .*\(2, 3\), \(4,\)"):
        Add.apply(Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


@pytest.mark.parametrize("bad", ["text", 1 + 2j, np.array(["a"]), object()])
def test_unsupported_operands(bad: Any) -> None:
    with pytest.raises(TypeError):
        Tensor(np.ones(2)) + bad


def test_a_scalar_operand_is_refused_as_not_mixing_with_a_tensor() -> None:
    t, s = Tensor(np.ones(2)), ag.Scalar(2.0)
    for f in (lambda: t + s, lambda: s + t, lambda: t * s, lambda: t - s, lambda: t @ s):
        with pytest.raises(TypeError, match=r"a (Tensor and a Scalar|Scalar and a Tensor) do not"):
            f()
    with pytest.raises(TypeError, match=r"float\(s\) or s\.data"):
        t + s

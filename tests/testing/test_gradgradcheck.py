"""gradgradcheck catches a wrong second derivative and names where."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.testing import GradcheckError, gradgradcheck


class SquareWithWrongSecondDerivative(ag.Function):
    """y = x²; the VJP is right at first order (2xg) but written so its own derivative
    in x is 3g instead of 2g: a bug only a second-order check can see."""

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return x * x, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (x,) = xs
        # 3x - x: the value is 2x, but x.detach()-style constant makes d/dx = 3.
        const_x = x.detach() if isinstance(x, ag.Tensor) else x
        return (g * (3 * x - const_x),)


def test_gradgradcheck_passes_for_a_correct_function() -> None:
    x = ag.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    assert gradgradcheck(lambda t: (t * t).sigmoid(), [x])


def test_gradgradcheck_catches_a_wrong_second_derivative() -> None:
    x = ag.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    ag.testing.gradcheck(lambda t: SquareWithWrongSecondDerivative.apply(t), [x])
    with pytest.raises(GradcheckError, match=r"input 0 .* at index \(\d\,\): analytic"):
        gradgradcheck(lambda t: SquareWithWrongSecondDerivative.apply(t), [x])


class CubeWithWrongTensorPath(ag.Function):
    """y = x³; right on arrays (3x²g), 2.9x²g on Tensors: smooth, so the second-order
    differences of the Tensor path agree with it. Only comparing paths finds it."""

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return x**3, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (x,) = xs
        return (g * ((2.9 if isinstance(x, ag.Tensor) else 3.0) * x * x),)


def test_gradgradcheck_catches_a_wrong_create_graph_path() -> None:
    x = ag.Tensor(np.array([0.5, 1.0, 2.0]), requires_grad=True)
    assert ag.testing.gradcheck(CubeWithWrongTensorPath.apply, [x])
    with pytest.raises(GradcheckError, match=r"input 0 .* differs between create_graph=True"):
        gradgradcheck(CubeWithWrongTensorPath.apply, [x])


class CubeCuttingG(ag.Function):
    """y = x³ whose VJP detaches the upstream gradient g: right first derivatives, but
    nothing that feeds y on can be differentiated twice."""

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return x**3, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        (x,) = xs
        cut = g.detach() if isinstance(g, ag.Tensor) else g
        return (cut * 3 * x * x,)


def test_gradgradcheck_differentiates_in_the_upstream_gradient_too() -> None:
    x = ag.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"the upstream gradient of output 0 \(shape \(3,\)\)"):
        gradgradcheck(CubeCuttingG.apply, [x])


def test_gradgradcheck_runs_inside_no_grad() -> None:
    x = ag.Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with ag.no_grad():
        assert gradgradcheck(lambda t: (t * t).sigmoid(), [x])
        with pytest.raises(GradcheckError):
            gradgradcheck(SquareWithWrongSecondDerivative.apply, [x])
        assert not ag.is_grad_enabled()

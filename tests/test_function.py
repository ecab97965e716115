"""User-defined ops (``ag.Function``) behave like built-in ones, and gradcheck catches a
wrong VJP by input and element."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given

import autograd_lite as ag
from autograd_lite.ops import base, dual
from autograd_lite.testing import GradcheckError, gradcheck, gradgradcheck
from autograd_lite.testing import strategies as ags


@pytest.fixture(scope="module")
def ops() -> Iterator[SimpleNamespace]:
    """The ops of this file, defined here and removed from the registry afterwards so
    registry-driven tests of the built-in ops never see them."""
    before = dict(base.REGISTRY)

    class Softplus(ag.Function):
        """y = log(1 + eˣ).  dL/dx = g ⊙ σ(x)."""

        formula = "dx = g ⊙ σ(x)"

        @staticmethod
        def forward(x: Any) -> tuple[Any, Any]:
            return np.logaddexp(0.0, x), None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            (x,) = xs
            return (g / (1 + dual.exp(-x)),)

    class Hypot(ag.Function):
        """z = sqrt(x² + y²).  dL/dx = g x / z,  dL/dy = g y / z."""

        formula = "dx = g x / z;  dy = g y / z"

        @staticmethod
        def forward(x: Any, y: Any) -> tuple[Any, Any]:
            return np.hypot(x, y), None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            x, y = xs
            return (g * x / out if needs[0] else None), (g * y / out if needs[1] else None)

    class LeakyReLU(ag.Function):
        """y = x for x > 0, slope·x otherwise.  dL/dx = g ⊙ (1[x > 0] + slope·1[x ≤ 0])."""

        name = "leaky_relu"
        formula = "dx = g ⊙ (1[x > 0] + slope·1[x ≤ 0])"

        @staticmethod
        def forward(x: Any, slope: float = 0.01) -> tuple[Any, Any]:
            if not 0 <= slope < 1:
                raise ValueError(f"slope must be in [0, 1), got {slope}")
            mask = x > 0
            return np.where(mask, x, slope * x), (mask, slope)

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            mask, slope = saved
            return (g * (mask + slope * ~mask),)

    class BadScale(ag.Function):
        """z = x ⊙ y with a planted bug: dL/dy is wrong where x > 2."""

        @staticmethod
        def forward(x: Any, y: Any) -> tuple[Any, Any]:
            return x * y, None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            x, y = xs
            return g * y, g * x * (1 + (x > 2))

    class ForgetsDy(ag.Function):
        """z = x ⊙ y whose VJP forgets dL/dy (a user's mistake the engine must report)."""

        @staticmethod
        def forward(x: Any, y: Any) -> tuple[Any, Any]:
            return x * y, None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            return (g * xs[1],)

    class NoTuple(ag.Function):
        """y = 2x whose forward forgets to return ``saved`` (another user's mistake)."""

        @staticmethod
        def forward(x: Any) -> Any:
            return 2 * x

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            return (2 * g,)

    class ListGrad(ag.Function):
        """y = x whose VJP returns a list instead of an array."""

        @staticmethod
        def forward(x: Any) -> tuple[Any, Any]:
            return x.copy(), None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            return (g.tolist(),)

    yield SimpleNamespace(
        Softplus=Softplus,
        Hypot=Hypot,
        LeakyReLU=LeakyReLU,
        BadScale=BadScale,
        ForgetsDy=ForgetsDy,
        NoTuple=NoTuple,
        ListGrad=ListGrad,
    )
    base.REGISTRY.clear()
    base.REGISTRY.update(before)


def test_function_is_the_op_base_and_subclasses_register(ops: SimpleNamespace) -> None:
    assert ag.Function is base.Op
    assert ops.Softplus.name == "softplus" and ops.LeakyReLU.name == "leaky_relu"
    assert any(cls is ops.Hypot for cls in base.REGISTRY.values())


def test_forward_backward_like_a_builtin(ops: SimpleNamespace) -> None:
    x = ag.Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = ops.Softplus.apply(x)
    assert isinstance(y, ag.Tensor) and y.grad_fn == "softplus"
    np.testing.assert_allclose(y.data, np.log1p(np.exp(x.data)))
    (y * 2).sum().backward()
    np.testing.assert_allclose(x.grad, 2 / (1 + np.exp(-x.data)))
    with ag.no_grad():
        assert ops.Softplus.apply(x).grad_fn is None


def test_float32_is_kept(ops: SimpleNamespace) -> None:
    x = ag.Tensor(np.array([0.5, -0.5], dtype=np.float32), requires_grad=True)
    y = ops.LeakyReLU.apply(x, slope=0.1)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


@given(ags.tensors(ags.shapes(max_dims=3)))
def test_gradcheck_passes_for_a_correct_unary_op(ops: SimpleNamespace, x: ag.Tensor) -> None:
    assert gradcheck(ops.Softplus.apply, [x])


@given(ags.tensors(ags.shapes(max_dims=3), away_from=(0.0,), min_distance=1e-3))
def test_gradcheck_passes_with_params_and_saved_masks(ops: SimpleNamespace, x: ag.Tensor) -> None:
    assert gradcheck(lambda t: ops.LeakyReLU.apply(t, slope=0.2), [x])


@given(ags.broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_broadcast_inputs_are_reduced_by_the_engine(
    ops: SimpleNamespace, shapes: tuple[Any, ...]
) -> None:
    rng = np.random.default_rng(0)
    x = ag.Tensor(rng.uniform(0.5, 2.0, shapes[0]), requires_grad=True)
    y = ag.Tensor(rng.uniform(0.5, 2.0, shapes[1]), requires_grad=True)
    assert gradcheck(ops.Hypot.apply, [x, y])


def test_second_derivatives_through_create_graph(ops: SimpleNamespace) -> None:
    rng = np.random.default_rng(1)
    x = ag.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    y = ag.Tensor(rng.uniform(0.5, 2.0, (2,)), requires_grad=True)
    assert gradgradcheck(ops.Softplus.apply, [x])
    assert gradgradcheck(ops.Hypot.apply, [x, y])
    (gx,) = ag.grad(ops.Softplus.apply(x).sum(), x, create_graph=True)
    assert gx is not None and gx.requires_grad


def test_unneeded_input_gets_no_gradient(ops: SimpleNamespace) -> None:
    x = ag.Tensor([3.0, 4.0], requires_grad=True)
    y = ag.Tensor([4.0, 3.0])
    ops.Hypot.apply(x, y).sum().backward()
    np.testing.assert_allclose(x.grad, [0.6, 0.8])
    assert y.grad is None


def test_numbers_are_accepted_as_operands(ops: SimpleNamespace) -> None:
    x = ag.Tensor([3.0], requires_grad=True)
    ops.Hypot.apply(x, 4.0).backward(np.ones(1))
    np.testing.assert_allclose(x.grad, [0.6])


def test_forward_errors_name_the_op_and_shapes(ops: SimpleNamespace) -> None:
    with pytest.raises(ValueError, match=r"leaky_relu: slope must be in \[0, 1\), got 2"):
        ops.LeakyReLU.apply(ag.Tensor(np.ones((2, 3))), slope=2.0)
    with pytest.raises(ValueError, match=r"hypot: .*\(input shapes: \(2,\), \(3,\)"):
        ops.Hypot.apply(ag.Tensor(np.ones(2)), ag.Tensor(np.ones(3)))


def test_gradcheck_names_the_input_and_element_of_a_wrong_vjp(ops: SimpleNamespace) -> None:
    x = np.ones((2, 3))
    x[1, 2] = 3.0  # the only element where the planted bug fires
    xt = ag.Tensor(x, requires_grad=True)
    yt = ag.Tensor(np.full((2, 3), 0.5), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(ops.BadScale.apply, [xt, yt])
    msg = str(info.value)
    assert re.search(r"input 1 \(shape \(2, 3\)\) at index \(1, 2\)", msg), msg
    assert "1 of 6 elements" in msg


def test_explain_shows_a_user_formula(ops: SimpleNamespace) -> None:
    x = ag.Tensor(np.ones((4, 2)), requires_grad=True)
    y = ag.Tensor(np.ones(2), requires_grad=True)
    z = ops.Hypot.apply(x, y).sum()
    text = str(ag.explain(z, quiet=True))
    assert "hypot(x, y)" in text and "VJP: dx = g x / z;  dy = g y / z" in text
    assert "dy = Σ over axis 0 of the VJP's result: (4, 2) → (2,)" in text


def test_a_vjp_with_one_gradient_too_few_is_an_error(ops: SimpleNamespace) -> None:
    """Not a silently missing y.grad, nor grad()'s "input 1 was not used"."""
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = ag.Tensor([3.0, 4.0], requires_grad=True)
    message = r"the vjp of forgetsdy returned a tuple of 1; .* per input, 2 here"
    with pytest.raises(TypeError, match=message):
        ops.ForgetsDy.apply(x, y).sum().backward()
    assert x.grad is None and y.grad is None
    with pytest.raises(TypeError, match=message):
        ag.grad(ops.ForgetsDy.apply(x, y).sum(), [x, y])


def test_a_forward_must_return_output_and_saved(ops: SimpleNamespace) -> None:
    """A (2, 2) output would unpack into its two rows: the tuple is checked."""
    for shape in ((2,), (2, 2), (3,)):
        x = ag.Tensor(np.ones(shape), requires_grad=True)
        message = r"notuple: forward must return a tuple \(output, saved\), got a value of type"
        with pytest.raises(TypeError, match=message):
            ops.NoTuple.apply(x)


def test_the_package_ops_run_unwrapped(ops: SimpleNamespace) -> None:
    """Only ops defined outside the package pay for the checks of what they return."""
    assert not hasattr(ag.ops.arithmetic.Mul.forward, "__wrapped__")
    assert ops.Hypot.forward.__wrapped__ is not None and ops.Hypot.vjp.__wrapped__ is not None


def test_a_gradient_that_is_not_an_array_is_named(ops: SimpleNamespace) -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        TypeError, match=r"backward of listgrad: a gradient must be an array .* list"
    ):
        ops.ListGrad.apply(x).sum().backward()


def test_classmethod_ops_see_the_class_they_are_called_on() -> None:
    """The result checks wrap a classmethod as a classmethod: a subclass's settings hold."""
    before = dict(base.REGISTRY)

    class Scale(ag.Function):
        k = 2.0

        @classmethod
        def forward(cls, x: Any) -> tuple[Any, Any]:
            return x * cls.k, None

        @classmethod
        def vjp(cls, g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            return (cls.k * g,)

    class Scale3(Scale):
        k = 3.0

    try:
        x = ag.Tensor([1.0, 2.0], requires_grad=True)
        y = Scale3.apply(x)
        y.sum().backward()
        np.testing.assert_array_equal(y.data, [3.0, 6.0])
        np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    finally:
        base.REGISTRY.clear()
        base.REGISTRY.update(before)

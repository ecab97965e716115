"""gradcheck passes correct gradients and reports a wrong VJP precisely."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor
from autograd_lite.testing import GradcheckError, gradcheck


class BadCube(ag.Function):
    """y = x³ with a planted bug in its VJP (test op; no derivation file applies).

    dL/dx should be 3x² g; this one returns 3x² g + 1 at flat index 2 only.
    """

    formula = "dx = 3 x² g (wrong at one element)"

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return x**3, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        gx = 3 * xs[0] ** 2 * g
        bump = np.zeros(xs[0].shape)
        bump.reshape(-1)[2] = 1.0
        return (gx + bump,)


class BadSecondInput(ag.Function):
    """z = x ⊙ y with dL/dy wrongly g ⊙ y (test op; no derivation file applies)."""

    formula = "dx = g ⊙ y;  dy = g ⊙ y (wrong)"

    @staticmethod
    def forward(x: Any, y: Any) -> tuple[Any, Any]:
        return x * y, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        _, y = xs
        return g * y, g * y


def test_true_on_correct_functions() -> None:
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    assert gradcheck(lambda a, b: (a @ b).tanh().sum(axis=0), [x, w]) is True
    assert gradcheck(lambda a: a.exp(), x) is True
    # Tuple outputs, and inputs that do not require grad.
    c = Tensor(rng.standard_normal(4))
    assert gradcheck(lambda a, k: (a * k, a.sum()), [x, c]) is True


def test_catches_a_planted_wrong_vjp_and_names_everything() -> None:
    x = Tensor(np.array([[0.5, 1.0], [1.5, 2.0]]), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: BadCube.apply(t), [x])
    msg = str(info.value)
    found = re.search(r"input (\d+) .*index \((\d+), (\d+)\): analytic (\S+) vs numeric (\S+)", msg)
    assert found, msg
    assert found.group(1) == "0"
    assert (found.group(2), found.group(3)) == ("1", "0")  # flat index 2 of a 2×2 array
    # gradcheck projects on a random v, divided per output element by the size of its
    # row of J (at least 1): at (1, 0) the true VJP is 3x²·v, the planted one 1 more.
    v = np.random.default_rng(0).standard_normal((2, 2))[1, 0]
    analytic, numeric = float(found.group(4)), float(found.group(5))
    assert analytic - numeric == pytest.approx(1.0, rel=1e-6)
    assert np.sign(numeric) == np.sign(v) and abs(numeric) <= abs(3 * 1.5**2 * v)


class SquareTooSteep(ag.Function):
    """y = x² with dL/dx 1% too large (test op; no derivation file applies)."""

    formula = "dx = 2.02 x g (wrong)"

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return x * x, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (2.02 * xs[0] * g,)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a: (SquareTooSteep.apply(a), 1e6 * a),
        lambda a: ag.concatenate([SquareTooSteep.apply(a), 1e6 * a.exp()]),
    ],
    ids=["beside-a-large-output", "beside-large-elements"],
)
def test_a_small_error_beside_a_large_output_is_caught(fn: Any) -> None:
    """Each output element weighs about the same in the projection: a 1% error in x² is
    not drowned by 10⁶·x next to it (in another output or another part of one)."""
    x = Tensor(np.array([0.5, -1.0, 1.5]), requires_grad=True)
    with pytest.raises(GradcheckError, match="gradient mismatch for input 0"):
        gradcheck(fn, [x])


def test_large_outputs_pass_when_right() -> None:
    x = Tensor(np.array([0.5, -1.0, 1.5]), requires_grad=True)
    assert gradcheck(lambda a: (a * a, 1e6 * a.exp(), 1e-6 * a.tanh()), [x]) is True


def test_names_the_second_input() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda a, b: BadSecondInput.apply(a, b), [x, y])


def test_is_an_assertion_error() -> None:
    assert issubclass(GradcheckError, AssertionError)


def test_runs_in_float64_for_float32_inputs() -> None:
    x = Tensor(np.array([0.3, 0.7], dtype=np.float32), requires_grad=True)
    assert gradcheck(lambda t: t.sigmoid() * t, [x])
    assert x.dtype == np.float32 and x.grad is None


def test_needs_an_input_that_requires_grad() -> None:
    with pytest.raises(ValueError, match="requires grad"):
        gradcheck(lambda t: t * 2, [Tensor(np.ones(2))])


def test_unused_input_gets_zero_gradient() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    y = Tensor(np.ones(3), requires_grad=True)
    assert gradcheck(lambda a, b: a * 2.0, [x, y])


def test_reachable_as_ag_testing_without_hypothesis() -> None:
    """README's ``ag.testing.gradgradcheck`` works after ``import autograd_lite as ag``;
    hypothesis loads only with the strategies."""
    code = (
        "import sys, autograd_lite as ag; "
        "assert ag.testing.gradgradcheck and ag.testing.gradcheck; "
        "assert 'hypothesis' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_strategies_without_hypothesis_say_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None; import autograd_lite as ag\n"
        "try:\n    ag.testing.strategies\n"
        "except ModuleNotFoundError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert "needs hypothesis: pip install hypothesis" in out.stdout


class ZeroGrad(ag.Function):
    """y = x² with a VJP that returns zeros."""

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return x * x, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (g * 0,)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: np.asfortranarray(a),
        lambda a: a.T.copy().T,
        lambda a: np.broadcast_to(a[:1], a.shape),
    ],
)
def test_any_memory_layout_is_perturbed(make: Any) -> None:
    """A Fortran-ordered or broadcast input is perturbed element by element too: zeros
    from a wrong VJP must not match numeric zeros from perturbing a copy."""
    data = make(np.random.default_rng(0).standard_normal((3, 4)))
    x = Tensor(data, requires_grad=True)
    assert gradcheck(lambda t: t * t, [x])
    with pytest.raises(GradcheckError, match=r"analytic -?0 vs numeric"):
        gradcheck(ZeroGrad.apply, [x])


def test_a_large_output_elsewhere_does_not_drown_the_difference() -> None:
    """Each output is differenced before the projection onto v."""
    assert gradcheck(lambda t: t.exp(), [Tensor(np.array([20.0, 0.0]), requires_grad=True)])
    assert gradcheck(lambda t: t**3, [Tensor(np.array([1e4, 1.0]), requires_grad=True)])


def test_runs_inside_no_grad_and_passes_other_arguments_through() -> None:
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with ag.no_grad():
        assert gradcheck(lambda t: t * t, [x])
        with pytest.raises(GradcheckError):
            gradcheck(ZeroGrad.apply, [x])
        assert not ag.is_grad_enabled()
    y = Tensor(np.ones((2, 3)), requires_grad=True)
    assert gradcheck(lambda t, axis, p: (t**p).sum(axis=axis), [y, 0, 3])


def test_a_function_without_outputs_is_refused() -> None:
    with pytest.raises(ValueError, match="returned no outputs"):
        gradcheck(lambda t: (), [Tensor(np.ones(2), requires_grad=True)])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"eps": 0}, "eps must be finite and > 0, got 0"),
        ({"atol": -1}, "atol"),
        ({"rtol": float("nan")}, "rtol"),
    ],
)
def test_bad_tolerances_are_named(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        gradcheck(lambda t: t * t, [Tensor(np.ones(2), requires_grad=True)], **kwargs)

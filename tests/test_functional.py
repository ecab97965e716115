"""Hessians, Hessian-vector products and Jacobians against closed forms."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import functional as F
from autograd_lite.testing import strategies as ags


@given(ags.arrays(ags.shapes(min_dims=1, max_dims=2, max_side=3)))
def test_hessian_of_sum_of_cubes_is_diag_6x(x: np.ndarray) -> None:
    H = F.hessian(lambda t: (t**3).sum(), ag.Tensor(x))
    expected = np.diag(6 * x.reshape(-1)).reshape(x.shape + x.shape)
    np.testing.assert_allclose(H.data, expected, rtol=1e-12, atol=1e-12)


@given(st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_hessian_of_quadratic_form_is_symmetric_part(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n))
    x = ag.Tensor(rng.standard_normal(n))
    H = F.hessian(lambda t: 0.5 * (t @ (ag.Tensor(A) @ t)), x)
    np.testing.assert_allclose(H.data, (A + A.T) / 2, rtol=1e-12, atol=1e-12)


def test_newton_converges_in_one_step_on_a_convex_quadratic() -> None:
    rng = np.random.default_rng(3)
    M = rng.standard_normal((4, 4))
    A = ag.Tensor(M @ M.T + 4 * np.eye(4))
    b = ag.Tensor(rng.standard_normal(4))

    def f(x: ag.Tensor) -> ag.Tensor:
        return 0.5 * (x @ (A @ x)) - b @ x + 3.0

    x0 = ag.Tensor(rng.standard_normal(4), requires_grad=True)
    (g,) = ag.grad(f(x0), x0)
    assert g is not None
    H = F.hessian(f, x0)
    x1 = x0.data - np.linalg.solve(H.data, g.data)
    np.testing.assert_allclose(x1, np.linalg.solve(A.data, b.data), rtol=1e-10)
    # The gradient at the Newton step's result vanishes.
    x1t = ag.Tensor(x1, requires_grad=True)
    (g1,) = ag.grad(f(x1t), x1t)
    assert g1 is not None
    np.testing.assert_allclose(g1.data, 0, atol=1e-10)


@given(ags.arrays(ags.shapes(min_dims=1, max_dims=2, max_side=3)), st.integers(0, 1000))
def test_hvp_equals_hessian_times_v(x: np.ndarray, seed: int) -> None:
    v = np.random.default_rng(seed).standard_normal(x.shape)

    def f(t: ag.Tensor) -> ag.Tensor:
        return (t.tanh() * t.sigmoid()).sum() + (t**2).sum() ** 2

    y, hv = F.hvp(f, ag.Tensor(x), v)
    H = F.hessian(f, ag.Tensor(x)).data.reshape(x.size, x.size)
    np.testing.assert_allclose(hv.data.reshape(-1), H @ v.reshape(-1), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(y.data, f(ag.Tensor(x)).data)


def test_hessian_of_several_inputs_has_all_blocks() -> None:
    rng = np.random.default_rng(0)
    x, w = ag.Tensor(rng.standard_normal(3)), ag.Tensor(rng.standard_normal((3, 2)))
    H = F.hessian(lambda a, b: ((a @ b) ** 2).sum(), (x, w))
    assert H[0][0].shape == (3, 3) and H[0][1].shape == (3, 3, 2)
    assert H[1][0].shape == (3, 2, 3) and H[1][1].shape == (3, 2, 3, 2)
    # d²/dx² Σ_j (x·w_j)² = 2 W Wᵀ
    np.testing.assert_allclose(H[0][0].data, 2 * w.data @ w.data.T, rtol=1e-12)
    # Mixed blocks are transposes of each other.
    np.testing.assert_allclose(H[0][1].data, np.moveaxis(H[1][0].data, 2, 0), rtol=1e-12)


def test_jacobian_of_softmax() -> None:
    x = np.array([0.5, -1.0, 2.0])
    J = F.jacobian(lambda t: t.softmax(), ag.Tensor(x)).data
    p = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(J, np.diag(p) - np.outer(p, p), rtol=1e-12, atol=1e-15)


def test_functional_leaves_inputs_untouched() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    F.hessian(lambda t: (t**3).sum(), x)
    F.hvp(lambda t: (t**3).sum(), x, np.ones(2))
    assert x.grad is None


def test_functional_errors_name_the_problem() -> None:
    x = ag.Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="one element"):
        F.hessian(lambda t: t * 2, x)
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(2,\)"):
        F.hvp(lambda t: t.sum(), x, np.ones(3))
    with pytest.raises(TypeError, match="int64"):
        F.hessian(lambda t: t.sum(), ag.Tensor([1, 2]))


def test_vjp_matches_backward() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3))
    v = rng.standard_normal((2, 3))
    y, g = F.vjp(lambda t: t.exp() * t, ag.Tensor(x), v)
    np.testing.assert_allclose(g.data, v * (np.exp(x) * (1 + x)), rtol=1e-12)
    np.testing.assert_allclose(y.data, np.exp(x) * x)


def test_create_graph_results_stay_differentiable_in_the_inputs() -> None:
    """With create_graph=True, vᵀJ and H v are functions of the caller's x (and v)."""
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    _, g = F.vjp(lambda t: (t**3).sum(), x, create_graph=True)
    g.sum().backward()  # d/dx Σ 3x² = 6x
    np.testing.assert_allclose(x.grad, [6.0, 12.0])
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    v = ag.Tensor([1.0, 1.0], requires_grad=True)
    _, hv = F.hvp(lambda t: (t**3).sum(), x, v, create_graph=True)
    hv.sum().backward()  # H v = 6x ⊙ v
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    np.testing.assert_allclose(v.grad, [6.0, 12.0])


def test_an_output_that_needs_no_grad_gives_zeros() -> None:
    """As jacobian does: no differentiable path from the inputs means a zero derivative."""
    x = ag.Tensor([1.0, 2.0])
    _, g = F.vjp(lambda t: ag.Tensor([1.0, 1.0]), x, np.ones(2))
    np.testing.assert_array_equal(g.data, [0.0, 0.0])
    np.testing.assert_array_equal(F.hessian(lambda t: t.sum().detach(), x).data, np.zeros((2, 2)))
    _, hv = F.hvp(lambda t: ag.Tensor(1.0), x, np.ones(2))
    np.testing.assert_array_equal(hv.data, [0.0, 0.0])


def test_an_array_is_one_input() -> None:
    J = F.jacobian(lambda t: t * t, np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(J.data, np.diag([2.0, 4.0]).reshape(1, 2, 1, 2))


def test_the_functions_differentiate_under_no_grad() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():
        _, g = F.vjp(lambda t: (t * t).sum(), x)
        np.testing.assert_array_equal(g.data, [2.0, 4.0])
        np.testing.assert_array_equal(
            F.hessian(lambda t: (t**3).sum(), x).data, np.diag([6.0, 12.0])
        )
        assert not ag.is_grad_enabled()


@pytest.mark.parametrize(
    ("fn", "v", "error", "match"),
    [
        (lambda a: ag.Tensor([1.0, 2.0]), np.ones(5), ValueError, r"v has shape \(5,\)"),
        (lambda a: ag.Tensor([1.0, 2.0]), None, ValueError, "v is required"),
        (lambda a: (a, a), np.ones(2), TypeError, "must return one Tensor, got tuple"),
    ],
)
def test_vjp_checks_v_and_the_output_even_when_it_does_not_depend_on_the_input(
    fn: Any, v: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        F.vjp(fn, ag.Tensor([1.0, 2.0]), v)


def test_hvp_stays_differentiable_in_a_v_of_another_dtype() -> None:
    x = ag.Tensor([1.0, 2.0])
    v = ag.Tensor(np.ones(2, np.float32), requires_grad=True)
    _, hv = F.hvp(lambda a: (a**3).sum(), x, v, create_graph=True)
    assert hv.requires_grad and hv.dtype == np.float64
    hv.sum().backward()
    assert v.grad is not None and v.grad.dtype == np.float32
    np.testing.assert_allclose(v.grad, [6.0, 12.0])  # H = diag(6x)

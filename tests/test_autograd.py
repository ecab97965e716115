"""``ag.grad``: gradients as values, first and higher order."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag


def test_grad_does_not_touch_dot_grad() -> None:
    x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = ag.grad((x**2).sum(), x)
    assert g is not None
    np.testing.assert_allclose(g.data, [2.0, 4.0, 6.0])
    assert x.grad is None


def test_unused_input_raises_unless_allowed() -> None:
    x = ag.Tensor([1.0], requires_grad=True)
    z = ag.Tensor([2.0], requires_grad=True)
    with pytest.raises(ValueError, match="input 1 was not used"):
        ag.grad((x * 3).sum(), [x, z], retain_graph=True)
    gx, gz = ag.grad((x * 3).sum(), [x, z], allow_unused=True)
    assert gz is None and gx is not None


def test_grad_of_grad_to_third_order() -> None:
    x = ag.Tensor([0.3, -1.2, 2.0], requires_grad=True)
    (g1,) = ag.grad((x**4).sum(), x, create_graph=True)
    assert g1 is not None
    (g2,) = ag.grad(g1.sum(), x, create_graph=True)
    assert g2 is not None
    (g3,) = ag.grad(g2.sum(), x)
    assert g3 is not None
    np.testing.assert_allclose(g1.data, 4 * x.data**3)
    np.testing.assert_allclose(g2.data, 12 * x.data**2)
    np.testing.assert_allclose(g3.data, 24 * x.data)


def test_backward_create_graph_leaves_a_differentiable_grad() -> None:
    x = ag.Tensor([0.5, 1.5], requires_grad=True)
    (x.sigmoid() * x).sum().backward(create_graph=True)
    assert isinstance(x.grad, ag.Tensor)
    first = x.grad
    x.grad = None
    first.sum().backward()
    s = 1 / (1 + np.exp(-x.data))
    ds = s * (1 - s)
    # d/dx [s + x s'] = 2 s' + x s'(1 - 2s)
    np.testing.assert_allclose(x.grad, 2 * ds + x.data * ds * (1 - 2 * s), rtol=1e-12)


def test_gradient_penalty() -> None:
    rng = np.random.default_rng(0)
    w = ag.Tensor(rng.standard_normal((3, 1)), requires_grad=True)
    x = ag.Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    out = (x @ w).tanh().sum()
    (gx,) = ag.grad(out, x, create_graph=True)
    assert gx is not None
    penalty = (gx**2).sum()
    penalty.backward()

    # Check against central differences of the penalty as a function of w.
    def penalty_of(wd: np.ndarray) -> float:
        xt = ag.Tensor(x.data, requires_grad=True)
        (g,) = ag.grad((xt @ ag.Tensor(wd)).tanh().sum(), xt)
        assert g is not None
        return float((g.data**2).sum())

    eps = 1e-6
    numeric = np.zeros_like(w.data)
    for i in range(3):
        d = np.zeros_like(w.data)
        d[i, 0] = eps
        numeric[i, 0] = (penalty_of(w.data + d) - penalty_of(w.data - d)) / (2 * eps)
    np.testing.assert_allclose(w.grad, numeric, rtol=1e-6, atol=1e-9)


def test_grad_outputs_checked() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad_outputs is required"):
        ag.grad(y, x, retain_graph=True)
    with pytest.raises(ValueError, match=r"shape \(3,\) but output 0 has shape \(2,\)"):
        ag.grad(y, x, grad_outputs=np.ones(3), retain_graph=True)
    for seed in (np.array([1 + 5j, 2j]), [np.array(["1", "2"])]):
        with pytest.raises(TypeError, match=r"grad_outputs\[0\] must hold real numbers, got"):
            ag.grad(y, x, grad_outputs=seed, retain_graph=True)
    (g,) = ag.grad(y, x, grad_outputs=np.array([1.0, -1.0]))
    assert g is not None
    np.testing.assert_allclose(g.data, [2.0, -2.0])


def test_input_that_does_not_require_grad_is_refused() -> None:
    x = ag.Tensor([1.0])
    with pytest.raises(ValueError, match="input 0 does not require grad"):
        ag.grad((ag.Tensor([1.0], requires_grad=True) * x).sum(), x)


def test_intermediate_as_input() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (gh,) = ag.grad((h**2).sum(), h)
    assert gh is not None
    np.testing.assert_allclose(gh.data, 2 * h.data)


def test_grad_walks_only_the_branches_that_reach_the_inputs() -> None:
    """A branch grad() does not need is neither run nor freed: a later backward through
    it works, and an in-place write or a NaN there is none of grad()'s business."""
    w0 = ag.Tensor(np.ones(3), requires_grad=True)
    w = w0 * 2.0
    x = ag.Tensor(np.arange(3.0), requires_grad=True)
    (gx,) = ag.grad((x * w).sum(), x)
    np.testing.assert_array_equal(gx.data, [2.0, 2.0, 2.0])
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w0.grad, [6.0, 6.0, 6.0])

    a = ag.Tensor(np.zeros(3), requires_grad=True)
    c = ag.Tensor(np.ones(3))
    b = a * c
    with ag.no_grad():
        c[0] = 5.0
    with ag.detect_anomaly(), np.errstate(divide="ignore"):
        (gx,) = ag.grad((x * b).sum() + a.sqrt().sum(), x)
    np.testing.assert_array_equal(gx.data, [0.0, 0.0, 0.0])


def test_grad_with_respect_to_an_intermediate_leaves_its_graph() -> None:
    """An intermediate input's own VJP is not needed: it is neither run nor freed, so
    the tensor's graph serves later grad() and backward() calls."""
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    x = w * 2.0
    (g1,) = ag.grad((x * x).sum(), x)
    (g2,) = ag.grad((x * 3.0).sum(), x)
    np.testing.assert_array_equal(g1.data, [4.0, 8.0])
    np.testing.assert_array_equal(g2.data, [3.0, 3.0])
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])


def test_a_scalar_is_named_as_not_a_tensor() -> None:
    a = ag.Scalar(1.0)
    with pytest.raises(
        TypeError, match="outputs must be a Tensor or a sequence of Tensors, got Scalar"
    ):
        ag.grad(a * a, a)  # type: ignore[arg-type]

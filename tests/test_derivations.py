"""Each formula of ../shared/derivations/README.md, computed by hand in NumPy, against backward.

The hand computations use only NumPy, never the package, so a wrong VJP cannot
agree with them by sharing code.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor

RNG = np.random.default_rng(2024)


def leaf(*shape: int) -> Tensor:
    return Tensor(RNG.standard_normal(shape), requires_grad=True)


# ------------------------------------------------------- 000, 003: affine layer
def test_affine_layer_000() -> None:
    """Y = XW + b: dX = G Wᵀ, dW = Xᵀ G, db = Σ_rows G."""
    X, W, b = leaf(5, 3), leaf(3, 4), leaf(4)
    G = RNG.standard_normal((5, 4))
    (X @ W + b).backward(G)
    np.testing.assert_allclose(X.grad, G @ W.data.T)
    np.testing.assert_allclose(W.grad, X.data.T @ G)
    np.testing.assert_allclose(b.grad, G.sum(axis=0))


def test_batched_bias_gradient_003() -> None:
    """Y = XW + b with a batch axis: b's gradient sums over every broadcast axis."""
    X, W, b = leaf(2, 5, 3), leaf(3, 4), leaf(4)
    G = RNG.standard_normal((2, 5, 4))
    (X @ W + b).backward(G)
    np.testing.assert_allclose(b.grad, G.sum(axis=(0, 1)))
    np.testing.assert_allclose(W.grad, sum(X.data[i].T @ G[i] for i in range(2)))
    np.testing.assert_allclose(X.grad, G @ W.data.T)


def test_bias_as_row_1xC_000() -> None:
    """b stored as 1×C (000's shape): the same Σ_rows G, kept as 1×C."""
    X, W, b = leaf(5, 3), leaf(3, 4), leaf(1, 4)
    G = RNG.standard_normal((5, 4))
    (X @ W + b).backward(G)
    np.testing.assert_allclose(b.grad, G.sum(axis=0, keepdims=True))


# ------------------------------------------------------------ 003: 1-D matmul
def test_vector_times_matrix_003() -> None:
    """(2,)·(2,3) → (3,): dx = W g, dW = outer(x, g)."""
    x, W = leaf(2), leaf(2, 3)
    g = RNG.standard_normal(3)
    y = x @ W
    assert y.shape == (3,)
    y.backward(g)
    np.testing.assert_allclose(x.grad, W.data @ g)
    np.testing.assert_allclose(W.grad, np.outer(x.data, g))


def test_matrix_times_vector_003() -> None:
    """W (C,D)·x (D,): dx = Wᵀ g, dW = outer(g, x)."""
    W, x = leaf(3, 4), leaf(4)
    g = RNG.standard_normal(3)
    (W @ x).backward(g)
    np.testing.assert_allclose(x.grad, W.data.T @ g)
    np.testing.assert_allclose(W.grad, np.outer(g, x.data))


def test_dot_product_003() -> None:
    """x·w with both 1-D: dx = g w, dw = g x (g a scalar)."""
    x, w = leaf(4), leaf(4)
    (x @ w).backward(np.array(2.5))
    np.testing.assert_allclose(x.grad, 2.5 * w.data)
    np.testing.assert_allclose(w.grad, 2.5 * x.data)


# --------------------------------------------------------- 003: activations
@pytest.mark.parametrize(
    "name, local",
    [
        ("relu", lambda x, y: (x > 0).astype(float)),
        ("sigmoid", lambda x, y: y * (1 - y)),
        ("exp", lambda x, y: y),
    ],
)
def test_activation_derivatives_003(name: str, local: object) -> None:
    x = Tensor(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]), requires_grad=True)
    g = RNG.standard_normal(5)
    y = getattr(x, name)()
    y.backward(g)
    np.testing.assert_allclose(x.grad, g * local(x.data, y.data))  # type: ignore[operator]


def test_sigmoid_through_reciprocal_003() -> None:
    """003 derives sigmoid' via d(1/u) = −1/u², u = 1 + e^{−x}: the same number."""
    x = Tensor(np.array([-1.0, 0.3, 2.0]), requires_grad=True)
    x.sigmoid().sum().backward()
    u = 1 + np.exp(-x.data)
    np.testing.assert_allclose(x.grad, (-1 / u**2) * (-np.exp(-x.data)))


# -------------------------------------------------- 001, 002: two-layer network
def softmax_rows(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=1, keepdims=True))
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def cross_entropy(S: Tensor, y: np.ndarray) -> Tensor:
    """mean_i −log softmax(S)[i, y_i], built from log_softmax and integer indexing."""
    n = S.shape[0]
    return -S.log_softmax(axis=1)[np.arange(n), y].mean()


def test_softmax_cross_entropy_001_002() -> None:
    """dL/dS = (P − onehot(y)) / N for the mean loss."""
    N, C = 6, 4
    S = leaf(N, C)
    y = RNG.integers(0, C, N)
    cross_entropy(S, y).backward()
    onehot = np.eye(C)[y]
    np.testing.assert_allclose(S.grad, (softmax_rows(S.data) - onehot) / N)


def test_two_layer_net_001() -> None:
    """Z = XW1 + b1, H = relu(Z), S = HW2 + b2, mean cross-entropy; every gradient of 001."""
    N, D, Hd, C = 8, 3, 5, 4
    X = RNG.standard_normal((N, D))
    y = RNG.integers(0, C, N)
    W1, b1, W2, b2 = leaf(D, Hd), leaf(Hd), leaf(Hd, C), leaf(C)
    Z = Tensor(X) @ W1 + b1
    H = Z.relu()
    S = H @ W2 + b2
    cross_entropy(S, y).backward()

    z = X @ W1.data + b1.data
    h = np.maximum(z, 0)
    s = h @ W2.data + b2.data
    dS = (softmax_rows(s) - np.eye(C)[y]) / N
    dW2 = h.T @ dS
    db2 = dS.sum(axis=0)
    dH = dS @ W2.data.T
    dZ = dH * (z > 0)
    dW1 = X.T @ dZ
    db1 = dZ.sum(axis=0)
    for got, want in [(W2.grad, dW2), (b2.grad, db2), (W1.grad, dW1), (b1.grad, db1)]:
        np.testing.assert_allclose(got, want, atol=1e-12)


def test_batch_gradient_is_mean_of_per_example_gradients_002() -> None:
    """dL/dW = f(X)ᵀ dL/dY, and the batch gradient is the mean of per-example ones."""
    N, D, C = 5, 3, 4
    X = RNG.standard_normal((N, D))
    y = RNG.integers(0, C, N)
    W = leaf(D, C)
    cross_entropy(Tensor(X) @ W, y).backward()
    assert W.grad is not None
    per_example = []
    for i in range(N):
        Wi = Tensor(W.data.copy(), requires_grad=True)
        cross_entropy(Tensor(X[i : i + 1]) @ Wi, y[i : i + 1]).backward()
        per_example.append(Wi.grad)
    np.testing.assert_allclose(W.grad, np.mean(per_example, axis=0), atol=1e-12)
    dY = (softmax_rows(X @ W.data) - np.eye(C)[y]) / N
    np.testing.assert_allclose(W.grad, X.T @ dY, atol=1e-12)


# ------------------------------------------------ 004: column-convention MLP
def test_column_convention_mlp_004() -> None:
    """P¹ = W¹X + b¹, X¹ = sigmoid(P¹), P² = W²X¹ + b², L = ½‖P² − T‖²; samples as columns.

    δ² = P² − T, δ¹ = (W²ᵀ δ²) ⊙ f′(P¹), dWᵏ = δᵏ Xᵏ⁻¹ᵀ, dbᵏ = Σ_cols δᵏ.
    """
    D, Hd, C, N = 3, 4, 2, 6
    X = RNG.standard_normal((D, N))
    T = RNG.standard_normal((C, N))
    W1, b1, W2, b2 = leaf(Hd, D), leaf(Hd, 1), leaf(C, Hd), leaf(C, 1)
    P1 = W1 @ Tensor(X) + b1
    X1 = P1.sigmoid()
    P2 = W2 @ X1 + b2
    (((P2 - T) ** 2).sum() * 0.5).backward()

    p1 = W1.data @ X + b1.data
    x1 = 1 / (1 + np.exp(-p1))
    p2 = W2.data @ x1 + b2.data
    d2 = p2 - T
    d1 = (W2.data.T @ d2) * x1 * (1 - x1)
    np.testing.assert_allclose(W2.grad, d2 @ x1.T)
    np.testing.assert_allclose(b2.grad, d2.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(W1.grad, d1 @ X.T)
    np.testing.assert_allclose(b1.grad, d1.sum(axis=1, keepdims=True))


def test_functional_matmul_matches_operator() -> None:
    X, W = leaf(2, 3), leaf(3, 2)
    np.testing.assert_array_equal(ag.matmul(X, W).data, (X @ W).data)

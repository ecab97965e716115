import numpy as np

import autograd_lite as ag


def test_affine_layer_matches_derivation_000() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    W = ag.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ag.Tensor(np.zeros(4), requires_grad=True)
    G = rng.standard_normal((5, 4))
    (ag.Tensor(X) @ W + b).backward(G)
    np.testing.assert_allclose(W.grad, X.T @ G)
    np.testing.assert_allclose(b.grad, G.sum(axis=0))

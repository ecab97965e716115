"""affine (Y = X W + b): every bias shape that ``x @ w + b`` accepts, gradcheck, dtype kept."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import Tensor
from autograd_lite.nn import functional as F
from autograd_lite.ops.affine import Affine

from ._check import check_float32, check_grad

CASES = [
    ((3, 4), (2,)),
    ((3, 4), (1,)),
    ((3, 4), ()),
    ((3, 4), (3, 2)),
    ((3, 4), (3, 1)),
    # b of more axes than X W, or stretching its size-1 axes: Y takes the broadcast shape.
    ((3, 4), (5, 3, 2)),
    ((3, 4), (5, 1, 1)),
    ((1, 3, 4), (5, 1, 2)),
    ((2, 1, 4), (2, 3, 2)),
]


@pytest.mark.parametrize("sx, sb", CASES)
def test_affine_matches_matmul_plus_bias(sx: tuple[int, ...], sb: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=sx), rng.normal(size=(4, 2)), rng.normal(size=sb)
    expected = x @ w + b
    for y in (F.linear(Tensor(x), Tensor(w), Tensor(b)), Affine.apply(x, w, b)):
        assert y.shape == expected.shape
        np.testing.assert_allclose(y.data, expected, rtol=1e-14)
    check_grad(lambda x, w, b: Affine.apply(x, w, b), x, w, b)
    check_float32(lambda x, w, b: Affine.apply(x, w, b), x, w, b)


def test_affine_of_a_float64_bias_broadcasting_a_float32_product() -> None:
    x, w = np.ones((3, 4), np.float32), np.ones((4, 2), np.float32)
    b = np.ones((5, 3, 2))
    y = Affine.apply(x, w, b)
    assert y.dtype == np.float64 and y.shape == (5, 3, 2)


def test_affine_bias_that_does_not_broadcast_names_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(3, 4\), \(4, 2\), \(4,\)"):
        Affine.apply(np.ones((3, 4)), np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"\(4, 2\), \(2, 2\)"):
        Affine.apply(np.ones((3, 4)), np.ones((4, 2)), np.ones((2, 2)))

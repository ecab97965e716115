"""matmul in every ``np.matmul`` case, drawn from its gufunc signature."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Tensor
from autograd_lite.testing import strategies as s

from ._check import check_float32, check_grad


@given(data=st.data())
def test_matmul(data: st.DataObject) -> None:
    sx, sw = data.draw(s.matmul_shapes())
    x, w = data.draw(s.arrays(sx)), data.draw(s.arrays(sw))
    np.testing.assert_allclose((Tensor(x) @ Tensor(w)).data, x @ w)
    check_grad(lambda a, b: a @ b, x, w)


@pytest.mark.parametrize(
    "sx, sw",
    [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 1, 2, 3), (4, 3, 2))],
)
def test_matmul_cases_and_rmatmul(sx: tuple[int, ...], sw: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(sx), rng.standard_normal(sw)
    check_grad(lambda a, b: a @ b, x, w)
    check_grad(lambda b: x @ b, w)
    check_grad(lambda a, b: ag.matmul(a, b), x, w)
    check_float32(lambda a, b: a @ b, x, w)


@pytest.mark.parametrize("sx, sw", [((2, 3), (4, 2)), ((3,), (2,)), ((), (3,))])
def test_shape_mismatch_names_both_shapes(sx: tuple[int, ...], sw: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=rf"{sx}.*{sw}".replace("(", r"\(").replace(")", r"\)")):
        Tensor(np.ones(sx)) @ Tensor(np.ones(sw))

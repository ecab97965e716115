"""Linear (row convention, fused op), activations, MLP, and a small model that learns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import datasets, nn, optim
from autograd_lite.nn import functional as F
from autograd_lite.testing import gradcheck, gradgradcheck
from autograd_lite.testing import strategies as ags


def test_linear_is_x_w_plus_b_with_w_in_by_out() -> None:
    lin = nn.Linear(3, 5, rng=np.random.default_rng(0))
    assert lin.weight.shape == (3, 5) and lin.bias is not None and lin.bias.shape == (5,)
    x = np.random.default_rng(1).standard_normal((4, 3))
    y = lin(ag.Tensor(x))
    np.testing.assert_allclose(y.data, x @ lin.weight.data + lin.bias.data)
    assert y.grad_fn == "affine"


def test_linear_default_init_is_bounded_by_one_over_sqrt_in_features() -> None:
    lin = nn.Linear(16, 200, rng=np.random.default_rng(0))
    assert lin.bias is not None
    k = 1 / np.sqrt(16)
    for p in (lin.weight.data, lin.bias.data):
        assert np.abs(p).max() <= k and np.abs(p).max() > 0.9 * k


def test_linear_init_is_reproducible_from_the_generator() -> None:
    a = nn.Linear(4, 3, rng=np.random.default_rng(7))
    b = nn.Linear(4, 3, rng=np.random.default_rng(7))
    c = nn.Linear(4, 3, rng=np.random.default_rng(8))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)


def test_linear_without_bias_and_on_1d_and_batched_inputs() -> None:
    lin = nn.Linear(3, 2, bias=False, rng=np.random.default_rng(0))
    assert lin.bias is None and [k for k, _ in lin.named_parameters()] == ["weight"]
    x1 = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(lin(x1).data, x1 @ lin.weight.data)
    x3 = np.ones((2, 4, 3))
    assert lin(ag.Tensor(x3)).shape == (2, 4, 2)


def test_linear_wrong_width_names_the_layer_and_both_widths() -> None:
    lin = nn.Linear(3, 2, rng=np.random.default_rng(0))
    with pytest.raises(
        ValueError, match=r"Linear\(in_features=3, out_features=2.*width 3.*width 5"
    ):
        lin(ag.Tensor(np.ones((4, 5))))
    mlp = nn.MLP(2, [8], 3, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"layer \(0\).*width 2.*got width 4"):
        mlp(ag.Tensor(np.ones((1, 4))))


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_linear_rejects_bad_sizes(bad: object) -> None:
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(bad, 2)  # type: ignore[arg-type]


def test_layers_refuse_integer_dtypes_and_a_str_of_sizes() -> None:
    with pytest.raises(TypeError, match="floating dtype, got int64"):
        nn.MLP(2, [4], 2, dtype=np.int64)
    with pytest.raises(TypeError, match="a sequence of ints, got '64'"):
        nn.MLP(2, "64", 2)  # type: ignore[arg-type]
    assert nn.Linear(2, 3, dtype=np.float32).weight.dtype == np.float32


@given(
    shape=ags.shapes(min_dims=2, max_dims=3, max_side=3),
    out=st.integers(1, 3),
    bias=st.booleans(),
    data=st.data(),
)
def test_fused_linear_gradients(
    shape: tuple[int, ...], out: int, bias: bool, data: st.DataObject
) -> None:
    x = ag.Tensor(data.draw(ags.arrays(shape)), requires_grad=True)
    w = ag.Tensor(data.draw(ags.arrays((shape[-1], out))), requires_grad=True)
    b = ag.Tensor(data.draw(ags.arrays((out,))), requires_grad=True)
    if bias:
        gradcheck(lambda x, w, b: F.linear(x, w, b), [x, w, b])
        gradgradcheck(lambda x, w, b: F.linear(x, w, b), [x, w, b])
        composed = x @ w + b
        fused = F.linear(x, w, b)
    else:
        gradcheck(lambda x, w: F.linear(x, w), [x, w])
        composed = x @ w
        fused = F.linear(x, w)
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("b_dtype", [np.float32, np.float64])
def test_fused_linear_promotes_dtypes_as_matmul_plus_add(b_dtype: type) -> None:
    x = ag.Tensor(np.ones((2, 3), np.float32))
    w = ag.Tensor(np.ones((3, 4), np.float32), requires_grad=True)
    b = ag.Tensor(np.full(4, 0.5, b_dtype), requires_grad=True)
    fused, composed = F.linear(x, w, b), x @ w + b
    assert fused.dtype == composed.dtype == np.result_type(np.float32, b_dtype)
    np.testing.assert_array_equal(fused.data, composed.data)
    fused.sum().backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == b_dtype


def test_activations() -> None:
    x = ag.Tensor([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(nn.ReLU()(x).data, [0.0, 0.0, 3.0])
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp([2.0, 0.0, -3.0])))
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh([-2.0, 0.0, 3.0]))


def test_mlp_structure_and_activation_choice() -> None:
    mlp = nn.MLP(2, [5, 7], 3, activation="tanh", rng=np.random.default_rng(0))
    shapes = [(k, p.shape) for k, p in mlp.named_parameters()]
    assert shapes == [
        ("net.0.weight", (2, 5)),
        ("net.0.bias", (5,)),
        ("net.2.weight", (5, 7)),
        ("net.2.bias", (7,)),
        ("net.4.weight", (7, 3)),
        ("net.4.bias", (3,)),
    ]
    assert isinstance(mlp.net[1], nn.Tanh) and len(mlp.net) == 5
    assert nn.MLP(2, [], 3).net[0].weight.shape == (2, 3)
    with pytest.raises(ValueError, match="activation"):
        nn.MLP(2, [4], 3, activation="gelu")


def test_small_mlp_learns_two_moons() -> None:
    X, y = datasets.two_moons(300, noise=0.1, seed=1)
    Xtr, Xte, ytr, yte = datasets.train_test_split(X, y, 0.3, seed=1)
    model = nn.MLP(2, [32, 32], 2, rng=np.random.default_rng(1))
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        loss = F.cross_entropy(model(ag.Tensor(Xtr)), ytr)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with ag.no_grad():
        acc = np.mean(model(ag.Tensor(Xte)).data.argmax(axis=1) == yte)
    assert acc >= 0.97


def test_mlp_hidden_sizes_of_the_wrong_type_are_named() -> None:
    with pytest.raises(TypeError, match="MLP: hidden_sizes must be an int or a sequence"):
        nn.MLP(2, 4.0, 3)  # type: ignore[arg-type]

"""Neuron, Layer and MLP over Scalars: shapes, gradients against the same net on Tensors,
the three-line demo, and training that lowers the loss."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.scalar import Scalar
from autograd_lite.scalar_nn import MLP, Layer, Neuron


def test_shapes_and_parameters() -> None:
    model = MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)
    assert isinstance(model([0.5, -1.0]), Scalar)
    assert len(MLP(3, [4, 2], seed=0)([1.0, 2.0, 3.0])) == 2
    assert len(Layer(3, 5)([1.0, 2.0, 3.0])) == 5
    assert [layer.neurons[0].act for layer in model.layers] == ["relu", "relu", "linear"]
    assert repr(model.layers[0]) == "Layer(2, 16, act='relu')"
    assert repr(model.layers[0].neurons[0]) == "Neuron(2, act='relu')"


def test_seed_fixes_the_weights() -> None:
    a = [p.data for p in MLP(2, [3, 1], seed=7).parameters()]
    b = [p.data for p in MLP(2, [3, 1], seed=7).parameters()]
    assert a == b
    assert all(-1.0 <= v < 1.0 for v in a)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        Neuron(2)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        Neuron(2, act="gelu")
    for nin in (0, 2.5, True, "2"):
        with pytest.raises(ValueError, match="Neuron: nin must be a positive integer"):
            Neuron(nin)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Layer: nout must be a positive integer, got 0"):
        Layer(2, 0)
    with pytest.raises(ValueError, match="Layer: unknown activation 'gelu'"):
        Layer(2, 3, act="gelu")
    with pytest.raises(ValueError, match="at least one layer"):
        MLP(2, [])
    for sizes in ([3, 0], [-1], [2.5], ["3"]):
        with pytest.raises(ValueError, match="each layer size must be a positive integer"):
            MLP(2, sizes)  # type: ignore[arg-type]
    # A one-layer MLP never uses act, but a wrong one is still an error.
    with pytest.raises(ValueError, match="MLP: unknown activation 'gelu'"):
        MLP(2, [1], act="gelu")


def test_numpy_integer_sizes_are_accepted() -> None:
    model = MLP(np.int64(2), [np.int32(3), 1], seed=0)  # type: ignore[list-item]
    assert repr(model) == "MLP(Layer(2, 3, act='relu'), Layer(3, 1, act='linear'))"
    assert len(model.parameters()) == 3 * 3 + 4


@given(
    st.lists(st.floats(-2, 2), min_size=3, max_size=3),
    st.sampled_from(["relu", "tanh", "sigmoid"]),
    st.integers(0, 2**16),
)
def test_gradients_equal_the_same_net_on_tensors(x: list[float], act: str, seed: int) -> None:
    """The Scalar MLP and a Tensor MLP with the same weights agree. Matmul sums in BLAS's
    order (and may fuse multiply-adds), the Scalar neuron left to right, and a saturated
    tanh's 1 − y² magnifies that last-bit difference: hence rtol 1e-9, not 1e-12."""
    model = MLP(3, [4, 3, 1], act=act, seed=seed)
    out = model(x)
    (out * out).backward()

    h = ag.Tensor(np.array(x))
    ws, bs = [], []
    for i, layer in enumerate(model.layers):
        w = ag.Tensor(np.array([[p.data for p in n.w] for n in layer.neurons]).T, True)
        b = ag.Tensor(np.array([n.b.data for n in layer.neurons]), True)
        ws.append(w)
        bs.append(b)
        h = h @ w + b
        if i < len(model.layers) - 1:
            h = getattr(h, act)()
    (h * h).sum().backward()

    np.testing.assert_allclose(out.data, h.data[0], rtol=1e-9)
    for layer, w, b in zip(model.layers, ws, bs):
        got_w = np.array([[p.grad or 0.0 for p in n.w] for n in layer.neurons]).T
        got_b = np.array([n.b.grad or 0.0 for n in layer.neurons])
        np.testing.assert_allclose(got_w, w.grad, rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(got_b, b.grad, rtol=1e-9, atol=1e-300)


def _moons(n: int, seed: int) -> tuple[list[list[float]], list[float]]:
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2:
            xs.append([1 - math.cos(t), 0.5 - math.sin(t)])
            ys.append(1.0)
        else:
            xs.append([math.cos(t), math.sin(t)])
            ys.append(-1.0)
    return xs, ys


def test_the_three_line_demo_trains() -> None:
    data = list(zip(*_moons(20, seed=0)))
    model = MLP(2, [8, 8, 1], seed=3)

    def loss() -> Scalar:
        return Scalar.sum([(1 - y * model(x)).relu() for x, y in data]) / len(data)

    first = loss()
    first.backward()
    for _ in range(30):
        for p in model.parameters():
            p.data -= 0.05 * (p.grad or 0.0)
        model.zero_grad()
        current = loss()
        current.backward()
    assert current.data < 0.5 * first.data
    assert all(p.grad is not None for p in model.parameters()[:3])


def test_arguments_of_the_wrong_type_raise_type_errors_naming_them() -> None:
    for nouts in (3, 3.0, "3", None):
        with pytest.raises(TypeError, match=r"MLP: nouts must be a sequence of layer sizes"):
            MLP(2, nouts)  # type: ignore[arg-type]
    for rng in (3, np.random.default_rng(0), "seed"):
        with pytest.raises(TypeError, match=r"Neuron: rng must be a random\.Random or None"):
            Neuron(2, rng=rng)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"Layer: rng must be a random\.Random or None"):
            Layer(2, 3, rng=rng)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="MLP: nin must be a positive integer, got 0"):
        MLP(0, [1])


def test_nouts_may_be_any_sequence_of_sizes() -> None:
    for nouts in ((3, 1), np.array([3, 1]), range(3, 0, -2)):
        model = MLP(2, nouts, seed=0)  # type: ignore[arg-type]
        assert repr(model) == "MLP(Layer(2, 3, act='relu'), Layer(3, 1, act='linear'))"
    assert len(Neuron(3, rng=random.SystemRandom()).w) == 3

"""Adam against hand-computed updates, hyperparameter checks and state dicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite import nn, optim


def adam_by_hand(
    p: float, grads: list[float], lr: float, b1: float, b2: float, eps: float, wd: float = 0.0
) -> list[float]:
    """PyTorch's Adam written out for one scalar."""
    m = v = 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat_step = lr / (1 - b1**t)
        denom = math.sqrt(v) / math.sqrt(1 - b2**t) + eps
        p = p - m_hat_step * m / denom
        out.append(p)
    return out


def run(p0: float, grads: list[float], **kw: object) -> list[float]:
    p = nn.Parameter([p0])
    opt = optim.Adam([p], **kw)  # type: ignore[arg-type]
    out = []
    for g in grads:
        p.grad = np.array([g])
        opt.step()
        out.append(float(p.data[0]))
    return out


def test_first_step_moves_by_lr() -> None:
    # m̂ = g and v̂ = g² after one step, so the step is lr·g/(|g| + eps).
    np.testing.assert_allclose(run(0.0, [3.0], lr=0.1), [-0.1 * 3 / (3 + 1e-8)], rtol=1e-14)


def test_two_steps_by_hand() -> None:
    # t=1: m=0.1, v=0.001, p1 = -0.1/(1 + 1e-8). t=2 with g=-2: m=-0.11, v=0.004999,
    # p2 = p1 - (0.1/0.19)·(-0.11) / (√0.004999/√0.001999 + 1e-8).
    p1 = -0.1 / (1 + 1e-8)
    expected2 = p1 - (0.1 / 0.19) * (-0.11) / (math.sqrt(0.004999) / math.sqrt(0.001999) + 1e-8)
    got = run(0.0, [1.0, -2.0], lr=0.1)
    np.testing.assert_allclose(got, [p1, expected2], rtol=1e-12)
    assert abs(expected2 - (-0.0633899)) < 1e-6


@pytest.mark.parametrize(
    "kw",
    [
        {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8},
        {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.1},
        {"lr": 0.1, "betas": (0.0, 0.0), "eps": 0.0},
    ],
)
def test_several_steps_match_the_written_out_rule(kw: dict[str, object]) -> None:
    grads = [0.3, -1.2, 2.0, 0.01, -0.5]
    b1, b2 = kw["betas"]  # type: ignore[misc]
    expected = adam_by_hand(1.5, grads, kw["lr"], b1, b2, kw["eps"], kw.get("weight_decay", 0.0))  # type: ignore[arg-type]
    np.testing.assert_allclose(run(1.5, grads, **kw), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -1e-3}, "lr must be finite and >= 0, got"),
        ({"betas": (1.0, 0.999)}, "beta parameter at index 0"),
        ({"betas": (0.9, -0.1)}, "beta parameter at index 1"),
        ({"betas": (0.9,)}, "pair"),
        ({"eps": -1e-8}, "eps must be finite and >= 0, got"),
        ({"weight_decay": -0.1}, "weight_decay must be finite and >= 0, got"),
    ],
)
def test_invalid_hyperparameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        optim.Adam([nn.Parameter([1.0])], **kwargs)  # type: ignore[arg-type]


def test_empty_and_grad_none() -> None:
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    opt = optim.Adam([a, b])
    b.grad = np.array([1.0])
    opt.step()
    assert a.data[0] == 1.0 and b.data[0] != 1.0 and list(opt.state) == [1]
    assert opt.state[1]["step"] == 1


def test_state_dict_round_trip_and_copy() -> None:
    rng = np.random.default_rng(1)
    gs = [rng.standard_normal(4) for _ in range(6)]
    a = nn.Parameter(np.zeros(4))
    opt_a = optim.Adam([a], lr=0.1)
    for g in gs[:3]:
        a.grad = g
        opt_a.step()
    sd = opt_a.state_dict()
    b = nn.Parameter(a.data)
    opt_b = optim.Adam([b])
    opt_b.load_state_dict(sd)
    sd["state"][0]["exp_avg"][:] = 99.0  # the optimizer holds its own copy
    assert opt_b.state[0]["step"] == 3 and opt_b.param_groups[0]["lr"] == 0.1
    for g in gs[3:]:
        a.grad, b.grad = g, g.copy()
        opt_a.step()
        opt_b.step()
    np.testing.assert_array_equal(a.data, b.data)


def test_load_state_dict_refuses_a_different_optimizer() -> None:
    p = nn.Parameter([1.0])
    sgd = optim.SGD([p], lr=0.1)
    adam = optim.Adam([p])
    with pytest.raises(ValueError, match="hyperparameters"):
        adam.load_state_dict(sgd.state_dict())

"""SGD against hand-computed updates, hyperparameter checks, skipping and state dicts."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, optim


def run(opt_factory, p0: list[float], grads: list[list[float]]) -> list[list[float]]:  # type: ignore[no-untyped-def]
    p = nn.Parameter(np.array(p0))
    opt = opt_factory([p])
    trace = []
    for g in grads:
        p.grad = np.array(g)
        opt.step()
        trace.append(p.data.tolist())
    return trace


def test_plain_sgd() -> None:
    trace = run(lambda ps: optim.SGD(ps, lr=0.1), [1.0, -2.0], [[0.5, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(trace, [[0.95, -1.9], [0.85, -2.0]])


def test_momentum() -> None:
    # b1 = 1, b2 = 0.9·1 + 1 = 1.9, b3 = 0.9·1.9 + 1 = 2.71; p -= 0.1·b.
    trace = run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), [0.0], [[1.0]] * 3)
    np.testing.assert_allclose(trace, [[-0.1], [-0.29], [-0.561]])


def test_nesterov() -> None:
    # Same buffers as above; the step uses g + 0.9·b: 1.9, 2.71, 3.439.
    trace = run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), [0.0], [[1.0]] * 3)
    np.testing.assert_allclose(trace, [[-0.19], [-0.461], [-0.8049]])


def test_weight_decay() -> None:
    # d = g + 0.1·p with g = 0: p = 2 − 0.1·0.2 = 1.98, then 1.98 − 0.1·0.198 = 1.9602.
    trace = run(lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.1), [2.0], [[0.0]] * 2)
    np.testing.assert_allclose(trace, [[1.98], [1.9602]])


def test_momentum_with_weight_decay() -> None:
    # p=1, g=1: d = 1.1, b = 1.1, p = 0.89; d = 1 + 0.089 = 1.089, b = 0.5·1.1 + 1.089 = 1.639,
    # p = 0.89 − 0.1639 = 0.7261.
    trace = run(
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5, weight_decay=0.1), [1.0], [[1.0]] * 2
    )
    np.testing.assert_allclose(trace, [[0.89], [0.7261]])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -0.1}, "lr must be finite and >= 0, got"),
        ({"lr": float("nan")}, "lr must be finite and >= 0, got"),
        ({"lr": 0.1, "momentum": -0.5}, "momentum must be finite and >= 0, got"),
        ({"lr": 0.1, "weight_decay": -1.0}, "weight_decay must be finite and >= 0, got"),
        ({"lr": 0.1, "nesterov": True}, "nesterov"),
    ],
)
def test_invalid_hyperparameters(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        optim.SGD([nn.Parameter([1.0])], **kwargs)  # type: ignore[arg-type]


def test_bad_parameter_lists() -> None:
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="not a Tensor"):
        optim.SGD([np.zeros(2)], lr=0.1)
    p = nn.Parameter([1.0])
    with pytest.raises(ValueError, match="twice"):
        optim.SGD([p, p], lr=0.1)


def test_parameter_without_grad_is_skipped_and_zero_grad_clears() -> None:
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0])
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    a.grad = np.array([1.0])
    opt.step()
    assert a.data.tolist() == [0.5] and b.data.tolist() == [2.0]
    assert list(opt.state) == [0]
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_updates_in_place_outside_the_graph() -> None:
    model = nn.Linear(2, 1, rng=np.random.default_rng(0))
    w, version = model.weight.data, model.weight._version
    opt = optim.SGD(model.parameters(), lr=0.1)
    model(ag.Tensor(np.ones((3, 2)))).sum().backward()
    opt.step()
    # The new value is a new array: views of the old one (w.T in a retained graph) keep
    # the values their graph saw; the version bump guards graphs reading the parameter.
    assert model.weight.data is not w and model.weight._version == version + 1
    assert model.weight.is_leaf and model.weight.grad_fn is None


def test_state_dict_round_trip_continues_identically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    gs = [rng.standard_normal(3) for _ in range(5)]
    a = nn.Parameter(np.ones(3))
    opt_a = optim.SGD([a], lr=0.1, momentum=0.9)
    for g in gs[:2]:
        a.grad = g
        opt_a.step()
    ag.save({"p": a.data, "opt": opt_a.state_dict()}, tmp_path / "ck.npz")
    ck = ag.load(tmp_path / "ck.npz")
    b = nn.Parameter(ck["p"])
    opt_b = optim.SGD([b], lr=0.5)
    opt_b.load_state_dict(ck["opt"])
    assert opt_b.param_groups[0]["lr"] == 0.1 and opt_b.param_groups[0]["momentum"] == 0.9
    for g in gs[2:]:
        a.grad, b.grad = g, g.copy()
        opt_a.step()
        opt_b.step()
    np.testing.assert_array_equal(a.data, b.data)


def test_load_state_dict_errors_change_nothing() -> None:
    p = nn.Parameter(np.ones(3))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.ones(3)
    opt.step()
    good = opt.state_dict()
    bad = opt.state_dict()
    bad["state"][0]["momentum_buffer"] = np.zeros(4)
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError) as info:
        opt.load_state_dict(bad)
    message = str(info.value)
    assert "momentum_buffer" in message and "lr must be finite and >= 0" in message
    assert opt.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(
        opt.state[0]["momentum_buffer"], good["state"][0]["momentum_buffer"]
    )
    with pytest.raises(ValueError, match="parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


def test_dampening() -> None:
    # b1 = g = 1 (no dampening on the first step), then b = 0.9·b + 0.5·g:
    # b2 = 0.9 + 0.5 = 1.4, b3 = 1.26 + 0.5 = 1.76; p -= 0.1·b.
    trace = run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5), [0.0], [[1.0]] * 3)
    np.testing.assert_allclose(trace, [[-0.1], [-0.24], [-0.416]])


def test_positional_arguments_are_pytorchs() -> None:
    """``SGD(params, lr, momentum, dampening, weight_decay, nesterov)``."""
    opt = optim.SGD([nn.Parameter([1.0])], 0.1, 0.9, 0.5, 0.01, False)
    group = opt.param_groups[0]
    assert (group["lr"], group["momentum"], group["dampening"]) == (0.1, 0.9, 0.5)
    assert (group["weight_decay"], group["nesterov"]) == (0.01, False)
    assert opt.state_dict()["param_groups"][0]["dampening"] == 0.5
    assert "dampening: 0.5" in repr(opt)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dampening": -0.5}, "dampening must be finite and >= 0, got -0.5"),
        ({"dampening": float("nan")}, "dampening must be finite and >= 0, got nan"),
        (
            {"momentum": 0.9, "dampening": 0.1, "nesterov": True},
            "nesterov momentum needs dampening = 0, got 0.1",
        ),
    ],
)
def test_invalid_dampening(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        optim.SGD([nn.Parameter([1.0])], lr=0.1, **kwargs)  # type: ignore[arg-type]


def test_a_state_dict_without_dampening_loads_as_no_dampening() -> None:
    """State dicts saved before SGD took ``dampening`` behaved as ``dampening=0``."""
    p = nn.Parameter([1.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    sd = opt.state_dict()
    del sd["param_groups"][0]["dampening"]
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["dampening"] == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"momentum": 0.9, "dampening": 0.3},
        {"momentum": 0.8, "dampening": 0.2, "weight_decay": 0.05},
        {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
        {"momentum": 0.5, "dampening": 1.5},
    ],
)
def test_matches_torch(kwargs: dict[str, float]) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((3, 2))
    grads = [rng.standard_normal((3, 2)) for _ in range(5)]
    p = nn.Parameter(p0.copy())
    tp = torch.nn.Parameter(torch.tensor(p0.copy()))
    opt, topt = optim.SGD([p], 0.1, **kwargs), torch.optim.SGD([tp], 0.1, **kwargs)
    for g in grads:
        p.grad, tp.grad = g.copy(), torch.tensor(g.copy())
        opt.step()
        topt.step()
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        opt.state[0]["momentum_buffer"],
        topt.state[tp]["momentum_buffer"].numpy(),
        rtol=1e-12,
        atol=1e-12,
    )


def test_frozen_parameters_are_accepted_and_skipped() -> None:
    """Fine-tuning: the whole model's parameters, some frozen, go to the optimizer."""
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model[0].weight.requires_grad = False
    frozen = model[0].weight.data.copy()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(ag.Tensor(np.ones((3, 2)))).sum().backward()
    assert model[0].weight.grad is None and model[1].weight.grad is not None
    opt.step()
    np.testing.assert_array_equal(model[0].weight.data, frozen)
    assert 0 not in opt.state and 2 in opt.state
    optim.SGD([ag.Tensor([1.0])], lr=0.1)  # a plain leaf that does not require grad


def test_non_leaf_and_non_float_tensors_are_refused() -> None:
    p = nn.Parameter([1.0])
    with pytest.raises(ValueError, match=r"parameter 1 \(shape \(1,\)\) is not a leaf"):
        optim.SGD([p, p * 2], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 has dtype int64"):
        optim.SGD([ag.Tensor(np.array([1, 2]))], lr=0.1)

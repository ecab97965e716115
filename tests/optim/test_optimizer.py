"""What every optimizer shares: parameter shapes and dtypes kept, gradients checked before
any update, state dicts checked before anything is loaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd_lite import nn, optim

FACTORIES: dict[str, Callable[..., optim.Optimizer]] = {
    "sgd": lambda ps, **kw: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, **kw),
    "nesterov": lambda ps, **kw: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, **kw),
    "adam": lambda ps, **kw: optim.Adam(ps, lr=0.1, weight_decay=0.1, **kw),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_a_0d_parameter_steps_as_a_1_element_one(name: str) -> None:
    """A 0-d parameter's arithmetic gives NumPy scalars; its state must still be arrays
    updated in place (a scalar momentum buffer stayed at its first value)."""
    p0, p1 = nn.Parameter(np.array(1.0)), nn.Parameter(np.array([1.0]))
    o0, o1 = FACTORIES[name]([p0]), FACTORIES[name]([p1])
    for g in (1.0, -0.5, 2.0):
        p0.grad, p1.grad = np.array(g), np.array([g])
        o0.step()
        o1.step()
        assert type(p0.data) is np.ndarray and p0.shape == ()
        assert float(p0.data) == float(p1.data[0])


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_float32_parameters_stay_float32(name: str) -> None:
    """NumPy float64 hyperparameters and a float64 gradient do not promote the parameter."""
    p = nn.Parameter(np.ones(3, np.float32))
    opt = FACTORIES[name]([p])
    for group in opt.param_groups:
        group["lr"] = np.float64(0.05)  # as a scheduler might write it
    for _ in range(2):
        p.grad = np.ones(3, np.float64)
        opt.step()
        assert p.dtype == np.float32


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_a_gradient_of_the_wrong_shape_raises_before_any_update(name: str) -> None:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = FACTORIES[name]([a, b])
    a.grad, b.grad = np.ones(2), np.ones((3, 2))
    with pytest.raises(ValueError, match=r"parameter 1 has shape \(2,\).*\(3, 2\)"):
        opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 1.0])
    assert b.shape == (2,) and opt.state == {}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_a_complex_gradient_raises_before_any_update(name: str) -> None:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = FACTORIES[name]([a, b])
    a.grad, b.grad = np.ones(2), np.array([1.0, 1j])
    with pytest.raises(TypeError, match=r"parameter 1's .grad has dtype complex128"):
        opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 1.0])
    assert opt.state == {}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_parameters_in_a_set_are_refused(name: str) -> None:
    """A state dict numbers parameters by their order, which a set does not keep."""
    p = nn.Parameter(np.ones(2))
    with pytest.raises(TypeError, match=r"params must be an ordered iterable .* got a set"):
        FACTORIES[name]({p})
    with pytest.raises(TypeError, match=r"group 0's params must be an ordered .* frozenset"):
        FACTORIES[name]([{"params": frozenset([p])}])


@pytest.mark.parametrize(
    ("key", "entry", "match"),
    [
        (0, {"step": -1}, "'step': -1"),
        (0, {"step": 2.5}, "'step': 2.5"),
        (0, {"step": "x"}, "'step': 'x'"),
        (0, {"step": True}, "'step': True"),
        (True, {"step": 1}, "state key True"),
        (0.0, {"step": 1}, "state key 0.0"),
        (0, 7, "state 0: a int, expected a dict"),
    ],
)
def test_adam_load_state_dict_checks_every_entry(key: Any, entry: Any, match: str) -> None:
    p = nn.Parameter(np.ones(2))
    opt = optim.Adam([p], lr=0.1)
    p.grad = np.ones(2)
    opt.step()
    sd = opt.state_dict()
    if isinstance(entry, dict):
        entry = {**sd["state"][0], **entry}
    sd["state"] = {key: entry}
    before = opt.state_dict()
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(sd)
    after = opt.state_dict()
    assert after["state"][0]["step"] == before["state"][0]["step"] == 1
    np.testing.assert_array_equal(after["state"][0]["exp_avg"], before["state"][0]["exp_avg"])


def test_a_bare_tensor_is_not_a_parameter_list() -> None:
    with pytest.raises(TypeError, match=r"got one Tensor of shape \(2, 3\); pass \[p\]"):
        optim.SGD(nn.Parameter(np.ones((2, 3))), lr=0.1)  # type: ignore[arg-type]


def test_state_keys_as_decimal_strings_load() -> None:
    p = nn.Parameter(np.ones(2))
    opt = optim.Adam([p], lr=0.1)
    p.grad = np.ones(2)
    opt.step()
    sd = opt.state_dict()
    sd["state"] = {"0": sd["state"][0]}
    opt.load_state_dict(sd)
    assert opt.state[0]["step"] == 1


def test_loaded_hyperparameters_are_copies() -> None:
    """A later change to the caller's betas list must not reach the optimizer."""
    p = nn.Parameter(np.ones(1))
    opt = optim.Adam([p])
    sd = opt.state_dict()
    sd["param_groups"][0]["betas"] = [0.8, 0.99]
    opt.load_state_dict(sd)
    sd["param_groups"][0]["betas"][0] = 5.0
    assert list(opt.param_groups[0]["betas"]) == [0.8, 0.99]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"param_groups": 3}, "'param_groups' must be a list of dicts"),
        ({"param_groups": [None]}, "'param_groups' must be a list of dicts"),
        ({"state": [1]}, "'state' must be a dict"),
        (
            {"state": {0: {"step": 1, "exp_avg": [[1.0], [1.0, 2.0]], "exp_avg_sq": [0.0]}}},
            "ragged",
        ),
    ],
)
def test_a_malformed_state_dict_is_named(change: dict[str, Any], match: str) -> None:
    p = nn.Parameter(np.ones(1))
    opt = optim.Adam([p])
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict({**opt.state_dict(), **change})
    assert opt.state == {}


def test_a_group_may_hold_one_tensor() -> None:
    p = nn.Parameter(np.ones(3))
    opt = optim.SGD([{"params": p, "lr": 0.5}], lr=0.1)
    p.grad = np.ones(3)
    opt.step()
    np.testing.assert_array_equal(p.data, [0.5, 0.5, 0.5])


def test_nesterov_takes_numpy_momentum() -> None:
    p = nn.Parameter(np.ones(1))
    for momentum in (np.float32(0.9), np.int64(1)):
        assert optim.SGD([p], lr=0.1, momentum=momentum, nesterov=True).param_groups
    with pytest.raises(ValueError, match="nesterov momentum needs momentum > 0"):
        optim.SGD([p], lr=0.1, momentum=np.float32(0.0), nesterov=True)


def test_state_of_another_shape_is_refused_before_any_update() -> None:
    a, b = nn.Parameter(np.array([1.0, 2.0])), nn.Parameter(np.array([1.0, 2.0]))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = b.grad = np.ones(2)
    opt.step()
    before = a.data.copy()
    b.data = np.ones(3)
    b.grad = np.ones(3)
    with pytest.raises(ValueError, match=r"parameter 1 has shape \(3,\) but its state 'exp_avg'"):
        opt.step()
    np.testing.assert_array_equal(a.data, before)
    assert opt.state[0]["step"] == 1


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: optim.SGD([p], lr=float("inf")), "lr must be finite and >= 0, got inf"),
        (lambda p: optim.Adam([p], eps=float("inf")), "eps must be finite and >= 0, got inf"),
        (
            lambda p: optim.SGD([p], lr=0.1, momentum=0.9, nesterov="False"),
            "nesterov must be a bool",
        ),
    ],
)
def test_infinite_or_mistyped_hyperparameters_are_refused(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make(nn.Parameter(np.ones(1)))


def test_adam_takes_numpy_integer_betas() -> None:
    assert optim.Adam([nn.Parameter(np.ones(1))], betas=(np.int64(0), 0.9)).param_groups

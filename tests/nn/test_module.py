"""Module registration, dotted names, train/eval, state dicts and strict loading."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 4, rng=np.random.default_rng(0))
        self.scale = nn.Parameter(np.ones(4))
        self.note = "not a parameter"

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.block = Block()
        self.layers = [nn.Linear(4, 4, rng=np.random.default_rng(1)), nn.ReLU()]
        self.head = nn.Sequential(nn.Linear(4, 2, rng=np.random.default_rng(2)))

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        h = self.block(x)
        for layer in self.layers:
            h = layer(h)
        out: ag.Tensor = self.head(h)
        return out


NAMES = [
    "block.scale",
    "block.fc.weight",
    "block.fc.bias",
    "layers.0.weight",
    "layers.0.bias",
    "head.0.weight",
    "head.0.bias",
]


def test_parameters_register_on_assignment_with_dotted_names() -> None:
    net = Net()
    names = [k for k, _ in net.named_parameters()]
    assert sorted(names) == sorted(NAMES)
    # A module's own parameters come before its submodules', in assignment order.
    assert names[:3] == ["block.scale", "block.fc.weight", "block.fc.bias"]
    assert isinstance(net.layers, nn.ModuleList)
    assert len(list(net.parameters())) == 7
    assert net.block.note == "not a parameter"
    assert "note" not in dict(net.named_parameters())


def test_reassigning_and_deleting_attributes_updates_the_registry() -> None:
    b = Block()
    b.scale = nn.Parameter(np.zeros(4))
    assert next(k for k, _ in b.named_parameters()) == "scale"
    assert np.all(b.scale.data == 0)
    b.scale = None  # None removes the parameter
    assert "scale" not in dict(b.named_parameters())
    # Any other plain value would silently drop a parameter or submodule: refused.
    for value in (ag.Tensor(np.zeros(4), requires_grad=True), np.zeros(4), 3):
        with pytest.raises(TypeError, match=r"to parameter 'weight': expected an nn\.Parameter"):
            b.fc.weight = value
        with pytest.raises(TypeError, match="to submodule 'fc': expected a Module or None"):
            b.fc = value
    assert [k for k, _ in b.named_parameters()] == ["fc.weight", "fc.bias"]
    del b.fc
    assert list(b.named_parameters()) == []
    with pytest.raises(AttributeError, match="fc"):
        _ = b.fc


def test_shared_parameter_is_listed_once() -> None:
    lin = nn.Linear(2, 2, rng=np.random.default_rng(0))
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert [k for k, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [k for k, _ in seq.named_children()] == ["0", "1"]
    assert list(seq.children()) == [lin, seq[1]]


def test_assigning_before_super_init_is_a_clear_error() -> None:
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.ones(2))

    with pytest.raises(RuntimeError, match=r"super\(\)\.__init__"):
        Bad()


def test_register_parameter_takes_only_a_parameter() -> None:
    """A plain Tensor or array would become an attribute that parameters() never sees."""
    m = nn.Module()
    for value in (ag.Tensor(np.ones(2), requires_grad=True), np.ones(2)):
        with pytest.raises(TypeError, match=r"expected an nn\.Parameter or None"):
            m.register_parameter("w", value)  # type: ignore[arg-type]
    assert not hasattr(m, "w") and list(m.named_parameters()) == []
    m.register_parameter("w", nn.Parameter(np.ones(2)))
    assert [n for n, _ in m.named_parameters()] == ["w"]
    m.register_parameter("w", None)
    assert list(m.named_parameters()) == []


def test_registry_names_are_checked() -> None:
    """Names join with dots in state dicts: an empty or dotted name, or one taken by another
    kind of attribute, would lose or shadow a parameter there."""
    m = nn.Module()
    m.weight = nn.Parameter(np.ones(1))
    m.foo = 5
    for name in ("", "a.b", "weight", "foo"):
        with pytest.raises(KeyError):
            m.add_module(name, nn.Linear(1, 1))
    with pytest.raises(TypeError, match="must be a str"):
        m.add_module(3, nn.Linear(1, 1))  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="already exists"):
        m.register_parameter("foo", nn.Parameter(np.ones(1)))
    assert m.foo == 5 and list(m.state_dict()) == ["weight"]
    m.add_module("lin", nn.Linear(1, 1))
    m.add_module("lin", nn.Linear(2, 1))  # replacing a module under its own name is fine
    assert m.lin.weight.shape == (2, 1)


def test_assigned_names_are_checked_too() -> None:
    """A dotted name set as an attribute would give two parameters one state-dict key."""
    m = nn.Module()
    m.a = nn.Linear(1, 1)
    for value in (nn.Parameter(np.ones(1)), nn.Linear(1, 1)):
        with pytest.raises(KeyError, match=r"'a\.bias' is not a valid"):
            setattr(m, "a.bias", value)
    assert [n for n, _ in m.named_parameters()] == ["a.weight", "a.bias"]


def test_a_none_attribute_may_become_a_parameter() -> None:
    lin = nn.Linear(2, 3, bias=False)
    lin.register_parameter("bias", nn.Parameter(np.zeros(3)))
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    assert lin(ag.Tensor(np.ones((1, 2)))).shape == (1, 3)


def test_train_takes_a_bool() -> None:
    net = Net()
    with pytest.raises(TypeError, match="mode must be a bool, got 'False'"):
        net.train("False")  # type: ignore[arg-type]
    assert all(m.training for m in net.modules())
    assert not net.train(np.bool_(False)).training


def test_load_state_dict_names_a_value_that_is_not_an_array() -> None:
    m = nn.Linear(2, 2)
    before = m.weight.data.copy()
    with pytest.raises(ValueError, match="'weight': not an array"):
        m.load_state_dict({"weight": [[1.0], [1.0, 2.0]], "bias": np.zeros(2)})
    np.testing.assert_array_equal(m.weight.data, before)


def test_forward_zero_grad_train_eval() -> None:
    net = Net()
    x = ag.Tensor(np.random.default_rng(3).standard_normal((5, 3)))
    net(x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.training and net.block.fc.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_parameter_is_a_tensor_that_requires_grad() -> None:
    p = nn.Parameter([1, 2, 3])
    assert isinstance(p, ag.Tensor) and p.requires_grad and p.dtype == np.float64
    assert repr(p).startswith("Parameter containing:")
    with pytest.raises(TypeError, match="unsupported dtype complex128"):
        nn.Parameter(np.array([1 + 2j]))


def test_state_dict_is_an_ordered_copy() -> None:
    net = Net()
    sd = net.state_dict()
    assert list(sd) == [k for k, _ in net.named_parameters()]
    sd["block.scale"][:] = 7.0
    assert np.all(net.block.scale.data == 1.0)


def test_load_state_dict_round_trip() -> None:
    a, b = Net(), Net()
    for p in a.parameters():
        p.data += 1.5
    b.load_state_dict(a.state_dict())
    for (ka, pa), (kb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert ka == kb
        np.testing.assert_array_equal(pa.data, pb.data)
    x = ag.Tensor(np.ones((2, 3)))
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_strict_load_lists_every_problem_and_changes_nothing() -> None:
    net = Net()
    before = {k: v.copy() for k, v in net.state_dict().items()}
    sd = {k: v + 1.0 for k, v in net.state_dict().items()}
    del sd["head.0.bias"]
    sd["extra.weight"] = np.zeros(3)
    sd["block.fc.weight"] = np.zeros((4, 3))
    sd["layers.0.bias"] = sd["layers.0.bias"].astype(np.float32)
    with pytest.raises(ValueError) as info:
        net.load_state_dict(sd)
    msg = str(info.value)
    for part in [
        "missing keys: 'head.0.bias'",
        "unexpected keys: 'extra.weight'",
        "'block.fc.weight': shape (4, 3)",
        "(3, 4)",
        "'layers.0.bias': dtype float32",
    ]:
        assert part in msg
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_non_strict_load_ignores_missing_and_unexpected_but_not_shapes() -> None:
    net = Net()
    net.load_state_dict({"head.0.bias": np.full(2, 3.0), "other": np.zeros(1)}, strict=False)
    np.testing.assert_array_equal(net.head[0].bias.data, [3.0, 3.0])
    with pytest.raises(ValueError, match=r"head\.0\.bias"):
        net.load_state_dict({"head.0.bias": np.zeros(3)}, strict=False)


def test_repr_shows_the_module_tree() -> None:
    text = repr(Net())
    assert text.splitlines()[0] == "Net("
    assert "  (block): Block(\n    (fc): Linear(in_features=3, out_features=4, bias=True)" in text
    assert "(layers): ModuleList(" in text and "(1): ReLU()" in text
    assert text.endswith(")")


def test_a_slice_of_a_container_is_a_container_of_its_class() -> None:
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    head = seq[:-1]
    assert type(head) is nn.Sequential and len(head) == 2 and head[0] is seq[0]
    x = ag.Tensor(np.ones((5, 3)))
    np.testing.assert_array_equal(head(x).data, seq[1](seq[0](x)).data)
    rest = nn.ModuleList([nn.ReLU(), nn.Tanh()])[1:]
    assert type(rest) is nn.ModuleList and isinstance(rest[0], nn.Tanh)


def test_a_layer_error_of_another_class_passes_through() -> None:
    class ShapeError(ValueError):
        pass

    class Picky(nn.Module):
        def forward(self, x: Any) -> Any:
            raise ShapeError("no")

    with pytest.raises(ShapeError, match=r"^no$"):
        nn.Sequential(nn.ReLU(), Picky())(ag.Tensor(np.ones(2)))


def test_module_list_and_sequential_containers() -> None:
    ml = nn.ModuleList([nn.ReLU()]).append(nn.Tanh())
    assert len(ml) == 2 and isinstance(ml[1], nn.Tanh) and isinstance(ml[-1], nn.Tanh)
    with pytest.raises(IndexError, match="out of range"):
        ml[5]
    seq = nn.Sequential(nn.Linear(2, 3, rng=np.random.default_rng(0)), nn.Sigmoid())
    y = seq(ag.Tensor(np.zeros((4, 2))))
    assert y.shape == (4, 3) and np.all((y.data > 0) & (y.data < 1))
    with pytest.raises(NotImplementedError):
        nn.Module()(1)


def test_add_module_over_a_none_attribute() -> None:
    lin = nn.Linear(2, 2, bias=False)
    inner = nn.Linear(2, 2)
    lin.add_module("bias", inner)
    assert lin.bias is inner


def test_a_name_a_method_holds_is_refused() -> None:
    m = nn.Module()
    for name in ("forward", "parameters"):
        with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
            m.add_module(name, nn.ReLU())
        with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
            m.register_parameter(name, nn.Parameter(np.ones(1)))
    assert list(m.named_children()) == [] and list(m.named_parameters()) == []


def test_assignment_refuses_names_a_method_or_training_holds() -> None:
    m = nn.Linear(2, 2)
    for name, value in (("training", nn.Parameter(np.ones(1))), ("forward", nn.ReLU())):
        with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
            setattr(m, name, value)
    assert [k for k, _ in m.named_parameters()] == ["weight", "bias"] and m.training is True


def test_a_module_cannot_be_registered_inside_itself() -> None:
    inner = nn.Sequential(nn.Linear(2, 2))
    outer = nn.Sequential(inner)
    before = repr(inner)
    for register, method in (
        (lambda: inner.add_module("self", inner), "add_module"),
        (lambda: setattr(inner, "outer", outer), "setattr"),
        (lambda: setattr(inner, "both", [nn.Linear(1, 1), outer]), "setattr"),
        (lambda: inner.append(outer), "add_module"),
    ):
        with pytest.raises(ValueError, match=f"{method}: registering .* inside itself"):
            register()
        assert repr(inner) == before and len(list(inner.modules())) == 2


@pytest.mark.parametrize("default", [None, 0.5, "text"])
def test_a_name_the_class_defines_is_refused(default: Any) -> None:
    """A class attribute (even a None default) would be found before the registry, so
    ``m.bias`` would read the class's value while the parameter is registered."""

    class WithDefault(nn.Module):
        bias = default

    m = WithDefault()
    for register in (
        lambda: setattr(m, "bias", nn.Parameter(np.ones(1))),
        lambda: m.register_parameter("bias", nn.Parameter(np.ones(1))),
        lambda: m.add_module("bias", nn.ReLU()),
    ):
        with pytest.raises(KeyError, match=r"attribute 'bias' already exists.*class attribute"):
            register()
    assert m.bias == default
    assert list(m.named_parameters()) == [] and list(m.named_children()) == []


def test_register_parameter_none_leaves_the_attribute_none() -> None:
    lin = nn.Linear(2, 3)
    lin.register_parameter("bias", None)
    assert lin.bias is None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    assert list(lin.state_dict()) == ["weight"]
    assert lin(ag.Tensor(np.ones((1, 2)))).shape == (1, 3)
    m = nn.Module()
    m.register_parameter("w", None)
    assert m.w is None and list(m.state_dict()) == []
    m.foo = 5
    with pytest.raises(KeyError, match="'foo' already exists"):
        m.register_parameter("foo", None)
    assert m.foo == 5


def test_load_state_dict_returns_the_missing_and_unexpected_keys() -> None:
    lin = nn.Linear(2, 2)
    result = lin.load_state_dict({"weight": np.zeros((2, 2)), "extra": np.ones(1)}, strict=False)
    assert isinstance(result, tuple) and isinstance(result, nn.module.IncompatibleKeys)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    missing, unexpected = result
    assert (missing, unexpected) == (["bias"], ["extra"])
    np.testing.assert_array_equal(lin.weight.data, np.zeros((2, 2)))
    assert lin.load_state_dict(lin.state_dict()) == ([], [])
    assert "missing_keys=['bias']" in repr(result)


class Tied(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(2, 2, rng=np.random.default_rng(0))
        self.b = nn.Linear(2, 2, rng=np.random.default_rng(1))
        self.b.weight = self.a.weight


def test_a_tied_parameter_has_every_name_in_the_state_dict() -> None:
    t = Tied()
    assert [n for n, _ in t.named_parameters()] == ["a.weight", "a.bias", "b.bias"]
    every = ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert [n for n, _ in t.named_parameters(remove_duplicate=False)] == every
    assert list(t.state_dict()) == every
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(seq.parameters())) == 2


def test_loading_a_tied_parameter_needs_every_name_and_one_value() -> None:
    t = Tied()
    before = {k: v.copy() for k, v in t.state_dict().items()}
    sd = {k: v + 1.0 for k, v in t.state_dict().items()}
    t2 = Tied()
    t2.load_state_dict(sd)
    np.testing.assert_array_equal(t2.b.weight.data, sd["b.weight"])
    assert t2.a.weight is t2.b.weight
    partial = dict(sd)
    del partial["b.weight"]
    with pytest.raises(ValueError, match=r"missing keys: 'b\.weight'"):
        t.load_state_dict(partial)
    assert t.load_state_dict(partial, strict=False).missing_keys == ["b.weight"]
    np.testing.assert_array_equal(t.a.weight.data, sd["a.weight"])
    t = Tied()
    clash = {**sd, "b.weight": sd["a.weight"] + 1.0}
    for strict in (True, False):
        with pytest.raises(ValueError, match=r"'a\.weight' and 'b\.weight'.*same parameter"):
            t.load_state_dict(clash, strict=strict)
        for k, v in t.state_dict().items():
            np.testing.assert_array_equal(v, before[k])


def test_a_sequential_slice_keeps_its_names_a_module_list_slice_renumbers() -> None:
    layers = [nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 1), nn.Tanh()]
    seq = nn.Sequential(*layers)
    assert list(seq[1:].state_dict()) == ["2.weight", "2.bias"]
    assert [n for n, _ in seq[::2].named_children()] == ["0", "2"]
    assert seq[1:][1] is layers[2]
    tail = seq[1:]
    tail.append(nn.ReLU())  # after the largest name: replaces nothing
    assert [n for n, _ in tail.named_children()] == ["1", "2", "3", "4"] and tail[2] is layers[3]
    ml = nn.ModuleList(layers)
    assert list(ml[1:].state_dict()) == ["1.weight", "1.bias"]
    assert [n for n, _ in ml[1:].named_children()] == ["0", "1", "2"]


@pytest.mark.parametrize("cls", [nn.ModuleList, nn.Sequential])
def test_extend_adds_nothing_when_an_item_is_bad(cls: Any) -> None:
    container = cls([nn.ReLU()]) if cls is nn.ModuleList else cls(nn.ReLU())
    with pytest.raises(TypeError, match="item 1 is a str, not a Module"):
        container.extend([nn.Tanh(), "oops"])
    with pytest.raises(ValueError, match="inside itself"):
        container.extend([nn.Tanh(), nn.Sequential(container)])
    with pytest.raises(TypeError, match="expected an iterable of Modules"):
        container.extend(nn.Tanh())
    assert len(container) == 1 and [n for n, _ in container.named_children()] == ["0"]
    container.extend([nn.Tanh(), nn.Sigmoid()])
    assert [type(m).__name__ for m in container] == ["ReLU", "Tanh", "Sigmoid"]


def test_a_sequential_of_a_mapping_names_its_layers() -> None:
    first, act = nn.Linear(2, 3), nn.ReLU()
    seq = nn.Sequential(OrderedDict([("hidden", first), ("act", act), ("out", nn.Linear(3, 1))]))
    assert [name for name, _ in seq.named_children()] == ["hidden", "act", "out"]
    assert list(seq.state_dict()) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert seq[0] is first and seq.act is act
    assert seq(ag.Tensor(np.ones((4, 2)))).shape == (4, 1)
    assert list(seq[1:].state_dict()) == ["out.weight", "out.bias"]
    with pytest.raises(KeyError, match=r"'a\.b' is not a valid name"):
        nn.Sequential(OrderedDict([("a.b", nn.ReLU())]))

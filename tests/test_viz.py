"""``ag.draw_graph``: the DOT source of the graph (rendering needs ``dot``, these tests do not)."""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np
import pytest

import autograd_lite as ag
from tests._nodes import Num


def test_missing_graphviz_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    x = ag.Tensor([1.0], requires_grad=True)
    with pytest.raises(ImportError, match=re.escape("pip install -e '.[viz]'")):
        ag.draw_graph(x * 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"y": 3.0}, TypeError, r"draw_graph\(\): y must be a Tensor or a Scalar, got float"),
        ({"y": [1.0]}, TypeError, "got list"),
        (
            {"rankdir": "XX"},
            ValueError,
            r"rankdir must be one of \('TB', 'LR', 'BT', 'RL'\), got 'XX'",
        ),
        ({"rankdir": "lr"}, ValueError, "rankdir must be one of"),
        ({"max_values": -1}, ValueError, "max_values must be finite and >= 0, got -1"),
        ({"max_values": 2.5}, TypeError, "max_values must be an integer, got 2.5"),
        ({"max_values": True}, TypeError, "max_values must be an integer, got True"),
    ],
)
def test_bad_arguments_are_refused_before_graphviz_is_needed(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    x = ag.Tensor([1.0], requires_grad=True)
    kwargs = {"y": x * 2, **kwargs}
    with pytest.raises(error, match=match):
        ag.draw_graph(**kwargs)


graphviz = pytest.importorskip("graphviz")


def test_every_rankdir_and_max_values_zero() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    for rankdir in ("TB", "LR", "BT", "RL"):
        assert f"rankdir={rankdir}" in ag.draw_graph(x * 2, rankdir=rankdir).source
    assert ag.draw_graph(x * 2, max_values=np.int64(2)).source.count("data [") == 2
    # No value has at most 0 elements: no numbers, for Tensors and for float nodes alike.
    assert "data" not in ag.draw_graph(x * 2, max_values=0).source
    p = Num(1.5)
    p.grad = 1.0
    r = Num(3.0, _NumAdd, (p, Num(1.5)))
    labels = _labels(ag.draw_graph(r, names={"p": p, "r": r}, max_values=0).source)
    assert labels["v0"] == "p\ngrad ()"


def _layer() -> dict[str, ag.Tensor]:
    rng = np.random.default_rng(0)
    X = ag.Tensor(rng.standard_normal((32, 3)))
    W = ag.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = ag.Tensor(np.array([0.5, -0.5]), requires_grad=True)
    loss = (X @ W + b).relu().sum()
    return {"X": X, "W": W, "b": b, "loss": loss}


def _labels(src: str) -> dict[str, str]:
    return dict(re.findall(r'\t(\w+) \[label="?(.*?)"? (?:fillcolor|penwidth|shape)', src, re.S))


def test_a_graph_with_an_in_place_write_into_itself() -> None:
    """h[0] = f(h) reads as a cycle through h until edges are pointed at the old value."""
    a = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = a * 2.0
    h[0] = h[1] * 5.0
    loss = h.sum()
    labels = _labels(ag.draw_graph(loss, grads=True).source)
    assert sorted(lbl for key, lbl in labels.items() if key.startswith("op")) == [
        "getitem",
        "mul",
        "mul",
        "setitem",
        "sum",
    ]
    loss.backward()
    np.testing.assert_array_equal(a.grad, [0.0, 12.0, 2.0])


def test_ops_shapes_and_edges() -> None:
    v = _layer()
    dot = ag.draw_graph(v["loss"], names=v)
    assert isinstance(dot, graphviz.Digraph)
    src = dot.source
    labels = _labels(src)
    ops = sorted(lbl for key, lbl in labels.items() if key.startswith("op"))
    assert ops == ["add", "matmul", "relu", "sum"]
    values = [lbl.split("\n")[0] for key, lbl in labels.items() if key.startswith("v")]
    assert values == ["X", "W", "matmul1", "b", "add1", "relu1", "loss"]
    assert "(32, 3) float64" in labels["v0"] and "(3, 2) float64" in labels["v1"]
    # 32×3 numbers are too many to print; the 2 of b are not.
    assert "data" not in labels["v0"] and "data [ 0.5, -0.5]" in labels["v3"]
    # 4 ops: inputs → op → output, with the operand order on binary ops.
    assert src.count("->") == 2 + 1 + 2 + 1 + 1 + 1 + 1 + 1
    assert "v0 -> op2 [label=0]" in src and "v1 -> op2 [label=1]" in src


def test_grads_shown_from_dot_grad_and_computed_on_request() -> None:
    v = _layer()
    plain = _labels(ag.draw_graph(v["loss"], names=v).source)
    assert "grad" not in plain["v3"]
    full = _labels(ag.draw_graph(v["loss"], names=v, grads=True).source)
    assert v["b"].grad is None and v["W"].grad is None  # nothing written
    assert "grad (32, 2)" in full["v5"]  # relu1: too big for numbers, shape instead
    assert "grad 1" in full["v6"]
    v["loss"].backward(retain_graph=True)
    after = _labels(ag.draw_graph(v["loss"], names=v).source)
    b_grad = np.array2string(v["b"].grad, precision=4, separator=", ", suppress_small=True)
    assert f"grad {b_grad}" in after["v3"]


def test_default_names_are_the_callers_variables() -> None:
    weight = ag.Tensor([1.0, 2.0], requires_grad=True)
    total = (weight * weight).sum()
    src = ag.draw_graph(total).source
    assert 'label="weight' in src and 'label="total' in src and 'label="mul1' in src


def test_freed_graph_raises() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="freed"):
        ag.draw_graph(y)


def test_deep_graph_has_no_recursion_limit() -> None:
    x = ag.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y * 1.0
    src = ag.draw_graph(y).source
    assert src.count("shape=ellipse") == 3 * sys.getrecursionlimit()


class _NumAdd:
    name = "add"

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> Any:
        return g, g


def test_float_nodes_show_data_and_grad() -> None:
    p = Num(1.5)
    q = Num(2.25)
    r = Num(3.75, _NumAdd, (p, q))
    p.grad = 1.0
    labels = _labels(ag.draw_graph(r, names={"p": p, "q": q, "r": r}).source)
    assert labels["v0"] == "p\ndata 1.5\ngrad 1"
    assert labels["v2"] == "r\ndata 3.75"
    labels = _labels(ag.draw_graph(r, names={"p": p, "q": q, "r": r}, grads=True).source)
    assert labels["v1"] == "q\ndata 2.25\ngrad 1"


def test_scalar_graph() -> None:
    Scalar: Any = getattr(ag, "Scalar")  # noqa: B009
    a = Scalar(2.0)
    c = Scalar(-3.0)
    out = (a * c).relu()
    out.backward()
    src = ag.draw_graph(Scalar(1.0) * a + c * a).source
    assert "data 2" in src and "grad" in src

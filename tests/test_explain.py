"""``ag.explain``: the engine's own visit order, shapes, summed axes, and no side effects."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from hypothesis import given

import autograd_lite as ag
from autograd_lite import engine
from autograd_lite.testing import strategies as ags
from tests._nodes import Num


def _affine(n: int = 32) -> tuple[ag.Tensor, ag.Tensor, ag.Tensor, ag.Tensor]:
    rng = np.random.default_rng(0)
    X = ag.Tensor(rng.standard_normal((n, 3)))
    W = ag.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = ag.Tensor(rng.standard_normal(4), requires_grad=True)
    loss = (X @ W + b).relu().sum()
    return X, W, b, loss


def test_bias_gradient_is_a_sum_over_the_batch_axis() -> None:
    X, W, b, loss = _affine()
    steps = ag.explain(loss, names={"X": X, "W": W, "b": b, "loss": loss}, quiet=True)
    add = next(s for s in steps if s.op == "add")
    db = add.inputs[1]
    assert db.name == "b"
    assert db.vjp_shape == (32, 4) and db.shape == (4,) and db.summed_axes == (0,)
    assert "db = Σ over axis 0 of G: (32, 4) → (4,)" in str(steps)
    mm = next(s for s in steps if s.op == "matmul")
    assert mm.formula == ag.ops.linalg.MatMul.formula
    assert mm.grad_shape == (32, 4)
    assert [(i.name, i.shape, i.requires_grad) for i in mm.inputs] == [
        ("X", (32, 3), False),
        ("W", (3, 4), True),
    ]
    assert "dX: not needed" in str(steps)


def test_order_is_the_engines_and_records_match_backward() -> None:
    _, W, b, loss = _affine()
    seen: list[Any] = []
    engine._run([loss], [np.ones(())], True, False, {}, lambda n, g, pg: seen.append(n))
    steps = ag.explain(loss, quiet=True)
    assert len(steps) == len(seen)
    assert [s.op for s in steps] == [None if n._op is None else n._op.name for n in seen]
    assert steps[0].name == "loss"
    loss.backward()
    leaf = {s.name: s for s in steps if s.is_leaf}
    np.testing.assert_array_equal(leaf["W"].grad, W.grad)
    np.testing.assert_array_equal(leaf["b"].grad, b.grad)
    add = next(s for s in steps if s.op == "add")
    np.testing.assert_array_equal(add.inputs[1].grad, b.grad)


def test_changes_no_grad_and_keeps_the_graph() -> None:
    X, W, b, loss = _affine()
    W.grad = np.full((3, 4), 7.0)
    ag.explain(loss, quiet=True)
    ag.explain(loss, quiet=True)
    assert b.grad is None
    np.testing.assert_array_equal(W.grad, np.full((3, 4), 7.0))
    W.grad = None
    loss.backward()
    ref = ag.grad((ag.Tensor(X.data) @ W + b).relu().sum(), W)[0]
    assert ref is not None
    np.testing.assert_allclose(W.grad, ref.data)


def test_retained_intermediate_grad_is_untouched() -> None:
    x = ag.Tensor([1.0, -2.0, 3.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    y = h.relu().sum()
    ag.explain(y, quiet=True)
    assert h.grad is None and x.grad is None


def test_backward_explain_prints_and_sets_grads(capsys: pytest.CaptureFixture[str]) -> None:
    _, W, b, loss = _affine(8)
    loss.backward(explain=True)
    out = capsys.readouterr().out
    assert out.startswith("backward of loss")
    assert "db = Σ over axis 0 of G: (8, 4) → (4,)" in out
    assert W.grad is not None and b.grad is not None
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_backward_explain_with_create_graph() -> None:
    x = ag.Tensor([0.5, 1.5], requires_grad=True)
    y = (x * x * x).sum()
    y.backward(create_graph=True, explain=True)
    assert isinstance(x.grad, ag.Tensor)
    np.testing.assert_allclose(x.grad.data, 3 * x.data**2)


def test_several_axes_and_size_one_axes() -> None:
    a = ag.Tensor(np.ones((3, 1)), requires_grad=True)
    c = ag.Tensor(np.ones((2, 1, 4)), requires_grad=True)
    y = a * c
    steps = ag.explain(y, grad=np.ones((2, 3, 4)), names={"a": a, "c": c, "y": y}, quiet=True)
    mul = steps.step("y")
    assert mul.inputs[0].summed_axes == (0, 2)
    assert mul.inputs[1].summed_axes == (1,)
    text = str(steps)
    assert "da = Σ over axes 0, 2 of the VJP's result: (2, 3, 4) → (3, 1)" in text
    assert "dc = Σ over axis 1 of the VJP's result: (2, 3, 4) → (2, 1, 4)" in text


@given(ags.broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_summed_axes_reduce_the_vjp_shape_to_the_input(shapes: tuple[Any, ...]) -> None:
    s1, s2 = shapes
    x = ag.Tensor(np.full(s1, 0.5), requires_grad=True)
    z = ag.Tensor(np.full(s2, 2.0), requires_grad=True)
    out = x + z
    g = np.arange(out.size, dtype=np.float64).reshape(out.shape)
    steps = ag.explain(out, grad=g, names={"x": x, "z": z, "out": out}, quiet=True)
    gx, gz = ag.grad(x + z, [x, z], g)
    for rec, ref, t in zip(steps.step("out").inputs, (gx, gz), (x, z)):
        assert rec.vjp_shape == out.shape and rec.shape == t.shape
        assert ref is not None
        reduced = g.sum(axis=rec.summed_axes, keepdims=True).reshape(t.shape)
        np.testing.assert_array_equal(reduced, ref.data)
        np.testing.assert_array_equal(rec.grad, ref.data)


def test_names_default_to_the_callers_variables_and_unnamed_nodes_are_numbered() -> None:
    weight = ag.Tensor([1.0, 2.0], requires_grad=True)
    total = (weight * np.array(3.0)).exp().sum()
    steps = ag.explain(total, quiet=True)
    assert [s.name for s in steps] == ["total", "exp1", "mul1", "weight"]
    assert steps.step("mul1").inputs[1].name == "const1"
    assert "1. total = sum(exp1)" in str(steps)


def test_numbered_names_skip_the_users_names() -> None:
    x = ag.Tensor([1.0, -2.0], requires_grad=True)
    relu1 = x.relu()
    y = (relu1 * 2.0 + (x * 3.0).relu() * 7.0).sum()
    names = [s.name for s in ag.explain(y, quiet=True)]
    assert len(names) == len(set(names)) and "relu1" in names and "relu2" in names
    np.testing.assert_array_equal(ag.explain(y, quiet=True).step("relu2").grad, [7.0, 7.0])


def test_seed_errors() -> None:
    x = ag.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(3,\); pass grad="):
        ag.explain(x * 2, quiet=True)
    with pytest.raises(ValueError, match="grad has shape"):
        ag.explain(x * 2, grad=np.ones(2), quiet=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.explain(ag.Tensor(np.ones(3)) * 2, quiet=True)


def test_prints_to_a_file() -> None:
    x = ag.Tensor(2.0, requires_grad=True)
    buf = io.StringIO()
    ag.explain((x * x).tanh(), file=buf)
    text = buf.getvalue()
    assert "tanh(mul1)" in text and "VJP: dx = g ⊙ (1 − y²)" in text
    assert "x.grad += G: () = " in text


class _NumMul:
    name = "mul"
    formula = "da = g·b;  db = g·a"

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> Any:
        return g * xs[1], g * xs[0]


def test_works_on_any_node_of_the_engine_contract() -> None:
    p = Num(3.0)
    q = Num(-2.0)
    r = Num(p.data * q.data, _NumMul, (p, q))
    steps = ag.explain(r, names={"p": p, "q": q, "r": r}, quiet=True)
    assert steps[0].name == "r"
    assert steps.step("r").inputs[0].grad == -2.0
    assert {s.name: s.grad for s in steps if s.is_leaf} == {"p": -2.0, "q": 3.0}
    assert "r = mul(p, q)" in str(steps) and "dp = -2" in str(steps)
    assert p.grad is None and q.grad is None


def test_scalar_graph() -> None:
    Scalar: Any = getattr(ag, "Scalar")  # noqa: B009
    a = Scalar(2.0)
    c = Scalar(-3.0)
    out = (a * c + a).tanh()
    steps = ag.explain(out, quiet=True)
    assert steps[0].name == "out"
    leaves = {s.name: s.grad for s in steps if s.is_leaf}
    out.backward()
    assert leaves["a"] == pytest.approx(a.grad) and leaves["c"] == pytest.approx(c.grad)


def test_module_parameters_are_named_by_their_dotted_names() -> None:
    model = ag.nn.MLP(3, [4], 2, rng=np.random.default_rng(0))
    x = ag.Tensor(np.ones((5, 3)))
    loss = model(x).sum()
    steps = ag.explain(loss, quiet=True)
    leaves = [s.name for s in steps if s.is_leaf]
    assert sorted(leaves) == sorted(f"model.{n}" for n, _ in model.named_parameters())
    assert "model.net.0.bias.grad += G: (4,)" in str(steps)


def test_a_scalar_seed_is_refused_as_scalar_backward_refuses_it() -> None:
    Scalar: Any = getattr(ag, "Scalar")  # noqa: B009
    x = Scalar(1.5)
    y = x * 2.0
    for bad in (ag.Tensor(1.0), "ab", True, np.ones(1), [1.0]):
        with pytest.raises(TypeError, match="grad must be a number or a Scalar") as info:
            ag.explain(y, grad=bad, quiet=True)
        with pytest.raises(TypeError, match="grad must be a number or a Scalar") as backward:
            y.backward(bad, retain_graph=True)
        assert str(info.value).replace("explain()", "backward()") == str(backward.value)
    assert x.grad is None
    for seed in (3, 3.0, np.float32(3.0), Scalar(3.0)):
        steps = ag.explain(y, grad=seed, quiet=True)
        assert steps[0].grad == 3.0 and type(steps[0].grad) is float
        assert steps.step("x").grad == 6.0


def test_a_tensor_seed_is_checked_as_tensor_backward_checks_it() -> None:
    Scalar: Any = getattr(ag, "Scalar")  # noqa: B009
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    for bad, error, match in [
        ("ab", TypeError, "must hold real numbers"),
        ([1 + 1j, 2.0], TypeError, "must hold real numbers"),
        (Scalar(1.0), TypeError, "must hold real numbers"),
        ([1.0, 2.0, 3.0], ValueError, r"grad has shape \(3,\) but the output has shape \(2,\)"),
    ]:
        with pytest.raises(error, match=match):
            ag.explain(y, grad=bad, quiet=True)
    steps = ag.explain(y, grad=[1, 3], quiet=True)
    np.testing.assert_array_equal(steps.step("x").grad, [2.0, 6.0])
    assert x.grad is None

"""In-place changes: ``+=`` and friends rebind, ``x[i] = v`` bumps a version that
backward checks, and no write through one tensor changes another's memory."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as ag
from autograd_lite.testing import gradcheck


def _leaf(*values: float) -> ag.Tensor:
    return ag.Tensor(np.array(values), requires_grad=True)


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/=", "**=", "@="])
def test_augmented_assignment_is_out_of_place(op: str) -> None:
    w = ag.Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    x = w * 1.0
    before = x
    data_before = x.data.copy()
    ns = {"x": x, "y": ag.Tensor(np.array([[2.0, 1.0], [0.5, 3.0]]))}
    exec(f"x {op} y", ns)
    assert ns["x"] is not before
    np.testing.assert_array_equal(before.data, data_before)
    assert before._version == 0
    ns["x"].sum().backward()
    assert w.grad is not None and w.grad.shape == (2, 2)


def test_plus_equals_keeps_the_gradient_of_both_terms() -> None:
    a = _leaf(1.0, 2.0)
    x = a * 3.0
    x += a
    x.sum().backward()
    np.testing.assert_array_equal(a.grad, [4.0, 4.0])


def test_setitem_bumps_version() -> None:
    x = ag.Tensor(np.zeros(3))
    assert x._version == 0
    x[0] = 1.0
    x[1:] = ag.Tensor([2.0, 3.0])
    assert x._version == 2
    np.testing.assert_array_equal(x.data, [1.0, 2.0, 3.0])


def test_modified_input_read_by_the_vjp_raises_with_shape_dtype_and_versions() -> None:
    w = _leaf(1.0, 2.0, 3.0)
    x = ag.Tensor(np.array([4.0, 5.0, 6.0], dtype=np.float64))
    y = (w * x).sum()
    x[0] = 100.0
    with pytest.raises(RuntimeError) as info:
        y.backward()
    msg = str(info.value)
    assert "in-place" in msg and "mul" in msg
    assert "(3,)" in msg and "float64" in msg
    assert "version 1" in msg and "version 0" in msg


def test_modified_output_read_by_the_vjp_raises() -> None:
    x = _leaf(0.5, 1.0)
    y = x.exp()
    with ag.no_grad():
        y[0] = 0.0
    with pytest.raises(RuntimeError, match="output of exp"):
        y.sum().backward()


def test_tracked_write_to_an_output_keeps_the_old_value_for_its_vjp() -> None:
    x = _leaf(0.5, 1.0)
    y = x.exp()
    y[0] = 0.0  # y becomes setitem(exp(x)); exp's node keeps the old output
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, np.exp(1.0)])


def test_write_to_an_input_the_vjp_does_not_read_is_allowed() -> None:
    w = _leaf(1.0, 2.0)
    x = ag.Tensor([3.0, 4.0])
    y = (w + x).sum()
    x[0] = 7.0
    y.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_parameter_update_under_no_grad_then_backward_of_an_add() -> None:
    w = _leaf(1.0, 2.0)
    y = (w + 1.0).sum()
    with ag.no_grad():
        w[0] = 5.0
    y.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_graph_made_before_a_recorded_write_keeps_the_old_value() -> None:
    # After h[:1] = v, h is a setitem node; the earlier sum still differentiates the h
    # it saw (a * 2), and v, written afterwards, gets nothing from it.
    a = _leaf(1.0, 2.0)
    v = _leaf(9.0)
    h = a * 2.0
    s = h.sum()
    p = (h * a).sum()  # mul reads h's old value
    h[:1] = v
    s.backward(retain_graph=True)
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    assert v.grad is None
    a.grad = None
    p.backward()
    np.testing.assert_array_equal(a.grad, [4.0 * 1.0, 4.0 * 2.0])
    assert v.grad is None


def test_constant_turned_into_a_node_by_a_recorded_write() -> None:
    c = ag.Tensor(np.zeros(2))
    w = _leaf(1.0, 2.0)
    s = (c * w).sum()  # made while c was a constant of zeros
    v = _leaf(3.0)
    c[:1] = v
    s.backward()
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])
    assert v.grad is None
    # A graph built after the write routes the gradient into v.
    (c * 2.0).sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0])


def test_untracked_then_recorded_write_to_a_constant() -> None:
    """At version 0, c was a constant: an add (which reads no input) made then needs no
    gradient from it, whatever was written since. A mul, which reads c, still refuses."""
    b = _leaf(1.0, 2.0)
    c = ag.Tensor([3.0, 4.0])
    y = c + b
    c[0] = 5.0  # untracked: nothing requires grad
    c[1] = b[1] * 2.0  # recorded: c becomes a setitem node
    (y.sum() + c.sum()).backward()
    np.testing.assert_array_equal(b.grad, [1.0, 3.0])
    b = _leaf(1.0, 2.0)
    c = ag.Tensor([3.0, 4.0])
    y = c * b
    c[0] = 5.0
    c[1] = b[1] * 2.0
    with pytest.raises(RuntimeError, match="input 0 of mul"):
        (y.sum() + c.sum()).backward()


def test_writes_read_back_from_the_same_tensor() -> None:
    a = _leaf(1.0, 2.0, 3.0)
    h = a * 1.0
    h[0:1] = h[2:3] * 10.0  # reads h, then overwrites it
    h[1:2] = h[0:1] + h[1:2]  # reads the result of the first write
    np.testing.assert_array_equal(h.data, [30.0, 32.0, 3.0])
    h.sum().backward()
    # h = [10 a2, 10 a2 + a1, a2]
    np.testing.assert_array_equal(a.grad, [0.0, 1.0, 21.0])


def test_untracked_write_to_a_non_leaf_keeps_edges_that_read_no_values() -> None:
    """A write under no_grad makes no node: sum's edge to h is still h's graph, and
    neither sum nor h's own op reads the changed values (as in PyTorch)."""
    a = _leaf(1.0, 2.0)
    h = a * 3.0
    s = h.sum()
    with ag.no_grad():
        h[0] = 5.0
    s.backward()
    np.testing.assert_array_equal(a.grad, [3.0, 3.0])
    e = _leaf(1.0, 2.0).exp()
    t = e.sum()
    with ag.no_grad():
        e[0] = 5.0
    with pytest.raises(RuntimeError, match="the output of exp"):
        t.backward()


def test_a_write_under_no_grad_after_a_recorded_one_keeps_the_gradient() -> None:
    x = _leaf(1.0, 2.0, 3.0)
    c = ag.Tensor([0.0, 0.0, 0.0])
    c[0] = x[0] * 3.0  # recorded: c depends on x
    y = c.sum()
    with ag.no_grad():
        c[1] = 5.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 0.0])


def test_writing_into_a_view_never_changes_the_base_or_its_gradient() -> None:
    base = ag.Tensor(np.arange(6.0).reshape(2, 3))
    w = ag.Tensor(np.ones((2, 3)), requires_grad=True)
    y = (base * w).sum()
    for view in (base.reshape(6), base.T, base.detach(), base.transpose(1, 0)):
        view[0] = -100.0
    np.testing.assert_array_equal(base.data, np.arange(6.0).reshape(2, 3))
    y.backward()
    np.testing.assert_array_equal(w.grad, np.arange(6.0).reshape(2, 3))


def test_writing_into_a_base_never_changes_its_views() -> None:
    base = ag.Tensor(np.arange(4.0))
    view = base.reshape(2, 2)
    w = ag.Tensor(np.ones((2, 2)), requires_grad=True)
    y = (view * w).sum()
    base[:] = 0.0
    np.testing.assert_array_equal(view.data, [[0.0, 1.0], [2.0, 3.0]])
    y.backward()
    np.testing.assert_array_equal(w.grad, [[0.0, 1.0], [2.0, 3.0]])


def test_saved_numpy_array_of_a_leaf_is_not_changed_by_setitem() -> None:
    arr = np.arange(3.0)
    t = ag.Tensor._wrap(arr)
    t[0] = 9.0
    np.testing.assert_array_equal(arr, [0.0, 1.0, 2.0])


def test_setitem_on_a_leaf_that_requires_grad_raises() -> None:
    w = _leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match="leaf"):
        w[0] = 3.0
    assert w._version == 0


def test_bad_setitem_leaves_the_tensor_unchanged() -> None:
    x = ag.Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        x[0] = np.ones(4)
    assert x._version == 0
    np.testing.assert_array_equal(x.data, np.zeros((2, 3)))


def test_version_check_also_guards_create_graph() -> None:
    w = _leaf(1.0, 2.0)
    x = ag.Tensor([3.0, 4.0])
    y = (w * x).sum()
    x[1] = 0.0
    with pytest.raises(RuntimeError, match="in-place"):
        ag.grad(y, w, create_graph=True)


def test_direct_data_writes_bypass_the_check_as_documented() -> None:
    w = _leaf(1.0, 2.0)
    x = ag.Tensor([3.0, 4.0])
    y = (w * x).sum()
    x.data[0] = 10.0  # not tracked: documented in Tensor's docstring and the README
    y.backward()
    np.testing.assert_array_equal(w.grad, [10.0, 4.0])
    assert "x.data" in (ag.Tensor.__doc__ or "") and "bypasses" in (ag.Tensor.__doc__ or "")


@pytest.mark.parametrize(
    "make", [lambda ps: ag.optim.SGD(ps, lr=0.5), lambda ps: ag.optim.Adam(ps)]
)
def test_optimizer_step_never_changes_a_view_a_retained_graph_reads(make: Any) -> None:
    w = ag.nn.Parameter(np.arange(6.0).reshape(2, 3))
    x = ag.Tensor(np.ones((4, 3)), requires_grad=True)
    loss = (x @ w.T).tanh().sum()  # matmul reads w.T, a view of w's data
    loss.backward(retain_graph=True)
    first = x.grad.copy()
    make([w]).step()
    x.grad = None
    loss.backward()
    np.testing.assert_array_equal(x.grad, first)


def test_optimizer_step_then_backward_reading_the_parameter_raises() -> None:
    w = ag.nn.Parameter(np.ones(3))
    x = ag.Tensor(np.ones(3), requires_grad=True)
    loss = (x * w).sum()
    loss.backward(retain_graph=True)
    ag.optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match=r"version 1.*version 0"):
        loss.backward()


def test_indexed_augmented_assignment_goes_through_setitem() -> None:
    a = _leaf(1.0, 2.0, 3.0)
    v = _leaf(10.0)
    h = a * 1.0
    h[1:2] += v * 2.0  # getitem, add, then setitem on h
    assert h._version == 1
    np.testing.assert_array_equal(h.data, [1.0, 22.0, 3.0])
    (h * h).sum().backward()
    np.testing.assert_allclose(a.grad, [2.0, 44.0, 6.0])
    np.testing.assert_allclose(v.grad, [88.0])


def test_setitem_on_a_read_only_broadcast_view_writes_a_copy() -> None:
    base = ag.Tensor(np.arange(3.0))
    b = ag.broadcast_to(base, (2, 3))
    b[0, 0] = 7.0
    np.testing.assert_array_equal(b.data, [[7.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(base.data, [0.0, 1.0, 2.0])


_WRITE = st.tuples(
    st.integers(0, 4),  # destination start
    st.integers(0, 4),  # source start
    st.integers(1, 2),  # length
    st.sampled_from(["copy", "scale", "add_leaf", "iadd"]),
)


@given(a=hnp.arrays(np.float64, 6, elements=st.floats(-2, 2)), writes=st.lists(_WRITE, max_size=5))
def test_random_recorded_writes_match_numerical_gradients(
    a: np.ndarray[Any, Any], writes: list[tuple[int, int, int, str]]
) -> None:
    """Writes that read the tensor they write (h[i:j] = f(h[k:l]), h[i:j] += ...) and
    graphs built between writes: gradients agree with finite differences."""

    def fn(x: ag.Tensor) -> ag.Tensor:
        h = x * 1.0
        early = (h * h).sum()  # uses h before any write
        for dst, src, n, kind in writes:
            d, s = slice(dst, dst + n), slice(src, src + n)
            if kind == "copy":
                h[d] = h[s]
            elif kind == "scale":
                h[d] = h[s] * 3.0
            elif kind == "add_leaf":
                h[d] = x[s] + h[d]
            else:
                h[d] += h[s].tanh()
        return (h * h.sigmoid()).sum() + early

    assert gradcheck(fn, [ag.Tensor(a, requires_grad=True)])


def test_grad_refuses_a_stale_edge_as_backward_does() -> None:
    """An edge a write could not point back closes a cycle in the graph; grad()'s walk
    of the nodes that lead to its inputs must still reach it, and refuse it."""

    def build() -> tuple[ag.Tensor, ag.Tensor]:
        leaf = _leaf(1.0, 2.0, 3.0)
        h = leaf * 1.0
        p = h * ag.Tensor([10.0, 20.0, 30.0])
        with ag.no_grad():
            h[0] = 0.5
        h[2] = p[0]  # recorded
        return leaf, p.sum() + h.sum()

    leaf, out = build()
    with pytest.raises(RuntimeError, match="input 0 of mul"):
        ag.grad(out, leaf)
    leaf, out = build()
    with pytest.raises(RuntimeError, match="input 0 of mul"):
        out.backward()

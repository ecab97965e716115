"""Scalar: every op against central differences, Scalar ≡ Tensor on random expressions,
and the graph semantics Tensor has (accumulation, release, no_grad, no cycles)."""

from __future__ import annotations

import gc
import math
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import engine
from autograd_lite.scalar import Scalar
from autograd_lite.scalar_ops import Dot, PowScalar, SumN


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def central(f: Callable[[float], float], x: float) -> float:
    h = 1e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


def assert_derivative(f: Callable[[Any], Any], x: float) -> None:
    """d f(x)/dx from backward against central differences on floats."""
    s = Scalar(x)
    y = f(s)
    y.backward()
    expected = central(lambda v: f(Scalar(v, requires_grad=False)).data, x)
    assert isinstance(s.grad, float)
    assert s.grad == pytest.approx(expected, rel=1e-5, abs=1e-7)


# op name -> (function of one Scalar, the domain its derivative is drawn from)
UNARY: dict[str, tuple[Callable[[Any], Any], st.SearchStrategy[float]]] = {
    "neg": (lambda x: -x, floats(-10, 10)),
    "relu": (lambda x: x.relu(), floats(-10, 10).filter(lambda v: abs(v) > 1e-3)),
    "sigmoid": (lambda x: x.sigmoid(), floats(-30, 30)),
    "tanh": (lambda x: x.tanh(), floats(-10, 10)),
    "exp": (lambda x: x.exp(), floats(-10, 10)),
    "log": (lambda x: x.log(), floats(1e-2, 100)),
    "pow 2": (lambda x: x**2, floats(-10, 10)),
    "pow int 3": (lambda x: x**3, floats(-5, 5)),
    "pow -1.5": (lambda x: x**-1.5, floats(0.1, 10)),
    "pow 0.5": (lambda x: x**0.5, floats(0.01, 10)),
    "number + x": (lambda x: 2 + x, floats(-10, 10)),
    "x + number": (lambda x: x + 2.5, floats(-10, 10)),
    "number - x": (lambda x: 3 - x, floats(-10, 10)),
    "x - number": (lambda x: x - 1.5, floats(-10, 10)),
    "number * x": (lambda x: -2 * x, floats(-10, 10)),
    "x * number": (lambda x: x * 0.25, floats(-10, 10)),
    "number / x": (lambda x: 3 / x, floats(0.1, 10)),
    "x / number": (lambda x: x / 7, floats(-10, 10)),
    "number ** x": (lambda x: 2.0**x, floats(-5, 5)),
}

BINARY: dict[str, tuple[Callable[[Any, Any], Any], st.SearchStrategy[float]]] = {
    "add": (lambda x, y: x + y, floats(-10, 10)),
    "sub": (lambda x, y: x - y, floats(-10, 10)),
    "mul": (lambda x, y: x * y, floats(-10, 10)),
    "div": (lambda x, y: x / y, floats(0.1, 10) | floats(-10, -0.1)),
    "pow scalar": (lambda x, y: x**y, floats(0.1, 4)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_op_matches_central_differences(name: str, data: st.DataObject) -> None:
    f, domain = UNARY[name]
    assert_derivative(f, data.draw(domain))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_op_matches_central_differences(name: str, data: st.DataObject) -> None:
    f, domain = BINARY[name]
    x, y = data.draw(domain), data.draw(domain)
    assert_derivative(lambda s: f(s, Scalar(y, requires_grad=False)), x)
    assert_derivative(lambda s: f(Scalar(x, requires_grad=False), s), y)


@given(st.lists(floats(-5, 5), min_size=1, max_size=8), st.data())
def test_sum_and_dot_match_central_differences(vs: list[float], data: st.DataObject) -> None:
    ws = data.draw(st.lists(floats(-5, 5), min_size=len(vs), max_size=len(vs)))
    b = data.draw(floats(-5, 5))
    i = data.draw(st.integers(0, len(vs) - 1))

    def dot_in_w(v: Any) -> Any:
        w = [*ws[:i], v, *ws[i + 1 :]]
        return Scalar.dot(w, [Scalar(x, requires_grad=False) for x in vs], b) * 1.5

    def dot_in_x(v: Any) -> Any:
        return Scalar.dot([Scalar(w, requires_grad=False) for w in ws], [*vs[:i], v, *vs[i + 1 :]])

    def total(v: Any) -> Any:
        return Scalar.sum([*vs[:i], v, *vs[i + 1 :]]).tanh()

    for f in (dot_in_w, dot_in_x, total):
        assert_derivative(f, data.draw(floats(-5, 5)))


def test_dot_gradient_of_bias_and_values() -> None:
    w = [Scalar(2.0), Scalar(-1.0)]
    x = [Scalar(3.0), Scalar(5.0)]
    b = Scalar(0.5)
    z = Scalar.dot(w, x, b)
    assert z.data == 2.0 * 3.0 - 5.0 + 0.5
    z.backward()
    assert [v.grad for v in w] == [3.0, 5.0]
    assert [v.grad for v in x] == [2.0, -1.0]
    assert b.grad == 1.0
    with pytest.raises(ValueError, match="2 weights but 1 inputs"):
        Scalar.dot(w, [1.0])


def test_scalar_only_ops_cite_their_derivation_and_formula() -> None:
    for op in (Dot, SumN, PowScalar):
        assert op.formula and op.__doc__
    assert Dot.__doc__ is not None and "derivation 000" in Dot.__doc__


# ------------------------------------------------------------ Scalar ≡ Tensor

UNARY_COMMON = ["neg", "relu", "sigmoid", "tanh", "exp", "log", "square", "cube"]
BINARY_COMMON = ["add", "sub", "mul", "div", "radd", "rmul", "rsub"]


def _apply(op: str, a: Any, b: Any, c: float) -> Any:
    if op == "neg":
        return -a
    if op == "square":
        return a**2
    if op == "cube":
        return a**3
    if op in ("relu", "sigmoid", "tanh", "exp", "log"):
        return getattr(a, op)()
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / b
    if op == "radd":
        return c + a
    if op == "rsub":
        return c - a
    return c * a  # rmul


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[tuple[str, int, int, float]]]:
    """Leaves, then instructions each combining earlier values (any earlier value, so
    subexpressions are shared), keeping every value's depth at most 6."""
    leaves = draw(st.lists(floats(-2, 2), min_size=1, max_size=3))
    depth = [0] * len(leaves)
    prog: list[tuple[str, int, int, float]] = []
    for _ in range(draw(st.integers(1, 14))):
        n = len(depth)
        op = draw(st.sampled_from(UNARY_COMMON + BINARY_COMMON))
        i = draw(st.integers(0, n - 1))
        j = draw(st.integers(0, n - 1))
        d = 1 + max(depth[i], depth[j] if op in ("add", "sub", "mul", "div") else 0)
        if d > 6:
            continue
        prog.append((op, i, j, draw(floats(-2, 2))))
        depth.append(d)
    return leaves, prog


def _evaluate(values: list[Any], prog: list[tuple[str, int, int, float]]) -> list[Any]:
    for op, i, j, c in prog:
        values.append(_apply(op, values[i], values[j], c))
    return values


@given(programs(), st.data())
def test_scalar_and_tensor_agree_on_random_expressions(
    program: tuple[list[float], list[tuple[str, int, int, float]]], data: st.DataObject
) -> None:
    leaves, prog = program
    s_leaves = [Scalar(v) for v in leaves]
    try:
        s_vals = _evaluate(list(s_leaves), prog)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
        return
    assume(all(abs(v.data) < 1e8 for v in s_vals))
    # The loss is a random combination of the values, so that every one is an output.
    weights = [data.draw(floats(-1, 1)) for _ in s_vals]
    s_loss = Scalar.sum([w * v for w, v in zip(weights, s_vals)])
    s_loss.backward()
    assume(all(math.isfinite(v.grad) for v in s_leaves if v.grad is not None))

    t_leaves = [ag.Tensor(np.float64(v), requires_grad=True) for v in leaves]
    t_vals = _evaluate(list(t_leaves), prog)
    t_loss = sum((w * v for w, v in zip(weights, t_vals)), ag.Tensor(0.0))
    t_loss.backward()

    for s, t in zip(s_vals, t_vals):
        assert t.data.shape == () and t.dtype == np.float64
        np.testing.assert_allclose(s.data, t.data, rtol=1e-12, atol=1e-300)
    for s, t in zip(s_leaves, t_leaves):
        if s.grad is None:  # a leaf no instruction used
            assert t.grad is None
        else:
            np.testing.assert_allclose(s.grad, t.grad, rtol=1e-12, atol=1e-300)


# ------------------------------------------------------------ the graph semantics


def test_values_and_grads_are_floats() -> None:
    x = Scalar(3)
    assert type(x.data) is float and x.grad is None and x.requires_grad
    y = (x * 2).relu() + x**2
    y.backward()
    assert type(x.grad) is float and x.grad == 2.0 + 6.0
    assert not Scalar(1.0, requires_grad=False).requires_grad


def test_x_times_x() -> None:
    x = Scalar(-3.0)
    (x * x).backward()
    assert x.grad == -6.0


def test_diamond() -> None:
    """h feeds two branches that meet again: its gradient is the sum of both."""
    x = Scalar(0.5)
    h = x.exp()
    y = h * 2.0 + h.sigmoid()
    y.backward()
    e = math.exp(0.5)
    sig = 1 / (1 + math.exp(-e))
    assert x.grad == pytest.approx(e * (2.0 + sig * (1 - sig)), rel=1e-15)


def test_reused_leaf_in_many_places() -> None:
    x = Scalar(2.0)
    y = Scalar(-1.5)
    z = x * y + x / y - (x - y) * x + x**2
    z.backward()
    assert x.grad == pytest.approx(y.data + 1 / y.data - (2 * x.data - y.data) + 2 * x.data)
    assert y.grad == pytest.approx(x.data - x.data / y.data**2 + x.data)


def test_gradients_accumulate_into_leaves_and_intermediates_hold_none() -> None:
    x = Scalar(1.5)
    h = x * 3.0
    (h * h).backward()
    assert x.grad == 2 * 4.5 * 3.0
    assert h.grad is None and h.grad_fn == "mul" and not h.is_leaf
    (x * 2.0).backward()
    assert x.grad == 27.0 + 2.0


def test_retain_grad_keeps_an_intermediate_gradient() -> None:
    x = Scalar(2.0)
    h = x.tanh()
    h.retain_grad()
    (h * 4.0).backward()
    assert h.grad == 4.0


def test_backward_twice_raises_the_tensor_error() -> None:
    x = Scalar(2.0)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError) as scalar_error:
        y.backward()
    t = ag.Tensor(2.0, requires_grad=True)
    u = t * t
    u.backward()
    with pytest.raises(RuntimeError) as tensor_error:
        u.backward()
    assert str(scalar_error.value) == str(tensor_error.value)
    assert "retain_graph=True" in str(scalar_error.value)


def test_retain_graph_lets_backward_run_again_and_accumulate() -> None:
    x = Scalar(2.0)
    y = (x * x).sigmoid()
    y.backward(retain_graph=True)
    first = x.grad
    y.backward()
    assert x.grad == 2 * first


def test_no_grad_records_nothing() -> None:
    x = Scalar(2.0)
    with ag.no_grad():
        y = x * 3.0 + x.exp()
    assert not y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    assert (x * 3.0).requires_grad


def test_constants_record_nothing() -> None:
    c = Scalar(2.0, requires_grad=False)
    y = c * 3.0 + 1.0
    assert not y.requires_grad and y.is_leaf
    x = Scalar(1.0)
    (x * c).backward()
    assert x.grad == 2.0 and c.grad is None


def test_a_chain_of_100000_ops() -> None:
    x = Scalar(1.0)
    y = x
    for _ in range(50_000):
        y = y * 1.00001
        y = y + 0.5
    y.backward()
    assert x.grad == pytest.approx(1.00001**50_000, rel=1e-9)


def test_graphs_are_freed_by_reference_counting_alone() -> None:
    gc.disable()
    try:
        for run_backward in (False, True):
            x = Scalar(0.3)
            w = Scalar.dot([x, x], [Scalar(2.0), 3.0], x)
            h = (x * w).tanh() ** 2 + Scalar.sum([w, x.sigmoid(), 2.0**x]) / x
            y = h.log() - x.relu().exp() + x**w
            refs = [weakref.ref(v) for v in (w, h, y)]
            if run_backward:
                y.backward()
                assert x.grad is not None and math.isfinite(x.grad)
            del w, h, y
            assert all(r() is None for r in refs)
            del x
    finally:
        gc.enable()


def test_second_derivatives_through_create_graph() -> None:
    x = Scalar(0.7)
    y = x**3 + x.sigmoid() * x.exp() - x.log() / x
    y.backward(create_graph=True)
    dx = x.grad
    assert isinstance(dx, Scalar)
    x.grad = None
    dx.backward()
    assert x.grad == pytest.approx(central(lambda v: _first_derivative(v), 0.7), rel=1e-6)


@given(floats(0.2, 3))
def test_second_derivatives_of_the_scalar_only_ops(v: float) -> None:
    def f(x: Scalar) -> Scalar:
        return Scalar.dot([x, x**2], [x.tanh(), 3.0], Scalar.sum([x, x**x, 1.0])) * x

    def first(u: float) -> float:
        x = Scalar(u)
        f(x).backward()
        assert isinstance(x.grad, float)
        return x.grad

    x = Scalar(v)
    f(x).backward(create_graph=True)
    dx = x.grad
    assert isinstance(dx, Scalar) and dx.data == pytest.approx(first(v), rel=1e-12)
    x.grad = None
    dx.backward()
    assert x.grad == pytest.approx(central(first, v), rel=1e-5)


@pytest.mark.parametrize("v", [-1.5, 0.8])
def test_second_derivatives_through_relu(v: float) -> None:
    # relu(x)·x² is x³ or 0: second derivative 6x or 0.
    x = Scalar(v)
    (x.relu() * x * x).backward(create_graph=True)
    dx = x.grad
    assert isinstance(dx, Scalar) and dx.data == pytest.approx(3 * v * v if v > 0 else 0.0)
    x.grad = None
    dx.backward()
    assert x.grad == pytest.approx(6 * v if v > 0 else 0.0)


def test_relu_of_nan_is_nan_as_for_a_tensor() -> None:
    assert math.isnan(Scalar(math.nan).relu().data)
    assert Scalar(-0.0).relu().data == 0.0 and Scalar(-3.0).relu().data == 0.0


@pytest.mark.parametrize(
    ("terms", "want"),
    [
        ([1e308, 1e308, -1e308], 1e308),  # fsum's partial sums overflow; the sum does not
        ([1e308, 1e308], math.inf),
        ([-1e308, -1e308, 1.0], -math.inf),
        ([math.inf, -math.inf], math.nan),
        ([math.inf, 1.0], math.inf),
        ([math.nan, 1.0], math.nan),
    ],
)
def test_sum_of_extreme_terms(terms: list[float], want: float) -> None:
    got = Scalar.sum(terms).data
    assert got == want or (math.isnan(want) and math.isnan(got))


def _first_derivative(v: float) -> float:
    x = Scalar(v)
    (x**3 + x.sigmoid() * x.exp() - x.log() / x).backward()
    assert x.grad is not None
    return float(x.grad)


def test_the_engine_is_shared_with_tensor() -> None:
    """engine.grad and the observer hook serve Scalars as they serve Tensors."""
    x, y = Scalar(2.0), Scalar(5.0)
    z = x * y + x
    seen: list[str | None] = []
    engine.backward(z, 1.0, retain_graph=True, observer=lambda n, g, pg: seen.append(n.grad_fn))
    assert seen[0] == "add" and seen.count(None) == 2
    gx, gy = engine.grad([z], [x, y], [1.0])
    assert (gx, gy) == (6.0, 2.0)


def test_comparisons_return_bools() -> None:
    a, b = Scalar(1.0), Scalar(2.0)
    results = [a < b, a <= 1, a > 0.5, b >= 3, a == 1, a == Scalar(1.0), a != b]
    assert all(type(r) is bool for r in results)
    assert results == [True, True, True, False, True, True, True]
    assert (a == "one") is False
    assert len({a, Scalar(1.0)}) == 2  # hashing is by identity


def test_numbers_of_other_types_work_on_either_side() -> None:
    x = Scalar(2.0)
    for c in (3, 3.0, True, np.float64(3.0), np.int64(3), np.float32(3.0)):
        assert (c * x).data == float(c) * 2.0
        assert (x - c).data == 2.0 - float(c)
        assert isinstance(c + x, Scalar)


@pytest.mark.parametrize("bad", ["1", None, 1j, [1.0], np.zeros(2)])
def test_a_non_number_operand_raises_type_error_naming_its_type(bad: Any) -> None:
    x = Scalar(1.0)
    name = type(bad).__name__
    for f in (
        lambda: x + bad,
        lambda: x * bad,
        lambda: x / bad,
        lambda: x**bad,
        lambda: x < bad,
        lambda: Scalar(bad),
        lambda: Scalar.sum([x, bad]),
    ):
        with pytest.raises(TypeError, match=name):
            f()
    with pytest.raises(TypeError, match="object"):
        object() * x  # type: ignore[operator]


def test_domain_errors_name_the_op() -> None:
    with pytest.raises(ValueError, match="log"):
        Scalar(0.0).log()
    with pytest.raises(ZeroDivisionError, match="/"):
        Scalar(1.0) / 0
    with pytest.raises(ValueError, match="not real"):
        Scalar(-2.0) ** 0.5
    with pytest.raises(ValueError, match="positive base"):
        Scalar(-2.0) ** Scalar(2.0)
    with pytest.raises(OverflowError, match="exp"):
        Scalar(1000.0).exp()


def test_sigmoid_is_stable_at_the_extremes() -> None:
    assert Scalar(1000.0).sigmoid().data == 1.0
    assert Scalar(-1000.0).sigmoid().data == 0.0
    x = Scalar(-800.0)
    x.sigmoid().backward()
    assert x.grad == 0.0


def test_repr_and_conversions() -> None:
    x = Scalar(2.0)
    assert repr(x) == "Scalar(2.0, grad=None)"
    assert repr(x * x) == "Scalar(4.0, grad_fn=<mul>)"
    assert repr(Scalar(1, requires_grad=False)) == "Scalar(1.0, requires_grad=False)"
    assert float(x) == 2.0 and x.item() == 2.0 and bool(x) and not Scalar(0.0)
    d = (x * x).detach()
    assert d.is_leaf and not d.requires_grad and d.data == 4.0


def test_each_op_records_the_tensor_op_whose_vjp_it_shares() -> None:
    from autograd_lite.ops import arithmetic as A
    from autograd_lite.ops import elementwise as E

    x, y = Scalar(0.5), Scalar(2.0)
    cases = {
        A.Add: [x + y, x + 1, 1 + x],
        A.Sub: [x - y, x - 1, 1 - x],
        A.Mul: [x * y, x * 2, 2 * x],
        A.Div: [x / y, x / 2, 2 / x],
        A.Pow: [x**2.5],
        A.Neg: [-x],
        E.ReLU: [x.relu()],
        E.Sigmoid: [x.sigmoid()],
        E.Tanh: [x.tanh()],
        E.Exp: [x.exp()],
        E.Log: [x.log()],
        PowScalar: [x**y, 2**x],
        SumN: [Scalar.sum([x, y])],
        Dot: [Scalar.dot([x], [y])],
    }
    for op, results in cases.items():
        assert all(r._op is op for r in results), op.name


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Scalar(10.0) ** 400, OverflowError, r"Scalar \*\*: 10.0 \*\* 400"),
        (lambda: Scalar(10**400), OverflowError, "Scalar constructor: an int of 401 digits"),
        (lambda: (Scalar(0.0) ** 0.5).backward(), ZeroDivisionError, "backward of pow"),
        (lambda: (Scalar(1e-200) ** -1.0).backward(), OverflowError, "backward of pow"),
    ],
)
def test_float_errors_name_the_op(make: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_sum_with_an_infinite_term_and_overflowing_partial_sums() -> None:
    """fsum gives up when partial sums overflow, even beside an inf or NaN term."""
    inf = math.inf
    assert Scalar.sum([inf, 1e308, 1e308]).data == inf
    assert Scalar.sum([1e308, 1e308, -inf]).data == -inf
    assert math.isnan(Scalar.sum([math.nan, 1e308, 1e308]).data)
    assert math.isnan(Scalar.sum([inf, -inf, 1e308, 1e308]).data)


def test_backward_takes_the_seed_first_as_tensor_backward_does() -> None:
    s = Scalar(2.0)
    (s * s).backward(2.0)
    assert s.grad == 8.0
    t = Scalar(2.0)
    (t * t).backward(Scalar(3.0), create_graph=True)
    assert isinstance(t.grad, Scalar) and t.grad.data == 12.0
    for bad in (True, "1", [1.0]):
        with pytest.raises(TypeError, match="grad must be a number or a Scalar"):
            (t * t).backward(bad)
    with pytest.raises(TypeError, match="requires_grad must be a bool, got 'no'"):
        Scalar(1.0, requires_grad="no")  # type: ignore[arg-type]


def test_nan_flows_through_log_and_pow_as_through_exp() -> None:
    """Only a value outside the domain raises; NaN gives NaN (as math.log and Tensor.log)."""
    x = Scalar(math.nan)
    y = x.log()
    assert math.isnan(y.data)
    y.backward()
    assert math.isnan(x.grad)

    base, exponent = Scalar(math.nan), Scalar(2.0)
    z = base**exponent
    assert math.isnan(z.data)
    z.backward()
    assert math.isnan(base.grad) and math.isnan(exponent.grad)

    with pytest.raises(ValueError, match="needs x > 0, got -inf"):
        Scalar(-math.inf).log()
    with pytest.raises(ValueError, match=r"needs a positive base, got 0\.0"):
        Scalar(0.0) ** Scalar(2.0)


def test_nan_through_log_and_pow_under_create_graph() -> None:
    base, exponent = Scalar(math.nan), Scalar(2.0)
    (base**exponent).backward(create_graph=True)
    assert isinstance(exponent.grad, Scalar) and math.isnan(exponent.grad.data)


def test_equality_with_numpy_numbers_is_a_bool() -> None:
    x = Scalar(2.0)
    for c in (np.float64(2.0), np.float32(2.0), np.int64(2)):
        assert (x == c) is True and (x != c) is False
        assert (c == x) is True and (c != x) is False
    assert (x == np.float64(3.0)) is False and (x != np.float64(3.0)) is True
    # Exact, as float == int is: 2**53 + 1 is not the float 2**53.
    assert (Scalar(2.0**53) == 2**53 + 1) is False
    assert (Scalar(1e308) == 10**400) is False


def test_a_tensor_operand_is_refused_naming_both_types() -> None:
    x, t = Scalar(2.0), ag.Tensor([1.0])
    for f in (lambda: x + t, lambda: x * t, lambda: x < t, lambda: x == t):
        with pytest.raises(TypeError, match="a Scalar and a Tensor do not mix"):
            f()

"""The backward pass: seeds, iteration depth, graph release, VJP counts, grad mode."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import Tensor


@pytest.fixture
def no_gc() -> Iterator[None]:
    """Reference counting alone must free graphs: the cycle collector is off."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# ------------------------------------------------------------------------ seeds
def test_backward_grad_shape_mismatch_names_both_shapes() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        y.backward(np.ones((3, 2)))
    assert x.grad is None


def test_non_scalar_backward_without_grad_raises() -> None:
    y = Tensor(np.ones(3), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        y.backward()


def test_backward_with_explicit_grad() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 3).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad, [3.0, 30.0])


@pytest.mark.parametrize("seed", [np.array([1.0, 1j]), ["a", "b"], np.array([None, 1.0])])
def test_a_seed_that_is_not_real_numbers_is_refused(seed: Any) -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(TypeError, match="backward\\(\\): grad must hold real numbers, got dtype"):
        (x * 3).backward(seed)
    assert x.grad is None


def test_a_seed_is_cast_to_the_outputs_dtype() -> None:
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    (x * 3).backward([1, 2])
    assert x.grad is not None and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])


def test_a_backward_that_raises_writes_no_grad() -> None:
    """Leaves and retain_grad() intermediates get their .grad only once the whole pass
    went through; a retry is told the graph was partly freed."""

    class Fails(ag.Function):
        @staticmethod
        def forward(x: Any) -> tuple[Any, Any]:
            return x * 1.0, None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: Any) -> tuple[Any, ...]:
            raise ArithmeticError("no gradient here")

    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    f = Fails.apply(b)  # made first, so that its VJP runs last
    m = a * 2.0
    m.retain_grad()
    y = m.sum() + f.sum()
    with pytest.raises(ArithmeticError, match="no gradient here"):
        y.backward()
    assert a.grad is None and b.grad is None and m.grad is None
    with pytest.raises(RuntimeError, match="a backward\\(\\) that raised part-way"):
        y.backward()


def test_one_element_non_0d_output_needs_no_grad() -> None:
    x = Tensor(np.array([[2.0]]), requires_grad=True)
    (x * x).backward()
    np.testing.assert_allclose(x.grad, [[4.0]])


def test_the_implicit_seed_never_reaches_a_grad_uncopied() -> None:
    # backward() seeds with a shared read-only array of ones; whatever receives it as is
    # (a leaf root, a retained root, the inputs of an addition) gets its own writable copy.
    x = Tensor(3.0, requires_grad=True)
    x.backward()
    x.grad += 1.0
    y = Tensor([2.0], requires_grad=True)
    z = y + 0.0
    z.retain_grad()
    z.backward()
    z.grad *= 5.0
    y.grad += 1.0
    (y + 0.0).backward()
    np.testing.assert_array_equal(y.grad, [3.0])
    np.testing.assert_array_equal(z.grad, [5.0])
    w = Tensor(4.0, requires_grad=True)
    w.backward(create_graph=True)
    assert isinstance(w.grad, Tensor) and w.grad.data.flags.writeable
    assert float(Tensor(5.0, requires_grad=True).sum().detach()) == 5.0
    x2 = Tensor(1.0, requires_grad=True)
    x2.backward()
    np.testing.assert_array_equal(x2.grad, 1.0)


def test_backward_on_a_value_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="requires_grad"):
        (Tensor(1.0) * 2).backward()


# -------------------------------------------------------------------- iteration
def test_chain_of_100000_ops() -> None:
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    start = time.perf_counter()
    y = x
    for i in range(100_000):
        y = y + 1.0 if i % 2 else y * 1.0
    y.sum().backward()
    print(f"\n100,000-op chain: forward + backward in {time.perf_counter() - start:.2f} s")
    np.testing.assert_allclose(x.grad, [1.0, 1.0])
    np.testing.assert_allclose(y.data, x.data + 50_000)


def test_dropping_a_deep_unused_graph_is_safe() -> None:
    y = Tensor(np.ones(2), requires_grad=True)
    for _ in range(100_000):
        y = y * 1.0
    del y


# ---------------------------------------------------------------- graph release
def test_graph_freed_after_backward(no_gc: None) -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    h = (x * 2.0).exp()
    ref = weakref.ref(h)
    z = h.sum()
    del h
    assert ref() is not None
    z.backward()
    assert ref() is None
    assert z._parents is None


def test_graph_freed_after_dropping_output(no_gc: None) -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    h = (x @ w).relu()
    out = h.softmax(axis=-1)[0].max()
    refs = [weakref.ref(h), weakref.ref(out)]
    del h, out
    assert all(r() is None for r in refs)


def test_retained_graph_freed_after_dropping_output(no_gc: None) -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    h = x.sigmoid()
    ref = weakref.ref(h)
    z = (h * h).sum()
    del h
    z.backward(retain_graph=True)
    assert ref() is not None
    del z
    assert ref() is None


# ----------------------------------------------------------------- VJP counting
class CountedSquare(ag.Function):
    """y = x²  (test op; no derivation file applies).

    dL/dx = 2 x g.
    """

    formula = "dx = 2 x g"
    calls: ClassVar[int] = 0

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return x * x, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        CountedSquare.calls += 1
        return (2 * xs[0] * g,)


def test_each_vjp_runs_once_on_the_summed_gradient() -> None:
    CountedSquare.calls = 0
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = CountedSquare.apply(x)
    # h feeds four consumers; its VJP must still run once.
    y = (h * 2.0 + h.exp() + h.sum() + h[0]).sum()
    y.backward()
    assert CountedSquare.calls == 1
    e = np.exp(x.data**2)
    expected = 2 * x.data * (2.0 + e + 2.0 + np.array([2.0, 0.0]))
    np.testing.assert_allclose(x.grad, expected)


def test_order_holds_for_graphs_built_across_threads_and_long_after_their_inputs() -> None:
    # The reverse pass orders nodes by creation number: consumers made in another thread,
    # or after unrelated graphs, must still all run before the node they consume.
    CountedSquare.calls = 0
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    h = CountedSquare.apply(x)
    parts: list[Tensor] = []
    worker = threading.Thread(target=lambda: parts.append((h * 3.0).sum()))
    worker.start()
    worker.join()
    for _ in range(10):
        (Tensor(np.ones(2), requires_grad=True) * 2.0).sum()
    y = parts[0] + h.sum() + (parts[0] * h.sum())
    y.backward()
    assert CountedSquare.calls == 1
    s = 3.0 * np.sum(x.data**2)
    expected = 2 * x.data * (3.0 + 1.0 + 3.0 * np.sum(x.data**2) + s)
    np.testing.assert_allclose(x.grad, expected)


def test_backward_into_a_freed_graph_changes_no_leaf() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    w = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    h = x.exp()
    h.sum().backward()  # frees h's node
    before = x.grad.copy()
    y = (h * w).sum()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    np.testing.assert_array_equal(x.grad, before)
    assert w.grad is None


def test_leaves_accumulate_across_backward_calls() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 3.0 + 2 * x.data)
    x.zero_grad()
    assert x.grad is None


# ---------------------------------------------------------------- retain_graph
def test_second_backward_without_retain_graph_raises() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    z = (x.exp() * x).sum()
    z.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        z.backward()


def test_retain_graph_accumulates() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    z = (x.exp() * x).sum()
    z.backward(retain_graph=True)
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad, 3 * np.exp(x.data) * (1 + x.data))


# -------------------------------------------------------------------- grad mode
def test_no_grad_context_manager() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = (x * 2).exp().sum()
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf


def test_no_grad_decorator() -> None:
    @ag.no_grad()
    def double(t: Tensor) -> Tensor:
        return t * 2

    x = Tensor(np.ones(2), requires_grad=True)
    assert not double(x).requires_grad
    assert (x * 2).requires_grad


def test_no_grad_restored_after_exception() -> None:
    with pytest.raises(KeyError), ag.no_grad():
        raise KeyError("x")
    assert ag.is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    with ag.no_grad(), ag.enable_grad():
        assert (x * 2).requires_grad


def test_no_grad_is_thread_local() -> None:
    x = Tensor(np.ones(2), requires_grad=True)
    seen: dict[str, bool] = {}
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        entered.wait()
        seen["other"] = (x * 2).requires_grad
        release.set()

    thread = threading.Thread(target=other)
    thread.start()
    with ag.no_grad():
        entered.set()
        release.wait()
        seen["main"] = (x * 2).requires_grad
    thread.join()
    assert seen == {"other": True, "main": False}


def test_no_grad_in_one_asyncio_task_leaves_the_others_recording() -> None:
    import asyncio

    x = Tensor(np.ones(2), requires_grad=True)

    async def quiet() -> bool:
        with ag.no_grad():
            await asyncio.sleep(0)  # the other task runs while this block is open
            await asyncio.sleep(0)
            return (x * 2).requires_grad

    async def loud() -> bool:
        await asyncio.sleep(0)
        return (x * 2).requires_grad

    async def both() -> list[bool]:
        return list(await asyncio.gather(quiet(), loud()))

    assert asyncio.run(both()) == [False, True]
    assert ag.is_grad_enabled()


@pytest.mark.parametrize("n", [3, 5000])
def test_leaf_gradients_never_alias_each_other_or_the_callers_arrays(n: int) -> None:
    """Leaves keep a gradient uncopied only when nothing else holds it."""
    a = ag.Tensor(np.ones(n), requires_grad=True)
    b = ag.Tensor(np.ones(n), requires_grad=True)
    (a + b).sum().backward()  # Add hands the same array to both inputs
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 1.0
    np.testing.assert_array_equal(b.grad, np.ones(n))

    seed = np.full(n, 2.0)
    x = ag.Tensor(np.ones(n), requires_grad=True)
    (x + 0.0).backward(seed)  # the caller's seed reaches x unchanged
    assert not np.shares_memory(x.grad, seed)

    class PassInput(ag.Function):
        """y = x · c, a constant c; its VJP returns the input itself when g is 1."""

        @staticmethod
        def forward(x: Any, c: Any) -> tuple[Any, Any]:
            return x * c, None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> Any:
            return xs[1], xs[0]

    u = ag.Tensor(np.full(n, 5.0), requires_grad=True)
    v = ag.Tensor(np.full(n, 7.0), requires_grad=True)
    PassInput.apply(u, v).backward(np.ones(n))
    assert not np.shares_memory(u.grad, v.data) and not np.shares_memory(v.grad, u.data)

    # A gradient that is a view (a bias's, reshaped from a batch of one) or that another
    # leaf also receives is copied: a later in-place += must not reach the other one.
    w = ag.Tensor(np.ones(n), requires_grad=True)
    c = ag.Tensor(np.ones((1, n)), requires_grad=True)
    (c + w).sum().backward()
    w.grad += 1.0
    np.testing.assert_array_equal(c.grad, np.ones((1, n)))

    # A value the caller still holds (an intermediate's data passed on by a VJP) is copied.
    class ReturnOutput(ag.Function):
        @staticmethod
        def forward(x: Any) -> tuple[Any, Any]:
            return x * 2.0, None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> Any:
            return (out,)

    z = ag.Tensor(np.ones(n), requires_grad=True)
    y = ReturnOutput.apply(z)
    y.backward(np.ones(n))
    assert not np.shares_memory(z.grad, y.data)


@pytest.mark.parametrize("k", [3, 300])
def test_a_gradient_nothing_else_holds_becomes_the_leafs_grad_uncopied(k: int) -> None:
    made: list[weakref.ref[np.ndarray[Any, Any]]] = []

    class Scale(ag.Function):
        """y = 3x; the VJP records (weakly) the array it hands the engine."""

        @staticmethod
        def forward(x: Any) -> tuple[Any, Any]:
            return x * 3.0, None

        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> Any:
            gx = g * 3.0
            made.append(weakref.ref(gx))
            return (gx,)

    w = ag.Tensor(np.ones((k, 40)), requires_grad=True)
    Scale.apply(w).sum().backward()
    assert made[0]() is w.grad, "the engine's own array should become w.grad, not a copy"
    # The next backward adds into that array in place.
    first = w.grad
    Scale.apply(w).sum().backward()
    assert w.grad is first
    np.testing.assert_array_equal(w.grad, np.full((k, 40), 6.0))

    # Held elsewhere too (here by the test), it is copied.
    held: list[Any] = []

    class Leak(Scale):
        @staticmethod
        def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> Any:
            held.append(g * 3.0)
            return (held[-1],)

    v = ag.Tensor(np.ones((k, 40)), requires_grad=True)
    Leak.apply(v).sum().backward()
    assert v.grad is not held[0] and not np.shares_memory(v.grad, held[0])


def test_set_grad_enabled_as_a_call_a_block_and_a_decorator() -> None:
    x = ag.Tensor([1.0], requires_grad=True)
    try:
        ag.set_grad_enabled(False)
        assert not ag.is_grad_enabled() and not (x * 2).requires_grad
        ag.set_grad_enabled(True)
        assert ag.is_grad_enabled()
        with ag.set_grad_enabled(False):
            assert not (x * 2).requires_grad
        assert ag.is_grad_enabled()

        @ag.set_grad_enabled(False)
        def f() -> ag.Tensor:
            return x * 2

        assert ag.is_grad_enabled(), "decorating must not change the mode"
        assert not f().requires_grad
        assert (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)


def test_a_kept_set_grad_enabled_sets_its_mode_each_time_it_is_entered() -> None:
    try:
        off = ag.set_grad_enabled(False)
        ag.set_grad_enabled(True)
        with off:
            assert not ag.is_grad_enabled()
        assert ag.is_grad_enabled()
        for _ in range(2):
            with off:
                assert not ag.is_grad_enabled()
            assert ag.is_grad_enabled()
    finally:
        ag.set_grad_enabled(True)


def test_grad_of_no_outputs_is_refused_and_leaves_the_mode() -> None:
    x = ag.Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="outputs is empty"):
        ag.grad([], [x])
    assert ag.is_grad_enabled() and (x * 2).requires_grad


def test_a_plain_backward_adds_to_a_grad_left_by_create_graph() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)  # 3x²
    (x**2).sum().backward()  # + 2x
    assert isinstance(x.grad, ag.Tensor) and not x.grad.requires_grad
    np.testing.assert_array_equal(x.grad.data, [5.0, 16.0])


def test_mode_decorators_set_the_mode_inside_generators() -> None:
    """A generator's body runs at each next(), not at the call: the mode is set around
    each step, and the caller's mode holds between them."""
    x = ag.Tensor([1.0], requires_grad=True)
    seen: list[bool] = []

    @ag.no_grad()
    def steps(t: ag.Tensor) -> Iterator[ag.Tensor]:
        sent = yield t * 2.0
        seen.append(ag.is_grad_enabled())
        try:
            yield t * float(sent)
        except KeyError:
            yield t * 4.0
        return

    it = steps(x)
    assert not next(it).requires_grad and ag.is_grad_enabled()
    assert not it.send(3.0).requires_grad and seen == [False]
    assert not it.throw(KeyError("k")).requires_grad and ag.is_grad_enabled()
    with pytest.raises(StopIteration):
        next(it)

    @ag.no_grad()
    def numbers() -> Iterator[bool]:
        yield ag.is_grad_enabled()
        yield ag.is_grad_enabled()

    assert list(numbers()) == [False, False]
    with ag.no_grad():
        assert [t.requires_grad for t in ag.enable_grad()(lambda: (yield x * 1.0))()] == [True]


def test_mode_decorators_without_parentheses() -> None:
    x = ag.Tensor([1.0], requires_grad=True)

    @ag.no_grad
    def doubled(t: ag.Tensor) -> ag.Tensor:
        return t * 2.0

    assert doubled.__name__ == "doubled" and not doubled(x).requires_grad
    with ag.no_grad():
        assert ag.enable_grad(doubled.__wrapped__)(x).requires_grad  # type: ignore[attr-defined]
    assert ag.is_grad_enabled()


def test_a_mode_decorator_given_a_non_callable_says_so() -> None:
    for cls in (ag.no_grad, ag.enable_grad):
        with pytest.raises(TypeError, match=r"takes no arguments .* got False"):
            cls(False)  # type: ignore[arg-type]


def test_mode_flags_must_be_bools() -> None:
    with pytest.raises(TypeError, match="enabled must be a bool, got 'no'"):
        ag.set_grad_enabled("no")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="check_forward must be a bool, got 'x'"):
        with ag.detect_anomaly(check_forward="x"):  # type: ignore[arg-type]
            pass
    assert ag.is_grad_enabled() and not ag.is_anomaly_enabled()


def test_create_graph_grads_are_separate_objects() -> None:
    """No two .grad, nor a .grad and the caller's seed, may be one Tensor: a write into
    one would change the others."""
    a = ag.Tensor([1.0, 2.0], requires_grad=True)
    b = ag.Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward(create_graph=True)
    assert a.grad is not b.grad
    a.grad[0] = 9.0
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    seed = ag.Tensor([1.0, 1.0])
    x.clone().backward(seed, create_graph=True)
    assert x.grad is not seed
    (h,) = ag.grad((x.grad * x).sum(), x)  # the .grad stays in the graph
    np.testing.assert_array_equal(h.data, [1.0, 1.0])


@pytest.mark.parametrize(
    ("grad", "match"),
    [
        (np.zeros((3, 2)), r"has shape \(3, 2\) and dtype float64"),
        (np.zeros(2, np.int64), r"has shape \(2,\) and dtype int64"),
        (np.broadcast_to(np.zeros(1), (2,)), "read-only array"),
        ([0.0, 0.0], "is a list, not an array"),
    ],
)
def test_a_grad_set_by_hand_that_cannot_take_the_gradient_is_refused_first(
    grad: Any, match: str
) -> None:
    """Checked for every leaf before any .grad is added to (a may come first or last)."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    b.grad = grad
    with pytest.raises(RuntimeError, match=match):
        (a * b).sum().backward()
    assert a.grad is None and b.grad is grad


def test_a_scalar_grad_set_by_hand_must_be_a_number() -> None:
    s = ag.Scalar(2.0)
    s.grad = "x"
    with pytest.raises(RuntimeError, match=r"a Scalar's \.grad must be a number, got 'x'"):
        (s * s).backward()


def test_retain_grad_on_a_value_without_a_gradient_is_refused() -> None:
    with pytest.raises(RuntimeError, match="retain_grad\\(\\) on a value that does not require"):
        Tensor([1.0, 2.0]).retain_grad()
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.Scalar(1.0, requires_grad=False).retain_grad()


def test_a_gradient_is_not_truncated_into_integer_data() -> None:
    """requires_grad or .data set by hand past the constructor's checks: the gradient
    that reaches integer data is refused, not cast."""
    t = Tensor([1, 2, 3])
    t.requires_grad = True
    with pytest.raises(TypeError, match="reached a tensor of dtype int64"):
        (t * 0.5).sum().backward()
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.data = np.array([1, 2])
    with pytest.raises(TypeError, match="only floating tensors can require grad"):
        (x * 0.5).sum().backward()
    assert t.grad is None and x.grad is None

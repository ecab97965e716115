"""The engine: grad mode, the node contract, and the iterative reverse pass.

One engine serves every value type (``Tensor`` and ``Scalar``). A value that
was produced by an op is a *node*: it keeps ``(_op, _parents, _saved)`` in its
slots (with its creation number ``_seq``) and nothing else about the graph, so
graphs are freed by reference counting alone. The reverse pass visits nodes in
decreasing creation number, which puts every consumer before what it consumes
(no recursion, no counting pass), keeps gradients in a local dict keyed by node
and pops each one once used, so intermediates never carry ``.grad`` unless they
asked to with ``retain_grad()``.

An op's ``vjp(g, xs, out, saved, needs)`` is written once. The engine calls it
with raw values (``xs`` the parents' data, ``out`` the node's data) on the fast
path, and with the nodes themselves when ``create_graph=True``, so the backward
pass is recorded as a graph of its own and can be differentiated again.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from heapq import heappop, heappush
from sys import getrefcount
from types import TracebackType
from typing import Any, ClassVar, Protocol, TypeVar

from numpy import ndarray

__all__ = [
    "GradNode",
    "Node",
    "Observer",
    "VJPOp",
    "backward",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


class Mode:
    """What running code records: graphs (``enabled``) and, in anomaly mode (see
    anomaly.py), where each node was made (``anomaly``) and NaNs that forwards make
    (``check_forward``). Immutable; one instance per combination, see :func:`mode_with`.
    ``grad_on`` and ``grad_off`` are this mode with ``enabled`` set each way."""

    __slots__ = ("anomaly", "check_forward", "enabled", "grad_off", "grad_on")
    grad_on: Mode
    grad_off: Mode

    def __init__(self, enabled: bool, anomaly: bool, check_forward: bool) -> None:
        self.enabled = enabled
        self.anomaly = anomaly
        self.check_forward = check_forward


_MODES = {key: Mode(*key) for key in itertools.product((False, True), repeat=3)}
for _m in _MODES.values():
    _m.grad_on = _MODES[(True, _m.anomaly, _m.check_forward)]
    _m.grad_off = _MODES[(False, _m.anomaly, _m.check_forward)]

# The mode is a context variable: every thread starts in the default mode (and each
# asyncio task in a copy of its creator's). Ops read it once each: ``mode()`` costs
# about a third of reading two attributes of a threading.local.
_state: ContextVar[Mode] = ContextVar("autograd_lite.mode", default=_MODES[(True, False, False)])
#: ``mode()``: the :class:`Mode` of the running code.
mode = _state.get
set_mode = _state.set


def mode_with(
    enabled: bool | None = None, anomaly: bool | None = None, check_forward: bool | None = None
) -> Mode:
    """The current mode with the given flags changed."""
    for name, flag in (
        ("enabled", enabled),
        ("anomaly", anomaly),
        ("check_forward", check_forward),
    ):
        if flag is not None and type(flag) is not bool:
            raise TypeError(f"{name} must be a bool, got {flag!r}")
    m = mode()
    return _MODES[
        (
            m.enabled if enabled is None else enabled,
            m.anomaly if anomaly is None else anomaly,
            m.check_forward if check_forward is None else check_forward,
        )
    ]


def is_grad_enabled() -> bool:
    """Whether ops record a graph in the running thread (or asyncio task)."""
    return mode().enabled


class _GradModeContext:
    """Sets grad mode on entry and restores it on exit; also a decorator."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(is_grad_enabled())
        set_mode(mode_with(enabled=self._enabled))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        set_mode(mode_with(enabled=self._prev.pop()))

    def __call__(self, fn: F) -> F:
        import functools
        import inspect

        enabled = self._enabled
        if inspect.isgeneratorfunction(fn):
            # Calling a generator function runs none of its body: the mode must be set
            # around each step, and the caller's mode restored between them.
            @functools.wraps(fn)
            def generator(*args: Any, **kwargs: Any) -> Any:
                gen = fn(*args, **kwargs)
                step: Callable[[Any], Any] = gen.send
                arg: Any = None
                while True:
                    try:
                        with _GradModeContext(enabled):
                            item = step(arg)
                    except StopIteration as stop:
                        return stop.value
                    try:
                        arg = yield item
                        step = gen.send
                    except GeneratorExit:
                        with _GradModeContext(enabled):  # its finally blocks run in the mode
                            gen.close()
                        raise
                    except BaseException as e:
                        step, arg = gen.throw, e

            return generator  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradModeContext(enabled):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class set_grad_enabled(_GradModeContext):
    """Turn graph recording on or off in the running thread (or asyncio task): at once when called
    (``ag.set_grad_enabled(False)``), or for a ``with`` block or a decorated function,
    restoring the previous mode after it."""

    def __init__(self, mode: bool) -> None:
        super().__init__(mode)
        self._before: bool | None = is_grad_enabled()
        set_mode(mode_with(enabled=mode))

    def __enter__(self) -> None:
        # Entering sets the mode (as for any context); the first ``with`` restores, on exit,
        # the mode from before the call, which had already set it.
        before, self._before = self._before, None
        self._prev.append(is_grad_enabled() if before is None else before)
        set_mode(mode_with(enabled=self._enabled))

    def __call__(self, fn: F) -> F:
        # As a decorator it must not change the mode of the code that defines the function.
        if self._before is not None:
            set_mode(mode_with(enabled=self._before))
            self._before = None
        return super().__call__(fn)


class _FixedMode(_GradModeContext):
    """A context that sets one mode (``_enabled_in``): also a decorator, with or without
    parentheses (``@no_grad`` passes the function itself)."""

    _enabled_in: ClassVar[bool]

    def __new__(cls, fn: Callable[..., Any] | None = None) -> Any:
        if fn is None:
            return super().__new__(cls)
        if not callable(fn):
            raise TypeError(
                f"{cls.__name__}() takes no arguments (or, as a bare decorator, the function); "
                f"got {fn!r}"
            )
        return cls()(fn)

    def __init__(self, fn: Callable[..., Any] | None = None) -> None:
        super().__init__(self._enabled_in)


class no_grad(_FixedMode):
    """Nothing inside records a graph (per thread and per asyncio task). A context
    manager and a decorator (``@no_grad()`` or ``@no_grad``)."""

    _enabled_in = False


class enable_grad(_FixedMode):
    """Record graphs again inside a ``no_grad`` region (``@enable_grad()`` or
    ``@enable_grad`` as a decorator)."""

    _enabled_in = True


class VJPOp(Protocol):
    """What the engine needs of an op: its name and its vector-Jacobian product."""

    name: ClassVar[str]

    @staticmethod
    def vjp(g: Any, xs: tuple[Any, ...], out: Any, saved: Any, needs: tuple[bool, ...]) -> Any: ...


class Node(Protocol):
    """The contract both ``Tensor`` and ``Scalar`` satisfy."""

    data: Any
    grad: Any
    requires_grad: bool
    _op: Any  # type[VJPOp] | None
    _parents: Any  # tuple[Node, ...] | None; None once the graph is released
    _saved: Any
    _retains_grad: bool
    _seq: int  # on recorded nodes: the creation number (see next_seq)
    _versions: Any  # tuple[int, ...] of the parents' versions at creation, or None

    def _fit_grad(self, g: Any) -> Any:
        """Bring an incoming gradient to this node's shape and dtype."""
        ...

    def _check_grad(self) -> None:
        """Raise unless ``.grad`` (not None) can take a gradient added into it."""
        ...

    def _accumulate(self, g: Any, owned: bool) -> None:
        """Add ``g`` into ``.grad`` (leaves, and nodes that retain their gradient).
        ``owned``: nothing else holds ``g``, so it may become ``.grad`` without a copy."""
        ...


#: Called once per node the reverse pass visits, in the engine's order, with the node,
#: its incoming gradient (None when no gradient reached it) and the raw per-input
#: gradients its VJP returned (None for a leaf), before they are reduced to each input's
#: shape. ``ag.explain`` is built on it.
Observer = Callable[[Any, Any, Any], None]

_FREED = (
    "Trying to backward through the graph a second time (or to read values it already "
    "freed, or after a backward() that raised part-way had freed part of it). Pass "
    "retain_graph=True to the first backward() or grad() call to keep it."
)


#: The next creation number, for each recorded node's ``_seq``. A node is always made
#: after its parents, so in decreasing ``_seq`` every consumer of a node comes before
#: the node: the order the reverse pass needs, without counting edges first. (``next``
#: on a count is atomic under the GIL, so threads may record graphs at once.)
next_seq = itertools.count().__next__

_ABSENT = object()


def _run(
    roots: Sequence[Node],
    root_grads: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    capture: dict[Any, Any] | None,
    observer: Observer | None = None,
) -> None:
    """The reverse pass. With ``capture`` (keys: the wanted nodes) gradients are
    stored there, only nodes that lead to them are visited, and no ``.grad`` is
    touched; otherwise they accumulate into leaves.
    ``observer`` sees every visited node (see :data:`Observer`).

    Recorded nodes wait in a heap ordered by decreasing ``_seq``, so a node is popped
    after all its consumers have added their gradients. Leaves wait in a list and
    receive theirs at the end, once complete.
    """
    if rewrites.seen:
        redirect_rewritten_parents(roots)
    # The pending gradient of each node reached so far (None: reached only by edges that
    # carried none). Keyed by the nodes themselves: every node type hashes by identity,
    # and a dict compares keys by identity before ``==``, so no elementwise __eq__ runs.
    grads: dict[Any, Any] = {}
    heap: list[tuple[int, Any]] = []
    leaves: list[Any] = []
    for r, g in zip(roots, root_grads):
        if r in grads:
            grads[r] = grads[r] + g
        else:
            grads[r] = g
            if r._op is None:
                leaves.append(r)
            else:
                heappush(heap, (-r._seq, r))

    # grad() walks only the part of the graph that leads to the wanted nodes, as a
    # backward of the whole graph would run (and free) branches it never needs. (An
    # empty capture, explain's, walks the whole graph and touches no .grad.)
    reach = _reaching(roots, capture) if capture else None
    last_write = rewrites.last_write
    prev_mode = mode()
    anomaly_on = prev_mode.anomaly
    # The loop runs once per node and its inner loop once per edge; on scalar graphs it
    # is the whole cost of backward, hence the bound methods and local names.
    pop_grad, get_grad = grads.pop, grads.get
    # Array gradients are brought to each input's shape and dtype (a float, a Scalar's
    # gradient, needs neither).
    arrays = not isinstance(roots[0].data, float)
    # A leaf may keep as .grad, uncopied, an array gradient that nothing else holds.
    keep = capture is None and not create_graph and arrays
    retained: list[tuple[Any, Any]] = []
    # With create_graph the VJPs' own ops are recorded, but not checked as forwards by
    # anomaly mode: a NaN they make is the backward's, which check_backward names.
    set_mode(_MODES[(True, anomaly_on, False)] if create_graph else prev_mode.grad_off)
    try:
        while heap:
            node = heappop(heap)[1]
            parents = node._parents
            if parents is None:
                raise RuntimeError(_FREED)
            g = pop_grad(node)
            op = node._op
            if g is None:
                # Reached only by edges that carried no gradient: nothing to pass on.
                if observer is not None:
                    observer(node, None, (None,) * len(parents))
                if not retain_graph:
                    node._parents = None
                    node._saved = None
                continue
            if capture is not None:
                if node in capture:
                    capture[node] = g
            elif node._retains_grad:
                retained.append((node, g))
            # Most nodes have one or two parents (every Scalar op but sum and dot): read
            # those without building a list.
            n_parents = len(parents)
            needs: tuple[bool, ...]
            if n_parents == 2:
                p0, p1 = parents
                needs = (p0.requires_grad, p1.requires_grad)
            elif n_parents == 1:
                p0 = parents[0]
                needs = (p0.requires_grad,)
            else:
                needs = tuple([p.requires_grad for p in parents])
            if reach is not None:
                needs = tuple([need and p in reach for need, p in zip(needs, parents)])
            if node._seq < last_write:
                # A tensor was written in place after this node was made: make sure it
                # was none of the values the VJP reads.
                versions = node._versions
                if versions is not None and (
                    versions != tuple([p._version for p in parents]) or node._version
                ):
                    check_versions(node, parents, versions)
            if reach is not None and not any(needs):
                # A wanted node none of whose inputs leads to another: its VJP is not run,
                # and its graph stays (the tensor may be used again).
                continue
            if create_graph:
                pgrads = op.vjp(g, parents, node, node._saved, needs)
            else:
                xs: tuple[Any, ...]
                if n_parents == 2:
                    xs = (p0.data, p1.data)
                elif n_parents == 1:
                    xs = (p0.data,)
                else:
                    xs = tuple([p.data for p in parents])
                pgrads = op.vjp(g, xs, node.data, node._saved, needs)
            if anomaly_on:
                anomaly.check_backward(node, g, pgrads)
            if observer is not None:
                observer(node, g, pgrads)
            for p, gp, need in zip(parents, pgrads, needs):
                if not need:
                    continue
                if arrays and gp is not None:
                    # Most gradients fit already; the identity test on dtypes is the cheap
                    # half of ``==`` (a dtype equal but not identical just takes the call).
                    data = p.data
                    if (
                        type(gp) is not ndarray
                        or gp.shape != data.shape
                        or gp.dtype is not data.dtype
                    ):
                        try:
                            gp = p._fit_grad(gp)
                        except (ValueError, TypeError) as e:
                            kind = TypeError if isinstance(e, TypeError) else ValueError
                            raise kind(f"backward of {op.name}: {e}") from None
                old = get_grad(p, _ABSENT)
                if old is _ABSENT:
                    grads[p] = gp
                    if p._op is None:
                        leaves.append(p)
                    else:
                        heappush(heap, (-p._seq, p))
                elif gp is not None:
                    grads[p] = gp if old is None else old + gp
                    if anomaly_on and old is not None:
                        anomaly.check_sum(p, old, gp, grads[p])
            if not retain_graph:
                node._parents = None
                node._saved = None
        # An intermediate's gradient for retain_grad() is written once the pass went
        # through, as the leaves' are: a pass that raised gives no .grad a part of one.
        for node, g in retained:
            node._accumulate(g, False)
        # The loop's names let go of the last gradients they saw, so that below a
        # gradient's reference count tells whether anything besides the dict holds it.
        g = gp = old = pgrads = None
        if capture is None:
            # A .grad set by hand is checked for every leaf before any is added to.
            for leaf in leaves:
                if leaf.grad is not None:
                    leaf._check_grad()
        for leaf in leaves:
            g = pop_grad(leaf)
            if g is not None:
                if capture is not None:
                    if leaf in capture:
                        capture[leaf] = g
                else:
                    # Two references: the name g and getrefcount's argument. Anything
                    # more (another leaf's pending gradient, a view, a node's value, the
                    # caller's seed, an observer's record) and the leaf copies it. The
                    # count is taken before the call: as its argument, g is one more.
                    owned = keep and getrefcount(g) == 2
                    leaf._accumulate(g, owned)
            if observer is not None:
                observer(leaf, g, None)
    finally:
        set_mode(prev_mode)


def _reaching(roots: Sequence[Node], targets: Any) -> set[Any] | None:
    """The nodes from which a node in ``targets`` can be reached through ``_parents``
    (the targets among them), found by an iterative depth-first walk from ``roots``;
    None when that is every node walked (nothing to leave out)."""
    reach: set[Any] = set()
    seen: set[Any] = set()
    # An entry (node, None) asks to walk node; (node, parents), to decide it once its
    # parents are decided.
    stack: list[tuple[Any, Any]] = [(r, None) for r in roots]
    push, pop = stack.append, stack.pop
    while stack:
        node, parents = pop()
        if parents is not None:
            if node in targets:
                reach.add(node)
            else:
                for p in parents:
                    if p in reach:
                        reach.add(node)
                        break
            continue
        if node in seen:
            continue
        seen.add(node)
        parents = node._parents
        if parents is None:
            raise RuntimeError(_FREED)
        push((node, parents))
        for p in parents:
            if p not in seen:
                push((p, None))
    if rewrites.seen:
        # An edge an in-place write left at the rewritten tensor (for check_versions to
        # refuse) can close a cycle, where the walk decides a node before a parent that
        # leads to a target: settle those by sweeping until nothing changes.
        changed = True
        while changed:
            changed = False
            for node in seen:
                if node not in reach and any(p in reach for p in node._parents):
                    reach.add(node)
                    changed = True
    return None if len(reach) == len(seen) else reach


class GradNode:
    """The public methods every node type shares (Tensor and Scalar derive from it)."""

    __slots__ = ()
    _op: Any
    _retains_grad: bool
    grad: Any
    requires_grad: bool

    @property
    def is_leaf(self) -> bool:
        """True for values not produced by a recorded op."""
        return self._op is None

    @property
    def grad_fn(self) -> str | None:
        """The name of the op that produced this value, or None for a leaf."""
        return None if self._op is None else str(self._op.name)

    def retain_grad(self) -> None:
        """Keep this intermediate's gradient in ``.grad`` during backward (a leaf keeps
        its own anyway)."""
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad() on a value that does not require grad: no gradient will reach it"
            )
        if self._op is not None:
            self._retains_grad = True  # type: ignore[misc]

    def zero_grad(self) -> None:
        self.grad = None

    def _backward_from(
        self, seed: Any, retain_graph: bool | None, create_graph: bool, explain: bool
    ) -> None:
        """Run the reverse pass from this node, printing its steps with ``explain``."""
        if explain:
            from .explain import explained_backward

            # depth 2: the user's frame is above the type's own backward() method.
            explained_backward(self, seed, retain_graph, create_graph, depth=2)
            return
        backward(self, seed, retain_graph, create_graph)  # type: ignore[arg-type]


def backward(
    root: Node,
    grad_root: Any,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    observer: Observer | None = None,
) -> None:
    """Accumulate d(root)/d(leaf) · grad_root into every leaf's ``.grad``."""
    if not root.requires_grad:
        shape = getattr(root.data, "shape", None)
        what = "" if shape is None else f" (shape {shape}, dtype {root.data.dtype})"
        raise RuntimeError(
            f"backward() on a value that does not require grad{what}: no input of the graph "
            "has requires_grad=True (or it was computed under no_grad())"
        )
    if retain_graph is None:
        retain_graph = create_graph
    _run([root], [grad_root], retain_graph, create_graph, None, observer)


def grad(
    outputs: Sequence[Node],
    inputs: Sequence[Node],
    grad_outputs: Sequence[Any],
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> list[Any]:
    """Gradients of ``outputs`` (seeded with ``grad_outputs``) with respect to each of
    ``inputs``, without touching any ``.grad``. An input the outputs do not depend on
    raises ValueError, or gives None with ``allow_unused=True``."""
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise ValueError(f"grad(): input {i} does not require grad")
    for i, y in enumerate(outputs):
        if not y.requires_grad:
            raise ValueError(f"grad(): output {i} does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    capture: dict[Any, Any] = {x: None for x in inputs}
    _run(list(outputs), list(grad_outputs), retain_graph, create_graph, capture)
    result = [capture[x] for x in inputs]
    for i, r in enumerate(result):
        if r is None and not allow_unused:
            raise ValueError(
                f"grad(): input {i} was not used to compute the outputs "
                "(pass allow_unused=True to get None for it)"
            )
    return result


from . import anomaly  # noqa: E402
from .versions import check_versions, redirect_rewritten_parents, rewrites  # noqa: E402

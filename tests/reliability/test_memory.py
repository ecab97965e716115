"""Memory: training steps leave memory flat, and graphs are freed by reference counting
alone (no cycles for the garbage collector to find)."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.nn import functional as F


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _setup() -> tuple[nn.MLP, optim.SGD, ag.Tensor, np.ndarray]:
    rng = np.random.default_rng(0)
    model = nn.MLP(8, [32, 32], 4, rng=rng)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = ag.Tensor(rng.standard_normal((16, 8)))
    y = rng.integers(0, 4, size=16)
    return model, opt, x, y


def _step(model: nn.MLP, opt: optim.SGD, x: ag.Tensor, y: np.ndarray) -> float:
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return float(loss.item())


def test_one_thousand_training_steps_leave_memory_flat(gc_disabled: None) -> None:
    model, opt, x, y = _setup()
    for _ in range(20):  # warm up: optimizer state, caches, first-call allocations
        _step(model, opt, x, y)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(1000):
            last = _step(model, opt, x, y)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.isfinite(last)
    assert after - before < 1_000_000, f"memory grew by {after - before} bytes over 1000 steps"


def test_graph_is_freed_without_the_garbage_collector(gc_disabled: None) -> None:
    model, _, x, y = _setup()
    out = model(x)
    loss = F.cross_entropy(out, y)
    refs = [weakref.ref(out), weakref.ref(loss)]
    loss.backward()
    del out, loss
    assert all(r() is None for r in refs)


def test_graph_is_freed_without_backward_and_with_retained_graph(gc_disabled: None) -> None:
    w = ag.Tensor(np.ones((3, 3)), requires_grad=True)
    h = (w @ w).tanh()
    loss = (h * h).sum()
    ref = weakref.ref(h)
    del h, loss  # never differentiated
    assert ref() is None
    h = (w @ w).tanh()
    loss = (h * h).sum()
    ref = weakref.ref(h)
    loss.backward(retain_graph=True)
    loss.backward()
    del h, loss
    assert ref() is None


def test_create_graph_and_anomaly_mode_graphs_are_freed(gc_disabled: None) -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    with ag.detect_anomaly():
        y = (x**3).sum()
        (g,) = ag.grad(y, x, create_graph=True)
    assert g is not None
    refs = [weakref.ref(y), weakref.ref(g)]
    g.sum().backward()
    del y, g
    assert all(r() is None for r in refs)


def test_tracked_setitem_graph_is_freed(gc_disabled: None) -> None:
    a = ag.Tensor(np.ones(4), requires_grad=True)
    h = a * 2.0
    h[1:3] = a[:2] * 5.0
    ref = weakref.ref(h)
    h.sum().backward()
    del h
    assert ref() is None

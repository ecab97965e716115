"""Threads: grad mode and anomaly mode are per thread, and two threads training two
models at once get exactly the results they get one after the other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.nn import functional as F


def _train(seed: int, steps: int = 60) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    x = ag.Tensor(rng.standard_normal((32, 4)))
    y = rng.integers(0, 3, size=32)
    model = nn.MLP(4, [16, 16], 3, rng=np.random.default_rng(seed + 100))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.data.copy())
    with ag.no_grad():
        # Only this thread's grad mode is off: the other thread keeps recording.
        final = model(x)
        assert final._op is None
    return [*losses, *(p.data.copy() for p in model.parameters())]


def _train_raw(seed: int, steps: int = 60) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    x = ag.Tensor(rng.standard_normal((16, 3)))
    t = ag.Tensor(rng.standard_normal((16, 1)))
    w = ag.Tensor(rng.standard_normal((3, 1)), requires_grad=True)
    b = ag.Tensor(np.zeros(1), requires_grad=True)
    out = []
    for _ in range(steps):
        loss = (((x @ w + b).tanh() - t) ** 2).mean()
        loss.backward()
        with ag.no_grad():
            w.data = w.data - 0.1 * w.grad
            b.data = b.data - 0.1 * b.grad
        w.grad = b.grad = None
        out.append(loss.data.copy())
    return [*out, w.data.copy(), b.data.copy()]


def _concurrently(fns: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(fns)
    errors: list[BaseException] = []
    start = threading.Barrier(len(fns))

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = fns[i]()
        except BaseException as e:  # re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return results


def _assert_identical(a: list[Any], b: list[Any]) -> None:
    assert len(a) == len(b)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def test_two_models_trained_at_once_match_training_one_after_the_other() -> None:
    sequential = [_train(1), _train(2)]
    concurrent = _concurrently([lambda: _train(1), lambda: _train(2)])
    for s, c in zip(sequential, concurrent):
        _assert_identical(s, c)


def test_raw_tensor_training_in_threads_matches_sequential() -> None:
    sequential = [_train_raw(3), _train_raw(4)]
    concurrent = _concurrently([lambda: _train_raw(3), lambda: _train_raw(4)])
    for s, c in zip(sequential, concurrent):
        _assert_identical(s, c)


def test_no_grad_in_one_thread_does_not_stop_recording_in_another() -> None:
    inside = threading.Event()
    release = threading.Event()
    seen: dict[str, Any] = {}

    def quiet() -> None:
        with ag.no_grad():
            seen["quiet_enabled"] = ag.is_grad_enabled()
            inside.set()
            release.wait()

    th = threading.Thread(target=quiet)
    th.start()
    inside.wait()
    x = ag.Tensor([1.0], requires_grad=True)
    y = x * 2.0
    seen["main_enabled"] = ag.is_grad_enabled()
    release.set()
    th.join()
    assert seen == {"quiet_enabled": False, "main_enabled": True}
    assert y.requires_grad and y.grad_fn == "mul"


def test_a_new_thread_starts_with_grad_on_and_anomaly_off() -> None:
    seen: list[tuple[bool, bool]] = []
    with ag.no_grad(), ag.detect_anomaly():
        th = threading.Thread(
            target=lambda: seen.append((ag.is_grad_enabled(), ag.is_anomaly_enabled()))
        )
        th.start()
        th.join()
    assert seen == [(True, False)]

"""The timed workloads W1, W2, W3 and W5, each as the same computation written four ways:
hand-written NumPy (the baseline), autograd_lite, and PyTorch and micrograd where they
are installed and the workload suits them.

An implementation is a zero-argument callable doing one forward and backward pass (and,
for W2, the SGD update) that returns ``(loss, gradients)`` so the runner can check it
against the baseline before timing it. Every implementation starts from the same data.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd_lite as ag
from autograd_lite.nn import functional as F

__all__ = ["Workload", "have", "w1", "w2", "w2_nn", "w3", "w5"]

Impl = Callable[[], tuple[float, list[np.ndarray]]]


def have(module: str) -> bool:
    """Whether ``module`` can be imported (peers are optional)."""
    return importlib.util.find_spec(module) is not None


@dataclass
class Workload:
    key: str
    title: str
    impls: dict[str, Impl]
    rtol: float
    #: Operations per call, for workloads reported per op (W5); 0 otherwise.
    ops: int = 0
    #: For workloads that update parameters (W2): each implementation's current
    #: parameters, which the runner compares after the checking call, outside any timing.
    state: dict[str, Callable[[], list[np.ndarray]]] = field(default_factory=dict)


def _torch() -> Any:
    import torch

    torch.set_num_threads(1)
    return torch


# ------------------------------------------------------------------------------ W1
def w1(peers: set[str]) -> Workload:
    """``((a*b + c).relu()).sum()`` forward and backward, a, b, c of shape (4,), float64."""
    rng = np.random.default_rng(1)
    a0, b0, c0 = (rng.standard_normal(4) for _ in range(3))

    def numpy_impl() -> tuple[float, list[np.ndarray]]:
        z = a0 * b0 + c0
        loss = np.maximum(z, 0).sum()
        gz = (z > 0) * 1.0
        return loss.item(), [gz * b0, gz * a0, gz]

    a, b, c = (ag.Tensor(v, requires_grad=True) for v in (a0, b0, c0))

    def ag_impl() -> tuple[float, list[np.ndarray]]:
        a.grad = b.grad = c.grad = None
        loss = ((a * b + c).relu()).sum()
        loss.backward()
        return float(loss.data), [a.grad, b.grad, c.grad]

    impls: dict[str, Impl] = {"numpy": numpy_impl, "autograd_lite": ag_impl}
    if "torch" in peers:
        torch = _torch()
        ta, tb, tc = (torch.tensor(v, requires_grad=True) for v in (a0, b0, c0))

        def torch_impl() -> tuple[float, list[np.ndarray]]:
            ta.grad = tb.grad = tc.grad = None
            loss = ((ta * tb + tc).relu()).sum()
            loss.backward()
            return loss.item(), [t.grad.numpy() for t in (ta, tb, tc)]

        impls["torch"] = torch_impl
    if "micrograd" in peers:
        from micrograd.engine import Value

        ma, mb, mc = ([Value(float(x)) for x in v] for v in (a0, b0, c0))
        leaves = ma + mb + mc

        def micrograd_impl() -> tuple[float, list[np.ndarray]]:
            for v in leaves:
                v.grad = 0.0
            terms = [(x * y + z).relu() for x, y, z in zip(ma, mb, mc)]
            loss = terms[0] + terms[1] + terms[2] + terms[3]
            loss.backward()
            return loss.data, [np.array([v.grad for v in vs]) for vs in (ma, mb, mc)]

        impls["micrograd"] = micrograd_impl
    return Workload("W1", "W1 ((a*b + c).relu()).sum(), (4,) f64", impls, 1e-12)


# ------------------------------------------------------------------------------ W2
def w2(peers: set[str]) -> Workload:
    """MLP 784-256-256-10 with ReLU, batch 128, float32, softmax cross-entropy, one SGD step."""
    return _mlp_step("W2", "W2 MLP 784-256-256-10 SGD step, b=128 f32", peers, fused=False)


def w2_nn(peers: set[str]) -> Workload:
    """W2 written with ``nn.functional``: ``linear`` (one fused Affine op per layer) and
    ``cross_entropy`` (one fused op), against the same NumPy baseline."""
    return _mlp_step("W2nn", "W2 via nn.functional linear + cross_entropy", set(), fused=True)


def _mlp_init(sizes: list[int], dtype: Any, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        bound = np.sqrt(6.0 / fan_in)
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        params.append(rng.uniform(-0.1, 0.1, fan_out).astype(dtype))
    return params


def _mlp_step(key: str, title: str, peers: set[str], fused: bool) -> Workload:
    n, lr = 128, np.float32(0.01)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, 784)).astype(np.float32)
    labels = rng.integers(0, 10, n)
    # Cross-entropy as Σ logp ⊙ w with w = -onehot / n: the mean of -logp[i, yᵢ].
    w = np.zeros((n, 10), np.float32)
    w[np.arange(n), labels] = -1.0 / n
    init = _mlp_init([784, 256, 256, 10], np.float32, 3)

    np_params = [p.copy() for p in init]

    def numpy_impl() -> tuple[float, list[np.ndarray]]:
        w1, b1, w2, b2, w3, b3 = np_params
        z1 = x @ w1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2 + b2
        h2 = np.maximum(z2, 0)
        z3 = h2 @ w3 + b3
        shifted = z3 - z3.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        logp = shifted - np.log(s)
        loss = (logp * w).sum()
        # d/dz3 of Σ logp ⊙ w is w − softmax ⊙ Σ_row w.
        gz3 = w - (e / s) * w.sum(axis=1, keepdims=True)
        gw3, gb3 = h2.T @ gz3, gz3.sum(axis=0)
        gz2 = (gz3 @ w3.T) * (z2 > 0)
        gw2, gb2 = h1.T @ gz2, gz2.sum(axis=0)
        gz1 = (gz2 @ w2.T) * (z1 > 0)
        gw1, gb1 = x.T @ gz1, gz1.sum(axis=0)
        grads = [gw1, gb1, gw2, gb2, gw3, gb3]
        for p, g in zip(np_params, grads):
            p -= lr * g
        return float(loss), grads

    tx, tw = ag.Tensor(x), ag.Tensor(w)
    ag_params = [ag.Tensor(p, requires_grad=True) for p in init]

    def ag_impl() -> tuple[float, list[np.ndarray]]:
        w1, b1, w2, b2, w3, b3 = ag_params
        if fused:
            h1 = F.relu(F.linear(tx, w1, b1))
            h2 = F.relu(F.linear(h1, w2, b2))
            loss = F.cross_entropy(F.linear(h2, w3, b3), labels)
        else:
            h1 = (tx @ w1 + b1).relu()
            h2 = (h1 @ w2 + b2).relu()
            loss = ((h2 @ w3 + b3).log_softmax(axis=1) * tw).sum()
        loss.backward()
        grads = []
        for p in ag_params:
            p.data -= lr * p.grad
            grads.append(p.grad)
            p.grad = None
        return float(loss.data), grads

    impls: dict[str, Impl] = {"numpy": numpy_impl, "autograd_lite": ag_impl}
    state: dict[str, Callable[[], list[np.ndarray]]] = {
        "numpy": lambda: np_params,
        "autograd_lite": lambda: [p.data for p in ag_params],
    }
    if "torch" in peers:
        torch = _torch()
        t_x, t_w = torch.from_numpy(x), torch.from_numpy(w)
        t_params = [torch.tensor(p, requires_grad=True) for p in init]

        def torch_impl() -> tuple[float, list[np.ndarray]]:
            w1, b1, w2, b2, w3, b3 = t_params
            h1 = (t_x @ w1 + b1).relu()
            h2 = (h1 @ w2 + b2).relu()
            loss = ((h2 @ w3 + b3).log_softmax(dim=1) * t_w).sum()
            loss.backward()
            grads = []
            with torch.no_grad():
                for p in t_params:
                    p -= float(lr) * p.grad
                    grads.append(p.grad.numpy())
                    p.grad = None
            return loss.item(), grads

        impls["torch"] = torch_impl
        state["torch"] = lambda: [p.detach().numpy() for p in t_params]
    return Workload(key, title, impls, 2e-4, state=state)


# ------------------------------------------------------------------------------ W3
def w3(peers: set[str]) -> Workload:
    """MLP 2-16-16-1 with ReLU, one sample (batch 1), squared error, forward and backward,
    float64. Parameters are not updated, so every call computes the same thing."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2))
    y = 0.5
    init = _mlp_init([2, 16, 16, 1], np.float64, 5)

    def numpy_impl() -> tuple[float, list[np.ndarray]]:
        w1, b1, w2, b2, w3, b3 = init
        z1 = x @ w1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2 + b2
        h2 = np.maximum(z2, 0)
        d = h2 @ w3 + b3 - y
        loss = (d * d).sum()
        gz3 = 2 * d
        gw3, gb3 = h2.T @ gz3, gz3.sum(axis=0)
        gz2 = (gz3 @ w3.T) * (z2 > 0)
        gw2, gb2 = h1.T @ gz2, gz2.sum(axis=0)
        gz1 = (gz2 @ w2.T) * (z1 > 0)
        gw1, gb1 = x.T @ gz1, gz1.sum(axis=0)
        return loss.item(), [gw1, gb1, gw2, gb2, gw3, gb3]

    tx = ag.Tensor(x)
    ag_params = [ag.Tensor(p, requires_grad=True) for p in init]

    def ag_impl() -> tuple[float, list[np.ndarray]]:
        w1, b1, w2, b2, w3, b3 = ag_params
        for p in ag_params:
            p.grad = None
        h1 = (tx @ w1 + b1).relu()
        h2 = (h1 @ w2 + b2).relu()
        loss = ((h2 @ w3 + b3 - y) ** 2).sum()
        loss.backward()
        return float(loss.data), [p.grad for p in ag_params]

    impls: dict[str, Impl] = {"numpy": numpy_impl, "autograd_lite": ag_impl}
    if "torch" in peers:
        torch = _torch()
        t_x = torch.from_numpy(x)
        t_params = [torch.tensor(p, requires_grad=True) for p in init]

        def torch_impl() -> tuple[float, list[np.ndarray]]:
            w1, b1, w2, b2, w3, b3 = t_params
            for p in t_params:
                p.grad = None
            h1 = (t_x @ w1 + b1).relu()
            h2 = (h1 @ w2 + b2).relu()
            loss = ((h2 @ w3 + b3 - y) ** 2).sum()
            loss.backward()
            return loss.item(), [p.grad.numpy() for p in t_params]

        impls["torch"] = torch_impl
    if "micrograd" in peers:
        impls["micrograd"] = _micrograd_mlp(x, y, init)
    return Workload("W3", "W3 MLP 2-16-16-1 fwd+bwd, one sample f64", impls, 1e-10)


def _micrograd_mlp(x: np.ndarray, y: float, init: list[np.ndarray]) -> Impl:
    from micrograd.engine import Value

    layers = []
    for i in range(0, len(init), 2):
        w, b = init[i], init[i + 1]
        layers.append(([[Value(float(v)) for v in row] for row in w], [Value(float(v)) for v in b]))
    leaves = [v for w, b in layers for v in [*(u for row in w for u in row), *b]]
    inputs = [float(v) for v in x[0]]

    def impl() -> tuple[float, list[np.ndarray]]:
        for v in leaves:
            v.grad = 0.0
        h: list[Any] = inputs
        for k, (w, b) in enumerate(layers):
            out = []
            for j in range(len(b)):
                acc = b[j]
                for i in range(len(h)):
                    acc = acc + h[i] * w[i][j]
                out.append(acc.relu() if k < len(layers) - 1 else acc)
            h = out
        d = h[0] - y
        loss = d * d
        loss.backward()
        grads = []
        for w, b in layers:
            grads.append(np.array([[u.grad for u in row] for row in w]))
            grads.append(np.array([u.grad for u in b]))
        return loss.data, grads

    return impl


# ------------------------------------------------------------------------------ W5
def w5(peers: set[str], ops: int) -> Workload:
    """A chain of ``ops`` ops, ``ops / 2`` repetitions of ``x * 1.0001 + 0.0001`` on a (4,)
    float64 tensor, then ``sum`` and backward; reported per op."""
    steps = ops // 2
    x0 = np.linspace(0.5, 1.5, 4)

    def numpy_impl() -> tuple[float, list[np.ndarray]]:
        v = x0
        for _ in range(steps):
            v = v * 1.0001 + 0.0001
        loss = v.sum()
        g = np.ones_like(v)
        for _ in range(steps):
            g = g * 1.0001
        return loss.item(), [g]

    tx = ag.Tensor(x0, requires_grad=True)

    def ag_impl() -> tuple[float, list[np.ndarray]]:
        tx.grad = None
        v = tx
        for _ in range(steps):
            v = v * 1.0001 + 0.0001
        loss = v.sum()
        loss.backward()
        return float(loss.data), [tx.grad]

    impls: dict[str, Impl] = {"numpy": numpy_impl, "autograd_lite": ag_impl}
    if "torch" in peers:
        torch = _torch()
        t_x = torch.tensor(x0, requires_grad=True)

        def torch_impl() -> tuple[float, list[np.ndarray]]:
            t_x.grad = None
            v = t_x
            for _ in range(steps):
                v = v * 1.0001 + 0.0001
            loss = v.sum()
            loss.backward()
            return loss.item(), [t_x.grad.numpy()]

        impls["torch"] = torch_impl
    title = f"W5 chain of {ops:,} ops (x*1.0001 + 0.0001), per op"
    return Workload(f"W5@{ops}", title, impls, 1e-9, ops=ops)

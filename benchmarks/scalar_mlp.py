"""Scalar workload: an MLP 2-16-16-1 over Scalars on 100 two-moons points, vs micrograd.

One iteration is one full forward (max-margin loss plus L2 on the weights) and one
backward, with Python's garbage collector left on, as users run it. Three variants
do the same arithmetic from the same weights:

- ``scalar``: autograd_lite's Scalar with its ``scalar_nn`` MLP (a neuron is one
  ``Scalar.dot`` node plus its activation; the loss sums are ``Scalar.sum`` nodes);
- ``scalar_binary``: Scalar built op by op exactly like micrograd (``sum()`` of
  ``w*x`` products, one node per binary op), to show the engine alone;
- ``micrograd``: micrograd 0.1.0 (``pip install -e '.[bench]'``), if installed.

``run(rounds)`` returns the median seconds per iteration of each, wall-clock and CPU
(the process's own time, steadier on a shared machine), and the ratios;
``python benchmarks/scalar_mlp.py [rounds]`` prints them.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from autograd_lite.scalar import Scalar
from autograd_lite.scalar_nn import MLP

__all__ = ["make_moons", "run"]

SIZES = [16, 16, 1]
ALPHA = 1e-4


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, labels ±1, from a fixed seed."""
    rng = random.Random(seed)
    xs: list[list[float]] = []
    ys: list[float] = []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            xs.append([math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)])
            ys.append(-1.0)
        else:
            x0 = 1.0 - math.cos(t) + rng.gauss(0, noise)
            xs.append([x0, 0.5 - math.sin(t) + rng.gauss(0, noise)])
            ys.append(1.0)
    return xs, ys


def _scalar_step(model: MLP, xs: list[list[float]], ys: list[float]) -> float:
    scores = [model(x) for x in xs]
    data_loss = Scalar.sum([(1.0 - y * s).relu() for y, s in zip(ys, scores)]) * (1.0 / len(xs))
    params = model.parameters()
    total = data_loss + ALPHA * Scalar.sum([p * p for p in params])
    model.zero_grad()
    total.backward()
    return total.data


def _binary_step(model: MLP, xs: list[list[float]], ys: list[float]) -> float:
    def forward(x: list[Any]) -> Any:
        h: list[Any] = x
        for layer in model.layers:
            out = []
            for n in layer.neurons:
                act = sum((w * xi for w, xi in zip(n.w, h)), n.b)
                out.append(act.relu() if n.act == "relu" else act)
            h = out
        return h[0]

    scores = [forward(x) for x in xs]
    data_loss = sum((1 + -y * s).relu() for y, s in zip(ys, scores)) * (1.0 / len(xs))
    total = data_loss + ALPHA * sum(p * p for p in model.parameters())
    model.zero_grad()
    total.backward()
    return float(total.data)


def _micrograd_step(model: Any, value: Any, xs: list[list[float]], ys: list[float]) -> float:
    inputs = [[value(v) for v in x] for x in xs]
    scores = [model(x) for x in inputs]
    data_loss = sum((1 + -y * s).relu() for y, s in zip(ys, scores)) * (1.0 / len(xs))
    total = data_loss + ALPHA * sum(p * p for p in model.parameters())
    model.zero_grad()
    total.backward()
    return float(total.data)


def _micrograd(model: MLP, xs: list[list[float]], ys: list[float]) -> Callable[[], float] | None:
    """micrograd's step on a copy of ``model``'s weights, or None if it is not installed."""
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP as MicroMLP
    except ImportError:
        return None
    micro = MicroMLP(2, SIZES)
    for p, q in zip(micro.parameters(), model.parameters()):
        p.data = q.data
    return lambda: _micrograd_step(micro, Value, xs, ys)


def run(rounds: int = 20, peers: bool = True) -> dict[str, Any]:
    """Median seconds per iteration of each variant and the ratios to micrograd.

    Each variant's loss is checked against the others' (the same work). ``peers=False``
    leaves micrograd out; ``rounds=1`` (a smoke run) also skips the warm-up iteration.
    """
    if not gc.isenabled():
        raise RuntimeError("scalar_mlp measures with the garbage collector on; gc is disabled")
    xs, ys = make_moons(100, seed=0)
    model = MLP(2, SIZES, seed=1337)
    steps: dict[str, Callable[[], float]] = {
        "scalar": lambda: _scalar_step(model, xs, ys),
        "scalar_binary": lambda: _binary_step(model, xs, ys),
    }
    micrograd_step = _micrograd(model, xs, ys) if peers else None
    if micrograd_step is not None:
        steps["micrograd"] = micrograd_step

    times: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    losses: dict[str, float] = {}
    if rounds > 1:
        losses = {name: step() for name, step in steps.items()}  # warm-up
    # Blocks of consecutive iterations, variants taking turns block by block: load from
    # elsewhere falls on all alike, and each variant pays for the garbage it leaves (the
    # collector runs inside its own block), never for another's.
    block = 3
    for start in range(0, rounds, block):
        for name, step in steps.items():
            gc.collect()
            for _ in range(min(block, rounds - start)):
                t0, c0 = time.perf_counter(), time.process_time()
                losses.setdefault(name, step())
                times[name].append(time.perf_counter() - t0)
                cpu[name].append(time.process_time() - c0)
    ref = losses["scalar"]
    for name, loss in losses.items():
        if abs(loss - ref) > 1e-9 * abs(ref):
            raise AssertionError(f"{name} computes another loss: {loss!r} vs {ref!r}")

    result: dict[str, Any] = {
        "workload": "MLP 2-16-16-1 on Scalars, 100 two-moons points, SVM loss + L2, fwd+bwd",
        "rounds": rounds,
        "loss": ref,
    }
    for name in steps:
        result[f"{name}_median_s"] = statistics.median(times[name])
        result[f"{name}_cpu_median_s"] = statistics.median(cpu[name])
    if "micrograd" in steps:
        for name in ("scalar", "scalar_binary"):
            for kind in ("", "cpu_"):
                ratio = result[f"micrograd_{kind}median_s"] / result[f"{name}_{kind}median_s"]
                result[f"speedup_{name}_{kind}vs_micrograd"] = ratio
    else:
        result["micrograd"] = "left out" if not peers else "not installed (pip install micrograd)"
    return result


if __name__ == "__main__":
    out = run(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
    for k, v in out.items():
        print(f"{k:>16}: {v:.6g}" if isinstance(v, float) else f"{k:>16}: {v}")

"""Memory measurements with tracemalloc (NumPy reports its buffers to it too).

``w5_peak_per_op``: the peak traced memory of one W5 forward and backward pass, divided
by its number of ops. ``w2_growth``: how much traced memory is still held after a number
of W2 training steps, compared with before them (garbage collected at both ends).
"""

from __future__ import annotations

import gc
import tracemalloc

from .workloads import w2, w5

__all__ = ["w2_growth", "w5_peak_per_op"]


def w5_peak_per_op(ops: int) -> float:
    """Bytes of peak traced memory per op over one W5 pass of ``ops`` ops."""
    run = w5(set(), ops).impls["autograd_lite"]
    run()
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - base) / ops


def w2_growth(steps: int, warmup: int = 20) -> float:
    """Bytes of traced memory gained over ``steps`` W2 steps after ``warmup`` steps."""
    step = w2(set()).impls["autograd_lite"]
    for _ in range(warmup):
        step()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(steps):
            step()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return float(after - before)

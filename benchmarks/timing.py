"""Timing helpers: calibrated loops, rounds that interleave the implementations, medians.

Each round times every implementation once, one after the other, so that a slow spell
of the shared machine hits the baseline and the contender alike; the ratio to the
baseline is taken within each round and the median of those ratios is reported.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["CLOCK", "Measured", "calibrate", "measure", "per_call", "use_cpu_clock"]

#: The clock every timing reads: wall time, or with :func:`use_cpu_clock` this process's
#: CPU time, which a busy shared machine disturbs far less (BLAS runs one thread, so on an
#: idle machine the two agree).
CLOCK: list[Callable[[], float]] = [time.perf_counter]


def use_cpu_clock(on: bool = True) -> None:
    """Time with this process's CPU time (``on``) or with wall time."""
    CLOCK[0] = time.process_time if on else time.perf_counter


def per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of ``fn`` over ``number`` back-to-back calls."""
    clock = CLOCK[0]
    t0 = clock()
    for _ in range(number):
        fn()
    return (clock() - t0) / number


def calibrate(fn: Callable[[], object], target_s: float) -> int:
    """How many calls of ``fn`` take about ``target_s`` seconds (at least one)."""
    fn()
    number = 1
    while True:
        elapsed = per_call(fn, number) * number
        if elapsed >= target_s / 4 or number >= 1 << 20:
            break
        number *= 4
    return max(1, round(number * target_s / max(elapsed, 1e-9)))


@dataclass
class Measured:
    """Per-round seconds per call and, for every implementation, per-round ratios to the
    baseline (the first implementation)."""

    times: dict[str, list[float]] = field(default_factory=dict)
    ratios: dict[str, list[float]] = field(default_factory=dict)

    def median_time(self, name: str) -> float:
        return statistics.median(self.times[name])

    def median_ratio(self, name: str) -> float:
        return statistics.median(self.ratios[name])


def measure(impls: dict[str, Callable[[], object]], rounds: int, target_s: float) -> Measured:
    """Time every implementation in ``impls`` for ``rounds`` rounds; the first is the
    baseline."""
    numbers = {name: calibrate(fn, target_s) for name, fn in impls.items()}
    result = Measured({name: [] for name in impls}, {name: [] for name in impls})
    baseline = next(iter(impls))
    for _ in range(rounds):
        for name, fn in impls.items():
            result.times[name].append(per_call(fn, numbers[name]))
        base = result.times[baseline][-1]
        for name in impls:
            result.ratios[name].append(result.times[name][-1] / base)
    return result

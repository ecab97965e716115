"""The benchmark runner works end to end in its quick mode (one round, small sizes).

No timing is asserted: only that every workload's implementations agree with the NumPy
baseline (the runner exits with an error otherwise) and that the report is printed.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from benchmarks import memory, run, timing, workloads
from benchmarks.run import main


def test_quick_run_prints_every_workload_and_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--quick", "--no-peers"]) == 0
    out = capsys.readouterr().out
    for key in ("W1", "W2", "W3", "W5", "W2 memory growth", "W5 peak memory"):
        assert key in out


def test_w2_step_changes_the_parameters_and_keeps_memory_bounded() -> None:
    step = workloads.w2(set()).impls["autograd_lite"]
    loss0, _ = step()
    loss1, _ = step()
    assert loss1 != loss0
    assert memory.w2_growth(3, warmup=1) < 1 << 20


@pytest.mark.parametrize("make", [workloads.w2, workloads.w2_nn])
def test_the_check_catches_a_step_that_does_not_update(make: Any) -> None:
    """The loss and gradients come before the update: the check compares the updated
    parameters too."""
    wl = make(set())
    step, params = wl.impls["autograd_lite"], wl.state["autograd_lite"]

    def no_update() -> tuple[float, list[np.ndarray]]:
        before = [p.copy() for p in params()]
        result = step()
        for p, b in zip(params(), before):
            p[...] = b
        return result

    run._check(wl)  # the real step passes
    wl = make(set())
    step, params = wl.impls["autograd_lite"], wl.state["autograd_lite"]
    wl.impls["autograd_lite"] = no_update
    with pytest.raises(SystemExit, match="autograd_lite disagrees with the NumPy baseline"):
        run._check(wl)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--rounds", "0"], "--rounds: must be > 0"),
        (["--target", "-1"], "--target: must be > 0"),
        (["--only", "W1,W9"], "unknown workloads"),
    ],
)
def test_bad_options_are_refused(
    argv: list[str], match: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    assert match in capsys.readouterr().err


def test_each_run_sets_its_own_clock() -> None:
    assert main(["--quick", "--no-peers", "--only", "SCALAR", "--cpu-clock"]) == 0
    assert timing.CLOCK[0] is time.process_time
    assert main(["--quick", "--no-peers", "--only", "SCALAR"]) == 0
    assert timing.CLOCK[0] is time.perf_counter

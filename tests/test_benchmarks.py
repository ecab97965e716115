"""The benchmark runner works end to end in its quick mode (one round, small sizes).

No timing is asserted: only that every workload's implementations agree with the NumPy
baseline (the runner exits with an error otherwise) and that the report is printed.
"""

from __future__ import annotations

import pytest

from benchmarks import memory, workloads
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

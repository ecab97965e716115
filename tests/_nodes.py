"""A minimal node of the engine's contract on floats, for tests of engine-generic tools
(explain, draw_graph) against a value type that is neither Tensor nor Scalar."""

from __future__ import annotations

from typing import Any

from autograd_lite.engine import next_seq


class Num:
    """A float node: what any value type must provide to run on the engine."""

    def __init__(self, data: float, op: Any = None, parents: tuple[Any, ...] = ()) -> None:
        self.data = data
        self.grad: Any = None
        self.requires_grad = True
        self._op = op
        self._parents = parents
        self._saved = None
        self._retains_grad = False
        # A creation number orders the reverse pass; no in-place writes, so no versions.
        self._seq = next_seq()
        self._versions = None

    def _fit_grad(self, g: Any) -> Any:
        return g

    def _accumulate(self, g: Any, owned: bool = False) -> None:
        self.grad = g if self.grad is None else self.grad + g

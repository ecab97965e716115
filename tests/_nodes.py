"""A minimal node of the engine's contract on floats, for tests of engine-generic tools
(explain, draw_graph) against a value type that is neither Tensor nor Scalar."""

from __future__ import annotations

from typing import Any


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

    def _fit_grad(self, g: Any) -> Any:
        return g

    def _accumulate(self, g: Any, owned: bool = False) -> None:
        self.grad = g if self.grad is None else self.grad + g

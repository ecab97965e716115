"""``ag.grad``: gradients as values, without touching ``.grad``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import engine
from .tensor import Tensor

__all__ = ["grad"]


def _as_tuple(x: Tensor | Sequence[Tensor], what: str) -> tuple[Tensor, ...]:
    if isinstance(x, Tensor):
        return (x,)
    if not isinstance(x, (list, tuple)):
        raise TypeError(
            f"grad(): {what} must be a Tensor or a sequence of Tensors, got {type(x).__name__}"
        )
    items = tuple(x)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): {what}[{i}] is a {type(t).__name__}, not a Tensor")
    return items


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to each of ``inputs``, as Tensors.

    ``grad_outputs`` (one per output, each of its output's shape) may be left out for
    outputs of one element. With ``create_graph=True`` the results are themselves
    differentiable, for second and higher derivatives. No ``.grad`` is changed.
    """
    outs = _as_tuple(outputs, "outputs")
    ins = _as_tuple(inputs, "inputs")
    if not outs:
        raise ValueError("grad(): outputs is empty: nothing to differentiate")
    if grad_outputs is None:
        seeds: list[Any] = [None] * len(outs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)):
        seeds = [grad_outputs]
    else:
        seeds = list(grad_outputs)
    if len(seeds) != len(outs):
        raise ValueError(f"grad(): {len(outs)} outputs but {len(seeds)} grad_outputs")
    root_grads: list[Any] = []
    for i, (y, s) in enumerate(zip(outs, seeds)):
        if s is None:
            if y.size != 1:
                raise RuntimeError(
                    f"grad(): output {i} has shape {y.shape}; grad_outputs is required for "
                    "outputs of more than one element"
                )
            s = np.ones_like(y.data)
        s_data = y._seed(s, f"grad(): grad_outputs[{i}]", f"output {i}")
        if create_graph:
            root_grads.append(s if isinstance(s, Tensor) else Tensor._wrap(s_data))
        else:
            root_grads.append(s_data)
    result = engine.grad(outs, ins, root_grads, retain_graph, create_graph, allow_unused)
    return tuple(
        None if r is None else (r if isinstance(r, Tensor) else Tensor._wrap(np.asarray(r)))
        for r in result
    )

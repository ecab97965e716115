"""Higher-order derivatives as functions: ``vjp``, ``hvp``, ``hessian``, ``jacobian``.

``hvp`` and ``hessian`` are built on ``ag.grad(..., create_graph=True)``: the
first backward pass is recorded as a graph (every op's VJP runs on Tensors), and
the second differentiates it; ``vjp`` takes one reverse pass (recorded when asked)
and ``jacobian`` one per output element. They run with grad mode on, so they differentiate
inside ``no_grad()`` too (as ``torch.autograd.functional`` does). They are meant
for small inputs: ``hessian`` and ``jacobian`` take one reverse pass per output
element.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np

from .autograd import grad
from .engine import enable_grad
from .ops.shape import Reshape
from .tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "vjp"]

Inputs = Union[Tensor, Sequence[Tensor]]


def _leaves(inputs: Inputs, create_graph: bool = False) -> tuple[bool, tuple[Tensor, ...]]:
    """The tensors to differentiate with respect to, one per input (a Tensor or an array
    is one input; a sequence, several). Each is a fresh leaf that requires grad, sharing
    the input's data, so the input's own graph and ``.grad`` stay untouched; with
    ``create_graph``, an input that requires grad is aliased by a node instead, so the
    results stay differentiable with respect to it."""
    single = isinstance(inputs, (Tensor, np.ndarray))
    items = (inputs,) if single else tuple(inputs)
    leaves = []
    for i, x in enumerate(items):
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        if data.dtype.kind != "f":
            raise TypeError(f"input {i} must be floating to differentiate, got dtype {data.dtype}")
        if create_graph and isinstance(x, Tensor) and x.requires_grad:
            leaf = Reshape.apply(x, shape=x.shape)
        else:
            leaf = Tensor._wrap(data)
            leaf.requires_grad = True
        leaves.append(leaf)
    return single, tuple(leaves)


def _scalar_output(fn: Callable[..., Tensor], xs: tuple[Tensor, ...]) -> Tensor:
    y = fn(*xs)
    if not isinstance(y, Tensor) or y.size != 1:
        shape = y.shape if isinstance(y, Tensor) else type(y).__name__
        raise ValueError(f"the function must return a Tensor with one element, got {shape}")
    return y


def _grads(
    y: Tensor, xs: tuple[Tensor, ...], seed: Tensor | None = None, create_graph: bool = True
) -> Sequence[Tensor | None]:
    """seedᵀ ∂y/∂x for each x (recorded for a second pass by default); None where y does
    not depend on x, and for every x when y does not require grad (which grad refuses)."""
    if isinstance(y, Tensor) and not y.requires_grad:
        return (None,) * len(xs)
    return grad(y, xs, grad_outputs=seed, create_graph=create_graph, allow_unused=True)


def _zeros_for(gs: Sequence[Tensor | None], xs: Sequence[Tensor]) -> tuple[Tensor, ...]:
    return tuple(Tensor._wrap(np.zeros_like(x.data)) if g is None else g for g, x in zip(gs, xs))


def _finish(ts: Sequence[Tensor], create_graph: bool) -> tuple[Tensor, ...]:
    return tuple(t if create_graph else t.detach() for t in ts)


@enable_grad()
def vjp(
    fn: Callable[..., Tensor], inputs: Inputs, v: Any = None, create_graph: bool = False
) -> tuple[Tensor, Any]:
    """``(fn(inputs), vᵀ ∂fn/∂inputs)``; ``v`` may be left out for one-element outputs."""
    single, xs = _leaves(inputs, create_graph)
    y = fn(*xs)
    if not isinstance(y, Tensor):
        raise TypeError(f"vjp: the function must return one Tensor, got {type(y).__name__}")
    # Checked here too when the output does not depend on the inputs (grad is not run).
    if v is None:
        if y.size != 1:
            raise ValueError(
                f"vjp: v is required for an output of more than one element (shape {y.shape})"
            )
        seed = None
    else:
        data = y._seed(v, "vjp: v", "the output")
        seed = v if isinstance(v, Tensor) else Tensor._wrap(data)
    out = _finish(_zeros_for(_grads(y, xs, seed, create_graph), xs), create_graph)
    return (y if create_graph else y.detach()), (out[0] if single else out)


@enable_grad()
def hvp(
    fn: Callable[..., Tensor], inputs: Inputs, v: Any, create_graph: bool = False
) -> tuple[Tensor, Any]:
    """``(fn(inputs), H v)`` for a scalar ``fn``, H its Hessian, without forming H:
    H v = ∂/∂x ⟨∂fn/∂x, v⟩, two reverse passes."""
    single, xs = _leaves(inputs, create_graph)
    vs = (v,) if single else tuple(v)
    if len(vs) != len(xs):
        raise ValueError(f"hvp: {len(xs)} inputs but {len(vs)} vectors v")
    seeds = []
    for i, (x, vi) in enumerate(zip(xs, vs)):
        vd = vi.data if isinstance(vi, Tensor) else np.asarray(vi, dtype=x.dtype)
        if vd.shape != x.shape:
            raise ValueError(f"hvp: v[{i}] has shape {vd.shape} but input {i} has shape {x.shape}")
        # With create_graph, H v stays differentiable with respect to v too (through a
        # cast to the input's dtype when v has another).
        if create_graph and isinstance(vi, Tensor):
            seeds.append(vi if vi.dtype == x.dtype else vi.astype(x.dtype))
        else:
            seeds.append(Tensor._wrap(vd))
    y = _scalar_output(fn, xs)
    gs = _grads(y, xs)
    live = [(g, s) for g, s in zip(gs, seeds) if g is not None and g.requires_grad]
    if not live:
        hv: tuple[Tensor | None, ...] = (None,) * len(xs)
    else:
        hv = grad(
            [g for g, _ in live],
            xs,
            grad_outputs=[s for _, s in live],
            create_graph=create_graph,
            allow_unused=True,
        )
    out = _finish(_zeros_for(hv, xs), create_graph)
    return (y if create_graph else y.detach()), (out[0] if single else out)


@enable_grad()
def jacobian(fn: Callable[..., Tensor], inputs: Inputs) -> Any:
    """The Jacobian of ``fn`` (one output Tensor): for each input, an array of shape
    ``output.shape + input.shape``. One reverse pass per output element."""
    single, xs = _leaves(inputs)
    y = fn(*xs)
    if not isinstance(y, Tensor):
        raise TypeError(f"the function must return a Tensor, got {type(y).__name__}")
    blocks = [np.zeros(y.shape + x.shape, dtype=np.result_type(y.dtype, x.dtype)) for x in xs]
    if y.requires_grad:
        for k in range(y.size):
            seed = np.zeros(y.shape, dtype=y.dtype)
            seed.reshape(-1)[k] = 1
            gs = grad(y, xs, grad_outputs=Tensor._wrap(seed), retain_graph=True, allow_unused=True)
            idx = np.unravel_index(k, y.shape)
            for block, g in zip(blocks, gs):
                if g is not None:
                    block[idx] = g.data
    out = tuple(Tensor._wrap(b) for b in blocks)
    return out[0] if single else out


@enable_grad()
def hessian(fn: Callable[..., Tensor], inputs: Inputs) -> Any:
    """The Hessian of a scalar ``fn``. For one input x, an array Tensor of shape
    ``x.shape + x.shape``; for several, a tuple of tuples: ``H[i][j]`` of shape
    ``inputs[i].shape + inputs[j].shape``. One reverse pass per input element."""
    single, xs = _leaves(inputs)
    y = _scalar_output(fn, xs)
    gs = _zeros_for(_grads(y, xs), xs)
    rows = []
    for gi, xi in zip(gs, xs):
        blocks = [np.zeros(xi.shape + xj.shape, dtype=xi.dtype) for xj in xs]
        if gi.requires_grad:
            for k in range(xi.size):
                seed = np.zeros(xi.shape, dtype=xi.dtype)
                seed.reshape(-1)[k] = 1
                hs = grad(
                    gi, xs, grad_outputs=Tensor._wrap(seed), retain_graph=True, allow_unused=True
                )
                idx = np.unravel_index(k, xi.shape)
                for block, h in zip(blocks, hs):
                    if h is not None:
                        block[idx] = h.data
        rows.append(tuple(Tensor._wrap(b) for b in blocks))
    return rows[0][0] if single else tuple(rows)

"""Compare a function's VJPs with float64 central differences.

For a random upstream gradient ``v`` (fixed seed) the analytic ``vᵀJ`` from the
engine is compared element by element with
``(⟨v, f(x + εeᵢ)⟩ − ⟨v, f(x − εeᵢ)⟩) / 2ε``. One backward and two forwards per
input element; exact enough in float64 to catch any wrong VJP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._typing import Array
from ..autograd import grad
from ..tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numerical_vjp"]

Outputs = Any  # a Tensor, or a tuple of Tensors (None entries count as zeros)


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences (or has the wrong shape)."""


def _outputs(result: Outputs) -> list[Tensor | None]:
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        return [r if r is None or isinstance(r, Tensor) else Tensor._wrap(r) for r in result]
    raise TypeError(f"the function must return a Tensor or a tuple of them, got {type(result)}")


def _project(outs: list[Tensor | None], vs: list[Array]) -> float:
    return float(sum(float(np.sum(o.data * v)) for o, v in zip(outs, vs) if o is not None))


def _as_float64_leaves(inputs: Sequence[Any]) -> list[Tensor]:
    leaves = []
    for x in inputs:
        if isinstance(x, Tensor):
            data = np.array(x.data, dtype=np.float64 if x.dtype.kind == "f" else x.dtype)
            leaves.append(Tensor(data, requires_grad=x.requires_grad))
        else:
            leaves.append(Tensor(np.asarray(x)))
    return leaves


def numerical_vjp(
    fn: Callable[..., Outputs],
    inputs: Sequence[Tensor],
    vs: Sequence[Array],
    index: int,
    eps: float,
) -> Array:
    """Central differences of ⟨v, fn(inputs)⟩ with respect to ``inputs[index]``."""
    x = inputs[index]
    flat = x.data.reshape(-1)
    out = np.zeros(flat.shape, dtype=np.float64)
    # Grad mode stays on: fn may itself take gradients (gradgradcheck's first derivatives).
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        plus = _project(_outputs(fn(*inputs)), list(vs))
        flat[i] = orig - eps
        minus = _project(_outputs(fn(*inputs)), list(vs))
        flat[i] = orig
        out[i] = (plus - minus) / (2 * eps)
    return out.reshape(x.shape)


def gradcheck(
    fn: Callable[..., Outputs],
    inputs: Sequence[Any] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s gradients with respect to every input that requires grad.

    Inputs are copied to float64 leaves first. Returns True, or raises
    :class:`GradcheckError` naming the input, the worst element's index and the
    analytic and numeric values.
    """
    xs = _as_float64_leaves([inputs] if isinstance(inputs, Tensor) else inputs)
    wanted = [i for i, x in enumerate(xs) if x.requires_grad]
    if not wanted:
        raise ValueError("gradcheck: no input requires grad")
    outs = _outputs(fn(*xs))
    rng = np.random.default_rng(seed)
    vs = [np.zeros(()) if o is None else rng.standard_normal(o.shape) for o in outs]
    live = [(o, v) for o, v in zip(outs, vs) if o is not None and o.requires_grad]
    analytic: list[Tensor | None] = [None] * len(wanted)
    if live:
        analytic = list(
            grad(
                [o for o, _ in live],
                [xs[i] for i in wanted],
                grad_outputs=[Tensor._wrap(v.astype(o.dtype)) for o, v in live],
                allow_unused=True,
            )
        )
    for i, a in zip(wanted, analytic):
        x = xs[i]
        a_data = np.zeros_like(x.data) if a is None else a.data
        if a_data.shape != x.shape:
            raise GradcheckError(
                f"gradient of input {i} has shape {a_data.shape}, expected {x.shape}"
            )
        if a_data.dtype != x.dtype:
            raise GradcheckError(
                f"gradient of input {i} has dtype {a_data.dtype}, expected {x.dtype}"
            )
        n = numerical_vjp(fn, xs, vs, i, eps)
        err = np.abs(a_data - n) - (atol + rtol * np.abs(n))
        bad = ~(err <= 0)
        if bad.any():
            flat = int(np.argmax(np.where(np.isnan(err), np.inf, err)))
            idx = np.unravel_index(flat, x.shape) if x.ndim else ()
            raise GradcheckError(
                f"gradient mismatch for input {i} (shape {x.shape}) "
                f"at index {tuple(map(int, idx))}: "
                f"analytic {float(a_data[idx]):.10g} vs numeric {float(n[idx]):.10g} "
                f"({int(bad.sum())} of {x.size} elements outside atol={atol}, rtol={rtol})"
            )
    return True


def gradgradcheck(
    fn: Callable[..., Outputs],
    inputs: Sequence[Any] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 1,
) -> bool:
    """Check second derivatives: gradcheck of ``x ↦ vᵀ ∂fn/∂x`` (built with
    ``create_graph=True``) against finite differences of the first derivatives.

    Those first derivatives run every VJP on Tensors, not on the arrays of a plain
    backward: they are first checked to equal the plain ones, since differentiating a
    wrong but smooth Tensor path would agree with its own finite differences."""
    xs = _as_float64_leaves([inputs] if isinstance(inputs, Tensor) else inputs)
    wanted = [i for i, x in enumerate(xs) if x.requires_grad]
    outs = _outputs(fn(*xs))
    rng = np.random.default_rng(seed)
    vs = [None if o is None else Tensor._wrap(rng.standard_normal(o.shape)) for o in outs]

    def first(args: Sequence[Tensor], create_graph: bool) -> tuple[Tensor | None, ...]:
        ys = _outputs(fn(*args))
        live = [(y, v) for y, v in zip(ys, vs) if y is not None and v is not None]
        live = [(y, v) for y, v in live if y.requires_grad]
        if not live:
            return tuple(None for _ in wanted)
        return grad(
            [y for y, _ in live],
            [args[i] for i in wanted],
            grad_outputs=[v for _, v in live],
            create_graph=create_graph,
            allow_unused=True,
        )

    for i, a, b in zip(wanted, first(xs, True), first(xs, False)):
        a_data = np.zeros(xs[i].shape) if a is None else a.data
        b_data = np.zeros(xs[i].shape) if b is None else b.data
        if not np.allclose(a_data, b_data, rtol=rtol, atol=atol, equal_nan=True):
            raise GradcheckError(
                f"first derivative of input {i} (shape {xs[i].shape}) differs between "
                f"create_graph=True and a plain backward: {a_data!r} vs {b_data!r}"
            )
    return gradcheck(
        lambda *args: first(args, True), xs, eps=eps, atol=atol, rtol=rtol, seed=seed + 1
    )

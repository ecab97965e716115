"""Compare a function's VJPs with float64 central differences.

For a random upstream gradient ``v`` (fixed seed) the analytic ``vᵀJ`` from the
engine is compared element by element with ``⟨v, f(x + εeᵢ) − f(x − εeᵢ)⟩ / 2ε``.
One backward and two forwards per input element; in float64 this catches a VJP
that is wrong by more than the tolerances (``atol + rtol·|numeric|``, PyTorch's
defaults).

A large output would drown an error elsewhere in the projection (a 10% error in
``x²`` beside ``1000·x``), so each output element's entry of ``v`` is divided by
the size of its row of J (when above 1), estimated from differences along a few
random directions: every output element then weighs about the same. Each output
is differenced before the projection, so no large value cancels a small change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._checks import real_number
from .._typing import Array
from ..autograd import grad
from ..engine import enable_grad
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


def _values(result: Outputs) -> list[Array | None]:
    """Copies of the outputs' data in float64 (an output may share memory with an input
    that the differencing is about to change back)."""
    return [None if o is None else np.array(o.data, dtype=np.float64) for o in _outputs(result)]


def _as_float64_leaves(inputs: Sequence[Any]) -> list[Any]:
    """Tensors and arrays as float64 (floating ones) C-ordered copies; anything else (an
    axis, an exponent) is passed to the function as it is."""
    leaves: list[Any] = []
    for x in inputs:
        if isinstance(x, (Tensor, np.ndarray)):
            data = x.data if isinstance(x, Tensor) else x
            dtype = np.float64 if data.dtype.kind == "f" else data.dtype
            requires_grad = isinstance(x, Tensor) and x.requires_grad
            leaves.append(Tensor(np.array(data, dtype=dtype, order="C"), requires_grad))
        else:
            leaves.append(x)
    return leaves


def _check_tolerances(eps: float, atol: float, rtol: float) -> None:
    real_number("eps", eps, 0, strict=True)
    real_number("atol", atol, 0)
    real_number("rtol", rtol, 0)


def _wanted(xs: Sequence[Any]) -> list[int]:
    return [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]


def numerical_vjp(
    fn: Callable[..., Outputs],
    inputs: Sequence[Tensor],
    vs: Sequence[Array],
    index: int,
    eps: float,
) -> Array:
    """Central differences of ⟨v, fn(inputs)⟩ with respect to ``inputs[index]``, element by
    element (any memory layout: each element is written through its index)."""
    x = inputs[index]
    data = x.data
    out = np.zeros(data.shape, dtype=np.float64)
    # Grad mode stays on: fn may itself take gradients (gradgradcheck's first derivatives).
    for idx in np.ndindex(data.shape):
        orig = data[idx]
        data[idx] = orig + eps
        plus = _values(fn(*inputs))
        data[idx] = orig - eps
        minus = _values(fn(*inputs))
        data[idx] = orig
        out[idx] = sum(
            float(np.sum(v * (p - m))) for p, m, v in zip(plus, minus, vs) if p is not None
        ) / (2 * eps)
    return out


def _row_scales(
    fn: Callable[..., Outputs], xs: Sequence[Any], wanted: Sequence[int], eps: float, rng: Any
) -> list[Array]:
    """For each output, per element, max(1, an estimate of the size of its row of J):
    the largest ``|J u|`` over three random directions ``u`` of all checked inputs at once
    (central differences; not finite, as at a kink: 1)."""
    origs = [xs[i].data.copy() for i in wanted]
    scales: list[Array] = []
    try:
        for _ in range(3):
            us = [rng.standard_normal(o.shape) for o in origs]
            values = []
            for step in (eps, -eps):
                for i, o, u in zip(wanted, origs, us):
                    np.copyto(xs[i].data, o + step * u)
                values.append(_values(fn(*xs)))
            for k, (p, m) in enumerate(zip(*values)):
                size = np.ones(()) if p is None else np.abs(p - m) / (2 * eps)
                size = np.where(np.isfinite(size), size, 1.0)
                if k == len(scales):
                    scales.append(np.maximum(size, 1.0))
                else:
                    scales[k] = np.maximum(scales[k], size)
    finally:
        for i, o in zip(wanted, origs):
            np.copyto(xs[i].data, o)
    return scales


@enable_grad()
def gradcheck(
    fn: Callable[..., Outputs],
    inputs: Sequence[Any] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s gradients with respect to every input that requires grad.

    Tensor and array inputs are copied to float64 leaves first; other inputs are passed
    as they are. Grad mode is on while it runs (inside ``no_grad()`` too). Returns True,
    or raises :class:`GradcheckError` naming the input, the worst element's index and
    the analytic and numeric values.
    """
    _check_tolerances(eps, atol, rtol)
    return _gradcheck(fn, inputs, eps, atol, rtol, seed)


def _gradcheck(
    fn: Callable[..., Outputs],
    inputs: Sequence[Any] | Tensor,
    eps: float,
    atol: float,
    rtol: float,
    seed: int,
    names: Sequence[str] = (),
) -> bool:
    """gradcheck's body; ``names`` (when given) names each input in errors."""
    xs = _as_float64_leaves([inputs] if isinstance(inputs, Tensor) else inputs)
    wanted = _wanted(xs)
    if not wanted:
        raise ValueError("gradcheck: no input requires grad")
    outs = _outputs(fn(*xs))
    if not outs:
        raise ValueError("gradcheck: the function returned no outputs to check")
    rng = np.random.default_rng(seed)
    vs = [np.zeros(()) if o is None else rng.standard_normal(o.shape) for o in outs]
    vs = [v / s for v, s in zip(vs, _row_scales(fn, xs, wanted, eps, rng))]
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
        what = names[i] if names else f"input {i}"
        a_data = np.zeros_like(x.data) if a is None else a.data
        if a_data.shape != x.shape:
            raise GradcheckError(f"gradient of {what} has shape {a_data.shape}, expected {x.shape}")
        if a_data.dtype != x.dtype:
            raise GradcheckError(f"gradient of {what} has dtype {a_data.dtype}, expected {x.dtype}")
        n = numerical_vjp(fn, xs, vs, i, eps)
        err = np.abs(a_data - n) - (atol + rtol * np.abs(n))
        bad = ~(err <= 0)
        if bad.any():
            flat = int(np.argmax(np.where(np.isnan(err), np.inf, err)))
            idx = np.unravel_index(flat, x.shape) if x.ndim else ()
            raise GradcheckError(
                f"gradient mismatch for {what} (shape {x.shape}) "
                f"at index {tuple(map(int, idx))}: "
                f"analytic {float(a_data[idx]):.10g} vs numeric {float(n[idx]):.10g} "
                f"({int(bad.sum())} of {x.size} elements outside atol={atol}, rtol={rtol})"
            )
    return True


@enable_grad()
def gradgradcheck(
    fn: Callable[..., Outputs],
    inputs: Sequence[Any] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 1,
) -> bool:
    """Check second derivatives: gradcheck of ``(x, v) ↦ vᵀ ∂fn/∂x`` (built with
    ``create_graph=True``) against finite differences of those first derivatives, in x
    and in the upstream gradient v (a VJP that cuts v off from the graph gives wrong
    Hessians of any function that feeds fn's output on).

    Those first derivatives run every VJP on Tensors, not on the arrays of a plain
    backward: they are first checked to equal the plain ones, since differentiating a
    wrong but smooth Tensor path would agree with its own finite differences."""
    _check_tolerances(eps, atol, rtol)
    xs = _as_float64_leaves([inputs] if isinstance(inputs, Tensor) else inputs)
    wanted = _wanted(xs)
    n = len(xs)
    outs = _outputs(fn(*xs))
    if not outs:
        raise ValueError("gradgradcheck: the function returned no outputs to check")
    rng = np.random.default_rng(seed)
    # One v per output that can carry a gradient, an input of the checked function too.
    live: list[int] = []
    vs: list[Tensor] = []
    for k, o in enumerate(outs):
        if o is not None and o.requires_grad:
            live.append(k)
            vs.append(Tensor(rng.standard_normal(o.shape), requires_grad=True))

    def first(args: Sequence[Any], create_graph: bool) -> tuple[Tensor | None, ...]:
        ys = _outputs(fn(*args[:n]))
        pairs: list[tuple[Tensor, Tensor]] = []
        for k, v in zip(live, args[n:]):
            y = ys[k]
            if y is not None and y.requires_grad:
                pairs.append((y, v))
        if not pairs:
            return tuple(None for _ in wanted)
        return grad(
            [y for y, _ in pairs],
            [args[i] for i in wanted],
            grad_outputs=[v for _, v in pairs],
            create_graph=create_graph,
            allow_unused=True,
        )

    args = [*xs, *vs]
    for i, a, b in zip(wanted, first(args, True), first(args, False)):
        a_data = np.zeros(xs[i].shape) if a is None else a.data
        b_data = np.zeros(xs[i].shape) if b is None else b.data
        if not np.allclose(a_data, b_data, rtol=rtol, atol=atol, equal_nan=True):
            raise GradcheckError(
                f"first derivative of input {i} (shape {xs[i].shape}) differs between "
                f"create_graph=True and a plain backward: {a_data!r} vs {b_data!r}"
            )
    names = [f"input {i}" for i in range(n)]
    names += [f"the upstream gradient of output {k}" for k in live]
    return _gradcheck(lambda *a: first(a, True), args, eps, atol, rtol, seed + 1, names)

"""Adam: bias-corrected moving averages of the gradient and its square."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..versions import bump
from .optimizer import Optimizer, _check_nonneg

__all__ = ["Adam"]


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)``, with
    PyTorch's rule (L2 weight decay added to the gradient, not decoupled). For each
    parameter p with gradient g (skipped when ``p.grad`` is None), at step t = 1, 2, …::

        g = g + weight_decay · p
        m = m + (1 − β₁)(g − m)          (β₁ m + (1 − β₁) g, as PyTorch's lerp computes it)
        v = β₂ v + (1 − β₂) g²
        p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
    """

    state_arrays = ("exp_avg", "exp_avg_sq")
    state_scalars = ("step",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _validate(self, hyper: Mapping[str, Any]) -> list[str]:
        problems = [
            msg
            for key in ("lr", "eps", "weight_decay")
            if (msg := _check_nonneg(key, hyper[key])) is not None
        ]
        betas = hyper["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            problems.append(f"betas must be a pair of numbers, got {betas!r}")
        else:
            for j, b in enumerate(betas):
                ok = isinstance(b, (int, float, np.floating, np.integer)) and not isinstance(
                    b, bool
                )
                if not ok or not 0.0 <= b < 1.0:
                    problems.append(f"invalid beta parameter at index {j}: {b} (must be in [0, 1))")
        return problems

    def step(self) -> None:
        for i, p, group, g in self._with_grads():
            # Python floats: a NumPy float64 hyperparameter would promote float32 parameters.
            lr, eps, wd = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
            beta1, beta2 = (float(b) for b in group["betas"])
            if wd != 0:
                g = g + wd * p.data
            state = self.state.get(i)
            if state is None:
                state = {
                    "step": 0,
                    "exp_avg": np.zeros_like(p.data),
                    "exp_avg_sq": np.zeros_like(p.data),
                }
                self.state[i] = state
            state["step"] += 1
            t = state["step"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m += (1 - beta1) * (g - m)
            v *= beta2
            v += (1 - beta2) * (g * g)
            step_size = lr / (1 - beta1**t)
            denom = np.sqrt(v) / math.sqrt(1 - beta2**t) + eps
            # Out of place: arrays that views of p (p.T, p.reshape) share stay as the
            # graphs that used them saw them; graphs reading p itself see _version.
            p.data = np.asarray(p.data - step_size * (m / denom), dtype=p.dtype)
            bump(p)

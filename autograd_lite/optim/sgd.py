"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from ..versions import bump
from .optimizer import Optimizer, _check_nonneg

__all__ = ["SGD"]


class SGD(Optimizer):
    """``SGD(params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)``,
    PyTorch's arguments, in its order, and its rule.

    For each parameter p with gradient g (skipped when ``p.grad`` is None)::

        d = g + weight_decay · p
        b = d on the first step, else momentum · b + (1 − dampening) · d   (momentum ≠ 0)
        d = d + momentum · b if nesterov else b                            (momentum ≠ 0)
        p = p − lr · d

    Nesterov momentum needs momentum > 0 and dampening = 0.
    """

    state_arrays = ("momentum_buffer",)
    added_defaults: ClassVar[Mapping[str, Any]] = {"dampening": 0.0}

    def __init__(
        self,
        params: Iterable[Any],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _validate(self, hyper: Mapping[str, Any]) -> list[str]:
        problems = [
            msg
            for key in ("lr", "momentum", "dampening", "weight_decay")
            if (msg := _check_nonneg(key, hyper[key])) is not None
        ]
        momentum, dampening = hyper["momentum"], hyper["dampening"]
        if not isinstance(hyper["nesterov"], (bool, np.bool_)):
            problems.append(f"nesterov must be a bool, got {hyper['nesterov']!r}")
        elif hyper["nesterov"]:
            if _check_nonneg("momentum", momentum) is None and momentum == 0:
                problems.append("nesterov momentum needs momentum > 0")
            if _check_nonneg("dampening", dampening) is None and dampening != 0:
                problems.append(f"nesterov momentum needs dampening = 0, got {dampening!r}")
        return problems

    def step(self) -> None:
        for i, p, group, g in self._with_grads():
            # Python floats: a NumPy float64 hyperparameter would promote float32 parameters.
            lr, momentum = float(group["lr"]), float(group["momentum"])
            dampening = float(group["dampening"])
            wd, nesterov = float(group["weight_decay"]), group["nesterov"]
            d = g + wd * p.data if wd != 0 else g
            if momentum != 0:
                state = self.state.get(i)
                if state is None:
                    # np.array: an array even for a 0-d parameter, whose d is a NumPy scalar.
                    buf = np.array(d, dtype=p.dtype)
                    self.state[i] = {"momentum_buffer": buf}
                else:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += d if dampening == 0 else (1 - dampening) * d
                d = d + momentum * buf if nesterov else buf
            # Out of place: arrays that views of p (p.T, p.reshape) share stay as the
            # graphs that used them saw them; graphs reading p itself see _version.
            p.data = np.asarray(p.data - lr * d, dtype=p.dtype)
            bump(p)

"""Optimizers that update parameters in place from their ``.grad``: ``SGD`` and ``Adam``,
following PyTorch's update rules (the same numbers for the same gradients)."""

from __future__ import annotations

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]

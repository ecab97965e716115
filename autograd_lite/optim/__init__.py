"""Optimizers that update parameters from their ``.grad``: ``SGD`` and ``Adam``, following
PyTorch's update rules (the same numbers for the same gradients). Each step gives a
parameter a new array and bumps its version."""

from __future__ import annotations

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]

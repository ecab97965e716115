"""Neural-network building blocks: modules, layers, initialisers and losses.

``Module`` trees register their ``Parameter``s on attribute assignment;
``Linear`` follows the row convention ``Y = X W + b`` of derivations 000/001;
:mod:`~autograd_lite.nn.functional` holds the fused losses and
:mod:`~autograd_lite.nn.init` the initialisers.
"""

from __future__ import annotations

from . import functional, init
from .layers import MLP, Linear, ReLU, Sigmoid, Tanh
from .module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "MLP",
    "Linear",
    "Module",
    "ModuleList",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "functional",
    "init",
]

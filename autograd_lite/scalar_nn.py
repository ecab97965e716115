"""Neuron, Layer and MLP over :class:`~autograd_lite.scalar.Scalar`: the classic scalar net.

A neuron is ``act(Σᵢ wᵢxᵢ + b)`` built as one :meth:`Scalar.dot` node (the affine
layer of derivation 000 for one output) and one activation node, so a layer of n
neurons on m inputs adds 2n nodes to the graph rather than n(2m + 1). The weights
start uniform in [−1, 1) from a seedable ``random.Random`` and the biases at 0.

    model = MLP(2, [16, 16, 1])
    loss = Scalar.sum((1 - y * model(x)).relu() for x, y in data)
    loss.backward()
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .scalar import Scalar

__all__ = ["MLP", "Layer", "Module", "Neuron"]

_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def _size(where: str, what: str, n: object) -> int:
    """A layer size: a positive integer (a NumPy integer too, not a bool), or a clear error."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{where}: {what} must be a positive integer, got {n!r}")
    return int(n)


def _check_rng(where: str, rng: object) -> None:
    if rng is not None and not isinstance(rng, random.Random):
        raise TypeError(
            f"{where}: rng must be a random.Random or None, got {type(rng).__name__} "
            "(for a seed, pass random.Random(seed))"
        )


def _sizes(where: str, nouts: object) -> list[object]:
    """The layer sizes as a list, or a TypeError for a value that is not a sequence of them."""
    if isinstance(nouts, Iterable) and not isinstance(nouts, (str, bytes)):
        try:
            return list(nouts)
        except TypeError:
            pass  # a 0-d array is Iterable but cannot be iterated
    raise TypeError(
        f"{where}: nouts must be a sequence of layer sizes (as [16, 16, 1]), got {nouts!r}"
    )


def _check_act(where: str, act: object) -> None:
    if act not in _ACTIVATIONS:
        raise ValueError(f"{where}: unknown activation {act!r}; expected one of {_ACTIVATIONS}")


class Module:
    """What the three classes share: their parameters and ``zero_grad``."""

    def parameters(self) -> list[Scalar]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None


class Neuron(Module):
    """``act(w · x + b)`` for ``nin`` inputs; ``act`` is relu, tanh, sigmoid or linear."""

    def __init__(self, nin: int, act: str = "relu", rng: random.Random | None = None) -> None:
        _check_act("Neuron", act)
        _check_rng("Neuron", rng)
        nin = _size("Neuron", "nin", nin)
        r = rng if rng is not None else random.Random()
        self.w = [Scalar(r.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = Scalar(0.0)
        self.act = act
        self._act: Callable[[Scalar], Scalar] | None = (
            None if act == "linear" else getattr(Scalar, act)
        )

    def __call__(self, x: Sequence[Any]) -> Scalar:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        z = Scalar.dot(self.w, x, self.b)
        return z if self._act is None else self._act(z)

    def parameters(self) -> list[Scalar]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, act={self.act!r})"


class Layer(Module):
    """``nout`` neurons that each see all ``nin`` inputs."""

    def __init__(
        self, nin: int, nout: int, act: str = "relu", rng: random.Random | None = None
    ) -> None:
        _check_act("Layer", act)
        _check_rng("Layer", rng)
        nin, nout = _size("Layer", "nin", nin), _size("Layer", "nout", nout)
        self.neurons = [Neuron(nin, act, rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Any]) -> list[Scalar]:
        # Numbers become constants once here, not once per neuron.
        xs = [v if isinstance(v, Scalar) else Scalar(v, requires_grad=False) for v in x]
        return [n(xs) for n in self.neurons]

    def parameters(self) -> list[Scalar]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer({len(self.neurons[0].w)}, {len(self.neurons)}, act={self.neurons[0].act!r})"


class MLP(Module):
    """Layers ``nin → nouts[0] → … → nouts[-1]``: ``act`` inside, a linear last layer.

    Called on one example (a sequence of numbers or Scalars), it returns a Scalar when
    the last layer has one neuron and a list otherwise. ``seed`` fixes the weights.
    """

    def __init__(
        self, nin: int, nouts: Sequence[int], act: str = "relu", seed: int | None = None
    ) -> None:
        outs = _sizes("MLP", nouts)
        if not outs:
            raise ValueError("MLP: nouts must name at least one layer size")
        # Checked here even when only the linear last layer exists, which never uses it.
        _check_act("MLP", act)
        sizes = [_size("MLP", "nin", nin)] + [_size("MLP", "each layer size", n) for n in outs]
        rng = random.Random(seed)
        last = len(outs) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], act if i < last else "linear", rng)
            for i in range(len(outs))
        ]

    def __call__(self, x: Sequence[Any]) -> Any:
        h: Sequence[Any] = x
        for layer in self.layers:
            h = layer(h)
        return h[0] if len(h) == 1 else h

    def parameters(self) -> list[Scalar]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(repr(layer) for layer in self.layers) + ")"

"""The demo's figure: decision boundary and loss curve (needs matplotlib, the ``plot`` extra)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import nn
from ._typing import Array
from .engine import no_grad
from .tensor import Tensor

__all__ = ["plot_demo"]


def plot_demo(path: str, model: nn.Module, X: Array, y: Array, losses: Sequence[float]) -> None:
    """Write a PNG: the decision regions of ``model`` over the points ``X`` coloured by
    ``y``, beside the per-epoch training loss."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lo, hi = X.min(axis=0) - 0.25, X.max(axis=0) + 0.25
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    with no_grad():
        zz = model(Tensor(grid)).data.argmax(axis=1).reshape(gx.shape)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4.5))
    ax0.contourf(gx, gy, zz, alpha=0.3, cmap="brg")
    ax0.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="brg")
    ax0.set_title("decision boundary")
    ax1.plot(np.arange(1, len(losses) + 1), losses)
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("training loss")
    ax1.set_yscale("log")
    ax1.set_title("loss")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)

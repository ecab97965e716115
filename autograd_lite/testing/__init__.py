"""Tools to test gradients: ``gradcheck``, ``gradgradcheck`` and hypothesis ``strategies``.

The package's own test suite uses exactly these, so users property-test their
functions and custom ops the same way.
"""

from __future__ import annotations

from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_vjp

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numerical_vjp", "strategies"]


def __getattr__(name: str) -> object:
    # hypothesis is needed only for the strategies, so they load on first use.
    if name == "strategies":
        import importlib

        return importlib.import_module(".strategies", __name__)
    raise AttributeError(name)

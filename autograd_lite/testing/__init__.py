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

        try:
            return importlib.import_module(".strategies", __name__)
        except ModuleNotFoundError as e:
            if e.name != "hypothesis":
                raise
            raise ModuleNotFoundError(
                "autograd_lite.testing.strategies needs hypothesis: pip install hypothesis "
                "(or pip install -e '.[dev]' in a checkout)",
                name="hypothesis",
            ) from None
    raise AttributeError(name)

"""The ops, grouped by family. Each op is one class with ``forward`` beside ``vjp``."""

from __future__ import annotations

from .base import REGISTRY, Op

__all__ = ["REGISTRY", "Op"]

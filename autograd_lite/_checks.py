"""The argument check the package's public functions share: a finite real number."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["real_number"]


def real_number(
    what: str,
    value: object,
    minimum: float | None = None,
    *,
    integer: bool = False,
    strict: bool = False,
) -> None:
    """Raise TypeError unless ``value`` is a real number (an integer with ``integer``; a
    bool is neither), and ValueError unless it is finite and at least ``minimum`` (above
    it with ``strict``). ``what`` names the argument in the message."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kinds):
        kind = "an integer" if integer else "a real number"
        raise TypeError(f"{what} must be {kind}, got {value!r}")
    # An int is finite however large (math.isfinite would overflow converting 10**400).
    finite = isinstance(value, (int, np.integer)) or math.isfinite(value)
    above = minimum is None or (value > minimum if strict else value >= minimum)
    if not (finite and above):
        bound = "" if minimum is None else f" and {'>' if strict else '>='} {minimum}"
        raise ValueError(f"{what} must be finite{bound}, got {value!r}")

"""Type aliases shared by the package."""

from __future__ import annotations

from typing import Any, Union

import numpy.typing as npt

__all__ = ["Array", "AxisLike", "DTypeLike", "Shape"]

Array = npt.NDArray[Any]
AxisLike = Union[int, tuple[int, ...], None]
DTypeLike = npt.DTypeLike
Shape = tuple[int, ...]

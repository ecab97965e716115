"""Shared checks for the op tests: gradcheck on float64 leaves, dtype kept in float32, and
the integer dtypes to try."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_lite import Tensor
from autograd_lite.testing import gradcheck

#: bool and every integer dtype, for ops that convert them to floating point.
INTEGER_DTYPES = [
    np.bool_,
    np.int8,
    np.uint8,
    np.int16,
    np.uint16,
    np.int32,
    np.uint32,
    np.int64,
    np.uint64,
]


def check_grad(fn: Callable[..., Any], *arrays: np.ndarray, **kwargs: Any) -> None:
    """gradcheck ``fn`` with every array as a float64 leaf that requires grad."""
    assert gradcheck(fn, [Tensor(a, requires_grad=True) for a in arrays], **kwargs)


def check_float32(fn: Callable[..., Any], *arrays: Sequence[Any] | np.ndarray) -> None:
    """float32 inputs give a float32 output and float32 gradients of their shapes."""
    xs = [Tensor(np.asarray(a, dtype=np.float32), requires_grad=True) for a in arrays]
    out = fn(*xs)
    assert out.dtype == np.float32, f"output dtype {out.dtype}"
    out.backward(np.ones(out.shape, dtype=np.float32))
    for x in xs:
        assert x.grad is not None
        assert x.grad.dtype == np.float32, f"grad dtype {x.grad.dtype}"
        assert x.grad.shape == x.shape

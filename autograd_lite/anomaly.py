"""Anomaly mode: find the op that first turns finite values into NaN or inf.

Inside ``with ag.detect_anomaly():`` (per thread and asyncio task) every recorded node remembers
the line of user code that created it. In backward, the first VJP that maps a
finite incoming gradient to a NaN/inf gradient raises FloatingPointError naming
the op and that line, as does the sum of two finite gradients of one value that
overflows; with ``check_forward=True`` a forward that maps finite inputs to a
NaN/inf output raises at once. Outside the mode nothing is recorded
or checked (the engine pays one flag check) and NaN simply propagates.
"""

from __future__ import annotations

import linecache
import os
import sys
from types import TracebackType
from typing import Any

import numpy as np

from . import engine

__all__ = ["detect_anomaly", "is_anomaly_enabled"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on in the running thread (or asyncio task)."""
    return engine.mode().anomaly


class detect_anomaly:
    """Context manager: record where each node is created and raise FloatingPointError at
    the first op whose backward (or, with ``check_forward=True``, forward) turns finite
    values into NaN/inf. Slow; meant for debugging. Per thread, nestable."""

    def __init__(self, check_forward: bool = False) -> None:
        self.check_forward = check_forward
        self._prev: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        current = engine.mode()
        self._prev.append((current.anomaly, current.check_forward))
        engine.set_mode(engine.mode_with(anomaly=True, check_forward=self.check_forward))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        anomaly, check_forward = self._prev.pop()
        engine.set_mode(engine.mode_with(anomaly=anomaly, check_forward=check_forward))


def user_site() -> str:
    """``file:line (code)`` of the innermost frame outside autograd_lite."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    code = linecache.getline(filename, lineno).strip()
    site = f"{filename}:{lineno} in {frame.f_code.co_name}"
    return f"{site}: {code}" if code else site


def _data(x: Any) -> Any:
    return getattr(x, "data", x)


def _finite(x: Any) -> bool:
    if x is None:
        return True
    arr = np.asarray(_data(x))
    if arr.dtype.kind not in "fc":
        return True
    return bool(np.isfinite(arr).all())


def record(node: Any, inputs: tuple[Any, ...], op_name: str) -> None:
    """Called by ``Op.apply`` in anomaly mode: remember where ``node`` was created and,
    with ``check_forward``, check its value."""
    site = user_site()
    try:
        node._trace = site
    except AttributeError:
        pass
    if engine.mode().check_forward and not _finite(node) and all(_finite(x) for x in inputs):
        raise FloatingPointError(
            f"forward of {op_name} produced NaN/inf from finite inputs "
            f"(input shapes: {', '.join(str(np.shape(_data(x))) for x in inputs)}); "
            f"created at {site}"
        )


def check_backward(node: Any, g: Any, grads: Any) -> None:
    """Called by the engine in anomaly mode after each VJP: raise if a finite incoming
    gradient became NaN/inf."""
    if not _finite(g):
        return
    for i, gi in enumerate(grads):
        if not _finite(gi):
            name = node._op.name
            site = getattr(node, "_trace", None)
            where = (
                f"the {name} node was created at {site}"
                if site is not None
                else f"where the {name} node was created is unknown: it was made outside "
                "detect_anomaly(), or by the Scalar engine, which does not record it"
            )
            raise FloatingPointError(
                f"backward of {name} turned a finite gradient into NaN/inf "
                f"(gradient for input {i}, shape {np.shape(_data(gi))}); {where}"
            )


def check_sum(node: Any, old: Any, new: Any, total: Any) -> None:
    """Called by the engine in anomaly mode when two gradients of ``node`` are added:
    raise if finite ones add up to inf (which the next VJP would pass on unnamed)."""
    if not _finite(total) and _finite(old) and _finite(new):
        op = getattr(node, "_op", None)
        what = "a leaf" if op is None else f"the output of {op.name}"
        site = getattr(node, "_trace", None)
        where = "" if site is None else f", created at {site}"
        raise FloatingPointError(
            f"two finite gradients of {what} (shape {np.shape(_data(node))}{where}) "
            "added up to NaN/inf"
        )

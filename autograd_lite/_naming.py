"""Names for the values of a graph, shared by ``explain`` and ``draw_graph``.

The user's own variable names come first (taken from a mapping such as
``locals()``, or from the caller's frame); other values are numbered by kind:
``matmul1``, ``add2`` for op outputs, ``leaf1`` for unnamed leaves that require
grad, ``const1`` for constants.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

__all__ = ["Namer", "caller_names", "names_from", "op_name"]


def op_name(op: Any) -> str:
    return str(getattr(op, "name", None) or getattr(op, "__name__", type(op).__name__))


class Namer:
    """Names nodes: the user's variable names first, then ``op<k>`` / ``leaf<k>`` / ``const<k>``."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = dict(names)
        self.counts: dict[str, int] = {}
        # Numbered names skip the user's: a variable called relu1 and an unnamed relu
        # output must not share a name (explain looks steps up by name).
        self.taken = set(names.values())

    def __call__(self, node: Any) -> str:
        key = id(node)
        name = self.names.get(key)
        if name is None:
            if node._op is not None:
                base = op_name(node._op)
            else:
                base = "leaf" if node.requires_grad else "const"
            k = self.counts.get(base, 0) + 1
            while f"{base}{k}" in self.taken:
                k += 1
            self.counts[base] = k
            name = f"{base}{k}"
            self.names[key] = name
            self.taken.add(name)
        return name

    def names_by_value(self, nodes: list[Any]) -> dict[str, Any]:
        """name → node for ``nodes``, the form ``explain(names=...)`` takes."""
        return {self(n): n for n in nodes}


def names_from(mapping: Any) -> dict[int, str]:
    """id → variable name for every graph value in ``mapping`` (e.g. ``locals()``), and
    for the parameters of every module in it."""
    out: dict[int, str] = {}
    if mapping is None:
        return out
    for name, value in dict(mapping).items():
        if not isinstance(name, str) or name.startswith("_"):
            continue
        if hasattr(value, "_op") and hasattr(value, "_parents"):
            out.setdefault(id(value), name)
        elif callable(getattr(value, "named_parameters", None)) and not isinstance(value, type):
            # An nn.Module: its parameters by their dotted names, e.g. ``model.net.0.weight``.
            for pname, param in value.named_parameters():
                out.setdefault(id(param), f"{name}.{pname}")
    return out


def caller_names(depth: int) -> dict[int, str]:
    """The variable names of the frame ``depth`` levels above the caller."""
    frame: FrameType | None = sys._getframe(depth + 1)
    if frame is None:
        return {}
    try:
        return names_from(frame.f_locals)
    finally:
        del frame

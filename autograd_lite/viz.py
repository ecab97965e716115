"""``ag.draw_graph``: the computation graph as a ``graphviz.Digraph``.

Each value is a box (its name, shape and dtype; the numbers themselves for
Scalars and small tensors, and its gradient when known), each op an ellipse
between its inputs and its output. The graph is walked iteratively, so deep
graphs draw as well as shallow ones. Needs the ``graphviz`` Python package (the
``viz`` extra); rendering the picture also needs Graphviz's ``dot`` program, but
building the graph and reading its DOT ``source`` do not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import real_number
from ._naming import Namer, caller_names, names_from, op_name
from .explain import explain
from .versions import redirect_rewritten_parents, rewrites

__all__ = ["draw_graph"]

_MISSING = (
    "draw_graph() needs the graphviz Python package: pip install graphviz (in a checkout, "
    "the viz extra: pip install -e '.[viz]'); rendering images also needs Graphviz's "
    "`dot` program"
)


#: Graphviz's rank directions: top to bottom, left to right, and their reverses.
_RANKDIRS = ("TB", "LR", "BT", "RL")


def _forward_order(root: Any) -> list[Any]:
    """Every value reachable from ``root``, each after all of its inputs (iterative DFS).
    Edges made before an in-place write are first pointed at the values they saw, as
    backward does: until then ``h[0] = f(h)`` reads as a cycle through ``h``."""
    if rewrites.seen:
        redirect_rewritten_parents([root])
    order: list[Any] = []
    done: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if key in done:
            continue
        if expanded:
            done.add(key)
            order.append(node)
            continue
        stack.append((node, True))
        if node._op is not None:
            parents = node._parents
            if parents is None:
                raise RuntimeError(
                    "draw_graph(): this graph was freed by backward(); draw it before, "
                    "or pass retain_graph=True to backward()"
                )
            for p in reversed(parents):
                if id(p) not in done:
                    stack.append((p, False))
    return order


def _numbers(v: Any, max_values: int) -> str | None:
    """The values of ``v`` as short text when there are at most ``max_values`` of them."""
    if hasattr(v, "_op"):
        v = v.data
    if isinstance(v, (int, float)):
        return f"{float(v):.4g}" if max_values >= 1 else None
    arr = np.asarray(v)
    if arr.size > max_values:
        return None
    if arr.ndim == 0:
        return f"{arr.item():.4g}"
    return np.array2string(arr, precision=4, separator=", ", suppress_small=True)


def _label(name: str, node: Any, grad: Any, max_values: int) -> str:
    data = node.data
    lines = [name]
    if isinstance(data, np.ndarray):
        lines.append(f"{tuple(data.shape)} {data.dtype}")
    values = _numbers(data, max_values)
    if values is not None:
        lines.append(f"data {values}")
    if grad is not None:
        g = _numbers(grad, max_values)
        shape = tuple(np.shape(grad.data if hasattr(grad, "_op") else grad))
        lines.append(f"grad {g}" if g is not None else f"grad {shape}")
    return "\n".join(lines)


def _check_arguments(y: Any, max_values: Any, rankdir: Any) -> None:
    if not all(hasattr(y, a) for a in ("_op", "_parents", "data")):
        raise TypeError(f"draw_graph(): y must be a Tensor or a Scalar, got {type(y).__name__}")
    real_number("draw_graph(): max_values", max_values, 0, integer=True)
    if not isinstance(rankdir, str) or rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph(): rankdir must be one of {_RANKDIRS}, got {rankdir!r}")


def draw_graph(
    y: Any,
    names: Any = None,
    grads: bool = False,
    grad: Any = None,
    max_values: int = 6,
    rankdir: str = "LR",
) -> Any:
    """The graph that computed ``y`` as a ``graphviz.Digraph``.

    ``names`` maps variable names to values (``locals()`` works; by default the
    caller's local variables). Boxes show ``.grad`` where a value has one; with
    ``grads=True`` every value shows d(y)/d(value), computed as :func:`explain`
    does (no ``.grad`` changes; ``grad`` seeds it when ``y`` has several elements).
    Values with at most ``max_values`` elements show their numbers. ``rankdir`` is
    Graphviz's direction of the layout: TB, LR, BT or RL. Display it in a notebook, or
    ``.render()`` it (needs Graphviz's ``dot`` program).
    """
    _check_arguments(y, max_values, rankdir)
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(_MISSING) from e
    known = caller_names(1) if names is None else names_from(names)
    order = _forward_order(y)
    namer = Namer(known)
    for node in order:
        namer(node)
    node_grads: dict[str, Any] = {}
    if grads:
        for step in explain(y, grad=grad, names=namer.names_by_value(order), quiet=True):
            node_grads[step.name] = step.grad
    dot = graphviz.Digraph(
        name="autograd_lite",
        graph_attr={"rankdir": rankdir},
        node_attr={"fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    ids = {id(node): f"v{k}" for k, node in enumerate(order)}
    for k, node in enumerate(order):
        name = namer(node)
        g = node_grads.get(name, getattr(node, "grad", None))
        style: dict[str, str] = {"shape": "box"}
        if node._op is None:
            style.update(style="filled", fillcolor="lightblue" if node.requires_grad else "gray90")
        if node is y:
            style["penwidth"] = "2"
        dot.node(ids[id(node)], _label(name, node, g, max_values), **style)
        if node._op is not None:
            op_id = f"op{k}"
            dot.node(op_id, op_name(node._op), shape="ellipse")
            for i, p in enumerate(node._parents):
                attrs = {"label": str(i)} if len(node._parents) > 1 else {}
                dot.edge(ids[id(p)], op_id, **attrs)
            dot.edge(op_id, ids[id(node)])
    return dot

"""``ag.explain``: the backward pass written out step by step, as one would by hand.

For every node in the order the engine visits it, a :class:`Step` records the op,
the formula of its VJP, the incoming gradient ``G`` and, for each input, the
shape of its gradient and the axes summed to undo broadcasting (the rule behind
every bias gradient: ``db = Σ over axis 0 of G: (32, 4) → (4,)``). The records
come from the engine itself through its observer hook, so the order shown is the
order it runs. ``explain`` runs that pass in the engine's capture mode: no
``.grad`` changes and the graph is kept. It works for any node of the engine's
contract (Tensor and Scalar).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from . import engine
from ._naming import Namer, caller_names, names_from, op_name
from ._typing import Shape
from .ops.dual import summed_axes
from .scalar import Scalar
from .tensor import Tensor

__all__ = ["Explanation", "InputGrad", "Step", "explain"]


@dataclass(frozen=True)
class InputGrad:
    """What one step sends to one of its inputs."""

    name: str
    shape: Shape
    requires_grad: bool
    #: The gradient brought to the input's shape (None when not needed or not reached).
    grad: Any
    #: The shape the VJP returned, before the engine summed broadcast axes away.
    vjp_shape: Shape | None
    summed_axes: tuple[int, ...]
    #: Whether the VJP passed ``G`` itself on (as ``add`` does), for the wording.
    is_incoming: bool


@dataclass(frozen=True)
class Step:
    """One node of the reverse pass: an op applying its VJP, or a leaf receiving ``G``."""

    index: int
    name: str
    op: str | None
    formula: str
    shape: Shape
    grad: Any
    grad_shape: Shape | None
    inputs: tuple[InputGrad, ...]

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    def lines(self) -> list[str]:
        """The step as a user would write it, one line per fact."""
        head = f"{self.index:>2}. "
        pad = " " * len(head)
        if self.op is None:
            if self.grad is None:
                return [f"{head}{self.name}: no gradient reaches it"]
            return [f"{head}{self.name}.grad += G{_value(self.grad)}"]
        args = ", ".join(i.name for i in self.inputs)
        lines = [f"{head}{self.name} = {self.op}({args})"]
        if self.formula:
            lines.append(f"{pad}VJP: {self.formula}{_where(self.formula, self.inputs)}")
        shapes = ", ".join(f"{i.name} {_fmt_shape(i.shape)}" for i in self.inputs)
        if self.grad is None:
            lines.append(f"{pad}no gradient reaches it; inputs {shapes}")
            return lines
        if isinstance(self.grad, (np.ndarray, np.generic)):
            lines.append(f"{pad}G{_value(self.grad)};  inputs {shapes}")
        else:
            # A Scalar graph: every shape is (), the numbers say more.
            lines.append(f"{pad}G{_value(self.grad)}")
        for i in self.inputs:
            lines.append(pad + _input_line(i))
        return lines


class Explanation(list[Step]):
    """The steps of a backward pass; ``str()`` gives the printed walk-through."""

    def __str__(self) -> str:
        return "\n".join(line for step in self for line in step.lines())

    def step(self, name: str) -> Step:
        """The step of the node called ``name``."""
        for s in self:
            if s.name == name:
                return s
        raise KeyError(f"no step for a node named {name!r}; names: {[s.name for s in self]}")


def _fmt_shape(shape: Shape | None) -> str:
    return "?" if shape is None else str(tuple(int(n) for n in shape))


def _shape(v: Any) -> Shape:
    return tuple(np.shape(v.data if hasattr(v, "_op") else v))


def _raw(v: Any) -> Any:
    """A gradient's value without its graph (a Tensor under create_graph gives its data)."""
    return v.data if hasattr(v, "_op") else v


def _value(v: Any) -> str:
    """``: shape`` for arrays (with the number when there is one), `` = number`` for a
    Scalar's float gradient: what follows a gradient's name in the printout."""
    if isinstance(v, (np.ndarray, np.generic)):
        text = f": {_fmt_shape(np.shape(v))}"
        return f"{text} = {v.item():.4g}" if np.size(v) == 1 else text
    if isinstance(v, (int, float)):
        return f" = {float(v):.4g}"
    return f": {_fmt_shape(np.shape(v))}"


def _where(formula: str, inputs: tuple[InputGrad, ...]) -> str:
    """``  (x = matmul1, y = b)``: the formula's letters bound to this step's inputs, when
    the formula names one gradient per input (``dx = …;  dy = …``)."""
    letters = []
    for part in formula.split(";"):
        lhs = part.split("=")[0].strip()
        if not (lhs.startswith("d") and len(lhs) > 1 and lhs[1:].isidentifier()):
            return ""
        letters.append(lhs[1:])
    if len(letters) != len(inputs) or all(a == i.name for a, i in zip(letters, inputs)):
        return ""
    return "   (" + ", ".join(f"{a} = {i.name}" for a, i in zip(letters, inputs)) + ")"


def _input_line(i: InputGrad) -> str:
    d = f"d{i.name}" if i.name.isidentifier() else f"d({i.name})"
    if not i.requires_grad:
        return f"{d}: not needed ({i.name} does not require grad)"
    if i.grad is None:
        return f"{d}: none (the VJP returned no gradient for it)"
    if i.summed_axes:
        n = len(i.summed_axes)
        axes = ", ".join(map(str, i.summed_axes))
        what = "G" if i.is_incoming else "the VJP's result"
        word = "axis" if n == 1 else "axes"
        return (
            f"{d} = Σ over {word} {axes} of {what}: "
            f"{_fmt_shape(i.vjp_shape)} → {_fmt_shape(i.shape)}"
        )
    return f"{d}{_value(i.grad)}"


class _Recorder:
    """The engine observer: keeps what each visited node saw, names assigned at the end."""

    def __init__(self) -> None:
        self.seen: list[tuple[Any, Any, tuple[Any, ...], list[Any], list[Any]]] = []

    def __call__(self, node: Any, g: Any, pgrads: Any) -> None:
        parents: tuple[Any, ...] = () if pgrads is None else tuple(node._parents)
        raws = [] if pgrads is None else list(pgrads)
        fitted: list[Any] = []
        # The engine reduces each gradient right after this call; doing it here too (without
        # recording a graph) gives the values the inputs receive.
        with engine.no_grad():
            for p, gp in zip(parents, raws):
                if gp is None or not p.requires_grad:
                    fitted.append(None)
                    continue
                try:
                    fitted.append(_raw(p._fit_grad(gp)))
                except ValueError:
                    fitted.append(None)
        self.seen.append((node, g, parents, raws, fitted))

    def steps(self, names: dict[int, str]) -> Explanation:
        namer = Namer(names)
        # The visit order is a reverse topological order; numbering in forward order makes
        # intermediate names read as the forward pass did (matmul1 before add1).
        for node, _, parents, _, _ in reversed(self.seen):
            for p in parents:
                namer(p)
            namer(node)
        out = Explanation()
        for k, (node, g, parents, raws, fitted) in enumerate(self.seen, start=1):
            op = node._op
            inputs = []
            for p, gp, fg in zip(parents, raws, fitted):
                vjp_shape = None if gp is None else _shape(gp)
                p_shape = _shape(p)
                axes: tuple[int, ...] = ()
                if vjp_shape is not None and vjp_shape != p_shape:
                    try:
                        axes = summed_axes(vjp_shape, p_shape)
                    except ValueError:
                        axes = ()
                inputs.append(
                    InputGrad(
                        name=namer(p),
                        shape=p_shape,
                        requires_grad=bool(p.requires_grad),
                        grad=fg,
                        vjp_shape=vjp_shape,
                        summed_axes=axes,
                        is_incoming=gp is not None and gp is g,
                    )
                )
            out.append(
                Step(
                    index=k,
                    name=namer(node),
                    op=None if op is None else op_name(op),
                    formula="" if op is None else str(getattr(op, "formula", "") or ""),
                    shape=_shape(node),
                    grad=None if g is None else _raw(g),
                    grad_shape=None if g is None else _shape(g),
                    inputs=tuple(inputs),
                )
            )
        return out


def _seed(root: Any, grad: Any) -> Any:
    """The pass's seed, checked and converted as ``root.backward(grad)`` does it for a
    Tensor or a Scalar; for another node type, ``grad`` or 1 in the output's shape."""
    if isinstance(root, Scalar):
        return 1.0 if grad is None else root._seed(grad, "explain()")
    if isinstance(root, Tensor) and grad is not None:
        return root._seed(grad, "explain(): grad", "the output")
    data = root.data
    if grad is not None:
        g = _raw(grad)
        if isinstance(data, np.ndarray):
            g = np.asarray(g, dtype=data.dtype)
            if g.shape != data.shape:
                raise ValueError(f"explain(): grad has shape {g.shape}, the output {data.shape}")
        return g
    if isinstance(data, np.ndarray):
        if data.size != 1:
            raise RuntimeError(
                f"explain(): the output has shape {data.shape}; pass grad= of that shape "
                "(an implicit seed of ones exists only for one-element outputs)"
            )
        return np.ones_like(data)
    return 1.0


def _emit(steps: Explanation, root_name: str, file: IO[str] | None) -> None:
    print(f"backward of {root_name}, in the order the engine visits the graph:", file=file)
    print(steps, file=file)


def explain(
    y: Any,
    grad: Any = None,
    names: Any = None,
    file: IO[str] | None = None,
    quiet: bool = False,
) -> Explanation:
    """Print the backward pass from ``y`` step by step and return it as :class:`Step` records.

    ``grad`` seeds the pass (required when ``y`` has more than one element). ``names``
    maps variable names to graph values (``locals()`` works); by default the caller's
    local variables name the nodes. No ``.grad`` changes and the graph is kept, so a
    real ``backward()`` can follow. ``quiet=True`` only returns the records.
    """
    if not getattr(y, "requires_grad", False):
        raise RuntimeError(
            "explain() on a value that does not require grad: nothing in its graph has "
            "requires_grad=True (or it was computed under no_grad())"
        )
    known = caller_names(1) if names is None else names_from(names)
    rec = _Recorder()
    engine._run([y], [_seed(y, grad)], True, False, {}, rec)
    steps = rec.steps(known)
    if not quiet:
        _emit(steps, steps[0].name if steps else "?", file)
    return steps


def explained_backward(
    root: Any, grad_root: Any, retain_graph: bool | None, create_graph: bool, depth: int
) -> Explanation:
    """``backward()`` that also prints its steps (``Tensor.backward(explain=True)``)."""
    rec = _Recorder()
    known = caller_names(depth + 1)
    engine.backward(root, grad_root, retain_graph, create_graph, observer=rec)
    steps = rec.steps(known)
    _emit(steps, steps[0].name if steps else "?", None)
    return steps

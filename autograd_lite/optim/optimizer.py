"""The ``Optimizer`` base: parameter groups, ``zero_grad``, and state dicts.

Each step gives a parameter a new ``.data`` array, outside any graph, and bumps its
version. The state dict has PyTorch's layout: ``{"state": {index: {name: value}},
"param_groups": [{hyperparameter: value, ..., "params": [index, ...]}]}`` with
parameters numbered in order across groups, so it survives ``ag.save``/``ag.load``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from .._checks import real_number
from .._typing import Array
from ..tensor import Tensor

__all__ = ["Optimizer"]


def _check_nonneg(name: str, value: Any) -> str | None:
    """The problem with a hyperparameter that must be a finite number >= 0, if any."""
    try:
        real_number(name, value, 0)
    except (TypeError, ValueError) as e:
        return str(e)
    return None


def _check_ordered(owner: str, what: str, params: Any) -> None:
    # A state dict numbers parameters by position: a set's order is not the same from
    # one run to the next, so state saved in one could be loaded onto other parameters.
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{owner}: {what} must be an ordered iterable (a list or a tuple), got a "
            f"{type(params).__name__}, whose order can differ from run to run"
        )


class Optimizer:
    """Base class: subclasses set ``state_arrays`` / ``state_scalars`` (the names of each
    parameter's state entries) and ``added_defaults``, implement ``_validate`` and
    ``step``.

    Parameters are leaf tensors of a floating dtype; one that does not require grad (a
    frozen layer's) is kept but has no ``.grad``, so steps skip it.
    """

    state_arrays: ClassVar[tuple[str, ...]] = ()
    state_scalars: ClassVar[tuple[str, ...]] = ()
    # Hyperparameters that a state dict saved before they existed lacks, each with the
    # value that reproduces how such a state dict behaved.
    added_defaults: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors (or of parameter "
                f"group dicts), got one Tensor of shape {params.shape}; pass [p]"
            )
        _check_ordered(type(self).__name__, "params", params)
        items = list(params)
        if not items:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        groups = items if isinstance(items[0], Mapping) else [{"params": items}]
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[int, dict[str, Any]] = {}
        seen: set[int] = set()
        for gi, group in enumerate(groups):
            if not isinstance(group, Mapping) or "params" not in group:
                raise TypeError(f"{type(self).__name__}: parameter group {gi} is not a dict")
            g = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
            unknown = sorted(set(g) - set(self.defaults))
            if unknown:
                raise ValueError(f"{type(self).__name__}: unknown hyperparameters {unknown}")
            problems = self._validate(g)
            if problems:
                raise ValueError(f"{type(self).__name__}: " + "; ".join(problems))
            # A group's params may be one Tensor (a Tensor iterates over its rows).
            ps = group["params"]
            _check_ordered(type(self).__name__, f"parameter group {gi}'s params", ps)
            plist = [ps] if isinstance(ps, Tensor) else list(ps)
            if not plist:
                raise ValueError(f"{type(self).__name__}: parameter group {gi} is empty")
            for i, p in enumerate(plist):
                if not isinstance(p, Tensor):
                    raise TypeError(
                        f"{type(self).__name__}: parameter {i} is a {type(p).__name__}, "
                        "not a Tensor"
                    )
                # A leaf that does not require grad (a frozen layer) gets no .grad, so
                # step() leaves it as it is.
                if not p.is_leaf:
                    raise ValueError(
                        f"{type(self).__name__}: parameter {i} (shape {p.shape}) is not a leaf "
                        "tensor: it was computed from others, so a step could not change it; "
                        "pass the leaf it came from"
                    )
                if p.dtype.kind != "f":
                    raise TypeError(
                        f"{type(self).__name__}: parameter {i} has dtype {p.dtype}; only "
                        "floating tensors can be optimized"
                    )
                if id(p) in seen:
                    raise ValueError(
                        f"{type(self).__name__}: parameter {i} (shape {p.shape}) appears twice"
                    )
                seen.add(id(p))
            g["params"] = plist
            self.param_groups.append(g)

    def _validate(self, hyper: Mapping[str, Any]) -> list[str]:
        raise NotImplementedError

    def step(self) -> None:
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def _indexed(self) -> list[tuple[int, Tensor, dict[str, Any]]]:
        out = []
        i = 0
        for group in self.param_groups:
            for p in group["params"]:
                out.append((i, p, group))
                i += 1
        return out

    def _with_grads(self) -> list[tuple[int, Tensor, dict[str, Any], Array]]:
        """``(index, parameter, group, gradient)`` for every parameter with a ``.grad``,
        each gradient checked for the parameter's shape and cast to its dtype. Every
        gradient is checked before a step changes anything."""
        out = []
        for i, p, group in self._indexed():
            g = p.grad
            if g is None:
                continue
            g = np.asarray(g.data if isinstance(g, Tensor) else g)
            # The gradient, and state made before p.data took another shape, would each
            # fail part-way through the step.
            for what, a in ((".grad", g), *self.state.get(i, {}).items()):
                if isinstance(a, np.ndarray) and a.shape != p.shape:
                    entry = what if what == ".grad" else f"state {what!r}"
                    raise ValueError(
                        f"{type(self).__name__}.step: parameter {i} has shape {p.shape} but its "
                        f"{entry} has shape {a.shape}; nothing was updated"
                    )
            if g.dtype != p.dtype:
                if g.dtype.kind not in "biuf":
                    raise TypeError(
                        f"{type(self).__name__}.step: parameter {i}'s .grad has dtype {g.dtype}, "
                        "not real numbers; nothing was updated"
                    )
                g = g.astype(p.dtype)
            out.append((i, p, group, g))
        return out

    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the state and hyperparameters, parameters named by index."""
        state = {i: copy.deepcopy(s) for i, s in sorted(self.state.items())}
        groups = []
        start = 0
        for group in self.param_groups:
            n = len(group["params"])
            hyper = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            groups.append({**hyper, "params": list(range(start, start + n))})
            start += n
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyperparameters and state. Everything is checked first; one ValueError
        lists every problem and leaves the optimizer unchanged."""
        name = type(self).__name__
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{name}.load_state_dict: expected keys 'state' and 'param_groups'")
        problems: list[str] = []
        groups, state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(groups, (list, tuple)) or not all(isinstance(g, Mapping) for g in groups):
            raise ValueError(f"{name}.load_state_dict: 'param_groups' must be a list of dicts")
        if not isinstance(state, Mapping):
            raise ValueError(f"{name}.load_state_dict: 'state' must be a dict")
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: {len(groups)} parameter groups in the state dict, "
                f"{len(self.param_groups)} in the optimizer"
            )
        new_hyper = []
        for gi, (saved, own) in enumerate(zip(groups, self.param_groups)):
            # A copy: the caller's lists (Adam's betas) must not change it afterwards.
            hyper = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
            for k, v in self.added_defaults.items():
                hyper.setdefault(k, v)
            if set(hyper) != set(self.defaults):
                problems.append(
                    f"group {gi}: hyperparameters {sorted(hyper)}, expected {sorted(self.defaults)}"
                )
                continue
            if len(saved.get("params", ())) != len(own["params"]):
                problems.append(
                    f"group {gi}: {len(saved.get('params', ()))} parameters in the state dict, "
                    f"{len(own['params'])} in the optimizer"
                )
            problems += [f"group {gi}: {p}" for p in self._validate(hyper)]
            new_hyper.append(hyper)
        params = {i: p for i, p, _ in self._indexed()}
        new_state: dict[int, dict[str, Any]] = {}
        for key, entry in state.items():
            # An int, or its decimal digits (a key that went through a text format).
            if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
                i = int(key)
            elif isinstance(key, str) and key.isdecimal():
                i = int(key)
            else:
                problems.append(f"state key {key!r} is not a parameter index")
                continue
            if i not in params:
                problems.append(f"state for parameter {i}, but there are {len(params)}")
                continue
            expected = set(self.state_arrays) | set(self.state_scalars)
            if not isinstance(entry, Mapping):
                problems.append(f"state {i}: a {type(entry).__name__}, expected a dict")
                continue
            if set(entry) != expected:
                problems.append(f"state {i}: entries {sorted(entry)}, expected {sorted(expected)}")
                continue
            p = params[i]
            s: dict[str, Any] = {}
            for k in self.state_arrays:
                try:
                    arr = np.asarray(entry[k])
                except ValueError:
                    problems.append(f"state {i} {k!r}: not an array (ragged?)")
                    continue
                if arr.shape != p.shape or arr.dtype != p.dtype:
                    problems.append(
                        f"state {i} {k!r}: {arr.dtype} {arr.shape}, parameter is "
                        f"{p.dtype} {p.shape}"
                    )
                s[k] = arr.copy()
            for k in self.state_scalars:
                v = entry[k].item() if isinstance(entry[k], np.generic) else entry[k]
                # Every scalar state entry is a count of steps taken.
                if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                    problems.append(f"state {i} {k!r}: {v!r}, expected a count (an int >= 0)")
                s[k] = v
            new_state[i] = s
        if problems:
            raise ValueError(
                f"{name}.load_state_dict failed, nothing was loaded:\n  " + "\n  ".join(problems)
            )
        for own, hyper in zip(self.param_groups, new_hyper):
            own.update(hyper)
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for gi, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {gi}")
            for k in sorted(group):
                if k != "params":
                    lines.append(f"    {k}: {group[k]}")
        return "\n".join(lines) + "\n)"

"""``Module``, ``Parameter``, ``Sequential`` and ``ModuleList``: models as trees of layers.

A module registers a ``Parameter`` or a submodule the moment it is assigned as
an attribute (a list of modules assigned as an attribute becomes a
``ModuleList``), so ``parameters()``, ``named_parameters()`` (dotted names such
as ``net.0.weight``), ``state_dict()`` and ``load_state_dict()`` walk the tree
without any bookkeeping by the model's author. A parameter shared by two modules
comes once from ``parameters()`` and under each of its names in ``state_dict()``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple, overload

import numpy as np

from .._typing import Array
from ..tensor import Tensor
from ..versions import bump

__all__ = ["IncompatibleKeys", "Module", "ModuleList", "Parameter", "Sequential"]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the model's names the state dict lacks and the
    state dict's keys the model lacks (both empty after a strict load)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Parameter(Tensor):
    """A Tensor that requires grad and that modules collect as a parameter.

    ``Parameter(data)`` copies ``data``; bool and integer data is converted to float64,
    since only floating tensors can require grad (other dtypes raise TypeError).
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        arr = np.asarray(data.data if isinstance(data, Tensor) else data)
        if arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        super().__init__(arr, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and model.

    Subclasses call ``super().__init__()`` first, assign parameters and submodules as
    attributes, and define ``forward``; calling the module calls ``forward``.
    """

    training: bool
    _parameters: dict[str, Parameter]
    _modules: dict[str, Module]

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    # ------------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        if isinstance(value, list) and value and all(isinstance(v, Module) for v in value):
            value = ModuleList(value)
        if isinstance(value, (Parameter, Module)):
            self._check_name("setattr", name)
        if isinstance(value, Module):
            self._check_acyclic("setattr", name, value)
        if value is not None and not isinstance(value, (Parameter, Module)):
            # A plain value over a registered name would drop it from parameters() and
            # state_dict() unnoticed (an optimizer would stop updating it).
            for kind, registry, want in (
                ("parameter", self._parameters, "an nn.Parameter (nn.Parameter(data))"),
                ("submodule", self._modules, "a Module"),
            ):
                if name in registry:
                    raise TypeError(
                        f"cannot assign a {type(value).__name__} to {kind} {name!r}: expected "
                        f"{want} or None (or del it first)"
                    )
        # A parameter or submodule replaced by one of its kind keeps its place in the
        # registry (and so in state_dict()), as in PyTorch.
        if isinstance(value, Parameter) and name in self._parameters:
            self._parameters[name] = value
            return
        if isinstance(value, Module) and name in self._modules:
            self._modules[name] = value
            return
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self.__dict__.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: parameters and submodules live in the registries.
        d = self.__dict__
        if "_parameters" in d and name in d["_parameters"]:
            return d["_parameters"][name]
        if "_modules" in d and name in d["_modules"]:
            return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name``, as attribute assignment does: with None the
        attribute is None and no parameter (``Linear(bias=False)``'s bias)."""
        self._check_name("register_parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            # A plain Tensor would become an ordinary attribute, unseen by parameters().
            raise TypeError(
                f"register_parameter({name!r}): expected an nn.Parameter or None, got "
                f"{type(param).__name__} (wrap a tensor as nn.Parameter(data))"
            )
        setattr(self, name, param)

    def add_module(self, name: str, module: Module) -> None:
        """Register ``module`` under ``name`` (names need not be identifiers, e.g. ``"0"``)."""
        self._check_name("add_module", name, self._modules)
        if not isinstance(module, Module):
            raise TypeError(f"add_module({name!r}): expected a Module, got {type(module).__name__}")
        self._check_acyclic("add_module", name, module)
        self.__dict__.pop(name, None)  # a None left there would shadow the module
        self._modules[name] = module

    def _check_acyclic(self, method: str, name: str, module: Module) -> None:
        # A module inside itself would make repr() and any recursive walk endless.
        if any(m is self for m in module.modules()):
            raise ValueError(
                f"{method}: registering {name!r} would put {type(self).__name__} inside itself "
                f"(the {type(module).__name__} is or contains it)"
            )

    def _check_name(self, method: str, name: Any, own: dict[str, Any] | None = None) -> None:
        """A registry name: a non-empty str without dots (they join names in state dicts)
        that is not ``training`` nor anything the class defines: a method or a class
        attribute, whatever its value, is found before the registries, so it would hide
        the registered value. ``own``: the registry that register_parameter or add_module
        fills; the name may not be a plain attribute or the other kind of entry.
        Assignment (no ``own``) replaces those, as in PyTorch."""
        if not isinstance(name, str):
            raise TypeError(f"{method}: the name must be a str, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{method}: {name!r} is not a valid name (empty, or contains '.')")
        if name == "training":
            raise KeyError(f"{method}: attribute 'training' already exists (the train/eval mode)")
        if hasattr(type(self), name):
            raise KeyError(
                f"{method}: attribute {name!r} already exists: {type(self).__name__} has a "
                f"class attribute {name!r}, which would hide the registered value"
            )
        # An attribute set to None (``Linear(bias=False)``'s bias) may become a parameter.
        if own is not None and name not in own:
            if (
                self.__dict__.get(name) is not None
                or name in self._parameters
                or name in self._modules
            ):
                raise KeyError(f"{method}: attribute {name!r} already exists")

    # --------------------------------------------------------------- the forward
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -------------------------------------------------------------- tree walking
    def named_modules(
        self, prefix: str = "", *, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module and every descendant, in pre-order.
        A module registered under several names comes once, under the first, unless
        ``remove_duplicate`` is False."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in seen:
                    continue
                seen.add(id(mod))
            yield name, mod
            children = [(f"{name}.{k}" if name else k, m) for k, m in mod._modules.items()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for each direct submodule; one registered under two names
        comes once, under the first."""
        seen: set[int] = set()
        for name, m in self._modules.items():
            if id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_parameters(
        self, prefix: str = "", *, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` in registration order. A parameter shared by
        several modules or names comes once, under the first, unless ``remove_duplicate``
        is False."""
        seen: set[int] = set()
        for mod_name, mod in self.named_modules(prefix, remove_duplicate=remove_duplicate):
            for k, p in mod._parameters.items():
                if remove_duplicate:
                    if id(p) in seen:
                        continue
                    seen.add(id(p))
                yield (f"{mod_name}.{k}" if mod_name else k), p

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to None."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Module:
        """Set ``.training`` on this module and every descendant; returns self."""
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"train(): mode must be a bool, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    # ---------------------------------------------------------------- state dict
    def state_dict(self) -> OrderedDict[str, Array]:
        """Dotted parameter name -> a copy of its data, in registration order. A shared
        parameter appears under each of its names (``a.weight`` and ``b.weight``)."""
        return OrderedDict(
            (k, p.data.copy()) for k, p in self.named_parameters(remove_duplicate=False)
        )

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy arrays from ``state_dict`` into the parameters, in place.

        Everything is checked first: with ``strict`` a missing or unexpected key is an
        error, and (always) a shape or dtype that differs from the parameter's, and two
        keys naming one shared parameter with different values. One ValueError lists
        every problem, and on error no parameter is changed.

        Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``, a named tuple of two
        lists of names: the model's names absent from ``state_dict`` and the keys of
        ``state_dict`` the model lacks (both empty when ``strict`` loading succeeds).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping, got {type(state_dict).__name__}")
        params = dict(self.named_parameters(remove_duplicate=False))
        missing = [k for k in params if k not in state_dict]
        unexpected = [str(k) for k in state_dict if k not in params]
        problems: list[str] = []
        if strict:
            if missing:
                problems.append("missing keys: " + ", ".join(repr(k) for k in missing))
            if unexpected:
                problems.append("unexpected keys: " + ", ".join(repr(k) for k in unexpected))
        # id(parameter) -> (parameter, the first key giving it a value, that value)
        updates: dict[int, tuple[Parameter, str, Array]] = {}
        for k, p in params.items():
            if k not in state_dict:
                continue
            v = state_dict[k]
            try:
                arr = v.data if isinstance(v, Tensor) else np.asarray(v)
            except (ValueError, TypeError) as e:
                # A ragged list, say.
                problems.append(f"{k!r}: not an array ({e})")
                continue
            if arr.shape != p.shape:
                problems.append(f"{k!r}: shape {arr.shape} in the state dict, {p.shape} in model")
            elif arr.dtype != p.dtype:
                problems.append(f"{k!r}: dtype {arr.dtype} in the state dict, {p.dtype} in model")
            elif id(p) not in updates:
                updates[id(p)] = (p, k, arr)
            elif not np.array_equal(updates[id(p)][2], arr, equal_nan=True):
                problems.append(
                    f"{updates[id(p)][1]!r} and {k!r} name the same parameter but hold "
                    "different values"
                )
        if problems:
            raise ValueError(
                f"load_state_dict for {type(self).__name__} failed, nothing was loaded:\n  "
                + "\n  ".join(problems)
            )
        for p, _, arr in updates.values():
            # A fresh array, as the optimizers write: views of the old one keep their values.
            p.data = np.array(arr, dtype=p.dtype, copy=True)
            bump(p)
        return IncompatibleKeys(missing, unexpected)

    # ----------------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in its repr (its settings)."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}({extra}" if extra else f"{type(self).__name__}("
        return head + "\n" + "\n".join(lines) + "\n)"


class ModuleList(Module):
    """A list of modules registered under the names ``"0"``, ``"1"``, …"""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` under the name one past the largest numeric name (``len(self)``
        unless this is a slice of a ``Sequential``, which keeps its names)."""
        used = [int(k) for k in self._modules if k.isdecimal()]
        self.add_module(str(max(used, default=-1) + 1), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each of ``modules``; all are checked first, so on error none is added."""
        method = f"{type(self).__name__}.extend"
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"{method}: expected an iterable of Modules, got {type(modules).__name__}"
            )
        items = list(modules)
        for i, m in enumerate(items):
            if not isinstance(m, Module):
                raise TypeError(f"{method}: item {i} is a {type(m).__name__}, not a Module")
            self._check_acyclic(method, f"item {i}", m)
        for m in items:
            self.append(m)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...

    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        """The module at position ``index``. A slice holds the same modules, as in PyTorch:
        a ``ModuleList`` numbers them from ``"0"``; a ``Sequential`` keeps their names, so
        the state dict of ``seq[1:]`` has the same keys (``2.weight``) as ``seq``'s."""
        if isinstance(index, slice):
            return self._of(list(self._modules.items())[index])
        items = list(self._modules.values())
        try:
            return items[index]
        except IndexError:
            raise IndexError(f"index {index} out of range for {len(items)} modules") from None

    def _of(self, named: list[tuple[str, Module]]) -> ModuleList:
        return ModuleList(m for _, m in named)


class Sequential(ModuleList):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    ``Sequential(OrderedDict(name=module, ...))`` (any mapping) names the layers.
    A ValueError raised by a layer (a wrong input width, say) names the layer's position,
    e.g. ``layer (2)``; other exceptions, subclasses of ValueError included, pass
    through unchanged.
    """

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            super().__init__()
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            super().__init__(modules)  # type: ignore[arg-type]

    def _of(self, named: list[tuple[str, Module]]) -> Sequential:
        return Sequential(OrderedDict(named))

    def forward(self, x: Any) -> Any:
        for i, m in enumerate(self._modules.values()):
            try:
                x = m(x)
            except ValueError as e:
                if type(e) is not ValueError:
                    raise
                raise ValueError(f"{type(self).__name__} layer ({i}): {e}") from None
        return x

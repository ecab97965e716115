"""``Module``, ``Parameter``, ``Sequential`` and ``ModuleList``: models as trees of layers.

A module registers a ``Parameter`` or a submodule the moment it is assigned as
an attribute (a list of modules assigned as an attribute becomes a
``ModuleList``), so ``parameters()``, ``named_parameters()`` (dotted names such
as ``net.0.weight``), ``state_dict()`` and ``load_state_dict()`` walk the tree
without any bookkeeping by the model's author.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, overload

import numpy as np

from .._typing import Array
from ..tensor import Tensor
from ..versions import bump

__all__ = ["Module", "ModuleList", "Parameter", "Sequential"]


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
        """Register ``param`` under ``name`` (None removes it), as attribute assignment does."""
        self._check_name("register_parameter", name, self._parameters)
        if param is None:
            self._parameters.pop(name, None)
        elif not isinstance(param, Parameter):
            # A plain Tensor would become an ordinary attribute, unseen by parameters().
            raise TypeError(
                f"register_parameter({name!r}): expected an nn.Parameter or None, got "
                f"{type(param).__name__} (wrap a tensor as nn.Parameter(data))"
            )
        else:
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
        that no method or class attribute (other than a None default), nor ``training``,
        would hide. ``own``: the registry that register_parameter or add_module fills; the
        name may not be a plain attribute or the other kind of entry. Assignment (no
        ``own``) replaces those, as in PyTorch."""
        if not isinstance(name, str):
            raise TypeError(f"{method}: the name must be a str, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{method}: {name!r} is not a valid name (empty, or contains '.')")
        taken = name == "training" or getattr(type(self), name, None) is not None
        if own is not None and name not in own:
            # An attribute set to None (``Linear(bias=False)``'s bias) may become a parameter.
            taken = taken or (
                self.__dict__.get(name) is not None
                or name in self._parameters
                or name in self._modules
            )
        if taken:
            raise KeyError(f"{method}: attribute {name!r} already exists")

    # --------------------------------------------------------------- the forward
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -------------------------------------------------------------- tree walking
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(dotted name, module)`` for this module and every descendant, each once."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
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

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` in registration order; a shared parameter once."""
        seen: set[int] = set()
        for mod_name, mod in self.named_modules(prefix):
            for k, p in mod._parameters.items():
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
        """Dotted parameter name -> a copy of its data, in registration order."""
        return OrderedDict((k, p.data.copy()) for k, p in self.named_parameters())

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> None:
        """Copy arrays from ``state_dict`` into the parameters, in place.

        Everything is checked first: with ``strict`` a missing or unexpected key is an
        error, and (always) a shape or dtype that differs from the parameter's. One
        ValueError lists every problem, and on error no parameter is changed.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping, got {type(state_dict).__name__}")
        params = dict(self.named_parameters())
        problems: list[str] = []
        if strict:
            missing = [k for k in params if k not in state_dict]
            unexpected = [str(k) for k in state_dict if k not in params]
            if missing:
                problems.append("missing keys: " + ", ".join(repr(k) for k in missing))
            if unexpected:
                problems.append("unexpected keys: " + ", ".join(repr(k) for k in unexpected))
        updates: list[tuple[Parameter, Array]] = []
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
            else:
                updates.append((p, arr))
        if problems:
            raise ValueError(
                f"load_state_dict for {type(self).__name__} failed, nothing was loaded:\n  "
                + "\n  ".join(problems)
            )
        for p, arr in updates:
            # A fresh array, as the optimizers write: views of the old one keep their values.
            p.data = np.array(arr, dtype=p.dtype, copy=True)
            bump(p)

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
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
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
        """The module at ``index``; a slice gives a ``Sequential`` (from a Sequential) or a
        ``ModuleList`` holding the same modules."""
        items = list(self._modules.values())
        if isinstance(index, slice):
            return self._of(items[index])
        try:
            return items[index]
        except IndexError:
            raise IndexError(f"index {index} out of range for {len(items)} modules") from None

    def _of(self, modules: list[Module]) -> ModuleList:
        return ModuleList(modules)


class Sequential(ModuleList):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    A ValueError raised by a layer (a wrong input width, say) names the layer's position,
    e.g. ``layer (2)``; other exceptions, subclasses of ValueError included, pass
    through unchanged.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__(modules)

    def _of(self, modules: list[Module]) -> Sequential:
        return Sequential(*modules)

    def forward(self, x: Any) -> Any:
        for i, m in enumerate(self._modules.values()):
            try:
                x = m(x)
            except ValueError as e:
                if type(e) is not ValueError:
                    raise
                raise ValueError(f"{type(self).__name__} layer ({i}): {e}") from None
        return x

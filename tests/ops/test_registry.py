"""Every op of the package, found through ``ops.base.REGISTRY``, checked from its metadata.

No test here names an op: defining a new op class registers it, and these tests then
require its citation, its ``formula`` and its ``sample`` (see ``ops/base.py``), gradcheck
and gradgradcheck it over the calls ``sample`` draws, and check that float32 stays float32.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import re
import weakref
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite
from autograd_lite import Tensor
from autograd_lite.ops.base import REGISTRY, Op
from autograd_lite.testing import gradcheck, gradgradcheck


def _import_package() -> None:
    """Import every module of the package, so ops defined anywhere in it are registered."""
    for info in pkgutil.walk_packages(autograd_lite.__path__, "autograd_lite."):
        try:
            importlib.import_module(info.name)
        except ImportError as e:
            # A module needing an optional extra that is not installed holds no core op.
            if e.name is None or e.name.startswith("autograd_lite"):
                raise


_import_package()
OPS = sorted(
    (key, op) for key, op in REGISTRY.items() if op.__module__.startswith("autograd_lite.")
)
IDS = [key.removeprefix("autograd_lite.ops.") for key, _ in OPS]
# The op families' own tests draw 40 examples each; here fewer keep the suite fast.
GRADCHECK_EXAMPLES = settings(max_examples=20)
GRADGRADCHECK_EXAMPLES = settings(max_examples=5)
DTYPE_EXAMPLES = settings(max_examples=10)
CYCLE_EXAMPLES = settings(max_examples=3)
CITATION = re.compile(r"derivations? 00\d|no derivation file applies", re.IGNORECASE)


def check_metadata(op: type[Op]) -> None:
    """The three things every op states; the messages tell its author what to add."""
    where = f"{op.__module__}.{op.__qualname__}"
    doc = op.__doc__ or ""
    assert CITATION.search(doc), (
        f"{where}: its docstring must cite the derivation it implements (e.g. "
        "'derivation 003', see ../shared/derivations/README.md) or say "
        "'No derivation file applies.'"
    )
    assert op.formula.strip(), f"{where}: set `formula`, its VJP for each input on one line"
    assert op.sample is not None, (
        f"{where} declares no `sample`, so its gradients cannot be checked. Add a class "
        "attribute saying how to draw a valid call, e.g. `sample = samples.elementwise()` "
        "or `samples.broadcast({}, {})` (see autograd_lite/ops/samples.py), or your own "
        "function `sample(draw) -> (inputs, params)`."
    )


def draw_call(op: type[Op], data: st.DataObject) -> tuple[tuple[np.ndarray, ...], dict[str, Any]]:
    assert op.sample is not None, f"{op.__qualname__} declares no `sample`"
    inputs, params = op.sample(data.draw)
    assert inputs, f"{op.__qualname__}.sample drew no inputs"
    return inputs, params


def leaves(inputs: tuple[np.ndarray, ...], dtype: Any) -> list[Tensor]:
    return [Tensor(np.asarray(x, dtype=dtype), requires_grad=True) for x in inputs]


def test_the_registry_holds_the_core_ops() -> None:
    names = {op.__qualname__ for _, op in OPS}
    assert {"Add", "MatMul", "ReLU", "Sum", "Softmax", "GetItem", "Concatenate"} <= names


@pytest.mark.parametrize("op", [op for _, op in OPS], ids=IDS)
def test_metadata(op: type[Op]) -> None:
    check_metadata(op)


@pytest.mark.parametrize("op", [op for _, op in OPS], ids=IDS)
@GRADCHECK_EXAMPLES
@given(data=st.data())
def test_gradcheck(op: type[Op], data: st.DataObject) -> None:
    inputs, params = draw_call(op, data)
    assert gradcheck(lambda *ts: op.apply(*ts, **params), leaves(inputs, np.float64))


@pytest.mark.parametrize("op", [op for _, op in OPS], ids=IDS)
@GRADGRADCHECK_EXAMPLES
@given(data=st.data())
def test_gradgradcheck(op: type[Op], data: st.DataObject) -> None:
    """Every VJP, run on Tensors under create_graph=True, differentiates correctly again
    (ops with kinks are drawn away from them, where their second derivative is zero)."""
    inputs, params = draw_call(op, data)
    if np.dtype(params.get("dtype", np.float64)) != np.float64:
        # A cast to a narrower float rounds x to its precision: a wider step keeps that
        # rounding out of the differences of the (locally linear) first derivative.
        tol: dict[str, float] = {"eps": 1e-2, "atol": 1e-3, "rtol": 1e-3}
    else:
        tol = {}
    assert gradgradcheck(lambda *ts: op.apply(*ts, **params), leaves(inputs, np.float64), **tol)


@pytest.mark.parametrize("op", [op for _, op in OPS], ids=IDS)
@DTYPE_EXAMPLES
@given(data=st.data())
def test_float32_kept(op: type[Op], data: st.DataObject) -> None:
    inputs, params = draw_call(op, data)
    xs = leaves(inputs, np.float32)
    out = op.apply(*xs, **params)
    # float32 in, float32 out, unless the call asks for a dtype (a cast).
    assert out.dtype == params.get("dtype", np.float32)
    out.backward(np.ones(out.shape, dtype=out.dtype))
    for i, x in enumerate(xs):
        assert x.grad is not None, f"input {i} got no gradient"
        assert x.grad.dtype == np.float32 and x.grad.shape == x.shape, (
            f"input {i}: grad {x.grad.dtype}{x.grad.shape}, expected float32{x.shape}"
        )


@pytest.mark.parametrize("op", [op for _, op in OPS], ids=IDS)
@CYCLE_EXAMPLES
@given(data=st.data())
def test_graph_freed_by_reference_counting(op: type[Op], data: st.DataObject) -> None:
    """What an op saves must not refer back to its output: no cycle keeps a graph alive."""
    inputs, params = draw_call(op, data)
    xs = leaves(inputs, np.float64)
    gc.disable()
    try:
        out = op.apply(*xs, **params)
        ref = weakref.ref(out)
        del out
        assert ref() is None, f"{op.__qualname__}: its output outlives the last reference"
        out = op.apply(*xs, **params)
        ref = weakref.ref(out)
        out.backward(np.ones(out.shape, dtype=out.dtype))
        del out
        assert ref() is None, f"{op.__qualname__}: its output outlives backward"
    finally:
        gc.enable()


class Undeclared(Op):
    """y = 2x (test op; no derivation file applies). dL/dx = 2g."""

    formula = "dx = 2 g"

    @staticmethod
    def forward(x: Any) -> tuple[Any, Any]:
        return 2 * x, None

    @staticmethod
    def vjp(g: Any, xs: Any, out: Any, saved: Any, needs: tuple[bool, ...]) -> tuple[Any, ...]:
        return (2 * g,)


def test_an_op_without_sample_fails_with_instructions() -> None:
    with pytest.raises(AssertionError, match=r"declares no `sample`.*samples\.elementwise"):
        check_metadata(Undeclared)


def test_an_op_without_citation_or_formula_fails() -> None:
    class NoCitation(Undeclared):
        """y = 2x."""

    class NoFormula(Undeclared):
        formula = ""

    with pytest.raises(AssertionError, match="derivation"):
        check_metadata(NoCitation)
    with pytest.raises(AssertionError, match="formula"):
        check_metadata(NoFormula)
    for cls in (Undeclared, NoCitation, NoFormula):
        assert not cls.__module__.startswith("autograd_lite.")

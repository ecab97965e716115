"""The fused losses against the same functions composed from primitive ops, gradchecks,
stability for large logits, and argument errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite.nn import functional as F
from autograd_lite.testing import gradcheck, gradgradcheck
from autograd_lite.testing import strategies as ags

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def reduce(losses: ag.Tensor, reduction: str) -> ag.Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def composed_cross_entropy(s: ag.Tensor, t: np.ndarray, reduction: str) -> ag.Tensor:
    """−log softmax(s)[i, tᵢ] from exp, sum, log and a one-hot mask (the max is a constant)."""
    z = s - ag.Tensor(s.data.max(axis=1, keepdims=True))
    logp = z - z.exp().sum(axis=1, keepdims=True).log()
    onehot = np.eye(s.shape[1])[t]
    return reduce(-(logp * onehot).sum(axis=1), reduction)


def composed_bce(x: ag.Tensor, y: ag.Tensor, reduction: str) -> ag.Tensor:
    """−[y log σ(x) + (1 − y) log(1 − σ(x))], the textbook form (fine for moderate x)."""
    p = x.sigmoid()
    return reduce(-(y * p.log() + (1 - y) * (1 - p).log()), reduction)


def grads(loss: ag.Tensor, *xs: ag.Tensor) -> list[np.ndarray]:
    seed = np.random.default_rng(0).standard_normal(loss.shape)
    return [g.data for g in ag.grad(loss, list(xs), ag.Tensor(seed))]


@st.composite
def logits_and_targets(draw: st.DrawFn, max_value: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 5))
    c = draw(st.integers(1, 5))
    s = draw(ags.arrays((n, c), min_value=-max_value, max_value=max_value))
    t = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    return s, t


@given(logits_and_targets(), REDUCTIONS)
def test_fused_cross_entropy_matches_composed(
    st_: tuple[np.ndarray, np.ndarray], reduction: str
) -> None:
    s_arr, t = st_
    s1 = ag.Tensor(s_arr, requires_grad=True)
    s2 = ag.Tensor(s_arr, requires_grad=True)
    fused = F.cross_entropy(s1, t, reduction=reduction)
    comp = composed_cross_entropy(s2, t, reduction)
    assert fused.grad_fn == "cross_entropy"
    np.testing.assert_allclose(fused.data, comp.data, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads(fused, s1)[0], grads(comp, s2)[0], rtol=1e-9, atol=1e-12)


@given(logits_and_targets(), REDUCTIONS)
def test_cross_entropy_gradcheck_and_second_derivatives(
    st_: tuple[np.ndarray, np.ndarray], reduction: str
) -> None:
    s_arr, t = st_
    s = ag.Tensor(s_arr, requires_grad=True)
    gradcheck(lambda s: F.cross_entropy(s, t, reduction), [s])
    gradgradcheck(lambda s: F.cross_entropy(s, t, reduction), [s])


def test_cross_entropy_vjp_is_softmax_minus_onehot_over_n() -> None:
    s = ag.Tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], requires_grad=True)
    t = np.array([2, 0])
    F.cross_entropy(s, t).backward()
    p = np.exp(s.data) / np.exp(s.data).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(s.grad, (p - np.eye(3)[t]) / 2)


def test_cross_entropy_is_stable_for_large_logits() -> None:
    s = ag.Tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(s, [2, 1], reduction="none")
    np.testing.assert_allclose(loss.data, [2e4, np.log(2)])
    loss.sum().backward()
    np.testing.assert_allclose(s.grad, [[1.0, 0.0, -1.0], [0.0, -0.5, 0.5]])
    assert np.isfinite(s.grad).all()


def test_cross_entropy_keeps_small_losses_exact_beside_large_logits() -> None:
    # Logits near 1000 in float32 are 6e-5 apart; a loss of 0.64 must not be computed as
    # a difference of two such numbers (lse - s[y]), which loses its last four digits.
    logits = np.array([[1000.0, 999.9], [-500.0, -500.25]], dtype=np.float32)
    loss = F.cross_entropy(ag.Tensor(logits), [0, 1], reduction="none")
    x = logits.astype(np.float64)
    shifted = x - x.max(axis=1, keepdims=True)
    expected = np.log(np.exp(shifted).sum(axis=1)) - shifted[[0, 1], [0, 1]]
    np.testing.assert_allclose(loss.data, expected, rtol=1e-6)


def test_cross_entropy_gradient_lands_on_each_rows_own_target() -> None:
    # Targets index each row's own classes: row 1's target 0 is not row 0's class 3.
    s = ag.Tensor(np.zeros((2, 3)), requires_grad=True)
    F.cross_entropy(s, np.array([2, 0], dtype=np.int8), reduction="sum").backward()
    np.testing.assert_allclose(s.grad, [[1 / 3, 1 / 3, -2 / 3], [-2 / 3, 1 / 3, 1 / 3]])


def test_cross_entropy_keeps_float32() -> None:
    s = ag.Tensor(np.zeros((2, 3), dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(s, [0, 1])
    loss.backward()
    assert loss.dtype == np.float32 and s.grad.dtype == np.float32


@pytest.mark.parametrize(
    ("logits", "targets", "exc", "match"),
    [
        (np.zeros(3), [0], ValueError, "shape \\(N, C\\)"),
        (np.zeros((2, 3)), [0.0, 1.0], TypeError, "integer class indices"),
        (np.zeros((2, 3)), [0, 3], ValueError, "target 3 is out of range for 3 classes"),
        (np.zeros((2, 3)), [-1, 0], ValueError, "target -1"),
        (np.zeros((2, 3)), [3, 0], ValueError, "target 3 is out of range"),
        (np.zeros((2, 3)), np.array([0, -2], dtype=np.int8), ValueError, "target -2"),
        (np.zeros((2, 3)), np.array([0, 2**63], dtype=np.uint64), ValueError, "out of range"),
        (np.zeros((2, 3)), [0, 1, 2], ValueError, "shape \\(2,\\)"),
    ],
)
def test_cross_entropy_argument_errors(
    logits: np.ndarray, targets: list[float], exc: type, match: str
) -> None:
    with pytest.raises(exc, match=match):
        F.cross_entropy(ag.Tensor(logits), np.asarray(targets))


def test_cross_entropy_op_checks_its_targets_itself() -> None:
    # The op gathers at flat indices, where row 0's class 3 would be row 1's class 0.
    from autograd_lite.ops.losses import CrossEntropy

    with pytest.raises(ValueError, match="target 3 is out of range for 3 classes"):
        CrossEntropy.apply(ag.Tensor(np.zeros((2, 3))), targets=np.array([3, 0]))
    with pytest.raises(TypeError, match="integer class indices, got dtype float64"):
        CrossEntropy.apply(ag.Tensor(np.zeros((2, 3))), targets=np.array([1.5, 0.0]))


def test_bad_reduction() -> None:
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(ag.Tensor([1.0]), ag.Tensor([1.0]), reduction="avg")


@given(ags.shapes(min_dims=1, max_dims=3), REDUCTIONS, st.data())
def test_fused_bce_matches_composed(
    shape: tuple[int, ...], reduction: str, data: st.DataObject
) -> None:
    x_arr = data.draw(ags.arrays(shape, min_value=-6.0, max_value=6.0))
    y_arr = data.draw(ags.arrays(shape, min_value=0.0, max_value=1.0))
    x1, y1 = ag.Tensor(x_arr, requires_grad=True), ag.Tensor(y_arr, requires_grad=True)
    x2, y2 = ag.Tensor(x_arr, requires_grad=True), ag.Tensor(y_arr, requires_grad=True)
    fused = F.binary_cross_entropy_with_logits(x1, y1, reduction)
    comp = composed_bce(x2, y2, reduction)
    np.testing.assert_allclose(fused.data, comp.data, rtol=1e-8, atol=1e-10)
    for a, b in zip(grads(fused, x1, y1), grads(comp, x2, y2)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    gradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction), [x1, y1])
    gradgradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction), [x1, y1])


def test_bce_is_stable_for_large_logits() -> None:
    x = ag.Tensor([1e4, -1e4, 1e4, 0.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, [1.0, 0.0, 0.0, 1.0], reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1e4, np.log(2)])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0, -0.5])
    with pytest.raises(ValueError, match="do not match"):
        F.binary_cross_entropy_with_logits(x, [1.0])


@given(ags.shapes(min_dims=0, max_dims=3), REDUCTIONS, st.data())
def test_mse_loss(shape: tuple[int, ...], reduction: str, data: st.DataObject) -> None:
    x = ag.Tensor(data.draw(ags.arrays(shape)), requires_grad=True)
    y = ag.Tensor(data.draw(ags.arrays(shape)), requires_grad=True)
    out = F.mse_loss(x, y, reduction)
    sq = (x.data - y.data) ** 2
    expected = {"mean": sq.mean(), "sum": sq.sum(), "none": sq}[reduction]
    np.testing.assert_allclose(out.data, expected)
    gradcheck(lambda x, y: F.mse_loss(x, y, reduction), [x, y])


def test_mse_shape_mismatch() -> None:
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        F.mse_loss(ag.Tensor([1.0, 2.0]), ag.Tensor([1.0, 2.0, 3.0]))


def test_the_bce_op_refuses_broadcasting_shapes() -> None:
    """Its VJP divides by x's element count, which is the mean's count only when x and y
    have one shape."""
    from autograd_lite.ops.losses import BCEWithLogits

    x = ag.Tensor(np.array([[0.3], [-1.0]]), requires_grad=True)
    with pytest.raises(ValueError, match=r"logits \(2, 1\) and targets \(2, 4\) must have"):
        BCEWithLogits.apply(x, ag.Tensor(np.full((2, 4), 0.5)))


@pytest.mark.parametrize("loss", ["cross_entropy", "bce_with_logits", "mse"])
def test_float16_mean_losses_have_float64s_gradient_rounded(loss: str) -> None:
    """A float16 mean loss over a small batch: its gradient is the float64 one, within
    float16's precision (each element's share of the mean is 1/n)."""
    rng = np.random.default_rng(4)
    z = rng.standard_normal((3, 4))
    targets: dict[str, Any] = {
        "cross_entropy": np.array([0, 3, 1]),
        "bce_with_logits": rng.uniform(size=(3, 4)),
        "mse": rng.standard_normal((3, 4)),
    }
    fn = {
        "cross_entropy": F.cross_entropy,
        "bce_with_logits": F.binary_cross_entropy_with_logits,
        "mse": F.mse_loss,
    }[loss]
    grads = []
    for dtype in (np.float64, np.float16):
        x = ag.Tensor(z.astype(dtype), requires_grad=True)
        t = targets[loss]
        fn(x, t if loss == "cross_entropy" else ag.Tensor(t.astype(dtype))).backward()
        assert x.grad is not None and x.grad.dtype == dtype
        grads.append(x.grad.astype(np.float64))
    np.testing.assert_allclose(grads[1], grads[0], rtol=2e-3, atol=2e-4)


def test_float16_losses_over_large_batches() -> None:
    s = ag.Tensor(np.zeros((70000, 2), np.float16), requires_grad=True)
    loss = F.cross_entropy(s, np.zeros(70000, dtype=np.int64))
    loss.backward()
    np.testing.assert_allclose(float(loss.data), np.log(2), rtol=1e-3)
    np.testing.assert_allclose(s.grad[0].astype(np.float64), [-0.5 / 70000, 0.5 / 70000], rtol=1e-2)
    y = F.mse_loss(ag.Tensor(np.zeros(70000, np.float16)), ag.Tensor(np.ones(70000, np.float16)))
    assert float(y.data) == 1.0


def test_cross_entropy_targets_as_an_empty_list_or_none() -> None:
    y = F.cross_entropy(np.zeros((0, 3)), [])
    assert np.isnan(y.data)
    assert F.cross_entropy(np.zeros((0, 3)), [], reduction="sum").data == 0.0
    with pytest.raises(TypeError, match="targets must be integer class indices, got None"):
        F.cross_entropy(np.zeros((3, 4)), None)

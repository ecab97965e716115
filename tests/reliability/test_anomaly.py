"""Anomaly mode: the first op whose VJP (or forward) turns finite values into NaN/inf."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import autograd_lite as ag


def test_nan_propagates_silently_outside_anomaly_mode() -> None:
    x = ag.Tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (x.log() * 0.0).sum()
        y.backward()
    assert np.isnan(x.grad[0]) and x.grad[1] == 0.0


def test_backward_names_the_op_and_the_line_that_created_it() -> None:
    x = ag.Tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        h = x.sqrt()  # MARK-SQRT: its VJP divides by sqrt(0)
        loss = (h * 2.0).sum()
        with pytest.raises(FloatingPointError) as info:
            loss.backward()
    msg = str(info.value)
    assert "pow" in msg
    assert __file__ in msg
    assert "MARK-SQRT" in msg


def test_only_the_first_bad_vjp_raises() -> None:
    # log(0) = -inf in the forward; its VJP g / 0 is the first inf gradient.
    x = ag.Tensor([0.0, 2.0], requires_grad=True)
    with ag.detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
        y = x.log()  # MARK-LOG
        z = y.exp().sum()
        with pytest.raises(FloatingPointError, match="backward of log") as info:
            z.backward()
    assert "MARK-LOG" in str(info.value)


def test_nan_gradient_coming_in_is_not_blamed_on_the_op() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    with ag.detect_anomaly():
        y = x * 3.0
        y.backward(np.array([np.nan, 1.0]))
    assert np.isnan(x.grad[0])


def test_check_forward_raises_at_the_forward() -> None:
    x = ag.Tensor([-1.0, 1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        with ag.detect_anomaly(check_forward=True):
            with pytest.raises(FloatingPointError, match="forward of log") as info:
                x.log()  # MARK-FWD
        assert "MARK-FWD" in str(info.value)
        # Without check_forward the forward NaN passes.
        with ag.detect_anomaly():
            assert np.isnan(x.log().data[0])
        # NaN inputs producing NaN are not the op's fault.
        with ag.detect_anomaly(check_forward=True):
            assert np.isnan((ag.Tensor([np.nan]) * 2.0).data[0])


def test_check_forward_also_under_no_grad() -> None:
    with ag.detect_anomaly(check_forward=True), ag.no_grad(), np.errstate(divide="ignore"):
        with pytest.raises(FloatingPointError, match="forward of div"):
            ag.Tensor([1.0]) / 0.0


def test_mode_is_restored_and_nestable() -> None:
    assert not ag.is_anomaly_enabled()
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        with ag.detect_anomaly(check_forward=True):
            assert ag.is_anomaly_enabled()
        assert ag.is_anomaly_enabled()
    assert not ag.is_anomaly_enabled()
    with pytest.raises(KeyError):
        with ag.detect_anomaly():
            raise KeyError("x")
    assert not ag.is_anomaly_enabled()


def test_anomaly_mode_is_per_thread() -> None:
    seen: list[bool] = []
    inside = threading.Event()
    done = threading.Event()

    def other() -> None:
        inside.wait()
        seen.append(ag.is_anomaly_enabled())
        done.set()

    th = threading.Thread(target=other)
    th.start()
    with ag.detect_anomaly():
        inside.set()
        done.wait()
    th.join()
    assert seen == [False]


def test_nodes_record_no_site_outside_anomaly_mode() -> None:
    x = ag.Tensor([1.0], requires_grad=True)
    y = x * 2.0
    assert getattr(y, "_trace", None) is None
    with ag.detect_anomaly():
        z = x * 2.0
    assert __file__ in z._trace


def test_create_graph_works_in_anomaly_mode() -> None:
    x = ag.Tensor([1.0, 2.0], requires_grad=True)
    with ag.detect_anomaly():
        y = (x**3).sum()
        (gx,) = ag.grad(y, x, create_graph=True)
        assert gx is not None
        gx.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)


def test_node_made_before_anomaly_mode_is_still_caught_without_a_site() -> None:
    x = ag.Tensor([0.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        y = x.log()
        with ag.detect_anomaly(), pytest.raises(FloatingPointError, match="unknown") as info:
            y.sum().backward()
    assert "backward of log" in str(info.value)


def test_scalar_engine_backward_is_checked_too() -> None:
    from autograd_lite.scalar import Scalar

    a = Scalar(1e200, requires_grad=True)
    with ag.detect_anomaly(), pytest.raises(FloatingPointError, match="backward of mul"):
        (a * a * a).backward()


def test_check_forward_leaves_create_graph_vjps_to_the_backward_check() -> None:
    """The ops a create_graph backward records are the VJP's: a NaN there is named as
    the backward of the op whose line made it, not as a forward at the grad() call."""
    x = ag.Tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly(check_forward=True), np.errstate(all="ignore"):
        y = x.sqrt().sum()
        with pytest.raises(FloatingPointError, match=r"backward of pow .* created at .*y = x"):
            ag.grad(y, x, create_graph=True)


def test_two_finite_gradients_that_add_up_to_inf_are_named() -> None:
    x = ag.Tensor([-1.0, 2.0], requires_grad=True)
    with ag.detect_anomaly(), np.errstate(over="ignore"):
        h = x * 0.0
        loss = (h * 1e308).sum() + (h * 1e308).sum()
        with pytest.raises(FloatingPointError, match="two finite gradients of the output of mul"):
            loss.backward()
    assert x.grad is None

"""The shared argument check: which values are finite real numbers, and the messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite._checks import real_number


@pytest.mark.parametrize("value", [0, 2.5, np.float32(1.0), np.int8(3), 10**400])
def test_finite_real_numbers_pass(value: object) -> None:
    real_number("x", value, 0)


@pytest.mark.parametrize("value", [True, np.True_, "1", None, 1j, [1.0]])
def test_what_is_not_a_real_number_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError, match=r"x must be a real number, got "):
        real_number("x", value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_a_non_finite_number_is_refused_even_without_a_minimum(value: object) -> None:
    with pytest.raises(ValueError, match=r"^x must be finite, got "):
        real_number("x", value)


def test_minimum_inclusive_or_strict() -> None:
    real_number("n", 2, 2, integer=True)
    with pytest.raises(ValueError, match=r"n must be finite and >= 2, got 1"):
        real_number("n", 1, 2, integer=True)
    with pytest.raises(ValueError, match=r"eps must be finite and > 0, got 0.0"):
        real_number("eps", 0.0, 0, strict=True)
    with pytest.raises(TypeError, match=r"n must be an integer, got 2.0"):
        real_number("n", 2.0, integer=True)

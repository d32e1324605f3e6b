"""ir.tolerance: one comparison policy per dtype, atol relative to the output's largest magnitude."""

from __future__ import annotations

import numpy as np
import pytest

from ir.tolerance import TOLERANCES, compare, magnitude, tolerance


def test_policy_per_dtype():
    assert tolerance(np.float32) == TOLERANCES["float32"] == (1e-4, 1e-5)
    assert tolerance("f32") == tolerance(np.float32)
    assert tolerance(np.float64)[0] < tolerance(np.float32)[0] < tolerance(np.float16)[0]
    assert tolerance("bf16")[0] > tolerance("f16")[0]
    assert tolerance(np.int64) == tolerance(np.bool_) == (0.0, 0.0)


def test_atol_is_relative_to_the_largest_magnitude():
    big = np.array([1000.0, 1e-3], np.float32)
    # 5e-3 on the small element is within 1e-5 x 1000 = 1e-2 (cancellation among large values)...
    assert compare("y", big + np.float32(5e-3), big).ok
    # ...but not when the output is small everywhere: the same absolute error is then a real difference.
    small = np.array([1.0, 1e-3], np.float32)
    assert not compare("y", small + np.float32(5e-3), small).ok
    assert magnitude(np.zeros(3)) == 1.0
    assert magnitude(np.array([np.inf, -3.0])) == 3.0


def test_rtol_and_dtype_choice():
    x = np.linspace(-2, 2, 50).astype(np.float32)
    assert compare("y", x * np.float32(1 + 5e-5), x).ok
    assert not compare("y", x * np.float32(1 + 5e-4), x).ok
    # a program computed in f16 is judged by the f16 policy, whatever its output dtype
    assert compare("y", x * np.float32(1 + 5e-3), x, dtype="f16").ok
    # explicit numbers replace the policy's
    assert compare("y", x * np.float32(1 + 5e-4), x, rtol=1e-3).ok


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
def test_integers_and_bools_are_exact(dtype):
    a = np.array([1, 0, 1, 1], dtype)
    b = a.copy()
    assert compare("y", a, b).ok
    b[0] = 0
    c = compare("y", a, b)
    assert not c.ok and c.bad == 1 and "1 elements differ" in c.detail


def test_nans_and_infinities_must_agree():
    a = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
    assert compare("y", a.copy(), a).ok
    assert "NaNs differ" in compare("y", np.array([1.0, 0.0, np.inf, -np.inf], np.float32), a).detail
    assert (
        "infinities differ" in compare("y", np.array([1.0, np.nan, -np.inf, -np.inf], np.float32), a).detail
    )
    assert "infinities differ" in compare("y", np.array([1.0, np.nan, 1e30, -np.inf], np.float32), a).detail


def test_shape_mismatch_and_report_line():
    assert not compare("y", np.zeros((2, 3)), np.zeros((3, 2))).ok
    c = compare("y", np.float32([1.0, 2.0]), np.float32([1.0, 2.5]))
    assert not c.ok and "MISMATCH" in c.line() and c.max_abs == pytest.approx(0.5)

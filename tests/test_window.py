"""ir.window: the one copy of conv/pool window arithmetic, checked by brute force and against its users."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ir.reference as R
from codegen.microkernels.conv import ConvSpec
from ir import window as W
from ir.dialects.loop_kernels import conv2d_nchw

SIZES = list(itertools.product(range(1, 12), range(1, 5), range(1, 4), range(1, 3), range(0, 3), range(0, 3)))


def _starts(n, k, s, d, pb, pe, ceil_mode):
    """Window count by enumeration: starts 0, s, 2s... whose window fits the padded input; ceil mode adds
    the partial window past the end, and (onnxruntime's rule) drops a last window starting in the end pad."""
    span = n + pb + pe - ((k - 1) * d + 1)
    starts = [o for o in range(0, span + (s if ceil_mode else 1), s)]
    if ceil_mode and starts[-1] >= n + pb:
        starts.pop()
    return len(starts)


@pytest.mark.parametrize("ceil_mode", [0, 1])
def test_out_size_counts_windows(ceil_mode):
    for n, k, s, d, pb, pe in SIZES:
        if (k - 1) * d + 1 > n + pb + pe:
            continue
        assert W.out_size(n, k, s, d, pb, pe, ceil_mode) == _starts(n, k, s, d, pb, pe, ceil_mode), (
            n,
            k,
            s,
            d,
        )


def test_same_pads_give_ceil_output():
    for n, k, s, d, _, _ in SIZES:
        for mode in ("SAME_UPPER", "SAME_LOWER"):
            pb, pe = W.same_pads(n, k, s, d, mode)
            assert abs(pb - pe) <= 1 and (pe >= pb) == (mode == "SAME_UPPER" or pb == pe)
            assert W.out_size(n, k, s, d, pb, pe) == -(-n // s)


def test_users_agree_with_the_helper():
    rng = np.random.default_rng(0)
    for h, w, k, s, d, p in [
        (7, 9, 3, 2, 1, 1),
        (10, 8, 2, 3, 2, 0),
        (5, 5, 3, 1, 1, 2),
        (12, 11, 4, 2, 1, 1),
    ]:
        pads = (p, p + 1, p, p)
        spec = ConvSpec(1, 8, h, w, 8, k, k, (s, s), pads, (d, d))
        want = R.conv_output_shape(
            [1, 8, h, w], [8, 8, k, k], strides=[s, s], dilations=[d, d], pads=[p, p + 1, p, p]
        )
        assert (
            [spec.oh, spec.ow] == want[2:] == [W.out_size(h, k, s, d, p, p), W.out_size(w, k, s, d, p + 1, p)]
        )
        x, wt = rng.standard_normal((1, 2, h, w)), rng.standard_normal((3, 2, k, k))
        y = conv2d_nchw(x, wt, (s, s), pads, (d, d), 1)
        np.testing.assert_allclose(
            y, R.conv(x, wt, strides=[s, s], dilations=[d, d], pads=[p, p + 1, p, p]), 1e-12
        )

"""ir.reference against onnxruntime: one single-node ONNX model per case, random inputs.

Float results compare with rtol=1e-4, atol=1e-5: both sides compute in float32 but sum in a different
order (im2col + BLAS here, MLAS kernels in onnxruntime). Integer, boolean and data-movement results
must match exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from onnx import helper

import ir.dialects  # noqa: F401
import ir.reference as R
from ir.dialects.graph.base import by_onnx_name

RTOL, ATOL = 1e-4, 1e-5
ort.set_default_logger_severity(3)
_SESSION_OPTIONS = ort.SessionOptions()
_SESSION_OPTIONS.intra_op_num_threads = 1
_SESSION_OPTIONS.inter_op_num_threads = 1


def op_defaults(op: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """`attrs` completed with the graph op definition's defaults for the attributes its formula reads
    (ONNX defaults live only there; the reference's activation functions take every attribute)."""
    cls = by_onnx_name(op)
    f = cls.formula if cls is not None else None
    return {**({a: cls.attr_defs[a].default for a in f.attrs} if f is not None else {}), **attrs}


def rng(seed: int = 0) -> np.random.Generator:
    """A fresh deterministic generator."""
    return np.random.default_rng(seed)


def randf(*shape: int, seed: int = 0, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """Uniform float32 test data."""
    return rng(seed).uniform(lo, hi, size=shape).astype(np.float32)


def randi(*shape: int, seed: int = 0, lo: int = -20, hi: int = 20, dtype: Any = np.int32) -> np.ndarray:
    """Uniform integer test data."""
    return rng(seed).integers(lo, hi, size=shape).astype(dtype)


def run_ort(
    op: str,
    inputs: Sequence[np.ndarray | None],
    attrs: dict[str, Any] | None,
    out_dtypes: Sequence[np.dtype],
    opset: int,
) -> list[np.ndarray]:
    """Run one ONNX node in onnxruntime; None inputs are omitted optional inputs."""
    names, infos, feeds = [], [], {}
    for i, v in enumerate(inputs):
        if v is None:
            names.append("")
            continue
        v = np.asarray(v)
        name = f"in{i}"
        names.append(name)
        infos.append(helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape))
        feeds[name] = v
    while names and names[-1] == "":
        names.pop()  # trailing optional inputs are left out (onnxruntime crashes on some trailing "")
    outs = [f"out{i}" for i in range(len(out_dtypes))]
    node = helper.make_node(op, names, outs, **(attrs or {}))
    out_infos = [
        helper.make_tensor_value_info(o, helper.np_dtype_to_tensor_dtype(np.dtype(dt)), None)
        for o, dt in zip(outs, out_dtypes)
    ]
    graph = helper.make_graph([node], "single_op", infos, out_infos)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8 if opset <= 17 else 10
    sess = ort.InferenceSession(
        model.SerializeToString(), _SESSION_OPTIONS, providers=["CPUExecutionProvider"]
    )
    return sess.run(None, feeds)


def check(
    op: str,
    got: np.ndarray | Sequence[np.ndarray],
    inputs: Sequence[np.ndarray | None],
    attrs: dict[str, Any] | None = None,
    *,
    opset: int = 17,
    exact: bool | None = None,
    tol: tuple[float, float] = (RTOL, ATOL),
) -> None:
    """Compare reference result(s) with onnxruntime's: same dtype, shape and values."""
    gots = list(got) if isinstance(got, (list, tuple)) else [got]
    gots = [np.asarray(g) for g in gots]
    expected = run_ort(op, inputs, attrs, [g.dtype for g in gots], opset)
    for g, e in zip(gots, expected):
        assert g.dtype == e.dtype, (g.dtype, e.dtype)
        assert g.shape == e.shape, (g.shape, e.shape)
        if exact if exact is not None else g.dtype.kind != "f":
            np.testing.assert_array_equal(g, e)
        else:
            np.testing.assert_allclose(g.astype(np.float64), e.astype(np.float64), rtol=tol[0], atol=tol[1])


# ---------------------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------------------

CONV_CASES = [
    # (x shape, w shape, attrs, bias)
    ((2, 4, 9, 9), (6, 4, 3, 3), {"pads": [1, 1, 1, 1]}, True),
    ((1, 3, 11, 10), (5, 3, 3, 3), {"strides": [2, 2], "dilations": [2, 2]}, True),
    ((1, 3, 8, 9), (4, 3, 3, 2), {"pads": [0, 1, 2, 0], "strides": [1, 2]}, False),
    ((1, 4, 8, 8), (6, 2, 3, 3), {"group": 2, "pads": [1, 1, 1, 1]}, True),
    ((2, 6, 10, 10), (6, 1, 3, 3), {"group": 6, "pads": [1, 1, 1, 1]}, True),
    ((1, 6, 9, 9), (12, 1, 5, 5), {"group": 6, "strides": [2, 2], "pads": [2, 2, 2, 2]}, True),
    ((1, 3, 11, 11), (4, 3, 3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}, True),
    ((1, 3, 10, 11), (4, 3, 4, 4), {"auto_pad": "SAME_LOWER", "strides": [3, 2]}, True),
    ((1, 3, 10, 11), (4, 3, 3, 4), {"auto_pad": "VALID", "strides": [2, 1]}, True),
    ((1, 3, 10, 11), (4, 3, 3, 3), {"auto_pad": "SAME_UPPER", "strides": [1, 3]}, False),
    ((2, 8, 7, 7), (16, 8, 1, 1), {"strides": [2, 2]}, True),
    ((1, 8, 7, 7), (16, 8, 1, 1), {}, False),
    ((1, 3, 12, 12), (8, 3, 7, 7), {"strides": [2, 2], "pads": [3, 3, 3, 3], "kernel_shape": [7, 7]}, True),
    ((2, 3, 17), (5, 3, 4), {"strides": [3], "pads": [2, 1]}, True),
    ((1, 4, 15), (4, 2, 4), {"group": 2, "strides": [2], "auto_pad": "SAME_LOWER"}, True),
    ((1, 4, 15), (4, 2, 3), {"group": 2, "dilations": [3], "pads": [0, 4]}, True),
    ((1, 2, 6, 7, 5), (3, 2, 3, 2, 3), {"pads": [1, 0, 1, 1, 1, 0], "strides": [2, 1, 2]}, True),
]


@pytest.mark.parametrize("xs,ws,attrs,bias", CONV_CASES)
def test_conv(xs: tuple, ws: tuple, attrs: dict, bias: bool) -> None:
    x, w = randf(*xs, seed=1), randf(*ws, seed=2)
    b = randf(ws[0], seed=3) if bias else None
    got = R.conv(x, w, b, **attrs)
    assert list(got.shape) == R.conv_output_shape(xs, ws, **attrs)
    check("Conv", got, [x, w, b], attrs, opset=11)


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_conv_same_with_dilation(auto_pad: str) -> None:
    # onnxruntime rejects dilated SAME padding; the spec defines it, so compare with explicit pads.
    x, w = randf(1, 2, 10, 11, seed=1), randf(3, 2, 3, 2, seed=2)
    attrs = {"dilations": [2, 3], "strides": [2, 1]}
    pads = R.conv_pads(x.shape[2:], w.shape[2:], auto_pad=auto_pad, **attrs)
    got = R.conv(x, w, auto_pad=auto_pad, **attrs)
    assert got.shape[2:] == (5, 11)
    np.testing.assert_array_equal(got, R.conv(x, w, pads=pads, **attrs))
    check("Conv", got, [x, w], dict(attrs, pads=pads), opset=11)


def test_conv_output_shape_unknown_dims() -> None:
    shape = R.conv_output_shape([None, 3, 224, None], [64, 3, 7, 7], strides=[2, 2], pads=[3, 3, 3, 3])
    assert shape == [None, 64, 112, None]
    assert R.conv_pads([10, 11], [4, 4], strides=[3, 2], auto_pad="SAME_LOWER") == [2, 2, 1, 1]


CONV_TRANSPOSE_CASES = [
    ((1, 4, 5, 5), (4, 3, 3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]}, True),
    ((2, 4, 4, 6), (4, 2, 3, 2), {"group": 2, "strides": [2, 3], "dilations": [2, 1]}, True),
    (
        (1, 3, 5, 4),
        (3, 2, 3, 3),
        {"strides": [2, 2], "output_shape": [10, 8], "auto_pad": "SAME_UPPER"},
        False,
    ),
    ((1, 3, 5, 4), (3, 2, 3, 3), {"strides": [2, 2], "output_shape": [10, 9]}, False),
    ((1, 3, 5, 4), (3, 2, 4, 4), {"strides": [2, 2], "auto_pad": "SAME_LOWER"}, True),
    ((1, 2, 7), (2, 3, 4), {"strides": [3], "pads": [1, 2]}, True),
    ((1, 2, 3, 4, 3), (2, 2, 2, 3, 2), {"strides": [2, 1, 2]}, True),
]


@pytest.mark.parametrize("xs,ws,attrs,bias", CONV_TRANSPOSE_CASES)
def test_conv_transpose(xs: tuple, ws: tuple, attrs: dict, bias: bool) -> None:
    x, w = randf(*xs, seed=4), randf(*ws, seed=5)
    b = randf(ws[1] * attrs.get("group", 1), seed=6) if bias else None
    got = R.conv_transpose(x, w, b, **attrs)
    assert list(got.shape) == R.conv_transpose_output_shape(xs, ws, **attrs)
    check("ConvTranspose", got, [x, w, b], attrs, opset=11)


# ---------------------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------------------

POOL_CASES = [
    ((1, 3, 12, 12), {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ((1, 2, 7, 7), {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}),
    ((1, 2, 8, 7), {"kernel_shape": [3, 2], "strides": [2, 2], "pads": [1, 0, 1, 1], "ceil_mode": 1}),
    ((1, 2, 4, 4), {"kernel_shape": [2, 2], "strides": [3, 3], "pads": [1, 1, 1, 1], "ceil_mode": 1}),
    ((1, 2, 6, 9), {"kernel_shape": [2, 3], "strides": [2, 1], "pads": [0, 2, 1, 0]}),
    ((1, 2, 9, 9), {"kernel_shape": [3, 3], "strides": [2, 2], "auto_pad": "SAME_UPPER"}),
    ((1, 2, 10, 9), {"kernel_shape": [4, 3], "strides": [3, 2], "auto_pad": "SAME_LOWER"}),
    ((1, 2, 10, 9), {"kernel_shape": [3, 3], "auto_pad": "VALID", "strides": [2, 2]}),
    ((2, 3, 11), {"kernel_shape": [3], "strides": [2], "pads": [1, 1], "ceil_mode": 1}),
    ((1, 2, 5, 6, 7), {"kernel_shape": [2, 3, 2], "strides": [2, 2, 1], "pads": [0, 1, 1, 1, 1, 0]}),
]


@pytest.mark.parametrize("xs,attrs", POOL_CASES)
def test_max_pool(xs: tuple, attrs: dict) -> None:
    x = randf(*xs, seed=7)
    got = R.max_pool(x, **attrs)
    assert list(got.shape) == R.pool_output_shape(xs, **attrs)
    check("MaxPool", got, [x], attrs, opset=12, exact=True)


@pytest.mark.parametrize(
    "xs,attrs", POOL_CASES + [((1, 2, 11, 10), {"kernel_shape": [3, 2], "dilations": [2, 3]})]
)
@pytest.mark.parametrize("storage_order", [0, 1])
def test_max_pool_indices(xs: tuple, attrs: dict, storage_order: int) -> None:
    x = randf(*xs, seed=8)
    a = dict(attrs, storage_order=storage_order)
    check("MaxPool", R.max_pool_with_indices(x, **a), [x], a, opset=12, exact=True)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8])
def test_max_pool_int(dtype: Any) -> None:
    x = randi(1, 2, 7, 7, lo=0, hi=100, dtype=dtype, seed=9)
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "ceil_mode": 1}
    check("MaxPool", R.max_pool(x, **attrs), [x], attrs, opset=12)


def test_max_pool_dilated() -> None:
    x = randf(1, 2, 11, 10, seed=10)
    attrs = {"kernel_shape": [3, 2], "dilations": [2, 3], "strides": [1, 2], "pads": [1, 1, 2, 0]}
    check("MaxPool", R.max_pool(x, **attrs), [x], attrs, opset=12)


@pytest.mark.parametrize("xs,attrs", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [0, 1])
def test_average_pool(xs: tuple, attrs: dict, count_include_pad: int) -> None:
    x = randf(*xs, seed=11)
    a = dict(attrs, count_include_pad=count_include_pad)
    got = R.average_pool(x, **a)
    assert list(got.shape) == R.pool_output_shape(xs, **a)
    check("AveragePool", got, [x], a, opset=11)


@pytest.mark.parametrize("count_include_pad", [0, 1])
def test_average_pool_dilated(count_include_pad: int) -> None:
    x = randf(1, 2, 11, 10, seed=12)
    attrs = {"kernel_shape": [3, 2], "dilations": [2, 2], "strides": [2, 1], "pads": [1, 1, 1, 0]}
    a = dict(attrs, count_include_pad=count_include_pad)
    check("AveragePool", R.average_pool(x, **a), [x], a, opset=19)


@pytest.mark.parametrize("p", [1, 2, 3])
def test_lp_pool(p: int) -> None:
    x = randf(1, 3, 8, 7, seed=13)
    attrs = {"kernel_shape": [3, 2], "strides": [2, 2], "pads": [1, 0, 1, 1], "p": p}
    check("LpPool", R.lp_pool(x, **attrs), [x], attrs, opset=18)
    check("GlobalLpPool", R.global_lp_pool(x, p=p), [x], {"p": p}, opset=18)


@pytest.mark.parametrize("xs", [(2, 3, 5, 6), (1, 4, 7), (1, 2, 3, 4, 5)])
def test_global_pools(xs: tuple) -> None:
    x = randf(*xs, seed=14)
    check("GlobalAveragePool", R.global_average_pool(x), [x])
    check("GlobalMaxPool", R.global_max_pool(x), [x], exact=True)


def test_float16_accumulates_in_float32() -> None:
    # float16 in, float16 out; both sides accumulate in float32, so results agree to an fp16 ulp or two.
    x, w = randf(1, 4, 8, 8, seed=17).astype(np.float16), randf(6, 4, 3, 3, seed=18).astype(np.float16)
    tol = (2e-3, 2e-3)
    check("Conv", R.conv(x, w, pads=[1, 1, 1, 1]), [x, w], {"pads": [1, 1, 1, 1]}, tol=tol)
    attrs = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "strides": [2, 2]}
    check("MaxPool", R.max_pool(x, **attrs), [x], attrs, exact=True)
    check("AveragePool", R.average_pool(x, **attrs), [x], attrs, tol=tol)
    check("Softmax", R.softmax(x), [x], opset=13, tol=tol)


# ---------------------------------------------------------------------------------------------------------
# Normalization, softmax, matrix products
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size,alpha,beta,bias", [(3, 1e-4, 0.75, 1.0), (5, 0.01, 0.5, 2.0), (1, 0.1, 0.9, 1.5)]
)
def test_lrn(size: int, alpha: float, beta: float, bias: float) -> None:
    x = randf(2, 7, 4, 5, seed=15, lo=-3, hi=3)
    attrs = {"size": size, "alpha": alpha, "beta": beta, "bias": bias}
    check("LRN", R.lrn(x, **attrs), [x], attrs)


def test_lrn_even_size() -> None:
    # onnxruntime rejects even sizes; the spec's window is [c - 1, c + 2] for size 4.
    x = randf(1, 6, 2, 2, seed=16)
    sq = np.pad(x.astype(np.float64) ** 2, ((0, 0), (1, 2), (0, 0), (0, 0)))
    window = sum(sq[:, i : i + 6] for i in range(4))
    expected = x / (1.5 + 0.1 / 4 * window) ** 0.9
    np.testing.assert_allclose(R.lrn(x, size=4, alpha=0.1, beta=0.9, bias=1.5), expected, rtol=1e-5)


@pytest.mark.parametrize("opset", [9, 15])
def test_batch_normalization(opset: int) -> None:
    x = randf(2, 4, 3, 5, seed=16)
    scale, b, mean = randf(4, seed=17), randf(4, seed=18), randf(4, seed=19)
    var = randf(4, seed=20, lo=0.5, hi=2.0)
    got = R.batch_normalization(x, scale, b, mean, var, epsilon=1e-3)
    check("BatchNormalization", got, [x, scale, b, mean, var], {"epsilon": 1e-3}, opset=opset)


def test_instance_normalization() -> None:
    x = randf(2, 3, 4, 5, seed=21)
    scale, b = randf(3, seed=22), randf(3, seed=23)
    check(
        "InstanceNormalization",
        R.instance_normalization(x, scale, b, epsilon=1e-4),
        [x, scale, b],
        {"epsilon": 1e-4},
    )


@pytest.mark.parametrize("axis", [-1, 1, 2])
@pytest.mark.parametrize("with_bias", [True, False])
def test_layer_normalization(axis: int, with_bias: bool) -> None:
    x = randf(2, 3, 4, 5, seed=24)
    norm_shape = x.shape[axis:]
    scale = randf(*norm_shape, seed=25)
    b = randf(*norm_shape, seed=26) if with_bias else None
    got = R.layer_normalization_with_stats(x, scale, b, axis=axis, epsilon=1e-5, stash_type=1)
    check("LayerNormalization", got, [x, scale, b], {"axis": axis, "epsilon": 1e-5})
    np.testing.assert_array_equal(
        got[0], R.layer_normalization(x, scale, b, axis=axis, epsilon=1e-5, stash_type=1)
    )


@pytest.mark.parametrize(
    "op,fn", [("Softmax", R.softmax), ("LogSoftmax", R.log_softmax), ("Hardmax", R.hardmax)]
)
@pytest.mark.parametrize("opset,axis", [(13, -1), (13, 1), (11, 1), (11, -2), (11, 0)])
def test_softmax_family(op: str, fn: Any, opset: int, axis: int) -> None:
    x = randf(2, 3, 4, 5, seed=27, lo=-5, hi=5)
    got = fn(x, axis=axis, flatten_to_2d=opset < 13)
    check(op, got, [x], {"axis": axis}, opset=opset)


GEMM_CASES = [
    ({}, (3, 4), (4, 5), (3, 5)),
    ({"transA": 1}, (4, 3), (4, 5), (5,)),
    ({"transB": 1, "alpha": 0.5, "beta": 2.0}, (3, 4), (5, 4), (3, 1)),
    ({"transA": 1, "transB": 1, "beta": 0.0}, (4, 3), (5, 4), (1,)),
    ({"alpha": 2.0}, (3, 4), (4, 5), None),
    ({}, (3, 4), (4, 5), ()),
]


@pytest.mark.parametrize("attrs,sa,sb,sc", GEMM_CASES)
def test_gemm(attrs: dict, sa: tuple, sb: tuple, sc: tuple | None) -> None:
    a, b = randf(*sa, seed=28), randf(*sb, seed=29)
    c = None if sc is None else randf(*sc, seed=30)
    kw = {"alpha": attrs.get("alpha", 1.0), "beta": attrs.get("beta", 1.0)}
    got = R.gemm(a, b, c, trans_a=attrs.get("transA", 0), trans_b=attrs.get("transB", 0), **kw)
    check("Gemm", got, [a, b, c], attrs, opset=13)


@pytest.mark.parametrize(
    "sa,sb,dtype",
    [
        ((3, 4), (4, 5), np.float32),
        ((2, 1, 3, 4), (5, 4, 6), np.float32),
        ((4,), (2, 4, 3), np.float32),
        ((2, 3, 4), (4,), np.float32),
        ((2, 3, 4), (2, 4, 2), np.int64),
        ((3, 4), (4, 2), np.int32),
    ],
)
def test_matmul(sa: tuple, sb: tuple, dtype: Any) -> None:
    if np.dtype(dtype).kind == "f":
        a, b = randf(*sa, seed=31), randf(*sb, seed=32)
    else:
        a, b = randi(*sa, seed=31, dtype=dtype), randi(*sb, seed=32, dtype=dtype)
    check("MatMul", R.matmul(a, b), [a, b], opset=13)


# ---------------------------------------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------------------------------------

_UNARY = [
    ("Abs", R.abs_, {}, (-3, 3)),
    ("Neg", R.neg, {}, (-3, 3)),
    ("Reciprocal", R.reciprocal, {}, (0.5, 3)),
    ("Sqrt", R.sqrt, {}, (0, 9)),
    ("Exp", R.exp, {}, (-5, 5)),
    ("Log", R.log, {}, (0.01, 9)),
    ("Floor", R.floor, {}, (-3, 3)),
    ("Ceil", R.ceil, {}, (-3, 3)),
    ("Sign", R.sign, {}, (-3, 3)),
    ("Sin", R.sin, {}, (-3, 3)),
    ("Cos", R.cos, {}, (-3, 3)),
    ("Tan", R.tan, {}, (-1.2, 1.2)),
    ("Asin", R.asin, {}, (-1, 1)),
    ("Acos", R.acos, {}, (-1, 1)),
    ("Atan", R.atan, {}, (-3, 3)),
    ("Sinh", R.sinh, {}, (-3, 3)),
    ("Cosh", R.cosh, {}, (-3, 3)),
    ("Asinh", R.asinh, {}, (-3, 3)),
    ("Acosh", R.acosh, {}, (1, 4)),
    ("Atanh", R.atanh, {}, (-0.99, 0.99)),
    ("Tanh", R.tanh, {}, (-4, 4)),
    ("Erf", R.erf, {}, (-4, 4)),
    ("Relu", R.relu, {}, (-3, 3)),
    ("Sigmoid", R.sigmoid, {}, (-20, 20)),
    ("HardSigmoid", R.hard_sigmoid, {"alpha": 0.3, "beta": 0.4}, (-5, 5)),
    ("HardSigmoid", R.hard_sigmoid, {}, (-5, 5)),
    ("HardSwish", R.hard_swish, {}, (-5, 5)),
    ("LeakyRelu", R.leaky_relu, {"alpha": 0.2}, (-3, 3)),
    ("Elu", R.elu, {"alpha": 0.7}, (-3, 3)),
    ("Selu", R.selu, {}, (-3, 3)),
    ("Celu", R.celu, {"alpha": 1.5}, (-3, 3)),
    ("Softplus", R.softplus, {}, (-20, 20)),
    ("Softsign", R.softsign, {}, (-3, 3)),
    ("ThresholdedRelu", R.thresholded_relu, {"alpha": 0.5}, (-3, 3)),
    ("Mish", R.mish, {}, (-5, 5)),
    ("Shrink", R.shrink, {"bias": 0.3, "lambd": 0.6}, (-3, 3)),
    ("IsNaN", R.is_nan, {}, (-3, 3)),
]


@pytest.mark.parametrize("op,fn,attrs,rng_", _UNARY, ids=[f"{c[0]}-{i}" for i, c in enumerate(_UNARY)])
def test_unary(op: str, fn: Any, attrs: dict, rng_: tuple) -> None:
    x = randf(3, 4, 5, seed=33, lo=rng_[0], hi=rng_[1])
    # onnxruntime gets only the given attributes: the rest are checked against the op definition's defaults.
    check(op, fn(x, **op_defaults(op, attrs)), [x], attrs, opset=18 if op != "Mish" else 18)


def test_round_half_to_even() -> None:
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4, 0.6, -0.6], dtype=np.float32)
    check("Round", R.round_(x), [x], exact=True)


def test_is_inf_and_nan() -> None:
    x = np.array([np.inf, -np.inf, np.nan, 0.0, 1.0], dtype=np.float32)
    for dn, dp in [(1, 1), (0, 1), (1, 0)]:
        attrs = {"detect_negative": dn, "detect_positive": dp}
        check("IsInf", R.is_inf(x, **attrs), [x], attrs)
    check("IsNaN", R.is_nan(x), [x])


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu(approximate: str) -> None:
    x = randf(4, 50, seed=34, lo=-6, hi=6)
    check("Gelu", R.gelu(x, approximate=approximate), [x], {"approximate": approximate}, opset=20)


def test_erf_accuracy_against_math_erf() -> None:
    x = np.concatenate(
        [
            np.linspace(-7, 7, 20001),
            [0.0, 1e-300, 1e-20, 0.46875, 0.4687501, 4.0, 4.0000001, 26.5, 27.0, 40.0],
        ]
    )
    x = np.concatenate([x, -x])
    ref = np.array([math.erf(v) for v in x])
    got = R.erf(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ref, rtol=1e-7, atol=0)
    assert (
        np.all(R.erf(np.array([np.inf, -np.inf])) == [1.0, -1.0]) and np.isnan(R.erf(np.array([np.nan])))[0]
    )


_BINARY_FLOAT = [
    ("Add", R.add),
    ("Sub", R.sub),
    ("Mul", R.mul),
    ("Div", R.div),
    ("Equal", R.equal),
    ("Less", R.less),
    ("LessOrEqual", R.less_or_equal),
    ("Greater", R.greater),
    ("GreaterOrEqual", R.greater_or_equal),
]


@pytest.mark.parametrize("op,fn", _BINARY_FLOAT)
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.int64])
def test_binary(op: str, fn: Any, dtype: Any) -> None:
    if np.dtype(dtype).kind == "f":
        a, b = randf(3, 1, 5, seed=35), randf(4, 1, seed=36)
        b[0, 0] = a[0, 0, 0]
    else:
        a, b = randi(3, 1, 5, seed=35, dtype=dtype), randi(4, 1, seed=36, dtype=dtype)
        if op == "Div":
            b[b == 0] = 3
    check(op, fn(a, b), [a, b], opset=14 if op != "LessOrEqual" else 16)


@pytest.mark.parametrize(
    "a,b",
    [
        (randf(3, 4, seed=37, lo=0.1, hi=3), randf(3, 4, seed=38, lo=-2, hi=2)),
        (randf(3, 4, seed=37, lo=-3, hi=3), np.array([2, 3], dtype=np.int64).reshape(2, 1, 1)),
        (randi(3, 4, seed=39, lo=-5, hi=5, dtype=np.int64), randi(4, seed=40, lo=0, hi=4, dtype=np.int64)),
        (randi(3, 4, seed=39, lo=-5, hi=5, dtype=np.int32), randf(4, seed=40, lo=0, hi=3).round()),
    ],
)
def test_pow(a: np.ndarray, b: np.ndarray) -> None:
    check("Pow", R.pow_(a, b), [a, b], opset=15)


@pytest.mark.parametrize("fmod,dtype", [(0, np.int32), (1, np.int32), (1, np.float32), (0, np.int64)])
def test_mod(fmod: int, dtype: Any) -> None:
    if np.dtype(dtype).kind == "f":
        a, b = (
            randf(4, 5, seed=41, lo=-9, hi=9),
            randf(5, seed=42, lo=0.5, hi=3) * np.float32(-1) ** np.arange(5),
        )
        b = b.astype(np.float32)
    else:
        a = randi(4, 5, seed=41, dtype=dtype)
        b = randi(5, seed=42, lo=1, hi=7, dtype=dtype) * np.array([1, -1, 1, -1, 1], dtype=dtype)
    check("Mod", R.mod(a, b, fmod=fmod), [a, b], {"fmod": fmod}, opset=13)


@pytest.mark.parametrize("op,fn", [("And", R.and_), ("Or", R.or_), ("Xor", R.xor)])
def test_logical(op: str, fn: Any) -> None:
    a, b = rng(43).random((3, 4)) > 0.5, rng(44).random((4,)) > 0.5
    check(op, fn(a, b), [a, b])
    check("Not", R.not_(a), [a])


@pytest.mark.parametrize(
    "op,fn", [("BitwiseAnd", R.bitwise_and), ("BitwiseOr", R.bitwise_or), ("BitwiseXor", R.bitwise_xor)]
)
def test_bitwise(op: str, fn: Any) -> None:
    a, b = randi(3, 4, seed=45, lo=-100, hi=100), randi(4, seed=46, lo=-100, hi=100)
    check(op, fn(a, b), [a, b], opset=18)
    check("BitwiseNot", R.bitwise_not(a), [a], opset=18)


@pytest.mark.parametrize("direction", ["LEFT", "RIGHT"])
def test_bit_shift(direction: str) -> None:
    a, b = randi(3, 4, seed=47, lo=0, hi=200, dtype=np.uint8), randi(4, seed=48, lo=0, hi=8, dtype=np.uint8)
    check("BitShift", R.bit_shift(a, b, direction=direction), [a, b], {"direction": direction}, opset=11)


def test_where_and_prelu() -> None:
    c = rng(49).random((3, 1, 5)) > 0.5
    x, y = randf(4, 5, seed=50), randf(3, 4, 1, seed=51)
    check("Where", R.where(c, x, y), [c, x, y], opset=16)
    xi, yi = randi(4, 5, seed=50, dtype=np.int64), randi(3, 4, 1, seed=51, dtype=np.int64)
    check("Where", R.where(c, xi, yi), [c, xi, yi], opset=16)
    slope = randf(3, 1, 1, seed=52)
    xp = randf(2, 3, 4, 5, seed=53)
    check("PRelu", R.prelu(xp, slope), [xp, slope], opset=16)


@pytest.mark.parametrize("op,fn", [("Max", R.max_), ("Min", R.min_), ("Sum", R.sum_), ("Mean", R.mean)])
def test_variadic(op: str, fn: Any) -> None:
    a, b, c = randf(3, 1, 5, seed=54), randf(4, 1, seed=55), randf(5, seed=56)
    check(op, fn(a, b, c), [a, b, c], opset=13)
    check(op, fn(a), [a], opset=13)
    if op in ("Max", "Min"):
        ai, bi = randi(3, 1, 5, seed=57), randi(4, 1, seed=58)
        check(op, fn(ai, bi), [ai, bi], opset=13)


@pytest.mark.parametrize(
    "opset,lo,hi,dtype",
    [
        (6, -0.3, 0.5, np.float32),
        (6, None, 0.2, np.float32),
        (11, -0.3, 0.5, np.float32),
        (11, None, 0.1, np.float32),
        (11, -0.2, None, np.float32),
        (11, None, None, np.float32),
        (13, -5, 7, np.int32),
        (13, 0.4, -0.4, np.float32),
    ],
)
def test_clip(opset: int, lo: float | None, hi: float | None, dtype: Any) -> None:
    x = randf(3, 4, seed=59) if np.dtype(dtype).kind == "f" else randi(3, 4, seed=59, dtype=dtype)
    got = R.clip(x, lo, hi)
    if opset < 11:
        attrs = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
        check("Clip", got, [x], attrs, opset=opset)
    else:
        lo_t = None if lo is None else np.asarray(lo, dtype=dtype)
        hi_t = None if hi is None else np.asarray(hi, dtype=dtype)
        check("Clip", got, [x, lo_t, hi_t], opset=opset)


_CAST_CASES = [
    (np.array([-2.7, -1.5, -0.2, 0.0, 0.7, 1.5, 2.9, 100.6], dtype=np.float32), np.int32),
    (np.array([-2.7, -1.5, -0.2, 0.0, 0.7, 1.5, 2.9, 100.6], dtype=np.float32), np.int64),
    (np.array([0.0, 0.7, 1.5, 2.9, 200.6, 255.0], dtype=np.float32), np.uint8),
    (np.array([-2.7, 0.0, -0.0, 0.5, np.nan, np.inf], dtype=np.float32), np.bool_),
    (np.array([-3, 0, 5, 2**40], dtype=np.int64), np.float32),
    (np.array([1.0001, 65504.0, 70000.0, 1e-8, -3.3], dtype=np.float32), np.float16),
    (np.array([1.00000001, 1e-40, 3.4e38, -7.1], dtype=np.float64), np.float32),
    (np.array([-129, -128, 127, 128, 300, -1], dtype=np.int32), np.int8),
    (np.array([-1, 0, 1, 70000], dtype=np.int32), np.uint16),
    (np.array([True, False, True]), np.float32),
    (np.array([True, False, True]), np.int64),
    (np.array([0, 3, -2], dtype=np.int32), np.bool_),
    (np.array([2.5, -1.25], dtype=np.float16), np.float64),
]


@pytest.mark.parametrize("x,to", _CAST_CASES)
@pytest.mark.parametrize("opset", [13, 19])
def test_cast(x: np.ndarray, to: Any, opset: int) -> None:
    code = helper.np_dtype_to_tensor_dtype(np.dtype(to))
    got = R.cast(x, to=code, saturate=1)
    assert got.dtype == np.dtype(to)
    np.testing.assert_array_equal(got, R.cast(x, to=to, saturate=1))
    check("Cast", got, [x], {"to": code}, opset=opset, exact=True)


def test_cast_like() -> None:
    x, t = randf(3, 4, seed=60, lo=-9, hi=9), np.zeros(1, dtype=np.int64)
    check("CastLike", R.cast_like(x, t, saturate=1), [x, t], opset=15)


# ---------------------------------------------------------------------------------------------------------
# Shape and data movement (exact)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "xs,shape,allowzero",
    [
        ((2, 3, 4), [0, -1], 0),
        ((2, 3, 4), [4, 0, 2, -1], 0),
        ((2, 3, 4), [-1], 0),
        ((0, 3), [3, 0], 1),
        ((2, 3, 4), [2, 0, 4], 0),
        ((6,), [2, 3], 1),
    ],
)
def test_reshape(xs: tuple, shape: list, allowzero: int) -> None:
    x = randf(*xs, seed=61)
    s = np.array(shape, dtype=np.int64)
    check(
        "Reshape",
        R.reshape(x, s, allowzero=allowzero),
        [x, s],
        {"allowzero": allowzero},
        opset=14,
        exact=True,
    )


@pytest.mark.parametrize("perm", [None, [0, 2, 1, 3], [3, 1, 0, 2]])
def test_transpose(perm: list | None) -> None:
    x = randi(2, 3, 4, 5, seed=62)
    attrs = {} if perm is None else {"perm": perm}
    check("Transpose", R.transpose(x, **attrs), [x], attrs)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(axis: int) -> None:
    xs = [randf(2, 3, 4, seed=63 + i) for i in range(3)]
    check("Concat", R.concat(xs, axis=axis), xs, {"axis": axis}, exact=True)


@pytest.mark.parametrize(
    "opset,split,num,axis,n_out",
    [
        (11, [2, 3, 2], None, 1, 3),
        (11, None, None, 0, 2),
        (13, [1, 5, 1], None, -2, 3),
        (13, None, None, 2, 3),
        (18, None, 3, 1, 3),
        (18, None, 4, 1, 4),
        (18, [4, 3], None, 1, 2),
    ],
)
def test_split(opset: int, split: list | None, num: int | None, axis: int, n_out: int) -> None:
    x = randf(4, 7, 6, seed=66)
    got = R.split(x, split, axis=axis, num_outputs=num if num else n_out)
    attrs: dict[str, Any] = {"axis": axis}
    inputs: list[Any] = [x]
    if opset < 13 and split is not None:
        attrs["split"] = split
    elif split is not None:
        inputs.append(np.array(split, dtype=np.int64))
    if num is not None:
        attrs["num_outputs"] = num
    check("Split", got, inputs, attrs, opset=opset, exact=True)


_BIG = 2**63 - 1
SLICE_CASES = [
    ([1, 0], [3, 10], [0, 2], None),
    ([-1, 2], [-4, _BIG], [1, 2], [-1, 2]),
    ([10, -100], [-10, 100], [0, 1], [-2, 3]),
    ([0], [-1], None, None),
    ([-1], [-(2**63)], [-1], [-1]),
    ([-(2**63)], [_BIG], [-1], [-1]),
    ([3, 1], [0, 4], [2, 0], [-1, 1]),
]


@pytest.mark.parametrize("starts,ends,axes,steps", SLICE_CASES)
def test_slice(starts: list, ends: list, axes: list | None, steps: list | None) -> None:
    x = randi(4, 5, 6, seed=67)
    got = R.slice_(x, starts, ends, axes, steps)
    if starts == [-(2**63)]:
        # start clamps to 0 and a backward walk from 0 to the end is empty per the spec (and the ONNX
        # reference); onnxruntime returns one element here, so compare with the spec instead.
        assert got.shape == (4, 5, 0)
        return
    arrs = [np.array(v, dtype=np.int64) if v is not None else None for v in (starts, ends, axes, steps)]
    check("Slice", got, [x, *arrs], opset=13)
    if steps is None and all(abs(v) < 2**31 for v in starts + ends):
        attrs = {"starts": starts, "ends": ends} | ({"axes": axes} if axes else {})
        check("Slice", got, [x], attrs, opset=1)


@pytest.mark.parametrize(
    "axis,indices",
    [
        (0, np.array([0, -1, 2], dtype=np.int64)),
        (1, np.array([[1, -2], [0, 3]], dtype=np.int64)),
        (-1, np.array(2, dtype=np.int64)),
        (2, np.array([1, 0, 4, -5], dtype=np.int32)),
    ],
)
def test_gather(axis: int, indices: np.ndarray) -> None:
    x = randf(3, 4, 5, seed=68)
    check("Gather", R.gather(x, indices, axis=axis), [x, indices], {"axis": axis}, opset=13, exact=True)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gather_elements(axis: int) -> None:
    x = randf(3, 4, 5, seed=69)
    idx = rng(70).integers(-x.shape[axis], x.shape[axis], size=(2, 4, 3)).astype(np.int64)
    if axis == 1:
        idx = rng(70).integers(-4, 4, size=(3, 6, 5)).astype(np.int64)
    check("GatherElements", R.gather_elements(x, idx, axis=axis), [x, idx], {"axis": axis}, opset=13)


@pytest.mark.parametrize(
    "xs,idx,batch_dims",
    [
        ((3, 4, 5), [[0, 1], [2, -1]], 0),
        ((3, 4, 5), [[[1], [0]]], 0),
        ((3, 4, 5), [[1, 2, 3]], 0),
        ((2, 4, 5), [[[1, 2], [3, 0]], [[0, 0], [-1, 4]]], 1),
        ((2, 4, 5), [[1], [3]], 1),
    ],
)
def test_gather_nd(xs: tuple, idx: list, batch_dims: int) -> None:
    x = randf(*xs, seed=71)
    i = np.array(idx, dtype=np.int64)
    check("GatherND", R.gather_nd(x, i, batch_dims=batch_dims), [x, i], {"batch_dims": batch_dims}, opset=13)


@pytest.mark.parametrize("xs,shape", [((3, 1), [2, 1, 4]), ((1, 4), [3, 1]), ((2, 3), [3]), ((), [2, 2])])
def test_expand(xs: tuple, shape: list) -> None:
    x = randf(*xs, seed=72)
    s = np.array(shape, dtype=np.int64)
    check("Expand", R.expand(x, s), [x, s], opset=13, exact=True)


def test_tile() -> None:
    x = randi(2, 3, seed=73)
    r = np.array([2, 3], dtype=np.int64)
    check("Tile", R.tile(x, r), [x, r], opset=13)


PAD_CASES = [
    ("constant", [1, 0, 2, 0, 3, 1], 1.5, None),
    ("reflect", [2, 1, 0, 1, 2, 2], None, None),
    ("edge", [0, 3, 1, 2, 0, 0], None, None),
    ("constant", [-1, 2, 0, 1, -2, 1], 0.0, None),
    ("constant", [1, 2, 0, 3], -2.0, [1, -1]),
    ("wrap", [1, 2, 2, 3, 0, 1], None, None),
]


@pytest.mark.parametrize("mode,pads,value,axes", PAD_CASES)
def test_pad(mode: str, pads: list, value: float | None, axes: list | None) -> None:
    x = randf(3, 4, 5, seed=74)
    got = R.pad(x, pads, value, axes, mode=mode)
    inputs: list[Any] = [x, np.array(pads, dtype=np.int64)]
    inputs.append(None if value is None else np.array(value, dtype=np.float32))
    if axes is not None:
        inputs.append(np.array(axes, dtype=np.int64))
    check("Pad", got, inputs, {"mode": mode}, opset=19, exact=True)
    if axes is None and mode != "wrap":
        check("Pad", got, inputs[:3], {"mode": mode}, opset=11, exact=True)
        if min(pads) >= 0:
            attrs = {"mode": mode, "pads": pads} | ({} if value is None else {"value": value})
            check("Pad", got, [x], attrs, opset=2, exact=True)


def test_pad_int() -> None:
    x = randi(3, 4, seed=75, dtype=np.int64)
    pads = np.array([1, 2, 0, 1], dtype=np.int64)
    check(
        "Pad", R.pad(x, pads, np.array(7, dtype=np.int64)), [x, pads, np.array(7, dtype=np.int64)], opset=13
    )


@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1])
def test_flatten(axis: int) -> None:
    x = randf(2, 3, 4, seed=76)
    check("Flatten", R.flatten(x, axis=axis), [x], {"axis": axis}, opset=13, exact=True)


@pytest.mark.parametrize("axes", [None, [1], [-1, 1]])
@pytest.mark.parametrize("opset", [11, 13])
def test_squeeze(axes: list | None, opset: int) -> None:
    x = randf(2, 1, 3, 1, seed=77)
    got = R.squeeze(x, axes)
    if opset >= 13:
        check("Squeeze", got, [x, None if axes is None else np.array(axes, dtype=np.int64)], opset=opset)
    else:
        check("Squeeze", got, [x], {} if axes is None else {"axes": axes}, opset=opset)


@pytest.mark.parametrize("axes", [[0], [1, -1], [0, 3, 5], [-1, -5]])
@pytest.mark.parametrize("opset", [11, 13])
def test_unsqueeze(axes: list, opset: int) -> None:
    x = randf(2, 3, 4, seed=78)
    got = R.unsqueeze(x, axes)
    if opset >= 13:
        check("Unsqueeze", got, [x, np.array(axes, dtype=np.int64)], opset=opset)
    else:
        check("Unsqueeze", got, [x], {"axes": axes}, opset=opset)


@pytest.mark.parametrize("mode", ["DCR", "CRD"])
def test_depth_to_space(mode: str) -> None:
    x = randf(2, 8, 3, 4, seed=79)
    check(
        "DepthToSpace",
        R.depth_to_space(x, blocksize=2, mode=mode),
        [x],
        {"blocksize": 2, "mode": mode},
        opset=13,
    )
    y = randf(2, 3, 4, 6, seed=80)
    check("SpaceToDepth", R.space_to_depth(y, blocksize=2), [y], {"blocksize": 2}, opset=13)


def test_small_ops() -> None:
    x = randf(2, 3, 4, seed=81)
    check("Shape", R.shape(x), [x], opset=13)
    for start, end in [(1, None), (-2, -1), (0, 10), (-10, 1)]:
        attrs = {"start": start} | ({} if end is None else {"end": end})
        check("Shape", R.shape(x, **attrs), [x], attrs, opset=15)
    check("Size", R.size(x), [x], opset=13)
    check("Identity", R.identity(x), [x], opset=13)
    s = np.array([2, 3], dtype=np.int64)
    check("ConstantOfShape", R.constant_of_shape(s), [s], opset=9)
    v = helper.make_tensor("value", helper.np_dtype_to_tensor_dtype(np.dtype(np.int64)), [1], [7])
    check("ConstantOfShape", R.constant_of_shape(s, value=np.array([7], dtype=np.int64)), [s], {"value": v})
    for start, limit, delta in [(0, 10, 3), (10, 2, -2), (5, 1, 1)]:
        a, b, c = (np.array(t, dtype=np.int64) for t in (start, limit, delta))
        check("Range", R.range_(a, b, c), [a, b, c], opset=11)
    a, b, c = (np.array(t, dtype=np.float32) for t in (0.5, 3.7, 0.4))
    check("Range", R.range_(a, b, c), [a, b, c], opset=11)
    z = (randi(3, 4, seed=82, lo=-1, hi=2)).astype(np.float32)
    check("NonZero", R.nonzero(z), [z], opset=13)


@pytest.mark.parametrize("op,fn", [("ArgMax", R.argmax), ("ArgMin", R.argmin)])
@pytest.mark.parametrize("axis,keepdims,last", [(0, 1, 0), (1, 0, 0), (-1, 1, 1), (2, 0, 1)])
def test_arg_reduce(op: str, fn: Any, axis: int, keepdims: int, last: int) -> None:
    x = randi(3, 4, 5, seed=83, lo=0, hi=4).astype(np.float32)  # many ties
    attrs = {"axis": axis, "keepdims": keepdims, "select_last_index": last}
    check(op, fn(x, **attrs), [x], attrs, opset=13)


# ---------------------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------------------

_REDUCE = [
    ("ReduceSum", R.reduce_sum, 13),
    ("ReduceMean", R.reduce_mean, 18),
    ("ReduceMax", R.reduce_max, 18),
    ("ReduceMin", R.reduce_min, 18),
    ("ReduceProd", R.reduce_prod, 18),
    ("ReduceL1", R.reduce_l1, 18),
    ("ReduceL2", R.reduce_l2, 18),
    ("ReduceLogSum", R.reduce_log_sum, 18),
    ("ReduceLogSumExp", R.reduce_log_sum_exp, 18),
    ("ReduceSumSquare", R.reduce_sum_square, 18),
]


@pytest.mark.parametrize("op,fn,input_opset", _REDUCE)
@pytest.mark.parametrize(
    "axes,keepdims,noop",
    [([1], 1, 0), ([0, -1], 0, 0), (None, 1, 0), (None, 0, 0), (None, 1, 1), ([2, 1], 1, 1)],
)
def test_reduce(op: str, fn: Any, input_opset: int, axes: list | None, keepdims: int, noop: int) -> None:
    x = randf(3, 4, 5, seed=84, lo=0.5, hi=1.5)
    got = fn(x, axes, keepdims=keepdims, noop_with_empty_axes=noop)
    # Newer opset: axes is an input (noop_with_empty_axes exists).
    attrs = {"keepdims": keepdims, "noop_with_empty_axes": noop}
    check(op, got, [x, None if axes is None else np.array(axes, dtype=np.int64)], attrs, opset=input_opset)
    # Older opset: axes is an attribute, absent axes reduce everything.
    if not noop:
        old = {"keepdims": keepdims} | ({} if axes is None else {"axes": axes})
        check(op, got, [x], old, opset=input_opset - 2 if input_opset == 13 else 13)


@pytest.mark.parametrize(
    "op,fn",
    [
        ("ReduceSum", R.reduce_sum),
        ("ReduceMax", R.reduce_max),
        ("ReduceMin", R.reduce_min),
        ("ReduceProd", R.reduce_prod),
    ],
)
def test_reduce_int(op: str, fn: Any) -> None:
    x = randi(3, 4, 5, seed=85, lo=-3, hi=4)
    got = fn(x, [1], keepdims=0)
    check(op, got, [x], {"axes": [1], "keepdims": 0}, opset=11)


# ---------------------------------------------------------------------------------------------------------
# Resize
# ---------------------------------------------------------------------------------------------------------

_CTMS = ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel", "half_pixel_symmetric"]
_NEAREST = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
_SCALES = [[1.0, 1.0, 2.0, 3.0], [1.0, 1.0, 1.7, 0.6], [1.0, 1.0, 0.5, 0.34]]


def _resize_check(
    x: np.ndarray, attrs: dict, *, roi: Any = None, scales: Any = None, sizes: Any = None, opset: int = 19
) -> None:
    """Compare one Resize configuration (scales/sizes as float32/int64 inputs)."""
    sc = None if scales is None else np.array(scales, dtype=np.float32)
    sz = None if sizes is None else np.array(sizes, dtype=np.int64)
    rv = None if roi is None else np.array(roi, dtype=np.float32)
    kw = dict(attrs)
    got = R.resize(x, rv, sc, sz, **kw)
    if sz is not None:
        assert list(got.shape) == R.resize_output_shape(
            x.shape,
            sizes=sz,
            axes=kw.get("axes"),
            keep_aspect_ratio_policy=kw.get("keep_aspect_ratio_policy", "stretch"),
        )
    if opset == 11:
        empty = np.zeros(0, dtype=np.float32)
        inputs = [x, rv if rv is not None else empty, sc if sc is not None else empty, sz]
    else:
        inputs = [x, rv, sc, sz]
    check("Resize", got, inputs, attrs, opset=opset)


@pytest.mark.parametrize("ctm", _CTMS)
@pytest.mark.parametrize("nearest_mode", _NEAREST)
@pytest.mark.parametrize("scale_idx", [0, 1, 2])
def test_resize_nearest(ctm: str, nearest_mode: str, scale_idx: int) -> None:
    x = randf(1, 2, 5, 7, seed=86)
    attrs = {"mode": "nearest", "coordinate_transformation_mode": ctm, "nearest_mode": nearest_mode}
    _resize_check(x, attrs, scales=_SCALES[scale_idx])
    _resize_check(x, attrs, sizes=[1, 2, 9, 4])


@pytest.mark.parametrize(
    "ctm", ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel", "tf_half_pixel_for_nn"]
)
def test_resize_nearest_opset11(ctm: str) -> None:
    x = randi(1, 2, 5, 7, seed=87, lo=0, hi=255, dtype=np.uint8)
    attrs = {"mode": "nearest", "coordinate_transformation_mode": ctm}
    _resize_check(x, attrs, scales=[1.0, 1.0, 1.6, 0.7], opset=11)
    _resize_check(x, attrs, sizes=[1, 2, 3, 11], opset=11)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("ctm", _CTMS)
@pytest.mark.parametrize("scale_idx", [0, 1, 2])
def test_resize_interpolating(mode: str, ctm: str, scale_idx: int) -> None:
    x = randf(2, 2, 6, 7, seed=88)
    attrs = {"mode": mode, "coordinate_transformation_mode": ctm}
    _resize_check(x, attrs, scales=_SCALES[scale_idx], opset=13)
    _resize_check(x, attrs, sizes=[2, 2, 4, 10], opset=13)


@pytest.mark.parametrize("a,exclude_outside", [(-0.5, 0), (-0.75, 1), (-0.5, 1)])
def test_resize_cubic_options(a: float, exclude_outside: int) -> None:
    x = randf(1, 1, 6, 5, seed=89)
    attrs = {"mode": "cubic", "cubic_coeff_a": a, "exclude_outside": exclude_outside}
    _resize_check(x, attrs, scales=[1.0, 1.0, 1.5, 2.3])
    _resize_check(x, attrs, sizes=[1, 1, 4, 3])


@pytest.mark.parametrize("mode", ["nearest", "linear", "cubic"])
def test_resize_tf_crop_and_resize(mode: str) -> None:
    x = randf(1, 2, 6, 7, seed=90)
    attrs = {
        "mode": mode,
        "coordinate_transformation_mode": "tf_crop_and_resize",
        "extrapolation_value": -3.0,
    }
    roi = [0, 0, 0.2, -0.1, 1, 1, 0.9, 1.2]
    _resize_check(x, attrs, roi=roi, sizes=[1, 2, 5, 9], opset=13)
    _resize_check(x, attrs, roi=roi, scales=[1, 1, 1.5, 0.6], opset=11)
    _resize_check(x, dict(attrs, axes=[3, 2]), roi=[-0.1, 0.2, 1.2, 0.9], sizes=[9, 5], opset=19)


def test_resize_trilinear_5d() -> None:
    x = randf(1, 2, 4, 5, 3, seed=91)
    _resize_check(x, {"mode": "linear"}, scales=[1, 1, 1.5, 0.8, 2.0], opset=13)


@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("scales", [[1.0, 1.0, 2.0, 3.0], [1.0, 1.0, 0.5, 0.4], [1.0, 1.0, 2.5, 0.75]])
def test_resize_opset10(mode: str, scales: list) -> None:
    x = randf(1, 2, 5, 7, seed=92)
    sc = np.array(scales, dtype=np.float32)
    got = R.resize(x, None, sc, mode=mode, coordinate_transformation_mode="asymmetric", nearest_mode="simple")
    check("Resize", got, [x, sc], {"mode": mode}, opset=10)
    check("Upsample", got, [x, sc], {"mode": mode}, opset=9) if min(scales) >= 1 else None


@pytest.mark.parametrize("policy", ["stretch", "not_larger", "not_smaller"])
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_resize_axes_and_aspect(policy: str, mode: str) -> None:
    x = randf(1, 2, 6, 8, seed=93)
    attrs = {"mode": mode, "axes": [2, 3], "keep_aspect_ratio_policy": policy}
    _resize_check(x, attrs, sizes=[9, 10], opset=18)
    _resize_check(x, {"mode": mode, "axes": [-1]}, scales=[1.5], opset=18)


@pytest.mark.parametrize("mode", ["linear", "cubic"])
@pytest.mark.parametrize("sizes", [[1, 1, 5, 4], [1, 1, 3, 12]])
def test_resize_antialias(mode: str, sizes: list) -> None:
    x = randf(1, 1, 12, 9, seed=94)
    _resize_check(x, {"mode": mode, "antialias": 1}, sizes=sizes, opset=18)

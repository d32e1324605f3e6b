"""Numpy reference semantics of ONNX elementwise operators (math, activations, comparisons, logic, Cast).

Inputs of binary ops are broadcast numpy-style (ONNX multidirectional broadcasting); results keep the
ONNX result dtype (the input dtype for arithmetic, bool for comparisons). Erf (no numpy ufunc) is computed
in float64 and rounded to the input dtype. The activations (relu, sigmoid, gelu, clip...) are `ir.formulas`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ir import formulas as F

__all__ = [
    "ONNX_TO_NUMPY_DTYPE",
    "abs_",
    "acos",
    "acosh",
    "add",
    "and_",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "bit_shift",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "cast",
    "cast_like",
    "ceil",
    "celu",
    "clip",
    "cos",
    "cosh",
    "div",
    "elu",
    "equal",
    "erf",
    "exp",
    "floor",
    "gelu",
    "greater",
    "greater_or_equal",
    "hard_sigmoid",
    "hard_swish",
    "is_inf",
    "is_nan",
    "leaky_relu",
    "less",
    "less_or_equal",
    "log",
    "max_",
    "mean",
    "min_",
    "mish",
    "mod",
    "mul",
    "neg",
    "not_",
    "numpy_dtype",
    "or_",
    "pow_",
    "prelu",
    "reciprocal",
    "relu",
    "round_",
    "selu",
    "shrink",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "softsign",
    "sqrt",
    "sub",
    "sum_",
    "tan",
    "tanh",
    "thresholded_relu",
    "where",
    "xor",
]

# ONNX TensorProto.DataType codes of the numeric types numpy can hold natively.
ONNX_TO_NUMPY_DTYPE: dict[int, np.dtype] = {
    1: np.dtype(np.float32),
    2: np.dtype(np.uint8),
    3: np.dtype(np.int8),
    4: np.dtype(np.uint16),
    5: np.dtype(np.int16),
    6: np.dtype(np.int32),
    7: np.dtype(np.int64),
    9: np.dtype(np.bool_),
    10: np.dtype(np.float16),
    11: np.dtype(np.float64),
    12: np.dtype(np.uint32),
    13: np.dtype(np.uint64),
}


def numpy_dtype(to: Any) -> np.dtype:
    """Numpy dtype for an ONNX data-type code (int) or anything np.dtype accepts (bfloat16 via ml_dtypes)."""
    if isinstance(to, (int, np.integer)) and not isinstance(to, bool):
        code = int(to)
        if code in ONNX_TO_NUMPY_DTYPE:
            return ONNX_TO_NUMPY_DTYPE[code]
        if code == 16:
            import ml_dtypes  # optional: only for bfloat16

            return np.dtype(ml_dtypes.bfloat16)
        raise NotImplementedError(f"ONNX data type {code} has no numpy reference dtype")
    return np.dtype(to)


def _float_of(x: np.ndarray) -> np.dtype:
    """The float dtype results of x are rounded to (float32 for integer inputs)."""
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)


# ---------------------------------------------------------------------------------------------------------
# erf: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969),
# as in SPECFUN CALERF; about 1e-16 relative error in float64.
# ---------------------------------------------------------------------------------------------------------

_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03)
_ERF_A4 = 1.85777706184603153e-1
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_ERF_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
)
_ERF_C8 = 2.15311535474403846e-8
_ERF_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_ERF_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
)
_ERF_P5 = 1.63153871373020978e-2
_ERF_Q = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_SQRPI = 5.6418958354775628695e-1  # 1 / sqrt(pi)


def _erfc_scaled_tail(y: np.ndarray, num: Sequence[float], num_hi: float, den: Sequence[float]) -> np.ndarray:
    """Evaluate Cody's rational function num(y)/den(y) in the Horner form CALERF uses."""
    xnum = num_hi * y
    xden = y.copy()
    for i in range(len(num) - 1):
        xnum = (xnum + num[i]) * y
        xden = (xden + den[i]) * y
    return (xnum + num[-1]) / (xden + den[-1])


def _erf64(x: np.ndarray) -> np.ndarray:
    """erf in float64 for a float64 array (Cody's three intervals)."""
    y = np.abs(x)
    out = np.empty_like(x)
    small = y <= 0.46875
    mid = (y > 0.46875) & (y <= 4.0)
    big = y > 4.0
    if small.any():
        xs = x[small]
        ysq = xs * xs
        xnum = _ERF_A4 * ysq
        xden = ysq.copy()
        for i in range(3):
            xnum = (xnum + _ERF_A[i]) * ysq
            xden = (xden + _ERF_B[i]) * ysq
        out[small] = xs * (xnum + _ERF_A[3]) / (xden + _ERF_B[3])
    for mask, tail in ((mid, False), (big, True)):
        if not mask.any():
            continue
        ym = y[mask]
        if not tail:
            r = _erfc_scaled_tail(ym, _ERF_C, _ERF_C8, _ERF_D)
        else:
            with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
                ysq = 1.0 / (ym * ym)
                r = ysq * _erfc_scaled_tail(ysq, _ERF_P, _ERF_P5, _ERF_Q)
                r = (_SQRPI - r) / ym
        # exp(-y^2) split as exp(-t^2) * exp(-(y - t)(y + t)) with t = y rounded to 1/16 (CALERF's trick).
        t = np.trunc(ym * 16.0) / 16.0
        with np.errstate(under="ignore", invalid="ignore"):
            erfc = np.exp(-t * t) * np.exp(-(ym - t) * (ym + t)) * r
        erfc = np.where(np.isfinite(ym), erfc, 0.0)
        out[mask] = np.copysign(1.0 - erfc, x[mask])
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


def erf(x: np.ndarray) -> np.ndarray:
    """ONNX Erf: Cody's rational approximations in float64, rounded to the input float dtype."""
    return _erf64(np.asarray(x, dtype=np.float64)).astype(_float_of(x), copy=False)


# ---------------------------------------------------------------------------------------------------------
# Unary math
# ---------------------------------------------------------------------------------------------------------


def abs_(x: np.ndarray) -> np.ndarray:
    """ONNX Abs."""
    return np.abs(x)


def neg(x: np.ndarray) -> np.ndarray:
    """ONNX Neg."""
    return np.negative(x)


def reciprocal(x: np.ndarray) -> np.ndarray:
    """ONNX Reciprocal."""
    with np.errstate(divide="ignore"):
        return np.reciprocal(x)


def sqrt(x: np.ndarray) -> np.ndarray:
    """ONNX Sqrt (NaN for negative inputs)."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(x)


def exp(x: np.ndarray) -> np.ndarray:
    """ONNX Exp."""
    with np.errstate(over="ignore"):
        return np.exp(x)


def log(x: np.ndarray) -> np.ndarray:
    """ONNX Log (-inf at 0, NaN below)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x)


def floor(x: np.ndarray) -> np.ndarray:
    """ONNX Floor."""
    return np.floor(x)


def ceil(x: np.ndarray) -> np.ndarray:
    """ONNX Ceil."""
    return np.ceil(x)


def round_(x: np.ndarray) -> np.ndarray:
    """ONNX Round: halves round to even."""
    return np.round(x)


def sign(x: np.ndarray) -> np.ndarray:
    """ONNX Sign."""
    return np.sign(x)


def sin(x: np.ndarray) -> np.ndarray:
    """ONNX Sin."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.sin(x)


def cos(x: np.ndarray) -> np.ndarray:
    """ONNX Cos."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.cos(x)


def tan(x: np.ndarray) -> np.ndarray:
    """ONNX Tan (NaN outside the domain)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.tan(x)


def asin(x: np.ndarray) -> np.ndarray:
    """ONNX Asin (NaN outside the domain)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.arcsin(x)


def acos(x: np.ndarray) -> np.ndarray:
    """ONNX Acos (NaN outside the domain)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.arccos(x)


def atan(x: np.ndarray) -> np.ndarray:
    """ONNX Atan."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.arctan(x)


def sinh(x: np.ndarray) -> np.ndarray:
    """ONNX Sinh."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.sinh(x)


def cosh(x: np.ndarray) -> np.ndarray:
    """ONNX Cosh."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.cosh(x)


def asinh(x: np.ndarray) -> np.ndarray:
    """ONNX Asinh."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.arcsinh(x)


def acosh(x: np.ndarray) -> np.ndarray:
    """ONNX Acosh (NaN outside the domain)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.arccosh(x)


def atanh(x: np.ndarray) -> np.ndarray:
    """ONNX Atanh (NaN outside the domain)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.arctanh(x)


def tanh(x: np.ndarray) -> np.ndarray:
    """ONNX Tanh."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.tanh(x)


def is_nan(x: np.ndarray) -> np.ndarray:
    """ONNX IsNaN."""
    return np.isnan(x)


def is_inf(x: np.ndarray, *, detect_negative: int, detect_positive: int) -> np.ndarray:
    """ONNX IsInf with its detect_negative / detect_positive switches."""
    pos = np.isposinf(x) if detect_positive else np.zeros(x.shape, dtype=bool)
    negv = np.isneginf(x) if detect_negative else np.zeros(x.shape, dtype=bool)
    return pos | negv


# ---------------------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------------------


# The activations are formulas, written once in ir.formulas against the scalar interface: these names are
# those Formula objects' numpy evaluators (the very objects lower-graph-to-tensor emits as generic bodies).
# Attribute values are required keywords; their ONNX defaults live only in the graph op definitions.
relu = F.RELU.evaluate
sigmoid = F.SIGMOID.evaluate
hard_sigmoid = F.HARD_SIGMOID.evaluate
hard_swish = F.HARD_SWISH.evaluate
leaky_relu = F.LEAKY_RELU.evaluate
prelu = F.PRELU.evaluate
elu = F.ELU.evaluate
selu = F.SELU.evaluate
celu = F.CELU.evaluate
softplus = F.SOFTPLUS.evaluate
softsign = F.SOFTSIGN.evaluate
thresholded_relu = F.THRESHOLDED_RELU.evaluate
mish = F.MISH.evaluate
shrink = F.SHRINK.evaluate
gelu = F.GELU.evaluate
clip = F.CLIP.evaluate


# ---------------------------------------------------------------------------------------------------------
# Binary and variadic arithmetic
# ---------------------------------------------------------------------------------------------------------


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Add (integer overflow wraps)."""
    return np.add(a, b)


def sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Sub."""
    return np.subtract(a, b)


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Mul."""
    return np.multiply(a, b)


def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Div; integer division truncates toward zero (C semantics, as onnxruntime)."""
    if a.dtype.kind in "iu":
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.floor_divide(a, b)
            if a.dtype.kind == "i":
                r = np.subtract(a, np.multiply(q, b))
                q = q + ((r != 0) & ((a < 0) != (b < 0))).astype(q.dtype)
        return q.astype(a.dtype, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(a, b).astype(a.dtype, copy=False)


def pow_(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ONNX Pow (opset 12+ mixed types): computed in float64, result has the base's dtype."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.power(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        if x.dtype.kind in "iu":
            return np.trunc(r).astype(x.dtype)
        return r.astype(x.dtype)


def mod(a: np.ndarray, b: np.ndarray, *, fmod: int) -> np.ndarray:
    """ONNX Mod: fmod=0 takes the divisor's sign (integers), fmod=1 the dividend's (C fmod)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if fmod:
            return np.fmod(a, b)
        return np.mod(a, b)


def _variadic(fn: np.ufunc, inputs: Sequence[np.ndarray]) -> np.ndarray:
    """Fold a broadcasting binary ufunc over one or more inputs."""
    if not inputs:
        raise ValueError("variadic op needs at least one input")
    y = np.asarray(inputs[0])
    for v in inputs[1:]:
        y = fn(y, v)
    return np.array(y, copy=True) if len(inputs) == 1 else y


def max_(*inputs: np.ndarray) -> np.ndarray:
    """ONNX Max over any number of broadcast inputs (NaN propagates)."""
    return _variadic(np.maximum, inputs)


def min_(*inputs: np.ndarray) -> np.ndarray:
    """ONNX Min over any number of broadcast inputs (NaN propagates)."""
    return _variadic(np.minimum, inputs)


def sum_(*inputs: np.ndarray) -> np.ndarray:
    """ONNX Sum over any number of broadcast inputs."""
    return _variadic(np.add, inputs)


def mean(*inputs: np.ndarray) -> np.ndarray:
    """ONNX Mean over any number of broadcast inputs."""
    s = _variadic(np.add, inputs)
    return (s / s.dtype.type(len(inputs))).astype(s.dtype, copy=False)


# ---------------------------------------------------------------------------------------------------------
# Comparisons, logic, bits, selection
# ---------------------------------------------------------------------------------------------------------


def equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Equal."""
    return np.equal(a, b)


def less(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Less."""
    return np.less(a, b)


def less_or_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX LessOrEqual."""
    return np.less_equal(a, b)


def greater(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Greater."""
    return np.greater(a, b)


def greater_or_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX GreaterOrEqual."""
    return np.greater_equal(a, b)


def and_(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX And (bool)."""
    return np.logical_and(a, b)


def or_(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Or (bool)."""
    return np.logical_or(a, b)


def xor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX Xor (bool)."""
    return np.logical_xor(a, b)


def not_(x: np.ndarray) -> np.ndarray:
    """ONNX Not (bool)."""
    return np.logical_not(x)


def bitwise_and(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX BitwiseAnd."""
    return np.bitwise_and(a, b)


def bitwise_or(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX BitwiseOr."""
    return np.bitwise_or(a, b)


def bitwise_xor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX BitwiseXor."""
    return np.bitwise_xor(a, b)


def bitwise_not(x: np.ndarray) -> np.ndarray:
    """ONNX BitwiseNot."""
    return np.invert(x)


def bit_shift(x: np.ndarray, y: np.ndarray, *, direction: str) -> np.ndarray:
    """ONNX BitShift on unsigned integers (direction 'LEFT' or 'RIGHT'; bits shifted out are lost)."""
    if direction == "LEFT":
        return np.left_shift(x, y.astype(x.dtype, copy=False)).astype(x.dtype, copy=False)
    if direction == "RIGHT":
        return np.right_shift(x, y.astype(x.dtype, copy=False)).astype(x.dtype, copy=False)
    raise ValueError(f"bit_shift: unknown direction {direction!r}")


def where(condition: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ONNX Where (three-way broadcast)."""
    return np.where(condition, x, y).astype(x.dtype, copy=False)


# ---------------------------------------------------------------------------------------------------------
# Cast
# ---------------------------------------------------------------------------------------------------------


def cast(x: np.ndarray, *, to: Any, saturate: int) -> np.ndarray:
    """ONNX Cast: float->int truncates toward zero, ->bool is x != 0 (NaN is true), ints wrap on narrowing.

    `to` is an ONNX data-type code or a numpy dtype; `saturate` only concerns float8 types (not supported).
    """
    del saturate
    dt = numpy_dtype(to)
    if dt == np.bool_:
        return np.asarray(x != 0) if x.dtype.kind != "b" else x.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        if dt.kind in "iu" and x.dtype.kind == "f":
            return np.trunc(x).astype(dt)
        return x.astype(dt)


def cast_like(x: np.ndarray, target: np.ndarray, *, saturate: int) -> np.ndarray:
    """ONNX CastLike: Cast to the dtype of `target`."""
    return cast(x, to=target.dtype, saturate=saturate)

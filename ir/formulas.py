"""Elementwise formulas of the ONNX activations, each written once against `ir.scalar.Scalar`.

A graph op names its formula (`formula = formulas.SIGMOID`); its `evaluate` runs it on numpy arrays
(`Formula.evaluate`, the reference semantics) and `lower-graph-to-tensor` runs the very same object on
IR values (`Formula.emit`, the `tensor.generic` body). Attribute values are keyword arguments with no
defaults here: ONNX defaults live only in the graph op definitions (ir/dialects/graph/ops_*.py).

Numerical forms are chosen to be overflow-free in the value's own precision (sigmoid and softplus through
exp(-|x|), elu through expm1 of min(x, 0)), so the numpy result (computed in the array's dtype) and the
lowered body (computed in f32 for f16/bf16) agree to rounding.
"""

from __future__ import annotations

import math as _m
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ir.scalar import NumpyScalar, Scalar

_NUMPY = NumpyScalar()


@dataclass(frozen=True, eq=False)
class Formula:
    """One elementwise formula: `body(s, *operands, **attrs)` over a Scalar backend.

    `attrs` are the op attributes it reads; `float_only` formulas refuse integer operands when lowered
    (numpy evaluates them in float64 and casts back); `wide` formulas evaluate in float64 on numpy and
    round once to the operand dtype (the reference of functions numpy has no ufunc for, e.g. erf-based gelu).
    """

    name: str
    body: Callable[..., Any]
    attrs: tuple[str, ...] = ()
    float_only: bool = True
    wide: bool = False

    def emit(self, s: Scalar, *xs: Any, **attrs: Any) -> Any:
        """Runs the formula on backend `s` (IR values for ArithScalar)."""
        return self.body(s, *xs, **attrs)

    def evaluate(self, x: np.ndarray, *rest: Any, **attrs: Any) -> np.ndarray:
        """Reference semantics: the formula on numpy arrays, in x's dtype; the result has x's dtype and shape
        (broadcast with the other operands). Operands given as None (absent optional inputs) stay None."""
        x = np.asarray(x)
        out_dt = x.dtype
        if self.wide or (self.float_only and x.dtype.kind in "iub"):
            work = np.dtype(np.float64)
        elif x.dtype.kind == "f":
            work = x.dtype
        elif x.dtype.kind in "iub":
            work = x.dtype
        else:  # bfloat16 and other ml_dtypes floats: computed in f32, as the lowering does
            work = np.dtype(np.float32)
        xs = [x.astype(work, copy=False)] + [None if v is None else np.asarray(v, dtype=work) for v in rest]
        with np.errstate(all="ignore"):
            y = np.asarray(self.body(_NUMPY, *xs, **attrs))
            if work.kind == "f" and out_dt.kind in "iu":
                y = np.trunc(y)
            return np.array(y, dtype=out_dt, copy=True)

    def __call__(self, *xs: Any, **attrs: Any) -> np.ndarray:
        return self.evaluate(*xs, **attrs)

    def __repr__(self) -> str:
        return f"Formula({self.name!r})"


FORMULAS: dict[str, Formula] = {}
"""Formula name (the graph op name without `graph.`) -> Formula."""


def formula(name: str, *attrs: str, float_only: bool = True, wide: bool = False):
    """Registers a body function as the Formula `name` (returned in its place)."""

    def deco(body: Callable[..., Any]) -> Formula:
        f = Formula(name, body, tuple(attrs), float_only, wide)
        FORMULAS[name] = f
        return f

    return deco


# ----------------------------------------------------------------------------- the activation family


@formula("relu", float_only=False)
def RELU(s: Scalar, x):
    return s.max(x, s.like(0, x))


@formula("sigmoid")
def SIGMOID(s: Scalar, x):
    # exp(-|x|) never overflows: 1 / (1 + e) for x >= 0, e / (1 + e) below.
    one = s.like(1.0, x)
    e = s.exp(s.neg(s.abs(x)))
    den = s.add(one, e)
    return s.select(s.cmp("ge", x, s.like(0.0, x)), s.div(one, den), s.div(e, den))


def _hard_sigmoid(s: Scalar, x, alpha: float, beta: float):
    v = s.add(s.mul(s.like(alpha, x), x), s.like(beta, x))
    return s.min(s.max(v, s.like(0.0, x)), s.like(1.0, x))


@formula("hard_sigmoid", "alpha", "beta")
def HARD_SIGMOID(s: Scalar, x, *, alpha: float, beta: float):
    return _hard_sigmoid(s, x, alpha, beta)


@formula("hard_swish")
def HARD_SWISH(s: Scalar, x):
    # HardSwish is x * HardSigmoid(x) with alpha = 1/6, beta = 0.5 fixed by the operator (not attributes).
    return s.mul(x, _hard_sigmoid(s, x, 1.0 / 6.0, 0.5))


@formula("leaky_relu", "alpha")
def LEAKY_RELU(s: Scalar, x, *, alpha: float):
    return s.select(s.cmp("ge", x, s.like(0.0, x)), x, s.mul(x, s.like(alpha, x)))


@formula("prelu", float_only=False)
def PRELU(s: Scalar, x, slope):
    return s.select(s.cmp("lt", x, s.like(0, x)), s.mul(x, slope), x)


@formula("elu", "alpha")
def ELU(s: Scalar, x, *, alpha: float):
    return s.select(
        s.cmp("ge", x, s.like(0.0, x)), x, s.mul(s.like(alpha, x), s.expm1(s.min(x, s.like(0.0, x))))
    )


@formula("selu", "alpha", "gamma")
def SELU(s: Scalar, x, *, alpha: float, gamma: float):
    return s.select(
        s.cmp("gt", x, s.like(0.0, x)),
        s.mul(s.like(gamma, x), x),
        s.mul(
            s.like(gamma, x),
            s.sub(s.mul(s.like(alpha, x), s.exp(s.min(x, s.like(0.0, x)))), s.like(alpha, x)),
        ),
    )


@formula("celu", "alpha")
def CELU(s: Scalar, x, *, alpha: float):
    return s.add(
        s.max(x, s.like(0.0, x)),
        s.min(
            s.like(0.0, x),
            s.mul(s.like(alpha, x), s.expm1(s.div(s.min(x, s.like(0.0, x)), s.like(alpha, x)))),
        ),
    )


def _softplus(s: Scalar, x):
    return s.add(s.max(x, s.like(0.0, x)), s.log1p(s.exp(s.neg(s.abs(x)))))


@formula("softplus")
def SOFTPLUS(s: Scalar, x):
    # log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)): no overflow for large x.
    return _softplus(s, x)


@formula("softsign")
def SOFTSIGN(s: Scalar, x):
    return s.div(x, s.add(s.like(1.0, x), s.abs(x)))


@formula("thresholded_relu", "alpha")
def THRESHOLDED_RELU(s: Scalar, x, *, alpha: float):
    return s.select(s.cmp("gt", x, s.like(alpha, x)), x, s.like(0.0, x))


@formula("mish")
def MISH(s: Scalar, x):
    return s.mul(x, s.tanh(_softplus(s, x)))


@formula("shrink", "bias", "lambd")
def SHRINK(s: Scalar, x, *, bias: float, lambd: float):
    lam, b = s.like(lambd, x), s.like(bias, x)
    above = s.select(s.cmp("gt", x, lam), s.sub(x, b), s.like(0.0, x))
    return s.select(s.cmp("lt", x, s.neg(lam)), s.add(x, b), above)


@formula("gelu", "approximate", wide=True)
def GELU(s: Scalar, x, *, approximate: str):
    half, one = s.like(0.5, x), s.like(1.0, x)
    if approximate == "tanh":
        x3 = s.mul(s.mul(x, x), x)
        inner = s.mul(s.like(_m.sqrt(2.0 / _m.pi), x), s.add(x, s.mul(s.like(0.044715, x), x3)))
        return s.mul(s.mul(half, x), s.add(one, s.tanh(inner)))
    if approximate != "none":
        raise ValueError(f"gelu: unknown approximate={approximate!r}")
    e = s.erf(s.mul(x, s.like(1.0 / _m.sqrt(2.0), x)))
    return s.mul(s.mul(half, x), s.add(one, e))


@formula("clip", float_only=False)
def CLIP(s: Scalar, x, lo=None, hi=None):
    # Bounds are optional operands; NaN in x is kept (max/min propagate it).
    if lo is not None:
        x = s.max(x, lo)
    if hi is not None:
        x = s.min(x, hi)
    return x

"""The `math` dialect: upstream MLIR's float math functions (`math.exp`, `math.tanh`, `math.erf`, `math.fma`...).

Operands are floats or vectors/tensors of floats (upstream's FloatLike); results have the operand type.
`evaluate` is numpy elementwise, computed in the operand's own precision where numpy allows it.
"""

from __future__ import annotations

import math as _pymath

import numpy as np

from ir.core import Operation
from ir.dialects.arith import is_float_like, is_int_like
from ir.opdef import ANY, Pure, SameOperandsAndResultType, attr, operand, result


def _erf(x):
    """erf in float64 then rounded to the operand's dtype (numpy has no erf of its own)."""
    a = np.asarray(x)
    try:
        from ir.reference.elementwise import erf

        return np.asarray(erf(a.astype(np.float64))).astype(a.dtype)
    except ImportError:  # pragma: no cover - the reference package is optional here
        return np.vectorize(_pymath.erf, otypes=[np.float64])(a).astype(a.dtype)


def _round_away(x):
    """Rounds half away from zero (C `round`, upstream math.round); exact, no x + 0.5 rounding error."""
    t = np.trunc(x)
    return t + np.where(np.abs(x - t) >= 0.5, np.sign(x), 0).astype(np.asarray(x).dtype)


def _rsqrt(x):
    a = np.asarray(x)
    return (np.ones((), a.dtype) / np.sqrt(a)).astype(a.dtype)


UNARY = {
    "absf": np.abs,
    "acos": np.arccos,
    "acosh": np.arccosh,
    "asin": np.arcsin,
    "asinh": np.arcsinh,
    "atan": np.arctan,
    "atanh": np.arctanh,
    "cbrt": np.cbrt,
    "ceil": np.ceil,
    "cos": np.cos,
    "cosh": np.cosh,
    "erf": _erf,
    "exp": np.exp,
    "exp2": np.exp2,
    "expm1": np.expm1,
    "floor": np.floor,
    "log": np.log,
    "log10": np.log10,
    "log1p": np.log1p,
    "log2": np.log2,
    "round": _round_away,
    "roundeven": np.rint,
    "rsqrt": _rsqrt,
    "sin": np.sin,
    "sinh": np.sinh,
    "sqrt": np.sqrt,
    "tan": np.tan,
    "tanh": np.tanh,
    "trunc": np.trunc,
}
"""Upstream unary float ops (name after `math.`) and their numpy meaning."""

BINARY = {"powf": np.power, "atan2": np.arctan2, "copysign": np.copysign}
"""Upstream binary float ops."""


class _MathOp(Operation):
    traits = (Pure, SameOperandsAndResultType)
    out = result()
    fastmath = attr(ANY, default=None, doc="upstream's #arith.fastmath<...> flags (kept as text)")
    fn = None

    def evaluate(self, *xs):
        with np.errstate(all="ignore"):
            r = type(self).fn(*xs)
        return np.asarray(r).astype(np.asarray(xs[0]).dtype)

    def verify_(self) -> None:
        if not is_float_like(self.result.type):
            raise self.error(f"operands must be float-like, got {self.result.type}")


class _Unary(_MathOp):
    operand_ = operand()


class _Binary(_MathOp):
    lhs = operand()
    rhs = operand()


def _class_name(name: str) -> str:
    return name.capitalize() + "Op"


OPS: dict[str, type[Operation]] = {}
for _n, _f in UNARY.items():
    OPS[_n] = type(
        _class_name(_n), (_Unary,), {"name": f"math.{_n}", "fn": staticmethod(_f), "__doc__": f"`math.{_n}`."}
    )
for _n, _f in BINARY.items():
    OPS[_n] = type(
        _class_name(_n),
        (_Binary,),
        {"name": f"math.{_n}", "fn": staticmethod(_f), "__doc__": f"`math.{_n}`."},
    )


class FmaOp(_MathOp):
    """`math.fma`: a * b + c (computed in float64, then rounded once: a fused multiply-add)."""

    name = "math.fma"
    a = operand()
    b = operand()
    c = operand()

    def evaluate(self, a, b, c):
        dt = np.asarray(a).dtype
        wide = np.float64 if dt.itemsize <= 4 else np.longdouble
        return (np.asarray(a, wide) * np.asarray(b, wide) + np.asarray(c, wide)).astype(dt)


class AbsIOp(Operation):
    """`math.absi`: integer absolute value."""

    name = "math.absi"
    traits = (Pure, SameOperandsAndResultType)
    operand_ = operand(is_int_like)
    out = result()

    def evaluate(self, x):
        return np.abs(x)


ExpOp, LogOp, TanhOp, ErfOp = OPS["exp"], OPS["log"], OPS["tanh"], OPS["erf"]
SqrtOp, RsqrtOp, AbsFOp, PowFOp = OPS["sqrt"], OPS["rsqrt"], OPS["absf"], OPS["powf"]
FloorOp, CeilOp, RoundOp = OPS["floor"], OPS["ceil"], OPS["round"]

"""Elementwise graph ops -> one broadcasting `tensor.generic` each, with an arith/math scalar body.

Formulas follow ir.reference (e.g. sigmoid and softplus in their overflow-free forms) so results agree with
the graph interpreter to f32 rounding; f16/bf16 operands are extended to f32 and the result truncated.
"""

from __future__ import annotations

import math as _m

from ir.builder import Builder
from ir.core import Operation
from ir.dialects import arith
from ir.types import FloatType, i1
from passes.lowering.graph_to_tensor_common import Scalar, elementwise, lowers, unsupported


def _unary(fn):
    def lower(b: Builder, op: Operation):
        return [elementwise(b, op, [op.operands[0]], lambda s, x: fn(s, x, op))]

    return lower


def _math(name: str):
    return _unary(lambda s, x, op: s.fn(name, x))


def _float_only(op: Operation, x) -> None:
    if not isinstance(x.type, FloatType):
        raise unsupported(op, f"integer operand {x.type} for a float function")


def _sigmoid(s: Scalar, x):
    one = s.like(1.0, x)
    e = s.fn("exp", s.neg(s.abs(x)))
    den = s.add(one, e)
    return s.select(s.cmp("ge", x, s.like(0.0, x)), s.div(one, den), s.div(e, den))


def _hard_sigmoid(s: Scalar, x, alpha: float, beta: float):
    v = s.add(s.mul(s.like(alpha, x), x), s.like(beta, x))
    return s.min(s.max(v, s.like(0.0, x)), s.like(1.0, x))


def _softplus(s: Scalar, x):
    return s.add(s.max(x, s.like(0.0, x)), s.fn("log1p", s.fn("exp", s.neg(s.abs(x)))))


def _gelu(s: Scalar, x, op):
    half, one = s.like(0.5, x), s.like(1.0, x)
    if op.approximate == "tanh":
        x3 = s.mul(s.mul(x, x), x)
        inner = s.mul(s.like(_m.sqrt(2.0 / _m.pi), x), s.add(x, s.mul(s.like(0.044715, x), x3)))
        return s.mul(s.mul(half, x), s.add(one, s.fn("tanh", inner)))
    e = s.fn("erf", s.mul(x, s.like(1.0 / _m.sqrt(2.0), x)))
    return s.mul(s.mul(half, x), s.add(one, e))


def _sign(s: Scalar, x, op):
    zero = s.like(0, x)
    pos = s.select(s.cmp("gt", x, zero), s.like(1, x), s.mul(x, zero) if s.is_float(x) else zero)
    return s.select(s.cmp("lt", x, zero), s.like(-1, x), pos)


def _shrink(s: Scalar, x, op):
    lam, bias = s.like(op.lambd, x), s.like(op.bias, x)
    above = s.select(s.cmp("gt", x, lam), s.sub(x, bias), s.like(0.0, x))
    return s.select(s.cmp("lt", x, s.neg(lam)), s.add(x, bias), above)


def _is_inf(s: Scalar, x, op):
    t = s.const(False, i1)
    if op.detect_positive:
        t = s.emit(arith_or(t, s.cmp("eq", x, s.like(float("inf"), x))))
    if op.detect_negative:
        t = s.emit(arith_or(t, s.cmp("eq", x, s.like(float("-inf"), x))))
    return t


def arith_or(a, b):
    return arith.OrIOp.build(a, b)


UNARY = {
    "graph.relu": lambda s, x, op: s.max(x, s.like(0, x)),
    "graph.neg": lambda s, x, op: s.neg(x),
    "graph.abs": lambda s, x, op: s.abs(x),
    "graph.reciprocal": lambda s, x, op: s.div(s.like(1, x), x),
    "graph.sigmoid": lambda s, x, op: _sigmoid(s, x),
    "graph.hard_sigmoid": lambda s, x, op: _hard_sigmoid(s, x, op.alpha, op.beta),
    "graph.hard_swish": lambda s, x, op: s.mul(x, _hard_sigmoid(s, x, 1.0 / 6.0, 0.5)),
    "graph.leaky_relu": lambda s, x, op: s.select(
        s.cmp("ge", x, s.like(0.0, x)), x, s.mul(x, s.like(op.alpha, x))
    ),
    "graph.elu": lambda s, x, op: s.select(
        s.cmp("ge", x, s.like(0.0, x)), x, s.mul(s.like(op.alpha, x), s.fn("expm1", s.min(x, s.like(0.0, x))))
    ),
    "graph.selu": lambda s, x, op: s.select(
        s.cmp("gt", x, s.like(0.0, x)),
        s.mul(s.like(op.gamma, x), x),
        s.mul(
            s.like(op.gamma, x),
            s.sub(s.mul(s.like(op.alpha, x), s.fn("exp", s.min(x, s.like(0.0, x)))), s.like(op.alpha, x)),
        ),
    ),
    "graph.celu": lambda s, x, op: s.add(
        s.max(x, s.like(0.0, x)),
        s.min(
            s.like(0.0, x),
            s.mul(s.like(op.alpha, x), s.fn("expm1", s.div(s.min(x, s.like(0.0, x)), s.like(op.alpha, x)))),
        ),
    ),
    "graph.softplus": lambda s, x, op: _softplus(s, x),
    "graph.softsign": lambda s, x, op: s.div(x, s.add(s.like(1.0, x), s.abs(x))),
    "graph.thresholded_relu": lambda s, x, op: s.select(
        s.cmp("gt", x, s.like(op.alpha, x)), x, s.like(0.0, x)
    ),
    "graph.mish": lambda s, x, op: s.mul(x, s.fn("tanh", _softplus(s, x))),
    "graph.gelu": _gelu,
    "graph.sign": _sign,
    "graph.shrink": _shrink,
    "graph.is_nan": lambda s, x, op: s.emit(arith.CmpFOp.build(x, x, predicate="uno")),
    "graph.is_inf": _is_inf,
    "graph.not": lambda s, x, op: s.emit(arith_xor(x, s.const(True, i1))),
    "graph.bitwise_not": lambda s, x, op: s.emit(arith_xor(x, s.like(-1, x))),
}
MATH = {
    "graph.sqrt": "sqrt", "graph.exp": "exp", "graph.log": "log", "graph.floor": "floor", "graph.ceil": "ceil",
    "graph.round": "roundeven", "graph.erf": "erf", "graph.tanh": "tanh", "graph.sin": "sin", "graph.cos": "cos",
    "graph.tan": "tan", "graph.asin": "asin", "graph.acos": "acos", "graph.atan": "atan", "graph.sinh": "sinh",
    "graph.cosh": "cosh", "graph.asinh": "asinh", "graph.acosh": "acosh", "graph.atanh": "atanh",
}  # fmt: skip


def arith_xor(a, b):
    return arith.XOrIOp.build(a, b)


def _checked(name: str, fn):
    def body(s: Scalar, x, op):
        if name in _FLOAT_FNS:
            _float_only(op, x)
        return fn(s, x, op)

    return body


_FLOAT_FNS = set(MATH) | {
    "graph.sigmoid", "graph.hard_sigmoid", "graph.hard_swish", "graph.elu", "graph.selu", "graph.celu",
    "graph.softplus", "graph.softsign", "graph.mish", "graph.gelu", "graph.is_nan", "graph.is_inf",
    "graph.shrink", "graph.leaky_relu", "graph.thresholded_relu",
}  # fmt: skip

for _n, _f in UNARY.items():
    lowers(_n)(_unary(_checked(_n, _f)))
for _n, _f in MATH.items():
    lowers(_n)(_unary(_checked(_n, lambda s, x, op, _name=_f: s.fn(_name, x))))


@lowers("graph.cast", "graph.cast_like")
def _cast(b: Builder, op: Operation):
    to = op.results[0].type.element_type
    return [elementwise(b, op, [op.operands[0]], lambda s, x: s.convert(x, to), promote_half=False)]


# ----------------------------------------------------------------------------- binary / n-ary


def _mod(s: Scalar, a, b, op):
    r = s.rem(a, b)
    if op.fmod:
        return r
    zero = s.like(0, r)
    nonzero = s.cmp("ne", r, zero)
    signs = s.emit(arith.XOrIOp.build(s.cmp("lt", r, zero), s.cmp("lt", b, zero)))
    return s.select(s.emit(arith.AndIOp.build(nonzero, signs)), s.add(r, b), r)


def _pow(s: Scalar, a, b, op):
    _float_only(op, a)
    return s.fn("powf", a, s.convert(b, a.type))


def _logic(cls_name: str):
    def f(s: Scalar, a, b, op):
        return s.emit(getattr(arith, cls_name).build(a, b))

    return f


BINARY = {
    "graph.add": lambda s, a, b, op: s.add(a, b),
    "graph.sub": lambda s, a, b, op: s.sub(a, b),
    "graph.mul": lambda s, a, b, op: s.mul(a, b),
    "graph.div": lambda s, a, b, op: s.div(a, b),
    "graph.mod": _mod,
    "graph.pow": _pow,
    "graph.prelu": lambda s, x, k, op: s.select(s.cmp("lt", x, s.like(0, x)), s.mul(x, k), x),
    "graph.equal": lambda s, a, b, op: s.cmp("eq", a, b),
    "graph.less": lambda s, a, b, op: s.cmp("lt", a, b),
    "graph.less_or_equal": lambda s, a, b, op: s.cmp("le", a, b),
    "graph.greater": lambda s, a, b, op: s.cmp("gt", a, b),
    "graph.greater_or_equal": lambda s, a, b, op: s.cmp("ge", a, b),
    "graph.and": _logic("AndIOp"),
    "graph.or": _logic("OrIOp"),
    "graph.xor": _logic("XOrIOp"),
    "graph.bitwise_and": _logic("AndIOp"),
    "graph.bitwise_or": _logic("OrIOp"),
    "graph.bitwise_xor": _logic("XOrIOp"),
}


def _binary(fn):
    def lower(b: Builder, op: Operation):
        return [elementwise(b, op, list(op.operands), lambda s, x, y: fn(s, x, y, op))]

    return lower


for _n, _f in BINARY.items():
    lowers(_n)(_binary(_f))


def _fold(combine):
    def lower(b: Builder, op: Operation):
        def body(s: Scalar, *xs):
            acc = xs[0]
            for x in xs[1:]:
                acc = combine(s, acc, x)
            if op.name == "graph.mean":
                acc = s.div(acc, s.like(len(xs), acc))
            return acc

        return [elementwise(b, op, list(op.operands), body)]

    return lower


lowers("graph.sum", "graph.mean")(_fold(lambda s, a, x: s.add(a, x)))
lowers("graph.max")(_fold(lambda s, a, x: s.max(a, x)))
lowers("graph.min")(_fold(lambda s, a, x: s.min(a, x)))


@lowers("graph.clip")
def _clip(b: Builder, op: Operation):
    present = [n for n in ("min", "max") if getattr(op, n) is not None]
    ins = [op.input] + [getattr(op, n) for n in present]

    def body(s: Scalar, x, *bounds):
        for n, v in zip(present, bounds):
            x = s.max(x, v) if n == "min" else s.min(x, v)
        return x

    return [elementwise(b, op, ins, body)]


@lowers("graph.where")
def _where(b: Builder, op: Operation):
    return [elementwise(b, op, list(op.operands), lambda s, c, x, y: s.select(c, x, y), promote_half=False)]


@lowers("graph.identity")
def _identity(b: Builder, op: Operation):
    return [op.operands[0]]


@lowers("graph.dropout")
def _dropout(b: Builder, op: Operation):
    outs = [op.data]
    if len(op.results) == 2:
        outs.append(elementwise(b, _MaskView(op), [], lambda s: s.const(True, i1), promote_half=False))
    return outs


class _MaskView:
    """Presents Dropout's mask result as the op's first result for `elementwise`."""

    def __init__(self, op: Operation):
        self.results = [op.results[1]]
        self.name, self.provenance = op.name, op.provenance

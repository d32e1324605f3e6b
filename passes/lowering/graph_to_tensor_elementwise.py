"""Elementwise graph ops -> one broadcasting `tensor.generic` each, with an arith/math scalar body.

Ops with an `ir.formulas` formula (the activations) lower by running that formula on `ArithScalar`: the
body is the same definition the op's `evaluate` runs on numpy, so the two cannot drift apart. f16/bf16
operands are extended to f32 and the result truncated.
"""

from __future__ import annotations

from ir.builder import Builder
from ir.core import Operation
from ir.dialects import arith
from ir.dialects.graph.base import by_onnx_name, onnx_op_types
from ir.scalar_arith import ArithScalar
from ir.types import FloatType, i1
from passes.lowering.graph_to_tensor_common import elementwise, lowers, unsupported


def _unary(fn):
    def lower(b: Builder, op: Operation):
        return [elementwise(b, op, [op.operands[0]], lambda s, x: fn(s, x, op))]

    return lower


def _math(name: str):
    return _unary(lambda s, x, op: s.fn(name, x))


def _float_only(op: Operation, x) -> None:
    if not isinstance(x.type, FloatType):
        raise unsupported(op, f"integer operand {x.type} for a float function")


def _sign(s: ArithScalar, x, op):
    zero = s.like(0, x)
    pos = s.select(s.cmp("gt", x, zero), s.like(1, x), s.mul(x, zero) if s.is_float(x) else zero)
    return s.select(s.cmp("lt", x, zero), s.like(-1, x), pos)


def _is_inf(s: ArithScalar, x, op):
    t = s.const(False, i1)
    if op.detect_positive:
        t = s.emit(arith_or(t, s.cmp("eq", x, s.like(float("inf"), x))))
    if op.detect_negative:
        t = s.emit(arith_or(t, s.cmp("eq", x, s.like(float("-inf"), x))))
    return t


def arith_or(a, b):
    return arith.OrIOp.build(a, b)


UNARY = {
    "graph.neg": lambda s, x, op: s.neg(x),
    "graph.abs": lambda s, x, op: s.abs(x),
    "graph.reciprocal": lambda s, x, op: s.div(s.like(1, x), x),
    "graph.sign": _sign,
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
    def body(s: ArithScalar, x, op):
        if name in _FLOAT_FNS:
            _float_only(op, x)
        return fn(s, x, op)

    return body


_FLOAT_FNS = set(MATH) | {"graph.is_nan", "graph.is_inf"}

for _n, _f in UNARY.items():
    lowers(_n)(_unary(_checked(_n, _f)))
for _n, _f in MATH.items():
    lowers(_n)(_unary(_checked(_n, lambda s, x, op, _name=_f: s.fn(_name, x))))


# ----------------------------------------------------------------------------- formula ops (ir.formulas)


def lower_formula(b: Builder, op: Operation):
    """Lowers an op with an `ir.formulas` formula: the generic's body is that formula run on ArithScalar (the
    object the op's `evaluate` runs on numpy), with the op's attribute values. Absent optional operands
    (Clip's bounds) are None in their formula positions."""
    f = type(op).formula
    slots = [getattr(op, d.name) for d in type(op).operand_defs]
    attrs = op.formula_attrs()

    def body(s: ArithScalar, *xs):
        if f.float_only:
            _float_only(op, xs[0])
        present = iter(xs)
        return f.emit(s, *[None if v is None else next(present) for v in slots], **attrs)

    return [elementwise(b, op, [v for v in slots if v is not None], body)]


for _t in onnx_op_types():
    if by_onnx_name(_t).formula is not None:
        lowers(by_onnx_name(_t).name)(lower_formula)


@lowers("graph.cast", "graph.cast_like")
def _cast(b: Builder, op: Operation):
    to = op.results[0].type.element_type
    return [elementwise(b, op, [op.operands[0]], lambda s, x: s.convert(x, to), promote_half=False)]


# ----------------------------------------------------------------------------- binary / n-ary


def _mod(s: ArithScalar, a, b, op):
    r = s.rem(a, b)
    if op.fmod:
        return r
    zero = s.like(0, r)
    nonzero = s.cmp("ne", r, zero)
    signs = s.emit(arith.XOrIOp.build(s.cmp("lt", r, zero), s.cmp("lt", b, zero)))
    return s.select(s.emit(arith.AndIOp.build(nonzero, signs)), s.add(r, b), r)


def _pow(s: ArithScalar, a, b, op):
    _float_only(op, a)
    return s.fn("powf", a, s.convert(b, a.type))


def _logic(cls_name: str):
    def f(s: ArithScalar, a, b, op):
        return s.emit(getattr(arith, cls_name).build(a, b))

    return f


BINARY = {
    "graph.add": lambda s, a, b, op: s.add(a, b),
    "graph.sub": lambda s, a, b, op: s.sub(a, b),
    "graph.mul": lambda s, a, b, op: s.mul(a, b),
    "graph.div": lambda s, a, b, op: s.div(a, b),
    "graph.mod": _mod,
    "graph.pow": _pow,
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
        def body(s: ArithScalar, *xs):
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

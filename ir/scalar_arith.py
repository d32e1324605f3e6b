"""The IR backend of `ir.scalar.Scalar`: each operation emits an `arith` / `math` op.

`lower-graph-to-tensor` builds `tensor.generic` bodies with it, running the same `ir.formulas` that the
graph ops' `evaluate` runs on numpy arrays. Beyond the formula interface it offers what lowerings need for
bodies of their own: typed constants, integer remainders and ONNX Cast conversions.
"""

from __future__ import annotations

from ir.core import Value
from ir.dialects import arith, math
from ir.errors import UnsupportedError
from ir.scalar import Scalar
from ir.types import FloatType, Type, f32, i1


class ArithScalar(Scalar):
    """Builds scalar ops inside a tensor.generic body; picks float or integer arith ops by operand type.

    `emit(op)` inserts an op and returns its result (GenericOp.create's body callback gives one)."""

    def __init__(self, emit):
        self.emit = emit

    @staticmethod
    def is_float(v: Value) -> bool:
        return isinstance(v.type, FloatType)

    def const(self, value, t: Type) -> Value:
        if t == i1:
            value = bool(value)
        return self.emit(arith.ConstantOp.create(value, t))

    def like(self, value, v: Value) -> Value:
        return self.const(value, v.type)

    def _bin(self, fop, iop, a: Value, b: Value) -> Value:
        if iop is None and not self.is_float(a):
            raise UnsupportedError(f"no integer form of {fop.name}")
        return self.emit((fop if self.is_float(a) else iop).build(a, b))

    def add(self, a, b):
        return self._bin(arith.AddFOp, arith.AddIOp, a, b)

    def sub(self, a, b):
        return self._bin(arith.SubFOp, arith.SubIOp, a, b)

    def mul(self, a, b):
        return self._bin(arith.MulFOp, arith.MulIOp, a, b)

    def div(self, a, b):
        return self._bin(arith.DivFOp, arith.DivSIOp, a, b)

    def max(self, a, b):
        return self._bin(arith.MaximumFOp, arith.MaxSIOp, a, b)

    def min(self, a, b):
        return self._bin(arith.MinimumFOp, arith.MinSIOp, a, b)

    def rem(self, a, b):
        return self._bin(arith.RemFOp, arith.RemSIOp, a, b)

    def neg(self, a):
        if self.is_float(a):
            return self.emit(arith.NegFOp.build(a))
        return self.sub(self.like(0, a), a)

    def abs(self, a):
        return self.emit((math.AbsFOp if self.is_float(a) else math.AbsIOp).build(a))

    def fn(self, name: str, *xs: Value) -> Value:
        """A math-dialect function (`exp`, `tanh`, `powf`...)."""
        return self.emit(math.OPS[name].build(*xs))

    def cmp(self, pred: str, a: Value, b: Value) -> Value:
        """pred in eq, ne, lt, le, gt, ge: ordered float compare (une for ne) or signed integer compare."""
        if self.is_float(a):
            p = "une" if pred == "ne" else "o" + pred
            return self.emit(arith.CmpFOp.build(a, b, predicate=p))
        p = pred if pred in ("eq", "ne") else "s" + pred
        return self.emit(arith.CmpIOp.build(a, b, predicate=p))

    def select(self, c, a, b):
        return self.emit(arith.SelectOp.build(c, a, b))

    def convert(self, v: Value, t: Type) -> Value:
        """Converts a scalar to type `t` (ONNX Cast rules: float->int truncates, ->i1 is != 0)."""
        s = v.type
        if s == t:
            return v
        if t == i1:
            return self.cmp("ne", v, self.like(0, v))
        sf, tf = isinstance(s, FloatType), isinstance(t, FloatType)
        if sf and tf:
            cls = arith.ExtFOp if t.width > s.width else arith.TruncFOp
            if t.width == s.width:  # f16 <-> bf16
                return self.convert(self.convert(v, f32), t)
            return self.emit(cls.build(v, result_types=[t]))
        if sf:
            return self.emit(arith.FPToSIOp.build(v, result_types=[t]))
        if tf:
            cls = arith.UIToFPOp if s == i1 else arith.SIToFPOp
            return self.emit(cls.build(v, result_types=[t]))
        if t.width > s.width:
            cls = arith.ExtUIOp if s == i1 else arith.ExtSIOp
            return self.emit(cls.build(v, result_types=[t]))
        return self.emit(arith.TruncIOp.build(v, result_types=[t]))

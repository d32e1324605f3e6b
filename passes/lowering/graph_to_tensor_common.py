"""Shared pieces of `lower-graph-to-tensor`: the per-op lowering registry, a scalar body builder for
`tensor.generic` bodies (float/int dispatch, f16/bf16 computed in f32), and broadcasting elementwise generics.

Broadcasting: an operand dimension of size 1 that meets a larger result dimension is read at the constant
index 0 (`affine_map<(d0, d1) -> (0, d1)>`); the operand keeps its rank, so no reshape is needed and
fusion composes maps directly. tensor.generic's verifier accepts constant results in input maps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ir.affine import AffineConst, AffineDim, AffineMap
from ir.builder import Builder
from ir.core import Operation, Value
from ir.dialects import arith, math
from ir.dialects import tensor as T
from ir.errors import UnsupportedError
from ir.types import FloatType, IntegerType, ShapedType, TensorType, Type, element_type, f32, i1

Lowering = Callable[[Builder, Operation], Sequence[Value]]
LOWERINGS: dict[str, Lowering] = {}
"""graph op name -> function(builder, op) returning the values that replace the op's results."""


def lowers(*names: str) -> Callable[[Lowering], Lowering]:
    """Registers a lowering for the graph ops `names`."""

    def deco(fn: Lowering) -> Lowering:
        for n in names:
            LOWERINGS[n] = fn
        return fn

    return deco


def unsupported(op: Operation, why: str) -> UnsupportedError:
    """An UnsupportedError naming the op, its ONNX node(s) and the reason."""
    nodes = ", ".join(repr(p) for p in op.provenance) or "(no ONNX node recorded)"
    return UnsupportedError(f"lower-graph-to-tensor: cannot lower '{op.name}' (ONNX node {nodes}): {why}")


def is_half(t: Type) -> bool:
    t = element_type(t)
    return isinstance(t, FloatType) and t.width < 32


def check_elem(op: Operation, t: Type) -> None:
    """Refuses element types the arith dialect cannot compute on (unsigned / signed integers)."""
    e = element_type(t)
    if isinstance(e, IntegerType) and e.signedness != "":
        raise unsupported(op, f"element type {e} (arith works on signless integers only)")


# ----------------------------------------------------------------------------- scalar bodies


class Scalar:
    """Builds scalar ops inside a tensor.generic body; picks float or integer arith ops by operand type."""

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


# ----------------------------------------------------------------------------- generics


def broadcast_map(t: Type, out_shape: Sequence[int]) -> AffineMap:
    """The indexing map reading operand type `t` (numpy-broadcast to `out_shape`) from the result's loops."""
    rank = len(out_shape)
    shape = t.shape if isinstance(t, ShapedType) else ()
    off = rank - len(shape)
    exprs = tuple(
        AffineConst(0) if s == 1 and out_shape[off + i] != 1 else AffineDim(off + i)
        for i, s in enumerate(shape)
    )
    return AffineMap(rank, 0, exprs)


def generic(
    b: Builder,
    inputs: Sequence[Value],
    out_type: TensorType,
    body: Callable[..., Value | Sequence[Value]],
    maps: Sequence[AffineMap] | None = None,
    provenance: Sequence[str] = (),
) -> Value:
    """An all-parallel tensor.generic writing a fresh `out_type` tensor; `body(s: Scalar, *ins)` returns the
    scalar to store. Input maps default to numpy broadcasting against the result shape."""
    prov = tuple(provenance) or b.provenance
    out = b.value(T.EmptyOp, result_types=[out_type], provenance=prov)
    rank = out_type.rank
    maps = list(maps) if maps is not None else [broadcast_map(v.type, out_type.shape) for v in inputs]
    maps.append(AffineMap.identity(rank))

    def _body(emit, *args):
        r = body(Scalar(emit), *args[: len(inputs)])
        return list(r) if isinstance(r, (list, tuple)) else [r]

    g = T.GenericOp.create(list(inputs), [out], maps, ["parallel"] * rank, _body, prov)
    b.insert(g)
    return g.results[0]


def elementwise(
    b: Builder, op: Operation, inputs: Sequence[Value], fn: Callable[..., Value], promote_half: bool = True
) -> Value:
    """Lowers an elementwise graph op to one broadcasting generic; half floats are computed in f32."""
    rt = op.results[0].type
    for v in (*inputs, op.results[0]):
        check_elem(op, v.type)
    out_e = element_type(rt)

    def body(s: Scalar, *xs):
        if promote_half:
            xs = tuple(s.convert(x, f32) if is_half(x.type) else x for x in xs)
        r = fn(s, *xs)
        return s.convert(r, out_e) if r.type != out_e else r

    return generic(b, inputs, rt, body)


def splat(b: Builder, value, t: TensorType) -> Value:
    """A constant-filled tensor (arith.constant dense splat) used as a reduction init."""
    return b.insert(arith.ConstantOp.create(value, t)).result

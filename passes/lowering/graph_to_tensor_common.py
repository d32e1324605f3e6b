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
from ir.dialects import arith
from ir.dialects import tensor as T
from ir.errors import UnsupportedError
from ir.scalar_arith import ArithScalar
from ir.types import FloatType, IntegerType, ShapedType, TensorType, Type, element_type, f32

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
    """An all-parallel tensor.generic writing a fresh `out_type` tensor; `body(s: ArithScalar, *ins)` returns the
    scalar to store. Input maps default to numpy broadcasting against the result shape."""
    prov = tuple(provenance) or b.provenance
    out = b.value(T.EmptyOp, result_types=[out_type], provenance=prov)
    rank = out_type.rank
    maps = list(maps) if maps is not None else [broadcast_map(v.type, out_type.shape) for v in inputs]
    maps.append(AffineMap.identity(rank))

    def _body(emit, *args):
        r = body(ArithScalar(emit), *args[: len(inputs)])
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

    def body(s: ArithScalar, *xs):
        if promote_half:
            xs = tuple(s.convert(x, f32) if is_half(x.type) else x for x in xs)
        r = fn(s, *xs)
        return s.convert(r, out_e) if r.type != out_e else r

    return generic(b, inputs, rt, body)


def splat(b: Builder, value, t: TensorType) -> Value:
    """A constant-filled tensor (arith.constant dense splat) used as a reduction init."""
    return b.insert(arith.ConstantOp.create(value, t)).result

"""Retyping helpers of mixed-precision: rebuild an op (or a graph.fused with its region) on low-precision
operands with inferred result types, convert constants at compile time, and insert boundary casts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ir.attributes import DenseElementsAttr
from ir.core import Block, Operation, Value
from ir.errors import UnsupportedError
from ir.opdef import ConstantLike, constant_value
from ir.types import (
    FloatType,
    Type,
    bf16,
    element_type,
    f16,
    f32,
    to_numpy_dtype,
    with_element_type,
)

LOW_TYPES: dict[str, FloatType] = {"f16": f16, "bf16": bf16}


def is_f32(v: Value) -> bool:
    """A tensor (or scalar) of f32: what mixed-precision may lower."""
    return element_type(v.type) == f32


def lowered_constant(v: Value, low: FloatType) -> Operation:
    """A detached graph.constant holding `v`'s f32 constant converted to `low` (done at compile time)."""
    from ir.dialects.graph.ops_core import Constant

    arr = np.asarray(constant_value(v)).astype(to_numpy_dtype(low))
    t = with_element_type(v.type, low)
    return Constant.build(
        value=DenseElementsAttr(t, arr), result_types=[t], provenance=v.defining_op.provenance
    )


def cast_op(v: Value, to: FloatType, provenance: Sequence[str] = ()) -> Operation:
    """A detached graph.cast of `v` to element type `to` (ONNX `to` code)."""
    from ir.dialects.graph.base import type_to_onnx_dtype
    from ir.dialects.graph.ops_elementwise import Cast

    return Cast.build(
        v,
        to=type_to_onnx_dtype(to),
        result_types=[with_element_type(v.type, to)],
        provenance=tuple(provenance),
    )


def _infer(op: Operation, operands: list[Value], low: FloatType) -> list[Type]:
    """Result types of `op` on `operands`: the op's inference rule, else its types with f32 -> `low`."""
    try:
        types = list(type(op).infer_result_types([v.type for v in operands], op.properties, operands))
        if len(types) == len(op.results):
            return types
    except (UnsupportedError, TypeError, ValueError, NotImplementedError, KeyError, AttributeError):
        pass
    return [with_element_type(r.type, low) if element_type(r.type) == f32 else r.type for r in op.results]


def rebuild(op: Operation, operands: list[Value], low: FloatType) -> Operation:
    """A detached copy of `op` on `operands` with result types re-inferred. A graph.fused is rebuilt with
    its region retyped: block arguments take the operands' types, inner ops are rebuilt in turn and
    inner f32 constants become `low` constants."""
    if not op.regions:
        return type(op)(operands, _infer(op, operands, low), op.properties, op.attributes, 0, op.provenance)
    if op.name != "graph.fused":
        raise UnsupportedError(f"mixed-precision cannot retype '{op.name}' (it has regions)")
    from ir.dialects.graph.ops_fused import Fused, Yield

    old = op.regions[0].block
    block = Block([v.type for v in operands])
    mapping: dict[Value, Value] = dict(zip(old.args, block.args))
    for inner in old.ops:
        ins = [mapping.get(v, v) for v in inner.operands]
        if isinstance(inner, Yield):
            new = Yield.build(ins)
        elif inner.has_trait(ConstantLike) and inner.results and is_f32(inner.result):
            new = lowered_constant(inner.result, low)
        else:
            new = rebuild(inner, ins, low)
        block.append(new)
        for r, nr in zip(inner.results, new.results):
            mapping[r] = nr
    out_types = [v.type for v in block.ops[-1].operands]
    fused = Fused(operands, out_types, op.properties, op.attributes, 1, op.provenance)
    fused.regions[0].add_block(block)
    return fused


def lowered_standalone(op: Operation, low: FloatType) -> Operation:
    """A detached low-precision copy of `op` whose operands are arguments of a scratch block (every f32
    operand lowered), for measuring its error in isolation with the interpreter."""
    types = [with_element_type(v.type, low) if is_f32(v) else v.type for v in op.operands]
    scratch = Block(types)
    return rebuild(op, list(scratch.args), low)

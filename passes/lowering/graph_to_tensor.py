"""lower-graph-to-tensor: every graph op (except graph.constant) -> tensor-dialect ops (stage 1 of the
lowering contract). graph.fused regions are inlined and their lowered ops tagged `zg.fusion_group = N`
(one N per fused op) so fuse-tensor and bufferize know the group. Each tensor op keeps the provenance of
the graph op it came from. An op without a lowering raises UnsupportedError naming it and its ONNX node.

The per-op lowerings live in graph_to_tensor_{elementwise,nn,shape}.py (registry: LOWERINGS).
"""

from __future__ import annotations

from dataclasses import dataclass

from ir.attributes import IntegerAttr
from ir.builder import Builder, InsertionPoint
from ir.core import Block, Operation
from ir.dialects.graph.base import GraphOp
from passes.lowering import (  # noqa: F401  (registers the lowerings)
    graph_to_tensor_elementwise,
    graph_to_tensor_nn,
    graph_to_tensor_shape,
)
from passes.lowering.graph_to_tensor_common import LOWERINGS, unsupported
from passes.pass_base import Pass, PassContext, func_ops
from passes.registry import register_pass

FUSION_GROUP = "zg.fusion_group"
"""Discardable attribute: the fused-group id shared by the tensor ops lowered from one graph.fused."""

KEEP = {"graph.constant"}


class _Collect:
    """Builder listener: remembers the top-level ops a lowering creates."""

    def __init__(self):
        self.ops: list[Operation] = []

    def notify_created(self, op: Operation) -> None:
        self.ops.append(op)


def lower_op(op: Operation, group: int | None = None) -> list[Operation]:
    """Lowers one graph op in place; returns the tensor ops created (tagged with `group` if given)."""
    fn = LOWERINGS.get(op.name)
    if fn is None:
        raise unsupported(op, "no lowering for this op yet")
    collect = _Collect()
    b = Builder(InsertionPoint.before_op(op), tuple(op.provenance), listener=collect)
    values = list(fn(b, op))
    if len(values) != len(op.results):
        raise unsupported(op, f"lowering gave {len(values)} values for {len(op.results)} results")
    for r, v in zip(op.results, values):
        if v.type != r.type:
            raise unsupported(op, f"lowering gave {v.type} for result #{r.index} of type {r.type}")
        r.replace_all_uses_with(v)
    op.erase()
    for new in collect.ops:
        if not new.provenance:
            new.provenance = tuple(op.provenance)
        if group is not None:
            new.attributes[FUSION_GROUP] = IntegerAttr(group)
    return collect.ops


def inline_fused(fused: Operation) -> list[Operation]:
    """Moves a graph.fused op's inner ops before it (block args -> operands, results -> yielded values)."""
    block = fused.regions[0].block
    for arg, v in zip(block.args, fused.operands):
        arg.replace_all_uses_with(v)
    inner = list(block.ops)
    yielded = list(inner[-1].operands)
    for o in inner[:-1]:
        o.move_before(fused)
    fused.replace_all_uses_with(yielded)
    inner[-1].erase()
    fused.erase()
    return inner[:-1]


def lower_block(block: Block, ctx: PassContext | None = None, first_group: int = 0) -> int:
    """Lowers every graph op of `block`; returns the next free fusion-group id.

    Each op is lowered inside a one-op staging block (so inserting the new ops before it costs nothing,
    however long `block` is) and the block's op list is rebuilt once: linear in the number of ops."""
    group = first_group
    pending = list(block.ops)
    out: list[Operation] = []
    stage = Block()
    stage.parent = block.parent  # lowerings see the same enclosing op
    i = 0
    block.ops.clear()  # refilled from `out` at the end; ops move out of it without a search
    try:
        while i < len(pending):
            op = pending[i]
            i += 1
            if op.parent is not block:
                continue
            if not isinstance(op, GraphOp) or op.name in KEEP:
                out.append(op)
                continue
            op.parent = None
            stage.append(op)
            if op.name == "graph.fused":
                for inner in inline_fused(op):
                    if inner.name not in KEEP:
                        lower_op(inner, group)
                group += 1
                if ctx is not None:
                    ctx.stat("fused-groups")
            else:
                lower_op(op)
            out.extend(stage.ops)
            stage.ops.clear()
            if ctx is not None:
                ctx.stat("ops-lowered")
    finally:
        out.extend(stage.ops)
        out.extend(pending[i:])
        for o in out:
            o.parent = block
        block.ops[:] = out
    return group


@register_pass
@dataclass(frozen=True)
class LowerGraphToTensor(Pass):
    name = "lower-graph-to-tensor"
    summary = "lower graph ops to tensor-dialect structured ops (graph.fused groups tagged zg.fusion_group)"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        changed = False
        for f in func_ops(op):
            block = f.regions[0].block
            changed |= any(isinstance(o, GraphOp) and o.name not in KEEP for o in block.ops)
            lower_block(block, ctx)
        return changed

"""unfuse: inlines every graph.fused op's subgraph back into its block (for ONNX export, or to undo fusion)."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Operation
from ir.rewriter import Rewriter
from passes.pass_base import Pass, PassContext
from passes.registry import register_pass


def inline_fused(fused: Operation, rewriter: Rewriter) -> None:
    """Clones the fused op's inner ops before it (operands mapped from block args) and replaces its results."""
    block = fused.regions[0].block
    mapping = dict(zip(block.args, fused.operands))
    rewriter.set_insertion_point_before(fused)
    for inner in block.ops[:-1]:
        rewriter.insert(inner.clone(mapping))
    rewriter.replace_op(fused, [mapping.get(v, v) for v in block.ops[-1].operands])


@register_pass
@dataclass(frozen=True)
class Unfuse(Pass):
    name = "unfuse"
    summary = "inline graph.fused subgraphs back into their block"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        rewriter = Rewriter(ctx.listeners)
        fused = [o for o in op.walk() if o.name == "graph.fused"]
        for f in reversed(fused):  # innermost first
            inline_fused(f, rewriter)
        return bool(fused)

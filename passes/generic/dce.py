"""dce: erases Pure ops whose results are unused (to a fixpoint, innermost first)."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Operation
from ir.opdef import Pure
from ir.rewriter import Rewriter
from passes.pass_base import Pass, PassContext
from passes.registry import register_pass


def is_dead(op: Operation) -> bool:
    return bool(op.results) and op.has_trait(Pure) and not op.has_uses


@register_pass
@dataclass(frozen=True)
class DeadCodeElimination(Pass):
    name = "dce"
    summary = "erase side-effect-free ops whose results are unused"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        rewriter = Rewriter(ctx.listeners)
        changed = False
        progress = True
        while progress:
            progress = False
            for o in reversed(list(op.walk(post_order=True))):
                if o is op or o.parent is None:
                    continue
                if is_dead(o):
                    rewriter.erase_op(o)
                    ctx.stat("ops-removed")
                    progress = changed = True
        return changed

"""cse: merges Pure ops with the same name, operands, properties and result types (hash-consing per
block, visible to nested blocks); the survivor keeps the provenance of both."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Block, Operation
from ir.opdef import Pure
from ir.rewriter import Rewriter
from passes.pass_base import Pass, PassContext
from passes.registry import register_pass


def op_key(op: Operation):
    """A hashable identity of what `op` computes (None when it cannot be merged)."""
    if not op.has_trait(Pure) or op.regions or not op.results:
        return None
    return (
        op.name,
        tuple(id(v) for v in op.operands),
        tuple(sorted(op.properties.items(), key=lambda kv: kv[0])),
        tuple(op.result_types),
    )


@register_pass
@dataclass(frozen=True)
class CommonSubexpressionElimination(Pass):
    name = "cse"
    summary = "merge identical side-effect-free ops"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        rewriter = Rewriter(ctx.listeners)
        changed = False
        for r in op.regions:
            for b in r.blocks:
                changed |= self._block(b, {}, ctx, rewriter)
        return changed

    def _block(self, block: Block, outer: dict, ctx: PassContext, rewriter: Rewriter) -> bool:
        seen = dict(outer)
        merged: dict[Operation, dict] = {}  # survivor -> provenance of everything merged into it
        dead: list[Operation] = []
        changed = False
        for o in list(block.ops):
            for r in o.regions:
                isolated = any(t.__name__ == "IsolatedFromAbove" for t in o.traits)
                for b in r.blocks:
                    changed |= self._block(b, {} if isolated else seen, ctx, rewriter)
            try:
                key = op_key(o)
                hash(key)
            except TypeError:
                key = None
            if key is None:
                continue
            prev = seen.get(key)
            if prev is None:
                seen[key] = o
                continue
            if not ctx.budget.allow("cse", o):
                continue
            merged.setdefault(prev, dict.fromkeys(prev.provenance)).update(dict.fromkeys(o.provenance))
            rewriter.replace_uses(o, prev.results)
            dead.append(o)
            ctx.stat("ops-merged")
        # provenance set and duplicates erased once per block: linear in the ops merged
        for prev, prov in merged.items():
            rewriter.modify(prev, lambda p, prov=prov: setattr(p, "provenance", tuple(prov)))
        rewriter.erase_ops(dead)
        return changed or bool(dead)

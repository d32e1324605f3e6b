"""fold-constants: a Pure op whose operands are all constants is evaluated with its own `evaluate`
and replaced by graph.constant (results up to `max-elements` elements), keeping provenance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ir.core import Operation
from ir.opdef import ConstantLike, Pure, constant_value
from ir.rewriter import Rewriter
from ir.types import ShapedType
from passes.pass_base import Pass, PassContext
from passes.registry import register_pass


def make_constant(rewriter: Rewriter, array: np.ndarray, type_, provenance=()) -> Operation:
    """A graph.constant of `type_` holding `array`, inserted at the rewriter's insertion point."""
    from ir.attributes import DenseElementsAttr
    from ir.dialects.graph.ops_core import Constant

    attr = DenseElementsAttr(type_, np.asarray(array))
    return rewriter.insert(Constant.build(value=attr, result_types=[type_], provenance=provenance))


@register_pass
@dataclass(frozen=True)
class FoldConstants(Pass):
    name = "fold-constants"
    summary = "evaluate side-effect-free ops on constant operands into graph.constant"
    max_elements: int = 1 << 20

    def run(self, op: Operation, ctx: PassContext) -> bool:
        rewriter = Rewriter(ctx.listeners)
        changed = False
        for o in list(op.walk()):
            if o is op or o.parent is None or o.has_trait(ConstantLike) or not o.has_trait(Pure):
                continue
            if o.regions or not o.results or not all(isinstance(r.type, ShapedType) for r in o.results):
                continue
            if any(not r.type.has_static_shape or r.type.num_elements > self.max_elements for r in o.results):
                continue
            vals = [constant_value(v) for v in o.operands]
            if any(v is None for v in vals) or getattr(o, "evaluate", None) is None:
                continue
            try:
                outs = o.evaluate(*vals)
            except Exception:  # noqa: BLE001 - an op that cannot fold stays
                continue
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            if len(outs) != len(o.results) or not ctx.budget.allow("fold-constants", o):
                continue
            rewriter.set_insertion_point_before(o)
            news = []
            for x, r in zip(outs, o.results):
                news.append(make_constant(rewriter, np.asarray(x), r.type, o.provenance).result)
            rewriter.replace_op(o, news)
            ctx.stat("ops-folded")
            changed = True
        return changed

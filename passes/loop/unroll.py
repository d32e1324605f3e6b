"""`unroll{factor=N}`: unrolls every innermost loop.for with constant bounds by N (loop-carried values
chain through the copies); a remainder loop runs the last trip % N iterations."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Operation
from ir.dialects import arith, loop
from passes.loop.common import bounds, index_const, innermost_loops, kernels, new_for
from passes.pass_base import Pass, PassContext, ranged
from passes.registry import register_pass


def unroll_loop(f: loop.ForOp, factor: int) -> bool:
    b = bounds(f)
    if b is None or factor < 2:
        return False
    lo, hi, st = b
    trip = max(0, -(-(hi - lo) // st))
    main_trips = trip // factor
    if main_trips == 0:
        return False
    main_end = lo + main_trips * factor * st
    m = new_for(f.lower, index_const(f, main_end), index_const(f, st * factor), list(f.iter_args),
                attrs=dict(f.attributes), provenance=f.provenance)  # fmt: skip
    mb = m.regions[0].block
    body = f.regions[0].block
    carried = list(mb.args[1:])
    for u in range(factor):
        iv = mb.args[0]
        if u:
            a = arith.AddIOp.build(iv, index_const(f, u * st))
            mb.append(a)
            iv = a.result
        mapping = {body.args[0]: iv, **dict(zip(body.args[1:], carried))}
        for o in body.ops[:-1]:
            c = o.clone(mapping)
            mb.append(c)
            for x, y in zip(o.results, c.results):
                mapping[x] = y
        carried = [mapping.get(v, v) for v in body.ops[-1].operands]
    mb.append(loop.YieldOp.build(carried))
    f.parent.insert_before(f, m)
    if main_end >= hi:
        f.replace_all_uses_with(list(m.results))
        f.erase()
    else:
        f.set_operand(0, index_const(f, main_end))
        for i, r in enumerate(m.results):
            f.set_operand(3 + i, r)
    return True


@register_pass
@dataclass(frozen=True)
class Unroll(Pass):
    """Unrolls innermost loops by `factor`."""

    name = "unroll"
    summary = "unroll innermost constant-bound loop.for by a factor (with a remainder loop)"
    anchor = "builtin.module"
    factor: int = ranged(4, minimum=1, maximum=1024)

    def run(self, op: Operation, ctx: PassContext) -> bool:
        changed = False
        for k in kernels(op):
            for f in innermost_loops(k):
                if unroll_loop(f, self.factor):
                    changed = True
                    ctx.stat("unrolled-loops")
        return changed

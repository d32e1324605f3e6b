"""`vectorize{width=W}`: innermost loop.for whose induction variable only indexes the last dimension of
its loads and stores (contiguous) run `width` iterations at a time with vector<width x T> loads, stores
and arith/math ops (loop-invariant scalars are splat with loop.splat); a scalar remainder loop (the
original loop, starting where the vector loop stops) finishes the trip. `width=0` (the default) takes
the `target`'s f32 lanes per vector register (ir/target.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Operation, Value
from ir.dialects import arith, loop
from ir.types import VectorType
from passes.loop.common import index_const, innermost_loops, kernels, new_for
from passes.pass_base import Pass, PassContext, ranged
from passes.registry import register_pass

_ELEMENTWISE_DIALECTS = ("arith.", "math.")


def _plan(f: loop.ForOp) -> set[Value] | None:
    """The varying values of the body, or None when the loop cannot be vectorized."""
    if f.iter_args:
        return None
    iv = f.induction_var
    varying: set[Value] = {iv}
    for o in f.regions[0].block.ops[:-1]:
        if isinstance(o, loop.LoadOp):
            idx = list(o.indices)
            if any(v in varying for v in idx[:-1]) or isinstance(o.result.type, VectorType):
                return None
            if idx and idx[-1] is iv:
                varying.add(o.result)
            elif idx and idx[-1] in varying:
                return None
        elif isinstance(o, loop.StoreOp):
            idx = list(o.indices)
            if not idx or idx[-1] is not iv or any(v in varying for v in idx[:-1]):
                return None
            if isinstance(o.value.type, VectorType):
                return None
        elif o.name.startswith(_ELEMENTWISE_DIALECTS) and not o.regions:
            if o.name in ("arith.index_cast",) or any(str(r.type) == "index" for r in o.results):
                if any(v in varying for v in o.operands):
                    return None
                continue
            if any(v in varying for v in o.operands):
                varying.add(o.result)
        else:
            return None
    return varying


def vectorize_loop(f: loop.ForOp, width: int) -> bool:
    if width < 2:
        return False
    varying = _plan(f)
    if varying is None:
        return False
    blk = f.parent
    # main_end = lo + ((hi - lo) floordiv width) * width, computed before the loop
    n = arith.SubIOp.build(f.upper, f.lower)
    q = arith.FloorDivSIOp.build(n.result, index_const(f, width))
    w = arith.MulIOp.build(q.result, index_const(f, width))
    end = arith.AddIOp.build(f.lower, w.result)
    for o in (n, q, w, end):
        blk.insert_before(f, o)
    m = new_for(f.lower, end.result, index_const(f, width), attrs=dict(f.attributes), provenance=f.provenance)
    mb = m.regions[0].block
    body = f.regions[0].block
    mapping: dict[Value, Value] = {body.args[0]: mb.args[0]}
    splats: dict[Value, Value] = {}

    def vec(v: Value) -> Value:
        if v in varying:
            return mapping[v]
        if v not in splats:
            s = loop.SplatOp.build(mapping.get(v, v), result_types=[VectorType((width,), v.type)])
            mb.append(s)
            splats[v] = s.result
        return splats[v]

    for o in body.ops[:-1]:
        if isinstance(o, loop.LoadOp) and o.result in varying:
            c = loop.LoadOp.build(o.memref, [mapping.get(i, i) for i in o.indices],
                                  result_types=[VectorType((width,), o.result.type)])  # fmt: skip
        elif isinstance(o, loop.StoreOp):
            c = loop.StoreOp.build(vec(o.value), o.memref, [mapping.get(i, i) for i in o.indices])
        elif any(r in varying for r in o.results):
            c = o.clone()
            for i, v in enumerate(o.operands):
                c.set_operand(i, vec(v))
            for r in c.results:
                r.type = VectorType((width,), r.type)
        else:
            c = o.clone(mapping)
        c.provenance = o.provenance
        mb.append(c)
        for x, y in zip(o.results, c.results):
            mapping[x] = y
    mb.append(loop.YieldOp.build([]))
    blk.insert_before(f, m)
    f.set_operand(0, end.result)
    return True


@register_pass
@dataclass(frozen=True)
class Vectorize(Pass):
    """Vectorizes contiguous innermost loops by `width` lanes with a scalar remainder loop."""

    name = "vectorize"
    summary = "innermost contiguous loops -> vector<width x T> loads/stores/ops + scalar remainder"
    anchor = "builtin.module"
    width: int = ranged(0, minimum=0, maximum=256)  # 0: the target's vector width
    target: str = "cpu"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        from ir.target import cpu_target

        width = self.width or cpu_target(self.target).vector_floats
        changed = False
        for k in kernels(op):
            for f in innermost_loops(k):
                if vectorize_loop(f, width):
                    changed = True
                    ctx.stat("vectorized-loops")
        return changed

"""`parallelize`: the outermost parallel loop of each kernel becomes loop.parallel ["cpu.outer"] over
[0, trip count), and the kernel's zg.parallel_range is set to that trip count (1 when none)."""

from __future__ import annotations

from ir.attributes import IntegerAttr
from ir.core import Block, Operation, Region
from ir.dialects import arith, loop, loop_kernels
from ir.types import i64, index
from passes.loop.common import PARALLEL_MARK, bounds, index_const, kernels, move_body, outer_loops
from passes.pass_base import Pass, PassContext
from passes.registry import register_pass


def parallelize_kernel(k: loop.KernelOp) -> bool:
    if any(isinstance(o, loop_kernels.RangedKernelOp) for o in k.walk()):
        return False
    if any(isinstance(o, loop.ParallelOp) and o.mapping == [loop.CPU_OUTER] for o in k.walk()):
        return False
    rng = 1
    tops = outer_loops(k)
    top_level = [o for o in k.body.ops if not isinstance(o, (arith.ConstantOp, loop.ReturnOp))]
    changed = False
    if len(tops) == 1 and top_level == tops and PARALLEL_MARK in tops[0].attributes and bounds(tops[0]):
        f = tops[0]
        lo, hi, st = bounds(f)
        trip = max(0, -(-(hi - lo) // st))
        if trip >= 2:
            blk = Block([index])
            p = loop.ParallelOp.build(
                [index_const(f, 0)], [index_const(f, trip)], [index_const(f, 1)],
                mapping=[loop.CPU_OUTER], regions=[Region([blk])], provenance=f.provenance,
            )  # fmt: skip
            blk.append(loop.YieldOp.build([]))
            iv = blk.args[0]
            if (lo, st) != (0, 1):
                m = arith.MulIOp.build(iv, index_const(f, st))
                a = arith.AddIOp.build(m.result, index_const(f, lo))
                blk.insert(0, m)
                blk.insert(1, a)
                iv = a.result
            f.induction_var.replace_all_uses_with(iv)
            move_body(f, blk)
            f.parent.insert_before(f, p)
            f.erase()
            rng = trip
            changed = True
    k.attributes[loop.PARALLEL_RANGE_ATTR] = IntegerAttr(rng, i64)
    return changed


@register_pass
class Parallelize(Pass):
    """Marks each kernel's outermost parallel loop as loop.parallel cpu.outer and sets zg.parallel_range."""

    name = "parallelize"
    summary = "outermost parallel loop of each kernel -> loop.parallel [cpu.outer]; sets zg.parallel_range"
    anchor = "builtin.module"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        changed = False
        for k in kernels(op):
            if parallelize_kernel(k):
                changed = True
                ctx.stat("parallel-kernels")
        return changed

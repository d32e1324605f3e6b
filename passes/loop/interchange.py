"""`interchange{perm=...}`: permutes the outermost perfectly nested band of parallel loops of each
kernel (new position i runs old loop perm[i]). Only bands of `zg.parallel` loops with constant bounds
and no loop-carried values are permuted, so every order computes the same results."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Operation
from passes.loop.common import PARALLEL_MARK, band, bounds, kernels, outer_loops
from passes.pass_base import Pass, PassContext, ranged
from passes.registry import register_pass


def interchange_band(top, perm: list[int]) -> bool:
    loops = band(top)[: len(perm)]
    if len(loops) != len(perm) or sorted(perm) != list(range(len(perm))) or perm == sorted(perm):
        return False
    if any(bounds(f) is None or PARALLEL_MARK not in f.attributes for f in loops):
        return False
    olds = [(f.lower, f.upper, f.step, dict(f.attributes)) for f in loops]
    ivs = [f.induction_var for f in loops]
    # swap bounds in place; then redirect induction variables: position i now iterates old loop perm[i]
    tmp = {}
    for i, f in enumerate(loops):
        lo, hi, st, attrs = olds[perm[i]]
        f.set_operand(0, lo)
        f.set_operand(1, hi)
        f.set_operand(2, st)
        f.attributes.clear()
        f.attributes.update(attrs)
        tmp[perm[i]] = i
    from ir.core import Value

    placeholders = [Value(iv.type) for iv in ivs]
    for old, ph in zip(ivs, placeholders):
        old.replace_all_uses_with(ph)
    for old_pos, ph in enumerate(placeholders):
        ph.replace_all_uses_with(ivs[tmp[old_pos]])
    return True


@register_pass
@dataclass(frozen=True)
class Interchange(Pass):
    """Permutes the outermost parallel loop band of every kernel."""

    name = "interchange"
    summary = "permute the outermost perfectly nested parallel loop band (perm[i] = old loop at depth i)"
    anchor = "builtin.module"
    perm: list[int] = ranged(default_factory=lambda: [1, 0], minimum=0)

    def run(self, op: Operation, ctx: PassContext) -> bool:
        changed = False
        for k in kernels(op):
            for top in outer_loops(k):
                if interchange_band(top, list(self.perm)):
                    changed = True
                    ctx.stat("interchanged-bands")
        return changed

"""`tile{sizes=...}`: tiles the outermost perfectly nested band of loop.for in each kernel.

Loop i in [lo, hi) step s with tile size T becomes a tile loop it in [lo, hi) step T*s around a
point loop i in [it, min(it + T*s, hi)) step s; tile loops of the band come first, then point loops.
Size 0 leaves a loop untiled. Loops with non-constant bounds or loop-carried values end the band."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Operation
from ir.dialects import arith
from passes.loop.common import band, bounds, index_const, kernels, move_body, new_for, outer_loops
from passes.pass_base import Pass, PassContext, ranged
from passes.registry import register_pass


def tile_band(top, sizes: list[int]) -> bool:
    loops = [f for f in band(top)][: len(sizes)]
    cut = []
    for f in loops:
        if bounds(f) is None:
            break
        cut.append(f)
    loops = cut
    if not loops or not any(s > 0 for s in sizes[: len(loops)]):
        return False
    parent, anchor = top.parent, top
    tiles, points = [], []
    block = None
    for f, t in zip(loops, sizes):
        lo, hi, st = bounds(f)
        if t <= 0 or t * st >= hi - lo:
            tiles.append(None)
            continue
        tl = new_for(
            f.lower, f.upper, index_const(f, t * st), attrs=dict(f.attributes), provenance=f.provenance
        )
        if block is None:
            parent.insert_before(anchor, tl)
        else:
            block.append(tl)
        block = tl.regions[0].block
        tiles.append(tl)
    if block is None:
        return False
    from ir.dialects.loop import YieldOp

    inner = block
    for f, tl, t in zip(loops, tiles, sizes):
        if tl is None:
            pl = new_for(f.lower, f.upper, f.step, attrs=dict(f.attributes), provenance=f.provenance)
        else:
            _, _, st = bounds(f)
            e = arith.AddIOp.build(tl.induction_var, index_const(f, t * st))
            mn = arith.MinSIOp.build(e.result, f.upper)
            inner.append(e)
            inner.append(mn)
            pl = new_for(
                tl.induction_var, mn.result, f.step, attrs=dict(f.attributes), provenance=f.provenance
            )
        inner.append(pl)
        f.induction_var.replace_all_uses_with(pl.induction_var)
        inner = pl.regions[0].block
        points.append(pl)
    for pl in points:
        pl.regions[0].block.append(YieldOp.build([]))
    move_body(loops[-1], inner)
    for tl in tiles:
        if tl is not None:
            tl.regions[0].block.append(YieldOp.build([]))
    top.erase()
    return True


@register_pass
@dataclass(frozen=True)
class Tile(Pass):
    """Tiles the outermost loop band of every kernel by `sizes`."""

    name = "tile"
    summary = "tile the outermost loop.for band of each kernel (sizes per loop, 0 = untiled)"
    anchor = "builtin.module"
    sizes: list[int] = ranged(default_factory=lambda: [32, 32], minimum=0)

    def run(self, op: Operation, ctx: PassContext) -> bool:
        changed = False
        for k in kernels(op):
            for top in outer_loops(k):
                if tile_band(top, list(self.sizes)):
                    changed = True
                    ctx.stat("tiled-bands")
        return changed

"""`prepack-weights`: constant micro-kernel weights stored once, at compile time, in the kernels' layouts.

For every loop-level kernel op (`loop.gemm`, `loop.gemv`, `loop.conv2d`) whose weight operand is, at
the kernel's only call site, a `loop.weight`, the weight is repacked once here with the op's own
`pack_weights` (the layout its schedule implies; ir/dialects/loop_layouts.py) into a new 1-D
`loop.weight`; the kernel argument's type becomes that buffer's and the op is marked `packed`, so the
generated code never repacks weights at run time and the interpreter unpacks them with
`unpack_weights`. Weights shared by several kernels (after CSE) are packed once per layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ir.attributes import DenseElementsAttr
from ir.core import Operation
from ir.dialects import loop
from ir.dialects.loop_kernels import MicroKernelOp
from ir.types import FunctionType, MemRefType, f32
from passes.pass_base import Pass, PassContext, check_target
from passes.registry import register_pass

__all__ = ["PrepackWeights", "prepack_weights"]


def _layout_key(op: MicroKernelOp) -> tuple:
    """Ops with equal keys pack the same weights identically."""
    return (op.name, *(str(op.properties[k]) for k in sorted(op.properties) if k != "extra_kinds"))


def prepack_weights(module: Operation, ctx: PassContext | None = None) -> int:
    """Prepacks every eligible micro-kernel weight of a loop-level module; returns how many."""
    func = module.main
    kernels = {op.properties["sym_name"].value: op for op in module.body.ops if op.name == "loop.kernel"}
    calls: dict[str, list[Operation]] = {}
    for op in func.body.ops:
        if op.name == "loop.call":
            calls.setdefault(op.properties["callee"].value, []).append(op)
    done = 0
    shared: dict[tuple, Operation] = {}
    for name, k in kernels.items():
        kops = [o for o in k.walk() if isinstance(o, MicroKernelOp)]
        if len(kops) != 1 or kops[0].packed or len(calls.get(name, [])) != 1:
            continue
        kop, call = kops[0], calls[name][0]
        warg = kop.w
        if warg not in k.body.args or sum(1 for _ in warg.uses) != 1:
            continue
        j = list(k.body.args).index(warg)
        src = call.operands[j]
        wop = src.defining_op
        if wop is None or wop.name != "loop.weight" or wop.result.type.element_type != f32:
            continue
        key = (id(wop), _layout_key(kop))
        if key not in shared:  # CSE'd weights feed several kernels: pack each layout once
            packed = np.ascontiguousarray(kop.pack_weights(wop.properties["value"].array))
            new = loop.WeightOp.build(value=DenseElementsAttr.from_array(packed), provenance=wop.provenance)
            func.body.insert_before(wop, new)
            shared[key] = new
            if ctx is not None:
                ctx.stat("weights packed")
                ctx.stat("packed bytes", packed.nbytes)
        new = shared[key]
        call.set_operand(j, new.result)
        if not src.uses:
            wop.erase()
        warg.type = MemRefType((new.properties["value"].array.size,), f32)
        k.function_type = FunctionType(tuple(a.type for a in k.body.args), tuple(k.function_type.results))
        kop.packed = True
        done += 1
        if ctx is not None:
            ctx.stat(f"{kop.name} kernels prepacked")
    return done


@register_pass
@dataclass(frozen=True)
class PrepackWeights(Pass):
    """Packs constant micro-kernel weights into the kernels' layouts at compile time."""

    name = "prepack-weights"
    summary = "constant kernel-op weights -> 1-D loop.weight in the micro-kernel's layout (packed)"
    anchor = "builtin.module"
    target: str = "cpu"

    def __post_init__(self) -> None:
        check_target(self.name, self.target)

    def run(self, op: Operation, ctx: PassContext) -> bool:
        return prepack_weights(op, ctx) > 0

"""`prepack-weights`: constant micro-kernel weights stored once, at compile time, in the kernels' layouts.

For every `loop.ukernel` whose weight operand (operand 1) is, at the kernel's only call site, a
`loop.weight`, the weight is repacked (conv2d -> NCHW8c blocks per group, sgemm -> packed B panels,
sgemv -> [N/nr][K][nr] panels; layouts in ir/dialects/loop_layouts.py) into a new 1-D `loop.weight`;
the kernel argument's type becomes that buffer's and the ukernel is marked `packed` (with
`pack_params`), so the generated code never repacks weights at run time and the interpreter unpacks
them in `UKernelOp.evaluate`. Weights shared by several kernels (after CSE) are packed once per layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from ir.attributes import DenseElementsAttr
from ir.core import Operation
from ir.dialects import loop
from ir.dialects.loop_layouts import pack_ukernel_weights
from ir.types import FunctionType, MemRefType, f32
from passes.pass_base import Pass, PassContext, check_target
from passes.registry import register_pass

__all__ = ["PrepackWeights", "prepack_weights"]


def prepack_weights(module: Operation, ctx: PassContext | None = None) -> int:
    """Prepacks every eligible micro-kernel weight of a loop-level module; returns how many."""
    func = module.main
    kernels = {op.properties["sym_name"].value: op for op in module.body.ops if op.name == "loop.kernel"}
    calls: dict[str, list[Operation]] = {}
    for op in func.body.ops:
        if op.name == "loop.call":
            calls.setdefault(op.properties["callee"].value, []).append(op)
    done = 0
    shared: dict[tuple, tuple] = {}
    for name, k in kernels.items():
        uks = [o for o in k.walk() if o.name == "loop.ukernel"]
        if len(uks) != 1 or uks[0].packed or len(calls.get(name, [])) != 1:
            continue
        uk, call = uks[0], calls[name][0]
        warg = uk.operands[1]
        if warg not in k.body.args or sum(1 for _ in warg.uses) != 1:
            continue
        j = list(k.body.args).index(warg)
        src = call.operands[j]
        wop = src.defining_op
        if wop is None or wop.name != "loop.weight" or wop.result.type.element_type != f32:
            continue
        key = (id(wop), uk.ukernel, uk.m, uk.n, uk.k, uk.group)
        if key not in shared:  # CSE'd weights feed several kernels: pack each layout once
            packed, params = pack_ukernel_weights(uk, wop.properties["value"].array)
            new = loop.WeightOp.build(value=DenseElementsAttr.from_array(packed), provenance=wop.provenance)
            func.body.insert_before(wop, new)
            shared[key] = (new, params, wop)
            if ctx is not None:
                ctx.stat("weights packed")
                ctx.stat("packed bytes", packed.nbytes)
        new, params, _ = shared[key]
        packed = new.properties["value"].array
        call.set_operand(j, new.result)
        if not src.uses:
            wop.erase()
        warg.type = MemRefType((packed.size,), f32)
        k.function_type = FunctionType(tuple(a.type for a in k.body.args), tuple(k.function_type.results))
        uk.packed = True
        uk.pack_params = list(params)
        done += 1
        if ctx is not None:
            ctx.stat(f"{uk.ukernel} kernels prepacked")
    return done


@register_pass
@dataclass(frozen=True)
class PrepackWeights(Pass):
    """Packs constant micro-kernel weights into the kernels' layouts at compile time."""

    name = "prepack-weights"
    summary = "constant loop.ukernel weights -> 1-D loop.weight in the micro-kernel's layout (packed)"
    anchor = "builtin.module"
    target: str = "cpu"

    def __post_init__(self) -> None:
        check_target(self.name, self.target)

    def run(self, op: Operation, ctx: PassContext) -> bool:
        return prepack_weights(op, ctx) > 0

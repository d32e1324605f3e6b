"""`materialize-layouts`: the channel-blocked layout of each `loop.conv2d` becomes explicit IR.

A `loop.conv2d` reads NCHW buffers but computes in the channel-blocked layout [N][C/cb][H*W][cb]
(cb = its vector width). Before this pass the generated code converted its input, epilogue operands and
output inside the kernel, into workspaces malloc'd per call and per thread (every thread converting
the whole input). Here each conversion becomes a `loop.relayout` kernel of its own, run once and split
across threads by channel blocks, into a host-level `loop.alloc` that the memory planner places; the
convolution becomes `blocked` and reads and writes those buffers directly:

    relayout(x -> xb); relayout(residual -> rb); conv2d{blocked}(xb, w, bias_b, rb -> ob); relayout(ob -> y)

Constant epilogue operands (biases, folded BatchNorm shifts: `loop.weight`) are converted at compile
time into new weights instead. A batch-1 grouped convolution blocks each group's channels (the groups
act as the batch). Only kernels whose conv2d has a single call site are rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ir.attributes import ArrayAttr, DenseElementsAttr, IntegerAttr, StringAttr
from ir.core import Operation, Value
from ir.dialects import loop
from ir.dialects import loop_layouts as L
from ir.dialects.loop_kernels import Conv2dOp, RelayoutOp
from ir.types import FunctionType, MemRefType, i64
from passes.pass_base import Pass, PassContext, check_target
from passes.registry import register_pass

__all__ = ["MaterializeLayouts", "materialize_layouts"]


def _relayout_kernel(name: str, src_t, dst_t, to_blocked: bool, n: int, c: int, hw: int, cb: int, prov):
    k = loop.KernelOp.create(name, [src_t, dst_t])
    op = RelayoutOp.build(*k.body.args, to_blocked=to_blocked, n=n, c=c, hw=hw, block=cb, provenance=prov)
    k.body.append(op)
    k.body.append(loop.ReturnOp.build([]))
    k.attributes[loop.PARALLEL_RANGE_ATTR] = IntegerAttr(op.parallel_range(), i64)
    k.attributes["zg.ops"] = ArrayAttr((StringAttr("loop.relayout"),))
    k.provenance = tuple(prov)
    return k


def _to_blocked(
    module, func, k, call, arg: Value, nn: int, cc: int, hw: int, cb: int, suffix: str, ctx
) -> None:
    """Gives kernel `k` the blocked copy of its argument `arg`, made on the host before `call`: a new
    weight for a constant, else a planned buffer written by a relayout kernel."""
    j = list(k.body.args).index(arg)
    src = call.operands[j]
    bt = MemRefType((L.blocked_size(nn, cc, hw, cb),), src.type.element_type)
    prov = call.provenance
    wop = src.defining_op
    if wop is not None and wop.name == "loop.weight":  # a constant: convert it now
        arr = np.asarray(wop.properties["value"].array, dtype=np.float32)
        new = loop.WeightOp.build(value=DenseElementsAttr.from_array(L.to_blocked(arr, nn, cc, hw, cb)),
                                  provenance=wop.provenance)  # fmt: skip
        func.body.insert_before(call, new)
        call.set_operand(j, new.result)
        if not src.uses:
            wop.erase()
    else:
        alloc = loop.AllocOp.build(result_types=[bt], alignment=64, provenance=prov)
        func.body.insert_before(call, alloc)
        rk = _relayout_kernel(f"{k.sym_name}_{suffix}", src.type, bt, True, nn, cc, hw, cb, prov)
        module.body.insert_before(k, rk)
        relayout = loop.CallOp.build(
            [src, alloc.result], result_types=[], callee=rk.sym_name, provenance=prov
        )
        func.body.insert_before(call, relayout)
        call.set_operand(j, alloc.result)
        if ctx is not None:
            ctx.stat("relayout kernels")
    arg.type = bt


def _materialize(module, func, k, conv: Conv2dOp, call, ctx) -> None:
    """Rewrites one conv kernel and its call site (see the module docstring)."""
    n, c, h, w = conv.in_shape()
    _, f, oh, ow = conv.out_shape()
    g, cb = conv.group, conv.vector_width
    ng, prov = n * g, conv.provenance
    _to_blocked(module, func, k, call, conv.x, ng, c // g, h * w, cb, "pack", ctx)
    for i, (e, kind) in enumerate(zip(conv.extras, conv.extra_kinds)):
        nn, hw = (g, 1) if kind == "channel" else (ng, oh * ow)
        _to_blocked(module, func, k, call, e, nn, f // g, hw, cb, f"pack{i + 1}", ctx)
    # the output: the kernel writes a blocked buffer, converted back after the call
    j = list(k.body.args).index(conv.out)
    dense = call.operands[j]
    bt = MemRefType((L.blocked_size(ng, f // g, oh * ow, cb),), dense.type.element_type)
    alloc = loop.AllocOp.build(result_types=[bt], alignment=64, provenance=prov)
    func.body.insert_before(call, alloc)
    call.set_operand(j, alloc.result)
    conv.out.type = bt
    uk = _relayout_kernel(f"{k.sym_name}_unpack", bt, dense.type, False, ng, f // g, oh * ow, cb, prov)
    module.body.insert_after(k, uk)
    unpack = loop.CallOp.build([alloc.result, dense], result_types=[], callee=uk.sym_name, provenance=prov)
    func.body.insert_after(call, unpack)
    conv.properties["input_shape"] = Conv2dOp.attr_defs["input_shape"].kind.to_attr([n, c, h, w])
    conv.properties["output_shape"] = Conv2dOp.attr_defs["output_shape"].kind.to_attr([n, f, oh, ow])
    conv.blocked = True
    k.function_type = FunctionType(tuple(a.type for a in k.body.args), tuple(k.function_type.results))


def materialize_layouts(module: Operation, ctx: PassContext | None = None) -> int:
    """Rewrites every eligible loop.conv2d kernel of a loop-level module; returns how many."""
    func = module.main
    kernels = {op.sym_name: op for op in module.body.ops if op.name == "loop.kernel"}
    calls: dict[str, list[Operation]] = {}
    for op in func.body.ops:
        if op.name == "loop.call":
            calls.setdefault(op.callee, []).append(op)
    done = 0
    for name, k in kernels.items():
        convs = [o for o in k.walk() if isinstance(o, Conv2dOp)]
        if len(convs) != 1 or convs[0].blocked or len(calls.get(name, [])) != 1:
            continue
        conv = convs[0]
        args = list(k.body.args)
        if any(v not in args or len(v.uses) != 1 for v in [conv.x, *conv.extras, conv.out]):
            continue
        _materialize(module, func, k, conv, calls[name][0], ctx)
        done += 1
        if ctx is not None:
            ctx.stat("blocked convolutions")
    return done


@register_pass
@dataclass(frozen=True)
class MaterializeLayouts(Pass):
    """Makes each convolution's channel-blocked layout explicit: relayout kernels and planned buffers."""

    name = "materialize-layouts"
    summary = "loop.conv2d layout conversions -> loop.relayout kernels into planned buffers; conv2d blocked"
    anchor = "builtin.module"
    target: str = "cpu"

    def __post_init__(self) -> None:
        check_target(self.name, self.target)

    def run(self, op: Operation, ctx: PassContext) -> bool:
        return materialize_layouts(op, ctx) > 0

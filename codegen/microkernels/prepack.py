"""Compile-time weight prepacking: constant micro-kernel weights stored in the kernels' own layouts.

For every `loop.ukernel` whose weight operand (operand 1) is, at the kernel's only call site, a
`loop.weight`, the weight is repacked once here (conv2d -> NCHW8c blocks per group, sgemm -> packed
B panels, sgemv -> [N/nr][K][nr] panels) into a new 1-D `loop.weight`; the kernel argument's type
becomes that buffer's and the ukernel is marked `packed` (with `pack_params`), so the generated code
never repacks weights at run time and the interpreter unpacks them in `UKernelOp.evaluate`.
"""

from __future__ import annotations

import numpy as np

from codegen.microkernels.conv import repack_conv_weights
from codegen.microkernels.gemm import (
    GemmSchedule,
    GemmSpec,
    GemvSchedule,
    GemvSpec,
    pack_b_numpy,
    pack_gemv_weights_numpy,
)
from ir.attributes import DenseElementsAttr
from ir.core import Operation
from ir.dialects import loop
from ir.types import FunctionType, MemRefType, f32

__all__ = ["pack_ukernel_weights", "prepack_weights"]


def pack_ukernel_weights(uk: loop.UKernelOp, w: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """(packed 1-D weights, pack_params) for a ukernel's dense weight array."""
    w = np.asarray(w, dtype=np.float32)
    if uk.ukernel == "sgemv":
        sch = GemvSchedule()
        spec = GemvSpec(uk.n, uk.k)
        return np.ascontiguousarray(pack_gemv_weights_numpy(w.reshape(uk.k, uk.n), spec, sch)), [sch.nr]
    if uk.ukernel == "sgemm":
        sch = GemmSchedule()
        spec = GemmSpec(uk.m, uk.n, uk.k)
        return np.ascontiguousarray(pack_b_numpy(w.reshape(uk.k, uk.n), spec, sch)), [
            sch.nr,
            sch.kc,
            sch.k_unroll,
        ]
    g = uk.group
    fg = w.shape[0] // g
    parts = [repack_conv_weights(w[gi * fg : (gi + 1) * fg]).reshape(-1) for gi in range(g)]
    return np.ascontiguousarray(np.concatenate(parts)), []


def prepack_weights(module: Operation) -> int:
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
    return done

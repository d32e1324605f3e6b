"""Loop-level kernel ops (`loop.gemm`, `loop.gemv`, `loop.conv2d`) -> calls of the micro-kernels that
codegen.microkernels generates for their shapes, schedules and epilogues, inside a kernel function.

``KERNEL_OPS`` maps each op name to an emitter. The op's epilogue region becomes an ``Epilogue`` whose
scalar body is emitted through the same op table as every other arith/math op (``OP_TABLE``), on whole
register vectors inside the micro-kernel's store of each finished tile. The kernel ABI's [start, end)
is handed to the micro-kernel's ``*_range`` function (rows of M, GEMV panels, or flattened (n, oh)
output rows), as the ops' docstrings specify.
"""

from __future__ import annotations

from collections.abc import Callable

import llvmlite.ir as ir

from codegen.emit_llvm import ALLOCA_LIMIT, OP_TABLE, _declare, intrinsic, libm_call, llvm_type
from codegen.microkernels import Epilogue, ceil_div
from codegen.microkernels.conv import ConvSchedule, ConvSpec, emit_conv2d_nchw8c, emit_layout_kernels
from codegen.microkernels.gemm import GemmSchedule, GemmSpec, GemvSchedule, GemvSpec, emit_gemv, emit_sgemm
from ir.core import Operation
from ir.dialects.loop_kernels import KERNEL_OPS as KERNEL_OP_CLASSES
from ir.errors import UnsupportedError
from ir.printer import print_op

__all__ = ["KERNEL_OPS", "emit_kernel_op", "epilogue_of"]

I64 = ir.IntType(64)
F32 = ir.FloatType()


class _ScalarEmitter:
    """What the op table's emitters need (builder, module, intrinsics, libm) inside a micro-kernel."""

    gpu = False

    def __init__(self, b: ir.IRBuilder) -> None:
        self.b, self.module = b, b.module

    def call_intrinsic(self, base: str, *args: ir.Value) -> ir.Value:
        return intrinsic(self, base, *args)

    def libm(self, name: str, args: list[ir.Value]) -> ir.Value:
        return libm_call(self, name, args)


def epilogue_of(op: Operation) -> Epilogue:
    """The op's epilogue region as a micro-kernel ``Epilogue`` (identity when it yields its accumulator)."""
    kinds = tuple(op.extra_kinds)
    if op.has_identity_epilogue():
        return Epilogue(kinds, None, "identity")
    block = op.epilogue_block
    for o in block.ops[:-1]:
        if str(o.result.type) not in ("f32", "i1") or o.name not in OP_TABLE:
            raise UnsupportedError(f"codegen: epilogue op {o.name} -> {o.result.type} has no vector lowering")

    def emit(b: ir.IRBuilder, acc: ir.Value, extras: list[ir.Value]) -> ir.Value:
        e = _ScalarEmitter(b)
        width = acc.type.count if isinstance(acc.type, ir.VectorType) else None
        env = dict(zip(block.args, [acc, *extras]))
        for o in block.ops[:-1]:
            out = OP_TABLE[o.name](e, o, [env[v] for v in o.operands])
            if width is not None and not isinstance(out.type, ir.VectorType):  # a scalar constant
                if not isinstance(out, ir.Constant):
                    raise UnsupportedError(f"codegen: epilogue op {o.name} did not vectorize")
                out = ir.Constant(ir.VectorType(llvm_type(o.result.type), width), [out] * width)
            env[o.result] = out
        return env[block.ops[-1].operands[0]]

    body = "\n".join(print_op(o) for o in block.ops)
    return Epilogue(kinds, emit, f"{kinds}:{body}")


def _f32(e, v: ir.Value) -> ir.Value:
    return e.b.bitcast(v, F32.as_pointer())


def _workspace(e, floats: int):
    """A float buffer of ``floats`` elements: on the stack when small, else malloc'd (freed by caller)."""
    if floats * 4 <= ALLOCA_LIMIT:
        arr = e.entry_builder.alloca(ir.ArrayType(F32, floats), name="ws")
        arr.align = 64
        return e.b.bitcast(arr, F32.as_pointer()), None
    malloc = _declare(e.module, "malloc", ir.IntType(8).as_pointer(), [I64])
    raw = e.b.call(malloc, [ir.Constant(I64, floats * 4)])
    return e.b.bitcast(raw, F32.as_pointer()), raw


def _free(e, raw) -> None:
    if raw is not None:
        free = _declare(e.module, "free", ir.VoidType(), [ir.IntType(8).as_pointer()])
        e.b.call(free, [raw])


def _packed_weights(e, op: Operation, w: ir.Value, pack_fn: str, floats: int):
    """(weights in the kernel's layout, workspace to free): as given when prepacked at compile time,
    else packed now by the generated `pack_fn` into a workspace."""
    if op.packed:
        return w, None
    ws, raw = _workspace(e, floats)
    e.b.call(e.module.globals[pack_fn], [w, ws])
    return ws, raw


def _gemm(e, op: Operation, args: list[ir.Value]) -> None:
    """C rows [start, end) = epilogue(A @ B, extras): B prepacked, or packed into a workspace."""
    mr, nr = op.tile
    kc, mc = op.blocks
    sch = GemmSchedule(mr=mr, nr=nr, kc=kc, mc=mc, k_unroll=op.k_unroll, vec=op.vector_width, regs=None)
    spec = GemmSpec(op.m, op.n, op.k, epilogue=epilogue_of(op))
    gk = emit_sgemm(e.module, spec, sch, name=e.unique(f"{e.name}.sgemm"))
    a, b, *extras, c = (_f32(e, v) for v in args)
    b, raw = _packed_weights(e, op, b, gk.pack_b, gk.packed_b_floats)
    e.b.call(e.module.globals[gk.prepacked_range], [a, b, c, *extras, e.start, e.end])
    _free(e, raw)


def _gemv(e, op: Operation, args: list[ir.Value]) -> None:
    """y panels [start, end) = epilogue(x @ W, extras) (M = 1), W prepacked or packed here."""
    sch = GemvSchedule(
        nr=op.panel, k_unroll=op.k_unroll, acc_sets=op.acc_sets, vec=op.vector_width, regs=None
    )
    gk = emit_gemv(
        e.module, GemvSpec(op.n, op.k, epilogue=epilogue_of(op)), sch, name=e.unique(f"{e.name}.gemv")
    )
    x, w, *extras, y = (_f32(e, v) for v in args)
    w, raw = _packed_weights(e, op, w, gk.pack_w, gk.packed_w_floats)
    e.b.call(e.module.globals[gk.range], [x, w, y, *extras, e.start, e.end])
    _free(e, raw)


def _conv2d(e, op: Operation, args: list[ir.Value]) -> None:
    """NCHW conv rows [start, end) of (n, oh), group by group: x (and w unless prepacked) and the
    "full" extras to the blocked layout, "channel" extras padded, the direct kernel, then the rows
    back to NCHW."""
    n, c_all, h, w = op.in_shape()
    g, CB = op.group, op.vector_width
    ci, co = c_all // g, op.out_shape()[1] // g
    kh, kw = op.kernel
    ep = epilogue_of(op)
    spec = ConvSpec(
        n, ci, h, w, co, kh, kw, stride=tuple(op.strides), pads=tuple(op.pads), dilation=tuple(op.dilations),
        epilogue=ep, cb=CB,
    )  # fmt: skip
    sch = ConvSchedule(ow_tile=op.ow_tile, oc_blocks=op.oc_blocks, oc_outer=op.oc_outer, regs=None)
    ck = emit_conv2d_nchw8c(e.module, spec, sch, name=e.unique(f"{e.name}.conv"))
    x0, wt0, *extras0, out0 = (_f32(e, v) for v in args)
    cib, cob = ceil_div(ci, CB), ceil_div(co, CB)
    oh, ow = spec.oh, spec.ow
    wfloats = cob * cib * kh * kw * CB * CB
    loops = e.loops

    def group_weights(gi: int, wb) -> ir.Value:
        """Group gi's weights in the kernel's layout: prepacked, or copied now into the workspace
        (w [CO][CI][KH][KW] -> [CO/cb][CI/cb][KH][KW][cb ci][cb co])."""
        if op.packed:
            return _off(e, wt0, gi * wfloats)
        wt = _off(e, wt0, gi * co * ci * kh * kw)
        loops([cob * CB, cib * CB, kh * kw], lambda i: _copy_weights(e, wt, wb, i, co, ci, cib, kh * kw, CB))
        return wb

    if op.blocked:  # x, extras and out already blocked (materialize-layouts): group by group
        wb, wraw = (None, None) if op.packed else _workspace(e, wfloats)
        for gi in range(g):
            wg = group_weights(gi, wb)
            plane = cob * oh * ow * CB
            xs = [_off(e, x, gi * (cob * CB if k == "channel" else plane)) for x, k in zip(extras0, ep.kinds)]
            e.b.call(e.module.globals[ck.range],
                     [_off(e, x0, gi * cib * h * w * CB), wg, _off(e, out0, gi * plane), *xs, e.start, e.end])  # fmt: skip
        _free(e, wraw)
        return
    xb, xraw = _workspace(e, n * cib * h * w * CB)
    wb, wraw = (None, None) if op.packed else _workspace(e, wfloats)
    ob, oraw = _workspace(e, n * cob * oh * ow * CB)
    xws = [_workspace(e, cob * CB if k == "channel" else n * cob * oh * ow * CB) for k in ep.kinds]
    loops = e.loops
    for gi in range(g):
        x = _off(e, x0, gi * ci * h * w)
        out = _off(e, out0, gi * co * oh * ow)
        # x [N][C][H][W] -> [N][C/cb][H][W][cb] (padded channels zero)
        loops(
            [n, cib * CB, h * w], lambda i, x=x: _copy_padded(e, x, xb, i, (ci, h * w), (cib, h * w), ci, CB)
        )
        wg = group_weights(gi, wb)
        for src0, (dst, _), kind in zip(extras0, xws, ep.kinds):
            if kind == "channel":
                src = _off(e, src0, gi * co)
                loops(
                    [cob * CB], lambda i, src=src, dst=dst: _store_or_zero(e, src, dst, i[0], i[0], co, i[0])
                )
            else:
                src = _off(e, src0, gi * co * oh * ow)
                loops([n, cob * CB, oh * ow],
                      lambda i, src=src, dst=dst: _copy_padded(e, src, dst, i, (co, oh * ow), (cob, oh * ow), co, CB))  # fmt: skip
        e.b.call(e.module.globals[ck.range], [xb, wg, ob, *(d for d, _ in xws), e.start, e.end])

        # out rows [start, end) of (n, oh), every channel: [N][CO/cb][OH][OW][cb] -> [N][CO][OH][OW]
        def unpack(i, out=out):
            row, c, col = i
            nn, r = e.b.sdiv(row, ir.Constant(I64, oh)), e.b.srem(row, ir.Constant(I64, oh))
            pix = e.b.add(e.b.mul(r, ir.Constant(I64, ow)), col)
            cb, cl = e.b.sdiv(c, ir.Constant(I64, CB)), e.b.srem(c, ir.Constant(I64, CB))
            src = _lin(e, [nn, cb, pix, cl], [cob * oh * ow * CB, oh * ow * CB, CB, 1])
            dst = _lin(e, [nn, c, pix], [co * oh * ow * g, oh * ow, 1])
            e.b.store(e.b.load(e.b.gep(ob, [src])), e.b.gep(out, [dst]))

        e.loops_from([e.start, ir.Constant(I64, 0), ir.Constant(I64, 0)], [e.end, co, ow], unpack)
    for _, raw in reversed(xws):
        _free(e, raw)
    for raw in (oraw, wraw, xraw):
        _free(e, raw)


def _relayout(e, op: Operation, args: list[ir.Value]) -> None:
    """Channel blocks [start, end) of a layout conversion, through codegen.microkernels.conv's kernels."""
    lk = emit_layout_kernels(e.module, op.n, op.c, op.hw, 1, name=e.unique(f"{e.name}.layout"), CB=op.block)
    fn = lk.to_blocked_range if op.to_blocked else lk.from_blocked_range
    src, dst = (_f32(e, v) for v in args)
    e.b.call(e.module.globals[fn], [src, dst, e.start, e.end])


def _off(e, ptr: ir.Value, floats: int) -> ir.Value:
    return ptr if floats == 0 else e.b.gep(ptr, [ir.Constant(I64, floats)])


def _lin(e, idx: list[ir.Value], strides: list[int]) -> ir.Value:
    acc = None
    for i, s in zip(idx, strides, strict=True):
        t = i if s == 1 else e.b.mul(i, ir.Constant(I64, s))
        acc = t if acc is None else e.b.add(acc, t)
    return acc


def _store_or_zero(e, src, dst, src_idx, dst_idx, limit: int, test) -> None:
    ok = e.b.icmp_signed("<", test, ir.Constant(I64, limit))
    safe = e.b.select(ok, src_idx, ir.Constant(I64, 0))
    v = e.b.load(e.b.gep(src, [safe]))
    e.b.store(e.b.select(ok, v, ir.Constant(F32, 0.0)), e.b.gep(dst, [dst_idx]))


def _copy_padded(e, src, dst, i, src_dims, dst_dims, guard: int, CB: int) -> None:
    """dst[n][c/cb][p][c%cb] = src[n][c][p] (0 for c >= guard): NCHW -> blocked, padded channels zero."""
    nn, c, p = i
    c_real, pix = src_dims
    cblocks, _ = dst_dims
    s = _lin(e, [nn, c, p], [c_real * pix, pix, 1])
    cb, cl = e.b.sdiv(c, ir.Constant(I64, CB)), e.b.srem(c, ir.Constant(I64, CB))
    d = _lin(e, [nn, cb, p, cl], [cblocks * pix * CB, pix * CB, CB, 1])
    _store_or_zero(e, src, dst, s, d, guard, c)


def _copy_weights(e, src, dst, i, co, ci, cib, khw, CB: int) -> None:
    o, c, k = i
    ok = e.b.and_(
        e.b.icmp_signed("<", o, ir.Constant(I64, co)), e.b.icmp_signed("<", c, ir.Constant(I64, ci))
    )
    s = _lin(e, [o, c, k], [ci * khw, khw, 1])
    s = e.b.select(ok, s, ir.Constant(I64, 0))
    ob, ol = e.b.sdiv(o, ir.Constant(I64, CB)), e.b.srem(o, ir.Constant(I64, CB))
    cb, cl = e.b.sdiv(c, ir.Constant(I64, CB)), e.b.srem(c, ir.Constant(I64, CB))
    d = _lin(e, [ob, cb, k, cl, ol], [cib * khw * CB * CB, khw * CB * CB, CB * CB, CB, 1])
    v = e.b.load(e.b.gep(src, [s]))
    e.b.store(e.b.select(ok, v, ir.Constant(F32, 0.0)), e.b.gep(dst, [d]))


KERNEL_OPS: dict[str, Callable] = {
    "loop.gemm": _gemm,
    "loop.gemv": _gemv,
    "loop.conv2d": _conv2d,
    "loop.relayout": _relayout,
}
"""Kernel op name -> emitter of the generated micro-kernel and its call."""


assert set(KERNEL_OPS) == {cls.name for cls in KERNEL_OP_CLASSES}, "every kernel op has an emitter"


def emit_kernel_op(e, op: Operation, args: list[ir.Value]) -> None:
    """Emits the micro-kernel of a loop-level kernel op and calls it over the kernel's [start, end)."""
    if getattr(e, "gpu", False):
        raise UnsupportedError(f"codegen: {op.name} has no GPU lowering")
    KERNEL_OPS[op.name](e, op, args)

"""Packed SGEMM (BLIS-style 6x16 register tile) and the M = 1 GEMV kernel, specialized per shape.

``C[M,N] = act(A[M,K] @ B[K,N] + bias[N] + residual[M,N])``, act = identity or ReLU. B is packed into
zero-padded ``nr``-column panels per ``kc``-deep K block (either at run time into a workspace, or once
at compile time for constant weights); A is packed per (``mc`` x ``kc``) block into a stack buffer of
``mr``-row panels. The register tile keeps ``mr * nr / 8`` ``<8 x float>`` accumulators in FMA chains.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import llvmlite.ir as ir
import numpy as np

from codegen.host_target import HostModule, ObjectCache
from codegen.llvm_intrinsics import (
    COLD_LOOP,
    F32,
    I1,
    I64,
    Loop,
    f32_ptr,
    fma,
    for_range,
    gep,
    i64,
    prefetch,
    select_min,
    splat,
    vector_load,
    vector_store,
)
from codegen.microkernels import (
    OPENMP_LIBRARY,
    Epilogue,
    aligned_empty,
    ceil_div,
    emit_gomp_parallel,
    emit_kernel_abi,
    float_ptr_arg,
    round_up,
    split_range,
)
from ir.dialects.loop_layouts import pack_gemm_b, pack_gemv_w

__all__ = [
    "CompiledGemv",
    "CompiledSgemm",
    "GemmKernel",
    "GemmSchedule",
    "GemmSpec",
    "GemvKernel",
    "GemvSchedule",
    "GemvSpec",
    "build_gemv",
    "build_sgemm",
    "emit_gemv",
    "emit_sgemm",
    "pack_b_numpy",
    "pack_gemv_weights_numpy",
]


@dataclass(frozen=True)
class GemmSchedule:
    """Schedule choices for the packed SGEMM: register tile (mr x nr), cache blocks (kc, mc), K unroll,
    and the target's vector width (``vec`` f32 lanes) and vector register budget (``regs``)."""

    mr: int = 6
    nr: int = 16
    kc: int = 256
    mc: int = 144
    k_unroll: int = 4
    vec: int = 8
    regs: int | None = 16  # None: the fit was checked against the target when the schedule was chosen

    def __post_init__(self) -> None:
        if self.vec not in (4, 8, 16):
            raise ValueError(f"vec={self.vec} must be 4, 8 or 16 lanes")
        if self.nr % self.vec or self.nr <= 0:
            raise ValueError(f"nr={self.nr} must be a positive multiple of {self.vec}")
        if self.mr <= 0 or self.mc % self.mr:
            raise ValueError(f"mc={self.mc} must be a positive multiple of mr={self.mr}")
        if self.k_unroll <= 0 or self.kc % self.k_unroll:
            raise ValueError(f"kc={self.kc} must be a multiple of k_unroll={self.k_unroll}")
        nv = self.nr // self.vec
        if self.regs is not None and self.mr * nv + nv + 1 > self.regs:
            raise ValueError(f"a {self.mr}x{self.nr} tile does not fit {self.regs} vector registers")
        if self.mc * self.kc * 4 > 1 << 20:
            raise ValueError("the packed A block (mc * kc floats) must fit 1 MiB of stack")


@dataclass(frozen=True)
class GemmSpec:
    """The problem: shapes, leading dimensions (elements; default dense) and the fused epilogue.

    ``C = act(A @ B + bias + residual)``; ``residual`` must not alias C (with several K blocks C holds
    partial sums when the residual is read).
    """

    m: int
    n: int
    k: int
    bias: bool = False
    relu: bool = False
    residual: bool = False
    trans_b: bool = False
    epilogue: Epilogue | None = None
    lda: int | None = None
    ldb: int | None = None
    ldc: int | None = None
    ldr: int | None = None

    def __post_init__(self) -> None:
        if min(self.m, self.n, self.k) <= 0:
            raise ValueError(f"GEMM shape must be positive, got M={self.m} N={self.n} K={self.k}")
        if self.epilogue is not None and (self.bias or self.relu or self.residual):
            raise ValueError("give either an epilogue or the bias/relu/residual flags")

    @property
    def ep(self) -> Epilogue:
        """The epilogue: the given one, or act(acc + bias + residual) from the flags."""
        return self.epilogue or Epilogue.standard(self.bias, self.residual, self.relu)

    @property
    def lda_(self) -> int:
        return self.lda if self.lda is not None else self.k

    @property
    def ldb_(self) -> int:
        return self.ldb if self.ldb is not None else (self.k if self.trans_b else self.n)

    @property
    def ldc_(self) -> int:
        return self.ldc if self.ldc is not None else self.n

    @property
    def ldr_(self) -> int:
        return self.ldr if self.ldr is not None else self.ldc_


def _k_blocks(k: int, sch: GemmSchedule) -> list[tuple[int, int, int]]:
    """(start, depth, padded depth) of each K block."""
    out = []
    for pc in range(0, k, sch.kc):
        kcp = min(sch.kc, k - pc)
        out.append((pc, kcp, round_up(kcp, sch.k_unroll)))
    return out


def packed_b_size(spec: GemmSpec, sch: GemmSchedule) -> int:
    """Floats in the packed B buffer (zero-padded to nr columns and k_unroll depth)."""
    npad = round_up(spec.n, sch.nr)
    return npad * sum(kp for _, _, kp in _k_blocks(spec.k, sch))


def pack_b_numpy(b: np.ndarray, spec: GemmSpec, sch: GemmSchedule) -> np.ndarray:
    """Pack B ([K,N], or [N,K] when trans_b) exactly like the generated ``*_pack_b`` (compile-time use);
    the layout lives in ir/dialects/loop_layouts.py."""
    return pack_gemm_b(b, spec.n, spec.k, sch.nr, sch.kc, sch.k_unroll, spec.trans_b)


@dataclass(frozen=True)
class GemmKernel:
    """Symbols a generated SGEMM exports; every buffer argument is a ``float*``, NULL when unused.

    - ``pack_b(B, Bp)``: pack B into ``packed_b_floats`` floats.
    - ``prepacked_range(A, Bp, C, bias, residual, i64 m_start, i64 m_end)``: rows [m_start, m_end).
    - ``prepacked(A, Bp, C, bias, residual)``: all rows.
    - ``gemm(A, B, C, bias, residual, workspace)``: packs B into ``workspace`` then runs.
    - ``prepacked_parallel(A, Bp, C, bias, residual, i32 nthreads)`` / ``gemm_parallel(..., workspace,
      i32 nthreads)``: GOMP_parallel over rows (only when emitted with ``parallel=True``).
    - ``abi(void **args, i64 start, i64 end)``: the runtime kernel ABI over ``prepacked_range``; args
      are ``abi_args`` in order (bias/residual only when the spec has them); the range is rows
      [0, ``range_total``), best split on multiples of ``range_align``.
    - ``pack_b_abi(void **args, start, end)``: args (B, Bp); serial (a plan gives it range 1).

    Place packed B (and C) on 64-byte boundaries: from a 16-byte aligned buffer half of the 32-byte
    B loads split cache lines, which measured at about 0.55x the speed.
    """

    spec: GemmSpec
    schedule: GemmSchedule
    pack_b: str
    prepacked_range: str
    prepacked: str
    gemm: str
    prepacked_parallel: str | None
    gemm_parallel: str | None
    packed_b_floats: int
    abi: str
    abi_args: tuple[str, ...]
    pack_b_abi: str
    range_total: int
    range_align: int
    libraries: tuple[str, ...] = field(default=())


def _emit_ukernel(module: ir.Module, name: str, spec: GemmSpec, sch: GemmSchedule) -> ir.Function:
    """The register-tile kernel: C tile (+)= Ap panel @ Bp panel, with the epilogue on the last K block.

    Arguments: (kpad, Ap, Bp, C, extras..., m_valid, n_valid, first, last); a "channel" extra points at
    the tile's first column, a "full" one at the tile's first element (row stride ldr)."""
    fp = f32_ptr()
    ep = spec.ep
    ne = len(ep.kinds)
    fnty = ir.FunctionType(ir.VoidType(), [I64, fp, fp, fp, *[fp] * ne, I64, I64, I1, I1])
    fn = ir.Function(module, fnty, f"{name}.ukernel")
    fn.linkage = "internal"
    fn.attributes.add("noinline")  # inlining it into the loop nest triples O3 time for no speed
    kpad, ap, bp, c = fn.args[:4]
    extras = fn.args[4 : 4 + ne]
    m_valid, n_valid, first, last = fn.args[4 + ne :]
    for a in (ap, bp, c):
        a.add_attribute("noalias")
    VEC = sch.vec
    mr, nv, nr, ku = sch.mr, sch.nr // VEC, sch.nr, sch.k_unroll
    vty = ir.VectorType(F32, VEC)
    zero = ir.Constant(vty, None)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    tile = b.alloca(F32, size=i64(mr * nr), name="tile")
    tile.align = 4 * VEC

    loop = Loop(b, 0, kpad, ku, carried=[zero] * (mr * nv), name="k")
    with loop as (k, accs):
        accs = list(accs)
        for u in range(ku):
            kk = b.add(k, i64(u))
            bvec = [vector_load(b, bp, VEC, b.add(b.mul(kk, i64(nr)), i64(v * VEC))) for v in range(nv)]
            abase = b.mul(kk, i64(mr))
            for r in range(mr):
                a = splat(b, b.load(gep(b, ap, b.add(abase, i64(r)))), VEC)
                for v in range(nv):
                    accs[r * nv + v] = fma(b, a, bvec[v], accs[r * nv + v])
        loop.next(accs)
    accs = loop.results

    def with_old(val: ir.Value, old: ir.Value) -> ir.Value:
        """acc + C_old after the first K block (C holds the partial sums of the earlier blocks)."""
        return b.select(first, val, b.fadd(val, old))

    def stores(finish: bool) -> None:
        """Store the tile (vectors when full, lane by lane when partial); through the epilogue when
        ``finish`` (the last K block)."""
        full = b.and_(b.icmp_signed("==", m_valid, i64(mr)), b.icmp_signed("==", n_valid, i64(nr)))
        with b.if_else(full, likely=True) as (then, otherwise):
            with then:
                for v in range(nv):
                    chan = [vector_load(b, x, VEC, v * VEC) if k == "channel" and finish else None
                            for x, k in zip(extras, ep.kinds)]  # fmt: skip
                    for r in range(mr):
                        off = i64(r * spec.ldc_ + v * VEC)
                        val = with_old(accs[r * nv + v], vector_load(b, c, VEC, off))
                        if finish:
                            xs = [cv if cv is not None else vector_load(b, x, VEC, r * spec.ldr_ + v * VEC)
                                  for x, cv in zip(extras, chan)]  # fmt: skip
                            val = ep.apply(b, val, xs)
                        vector_store(b, val, c, off)
            with otherwise:
                for r in range(mr):
                    for v in range(nv):
                        vector_store(b, accs[r * nv + v], tile, r * nr + v * VEC, align=4 * VEC)
                with for_range(b, 0, m_valid, name="er") as r:
                    with for_range(b, 0, n_valid, name="ec") as col:
                        acc = b.load(gep(b, tile, b.add(b.mul(r, i64(nr)), col)))
                        coff = b.add(b.mul(r, i64(spec.ldc_)), col)
                        val = with_old(acc, b.load(gep(b, c, coff)))
                        if finish:
                            roff = b.add(b.mul(r, i64(spec.ldr_)), col)
                            xs = [b.load(gep(b, x, col if k == "channel" else roff))
                                  for x, k in zip(extras, ep.kinds)]  # fmt: skip
                            val = ep.apply(b, val, xs)
                        b.store(val, gep(b, c, coff))

    if ep.identity:
        stores(False)
    else:
        with b.if_else(last) as (then, otherwise):
            with then:
                stores(True)
            with otherwise:
                stores(False)
    b.ret_void()
    return fn


def _emit_pack_a(module: ir.Module, name: str, spec: GemmSpec, sch: GemmSchedule) -> ir.Function:
    """Pack an (mcp x kcp) block of A into mr-row panels [panel][kpad][mr], zero-padded."""
    fp = f32_ptr()
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp, I64, I64, I64, fp]), f"{name}.pack_a")
    fn.linkage = "internal"
    fn.attributes.add("noinline")
    a, mcp, kcp, kpad, dst = fn.args
    a.add_attribute("noalias")
    dst.add_attribute("noalias")
    mr, lda = sch.mr, spec.lda_
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    nfull = b.sdiv(mcp, i64(mr))
    zero = ir.Constant(F32, 0.0)
    # full panels: plain copies of mr rows; the zero tail k in [kcp, kpad) is written separately
    with for_range(b, 0, nfull, name="ip", hints=COLD_LOOP) as ip:
        src = gep(b, a, b.mul(ip, i64(mr * lda)))
        dpanel = gep(b, dst, b.mul(ip, b.mul(kpad, i64(mr))))
        with for_range(b, 0, kcp, name="pk", hints=COLD_LOOP) as k:
            d = gep(b, dpanel, b.mul(k, i64(mr)))
            for r in range(mr):
                b.store(b.load(gep(b, src, b.add(k, i64(r * lda)))), gep(b, d, r))
        with for_range(b, kcp, kpad, name="pz", hints=COLD_LOOP) as k:
            d = gep(b, dpanel, b.mul(k, i64(mr)))
            for r in range(mr):
                b.store(zero, gep(b, d, r))
    # the last, partial panel: clamp row indices and select zeros for rows past the block
    rows_valid = b.sub(mcp, b.mul(nfull, i64(mr)))
    with b.if_then(b.icmp_signed(">", rows_valid, i64(0))):
        row0 = b.mul(nfull, i64(mr))
        dpanel = gep(b, dst, b.mul(nfull, b.mul(kpad, i64(mr))))
        with for_range(b, 0, kpad, name="tk", hints=COLD_LOOP) as k:
            kv = b.icmp_signed("<", k, kcp)
            kk = select_min(b, k, b.sub(kcp, i64(1)))
            for r in range(mr):
                rv = b.icmp_signed("<", i64(r), rows_valid)
                rr = select_min(b, i64(r), b.sub(rows_valid, i64(1)))
                x = b.load(gep(b, a, b.add(b.mul(b.add(row0, rr), i64(lda)), kk)))
                b.store(b.select(b.and_(kv, rv), x, zero), gep(b, dpanel, b.add(b.mul(k, i64(mr)), i64(r))))
    b.ret_void()
    return fn


def _emit_pack_b(module: ir.Module, name: str, spec: GemmSpec, sch: GemmSchedule) -> ir.Function:
    """Exported ``<name>_pack_b(B, Bp)``: B into [K block][nr panel][kpad][nr], zero-padded."""
    fp = f32_ptr()
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp, fp]), f"{name}_pack_b")
    fn.attributes.add("noinline")
    src, dst = fn.args
    nr, npan = sch.nr, ceil_div(spec.n, sch.nr)
    npad, nfull, ntail = npan * nr, spec.n // nr, spec.n % nr
    VEC = sch.vec
    vty = ir.VectorType(F32, VEC)
    zero, zerov = ir.Constant(F32, 0.0), ir.Constant(vty, None)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    with for_range(b, 0, spec.k, sch.kc, name="pc", hints=COLD_LOOP) as pc:
        kcp = select_min(b, i64(sch.kc), b.sub(i64(spec.k), pc))
        ku = sch.k_unroll
        kpad = b.mul(b.sdiv(b.add(kcp, i64(ku - 1)), i64(ku)), i64(ku))
        blk = gep(b, dst, b.mul(pc, i64(npad)))
        with for_range(b, 0, kpad, name="k", hints=COLD_LOOP) as k:
            kv = b.icmp_signed("<", k, kcp)
            kk = b.add(pc, select_min(b, k, b.sub(kcp, i64(1))))
            if not spec.trans_b:
                row = gep(b, src, b.mul(kk, i64(spec.ldb_)))
                with for_range(b, 0, nfull, name="j", hints=COLD_LOOP) as j:
                    dofs = b.mul(b.add(b.mul(j, kpad), k), i64(nr))
                    for v in range(nr // VEC):
                        x = vector_load(b, row, VEC, b.add(b.mul(j, i64(nr)), i64(v * VEC)))
                        vector_store(b, b.select(kv, x, zerov), blk, b.add(dofs, i64(v * VEC)))
                if ntail:
                    dofs = b.mul(b.add(b.mul(i64(nfull), kpad), k), i64(nr))
                    for cc in range(nr):
                        if cc < ntail:
                            x = b.select(kv, b.load(gep(b, row, nfull * nr + cc)), zero)
                        else:
                            x = zero
                        b.store(x, gep(b, blk, b.add(dofs, i64(cc))))
            else:
                with for_range(b, 0, npan, name="j", hints=COLD_LOOP) as j:
                    dofs = b.mul(b.add(b.mul(j, kpad), k), i64(nr))
                    for cc in range(nr):
                        col = b.add(b.mul(j, i64(nr)), i64(cc))
                        valid = b.and_(kv, b.icmp_signed("<", col, i64(spec.n)))
                        colc = select_min(b, col, i64(spec.n - 1))
                        x = b.load(gep(b, src, b.add(b.mul(colc, i64(spec.ldb_)), kk)))
                        b.store(b.select(valid, x, zero), gep(b, blk, b.add(dofs, i64(cc))))
    b.ret_void()
    return fn


def emit_sgemm(
    module: ir.Module,
    spec: GemmSpec,
    schedule: GemmSchedule | None = None,
    name: str = "sgemm",
    parallel: bool = False,
) -> GemmKernel:
    """Add a shape-specialized packed SGEMM to ``module`` and return the names of what it exports."""
    sch = schedule or GemmSchedule()
    fp = f32_ptr()
    mr, nr, kc, mc, ku = sch.mr, sch.nr, sch.kc, sch.mc, sch.k_unroll
    npan = ceil_div(spec.n, nr)
    npad = npan * nr
    ukernel = _emit_ukernel(module, name, spec, sch)
    pack_a = _emit_pack_a(module, name, spec, sch)
    pack_b = _emit_pack_b(module, name, spec, sch)

    ep = spec.ep
    ne = len(ep.kinds)
    nptr = 3 + ne
    rng = ir.Function(
        module, ir.FunctionType(ir.VoidType(), [fp] * nptr + [I64, I64]), f"{name}_prepacked_range"
    )
    a, bp, c = rng.args[:3]
    extras = rng.args[3:nptr]
    lo, hi = rng.args[nptr:]
    b = ir.IRBuilder(rng.append_basic_block("entry"))
    abuf = b.alloca(F32, size=i64(mc * kc), name="apack")
    abuf.align = 64
    with for_range(b, 0, spec.k, kc, name="pc") as pc:
        kcp = select_min(b, i64(kc), b.sub(i64(spec.k), pc))
        kpad = b.mul(b.sdiv(b.add(kcp, i64(ku - 1)), i64(ku)), i64(ku))
        first = b.icmp_signed("==", pc, i64(0))
        last = b.icmp_signed(">=", b.add(pc, i64(kc)), i64(spec.k))
        bblk = gep(b, bp, b.mul(pc, i64(npad)))
        with for_range(b, lo, hi, mc, name="ic") as ic:
            mcp = select_min(b, i64(mc), b.sub(hi, ic))
            b.call(pack_a, [gep(b, a, b.add(b.mul(ic, i64(spec.lda_)), pc)), mcp, kcp, kpad, abuf])
            npm = b.sdiv(b.add(mcp, i64(mr - 1)), i64(mr))
            with for_range(b, 0, npan, name="jr") as j:
                n_valid = select_min(b, i64(nr), b.sub(i64(spec.n), b.mul(j, i64(nr))))
                bpanel = gep(b, bblk, b.mul(b.mul(j, kpad), i64(nr)))
                col = b.mul(j, i64(nr))
                chan = [
                    gep(b, x, col, inbounds=False) if k == "channel" else None
                    for x, k in zip(extras, ep.kinds)
                ]
                with for_range(b, 0, npm, name="ir") as ip:
                    m_valid = select_min(b, i64(mr), b.sub(mcp, b.mul(ip, i64(mr))))
                    row = b.add(ic, b.mul(ip, i64(mr)))
                    cptr = gep(b, c, b.add(b.mul(row, i64(spec.ldc_)), col))
                    roff = b.add(b.mul(row, i64(spec.ldr_)), col)
                    xptrs = [
                        cp if cp is not None else gep(b, x, roff, inbounds=False)
                        for x, cp in zip(extras, chan)
                    ]
                    aptr = gep(b, abuf, b.mul(b.mul(ip, i64(mr)), kpad))
                    b.call(ukernel, [kpad, aptr, bpanel, cptr, *xptrs, m_valid, n_valid, first, last])
    b.ret_void()

    rng.attributes.add("noinline")
    full = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp] * nptr), f"{name}_prepacked")
    full.attributes.add("noinline")
    b = ir.IRBuilder(full.append_basic_block("entry"))
    b.call(rng, [*full.args, i64(0), i64(spec.m)])
    b.ret_void()

    # gemm(A, B, C, extras..., workspace): packs B into the workspace, then runs
    gemm = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp] * (nptr + 1)), name)
    b = ir.IRBuilder(gemm.append_basic_block("entry"))
    ga, gb, gc, *gx, ws = gemm.args
    b.call(pack_b, [gb, ws])
    b.call(full, [ga, ws, gc, *gx])
    b.ret_void()

    abi = emit_kernel_abi(module, f"{name}_kernel", rng, [True] * nptr)
    pack_abi = emit_kernel_abi(module, f"{name}_pack_b_kernel", pack_b, [True, True], range_total=1)
    abi_args = ("a", "packed_b", "c") + ep.arg_names

    par_name = gemm_par_name = None
    libraries: tuple[str, ...] = ()
    if parallel:
        par = emit_gomp_parallel(module, f"{name}_prepacked_parallel", rng, nptr, spec.m, mr)
        gpar = ir.Function(
            module, ir.FunctionType(ir.VoidType(), [fp] * (nptr + 1) + [ir.IntType(32)]), f"{name}_parallel"
        )
        b = ir.IRBuilder(gpar.append_basic_block("entry"))
        pa, pb_, pc_, *px, pws, nt = gpar.args
        b.call(pack_b, [pb_, pws])
        b.call(par, [pa, pws, pc_, *px, nt])
        b.ret_void()
        par_name, gemm_par_name, libraries = par.name, gpar.name, (OPENMP_LIBRARY,)

    return GemmKernel(
        spec=spec,
        schedule=sch,
        pack_b=pack_b.name,
        prepacked_range=rng.name,
        prepacked=full.name,
        gemm=gemm.name,
        prepacked_parallel=par_name,
        gemm_parallel=gemm_par_name,
        packed_b_floats=packed_b_size(spec, sch),
        abi=abi.name,
        abi_args=abi_args,
        pack_b_abi=pack_abi.name,
        range_total=spec.m,
        range_align=mr,
        libraries=libraries,
    )


def _check(arr: np.ndarray | None, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Validate a float32 C-contiguous array of at least ``shape`` elements."""
    if arr is None:
        raise ValueError(f"{what} is required by this kernel's spec")
    if arr.dtype != np.float32 or not arr.flags.c_contiguous:
        raise TypeError(f"{what} must be a C-contiguous float32 array")
    if arr.size < int(np.prod(shape)):
        raise ValueError(f"{what} has {arr.size} elements, needs {int(np.prod(shape))}")
    return arr


class CompiledSgemm:
    """A compiled SGEMM callable from numpy (tests, benchmarks, tuner timing)."""

    def __init__(
        self,
        spec: GemmSpec,
        schedule: GemmSchedule | None = None,
        cache: ObjectCache | None = None,
        parallel: bool = False,
        name: str = "sgemm",
    ) -> None:
        self.spec = spec
        self.schedule = schedule or GemmSchedule()
        module = ir.Module(name=f"ziggurat.{name}")
        self.kernel = emit_sgemm(module, spec, self.schedule, name=name, parallel=parallel)
        self.host = HostModule(
            module, cache=cache, use_cache=cache is not None, libraries=self.kernel.libraries
        )
        vp, i64t, i32t = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int32
        k = self.kernel
        nptr = 3 + len(spec.ep.kinds)
        self._pack_b = self.host.function(k.pack_b, None, vp, vp)
        self._prepacked = self.host.function(k.prepacked, None, *[vp] * nptr)
        self._range = self.host.function(k.prepacked_range, None, *[vp] * nptr, i64t, i64t)
        self._gemm = self.host.function(k.gemm, None, *[vp] * (nptr + 1))
        self._par = self.host.function(k.prepacked_parallel, None, *[vp] * nptr, i32t) if parallel else None

    def pack_b(self, b: np.ndarray) -> np.ndarray:
        """Pack B with the generated packing function (the runtime does this once for constant weights)."""
        s = self.spec
        _check(b, (s.n, s.k) if s.trans_b else (s.k, s.n), "B")
        out = aligned_empty(self.kernel.packed_b_floats)
        self._pack_b(float_ptr_arg(b), float_ptr_arg(out))
        return out

    def __call__(
        self,
        a: np.ndarray,
        b: np.ndarray | None = None,
        *,
        packed_b: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        residual: np.ndarray | None = None,
        extras: list[np.ndarray] | None = None,
        out: np.ndarray | None = None,
        threads: int = 1,
    ) -> np.ndarray:
        """C = epilogue(A @ B, extras...) (bias / residual for the flag epilogue); give ``packed_b``
        instead of ``b`` to skip packing."""
        s = self.spec
        _check(a, (s.m, s.lda_), "A")
        if out is None:
            out = aligned_empty((s.m, s.ldc_))
        _check(out, (s.m, s.ldc_), "out")
        ptrs = [float_ptr_arg(a), None, float_ptr_arg(out)]
        ptrs += self._extras(bias, residual, extras)
        if packed_b is None:
            if b is None:
                raise ValueError("give b or packed_b")
            if threads == 1:
                ws = aligned_empty(self.kernel.packed_b_floats)
                self._gemm(ptrs[0], float_ptr_arg(b), ptrs[2], *ptrs[3:], float_ptr_arg(ws))
                return out
            packed_b = self.pack_b(b)
        _check(packed_b, (self.kernel.packed_b_floats,), "packed_b")
        ptrs[1] = float_ptr_arg(packed_b)
        if threads == 1:
            self._prepacked(*ptrs)
        elif self._par is not None:
            self._par(*ptrs, threads)
        else:
            raise ValueError("threads > 1 needs a kernel built with parallel=True")
        return out

    def _extras(self, bias, residual, extras) -> list[ctypes.c_void_p]:
        """Pointers to the epilogue's extra buffers, checked against their kinds."""
        s = self.spec
        if extras is None:
            extras = [x for x, on in ((bias, s.bias), (residual, s.residual)) if on]
        if len(extras) != len(s.ep.kinds):
            raise ValueError(f"this kernel's epilogue takes {len(s.ep.kinds)} extra buffers")
        want = {"channel": (s.n,), "full": (s.m, s.ldr_)}
        return [float_ptr_arg(_check(x, want[k], k)) for x, k in zip(extras, s.ep.kinds)]

    def run_range(
        self, a: np.ndarray, packed_b: np.ndarray, out: np.ndarray, start: int, end: int, **kw
    ) -> None:
        """Compute rows [start, end) only (what one worker of a thread pool runs)."""
        xs = self._extras(kw.get("bias"), kw.get("residual"), kw.get("extras"))
        self._range(float_ptr_arg(a), float_ptr_arg(packed_b), float_ptr_arg(out), *xs, start, end)

    def row_ranges(self, parts: int) -> list[tuple[int, int]]:
        """Row ranges for ``parts`` workers, split on register-tile boundaries."""
        return split_range(self.spec.m, parts, self.schedule.mr)


def build_sgemm(
    spec: GemmSpec,
    schedule: GemmSchedule | None = None,
    cache: ObjectCache | None = None,
    parallel: bool = False,
) -> CompiledSgemm:
    """Generate, compile (through ``cache``) and load an SGEMM for ``spec``."""
    return CompiledSgemm(spec, schedule, cache=cache, parallel=parallel)


# ---------------------------------------------------------------------------------------------------
# M = 1: GEMV on weights prepacked as [N/nr][K][nr]


@dataclass(frozen=True)
class GemvSchedule:
    """GEMV schedule: output columns per panel (nr), K unroll, independent accumulator sets."""

    nr: int = 32
    k_unroll: int = 4
    acc_sets: int = 2
    prefetch: int = 0  # software prefetch distance in K rows (0: rely on the hardware prefetcher)
    vec: int = 8
    regs: int | None = 16  # None: the fit was checked against the target when the schedule was chosen

    def __post_init__(self) -> None:
        if self.nr % self.vec or self.nr <= 0:
            raise ValueError(f"nr={self.nr} must be a positive multiple of {self.vec}")
        if self.k_unroll <= 0 or self.acc_sets <= 0 or self.k_unroll % self.acc_sets:
            raise ValueError("k_unroll must be a positive multiple of acc_sets")
        if self.regs is not None and self.acc_sets * (self.nr // self.vec) > self.regs - 4:
            raise ValueError(f"too many accumulators for {self.regs} vector registers")


@dataclass(frozen=True)
class GemvSpec:
    """y[N] = act(x[K] @ W[K,N] + bias + residual); W is [N,K] when ``trans_w`` (ONNX Gemm transB=1)."""

    n: int
    k: int
    bias: bool = False
    relu: bool = False
    residual: bool = False
    trans_w: bool = False
    epilogue: Epilogue | None = None

    @property
    def ep(self) -> Epilogue:
        """The epilogue: the given one, or act(acc + bias + residual) from the flags."""
        return self.epilogue or Epilogue.standard(self.bias, self.residual, self.relu)


def pack_gemv_weights_numpy(w: np.ndarray, spec: GemvSpec, sch: GemvSchedule | None = None) -> np.ndarray:
    """W -> [ceil(N/nr)][K][nr], zero-padded columns (done once at compile time for constant weights);
    the layout lives in ir/dialects/loop_layouts.py."""
    return pack_gemv_w(w, spec.n, spec.k, (sch or GemvSchedule()).nr, spec.trans_w)


@dataclass(frozen=True)
class GemvKernel:
    """Symbols of a generated GEMV: ``range(x, Wp, y, bias, residual, i64 panel_start, i64 panel_end)``,
    ``gemv(x, Wp, y, bias, residual)``, ``pack_w(W, Wp)``, optionally ``parallel(..., i32 nthreads)``,
    and ``abi(void **args, start, end)`` over panels [0, ``panels``) with args ``abi_args``."""

    spec: GemvSpec
    schedule: GemvSchedule
    pack_w: str
    range: str
    gemv: str
    parallel: str | None
    panels: int
    packed_w_floats: int
    abi: str
    abi_args: tuple[str, ...]
    libraries: tuple[str, ...] = field(default=())


def emit_gemv(
    module: ir.Module,
    spec: GemvSpec,
    schedule: GemvSchedule | None = None,
    name: str = "gemv",
    parallel: bool = False,
) -> GemvKernel:
    """Add an M = 1 kernel: per nr-column panel, accumulate a 1 x nr tile over all of K."""
    sch = schedule or GemvSchedule()
    fp = f32_ptr()
    VEC = sch.vec
    nr, nv, ku, sets = sch.nr, sch.nr // VEC, sch.k_unroll, sch.acc_sets
    npan, nfull, ntail = ceil_div(spec.n, nr), spec.n // nr, spec.n % nr
    K = spec.k
    vty = ir.VectorType(F32, VEC)
    zerov = ir.Constant(vty, None)

    # pack_w(W, Wp)
    pk = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp, fp]), f"{name}_pack_w")
    pk.attributes.add("noinline")
    w, wp = pk.args
    b = ir.IRBuilder(pk.append_basic_block("entry"))
    with for_range(b, 0, npan, name="j", hints=COLD_LOOP) as j:
        with for_range(b, 0, K, name="k", hints=COLD_LOOP) as k:
            dofs = b.mul(b.add(b.mul(j, i64(K)), k), i64(nr))
            for cc in range(nr):
                col = b.add(b.mul(j, i64(nr)), i64(cc))
                valid = b.icmp_signed("<", col, i64(spec.n))
                colc = select_min(b, col, i64(spec.n - 1))
                src = b.add(b.mul(colc, i64(K)), k) if spec.trans_w else b.add(b.mul(k, i64(spec.n)), colc)
                x = b.load(gep(b, w, src))
                b.store(b.select(valid, x, ir.Constant(F32, 0.0)), gep(b, wp, b.add(dofs, i64(cc))))
    b.ret_void()

    ep = spec.ep
    nptr = 3 + len(ep.kinds)
    rng = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp] * nptr + [I64, I64]), f"{name}_range")
    rng.attributes.add("noinline")
    x, wp, y = rng.args[:3]
    extras = rng.args[3:nptr]
    lo, hi = rng.args[nptr:]
    for arg in (x, wp, y):
        arg.add_attribute("noalias")
    b = ir.IRBuilder(rng.append_basic_block("entry"))
    with for_range(b, lo, hi, name="j") as j:
        panel = gep(b, wp, b.mul(j, i64(K * nr)))

        def step(kk: ir.Value, accs: list[ir.Value], s: int) -> None:
            xs = splat(b, b.load(gep(b, x, kk)), VEC)
            base = b.mul(kk, i64(nr))
            if sch.prefetch and s == 0:
                for line in range(0, nr * ku // sets, 16):  # one prefetch per 64-byte line
                    prefetch(b, gep(b, panel, b.add(base, i64(sch.prefetch * nr + line)), inbounds=False))
            for v in range(nv):
                wv = vector_load(b, panel, VEC, b.add(base, i64(v * VEC)))
                accs[s * nv + v] = fma(b, xs, wv, accs[s * nv + v])

        kmain = K // ku * ku
        loop = Loop(b, 0, kmain, ku, carried=[zerov] * (sets * nv), name="k")
        with loop as (k, accs):
            accs = list(accs)
            for u in range(ku):
                step(b.add(k, i64(u)), accs, u % sets)
            loop.next(accs)
        accs = list(loop.results)
        for kk in range(kmain, K):
            step(i64(kk), accs, 0)
        tot = [accs[v] for v in range(nv)]
        for s in range(1, sets):
            tot = [b.fadd(tot[v], accs[s * nv + v]) for v in range(nv)]
        col0 = b.mul(j, i64(nr))

        def finish(val: ir.Value, off: ir.Value, lanes: int | None) -> ir.Value:
            """The epilogue for a vector (lanes None) or one scalar lane (channel and full extras are
            both indexed by the output column when M = 1)."""
            xs = [vector_load(b, e, VEC, off) if lanes is None else b.load(gep(b, e, off)) for e in extras]
            return ep.apply(b, val, xs)

        is_full = b.icmp_signed("<", j, i64(nfull))
        with b.if_else(is_full, likely=True) as (then, otherwise):
            with then:
                for v in range(nv):
                    off = b.add(col0, i64(v * VEC))
                    vector_store(b, finish(tot[v], off, None), y, off)
            with otherwise:
                for cc in range(ntail):
                    lane = b.extract_element(tot[cc // VEC], ir.Constant(ir.IntType(32), cc % VEC))
                    off = b.add(col0, i64(cc))
                    b.store(finish(lane, off, cc), gep(b, y, off))
    b.ret_void()

    full = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp] * nptr), name)
    b = ir.IRBuilder(full.append_basic_block("entry"))
    b.call(rng, [*full.args, i64(0), i64(npan)])
    b.ret_void()
    abi = emit_kernel_abi(module, f"{name}_kernel", rng, [True] * nptr)
    par_name, libraries = None, ()
    if parallel:
        par_name = emit_gomp_parallel(module, f"{name}_parallel", rng, nptr, npan, 1).name
        libraries = (OPENMP_LIBRARY,)
    return GemvKernel(
        spec=spec,
        schedule=sch,
        pack_w=pk.name,
        range=rng.name,
        gemv=full.name,
        parallel=par_name,
        panels=npan,
        packed_w_floats=npan * K * nr,
        abi=abi.name,
        abi_args=("x", "packed_w", "y") + ep.arg_names,
        libraries=libraries,
    )


class CompiledGemv:
    """A compiled GEMV callable from numpy."""

    def __init__(
        self,
        spec: GemvSpec,
        schedule: GemvSchedule | None = None,
        cache: ObjectCache | None = None,
        parallel: bool = False,
        name: str = "gemv",
    ) -> None:
        self.spec = spec
        self.schedule = schedule or GemvSchedule()
        module = ir.Module(name=f"ziggurat.{name}")
        self.kernel = emit_gemv(module, spec, self.schedule, name=name, parallel=parallel)
        self.host = HostModule(
            module, cache=cache, use_cache=cache is not None, libraries=self.kernel.libraries
        )
        vp, i32t = ctypes.c_void_p, ctypes.c_int32
        nptr = 3 + len(spec.ep.kinds)
        self._pack = self.host.function(self.kernel.pack_w, None, vp, vp)
        self._gemv = self.host.function(self.kernel.gemv, None, *[vp] * nptr)
        self._par = self.host.function(self.kernel.parallel, None, *[vp] * nptr, i32t) if parallel else None

    def pack_w(self, w: np.ndarray) -> np.ndarray:
        """Pack W with the generated function (equal to ``pack_gemv_weights_numpy``)."""
        s = self.spec
        _check(w, (s.n, s.k) if s.trans_w else (s.k, s.n), "W")
        out = aligned_empty(self.kernel.packed_w_floats)
        self._pack(float_ptr_arg(w), float_ptr_arg(out))
        return out

    def __call__(
        self,
        x: np.ndarray,
        packed_w: np.ndarray,
        *,
        bias: np.ndarray | None = None,
        residual: np.ndarray | None = None,
        extras: list[np.ndarray] | None = None,
        out: np.ndarray | None = None,
        threads: int = 1,
    ) -> np.ndarray:
        """y = epilogue(x @ W, extras...) on prepacked W (bias / residual for the flag epilogue)."""
        s = self.spec
        _check(x, (s.k,), "x")
        _check(packed_w, (self.kernel.packed_w_floats,), "packed_w")
        out = aligned_empty(s.n) if out is None else _check(out, (s.n,), "out")
        if extras is None:
            extras = [v for v, on in ((bias, s.bias), (residual, s.residual)) if on]
        if len(extras) != len(s.ep.kinds):
            raise ValueError(f"this kernel's epilogue takes {len(s.ep.kinds)} extra buffers")
        args = [float_ptr_arg(x), float_ptr_arg(packed_w), float_ptr_arg(out)]
        args += [float_ptr_arg(_check(v, (s.n,), k)) for v, k in zip(extras, s.ep.kinds)]
        if threads == 1:
            self._gemv(*args)
        elif self._par is not None:
            self._par(*args, threads)
        else:
            raise ValueError("threads > 1 needs a kernel built with parallel=True")
        return out


def build_gemv(
    spec: GemvSpec,
    schedule: GemvSchedule | None = None,
    cache: ObjectCache | None = None,
    parallel: bool = False,
) -> CompiledGemv:
    """Generate, compile (through ``cache``) and load a GEMV for ``spec``."""
    return CompiledGemv(spec, schedule, cache=cache, parallel=parallel)

"""Direct 2-D convolution in the channel-blocked NCHW8c layout, plus the layout conversion kernels.

Activations are ``[N][C/8][H][W][8]``, weights ``[CO/8][CI/8][KH][KW][8 ci][8 co]``, bias ``[CO/8 * 8]``
(channel counts are zero-padded to multiples of 8). A register tile of ``ow_tile`` output pixels x
``8 * oc_blocks`` output channels accumulates over (CI/8, KH, KW, 8) with one weight vector load per
output block and one broadcast per pixel. Columns whose taps all fall inside the image run a
branch-free interior loop; border columns are emitted as separate tiles whose out-of-image taps are
dropped at generation time (shapes are constants), so padding costs no runtime checks.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass, field

import llvmlite.ir as ir
import numpy as np

from codegen.host_target import HostModule, ObjectCache
from codegen.llvm_intrinsics import (
    COLD_LOOP,
    F32,
    I32,
    I64,
    Loop,
    f32_ptr,
    fma,
    for_range,
    gep,
    i64,
    select_max,
    select_min,
    splat,
    vector_load,
    vector_store,
)
from codegen.microkernels import (
    OPENMP_LIBRARY,
    Epilogue,
    aligned_copy,
    aligned_empty,
    ceil_div,
    emit_gomp_parallel,
    emit_kernel_abi,
    float_ptr_arg,
    split_range,
)
from ir import window
from ir.dialects.loop_layouts import pack_conv_weights

__all__ = [
    "CompiledConv2d",
    "CompiledLayout",
    "Conv2dKernel",
    "ConvSchedule",
    "ConvSpec",
    "LayoutKernels",
    "build_conv2d",
    "build_layout_kernels",
    "emit_conv2d_nchw8c",
    "emit_layout_kernels",
    "nchw8c_to_nchw",
    "nchw_to_nchw8c",
    "pad_bias",
    "repack_conv_weights",
]

CB = 8
"""The default channel block of the numpy layout helpers (a generator reads ``ConvSpec.cb``)."""


@dataclass(frozen=True)
class ConvSchedule:
    """Schedule choices: output pixels per tile, channel blocks per tile, loop order; ``regs`` is the
    target's vector register budget."""

    ow_tile: int = 4
    oc_blocks: int = 2
    oc_outer: bool = False  # True: output-channel groups outside the rows (weights stay hot)
    ci_outer: bool = False  # unrolled body order: (ci, kw) instead of (kw, ci)
    regs: int | None = 16  # None: the fit was checked against the target when the schedule was chosen

    def __post_init__(self) -> None:
        if self.ow_tile <= 0 or self.oc_blocks <= 0:
            raise ValueError("ow_tile and oc_blocks must be positive")
        if self.regs is not None and self.ow_tile * self.oc_blocks + self.oc_blocks + 1 > self.regs:
            raise ValueError(
                f"a {self.ow_tile}-pixel x {self.oc_blocks}-block tile does not fit {self.regs} vector registers"
            )


@dataclass(frozen=True)
class ConvSpec:
    """A 2-D convolution with ONNX's attribute meanings; pads are (top, left, bottom, right).

    ``out = act(conv(x, w) + bias + residual)``; ``residual`` must not alias ``out`` (the kernel
    declares its output ``noalias``).
    """

    n: int
    ci: int
    h: int
    w: int
    co: int
    kh: int
    kw: int
    stride: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)
    group: int = 1
    bias: bool = False
    relu: bool = False
    residual: bool = False
    epilogue: Epilogue | None = None
    cb: int = CB  # channel block of the blocked layout = the target's vector width in floats

    @property
    def ep(self) -> Epilogue:
        """The epilogue: the given one, or act(acc + bias + residual) from the flags."""
        return self.epilogue or Epilogue.standard(self.bias, self.residual, self.relu)

    def __post_init__(self) -> None:
        if self.cb not in (4, 8, 16):
            raise ValueError(f"channel block {self.cb} must be 4, 8 or 16")
        if self.group != 1:
            raise ValueError("grouped/depthwise convolution is not supported by the NCHW8c direct kernel")
        if min(self.n, self.ci, self.h, self.w, self.co, self.kh, self.kw) <= 0:
            raise ValueError(f"convolution sizes must be positive: {self}")
        if min(self.stride) <= 0 or min(self.dilation) <= 0 or min(self.pads) < 0:
            raise ValueError(f"bad stride/dilation/pads: {self}")
        if self.oh <= 0 or self.ow <= 0:
            raise ValueError(f"convolution output is empty: {self}")

    @property
    def oh(self) -> int:
        return window.out_size(self.h, self.kh, self.stride[0], self.dilation[0], self.pads[0], self.pads[2])

    @property
    def ow(self) -> int:
        return window.out_size(self.w, self.kw, self.stride[1], self.dilation[1], self.pads[1], self.pads[3])

    @property
    def cib(self) -> int:
        return ceil_div(self.ci, self.cb)

    @property
    def cob(self) -> int:
        return ceil_div(self.co, self.cb)

    @property
    def flops(self) -> int:
        """Multiply-adds x 2 of the unpadded convolution."""
        return 2 * self.n * self.co * self.oh * self.ow * self.ci * self.kh * self.kw

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.n, self.cib, self.h, self.w, self.cb)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.n, self.cob, self.oh, self.ow, self.cb)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        return (self.cob, self.cib, self.kh, self.kw, self.cb, self.cb)


def nchw_to_nchw8c(x: np.ndarray, cb: int = CB) -> np.ndarray:
    """[N][C][H][W] -> [N][C/cb][H][W][cb], zero-padding C to a multiple of cb (numpy reference)."""
    n, c, h, w = x.shape
    nb = ceil_div(c, cb)
    pad = np.zeros((n, nb * cb, h, w), dtype=np.float32)
    pad[:, :c] = x
    return aligned_copy(pad.reshape(n, nb, cb, h, w).transpose(0, 1, 3, 4, 2))


def nchw8c_to_nchw(x: np.ndarray, c: int) -> np.ndarray:
    """[N][C/cb][H][W][cb] -> [N][C][H][W], dropping padded channels (numpy reference)."""
    n, nb, h, w, cb = x.shape
    return np.ascontiguousarray(x.transpose(0, 1, 4, 2, 3).reshape(n, nb * cb, h, w)[:, :c])


def repack_conv_weights(w: np.ndarray, cb: int = CB) -> np.ndarray:
    """[CO][CI][KH][KW] -> [CO/cb][CI/cb][KH][KW][cb ci][cb co], zero-padded (ir/dialects/loop_layouts.py)."""
    return pack_conv_weights(w, cb)


def pad_bias(b: np.ndarray, cb: int = CB) -> np.ndarray:
    """Bias zero-padded to a multiple of cb channels (the kernel loads it one vector at a time)."""
    out = aligned_empty(ceil_div(b.shape[0], cb) * cb)
    out[:] = 0.0
    out[: b.shape[0]] = b
    return out


@dataclass(frozen=True)
class Conv2dKernel:
    """Symbols of a generated convolution; buffers are ``float*`` in NCHW8c, NULL when unused.

    - ``range(in, w, out, bias, residual, i64 row_start, i64 row_end)``: output rows of the flattened
      (N x OH) dimension in [row_start, row_end).
    - ``conv(in, w, out, bias, residual)``: all rows.
    - ``parallel(in, w, out, bias, residual, i32 nthreads)``: GOMP_parallel over rows (if emitted).
    - ``abi(void **args, i64 start, i64 end)``: the runtime kernel ABI over rows [0, ``rows``), args
      ``abi_args`` in order (bias/residual only when the spec has them).

    Weights, output and residual are read/written as 32-byte vectors: give them 64-byte alignment.
    """

    spec: ConvSpec
    schedule: ConvSchedule
    range: str
    conv: str
    parallel: str | None
    rows: int
    abi: str
    abi_args: tuple[str, ...]
    libraries: tuple[str, ...] = field(default=())


def _column_plan(spec: ConvSpec, tile: int) -> tuple[list[tuple[int, int]], int, int, list[tuple[int, int]]]:
    """Split output columns: (prologue chunks, interior start, interior tile count, epilogue chunks)."""
    sw, pl, dw = spec.stride[1], spec.pads[1], spec.dilation[1]

    def inside(ow: int) -> bool:
        return all(0 <= ow * sw - pl + k * dw < spec.w for k in range(spec.kw))

    ok = [inside(o) for o in range(spec.ow)]
    if any(ok):
        a = ok.index(True)
        last = len(ok) - 1 - ok[::-1].index(True)
        nint = (last - a + 1) // tile
    else:
        a, nint = spec.ow, 0
    pro = [(o, min(tile, a - o)) for o in range(0, a, tile)]
    e0 = a + nint * tile
    epi = [(o, min(tile, spec.ow - o)) for o in range(e0, spec.ow, tile)]
    return pro, a, nint, epi


def emit_conv2d_nchw8c(
    module: ir.Module,
    spec: ConvSpec,
    schedule: ConvSchedule | None = None,
    name: str = "conv2d",
    parallel: bool = False,
) -> Conv2dKernel:
    """Add a shape-specialized NCHW8c direct convolution (with fused bias/residual/ReLU) to ``module``."""
    sch = schedule or ConvSchedule()
    fp = f32_ptr()
    s = spec
    sh, sw = s.stride
    pt, pl = s.pads[0], s.pads[1]
    dh, dw = s.dilation
    H, W, OH, OW, KH, KW = s.h, s.w, s.oh, s.ow, s.kh, s.kw
    CIb, COb = s.cib, s.cob
    T, OB = sch.ow_tile, sch.oc_blocks
    CB = s.cb
    ep = s.ep
    nptr = 3 + len(ep.kinds)
    wblock = CIb * KH * KW * CB * CB  # floats per output-channel block of weights
    vty = ir.VectorType(F32, CB)
    zerov = ir.Constant(vty, None)
    pro, int_start, nint, epi = _column_plan(s, T)

    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp] * nptr + [I64, I64]), f"{name}_range")
    fn.attributes.add("noinline")
    inp, wts, out = fn.args[:3]
    extras = fn.args[3:nptr]
    lo, hi = fn.args[nptr:]
    for a in (inp, wts, out):
        a.add_attribute("noalias")
    b = ir.IRBuilder(fn.append_basic_block("entry"))

    def tile(
        n: ir.Value,
        oh: ir.Value,
        kh_lo: ir.Value,
        kh_hi: ir.Value,
        ow0: ir.Value | int,
        cob0: ir.Value,
        nob: int,
        npix: int,
    ) -> None:
        """Emit one register tile: npix pixels from ow0 x nob channel blocks from cob0."""
        checked = isinstance(ow0, int)
        ow0v = i64(ow0) if checked else ow0
        wbase = gep(b, wts, b.mul(cob0, i64(wblock)))
        ih0 = b.sub(b.mul(oh, i64(sh)), i64(pt))
        iw0 = b.sub(b.mul(ow0v, i64(sw)), i64(pl))  # input column of pixel 0, tap 0
        cloop = Loop(b, 0, CIb, carried=[zerov] * (npix * nob), name="cib")
        with cloop as (cib, accs0):
            in_c = gep(b, inp, b.mul(b.add(b.mul(n, i64(CIb)), cib), i64(H * W * CB)))
            w_c = gep(b, wbase, b.mul(cib, i64(KH * KW * CB * CB)))
            kloop = Loop(b, kh_lo, kh_hi, carried=accs0, name="kh")
            with kloop as (kh, accs1):
                accs = list(accs1)
                ih = b.add(ih0, b.mul(kh, i64(dh)))
                in_row = gep(b, in_c, b.mul(b.add(b.mul(ih, i64(W)), iw0), i64(CB)), inbounds=False)
                w_k = gep(b, w_c, b.mul(kh, i64(KW * CB * CB)))
                taps = {
                    kw: [
                        p
                        for p in range(npix)
                        if not checked or 0 <= (ow0 + p) * sw - pl + kw * dw < W  # else a zero-padding tap
                    ]
                    for kw in range(KW)
                }
                order = (
                    [(ci, kw) for ci in range(CB) for kw in range(KW)]
                    if sch.ci_outer
                    else [(ci, kw) for kw in range(KW) for ci in range(CB)]
                )
                for ci, kw in order:
                    if not taps[kw]:
                        continue
                    wv = [vector_load(b, w_k, CB, o * wblock + (kw * CB + ci) * CB) for o in range(nob)]
                    for p in taps[kw]:
                        x = b.load(gep(b, in_row, (p * sw + kw * dw) * CB + ci, inbounds=False))
                        xs = splat(b, x, CB)
                        for o in range(nob):
                            accs[p * nob + o] = fma(b, xs, wv[o], accs[p * nob + o])
                kloop.next(accs)
            cloop.next(kloop.results)
        accs = cloop.results
        for o in range(nob):
            cob = b.add(cob0, i64(o))
            chan = [vector_load(b, x, CB, b.mul(cob, i64(CB))) if k == "channel" else None
                    for x, k in zip(extras, ep.kinds)]  # fmt: skip
            orow = b.mul(b.add(b.mul(b.add(b.mul(n, i64(COb)), cob), i64(OH)), oh), i64(OW))
            for p in range(npix):
                off = b.mul(b.add(orow, b.add(ow0v, i64(p))), i64(CB))
                xs = [cv if cv is not None else vector_load(b, x, CB, off) for x, cv in zip(extras, chan)]
                vector_store(b, ep.apply(b, accs[p * nob + o], xs), out, off)

    def row_tiles(
        n: ir.Value, oh: ir.Value, kh_lo: ir.Value, kh_hi: ir.Value, cob0: ir.Value, nob: int
    ) -> None:
        """All column tiles of one output row for one group of output-channel blocks."""
        for ow0, npix in pro:
            tile(n, oh, kh_lo, kh_hi, ow0, cob0, nob, npix)
        if nint:
            with for_range(b, 0, nint, name="owt") as t:
                ow0 = b.add(i64(int_start), b.mul(t, i64(T)))
                tile(n, oh, kh_lo, kh_hi, ow0, cob0, nob, T)
        for ow0, npix in epi:
            tile(n, oh, kh_lo, kh_hi, ow0, cob0, nob, npix)

    def kh_bounds(oh: ir.Value) -> tuple[ir.Value, ir.Value]:
        """Kernel rows whose input row lies inside the image: [kh_lo, kh_hi)."""
        top = b.sub(i64(pt), b.mul(oh, i64(sh)))  # kh*dh >= top
        kh_lo = select_max(b, i64(0), b.sdiv(b.add(top, i64(dh - 1)), i64(dh)))
        kh_lo = b.select(b.icmp_signed("<=", top, i64(0)), i64(0), kh_lo)
        bot = b.add(i64(H - 1), top)  # kh*dh <= bot
        kh_hi = b.select(b.icmp_signed("<", bot, i64(0)), i64(0), b.add(b.sdiv(bot, i64(dh)), i64(1)))
        return kh_lo, select_min(b, kh_hi, i64(KH))

    groups = COb // OB
    rem = COb % OB

    def channel_groups(n: ir.Value, oh: ir.Value, kh_lo: ir.Value, kh_hi: ir.Value) -> None:
        """One output row for every group of oc_blocks output-channel blocks (and the remainder)."""
        if groups:
            with for_range(b, 0, groups, name="cog") as g:
                row_tiles(n, oh, kh_lo, kh_hi, b.mul(g, i64(OB)), OB)
        if rem:
            row_tiles(n, oh, kh_lo, kh_hi, i64(groups * OB), rem)

    def rows(body: Callable[[ir.Value, ir.Value, ir.Value, ir.Value], None]) -> None:
        """Loop over output rows [lo, hi) of the flattened (N x OH) range, calling body(n, oh, kh_lo, kh_hi)."""
        with for_range(b, lo, hi, name="row") as r:
            n = b.sdiv(r, i64(OH))
            oh = b.srem(r, i64(OH))
            kh_lo, kh_hi = kh_bounds(oh)
            body(n, oh, kh_lo, kh_hi)

    if sch.oc_outer:
        if groups:
            with for_range(b, 0, groups, name="cog") as g:
                rows(lambda n, oh, lo_, hi_, g=g: row_tiles(n, oh, lo_, hi_, b.mul(g, i64(OB)), OB))
        if rem:
            rows(lambda n, oh, lo_, hi_: row_tiles(n, oh, lo_, hi_, i64(groups * OB), rem))
    else:
        rows(channel_groups)
    b.ret_void()

    full = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp] * nptr), name)
    b = ir.IRBuilder(full.append_basic_block("entry"))
    b.call(fn, [*full.args, i64(0), i64(s.n * OH)])
    b.ret_void()
    abi = emit_kernel_abi(module, f"{name}_kernel", fn, [True] * nptr)
    par_name, libraries = None, ()
    if parallel:
        par_name = emit_gomp_parallel(module, f"{name}_parallel", fn, nptr, s.n * OH, 1).name
        libraries = (OPENMP_LIBRARY,)
    return Conv2dKernel(
        spec=s,
        schedule=sch,
        range=fn.name,
        conv=full.name,
        parallel=par_name,
        rows=s.n * OH,
        abi=abi.name,
        abi_args=("input", "weights", "output") + ep.arg_names,
        libraries=libraries,
    )


@dataclass(frozen=True)
class LayoutKernels:
    """NCHW <-> NCHW8c conversions for one shape.

    ``to_blocked(src NCHW, dst NCHW8c)`` and ``from_blocked(src NCHW8c, dst NCHW)`` run whole;
    ``to_blocked_abi`` / ``from_blocked_abi`` are the runtime kernel ABI (args: src, dst) over the
    ``range_total`` = N x ceil(C/8) channel blocks.
    """

    n: int
    c: int
    h: int
    w: int
    to_blocked: str
    from_blocked: str
    to_blocked_abi: str
    from_blocked_abi: str
    range_total: int
    to_blocked_range: str = ""
    from_blocked_range: str = ""


def emit_layout_kernels(
    module: ir.Module, n: int, c: int, h: int, w: int, name: str = "layout", CB: int = CB
) -> LayoutKernels:
    """Add NCHW <-> blocked NCHW{CB}c conversion kernels (zero-filling padded channels) to ``module``."""
    fp = f32_ptr()
    cb, plane = ceil_div(c, CB), h * w
    vty = ir.VectorType(F32, CB)

    def ranged(fname: str, body) -> tuple[ir.Function, ir.Function, ir.Function]:
        """``fname_range(src, dst, lo, hi)`` over channel blocks, ``fname(src, dst)`` and its ABI entry."""
        rng = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp, fp, I64, I64]), f"{fname}_range")
        rng.attributes.add("noinline")
        src, dst, lo, hi = rng.args
        b = ir.IRBuilder(rng.append_basic_block("entry"))
        with for_range(b, lo, hi, name="nb") as nb:
            ni = b.sdiv(nb, i64(cb))
            c0 = b.mul(b.srem(nb, i64(cb)), i64(CB))
            body(b, src, dst, nb, ni, c0)
        b.ret_void()
        whole = ir.Function(module, ir.FunctionType(ir.VoidType(), [fp, fp]), fname)
        b = ir.IRBuilder(whole.append_basic_block("entry"))
        b.call(rng, [*whole.args, i64(0), i64(n * cb)])
        b.ret_void()
        return rng, whole, emit_kernel_abi(module, f"{fname}_kernel", rng, [True, True])

    def to_body(b: ir.IRBuilder, src, dst, nb, ni, c0) -> None:
        sbase = gep(b, src, b.mul(b.add(b.mul(ni, i64(c)), c0), i64(plane)), inbounds=False)
        dbase = gep(b, dst, b.mul(nb, i64(plane * CB)))
        with for_range(b, 0, plane, name="px", hints=COLD_LOOP) as px:
            vec = ir.Constant(vty, None)
            for lane in range(CB):
                valid = b.icmp_signed("<", b.add(c0, i64(lane)), i64(c))
                lane_c = select_min(b, i64(lane), b.sub(i64(c - 1), c0))
                x = b.load(gep(b, sbase, b.add(b.mul(lane_c, i64(plane)), px), inbounds=False))
                vec = b.insert_element(vec, b.select(valid, x, ir.Constant(F32, 0.0)), ir.Constant(I32, lane))
            vector_store(b, vec, dbase, b.mul(px, i64(CB)))

    def from_body(b: ir.IRBuilder, src, dst, nb, ni, c0) -> None:
        nvalid = select_min(b, i64(CB), b.sub(i64(c), c0))
        sbase = gep(b, src, b.mul(nb, i64(plane * CB)))
        dbase = gep(b, dst, b.mul(b.add(b.mul(ni, i64(c)), c0), i64(plane)), inbounds=False)
        with for_range(b, 0, plane, name="px", hints=COLD_LOOP) as px:
            vec = vector_load(b, sbase, CB, b.mul(px, i64(CB)))
            for lane in range(CB):
                with b.if_then(b.icmp_signed("<", i64(lane), nvalid), likely=True):
                    x = b.extract_element(vec, ir.Constant(I32, lane))
                    b.store(x, gep(b, dbase, b.add(i64(lane * plane), px), inbounds=False))

    to_r, to, to_abi = ranged(f"{name}_to_nchw8c", to_body)
    fr_r, fr, fr_abi = ranged(f"{name}_from_nchw8c", from_body)
    return LayoutKernels(n, c, h, w, to.name, fr.name, to_abi.name, fr_abi.name, n * cb, to_r.name, fr_r.name)


def _check(arr: np.ndarray | None, size: int, what: str) -> ctypes.c_void_p:
    """Pointer to a float32 C-contiguous array of at least ``size`` elements."""
    if arr is None:
        raise ValueError(f"{what} is required by this kernel's spec")
    if arr.size < size:
        raise ValueError(f"{what} has {arr.size} elements, needs {size}")
    return float_ptr_arg(arr, what)


class CompiledConv2d:
    """A compiled NCHW8c convolution callable from numpy (tests, benchmarks, tuner timing)."""

    def __init__(
        self,
        spec: ConvSpec,
        schedule: ConvSchedule | None = None,
        cache: ObjectCache | None = None,
        parallel: bool = False,
        name: str = "conv2d",
    ) -> None:
        self.spec = spec
        self.schedule = schedule or ConvSchedule()
        module = ir.Module(name=f"ziggurat.{name}")
        self.kernel = emit_conv2d_nchw8c(module, spec, self.schedule, name=name, parallel=parallel)
        self.host = HostModule(
            module, cache=cache, use_cache=cache is not None, libraries=self.kernel.libraries
        )
        vp = ctypes.c_void_p
        nptr = 3 + len(spec.ep.kinds)
        self._conv = self.host.function(self.kernel.conv, None, *[vp] * nptr)
        self._range = self.host.function(
            self.kernel.range, None, *[vp] * nptr, ctypes.c_int64, ctypes.c_int64
        )
        self._par = (
            self.host.function(self.kernel.parallel, None, *[vp] * nptr, ctypes.c_int32) if parallel else None
        )

    def __call__(
        self,
        x: np.ndarray,
        w_packed: np.ndarray,
        bias: np.ndarray | None = None,
        residual: np.ndarray | None = None,
        out: np.ndarray | None = None,
        threads: int = 1,
        extras: list[np.ndarray] | None = None,
    ) -> np.ndarray:
        """Convolve blocked input with repacked weights (``repack_conv_weights``); extras blocked like
        the output ("full") or padded per channel ("channel", e.g. ``pad_bias``)."""
        s = self.spec
        if out is None:
            out = aligned_empty(s.output_shape)
        nout = int(np.prod(s.output_shape))
        if extras is None:
            extras = [v for v, on in ((bias, s.bias), (residual, s.residual)) if on]
        if len(extras) != len(s.ep.kinds):
            raise ValueError(f"this kernel's epilogue takes {len(s.ep.kinds)} extra buffers")
        args = [
            _check(x, int(np.prod(s.input_shape)), "input"),
            _check(w_packed, int(np.prod(s.weight_shape)), "weights"),
            _check(out, nout, "out"),
        ]
        args += [_check(v, s.cob * s.cb if k == "channel" else nout, k) for v, k in zip(extras, s.ep.kinds)]
        if threads == 1:
            self._conv(*args)
        elif self._par is not None:
            self._par(*args, threads)
        else:
            raise ValueError("threads > 1 needs a kernel built with parallel=True")
        return out

    def run_nchw(
        self, x: np.ndarray, w: np.ndarray, bias: np.ndarray | None = None, residual: np.ndarray | None = None
    ) -> np.ndarray:
        """Convenience for tests: NCHW in, NCHW out, converting layouts with numpy."""
        cb = self.spec.cb
        xb = nchw_to_nchw8c(np.asarray(x, np.float32), cb)
        rb = nchw_to_nchw8c(np.asarray(residual, np.float32), cb) if residual is not None else None
        bb = pad_bias(np.asarray(bias, np.float32), cb) if bias is not None else None
        out = self(xb, repack_conv_weights(np.asarray(w, np.float32), cb), bb, rb)
        return nchw8c_to_nchw(out, self.spec.co)

    def row_ranges(self, parts: int) -> list[tuple[int, int]]:
        """Output-row ranges for ``parts`` workers of a thread pool."""
        return split_range(self.kernel.rows, parts)


def build_conv2d(
    spec: ConvSpec,
    schedule: ConvSchedule | None = None,
    cache: ObjectCache | None = None,
    parallel: bool = False,
) -> CompiledConv2d:
    """Generate, compile (through ``cache``) and load an NCHW8c convolution for ``spec``."""
    return CompiledConv2d(spec, schedule, cache=cache, parallel=parallel)


class CompiledLayout:
    """Compiled NCHW <-> NCHW8c conversions for one shape."""

    def __init__(self, n: int, c: int, h: int, w: int, cache: ObjectCache | None = None) -> None:
        module = ir.Module(name="ziggurat.layout")
        self.kernels = emit_layout_kernels(module, n, c, h, w)
        self.host = HostModule(module, cache=cache, use_cache=cache is not None)
        vp = ctypes.c_void_p
        self._to = self.host.function(self.kernels.to_blocked, None, vp, vp)
        self._from = self.host.function(self.kernels.from_blocked, None, vp, vp)
        self.shape = (n, c, h, w)

    def to_blocked(self, x: np.ndarray) -> np.ndarray:
        """NCHW -> NCHW8c."""
        n, c, h, w = self.shape
        out = aligned_empty((n, ceil_div(c, CB), h, w, CB))
        self._to(_check(x, n * c * h * w, "input"), float_ptr_arg(out))
        return out

    def from_blocked(self, x: np.ndarray) -> np.ndarray:
        """NCHW8c -> NCHW."""
        n, c, h, w = self.shape
        out = np.empty((n, c, h, w), dtype=np.float32)
        self._from(_check(x, n * ceil_div(c, CB) * h * w * CB, "input"), float_ptr_arg(out))
        return out


def build_layout_kernels(n: int, c: int, h: int, w: int, cache: ObjectCache | None = None) -> CompiledLayout:
    """Generate, compile and load the layout conversions for an [n, c, h, w] tensor."""
    return CompiledLayout(n, c, h, w, cache=cache)

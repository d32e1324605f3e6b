"""Loop-level kernel ops: hand-scheduled micro-kernels the IR can see (`loop.gemm`, `loop.gemv`,
`loop.conv2d`).

Each op computes an accumulator (a matrix product or a convolution) and then applies its *epilogue*
region to every output element: the region's block takes (acc, extra_0, ..., extra_n-1) as scalars
of the output's element type and yields the stored value; its body is any arith/math scalar code
(bias, residual, ReLU, sigmoid, SiLU, GELU, HardSwish, Clip, per-channel scale/shift...). Each extra
operand is read per output element according to its kind in `extra_kinds`:

- ``"channel"``: one value per output column (GEMM's N) or output channel (convolution's F);
- ``"full"``: one value per output element, laid out like the output (a residual).

Operands are (x, w, extras..., out), all memrefs. The schedule (register tile, cache blocks, unroll,
vector width) is a set of verified attributes so a tuner can vary it; `packed` says the weight operand
was prepacked at compile time in the layout that schedule implies (`pack_weights` / `unpack_weights`
define it; the interpreter unpacks). `parallel_range()` is the kernel's outer trip count: a launch
with (start, end) computes rows of M (gemm), column panels (gemv) or flattened (n, oh) output rows
(conv2d) in [start, end). An extra buffer never aliases the output.
"""

from __future__ import annotations

import numpy as np

from ir import window
from ir.core import Block, Operation, Region
from ir.dialects import loop_layouts as L
from ir.opdef import BOOL, INT, INTS, STRS, attr, is_memref, operand, region
from ir.types import FloatType

EXTRA_KINDS = ("channel", "full")


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def _lane_choices(vector_floats: int) -> list[int]:
    """Vector widths a kernel may use on a target: its full width, and 8 lanes (256-bit, full rate on
    every AVX2/AVX-512 core) when the target is wider."""
    return [vector_floats] + ([8] if vector_floats > 8 else [])


def _least_padding(sizes: tuple[int, ...], lanes: list[int]) -> int:
    """The lane count that pads `sizes` (channels, columns) the least in total work; ties go to the
    widest (fewer instructions). A 3-channel stem convolution pads to 8, not 16."""

    def work(cb: int) -> int:
        total = 1
        for s in sizes:
            total *= _ceil(s, cb) * cb
        return total

    return min(lanes, key=lambda cb: (work(cb), -cb))


def default_gemm_schedule(vector_floats: int = 8, vector_registers: int = 16, n: int | None = None) -> dict:
    """A register tile that fits the register file: nr = 2 vectors (1 when N fits one vector), mr rows
    of accumulators plus the B vectors and one broadcast; mc a multiple of mr near 144 rows, kc 256
    (a 6x16 tile on AVX2, 14x32 on AVX-512)."""
    nv = 1 if n is not None and n <= vector_floats else 2
    mr = max(1, min(14, (vector_registers - nv - 1) // nv))
    return {"tile": [mr, nv * vector_floats], "blocks": [256, max(mr, 144 // mr * mr)], "k_unroll": 4,
            "vector_width": vector_floats}  # fmt: skip


def default_gemv_schedule(vector_floats: int = 8, vector_registers: int = 16, n: int | None = None) -> dict:
    """Panels of up to 4 vectors (no wider than N rounded to a vector), 2 accumulator sets."""
    panel = (
        4 * vector_floats if n is None else min(4 * vector_floats, _ceil(n, vector_floats) * vector_floats)
    )
    return {"panel": panel, "k_unroll": 4, "acc_sets": 2, "vector_width": vector_floats}


def default_conv_schedule(
    vector_floats: int = 8, vector_registers: int = 16, channels: tuple[int, int] | None = None
) -> dict:
    """4 output pixels x 2 channel blocks (11 live vectors); the channel block = the vector width that
    pads (input, output) channels per group the least."""
    cb = _least_padding(channels, _lane_choices(vector_floats)) if channels else vector_floats
    return {"ow_tile": 4, "oc_blocks": 2, "vector_width": cb, "oc_outer": False}


class RangedKernelOp(Operation):
    """A loop-level op that is a whole kernel's body and splits its work over a [start, end) range:
    the kernel holding it has no loop.parallel, and its zg.parallel_range is `parallel_range()`."""

    def parallel_range(self) -> int:
        raise NotImplementedError


class RelayoutOp(RangedKernelOp):
    """dst = src in the other activation layout: NCHW [n][c][hw] <-> channel-blocked [n][c/block][hw][block]
    (1-D, padded channels zero; loop_layouts.to_blocked / from_blocked). `to_blocked` picks the
    direction. A launch with (start, end) converts channel blocks [start, end) of the n * ceil(c/block)."""

    name = "loop.relayout"
    src = operand(is_memref)
    dst = operand(is_memref)
    to_blocked = attr(BOOL)
    n = attr(INT)
    c = attr(INT)
    hw = attr(INT)
    block = attr(INT)

    def parallel_range(self) -> int:
        return self.n * _ceil(self.c, self.block)

    def verify_(self) -> None:
        if min(self.n, self.c, self.hw, self.block) <= 0:
            raise self.error("n, c, hw and block must be positive")
        dense, blocked = self.n * self.c * self.hw, L.blocked_size(self.n, self.c, self.hw, self.block)
        src, dst = (dense, blocked) if self.to_blocked else (blocked, dense)
        if self.src.type.num_elements != src or self.dst.type.num_elements != dst:
            raise self.error(f"src {self.src.type} / dst {self.dst.type} must hold {src} / {dst} elements")
        if self.src.type.element_type != self.dst.type.element_type:
            raise self.error("src and dst must have the same element type")

    def evaluate(self, src, dst):
        conv = L.to_blocked if self.to_blocked else L.from_blocked
        dst[...] = conv(src, self.n, self.c, self.hw, self.block).reshape(dst.shape)
        return ()


class MicroKernelOp(RangedKernelOp):
    """Common fields and semantics of the loop-level kernel ops (see the module docstring)."""

    x = operand(is_memref)
    w = operand(is_memref)
    extras = operand(is_memref, variadic=True)
    out = operand(is_memref)
    extra_kinds = attr(STRS, default=())
    packed = attr(BOOL, default=False)
    vector_width = attr(INT, default=8, doc="f32 lanes per vector register")
    epilogue = region()

    # -- construction

    @classmethod
    def create(cls, x, w, extras, out, extra_kinds, body, provenance=(), **attrs):
        """Builds the op; `body(emit, acc, *extras)` returns the stored value (None: identity epilogue).

        `emit(op)` appends a scalar op to the epilogue block and returns its result."""
        elem = out.type.element_type
        block = Block([elem] * (1 + len(extras)))

        def emit(o):
            block.append(o)
            return o.results[0] if o.results else None

        from ir.dialects.loop import YieldOp

        y = block.args[0] if body is None else body(emit, *block.args)
        block.append(YieldOp.build([y]))
        return cls.build(x, w, list(extras), out, extra_kinds=list(extra_kinds), regions=[Region([block])],
                         provenance=provenance, **attrs)  # fmt: skip

    @property
    def epilogue_block(self) -> Block:
        return self.regions[0].block

    def has_identity_epilogue(self) -> bool:
        blk = self.epilogue_block
        return len(blk.ops) == 1 and list(blk.ops[0].operands) == [blk.args[0]]

    # -- verification

    def verify_(self) -> None:
        kinds = list(self.extra_kinds)
        if len(kinds) != len(self.extras) or any(k not in EXTRA_KINDS for k in kinds):
            raise self.error(f"extra_kinds {kinds} must give one of {EXTRA_KINDS} per extra operand")
        ot = self.out.type
        if not isinstance(ot.element_type, FloatType) or ot.element_type.name != "f32":
            raise self.error(f"micro-kernels compute f32, got {ot}")
        blk = self.epilogue_block if self.regions and self.regions[0].blocks else None
        if blk is None:
            raise self.error("needs an epilogue region")
        if [a.type for a in blk.args] != [ot.element_type] * (1 + len(kinds)):
            raise self.error(f"the epilogue block takes {1 + len(kinds)} {ot.element_type} arguments")
        term = blk.ops[-1] if blk.ops else None
        if term is None or term.name != "loop.yield" or [v.type for v in term.operands] != [ot.element_type]:
            raise self.error("the epilogue must end in loop.yield of one output element")
        inside = set(blk.args)
        for o in blk.ops:
            if o is not term and (o.regions or not o.name.startswith(("arith.", "math."))):
                raise self.error(f"the epilogue may hold only arith/math scalar ops, found '{o.name}'")
            if any(v not in inside for v in o.operands):
                raise self.error(f"the epilogue's '{o.name}' uses a value defined outside the epilogue")
            inside.update(o.results)
        for v, k in zip(self.extras, kinds):
            if v is self.out:
                raise self.error("an epilogue operand may not alias the output")
            want = self.extra_size(k)
            if v.type.num_elements != want:
                raise self.error(f"{k} epilogue operand {v.type} must hold {want} elements")
        if self.vector_width not in (4, 8, 16):
            raise self.error(f"vector_width {self.vector_width} must be 4, 8 or 16 lanes")
        self.verify_kernel()

    def verify_kernel(self) -> None:
        """Per-op shape and schedule checks."""

    def channels(self) -> int:
        raise NotImplementedError

    def extra_size(self, kind: str) -> int:
        """Elements of an epilogue operand of `kind`."""
        return self.channels() if kind == "channel" else self.out.type.num_elements

    # -- semantics

    def accumulate(self, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The accumulator in the output's shape (float64 or float32)."""
        raise NotImplementedError

    def channel_axis(self) -> int:
        raise NotImplementedError

    def compute(self, interp, x, w, extras, shape, env) -> np.ndarray:
        """The output (f32, `shape`) from dense operands: the accumulator through the epilogue region."""
        if self.packed:
            w = self.unpack_weights(w)
        acc = np.asarray(self.accumulate(x, w), dtype=np.float32).reshape(shape)
        args = [acc]
        bshape = [1] * acc.ndim
        axis = self.channel_axis() % max(acc.ndim, 1)
        for e, k in zip(extras, self.extra_kinds):
            if k == "channel":
                bshape[axis] = -1
                args.append(np.broadcast_to(e.reshape(bshape), acc.shape))
                bshape[axis] = 1
            else:
                args.append(e.reshape(acc.shape))
        (y,) = interp.run_block(self.epilogue_block, args, dict(env))
        return np.broadcast_to(np.asarray(y, dtype=np.float32), shape)

    def interpret(self, interp, vals, env):
        x, w, *extras, out = vals
        out[...] = self.compute(interp, x, w, extras, out.shape, env)
        return ()

    def pack_weights(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def unpack_weights(self, wp: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def parallel_range(self) -> int:
        raise NotImplementedError


class GemmOp(MicroKernelOp):
    """out[M,N] = epilogue(x[M,K] @ w[K,N], ...): the packed SGEMM (BLIS-style register tile).

    x, out (and "full" extras) may have leading dims that fold into M. Schedule: `tile` = (mr, nr)
    register tile, `blocks` = (kc, mc) cache blocks, `k_unroll`. Packed weights: per kc-deep K block,
    ceil(N/nr) panels of [kpad][nr] (zero padded)."""

    name = "loop.gemm"
    m = attr(INT)
    n = attr(INT)
    k = attr(INT)
    tile = attr(INTS, default=(6, 16))
    blocks = attr(INTS, default=(256, 144))
    k_unroll = attr(INT, default=4)

    def channels(self) -> int:
        return self.n

    def channel_axis(self) -> int:
        return -1

    def parallel_range(self) -> int:
        return self.m

    def verify_kernel(self) -> None:
        (mr, nr), (kc, mc), ku, vw = self.tile, self.blocks, self.k_unroll, self.vector_width
        if min(self.m, self.n, self.k) <= 0:
            raise self.error("m, n and k must be positive")
        if mr <= 0 or nr <= 0 or nr % vw:
            raise self.error(f"tile ({mr}, {nr}): nr must be a positive multiple of the vector width {vw}")
        if mc <= 0 or mc % mr:
            raise self.error(f"blocks: mc={mc} must be a positive multiple of mr={mr}")
        if ku <= 0 or kc <= 0 or kc % ku:
            raise self.error(f"blocks: kc={kc} must be a positive multiple of k_unroll={ku}")
        if self.x.type.num_elements != self.m * self.k:
            raise self.error(f"x {self.x.type} does not hold M={self.m} x K={self.k}")
        if not self.packed and self.w.type.num_elements != self.k * self.n:
            raise self.error(f"w {self.w.type} does not hold K={self.k} x N={self.n}")
        if self.packed and self.w.type.num_elements != self.packed_size():
            raise self.error(f"packed w {self.w.type} must hold {self.packed_size()} floats")
        if self.out.type.num_elements != self.m * self.n:
            raise self.error(f"out {self.out.type} does not hold M={self.m} x N={self.n}")

    def accumulate(self, x, w):
        return x.reshape(self.m, self.k).astype(np.float64) @ w.reshape(self.k, self.n).astype(np.float64)

    def packed_size(self) -> int:
        return L.packed_gemm_b_size(self.n, self.k, self.tile[1], self.blocks[0], self.k_unroll)

    def pack_weights(self, w):
        w = np.asarray(w, np.float32).reshape(self.k, self.n)
        return L.pack_gemm_b(w, self.n, self.k, self.tile[1], self.blocks[0], self.k_unroll)

    def unpack_weights(self, wp):
        return L.unpack_gemm_b(np.asarray(wp), self.n, self.k, self.tile[1], self.blocks[0], self.k_unroll)


class GemvOp(MicroKernelOp):
    """out[N] = epilogue(x[K] @ w[K,N], ...) (M = 1, memory bound): per `panel`-column panel, a 1 x panel
    tile accumulated over all of K in `acc_sets` independent chains. Packed weights: [N/panel][K][panel]."""

    name = "loop.gemv"
    n = attr(INT)
    k = attr(INT)
    panel = attr(INT, default=32)
    k_unroll = attr(INT, default=4)
    acc_sets = attr(INT, default=2)

    def channels(self) -> int:
        return self.n

    def channel_axis(self) -> int:
        return -1

    def parallel_range(self) -> int:
        return _ceil(self.n, self.panel)

    def verify_kernel(self) -> None:
        p, vw, ku, s = self.panel, self.vector_width, self.k_unroll, self.acc_sets
        if p <= 0 or p % vw:
            raise self.error(f"panel {p} must be a positive multiple of the vector width {vw}")
        if ku <= 0 or s <= 0 or ku % s:
            raise self.error(f"k_unroll {ku} must be a positive multiple of acc_sets {s}")
        if self.x.type.num_elements != self.k or self.out.type.num_elements != self.n:
            raise self.error(f"x {self.x.type} / out {self.out.type} do not hold K={self.k}, N={self.n}")
        want = self.packed_size() if self.packed else self.k * self.n
        if self.w.type.num_elements != want:
            raise self.error(f"w {self.w.type} must hold {want} floats")

    def accumulate(self, x, w):
        return x.reshape(1, self.k).astype(np.float64) @ w.reshape(self.k, self.n).astype(np.float64)

    def packed_size(self) -> int:
        return _ceil(self.n, self.panel) * self.panel * self.k

    def pack_weights(self, w):
        return L.pack_gemv_w(np.asarray(w, np.float32).reshape(self.k, self.n), self.n, self.k, self.panel)

    def unpack_weights(self, wp):
        return L.unpack_gemv_w(np.asarray(wp), self.n, self.k, self.panel)


class Conv2dOp(MicroKernelOp):
    """out[N,F,OH,OW] = epilogue(conv(x[N,C,H,W], w[F,C/g,KH,KW]), ...), NCHW, as a direct convolution in
    the channel-blocked layout (channel block = `vector_width`): x, w and out are converted to and from
    [N][C/cb][H][W][cb] around the kernel, group by group. Schedule: `ow_tile` output pixels x
    `oc_blocks` channel blocks per register tile, `oc_outer` (channel groups outside the rows).
    Packed weights: per group [F/cb][C/cb][KH][KW][cb ci][cb co] (zero padded)."""

    name = "loop.conv2d"
    blocked = attr(BOOL, default=False, doc="x, extras and out are channel-blocked 1-D buffers")
    input_shape = attr(INTS, default=None, doc="N, C, H, W of x (needed when blocked)")
    output_shape = attr(INTS, default=None, doc="N, F, OH, OW of out (needed when blocked)")
    strides = attr(INTS)
    pads = attr(INTS, doc="top, left, bottom, right")
    dilations = attr(INTS)
    kernel = attr(INTS, doc="KH, KW")
    group = attr(INT, default=1)
    ow_tile = attr(INT, default=4)
    oc_blocks = attr(INT, default=2)
    oc_outer = attr(BOOL, default=False)

    def in_shape(self) -> tuple[int, int, int, int]:
        return tuple(self.input_shape) if self.input_shape is not None else self.x.type.shape

    def out_shape(self) -> tuple[int, int, int, int]:
        return tuple(self.output_shape) if self.output_shape is not None else self.out.type.shape

    def channels(self) -> int:
        return self.out_shape()[1]

    def channel_axis(self) -> int:
        return 1

    def parallel_range(self) -> int:
        s = self.out_shape()
        return s[0] * s[2]

    def blocking(self) -> tuple[int, int, int]:
        """(n, channels, pixels) of the blocked view of x, out and the extras: batch 1 grouped
        convolutions block each group's channels as if the groups were a batch."""
        n, c, h, w = self.in_shape()
        _, f, oh, ow = self.out_shape()
        g = self.group
        return n * g, c // g, h * w

    def extra_size(self, kind: str) -> int:
        if not self.blocked:
            return super().extra_size(kind)
        n, f, oh, ow = self.out_shape()
        g, cb = self.group, self.vector_width
        if kind == "channel":
            return L.blocked_size(g, f // g, 1, cb)
        return L.blocked_size(n * g, f // g, oh * ow, cb)

    def verify_kernel(self) -> None:
        if self.blocked and (self.input_shape is None or self.output_shape is None):
            raise self.error("a blocked conv2d needs input_shape and output_shape")
        shapes = (self.in_shape(), self.out_shape())
        if any(len(s) != 4 for s in shapes):
            raise self.error("conv2d takes NCHW input and output")
        xs, os_ = shapes
        if self.blocked:
            ng, cg, hw = self.blocking()
            n, f, oh, ow = self.out_shape()
            if self.x.type.num_elements != L.blocked_size(ng, cg, hw, self.vector_width):
                raise self.error(
                    f"blocked x {self.x.type} does not hold {self.in_shape()} in blocks of {self.vector_width}"
                )
            if self.out.type.num_elements != self.extra_size("full"):
                raise self.error(f"blocked out {self.out.type} does not hold {self.out_shape()}")
        if len(self.strides) != 2 or len(self.dilations) != 2 or len(self.pads) != 4 or len(self.kernel) != 2:
            raise self.error("conv2d needs 2 strides, 2 dilations, 4 pads and a 2-D kernel")
        g = self.group
        if g <= 0 or xs[1] % g or os_[1] % g:
            raise self.error(f"group {g} must divide the input and output channels")
        if g != 1 and xs[0] != 1:
            raise self.error("grouped conv2d needs batch 1")
        if self.ow_tile <= 0 or self.oc_blocks <= 0:
            raise self.error("ow_tile and oc_blocks must be positive")
        want = self.packed_size() if self.packed else os_[1] * (xs[1] // g) * self.kernel[0] * self.kernel[1]
        if self.w.type.num_elements != want:
            raise self.error(f"w {self.w.type} must hold {want} floats")

    def accumulate(self, x, w):
        return conv2d_nchw(x, w, self.strides, self.pads, self.dilations, self.group)

    def interpret(self, interp, vals, env):
        if not self.blocked:
            return super().interpret(interp, vals, env)
        x, w, *extras, out = vals
        ng, cg, hw = self.blocking()
        n, f, oh, ow = self.out_shape()
        g, cb = self.group, self.vector_width
        dense = [L.from_blocked(x, ng, cg, hw, cb).reshape(self.in_shape())]
        for e, k in zip(extras, self.extra_kinds):
            if k == "channel":
                dense.append(L.from_blocked(e, g, f // g, 1, cb).reshape(f))
            else:
                dense.append(L.from_blocked(e, ng, f // g, oh * ow, cb).reshape(n, f, oh, ow))
        y = self.compute(interp, dense[0], w, dense[1:], (n, f, oh, ow), env)
        out[...] = L.to_blocked(y, ng, f // g, oh * ow, cb).reshape(out.shape)
        return ()

    def _blocks(self) -> tuple[int, int, int, int, int]:
        g, cb = self.group, self.vector_width
        cg, fg = self.in_shape()[1] // g, self.out_shape()[1] // g
        return g, cb, _ceil(cg, cb), _ceil(fg, cb), self.kernel[0] * self.kernel[1]

    def packed_size(self) -> int:
        g, cb, cib, cob, khw = self._blocks()
        return g * cob * cib * khw * cb * cb

    def pack_weights(self, w):
        return L.pack_conv_weights_grouped(np.asarray(w, np.float32), self.group, self.vector_width)

    def unpack_weights(self, wp):
        kh, kw = self.kernel
        cg = self.in_shape()[1] // self.group
        return L.unpack_conv_weights(
            np.asarray(wp), self.channels(), cg, kh, kw, self.group, self.vector_width
        )


def conv2d_nchw(x, w, strides, pads, dilations, group) -> np.ndarray:
    """Reference NCHW convolution (float64): strides, pads (top, left, bottom, right), dilations, group."""
    (sh, sw), (dh, dw), (pt, pl, pb, pr), g = strides, dilations, pads, group
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh, ow = window.out_size(h, kh, sh, dh, pt, pb), window.out_size(wd, kw, sw, dw, pl, pr)
    out = np.zeros((n, g, f // g, oh, ow), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[
                :, :, i * dh : i * dh + sh * (oh - 1) + 1 : sh, j * dw : j * dw + sw * (ow - 1) + 1 : sw
            ]
            wk = w[:, :, i, j].reshape(g, f // g, cg).astype(np.float64)
            out += np.einsum("ngchw,gfc->ngfhw", patch.reshape(n, g, cg, oh, ow), wk)
    return out.reshape(n, f, oh, ow)


KERNEL_OPS = (GemmOp, GemvOp, Conv2dOp, RelayoutOp)

__all__ = ["EXTRA_KINDS", "KERNEL_OPS", "Conv2dOp", "GemmOp", "GemvOp", "MicroKernelOp", "RangedKernelOp",
           "RelayoutOp", "conv2d_nchw",
           "default_conv_schedule", "default_gemm_schedule", "default_gemv_schedule"]  # fmt: skip

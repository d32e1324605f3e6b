"""Buffer layouts of loop-level IR: the CPU micro-kernels' weight layouts (packing at compile time,
unpacking), and the attributes that record where the memory plan put each activation buffer.

One definition for the three users: the kernel ops (ir/dialects/loop_kernels.py: `pack_weights` /
`unpack_weights` pick the layout their schedule implies, for the `prepack-weights` pass and the
interpreter), and the generated kernels' numpy helpers (codegen/microkernels). Numpy only, so `ir` and
`passes` can use it.

- gemm B ([K,N], or [N,K] transposed): per `kc`-deep K block, zero-padded `nr`-column panels,
  [N/nr][kpad][nr] with kpad = the block depth rounded up to `k_unroll`.
- gemv W ([K,N], or [N,K] transposed): [ceil(N/nr)][K][nr], zero-padded columns.
- conv2d W ([CO][CI][KH][KW] per group): [CO/cb][CI/cb][KH][KW][cb ci][cb co], zero-padded, cb = the
  channel block (the vector width); groups are stored one after another.
- channel-blocked activations (`loop.relayout`, a blocked `loop.conv2d`): [N][C/cb][H*W][cb], padded
  channels zero; a grouped convolution (batch 1) blocks each group's channels: [G][C/G/cb][H*W][cb].

Memory plan (written by the `plan-memory` pass, read by codegen's launch plan): each root
`loop.alloc` of the host function carries OFFSET_ATTR (bytes into the activation arena; views share
their source's), and the host function carries ARENA_ATTR (arena size) and UNPLANNED_ATTR (bytes with
one buffer each, for reports).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ALIGN_BYTES",
    "ARENA_ATTR",
    "OFFSET_ATTR",
    "UNPLANNED_ATTR",
    "aligned_copy",
    "blocked_size",
    "from_blocked",
    "to_blocked",
    "aligned_empty",
    "ceil_div",
    "gemm_k_blocks",
    "pack_conv_weights",
    "pack_conv_weights_grouped",
    "pack_gemm_b",
    "pack_gemv_w",
    "packed_gemm_b_size",
    "round_up",
    "unpack_conv_weights",
    "unpack_gemm_b",
    "unpack_gemv_w",
]

OFFSET_ATTR = "zg.offset"
ARENA_ATTR = "zg.arena_bytes"
UNPLANNED_ATTR = "zg.unplanned_bytes"

ALIGN_BYTES = 64
"""Alignment of packed operands and outputs: 32-byte vector loads from a 16-byte aligned buffer split
cache lines half the time, measured at about 40% of SGEMM speed."""


def ceil_div(a: int, b: int) -> int:
    """``ceil(a / b)`` for non-negative integers."""
    return -(-a // b)


def round_up(a: int, b: int) -> int:
    """``a`` rounded up to a multiple of ``b``."""
    return ceil_div(a, b) * b


def aligned_empty(shape: int | tuple[int, ...], align: int = ALIGN_BYTES) -> np.ndarray:
    """An uninitialized float32 C-contiguous array whose data starts on an ``align``-byte boundary."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    count = int(np.prod(shape))
    raw = np.empty(count + align // 4, dtype=np.float32)
    start = (-raw.ctypes.data % align) // 4
    return raw[start : start + count].reshape(shape)


def aligned_copy(array: np.ndarray, align: int = ALIGN_BYTES) -> np.ndarray:
    """``array`` as float32 in a fresh ``align``-byte aligned buffer."""
    out = aligned_empty(array.shape, align)
    out[...] = array
    return out


# ----------------------------------------------------------------------------- gemm B panels


def gemm_k_blocks(k: int, kc: int, k_unroll: int) -> list[tuple[int, int, int]]:
    """(start, depth, padded depth) of each K block."""
    return [(pc, min(kc, k - pc), round_up(min(kc, k - pc), k_unroll)) for pc in range(0, k, kc)]


def packed_gemm_b_size(n: int, k: int, nr: int, kc: int, k_unroll: int) -> int:
    """Floats in the packed B buffer (zero-padded to nr columns and k_unroll depth)."""
    return round_up(n, nr) * sum(kp for _, _, kp in gemm_k_blocks(k, kc, k_unroll))


def pack_gemm_b(
    b: np.ndarray, n: int, k: int, nr: int, kc: int, k_unroll: int, trans_b: bool = False
) -> np.ndarray:
    """B ([K,N], or [N,K] when trans_b) -> 1-D packed panels, exactly like the generated ``*_pack_b``."""
    b = np.asarray(b, dtype=np.float32)
    b = b[:n, :k].T if trans_b else b[:k, :n]
    npan = ceil_div(n, nr)
    out = aligned_empty(packed_gemm_b_size(n, k, nr, kc, k_unroll))
    out[:] = 0.0
    for pc, kcp, kpad in gemm_k_blocks(k, kc, k_unroll):
        blk = np.zeros((kpad, npan * nr), dtype=np.float32)
        blk[:kcp, :n] = b[pc : pc + kcp]
        blk = blk.reshape(kpad, npan, nr).transpose(1, 0, 2)
        off = pc * npan * nr
        out[off : off + blk.size] = blk.ravel()
    return out


def unpack_gemm_b(wp: np.ndarray, n: int, k: int, nr: int, kc: int, k_unroll: int) -> np.ndarray:
    """The dense [K,N] B of a buffer packed by `pack_gemm_b`."""
    wp = wp.reshape(-1)
    npad = round_up(n, nr)
    out = np.zeros((k, n), dtype=wp.dtype)
    for pc, kcp, kpad in gemm_k_blocks(k, kc, k_unroll):
        blk = wp[pc * npad : pc * npad + kpad * npad].reshape(npad // nr, kpad, nr)
        out[pc : pc + kcp] = blk.transpose(1, 0, 2).reshape(kpad, npad)[:kcp, :n]
    return out


# ----------------------------------------------------------------------------- gemv W panels


def pack_gemv_w(w: np.ndarray, n: int, k: int, nr: int, trans_w: bool = False) -> np.ndarray:
    """W ([K,N], or [N,K] when trans_w) -> [ceil(N/nr)][K][nr] (1-D), zero-padded columns."""
    w = np.asarray(w, dtype=np.float32)
    w = w.T if trans_w else w
    npan = ceil_div(n, nr)
    padded = np.zeros((k, npan * nr), dtype=np.float32)
    padded[:, :n] = w[:k, :n]
    return aligned_copy(padded.reshape(k, npan, nr).transpose(1, 0, 2)).ravel()


def unpack_gemv_w(wp: np.ndarray, n: int, k: int, nr: int) -> np.ndarray:
    """The dense [K,N] W of a buffer packed by `pack_gemv_w`."""
    npan = ceil_div(n, nr)
    return wp.reshape(-1)[: npan * k * nr].reshape(npan, k, nr).transpose(1, 0, 2).reshape(k, -1)[:, :n]


# ----------------------------------------------------------------------------- conv2d channel-blocked weights


def pack_conv_weights(w: np.ndarray, cb: int) -> np.ndarray:
    """[CO][CI][KH][KW] -> [CO/cb][CI/cb][KH][KW][cb ci][cb co], zero-padded."""
    co, ci, kh, kw = w.shape
    cob, cib = ceil_div(co, cb), ceil_div(ci, cb)
    pad = np.zeros((cob * cb, cib * cb, kh, kw), dtype=np.float32)
    pad[:co, :ci] = w
    return aligned_copy(pad.reshape(cob, cb, cib, cb, kh, kw).transpose(0, 2, 4, 5, 3, 1))


def pack_conv_weights_grouped(w: np.ndarray, group: int, cb: int) -> np.ndarray:
    """[F][C/g][KH][KW] -> `group` blocks of `pack_conv_weights`, one after another (1-D)."""
    fg = w.shape[0] // group
    parts = [pack_conv_weights(w[gi * fg : (gi + 1) * fg], cb).reshape(-1) for gi in range(group)]
    return np.concatenate(parts)


def unpack_conv_weights(wp: np.ndarray, f: int, cg: int, kh: int, kw: int, group: int, cb: int) -> np.ndarray:
    """The dense [F][C/g][KH][KW] weights of a buffer packed by `pack_conv_weights_grouped`."""
    wp = wp.reshape(-1)
    fg = f // group
    cib, cob = ceil_div(cg, cb), ceil_div(fg, cb)
    per = cob * cib * kh * kw * cb * cb
    parts = []
    for gi in range(group):
        blk = wp[gi * per : (gi + 1) * per].reshape(cob, cib, kh, kw, cb, cb)
        parts.append(blk.transpose(0, 5, 1, 4, 2, 3).reshape(cob * cb, cib * cb, kh, kw)[:fg, :cg])
    return np.concatenate(parts, axis=0)


# ----------------------------------------------------------------------------- channel-blocked activations


def blocked_size(n: int, c: int, hw: int, cb: int) -> int:
    """Floats of [n][ceil(c/cb)][hw][cb]."""
    return n * ceil_div(c, cb) * hw * cb


def to_blocked(x: np.ndarray, n: int, c: int, hw: int, cb: int) -> np.ndarray:
    """[n][c][hw] (any shape with n*c*hw elements) -> [n][c/cb][hw][cb] (1-D), padded channels zero."""
    nb = ceil_div(c, cb)
    pad = np.zeros((n, nb * cb, hw), dtype=x.dtype)
    pad[:, :c] = np.asarray(x).reshape(n, c, hw)
    return pad.reshape(n, nb, cb, hw).transpose(0, 1, 3, 2).ravel()


def from_blocked(xb: np.ndarray, n: int, c: int, hw: int, cb: int) -> np.ndarray:
    """[n][c/cb][hw][cb] (1-D) -> [n][c][hw], dropping the padded channels."""
    nb = ceil_div(c, cb)
    return np.asarray(xb).reshape(n, nb, hw, cb).transpose(0, 1, 3, 2).reshape(n, nb * cb, hw)[:, :c]

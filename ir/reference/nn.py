"""Numpy reference semantics of ONNX neural-network operators (conv, pooling, normalization, gemm).

Every function is pure: numpy arrays in, numpy arrays out, ONNX attributes as keyword arguments. Numeric
attributes (epsilon, alpha, beta, p, stash_type...) are required: their ONNX defaults live only in the graph
op definitions. Window attributes (strides, pads, dilations, auto_pad, ceil_mode, group) may be omitted,
meaning "absent" (ones, zeros, NOTSET), and window sizes and auto_pad splits come from `ir.window`.
Spatial operators are vectorized over pixels: convolution is im2col (a strided window view) followed by one
(batched) matmul; pooling reduces over kernel taps, each tap a whole-tensor operation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ir import window as W

__all__ = [
    "average_pool",
    "batch_normalization",
    "conv",
    "conv_output_shape",
    "conv_pads",
    "conv_transpose",
    "conv_transpose_output_shape",
    "gemm",
    "global_average_pool",
    "global_lp_pool",
    "global_max_pool",
    "hardmax",
    "instance_normalization",
    "layer_normalization",
    "layer_normalization_with_stats",
    "log_softmax",
    "lp_pool",
    "lrn",
    "matmul",
    "max_pool",
    "max_pool_with_indices",
    "pool_output_shape",
    "pool_pads",
    "softmax",
]

Dim = int | None


# ---------------------------------------------------------------------------------------------------------
# Shape helpers (usable by type inference without running the op; a dim may be None when unknown)
# ---------------------------------------------------------------------------------------------------------


def _spatial_params(
    rank: int,
    strides: Sequence[int] | None,
    dilations: Sequence[int] | None,
    pads: Sequence[int] | None,
) -> tuple[list[int], list[int], list[int]]:
    """Fill ONNX defaults for strides, dilations (ones) and pads (zeros) of a `rank`-d window op."""
    s = list(strides) if strides is not None and len(strides) else [1] * rank
    d = list(dilations) if dilations is not None and len(dilations) else [1] * rank
    p = list(pads) if pads is not None and len(pads) else [0] * (2 * rank)
    if len(s) != rank or len(d) != rank or len(p) != 2 * rank:
        raise ValueError(f"strides/dilations/pads do not match {rank} spatial dims: {s}, {d}, {p}")
    return [int(v) for v in s], [int(v) for v in d], [int(v) for v in p]


_check_auto_pad = W.check_auto_pad


def conv_pads(
    in_spatial: Sequence[Dim],
    kernel_shape: Sequence[int],
    *,
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    auto_pad: str = "NOTSET",
) -> list[int | None]:
    """Explicit ONNX pads [b0, b1, ..., e0, e1, ...] of a conv after resolving auto_pad (None if unknown)."""
    rank = len(kernel_shape)
    s, d, p = _spatial_params(rank, strides, dilations, pads)
    auto_pad = _check_auto_pad(auto_pad)
    if auto_pad == "NOTSET":
        return list(p)
    if auto_pad == "VALID":
        return [0] * (2 * rank)
    begins: list[int | None] = []
    ends: list[int | None] = []
    for i in range(rank):
        n = in_spatial[i]
        if n is None:
            begins.append(None)
            ends.append(None)
            continue
        pb, pe = W.same_pads(n, kernel_shape[i], s[i], d[i], auto_pad)
        begins.append(pb)
        ends.append(pe)
    return begins + ends


def conv_output_shape(
    x_shape: Sequence[Dim],
    w_shape: Sequence[Dim],
    *,
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    auto_pad: str = "NOTSET",
    kernel_shape: Sequence[int] | None = None,
    group: int = 1,
) -> list[Dim]:
    """Result shape (N, M, *spatial) of Conv for input (N, C, *spatial) and weight (M, C/group, *kernel).

    Accepts every Conv attribute so an attribute dict can be passed whole (group does not change the shape).
    """
    del group
    kshape = list(kernel_shape) if kernel_shape else list(w_shape[2:])
    if any(k is None for k in kshape):
        raise ValueError("conv_output_shape needs a static kernel shape")
    rank = len(kshape)
    s, d, _ = _spatial_params(rank, strides, dilations, pads)
    p = conv_pads(x_shape[2:], kshape, strides=s, dilations=d, pads=pads, auto_pad=auto_pad)
    out: list[Dim] = [x_shape[0], w_shape[0]]
    for i in range(rank):
        n = x_shape[2 + i]
        if n is None or p[i] is None:
            out.append(None)
            continue
        out.append(W.out_size(n, kshape[i], s[i], d[i], p[i], p[rank + i]))
    return out


def pool_pads(
    in_spatial: Sequence[Dim],
    kernel_shape: Sequence[int],
    *,
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    auto_pad: str = "NOTSET",
) -> list[int | None]:
    """Explicit pads of a pooling op after resolving auto_pad (same rule as conv)."""
    return conv_pads(
        in_spatial, kernel_shape, strides=strides, dilations=dilations, pads=pads, auto_pad=auto_pad
    )


def pool_output_shape(
    x_shape: Sequence[Dim],
    *,
    kernel_shape: Sequence[int],
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    auto_pad: str = "NOTSET",
    ceil_mode: int = 0,
    storage_order: int | None = None,
    count_include_pad: int | None = None,
    p: int | None = None,
) -> list[Dim]:
    """Result shape (N, C, *spatial) of MaxPool/AveragePool/LpPool for input (N, C, *spatial).

    Accepts every pooling attribute so an attribute dict can be passed whole (the last three are unused).
    """
    del storage_order, count_include_pad, p
    rank = len(kernel_shape)
    s, d, _ = _spatial_params(rank, strides, dilations, pads)
    auto_pad = _check_auto_pad(auto_pad)
    pp = pool_pads(x_shape[2:], kernel_shape, strides=s, dilations=d, pads=pads, auto_pad=auto_pad)
    cm = ceil_mode if auto_pad == "NOTSET" else 0
    out: list[Dim] = [x_shape[0], x_shape[1]]
    for i in range(rank):
        n, pb, pe = x_shape[2 + i], pp[i], pp[rank + i]
        if n is None or pb is None or pe is None:
            out.append(None)
            continue
        out.append(W.out_size(n, kernel_shape[i], s[i], d[i], pb, pe, cm))
    return out


def conv_transpose_output_shape(
    x_shape: Sequence[Dim],
    w_shape: Sequence[Dim],
    *,
    group: int = 1,
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    auto_pad: str = "NOTSET",
    output_padding: Sequence[int] | None = None,
    output_shape: Sequence[int] | None = None,
    kernel_shape: Sequence[int] | None = None,
) -> list[Dim]:
    """Result shape (N, M, *spatial) of ConvTranspose for input (N, C, ...) and weight (C, M/group, ...)."""
    kshape = list(kernel_shape) if kernel_shape else list(w_shape[2:])
    m = None if w_shape[1] is None else w_shape[1] * group
    spatial = _conv_transpose_geometry(
        list(x_shape[2:]), kshape, strides, dilations, pads, auto_pad, output_padding, output_shape
    )[0]
    return [x_shape[0], m, *spatial]


def _conv_transpose_geometry(
    in_spatial: list[Dim],
    kshape: list[int],
    strides: Sequence[int] | None,
    dilations: Sequence[int] | None,
    pads: Sequence[int] | None,
    auto_pad: str,
    output_padding: Sequence[int] | None,
    output_shape: Sequence[int] | None,
) -> tuple[list[Dim], list[int | None]]:
    """Output spatial extents and resolved pads of ConvTranspose (onnxruntime's rules)."""
    rank = len(kshape)
    s, d, p = _spatial_params(rank, strides, dilations, pads)
    auto_pad = _check_auto_pad(auto_pad)
    op = list(output_padding) if output_padding is not None and len(output_padding) else [0] * rank
    if output_shape is not None and len(output_shape):
        target = list(output_shape)[-rank:]
    else:
        target = None
    out: list[Dim] = []
    begins: list[int | None] = []
    ends: list[int | None] = []
    for i in range(rank):
        n = in_spatial[i]
        if n is None:
            out.append(None)
            begins.append(None)
            ends.append(None)
            continue
        full = W.span_end(n, kshape[i], s[i], d[i]) + op[i]
        if target is not None or auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            o = int(target[i]) if target is not None else n * s[i]
            pb, pe = W.split_pad(max(0, full - o), auto_pad)
        elif auto_pad == "VALID":
            pb = pe = 0
        else:
            pb, pe = p[i], p[rank + i]
        begins.append(pb)
        ends.append(pe)
        out.append(full - pb - pe)
    return out, begins + ends


# ---------------------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------------------


def _compute_dtype(dtype: np.dtype) -> np.dtype:
    """Accumulation dtype: half-precision floats are computed in float32 and cast back."""
    if dtype.kind == "f" and dtype.itemsize >= 4:
        return dtype
    if dtype.kind in "iub":
        return dtype
    return np.dtype(np.float32)


def _pad_spatial(x: np.ndarray, begins: Sequence[int], ends: Sequence[int], value: float | int) -> np.ndarray:
    """Pad (or crop, for negative amounts) the trailing spatial axes of x with a constant."""
    if not any(begins) and not any(ends):
        return x
    crop = tuple(
        slice(max(0, -bi), x.shape[2 + i] + ei if ei < 0 else None)
        for i, (bi, ei) in enumerate(zip(begins, ends))
    )
    x = x[(slice(None), slice(None), *crop)]
    widths = [(0, 0), (0, 0)] + [(max(0, bi), max(0, ei)) for bi, ei in zip(begins, ends)]
    if all(wd == (0, 0) for wd in widths):
        return x
    return np.pad(x, widths, mode="constant", constant_values=value)


def _windows(xp: np.ndarray, kshape: Sequence[int], s: Sequence[int], d: Sequence[int]) -> np.ndarray:
    """Strided view (N, C, *out, *kernel) of the padded input: every kernel window, no copy."""
    rank = len(kshape)
    eff = tuple(W.effective_kernel(k, di) for k, di in zip(kshape, d))
    v = sliding_window_view(xp, eff, axis=tuple(range(2, 2 + rank)))
    return v[
        (slice(None), slice(None), *(slice(None, None, si) for si in s), *(slice(None, None, di) for di in d))
    ]


def conv(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    auto_pad: str = "NOTSET",
    dilations: Sequence[int] | None = None,
    group: int = 1,
    kernel_shape: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    strides: Sequence[int] | None = None,
) -> np.ndarray:
    """ONNX Conv (N-d, grouped): im2col through a window view, then one batched matmul per call."""
    out_dtype = x.dtype
    cdt = _compute_dtype(x.dtype)
    x = x.astype(cdt, copy=False)
    w = w.astype(cdt, copy=False)
    kshape = list(w.shape[2:])
    rank = len(kshape)
    if x.ndim != rank + 2:
        raise ValueError(f"conv: input rank {x.ndim} does not match weight rank {w.ndim}")
    s, d, _ = _spatial_params(rank, strides, dilations, pads)
    p = conv_pads(x.shape[2:], kshape, strides=s, dilations=d, pads=pads, auto_pad=auto_pad)
    n, c = x.shape[:2]
    m = w.shape[0]
    g = int(group)
    if c % g or m % g or w.shape[1] != c // g:
        raise ValueError(f"conv: channels {c} / weight {w.shape} do not fit group={g}")
    out_spatial = conv_output_shape(x.shape, w.shape, strides=s, dilations=d, pads=p)[2:]
    npix = math.prod(out_spatial)
    ksize = math.prod(kshape)
    if ksize == 1 and all(v == 0 for v in p):
        # 1x1 kernel without padding: the strided input itself is the column matrix.
        sub = x[(slice(None), slice(None), *(slice(None, None, si) for si in s))]
        cols = sub.reshape(n, g, c // g, npix)
    else:
        xp = _pad_spatial(x, p[:rank], p[rank:], 0)
        win = _windows(xp, kshape, s, d)  # (N, C, *out, *k)
        order = (0, 1, *range(2 + rank, 2 + 2 * rank), *range(2, 2 + rank))
        cols = win.transpose(order).reshape(n, g, (c // g) * ksize, npix)
    wm = w.reshape(g, m // g, (c // g) * ksize)
    y = np.matmul(wm, cols)  # (N, G, M/G, P)
    y = y.reshape(n, m, *out_spatial)
    if b is not None:
        y += b.astype(cdt, copy=False).reshape((m,) + (1,) * rank)
    return y.astype(out_dtype, copy=False)


def conv_transpose(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    auto_pad: str = "NOTSET",
    dilations: Sequence[int] | None = None,
    group: int = 1,
    kernel_shape: Sequence[int] | None = None,
    output_padding: Sequence[int] | None = None,
    output_shape: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    strides: Sequence[int] | None = None,
) -> np.ndarray:
    """ONNX ConvTranspose: one batched matmul to columns, then col2im as one strided add per kernel tap."""
    out_dtype = x.dtype
    cdt = _compute_dtype(x.dtype)
    x = x.astype(cdt, copy=False)
    w = w.astype(cdt, copy=False)
    kshape = list(w.shape[2:])
    rank = len(kshape)
    s, d, _ = _spatial_params(rank, strides, dilations, pads)
    out_spatial, p = _conv_transpose_geometry(
        list(x.shape[2:]), kshape, s, d, pads, auto_pad, output_padding, output_shape
    )
    n, c = x.shape[:2]
    g = int(group)
    mg = w.shape[1]
    m = mg * g
    in_spatial = x.shape[2:]
    npix = math.prod(in_spatial)
    ksize = math.prod(kshape)
    # cols[n, g, (mg, k), pix] = sum_c w[g, c, mg, k] * x[n, g, c, pix]
    wm = w.reshape(g, c // g, mg * ksize).transpose(0, 2, 1)
    cols = np.matmul(wm, x.reshape(n, g, c // g, npix)).reshape(n, m, *kshape, *in_spatial)
    # Full (unpadded) output extent; pads are cropped afterwards, output_padding may extend past it.
    full = [W.span_end(in_spatial[i], kshape[i], s[i], d[i]) for i in range(rank)]
    ext = [max(full[i], p[i] + out_spatial[i]) for i in range(rank)]
    y = np.zeros((n, m, *ext), dtype=cdt)
    for tap in itertools.product(*(range(k) for k in kshape)):
        dst = tuple(
            slice(t * di, t * di + (ni - 1) * si + 1, si) for t, di, ni, si in zip(tap, d, in_spatial, s)
        )
        y[(slice(None), slice(None), *dst)] += cols[(slice(None), slice(None), *tap)]
    y = y[(slice(None), slice(None), *(slice(p[i], p[i] + out_spatial[i]) for i in range(rank)))]
    if b is not None:
        y = y + b.astype(cdt, copy=False).reshape((m,) + (1,) * rank)
    return np.ascontiguousarray(y).astype(out_dtype, copy=False)


# ---------------------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------------------


def _pool_geometry(
    x: np.ndarray,
    kernel_shape: Sequence[int],
    strides: Sequence[int] | None,
    dilations: Sequence[int] | None,
    pads: Sequence[int] | None,
    auto_pad: str,
    ceil_mode: int,
) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
    """Strides, dilations, begin pads, end pads (extended so every window fits) and output extents."""
    rank = len(kernel_shape)
    s, d, _ = _spatial_params(rank, strides, dilations, pads)
    p = pool_pads(x.shape[2:], kernel_shape, strides=s, dilations=d, pads=pads, auto_pad=auto_pad)
    out = pool_output_shape(
        x.shape,
        kernel_shape=kernel_shape,
        strides=s,
        dilations=d,
        pads=pads,
        auto_pad=auto_pad,
        ceil_mode=ceil_mode,
    )[2:]
    begins = [int(v) for v in p[:rank]]
    # End padding actually needed by the last window (may be more than pads with ceil_mode, or less).
    ends = [W.span_end(out[i], kernel_shape[i], s[i], d[i]) - x.shape[2 + i] - begins[i] for i in range(rank)]
    return s, d, begins, ends, [int(o) for o in out]


def _taps(
    xp: np.ndarray, kernel_shape: Sequence[int], s: Sequence[int], d: Sequence[int], out: Sequence[int]
) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """Yield, per kernel tap, the strided view of the padded input that the tap reads for every output."""
    for tap in itertools.product(*(range(k) for k in kernel_shape)):
        yield (
            tap,
            xp[
                (
                    slice(None),
                    slice(None),
                    *(slice(t * di, t * di + (o - 1) * si + 1, si) for t, di, si, o in zip(tap, d, s, out)),
                )
            ],
        )


def _lowest(dtype: np.dtype) -> float | int:
    """The padding value of a max reduction for dtype."""
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def max_pool(
    x: np.ndarray,
    *,
    kernel_shape: Sequence[int],
    auto_pad: str = "NOTSET",
    ceil_mode: int = 0,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    storage_order: int = 0,
    strides: Sequence[int] | None = None,
) -> np.ndarray:
    """ONNX MaxPool output Y (padding never wins: pads are -inf); storage_order only affects indices."""
    del storage_order
    s, d, pb, pe, out = _pool_geometry(x, kernel_shape, strides, dilations, pads, auto_pad, ceil_mode)
    xp = _pad_spatial(x, pb, pe, _lowest(x.dtype))
    # A loop over kernel taps (each a whole-tensor maximum) is ~15x faster than reducing a window view.
    y: np.ndarray | None = None
    for _, v in _taps(xp, kernel_shape, s, d, out):
        y = v.copy() if y is None else np.maximum(y, v, out=y)
    assert y is not None
    return y


def max_pool_with_indices(
    x: np.ndarray,
    *,
    kernel_shape: Sequence[int],
    auto_pad: str = "NOTSET",
    ceil_mode: int = 0,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    storage_order: int = 0,
    strides: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ONNX MaxPool outputs (Y, Indices): indices flatten (N, C, *spatial); storage_order=1 is column-major."""
    rank = len(kernel_shape)
    s, d, pb, pe, out = _pool_geometry(x, kernel_shape, strides, dilations, pads, auto_pad, ceil_mode)
    xp = _pad_spatial(x, pb, pe, _lowest(x.dtype))
    y: np.ndarray | None = None
    best = np.zeros((1,) * (2 + rank), dtype=np.int64)
    ktaps = list(itertools.product(*(range(k) for k in kernel_shape)))
    for t, (_, v) in enumerate(_taps(xp, kernel_shape, s, d, out)):
        if y is None:
            y = v.copy()
            best = np.zeros(v.shape, dtype=np.int64)
            continue
        better = v > y  # strict: the first maximum wins, as in onnxruntime
        y = np.where(better, v, y)
        best[better] = t
    assert y is not None
    taps = np.asarray(ktaps, dtype=np.int64).reshape(len(ktaps), rank)
    in_spatial = x.shape[2:]
    flat = np.zeros(best.shape, dtype=np.int64)
    mult = 1
    axes = range(rank - 1, -1, -1) if storage_order == 0 else range(rank)
    for i in axes:
        o = np.arange(out[i], dtype=np.int64).reshape((-1,) + (1,) * (rank - 1 - i))
        coord = o * s[i] - pb[i] + taps[best, i] * d[i]
        flat += coord * mult
        mult *= in_spatial[i]
    nc = np.arange(x.shape[0] * x.shape[1], dtype=np.int64).reshape((x.shape[0], x.shape[1]) + (1,) * rank)
    flat += nc * math.prod(in_spatial)
    return y, flat


def _window_counts(
    in_spatial: Sequence[int],
    kernel_shape: Sequence[int],
    s: Sequence[int],
    d: Sequence[int],
    begins: Sequence[int],
    lo_pad: Sequence[int],
    hi_pad: Sequence[int],
    out: Sequence[int],
) -> np.ndarray:
    """Number of taps of each output window inside [-lo_pad, n + hi_pad) on every axis (an outer product)."""
    rank = len(kernel_shape)
    count = np.ones((1,) * rank, dtype=np.int64)
    for i in range(rank):
        pos = (
            np.arange(out[i])[:, None] * s[i] - begins[i] + np.arange(kernel_shape[i])[None, :] * d[i]
        )  # (out, k) input coordinates
        valid = ((pos >= -lo_pad[i]) & (pos < in_spatial[i] + hi_pad[i])).sum(axis=1)
        count = count * valid.reshape((-1,) + (1,) * (rank - 1 - i))
    return count


def average_pool(
    x: np.ndarray,
    *,
    kernel_shape: Sequence[int],
    auto_pad: str = "NOTSET",
    ceil_mode: int = 0,
    count_include_pad: int = 0,
    dilations: Sequence[int] | None = None,
    pads: Sequence[int] | None = None,
    strides: Sequence[int] | None = None,
) -> np.ndarray:
    """ONNX AveragePool; with count_include_pad the explicit pads count, the ceil_mode overhang never does."""
    rank = len(kernel_shape)
    out_dtype = x.dtype
    cdt = _compute_dtype(x.dtype)
    s, d, pb, pe, out = _pool_geometry(x, kernel_shape, strides, dilations, pads, auto_pad, ceil_mode)
    xp = _pad_spatial(x.astype(cdt, copy=False), pb, pe, 0)
    acc: np.ndarray | None = None
    for _, v in _taps(xp, kernel_shape, s, d, out):
        acc = v.copy() if acc is None else np.add(acc, v, out=acc)
    assert acc is not None
    if count_include_pad:
        explicit = pool_pads(x.shape[2:], kernel_shape, strides=s, dilations=d, pads=pads, auto_pad=auto_pad)
        lo, hi = [int(v) for v in explicit[:rank]], [int(v) for v in explicit[rank:]]
    else:
        lo, hi = [0] * rank, [0] * rank
    count = _window_counts(x.shape[2:], kernel_shape, s, d, pb, lo, hi, out)
    y = acc / np.maximum(count, 1).astype(cdt)
    return y.astype(out_dtype, copy=False)


def lp_pool(
    x: np.ndarray,
    *,
    kernel_shape: Sequence[int],
    auto_pad: str = "NOTSET",
    ceil_mode: int = 0,
    dilations: Sequence[int] | None = None,
    p: int,
    pads: Sequence[int] | None = None,
    strides: Sequence[int] | None = None,
) -> np.ndarray:
    """ONNX LpPool: (sum over the window of |x|^p)^(1/p), zero padding."""
    out_dtype = x.dtype
    cdt = _compute_dtype(x.dtype)
    s, d, pb, pe, out = _pool_geometry(x, kernel_shape, strides, dilations, pads, auto_pad, ceil_mode)
    xp = _pad_spatial(np.abs(x.astype(cdt, copy=False)) ** p, pb, pe, 0)
    acc: np.ndarray | None = None
    for _, v in _taps(xp, kernel_shape, s, d, out):
        acc = v.copy() if acc is None else np.add(acc, v, out=acc)
    assert acc is not None
    return (acc ** (1.0 / p)).astype(out_dtype, copy=False)


def global_average_pool(x: np.ndarray) -> np.ndarray:
    """ONNX GlobalAveragePool: mean over all spatial axes, kept as size-1 dims."""
    cdt = _compute_dtype(x.dtype)
    axes = tuple(range(2, x.ndim))
    return np.mean(x.astype(cdt, copy=False), axis=axes, keepdims=True).astype(x.dtype, copy=False)


def global_max_pool(x: np.ndarray) -> np.ndarray:
    """ONNX GlobalMaxPool: max over all spatial axes, kept as size-1 dims."""
    return np.max(x, axis=tuple(range(2, x.ndim)), keepdims=True)


def global_lp_pool(x: np.ndarray, *, p: int) -> np.ndarray:
    """ONNX GlobalLpPool: p-norm over all spatial axes, kept as size-1 dims."""
    cdt = _compute_dtype(x.dtype)
    a = np.abs(x.astype(cdt, copy=False)) ** p
    return (np.sum(a, axis=tuple(range(2, x.ndim)), keepdims=True) ** (1.0 / p)).astype(x.dtype, copy=False)


# ---------------------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------------------


def lrn(x: np.ndarray, *, size: int, alpha: float, beta: float, bias: float) -> np.ndarray:
    """ONNX LRN across channels: x / (bias + alpha/size * sum of squares over the channel window)^beta."""
    cdt = _compute_dtype(x.dtype)
    xc = x.astype(cdt, copy=False)
    lo = (size - 1) // 2
    hi = size - 1 - lo
    sq = xc * xc
    c = x.shape[1]
    # Window sum over channels [c - lo, c + hi] as a difference of a zero-padded cumulative sum.
    widths = [(0, 0)] * x.ndim
    widths[1] = (lo + 1, hi)
    csum = np.cumsum(np.pad(sq, widths), axis=1, dtype=cdt)
    win = csum[:, size : size + c] - csum[:, 0:c]
    return (xc / (bias + (alpha / size) * win) ** beta).astype(x.dtype, copy=False)


def batch_normalization(
    x: np.ndarray,
    scale: np.ndarray,
    b: np.ndarray,
    input_mean: np.ndarray,
    input_var: np.ndarray,
    *,
    epsilon: float,
) -> np.ndarray:
    """ONNX BatchNormalization in inference mode (per-channel affine with running statistics)."""
    cdt = _compute_dtype(x.dtype)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    inv = (scale.astype(cdt) / np.sqrt(input_var.astype(cdt) + cdt.type(epsilon))).reshape(shape)
    shift = b.astype(cdt).reshape(shape) - input_mean.astype(cdt).reshape(shape) * inv
    return (x.astype(cdt, copy=False) * inv + shift).astype(x.dtype, copy=False)


def instance_normalization(x: np.ndarray, scale: np.ndarray, b: np.ndarray, *, epsilon: float) -> np.ndarray:
    """ONNX InstanceNormalization: normalize each (n, c) over its spatial axes, then scale and shift."""
    cdt = _compute_dtype(x.dtype)
    xc = x.astype(cdt, copy=False)
    axes = tuple(range(2, x.ndim))
    mean = xc.mean(axis=axes, keepdims=True)
    var = ((xc - mean) ** 2).mean(axis=axes, keepdims=True)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (xc - mean) / np.sqrt(var + cdt.type(epsilon)) * scale.astype(cdt).reshape(shape)
    return (y + b.astype(cdt).reshape(shape)).astype(x.dtype, copy=False)


def layer_normalization_with_stats(
    x: np.ndarray,
    scale: np.ndarray,
    b: np.ndarray | None = None,
    *,
    axis: int,
    epsilon: float,
    stash_type: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ONNX LayerNormalization outputs (Y, Mean, InvStdDev); statistics in float32 when stash_type=1."""
    ax = axis + x.ndim if axis < 0 else axis
    stat_dt = np.dtype(np.float64) if x.dtype == np.float64 or stash_type == 11 else np.dtype(np.float32)
    xs = x.astype(stat_dt, copy=False)
    axes = tuple(range(ax, x.ndim))
    mean = xs.mean(axis=axes, keepdims=True)
    var = ((xs - mean) ** 2).mean(axis=axes, keepdims=True)
    inv = 1.0 / np.sqrt(var + stat_dt.type(epsilon))
    y = (xs - mean) * inv * scale.astype(stat_dt, copy=False)
    if b is not None:
        y = y + b.astype(stat_dt, copy=False)
    return y.astype(x.dtype, copy=False), mean, inv


def layer_normalization(
    x: np.ndarray,
    scale: np.ndarray,
    b: np.ndarray | None = None,
    *,
    axis: int,
    epsilon: float,
    stash_type: int,
) -> np.ndarray:
    """ONNX LayerNormalization output Y only."""
    return layer_normalization_with_stats(x, scale, b, axis=axis, epsilon=epsilon, stash_type=stash_type)[0]


# ---------------------------------------------------------------------------------------------------------
# Softmax family
# ---------------------------------------------------------------------------------------------------------


def _as_softmax_2d(x: np.ndarray, axis: int, flatten_to_2d: bool) -> tuple[np.ndarray, int]:
    """View x as the array that softmax reduces over (opset < 13 flattens to 2-D at axis)."""
    ax = axis + x.ndim if axis < 0 else axis
    if not flatten_to_2d:
        return x, ax
    rows = math.prod(x.shape[:ax])
    return x.reshape(rows, -1), 1


def softmax(x: np.ndarray, *, axis: int = -1, flatten_to_2d: bool = False) -> np.ndarray:
    """ONNX Softmax (opset >= 13 along axis; flatten_to_2d=True for opsets 1-11, whose default axis is 1)."""
    v, ax = _as_softmax_2d(x, axis, flatten_to_2d)
    e = np.exp(v - np.max(v, axis=ax, keepdims=True))
    return (e / np.sum(e, axis=ax, keepdims=True)).reshape(x.shape)


def log_softmax(x: np.ndarray, *, axis: int = -1, flatten_to_2d: bool = False) -> np.ndarray:
    """ONNX LogSoftmax (see softmax for flatten_to_2d)."""
    v, ax = _as_softmax_2d(x, axis, flatten_to_2d)
    z = v - np.max(v, axis=ax, keepdims=True)
    return (z - np.log(np.sum(np.exp(z), axis=ax, keepdims=True))).reshape(x.shape)


def hardmax(x: np.ndarray, *, axis: int = -1, flatten_to_2d: bool = False) -> np.ndarray:
    """ONNX Hardmax: one-hot of the first maximum along axis (see softmax for flatten_to_2d)."""
    v, ax = _as_softmax_2d(x, axis, flatten_to_2d)
    idx = np.expand_dims(np.argmax(v, axis=ax), ax)
    y = np.zeros_like(v)
    np.put_along_axis(y, idx, 1, axis=ax)
    return y.reshape(x.shape)


# ---------------------------------------------------------------------------------------------------------
# Matrix products
# ---------------------------------------------------------------------------------------------------------


def gemm(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray | None = None,
    *,
    alpha: float,
    beta: float,
    trans_a: int,
    trans_b: int,
) -> np.ndarray:
    """ONNX Gemm (attributes transA/transB are trans_a/trans_b): alpha * A' @ B' + beta * C."""
    aa = a.T if trans_a else a
    bb = b.T if trans_b else b
    y = np.matmul(aa, bb)
    if alpha != 1.0:
        y = y * y.dtype.type(alpha) if y.dtype.kind == "f" else (y * alpha).astype(a.dtype)
    if c is not None and beta != 0.0:
        cc = c if beta == 1.0 else (c * beta).astype(a.dtype)
        y = y + cc
    return y.astype(a.dtype, copy=False)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ONNX MatMul (numpy.matmul semantics, incl. 1-D promotion and batch broadcasting)."""
    return np.matmul(a, b)

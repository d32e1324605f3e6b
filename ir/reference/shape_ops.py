"""Numpy reference semantics of ONNX data-movement, indexing, resize and reduction operators.

Operands that became inputs in later opsets (Reshape shape, Split split, Slice starts/ends, Pad pads,
Reduce axes, Resize scales/sizes, Squeeze/Unsqueeze axes) are ordinary positional arguments here, so one
function serves every opset: the caller passes the attribute or the input value, whichever the opset has.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "argmax",
    "argmin",
    "concat",
    "constant_of_shape",
    "depth_to_space",
    "expand",
    "flatten",
    "gather",
    "gather_elements",
    "gather_nd",
    "identity",
    "nonzero",
    "pad",
    "range_",
    "reduce_l1",
    "reduce_l2",
    "reduce_log_sum",
    "reduce_log_sum_exp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_sum",
    "reduce_sum_square",
    "reshape",
    "reshape_output_shape",
    "resize",
    "resize_output_shape",
    "shape",
    "size",
    "slice_",
    "space_to_depth",
    "split",
    "squeeze",
    "tile",
    "transpose",
    "unsqueeze",
]

IntList = Sequence[int] | np.ndarray


def _ints(v: IntList | None) -> list[int] | None:
    """A 1-D int sequence (attribute list or int64 tensor) as Python ints; None and empty stay distinct."""
    if v is None:
        return None
    return [int(i) for i in np.asarray(v).reshape(-1)]


def _axis(a: int, rank: int) -> int:
    """Normalize a possibly negative axis."""
    if not -rank <= a < max(rank, 1):
        raise ValueError(f"axis {a} out of range for rank {rank}")
    return a + rank if a < 0 else a


# ---------------------------------------------------------------------------------------------------------
# Shape manipulation
# ---------------------------------------------------------------------------------------------------------


def reshape_output_shape(in_shape: Sequence[int], shape: IntList, *, allowzero: int = 0) -> list[int]:
    """Resolve an ONNX Reshape target (0 copies the input dim unless allowzero, -1 is inferred)."""
    target = _ints(shape) or []
    out = []
    for i, s in enumerate(target):
        if s == 0 and not allowzero:
            out.append(int(in_shape[i]))
        else:
            out.append(s)
    if out.count(-1) > 1:
        raise ValueError(f"reshape: more than one -1 in {target}")
    if -1 in out:
        known = math.prod(v for v in out if v != -1)
        total = math.prod(in_shape)
        out[out.index(-1)] = total // known if known else 0
    return out


def reshape(x: np.ndarray, shape: IntList, *, allowzero: int = 0) -> np.ndarray:
    """ONNX Reshape (opset 5+ shape input; allowzero from opset 14)."""
    return x.reshape(reshape_output_shape(x.shape, shape, allowzero=allowzero)).copy()


def transpose(x: np.ndarray, *, perm: IntList | None = None) -> np.ndarray:
    """ONNX Transpose (default perm reverses the axes)."""
    p = _ints(perm)
    return np.ascontiguousarray(np.transpose(x, p if p else None))


def concat(inputs: Sequence[np.ndarray], *, axis: int) -> np.ndarray:
    """ONNX Concat."""
    return np.concatenate(list(inputs), axis=_axis(axis, inputs[0].ndim))


def split(
    x: np.ndarray, split: IntList | None = None, *, axis: int = 0, num_outputs: int | None = None
) -> list[np.ndarray]:
    """ONNX Split: explicit sizes (attribute <= 11, input >= 13) or num_outputs equal parts (last smaller).

    For opsets < 18 without `split`, pass the node's number of outputs as num_outputs.
    """
    ax = _axis(axis, x.ndim)
    sizes = _ints(split)
    if not sizes:
        if not num_outputs:
            raise ValueError("split: need split sizes or num_outputs")
        n = x.shape[ax]
        chunk = -(-n // num_outputs)
        sizes = [min(chunk, max(0, n - i * chunk)) for i in range(num_outputs)]
    if sum(sizes) != x.shape[ax]:
        raise ValueError(f"split sizes {sizes} do not sum to dim {x.shape[ax]}")
    bounds = np.cumsum(sizes)[:-1]
    return [np.ascontiguousarray(p) for p in np.split(x, bounds, axis=ax)]


def slice_(
    x: np.ndarray,
    starts: IntList,
    ends: IntList,
    axes: IntList | None = None,
    steps: IntList | None = None,
) -> np.ndarray:
    """ONNX Slice (attributes in opset 1, inputs from 10): indices clamped as the spec says."""
    st, en = _ints(starts) or [], _ints(ends) or []
    ax = _ints(axes) or list(range(len(st)))
    sp = _ints(steps) or [1] * len(st)
    index: list[slice] = [slice(None)] * x.ndim
    for s, e, a, step in zip(st, en, ax, sp):
        a = _axis(a, x.ndim)
        dim = x.shape[a]
        if step == 0:
            raise ValueError("slice: step 0")
        s = s + dim if s < 0 else s
        e = e + dim if e < 0 else e
        if step > 0:
            s, e = min(max(s, 0), dim), min(max(e, 0), dim)
            index[a] = slice(s, e, step)
        else:
            s, e = min(max(s, 0), dim - 1), min(max(e, -1), dim - 1)
            index[a] = slice(s, e if e >= 0 else None, step)
    return np.ascontiguousarray(x[tuple(index)])


def flatten(x: np.ndarray, *, axis: int = 1) -> np.ndarray:
    """ONNX Flatten to 2-D at axis (0 <= axis <= rank; negative from opset 11)."""
    ax = axis + x.ndim if axis < 0 else axis
    return x.reshape(math.prod(x.shape[:ax]), math.prod(x.shape[ax:])).copy()


def squeeze(x: np.ndarray, axes: IntList | None = None) -> np.ndarray:
    """ONNX Squeeze (axes attribute <= 11, input >= 13); no axes squeezes every size-1 dim."""
    ax = _ints(axes)
    if not ax:
        return np.squeeze(x).copy() if x.ndim else x.copy()
    norm = tuple(_axis(a, x.ndim) for a in ax)
    return np.squeeze(x, axis=norm).copy()


def unsqueeze(x: np.ndarray, axes: IntList) -> np.ndarray:
    """ONNX Unsqueeze (axes attribute <= 11, input >= 13), axes index the output rank."""
    ax = _ints(axes) or []
    rank = x.ndim + len(ax)
    norm = sorted(_axis(a, rank) for a in ax)
    if len(set(norm)) != len(norm):
        raise ValueError(f"unsqueeze: repeated axes {ax}")
    shape = list(x.shape)
    for a in norm:
        shape.insert(a, 1)
    return x.reshape(shape).copy()


def expand(x: np.ndarray, shape: IntList) -> np.ndarray:
    """ONNX Expand (bidirectional broadcast of x against shape)."""
    target = tuple(_ints(shape) or [])
    out = np.broadcast_shapes(x.shape, target)
    return np.broadcast_to(x, out).copy()


def tile(x: np.ndarray, repeats: IntList) -> np.ndarray:
    """ONNX Tile."""
    return np.tile(x, _ints(repeats) or [])


def pad(
    x: np.ndarray,
    pads: IntList,
    constant_value: np.ndarray | float | int | None = None,
    axes: IntList | None = None,
    *,
    mode: str = "constant",
) -> np.ndarray:
    """ONNX Pad (attributes pads/value in opset 2, inputs from 11, axes from 18; wrap from 19).

    pads is [b_0, b_1, ..., e_0, e_1, ...] over `axes` (default all); negative amounts crop.
    """
    p = _ints(pads) or []
    ax = [_axis(a, x.ndim) for a in (_ints(axes) or list(range(x.ndim)))]
    n = len(ax)
    if len(p) != 2 * n:
        raise ValueError(f"pad: {len(p)} pads for {n} axes")
    begins, ends = [0] * x.ndim, [0] * x.ndim
    for i, a in enumerate(ax):
        begins[a], ends[a] = p[i], p[n + i]
    crop = tuple(
        slice(max(0, -b), x.shape[i] + e if e < 0 else None) for i, (b, e) in enumerate(zip(begins, ends))
    )
    x = x[crop]
    widths = [(max(0, b), max(0, e)) for b, e in zip(begins, ends)]
    if isinstance(mode, bytes):
        mode = mode.decode()
    if mode == "constant":
        v = (
            0
            if constant_value is None or np.size(constant_value) == 0
            else np.asarray(constant_value).flat[0]
        )
        return np.pad(x, widths, mode="constant", constant_values=np.asarray(v).astype(x.dtype))
    if mode in ("reflect", "edge", "wrap"):
        return np.pad(x, widths, mode=mode)
    raise ValueError(f"pad: unknown mode {mode!r}")


def depth_to_space(x: np.ndarray, *, blocksize: int, mode: str = "DCR") -> np.ndarray:
    """ONNX DepthToSpace (mode DCR: depth-column-row, CRD: column-row-depth)."""
    n, c, h, w = x.shape
    b = blocksize
    if mode == "DCR":
        t = x.reshape(n, b, b, c // (b * b), h, w).transpose(0, 3, 4, 1, 5, 2)
    elif mode == "CRD":
        t = x.reshape(n, c // (b * b), b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    else:
        raise ValueError(f"depth_to_space: unknown mode {mode!r}")
    return t.reshape(n, c // (b * b), h * b, w * b).copy()


def space_to_depth(x: np.ndarray, *, blocksize: int) -> np.ndarray:
    """ONNX SpaceToDepth."""
    n, c, h, w = x.shape
    b = blocksize
    t = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
    return t.reshape(n, c * b * b, h // b, w // b).copy()


def identity(x: np.ndarray) -> np.ndarray:
    """ONNX Identity (also Dropout in inference mode)."""
    return np.array(x, copy=True)


def shape(x: np.ndarray, *, start: int = 0, end: int | None = None) -> np.ndarray:
    """ONNX Shape (start/end from opset 15, clamped to the rank)."""
    r = x.ndim
    s = min(max(start + r if start < 0 else start, 0), r)
    e = r if end is None else min(max(end + r if end < 0 else end, 0), r)
    return np.asarray(x.shape[s:e], dtype=np.int64)


def size(x: np.ndarray) -> np.ndarray:
    """ONNX Size (an int64 scalar)."""
    return np.asarray(x.size, dtype=np.int64)


def constant_of_shape(shape: IntList, *, value: np.ndarray | None = None) -> np.ndarray:
    """ONNX ConstantOfShape (value is a one-element tensor; default float32 zero)."""
    v = np.zeros(1, dtype=np.float32) if value is None else np.asarray(value).reshape(-1)
    return np.full(tuple(_ints(shape) or []), v[0], dtype=v.dtype)


def range_(start: np.ndarray, limit: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """ONNX Range: max(ceil((limit - start) / delta), 0) elements start + i * delta."""
    dt = np.asarray(start).dtype
    s, lim, d = (np.asarray(v).item() for v in (start, limit, delta))
    n = max(math.ceil((lim - s) / d), 0)
    return (np.asarray(s, dtype=dt) + np.arange(n, dtype=dt) * np.asarray(d, dtype=dt)).astype(dt)


def nonzero(x: np.ndarray) -> np.ndarray:
    """ONNX NonZero: int64 (rank, count) coordinates in row-major order."""
    if x.ndim == 0:
        x = x.reshape(1)
    return np.asarray(np.nonzero(x), dtype=np.int64).reshape(x.ndim, -1)


# ---------------------------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------------------------


def _norm_indices(indices: np.ndarray, dim: int) -> np.ndarray:
    """Map negative indices into [0, dim); out-of-range indices raise."""
    idx = np.asarray(indices).astype(np.int64, copy=False)
    idx = np.where(idx < 0, idx + dim, idx)
    if idx.size and (idx.min() < 0 or idx.max() >= dim):
        raise IndexError(f"index out of range for dim {dim}")
    return idx


def gather(x: np.ndarray, indices: np.ndarray, *, axis: int = 0) -> np.ndarray:
    """ONNX Gather (negative indices count from the end)."""
    ax = _axis(axis, x.ndim)
    return np.take(x, _norm_indices(indices, x.shape[ax]), axis=ax)


def gather_elements(x: np.ndarray, indices: np.ndarray, *, axis: int = 0) -> np.ndarray:
    """ONNX GatherElements (indices may be smaller than x along every axis)."""
    ax = _axis(axis, x.ndim)
    idx = np.asarray(indices)
    grid = list(np.ogrid[tuple(slice(0, n) for n in idx.shape)])
    grid[ax] = _norm_indices(idx, x.shape[ax])
    return x[tuple(grid)]


def gather_nd(x: np.ndarray, indices: np.ndarray, *, batch_dims: int = 0) -> np.ndarray:
    """ONNX GatherND."""
    b = batch_dims
    idx = np.asarray(indices).astype(np.int64)
    k = idx.shape[-1]
    batch_shape = x.shape[:b]
    nb = math.prod(batch_shape)
    xb = x.reshape((nb,) + x.shape[b:])
    ib = idx.reshape((nb,) + idx.shape[b:])
    coords = [np.arange(nb).reshape((nb,) + (1,) * (ib.ndim - 2))]
    for j in range(k):
        coords.append(_norm_indices(ib[..., j], xb.shape[1 + j]))
    out = xb[tuple(coords)]
    return out.reshape(batch_shape + idx.shape[b:-1] + x.shape[b + k :])


# ---------------------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------------------


def _reduce_axes(x: np.ndarray, axes: IntList | None, noop_with_empty_axes: int) -> tuple[int, ...] | None:
    """Normalized reduction axes; None means 'return x unchanged' (noop_with_empty_axes)."""
    ax = _ints(axes)
    if not ax:
        return None if noop_with_empty_axes else tuple(range(x.ndim))
    return tuple(sorted({_axis(a, x.ndim) for a in ax}))


def _reduce(
    x: np.ndarray,
    axes: IntList | None,
    keepdims: int,
    noop_with_empty_axes: int,
    fn: Any,
    elementwise: Any = None,
) -> np.ndarray:
    """Apply fn(x, axis=..., keepdims=...) over the ONNX reduction axes.

    With noop_with_empty_axes and no axes nothing is reduced, but the op's elementwise part still applies
    (ReduceSumSquare gives x*x, ReduceLogSum log(x)...), as in onnxruntime and the ONNX reference.
    """
    ax = _reduce_axes(x, axes, noop_with_empty_axes)
    if ax is None:
        return x.copy() if elementwise is None else np.asarray(elementwise(x)).astype(x.dtype)
    return np.asarray(fn(x, axis=ax, keepdims=bool(keepdims)))


def _acc(x: np.ndarray) -> np.dtype:
    """Accumulation dtype: float16 sums in float32, everything else in its own type."""
    return np.dtype(np.float32) if x.dtype == np.float16 else x.dtype


def reduce_sum(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceSum (axes attribute before opset 13, input from 13)."""
    return _reduce(
        x, axes, keepdims, noop_with_empty_axes, lambda v, **k: np.sum(v, dtype=_acc(v), **k).astype(v.dtype)
    )


def reduce_mean(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceMean (integer means truncate toward zero)."""

    def f(v: np.ndarray, **k: Any) -> np.ndarray:
        if v.dtype.kind in "iu":
            n = math.prod(v.shape[a] for a in k["axis"])
            s = np.sum(v, dtype=np.int64 if v.dtype.kind == "i" else np.uint64, **k)
            return (np.trunc(s / max(n, 1))).astype(v.dtype)
        with np.errstate(invalid="ignore"):
            return np.mean(v, dtype=_acc(v), **k).astype(v.dtype)

    return _reduce(x, axes, keepdims, noop_with_empty_axes, f)


def _lowest(dt: np.dtype) -> Any:
    """Identity of max over dt."""
    return -np.inf if dt.kind == "f" else (False if dt.kind == "b" else np.iinfo(dt).min)


def _highest(dt: np.dtype) -> Any:
    """Identity of min over dt."""
    return np.inf if dt.kind == "f" else (True if dt.kind == "b" else np.iinfo(dt).max)


def reduce_max(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceMax (an empty reduction gives the dtype's lowest value)."""
    return _reduce(
        x, axes, keepdims, noop_with_empty_axes, lambda v, **k: np.max(v, initial=_lowest(v.dtype), **k)
    )


def reduce_min(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceMin (an empty reduction gives the dtype's highest value)."""
    return _reduce(
        x, axes, keepdims, noop_with_empty_axes, lambda v, **k: np.min(v, initial=_highest(v.dtype), **k)
    )


def reduce_prod(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceProd."""
    return _reduce(
        x, axes, keepdims, noop_with_empty_axes, lambda v, **k: np.prod(v, dtype=_acc(v), **k).astype(v.dtype)
    )


def reduce_l1(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceL1: sum of |x|."""
    return _reduce(
        x,
        axes,
        keepdims,
        noop_with_empty_axes,
        lambda v, **k: np.sum(np.abs(v), dtype=_acc(v), **k).astype(v.dtype),
        np.abs,
    )


def reduce_l2(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceL2: sqrt of the sum of squares (integers computed in float64, then truncated)."""

    def f(v: np.ndarray, **k: Any) -> np.ndarray:
        vf = v.astype(np.float64) if v.dtype.kind in "iub" else v.astype(_acc(v))
        return np.sqrt(np.sum(vf * vf, **k)).astype(v.dtype)

    return _reduce(x, axes, keepdims, noop_with_empty_axes, f, np.abs)


def reduce_sum_square(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceSumSquare."""
    return _reduce(
        x,
        axes,
        keepdims,
        noop_with_empty_axes,
        lambda v, **k: np.sum(v * v, dtype=_acc(v), **k).astype(v.dtype),
        lambda v: v * v,
    )


def reduce_log_sum(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceLogSum: log of the sum."""

    def f(v: np.ndarray, **k: Any) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(np.sum(v, dtype=_acc(v), **k)).astype(v.dtype)

    def elementwise(v: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(v)

    return _reduce(x, axes, keepdims, noop_with_empty_axes, f, elementwise)


def reduce_log_sum_exp(
    x: np.ndarray, axes: IntList | None = None, *, keepdims: int = 1, noop_with_empty_axes: int = 0
) -> np.ndarray:
    """ONNX ReduceLogSumExp, stabilized by the maximum."""

    def f(v: np.ndarray, **k: Any) -> np.ndarray:
        vf = v.astype(_acc(v)) if v.dtype.kind == "f" else v.astype(np.float64)
        m = np.max(vf, axis=k["axis"], keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            s = np.log(np.sum(np.exp(vf - m), axis=k["axis"], keepdims=True)) + m
        if not k["keepdims"]:
            s = np.squeeze(s, axis=k["axis"])
        return s.astype(v.dtype)

    return _reduce(x, axes, keepdims, noop_with_empty_axes, f)


def argmax(x: np.ndarray, *, axis: int = 0, keepdims: int = 1, select_last_index: int = 0) -> np.ndarray:
    """ONNX ArgMax (int64; ties go to the first index unless select_last_index)."""
    ax = _axis(axis, x.ndim)
    if select_last_index:
        idx = x.shape[ax] - 1 - np.argmax(np.flip(x, axis=ax), axis=ax)
    else:
        idx = np.argmax(x, axis=ax)
    idx = idx.astype(np.int64)
    return np.expand_dims(idx, ax) if keepdims else idx


def argmin(x: np.ndarray, *, axis: int = 0, keepdims: int = 1, select_last_index: int = 0) -> np.ndarray:
    """ONNX ArgMin (int64; ties go to the first index unless select_last_index)."""
    ax = _axis(axis, x.ndim)
    if select_last_index:
        idx = x.shape[ax] - 1 - np.argmin(np.flip(x, axis=ax), axis=ax)
    else:
        idx = np.argmin(x, axis=ax)
    idx = idx.astype(np.int64)
    return np.expand_dims(idx, ax) if keepdims else idx


# ---------------------------------------------------------------------------------------------------------
# Resize (onnxruntime's float32 coordinate arithmetic, so nearest-neighbour picks agree exactly)
# ---------------------------------------------------------------------------------------------------------

_F = np.float32


def _present(v: Any) -> bool:
    """An optional input is present when it is not None and not an empty tensor."""
    return v is not None and np.size(v) > 0


def _resize_plan(
    in_shape: Sequence[int],
    scales: Any,
    sizes: Any,
    axes: IntList | None,
    keep_aspect_ratio_policy: str,
) -> tuple[list[int], list[float]]:
    """Output shape and per-axis float32 scales, as onnxruntime derives them."""
    r = len(in_shape)
    ax = [_axis(a, r) for a in (_ints(axes) or list(range(r)))]
    out = list(in_shape)
    sc = [1.0] * r
    if _present(sizes):
        sz = _ints(sizes) or []
        for a, s in zip(ax, sz):
            out[a] = s
            sc[a] = float(_F(s) / _F(in_shape[a]))
        if keep_aspect_ratio_policy in ("not_larger", "not_smaller"):
            pick = min if keep_aspect_ratio_policy == "not_larger" else max
            s = pick(sc[a] for a in ax)
            for a in ax:
                sc[a] = s
                out[a] = int(math.floor(float(_F(s) * _F(in_shape[a])) + 0.5))
        elif keep_aspect_ratio_policy != "stretch":
            raise ValueError(f"resize: unknown keep_aspect_ratio_policy {keep_aspect_ratio_policy!r}")
    elif _present(scales):
        sv = [float(v) for v in np.asarray(scales, dtype=np.float32).reshape(-1)]
        for a, s in zip(ax, sv):
            sc[a] = s
            out[a] = int(math.floor(float(_F(s) * _F(in_shape[a]))))
    else:
        raise ValueError("resize: needs scales or sizes")
    return out, sc


def resize_output_shape(
    in_shape: Sequence[int],
    scales: Any = None,
    sizes: Any = None,
    *,
    axes: IntList | None = None,
    keep_aspect_ratio_policy: str = "stretch",
) -> list[int]:
    """Result shape of Resize for static scales or sizes."""
    return _resize_plan(in_shape, scales, sizes, axes, keep_aspect_ratio_policy)[0]


def _original_coords(ctm: str, n_out: int, n_in: int, scale: float, roi: tuple[float, float]) -> np.ndarray:
    """Input-space coordinate of every output index along one axis (float32, onnxruntime's formulas)."""
    xr = np.arange(n_out, dtype=_F)
    s = _F(scale)
    half = _F(0.5)
    if ctm == "half_pixel":
        return (xr + half) / s - half
    if ctm == "asymmetric":
        return xr / s
    if ctm == "pytorch_half_pixel":
        return (xr + half) / s - half if n_out > 1 else np.zeros(n_out, dtype=_F)
    if ctm == "tf_half_pixel_for_nn":
        return (xr + half) / s
    if ctm == "align_corners":
        if n_out == 1:
            return np.zeros(n_out, dtype=_F)
        return xr * _F(n_in - 1) / _F(n_out - 1)
    if ctm == "half_pixel_symmetric":
        out_w = s * _F(n_in)
        adjustment = _F(n_out) / out_w
        center = _F(n_in) / _F(2)
        offset = center * (_F(1) - adjustment)
        # onnxruntime evaluates this last step in double precision.
        return (offset.astype(np.float64) + (xr.astype(np.float64) + 0.5) / float(s) - 0.5).astype(_F)
    if ctm == "tf_crop_and_resize":
        r0, r1 = _F(roi[0]), _F(roi[1])
        if n_out > 1:
            return r0 * _F(n_in - 1) + (xr * (r1 - r0) * _F(n_in - 1)) / _F(n_out - 1)
        return np.full(n_out, 0.5 * (float(r0) + float(r1)) * (n_in - 1), dtype=_F)
    raise ValueError(f"resize: unknown coordinate_transformation_mode {ctm!r}")


def _nearest_index(xo: np.ndarray, nearest_mode: str, downsampling: bool) -> np.ndarray:
    """Nearest input pixel for coordinates xo (before clamping)."""
    if nearest_mode in ("round_prefer_floor", "round_prefer_ceil"):
        # A coordinate within 1e-6 of a half is a tie (onnxruntime >= 1.2x behaves so; measured), so ties
        # that exact arithmetic would give survive float32 rounding of the scale.
        fl = np.floor(xo)
        tie = np.abs(xo - (fl + _F(0.5))) <= _F(1e-6)
        nearest = np.where(xo - fl < _F(0.5), fl, fl + 1)
        r = np.where(tie, fl if nearest_mode == "round_prefer_floor" else fl + 1, nearest)
        return r.astype(np.int64)
    if nearest_mode == "floor":
        return np.floor(xo).astype(np.int64)
    if nearest_mode == "ceil":
        return np.ceil(xo).astype(np.int64)
    if nearest_mode == "simple":  # opset <= 10 Resize / Upsample in onnxruntime
        return (np.ceil(xo) if downsampling else np.trunc(xo)).astype(np.int64)
    raise ValueError(f"resize: unknown nearest_mode {nearest_mode!r}")


def _cubic_weights(s: np.ndarray, a: float) -> np.ndarray:
    """Keys cubic convolution weights of taps floor(x)-1 .. floor(x)+2 for fractional offsets s."""
    s = s.astype(np.float64)[:, None]
    d = np.concatenate([s + 1, s, 1 - s, 2 - s], axis=1)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, far)


def _antialias_taps(
    xo: np.ndarray, n_in: int, scale: float, mode: str, a: float, exclude_outside: int
) -> tuple[np.ndarray, np.ndarray]:
    """Taps and weights of the antialiased (filter widened by 1/scale) linear or cubic kernel."""
    sc = min(scale, 1.0)
    support = (1.0 if mode == "linear" else 2.0) / sc
    x = xo.astype(np.float64)
    start = np.floor(x - support).astype(np.int64) + 1
    width = int(math.ceil(2 * support)) + 1
    idx = start[:, None] + np.arange(width)[None, :]
    dist = np.abs((idx - x[:, None]) * sc)
    if mode == "linear":
        w = np.clip(1.0 - dist, 0.0, None)
    else:
        w = np.where(
            dist <= 1,
            ((a + 2) * dist - (a + 3)) * dist * dist + 1,
            np.where(dist < 2, ((a * dist - 5 * a) * dist + 8 * a) * dist - 4 * a, 0.0),
        )
    if exclude_outside:
        w = np.where((idx < 0) | (idx >= n_in), 0.0, w)
    total = w.sum(axis=1, keepdims=True)
    return idx, w / np.where(total == 0, 1.0, total)


def _take_axis(x: np.ndarray, idx: np.ndarray, axis: int) -> np.ndarray:
    """x gathered along axis with an index vector."""
    return np.take(x, idx, axis=axis)


def resize(
    x: np.ndarray,
    roi: np.ndarray | None = None,
    scales: np.ndarray | None = None,
    sizes: np.ndarray | None = None,
    *,
    antialias: int = 0,
    axes: IntList | None = None,
    coordinate_transformation_mode: str = "half_pixel",
    cubic_coeff_a: float = -0.75,
    exclude_outside: int = 0,
    extrapolation_value: float = 0.0,
    keep_aspect_ratio_policy: str = "stretch",
    mode: str = "nearest",
    nearest_mode: str = "round_prefer_floor",
) -> np.ndarray:
    """ONNX Resize (opsets 10-19) and Upsample: nearest / n-linear / cubic, separable one axis at a time.

    Opset 10 and Upsample behave as coordinate_transformation_mode='asymmetric' with
    nearest_mode='simple' (onnxruntime: truncate when upsampling, ceil when downsampling).
    """
    ctm = coordinate_transformation_mode
    r = x.ndim
    out_shape, sc = _resize_plan(x.shape, scales, sizes, axes, keep_aspect_ratio_policy)
    ax = [_axis(a, r) for a in (_ints(axes) or list(range(r)))]
    rois = [(0.0, 1.0)] * r
    if _present(roi) and ctm == "tf_crop_and_resize":
        rv = [float(v) for v in np.asarray(roi, dtype=np.float32).reshape(-1)]
        k = len(rv) // 2
        for i, a in enumerate(ax if k == len(ax) else range(r)):
            rois[a] = (rv[i], rv[k + i])
    is_float = x.dtype.kind == "f"
    work = x if (mode == "nearest" or x.dtype == np.float64) else x.astype(np.float64)
    outside = np.zeros((1,) * r, dtype=bool)
    for a in range(r):
        n_in, n_out = x.shape[a], out_shape[a]
        if n_out == n_in and ctm != "tf_crop_and_resize":
            continue  # onnxruntime leaves an axis whose size does not change alone, whatever its scale
        xo = _original_coords(ctm, n_out, n_in, sc[a], rois[a])
        if ctm == "tf_crop_and_resize":
            ext = (xo < 0) | (xo > _F(n_in - 1))
            outside = outside | ext.reshape((1,) * a + (-1,) + (1,) * (r - a - 1))
        if mode == "nearest":
            idx = np.clip(_nearest_index(xo, nearest_mode, sc[a] < 1.0), 0, n_in - 1)
            work = _take_axis(work, idx, a)
            continue
        if antialias and sc[a] < 1.0:
            idx, w = _antialias_taps(xo, n_in, sc[a], mode, cubic_coeff_a, exclude_outside)
        elif mode == "linear":
            xc = np.clip(xo, _F(0), _F(n_in - 1))
            i1 = np.minimum(xc.astype(np.int64), n_in - 1)
            i2 = np.minimum(i1 + 1, n_in - 1)
            d1 = np.abs(xc - i1.astype(_F)).astype(np.float64)
            d2 = np.abs(xc - i2.astype(_F)).astype(np.float64)
            same = i1 == i2
            d1, d2 = np.where(same, 0.5, d1), np.where(same, 0.5, d2)
            idx, w = np.stack([i1, i2], axis=1), np.stack([d2, d1], axis=1)
        elif mode == "cubic":
            fl = np.floor(xo)
            idx = fl.astype(np.int64)[:, None] + np.arange(-1, 3)[None, :]
            w = _cubic_weights(xo - fl, cubic_coeff_a)
            if exclude_outside:
                w = np.where((idx < 0) | (idx >= n_in), 0.0, w)
                w = w / w.sum(axis=1, keepdims=True)
        else:
            raise ValueError(f"resize: unknown mode {mode!r}")
        idx = np.clip(idx, 0, n_in - 1)
        bshape = (1,) * a + (n_out,) + (1,) * (r - a - 1)
        acc = None
        for k in range(idx.shape[1]):
            term = _take_axis(work, idx[:, k], a) * w[:, k].reshape(bshape)
            acc = term if acc is None else acc + term
        assert acc is not None
        work = acc
    if outside.any():
        work = np.where(outside, np.asarray(extrapolation_value, dtype=work.dtype), work)
    if is_float or mode == "nearest":
        return np.ascontiguousarray(work.astype(x.dtype, copy=False))
    info = np.iinfo(x.dtype)
    return np.clip(np.round(work), info.min, info.max).astype(x.dtype)

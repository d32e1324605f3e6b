"""Data-movement graph ops -> tensor ops: reshapes to tensor.reshape_static, transpose, concatenate, constant
slices/splits/pads/gathers to tensor.slice / tensor.pad_constant / tensor.concatenate, expand to
tensor.broadcast, tile to a generic with `mod` indexing; Shape/Size become graph.constant."""

from __future__ import annotations

import numpy as np

from ir.affine import AffineDim, AffineMap
from ir.builder import Builder
from ir.core import Operation, Value
from ir.dialects import tensor as T
from ir.dialects.graph.base import constant_value
from ir.dialects.graph.ops_core import Constant
from ir.errors import UserError
from ir.types import TensorType
from passes.lowering.graph_to_tensor_common import generic, lowers, unsupported


def _const(op: Operation, v: Value | None, what: str) -> np.ndarray | None:
    if v is None:
        return None
    a = constant_value(v)
    if a is None:
        raise unsupported(op, f"input '{what}' is not a constant")
    return np.asarray(a)


def _static(op: Operation, t) -> None:
    if not (isinstance(t, TensorType) and t.has_static_shape):
        raise unsupported(op, f"result type {t} is not a static tensor")


@lowers("graph.reshape", "graph.flatten", "graph.squeeze", "graph.unsqueeze")
def _reshape(b: Builder, op: Operation):
    rt = op.results[0].type
    _static(op, rt)
    x = op.operands[0]
    if x.type == rt:
        return [x]
    return [b.value(T.ReshapeStaticOp, x, result_types=[rt])]


@lowers("graph.transpose")
def _transpose(b: Builder, op: Operation):
    x = op.data
    perm = list(op.perm) if op.perm else list(range(x.type.rank))[::-1]
    if perm == sorted(perm):
        return [x]
    return [b.value(T.TransposeOp, x, perm=perm)]


@lowers("graph.concat")
def _concat(b: Builder, op: Operation):
    ins = [v for v in op.inputs if v.type.num_elements != 0] or list(op.inputs[:1])
    if len(ins) == 1:
        return [ins[0]]
    return [b.value(T.ConcatenateOp, ins, dim=op.axis % ins[0].type.rank)]


def _slice(b: Builder, x: Value, axis: int, start: int, size: int, step: int = 1) -> Value:
    shape = list(x.type.shape)
    offsets, sizes, strides = [0] * len(shape), list(shape), [1] * len(shape)
    offsets[axis], sizes[axis], strides[axis] = start, size, step
    if offsets == [0] * len(shape) and sizes == shape and step == 1:
        return x
    return b.value(T.SliceOp, x, offsets=offsets, sizes=sizes, strides=strides)


@lowers("graph.split")
def _split(b: Builder, op: Operation):
    x = op.input
    axis = op.axis % x.type.rank
    outs, start = [], 0
    for r in op.results:
        n = r.type.shape[axis]
        outs.append(_slice(b, x, axis, start, n))
        start += n
    return outs


@lowers("graph.slice")
def _slice_op(b: Builder, op: Operation):
    x = op.data
    shape = x.type.shape
    starts = _const(op, op.starts, "starts").reshape(-1)
    ends = _const(op, op.ends, "ends").reshape(-1)
    axes = _const(op, op.axes, "axes")
    axes = list(range(len(starts))) if axes is None else [int(a) % len(shape) for a in axes.reshape(-1)]
    steps = _const(op, op.steps, "steps")
    steps = [1] * len(starts) if steps is None else [int(s) for s in steps.reshape(-1)]
    offsets, sizes, strides = [0] * len(shape), list(shape), [1] * len(shape)
    for a, s0, e0, st in zip(axes, starts, ends, steps):
        idx = range(*slice(int(s0), int(e0), st).indices(shape[a]))
        offsets[a], sizes[a], strides[a] = (idx.start if len(idx) else 0), len(idx), st
    if list(op.output.type.shape) != sizes:
        raise unsupported(op, f"slice gives {sizes}, result type says {op.output.type}")
    if offsets == [0] * len(shape) and sizes == list(shape) and strides == [1] * len(shape):
        return [x]
    return [b.value(T.SliceOp, x, offsets=offsets, sizes=sizes, strides=strides)]


@lowers("graph.pad")
def _pad(b: Builder, op: Operation):
    x = op.data
    rank = x.type.rank
    pads = [int(p) for p in _const(op, op.pads, "pads").reshape(-1)]
    axes = _const(op, op.axes, "axes")
    axes = list(range(rank)) if axes is None else [int(a) % rank for a in axes.reshape(-1)]
    lo, hi = [0] * rank, [0] * rank
    for i, a in enumerate(axes):
        lo[a], hi[a] = pads[i], pads[len(axes) + i]
    if op.mode != "constant":
        return [_pad_by_slices(b, op, x, lo, hi)]
    value = _const(op, op.constant_value, "constant_value")
    value = 0.0 if value is None or value.size == 0 else float(value.reshape(-1)[0])
    for a in range(rank):  # negative pads crop
        if lo[a] < 0 or hi[a] < 0:
            n = x.type.shape[a]
            x = _slice(b, x, a, max(-lo[a], 0), n - max(-lo[a], 0) - max(-hi[a], 0))
            lo[a], hi[a] = max(lo[a], 0), max(hi[a], 0)
    if not any(lo) and not any(hi):
        return [x]
    return [b.value(T.PadConstantOp, x, low=lo, high=hi, value=value)]


def _pad_by_slices(b: Builder, op: Operation, x: Value, lo: list[int], hi: list[int]) -> Value:
    """reflect / edge / wrap padding as a concatenation of (reversed) slices per axis."""
    for a in range(x.type.rank):
        if lo[a] < 0 or hi[a] < 0:
            raise unsupported(op, f"negative pads with mode '{op.mode}'")
        if not lo[a] and not hi[a]:
            continue
        n = x.type.shape[a]
        if op.mode == "reflect":
            if max(lo[a], hi[a]) > n - 1:
                raise unsupported(op, "reflect pads larger than the dimension minus one")
            left = [_slice(b, x, a, lo[a], lo[a], -1)] if lo[a] else []
            right = [_slice(b, x, a, n - 2, hi[a], -1)] if hi[a] else []
        elif op.mode == "edge":
            left = [_slice(b, x, a, 0, 1)] * lo[a]
            right = [_slice(b, x, a, n - 1, 1)] * hi[a]
        else:  # wrap
            if max(lo[a], hi[a]) > n:
                raise unsupported(op, "wrap pads larger than the dimension")
            left = [_slice(b, x, a, n - lo[a], lo[a])] if lo[a] else []
            right = [_slice(b, x, a, 0, hi[a])] if hi[a] else []
        x = b.value(T.ConcatenateOp, [*left, x, *right], dim=a)
    return x


@lowers("graph.expand")
def _expand(b: Builder, op: Operation):
    x, rt = op.input, op.output.type
    _static(op, rt)
    if x.type == rt:
        return [x]
    if x.type.rank > rt.rank:
        raise unsupported(op, "expand to a lower rank")
    dims = list(range(rt.rank - x.type.rank, rt.rank))
    return [b.value(T.BroadcastOp, x, dims=dims, result_types=[rt])]


@lowers("graph.tile")
def _tile(b: Builder, op: Operation):
    x, rt = op.input, op.output.type
    _static(op, rt)
    rank = rt.rank
    exprs = tuple(
        AffineDim(i) if n == o else AffineDim(i) % n for i, (n, o) in enumerate(zip(x.type.shape, rt.shape))
    )
    return [generic(b, [x], rt, lambda s, v: v, maps=[AffineMap(rank, 0, exprs)])]


@lowers("graph.gather")
def _gather(b: Builder, op: Operation):
    """Constant indices: runs of an arithmetic progression become strided slices, concatenated."""
    x = op.data
    idx = _const(op, op.indices, "indices").astype(np.int64)
    axis = op.axis % x.type.rank
    n = x.type.shape[axis]
    bad = [int(i) for i in idx.reshape(-1) if not -n <= int(i) < n]
    if bad:  # ONNX (and onnxruntime) refuse these; wrapping them would be a silent wrong answer
        nodes = ", ".join(repr(p) for p in op.provenance) or "(no ONNX node recorded)"
        raise UserError(
            f"Gather (ONNX node {nodes}): index {bad[0]} is out of range for axis {axis} of size {n} "
            f"(valid: {-n} to {n - 1})"
        )
    flat = [int(i) % n for i in idx.reshape(-1)]  # negative indices count from the end
    pieces: list[Value] = []
    i = 0
    while i < len(flat):
        j = i + 1
        step = flat[j] - flat[i] if j < len(flat) and flat[j] != flat[i] else 1
        while j < len(flat) and flat[j] - flat[j - 1] == step:
            j += 1
        pieces.append(_slice(b, x, axis, flat[i], j - i, step))
        i = j
    if not pieces:
        raise unsupported(op, "empty indices")
    y = pieces[0] if len(pieces) == 1 else b.value(T.ConcatenateOp, pieces, dim=axis)
    rt = op.output.type
    if y.type != rt:
        y = b.value(T.ReshapeStaticOp, y, result_types=[rt])
    return [y]


def _rearrange(b: Builder, x: Value, shape1, perm, rt) -> Value:
    t1 = x.type.with_shape(tuple(shape1))
    v = b.value(T.ReshapeStaticOp, x, result_types=[t1])
    v = b.value(T.TransposeOp, v, perm=perm)
    return b.value(T.ReshapeStaticOp, v, result_types=[rt])


@lowers("graph.depth_to_space")
def _depth_to_space(b: Builder, op: Operation):
    x, rt = op.input, op.output.type
    n, c, h, w = x.type.shape
    k = op.blocksize
    if op.mode == "DCR":
        return [_rearrange(b, x, (n, k, k, c // (k * k), h, w), [0, 3, 4, 1, 5, 2], rt)]
    return [_rearrange(b, x, (n, c // (k * k), k, k, h, w), [0, 1, 4, 2, 5, 3], rt)]


@lowers("graph.space_to_depth")
def _space_to_depth(b: Builder, op: Operation):
    x, rt = op.input, op.output.type
    n, c, h, w = x.type.shape
    k = op.blocksize
    return [_rearrange(b, x, (n, c, h // k, k, w // k, k), [0, 3, 5, 1, 2, 4], rt)]


@lowers("graph.shape", "graph.size")
def _shape(b: Builder, op: Operation):
    x = op.data
    if not x.type.has_static_shape:
        raise unsupported(op, "the input shape is dynamic")
    return [b.value(Constant, value=np.asarray(op.evaluate(np.empty(x.type.shape, np.float32))))]


@lowers("graph.constant_of_shape")
def _constant_of_shape(b: Builder, op: Operation):
    """A constant shape input: the result is a splat graph.constant (bufferize clones splats into kernels)."""
    shape = _const(op, op.input, "input")
    _static(op, op.results[0].type)
    return [b.value(Constant, value=np.asarray(op.evaluate(shape)))]

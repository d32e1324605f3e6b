"""Neural-network graph ops -> tensor ops: conv/gemm/matmul to named ops plus epilogue generics, pools to
tensor.pool (ceil_mode as extra high padding), global pools and reductions to tensor.reduce, softmax and
normalizations to reductions plus generics, LRN to a windowed channel sum."""

from __future__ import annotations

import numpy as np

from ir import reference as ref
from ir.affine import AffineDim, AffineMap
from ir.builder import Builder
from ir.core import Operation, Value
from ir.dialects import tensor as T
from ir.dialects.graph.base import constant_value, required_constant, to_dims
from ir.dialects.graph.ops_core import Constant
from ir.errors import UnsupportedError
from ir.scalar_arith import ArithScalar
from ir.types import FloatType, TensorType, element_type
from ir.window import span_end
from passes.lowering.graph_to_tensor_common import (
    broadcast_map,
    check_elem,
    generic,
    lowers,
    splat,
    unsupported,
)


def _reduce(b: Builder, x: Value, kind: str, axes, keepdims: bool) -> Value:
    return b.value(T.ReduceOp, x, kind=kind, axes=sorted(axes), keepdims=keepdims)


def _channel_map(rank: int) -> AffineMap:
    return AffineMap(rank, 0, (AffineDim(1),))


def _need_float(op: Operation, v: Value) -> None:
    if not isinstance(element_type(v.type), FloatType):
        raise unsupported(op, f"non-float operand {v.type}")


# ----------------------------------------------------------------------------- conv, gemm, matmul


@lowers("graph.conv")
def _conv(b: Builder, op: Operation):
    x, w = op.X, op.W
    check_elem(op, x.type)
    r = x.type.rank - 2
    kshape = list(w.type.shape[2:])
    pads = ref.conv_pads(
        to_dims(x.type.shape[2:]),
        kshape,
        strides=op.strides,
        dilations=op.dilations,
        pads=op.pads,
        auto_pad=op.auto_pad,
    )
    if any(p is None for p in pads):
        raise unsupported(op, "padding depends on a dynamic input size")
    y = b.value(
        T.ConvOp,
        x,
        w,
        strides=list(op.strides or [1] * r),
        dilations=list(op.dilations or [1] * r),
        pads=[int(p) for p in pads],
        group=op.group,
    )
    if op.B is None:
        return [y]
    rank = y.type.rank
    maps = [AffineMap.identity(rank), _channel_map(rank)]
    return [generic(b, [y, op.B], y.type, lambda s, a, c: s.add(a, c), maps=maps)]


def _transpose2(b: Builder, v: Value) -> Value:
    """v^T; a constant (a weight) is transposed at compile time into a new graph.constant."""
    arr = constant_value(v)
    if arr is not None:
        return b.value(Constant, value=np.ascontiguousarray(np.asarray(arr).T))
    return b.value(T.TransposeOp, v, perm=[1, 0])


@lowers("graph.gemm")
def _gemm(b: Builder, op: Operation):
    a, bb = op.A, op.B
    check_elem(op, a.type)
    if op.transA:
        a = _transpose2(b, a)
    if op.transB:
        bb = _transpose2(b, bb)
    y = b.value(T.MatmulOp, a, bb)
    alpha, beta = op.alpha, op.beta
    c = op.C if op.C is not None and beta != 0.0 else None
    if alpha == 1.0 and c is None:
        return [y]

    def body(s: ArithScalar, v, *cs):
        if alpha != 1.0:
            v = s.mul(v, s.like(alpha, v))
        if cs:
            cc = cs[0] if beta == 1.0 else s.mul(cs[0], s.like(beta, cs[0]))
            v = s.add(v, cc)
        return v

    return [generic(b, [y] + ([c] if c is not None else []), op.Y.type, body)]


@lowers("graph.matmul")
def _matmul(b: Builder, op: Operation):
    a, bb = op.A, op.B
    check_elem(op, a.type)
    at, bt = a.type, bb.type
    if at.rank == 1:
        a = b.value(T.ReshapeStaticOp, a, result_types=[at.with_shape((1, at.shape[0]))])
    if bt.rank == 1:
        bb = b.value(T.ReshapeStaticOp, bb, result_types=[bt.with_shape((bt.shape[0], 1))])
    y = b.value(T.MatmulOp, a, bb)
    if y.type != op.Y.type:
        y = b.value(T.ReshapeStaticOp, y, result_types=[op.Y.type])
    return [y]


# ----------------------------------------------------------------------------- pools


def _pool_geometry(op: Operation):
    """(strides, dilations, begin pads, end pads actually used by the last window) of a pool op."""
    x = op.X.type
    k = list(op.kernel_shape)
    r = len(k)
    s = list(op.strides or [1] * r)
    d = list(op.dilations or [1] * r)
    pb = ref.pool_pads(to_dims(x.shape[2:]), k, strides=s, dilations=d, pads=op.pads, auto_pad=op.auto_pad)
    if any(p is None for p in pb):
        raise unsupported(op, "padding depends on a dynamic input size")
    out = op.Y.type.shape[2:]
    begins = [int(p) for p in pb[:r]]
    ends = [span_end(out[i], k[i], s[i], d[i]) - x.shape[2 + i] - begins[i] for i in range(r)]
    return s, d, begins, ends, [int(p) for p in pb[r:]]


def _trim(b: Builder, x: Value, ends: list[int]) -> tuple[Value, list[int]]:
    """Slices off trailing spatial elements no window reads (negative end pads)."""
    if min(ends) >= 0:
        return x, ends
    r = len(ends)
    shape = list(x.type.shape)
    sizes = shape[:-r] + [n + min(e, 0) for n, e in zip(shape[-r:], ends)]
    x = b.value(T.SliceOp, x, offsets=[0] * len(shape), sizes=sizes, strides=[1] * len(shape))
    return x, [max(e, 0) for e in ends]


def _pool(b: Builder, op: Operation, kind: str):
    x = op.X
    check_elem(op, x.type)
    s, d, begins, ends, explicit_hi = _pool_geometry(op)
    r = len(begins)
    include = kind == "avg" and bool(op.count_include_pad) and (any(begins) or any(explicit_hi))
    if include:  # explicit pads count in the average, the ceil_mode overhang does not: pad them for real
        lead = [0] * (x.type.rank - r)
        x = b.value(T.PadConstantOp, x, low=lead + begins, high=lead + explicit_hi, value=0.0)
        ends = [e - h for e, h in zip(ends, explicit_hi)]
        begins = [0] * r
    x, ends = _trim(b, x, ends)
    y = b.value(
        T.PoolOp,
        x,
        kind=kind,
        kernel=list(op.kernel_shape),
        strides=s,
        dilations=d,
        pads=begins + ends,
        count_include_pad=False,
    )
    if y.type != op.Y.type:
        raise unsupported(op, f"pool geometry gives {y.type}, expected {op.Y.type}")
    return [y]


@lowers("graph.max_pool")
def _max_pool(b: Builder, op: Operation):
    if len(op.results) > 1:
        raise unsupported(op, "the Indices result")
    return _pool(b, op, "max")


@lowers("graph.average_pool")
def _avg_pool(b: Builder, op: Operation):
    _need_float(op, op.X)
    return _pool(b, op, "avg")


@lowers("graph.global_average_pool", "graph.global_max_pool")
def _global_pool(b: Builder, op: Operation):
    x = op.X
    kind = "mean" if op.name == "graph.global_average_pool" else "max"
    return [_reduce(b, x, kind, range(2, x.type.rank), True)]


# ----------------------------------------------------------------------------- normalization


@lowers("graph.lrn")
def _lrn(b: Builder, op: Operation):
    """sq = x*x; win = sum of sq over channels [c-lo, c+hi] (pad + windowed reduction generic);
    y = x / (bias + alpha/size * win) ** beta."""
    x = op.X
    _need_float(op, x)
    t = x.type
    rank, size = t.rank, op.size
    lo, hi = (size - 1) // 2, size - 1 - ((size - 1) // 2)
    sq = generic(b, [x], t, lambda s, v: s.mul(v, v))
    low, high = [0] * rank, [0] * rank
    low[1], high[1] = lo, hi
    padded = b.value(T.PadConstantOp, sq, low=low, high=high, value=0.0)
    window = b.value(T.EmptyOp, result_types=[TensorType((size,), t.element_type)])
    init = splat(b, 0.0, t)
    nd = rank + 1
    k = AffineDim(rank)
    in_map = AffineMap(nd, 0, tuple(AffineDim(i) + k if i == 1 else AffineDim(i) for i in range(rank)))
    maps = [in_map, AffineMap(nd, 0, (k,)), AffineMap(nd, 0, tuple(AffineDim(i) for i in range(rank)))]
    g = T.GenericOp.create(
        [padded, window],
        [init],
        maps,
        ["parallel"] * rank + ["reduction"],
        lambda emit, v, _w, acc: [ArithScalar(emit).add(acc, v)],
        b.provenance,
    )
    b.insert(g)
    win = g.results[0]
    alpha, beta, bias = op.alpha / size, op.beta, op.bias

    def body(s: ArithScalar, v, w):
        base = s.add(s.like(bias, w), s.mul(s.like(alpha, w), w))
        return s.div(v, s.fn("powf", base, s.like(beta, w)))

    return [generic(b, [x, win], t, body)]


@lowers("graph.batch_normalization")
def _batch_norm(b: Builder, op: Operation):
    x = op.X
    _need_float(op, x)
    rank = x.type.rank
    eps = op.epsilon
    cm = _channel_map(rank)

    def body(s: ArithScalar, v, scale, bias, mean, var):
        inv = s.div(scale, s.fn("sqrt", s.add(var, s.like(eps, var))))
        shift = s.sub(bias, s.mul(mean, inv))
        return s.add(s.mul(v, inv), shift)

    ins = [x, op.scale, op.B, op.input_mean, op.input_var]
    return [generic(b, ins, x.type, body, maps=[AffineMap.identity(rank)] + [cm] * 4)]


def _normalize(b: Builder, x: Value, axes, eps: float, affine: list[Value], affine_maps) -> Value:
    """(x - mean) / sqrt(var + eps) [* scale + bias] with mean/var over `axes` (biased variance)."""
    t = x.type
    mean = _reduce(b, x, "mean", axes, True)
    sq = generic(b, [x, mean], t, lambda s, v, m: s.mul(s.sub(v, m), s.sub(v, m)))
    var = _reduce(b, sq, "mean", axes, True)
    ident = AffineMap.identity(t.rank)

    def body(s: ArithScalar, v, m, va, *aff):
        y = s.div(s.sub(v, m), s.fn("sqrt", s.add(va, s.like(eps, va))))
        if aff:
            y = s.mul(y, aff[0])
        if len(aff) > 1:
            y = s.add(y, aff[1])
        return y

    maps = [ident, broadcast_map(mean.type, t.shape), broadcast_map(var.type, t.shape), *affine_maps]
    return generic(b, [x, mean, var, *affine], t, body, maps=maps)


@lowers("graph.instance_normalization")
def _instance_norm(b: Builder, op: Operation):
    x = op.input
    _need_float(op, x)
    rank = x.type.rank
    cm = _channel_map(rank)
    return [_normalize(b, x, range(2, rank), op.epsilon, [op.scale, op.B], [cm, cm])]


@lowers("graph.layer_normalization")
def _layer_norm(b: Builder, op: Operation):
    x = op.X
    _need_float(op, x)
    if len(op.results) > 1:
        raise unsupported(op, "the Mean/InvStdDev results")
    rank = x.type.rank
    axis = op.axis % rank
    aff = [v for v in (op.Scale, op.B) if v is not None]
    maps = [broadcast_map(v.type, x.type.shape) for v in aff]
    return [_normalize(b, x, range(axis, rank), op.epsilon, aff, maps)]


# ----------------------------------------------------------------------------- softmax


@lowers("graph.softmax", "graph.log_softmax")
def _softmax(b: Builder, op: Operation):
    x = op.input
    _need_float(op, x)
    t = x.type
    axis = op.axis % t.rank
    m = _reduce(b, x, "max", [axis], True)
    if op.name == "graph.softmax":
        e = generic(b, [x, m], t, lambda s, v, mx: s.fn("exp", s.sub(v, mx)))
        total = _reduce(b, e, "sum", [axis], True)
        return [generic(b, [e, total], t, lambda s, v, tot: s.div(v, tot))]
    z = generic(b, [x, m], t, lambda s, v, mx: s.sub(v, mx))
    e = generic(b, [z], t, lambda s, v: s.fn("exp", v))
    total = _reduce(b, e, "sum", [axis], True)
    return [generic(b, [z, total], t, lambda s, v, tot: s.sub(v, s.fn("log", tot)))]


# ----------------------------------------------------------------------------- reductions


def _axes(op: Operation) -> list[int] | None:
    x = op.data.type
    axes = (
        [] if op.axes is None else [int(a) for a in np.asarray(required_constant(op.name, "axes", op.axes))]
    )
    if not axes:
        return None if op.noop_with_empty_axes else list(range(x.rank))
    return sorted({a % x.rank for a in axes})


_SIMPLE = {
    "graph.reduce_sum": "sum",
    "graph.reduce_mean": "mean",
    "graph.reduce_max": "max",
    "graph.reduce_min": "min",
    "graph.reduce_prod": "prod",
}


@lowers(*_SIMPLE, "graph.reduce_l1", "graph.reduce_l2", "graph.reduce_sum_square", "graph.reduce_log_sum")
def _reduction(b: Builder, op: Operation):
    x = op.data
    check_elem(op, x.type)
    try:
        axes = _axes(op)
    except UnsupportedError as e:
        raise unsupported(op, str(e)) from None
    if axes is None:
        if op.name in _SIMPLE:
            return [x]
        raise unsupported(op, "noop_with_empty_axes with no axes")
    keep = bool(op.keepdims)
    if op.name in _SIMPLE:
        return [_reduce(b, x, _SIMPLE[op.name], axes, keep)]
    t = x.type
    if op.name != "graph.reduce_l1":
        _need_float(op, x)
    if op.name == "graph.reduce_l1":
        x = generic(b, [x], t, lambda s, v: s.abs(v))
    elif op.name in ("graph.reduce_l2", "graph.reduce_sum_square"):
        x = generic(b, [x], t, lambda s, v: s.mul(v, v))
    y = _reduce(b, x, "sum", axes, keep)
    if op.name == "graph.reduce_l2":
        y = generic(b, [y], y.type, lambda s, v: s.fn("sqrt", v))
    elif op.name == "graph.reduce_log_sum":
        y = generic(b, [y], y.type, lambda s, v: s.fn("log", v))
    return [y]


@lowers("graph.reduce_log_sum_exp")
def _log_sum_exp(b: Builder, op: Operation):
    x = op.data
    _need_float(op, x)
    axes = _axes(op)
    if axes is None:
        raise unsupported(op, "noop_with_empty_axes with no axes")
    t = x.type
    m = _reduce(b, x, "max", axes, True)
    e = generic(b, [x, m], t, lambda s, v, mx: s.fn("exp", s.sub(v, mx)))
    total = _reduce(b, e, "sum", axes, True)
    y = generic(b, [total, m], total.type, lambda s, v, mx: s.add(s.fn("log", v), mx))
    if y.type != op.reduced.type:
        y = b.value(T.ReshapeStaticOp, y, result_types=[op.reduced.type])
    return [y]

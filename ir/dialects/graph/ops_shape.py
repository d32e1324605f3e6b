"""Shape, indexing and reduction graph ops: Reshape, Transpose, Concat, Split, Slice, Gather, Pad, ...

One class per ONNX operator with ONNX's input names, attribute names and defaults (newest opset: shape
arguments such as Reshape's shape, Slice's starts, Reduce's axes are inputs; the importer turns older
attribute forms into constant inputs). Result shapes that depend on an input's value are inferred when
that input is a graph.constant, and raise UnsupportedError otherwise.
"""

from __future__ import annotations

import math

import numpy as np

from ir import reference as ref
from ir.attributes import DenseElementsAttr
from ir.dialects.graph.base import GraphOp, constant_value, required_constant
from ir.errors import UnsupportedError
from ir.opdef import DENSE, INT, INTS, STR, Pure, attr, enum, operand, result
from ir.shapes import broadcast_shapes
from ir.types import DYNAMIC, IntegerType, ShapedType, TensorType, Type, f32, i64


def _tensor(shape, elem: Type) -> TensorType:
    return TensorType(tuple(int(d) for d in shape), elem)


def _rank(t: Type) -> int:
    return t.rank if isinstance(t, ShapedType) else 0


def _ints(arr) -> list[int]:
    return [int(v) for v in np.asarray(arr).reshape(-1)]


def _norm_axis(op_name: str, a: int, rank: int) -> int:
    if not -rank <= a < max(rank, 1):
        raise ValueError(f"'{op_name}': axis {a} is out of range for rank {rank}")
    return a + rank if a < 0 else a


def _const_ints(cls, operands, properties, name: str, required: bool = True) -> list[int] | None:
    """The int values of the named operand (None when absent); UnsupportedError when not constant."""
    v = cls.named_operands(operands, properties)[name]
    if v is None:
        if required:
            raise TypeError(f"{cls.name}: missing operand '{name}'")
        return None
    return _ints(required_constant(cls.name, name, v))


def _check_int_operand(op: GraphOp, name: str, one_d: bool = True) -> None:
    """Raises unless the named operand (when present) is an i32/i64 tensor (1-D when `one_d`)."""
    v = getattr(op, name)
    if v is None:
        return
    t = v.type
    if (
        not isinstance(t, ShapedType)
        or not isinstance(t.element_type, IntegerType)
        or t.element_type.width < 32
    ):
        raise op.error(f"'{name}' must be an i32 or i64 tensor, got {t}")
    if one_d and t.rank != 1:
        raise op.error(f"'{name}' must be 1-D, got {t}")


# ----------------------------------------------------------------------------- reshaping


class Reshape(GraphOp):
    """Reshapes `data` to `shape` (0 copies the input dim unless allowzero=1; one -1 is inferred)."""

    name, onnx = "graph.reshape", "Reshape"
    traits = (Pure,)
    data = operand()
    shape = operand()
    reshaped = result()
    allowzero = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        target = _const_ints(cls, operands, properties, "shape")
        allowzero = cls.prop(properties, "allowzero")
        out = []
        for i, s in enumerate(target):
            if s == 0 and not allowzero:
                if i >= x.rank:
                    raise ValueError(f"'{cls.name}': shape {target} copies dim {i} of a rank-{x.rank} input")
                out.append(x.shape[i])
            else:
                out.append(s)
        if sum(1 for i, s in enumerate(target) if s == -1) > 1:
            raise ValueError(f"'{cls.name}': more than one -1 in shape {target}")
        if -1 in target:
            k = target.index(-1)
            # dims copied by a 0 cancel out, so (?, 3, 4) -> [0, -1] still gives (?, 12)
            copied = {j for j, t in enumerate(target) if t == 0 and not allowzero}
            rest = [d for j, d in enumerate(out) if j != k and j not in copied]
            inner = [d for j, d in enumerate(x.shape) if j not in copied]
            if DYNAMIC not in inner and DYNAMIC not in rest:
                known, total = math.prod(rest), math.prod(inner)
                if known == 0 or total % known:
                    raise ValueError(f"'{cls.name}': cannot reshape {x} to {target}")
                out[k] = total // known
            else:
                out[k] = DYNAMIC
        elif x.has_static_shape and DYNAMIC not in out and math.prod(out) != math.prod(x.shape):
            raise ValueError(
                f"'{cls.name}': cannot reshape {x} ({math.prod(x.shape)} elements) to {out} ({math.prod(out)})"
            )
        return [_tensor(out, x.element_type)]

    def evaluate(self, x, shape):
        return ref.reshape(x, shape, allowzero=self.allowzero)

    def verify_(self) -> None:
        _check_int_operand(self, "shape")
        super().verify_()


class Transpose(GraphOp):
    """Permutes the dims (default: reversed)."""

    name, onnx = "graph.transpose", "Transpose"
    traits = (Pure,)
    data = operand()
    transposed = result()
    perm = attr(INTS, default=None)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        perm = cls.prop(properties, "perm") or list(range(x.rank))[::-1]
        if sorted(perm) != list(range(x.rank)):
            raise ValueError(f"perm {perm} is not a permutation of the {x.rank} dims")
        return [_tensor([x.shape[p] for p in perm], x.element_type)]

    def evaluate(self, x):
        return ref.transpose(x, perm=self.perm)


class Concat(GraphOp):
    """Joins `inputs` along `axis`; the other dims must match."""

    name, onnx = "graph.concat", "Concat"
    traits = (Pure,)
    inputs = operand(variadic=True)
    concat_result = result()
    axis = attr(INT)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        first = operand_types[0]
        ax = _norm_axis(cls.name, cls.prop(properties, "axis"), first.rank)
        out = list(first.shape)
        for i, t in enumerate(operand_types[1:], 1):
            if t.rank != first.rank:
                raise ValueError(f"input #{i} has rank {t.rank}, input #0 has rank {first.rank}")
            for d in range(first.rank):
                if d == ax:
                    out[d] = DYNAMIC if DYNAMIC in (out[d], t.shape[d]) else out[d] + t.shape[d]
                elif out[d] == DYNAMIC:
                    out[d] = t.shape[d]
                elif t.shape[d] not in (DYNAMIC, out[d]):
                    raise ValueError(
                        f"input #{i} has dim {d} = {t.shape[d]}, but input #0 has {out[d]} (concat axis is {ax})"
                    )
        return [_tensor(out, first.element_type)]

    def evaluate(self, *xs):
        return ref.concat(xs, axis=self.axis)

    def verify_(self) -> None:
        if not self.operands:
            raise self.error("needs at least one input")
        elems = {str(v.type.element_type) for v in self.operands}
        if len(elems) > 1:
            raise self.error(f"inputs must have one element type, got {', '.join(sorted(elems))}")
        super().verify_()


class Split(GraphOp):
    """Splits `input` along `axis` by the `split` sizes, or into `num_outputs` parts (last one smaller)."""

    name, onnx = "graph.split", "Split"
    traits = (Pure,)
    input = operand()
    split = operand(optional=True)
    outputs = result(variadic=True)
    axis = attr(INT, default=0)
    num_outputs = attr(INT, default=None)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        ax = _norm_axis(cls.name, cls.prop(properties, "axis"), x.rank)
        sizes = _const_ints(cls, operands, properties, "split", required=False)
        n = cls.prop(properties, "num_outputs")
        dim = x.shape[ax]
        if not sizes:
            if not n:
                raise UnsupportedError(f"'{cls.name}': needs a 'split' input or the num_outputs attribute")
            if dim == DYNAMIC:
                sizes = [DYNAMIC] * n
            else:
                chunk = -(-dim // n)
                sizes = [min(chunk, max(0, dim - i * chunk)) for i in range(n)]
        elif dim != DYNAMIC and sum(sizes) != dim:
            raise ValueError(f"split sizes {sizes} sum to {sum(sizes)}, but dim {ax} is {dim}")
        return [_tensor(x.shape[:ax] + (s,) + x.shape[ax + 1 :], x.element_type) for s in sizes]

    def evaluate(self, x, split=None):
        return tuple(ref.split(x, split, axis=self.axis, num_outputs=self.num_outputs or len(self.results)))

    def verify_(self) -> None:
        if not self.results:
            raise self.error("needs at least one result")
        if self.num_outputs is not None and self.num_outputs != len(self.results):
            raise self.error(f"num_outputs is {self.num_outputs}, but the op has {len(self.results)} results")
        if self.split is not None and self.num_outputs is not None:
            raise self.error("takes either a 'split' input or num_outputs, not both")
        sizes = constant_value(self.split)
        if sizes is not None and sizes.size != len(self.results):
            raise self.error(f"'split' has {sizes.size} sizes, but the op has {len(self.results)} results")
        super().verify_()


def _slice_len(dim: int, s: int, e: int, step: int) -> int:
    """Extent of ONNX Slice on one axis of size `dim` (the spec's clamping)."""
    s = s + dim if s < 0 else s
    e = e + dim if e < 0 else e
    if step > 0:
        s, e = min(max(s, 0), dim), min(max(e, 0), dim)
    else:
        s, e = min(max(s, 0), dim - 1), min(max(e, -1), dim - 1)
    return len(range(s, e, step))


class Slice(GraphOp):
    """data[starts:ends:steps] on `axes` (default: the first len(starts) axes), clamped as ONNX."""

    name, onnx = "graph.slice", "Slice"
    traits = (Pure,)
    data = operand()
    starts = operand()
    ends = operand()
    axes = operand(optional=True)
    steps = operand(optional=True)
    output = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        st = _const_ints(cls, operands, properties, "starts")
        en = _const_ints(cls, operands, properties, "ends")
        axes = _const_ints(cls, operands, properties, "axes", required=False) or list(range(len(st)))
        steps = _const_ints(cls, operands, properties, "steps", required=False) or [1] * len(st)
        if not len(st) == len(en) == len(axes) == len(steps):
            raise ValueError(f"starts {st}, ends {en}, axes {axes}, steps {steps} differ in length")
        out = list(x.shape)
        for s, e, a, step in zip(st, en, axes, steps):
            a = _norm_axis(cls.name, a, x.rank)
            if step == 0:
                raise ValueError("a step is 0")
            out[a] = DYNAMIC if x.shape[a] == DYNAMIC else _slice_len(x.shape[a], s, e, step)
        return [_tensor(out, x.element_type)]

    def evaluate(self, x, starts, ends, *rest):
        vals = iter(rest)
        axes = next(vals) if self.axes is not None else None
        steps = next(vals) if self.steps is not None else None
        return ref.slice_(x, starts, ends, axes, steps)

    def verify_(self) -> None:
        for n in ("starts", "ends", "axes", "steps"):
            _check_int_operand(self, n)
        super().verify_()


class Gather(GraphOp):
    """Takes `indices` (negative ones count from the end) along `axis`."""

    name, onnx = "graph.gather", "Gather"
    traits = (Pure,)
    data = operand()
    indices = operand()
    output = result()
    axis = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, idx = operand_types
        ax = _norm_axis(cls.name, cls.prop(properties, "axis"), x.rank)
        return [_tensor(x.shape[:ax] + tuple(idx.shape) + x.shape[ax + 1 :], x.element_type)]

    def evaluate(self, x, idx):
        return ref.gather(x, idx, axis=self.axis)

    def verify_(self) -> None:
        _check_int_operand(self, "indices", one_d=False)
        super().verify_()


class GatherElements(GraphOp):
    """out[i][j] = data[indices[i][j]][j] (for axis 0): numpy take_along_axis."""

    name, onnx = "graph.gather_elements", "GatherElements"
    traits = (Pure,)
    data = operand()
    indices = operand()
    output = result()
    axis = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, idx = operand_types
        if idx.rank != x.rank:
            raise ValueError(f"indices rank {idx.rank} must equal data rank {x.rank}")
        _norm_axis(cls.name, cls.prop(properties, "axis"), x.rank)
        return [_tensor(idx.shape, x.element_type)]

    def evaluate(self, x, idx):
        return ref.gather_elements(x, idx, axis=self.axis)


class GatherND(GraphOp):
    """Gathers slices of `data` addressed by the last dim of `indices` (after batch_dims)."""

    name, onnx = "graph.gather_nd", "GatherND"
    traits = (Pure,)
    data = operand()
    indices = operand()
    output = result()
    batch_dims = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, idx = operand_types
        b = cls.prop(properties, "batch_dims")
        k = idx.shape[-1]
        if k == DYNAMIC:
            raise UnsupportedError(f"'{cls.name}': the last dim of indices must be static")
        if b + k > x.rank:
            raise ValueError(f"indices address {k} dims after {b} batch dims of a rank-{x.rank} input")
        return [_tensor(tuple(idx.shape[:-1]) + x.shape[b + k :], x.element_type)]

    def evaluate(self, x, idx):
        return ref.gather_nd(x, idx, batch_dims=self.batch_dims)


class Expand(GraphOp):
    """Broadcasts `input` against `shape` (bidirectionally, as numpy)."""

    name, onnx = "graph.expand", "Expand"
    traits = (Pure,)
    input = operand()
    shape = operand()
    output = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        target = _const_ints(cls, operands, properties, "shape")
        return [_tensor(broadcast_shapes(x.shape, target), x.element_type)]

    def evaluate(self, x, shape):
        return ref.expand(x, shape)

    def verify_(self) -> None:
        _check_int_operand(self, "shape")
        super().verify_()


class Tile(GraphOp):
    """Repeats `input` `repeats[i]` times along each dim i."""

    name, onnx = "graph.tile", "Tile"
    traits = (Pure,)
    input = operand()
    repeats = operand()
    output = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        reps = _const_ints(cls, operands, properties, "repeats")
        if len(reps) != x.rank:
            raise ValueError(f"repeats has {len(reps)} values, input has rank {x.rank}")
        return [_tensor([DYNAMIC if d == DYNAMIC else d * r for d, r in zip(x.shape, reps)], x.element_type)]

    def evaluate(self, x, repeats):
        return ref.tile(x, repeats)

    def verify_(self) -> None:
        _check_int_operand(self, "repeats")
        super().verify_()


class Pad(GraphOp):
    """Pads (or crops, for negative amounts) with mode constant / reflect / edge / wrap."""

    name, onnx = "graph.pad", "Pad"
    traits = (Pure,)
    data = operand()
    pads = operand()
    constant_value = operand(optional=True)
    axes = operand(optional=True)
    output = result()
    mode = attr(enum("constant", "reflect", "edge", "wrap"), default="constant")

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        p = _const_ints(cls, operands, properties, "pads")
        axes = _const_ints(cls, operands, properties, "axes", required=False)
        axes = [_norm_axis(cls.name, a, x.rank) for a in axes] if axes else list(range(x.rank))
        n = len(axes)
        if len(p) != 2 * n:
            raise ValueError(f"pads has {len(p)} values for {n} axes (needs {2 * n})")
        out = list(x.shape)
        for i, a in enumerate(axes):
            if out[a] != DYNAMIC:
                out[a] += p[i] + p[n + i]
        return [_tensor(out, x.element_type)]

    def evaluate(self, x, pads, *rest):
        vals = iter(rest)
        cv = next(vals) if self.constant_value is not None else None
        axes = next(vals) if self.axes is not None else None
        return ref.pad(x, pads, cv, axes, mode=self.mode)

    def verify_(self) -> None:
        _check_int_operand(self, "pads")
        _check_int_operand(self, "axes")
        super().verify_()


class Squeeze(GraphOp):
    """Removes size-1 dims (`axes`, or every size-1 dim when absent)."""

    name, onnx = "graph.squeeze", "Squeeze"
    traits = (Pure,)
    data = operand()
    axes = operand(optional=True)
    squeezed = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        axes = _const_ints(cls, operands, properties, "axes", required=False)
        if not axes:
            if DYNAMIC in x.shape:
                raise UnsupportedError(f"'{cls.name}': no axes on a dynamic shape {x}: result rank unknown")
            return [_tensor([d for d in x.shape if d != 1], x.element_type)]
        norm = {_norm_axis(cls.name, a, x.rank) for a in axes}
        for a in norm:
            if x.shape[a] not in (1, DYNAMIC):
                raise ValueError(f"cannot squeeze dim {a} of size {x.shape[a]}")
        return [_tensor([d for i, d in enumerate(x.shape) if i not in norm], x.element_type)]

    def evaluate(self, x, axes=None):
        return ref.squeeze(x, axes)


class Unsqueeze(GraphOp):
    """Inserts size-1 dims at `axes` (indices into the result's rank)."""

    name, onnx = "graph.unsqueeze", "Unsqueeze"
    traits = (Pure,)
    data = operand()
    axes = operand()
    expanded = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        axes = _const_ints(cls, operands, properties, "axes")
        rank = x.rank + len(axes)
        norm = sorted(_norm_axis(cls.name, a, rank) for a in axes)
        if len(set(norm)) != len(norm):
            raise ValueError(f"repeated axes {axes}")
        shape = list(x.shape)
        for a in norm:
            shape.insert(a, 1)
        return [_tensor(shape, x.element_type)]

    def evaluate(self, x, axes):
        return ref.unsqueeze(x, axes)


# ----------------------------------------------------------------------------- shape queries and generators


class Shape(GraphOp):
    """The input's shape as a 1-D i64 tensor (dims [start, end), clamped to the rank)."""

    name, onnx = "graph.shape", "Shape"
    traits = (Pure,)
    data = operand()
    shape = result()
    end = attr(INT, default=None)
    start = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        r = _rank(operand_types[0])
        start, end = cls.prop(properties, "start"), cls.prop(properties, "end")
        s = min(max(start + r if start < 0 else start, 0), r)
        e = r if end is None else min(max(end + r if end < 0 else end, 0), r)
        return [_tensor((max(e - s, 0),), i64)]

    def evaluate(self, x):
        return ref.shape(x, start=self.start, end=self.end)


class Size(GraphOp):
    """The number of elements, as an i64 scalar tensor."""

    name, onnx = "graph.size", "Size"
    traits = (Pure,)
    data = operand()
    size = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [_tensor((), i64)]

    def evaluate(self, x):
        return ref.size(x)


class ConstantOfShape(GraphOp):
    """A tensor of shape `input` filled with the one-element `value` (default f32 zero)."""

    name, onnx = "graph.constant_of_shape", "ConstantOfShape"
    traits = (Pure,)
    input = operand()
    output = result()
    value = attr(DENSE, default=None)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        shape = _ints(required_constant(cls.name, "input", operands[0]))
        v = properties.get("value")
        elem = v.type.element_type if isinstance(v, DenseElementsAttr) else f32
        return [_tensor(shape, elem)]

    def evaluate(self, shape):
        return ref.constant_of_shape(shape, value=self.value)

    def verify_(self) -> None:
        _check_int_operand(self, "input")
        v = self.properties.get("value")
        if isinstance(v, DenseElementsAttr) and v.array.size != 1:
            raise self.error(f"'value' must hold one element, got {v.array.size}")
        super().verify_()


class Range(GraphOp):
    """start, start + delta, ... up to (excluding) limit; scalar operands."""

    name, onnx = "graph.range", "Range"
    traits = (Pure,)
    start = operand()
    limit = operand()
    delta = operand()
    output = result()
    stash_type = attr(INT, default=1)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        vals = [required_constant(cls.name, n, v) for n, v in zip(("start", "limit", "delta"), operands)]
        s, lim, d = (np.asarray(v).item() for v in vals)
        if d == 0:
            raise ValueError("delta is 0")
        n = max(math.ceil((lim - s) / d), 0)
        return [_tensor((n,), operand_types[0].element_type)]

    def evaluate(self, start, limit, delta):
        return ref.range_(start, limit, delta)

    def verify_(self) -> None:
        for v in self.operands:
            if _rank(v.type) != 0:
                raise self.error(f"operands must be scalars (rank 0), got {v.type}")
        super().verify_()


# ----------------------------------------------------------------------------- reductions


class _Reduce(GraphOp):
    """A reduction over `axes` (an optional input; absent = all axes unless noop_with_empty_axes)."""

    traits = (Pure,)
    data = operand()
    axes = operand(optional=True)
    reduced = result()
    keepdims = attr(INT, default=1)
    noop_with_empty_axes = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        axes = _const_ints(cls, operands, properties, "axes", required=False)
        if not axes:
            if cls.prop(properties, "noop_with_empty_axes"):
                return [x]
            axes = list(range(x.rank))
        norm = {_norm_axis(cls.name, a, x.rank) for a in axes}
        keep = cls.prop(properties, "keepdims")
        shape = [1 if i in norm else d for i, d in enumerate(x.shape) if keep or i not in norm]
        return [_tensor(shape, x.element_type)]

    def evaluate(self, x, axes=None):
        fn = getattr(ref, type(self).fn_name)
        return fn(x, axes, keepdims=self.keepdims, noop_with_empty_axes=self.noop_with_empty_axes)

    def verify_(self) -> None:
        _check_int_operand(self, "axes")
        super().verify_()


def _reduce_op(cls_name: str, onnx: str, op_name: str, fn_name: str, doc: str) -> type[_Reduce]:
    return type(cls_name, (_Reduce,), {"name": op_name, "onnx": onnx, "fn_name": fn_name, "__doc__": doc})


ReduceMean = _reduce_op("ReduceMean", "ReduceMean", "graph.reduce_mean", "reduce_mean", "Mean over axes.")
ReduceSum = _reduce_op("ReduceSum", "ReduceSum", "graph.reduce_sum", "reduce_sum", "Sum over axes.")
ReduceMax = _reduce_op("ReduceMax", "ReduceMax", "graph.reduce_max", "reduce_max", "Maximum over axes.")
ReduceMin = _reduce_op("ReduceMin", "ReduceMin", "graph.reduce_min", "reduce_min", "Minimum over axes.")
ReduceProd = _reduce_op("ReduceProd", "ReduceProd", "graph.reduce_prod", "reduce_prod", "Product over axes.")
ReduceL1 = _reduce_op("ReduceL1", "ReduceL1", "graph.reduce_l1", "reduce_l1", "Sum of |x| over axes.")
ReduceL2 = _reduce_op("ReduceL2", "ReduceL2", "graph.reduce_l2", "reduce_l2", "sqrt(sum(x^2)) over axes.")
ReduceSumSquare = _reduce_op(
    "ReduceSumSquare",
    "ReduceSumSquare",
    "graph.reduce_sum_square",
    "reduce_sum_square",
    "Sum of x^2 over axes.",
)
ReduceLogSum = _reduce_op(
    "ReduceLogSum", "ReduceLogSum", "graph.reduce_log_sum", "reduce_log_sum", "log(sum(x)) over axes."
)
ReduceLogSumExp = _reduce_op(
    "ReduceLogSumExp",
    "ReduceLogSumExp",
    "graph.reduce_log_sum_exp",
    "reduce_log_sum_exp",
    "log(sum(exp(x))) over axes (stable).",
)


class _ArgReduce(GraphOp):
    traits = (Pure,)
    data = operand()
    reduced = result()
    axis = attr(INT, default=0)
    keepdims = attr(INT, default=1)
    select_last_index = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        ax = _norm_axis(cls.name, cls.prop(properties, "axis"), x.rank)
        keep = cls.prop(properties, "keepdims")
        shape = [1 if i == ax else d for i, d in enumerate(x.shape) if keep or i != ax]
        return [_tensor(shape, i64)]

    def _kw(self) -> dict:
        return {"axis": self.axis, "keepdims": self.keepdims, "select_last_index": self.select_last_index}


class ArgMax(_ArgReduce):
    """Index (i64) of the maximum along `axis`."""

    name, onnx = "graph.argmax", "ArgMax"

    def evaluate(self, x):
        return ref.argmax(x, **self._kw())


class ArgMin(_ArgReduce):
    """Index (i64) of the minimum along `axis`."""

    name, onnx = "graph.argmin", "ArgMin"

    def evaluate(self, x):
        return ref.argmin(x, **self._kw())


def _topk(x: np.ndarray, k: int, axis: int, largest: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k along axis, sorted, ties broken by the lower index (as onnxruntime)."""
    key = -x if largest else x
    if x.dtype.kind == "u" and largest:
        key = np.iinfo(x.dtype).max - x
    idx = np.argsort(key, axis=axis, kind="stable")
    idx = np.take(idx, np.arange(k), axis=axis)
    return np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)


class TopK(GraphOp):
    """The `K` largest (or smallest) values along `axis` and their i64 indices, sorted."""

    name, onnx = "graph.topk", "TopK"
    traits = (Pure,)
    X = operand()
    K = operand()
    Values = result()
    Indices = result()
    axis = attr(INT, default=-1)
    largest = attr(INT, default=1)
    sorted = attr(INT, default=1)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        k = _ints(required_constant(cls.name, "K", operands[1]))[0]
        ax = _norm_axis(cls.name, cls.prop(properties, "axis"), x.rank)
        if x.shape[ax] != DYNAMIC and k > x.shape[ax]:
            raise ValueError(f"K = {k} exceeds dim {ax} = {x.shape[ax]}")
        shape = tuple(k if i == ax else d for i, d in enumerate(x.shape))
        return [_tensor(shape, x.element_type), _tensor(shape, i64)]

    def evaluate(self, x, k):
        ax = self.axis + x.ndim if self.axis < 0 else self.axis
        return _topk(x, int(np.asarray(k).reshape(-1)[0]), ax, self.largest)


class Einsum(GraphOp):
    """Einstein summation over `Inputs` by `equation` (numpy.einsum)."""

    name, onnx = "graph.einsum", "Einsum"
    traits = (Pure,)
    Inputs = operand(variadic=True)
    Output = result()
    equation = attr(STR)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        if not all(t.has_static_shape for t in operand_types):
            raise UnsupportedError(f"'{cls.name}': result shape inference needs static input shapes")
        dt = operand_types[0].dtype
        dummies = [np.broadcast_to(np.zeros((), dt), t.shape) for t in operand_types]
        out = np.einsum(cls.prop(properties, "equation").replace(" ", ""), *dummies)
        return [_tensor(np.shape(out), operand_types[0].element_type)]

    def evaluate(self, *xs):
        return np.asarray(np.einsum(self.equation.replace(" ", ""), *xs))

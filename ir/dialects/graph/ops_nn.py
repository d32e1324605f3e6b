"""Neural-network graph ops: convolution, pooling, normalization, matrix products, softmax, resize.

One class per ONNX operator with ONNX's attribute names and defaults (newest opset's semantics; the
importer normalizes older opsets). `evaluate` calls the vectorized functions of `ir.reference`.
"""

from __future__ import annotations

import math

import numpy as np

from ir import reference as ref
from ir import window
from ir.dialects.graph.base import GraphOp, constant_value, from_dims, required_constant, to_dims
from ir.errors import UnsupportedError
from ir.opdef import FLOAT, INT, INTS, STR, Pure, attr, enum, operand, result
from ir.shapes import broadcast_shapes
from ir.types import DYNAMIC, ShapedType, TensorType, Type, i1, i64

_AUTO_PAD = enum(*window.AUTO_PADS)


def _tensor(shape, elem: Type) -> TensorType:
    return TensorType(tuple(shape), elem)


def _rank(t: Type) -> int:
    return t.rank if isinstance(t, ShapedType) else 0


def _known(a: int, b: int) -> bool:
    """Both dims static and different."""
    return a != DYNAMIC and b != DYNAMIC and a != b


class _Window(GraphOp):
    """Shared checks of window ops (conv, pools): spatial attribute lengths match the input's rank."""

    def _check_window_attrs(self, x: Type, kernel: list[int] | None) -> None:
        if not isinstance(x, ShapedType) or x.rank < 3:
            raise self.error(f"input must be a tensor of rank >= 3 (N, C, spatial...), got {x}")
        n = x.rank - 2
        for key, want in (("strides", n), ("dilations", n), ("pads", 2 * n), ("kernel_shape", n)):
            v = getattr(self, key, None)
            if v is not None and len(v) != want:
                raise self.error(
                    f"'{key}' has {len(v)} values, but the input has {n} spatial dims (needs {want})"
                )
        if kernel is not None and any(k <= 0 for k in kernel):
            raise self.error(f"kernel_shape {kernel} must be positive")
        for key in ("strides", "dilations"):
            v = getattr(self, key, None)
            if v is not None and any(s <= 0 for s in v):
                raise self.error(f"'{key}' {v} must be positive")

    def _spatial_kw(self) -> dict:
        return {
            "auto_pad": self.auto_pad,
            "dilations": self.dilations,
            "pads": self.pads,
            "strides": self.strides,
        }


# ----------------------------------------------------------------------------- convolution


class Conv(_Window):
    """N-d convolution (cross-correlation) with groups, strides, dilations and pads; optional bias B."""

    name, onnx = "graph.conv", "Conv"
    traits = (Pure,)
    X = operand()
    W = operand()
    B = operand(optional=True)
    Y = result()
    auto_pad = attr(_AUTO_PAD, default="NOTSET")
    dilations = attr(INTS, default=None)
    group = attr(INT, default=1)
    kernel_shape = attr(INTS, default=None)
    pads = attr(INTS, default=None)
    strides = attr(INTS, default=None)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, w = operand_types[0], operand_types[1]
        p = {k: cls.prop(properties, k) for k in ("auto_pad", "dilations", "pads", "strides", "kernel_shape")}
        shape = ref.conv_output_shape(to_dims(x.shape), to_dims(w.shape), **p)
        return [_tensor(from_dims(shape), x.element_type)]

    def evaluate(self, x, w, b=None):
        return ref.conv(x, w, b, group=self.group, kernel_shape=self.kernel_shape, **self._spatial_kw())

    def verify_(self) -> None:
        x, w = self.X.type, self.W.type
        self._check_window_attrs(x, self.kernel_shape)
        if not isinstance(w, ShapedType) or w.rank != x.rank:
            raise self.error(
                f"weight rank {_rank(w)} must equal input rank {x.rank} (W is (M, C/group, k...))"
            )
        g = self.group
        if g < 1:
            raise self.error(f"group {g} must be >= 1")
        c, m, wc = x.shape[1], w.shape[0], w.shape[1]
        if c != DYNAMIC and c % g:
            raise self.error(f"input channels {c} are not divisible by group {g}")
        if c != DYNAMIC and wc != DYNAMIC and wc * g != c:
            raise self.error(
                f"weight has {wc} input channels per group, input has {c} channels / group {g} = {c // g}"
            )
        if m != DYNAMIC and m % g:
            raise self.error(f"output channels {m} are not divisible by group {g}")
        if self.kernel_shape is not None and any(
            _known(k, d) for k, d in zip(self.kernel_shape, w.shape[2:])
        ):
            raise self.error(
                f"kernel_shape {self.kernel_shape} differs from the weight's {list(w.shape[2:])}"
            )
        if self.B is not None:
            b = self.B.type
            if _rank(b) != 1 or _known(b.shape[0], m):
                raise self.error(f"bias must be 1-D of length M = {m}, got {b}")
        super().verify_()


class ConvTranspose(_Window):
    """Transposed (fractionally strided) convolution; W is (C, M/group, k...)."""

    name, onnx = "graph.conv_transpose", "ConvTranspose"
    traits = (Pure,)
    X = operand()
    W = operand()
    B = operand(optional=True)
    Y = result()
    auto_pad = attr(_AUTO_PAD, default="NOTSET")
    dilations = attr(INTS, default=None)
    group = attr(INT, default=1)
    kernel_shape = attr(INTS, default=None)
    output_padding = attr(INTS, default=None)
    output_shape = attr(INTS, default=None)
    pads = attr(INTS, default=None)
    strides = attr(INTS, default=None)

    _KEYS = (
        "auto_pad",
        "dilations",
        "group",
        "kernel_shape",
        "output_padding",
        "output_shape",
        "pads",
        "strides",
    )

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, w = operand_types[0], operand_types[1]
        p = {k: cls.prop(properties, k) for k in cls._KEYS}
        shape = ref.conv_transpose_output_shape(to_dims(x.shape), to_dims(w.shape), **p)
        return [_tensor(from_dims(shape), x.element_type)]

    def evaluate(self, x, w, b=None):
        return ref.conv_transpose(x, w, b, **{k: getattr(self, k) for k in self._KEYS})

    def verify_(self) -> None:
        x, w = self.X.type, self.W.type
        self._check_window_attrs(x, self.kernel_shape)
        if not isinstance(w, ShapedType) or w.rank != x.rank:
            raise self.error(
                f"weight rank {_rank(w)} must equal input rank {x.rank} (W is (C, M/group, k...))"
            )
        if _known(w.shape[0], x.shape[1]):
            raise self.error(f"weight's first dim {w.shape[0]} must equal the input channels {x.shape[1]}")
        if self.B is not None and w.shape[1] != DYNAMIC:
            m = w.shape[1] * self.group
            if _rank(self.B.type) != 1 or _known(self.B.type.shape[0], m):
                raise self.error(f"bias must be 1-D of length M = {m}, got {self.B.type}")
        super().verify_()


# ----------------------------------------------------------------------------- pooling


class _Pool(_Window):
    X = operand()
    Y = result()
    auto_pad = attr(_AUTO_PAD, default="NOTSET")
    ceil_mode = attr(INT, default=0)
    dilations = attr(INTS, default=None)
    kernel_shape = attr(INTS)
    pads = attr(INTS, default=None)
    strides = attr(INTS, default=None)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        keys = ("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides")
        shape = ref.pool_output_shape(to_dims(x.shape), **{k: cls.prop(properties, k) for k in keys})
        return [_tensor(from_dims(shape), x.element_type)]

    def verify_(self) -> None:
        self._check_window_attrs(self.X.type, self.kernel_shape)
        super().verify_()

    def _pool_kw(self) -> dict:
        return {**self._spatial_kw(), "ceil_mode": self.ceil_mode, "kernel_shape": self.kernel_shape}


class MaxPool(_Pool):
    """Max pooling. The optional second result `Indices` (i64 flat indices, ONNX's) is supported."""

    name, onnx = "graph.max_pool", "MaxPool"
    traits = (Pure,)
    Indices = result(variadic=True, doc="zero or one result: the argmax indices")
    storage_order = attr(INT, default=0)

    def evaluate(self, x):
        kw = {**self._pool_kw(), "storage_order": self.storage_order}
        if len(self.results) == 2:
            return ref.max_pool_with_indices(x, **kw)
        return ref.max_pool(x, **kw)

    def verify_(self) -> None:
        if len(self.results) > 2:
            raise self.error(f"has at most 2 results (Y, Indices), got {len(self.results)}")
        if len(self.results) == 2:
            t = self.results[1].type
            if not isinstance(t, ShapedType) or t.element_type != i64:
                raise self.error(f"Indices must be an i64 tensor, got {t}")
        super().verify_()


class AveragePool(_Pool):
    """Average pooling; count_include_pad=1 divides by the full window size."""

    name, onnx = "graph.average_pool", "AveragePool"
    traits = (Pure,)
    count_include_pad = attr(INT, default=0)

    def evaluate(self, x):
        return ref.average_pool(x, count_include_pad=self.count_include_pad, **self._pool_kw())


class LpPool(_Pool):
    """Lp-norm pooling."""

    name, onnx = "graph.lp_pool", "LpPool"
    traits = (Pure,)
    p = attr(INT, default=2)

    def evaluate(self, x):
        return ref.lp_pool(x, p=self.p, **self._pool_kw())


class _GlobalPool(GraphOp):
    traits = (Pure,)
    X = operand()
    Y = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        return [_tensor(tuple(x.shape[:2]) + (1,) * (x.rank - 2), x.element_type)]

    def verify_(self) -> None:
        if _rank(self.X.type) < 3:
            raise self.error(f"input must have rank >= 3 (N, C, spatial...), got {self.X.type}")
        super().verify_()


class GlobalAveragePool(_GlobalPool):
    """Mean over all spatial dims (kept as 1s)."""

    name, onnx = "graph.global_average_pool", "GlobalAveragePool"

    def evaluate(self, x):
        return ref.global_average_pool(x)


class GlobalMaxPool(_GlobalPool):
    """Max over all spatial dims (kept as 1s)."""

    name, onnx = "graph.global_max_pool", "GlobalMaxPool"

    def evaluate(self, x):
        return ref.global_max_pool(x)


class GlobalLpPool(_GlobalPool):
    """Lp norm over all spatial dims (kept as 1s)."""

    name, onnx = "graph.global_lp_pool", "GlobalLpPool"
    p = attr(INT, default=2)

    def evaluate(self, x):
        return ref.global_lp_pool(x, p=self.p)


class LRN(GraphOp):
    """Local response normalization across channels."""

    name, onnx = "graph.lrn", "LRN"
    traits = (Pure,)
    X = operand()
    Y = result()
    alpha = attr(FLOAT, default=0.0001)
    beta = attr(FLOAT, default=0.75)
    bias = attr(FLOAT, default=1.0)
    size = attr(INT)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0]]

    def evaluate(self, x):
        return ref.lrn(x, size=self.size, alpha=self.alpha, beta=self.beta, bias=self.bias)

    def verify_(self) -> None:
        if _rank(self.X.type) < 3:
            raise self.error(f"input must have rank >= 3 (N, C, spatial...), got {self.X.type}")
        if self.size < 1:
            raise self.error(f"size {self.size} must be >= 1")
        super().verify_()


# ----------------------------------------------------------------------------- normalization


def _check_channel_params(op: GraphOp, x: Type, params: list[tuple[str, object]]) -> None:
    c = x.shape[1] if isinstance(x, ShapedType) and x.rank >= 2 else DYNAMIC
    for label, v in params:
        t = v.type
        if _rank(t) != 1 or _known(t.shape[0], c):
            raise op.error(f"'{label}' must be 1-D of length C = {c}, got {t}")


class BatchNormalization(GraphOp):
    """Inference-mode batch normalization with running statistics (training_mode must be 0)."""

    name, onnx = "graph.batch_normalization", "BatchNormalization"
    traits = (Pure,)
    X = operand()
    scale = operand()
    B = operand()
    input_mean = operand()
    input_var = operand()
    Y = result()
    epsilon = attr(FLOAT, default=1e-5)
    momentum = attr(FLOAT, default=0.9)
    training_mode = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0]]

    def evaluate(self, x, scale, b, mean, var):
        return ref.batch_normalization(x, scale, b, mean, var, epsilon=self.epsilon)

    def verify_(self) -> None:
        if self.training_mode:
            raise self.error("training_mode=1 is not supported (inference compiler)")
        if _rank(self.X.type) < 2:
            raise self.error(f"input must have rank >= 2 (N, C, ...), got {self.X.type}")
        _check_channel_params(
            self, self.X.type, [(n, getattr(self, n)) for n in ("scale", "B", "input_mean", "input_var")]
        )
        super().verify_()


class InstanceNormalization(GraphOp):
    """Normalizes each (n, c) over its spatial dims, then scales and shifts per channel."""

    name, onnx = "graph.instance_normalization", "InstanceNormalization"
    traits = (Pure,)
    input = operand()
    scale = operand()
    B = operand()
    output = result()
    epsilon = attr(FLOAT, default=1e-5)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0]]

    def evaluate(self, x, scale, b):
        return ref.instance_normalization(x, scale, b, epsilon=self.epsilon)

    def verify_(self) -> None:
        if _rank(self.input.type) < 3:
            raise self.error(f"input must have rank >= 3 (N, C, spatial...), got {self.input.type}")
        _check_channel_params(self, self.input.type, [("scale", self.scale), ("B", self.B)])
        super().verify_()


class LayerNormalization(GraphOp):
    """Normalizes over dims [axis, rank); optional extra results Mean and InvStdDev (in `stats`)."""

    name, onnx = "graph.layer_normalization", "LayerNormalization"
    traits = (Pure,)
    X = operand()
    Scale = operand()
    B = operand(optional=True)
    Y = result()
    stats = result(variadic=True, doc="zero or two results: Mean, InvStdDev")
    axis = attr(INT, default=-1)
    epsilon = attr(FLOAT, default=1e-5)
    stash_type = attr(INT, default=1)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0]]

    def evaluate(self, x, scale, b=None):
        kw = {"axis": self.axis, "epsilon": self.epsilon, "stash_type": self.stash_type}
        if len(self.results) == 1:
            return ref.layer_normalization(x, scale, b, **kw)
        y, mean, inv = ref.layer_normalization_with_stats(x, scale, b, **kw)
        return (y, mean, inv)[: len(self.results)]

    def verify_(self) -> None:
        r = _rank(self.X.type)
        if not -r <= self.axis < max(r, 1):
            raise self.error(f"axis {self.axis} is out of range for rank {r}")
        if len(self.results) > 3:
            raise self.error(f"has at most 3 results (Y, Mean, InvStdDev), got {len(self.results)}")
        super().verify_()


class Dropout(GraphOp):
    """Inference-mode dropout: the identity (optional `mask` result is all true)."""

    name, onnx = "graph.dropout", "Dropout"
    traits = (Pure,)
    data = operand()
    ratio = operand(optional=True)
    training_mode = operand(optional=True)
    output = result()
    mask = result(variadic=True, doc="zero or one result: the i1 mask")
    seed = attr(INT, default=None)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0]]

    def evaluate(self, x, *rest):
        if len(self.results) == 2:
            return x, np.ones(x.shape, dtype=np.bool_)
        return x

    def verify_(self) -> None:
        t = constant_value(self.training_mode)
        if t is not None and bool(np.asarray(t).reshape(-1)[0]):
            raise self.error("training_mode=true is not supported (inference compiler)")
        if len(self.results) == 2 and getattr(self.results[1].type, "element_type", None) != i1:
            raise self.error(f"mask must be an i1 tensor, got {self.results[1].type}")
        super().verify_()


# ----------------------------------------------------------------------------- matrix products


class Gemm(GraphOp):
    """Y = alpha * A' @ B' + beta * C, with A' = A^T if transA and B' = B^T if transB (2-D)."""

    name, onnx = "graph.gemm", "Gemm"
    traits = (Pure,)
    A = operand()
    B = operand()
    C = operand(optional=True)
    Y = result()
    alpha = attr(FLOAT, default=1.0)
    beta = attr(FLOAT, default=1.0)
    transA = attr(INT, default=0)
    transB = attr(INT, default=0)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        a, b = operand_types[0], operand_types[1]
        if _rank(a) != 2 or _rank(b) != 2:
            raise ValueError(f"A and B must be 2-D, got {a} and {b}")
        m = a.shape[1] if cls.prop(properties, "transA") else a.shape[0]
        n = b.shape[0] if cls.prop(properties, "transB") else b.shape[1]
        return [_tensor((m, n), a.element_type)]

    def evaluate(self, a, b, c=None):
        return ref.gemm(a, b, c, alpha=self.alpha, beta=self.beta, trans_a=self.transA, trans_b=self.transB)

    def verify_(self) -> None:
        a, b = self.A.type, self.B.type
        if _rank(a) != 2 or _rank(b) != 2:
            raise self.error(f"A and B must be 2-D, got {a} and {b}")
        k1 = a.shape[0] if self.transA else a.shape[1]
        k2 = b.shape[1] if self.transB else b.shape[0]
        if _known(k1, k2):
            raise self.error(
                f"inner dims differ: A' is {k1} wide (transA={self.transA}), B' is {k2} tall (transB={self.transB})"
            )
        if self.C is not None and isinstance(self.C.type, ShapedType):
            m = a.shape[1] if self.transA else a.shape[0]
            n = b.shape[0] if self.transB else b.shape[1]
            try:
                out = broadcast_shapes(self.C.type.shape, (m, n))
            except ValueError:
                out = None
            if out is None or len(out) != 2 or any(_known(o, d) for o, d in zip(out, (m, n))):
                raise self.error(f"C {self.C.type} does not broadcast to the ({m}, {n}) result")
        super().verify_()


def matmul_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """numpy.matmul's result shape (1-D promotion, batch broadcasting); ValueError on mismatched dims."""
    if not a or not b:
        raise ValueError("MatMul operands must have rank >= 1")
    a2 = (1,) + tuple(a) if len(a) == 1 else tuple(a)
    b2 = tuple(b) + (1,) if len(b) == 1 else tuple(b)
    if _known(a2[-1], b2[-2]):
        raise ValueError(f"inner dims differ: {tuple(a)} @ {tuple(b)} ({a2[-1]} vs {b2[-2]})")
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    out = batch + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


class MatMul(GraphOp):
    """numpy.matmul: batched matrix product with broadcasting."""

    name, onnx = "graph.matmul", "MatMul"
    traits = (Pure,)
    A = operand()
    B = operand()
    Y = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        a, b = operand_types
        return [_tensor(matmul_shape(a.shape, b.shape), a.element_type)]

    def evaluate(self, a, b):
        return ref.matmul(a, b)

    def verify_(self) -> None:
        a, b = self.A.type, self.B.type
        if a.element_type != b.element_type:
            raise self.error(f"operands must have one element type, got {a} and {b}")
        try:
            matmul_shape(a.shape, b.shape)
        except ValueError as e:
            raise self.error(str(e)) from None
        super().verify_()


# ----------------------------------------------------------------------------- softmax family


class _AxisSame(GraphOp):
    traits = (Pure,)
    input = operand()
    output = result()
    axis = attr(INT, default=-1)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[0]]

    def verify_(self) -> None:
        r = _rank(self.input.type)
        if not -r <= self.axis < max(r, 1):
            raise self.error(f"axis {self.axis} is out of range for rank {r}")
        super().verify_()


class Softmax(_AxisSame):
    """exp(x) / sum(exp(x)) along `axis` (opset 13 semantics; older opsets are rewritten on import)."""

    name, onnx = "graph.softmax", "Softmax"

    def evaluate(self, x):
        return ref.softmax(x, axis=self.axis)


class LogSoftmax(_AxisSame):
    """log(softmax(x)) along `axis` (opset 13 semantics)."""

    name, onnx = "graph.log_softmax", "LogSoftmax"

    def evaluate(self, x):
        return ref.log_softmax(x, axis=self.axis)


class Hardmax(_AxisSame):
    """One-hot of the first maximum along `axis` (opset 13 semantics)."""

    name, onnx = "graph.hardmax", "Hardmax"

    def evaluate(self, x):
        return ref.hardmax(x, axis=self.axis)


# ----------------------------------------------------------------------------- layout


class Flatten(GraphOp):
    """Reshapes to 2-D: (prod(dims[:axis]), prod(dims[axis:]))."""

    name, onnx = "graph.flatten", "Flatten"
    traits = (Pure,)
    input = operand()
    output = result()
    axis = attr(INT, default=1)

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        ax = cls.prop(properties, "axis")
        ax = ax + x.rank if ax < 0 else ax
        if not 0 <= ax <= x.rank:
            raise ValueError(f"axis {cls.prop(properties, 'axis')} is out of range for rank {x.rank}")

        def prod(ds):
            return DYNAMIC if DYNAMIC in ds else math.prod(ds)

        return [_tensor((prod(x.shape[:ax]), prod(x.shape[ax:])), x.element_type)]

    def evaluate(self, x):
        return ref.flatten(x, axis=self.axis)


class DepthToSpace(GraphOp):
    """Moves channel blocks into spatial blocks: (N, C, H, W) -> (N, C/b^2, H*b, W*b)."""

    name, onnx = "graph.depth_to_space", "DepthToSpace"
    traits = (Pure,)
    input = operand()
    output = result()
    blocksize = attr(INT)
    mode = attr(enum("DCR", "CRD"), default="DCR")

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, b = operand_types[0], cls.prop(properties, "blocksize")
        n, c, h, w = x.shape
        return [_tensor((n, _div(c, b * b), _mul(h, b), _mul(w, b)), x.element_type)]

    def evaluate(self, x):
        return ref.depth_to_space(x, blocksize=self.blocksize, mode=self.mode)

    def verify_(self) -> None:
        _check_blocks(self, self.input.type, channels_div=True)
        super().verify_()


class SpaceToDepth(GraphOp):
    """Moves spatial blocks into channels: (N, C, H, W) -> (N, C*b^2, H/b, W/b). Only mode DCR is supported."""

    name, onnx = "graph.space_to_depth", "SpaceToDepth"
    traits = (Pure,)
    input = operand()
    output = result()
    blocksize = attr(INT)
    mode = attr(STR, default="DCR")

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x, b = operand_types[0], cls.prop(properties, "blocksize")
        n, c, h, w = x.shape
        return [_tensor((n, _mul(c, b * b), _div(h, b), _div(w, b)), x.element_type)]

    def evaluate(self, x):
        return ref.space_to_depth(x, blocksize=self.blocksize)

    def verify_(self) -> None:
        if self.mode != "DCR":
            raise UnsupportedError(f"'{self.name}': mode {self.mode!r} is not supported (only DCR)")
        _check_blocks(self, self.input.type, channels_div=False)
        super().verify_()


def _mul(d: int, k: int) -> int:
    return DYNAMIC if d == DYNAMIC else d * k


def _div(d: int, k: int) -> int:
    return DYNAMIC if d == DYNAMIC else d // k


def _check_blocks(op: GraphOp, x: Type, channels_div: bool) -> None:
    b = op.blocksize
    if _rank(x) != 4:
        raise op.error(f"input must be 4-D (N, C, H, W), got {x}")
    if b < 1:
        raise op.error(f"blocksize {b} must be >= 1")
    dims = [("C", x.shape[1], b * b)] if channels_div else [("H", x.shape[2], b), ("W", x.shape[3], b)]
    for label, d, k in dims:
        if d != DYNAMIC and d % k:
            raise op.error(f"{label} = {d} is not divisible by {k} (blocksize {b})")


# ----------------------------------------------------------------------------- resize


def _present_const(v) -> np.ndarray | None:
    arr = constant_value(v)
    return arr if arr is not None and arr.size > 0 else None


class Resize(GraphOp):
    """Resizes by `scales` or to `sizes` (nearest / linear / cubic), opset 19 semantics."""

    name, onnx = "graph.resize", "Resize"
    traits = (Pure,)
    X = operand()
    roi = operand(optional=True)
    scales = operand(optional=True)
    sizes = operand(optional=True)
    Y = result()
    antialias = attr(INT, default=0)
    axes = attr(INTS, default=None)
    coordinate_transformation_mode = attr(STR, default="half_pixel")
    cubic_coeff_a = attr(FLOAT, default=-0.75)
    exclude_outside = attr(INT, default=0)
    extrapolation_value = attr(FLOAT, default=0.0)
    keep_aspect_ratio_policy = attr(enum("stretch", "not_larger", "not_smaller"), default="stretch")
    mode = attr(enum("nearest", "linear", "cubic"), default="nearest")
    nearest_mode = attr(STR, default="round_prefer_floor")

    _KEYS = (
        "antialias",
        "axes",
        "coordinate_transformation_mode",
        "cubic_coeff_a",
        "exclude_outside",
        "extrapolation_value",
        "keep_aspect_ratio_policy",
        "mode",
        "nearest_mode",
    )

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        named = cls.named_operands(operands, properties)
        sizes, scales = _present_const(named["sizes"]), _present_const(named["scales"])
        for label in ("sizes", "scales"):
            v = named[label]
            if v is not None and constant_value(v) is None:
                required_constant(cls.name, label, v)
        if sizes is None and scales is None:
            raise UnsupportedError(f"'{cls.name}': needs a constant 'scales' or 'sizes' input")
        if not x.has_static_shape and sizes is None:
            raise UnsupportedError(f"'{cls.name}': scales on a dynamic input shape {x} give no static shape")
        dims = [1 if d == DYNAMIC else d for d in x.shape]
        shape = ref.resize_output_shape(
            dims,
            scales,
            sizes,
            axes=cls.prop(properties, "axes"),
            keep_aspect_ratio_policy=cls.prop(properties, "keep_aspect_ratio_policy"),
        )
        axes = cls.prop(properties, "axes")
        resized = {a % x.rank for a in axes} if axes else set(range(x.rank))
        shape = [DYNAMIC if x.shape[i] == DYNAMIC and i not in resized else d for i, d in enumerate(shape)]
        return [_tensor(shape, x.element_type)]

    def evaluate(self, x, *rest):
        vals = iter(rest)
        args = {n: (next(vals) if getattr(self, n) is not None else None) for n in ("roi", "scales", "sizes")}
        return ref.resize(x, **args, **{k: getattr(self, k) for k in self._KEYS})


class Upsample(GraphOp):
    """Deprecated ONNX Upsample (opset 9): Resize by `scales` with asymmetric coordinates."""

    name, onnx = "graph.upsample", "Upsample"
    traits = (Pure,)
    X = operand()
    scales = operand()
    Y = result()
    mode = attr(enum("nearest", "linear"), default="nearest")

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        x = operand_types[0]
        s = required_constant(cls.name, "scales", operands[1])
        shape = ref.resize_output_shape(x.shape, s) if x.has_static_shape else None
        if shape is None:
            raise UnsupportedError(f"'{cls.name}': dynamic input shape {x} gives no static result shape")
        return [_tensor(shape, x.element_type)]

    def evaluate(self, x, scales):
        return ref.resize(
            x,
            None,
            scales,
            mode=self.mode,
            coordinate_transformation_mode="asymmetric",
            nearest_mode="floor",
        )

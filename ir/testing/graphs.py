"""Random well-typed graph-dialect functions over the ops the graph dialect defines, with attribute variety.

Each *recipe* below knows how to apply one ONNX op type to values of the function built so far (with valid
strides / pads / dilations / groups, pool windows and ceil mode, axes, broadcasting, reshapes, ...). A recipe
is used only when the graph dialect registers its op type, so the generator grows with the dialect.
Numerically delicate ops (log, sqrt, division, pow) get inputs moved into their safe domain first, so a
module's outputs are finite and comparable across transforms.

    @given(graph_cases())
    def test_my_pass(case):
        before = case.module
        after = my_pass(before.clone())
        assert_semantics_preserved(before, after, case.inputs)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from ir.core import Operation, Value
from ir.dialects.builtin import FuncOp, ModuleOp, ReturnOp, new_module
from ir.types import ShapedType, TensorType, f32

# ----------------------------------------------------------------------------- the building context


@dataclass
class _Ctx:
    draw: Callable
    func: FuncOp
    values: list[Value] = field(default_factory=list)  # f32 tensors available as operands
    used_ops: list[str] = field(default_factory=list)

    def op(self, onnx: str, *operands, result_types=None, **attrs) -> Operation:
        from ir.dialects.graph.base import by_onnx_name

        cls = by_onnx_name(onnx)
        op = cls.build(*operands, result_types=result_types, **attrs)
        self.func.body.append(op)
        self.used_ops.append(onnx)
        return op

    def const(self, array) -> Value:
        from ir.dialects.graph.ops_core import Constant

        op = Constant.build(value=np.asarray(array))
        self.func.body.append(op)
        return op.result

    def ints(self, values) -> Value:
        return self.const(np.asarray(values, dtype=np.int64).reshape(-1))

    def weights(self, shape, low=-1.0, high=1.0) -> Value:
        seed = self.draw(st.integers(0, 2**16))
        return self.const(np.random.default_rng(seed).uniform(low, high, size=shape).astype(np.float32))

    def pick(self, rank_min: int = 0, rank_max: int = 8) -> Value | None:
        pool = [v for v in self.values if rank_min <= v.type.rank <= rank_max]
        return self.draw(st.sampled_from(pool)) if pool else None

    def positive(self, v: Value) -> Value:
        """|v| + 1: a value safe for log, sqrt, reciprocal and division."""
        a = self.op("Abs", v).result
        return self.op("Add", a, self.const(np.float32(1.0))).result

    def shape(self, v: Value) -> tuple[int, ...]:
        return v.type.shape


def _axis(ctx: _Ctx, rank: int, negative: bool = True) -> int:
    a = ctx.draw(st.integers(0, rank - 1))
    return a - rank if negative and ctx.draw(st.booleans()) else a


def _same_shape_or_broadcast(ctx: _Ctx, v: Value) -> Value:
    """A second operand for a binary op: another value that broadcasts with `v`, or a fresh constant."""
    shape = ctx.shape(v)
    others = [w for w in ctx.values if w is not v and _broadcasts(ctx.shape(w), shape)]
    if others and ctx.draw(st.booleans()):
        return ctx.draw(st.sampled_from(others))
    keep = ctx.draw(st.integers(0, len(shape)))
    sub = tuple(1 if ctx.draw(st.booleans()) else d for d in shape[len(shape) - keep :])
    return ctx.weights(sub)


def _broadcasts(a, b) -> bool:
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


# ----------------------------------------------------------------------------- recipes


def _unary(name: str, **attr_strategies) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        x = ctx.pick(0)
        attrs = {k: ctx.draw(s) for k, s in attr_strategies.items()}
        return ctx.op(name, x, **attrs).result

    return recipe


def _safe_unary(name: str) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        return ctx.op(name, ctx.positive(ctx.pick(0))).result

    return recipe


def _binary(name: str, safe_rhs: bool = False) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        a = ctx.pick(0)
        b = _same_shape_or_broadcast(ctx, a)
        if safe_rhs:
            b = ctx.positive(b)
        if ctx.draw(st.booleans()):
            a, b = (b, a) if not safe_rhs else (a, b)
        return ctx.op(name, a, b).result

    return recipe


def _variadic(name: str) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        a = ctx.pick(0)
        rest = [_same_shape_or_broadcast(ctx, a) for _ in range(ctx.draw(st.integers(0, 2)))]
        return ctx.op(name, [a, *rest]).result

    return recipe


def _bounded_exp(ctx: _Ctx):
    """exp(tanh(x)): keeps chains of exponentials finite."""
    return ctx.op("Exp", ctx.op("Tanh", ctx.pick(0)).result).result


def _pow(ctx: _Ctx):
    a = ctx.positive(ctx.pick(0))
    e = ctx.const(np.float32(ctx.draw(st.sampled_from([0.5, 1.0, 2.0, 3.0, -1.0]))))
    return ctx.op("Pow", a, e).result


def _compare_where(ctx: _Ctx):
    a = ctx.pick(0)
    b = _same_shape_or_broadcast(ctx, a)
    cond = ctx.op(
        ctx.draw(st.sampled_from(["Greater", "Less", "GreaterOrEqual", "LessOrEqual"])), a, b
    ).result
    return ctx.op("Where", cond, a, b).result


def _clip(ctx: _Ctx):
    x = ctx.pick(0)
    lo = ctx.draw(st.floats(-1.0, 0.0, width=32))
    hi = ctx.draw(st.floats(0.0, 1.0, width=32))
    lo_v = ctx.const(np.float32(lo)) if ctx.draw(st.booleans()) else None
    hi_v = ctx.const(np.float32(hi)) if ctx.draw(st.booleans()) else None
    return ctx.op("Clip", x, lo_v, hi_v).result


def _conv_dims(ctx: _Ctx, x: Value):
    n, c, *spatial = ctx.shape(x)
    nsp = len(spatial)
    kernel = [ctx.draw(st.integers(1, min(3, s))) for s in spatial]
    strides = [ctx.draw(st.integers(1, 2)) for _ in range(nsp)]
    dilations = [ctx.draw(st.integers(1, 2)) if k * 2 - 1 <= s else 1 for k, s in zip(kernel, spatial)]
    pads = [ctx.draw(st.integers(0, k - 1)) for k in kernel] + [
        ctx.draw(st.integers(0, k - 1)) for k in kernel
    ]
    return c, kernel, strides, dilations, pads


def _conv(ctx: _Ctx):
    x = ctx.pick(3, 5)
    if x is None:
        return None
    c, kernel, strides, dilations, pads = _conv_dims(ctx, x)
    group = ctx.draw(st.sampled_from([g for g in (1, 2, 3, c) if c % g == 0]))
    m = group * ctx.draw(st.integers(1, 3))
    w = ctx.weights((m, c // group, *kernel))
    b = ctx.weights((m,)) if ctx.draw(st.booleans()) else None
    attrs = {"strides": strides, "dilations": dilations, "pads": pads, "group": group}
    if ctx.draw(st.booleans()):
        attrs["kernel_shape"] = kernel
    for k in ("strides", "dilations", "pads"):
        if ctx.draw(st.integers(0, 3)) == 0:
            del attrs[k]
    return ctx.op("Conv", x, w, b, **attrs).result


def _conv_transpose(ctx: _Ctx):
    x = ctx.pick(4, 4)
    if x is None:
        return None
    c, kernel, strides, _, _ = _conv_dims(ctx, x)
    group = ctx.draw(st.sampled_from([g for g in (1, c) if c % g == 0]))
    w = ctx.weights((c, ctx.draw(st.integers(1, 2)), *kernel))
    return ctx.op("ConvTranspose", x, w, None, strides=strides, group=group).result


def _pool(name: str) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        x = ctx.pick(3, 5)
        if x is None:
            return None
        _, kernel, strides, dilations, pads = _conv_dims(ctx, x)
        attrs = {"kernel_shape": kernel, "strides": strides, "pads": pads}
        attrs["ceil_mode"] = ctx.draw(st.integers(0, 1))
        if name == "MaxPool":
            attrs["dilations"] = dilations
        if name == "AveragePool":
            attrs["count_include_pad"] = ctx.draw(st.integers(0, 1))
        if name == "LpPool":
            attrs["p"] = ctx.draw(st.sampled_from([1, 2]))
        return ctx.op(name, x, **attrs).results[0]

    return recipe


def _global_pool(name: str) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        x = ctx.pick(3, 5)
        return None if x is None else ctx.op(name, x).result

    return recipe


def _batchnorm(ctx: _Ctx):
    x = ctx.pick(2, 5)
    if x is None:
        return None
    c = ctx.shape(x)[1]
    return ctx.op(
        "BatchNormalization",
        x,
        ctx.weights((c,), 0.5, 1.5),
        ctx.weights((c,)),
        ctx.weights((c,)),
        ctx.weights((c,), 0.5, 1.5),
        epsilon=ctx.draw(st.sampled_from([1e-5, 1e-3])),
    ).result


def _instancenorm(ctx: _Ctx):
    x = ctx.pick(3, 5)
    if x is None:
        return None
    c = ctx.shape(x)[1]
    return ctx.op("InstanceNormalization", x, ctx.weights((c,), 0.5, 1.5), ctx.weights((c,))).result


def _layernorm(ctx: _Ctx):
    x = ctx.pick(1)
    axis = _axis(ctx, x.type.rank)
    norm_shape = ctx.shape(x)[axis:] if axis >= 0 else ctx.shape(x)[axis:]
    b = ctx.weights(norm_shape) if ctx.draw(st.booleans()) else None
    return ctx.op("LayerNormalization", x, ctx.weights(norm_shape, 0.5, 1.5), b, axis=axis).results[0]


def _lrn(ctx: _Ctx):
    x = ctx.pick(3, 5)
    if x is None:
        return None
    return ctx.op(
        "LRN",
        x,
        size=ctx.draw(st.sampled_from([1, 3, 5])),
        alpha=ctx.draw(st.sampled_from([1e-4, 1e-2])),
        beta=0.75,
        bias=ctx.draw(st.sampled_from([1.0, 2.0])),
    ).result


def _gemm(ctx: _Ctx):
    a = ctx.pick(2, 2)
    if a is None:
        return None
    ta, tb = ctx.draw(st.integers(0, 1)), ctx.draw(st.integers(0, 1))
    m, k = ctx.shape(a)[::-1] if ta else ctx.shape(a)
    n = ctx.draw(st.integers(1, 5))
    b = ctx.weights((n, k) if tb else (k, n))
    c = (
        ctx.weights(ctx.draw(st.sampled_from([(n,), (m, n), (1, n), ()])))
        if ctx.draw(st.booleans())
        else None
    )
    alpha = ctx.draw(st.sampled_from([1.0, 0.5, 2.0]))
    beta = ctx.draw(st.sampled_from([1.0, 0.5]))
    return ctx.op("Gemm", a, b, c, alpha=alpha, beta=beta, transA=ta, transB=tb).result


def _matmul(ctx: _Ctx):
    a = ctx.pick(1, 4)
    k = ctx.shape(a)[-1]
    shape = (k, ctx.draw(st.integers(1, 4))) if ctx.draw(st.integers(0, 3)) else (k,)
    return ctx.op("MatMul", a, ctx.weights(shape)).result


def _softmax(name: str) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        x = ctx.pick(1)
        return ctx.op(name, x, axis=_axis(ctx, x.type.rank)).result

    return recipe


def _reduce(name: str, safe: bool = False) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        x = ctx.pick(1)
        if safe:
            x = ctx.positive(x)
        rank = x.type.rank
        axes = ctx.draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
        axes = [a - rank if ctx.draw(st.booleans()) else a for a in axes]
        keep = ctx.draw(st.integers(0, 1))
        if ctx.draw(st.integers(0, 4)) == 0:
            return ctx.op(name, x, None, keepdims=keep).result  # reduce over every axis
        return ctx.op(name, x, ctx.ints(axes), keepdims=keep).result

    return recipe


def _argminmax(name: str) -> Callable[[_Ctx], Value | None]:
    def recipe(ctx: _Ctx):
        x = ctx.pick(1)
        idx = ctx.op(
            name,
            x,
            axis=_axis(ctx, x.type.rank),
            keepdims=ctx.draw(st.integers(0, 1)),
            select_last_index=ctx.draw(st.integers(0, 1)),
        ).result
        return ctx.op("Cast", idx, to=1).result  # ONNX FLOAT

    return recipe


def _factorize(ctx: _Ctx, n: int) -> list[int]:
    dims = []
    while n > 1 and len(dims) < 3:
        divs = [d for d in range(2, n + 1) if n % d == 0]
        d = ctx.draw(st.sampled_from(divs))
        dims.append(d)
        n //= d
    if n > 1:
        dims.append(n)
    return dims + [1] * ctx.draw(st.integers(0, 1))


def _reshape(ctx: _Ctx):
    x = ctx.pick(0)
    dims = _factorize(ctx, int(np.prod(ctx.shape(x))))
    if dims and ctx.draw(st.booleans()):
        dims[ctx.draw(st.integers(0, len(dims) - 1))] = -1
    return ctx.op("Reshape", x, ctx.ints(dims)).result


def _flatten(ctx: _Ctx):
    x = ctx.pick(1)
    return ctx.op("Flatten", x, axis=ctx.draw(st.integers(-x.type.rank, x.type.rank))).result


def _transpose(ctx: _Ctx):
    x = ctx.pick(1)
    perm = ctx.draw(st.permutations(range(x.type.rank)))
    return ctx.op("Transpose", x, perm=list(perm)).result


def _unsqueeze_squeeze(ctx: _Ctx):
    x = ctx.pick(0, 4)
    if x is None:
        return None
    rank = x.type.rank
    axis = ctx.draw(st.integers(-(rank + 1), rank))
    y = ctx.op("Unsqueeze", x, ctx.ints([axis])).result
    if ctx.draw(st.booleans()):
        return ctx.op("Squeeze", y, ctx.ints([axis])).result
    return y


def _concat(ctx: _Ctx):
    x = ctx.pick(1)
    axis = _axis(ctx, x.type.rank)
    parts = [x]
    for _ in range(ctx.draw(st.integers(1, 2))):
        shape = list(ctx.shape(x))
        shape[axis] = ctx.draw(st.integers(1, 3))
        same = [w for w in ctx.values if w.type == x.type]
        parts.append(
            ctx.draw(st.sampled_from(same)) if ctx.draw(st.booleans()) else ctx.weights(tuple(shape))
        )
    return ctx.op("Concat", parts, axis=axis).result


def _slice(ctx: _Ctx):
    x = ctx.pick(1)
    rank = x.type.rank
    axes = ctx.draw(st.lists(st.integers(0, rank - 1), min_size=1, max_size=rank, unique=True))
    starts, ends, steps = [], [], []
    for a in axes:
        n = ctx.shape(x)[a]
        step = ctx.draw(st.sampled_from([1, 1, 2, -1]))
        lo = ctx.draw(st.integers(0, n - 1))
        if step > 0:
            hi = ctx.draw(st.integers(lo + 1, n + 2))
            starts.append(lo - n if ctx.draw(st.booleans()) else lo)
            ends.append(hi if hi <= n or ctx.draw(st.booleans()) else 2**62)
        else:
            hi = ctx.draw(st.integers(-1, lo - 1)) if lo > 0 else -1
            starts.append(lo)
            ends.append(hi if hi >= 0 else -(2**62))
        steps.append(step)
    use_steps = any(s != 1 for s in steps) or ctx.draw(st.booleans())
    return ctx.op(
        "Slice",
        x,
        ctx.ints(starts),
        ctx.ints(ends),
        ctx.ints(axes),
        ctx.ints(steps) if use_steps else None,
    ).result


def _gather(ctx: _Ctx):
    x = ctx.pick(1)
    axis = _axis(ctx, x.type.rank)
    n = ctx.shape(x)[axis]
    ishape = ctx.draw(st.sampled_from([(), (2,), (2, 2), (3,)]))
    seed = ctx.draw(st.integers(0, 2**16))
    idx = np.random.default_rng(seed).integers(-n, n, size=ishape).astype(np.int64)
    return ctx.op("Gather", x, ctx.const(idx), axis=axis).result


def _gather_elements(ctx: _Ctx):
    x = ctx.pick(1)
    axis = _axis(ctx, x.type.rank)
    n = ctx.shape(x)[axis]
    seed = ctx.draw(st.integers(0, 2**16))
    idx = np.random.default_rng(seed).integers(0, n, size=ctx.shape(x)).astype(np.int64)
    return ctx.op("GatherElements", x, ctx.const(idx), axis=axis).result


def _split(ctx: _Ctx):
    x = ctx.pick(1)
    axis = _axis(ctx, x.type.rank)
    n = ctx.shape(x)[axis]
    if n < 2:
        return None
    first = ctx.draw(st.integers(1, n - 1))
    outs = ctx.op("Split", x, ctx.ints([first, n - first]), axis=axis).results
    return ctx.draw(st.sampled_from(list(outs)))


def _tile(ctx: _Ctx):
    x = ctx.pick(1, 4)
    reps = [ctx.draw(st.integers(1, 2)) for _ in range(x.type.rank)]
    return ctx.op("Tile", x, ctx.ints(reps)).result


def _expand(ctx: _Ctx):
    x = ctx.pick(0, 3)
    if x is None:
        return None
    shape = [d if d != 1 else ctx.draw(st.integers(1, 3)) for d in ctx.shape(x)]
    shape = [ctx.draw(st.integers(1, 2)) for _ in range(ctx.draw(st.integers(0, 1)))] + shape
    return ctx.op("Expand", x, ctx.ints(shape)).result


def _pad(ctx: _Ctx):
    x = ctx.pick(1, 4)
    mode = ctx.draw(st.sampled_from(["constant", "reflect", "edge"]))
    limit = [(d - 1 if mode == "reflect" else 2) for d in ctx.shape(x)]
    pads = [ctx.draw(st.integers(0, min(2, lim))) for lim in limit] * 2
    value = ctx.const(np.float32(ctx.draw(st.sampled_from([0.0, 1.5])))) if mode == "constant" else None
    return ctx.op("Pad", x, ctx.ints(pads), value, None, mode=mode).result


def _depth_space(ctx: _Ctx):
    x = ctx.pick(4, 4)
    if x is None:
        return None
    n, c, h, w = ctx.shape(x)
    b = 2
    if c % (b * b) == 0 and ctx.draw(st.booleans()):
        return ctx.op("DepthToSpace", x, blocksize=b, mode=ctx.draw(st.sampled_from(["DCR", "CRD"]))).result
    if h % b == 0 and w % b == 0:
        return ctx.op("SpaceToDepth", x, blocksize=b).result
    return None


def _identity_like(ctx: _Ctx):
    x = ctx.pick(0)
    name = ctx.draw(st.sampled_from(["Identity", "Dropout"]))
    return ctx.op(name, x).results[0]


def _cast_roundtrip(ctx: _Ctx):
    x = ctx.pick(0)
    y = ctx.op("Cast", x, to=ctx.draw(st.sampled_from([11, 10]))).result  # DOUBLE, FLOAT16
    return ctx.op("Cast", y, to=1).result


def _prelu(ctx: _Ctx):
    x = ctx.pick(1)
    shape = ctx.shape(x)
    slope_shape = (shape[1],) + (1,) * (len(shape) - 2) if len(shape) >= 2 else (shape[-1],)
    return ctx.op("PRelu", x, ctx.weights(slope_shape, 0.0, 0.5)).result


_F = st.sampled_from([0.0625, 0.25, 0.5, 1.0, 1.5, 2.0])

RECIPES: dict[str, Callable[[_Ctx], Value | None]] = {
    "Relu": _unary("Relu"),
    "Sigmoid": _unary("Sigmoid"),
    "Tanh": _unary("Tanh"),
    "Abs": _unary("Abs"),
    "Neg": _unary("Neg"),
    "Erf": _unary("Erf"),
    "Floor": _unary("Floor"),
    "Ceil": _unary("Ceil"),
    "Sin": _unary("Sin"),
    "Cos": _unary("Cos"),
    "Softplus": _unary("Softplus"),
    "Softsign": _unary("Softsign"),
    "HardSwish": _unary("HardSwish"),
    "Mish": _unary("Mish"),
    "Sign": _unary("Sign"),
    "LeakyRelu": _unary("LeakyRelu", alpha=_F),
    "Elu": _unary("Elu", alpha=_F),
    "Celu": _unary("Celu", alpha=_F),
    "Selu": _unary("Selu"),
    "ThresholdedRelu": _unary("ThresholdedRelu", alpha=_F),
    "HardSigmoid": _unary("HardSigmoid", alpha=_F, beta=st.floats(0.0, 1.0, width=32)),
    "Gelu": _unary("Gelu", approximate=st.sampled_from(["none", "tanh"])),
    "Shrink": _unary("Shrink", lambd=_F, bias=st.floats(0.0, 1.0, width=32)),
    "Exp": _bounded_exp,
    "Log": _safe_unary("Log"),
    "Sqrt": _safe_unary("Sqrt"),
    "Reciprocal": _safe_unary("Reciprocal"),
    "Add": _binary("Add"),
    "Sub": _binary("Sub"),
    "Mul": _binary("Mul"),
    "Div": _binary("Div", safe_rhs=True),
    "Pow": _pow,
    "Sum": _variadic("Sum"),
    "Max": _variadic("Max"),
    "Min": _variadic("Min"),
    "Mean": _variadic("Mean"),
    "Where": _compare_where,
    "Clip": _clip,
    "PRelu": _prelu,
    "Conv": _conv,
    "ConvTranspose": _conv_transpose,
    "MaxPool": _pool("MaxPool"),
    "AveragePool": _pool("AveragePool"),
    "LpPool": _pool("LpPool"),
    "GlobalAveragePool": _global_pool("GlobalAveragePool"),
    "GlobalMaxPool": _global_pool("GlobalMaxPool"),
    "BatchNormalization": _batchnorm,
    "InstanceNormalization": _instancenorm,
    "LayerNormalization": _layernorm,
    "LRN": _lrn,
    "Gemm": _gemm,
    "MatMul": _matmul,
    "Softmax": _softmax("Softmax"),
    "LogSoftmax": _softmax("LogSoftmax"),
    "ReduceSum": _reduce("ReduceSum"),
    "ReduceMean": _reduce("ReduceMean"),
    "ReduceMax": _reduce("ReduceMax"),
    "ReduceMin": _reduce("ReduceMin"),
    "ReduceProd": _reduce("ReduceProd"),
    "ReduceL1": _reduce("ReduceL1"),
    "ReduceL2": _reduce("ReduceL2"),
    "ReduceSumSquare": _reduce("ReduceSumSquare"),
    "ReduceLogSum": _reduce("ReduceLogSum", safe=True),
    "ReduceLogSumExp": _reduce("ReduceLogSumExp"),
    "ArgMax": _argminmax("ArgMax"),
    "ArgMin": _argminmax("ArgMin"),
    "Reshape": _reshape,
    "Flatten": _flatten,
    "Transpose": _transpose,
    "Unsqueeze": _unsqueeze_squeeze,
    "Concat": _concat,
    "Slice": _slice,
    "Gather": _gather,
    "GatherElements": _gather_elements,
    "Split": _split,
    "Tile": _tile,
    "Expand": _expand,
    "Pad": _pad,
    "DepthToSpace": _depth_space,
    "Identity": _identity_like,
    "Cast": _cast_roundtrip,
}
"""ONNX op type -> recipe. Recipes may use other op types as helpers (Abs/Add for safe domains, Cast...)."""

_HELPERS = {
    "Exp": ("Tanh",),
    "Log": ("Abs", "Add"),
    "Sqrt": ("Abs", "Add"),
    "Reciprocal": ("Abs", "Add"),
    "Div": ("Abs", "Add"),
    "Pow": ("Abs", "Add"),
    "ReduceLogSum": ("Abs", "Add"),
    "Where": ("Greater", "Less", "GreaterOrEqual", "LessOrEqual"),
    "ArgMax": ("Cast",),
    "ArgMin": ("Cast",),
    "Unsqueeze": ("Squeeze",),
    "DepthToSpace": ("SpaceToDepth",),
    "Identity": ("Dropout",),
}


def available_op_types() -> list[str]:
    """The ONNX op types the generator can emit with the graph dialect as it is now."""
    import ir.dialects  # noqa: F401  (registers the dialects)
    from ir.dialects.graph.base import by_onnx_name

    out = []
    for name in RECIPES:
        needed = (name, *_HELPERS.get(name, ()))
        if all(by_onnx_name(n) is not None for n in needed):
            out.append(name)
    return out


# ----------------------------------------------------------------------------- the strategies


@st.composite
def input_shapes(draw, max_inputs: int = 3) -> list[tuple[int, ...]]:
    """Entry shapes: often an image-like NCHW tensor, plus vectors, matrices and other ranks."""
    image = st.tuples(st.integers(1, 2), st.integers(1, 4), st.integers(2, 7), st.integers(2, 7))
    other = st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple)
    return draw(
        st.lists(
            st.one_of(image, other, st.tuples(st.integers(1, 2), st.integers(1, 4), st.integers(2, 8))),
            min_size=1,
            max_size=max_inputs,
        )
    )


@st.composite
def graph_functions(
    draw, ops: list[str] | None = None, max_ops: int = 6, max_outputs: int = 2, max_elements: int = 4096
) -> ModuleOp:
    """A module with one `func.func @main` of random graph ops (f32 tensors in and out), well typed and
    verifiable. `ops` restricts the op types (default: every available one)."""
    import ir.dialects  # noqa: F401

    choices = [o for o in (ops or available_op_types()) if o in RECIPES]
    if not choices:
        raise ValueError(f"none of {ops} can be generated with the graph dialect as it is")
    shapes_ = draw(input_shapes())
    m = new_module()
    f = FuncOp.create("main", [TensorType(s, f32) for s in shapes_], [])
    m.body.append(f)
    ctx = _Ctx(draw, f, values=list(f.args))
    produced: list[Value] = []
    steps = draw(st.integers(1, max_ops))
    attempts = 0
    while len(produced) < steps and attempts < steps * 4:
        attempts += 1
        name = draw(st.sampled_from(choices))
        mark = len(f.body.ops)
        v = RECIPES[name](ctx)
        if v is None:
            for op in reversed(f.body.ops[mark:]):  # drop helper constants of an inapplicable recipe
                op.erase()
            continue
        t = v.type
        if not (isinstance(t, ShapedType) and t.has_static_shape and t.element_type == f32):
            continue
        if t.num_elements == 0 or t.num_elements > max_elements:
            continue
        ctx.values.append(v)
        produced.append(v)
    outs = produced[-1:] if produced else [f.args[0]]
    extra = [v for v in produced[:-1] if not v.uses]
    outs += draw(st.lists(st.sampled_from(extra), max_size=max_outputs - 1, unique=True)) if extra else []
    f.body.append(ReturnOp.build(outs))
    f.update_type()
    return m


def inputs_for(module: ModuleOp, low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[list[np.ndarray]]:
    """A strategy of input arrays matching `module`'s entry function (finite floats in [low, high])."""
    from hypothesis.extra import numpy as hnp

    from ir.types import to_numpy_dtype

    arrays = []
    for a in module.main.args:
        t = a.type
        dtype = to_numpy_dtype(t.element_type)
        if dtype.kind == "f":
            elems = st.floats(low, high, width=dtype.itemsize * 8, allow_nan=False, allow_infinity=False)
        elif dtype.kind == "b":
            elems = st.booleans()
        else:
            elems = st.integers(-8, 8)
        arrays.append(hnp.arrays(dtype, t.shape, elements=elems))
    return st.tuples(*arrays).map(list)


@dataclass
class GraphCase:
    """A random graph module and inputs for it."""

    module: ModuleOp
    inputs: list[np.ndarray]

    def __repr__(self) -> str:
        from ir.printer import print_op

        shapes_ = ", ".join(f"{x.dtype}{list(x.shape)}" for x in self.inputs)
        return f"GraphCase(inputs: {shapes_})\n{print_op(self.module)}"


@st.composite
def graph_cases(draw, ops: list[str] | None = None, max_ops: int = 6) -> GraphCase:
    """A random graph module (see `graph_functions`) together with random inputs for it."""
    m = draw(graph_functions(ops=ops, max_ops=max_ops))
    return GraphCase(m, draw(inputs_for(m)))


__all__ = [
    "RECIPES",
    "GraphCase",
    "available_op_types",
    "graph_cases",
    "graph_functions",
    "input_shapes",
    "inputs_for",
]

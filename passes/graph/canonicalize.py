"""canonicalize: graph-level simplifications written as patterns (see `--list-patterns`): Identity and
Dropout removal, Reshape and Transpose chains, Sum of two -> Add, BatchNormalization folded into the
preceding Conv/Gemm (or into Mul+Add), conv bias absorption, shape ops on static shapes, cast pairs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ir.core import Operation
from ir.dialects.graph import ops_core
from ir.dialects.graph import ops_elementwise as ew
from ir.dialects.graph import ops_nn as nn
from ir.dialects.graph import ops_shape as sh
from ir.types import FloatType, IntegerType, ShapedType, to_numpy_dtype
from passes.graph.patterns_util import const, is_const, merged_provenance, new_const, single_use, static_shape
from passes.pass_base import Pass, PassContext
from passes.registry import register_pass, register_patterns
from passes.rewrite import Pattern, Var, apply_patterns_greedily, either, parse_pattern
from passes.rewrite import op_pattern as P
from passes.rewrite import template as T

x, y, s1, s2 = Var("x"), Var("y"), Var("s1"), Var("s2")


# ----------------------------------------------------------------------------- native rewrites


def _remove_dropout(rw, mt) -> bool:
    op = mt.root
    news = [op.operands[0]]
    if len(op.results) == 2:
        if op.results[1].uses:
            if not static_shape(op.results[1]):
                return False
            rw.set_insertion_point_before(op)
            news.append(new_const(rw, np.ones(static_shape(op.results[1]), np.bool_), op.provenance))
        else:
            news.append(op.results[1])  # unused: replaced by itself, then erased with the op
    rw.replace_op(op, news)
    return True


def _no_zero_dims(v) -> bool:
    c = const(v)
    return c is not None and 0 not in np.asarray(c).reshape(-1).tolist()


def _replace_with_source(rw, mt) -> None:
    rw.replace_op(mt.root, [mt.values["x"]])


def _perm(op: Operation, rank: int) -> list[int]:
    return list(op.perm) if op.perm is not None else list(range(rank))[::-1]


def _transpose_chain(rw, mt) -> bool:
    outer, inner = mt.root, mt.ops["inner"]
    rank = inner.operands[0].type.rank
    p1, p2 = _perm(inner, rank), _perm(outer, rank)
    composed = [p1[i] for i in p2]
    rw.set_insertion_point_before(outer)
    if composed == list(range(rank)):
        rw.replace_op(outer, [inner.operands[0]])
        return True
    new = rw.insert(
        sh.Transpose.build(
            inner.operands[0],
            perm=composed,
            result_types=[outer.result.type],
            provenance=merged_provenance(inner, outer),
        )
    )
    rw.replace_op(outer, new)
    return True


def _identity_transpose(op) -> bool:
    rank = op.operands[0].type.rank
    return op.perm is not None and list(op.perm) == list(range(rank))


def _same_type_as_input(op) -> bool:
    return op.operands[0].type == op.result.type and static_shape(op.result) is not None


def _shape_to_const(rw, mt) -> bool:
    op = mt.root
    shape = static_shape(op.operands[0])
    if shape is None:
        return False
    rw.set_insertion_point_before(op)
    arr = np.asarray(
        op.evaluate(np.empty(shape, np.float32)) if op.name == "graph.shape" else np.int64(np.prod(shape))
    )
    rw.replace_op(op, [new_const(rw, arr.astype(np.int64), op.provenance, op.result.type)])
    return True


def _constant_of_shape(rw, mt) -> bool:
    op = mt.root
    shape = const(op.operands[0])
    if shape is None or static_shape(op.result) is None:
        return False
    t = op.result.type
    fill = op.value.reshape(-1)[0] if op.value is not None else 0
    rw.set_insertion_point_before(op)
    arr = np.full(t.shape, fill, to_numpy_dtype(t.element_type))
    rw.replace_op(op, [new_const(rw, arr, op.provenance, t)])
    return True


def _bn_params(bn):
    vals = [const(v) for v in bn.operands[1:5]]
    if any(v is None for v in vals):
        return None
    scale, bias, mean, var = (np.asarray(v, np.float64) for v in vals)
    a = scale / np.sqrt(var + bn.epsilon)
    return a, bias - mean * a


# Declarative BatchNorm folds: the match binds the ops, the constraint computes the new constant arrays
# (or declines), the template builds them (`t.Constant(value=Var(...))`) and the replacement op.


def _bn_conv_arrays(mt):
    """W*a and B*a + c for BatchNormalization(Conv(x, W[, B])), or False when not all constant."""
    params = _bn_params(mt["bn"])
    w = const(mt["w"])
    if params is None or w is None:
        return False
    b = const(mt["cb"]) if mt.values.get("cb") is not None else np.zeros(w.shape[0])
    if b is None:
        return False
    a, c = params
    dt = w.dtype
    w2 = (w.astype(np.float64) * a.reshape((-1,) + (1,) * (w.ndim - 1))).astype(dt)
    return {"w2": w2, "b2": (b.astype(np.float64) * a + c).astype(dt)}


def _bn_gemm_arrays(mt):
    """B*a and beta*C*a + c for BatchNormalization(Gemm(A, B[, C])) on 2-D, or False."""
    bn, gemm = mt["bn"], mt["gemm"]
    params = _bn_params(bn)
    w = const(mt["w"])
    if params is None or w is None or bn.result.type.rank != 2:
        return False
    a, c = params
    n = gemm.result.type.shape[1]
    cv = const(mt["gc"]) if mt.values.get("gc") is not None else np.zeros((n,))
    if cv is None:
        return False
    dt = w.dtype
    w2 = w.astype(np.float64) * (a.reshape(-1, 1) if gemm.transB else a.reshape(1, -1))
    c2 = gemm.beta * cv.astype(np.float64) * a + c
    return {"w2": w2.astype(dt), "c2": c2.astype(dt)}


def _weight_provenance(mt):
    return mt["w"].defining_op.provenance


def _bn_match(producer, bias: str | None):
    """BatchNormalization(producer(x, w[, bias])) with the producer used only by it."""
    operands = (x, Var("w")) + ((Var(bias),) if bias else ())
    inner = P(producer, *operands, bind=producer.__name__.lower(), one_use=True)
    return P(nn.BatchNormalization, inner, Var("s"), Var("b"), Var("m"), Var("v"), bind="bn")


_FOLD_BN_INTO_CONV = T(
    nn.Conv,
    x,
    T(ops_core.Constant, value=Var("w2"), provenance=_weight_provenance),
    T(ops_core.Constant, value=Var("b2"), provenance=("conv", "bn")),
    copy_attrs="conv",
    provenance=("conv", "bn"),
)

_FOLD_BN_INTO_GEMM = T(
    nn.Gemm,
    x,
    T(ops_core.Constant, value=Var("w2"), provenance=_weight_provenance),
    T(ops_core.Constant, value=Var("c2"), provenance=("gemm", "bn")),
    provenance=("gemm", "bn"),
    alpha=lambda mt: mt["gemm"].alpha,
    beta=1.0,
    transA=lambda mt: mt["gemm"].transA,
    transB=lambda mt: mt["gemm"].transB,
)


def _bn_mul_add_arrays(mt):
    """The per-channel a and c of BatchNormalization(x) on rank >= 2, shaped to broadcast, or False."""
    bn = mt.root
    params = _bn_params(bn)
    t = bn.result.type
    if params is None or not isinstance(t, ShapedType) or t.rank < 2:
        return False
    a, c = params
    dt = to_numpy_dtype(t.element_type)
    shape = (-1,) + (1,) * (t.rank - 2)
    return {"a": a.reshape(shape).astype(dt), "c": c.reshape(shape).astype(dt)}


_BN_TO_MUL_ADD = T(
    ops_core.Add,
    T(ew.Mul, x, T(ops_core.Constant, value=Var("a")), result_types="root"),
    T(ops_core.Constant, value=Var("c")),
)


def _absorb_conv_bias(rw, mt) -> bool:
    add, conv = mt.root, mt.ops["conv"]
    bias = const(mt.values["b"])
    m = conv.result.type.shape[1]
    if bias is None or not single_use(conv.result) or add.result.type != conv.result.type:
        return False
    rank = conv.result.type.rank
    bshape = (1,) * (rank - bias.ndim) + tuple(bias.shape)
    if bshape[1] not in (1, m) or any(d != 1 for i, d in enumerate(bshape) if i != 1):
        return False
    vec = np.broadcast_to(bias.reshape(bshape)[0].reshape(-1), (m,)).astype(np.float64)
    old = const(conv.B) if conv.B is not None else np.zeros((m,))
    if old is None:
        return False
    rw.set_insertion_point_before(conv)
    prov = merged_provenance(conv, add)
    bv = new_const(rw, (old.astype(np.float64) + vec).astype(bias.dtype), prov)
    new = nn.Conv.build(
        conv.operands[0], conv.operands[1], bv, result_types=[add.result.type], provenance=prov
    )
    new.properties.update(conv.properties)
    rw.insert(new)
    rw.replace_op(add, new)
    return True


def _per_channel(bias: np.ndarray, rank: int, m: int) -> np.ndarray | None:
    """A constant broadcast against an (N, M, ...) tensor as an (M,) vector, or None when not per-channel."""
    if bias.ndim > rank:
        return None
    bshape = (1,) * (rank - bias.ndim) + tuple(bias.shape)
    if bshape[1] not in (1, m) or any(d != 1 for i, d in enumerate(bshape) if i != 1):
        return None
    return np.broadcast_to(bias.reshape(bshape)[0].reshape(-1), (m,)).astype(np.float64)


def _scale_conv(rw, mt) -> bool:
    mul, conv = mt.root, mt.ops["conv"]
    c, w = const(mt.values["c"]), const(conv.operands[1])
    m = conv.result.type.shape[1]
    if c is None or w is None or not single_use(conv.result) or mul.result.type != conv.result.type:
        return False
    vec = _per_channel(c, conv.result.type.rank, m)
    old_b = const(conv.B) if conv.B is not None else None
    if vec is None or (conv.B is not None and old_b is None):
        return False
    rw.set_insertion_point_before(conv)
    prov = merged_provenance(conv, mul)
    dt = w.dtype
    wv = new_const(rw, (w.astype(np.float64) * vec.reshape((-1,) + (1,) * (w.ndim - 1))).astype(dt), prov)
    operands = [conv.operands[0], wv]
    if old_b is not None:
        operands.append(new_const(rw, (old_b.astype(np.float64) * vec).astype(dt), prov))
    new = nn.Conv.build(*operands, result_types=[mul.result.type], provenance=prov)
    new.properties.update(conv.properties)
    rw.insert(new)
    rw.replace_op(mul, new)
    return True


def _exact_widening(src, mid) -> bool:
    """Casting src -> mid -> src is the identity (mid represents every src value)."""
    if src == mid:
        return True
    if isinstance(src, FloatType) and isinstance(mid, FloatType):
        return (str(src), str(mid)) in {
            ("f16", "f32"),
            ("bf16", "f32"),
            ("f16", "f64"),
            ("bf16", "f64"),
            ("f32", "f64"),
        }
    if isinstance(src, IntegerType) and isinstance(mid, IntegerType):
        return mid.width > src.width and (src.signedness == mid.signedness or mid.width > src.width + 1)
    return False


def _elem(v):
    return v.type.element_type if isinstance(v.type, ShapedType) else v.type


def _cast_pair(rw, mt) -> bool:
    outer, inner = mt.root, mt.ops["inner"]
    src = inner.operands[0]
    if src.type != outer.result.type or not _exact_widening(_elem(src), _elem(inner.result)):
        return False
    rw.replace_op(outer, [src])
    return True


# ----------------------------------------------------------------------------- the pattern set


PATTERNS: list[Pattern] = [
    parse_pattern("Identity(x) -> x", name="remove-identity"),
    Pattern("remove-dropout", P(nn.Dropout, x), _remove_dropout, summary="inference Dropout is the identity"),
    Pattern(
        "remove-dropout-ratio", P(nn.Dropout, x, Var("r")), _remove_dropout, summary="Dropout(x, ratio) -> x"
    ),
    Pattern(
        "remove-dropout-ratio-mode",
        P(nn.Dropout, x, Var("r"), Var("m")),
        _remove_dropout,
        summary="Dropout(x, ratio, training_mode=false) -> x",
    ),
    Pattern(
        "reshape-of-reshape",
        P(sh.Reshape, P(sh.Reshape, x, s1), Var("s2", where=_no_zero_dims)),
        T(sh.Reshape, x, s2, allowzero=lambda mt: mt.root.allowzero),
        summary="Reshape(Reshape(x, s1), s2) -> Reshape(x, s2)",
    ),
    Pattern(
        "reshape-to-same-type",
        P(sh.Reshape, x, s1, where=_same_type_as_input),
        _replace_with_source,
        summary="a Reshape that keeps the static shape is the identity",
    ),
    Pattern(
        "transpose-of-transpose",
        P(sh.Transpose, P(sh.Transpose, x, bind="inner")),
        _transpose_chain,
        summary="compose two Transposes (or cancel them)",
    ),
    Pattern(
        "identity-transpose",
        P(sh.Transpose, x, where=_identity_transpose),
        _replace_with_source,
        summary="Transpose with the identity perm -> x",
    ),
    parse_pattern("Sum(x, y) -> Add(x, y)", name="sum-of-two-to-add"),
    parse_pattern("Sum(x) -> x", name="sum-of-one"),
    Pattern(
        "fold-batchnorm-into-conv",
        _bn_match(nn.Conv, None),
        _FOLD_BN_INTO_CONV,
        where=_bn_conv_arrays,
        summary="BatchNormalization(Conv(x, W, B)) -> Conv(x, W*a, B*a+c)",
    ),
    Pattern(
        "fold-batchnorm-into-conv-bias",
        _bn_match(nn.Conv, "cb"),
        _FOLD_BN_INTO_CONV,
        where=_bn_conv_arrays,
        summary="BatchNormalization(Conv(x, W, B)) -> Conv(x, W*a, B*a+c)",
    ),
    Pattern(
        "fold-batchnorm-into-gemm",
        _bn_match(nn.Gemm, None),
        _FOLD_BN_INTO_GEMM,
        where=_bn_gemm_arrays,
        summary="BatchNormalization(Gemm(A, B)) -> Gemm(A, B*a, c)",
    ),
    Pattern(
        "fold-batchnorm-into-gemm-bias",
        _bn_match(nn.Gemm, "gc"),
        _FOLD_BN_INTO_GEMM,
        where=_bn_gemm_arrays,
        summary="BatchNormalization(Gemm(A, B, C)) -> Gemm(A, B*a, C*a+c)",
    ),
    Pattern(
        "batchnorm-to-mul-add",
        P(
            nn.BatchNormalization,
            x,
            Var("s", where=is_const),
            Var("b", where=is_const),
            Var("m", where=is_const),
            Var("v", where=is_const),
        ),
        _BN_TO_MUL_ADD,
        where=_bn_mul_add_arrays,
        benefit=1,
        summary="inference BatchNormalization -> x*a + c (constant a, c)",
    ),
    Pattern(
        "absorb-conv-bias",
        P(ops_core.Add, either(P(nn.Conv, x, Var("w"), bind="conv"), Var("b", where=is_const))),
        _absorb_conv_bias,
        summary="Add(Conv(x, W), c) -> Conv(x, W, c) for a per-channel constant c",
    ),
    Pattern(
        "absorb-conv-bias-2",
        P(
            ops_core.Add,
            either(P(nn.Conv, x, Var("w"), Var("cb", where=is_const), bind="conv"), Var("b", where=is_const)),
        ),
        _absorb_conv_bias,
        summary="Add(Conv(x, W, B), c) -> Conv(x, W, B + c)",
    ),
    Pattern(
        "fold-mul-into-conv",
        P(ew.Mul, either(P(nn.Conv, x, Var("w", where=is_const), bind="conv"), Var("c", where=is_const))),
        _scale_conv,
        summary="Mul(Conv(x, W), c) -> Conv(x, W*c) for a per-channel constant c",
    ),
    Pattern(
        "fold-mul-into-conv-bias",
        P(
            ew.Mul,
            either(
                P(nn.Conv, x, Var("w", where=is_const), Var("cb", where=is_const), bind="conv"),
                Var("c", where=is_const),
            ),
        ),
        _scale_conv,
        summary="Mul(Conv(x, W, B), c) -> Conv(x, W*c, B*c) for a per-channel constant c",
    ),
    Pattern(
        "shape-of-static", P(sh.Shape, x), _shape_to_const, summary="Shape of a static shape -> constant"
    ),
    Pattern("size-of-static", P(sh.Size, x), _shape_to_const, summary="Size of a static shape -> constant"),
    Pattern(
        "constant-of-shape",
        P(sh.ConstantOfShape, Var("s", where=is_const)),
        _constant_of_shape,
        summary="ConstantOfShape of a constant shape -> constant",
    ),
    Pattern(
        "cast-pair",
        P(ew.Cast, P(ew.Cast, x, bind="inner")),
        _cast_pair,
        summary="Cast(Cast(x: T) -> wider) -> T is x",
    ),
    Pattern(
        "cast-to-same-type",
        P(ew.Cast, x, where=lambda op: op.operands[0].type == op.result.type),
        _replace_with_source,
        summary="Cast to the operand's own type -> x",
    ),
]


register_patterns("canonicalize", PATTERNS)


@register_pass
@dataclass(frozen=True)
class Canonicalize(Pass):
    name = "canonicalize"
    summary = "graph simplifications: identities, reshape/transpose chains, BatchNorm folding, static shapes"
    max_iterations: int = 10
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()

    def run(self, op: Operation, ctx: PassContext) -> bool:
        res = apply_patterns_greedily(
            op,
            PATTERNS,
            ctx,
            max_iterations=self.max_iterations,
            enable=list(self.enable) or None,
            disable=list(self.disable),
        )
        ctx.stat("iterations", res.iterations)
        return res.changed

"""fuse-tensor: tensor-level fusion (stage 2 of the lowering contract).

1. Elementwise fusion (linalg's): an all-parallel `tensor.generic` with one result and one use is folded
   into the consumer `tensor.generic` that reads it through a permutation map (so every producer element is
   still computed exactly once). A consumer that reads the same value twice through the same map (SiLU's
   x * sigmoid(x)) reads it once first, and constant inputs with one value everywhere become scalar
   constants of the body. The producer's input maps are composed with the consumer's map for that
   operand, and the producer's body is inlined in front of the consumer's body.
2. Epilogues: a `tensor.matmul` / `tensor.conv` whose only use is an all-parallel `tensor.generic` that
   reads it through the identity map and writes a result of the same type (bias, activation, residual add
   after step 1 merged them) gets that generic as its epilogue. Representation (chosen so bufferize and
   tensor-to-loops see one kernel per group without a new region op): the generic keeps consuming the named
   op's result directly, carries `zg.epilogue_of = "<named op name>"`, and both ops carry the same
   `zg.fusion_group = N` (a new id when neither had one). bufferize emits them into one loop.kernel (the
   named op accumulates into the epilogue's output buffer; the epilogue then runs in place on it, or
   tensor-to-loops applies it to the accumulator before the store).

Semantics are unchanged: the same scalar ops run on the same values in the same order per element.
"""

from __future__ import annotations

from dataclasses import dataclass

from ir.affine import AffineBinary, AffineDim, AffineExpr, AffineMap
from ir.attributes import IntegerAttr, StringAttr
from ir.core import Block, Operation, Region
from ir.dialects import arith
from ir.dialects import tensor as T
from ir.opdef import constant_value
from ir.types import element_type
from passes.lowering.graph_to_tensor import FUSION_GROUP
from passes.pass_base import Pass, PassContext, func_ops
from passes.registry import register_pass

EPILOGUE_OF = "zg.epilogue_of"
"""Discardable attribute on a tensor.generic: the name of the named op (matmul/conv) it is the epilogue of."""

ANCHORS = ("tensor.matmul", "tensor.conv")


def _subst(e: AffineExpr, repl) -> AffineExpr:
    if isinstance(e, AffineDim):
        return repl[e.position]
    if isinstance(e, AffineBinary):
        return AffineBinary(e.kind, _subst(e.lhs, repl), _subst(e.rhs, repl))
    return e


def compose(inner: AffineMap, outer: AffineMap) -> AffineMap:
    """inner ∘ outer: `outer` maps consumer loops to producer loops, `inner` producer loops to an operand."""
    return AffineMap(outer.num_dims, 0, tuple(_subst(e, outer.results) for e in inner.results))


def _is_permutation(m: AffineMap) -> bool:
    pos = [e.position for e in m.results if isinstance(e, AffineDim)]
    return len(pos) == len(m.results) == m.num_dims and sorted(pos) == list(range(m.num_dims))


def is_elementwise_generic(op: Operation) -> bool:
    """All-parallel generic with one output written through the identity map, not reading its init."""
    if not isinstance(op, T.GenericOp) or len(op.outputs) != 1:
        return False
    if any(t != T.PARALLEL for t in op.iterator_types):
        return False
    out_map = op.indexing_maps[-1]
    if out_map != AffineMap.identity(len(op.iterator_types)):
        return False
    return not op.regions[0].block.args[-1].uses


def _producer_operand(consumer: T.GenericOp) -> tuple[int, T.GenericOp] | None:
    for i, v in enumerate(consumer.inputs):
        p = v.defining_op
        if (
            p is not None
            and p.parent is consumer.parent
            and is_elementwise_generic(p)
            and len(v.uses) == 1
            and _is_permutation(consumer.indexing_maps[i])
        ):
            return i, p
    return None


def fuse_pair(producer: T.GenericOp, consumer: T.GenericOp, k: int) -> T.GenericOp:
    """Folds `producer` (consumer input #k) into `consumer`; returns the new generic (inserted, old ones erased)."""
    c_ins, c_outs = list(consumer.inputs), list(consumer.outputs)
    p_ins = list(producer.inputs)
    c_maps, p_maps = consumer.indexing_maps, producer.indexing_maps
    via = c_maps[k]
    new_ins = c_ins[:k] + p_ins + c_ins[k + 1 :]
    new_maps = list(c_maps[:k]) + [compose(m, via) for m in p_maps[: len(p_ins)]] + list(c_maps[k + 1 :])
    block = Block([element_type(v.type) for v in [*new_ins, *c_outs]])
    args = block.args
    pb, cb = producer.regions[0].block, consumer.regions[0].block
    mapping = {a: args[k + i] for i, a in enumerate(pb.args[: len(p_ins)])}
    for o in pb.ops[:-1]:
        block.append(o.clone(mapping))
    produced = mapping.get(pb.terminator.operands[0], pb.terminator.operands[0])
    cmap = {}
    for i, a in enumerate(cb.args[: len(c_ins)]):
        if i < k:
            cmap[a] = args[i]
        elif i == k:
            cmap[a] = produced
        else:
            cmap[a] = args[i - 1 + len(p_ins)]
    for j, a in enumerate(cb.args[len(c_ins) :]):
        cmap[a] = args[len(new_ins) + j]
    for o in cb.ops[:-1]:
        block.append(o.clone(cmap))
    block.append(T.GenericYieldOp.build([cmap.get(v, v) for v in cb.terminator.operands]))
    prov = tuple(dict.fromkeys((*producer.provenance, *consumer.provenance)))
    new = T.GenericOp.build(
        new_ins,
        c_outs,
        indexing_maps=new_maps,
        iterator_types=list(consumer.iterator_types),
        regions=[Region([block])],
        provenance=prov,
    )
    new.attributes.update(producer.attributes)
    new.attributes.update(consumer.attributes)
    consumer.parent.insert_before(consumer, new)
    consumer.replace_all_uses_with(new.results)
    consumer.erase()
    init = producer.outputs[0].defining_op
    producer.erase()
    if init is not None and init.name == "tensor.empty" and not init.result.uses:
        init.erase()
    return new


def _splat_value(v):
    """The one value of a constant whose elements are all equal (a scalar initializer), else None."""
    arr = constant_value(v)
    if arr is None or arr.size == 0 or arr.dtype.kind not in "fiub" or not (arr == arr.flat[0]).all():
        return None
    return arr.flat[0].item()


def simplify_inputs(g: T.GenericOp) -> T.GenericOp | None:
    """The generic with each (input, map) pair read once (x * sigmoid(x) reads x twice) and constant
    inputs whose elements are all equal (Clip's bounds, GELU's 0.5) folded into the body as scalar
    constants; None when nothing changed."""
    n_in = len(g.inputs)
    pairs = list(zip(g.inputs, g.indexing_maps[:n_in]))
    splats = {i: _splat_value(v) for i, v in enumerate(g.inputs)}
    keep = [i for i, p in enumerate(pairs) if pairs.index(p) == i and splats[i] is None]
    if len(keep) == n_in:
        return None
    old = g.regions[0].block
    ins = [g.inputs[i] for i in keep]
    block = Block([element_type(v.type) for v in [*ins, *g.outputs]])
    mapping = {}
    for i, a in enumerate(old.args[:n_in]):
        if splats[i] is not None:
            c = arith.ConstantOp.create(splats[i], a.type)
            block.append(c)
            mapping[a] = c.result
        else:
            mapping[a] = block.args[keep.index(pairs.index(pairs[i]))]
    mapping.update(zip(old.args[n_in:], block.args[len(ins) :]))
    for o in old.ops:
        block.append(o.clone(mapping))
    new = T.GenericOp.build(
        ins,
        list(g.outputs),
        indexing_maps=[g.indexing_maps[i] for i in keep] + list(g.indexing_maps[n_in:]),
        iterator_types=list(g.iterator_types),
        regions=[Region([block])],
        provenance=g.provenance,
    )
    new.attributes.update(g.attributes)
    g.parent.insert_before(g, new)
    g.replace_all_uses_with(new.results)
    g.erase()
    return new


def fuse_elementwise(block: Block, ctx: PassContext | None = None) -> int:
    """Applies elementwise producer-consumer fusion in `block` to a fixpoint; returns the number of fusions."""
    count = 0
    changed = True
    while changed:
        changed = False
        for op in list(block.ops):
            if op.parent is not block or not isinstance(op, T.GenericOp):
                continue
            op = simplify_inputs(op) or op
            found = _producer_operand(op)
            if found is None:
                continue
            if ctx is not None and not ctx.budget.allow("fuse-tensor:elementwise", op):
                return count
            fuse_pair(found[1], op, found[0])
            count += 1
            changed = True
    return count


def _groups(block: Block) -> int:
    ids = [o.attributes[FUSION_GROUP].value for o in block.ops if FUSION_GROUP in o.attributes]
    return max(ids, default=-1) + 1


def attach_epilogues(block: Block, ctx: PassContext | None = None) -> int:
    """Marks the elementwise consumer of each matmul/conv as its epilogue (see the module docstring)."""
    count = 0
    next_group = _groups(block)
    for op in list(block.ops):
        if op.name not in ANCHORS or len(op.result.uses) != 1:
            continue
        g = op.result.users[0]
        if not is_elementwise_generic(g) or EPILOGUE_OF in g.attributes or g.parent is not block:
            continue
        if g.results[0].type != op.result.type:
            continue
        i = next(i for i, v in enumerate(g.inputs) if v is op.result)
        if g.indexing_maps[i] != AffineMap.identity(op.result.type.rank):
            continue
        if ctx is not None and not ctx.budget.allow("fuse-tensor:epilogue", g):
            break
        group = op.attributes.get(FUSION_GROUP) or g.attributes.get(FUSION_GROUP)
        if group is None:
            group = IntegerAttr(next_group)
            next_group += 1
        op.attributes[FUSION_GROUP] = group
        g.attributes[FUSION_GROUP] = group
        g.attributes[EPILOGUE_OF] = StringAttr(op.name)
        count += 1
    return count


@register_pass
@dataclass(frozen=True)
class FuseTensor(Pass):
    name = "fuse-tensor"
    summary = (
        "fuse elementwise tensor.generic chains; attach bias/activation/residual epilogues to matmul/conv"
    )
    elementwise: bool = True
    epilogues: bool = True

    def run(self, op: Operation, ctx: PassContext) -> bool:
        n = 0
        for f in func_ops(op):
            block = f.regions[0].block
            if self.elementwise:
                k = fuse_elementwise(block, ctx)
                ctx.stat("elementwise-fusions", k)
                n += k
            if self.epilogues:
                k = attach_epilogues(block, ctx)
                ctx.stat("epilogues", k)
                n += k
        return n > 0

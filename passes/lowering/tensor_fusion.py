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
from ir.core import Block, BlockArgument, Operation, Region
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


class _Slots:
    """The function block's op list while fusion runs: fused ops take their consumer's slot and erased ops
    leave a hole, so replacing or erasing an op is O(1) (no list search); `commit` writes the list back."""

    def __init__(self, block: Block):
        self.block = block
        self.ops: list[Operation | None] = list(block.ops)
        self.index = {id(o): i for i, o in enumerate(self.ops)}

    def replace(self, old: Operation, new: Operation) -> None:
        i = self.index.pop(id(old))
        self.ops[i] = new
        self.index[id(new)] = i
        new.parent = self.block
        old.parent = None

    def erase(self, op: Operation) -> None:
        for r in op.results:
            if r.uses:
                raise ValueError(f"cannot erase {op.name}: result #{r.index} is still used")
        self.ops[self.index.pop(id(op))] = None
        op.parent = None
        op.drop_all_references()

    def commit(self) -> None:
        self.block.ops = [o for o in self.ops if o is not None]


def _take_block(g: Operation) -> Block:
    """Detaches the body block of `g` (so erasing `g` leaves the body's uses alone)."""
    region = g.regions[0]
    block = region.blocks.pop(0)
    block.parent = None
    return block


def _set_args(block: Block, args: list) -> None:
    block.args = args
    for i, a in enumerate(args):
        a.block, a.index = block, i


def _rebuild(g: T.GenericOp, ins, maps, block: Block, slots: _Slots | None, provenance=None) -> T.GenericOp:
    """A generic like `g` with inputs `ins` (maps `maps` for them) and body `block`, in `g`'s place."""
    outs = list(g.outputs)
    n_in = len(g.inputs)
    new = T.GenericOp.build(
        list(ins),
        outs,
        indexing_maps=list(maps) + list(g.indexing_maps[n_in:]),
        iterator_types=list(g.iterator_types),
        regions=[Region([block])],
        provenance=g.provenance if provenance is None else provenance,
    )
    new.attributes.update(g.attributes)
    g.replace_all_uses_with(new.results)
    if slots is not None:
        slots.replace(g, new)
        g.drop_all_references()
    else:
        g.parent.insert_before(g, new)
        g.erase()
    return new


def fuse_pair(
    producer: T.GenericOp, consumer: T.GenericOp, k: int, slots: _Slots | None = None, provenance=None
) -> T.GenericOp:
    """Folds `producer` (consumer input #k) into `consumer`; returns the new generic (in the consumer's
    place; the old ones erased). No op is cloned: the producer's body ops move in front of the consumer's,
    whose block becomes the new body, so the cost is the producer's size plus the number of inputs (a chain
    fused from its end is linear). `provenance` (when given) is the new op's, else both ops' merged."""
    c_ins, p_ins = list(consumer.inputs), list(producer.inputs)
    c_maps, p_maps = consumer.indexing_maps, producer.indexing_maps
    via = c_maps[k]
    new_ins = c_ins[:k] + p_ins + c_ins[k + 1 :]
    new_maps = (
        list(c_maps[:k]) + [compose(m, via) for m in p_maps[: len(p_ins)]] + list(c_maps[k + 1 : len(c_ins)])
    )
    pb, cb = _take_block(producer), _take_block(consumer)
    fresh = [BlockArgument(element_type(v.type), cb, 0) for v in p_ins]
    for a, b in zip(pb.args[: len(p_ins)], fresh):
        a.replace_all_uses_with(b)
    p_term = pb.ops.pop()
    produced = p_term.operands[0]
    p_term.drop_all_references()
    for o in pb.ops:
        o.parent = cb
    cb.ops[0:0] = pb.ops
    pb.ops = []
    old_k = cb.args[k]
    old_k.replace_all_uses_with(produced)
    _set_args(cb, cb.args[:k] + fresh + cb.args[k + 1 :])
    if provenance is None:
        provenance = tuple(dict.fromkeys((*producer.provenance, *consumer.provenance)))
    attrs = dict(producer.attributes)
    attrs.update(consumer.attributes)
    consumer.attributes.clear()
    consumer.attributes.update(attrs)
    new = _rebuild(consumer, new_ins, new_maps, cb, slots, provenance)
    init = producer.outputs[0].defining_op
    if slots is not None:
        slots.erase(producer)
    else:
        producer.erase()
    if init is not None and init.name == "tensor.empty" and not init.result.uses:
        if slots is not None and id(init) in slots.index:
            slots.erase(init)
        elif slots is None:
            init.erase()
    return new


def _splat_value(v):
    """The one value of a constant whose elements are all equal (a scalar initializer), else None."""
    arr = constant_value(v)
    if arr is None or arr.size == 0 or arr.dtype.kind not in "fiub" or not (arr == arr.flat[0]).all():
        return None
    return arr.flat[0].item()


def simplify_inputs(g: T.GenericOp, slots: _Slots | None = None, provenance=None) -> T.GenericOp | None:
    """The generic with each (input, map) pair read once (x * sigmoid(x) reads x twice) and constant
    inputs whose elements are all equal (Clip's bounds, GELU's 0.5) folded into the body as scalar
    constants; None when nothing changed. The body block is reused (no op is cloned)."""
    n_in = len(g.inputs)
    pairs = list(zip(g.inputs, g.indexing_maps[:n_in]))
    first = {}
    for i, p in enumerate(pairs):
        first.setdefault(p, i)
    splats = {i: _splat_value(v) for i, v in enumerate(g.inputs)}
    keep = [i for i, p in enumerate(pairs) if first[p] == i and splats[i] is None]
    if len(keep) == n_in:
        return None
    block = _take_block(g)
    old_args = list(block.args)
    # the argument of a repeated (input, map) pair that survives (at the first one's place) is the one with
    # the most uses, so merging moves the fewer uses (a fan that reads x in every branch stays linear)
    survivor = {}
    for i, p in enumerate(pairs):
        if splats[i] is None:
            s = survivor.get(p)
            if s is None or len(old_args[i].uses) > len(s.uses):
                survivor[p] = old_args[i]
    consts = []
    for i, a in enumerate(old_args[:n_in]):
        if splats[i] is not None:
            c = arith.ConstantOp.create(splats[i], a.type)
            consts.append(c)
            a.replace_all_uses_with(c.result)
        elif survivor[pairs[i]] is not a:
            a.replace_all_uses_with(survivor[pairs[i]])
    for c in consts:
        c.parent = block
    block.ops[0:0] = consts
    _set_args(block, [survivor[pairs[i]] for i in keep] + old_args[n_in:])
    return _rebuild(
        g, [g.inputs[i] for i in keep], [g.indexing_maps[i] for i in keep], block, slots, provenance
    )


def fuse_elementwise(block: Block, ctx: PassContext | None = None) -> int:
    """Applies elementwise producer-consumer fusion in `block` to a fixpoint; returns the number of fusions.

    Linear in the block's size: ops are visited from the end, and each root absorbs its whole tree of
    single-use elementwise producers one producer at a time (each producer's body moves once, nothing is
    cloned); the provenance of a root is assembled once at the end. A sweep that fused anything is followed
    by one more (which normally finds nothing)."""
    count = 0
    changed = True
    while changed:
        changed = False
        slots = _Slots(block)
        try:
            for i in range(len(slots.ops) - 1, -1, -1):
                op = slots.ops[i]
                if op is None or not isinstance(op, T.GenericOp):
                    continue
                chunks = [op.provenance]  # the root's, then each absorbed producer's
                try:
                    while True:
                        op = simplify_inputs(op, slots, ()) or op
                        found = _producer_operand(op)
                        if found is None:
                            break
                        if ctx is not None and not ctx.budget.allow("fuse-tensor:elementwise", op):
                            return count
                        k, producer = found
                        producer = simplify_inputs(producer, slots) or producer
                        chunks.append(producer.provenance)
                        op = fuse_pair(producer, op, k, slots, ())
                        count += 1
                        changed = True
                finally:
                    op.provenance = tuple(dict.fromkeys(p for c in reversed(chunks) for p in c))
        finally:
            slots.commit()
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

"""Matmul/conv epilogue generics -> the canonical chain act(acc + bias + residual...) the micro-kernels fuse.

Tensor-level fusion can leave an epilogue as any tree of additions, e.g. ResNet's projection blocks give
relu((conv + b1) + (proj + b2)). Here every epilogue generic whose body is a sum of its inputs followed
by an optional max(x, 0) is rebuilt as a left-to-right chain starting at the accumulator, with all
per-channel constant terms of one map summed into one constant at compile time, so the kernel op's
epilogue reads one bias instead of several (ResNet's two folded BatchNorm shifts). Runs at the tensor
level, before bufferize makes kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ir.attributes import DenseElementsAttr
from ir.core import Operation, Value, lookup_op
from ir.dialects import arith, tensor
from ir.opdef import constant_value
from passes.lowering.bufferize import is_identity_map
from passes.pass_base import Pass, PassContext, func_ops
from passes.registry import register_pass

ACCUMULATORS = ("tensor.conv", "tensor.matmul")


def _sum_leaves(block, root: Value) -> list[int] | None:
    """Indices of the block arguments whose sum is `root` (each intermediate add used once), or None."""
    leaves: list[int] = []
    stack = [root]
    while stack:
        v = stack.pop()
        if v in block.args:
            leaves.append(list(block.args).index(v))
            continue
        d = v.defining_op
        if not isinstance(d, arith.AddFOp) or len(v.uses) != 1:
            return None
        stack += [d.lhs, d.rhs]
    return leaves


def _analyze(g: tensor.GenericOp) -> tuple[list[int], bool] | None:
    """(leaf input indices, relu) when the body is relu?(sum of inputs); None otherwise."""
    block = g.regions[0].block
    ops = [o for o in block.ops[:-1] if not (isinstance(o, arith.ConstantOp) and not o.regions)]
    if not ops:
        return None
    y = block.ops[-1].operands
    if len(y) != 1:
        return None
    root, relu = y[0], False
    d = root.defining_op
    if isinstance(d, (arith.MaximumFOp, arith.MaxNumFOp)):
        other = d.rhs if isinstance(d.lhs.defining_op, arith.AddFOp) or d.lhs in block.args else d.lhs
        c = other.defining_op
        if not isinstance(c, arith.ConstantOp) or hasattr(c.properties["value"], "array"):
            return None
        if float(c.properties["value"].value) != 0.0:
            return None
        root = d.lhs if other is d.rhs else d.rhs
        relu = True
    if root in block.args:
        return None
    leaves = _sum_leaves(block, root)
    if leaves is None or any(i >= len(g.inputs) for i in leaves):
        return None
    n_adds = sum(isinstance(o, arith.AddFOp) for o in ops)
    if n_adds != len(leaves) - 1 or len(ops) != n_adds + int(relu):
        return None
    return leaves, relu


def canonicalize_epilogue(g: tensor.GenericOp) -> bool:
    """Rebuilds one epilogue generic in chain form; True when it changed."""
    if len(g.outputs) != 1 or any(t != tensor.PARALLEL for t in g.iterator_types):
        return False
    an = _analyze(g)
    if an is None:
        return False
    leaves, relu = an
    ins, maps = list(g.inputs), list(g.indexing_maps)
    accs = [i for i in leaves if ins[i].defining_op is not None and ins[i].defining_op.name in ACCUMULATORS]
    if not accs:
        return False
    # the accumulator is the latest-defined matmul/conv (the op bufferize chains this epilogue to)
    pos = {o: k for k, o in enumerate(g.parent.ops)}
    acc = max(accs, key=lambda i: pos.get(ins[i].defining_op, -1))
    if not is_identity_map(maps[acc]):
        return False
    consts: dict[tuple, list[int]] = {}
    others: list[int] = []
    for i in leaves:
        if i == acc:
            continue
        arr = constant_value(ins[i])
        if arr is not None and not is_identity_map(maps[i]) and arr.dtype == np.float32:
            consts.setdefault((str(maps[i]), ins[i].type.shape), []).append(i)
        else:
            others.append(i)
    folded = [v for v in consts.values() if len(v) > 1]
    chain_ok = leaves == sorted(leaves, key=lambda i: i != acc)  # already acc-first?
    if not folded and chain_ok and len(leaves) <= 2:
        return False
    new_ins: list[Value] = [ins[acc]]
    new_maps = [maps[acc]]
    const_op = lookup_op("graph.constant")
    for idxs in consts.values():
        if len(idxs) == 1:
            new_ins.append(ins[idxs[0]])
        else:
            total = sum(constant_value(ins[i]).astype(np.float32) for i in idxs).astype(np.float32)
            c = const_op.build(value=DenseElementsAttr.from_array(total), provenance=g.provenance)
            g.parent.insert_before(g, c)
            new_ins.append(c.result)
        new_maps.append(maps[idxs[0]])
    for i in others:
        new_ins.append(ins[i])
        new_maps.append(maps[i])
    new_maps.append(maps[len(ins)])

    def body(emit, *args):
        cur = args[0]
        for a in args[1 : len(new_ins)]:
            cur = emit(arith.AddFOp.build(cur, a))
        if relu:
            zero = emit(arith.ConstantOp.create(0.0, cur.type))
            cur = emit(arith.MaximumFOp.build(cur, zero))
        return [cur]

    new = tensor.GenericOp.create(
        new_ins, list(g.outputs), new_maps, list(g.iterator_types), body, g.provenance
    )
    new.attributes.update(g.attributes)
    g.parent.insert_before(g, new)
    g.replace_all_uses_with(new.results)
    g.erase()
    return True


def canonicalize_epilogues(func: Operation) -> int:
    """Canonicalizes every matmul/conv epilogue generic in `func`'s body; returns how many changed."""
    n = 0
    for op in list(func.body.ops):
        if isinstance(op, tensor.GenericOp) and any(
            v.defining_op is not None and v.defining_op.name in ACCUMULATORS for v in op.inputs
        ):
            n += canonicalize_epilogue(op)
    for op in list(func.body.ops):  # constants left without users
        if op.name == "graph.constant" and not op.result.uses:
            op.erase()
    return n


@register_pass
@dataclass(frozen=True)
class CanonicalizeEpilogues(Pass):
    """Matmul/conv epilogues as one left-to-right sum from the accumulator, constant terms folded."""

    name = "canonicalize-epilogues"
    summary = "matmul/conv epilogue sums -> acc + one folded bias + residual (+ relu), at the tensor level"

    def run(self, op: Operation, ctx: PassContext) -> bool:
        n = sum(canonicalize_epilogues(f) for f in func_ops(op))
        ctx.stat("epilogues-canonicalized", n)
        return n > 0

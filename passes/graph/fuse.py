"""fuse: groups ops into graph.fused ops (TensorRT-style layers) whose region keeps the subgraph and the
provenance of every ONNX node inside: Conv/Gemm/MatMul + bias + activation + residual Add, and chains of
elementwise ops. A group is fused only when contracting it keeps the graph a DAG (checked with networkx)."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Block, Operation
from ir.dialects.graph.ops_fused import Fused, fuse_ops
from ir.graph_view import contraction_keeps_dag, to_networkx
from ir.opdef import ConstantLike, Elementwise
from passes.graph.patterns_util import is_const
from passes.pass_base import Pass, PassContext, func_ops
from passes.registry import register_pass

ANCHORS = {
    "graph.conv": "conv",
    "graph.gemm": "gemm",
    "graph.matmul": "matmul",
    "graph.conv_transpose": "convt",
}
ACTIVATIONS = {
    "graph.relu": "relu",
    "graph.leaky_relu": "leakyrelu",
    "graph.sigmoid": "sigmoid",
    "graph.tanh": "tanh",
    "graph.clip": "clip",
    "graph.hard_sigmoid": "hardsigmoid",
    "graph.hard_swish": "hardswish",
    "graph.elu": "elu",
    "graph.selu": "selu",
    "graph.gelu": "gelu",
    "graph.softplus": "softplus",
    "graph.mish": "mish",
    "graph.prelu": "prelu",
}


def _only_user(op: Operation, block: Block) -> Operation | None:
    if len(op.results) != 1 or len(op.result.uses) != 1:
        return None
    u = op.result.users[0]
    return u if u.parent is block else None


def _activation_ok(op: Operation) -> bool:
    # activations with extra operands (Clip min/max, PRelu slope) need them constant
    return all(is_const(v) for v in op.operands[1:])


def anchored_group(anchor: Operation, block: Block, max_ops: int) -> tuple[list[Operation], list[str]]:
    """The anchor followed by its bias Add, activation and residual Add (single-use chain)."""
    group, roles = [anchor], [ANCHORS[anchor.name]]
    has_bias = (
        anchor.name == "graph.conv"
        and anchor.operands[2:] != ()
        or (anchor.name == "graph.gemm" and len(anchor.operands) > 2)
    )
    act = residual = False
    cur = anchor
    while len(group) < max_ops:
        u = _only_user(cur, block)
        if u is None:
            break
        if u.name == "graph.add" and len(u.operands) == 2:
            other = u.operands[1] if u.operands[0] is cur.result else u.operands[0]
            if is_const(other) and not has_bias and not act and not residual:
                has_bias = True
                roles.append("bias")
            elif not is_const(other) and not residual and other is not cur.result:
                residual = True
                roles.append("add")
            else:
                break
        elif u.name in ACTIVATIONS and not act and _activation_ok(u):
            act = True
            roles.append(ACTIVATIONS[u.name])
        else:
            break
        group.append(u)
        cur = u
        if act and residual:
            break
    return group, roles


def _elementwise(op: Operation) -> bool:
    return (
        op.has_trait(Elementwise)
        and not op.has_trait(ConstantLike)
        and len(op.results) == 1
        and not op.regions
    )


def elementwise_chain(head: Operation, block: Block, max_ops: int) -> list[Operation]:
    group = [head]
    cur = head
    while len(group) < max_ops:
        u = _only_user(cur, block)
        if u is None or not _elementwise(u):
            break
        group.append(u)
        cur = u
    return group


@register_pass
@dataclass(frozen=True)
class Fuse(Pass):
    name = "fuse"
    summary = "fuse conv/gemm + bias + activation + residual add, and elementwise chains, into graph.fused"
    max_ops: int = 8
    elementwise: bool = True
    anchored: bool = True

    def run(self, op: Operation, ctx: PassContext) -> bool:
        changed = False
        for f in func_ops(op):
            block = f.regions[0].block
            g = to_networkx(block)
            if self.anchored:
                for o in list(block.ops):
                    if o.parent is block and o.name in ANCHORS:
                        group, roles = anchored_group(o, block, self.max_ops)
                        changed |= self._fuse(group, "_".join(roles), g, ctx, block)
                        g = self._graph
            if self.elementwise:
                for o in list(block.ops):
                    if o.parent is block and _elementwise(o):
                        group = elementwise_chain(o, block, self.max_ops)
                        changed |= self._fuse(group, "elementwise", g, ctx, block)
                        g = self._graph
        return changed

    def _fuse(self, group, kind, g, ctx: PassContext, block) -> bool:
        object.__setattr__(self, "_graph", g)
        if len(group) < 2:
            return False
        if not _chain_keeps_dag(g, group):
            ctx.stat("groups-rejected-cycle")
            return False
        if not ctx.budget.allow(f"fuse:{kind}", group[0]):
            return False
        fused = _fuse_in_place(group, kind, block)
        for listener in ctx.listeners:
            listener.notify_created(fused)
            for o in group:
                listener.notify_erased(o)
        _contract_in_place(g, group, fused)
        ctx.stat(f"fused-{kind}")
        return True


def _chain_keeps_dag(g, group) -> bool:
    """contraction_keeps_dag, in O(group) for the usual case: when only the last member has successors
    outside the group, a path leaving the group and coming back would close a cycle through the last
    member in `g` itself, so there is none. Otherwise the full search runs."""
    members = set(group)
    if all(s in members for n in group[:-1] for s in g.successors(n)):
        return True
    return contraction_keeps_dag(g, group)


def _contract_in_place(g, group, node) -> None:
    """ir.graph_view.contract without the copy of the whole graph (which made fusing N groups quadratic)."""
    members = set(group)
    g.add_node(node)
    edges = []
    for n in members:
        edges += [(p, node) for p in g.predecessors(n) if p not in members]
        edges += [(node, s) for s in g.successors(n) if s not in members]
    g.remove_nodes_from(members)
    g.add_edges_from(edges)


def _fuse_in_place(group: list[Operation], kind: str, block: Block) -> Fused:
    """fuse_ops(group) in `block`, where the fused op takes the place of the last member. A single-use chain
    whose members are already next to each other (the usual case) is fused in a staging block and put back
    with one list splice; otherwise members sink next to the last one first, so every outside input (e.g. a
    residual) is defined before the fused op."""
    ops = block.ops
    last = ops.index(group[-1])
    first = last - len(group) + 1
    if first < 0 or any(a is not b for a, b in zip(ops[first : last + 1], group)):
        for o in group[:-1]:
            o.move_before(group[-1])
        last = ops.index(group[-1])
        first = last - len(group) + 1
    stage = Block()
    stage.parent = block.parent
    for o in group:
        o.parent = None
        stage.append(o)
    del ops[first : last + 1]
    fused: Fused = fuse_ops(group, kind)
    stage.ops.clear()
    fused.parent = None
    block.insert(first, fused)
    return fused

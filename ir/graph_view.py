"""networkx views of a function body for analysis (fusion legality, liveness, critical paths) and drawing."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from ir.core import Block, Operation


def to_networkx(func_or_block: Operation | Block) -> nx.DiGraph:
    """A DiGraph whose nodes are the ops of the (entry) block and whose edges are def-use edges between
    them (labelled with the operand index). Node attribute `op` is the Operation; `name` its op name."""
    block = func_or_block if isinstance(func_or_block, Block) else func_or_block.regions[0].block
    g = nx.DiGraph()
    inside = set(block.ops)
    for op in block.ops:
        g.add_node(op, op=op, name=op.name, provenance=op.provenance)
    for op in block.ops:
        for i, v in enumerate(op.operands):
            d = _top_level_def(v.defining_op, inside)
            if d is not None:
                g.add_edge(d, op, operand=i)
        for inner in op.walk():  # values used by nested ops count as uses of the enclosing op
            if inner is op:
                continue
            for v in inner.operands:
                d = _top_level_def(v.defining_op, inside)
                if d is not None and d is not op:
                    g.add_edge(d, op)
    return g


def _top_level_def(op: Operation | None, inside: set) -> Operation | None:
    while op is not None and op not in inside:
        op = op.parent_op
    return op


def contraction_keeps_dag(g: nx.DiGraph, group: Iterable[Operation]) -> bool:
    """Whether merging `group` into one node keeps `g` acyclic: no path leaves the group and comes back."""
    members = set(group)
    frontier = [s for n in members for s in g.successors(n) if s not in members]
    seen = set()
    while frontier:
        n = frontier.pop()
        if n in seen:
            continue
        seen.add(n)
        for s in g.successors(n):
            if s in members:
                return False
            frontier.append(s)
    return True


def contract(g: nx.DiGraph, group: Iterable[Operation], node) -> nx.DiGraph:
    """A copy of `g` with `group` merged into `node`."""
    members = set(group)
    h = g.copy()
    h.add_node(node)
    for n in members:
        for p in g.predecessors(n):
            if p not in members:
                h.add_edge(p, node)
        for s in g.successors(n):
            if s not in members:
                h.add_edge(node, s)
    h.remove_nodes_from(members)
    return h


__all__ = ["to_networkx", "contraction_keeps_dag", "contract"]

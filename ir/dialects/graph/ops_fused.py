"""Fused graph ops: `graph.fused` holds a subgraph of graph ops in its region (a TensorRT-style fused
layer) and `graph.yield` returns the subgraph's results.

The region is isolated from above: the op's operands become the entry block's arguments, so a fused op
is a self-contained kernel candidate. Its provenance lists every ONNX node inside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ir.core import Block, Operation, Value
from ir.dialects.graph.base import GraphOp
from ir.opdef import STR, IsolatedFromAbove, Pure, Terminator, attr, operand, region, result
from ir.types import Type


class Yield(GraphOp):
    """Returns values from a graph.fused region."""

    name = "graph.yield"
    traits = (Pure, Terminator)
    values = operand(variadic=True)

    def verify_(self) -> None:
        parent = self.parent_op
        if not isinstance(parent, Fused):
            raise self.error(f"must be inside 'graph.fused', not '{parent.name if parent else 'nothing'}'")


class Fused(GraphOp):
    """A fused subgraph. `kind` names the pattern ("conv_bias_relu", "elementwise", ...)."""

    name = "graph.fused"
    traits = (Pure, IsolatedFromAbove)
    inputs = operand(variadic=True)
    outputs = result(variadic=True)
    kind = attr(STR)
    body = region()

    @classmethod
    def create(
        cls, inputs: Sequence[Value], result_types: Sequence[Type], kind: str, provenance: Sequence[str] = ()
    ) -> Fused:
        """An empty fused op whose entry block has one argument per input (append ops and a yield)."""
        op = cls.build(list(inputs), result_types=list(result_types), provenance=provenance, kind=kind)
        op.body.add_block(Block([v.type for v in inputs]))
        return op

    def interpret(self, interp, operand_values, env):
        return interp.run_block(self.body.block, list(operand_values), {})

    def verify_(self) -> None:
        if len(self.body.blocks) != 1:
            raise self.error(f"region must have exactly one block, got {len(self.body.blocks)}")
        block = self.body.block
        arg_types = [a.type for a in block.args]
        in_types = [v.type for v in self.operands]
        if arg_types != in_types:
            raise self.error(
                f"block arguments ({', '.join(map(str, arg_types))}) must match the operands "
                f"({', '.join(map(str, in_types))})"
            )
        term = block.ops[-1] if block.ops else None
        if not isinstance(term, Yield):
            raise self.error("region must end with 'graph.yield'")
        got = [v.type for v in term.operands]
        if got != self.result_types:
            raise self.error(
                f"yields ({', '.join(map(str, got))}) but the op's results are "
                f"({', '.join(map(str, self.result_types))})"
            )

    @property
    def inner_ops(self) -> list[Operation]:
        """The ops of the subgraph, without the terminator."""
        return list(self.body.block.ops[:-1])


def fuse_ops(ops: Sequence[Operation], kind: str) -> Fused:
    """Replaces `ops` (in one block, in order) by a graph.fused op holding them.

    The fused op's inputs are the values the ops use from outside; its results are the ops' results used
    outside (or, if none is, the last op's results). Returns the new op, inserted before the first one.
    """
    ops = list(ops)
    if not ops:
        raise ValueError("fuse_ops: nothing to fuse")
    block = ops[0].parent
    if block is None or any(o.parent is not block for o in ops):
        raise ValueError("fuse_ops: the ops must all be in one block")
    inside = set(ops)
    inputs: list[Value] = []
    for o in ops:
        for v in o.operands:
            if v.defining_op not in inside and v not in inputs:
                inputs.append(v)
    outputs = [r for o in ops for r in o.results if any(u not in inside for u in r.users)]
    if not outputs:
        outputs = list(ops[-1].results)
    provenance = tuple(dict.fromkeys(p for o in ops for p in o.provenance))
    fused = Fused.create(inputs, [r.type for r in outputs], kind, provenance)
    block.insert_before(ops[0], fused)
    inner = fused.body.block
    mapping: dict[Value, Value] = dict(zip(inputs, inner.args))
    for o in ops:
        inner.append(o.clone(mapping))
    inner.append(Yield.build([mapping[r] for r in outputs]))
    for r, new in zip(outputs, fused.results):
        r.replace_uses_if(new, lambda user, _i: user not in inside)
    for o in reversed(ops):
        o.erase()
    return fused

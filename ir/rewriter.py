"""The rewriter: a Builder (ir.builder) that also replaces, erases and modifies ops, reporting every change
(created, replaced, erased, modified) to its listeners so pattern drivers and pass instrumentation follow it.

It lives in `ir` (as DESIGN lists "builder and rewriter" there) so lowerings in any package can use it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ir.builder import Builder, InsertionPoint
from ir.core import Block, Operation, Value


class RewriteListener:
    """Receives every change a Rewriter makes; subclasses override what they need."""

    def notify_created(self, op: Operation) -> None:
        """`op` was inserted into a block (created, or moved)."""

    def notify_replaced(self, op: Operation, new_values: Sequence[Value]) -> None:
        """`op`'s results are about to be replaced by `new_values` (it is erased next)."""

    def notify_erased(self, op: Operation) -> None:
        """`op` is about to be erased."""

    def notify_modified(self, op: Operation) -> None:
        """`op` changed in place (operands, properties, attributes, types, provenance)."""


class _Fanout(RewriteListener):
    def __init__(self, listeners: list[RewriteListener]):
        self.listeners = listeners

    def notify_created(self, op: Operation) -> None:
        for listener in self.listeners:
            listener.notify_created(op)


class Rewriter(Builder):
    """A builder that replaces, erases and modifies ops, reporting each change to `listeners`."""

    def __init__(
        self,
        listeners: Sequence[RewriteListener] = (),
        ip: InsertionPoint | None = None,
        provenance: tuple[str, ...] = (),
    ):
        self.listeners: list[RewriteListener] = list(listeners)
        super().__init__(ip, provenance, listener=_Fanout(self.listeners))

    # -- insertion points

    def set_insertion_point_before(self, op: Operation) -> None:
        self.ip = InsertionPoint.before_op(op)

    def set_insertion_point_after(self, op: Operation) -> None:
        self.ip = InsertionPoint.after_op(op)

    def set_insertion_point_to_end(self, block: Block) -> None:
        self.ip = InsertionPoint.at_end(block)

    # -- changes

    def replace_op(self, op: Operation, new: Sequence[Value] | Operation) -> None:
        """Points every use of `op`'s results at `new` (values, or another op's results) and erases `op`."""
        self.replace_uses(op, new)
        self.erase_op(op)

    def replace_uses(self, op: Operation, new: Sequence[Value] | Operation) -> None:
        """`replace_op` without the erase: `op` stays, unused, for a later `erase_ops` of many at once."""
        values = list(new.results) if isinstance(new, Operation) else list(new)
        if len(values) != len(op.results):
            raise ValueError(f"{op.name}: replacing {len(op.results)} results with {len(values)} values")
        for listener in self.listeners:
            listener.notify_replaced(op, values)
        for r, v in zip(op.results, values):
            self.replace_all_uses_with(r, v)

    def erase_ops(self, ops: Sequence[Operation]) -> None:
        """Erases many unused ops with one pass over each block that holds them (`erase_op` one at a
        time searches the block's op list for each, quadratic on long blocks)."""
        doomed: dict[int, Operation] = {}
        for op in ops:
            for r in op.results:
                if r.uses:
                    raise ValueError(f"cannot erase {op.name}: result #{r.index} is still used")
            for listener in self.listeners:
                for inner in op.walk(post_order=True):
                    listener.notify_erased(inner)
            doomed[id(op)] = op
        blocks = {id(op.parent): op.parent for op in doomed.values() if op.parent is not None}
        for block in blocks.values():
            block.ops = [o for o in block.ops if id(o) not in doomed]
        for op in doomed.values():
            op.parent = None
            op.drop_all_references()

    def replace_all_uses_with(self, old: Value, new: Value) -> None:
        """Points every use of `old` at `new`, reporting each user as modified."""
        if old is new:
            return
        users = old.users
        old.replace_all_uses_with(new)
        for u in users:
            for listener in self.listeners:
                listener.notify_modified(u)

    def erase_op(self, op: Operation) -> None:
        """Erases an op whose results are unused (and everything nested in it)."""
        for listener in self.listeners:
            for inner in op.walk(post_order=True):
                listener.notify_erased(inner)
        op.erase()

    def modify(self, op: Operation, change: Callable[[Operation], object] | None = None) -> None:
        """Applies `change(op)` (if given) and reports `op` as modified."""
        if change is not None:
            change(op)
        for listener in self.listeners:
            listener.notify_modified(op)

    def set_operand(self, op: Operation, index: int, value: Value) -> None:
        op.set_operand(index, value)
        self.modify(op)

    def move_before(self, op: Operation, anchor: Operation) -> None:
        op.move_before(anchor)
        for listener in self.listeners:
            listener.notify_created(op)


__all__ = ["InsertionPoint", "RewriteListener", "Rewriter"]

"""A builder with an insertion point, as MLIR's OpBuilder: create ops where you are, in order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ir.core import Block, Operation, Value


class InsertionPoint:
    """Insert into `block` before `before` (or at the end when `before` is None)."""

    def __init__(self, block: Block, before: Operation | None = None):
        self.block = block
        self.before = before

    @staticmethod
    def at_end(block: Block) -> InsertionPoint:
        return InsertionPoint(block)

    @staticmethod
    def before_op(op: Operation) -> InsertionPoint:
        return InsertionPoint(op.parent, op)

    @staticmethod
    def after_op(op: Operation) -> InsertionPoint:
        ops = op.parent.ops
        i = op.parent.index_of(op)
        return InsertionPoint(op.parent, ops[i + 1] if i + 1 < len(ops) else None)

    def insert(self, op: Operation) -> Operation:
        if self.before is None:
            return self.block.append(op)
        return self.block.insert_before(self.before, op)


class Builder:
    """Creates ops at an insertion point. `provenance` is stamped on every op it creates (when the op has none),
    so rewrites keep naming the ONNX nodes they came from. `listener` (if set) hears every created op."""

    def __init__(self, ip: InsertionPoint | None = None, provenance: tuple[str, ...] = (), listener=None):
        self.ip = ip
        self.provenance = tuple(provenance)
        self.listener = listener

    def insert(self, op: Operation) -> Operation:
        if self.ip is None:
            raise ValueError("builder has no insertion point")
        if not op.provenance and self.provenance:
            op.provenance = self.provenance
        self.ip.insert(op)
        if self.listener is not None:
            self.listener.notify_created(op)
        return op

    def create(self, cls: type[Operation], *operands, **kwargs) -> Operation:
        """`cls.build(...)` inserted at the insertion point."""
        return self.insert(cls.build(*operands, **kwargs))

    def value(self, cls: type[Operation], *operands, **kwargs) -> Value:
        """Like `create` for a single-result op, returning its result."""
        return self.create(cls, *operands, **kwargs).result

    @contextmanager
    def at(self, ip: InsertionPoint) -> Iterator[Builder]:
        saved = self.ip
        self.ip = ip
        try:
            yield self
        finally:
            self.ip = saved

    @contextmanager
    def stamped(self, provenance: tuple[str, ...]) -> Iterator[Builder]:
        """Ops created inside carry `provenance`."""
        saved = self.provenance
        self.provenance = tuple(provenance)
        try:
            yield self
        finally:
            self.provenance = saved

"""Helpers shared by the loop transforms: kernels, constant index values, perfectly nested bands."""

from __future__ import annotations

from ir.attributes import IntegerAttr
from ir.core import Block, Operation, Region, Value
from ir.dialects import arith, loop
from ir.types import index

PARALLEL_MARK = "zg.parallel"


def kernels(op: Operation) -> list[loop.KernelOp]:
    return [o for o in op.walk() if isinstance(o, loop.KernelOp)]


def const_value(v: Value) -> int | None:
    """The integer value of an index defined by arith.constant, else None."""
    d = v.defining_op
    if isinstance(d, arith.ConstantOp):
        a = d.properties["value"]
        if isinstance(a, IntegerAttr):
            return int(a.value)
    return None


def bounds(f: loop.ForOp) -> tuple[int, int, int] | None:
    b = tuple(const_value(v) for v in (f.lower, f.upper, f.step))
    return None if None in b else b  # type: ignore[return-value]


def kernel_of(op: Operation) -> loop.KernelOp:
    for a in op.ancestors():
        if isinstance(a, loop.KernelOp):
            return a
    raise ValueError("not inside a loop.kernel")


def index_const(op: Operation, value: int) -> Value:
    """An index constant at the start of the kernel holding `op` (reused when present)."""
    k = kernel_of(op)
    for o in k.body.ops:
        if isinstance(o, arith.ConstantOp) and o.result.type == index and const_value(o.result) == value:
            return o.result
    c = arith.ConstantOp.create(value, index)
    k.body.insert(0, c)
    return c.result


def body_ops(f: Operation) -> list[Operation]:
    """The ops of a loop body without its terminator."""
    return list(f.regions[0].block.ops[:-1])


def band(f: loop.ForOp) -> list[loop.ForOp]:
    """`f` and the loop.for ops perfectly nested in it (no loop-carried values)."""
    out = [f]
    while True:
        ops = body_ops(out[-1])
        if (
            len(ops) == 1
            and isinstance(ops[0], loop.ForOp)
            and not ops[0].iter_args
            and not out[-1].iter_args
        ):
            out.append(ops[0])
        else:
            return out


def outer_loops(k: loop.KernelOp) -> list[loop.ForOp]:
    """The outermost loop.for ops of a kernel (not inside another loop.for)."""
    res = []
    for o in k.walk():
        if isinstance(o, loop.ForOp) and not any(isinstance(a, loop.ForOp) for a in o.ancestors()):
            res.append(o)
    return res


def innermost_loops(k: loop.KernelOp) -> list[loop.ForOp]:
    return [
        o
        for o in k.walk()
        if isinstance(o, loop.ForOp) and not any(isinstance(x, loop.ForOp) for x in o.walk() if x is not o)
    ]


def new_for(lo: Value, hi: Value, step: Value, carried=(), attrs=None, provenance=()) -> loop.ForOp:
    body = Block([index, *[v.type for v in carried]])
    f = loop.ForOp.build(lo, hi, step, list(carried), regions=[Region([body])], provenance=provenance)
    for k, v in (attrs or {}).items():
        f.attributes[k] = v
    return f


def move_body(src: Operation, dst_block: Block) -> None:
    """Moves the non-terminator ops of `src`'s body to the end of `dst_block` (before its terminator
    if it has one)."""
    term = dst_block.terminator
    for o in body_ops(src):
        o.detach()
        if term is not None:
            dst_block.insert_before(term, o)
        else:
            dst_block.append(o)

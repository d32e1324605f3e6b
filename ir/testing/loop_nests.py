"""Random loop-level modules: a `loop.kernel` with a nest of `loop.for` over memrefs (optionally tiled with
a `min` upper bound, optionally with a reduction carried in `iter_args`), loads, stores and arith/math,
called from a host `func.func @main` that allocates the output and returns it as a tensor.

    @given(loop_nest_cases())
    def test_my_loop_pass(case):
        after = my_loop_pass(case.module.clone())
        assert_semantics_preserved(case.module, after, case.inputs)

Every output element is written exactly once per run (the interpreter fills fresh buffers with NaN, so
a transform that skips an iteration shows up), and the kernel never writes its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from ir.core import Block, Region, Value
from ir.dialects.builtin import FuncOp, ModuleOp, ReturnOp, new_module
from ir.types import MemRefType, f32, index

_BINARY = ["arith.addf", "arith.subf", "arith.mulf", "arith.maximumf", "arith.minimumf"]
_UNARY = ["math.tanh", "math.absf", "arith.negf", "math.sin"]


@dataclass
class LoopNestCase:
    """A loop-level module (kernel + host `@main`) and its inputs."""

    module: ModuleOp
    inputs: list[np.ndarray]

    def __repr__(self) -> str:
        from ir.printer import print_op

        return f"LoopNestCase(inputs: {[x.shape for x in self.inputs]})\n{print_op(self.module)}"


class _Nest:
    """Appends ops to the current block; `loop()` opens a loop.for and moves into its body."""

    def __init__(self, block: Block):
        self.block = block
        self.entry = block
        self.first_loop = None  # constants go before it, so loop bodies hold only the nest (perfect nesting)

    def add(self, op):
        self.block.append(op)
        return op.results[0] if len(op.results) == 1 else op

    def c(self, v, t=index) -> Value:
        from ir.dialects import arith

        op = arith.ConstantOp.create(v, t)
        if self.first_loop is None:
            self.entry.append(op)
        else:
            self.entry.insert_before(self.first_loop, op)
        return op.result

    def op(self, name: str, *operands) -> Value:
        from ir.core import lookup_op

        return self.add(lookup_op(name).build(*operands))

    def loop(self, lo: Value, hi: Value, step: Value, iters=()):
        from ir.dialects import loop

        blk = Block([index] + [v.type for v in iters])
        op = loop.ForOp.build(lo, hi, step, list(iters), regions=[Region([blk])])
        if not iters:  # an output loop: its iterations write distinct elements
            from ir.attributes import UnitAttr

            op.attributes["zg.parallel"] = UnitAttr()
        self.add(op)
        if self.first_loop is None:
            self.first_loop = op
        return op, blk


@st.composite
def loop_nest_functions(draw, max_rank: int = 3, max_side: int = 5) -> ModuleOp:
    """A verified module: `loop.kernel @kernel(inputs..., out)` and `func.func @main(inputs...)` returning
    the output buffer as a tensor (via `loop.alloc`, `loop.call`, `loop.to_tensor`)."""
    import ir.dialects  # noqa: F401
    from ir.dialects import loop

    rank = draw(st.integers(1, max_rank))
    out_shape = tuple(draw(st.integers(1, max_side)) for _ in range(rank))
    red = draw(st.integers(1, 4)) if draw(st.booleans()) else 0
    in0_shape = out_shape + ((red,) if red else ())
    perm_out = list(draw(st.permutations(range(rank))))  # out is indexed by a permutation of the loop ivs
    sub = draw(
        st.lists(st.integers(0, rank - 1), unique=True, max_size=rank)
    )  # in1 broadcasts along the rest
    in_types = [MemRefType(in0_shape, f32)]
    if draw(st.booleans()):
        in_types.append(MemRefType(tuple(out_shape[k] for k in sub), f32))
    out_t = MemRefType(tuple(out_shape[k] for k in perm_out), f32)

    kernel = loop.KernelOp.create("kernel", [*in_types, out_t])
    b = _Nest(kernel.body)
    args = list(kernel.body.args)
    ins, out = args[:-1], args[-1]
    zero, one = b.c(0), b.c(1)
    ivs: list[Value] = []
    outer = b.block
    for k in range(rank):
        n = out_shape[k]
        tile = draw(st.sampled_from([0, 0, 2, 3]))
        if tile and tile < n:  # for t = 0..n step T: for i = t..min(t + T, n)
            _, tblk = b.loop(zero, b.c(n), b.c(tile))
            b.block = tblk
            t = tblk.args[0]
            hi = b.op("arith.minsi", b.op("arith.addi", t, b.c(tile)), b.c(n))
            _, blk = b.loop(t, hi, one)
            tblk.append(loop.YieldOp.build([]))
            b.block = blk
        else:
            _, blk = b.loop(zero, b.c(n), one)
            b.block = blk
        ivs.append(b.block.args[0])
    inner = b.block

    def expr(vals: list[Value]) -> Value:
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                vals.append(b.op(draw(st.sampled_from(_UNARY)), draw(st.sampled_from(vals))))
            else:
                x, y = draw(st.sampled_from(vals)), draw(st.sampled_from(vals))
                vals.append(b.op(draw(st.sampled_from(_BINARY)), x, y))
        return vals[-1]

    def loads(extra: list[Value]) -> list[Value]:
        vals = [b.add(loop.LoadOp.build(ins[0], ivs + extra))]
        if len(ins) > 1:
            vals.append(b.add(loop.LoadOp.build(ins[1], [ivs[k] for k in sub])))
        vals.append(b.c(float(draw(st.sampled_from([0.5, 1.0, 2.0]))), f32))
        return vals

    if red:
        init = b.c(float(draw(st.sampled_from([0.0, 0.5]))), f32)
        rop, rblk = b.loop(zero, b.c(red), one, iters=[init])
        b.block = rblk
        x = expr(loads([rblk.args[0]]))
        combine = draw(st.sampled_from(["arith.addf", "arith.maximumf", "arith.mulf"]))
        acc = b.op(combine, rblk.args[1], x)
        rblk.append(loop.YieldOp.build([acc]))
        b.block = inner
        value = rop.results[0]
    else:
        value = expr(loads([]))
    b.add(loop.StoreOp.build(value, out, [ivs[k] for k in perm_out]))
    # close every loop body (innermost first: each body ends in loop.yield)
    blk = inner
    while blk is not outer:
        if not blk.ops or blk.ops[-1].name != "loop.yield":
            blk.append(loop.YieldOp.build([]))
        blk = blk.parent_op.parent
    kernel.body.append(loop.ReturnOp.build([]))

    m = new_module()
    m.body.append(kernel)
    f = FuncOp.create("main", list(in_types), [])
    m.body.append(f)
    buf = loop.AllocOp.build(result_types=[out_t])
    f.body.append(buf)
    f.body.append(loop.CallOp.build([*f.args, buf.result], callee="kernel", result_types=[]))
    t = loop.ToTensorOp.build(buf.result)
    f.body.append(t)
    f.body.append(ReturnOp.build([t.result]))
    f.update_type()
    from ir.verifier import verify

    verify(m)
    return m


def loop_inputs_for(module: ModuleOp, low: float = -2.0, high: float = 2.0):
    """A strategy of input buffers for the module's `@main` (finite floats in [low, high])."""
    from hypothesis.extra import numpy as hnp

    elems = st.floats(low, high, width=32, allow_nan=False, allow_infinity=False)
    return st.tuples(*(hnp.arrays(np.float32, a.type.shape, elements=elems) for a in module.main.args)).map(
        list
    )


@st.composite
def loop_nest_cases(draw, max_rank: int = 3, max_side: int = 5) -> LoopNestCase:
    """A random loop-nest module together with inputs for it."""
    m = draw(loop_nest_functions(max_rank=max_rank, max_side=max_side))
    return LoopNestCase(m, draw(loop_inputs_for(m)))


__all__ = ["LoopNestCase", "loop_inputs_for", "loop_nest_cases", "loop_nest_functions"]

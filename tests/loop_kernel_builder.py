"""A small builder for hand-written loop-level kernels in tests, and a runner through the kernel ABI."""

from __future__ import annotations

import ctypes
from contextlib import contextmanager

import numpy as np

from ir.core import Block, Region
from ir.dialects import arith, loop
from ir.dialects import math as zmath
from ir.dialects.builtin import new_module
from ir.interpreter import Interpreter
from ir.types import VectorType, index
from ir.verifier import verify

__all__ = ["KernelBuilder", "call_kernel", "interpret_kernel"]


class KernelBuilder:
    """Builds one loop.kernel in a fresh module: ops go into the current block; loops nest with `with`."""

    def __init__(self, name: str, arg_types, target: str | None = None) -> None:
        self.module = new_module()
        self.kernel = loop.KernelOp.create(name, arg_types, target=target)
        self.module.body.append(self.kernel)
        self.block = self.kernel.body
        self.args = list(self.kernel.body.args)

    def add(self, op):
        self.block.append(op)
        return op.results[0] if len(op.results) == 1 else (op.results if op.results else op)

    def c(self, value, t=index):
        return self.add(arith.ConstantOp.create(value, t))

    def idx(self, *values):
        return [v if not isinstance(v, int) else self.c(v) for v in values]

    def arith(self, cls_name: str, *operands, **kw):
        return self.add(getattr(arith, cls_name).build(*operands, **kw))

    def math(self, name: str, *operands):
        cls = zmath.FmaOp if name == "fma" else zmath.OPS[name]
        return self.add(cls.build(*operands))

    def load(self, mem, *indices, vector: int | None = None):
        t = mem.type.element_type
        rt = [VectorType((vector,), t)] if vector else None
        return self.add(loop.LoadOp.build(mem, self.idx(*indices), result_types=rt))

    def store(self, value, mem, *indices):
        self.add(loop.StoreOp.build(value, mem, self.idx(*indices)))

    @contextmanager
    def for_(self, lo, hi, step=1, iters=()):
        lo, hi, step = self.idx(lo, hi, step)
        blk = Block([index] + [v.type for v in iters])
        op = loop.ForOp.build(lo, hi, step, list(iters), regions=[Region([blk])])
        self.add(op)
        saved, self.block = self.block, blk
        state = {"op": op}
        yield blk.args[0], list(blk.args[1:]), state
        if not blk.ops or blk.ops[-1].name != "loop.yield":
            blk.append(loop.YieldOp.build(list(state.get("yield", []))))
        self.block = saved

    @contextmanager
    def parallel(self, bounds, mapping=None):
        """bounds: list of (lo, hi, step)."""
        los = self.idx(*[b[0] for b in bounds])
        his = self.idx(*[b[1] for b in bounds])
        sts = self.idx(*[b[2] for b in bounds])
        blk = Block([index] * len(bounds))
        op = loop.ParallelOp.build(los, his, sts, mapping=mapping, regions=[Region([blk])])
        self.add(op)
        saved, self.block = self.block, blk
        yield list(blk.args)
        blk.append(loop.YieldOp.build([]))
        self.block = saved

    def finish(self):
        self.kernel.body.append(loop.ReturnOp.build([]))
        verify(self.module)
        return self.module


def interpret_kernel(module, arrays):
    """Runs the module's (first) kernel in the interpreter on copies of `arrays`; returns the copies."""
    kernel = next(o for o in module.body.ops if o.name == "loop.kernel")
    bufs = [np.array(a, copy=True) for a in arrays]
    Interpreter().run_function(kernel, bufs)
    return bufs


def call_kernel(fn, arrays, start: int = 0, end: int = 1) -> None:
    """Calls a compiled kernel with the ABI k(void **args, start, end) on numpy arrays (in place)."""
    ptrs = (ctypes.c_void_p * max(1, len(arrays)))(*[a.ctypes.data for a in arrays])
    fn(ptrs, start, end)

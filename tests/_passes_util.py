"""Small IR builders shared by the pass tests."""

from __future__ import annotations

import numpy as np

import ir.dialects  # noqa: F401
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.dialects.graph import ops_core as g
from ir.types import tensor


class FuncBuilder:
    """Builds `main` in a fresh module: `b.add(Op, *operands, **attrs)` appends and returns the result."""

    def __init__(self, *input_shapes, dtype=None):
        from ir.types import f32

        self.module = new_module()
        self.func = FuncOp.create("main", [tensor(s, dtype or f32) for s in input_shapes], [])
        self.module.body.append(self.func)
        self.block = self.func.body
        self.args = list(self.block.args)
        self.n = 0

    def add(self, cls, *operands, name=None, **kw):
        self.n += 1
        op = cls.build(*operands, provenance=(name or f"{cls.__name__.lower()}{self.n}",), **kw)
        self.block.append(op)
        return op.results[0] if len(op.results) == 1 else op

    def const(self, array, name=None):
        return self.add(g.Constant, value=np.asarray(array), name=name)

    def ret(self, *values):
        self.block.append(ReturnOp.build(list(values)))
        self.func.update_type()
        return self.module


def count_ops(module, name: str) -> int:
    return sum(1 for o in module.walk() if o.name == name)

"""Helpers for the loop-level lowering tests: build tensor-level modules, lower, compare interpreters."""

from __future__ import annotations

import numpy as np

from ir import interpreter
from ir.dialects import loop
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.types import IntegerType, TensorType, f32, to_numpy_dtype
from ir.verifier import verify
from passes import PassManager

O0 = "builtin.module(lower-to-loops-O0)"
O2 = "builtin.module(lower-to-loops-O2)"


def T(*shape, et=f32) -> TensorType:  # noqa: N802 - a type constructor
    return TensorType(tuple(shape), et)


def make(in_types, build):
    """A module whose main takes `in_types`; build(emit, *args) returns the values to return."""
    m = new_module()
    f = FuncOp.create("main", list(in_types), [])
    m.body.append(f)

    def emit(op):
        f.body.append(op)
        return op.result if len(op.results) == 1 else op

    outs = build(emit, *f.args)
    f.body.append(ReturnOp.build(list(outs)))
    f.update_type()
    return m


def random_inputs(func, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for a in func.args:
        et = a.type.element_type
        if isinstance(et, IntegerType):
            out.append(rng.integers(-5, 6, a.type.shape).astype(to_numpy_dtype(et)))
        else:
            out.append(rng.standard_normal(a.type.shape).astype(to_numpy_dtype(et)))
    return out


def run_loop_level(m, ins):
    """Interprets a loop-level module: outputs are the trailing memref arguments of main."""
    main = m.main
    n_out = len(main.args) - len(ins)
    outs = []
    for a in main.args[len(ins) :]:
        dt = to_numpy_dtype(a.type.element_type)
        fill = np.nan if dt.kind == "f" else 0
        outs.append(np.full(a.type.shape, fill, dt))
    assert len(outs) == n_out
    interpreter.Interpreter().run_function(main, list(ins) + outs)
    return outs


def check_contract(m) -> None:
    """The loop-level module shape of the lowering contract."""
    verify(m)
    allowed = (loop.WeightOp, loop.AllocOp, loop.ViewOp, loop.CallOp, ReturnOp)
    for op in m.main.body.ops:
        assert isinstance(op, allowed), op.name
    assert not m.main.function_type.results
    for k in m.body.ops:
        if isinstance(k, loop.KernelOp):
            rng = k.attributes.get(loop.PARALLEL_RANGE_ATTR)
            assert rng is not None and rng.value >= 1
            assert not any(isinstance(o, (loop.ToTensorOp, loop.MaterializeOp)) for o in k.walk())
            par = [o for o in k.walk() if isinstance(o, loop.ParallelOp)]
            if par:
                assert len(par) == 1 and par[0].mapping == [loop.CPU_OUTER]
                assert par[0].parent is k.body


def lower_and_compare(m, pipeline=O0, seed=0, rtol=1e-4, atol=1e-5):
    """Lowers `m` with `pipeline` and checks it computes what the tensor/graph interpreter computes."""
    ins = random_inputs(m.main, seed)
    want = interpreter.run(m, ins)
    PassManager(pipeline).run(m)
    check_contract(m)
    got = run_loop_level(m, ins)
    for a, b in zip(got, want):
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(a, b)
    return m

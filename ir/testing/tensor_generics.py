"""Random `tensor.generic` modules: projected-permutation and broadcast indexing maps, parallel and
reduction iterators, arith/math scalar bodies, with matching inputs.

    @given(tensor_generic_cases())
    def test_my_tensor_pass(case):
        after = my_pass(case.module.clone())
        assert_semantics_preserved(case.module, after, case.inputs)

Bodies stay finite: only total float ops (add, sub, mul, max, min, tanh, abs, neg, sin, exp of tanh) and,
for reductions, accumulation with add / max / min / mul; inputs are in [-2, 2].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from ir.affine import AffineMap, d
from ir.core import Value
from ir.dialects.builtin import FuncOp, ModuleOp, ReturnOp, new_module
from ir.types import TensorType, f32

_BINARY = ["arith.addf", "arith.subf", "arith.mulf", "arith.maximumf", "arith.minimumf"]
_UNARY = ["math.tanh", "math.absf", "arith.negf", "math.sin", "exp_tanh"]
_COMBINE = ["arith.addf", "arith.maximumf", "arith.minimumf"]


@dataclass
class TensorGenericCase:
    """A module whose `@main` holds one or more `tensor.generic` ops, and inputs for it."""

    module: ModuleOp
    inputs: list[np.ndarray]

    def __repr__(self) -> str:
        from ir.printer import print_op

        return f"TensorGenericCase(inputs: {[x.shape for x in self.inputs]})\n{print_op(self.module)}"


def _op(name: str):
    from ir.core import lookup_op

    return lookup_op(name)


@st.composite
def _body(draw, n_in: int, reduce_with: str | None):
    """A body builder: `body(emit, *scalars)` combining the input scalars (and, for a reduction, the
    accumulator, the last argument) with random arith/math ops."""
    from ir.dialects import math as zmath

    plan = []  # ("bin", name, i, j) | ("un", name, i) over a growing scalar list
    n = n_in
    for _ in range(draw(st.integers(0, 4))):
        if n >= 1 and draw(st.booleans()):
            plan.append(("un", draw(st.sampled_from(_UNARY)), draw(st.integers(0, n - 1))))
        else:
            plan.append(("bin", draw(st.sampled_from(_BINARY)), draw(st.integers(0, n - 1)),
                         draw(st.integers(0, n - 1))))  # fmt: skip
        n += 1
    last = n - 1 if plan else draw(st.integers(0, n_in - 1))

    def body(emit, *args):
        vals: list[Value] = list(args[:n_in])
        for step in plan:
            if step[0] == "un":
                x = vals[step[2]]
                if step[1] == "exp_tanh":
                    x = emit(zmath.OPS["tanh"].build(x))
                    vals.append(emit(zmath.OPS["exp"].build(x)))
                else:
                    vals.append(emit(_op(step[1]).build(x)))
            else:
                vals.append(emit(_op(step[1]).build(vals[step[2]], vals[step[3]])))
        out = vals[last]
        if reduce_with is not None:
            out = emit(_op(reduce_with).build(args[-1], out))
        return [out]

    return body


@st.composite
def _operand_map(draw, loop_dims: list[int], bounds: list[int]):
    """A projected permutation of some loop dims, with unit dims (constant 0: a broadcast) mixed in."""
    keep = (
        draw(st.lists(st.sampled_from(loop_dims), unique=True, max_size=len(loop_dims))) if loop_dims else []
    )
    exprs, shape = [], []
    from ir.affine import AffineConst

    for k in keep:
        if draw(st.integers(0, 4)) == 0:
            exprs.append(AffineConst(0))
            shape.append(1)
        exprs.append(d(k))
        shape.append(bounds[k])
    return exprs, tuple(shape)


@st.composite
def tensor_generic_functions(draw, max_rank: int = 3, max_generics: int = 2) -> ModuleOp:
    """A verified module whose `@main` applies 1..max_generics random `tensor.generic` ops to f32 tensors
    (each generic's output feeds the next one's inputs when the shapes allow)."""
    import ir.dialects  # noqa: F401
    from ir.dialects import arith
    from ir.dialects.tensor import PARALLEL, REDUCTION, GenericOp

    m = new_module()
    n_generics = draw(st.integers(1, max_generics))
    specs = []
    arg_types: list[TensorType] = []
    for _ in range(n_generics):
        nd = draw(st.integers(1, max_rank))
        bounds = [draw(st.integers(1, 4)) for _ in range(nd)]
        iters = [draw(st.sampled_from([PARALLEL, PARALLEL, REDUCTION])) for _ in range(nd)]
        specs.append((nd, bounds, iters))
    f = FuncOp.create("main", [], [])
    m.body.append(f)
    produced: list[Value] = []

    def add_arg(t: TensorType) -> Value:
        arg_types.append(t)
        return f.body.add_argument(t)

    for nd, bounds, iters in specs:
        dims = list(range(nd))
        red = [k for k in dims if iters[k] == REDUCTION]
        par = [k for k in dims if iters[k] == PARALLEL]
        n_in = draw(st.integers(1, 3))
        maps, inputs = [], []
        for i in range(n_in):
            exprs, shape = draw(_operand_map(dims, bounds))
            if i == 0:  # the first input indexes every loop dimension, so each extent is defined
                perm = draw(st.permutations(dims))
                exprs, shape = [d(k) for k in perm], tuple(bounds[k] for k in perm)
            t = TensorType(shape, f32)
            same = [v for v in produced if v.type == t]
            inputs.append(draw(st.sampled_from(same)) if same and draw(st.booleans()) else add_arg(t))
            maps.append(AffineMap(nd, 0, tuple(exprs)))
        out_perm = draw(st.permutations(par)) if par else []
        out_t = TensorType(tuple(bounds[k] for k in out_perm), f32)
        maps.append(AffineMap(nd, 0, tuple(d(k) for k in out_perm)))
        combine = draw(st.sampled_from(_COMBINE)) if red else None
        init_val = {"arith.addf": 0.0, "arith.maximumf": -np.inf, "arith.minimumf": np.inf}.get(combine, 0.0)
        if red and draw(st.booleans()):
            init_val = 0.5  # a non-neutral init: generics accumulate into their output's initial value
        init = arith.ConstantOp.create(init_val, out_t)
        f.body.append(init)
        body = draw(_body(n_in, combine))
        g = GenericOp.create(inputs, [init.result], maps, iters, body)
        f.body.append(g)
        produced.append(g.results[0])
    n_out = draw(st.integers(1, min(2, len(produced))))
    f.body.append(ReturnOp.build(produced[-n_out:]))
    f.update_type()
    from ir.verifier import verify

    verify(m)
    return m


def tensor_inputs_for(module: ModuleOp, low: float = -2.0, high: float = 2.0):
    """A strategy of inputs for `module`'s `@main` (finite floats in [low, high])."""
    from ir.testing.graphs import inputs_for

    return inputs_for(module, low, high)


@st.composite
def tensor_generic_cases(draw, max_rank: int = 3, max_generics: int = 2) -> TensorGenericCase:
    """A random tensor-generic module together with inputs for it."""
    m = draw(tensor_generic_functions(max_rank=max_rank, max_generics=max_generics))
    return TensorGenericCase(m, draw(tensor_inputs_for(m)))


__all__ = ["TensorGenericCase", "tensor_generic_cases", "tensor_generic_functions", "tensor_inputs_for"]

"""Loop transforms (tile, interchange, unroll, vectorize, parallelize) keep results exact on integer
kernels and within tolerance on float kernels: hypothesis draws small random kernels and options."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ir.affine import AffineMap
from ir.dialects import arith, loop, tensor
from ir.types import f32, i32
from passes import PassManager
from tests.loop_testing import T, check_contract, make, random_inputs, run_loop_level

BASE = "bufferize, lower-tensor-to-loops"


def _elementwise(shape, et):
    fl = et == f32
    add, mul = (arith.AddFOp, arith.MulFOp) if fl else (arith.AddIOp, arith.MulIOp)

    def build(e, a, b):
        g = tensor.GenericOp.create(
            [a, b], [e(tensor.EmptyOp.build(result_types=[a.type]))], [AffineMap.identity(len(shape))] * 3,
            ["parallel"] * len(shape), lambda em, x, y, _o: [em(add.build(em(mul.build(x, y)), x))],
        )  # fmt: skip
        return [e(g)]

    return make([T(*shape, et=et), T(*shape, et=et)], build)


def _matmul(m, k, n, et):
    return make([T(m, k, et=et), T(k, n, et=et)], lambda e, a, b: [e(tensor.MatmulOp.build(a, b))])


transforms = st.lists(
    st.one_of(
        st.builds(lambda a, b: f"tile{{sizes={a},{b}}}", st.integers(0, 4), st.integers(0, 4)),
        st.just("interchange{perm=1,0}"),
        st.builds(lambda f: f"unroll{{factor={f}}}", st.integers(2, 4)),
        st.builds(lambda w: f"vectorize{{width={w}}}", st.sampled_from([2, 4, 8])),
    ),
    max_size=3,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["elementwise", "matmul"]),
    dims=st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 9)),
    integer=st.booleans(),
    passes=transforms,
)
def test_transforms_keep_results(kind, dims, integer, passes):
    et = i32 if integer else f32
    m, k, n = dims
    mod = _elementwise((m, n), et) if kind == "elementwise" else _matmul(m, k, n, et)
    ins = random_inputs(mod.main, seed=m * 100 + n)
    ref = _elementwise((m, n), et) if kind == "elementwise" else _matmul(m, k, n, et)
    PassManager(f"builtin.module({BASE}, parallelize)").run(ref)
    want = run_loop_level(ref, ins)
    PassManager(f"builtin.module({', '.join([BASE, *passes, 'parallelize'])})").run(mod)
    check_contract(mod)
    got = run_loop_level(mod, ins)
    for a, b in zip(got, want):
        if integer:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_each_transform_applies():
    for p, what in [
        ("tile{sizes=2,4}", loop.ForOp),
        ("vectorize{width=4}", loop.SplatOp),
        ("unroll{factor=2}", loop.ForOp),
    ]:
        mod = _matmul(3, 2, 9, f32) if "vectorize" not in p else _elementwise((3, 9), f32)
        if "vectorize" in p:

            def build(e, a, b):
                g = tensor.GenericOp.create(
                    [a, b], [e(tensor.EmptyOp.build(result_types=[a.type]))],
                    [AffineMap.identity(2), AffineMap(2, 0, ()), AffineMap.identity(2)],
                    ["parallel"] * 2, lambda em, x, y, _o: [em(arith.AddFOp.build(x, y))],
                )  # fmt: skip
                return [e(g)]

            mod = make([T(3, 9), T()], build)
        ins = random_inputs(mod.main)
        from ir import interpreter

        want = interpreter.run(mod, ins)
        res = PassManager(f"builtin.module({BASE}, {p}, parallelize)").run(mod)
        assert any(isinstance(o, what) for o in mod.walk())
        check_contract(mod)
        np.testing.assert_allclose(run_loop_level(mod, ins)[0], want[0], rtol=1e-5)
        del res


def test_parallelize_sets_range():
    mod = _matmul(6, 2, 3, f32)
    PassManager(f"builtin.module({BASE}, parallelize)").run(mod)
    (k,) = [o for o in mod.body.ops if isinstance(o, loop.KernelOp)]
    assert k.attributes[loop.PARALLEL_RANGE_ATTR].value == 6
    (p,) = [o for o in k.walk() if isinstance(o, loop.ParallelOp)]
    assert p.mapping == ["cpu.outer"]

"""bufferize: the host function follows the contract (weights, allocs, views, calls), outputs are
written in place, in-place elementwise reuses dead buffers, copies where outputs alias."""

from __future__ import annotations

import numpy as np

from ir.affine import AffineMap
from ir.dialects import arith, loop, tensor
from ir.dialects.graph import ops_core
from passes import PassManager
from tests.loop_testing import O0, T, check_contract, lower_and_compare, make


def _ew(e, a, b, cls=arith.AddFOp):
    g = tensor.GenericOp.create(
        [a, b], [e(tensor.EmptyOp.build(result_types=[a.type]))], [AffineMap.identity(a.type.rank)] * 3,
        ["parallel"] * a.type.rank, lambda em, x, y, _o: [em(cls.build(x, y))],
    )  # fmt: skip
    return e(g)


def _chain(e, x):
    w = e(ops_core.Constant.build(value=np.arange(6, dtype=np.float32).reshape(2, 3), result_types=[T(2, 3)]))
    a = _ew(e, x, w)  # alloc
    b = _ew(e, a, x, arith.MulFOp)  # may reuse a's buffer in place
    v = e(tensor.ReshapeStaticOp.build(b, result_types=[T(3, 2)]))  # view
    c = _ew(e, v, v)
    return [c, v, x]  # v is a view (copy kernel), x is an input (copy kernel)


def test_host_contract_views_copies_inplace():
    m = make([T(2, 3)], _chain)
    PassManager("builtin.module(bufferize)").run(m)
    main = m.main
    kinds = [o.name for o in main.body.ops]
    assert kinds.count("loop.weight") == 1 and kinds.count("loop.view") == 1
    assert kinds.count("loop.alloc") == 1  # the second elementwise kernel reused the first buffer
    calls = [o for o in main.body.ops if isinstance(o, loop.CallOp)]
    assert len(calls) == 3 + 2  # three kernels + two copy kernels
    inplace = calls[1]
    assert inplace.operands[0] is inplace.operands[2]
    assert len(main.args) == 1 + 3 and not main.function_type.results


def test_lowered_chain_matches():
    lower_and_compare(make([T(2, 3)], _chain), O0)
    m = make([T(2, 3)], _chain)
    PassManager(O0).run(m)
    check_contract(m)
    names = m.main.attributes
    assert isinstance(names, dict)


def test_returned_constant_and_repeated_output():
    def build(e, x):
        c = e(ops_core.Constant.build(value=np.ones((2, 3), np.float32), result_types=[T(2, 3)]))
        y = _ew(e, x, c)
        return [y, y, c]

    m = lower_and_compare(make([T(2, 3)], build), O0)
    calls = [o for o in m.main.body.ops if isinstance(o, loop.CallOp)]
    assert len(calls) == 3

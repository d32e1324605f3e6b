"""Compile work is linear on long chains (issue 15 item 6), checked on a non-timing proxy: the number of ops
fuse-tensor clones and creates on a chain of N elementwise ops grows like N (it used to re-clone the
growing fused body at each step: N^2 / 2 clones), and the fused chain still computes what the interpreter
computes on the unfused one. benchmarks/compile_scaling.py measures the times."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

import ir.dialects  # noqa: F401
from ir.core import Operation
from ir.interpreter import run
from ir.onnx_import import import_onnx_model
from passes import PassManager
from tests._passes_util import count_ops

CYCLE = ["Relu", "Tanh", "Sigmoid", "Neg"]  # an elementwise chain whose value depends on every op


def _chain(n: int):
    nodes, prev = [], "x"
    for i in range(n):
        nodes.append(helper.make_node(CYCLE[i % len(CYCLE)], [prev], [f"v{i}"], name=f"/op_{i}"))
        prev = f"v{i}"
    vi = helper.make_tensor_value_info
    g = helper.make_graph(
        nodes, "g", [vi("x", TensorProto.FLOAT, [1, 8])], [vi(prev, TensorProto.FLOAT, [1, 8])]
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return import_onnx_model(m)


def _fan(n: int):
    """n/2 Relus of x summed by a chain of Adds: fusion merges the repeated x input at every step."""
    k = n // 2
    nodes = [helper.make_node("Relu", ["x"], [f"r{i}"], name=f"/Relu_{i}") for i in range(k)]
    prev = "r0"
    for i in range(1, k):
        nodes.append(helper.make_node("Add", [prev, f"r{i}"], [f"a{i}"], name=f"/Add_{i}"))
        prev = f"a{i}"
    vi = helper.make_tensor_value_info
    g = helper.make_graph(
        nodes, "g", [vi("x", TensorProto.FLOAT, [1, 8])], [vi(prev, TensorProto.FLOAT, [1, 8])]
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return import_onnx_model(m)


class _Counter:
    """Counts Operation.clone calls (each cloned op, nested ones included) and ops constructed."""

    def __init__(self, monkeypatch):
        self.clones = self.created = 0
        clone, init = Operation.clone, Operation.__init__

        def counting_clone(op, mapping=None):
            self.clones += 1
            return clone(op, mapping)

        def counting_init(op, *args, **kwargs):
            self.created += 1
            init(op, *args, **kwargs)

        monkeypatch.setattr(Operation, "clone", counting_clone)
        monkeypatch.setattr(Operation, "__init__", counting_init)


def _fuse_work(build, n: int, monkeypatch) -> tuple[int, int, object, object]:
    """(clones, ops created) during fuse-tensor on build(n), the graph-level module, the fused module."""
    graph = build(n)
    lowered = graph.clone()
    PassManager("builtin.module(lower-graph-to-tensor)").run(lowered)
    assert count_ops(lowered, "tensor.generic") >= n - 1
    with monkeypatch.context() as mp:
        c = _Counter(mp)
        PassManager("builtin.module(fuse-tensor)", verify=False).run(lowered)
    return c.clones, c.created, graph, lowered


@pytest.mark.parametrize("build", [_chain, _fan], ids=["chain", "fan"])
def test_fuse_tensor_work_is_linear(build, monkeypatch):
    clones_1, created_1, _, _ = _fuse_work(build, 200, monkeypatch)
    clones_2, created_2, _, _ = _fuse_work(build, 400, monkeypatch)
    # the old pairwise fusion cloned 20,000+ ops at N=200 and 80,000+ at N=400 (ratio 4)
    assert clones_2 <= 2.5 * clones_1 + 10, (clones_1, clones_2)
    assert clones_2 <= 4 * 400, clones_2
    assert 1.5 <= created_2 / created_1 <= 2.5, (created_1, created_2)
    assert created_2 <= 8 * 400, created_2


def test_fused_chain_matches_the_interpreter(monkeypatch):
    _, _, graph, fused = _fuse_work(_chain, 400, monkeypatch)
    assert count_ops(fused, "tensor.generic") == 1
    x = np.random.default_rng(0).standard_normal((1, 8)).astype(np.float32)
    want = run(graph, [x])[0]
    got = run(fused, [x])[0]
    ref = x.astype(np.float64)
    for i in range(400):
        ref = [np.maximum(ref, 0), np.tanh(ref), 1 / (1 + np.exp(-ref)), -ref][i % 4]
    np.testing.assert_allclose(want, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # the fused op names every ONNX node of the chain once, in order
    g = next(o for o in fused.walk() if o.name == "tensor.generic")
    assert g.provenance == tuple(f"/op_{i}" for i in range(400))


def test_fused_fan_matches_the_interpreter(monkeypatch):
    _, _, graph, fused = _fuse_work(_fan, 400, monkeypatch)
    g = [o for o in fused.walk() if o.name == "tensor.generic"]
    assert len(g) == 1 and len(g[0].inputs) == 1  # x is read once
    x = np.random.default_rng(1).standard_normal((1, 8)).astype(np.float32)
    want = run(graph, [x])[0]
    np.testing.assert_allclose(want, 200 * np.maximum(x, 0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(run(fused, [x])[0], want, rtol=1e-5, atol=1e-6)


def test_cse_merges_without_searching_the_block(monkeypatch):
    """cse on a fused chain (one `arith.constant 0.0` per Relu in the body): every duplicate is erased in
    one pass over the block and its provenance set once per survivor — no per-op list search (which made
    cse quadratic at 10,000 ops) — and the result still computes the same."""
    m = _chain(400)
    PassManager("builtin.module(lower-graph-to-tensor, fuse-tensor)").run(m)
    x = np.random.default_rng(0).standard_normal((1, 8)).astype(np.float32)
    (want,) = run(m, [x])
    detached = []
    detach = Operation.detach
    monkeypatch.setattr(Operation, "detach", lambda op: (detached.append(op), detach(op))[1])
    res = PassManager("builtin.module(cse)").run(m)
    merged = res.ctx.pass_stats["cse"]["ops-merged"]
    assert merged >= 90  # the chain's ~100 Relus each brought a 0.0 constant
    assert detached == []
    (got,) = run(m, [x])
    np.testing.assert_array_equal(got, want)

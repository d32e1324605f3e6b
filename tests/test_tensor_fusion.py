"""fuse-tensor: elementwise generic chains fold into one generic, matmul/conv get their bias/activation/residual
generic as an epilogue (zg.epilogue_of + shared zg.fusion_group), and results are unchanged (rtol 1e-5)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

import ir.dialects  # noqa: F401
from ir.dialects.graph.base import by_onnx_name
from ir.onnx_import import import_onnx_file
from ir.testing.graphs import graph_cases
from ir.testing.semantics import assert_semantics_preserved
from ir.verifier import verify
from passes import PassManager
from tests._passes_util import FuncBuilder, count_ops
from tests.light_models import model_path
from ziggurat.pipelines import optimize

LOWER = "builtin.module(lower-graph-to-tensor)"
FUSE = "builtin.module(fuse-tensor, dce)"
ELEMENTWISE = ["Relu", "Sigmoid", "Tanh", "Add", "Sub", "Mul", "Div", "Clip", "LeakyRelu", "Where", "Exp",
               "Transpose", "Softmax", "ReduceSum"]  # fmt: skip


def _op(name):
    return by_onnx_name(name)


def test_elementwise_chain_becomes_one_generic():
    b = FuncBuilder((2, 3), (3,))
    y = b.add(_op("Add"), b.args[0], b.args[1])
    y = b.add(_op("Sigmoid"), y)
    y = b.add(_op("Mul"), y, b.args[0])
    m = b.ret(b.add(_op("Relu"), y))
    PassManager(LOWER).run(m)
    lowered = m.clone()
    assert count_ops(m, "tensor.generic") == 4
    PassManager(FUSE).run(m)
    verify(m)
    assert count_ops(m, "tensor.generic") == 1
    assert count_ops(m, "tensor.empty") == 1
    assert_semantics_preserved(lowered, m)


def test_conv_bias_add_relu_epilogue():
    b = FuncBuilder((1, 2, 6, 6), (1, 3, 4, 4))
    rng = np.random.default_rng(0)
    w = b.const(rng.standard_normal((3, 2, 3, 3)).astype(np.float32))
    bias = b.const(rng.standard_normal(3).astype(np.float32))
    y = b.add(_op("Conv"), b.args[0], w, bias)
    y = b.add(_op("Add"), y, b.args[1])
    m = b.ret(b.add(_op("Relu"), y))
    PassManager("builtin.module(fuse)").run(m)
    PassManager(LOWER).run(m)
    lowered = m.clone()
    PassManager(FUSE).run(m)
    verify(m)
    (conv,) = [o for o in m.walk() if o.name == "tensor.conv"]
    (epi,) = conv.result.users
    assert epi.name == "tensor.generic" and epi.attributes["zg.epilogue_of"].value == "tensor.conv"
    assert epi.attributes["zg.fusion_group"] == conv.attributes["zg.fusion_group"]
    assert count_ops(m, "tensor.generic") == 1
    assert_semantics_preserved(lowered, m)


def test_gemm_epilogue_without_graph_fusion_gets_a_group():
    b = FuncBuilder((2, 4))
    w = b.const(np.arange(12, dtype=np.float32).reshape(3, 4) / 10)
    c = b.const(np.ones(3, np.float32))
    y = b.add(_op("Gemm"), b.args[0], w, c, transB=1, alpha=0.5)
    m = b.ret(b.add(_op("Relu"), y))
    PassManager(LOWER).run(m)
    lowered = m.clone()
    PassManager(FUSE).run(m)
    (mm,) = [o for o in m.walk() if o.name == "tensor.matmul"]
    assert "zg.fusion_group" in mm.attributes
    assert mm.result.users[0].attributes["zg.epilogue_of"].value == "tensor.matmul"
    assert_semantics_preserved(lowered, m)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(graph_cases(ops=ELEMENTWISE + ["Conv", "Gemm", "MatMul", "BatchNormalization"], max_ops=6))
def test_random_graphs_fusion_preserves_semantics(case):
    lowered = case.module.clone()
    PassManager(LOWER).run(lowered)
    fused = lowered.clone()
    PassManager(FUSE).run(fused)
    verify(fused)
    assert count_ops(fused, "tensor.generic") <= count_ops(lowered, "tensor.generic")
    assert_semantics_preserved(lowered, fused, case.inputs)


def test_light_model_every_conv_has_an_epilogue():
    m = import_onnx_file(model_path("squeezenet"))
    optimize(m, "-O2")
    PassManager("builtin.module(lower-to-tensor)").run(m)
    convs = [o for o in m.walk() if o.name == "tensor.conv"]
    assert convs
    for c in convs:
        (u,) = c.result.users
        assert u.attributes["zg.epilogue_of"].value == "tensor.conv"
        assert u.attributes["zg.fusion_group"] == c.attributes["zg.fusion_group"]

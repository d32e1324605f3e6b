"""lower-graph-to-tensor: per op family, random graphs lowered and compared with the graph interpreter, error
paths, and the 9 light models (lowered, verified, interpreted equal with random weights).

Tolerance: f32 rtol 1e-5 / atol 1e-6 (assert_semantics_preserved's default): the tensor level runs the same
arithmetic, sometimes in another order (reductions, im2col vs per-tap conv), so results match to rounding.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, given, settings

import ir.dialects  # noqa: F401
from ir.dialects.graph.base import GraphOp, by_onnx_name
from ir.errors import UnsupportedError
from ir.interpreter import run
from ir.onnx_import import import_onnx_model
from ir.testing.graphs import available_op_types, graph_cases
from ir.testing.semantics import assert_semantics_preserved
from ir.types import f16
from ir.verifier import verify
from passes import PassManager
from tests._passes_util import FuncBuilder
from tests.light_models import LIGHT_MODELS, model_path, randomized_copy
from ziggurat.pipelines import optimize

LOWER = "builtin.module(lower-graph-to-tensor)"
REFUSED = {"ConvTranspose", "LpPool", "ArgMax", "ArgMin", "GatherElements"}
FAMILIES = {
    "unary": ["Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Erf", "Floor", "Ceil", "Sin", "Cos", "Exp", "Log", "Sqrt",
              "Reciprocal", "Sign"],
    "activations": ["Softplus", "Softsign", "HardSwish", "Mish", "LeakyRelu", "Elu", "Celu", "Selu",
                    "ThresholdedRelu", "HardSigmoid", "Gelu", "Shrink", "PRelu", "Clip"],
    "binary": ["Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min", "Mean", "Where", "Cast"],
    "nn": ["Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul"],
    "norm": ["BatchNormalization", "InstanceNormalization", "LayerNormalization", "LRN", "Softmax", "LogSoftmax"],
    "reduce": ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
               "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"],
    "shape": ["Reshape", "Flatten", "Transpose", "Unsqueeze", "Concat", "Slice", "Gather", "Split", "Tile",
              "Expand", "Pad", "DepthToSpace", "Identity"],
}  # fmt: skip


def lower(module):
    PassManager(LOWER).run(module)
    return module


def no_graph_ops(module) -> bool:
    return all(not isinstance(o, GraphOp) or o.name == "graph.constant" for o in module.walk())


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_matches_graph_interpreter(family):
    ops = [o for o in FAMILIES[family] if o in available_op_types()]

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(graph_cases(ops=ops, max_ops=4))
    def check(case):
        after = lower(case.module.clone())
        verify(after)
        assert no_graph_ops(after)
        assert_semantics_preserved(case.module, after, case.inputs)

    check()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(graph_cases(ops=[o for o in available_op_types() if o not in REFUSED], max_ops=6))
def test_random_graphs_lower_and_match(case):
    after = lower(case.module.clone())
    assert no_graph_ops(after)
    assert_semantics_preserved(case.module, after, case.inputs)


def test_provenance_and_fusion_groups():
    b = FuncBuilder((1, 2, 5, 5))
    w = b.const(np.ones((3, 2, 3, 3), np.float32))
    bias = b.const(np.arange(3, dtype=np.float32))
    y = b.add(by_onnx_name("Conv"), b.args[0], w, bias, name="conv0")
    y = b.add(by_onnx_name("Relu"), y, name="relu0")
    m = b.ret(y)
    PassManager("builtin.module(fuse)").run(m)
    before = m.clone()
    lower(m)
    tensor_ops = [o for o in m.main.body.ops if o.name.startswith("tensor.")]
    assert all(o.provenance for o in tensor_ops)
    assert {o.attributes["zg.fusion_group"].value for o in tensor_ops} == {0}
    assert any(o.name == "tensor.conv" and o.provenance == ("conv0",) for o in tensor_ops)
    assert_semantics_preserved(before, m)


def test_ceil_mode_and_count_include_pad_pools():
    b = FuncBuilder((1, 2, 7, 6))
    x = b.args[0]
    p1 = b.add(by_onnx_name("AveragePool"), x, kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1], ceil_mode=1,
               count_include_pad=1)  # fmt: skip
    p2 = b.add(
        by_onnx_name("MaxPool"), x, kernel_shape=[2, 3], strides=[2, 2], pads=[0, 1, 0, 1], ceil_mode=1
    )
    p3 = b.add(by_onnx_name("AveragePool"), x, kernel_shape=[2, 2], strides=[3, 3], pads=[1, 1, 1, 1])
    m = b.ret(p1, p2, p3)
    assert_semantics_preserved(m, lower(m.clone()))


def test_half_precision_elementwise():
    b = FuncBuilder((3, 4), dtype=f16)
    y = b.add(by_onnx_name("Sigmoid"), b.args[0])
    y = b.add(by_onnx_name("Add"), y, b.args[0])
    m = b.ret(b.add(by_onnx_name("Gelu"), y))
    after = lower(m.clone())
    x = np.linspace(-3, 3, 12, dtype=np.float16).reshape(3, 4)
    np.testing.assert_allclose(run(after, [x])[0].astype(np.float32), run(m, [x])[0].astype(np.float32),
                               rtol=2e-3, atol=2e-3)  # fmt: skip


def test_unsupported_op_names_op_and_node():
    b = FuncBuilder((1, 2, 4, 4))
    w = b.const(np.ones((2, 3, 3, 3), np.float32))
    m = b.ret(b.add(by_onnx_name("ConvTranspose"), b.args[0], w, name="deconv7"))
    with pytest.raises(UnsupportedError, match=r"graph\.conv_transpose.*deconv7"):
        lower(m)


def _light(name: str, randomize: bool):
    model = onnx.load(str(model_path(name)))
    if randomize:
        model, _ = randomized_copy(model)
    m = import_onnx_model(model)
    optimize(m, "-O2")
    return m


FAST = {"squeezenet", "shufflenet"}


@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_light_model_lowers(name):
    m = lower(_light(name, randomize=False))
    verify(m)
    assert no_graph_ops(m)


@pytest.mark.parametrize(
    "name", [n if n in FAST else pytest.param(n, marks=pytest.mark.slow) for n in LIGHT_MODELS]
)
def test_light_model_random_weights_interpret_equal(name):
    """Random weights (the shipped constant ones hide indexing bugs); the pre-softmax output is compared too."""
    m = _light(name, randomize=True)
    rng = np.random.default_rng(0)
    inputs = [rng.uniform(0, 1, size=a.type.shape).astype(np.float32) for a in m.main.args]
    want = run(m, inputs)
    got = run(lower(m), inputs)
    for w, g in zip(want, got):
        scale = float(np.max(np.abs(w)))
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5 * scale)

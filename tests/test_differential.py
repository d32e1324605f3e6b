"""The differential harness: interpreter vs onnxruntime vs the compiled CPU target, tolerances, skips,
saved replayable failures, and a deliberately wrong lowering caught by the default example budget."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import ir.dialects  # noqa: F401
from ir.parser import parse_module
from ir.testing import graph_cases
from ziggurat.differential import (
    check_case,
    compare_outputs,
    ill_conditioned,
    load_case,
    save_case,
)

RELU = """
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2x3xf32>) -> tensor<2x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2x3xf32>):
    %0 = "graph.relu"(%arg0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    "func.return"(%0) : (tensor<2x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
"""

LP_POOL = """
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x1x4x4xf32>):
    %0 = "graph.lp_pool"(%arg0) <{kernel_shape = array<i64: 2, 2>, p = 2 : i64}> : (tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32>
    "func.return"(%0) : (tensor<1x1x3x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
"""

LAYERNORM = """
"builtin.module"() ({
  "func.func"() <{function_type = (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<1x8xf32>, %arg1: tensor<8xf32>):
    %0 = "graph.layer_normalization"(%arg0, %arg1) <{axis = -1 : i64}> : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
    "func.return"(%0) : (tensor<1x8xf32>) -> ()
  }) : () -> ()
}) : () -> ()
"""

X = np.array([[-1.0, 0.5, 2.0], [0.0, -0.25, 3.0]], np.float32)


def test_outputs_compare_under_the_tolerance_policy():
    assert compare_outputs([X * (1 + 5e-5)], [X]) is None
    assert "differ" in compare_outputs([X + 1e-3], [X])
    # cancellation: an output near zero among large ones may carry an error at the scale of the large ones
    big = np.array([1000.0, 1e-3], np.float32)
    assert compare_outputs([big + np.float32(5e-3)], [big]) is None


def test_all_backends_agree_on_relu():
    r = check_case(parse_module(RELU), [X])
    assert r.status == "agree", r.failures()
    assert [b.backend for b in r.backends] == ["ort", "cpu-O0", "cpu-O2"]


def test_an_op_the_compiler_refuses_is_skipped_not_failed():
    r = check_case(
        parse_module(LP_POOL), [np.random.default_rng(0).standard_normal((1, 1, 4, 4)).astype("f4")]
    )
    assert r.status == "skip", r.failures()
    assert any("lp_pool" in s for s in r.skip_reasons())
    assert {b.backend: b.status for b in r.backends}["ort"] == "agree"


def test_layernorm_of_a_constant_input_is_ill_conditioned_and_random_input_is_not():
    m = parse_module(LAYERNORM)
    scale = np.linspace(0.5, 1.5, 8).astype(np.float32)
    assert "LayerNormalization" in ill_conditioned(m, [np.full((1, 8), 0.978, np.float32), scale])
    rnd = np.random.default_rng(1).uniform(-2, 2, (1, 8)).astype(np.float32)
    assert ill_conditioned(m, [rnd, scale]) is None


def test_a_failure_is_saved_replayable(tmp_path):
    m = parse_module(RELU)
    r = check_case(m, [X], backends=("ort",))
    d = save_case(tmp_path, "case", m, [X], r)
    for name in ("model.mlir", "model.onnx", "inputs.npz", "report.txt", "replay.sh"):
        assert (d / name).exists(), name
    assert f"ziggurat fuzz --replay {d}" in (d / "report.txt").read_text()
    m2, inputs = load_case(d)
    np.testing.assert_array_equal(inputs[0], X)
    assert check_case(m2, inputs, backends=("ort",)).status == "agree"


@pytest.fixture
def wrong_relu_lowering(monkeypatch):
    """A deliberately wrong lowering: relu(x) = max(x, 0.25) instead of max(x, 0) (a wrong constant)."""
    from passes.lowering import graph_to_tensor_elementwise as ew
    from passes.lowering.graph_to_tensor_common import LOWERINGS

    wrong = ew._unary(ew._checked("graph.relu", lambda s, x, op: s.max(x, s.like(0.25, x))))
    monkeypatch.setitem(LOWERINGS, "graph.relu", wrong)


def test_wrong_lowering_is_caught_by_the_default_budget(wrong_relu_lowering):
    @given(graph_cases(ops=["Relu", "Add", "Mul", "Transpose"], max_ops=3))
    def prop(case):
        r = check_case(case.module, case.inputs, backends=("cpu-O0",))
        assert r.status != "mismatch", r.failures()

    with pytest.raises(AssertionError) as e:
        prop()
    assert "cpu-O0: output 0" in str(e.value)

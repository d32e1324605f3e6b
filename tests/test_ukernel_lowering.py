"""Micro-kernel lowering at -O2: epilogue matching (ResNet projection blocks), grouped convs, the M = 1
GEMV path and compile-time prepacked weights, against onnxruntime and the loop-level interpreter."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

from ir.onnx_import import import_onnx_model  # noqa: E402
from tests.loop_testing import run_loop_level  # noqa: E402

RNG = np.random.default_rng(0)


def _t(name: str, shape: list[int]):
    return helper.make_tensor(
        name, TensorProto.FLOAT, shape, RNG.standard_normal(int(np.prod(shape))).astype(np.float32)
    )


def _model(nodes, x_shape, y_shape, inits):
    g = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], inits,
    )  # fmt: skip
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def projection_block():
    """conv(x) + bias + conv_proj(x) + bias2 -> relu: the first block of every ResNet stage."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["a"]),
        helper.make_node("Conv", ["x", "w2", "b2"], ["p"]),
        helper.make_node("Add", ["a", "p"], ["s"]),
        helper.make_node("Relu", ["s"], ["y"]),
    ]
    inits = [_t("w1", [16, 8, 1, 1]), _t("b1", [16]), _t("w2", [16, 8, 1, 1]), _t("b2", [16])]
    return _model(nodes, [1, 8, 6, 6], [1, 16, 6, 6], inits)


def grouped_conv():
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], group=2, pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["y"])]  # fmt: skip
    return _model(nodes, [1, 10, 7, 7], [1, 16, 7, 7], [_t("w", [16, 5, 3, 3]), _t("b", [16])])


def gemv():
    nodes = [helper.make_node("Flatten", ["x"], ["f"]),
             helper.make_node("Gemm", ["f", "w", "b"], ["g"], transB=1),
             helper.make_node("Relu", ["g"], ["y"])]  # fmt: skip
    return _model(nodes, [1, 70], [1, 45], [_t("w", [45, 70]), _t("b", [45])])


def gemm():
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["y"])]
    return _model(nodes, [7, 20], [7, 300], [_t("w", [20, 300]), _t("b", [300])])


CASES = {"projection": projection_block, "grouped": grouped_conv, "gemv": gemv, "gemm": gemm}
KIND = {"projection": "conv2d", "grouped": "conv2d", "gemv": "sgemv", "gemm": "sgemm"}


def _ort(model, x):
    import onnxruntime as ort

    s = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return s.run(None, {"x": x})[0]


def _loop_module(model):
    from passes import PassManager
    from passes.named_pipelines import compile_pipeline

    m = import_onnx_model(model)
    result = PassManager(compile_pipeline("-O2")).run(m)
    n = sum(v for k, v in result.ctx.pass_stats["prepack-weights"].items() if k.endswith("kernels prepacked"))
    return m, n


@pytest.mark.parametrize("case", list(CASES))
def test_every_contraction_is_a_prepacked_ukernel(case):
    model = CASES[case]()
    m, n = _loop_module(model)
    uks = [o for o in m.walk() if o.name == "loop.ukernel"]
    kernels = [k for k in m.body.ops if k.name == "loop.kernel"]
    ops = [o for k in kernels for o in k.walk() if o.name in ("tensor.conv", "tensor.matmul")]
    assert not ops
    expected = 2 if case == "projection" else 1
    assert len(uks) == expected and n == expected
    assert all(u.ukernel == KIND[case] and u.packed for u in uks)
    if case == "projection":
        assert sum(u.residual for u in uks) == 1 and any(u.bias and u.residual and u.relu for u in uks)


@pytest.mark.parametrize("case", list(CASES))
def test_prepacked_loop_level_interpreter_matches_ort(case):
    model = CASES[case]()
    m, _ = _loop_module(model)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = RNG.uniform(-1, 1, shape).astype(np.float32)
    (ours,) = run_loop_level(m, [x])
    np.testing.assert_allclose(ours, _ort(model, x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("threads", [1, 2])
def test_compiled_matches_ort(case, threads, tmp_path):
    from ziggurat.driver import compile_module

    model = CASES[case]()
    engine, _ = compile_module(import_onnx_model(model), cache_dir=tmp_path, threads=threads)
    shape = engine.plan.buffers[engine.input_names[0]].shape
    x = RNG.uniform(-1, 1, shape).astype(np.float32)
    (ours,) = engine.run({engine.input_names[0]: x})
    np.testing.assert_allclose(ours, _ort(model, x), rtol=1e-4, atol=1e-4)


def test_unpack_inverts_packing():
    """UKernelOp.evaluate's unpacking equals the packers (sgemm over several K blocks, padded N)."""
    from ir.dialects import loop
    from ir.dialects.loop import _unpack_weights
    from ir.dialects.loop_layouts import pack_ukernel_weights
    from ir.types import f32, memref

    for kind, w, attrs in [
        ("sgemm", RNG.standard_normal((600, 37)).astype(np.float32), dict(m=5, n=37, k=600)),
        ("sgemv", RNG.standard_normal((50, 70)).astype(np.float32), dict(n=70, k=50)),
    ]:
        bufs = [loop.AllocOp.build(result_types=[memref([4], f32)]).result for _ in range(3)]
        uk = loop.UKernelOp.build(bufs, ukernel=kind, **attrs)
        packed, params = pack_ukernel_weights(uk, w)
        uk.packed, uk.pack_params = True, params
        np.testing.assert_array_equal(_unpack_weights(uk, packed, None, None), w)

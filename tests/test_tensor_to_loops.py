"""lower-tensor-to-loops: tensor-level modules lowered to loops (O0 nests, O2 micro-kernels) compute
what the tensor interpreter computes; ONNX graphs lowered end to end match the graph interpreter."""

from __future__ import annotations

import numpy as np
import pytest

from ir.affine import AffineConst, AffineDim, AffineMap
from ir.attributes import IntegerAttr
from ir.dialects import arith, loop, math, tensor
from ir.dialects.loop_kernels import MicroKernelOp
from ir.types import f32, i64
from tests.loop_testing import O0, O2, T, lower_and_compare, make


def _add_relu(e, a, b):
    empty = e(tensor.EmptyOp.build(result_types=[a.type]))

    def body(em, x, y, _o):
        s = em(arith.AddFOp.build(x, y))
        return [em(arith.MaximumFOp.build(s, em(arith.ConstantOp.create(0.0, f32))))]

    g = tensor.GenericOp.create([a, b], [empty], [AffineMap.identity(2)] * 3, ["parallel"] * 2, body)
    return [e(g)]


def _bias_row(e, a, b):
    empty = e(tensor.EmptyOp.build(result_types=[a.type]))
    maps = [AffineMap.identity(2), AffineMap(2, 0, (AffineDim(1),))]
    g = tensor.GenericOp.create(
        [a, b], [empty], [*maps, AffineMap.identity(2)], ["parallel"] * 2,
        lambda em, x, y, _o: [em(arith.MulFOp.build(x, y))],
    )  # fmt: skip
    return [e(g)]


CASES = {
    "elementwise": ([T(3, 11), T(3, 11)], _add_relu),
    "matmul": ([T(2, 3), T(3, 5)], lambda e, a, b: [e(tensor.MatmulOp.build(a, b))]),
    "batched-matmul": ([T(2, 2, 3), T(3, 4)], lambda e, a, b: [e(tensor.MatmulOp.build(a, b))]),
    "conv-stride-pad": (
        [T(1, 3, 7, 7), T(4, 3, 3, 3)],
        lambda e, x, w: [e(tensor.ConvOp.build(x, w, strides=[2, 1], pads=[1, 1, 1, 0]))],
    ),
    "conv-group-dilation": (
        [T(1, 4, 6, 6), T(4, 2, 3, 3)],
        lambda e, x, w: [e(tensor.ConvOp.build(x, w, pads=[2, 2, 2, 2], dilations=[2, 2], group=2))],
    ),
    "avgpool": (
        [T(1, 2, 7, 7)],
        lambda e, x: [
            e(tensor.PoolOp.build(x, kind="avg", kernel=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
        ],
    ),
    "avgpool-include-pad": (
        [T(1, 2, 5, 5)],
        lambda e, x: [
            e(tensor.PoolOp.build(x, kind="avg", kernel=[2, 2], pads=[1, 1, 1, 1], count_include_pad=True))
        ],
    ),
    "maxpool": (
        [T(1, 2, 7, 7)],
        lambda e, x: [
            e(tensor.PoolOp.build(x, kind="max", kernel=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
        ],
    ),
    "reduce-mean": (
        [T(2, 3, 4)],
        lambda e, x: [e(tensor.ReduceOp.build(x, kind="mean", axes=[1], keepdims=True))],
    ),
    "reduce-max": ([T(2, 3, 4)], lambda e, x: [e(tensor.ReduceOp.build(x, kind="max", axes=[0, 2]))]),
    "concat": ([T(2, 3), T(2, 4)], lambda e, a, b: [e(tensor.ConcatenateOp.build([a, b], dim=1))]),
    "pad-slice": (
        [T(3, 4)],
        lambda e, x: [
            e(
                tensor.SliceOp.build(
                    e(tensor.PadConstantOp.build(x, low=[1, 0], high=[0, 2], value=1.5)),
                    offsets=[3, 5],
                    sizes=[2, 3],
                    strides=[-1, -2],
                )
            )
        ],
    ),  # fmt: skip
    "transpose-view": (
        [T(2, 3, 4)],
        lambda e, x: [
            e(
                tensor.ReshapeStaticOp.build(
                    e(tensor.TransposeOp.build(x, perm=[2, 0, 1])), result_types=[T(4, 6)]
                )
            )
        ],
    ),
    "broadcast": ([T(3, 4), T(4)], _bias_row),
}


@pytest.mark.parametrize("pipeline", [O0, O2], ids=["O0", "O2"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_lowered_matches_tensor_interpreter(case, pipeline):
    types, build = CASES[case]
    lower_and_compare(make(types, build), pipeline)


def _softmax(e, x):
    mx = e(tensor.ReduceOp.build(x, kind="max", axes=[1], keepdims=True))
    m2 = AffineMap(2, 0, (AffineDim(0), AffineConst(0)))
    idm = AffineMap.identity(2)
    ex = tensor.GenericOp.create(
        [x, mx], [e(tensor.EmptyOp.build(result_types=[x.type]))], [idm, m2, idm], ["parallel"] * 2,
        lambda em, a, b, _o: [em(math.ExpOp.build(em(arith.SubFOp.build(a, b))))],
    )  # fmt: skip
    ex = e(ex)
    s = e(tensor.ReduceOp.build(ex, kind="sum", axes=[1], keepdims=True))
    out = tensor.GenericOp.create(
        [ex, s], [e(tensor.EmptyOp.build(result_types=[x.type]))], [idm, m2, idm], ["parallel"] * 2,
        lambda em, a, b, _o: [em(arith.DivFOp.build(a, b))],
    )  # fmt: skip
    return [e(out)]


@pytest.mark.parametrize("pipeline", [O0, O2], ids=["O0", "O2"])
def test_softmax(pipeline):
    lower_and_compare(make([T(3, 5)], _softmax), pipeline)


def _fused_matmul(e, a, b, bias, res):
    mm = e(tensor.MatmulOp.build(a, b))
    idm = AffineMap.identity(2)
    bm = AffineMap(2, 0, (AffineDim(1),))

    def body(em, x, bb, r, _o):
        s = em(arith.AddFOp.build(x, bb))
        s = em(arith.AddFOp.build(s, r))
        return [em(arith.MaximumFOp.build(s, em(arith.ConstantOp.create(0.0, f32))))]

    g = tensor.GenericOp.create(
        [mm, bias, res],
        [e(tensor.EmptyOp.build(result_types=[mm.type]))],
        [idm, bm, idm, idm],
        ["parallel"] * 2,
        body,
    )
    e(g)
    for op in (mm.owner, g):
        op.attributes["zg.fusion_group"] = IntegerAttr(0, i64)
    return [g.results[0]]


def _fused_conv(e, x, w, bias):
    cv = e(tensor.ConvOp.build(x, w, pads=[1, 1, 1, 1]))
    idm = AffineMap.identity(4)
    bm = AffineMap(4, 0, (AffineDim(1),))
    g = tensor.GenericOp.create(
        [cv, bias], [e(tensor.EmptyOp.build(result_types=[cv.type]))], [idm, bm, idm], ["parallel"] * 4,
        lambda em, a, b, _o: [em(arith.MaximumFOp.build(em(arith.AddFOp.build(a, b)), em(arith.ConstantOp.create(0.0, f32))))],
    )  # fmt: skip
    e(g)
    for op in (cv.owner, g):
        op.attributes["zg.fusion_group"] = IntegerAttr(3, i64)
    return [g.results[0]]


@pytest.mark.parametrize("pipeline", [O0, O2], ids=["O0", "O2"])
def test_fused_epilogues(pipeline):
    m = lower_and_compare(make([T(4, 3), T(3, 5), T(5), T(4, 5)], _fused_matmul), pipeline)
    uks = [o for o in m.walk() if isinstance(o, MicroKernelOp)]
    kernels = [o for o in m.body.ops if isinstance(o, loop.KernelOp)]
    assert len(kernels) == 1
    if pipeline == O2:
        (uk,) = uks
        assert (
            uk.name == "loop.gemm" and sorted(uk.extra_kinds) == ["channel", "full"] and len(uk.operands) == 5
        )
        assert "arith.maximumf" in [o.name for o in uk.epilogue_block.ops]
        assert kernels[0].attributes["zg.parallel_range"].value == 4
    else:
        assert not uks
    m = lower_and_compare(make([T(2, 3, 5, 5), T(4, 3, 3, 3), T(4)], _fused_conv), pipeline)
    uks = [o for o in m.walk() if isinstance(o, MicroKernelOp)]
    if pipeline == O2:
        (uk,) = uks
        assert uk.name == "loop.conv2d" and list(uk.extra_kinds) == ["channel"]
        assert "arith.maximumf" in [o.name for o in uk.epilogue_block.ops]
        assert uk.parallel_range() == 2 * 5


def test_onnx_model_end_to_end():
    """An ONNX graph through lower-graph-to-tensor and the loop level equals the graph interpreter."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    from ir import interpreter
    from ir.onnx_import import import_onnx_model
    from passes import PassManager, lookup_pass
    from tests.loop_testing import check_contract, random_inputs, run_loop_level

    if lookup_pass("lower-graph-to-tensor") is None:
        pytest.skip("lower-graph-to-tensor is not registered")
    rng = np.random.default_rng(0)
    w = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], rng.standard_normal(108).astype(np.float32))
    b = helper.make_tensor("b", TensorProto.FLOAT, [4], rng.standard_normal(4).astype(np.float32))
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Softmax", ["f"], ["y"]),
    ]
    g = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 36])], [w, b],
    )  # fmt: skip
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    for pipeline in ("lower-to-loops-O0", "lower-to-loops-O2"):
        m = import_onnx_model(model)
        ins = random_inputs(m.main)
        want = interpreter.run(m, ins)
        try:
            PassManager(f"builtin.module(lower-graph-to-tensor, {pipeline})").run(m)
        except Exception as e:  # noqa: BLE001 - the tensor level is another helper's work in progress
            if "lower-tensor-to-loops" in str(e) or "bufferize" in str(e):
                raise
            pytest.skip(f"graph -> tensor lowering not ready: {e}")
        check_contract(m)
        (got,) = run_loop_level(m, ins)
        np.testing.assert_allclose(got, want[0], rtol=1e-4, atol=1e-5)
    del onnx

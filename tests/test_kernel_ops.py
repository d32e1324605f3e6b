"""Loop-level kernel ops at -O2: epilogues (ResNet projection blocks, every activation exporters emit),
grouped convs, the M = 1 GEMV path, compile-time prepacked weights and target-derived schedules,
against onnxruntime and the loop-level interpreter."""

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
KIND = {"projection": "loop.conv2d", "grouped": "loop.conv2d", "gemv": "loop.gemv", "gemm": "loop.gemm"}


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


def _kernel_ops(m):
    from ir.dialects.loop_kernels import MicroKernelOp

    return [o for o in m.walk() if isinstance(o, MicroKernelOp)]


def _is_relayout(kernel) -> bool:
    return any(o.name == "loop.relayout" for o in kernel.walk())


def _epilogue_names(op) -> list[str]:
    return [o.name for o in op.epilogue_block.ops[:-1]]


@pytest.mark.parametrize("case", list(CASES))
def test_every_contraction_is_a_prepacked_kernel_op(case):
    model = CASES[case]()
    m, n = _loop_module(model)
    kops = _kernel_ops(m)
    kernels = [k for k in m.body.ops if k.name == "loop.kernel"]
    ops = [o for k in kernels for o in k.walk() if o.name in ("tensor.conv", "tensor.matmul")]
    assert not ops
    expected = 2 if case == "projection" else 1
    assert len(kops) == expected and n == expected
    assert all(k.name == KIND[case] and k.packed for k in kops)
    if case == "projection":
        # relu(conv + b1 + (conv_proj + b2)): one conv carries both biases folded, the residual and relu
        fused = [k for k in kops if list(k.extra_kinds) == ["channel", "full"]]
        assert len(fused) == 1
        assert _epilogue_names(fused[0]) == ["arith.addf", "arith.addf", "arith.constant", "arith.maximumf"]


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


def _dense_kernel_op(cls, x_shape, w_shape, out_shape, body=None, **attrs):
    """A kernel op with an identity (or `body`) epilogue inside a loop.kernel of the three buffers."""
    from ir.dialects import loop
    from ir.types import f32, memref

    k = loop.KernelOp.create("k", [memref(list(s), f32) for s in (x_shape, w_shape, out_shape)])
    x, w, out = k.body.args
    op = cls.create(x, w, [], out, [], body, **attrs)
    k.body.append(op)
    k.body.append(loop.ReturnOp.build([]))
    return op


def test_unpack_inverts_packing():
    """Each op's unpack_weights inverts its pack_weights (several K blocks, padded N, grouped conv), and
    the GEMM layout equals what the generated packing code writes (pack_b_numpy)."""
    from codegen.microkernels.gemm import GemmSchedule, GemmSpec, pack_b_numpy
    from ir.dialects.loop_kernels import Conv2dOp, GemmOp, GemvOp

    w = RNG.standard_normal((600, 37)).astype(np.float32)
    gemm = _dense_kernel_op(GemmOp, (5, 600), (600, 37), (5, 37), m=5, n=37, k=600)
    packed = gemm.pack_weights(w)
    np.testing.assert_array_equal(gemm.unpack_weights(packed), w)
    np.testing.assert_array_equal(packed, pack_b_numpy(w, GemmSpec(5, 37, 600), GemmSchedule()))
    w = RNG.standard_normal((50, 70)).astype(np.float32)
    gemv = _dense_kernel_op(GemvOp, (1, 50), (50, 70), (1, 70), n=70, k=50, vector_width=16, panel=64)
    np.testing.assert_array_equal(gemv.unpack_weights(gemv.pack_weights(w)), w)
    w = RNG.standard_normal((18, 5, 3, 3)).astype(np.float32)
    conv = _dense_kernel_op(Conv2dOp, (1, 10, 7, 7), (18, 5, 3, 3), (1, 18, 5, 5), strides=[1, 1],
                            pads=[0, 0, 0, 0], dilations=[1, 1], kernel=[3, 3], group=2)  # fmt: skip
    assert conv.pack_weights(w).size == conv.packed_size()
    np.testing.assert_array_equal(conv.unpack_weights(conv.pack_weights(w)), w)


def test_kernel_op_verifier_rejects_bad_ops():
    from ir.dialects import arith, math
    from ir.dialects.loop_kernels import GemmOp
    from ir.types import f32
    from ir.verifier import verify

    def gemm(**attrs):
        return _dense_kernel_op(GemmOp, (4, 8), (8, 16), (4, 16), m=4, n=16, k=8, **attrs)

    verify(gemm().parent_op)
    with pytest.raises(Exception, match="multiple of the vector width"):
        verify(gemm(tile=[6, 12]).parent_op)
    with pytest.raises(Exception, match="multiple of mr"):
        verify(gemm(blocks=[256, 100]).parent_op)
    op = gemm()
    op.properties["extra_kinds"] = GemmOp.attr_defs["extra_kinds"].kind.to_attr(["row"])
    with pytest.raises(Exception, match="extra_kinds"):
        verify(op.parent_op)
    outside = arith.ConstantOp.create(1.0, f32)

    def uses_outside(emit, acc):
        return emit(math.ExpOp.build(emit(arith.AddFOp.build(acc, outside.result))))

    op = gemm(body=uses_outside)
    op.parent.insert_before(op, outside)
    with pytest.raises(Exception, match="outside the epilogue"):
        verify(op.parent_op)


@pytest.mark.parametrize("kind", ["conv", "matmul"])
def test_every_activation_fuses_into_the_kernel_op_and_matches_ort(kind, tmp_path):
    """Conv / MatMul + bias followed by each activation real exporters emit compile at -O2 into one
    micro-kernel whose epilogue holds the activation, and match onnxruntime (the f32 tolerance policy)."""
    from ir.tolerance import compare
    from ziggurat.driver import compile_module
    from ziggurat.layer_models import ACTIVATIONS, conv_layer, matmul_layer

    for act in ACTIVATIONS:
        model = conv_layer(act, c=16, hw=10) if kind == "conv" else matmul_layer(act, m=20, k=40, n=48)
        m, _ = _loop_module(model)
        kops = _kernel_ops(m)
        assert len(kops) == 1, act
        compute = [k for k in m.body.ops if k.name == "loop.kernel" and k.walk() and not _is_relayout(k)]
        assert len(compute) == 1, act  # the layer is one kernel (plus the conv's layout conversions)
        if act != "relu":
            assert len(_epilogue_names(kops[0])) > 2, act
        engine, _ = compile_module(import_onnx_model(model), cache_dir=tmp_path)
        shape = engine.plan.buffers[engine.input_names[0]].shape
        x = RNG.uniform(-3, 3, shape).astype(np.float32)
        (ours,) = engine.run({engine.input_names[0]: x})
        c = compare(act, ours, _ort(model, x))
        assert c.ok, f"{kind} {act}: {c.detail}"


@pytest.mark.parametrize("preset, vw, tile", [("zen3", 8, [6, 16]), ("emerald-rapids", 16, [14, 32])])
def test_schedules_come_from_the_target(preset, vw, tile):
    """The same model gets AVX2 or AVX-512 schedules from the target description, and the AVX-512 code
    uses zmm registers (checked on the assembly, so it needs no AVX-512 host)."""
    from codegen.compile import emit_llvm_module
    from codegen.host_target import HostTarget, emit_assembly
    from ir.target import cpu_preset
    from passes import PassManager

    m = import_onnx_model(gemm())
    PassManager(
        f"builtin.module(O2, lower-to-tensor, bufferize, lower-tensor-to-loops{{ukernels=true target={preset}}})"
    ).run(m)
    (kop,) = _kernel_ops(m)
    assert kop.vector_width == vw and list(kop.tile) == tile
    llmod, _ = emit_llvm_module(m)
    asm = emit_assembly(llmod, HostTarget.for_cpu(cpu_preset(preset)))
    assert ("zmm" in asm) == (vw == 16)
    assert "ymm" in asm


def test_conv_layouts_are_explicit_kernels_and_planned_buffers():
    """materialize-layouts: every conv reads and writes channel-blocked buffers that the host allocates
    (and plan-memory places), made by loop.relayout kernels; constant biases are blocked at compile
    time; the conv kernel's generated code allocates no workspace."""
    from codegen.compile import emit_llvm_module
    from ir.dialects.loop_kernels import Conv2dOp, RelayoutOp

    for case in ("projection", "grouped"):
        m, _ = _loop_module(CASES[case]())
        convs = [o for o in m.walk() if isinstance(o, Conv2dOp)]
        assert convs and all(c.blocked for c in convs)
        relayouts = [o for o in m.walk() if isinstance(o, RelayoutOp)]
        # projection: x packed once per conv, the residual once, each output unpacked; biases are weights
        want = 5 if case == "projection" else 2
        assert len(relayouts) == want, case
        host = m.main
        assert all("zg.offset" in a.attributes for a in host.body.ops if a.name == "loop.alloc")
        llvm_ir = str(emit_llvm_module(m)[0])
        assert '@"malloc"' not in llvm_ir and "@malloc" not in llvm_ir


def test_relayout_round_trip():
    from ir.dialects import loop_layouts as L

    x = RNG.standard_normal((2, 10, 3, 4)).astype(np.float32)
    for cb in (4, 8, 16):
        b = L.to_blocked(x, 2, 10, 12, cb)
        assert b.size == L.blocked_size(2, 10, 12, cb)
        np.testing.assert_array_equal(L.from_blocked(b, 2, 10, 12, cb).reshape(x.shape), x)
        assert not b.reshape(2, -1, 12, cb)[:, -1, :, 10 % cb or cb :].any()  # padded channels are zero

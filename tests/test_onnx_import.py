"""The ONNX importer: attributes, constants, opset normalization, shapes, and one-line errors for bad input."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from ir.errors import UnsupportedError, UserError
from ir.interpreter import run
from ir.onnx_import import import_onnx_file, import_onnx_model
from ir.printer import print_op
from ir.verifier import verify

F = TensorProto.FLOAT


def make(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, shape, t=F):
    return helper.make_tensor_value_info(name, t, shape)


def ort(model, feeds):
    from ziggurat.ort import run_onnxruntime

    return list(run_onnxruntime(model, feeds).values())


def check_vs_ort(model, feeds, rtol=1e-5, atol=1e-6):
    module = import_onnx_model(model)
    verify(module)
    ours = run(module, feeds)
    for a, b in zip(ours, ort(model, feeds)):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    return module


def test_initializers_are_constants_named_and_shared_without_copy():
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = numpy_helper.from_array(w, "weight")
    m = make(
        [helper.make_node("Add", ["x", "weight"], ["y"], name="add0")],
        [vi("x", [2, 3])],
        [vi("y", [2, 3])],
        [t],
    )
    module = import_onnx_model(m)
    func = module.main
    assert len(func.args) == 1  # the initializer is not an input
    const = func.body.ops[0]
    assert const.name == "graph.constant"
    attr = const.properties["value"]
    assert attr.resource_name == "weight"
    assert not attr.array.flags.writeable
    add = func.body.ops[1]
    assert add.provenance == ("add0",)
    assert [a.value for a in func.attributes["zg.input_names"].value] == ["x"]
    assert [a.value for a in func.attributes["zg.output_names"].value] == ["y"]


def test_provenance_defaults_to_op_type_and_index():
    m = make([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", [2])])
    assert import_onnx_model(m).main.body.ops[0].provenance == ("Relu_0",)


def test_constant_node_forms():
    nodes = [
        helper.make_node("Constant", [], ["a"], value_float=2.0),
        helper.make_node("Constant", [], ["b"], value_floats=[1.0, 2.0, 3.0]),
        helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(np.ones((3,), np.float32))),
        helper.make_node("Mul", ["x", "a"], ["t"]),
        helper.make_node("Add", ["t", "b"], ["u"]),
        helper.make_node("Add", ["u", "c"], ["y"]),
    ]
    m = make(nodes, [vi("x", [3])], [vi("y", [3])])
    x = np.array([1, 2, 3], np.float32)
    check_vs_ort(m, {"x": x})


def test_attributes_use_op_defaults_and_unknown_attribute_is_named():
    node = helper.make_node("LeakyRelu", ["x"], ["y"], name="lr")
    m = make([node], [vi("x", [4])], [vi("y", [4])])
    check_vs_ort(m, {"x": np.array([-2, -1, 0, 1], np.float32)})
    bad = helper.make_node("Relu", ["x"], ["y"], name="r1", frobnicate=3)
    with pytest.raises(UserError, match=r"node 'r1' \(Relu\): unknown attribute 'frobnicate'"):
        import_onnx_model(make([bad], [vi("x", [4])], [vi("y", [4])]))


def test_empty_optional_input_is_none():
    node = helper.make_node("Clip", ["x", "", "hi"], ["y"])
    hi = numpy_helper.from_array(np.array(0.5, np.float32), "hi")
    m = make([node], [vi("x", [3])], [vi("y", [3])], [hi])
    module = check_vs_ort(m, {"x": np.array([-1, 0.2, 2], np.float32)})
    clip = [op for op in module.main.body.ops if op.name == "graph.clip"][0]
    assert clip.min is None


def test_several_unsupported_ops_are_listed_in_one_error():
    nodes = [
        helper.make_node("Foo", ["x"], ["a"], name="n1"),
        helper.make_node("Foo", ["a"], ["b"], name="n2"),
        helper.make_node("Bar", ["b"], ["c"], name="n3"),
        helper.make_node("FusedGemm", ["c"], ["y"], name="n4", domain="com.microsoft"),
    ]
    m = make(nodes, [vi("x", [2])], [vi("y", [2])])
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    with pytest.raises(UnsupportedError) as e:
        import_onnx_model(m, name="model.onnx")
    msg = str(e.value)
    assert "model.onnx: unsupported ONNX ops (opset 17)" in msg
    assert (
        "Foo (nodes n1, n2)" in msg and "Bar (node n3)" in msg and "com.microsoft.FusedGemm (node n4)" in msg
    )
    assert "\n" not in msg


def test_truncated_and_random_files(tmp_path):
    m = make([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", [2])])
    data = m.SerializeToString()
    p = tmp_path / "trunc.onnx"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match="trunc.onnx"):
        import_onnx_file(p)
    r = tmp_path / "random.onnx"
    r.write_bytes(np.random.default_rng(0).integers(0, 256, 1000, dtype=np.uint8).tobytes())
    with pytest.raises(UserError, match="random.onnx: not"):
        import_onnx_file(r)
    t = tmp_path / "text.onnx"
    t.write_text("hello, I am not a model\n")
    with pytest.raises(UserError, match="text.onnx"):
        import_onnx_file(t)
    with pytest.raises(UserError, match="no such file"):
        import_onnx_file(tmp_path / "missing.onnx")


def test_symbolic_dims_need_input_shapes():
    m = make([helper.make_node("Relu", ["x"], ["y"])], [vi("x", ["batch", 3])], [vi("y", ["batch", 3])])
    with pytest.raises(
        UserError, match=r"input 'x' dimension 0 \('batch'\) is symbolic.*--input-shape x=Nx3"
    ):
        import_onnx_model(m)
    module = import_onnx_model(m, {"x": (4, 3)})
    assert str(module.main.args[0].type) == "tensor<4x3xf32>"
    with pytest.raises(UserError, match="rank"):
        import_onnx_model(m, {"x": (4,)})
    with pytest.raises(UserError, match="unknown input"):
        import_onnx_model(m, {"nope": (4, 3)})


def test_inconsistent_shapes_are_one_line():
    nodes = [helper.make_node("Add", ["x", "z"], ["y"], name="bad_add")]
    m = make(nodes, [vi("x", [2, 3]), vi("z", [4, 5])], [vi("y", [2, 3])])
    with pytest.raises(UserError, match="bad_add") as e:
        import_onnx_model(m)
    assert "\n" not in str(e.value)
    # A value_info that disagrees with the op's inference is reported too.
    m2 = make([helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", [2, 3])], [vi("y", [3, 2])])
    with pytest.raises(UserError, match=r"node 'r'.*inconsistent"):
        import_onnx_model(m2)


def test_undefined_input_is_reported():
    m = make([helper.make_node("Add", ["x", "ghost"], ["y"], name="a")], [vi("x", [2])], [vi("y", [2])])
    with pytest.raises(UserError, match="ghost"):
        import_onnx_model(m)


# ----------------------------------------------------------------------------- old opsets


def test_softmax_opset11_flattens_to_2d():
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    for axis in (0, 1, 2, -1):
        m = make(
            [helper.make_node("Softmax", ["x"], ["y"], axis=axis)],
            [vi("x", [2, 3, 4])],
            [vi("y", [2, 3, 4])],
            opset=11,
        )
        check_vs_ort(m, {"x": x})
    m = make(
        [helper.make_node("LogSoftmax", ["x"], ["y"])], [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=9
    )
    check_vs_ort(m, {"x": x})


def test_attribute_to_input_upgrades():
    x = np.random.default_rng(1).standard_normal((2, 3, 4)).astype(np.float32)
    cases = [
        (helper.make_node("ReduceMean", ["x"], ["y"], axes=[1], keepdims=0), [2, 4], 11),
        (helper.make_node("ReduceSum", ["x"], ["y"], axes=[2]), [2, 3, 1], 11),
        (helper.make_node("Unsqueeze", ["x"], ["y"], axes=[0]), [1, 2, 3, 4], 11),
        (helper.make_node("Slice", ["x"], ["y"], starts=[1], ends=[3], axes=[2]), [2, 3, 2], 9),
        (helper.make_node("Clip", ["x"], ["y"], min=-0.5, max=0.5), [2, 3, 4], 9),
        (helper.make_node("Pad", ["x"], ["y"], pads=[0, 1, 0, 0, 1, 0], value=1.5), [2, 5, 4], 9),
        (helper.make_node("Dropout", ["x"], ["y"], ratio=0.3), [2, 3, 4], 9),
    ]
    for node, out_shape, opset in cases:
        m = make([node], [vi("x", [2, 3, 4])], [vi("y", out_shape)], opset=opset)
        check_vs_ort(m, {"x": x})


def test_split_and_squeeze_old_opsets():
    x = np.arange(24, dtype=np.float32).reshape(1, 6, 4)
    m = make(
        [
            helper.make_node("Split", ["x"], ["a", "b"], axis=1, split=[2, 4]),
            helper.make_node("Squeeze", ["a"], ["c"], axes=[0]),
        ],
        [vi("x", [1, 6, 4])],
        [vi("c", [2, 4]), vi("b", [1, 4, 4])],
        opset=11,
    )
    check_vs_ort(m, {"x": x})
    m = make(
        [helper.make_node("Split", ["x"], ["a", "b", "c"], axis=1)],
        [vi("x", [1, 6, 4])],
        [vi("a", [1, 2, 4]), vi("b", [1, 2, 4]), vi("c", [1, 2, 4])],
        opset=13,
    )
    check_vs_ort(m, {"x": x})


def test_batchnorm_opset7_and_upsample():
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 3)).astype(np.float32)
    params = [
        numpy_helper.from_array(np.array(v, np.float32), n)
        for n, v in [("s", [1.0, 2.0]), ("b", [0.1, 0.2]), ("m", [0.0, 0.5]), ("v", [1.0, 4.0])]
    ]
    bn = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], spatial=1, epsilon=1e-3)
    m = make([bn], [vi("x", [1, 2, 3, 3])], [vi("y", [1, 2, 3, 3])], params, opset=7)
    check_vs_ort(m, {"x": x})
    sc = numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "sc")
    up = helper.make_node("Upsample", ["x", "sc"], ["y"], mode="nearest")
    m = make([up], [vi("x", [1, 2, 3, 3])], [vi("y", [1, 2, 6, 6])], [sc], opset=9)
    check_vs_ort(m, {"x": x})
    rs = helper.make_node("Resize", ["x", "sc"], ["y"], mode="nearest")
    m = make([rs], [vi("x", [1, 2, 3, 3])], [vi("y", [1, 2, 6, 6])], [sc], opset=10)
    check_vs_ort(m, {"x": x})


def test_shape_subgraphs_fold_to_static_shapes():
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Constant", [], ["i0"], value_int=0),
        helper.make_node("Gather", ["s", "i0"], ["n"]),
        helper.make_node("Unsqueeze", ["n", "ax"], ["n1"]),
        helper.make_node("Constant", [], ["m1"], value_ints=[-1]),
        helper.make_node("Concat", ["n1", "m1"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y"]),
    ]
    ax = numpy_helper.from_array(np.array([0], np.int64), "ax")
    m = make(nodes, [vi("x", [2, 3, 4])], [vi("y", None)], [ax])
    module = check_vs_ort(m, {"x": np.arange(24, dtype=np.float32).reshape(2, 3, 4)})
    assert str(module.main.function_type.results[0]) == "tensor<2x12xf32>"
    assert "graph.shape" not in print_op(module)


def test_model_and_opset_checks():
    m = make([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", [2])], opset=6)
    with pytest.raises(UnsupportedError, match="opset 6"):
        import_onnx_model(m)


def test_no_copy_of_raw_initializer_data():
    w = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    m = make(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        [vi("x", [1, 64])],
        [vi("y", [1, 64])],
        [numpy_helper.from_array(w, "w")],
    )
    model = onnx.ModelProto.FromString(m.SerializeToString())
    module = import_onnx_model(model)
    arr = module.main.body.ops[0].properties["value"].array
    assert arr.base is not None  # a view onto the protobuf bytes, not a fresh copy
    np.testing.assert_array_equal(arr, w)

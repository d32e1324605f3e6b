"""Graph-dialect ops: declaration vs ONNX schema, type inference, verifier messages, print/parse round
trip, and numerics of single-op functions against onnxruntime on single-node ONNX models.

Tolerances: float32 results use rtol 1e-4, atol 1e-5 (our numpy reference and onnxruntime sum in a
different order); integer and boolean results must be exactly equal.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

import ir.dialects.graph as graph
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.dialects.graph import ops_elementwise as ew
from ir.dialects.graph import ops_fused, ops_nn, ops_shape
from ir.dialects.graph.base import constant_value, onnx_dtype_to_type, type_to_onnx_dtype
from ir.dialects.graph.ops_core import Add, Constant, Relu
from ir.errors import UnsupportedError, VerifyError
from ir.interpreter import run
from ir.opdef import DENSE, FLOAT, FLOATS, INT, INTS, STR, STRS
from ir.parser import parse_module
from ir.printer import print_op
from ir.types import f16, f32, from_numpy_dtype, i1, i64, tensor
from ir.verifier import verify

OPSET = 18
RNG = np.random.default_rng(0)


def _f(*shape) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _i64(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


# ----------------------------------------------------------------------------- schema conformance

_KIND_OF = {
    onnx.AttributeProto.INT: INT,
    onnx.AttributeProto.FLOAT: FLOAT,
    onnx.AttributeProto.STRING: STR,
    onnx.AttributeProto.INTS: INTS,
    onnx.AttributeProto.FLOATS: FLOATS,
    onnx.AttributeProto.STRINGS: STRS,
    onnx.AttributeProto.TENSOR: DENSE,
}


@pytest.mark.parametrize("op_type", [t for t in graph.onnx_op_types() if t != "Constant"])
def test_declaration_matches_onnx_schema(op_type):
    """Attribute names, kinds and defaults, and input names, are ONNX's (newest opset)."""
    cls = graph.by_onnx_name(op_type)
    schema = onnx.defs.get_schema(op_type)
    assert cls.name.startswith("graph.")
    for name, a in schema.attributes.items():
        assert name in cls.attr_defs, f"{op_type}: missing attribute {name}"
        d = cls.attr_defs[name]
        assert d.kind.name == _KIND_OF[a.type].name or d.kind.name.startswith("one of"), (op_type, name)
        if a.required:
            assert d.required, f"{op_type}.{name} is required in ONNX"
        elif a.default_value.name:
            want = helper.get_attribute_value(a.default_value)
            want = want.decode() if isinstance(want, bytes) else want
            if isinstance(want, float):
                assert np.float32(d.default) == np.float32(want), (op_type, name, d.default, want)
            elif isinstance(want, onnx.TensorProto):
                assert d.default is None
            else:
                assert d.default == want, (op_type, name, d.default, want)
        else:
            assert d.default is None, f"{op_type}.{name} has no ONNX default"
    assert set(cls.attr_defs) <= set(schema.attributes), set(cls.attr_defs) - set(schema.attributes)
    names = [d.name for d in cls.operand_defs]
    assert names == [i.name for i in schema.inputs], (op_type, names)
    for d, i in zip(cls.operand_defs, schema.inputs):
        assert d.optional == (i.option == onnx.defs.OpSchema.FormalParameterOption.Optional), (
            op_type,
            d.name,
        )
        assert d.variadic == (i.option == onnx.defs.OpSchema.FormalParameterOption.Variadic), (
            op_type,
            d.name,
        )


def test_every_graph_op_is_pure_and_registered():
    for op_type in graph.onnx_op_types():
        cls = graph.by_onnx_name(op_type)
        assert any(t.__name__ == "Pure" for t in cls.traits), op_type


def test_onnx_dtype_mapping_round_trips():
    for code in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16):
        assert type_to_onnx_dtype(onnx_dtype_to_type(code)) == code
    with pytest.raises(UnsupportedError, match="STRING"):
        onnx_dtype_to_type(8)


# ----------------------------------------------------------------------------- harness


def _single_op_module(cls, inputs, const: set[int], attrs: dict, n_results: int | None = None):
    """A module whose main function applies `cls` to `inputs` (None = absent optional input); inputs at
    indices in `const` become graph.constant ops. Returns (module, runtime feeds)."""
    arg_types, feeds = [], []
    for i, x in enumerate(inputs):
        if x is not None and i not in const:
            arg_types.append(tensor(x.shape, from_numpy_dtype(x.dtype)))
            feeds.append(x)
    func = FuncOp.create("main", arg_types, [])
    args = iter(func.args)
    values = []
    for i, x in enumerate(inputs):
        if x is None:
            values.append(None)
        elif i in const:
            values.append(func.body.append(Constant.build(value=x)).result)
        else:
            values.append(next(args))
    variadic = [d for d in cls.operand_defs if d.variadic]
    operands = [values] if variadic and len(cls.operand_defs) == 1 else values
    result_types = None
    op = cls.build(*operands, result_types=result_types, provenance=("node0",), **attrs)
    if n_results is not None and len(op.results) != n_results:
        raise AssertionError(f"{cls.name} inferred {len(op.results)} results")
    func.body.append(op)
    func.body.append(ReturnOp.build(list(op.results)))
    func.update_type()
    m = new_module()
    m.body.append(func)
    return m, feeds


def _ort(op_type, inputs, const, attrs, n_outputs: int):
    names = [f"in{i}" if x is not None else "" for i, x in enumerate(inputs)]
    ins, inits = [], []
    for i, x in enumerate(inputs):
        if x is None:
            continue
        if i in const:
            inits.append(numpy_helper.from_array(x, names[i]))
        else:
            ins.append(
                helper.make_tensor_value_info(names[i], helper.np_dtype_to_tensor_dtype(x.dtype), x.shape)
            )
    outs = [f"out{k}" for k in range(n_outputs)]
    node = helper.make_node(op_type, names, outs, name="node0", **attrs)
    g = helper.make_graph([node], "g", ins, [onnx.ValueInfoProto(name=o) for o in outs], inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {names[i]: x for i, x in enumerate(inputs) if x is not None and i not in const}
    return sess.run(None, feed)


def _check(op_type, inputs, attrs=None, const=(), onnx_attrs=None):
    """Build, verify, round-trip, interpret, compare with onnxruntime."""
    attrs = attrs or {}
    cls = graph.by_onnx_name(op_type)
    m, feeds = _single_op_module(cls, inputs, set(const), attrs)
    verify(m)
    text = print_op(m)
    assert print_op(parse_module(text)) == text
    ours = run(m, feeds)
    theirs = _ort(op_type, inputs, set(const), attrs if onnx_attrs is None else onnx_attrs, len(ours))
    op = m.main.body.ops[-2]
    for r, a, b in zip(op.results, ours, theirs):
        assert tuple(r.type.shape) == a.shape == b.shape, (op_type, r.type, a.shape, b.shape)
        assert a.dtype == b.dtype, (op_type, a.dtype, b.dtype)
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=op_type)
        else:
            np.testing.assert_array_equal(a, b, err_msg=op_type)
    return m


# ----------------------------------------------------------------------------- numerics vs onnxruntime

UNARY = [
    "Sqrt", "Erf", "Tanh", "Sigmoid", "Exp", "Log", "Neg", "Abs", "Reciprocal", "Floor", "Ceil", "Round", "Sign",
    "Sin", "Cos", "HardSwish", "Softplus", "Mish", "Identity", "Softsign", "Relu",
]  # fmt: skip


@pytest.mark.parametrize("op_type", UNARY)
def test_unary_against_ort(op_type):
    x = _f(2, 3, 4)
    if op_type in ("Sqrt", "Log"):
        x = np.abs(x) + 0.1
    _check(op_type, [x])


@pytest.mark.parametrize(
    "op_type,attrs",
    [
        ("Gelu", {"approximate": "tanh"}),
        ("Gelu", {}),
        ("LeakyRelu", {"alpha": 0.2}),
        ("Elu", {"alpha": 0.5}),
        ("Selu", {}),
        ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}),
        ("Celu", {"alpha": 2.0}),
    ],
)
def test_activation_attrs_against_ort(op_type, attrs):
    global OPSET
    old, OPSET = OPSET, (20 if op_type == "Gelu" else OPSET)
    try:
        _check(op_type, [_f(2, 5)], attrs)
    finally:
        OPSET = old


@pytest.mark.parametrize("op_type", ["Sub", "Mul", "Div", "Pow", "Add"])
def test_binary_broadcast_against_ort(op_type):
    a, b = np.abs(_f(2, 3, 4)) + 0.5, _f(3, 1)
    _check(op_type, [a, b])


@pytest.mark.parametrize("op_type", ["Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"])
def test_compare_against_ort(op_type):
    a, b = RNG.integers(0, 3, (3, 4)).astype(np.int64), RNG.integers(0, 3, (4,)).astype(np.int64)
    m = _check(op_type, [a, b])
    assert m.main.body.ops[-2].result.type == tensor((3, 4), i1)


@pytest.mark.parametrize("op_type", ["And", "Or", "Xor"])
def test_logical_against_ort(op_type):
    _check(op_type, [RNG.random((3, 4)) > 0.5, RNG.random((1, 4)) > 0.5])


def test_not_where_mod_against_ort():
    _check("Not", [RNG.random((3, 4)) > 0.5])
    _check("Where", [RNG.random((3, 4)) > 0.5, _f(3, 4), _f(1, 4)])
    _check("Mod", [_i64([[-7, 5, 9]]), _i64([2, -3, 4])])
    _check("Mod", [_f(3, 4), np.abs(_f(4)) + 1], {"fmod": 1})


@pytest.mark.parametrize("op_type", ["Min", "Max", "Sum", "Mean"])
def test_variadic_against_ort(op_type):
    _check(op_type, [_f(2, 3), _f(3), _f(1, 3)])


def test_clip_with_optional_bounds_against_ort():
    x = _f(4, 5)
    _check("Clip", [x, np.array(-0.5, np.float32), np.array(0.5, np.float32)])
    _check("Clip", [x, None, np.array(0.2, np.float32)])
    _check("Clip", [x])


def test_cast_and_prelu_against_ort():
    m = _check("Cast", [_f(3, 4) * 10], {"to": onnx.TensorProto.INT64})
    assert m.main.body.ops[-2].result.type == tensor((3, 4), i64)
    _check("Cast", [_i64([0, 3, -1])], {"to": onnx.TensorProto.BOOL})
    _check("PRelu", [_f(2, 3, 4, 4), np.abs(_f(3, 1, 1))])


def test_conv_against_ort():
    x, w, b = _f(1, 4, 9, 9), _f(6, 2, 3, 3), _f(6)
    attrs = {"group": 2, "strides": [2, 1], "pads": [1, 0, 1, 2], "dilations": [1, 2]}
    m = _check("Conv", [x, w, b], attrs, const={1, 2})
    # (9 + 2 - 3) // 2 + 1 = 5; (9 + 0 + 2 - 5) // 1 + 1 = 7
    assert m.main.body.ops[-2].result.type == tensor((1, 6, 5, 7))
    _check("Conv", [x, _f(3, 4, 3, 3)], {"auto_pad": "SAME_UPPER", "strides": [2, 2]})


def test_conv_transpose_against_ort():
    _check(
        "ConvTranspose", [_f(1, 4, 5, 5), _f(4, 3, 3, 3), _f(3)], {"strides": [2, 2], "pads": [1, 1, 1, 1]}
    )


def test_pools_against_ort():
    x = _f(2, 3, 10, 9)
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}
    m = _check("MaxPool", [x], attrs)
    # ceil((10 - 3) / 2) + 1 = 5 and ceil((9 - 3) / 2) + 1 = 4
    assert m.main.body.ops[-2].result.type == tensor((2, 3, 5, 4))
    _check("AveragePool", [x], {"kernel_shape": [2, 3], "pads": [1, 1, 0, 1], "count_include_pad": 1})
    _check(
        "AveragePool", [x], {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1, "pads": [1, 1, 1, 1]}
    )
    _check("GlobalAveragePool", [x])
    _check("GlobalMaxPool", [x])
    _check("LRN", [x], {"size": 3, "alpha": 0.001})


def test_max_pool_with_indices_against_ort():
    x = _f(1, 2, 6, 6)
    cls = ops_nn.MaxPool
    m, feeds = _single_op_module(cls, [x], set(), {"kernel_shape": [2, 2], "strides": [2, 2]})
    op = m.main.body.ops[-2]
    # rebuild with the optional Indices result
    func = m.main
    new = cls(list(op.operands), [op.result.type, tensor(op.result.type.shape, i64)], dict(op.properties))
    func.body.insert_before(op, new)
    func.body.ops[-1].set_operands(list(new.results))
    op.erase()
    func.update_type()
    verify(m)
    ours = run(m, feeds)
    theirs = _ort("MaxPool", [x], set(), {"kernel_shape": [2, 2], "strides": [2, 2]}, 2)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_normalizations_against_ort():
    x = _f(2, 3, 4, 5)
    c = [np.abs(_f(3)) + 0.5 for _ in range(4)]
    _check("BatchNormalization", [x, *c], {"epsilon": 1e-3}, const={1, 2, 3, 4})
    _check("InstanceNormalization", [x, c[0], c[1]], const={1, 2})
    _check("LayerNormalization", [x, _f(4, 5), _f(4, 5)], {"axis": -2})
    _check("LayerNormalization", [x, _f(5)])


def test_matmul_gemm_softmax_against_ort():
    _check("MatMul", [_f(2, 1, 3, 4), _f(5, 4, 6)])
    _check("MatMul", [_f(4), _f(3, 4, 2)])
    _check("Gemm", [_f(4, 3), _f(5, 4), _f(5)], {"transA": 1, "transB": 1, "alpha": 0.5, "beta": 2.0})
    _check("Gemm", [_f(2, 3), _f(3, 4)])
    _check("Softmax", [_f(2, 3, 4)], {"axis": 1})
    _check("LogSoftmax", [_f(2, 3, 4)])


def test_layout_ops_against_ort():
    _check("Flatten", [_f(2, 3, 4, 5)], {"axis": 2})
    _check("DepthToSpace", [_f(1, 8, 2, 3)], {"blocksize": 2, "mode": "CRD"})
    _check("DepthToSpace", [_f(1, 8, 2, 3)], {"blocksize": 2})
    _check("SpaceToDepth", [_f(1, 2, 4, 6)], {"blocksize": 2})
    _check("Dropout", [_f(3, 4)])


def test_upsample_against_ort():
    global OPSET
    old, OPSET = OPSET, 9
    try:
        _check("Upsample", [_f(1, 2, 3, 4), np.array([1, 1, 2, 3], np.float32)], const={1})
    finally:
        OPSET = old


def test_resize_against_ort():
    x = _f(1, 2, 4, 5)
    scales = np.array([1, 1, 2, 1.5], np.float32)
    m = _check("Resize", [x, None, scales], {"mode": "linear"}, const={2})
    assert m.main.body.ops[-2].result.type == tensor((1, 2, 8, 7))
    sizes = _i64([1, 2, 3, 9])
    _check("Resize", [x, None, None, sizes], {"mode": "nearest", "nearest_mode": "floor"}, const={3})


def test_shape_ops_against_ort():
    x = _f(2, 3, 4)
    m = _check("Reshape", [x, _i64([0, -1, 2])], const={1})
    assert m.main.body.ops[-2].result.type == tensor((2, 6, 2))
    _check("Transpose", [x], {"perm": [2, 0, 1]})
    _check("Transpose", [x])
    _check("Concat", [x, _f(2, 1, 4), _f(2, 2, 4)], {"axis": -2})
    _check("Slice", [x, _i64([1, -1]), _i64([100, 0]), _i64([1, 2]), _i64([1, -2])], const={1, 2, 3, 4})
    _check("Gather", [x, _i64([[0, -1], [1, 1]])], {"axis": 1}, const={1})
    _check("GatherElements", [x, RNG.integers(0, 3, (2, 2, 4)).astype(np.int64)], {"axis": 1})
    _check("Expand", [_f(3, 1), _i64([2, 1, 4])], const={1})
    _check("Tile", [x, _i64([1, 2, 3])], const={1})
    _check("Pad", [x, _i64([0, 1, 2, 0, 0, 1]), np.array(1.5, np.float32)], const={1, 2})
    _check("Pad", [x, _i64([1, 1]), None, _i64([2])], {"mode": "reflect"}, const={1, 3})
    _check("Squeeze", [_f(1, 3, 1, 2), _i64([0, -2])], const={1})
    _check("Squeeze", [_f(1, 3, 1, 2)])
    _check("Unsqueeze", [x, _i64([0, -1])], const={1})
    _check("Shape", [x], {"start": 1})
    _check("Size", [x])
    _check("ConstantOfShape", [_i64([2, 3])], {"value": np.array([7], np.int64)}, const={0},
           onnx_attrs={"value": numpy_helper.from_array(np.array([7], np.int64))})  # fmt: skip
    _check("Range", [np.array(1, np.int64), np.array(10, np.int64), np.array(3, np.int64)], const={0, 1, 2})


def test_split_against_ort():
    x = _f(7, 4)
    cls = ops_shape.Split
    m, feeds = _single_op_module(cls, [x, _i64([2, 5])], {1}, {"axis": 0})
    assert [r.type for r in m.main.body.ops[-2].results] == [tensor((2, 4)), tensor((5, 4))]
    verify(m)
    for a, b in zip(run(m, feeds), _ort("Split", [x, _i64([2, 5])], {1}, {"axis": 0}, 2)):
        np.testing.assert_array_equal(a, b)
    m, feeds = _single_op_module(cls, [x], set(), {"num_outputs": 3})
    assert [r.type.shape for r in m.main.body.ops[-2].results] == [(3, 4), (3, 4), (1, 4)]
    verify(m)
    text = print_op(m)
    assert print_op(parse_module(text)) == text
    for a, b in zip(run(m, feeds), _ort("Split", [x], set(), {"num_outputs": 3}, 3)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "op_type",
    ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceLogSumExp"],
)
def test_reductions_against_ort(op_type):
    x = _f(2, 3, 4)
    _check(op_type, [x, _i64([0, -1])], {"keepdims": 0}, const={1})
    _check(op_type, [x], {"keepdims": 1})


def test_argmax_topk_einsum_against_ort():
    x = _f(3, 5)
    _check("ArgMax", [x], {"axis": 1, "keepdims": 0})
    _check("ArgMin", [x], {"axis": 0})
    _check("TopK", [x, _i64([2])], {"axis": 1}, const={1})
    _check("TopK", [x, _i64([3])], {"axis": 0, "largest": 0}, const={1})
    _check("Einsum", [_f(2, 3, 4), _f(2, 4, 5)], {"equation": "bij,bjk->bik"})


# ----------------------------------------------------------------------------- type inference


def _const(func, arr):
    return func.body.append(Constant.build(value=np.asarray(arr))).result


def test_reshape_infers_zero_and_minus_one_from_constant():
    func = FuncOp.create("f", [tensor((2, 3, 4))], [])
    shape = _const(func, _i64([0, -1]))
    op = ops_shape.Reshape.build(func.args[0], shape)
    assert op.result.type == tensor((2, 12))
    dyn = FuncOp.create("g", [tensor((-1, 3, 4))], [])
    op = ops_shape.Reshape.build(dyn.args[0], _const(dyn, _i64([0, -1])))
    assert op.result.type == tensor((-1, 12))


def test_value_dependent_shape_needs_a_constant():
    func = FuncOp.create("f", [tensor((2, 3)), tensor((2,), i64)], [])
    with pytest.raises(UnsupportedError, match="graph.reshape.*'shape' is not a constant"):
        ops_shape.Reshape.build(func.args[0], func.args[1])
    with pytest.raises(UnsupportedError, match="graph.expand.*'shape'"):
        ops_shape.Expand.build(func.args[0], func.args[1])
    assert constant_value(func.args[0]) is None
    c = _const(func, _i64([1, 2]))
    assert constant_value(c).tolist() == [1, 2]


def test_conv_and_pool_inference():
    x = tensor((1, 8, 15, 15))
    func = FuncOp.create("f", [x, tensor((16, 2, 3, 3))], [])
    op = ops_nn.Conv.build(func.args[0], func.args[1], group=4, strides=[2, 2], pads=[1, 1, 1, 1])
    assert op.result.type == tensor((1, 16, 8, 8))
    pool = ops_nn.MaxPool.build(func.args[0], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    assert pool.result.type == tensor((1, 8, 8, 8))
    pool = ops_nn.MaxPool.build(func.args[0], kernel_shape=[2, 2], strides=[2, 2])
    assert pool.result.type == tensor((1, 8, 7, 7))
    dyn = FuncOp.create("g", [tensor((-1, 8, -1, 15)), tensor((16, 8, 3, 3))], [])
    op = ops_nn.Conv.build(dyn.args[0], dyn.args[1])
    assert op.result.type == tensor((-1, 16, -1, 13))


def test_misc_inference():
    func = FuncOp.create("f", [tensor((2, 3, 4)), tensor((4, 5))], [])
    x, w = func.args
    assert ops_shape.Shape.build(x, start=-2).result.type == tensor((2,), i64)
    assert ops_shape.Size.build(x).result.type == tensor((), i64)
    assert ops_nn.MatMul.build(x, w).result.type == tensor((2, 3, 5))
    assert ew.Cast.build(x, to=10).result.type == tensor((2, 3, 4), f16)
    assert ops_shape.ReduceMean.build(x, _const(func, _i64([1]))).result.type == tensor((2, 1, 4))
    assert ops_shape.ReduceSum.build(x, keepdims=0).result.type == tensor((), f32)
    assert ops_shape.ConstantOfShape.build(_const(func, _i64([3, 2]))).result.type == tensor((3, 2))
    assert ops_nn.Flatten.build(x, axis=0).result.type == tensor((1, 24))
    assert ops_shape.Gather.build(x, _const(func, _i64([0, 1]))).result.type == tensor((2, 3, 4))


# ----------------------------------------------------------------------------- verifier


def _verify_single(op, in_types):
    func = FuncOp.create("main", in_types, [])
    func.body.append(op)
    func.body.append(ReturnOp.build(list(op.results)))
    func.update_type()
    verify(func)


def _func_args(*types):
    return FuncOp.create("f", list(types), []).args


def test_conv_verify_errors_name_the_numbers():
    x, w = _func_args(tensor((1, 6, 8, 8)), tensor((4, 4, 3, 3)))
    op = ops_nn.Conv(
        [x, w], [tensor((1, 4, 6, 6))], {"group": ops_nn.Conv.attr_defs["group"].kind.to_attr(2)}
    )
    x.block.ops.append(op)
    op.parent = x.block
    with pytest.raises(
        VerifyError, match=r"graph.conv.*onnx node.*|graph.conv.*4 input channels per group.*6"
    ):
        op.verify_()
    x, w, b = _func_args(tensor((1, 6, 8, 8)), tensor((4, 6, 3, 3)), tensor((5,)))
    op = ops_nn.Conv([x, w, b], [tensor((1, 4, 6, 6))], provenance=("conv1",))
    with pytest.raises(
        VerifyError, match=r"'graph.conv' op \(onnx node 'conv1'\): bias must be 1-D of length M = 4"
    ):
        op.verify_()
    x, w = _func_args(tensor((1, 6, 8, 8)), tensor((4, 6, 3)))
    op = ops_nn.Conv([x, w], [tensor((1, 4, 6, 6))])
    with pytest.raises(VerifyError, match="weight rank 3 must equal input rank 4"):
        op.verify_()


def test_matmul_gemm_concat_verify_errors():
    a, b = _func_args(tensor((2, 3)), tensor((4, 5)))
    with pytest.raises(VerifyError, match=r"graph.matmul.*inner dims differ.*\(3 vs 4\)"):
        ops_nn.MatMul([a, b], [tensor((2, 5))]).verify_()
    with pytest.raises(VerifyError, match="graph.gemm.*A' is 3 wide.*B' is 4 tall"):
        ops_nn.Gemm([a, b], [tensor((2, 5))]).verify_()
    x, y = _func_args(tensor((2, 3)), tensor((4, 5)))
    op = ops_shape.Concat([x, y], [tensor((6, 3))], {"axis": INT.to_attr(0)})
    with pytest.raises(VerifyError, match=r"graph.concat.*input #1 has dim 1 = 5, but input #0 has 3"):
        op.verify_()


def test_result_type_must_match_inferred():
    x, y = _func_args(tensor((2, 3)), tensor((2, 3)))
    op = Add([x, y], [tensor((2, 4))])
    with pytest.raises(
        VerifyError, match=r"graph.add.*result #0 has type tensor<2x4xf32>, but the operands give"
    ):
        op.verify_()
    Add([x, y], [tensor((2, -1))]).verify_()  # a dynamic dim is compatible


def test_broadcast_mismatch_and_bad_attr_lengths():
    x, y = _func_args(tensor((2, 3)), tensor((4,)))
    with pytest.raises(VerifyError, match="graph.sub.*do not broadcast"):
        ew.Sub([x, y], [tensor((2, 3))]).verify_()
    (x,) = _func_args(tensor((1, 3, 8, 8)))
    op = ops_nn.MaxPool.build(x, kernel_shape=[2, 2])
    op.strides = [1, 1, 1]
    with pytest.raises(VerifyError, match="'strides' has 3 values, but the input has 2 spatial dims"):
        op.verify_()


# ----------------------------------------------------------------------------- fused


def test_fused_region_interprets_and_round_trips():
    x, w, b = _f(1, 3, 6, 6), _f(4, 3, 3, 3), _f(4)
    func = FuncOp.create("main", [tensor(x.shape)], [])
    wc, bc = _const(func, w), _const(func, b.reshape(1, 4, 1, 1))
    conv = func.body.append(ops_nn.Conv.build(func.args[0], wc, provenance=("conv",)))
    add = func.body.append(Add.build(conv.result, bc, provenance=("add",)))
    relu = func.body.append(Relu.build(add.result, provenance=("relu",)))
    func.body.append(ReturnOp.build([relu.result]))
    func.update_type()
    m = new_module()
    m.body.append(func)
    before = run(m, [x])[0]
    fused = ops_fused.fuse_ops([conv, add, relu], "conv_bias_relu")
    verify(m)
    assert fused.provenance == ("conv", "add", "relu")
    assert [o.name for o in fused.inner_ops] == ["graph.conv", "graph.add", "graph.relu"]
    assert len(fused.operands) == 3
    text = print_op(m)
    assert '"graph.fused"' in text and '"graph.yield"' in text
    assert print_op(parse_module(text)) == text
    np.testing.assert_array_equal(run(m, [x])[0], before)
    ref = np.maximum(_ort("Conv", [x, w], {1}, {}, 1)[0] + b.reshape(1, 4, 1, 1), 0)
    np.testing.assert_allclose(before, ref, rtol=1e-4, atol=1e-5)


def test_fused_verify_checks_yield_types():
    (x,) = _func_args(tensor((2, 3)))
    op = ops_fused.Fused.create([x], [tensor((2, 4))], "elementwise")
    blk = op.body.block
    r = blk.append(Relu.build(blk.args[0]))
    blk.append(ops_fused.Yield.build([r.result]))
    with pytest.raises(
        VerifyError, match=r"graph.fused.*yields \(tensor<2x3xf32>\) but the op's results are"
    ):
        op.verify_()

"""Exact print/parse of types, attributes and modules; parse errors with file:line:col."""

from __future__ import annotations

import numpy as np
import pytest

import ir.dialects  # noqa: F401
from ir.affine import AffineMap, d, s
from ir.attributes import (
    AffineMapAttr,
    DenseArrayAttr,
    DenseElementsAttr,
    FloatAttr,
    StringAttr,
    format_float,
)
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.dialects.graph.ops_core import Constant
from ir.errors import ParseError
from ir.parser import parse_attribute, parse_module, parse_type
from ir.printer import PrintOptions, print_op
from ir.types import bf16, f16, f32, f64, i1, i64, tensor, to_numpy_dtype

TYPES = [
    "f16", "bf16", "f32", "f64", "i1", "i8", "i32", "i64", "si8", "ui8", "i7", "index", "none",
    "tensor<f32>", "tensor<1x3x224x224xf32>", "tensor<?x3xbf16>", "tensor<0xi1>", "memref<64x64xf32>",
    "memref<?xi8>", "vector<8xf32>", "vector<2x4xf16>", "() -> ()", "(f32) -> f32", "(f32, i1) -> (f32, i64)",
    "(tensor<2xf32>) -> ((f32) -> f32)", "() -> (() -> ())",
]  # fmt: skip


@pytest.mark.parametrize("text", TYPES)
def test_types_print_parse_exactly(text):
    t = parse_type(text)
    assert str(t) == text
    assert parse_type(str(t)) == t


ATTRS = [
    "5 : i64", "-1 : i8", "255 : ui8", "7 : index", "true", "false", "unit", '"plain"',
    r'"quote \" backslash \\ newline \n tab \t ctrl \01"', '"unicode é→∑ 日本"', "[]", "{}", "[1 : i64, [true, []]]",
    '{a = 1 : i64, b, nested = {x = [unit]}, "odd key" = "v"}', "array<i64>", "array<i64: 1, 2, -3>",
    "array<i1: true, false>", "array<f32: 1.000000e+00, 0x7F800000, -0.000000e+00>", "array<f64>",
    "dense<1.000000e+00> : tensor<2x2xf32>", "dense<[1, 2, 3]> : tensor<3xi32>", "dense<[true, false]> : tensor<2xi1>",
    "dense<true> : tensor<4xi1>", "dense<[[1.500000e+00, 2.500000e+00]]> : tensor<1x2xf16>", "dense<7> : tensor<i64>",
    "dense<> : tensor<0xf32>", "dense<> : tensor<2x0xi1>", "dense<[0x7FC00000, 0xFF800000]> : tensor<2xf32>",
    "affine_map<(d0, d1) -> (d1, d0)>", "affine_map<(d0, d1)[s0] -> (d0 floordiv 2, d1 mod 3 + s0)>",
    "affine_map<(d0) -> (d0 ceildiv 4, d0 - 1, d0 * -1)>", "affine_map<()[s0, s1] -> (s0 * 2 + s1 floordiv 3)>",
    "affine_map<(d0, d1, d2) -> (d0 + (d1 + d2), (d0 + 1) * 2)>", "affine_map<() -> ()>", "@main", '@"odd name"',
    "f32", "tensor<2xf32>", "(f32) -> f32", "#arith.fastmath<none>", "#foo.bar<a<b>, [1]>",
    "1.000000e+00 : f32", "-0.000000e+00 : f64", "0x7FF0000000000000 : f64", "0xFC00 : f16", "0x7FC0 : bf16",
    "1.000000e-01 : f64",
]  # fmt: skip


@pytest.mark.parametrize("text", ATTRS)
def test_attributes_print_parse_exactly(text):
    a = parse_attribute(text)
    assert str(a) == text
    assert str(parse_attribute(str(a))) == text


@pytest.mark.parametrize("t", [f16, bf16, f32, f64])
def test_floats_round_trip_bit_exactly(t):
    dt = to_numpy_dtype(t)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0 / 3.0, 1e-3, 65504.0, 5.96e-8, 3.4e38, 1.17549435e-38]
    rng = np.random.default_rng(0)
    with np.errstate(over="ignore"):  # 3.4e38 overflows f16/bf16 to inf on purpose
        values = np.concatenate([np.array(specials, dtype=np.float64), rng.standard_normal(64) * 1e3]).astype(
            dt
        )
    for v in values:
        text = str(FloatAttr(float(v), t))
        back = parse_attribute(text)
        got = np.array([back.value]).astype(dt)
        assert got.view(f"u{dt.itemsize}")[0] == np.array([v]).view(f"u{dt.itemsize}")[0], text
    dense = DenseElementsAttr(tensor(values.shape, t), values)
    back = parse_attribute(dense.format_inline())
    assert back.array.view(np.uint8).tobytes() == dense.array.view(np.uint8).tobytes()


def test_format_float_is_shortest_exact():
    assert format_float(1.0, f32) == "1.000000e+00"
    assert float(format_float(0.1, f64)) == 0.1
    assert format_float(float("inf"), f32) == "0x7F800000"


def test_dense_splat_vs_full():
    splat = DenseElementsAttr(tensor((64,), f32), np.full(64, 2.5, np.float32))
    assert splat.is_splat and str(splat) == "dense<2.500000e+00> : tensor<64xf32>"
    zeros = DenseElementsAttr(tensor((2,), f32), np.array([0.0, -0.0], np.float32))
    assert not zeros.is_splat  # -0.0 is a different bit pattern: must not collapse into a splat
    assert parse_attribute(str(zeros)) == zeros
    full = DenseElementsAttr(tensor((2, 2), i64), np.arange(4))
    assert str(full) == "dense<[[0, 1], [2, 3]]> : tensor<2x2xi64>"
    empty = DenseElementsAttr(tensor((2, 0), f32), np.zeros((2, 0), np.float32))
    assert parse_attribute(str(empty)) == empty
    empty2 = DenseElementsAttr(tensor((0, 0), f32), np.zeros((0, 0), np.float32))
    assert parse_attribute(str(empty2)) == empty2
    assert parse_attribute("dense<> : tensor<0x3xf32>") == DenseElementsAttr(
        tensor((0, 3), f32), np.zeros((0, 3))
    )


def test_i1_arrays():
    a = DenseElementsAttr(tensor((3,), i1), np.array([True, False, True]))
    assert str(a) == "dense<[true, false, true]> : tensor<3xi1>"
    assert parse_attribute(str(a)) == a
    arr = DenseArrayAttr(i1, (1, 0))
    assert str(parse_attribute(str(arr))) == "array<i1: true, false>"


def test_strings_with_escapes():
    for text in ['a"b', "x\\y", "line\nbreak", "\t\x00\x1f\x7f", "é→∑", "", "}>{"]:
        a = StringAttr(text)
        assert parse_attribute(str(a)) == a


def test_affine_maps_evaluate_and_round_trip():
    m = AffineMap(2, 1, (d(0).floordiv(2), d(1) % 3 + s(0), d(0).ceildiv(4) - 1, d(0) + (d(1) + s(0))))
    a = AffineMapAttr(m)
    assert parse_attribute(str(a)) == a
    assert m.evaluate((7, 5), (1,)) == (3, 3, 1, 13)
    idx = np.arange(6)
    assert list(AffineMap.permutation([1, 0]).evaluate((idx, idx + 1))[0]) == list(idx + 1)


def _module_with_constant(arr, name="weights"):
    m = new_module()
    f = FuncOp.create("main", [], [tensor(arr.shape, _ty(arr))])
    m.body.append(f)
    c = f.body.append(Constant.build(value=DenseElementsAttr.from_array(arr, name), provenance=("w",)))
    f.body.append(ReturnOp.build([c.result]))
    return m


def _ty(arr):
    from ir.types import from_numpy_dtype

    return from_numpy_dtype(arr.dtype)


@pytest.mark.parametrize(
    "arr",
    [
        np.arange(100, dtype=np.float32).reshape(10, 10),
        np.arange(40, dtype=np.int64),
        np.array([True, False] * 20),
        np.linspace(-1, 1, 33).astype(np.float16),
    ],
)
def test_dense_resource_blobs_round_trip(arr):
    m = _module_with_constant(arr)
    text = print_op(m)
    assert "dense_resource<weights>" in text and "dialect_resources" in text
    m2 = parse_module(text)
    assert print_op(m2) == text
    got = m2.main.body.ops[0].properties["value"].array
    assert got.dtype == arr.dtype and np.array_equal(got, arr)


def test_dense_resource_bf16_and_shared_blob_names():
    arr = np.linspace(-2, 2, 50).astype(to_numpy_dtype(bf16))
    m = _module_with_constant(arr)
    f = m.main
    c2 = Constant.build(value=DenseElementsAttr.from_array(arr + 1, "weights"))  # same hint, other bytes
    f.body.insert(0, c2)
    text = print_op(m)
    assert "dense_resource<weights_1>" in text or "dense_resource<weights>" in text
    assert print_op(parse_module(text)) == text


def test_elided_constants_are_refused_with_a_hint():
    text = print_op(
        _module_with_constant(np.arange(100, dtype=np.float32)), PrintOptions(elide_constants=True)
    )
    assert "__elided__" in text
    with pytest.raises(ParseError, match="elided"):
        parse_module(text)


def test_locations_round_trip():
    m = _module_with_constant(np.arange(3, dtype=np.float32))
    c = m.main.body.ops[0]
    for prov in [("a",), ('x"y', "z\\w"), ("multi\nline",)]:
        c.provenance = prov
        text = print_op(m)
        m2 = parse_module(text)
        assert m2.main.body.ops[0].provenance == prov
        assert print_op(m2) == text
    assert "loc(" not in print_op(m, PrintOptions(locations=False))


def test_multi_block_regions_and_multi_results_round_trip():
    text = """
"builtin.module"() ({
  "test.region"() ({
  ^bb0:
  ^bb1(%arg0: f32):
    %0:2 = "test.two"(%arg0) : (f32) -> (f32, i1)
    "test.use"(%0#1, %0#0) : (i1, f32) -> ()
  }) : () -> ()
}) : () -> ()
"""
    m = parse_module(text, allow_unregistered=True)
    out = print_op(m)
    assert "%0:2" in out and "%0#1" in out and "^bb0:" in out
    assert print_op(parse_module(out, allow_unregistered=True)) == out


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '"builtin.module"() ({\n  "nope.op"() : () -> ()\n}) : () -> ()',
            "2:3: error: unknown operation 'nope.op'",
        ),
        ('"builtin.module"() ({\n}) : () -> (', "expected a type"),
        ('"test.a"(%x) : (f32) -> ()', "use of undefined value '%x'"),
        ("dense<[1, 2]> : tensor<3xf32>", None),
        ('"t.a"() {x = "unterminated} : () -> ()', "unterminated string"),
        ('%0 = "t.a"() : () -> f32\n%0 = "t.b"() : () -> f32', "2:1: error: redefinition of SSA value '%0'"),
        ('%0 = "t.a"() : () -> f32\n"t.b"(%0) : (i32) -> ()', "has type f32 but is used as i32"),
    ],
)
def test_parse_errors_are_located(text, message):
    with pytest.raises(ParseError) as e:
        if text.startswith("dense"):
            parse_attribute(text)
        else:
            parse_module(text, "f.mlir", allow_unregistered="nope" not in text)
    assert ":" in str(e.value) and "error:" in str(e.value)
    if message:
        assert message in str(e.value)
        assert e.value.line >= 1 and e.value.col >= 1


def test_attribute_roundtrip_inside_ops_keeps_property_vs_attribute_split():
    text = '"t.op"() <{p = 1 : i64}> {q = 2 : i64} : () -> ()\n'
    m = parse_module(text, allow_unregistered=True)
    op = m.body.ops[0]
    assert set(op.properties) == {"p"} and set(op.attributes) == {"q"}


def test_constant_types_and_printing_of_f64():
    m = _module_with_constant(np.array([0.1, 1e300, -0.0], dtype=np.float64))
    text = print_op(m)
    assert parse_module(text).main.body.ops[0].properties["value"] == m.main.body.ops[0].properties["value"]
    assert f64 == parse_type("f64") and i64 == parse_type("i64") and f32 == parse_type("f32")

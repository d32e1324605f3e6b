"""xDSL (an independent MLIR implementation) parses what we print: every builtin attribute kind, large
constants as dense_resource blobs, nested regions and loc(...) provenance."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings

import ir.dialects  # noqa: F401
from ir.affine import AffineMap, d, s
from ir.attributes import (
    AffineMapAttr,
    ArrayAttr,
    DenseArrayAttr,
    DenseElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    SymbolRefAttr,
    TypeAttr,
    UnitAttr,
)
from ir.core import Block, Operation
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.dialects.graph.ops_core import Add, Constant, Relu
from ir.printer import print_op
from ir.testing import graph_functions
from ir.types import FunctionType, bf16, f16, f32, f64, i1, i8, i32, i64, index, memref, tensor, vector

xdsl = pytest.importorskip("xdsl")


def every_attribute_module():
    m = new_module()
    t = tensor((2, 3), f32)
    f = FuncOp.create("main", [t], [t], provenance=("graph",))
    m.body.append(f)
    x = f.args[0]
    big = Constant.build(value=np.arange(6 * 40, dtype=np.float32).reshape(40, 2, 3)[0:1].reshape(2, 3))
    f.body.append(big)
    weights = Constant.build(
        value=DenseElementsAttr.from_array(np.linspace(-1, 1, 64, dtype=np.float32), "w0")
    )
    f.body.append(weights)
    ints = Constant.build(value=DenseElementsAttr.from_array(np.arange(30, dtype=np.int64), "idx"))
    f.body.append(ints)
    a = f.body.append(Add.build(x, big.result, provenance=("Add_0",)))
    attrs = {
        "int": IntegerAttr(-5, i32),
        "idx": IntegerAttr(7, index),
        "flag": IntegerAttr(1, i1),
        "f16": FloatAttr(0.5, f16),
        "bf16": FloatAttr(1.5, bf16),
        "f32": FloatAttr(float("inf"), f32),
        "nan": FloatAttr(float("nan"), f64),
        "negz": FloatAttr(-0.0, f32),
        "str": StringAttr('quote " back \\ nl \n é'),
        "unit": UnitAttr(),
        "arr": ArrayAttr((IntegerAttr(1, i64), ArrayAttr(()), StringAttr("x"))),
        "dense_arr": DenseArrayAttr(i64, (1, 2, 3)),
        "dense_arr_f": DenseArrayAttr(f32, (0.5, -1.0)),
        "empty_arr": DenseArrayAttr(i8, ()),
        "dict": DictionaryAttr.from_dict(
            {"a": IntegerAttr(1, i64), "b": UnitAttr(), "c": DictionaryAttr(())}
        ),
        "type": TypeAttr(FunctionType((tensor((-1, 3), f32), memref((4,), f16)), (vector((8,), f32),))),
        "sym": SymbolRefAttr("main"),
        "map": AffineMapAttr(AffineMap(2, 1, (d(0).floordiv(2), d(1) % 3 + s(0), d(0) * -1 + 4))),
        "splat": DenseElementsAttr(tensor((4, 4), f32), np.full((4, 4), 2.0, np.float32)),
        "dense_i1": DenseElementsAttr(tensor((3,), i1), np.array([True, False, True])),
        "dense_f": DenseElementsAttr(tensor((2, 2), f16), np.array([[1, 2], [3, 4]], np.float16)),
    }
    region_op = Operation(
        [a.result], [t], attributes=attrs, regions=2, provenance=("Fused", "n2"), name="test.fused"
    )
    f.body.append(region_op)
    inner = region_op.regions[0].add_block(Block([t]))
    r = inner.append(Relu.build(inner.args[0], provenance=("Relu_1",)))
    inner.append(Operation([r.result, x], [], name="test.yield"))
    region_op.regions[1].add_block(Block()).append(Operation([], [], name="test.yield"))
    f.body.append(ReturnOp.build([region_op.result]))
    return m


def _xdsl_parse(text: str):
    from xdsl.context import Context
    from xdsl.dialects.builtin import Builtin
    from xdsl.dialects.func import Func
    from xdsl.parser import Parser

    ctx = Context(allow_unregistered=True)
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    module = Parser(ctx, text, "ziggurat.mlir").parse_module()
    module.verify()
    return module


def test_xdsl_python_parser_accepts_every_attribute_kind():
    text = print_op(every_attribute_module())
    assert "dense_resource<w0>" in text and "loc(" in text and "dialect_resources" in text
    module = _xdsl_parse(text)
    assert "test.fused" in str(module)


@pytest.mark.skipif(shutil.which("xdsl-opt") is None, reason="xdsl-opt not installed")
def test_xdsl_opt_cli_parses_what_we_print(tmp_path):
    path = tmp_path / "every.mlir"
    path.write_text(print_op(every_attribute_module()))
    proc = subprocess.run(
        ["xdsl-opt", "--allow-unregistered-dialect", str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "test.fused" in proc.stdout


@settings(max_examples=10)
@given(graph_functions(max_ops=5))
def test_xdsl_parses_random_graph_modules(m):
    _xdsl_parse(print_op(m))

"""The IR core: use lists, replace_all_uses_with, erase, clone, walk, and the verifier's structural errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ir.dialects  # noqa: F401
from ir.attributes import StringAttr
from ir.core import Block, Operation, lookup_op
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.dialects.graph.ops_core import Add, Constant, Relu
from ir.errors import ParseError, VerifyError
from ir.parser import parse_module
from ir.printer import print_op
from ir.testing.modules import check_use_lists, defined_values
from ir.types import f32, i32, tensor
from ir.verifier import verify

T = tensor((2, 3), f32)


def small_module():
    m = new_module()
    f = FuncOp.create("main", [T, T], [T])
    m.body.append(f)
    a, b = f.args
    add = f.body.append(Add.build(a, b, provenance=("add0",)))
    relu = f.body.append(Relu.build(add.result))
    add2 = f.body.append(Add.build(relu.result, add.result))
    f.body.append(ReturnOp.build([add2.result]))
    return m, f, add, relu, add2


def test_build_infers_types_and_records_uses():
    m, f, add, relu, add2 = small_module()
    verify(m)
    assert add.result.type == T and relu.result.type == T
    assert set(add.result.users) == {relu, add2}
    assert (add2, 1) in add.result.uses
    check_use_lists(m)
    assert lookup_op("graph.add") is Add


def test_replace_all_uses_with_leaves_no_dangling_uses():
    m, f, add, relu, add2 = small_module()
    add.result.replace_all_uses_with(f.args[0])
    assert not add.result.uses
    assert relu.operands[0] is f.args[0] and add2.operands[1] is f.args[0]
    check_use_lists(m)
    add.erase()
    verify(m)
    assert add not in f.body.ops


def test_erase_refuses_ops_with_uses():
    m, f, add, relu, add2 = small_module()
    with pytest.raises(ValueError, match="still used"):
        add.erase()
    assert add in f.body.ops
    check_use_lists(m)
    ret = f.body.ops[-1]
    ret.erase()
    add2.erase()  # now unused
    assert not relu.result.uses or all(u is not add2 for u in relu.result.users)
    check_use_lists(m)


def test_set_operand_and_move():
    m, f, add, relu, add2 = small_module()
    add2.set_operand(0, f.args[1])
    assert relu.result.uses == {}
    assert (add2, 0) in f.args[1].uses
    relu.move_after(add2)
    assert f.body.index_of(relu) == f.body.index_of(add2) + 1
    relu.erase()
    verify(m)


def test_clone_is_structurally_equal_and_shares_no_values():
    m, *_ = small_module()
    c = m.clone()
    assert print_op(c) == print_op(m)
    assert not defined_values(c) & defined_values(m)
    for op in c.walk():
        for v in op.operands:
            assert v in defined_values(c)
    check_use_lists(c)
    check_use_lists(m)
    verify(c)


def test_clone_with_mapping_remaps_free_values():
    m, f, add, relu, add2 = small_module()
    x = f.args[0]
    mapping = {relu.result: x}
    new = add2.clone(mapping)
    assert new.operands[0] is x and new.operands[1] is add.result
    assert mapping[add2.result] is new.result


def test_walk_orders():
    m, f, add, relu, add2 = small_module()
    pre = [o.name for o in m.walk()]
    post = [o.name for o in m.walk(post_order=True)]
    assert pre[0] == "builtin.module" and post[-1] == "builtin.module"
    assert pre.count("graph.add") == 2


def test_block_and_region_helpers():
    b = Block([f32, i32])
    assert [a.index for a in b.args] == [0, 1]
    b.erase_argument(0)
    assert b.args[0].index == 0 and b.args[0].type == i32
    op = Operation([b.args[0]], [f32], name="t.x")
    b.append(op)
    with pytest.raises(ValueError):
        b.erase_argument(0)
    with pytest.raises(ValueError, match="already in a block"):
        b.append(op)


# ----------------------------------------------------------------------------- verifier

HEAD = '"builtin.module"() ({\n'
TAIL = "}) : () -> ()\n"


def func(body: str, sig: str = "() -> ()", args: str = "") -> str:
    return (
        HEAD
        + f'  "func.func"() <{{function_type = {sig}, sym_name = "main"}}> ({{\n'
        + (f"  ^bb0({args}):\n" if args else "")
        + body
        + "  }) : () -> ()\n"
        + TAIL
    )


VERIFY_CASES = {
    "use before def": (
        func('    "test.use"(%0) : (f32) -> ()\n    %0 = "test.def"() : () -> f32\n    "func.return"() : () -> ()\n'),
        r"'test.use' op \(f\.mlir:3:5\): operand #0 is used before its definition by 'test.def'",
    ),
    "wrong return type": (
        func('    %0 = "test.def"() : () -> i32\n    "func.return"(%0) : (i32) -> ()\n', "() -> f32"),
        r"'func.return' op \(f\.mlir:4:5\): returns \(i32\) but the function type says \(f32\)",
    ),
    "missing terminator": (
        func('    %0 = "test.def"() : () -> f32\n'),
        r"'func.func' op \(f\.mlir:2:3\): block in its region must end with a terminator op, but ends with 'test.def'",
    ),
    "terminator not last": (
        func('    "func.return"() : () -> ()\n    "test.after"() : () -> ()\n'),
        r"'func.return' op \(f\.mlir:3:5\): a terminator must be the last op of its block",
    ),
    "bad attribute kind": (
        HEAD + '  "func.func"() <{function_type = () -> (), sym_name = 3 : i64}> ({\n'
        '    "func.return"() : () -> ()\n  }) : () -> ()\n' + TAIL,
        r"'func.func' op \(f\.mlir:2:3\): attribute 'sym_name' must be string, got 3 : i64",
    ),
    "unknown attribute": (
        func('    "func.return"() {x = 1 : i64} : () -> ()\n').replace("sym_name", 'bogus = 1, sym_name'),
        r"'func.func' op \(f\.mlir:2:3\): unknown attribute 'bogus'",
    ),
    "wrong operand count": (
        func('    %0 = "graph.relu"(%arg0, %arg0) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>\n'
             '    "func.return"() : () -> ()\n', "(tensor<2xf32>) -> ()", "%arg0: tensor<2xf32>"),
        r"'graph.relu' op \(f\.mlir:4:5\): expects 1 operands, got 2",
    ),
    "isolated from above": (
        func('    "test.wrap"() ({\n'
             '      "func.func"() <{function_type = () -> (), sym_name = "inner"}> ({\n'
             '        "test.use"(%arg0) : (f32) -> ()\n'
             '        "func.return"() : () -> ()\n'
             '      }) : () -> ()\n'
             '    }) : () -> ()\n'
             '    "func.return"() : () -> ()\n', "(f32) -> ()", "%arg0: f32"),
        r"'test.use' op \(f\.mlir:6:9\): operand #0 does not dominate this use",
    ),
    "duplicate symbol": (
        HEAD + ('  "func.func"() <{function_type = () -> (), sym_name = "f"}> ({\n'
                '    "func.return"() : () -> ()\n  }) : () -> ()\n') * 2 + TAIL,
        r"'func.func' op \(f\.mlir:5:3\): redefinition of symbol 'f'",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(VERIFY_CASES))
def test_verifier_catches_structural_errors(case):
    text, pattern = VERIFY_CASES[case]
    m = parse_module(text, "f.mlir", allow_unregistered=True)
    with pytest.raises(VerifyError) as e:
        verify(m)
    assert re.search(pattern, str(e.value)), str(e.value)
    assert "\n" not in str(e.value)


def test_parser_rejects_unknown_ops_unless_allowed():
    text = func('    "nope.op"() : () -> ()\n    "func.return"() : () -> ()\n')
    with pytest.raises(ParseError, match=r"f\.mlir:3:5: error: unknown operation 'nope.op'"):
        parse_module(text, "f.mlir")
    verify(parse_module(text, "f.mlir", allow_unregistered=True))


def test_parser_rejects_undefined_values_and_wrong_types():
    text = func('    "test.use"(%missing) : (f32) -> ()\n    "func.return"() : () -> ()\n')
    with pytest.raises(ParseError, match=r"f\.mlir:3:16: error: use of undefined value '%missing'"):
        parse_module(text, "f.mlir", allow_unregistered=True)
    text = func(
        '    %0 = "test.def"() : () -> f32\n    "test.use"(%0) : (i32) -> ()\n    "func.return"() : () -> ()\n'
    )
    with pytest.raises(ParseError, match=r"f\.mlir:4:16: error: '%0' has type f32 but is used as i32"):
        parse_module(text, "f.mlir", allow_unregistered=True)


def test_parser_rejects_values_from_a_sibling_region():
    text = func(
        '    "test.two"() ({\n      %5 = "test.def"() : () -> f32\n    }, {\n'
        '      "test.use"(%5) : (f32) -> ()\n    }) : () -> ()\n    "func.return"() : () -> ()\n'
    )
    with pytest.raises(ParseError, match=r"f\.mlir:6:18: error: use of undefined value '%5'"):
        parse_module(text, "f.mlir", allow_unregistered=True)


def test_verifier_catches_value_from_sibling_region_built_by_api():
    m, f, *_ = small_module()
    two = Operation([], [], regions=2, name="test.two")
    f.body.insert(0, two)
    d = two.regions[0].block.append(Operation([], [f32], name="test.def"))
    two.regions[1].block.append(Operation([d.result], [], name="test.use"))
    with pytest.raises(VerifyError, match="'test.use' op: operand #0 .*does not dominate this use"):
        verify(m)


def test_verifier_catches_undefined_values_built_by_api():
    m, f, add, relu, add2 = small_module()
    orphan = Constant.build(value=np.zeros((2, 3), np.float32))  # never inserted
    relu.set_operand(0, orphan.result)
    with pytest.raises(VerifyError, match="which is not in any block"):
        verify(m)


def test_verify_errors_name_provenance():
    m, f, add, relu, add2 = small_module()
    add.properties["bogus"] = StringAttr("x")
    with pytest.raises(VerifyError, match=r"'graph.add' op \(onnx node 'add0'\): unknown attribute 'bogus'"):
        verify(m)


def test_constant_result_must_match_value():
    c = Constant.build(value=np.zeros((2,), np.float32), result_types=[tensor((3,), f32)])
    m = new_module()
    f = FuncOp.create("main", [], [])
    m.body.append(f)
    f.body.append(c)
    f.body.append(ReturnOp.build([]))
    with pytest.raises(VerifyError, match="differs from the value"):
        verify(m)

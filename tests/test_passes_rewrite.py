"""The rewrite engine: patterns as data and as text, matching rules, the greedy driver."""

from __future__ import annotations

import numpy as np
import pytest

from ir import interpreter
from ir.dialects.graph import ops_core as g
from ir.dialects.graph import ops_elementwise as ew
from ir.verifier import verify
from passes import PassContext
from passes.rewrite import (
    Pattern,
    PatternSyntaxError,
    Var,
    apply_patterns_greedily,
    either,
    m,
    match,
    parse_pattern,
    t,
)
from tests._passes_util import FuncBuilder, count_ops


def relu_add_module():
    b = FuncBuilder((2, 3), (2, 3))
    x, y = b.args
    a = b.add(g.Add, x, y)
    r = b.add(g.Relu, a)
    return b.ret(r), b


def test_var_binds_on_first_use_and_must_repeat():
    b = FuncBuilder((2, 2), (2, 2))
    x, y = b.args
    same = b.add(g.Add, x, x)
    diff = b.add(g.Add, x, y)
    b.ret(same, diff)
    v = Var("v")
    pat = m.Add(v, v)
    assert match(pat, same.op) is not None
    assert match(pat, diff.op) is None


def test_either_matches_commutative_operands_in_both_orders():
    b = FuncBuilder((2, 2))
    (x,) = b.args
    c = b.const(np.ones((2, 2), np.float32))
    r = b.add(g.Relu, x)
    a1 = b.add(g.Add, r, c)
    a2 = b.add(g.Add, c, r)
    b.ret(a1, a2)
    pat = m.Add(either(m.Relu(Var("x")), Var("c")))
    m1, m2 = match(pat, a1.op), match(pat, a2.op)
    assert m1 and m2 and m1["c"] is c and m2["c"] is c and m2["x"] is x


def test_attribute_matchers_and_constraints():
    b = FuncBuilder((2, 3))
    (x,) = b.args
    from ir.dialects.graph import ops_shape as sh

    t1 = b.add(sh.Transpose, x, perm=[1, 0])
    b.ret(t1)
    assert match(m.Transpose(Var("x"), perm=[1, 0]), t1.op)
    assert not match(m.Transpose(Var("x"), perm=[0, 1]), t1.op)
    assert match(m.Transpose(Var("x", where=lambda v: v.type.shape == (2, 3))), t1.op)
    assert not match(m.Transpose(Var("x", where=lambda v: v.type.rank == 3)), t1.op)


def test_benefit_defaults_to_matched_op_count():
    p = Pattern("p", m.Relu(m.Add(Var("x"), Var("y"))), t.Relu(Var("x")))
    assert p.effective_benefit == 2
    assert Pattern("q", m.Relu(Var("x")), t.Relu(Var("x")), benefit=7).effective_benefit == 7


def test_text_form_equals_data_form():
    text = parse_pattern("Relu(Add(x, y)) -> Sub(x, y)", name="relu-add-to-sub")
    x, y = Var("x"), Var("y")
    data = Pattern("relu-add-to-sub-data", m.Relu(m.Add(x, y)), t.Sub(x, y))
    for p in (text, data):
        mod, _ = relu_add_module()
        res = apply_patterns_greedily(mod, [p])
        assert res.changed and res.applied[p.name] == 1
        verify(mod)
        assert count_ops(mod, "graph.sub") == 1 and count_ops(mod, "graph.relu") == 0
        # provenance of every matched node is kept
        sub = next(o for o in mod.walk() if o.name == "graph.sub")
        assert set(sub.provenance) == {"add1", "relu2"}


def test_text_form_attributes_and_full_names():
    p = parse_pattern("graph.relu(x) -> LeakyRelu(x, alpha=0.5)")
    mod, _ = relu_add_module()
    apply_patterns_greedily(mod, [p])
    op = next(o for o in mod.walk() if o.name == "graph.leaky_relu")
    assert op.alpha == 0.5


@pytest.mark.parametrize(
    "text, col",
    [("Relu(x -> x", 5), ("Relu(x) -> y", 12), ("Frobnicate(x) -> x", 1), ("Relu(x)", 1)],
)
def test_text_form_errors_have_columns(text, col):
    with pytest.raises(PatternSyntaxError) as e:
        parse_pattern(text)
    assert f"pattern:1:{col}:" in str(e.value)


def test_native_rewrite_and_decline():
    calls = []

    def rewrite(rw, mt):
        calls.append(mt.root)
        return False  # declines

    mod, _ = relu_add_module()
    res = apply_patterns_greedily(mod, [Pattern("decline", m.Relu(Var("x")), rewrite)])
    assert calls and not res.changed and res.converged


def test_fixpoint_iteration_cap_and_enable_disable():
    b = FuncBuilder((4,))
    (x,) = b.args
    v = x
    for _ in range(5):
        v = b.add(ew.Identity, v)
    mod = b.ret(v)
    pat = parse_pattern("Identity(x) -> x", name="id")
    ctx = PassContext()
    res = apply_patterns_greedily(mod, [pat], ctx, enable=["other"])
    assert not res.changed
    res = apply_patterns_greedily(mod, [pat], ctx, disable=["id"])
    assert not res.changed
    res = apply_patterns_greedily(mod, [pat], ctx, max_iterations=10)
    assert res.converged and res.applied["id"] == 5 and count_ops(mod, "graph.identity") == 0
    assert ctx.pattern_stats["patterns/id"] == 5


def test_iteration_cap_stops_a_ping_pong():
    mod, _ = relu_add_module()
    ping = parse_pattern("Relu(x) -> Abs(x)", name="ping")
    pong = parse_pattern("Abs(x) -> Relu(x)", name="pong")
    res = apply_patterns_greedily(mod, [ping, pong], max_iterations=3)
    assert not res.converged and res.iterations == 3
    verify(mod)


def test_trace_and_rewrite_budget():
    lines = []
    ctx = PassContext(trace=lines.append)
    ctx.budget.limit = 2
    b = FuncBuilder((4,))
    (x,) = b.args
    v = x
    for _ in range(4):
        v = b.add(ew.Identity, v)
    mod = b.ret(v)
    apply_patterns_greedily(mod, [parse_pattern("Identity(x) -> x", name="id")], ctx)
    assert count_ops(mod, "graph.identity") == 2
    assert ctx.budget.used == 2 and ctx.budget.refused >= 1
    assert len(lines) == 2 and "rewrite #1: id" in lines[0]


def test_rewrite_keeps_semantics_on_random_inputs():
    mod, _ = relu_add_module()
    xs = [np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32) for _ in range(2)]
    want = interpreter.run(mod, xs)
    apply_patterns_greedily(
        mod, [parse_pattern("Relu(Add(x, y)) -> Relu(Add(y, x))", name="swap")], max_iterations=2
    )
    np.testing.assert_allclose(interpreter.run(mod, xs)[0], want[0])


# ----------------------------------------------------------------------------- use lists, optional operands, computed bindings


SUM_REFINED = """"builtin.module"() ({
  "func.func"() <{function_type = (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<?x3xf32>, %arg1: tensor<?x3xf32>):
    %0 = "graph.sum"(%arg0, %arg1) : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<4x3xf32> loc("s")
    "func.return"(%0) : (tensor<4x3xf32>) -> ()
  }) : () -> ()
}) : () -> ()
"""


def test_template_with_a_different_inferred_type_builds_its_op_once():
    from ir.parser import parse_module
    from passes import PassManager

    mod = parse_module(SUM_REFINED)
    PassManager("builtin.module(canonicalize)").run(mod)
    func = mod.main
    for arg in func.body.args:
        assert [(u.name, u.parent is func.body) for u, _ in arg.uses] == [("graph.add", True)]
    (add,) = [o for o in func.body.ops if o.name == "graph.add"]
    assert str(add.result.type) == "tensor<4x3xf32>"  # the replaced op's refined type is kept
    verify(mod)


def test_verifier_names_a_detached_user_and_its_location():
    from ir.errors import VerifyError

    mod, b = relu_add_module()
    x = b.args[0]
    stray = g.Relu.build(x, provenance=("stray",))  # built, never inserted: holds a use of x
    with pytest.raises(
        VerifyError,
        match=r"block argument #0 is used .* 'graph.relu' \(onnx node 'stray'\), which is detached",
    ):
        verify(mod)
    stray.drop_all_references()
    verify(mod)


def test_verifier_rejects_a_use_outside_the_verified_op():
    from ir.dialects.builtin import FuncOp
    from ir.errors import VerifyError
    from ir.types import f32, tensor

    mod, b = relu_add_module()
    other = FuncOp.create("other", [tensor((2, 3), f32)], [])
    mod.body.append(other)
    other.body.append(g.Relu.build(b.args[0]))  # a use of main's argument from another function
    with pytest.raises(VerifyError, match="outside the op under verification"):
        verify(b.func)


def test_a_failed_build_leaves_no_uses_behind():
    mod, b = relu_add_module()
    x = b.args[0]
    n = len(x.uses)
    with pytest.raises(TypeError):
        g.Add.build(x, "not a value", result_types=[x.type])
    assert len(x.uses) == n
    verify(mod)


def conv_module(bias: bool):
    from ir.dialects.graph import ops_nn as nn

    b = FuncBuilder((1, 2, 3, 3))
    (x,) = b.args
    w = b.const(np.ones((2, 2, 1, 1), np.float32), name="w")
    operands = [x, w] + ([b.const(np.ones(2, np.float32), name="bias")] if bias else [])
    return b.ret(b.add(nn.Conv, *operands, name="conv")), b


def test_optional_operand_matches_present_and_absent_and_templates_pass_it_on():
    from passes.rewrite import optional

    x, w, bias = Var("x"), Var("w"), Var("b")
    pat = m.Conv(x, w, optional(bias))
    for has_bias in (False, True):
        mod, _ = conv_module(has_bias)
        conv = next(o for o in mod.walk() if o.name == "graph.conv")
        mt = match(pat, conv)
        assert mt is not None and (mt["b"] is not None) == has_bias
        # the template passes the absent bias on as None: the new op has no bias either
        rewrite = Pattern("conv-to-conv", pat, t.Conv(x, w, bias, group=1))
        apply_patterns_greedily(mod, [rewrite], max_iterations=1)
        (new,) = [o for o in mod.walk() if o.name == "graph.conv"]
        assert len(new.operands) == (3 if has_bias else 2) and new.group == 1
        verify(mod)
    # a required operand pattern does not match an absent operand, nor an optional one a wrong count
    mod, _ = conv_module(False)
    conv = next(o for o in mod.walk() if o.name == "graph.conv")
    assert match(m.Conv(x, w, bias), conv) is None
    assert match(m.Conv(x, optional(w), optional(bias)), conv) is not None


def test_constraint_computes_bindings_for_the_template():
    b = FuncBuilder((3,))
    (x,) = b.args
    c = b.const(np.array([1, 2, 3], np.float32), name="c")
    mod = b.ret(b.add(ew.Mul, x, c, name="mul"))

    def doubled(mt):
        arr = mt["c"].defining_op.properties["value"].array
        return {"c2": arr * 2} if arr.min() > 0 else False

    pat = Pattern(
        "mul-to-add-of-double",
        m.Mul(Var("x"), Var("c")),
        t.Add(Var("x"), t.Constant(value=Var("c2"))),
        where=doubled,
    )
    xs = [np.array([1, 1, 1], np.float32)]
    res = apply_patterns_greedily(mod, [pat])
    assert res.applied["mul-to-add-of-double"] == 1
    verify(mod)
    np.testing.assert_array_equal(interpreter.run(mod, xs)[0], [3, 5, 7])
    add = next(o for o in mod.walk() if o.name == "graph.add")
    assert add.provenance == ("mul",)
    # declining: False from the constraint means no match
    b2 = FuncBuilder((3,))
    mod2 = b2.ret(b2.add(ew.Mul, b2.args[0], b2.const(np.array([-1, 2, 3], np.float32))))
    assert not apply_patterns_greedily(mod2, [pat]).changed


def test_batchnorm_folds_into_conv_by_a_declarative_pattern():
    from ir.dialects.graph import ops_nn as nn
    from passes.graph.canonicalize import PATTERNS
    from passes.rewrite import Template

    pats = {p.name: p for p in PATTERNS}
    for name in ("fold-batchnorm-into-conv", "fold-batchnorm-into-conv-bias", "batchnorm-to-mul-add"):
        assert isinstance(pats[name].rewrite, Template), name
    rng = np.random.default_rng(0)

    def arr(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    for bias in (False, True):
        b = FuncBuilder((1, 3, 5, 5))
        (x,) = b.args
        w = b.const(arr(4, 3, 3, 3), name="w")
        conv = b.add(nn.Conv, x, w, *([b.const(arr(4))] if bias else []), pads=[1, 1, 1, 1], name="conv")
        stats = [b.const(arr(4)), b.const(arr(4)), b.const(arr(4)), b.const(np.abs(arr(4)) + 0.5)]
        mod = b.ret(b.add(nn.BatchNormalization, conv, *stats, name="bn"))
        xs = [arr(1, 3, 5, 5)]
        want = interpreter.run(mod, xs)[0]
        name = "fold-batchnorm-into-conv" + ("-bias" if bias else "")
        res = apply_patterns_greedily(mod, PATTERNS, enable=[name])
        assert res.applied[name] == 1 and count_ops(mod, "graph.batch_normalization") == 0
        verify(mod)
        (new,) = [o for o in mod.walk() if o.name == "graph.conv"]
        assert new.pads == [1, 1, 1, 1] and new.provenance == ("conv", "bn")
        assert new.operands[1].defining_op.provenance == ("w",)
        np.testing.assert_allclose(interpreter.run(mod, xs)[0], want, rtol=1e-4, atol=1e-5)
    # the Conv feeding the BatchNorm has another user: no fold
    b = FuncBuilder((1, 3, 5, 5))
    (x,) = b.args
    conv = b.add(nn.Conv, x, b.const(arr(4, 3, 1, 1)))
    stats = [b.const(arr(4)), b.const(arr(4)), b.const(arr(4)), b.const(np.abs(arr(4)) + 0.5)]
    mod = b.ret(b.add(nn.BatchNormalization, conv, *stats), conv)
    assert not apply_patterns_greedily(mod, PATTERNS, enable=["fold-batchnorm-into-conv"]).changed

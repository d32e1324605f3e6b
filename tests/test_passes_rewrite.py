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

"""Hypothesis properties of the IR core, driven by the public strategies of `ir.testing`."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ir.dialects  # noqa: F401
from ir.core import Operation
from ir.parser import parse_attribute, parse_module, parse_type
from ir.printer import print_op
from ir.testing import (
    assert_semantics_preserved,
    attributes,
    available_op_types,
    broadcastable_shapes,
    check_use_lists,
    defined_values,
    dense_elements_attrs,
    graph_cases,
    graph_functions,
    random_modules,
    types,
)
from ir.verifier import verify


@given(types())
def test_types_round_trip(t):
    assert str(parse_type(str(t))) == str(t)
    assert parse_type(str(t)) == t


@given(attributes())
def test_attributes_round_trip(a):
    text = str(a)
    assert str(parse_attribute(text)) == text


@given(dense_elements_attrs())
def test_dense_elements_round_trip_bit_exactly(a):
    b = parse_attribute(a.format_inline())
    assert b == a  # equality is on the bytes' digest


@given(broadcastable_shapes())
def test_broadcastable_shapes_broadcast(abr):
    a, b, r = abr
    assert np.broadcast_shapes(a, b) == r
    from ir.shapes import broadcast_shapes

    assert broadcast_shapes(a, b) == r


MODULES = random_modules(max_functions=2, max_ops=8)


@settings(max_examples=30)
@given(MODULES)
def test_modules_round_trip_and_verify(m):
    verify(m)
    text = print_op(m)
    m2 = parse_module(text, allow_unregistered=True)
    verify(m2)
    assert print_op(m2) == text


@settings(max_examples=30)
@given(MODULES)
def test_clone_is_equal_and_shares_no_values(m):
    c = m.clone()
    assert print_op(c) == print_op(m)
    assert not defined_values(c) & defined_values(m)
    inside = defined_values(c)
    assert all(v in inside for op in c.walk() for v in op.operands)
    check_use_lists(c)
    check_use_lists(m)


@settings(max_examples=30)
@given(MODULES, st.data())
def test_replace_all_uses_with_leaves_no_dangling_uses(m, data):
    used = [v for v in defined_values(m) if v.uses]
    if not used:
        return
    old = data.draw(st.sampled_from(used))
    new = Operation([], [old.type], name="test.replacement").result
    users = old.users
    old.replace_all_uses_with(new)
    assert not old.uses
    assert {u for u, _ in new.uses} == set(users)
    check_use_lists(m)


@settings(max_examples=30)
@given(MODULES, st.data())
def test_erase_refuses_ops_with_uses(m, data):
    ops = [o for o in m.walk() if o.parent is not None and o.results]
    if not ops:
        return
    op = data.draw(st.sampled_from(ops))
    before = print_op(m)
    if op.has_uses:
        with pytest.raises(ValueError):
            op.erase()
        assert print_op(m) == before  # nothing changed
    else:
        op.erase()
        verify(m)
    check_use_lists(m)


def test_graph_generator_covers_at_least_25_op_types():
    assert len(available_op_types()) >= 25, available_op_types()


@settings(max_examples=40)
@given(graph_cases())
def test_graph_functions_verify_round_trip_and_run(case):
    m = case.module
    verify(m)
    text = print_op(m)
    m2 = parse_module(text)
    verify(m2)
    assert print_op(m2) == text
    assert_semantics_preserved(m, m2, case.inputs)  # the parsed module computes the same thing


@settings(max_examples=15)
@given(graph_functions(ops=["Conv", "MaxPool", "AveragePool", "Relu", "Add"], max_ops=4))
def test_clone_of_graph_preserves_semantics(m):
    assert_semantics_preserved(m, m.clone())


def _wrong_rewrite(m):
    """A deliberately wrong 'optimization': relu(x) -> x (a fixture to show the harness catches it)."""
    for op in list(m.walk()):
        if op.name == "graph.relu":
            op.result.replace_all_uses_with(op.operands[0])
            op.erase()
    return m


def test_deliberately_wrong_rewrite_is_caught_with_readable_counterexample():
    @given(graph_cases(ops=["Relu", "Add", "Mul", "Conv", "Transpose"], max_ops=4))
    def prop(case):
        assert_semantics_preserved(case.module, _wrong_rewrite(case.module.clone()), case.inputs)

    with pytest.raises(AssertionError) as e:
        prop()
    msg = str(e.value)
    assert "semantics not preserved" in msg
    assert "--- before ---" in msg and '"graph.relu"' in msg and "--- after ---" in msg

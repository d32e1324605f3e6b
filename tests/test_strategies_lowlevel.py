"""Properties of the low-level strategies of `ir.testing`: random tensor generics, loop nests and pass
pipelines print/parse round trip, verify and run; every loop pass and graph pipeline keeps semantics."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

import ir.dialects  # noqa: F401
from ir.interpreter import run
from ir.parser import parse_module
from ir.printer import print_op
from ir.testing import (
    assert_semantics_preserved,
    graph_cases,
    loop_nest_cases,
    tensor_generic_cases,
)
from ir.verifier import verify
from passes import PassManager
from passes.pipeline import parse_pipeline
from passes.testing import pipelines


def _round_trip(m) -> None:
    verify(m)
    text = print_op(m)
    m2 = parse_module(text)
    verify(m2)
    assert print_op(m2) == text


@settings(max_examples=40)
@given(tensor_generic_cases())
def test_tensor_generics_round_trip_verify_and_run(case):
    _round_trip(case.module)
    outs = run(case.module, case.inputs)
    assert all(np.isfinite(o).all() for o in outs)
    assert any(op.name == "tensor.generic" for op in case.module.walk())
    assert_semantics_preserved(case.module, parse_module(print_op(case.module)), case.inputs)


@settings(max_examples=40)
@given(loop_nest_cases())
def test_loop_nests_round_trip_verify_and_write_every_element(case):
    _round_trip(case.module)
    (out,) = run(case.module, case.inputs)
    assert np.isfinite(out).all()  # fresh buffers are NaN: every element was written


@settings(max_examples=60)
@given(pipelines(level="any"))
def test_pipelines_parse_and_round_trip(text):
    p = parse_pipeline(text)
    assert str(p) == text
    assert str(parse_pipeline(str(p))) == text


@settings(max_examples=30)
@given(loop_nest_cases(), pipelines(level="loop", max_passes=3))
def test_loop_pipelines_preserve_semantics(case, text):
    after = case.module.clone()
    PassManager(text).run(after)
    verify(after)
    assert_semantics_preserved(case.module, after, case.inputs, rtol=1e-5, atol=1e-6)


@settings(max_examples=30)
@given(graph_cases(max_ops=4), pipelines(level="graph", max_passes=3))
def test_graph_pipelines_preserve_semantics(case, text):
    after = case.module.clone()
    PassManager(text).run(after)
    verify(after)
    assert_semantics_preserved(case.module, after, case.inputs, rtol=1e-4, atol=1e-5)

"""Property tests on random well-typed graphs: every pass keeps the verifier passing and the interpreter's
results within tolerance; canonicalize and dce are idempotent."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ir import interpreter
from ir.dialects.graph import ops_core as g
from ir.dialects.graph import ops_elementwise as ew
from ir.dialects.graph import ops_nn as nn
from ir.dialects.graph import ops_shape as sh
from ir.inputs import random_inputs
from ir.printer import print_op
from ir.verifier import verify
from passes import PassManager
from passes.instrumentation import compare_outputs
from tests._passes_util import FuncBuilder

UNARY = [g.Relu, ew.Tanh, ew.Identity, nn.Dropout, ew.Neg, ew.Sigmoid]
BINARY = [g.Add, ew.Mul, ew.Sub]


@st.composite
def graphs(draw):
    """A random DAG over (2, 3) f32 tensors: elementwise ops, transpose pairs, reshapes, sums, constants."""
    b = FuncBuilder((2, 3), (2, 3))
    vals = list(b.args)
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["unary", "binary", "const", "transpose2", "reshape2", "sum"]))
        pick = lambda: vals[draw(st.integers(0, len(vals) - 1))]  # noqa: E731
        if kind == "unary":
            vals.append(b.add(draw(st.sampled_from(UNARY)), pick()))
        elif kind == "binary":
            vals.append(b.add(draw(st.sampled_from(BINARY)), pick(), pick()))
        elif kind == "const":
            seed = draw(st.integers(0, 100))
            vals.append(b.const(np.random.default_rng(seed).standard_normal((2, 3)).astype(np.float32)))
        elif kind == "transpose2":
            t = b.add(sh.Transpose, pick(), perm=[1, 0])
            vals.append(b.add(sh.Transpose, t, perm=[1, 0]))
        elif kind == "reshape2":
            r = b.add(sh.Reshape, pick(), b.const(np.array([3, 2])))
            vals.append(b.add(sh.Reshape, r, b.const(np.array([2, 3]))))
        else:
            vals.append(b.add(ew.Sum, [pick(), pick()]))
    outs = [vals[-1]] + ([vals[draw(st.integers(0, len(vals) - 1))]] if draw(st.booleans()) else [])
    return b.ret(*outs)


PASSES = ["canonicalize", "cse", "dce", "fold-constants", "fuse", "-O2"]


@settings(max_examples=25, deadline=None)
@given(graphs(), st.sampled_from(PASSES))
def test_every_pass_keeps_verifier_and_semantics(mod, pass_name):
    inputs = random_inputs(mod.main, seed=0)
    want = interpreter.run(mod, inputs)
    PassManager(f"builtin.module({pass_name})").run(mod)
    verify(mod)
    ok, detail = compare_outputs(want, interpreter.run(mod, inputs), "f32")
    assert ok, detail


@pytest.mark.parametrize("pass_name", ["canonicalize", "dce", "cse"])
@settings(max_examples=20, deadline=None)
@given(mod=graphs())
def test_cleanups_are_idempotent(mod, pass_name):
    PassManager(f"builtin.module({pass_name})").run(mod)
    once = print_op(mod)
    assert not PassManager(f"builtin.module({pass_name})").run(mod).changed
    assert print_op(mod) == once

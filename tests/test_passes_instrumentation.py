"""Instrumentation: verify, IR printing and dumps, timing, statistics, crash reproducer (and replay),
check-semantics naming the drifting pass, and --rewrite-limit bisection to the single bad rewrite."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pytest

from ir.dialects.graph import ops_core as g
from ir.dialects.graph import ops_elementwise as ew
from ir.printer import print_op
from passes import (
    CheckSemantics,
    CrashReproducer,
    Pass,
    PassManager,
    PrintIR,
    SemanticsDrift,
    Statistics,
    Timing,
    register_pass,
)
from passes.bisect import bisect_rewrites
from passes.instrumentation import PassVerifyError, read_repro_header
from passes.rewrite import apply_patterns_greedily, parse_pattern
from tests._passes_util import FuncBuilder

BAD = parse_pattern("Relu(x) -> x", name="test-wrong-relu-removal")  # deliberately wrong


@register_pass
@dataclass(frozen=True)
class _BadRelu(Pass):
    name = "test-bad-relu"
    summary = "test fixture: a wrong pattern that drops Relu"

    def run(self, op, ctx):
        return apply_patterns_greedily(op, [BAD], ctx).changed


@register_pass
@dataclass(frozen=True)
class _Crash(Pass):
    name = "test-crash"
    summary = "test fixture: raises"

    def run(self, op, ctx):
        raise RuntimeError("boom")


@register_pass
@dataclass(frozen=True)
class _Corrupt(Pass):
    name = "test-corrupt"
    summary = "test fixture: breaks the IR"

    def run(self, op, ctx):
        ret = op.main.body.ops[-1]
        ret.detach()
        return True


def model():
    """identity chains (3 safe rewrites) around one relu (the wrong rewrite's only target)."""
    b = FuncBuilder((8,))
    (x,) = b.args
    v = b.add(ew.Identity, x)
    v = b.add(ew.Identity, v)
    v = b.add(g.Relu, v, name="the_relu")
    v = b.add(ew.Identity, v)
    return b.ret(b.add(g.Add, v, v))


PIPE = "builtin.module(canonicalize, cse, test-bad-relu, dce)"


def test_check_semantics_names_the_wrong_pass():
    check = CheckSemantics(seed=1)
    with pytest.raises(SemanticsDrift) as e:
        PassManager(PIPE, [check]).run(model())
    assert e.value.pass_name == "test-bad-relu"
    assert "pass 'test-bad-relu' (#3)" in str(e.value)
    assert check.checked == ["canonicalize", "cse", "test-bad-relu"]


def test_check_semantics_quiet_on_correct_pipeline():
    check = CheckSemantics()
    PassManager("builtin.module(-O2)", [check]).run(model())
    assert check.drift is None and len(check.checked) == 6


def test_rewrite_limit_bisection_finds_the_single_rewrite():
    def is_bad(m):
        return any(o.name == "graph.relu" for o in m.walk()) is False

    n, what = bisect_rewrites(model, PIPE, is_bad)
    assert n == 4  # three identities first, then the wrong one
    assert "test-wrong-relu-removal" in what and "the_relu" in what


def test_crash_reproducer_writes_a_replayable_file(tmp_path):
    path = tmp_path / "repro.mlir"
    pipe = "builtin.module(canonicalize, test-crash)"
    mod = model()
    original = print_op(mod)
    with pytest.raises(RuntimeError):
        PassManager(pipe, [CrashReproducer(path)]).run(mod)
    text = path.read_text()
    assert read_repro_header(text) == (pipe, None)
    assert original in text
    from ziggurat.cli import main

    # replaying the file runs the recorded pipeline: it crashes again in the same pass
    again = tmp_path / "again.mlir"
    assert main(["opt", str(path), "--crash-reproducer", str(again)]) == 2
    assert read_repro_header(again.read_text())[0] == pipe


def test_verify_after_each_pass_names_the_pass():
    with pytest.raises(PassVerifyError, match="after pass 'test-corrupt'"):
        PassManager("builtin.module(test-corrupt)").run(model())
    PassManager("builtin.module(test-corrupt)", verify=False).run(model())


def test_print_ir_after_change_and_dump_dir(tmp_path):
    out = io.StringIO()
    PassManager("builtin.module(cse, canonicalize, dce)", [PrintIR(after_change=True, stream=out)]).run(
        model()
    )
    text = out.getvalue()
    assert "IR Dump After canonicalize (#2)" in text and "After cse" not in text
    PassManager("builtin.module(canonicalize, dce)", [PrintIR(after_all=True, dump_dir=tmp_path)]).run(
        model()
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["000_input.mlir", "001_after_canonicalize.mlir", "002_after_dce.mlir"]
    out = io.StringIO()
    PassManager("builtin.module(canonicalize, dce)", [PrintIR(before=("dce",), stream=out)]).run(model())
    assert out.getvalue().count("IR Dump") == 1


def test_timing_and_statistics_reports():
    timing, stats = Timing(), Statistics()
    PassManager("builtin.module(canonicalize, dce)", [timing, stats]).run(model())
    assert "canonicalize" in timing.report() and "dce" in timing.report()
    rep = stats.report()
    assert "pattern remove-identity" in rep and "(     3) pattern remove-identity" in rep


def test_semantics_tolerance_is_dtype_aware():
    from passes.instrumentation import compare_outputs

    ref = [np.array([1000.0, 1.0], np.float32)]
    assert compare_outputs(ref, [ref[0] + np.float32(0.005)], "f32")[0]  # atol scales with |max| 1000
    assert not compare_outputs(ref, [ref[0] + np.float32(0.5)], "f32")[0]
    assert compare_outputs(ref, [ref[0] + np.float32(0.5)], "f16")[0]

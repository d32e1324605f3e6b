"""mixed-precision: measured sensitivity, boundary casts (inserted and cancelled), recorded attributes,
forced options, bf16, the report, and the ResNet-50 criterion (most convs f16 within 1e-2)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import ir.dialects  # noqa: F401
from ir import interpreter
from ir.core import lookup_op
from ir.dialects.graph import ops_core as g
from ir.dialects.graph import ops_elementwise as ew
from ir.dialects.graph import ops_nn as nn
from ir.errors import UserError
from ir.inputs import random_inputs
from ir.types import bf16, f16, f32
from ir.verifier import verify
from passes import PassManager, parse_pipeline
from passes.graph.mixed_precision import (
    PRECISION_ATTR,
    REASON_ATTR,
    MixedPrecision,
    precision_report,
    rel_error,
)
from tests._passes_util import FuncBuilder


def conv_softmax_module():
    rng = np.random.default_rng(1)
    b = FuncBuilder((1, 3, 8, 8))
    w = b.const((rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(np.float32), name="w")
    bias = b.const(rng.standard_normal(4).astype(np.float32), name="b")
    c = b.add(nn.Conv, b.args[0], w, bias, pads=[1, 1, 1, 1], name="conv")
    r = b.add(g.Relu, c, name="relu")
    f = b.add(nn.Flatten, r, name="flat")
    s = b.add(nn.Softmax, f, name="softmax")
    return b.ret(s)


def ops_by_name(module, name):
    return [o for o in module.main.regions[0].block.ops if o.name == name]


def precision_of(module, name):
    return [o.attributes[PRECISION_ATTR].value for o in ops_by_name(module, name)]


def run_both(before, after, seed=5):
    x = random_inputs(before.main, seed)
    return interpreter.run(before, x), interpreter.run(after, x)


def test_f16_assignment_types_and_results():
    ref, m = conv_softmax_module(), conv_softmax_module()
    PassManager("builtin.module(mixed-precision)").run(m)
    verify(m)
    conv = ops_by_name(m, "graph.conv")[0]
    assert conv.attributes[PRECISION_ATTR].value == "f16"
    assert "measured error" in conv.attributes[REASON_ATTR].value
    assert conv.result.type.element_type == f16  # rebuilt with inferred f16 result types
    assert all(v.type.element_type == f16 for v in conv.operands)
    assert precision_of(m, "graph.relu") == ["f16"] and precision_of(m, "graph.flatten") == ["f16"]
    soft = ops_by_name(m, "graph.softmax")[0]
    assert soft.attributes[PRECISION_ATTR].value == "f32"
    assert "sensitive op (softmax)" in soft.attributes[REASON_ATTR].value
    assert soft.result.type.element_type == f32
    (a,), (b,) = run_both(ref, m)
    assert b.dtype == np.float32 and rel_error(b, a) < 1e-2


def test_constants_converted_at_compile_time_and_casts_only_at_boundaries():
    m = conv_softmax_module()
    PassManager("builtin.module(mixed-precision)").run(m)
    casts = ops_by_name(m, "graph.cast")
    # one cast down of the function input, one cast up before softmax; weights are f16 constants
    assert sorted(c.to for c in casts) == [1, 10]
    assert all(
        not c.operands[0].defining_op or c.operands[0].defining_op.name != "graph.constant" for c in casts
    )
    consts = ops_by_name(m, "graph.constant")
    assert consts and all(c.result.type.element_type == f16 for c in consts)
    assert m.main.args[0].type.element_type == f32
    assert m.main.return_op.operands[0].type.element_type == f32


def test_tight_tolerance_keeps_everything_f32():
    m = conv_softmax_module()
    PassManager("builtin.module(mixed-precision{tolerance=1e-9})").run(m)
    assert not ops_by_name(m, "graph.cast")
    assert precision_of(m, "graph.conv") == ["f32"]
    assert "> tolerance 1e-09" in ops_by_name(m, "graph.conv")[0].attributes[REASON_ATTR].value


def test_forced_options_and_bf16():
    ref, m = conv_softmax_module(), conv_softmax_module()
    PassManager(
        "builtin.module(mixed-precision{policy=bf16 tolerance=5e-2 force-f32=relu force-low=flat})"
    ).run(m)
    verify(m)
    assert precision_of(m, "graph.conv") == ["bf16"]
    assert precision_of(m, "graph.relu") == ["f32"]
    assert ops_by_name(m, "graph.relu")[0].attributes[REASON_ATTR].value == "forced f32 (force-f32=relu)"
    assert precision_of(m, "graph.flatten") == ["bf16"]  # forced, though its input is f32
    flat = ops_by_name(m, "graph.flatten")[0]
    assert flat.attributes[REASON_ATTR].value.startswith("forced bf16 (force-low=flat)")
    assert flat.result.type.element_type == bf16
    assert precision_of(m, "graph.softmax") == ["f32"]
    (a,), (b,) = run_both(ref, m)
    assert b.dtype == np.float32 and rel_error(b, a) < 5e-2


def test_force_by_onnx_node_name():
    m = conv_softmax_module()
    PassManager("builtin.module(mixed-precision{force-f32=conv})").run(m)
    assert precision_of(m, "graph.conv") == ["f32"]
    m = conv_softmax_module()
    PassManager([MixedPrecision(force_f32=("flat",))]).run(m)
    assert precision_of(m, "graph.flatten") == ["f32"] and precision_of(m, "graph.conv") == ["f16"]


def test_redundant_cast_pair_cancelled():
    b = FuncBuilder((8,), dtype=f16)
    up = b.add(ew.Cast, b.args[0], to=1, name="up")
    r = b.add(g.Relu, up, name="relu")
    m = b.ret(r)
    PassManager("builtin.module(mixed-precision)").run(m)
    verify(m)
    relu = ops_by_name(m, "graph.relu")[0]
    assert relu.operands[0] is m.main.regions[0].block.args[0]  # f16 -> f32 -> f16 cancelled
    assert [c.to for c in ops_by_name(m, "graph.cast")] == [1]


def test_sensitive_ops_stay_f32_unless_forced():
    b = FuncBuilder((2, 16))
    e = b.add(ew.Exp, b.args[0], name="exp")
    s = b.add(lookup_op("graph.reduce_sum"), e, name="sum")
    m = b.ret(s)
    PassManager("builtin.module(mixed-precision)").run(m)
    reasons = [
        o.attributes[REASON_ATTR].value for o in m.main.regions[0].block.ops if REASON_ATTR in o.attributes
    ]
    assert reasons and all(r.startswith("sensitive op") for r in reasons)
    assert not ops_by_name(m, "graph.cast")


def test_fused_ops_are_lowered_with_their_region():
    ref = conv_softmax_module()
    m = conv_softmax_module()
    PassManager("builtin.module(fuse, mixed-precision)").run(m)
    verify(m)
    fused = ops_by_name(m, "graph.fused")
    assert fused and fused[0].attributes[PRECISION_ATTR].value == "f16"
    inner = fused[0].regions[0].block
    assert all(a.type.element_type == f16 for a in inner.args)
    assert all(r.type.element_type == f16 for o in inner.ops for r in o.results)
    (a,), (b,) = run_both(ref, m)
    assert rel_error(b, a) < 1e-2


def test_end_to_end_check_reverts_ops_when_errors_accumulate():
    rng = np.random.default_rng(0)
    b = FuncBuilder((4, 32))
    v = b.args[0]
    for i in range(24):
        w = b.const((rng.standard_normal((32, 32)) / np.sqrt(32)).astype(np.float32), name=f"w{i}")
        v = b.add(nn.MatMul, v, w, name=f"mm{i}")
    m = b.ret(v)
    p = MixedPrecision(tolerance=2e-3)
    decisions, err = p.plan(m.main)
    low = [d for d in decisions if d is not None and d.precision == "f16"]
    reverted = [d for d in decisions if d is not None and d.reason.startswith("reverted to f32")]
    assert err <= 2e-3
    assert low and reverted  # each matmul alone is within tolerance, all together are not


def test_report_lists_every_op():
    m = conv_softmax_module()
    PassManager("builtin.module(mixed-precision)").run(m)
    text = precision_report(m)
    for name in ("conv", "relu", "flatten", "softmax"):
        assert name in text
    assert "total: 3 f16, 1 f32; convolutions in low precision: 1 of 1" in text
    assert "end-to-end error" in text


def test_pipeline_options_round_trip_and_errors():
    text = "builtin.module(mixed-precision{policy=bf16 tolerance=0.05 calibration=2 force-f32=conv,softmax})"
    pl = parse_pipeline(text)
    assert parse_pipeline(str(pl)) == pl
    (p,) = pl.passes()
    assert p.force_f32 == ("conv", "softmax") and p.calibration == 2 and p.tolerance == 0.05
    with pytest.raises(UserError, match="policy must be f16 or bf16"):
        parse_pipeline("builtin.module(mixed-precision{policy=f8})")


def test_cli_precision_report(tmp_path, capsys):
    from ir.printer import print_op
    from ziggurat.cli import main

    src = tmp_path / "m.mlir"
    src.write_text(print_op(conv_softmax_module()))
    rc = main(["opt", str(src), "--pipeline", "builtin.module(mixed-precision)", "--precision-report"])
    out = capsys.readouterr()
    assert rc in (0, None)
    assert "mixed-precision report for @main" in out.err and "zg.precision" in out.out


def _resnet50():
    import onnx

    from ir.onnx_import import import_onnx_model
    from tests.light_models import model_path, randomized_copy

    model, pre = randomized_copy(onnx.load(str(model_path("resnet50"))))
    names = [o.name for o in model.graph.output]
    return import_onnx_model(model), names.index(pre)


@pytest.mark.slow
def test_resnet50_most_convs_f16_within_tolerance():
    base, logits = _resnet50()
    PassManager("builtin.module(-O2)").run(base)
    m, _ = _resnet50()
    t0 = time.perf_counter()
    PassManager("builtin.module(-O2, mixed-precision{tolerance=1e-2})").run(m)
    seconds = time.perf_counter() - t0
    verify(m)
    tops = [o for o in m.main.regions[0].block.ops if PRECISION_ATTR in o.attributes]
    convs = [(o, sum(1 for x in o.walk() if x.name == "graph.conv")) for o in tops]
    total = sum(n for _, n in convs)
    low = sum(n for o, n in convs if o.attributes[PRECISION_ATTR].value == "f16")
    assert total == 53 and low > total / 2, (low, total)
    errs = []
    for seed in (100, 101, 102):  # fresh inputs, not the calibration ones
        a, b = run_both(base, m, seed)
        errs.append(rel_error(b[logits], a[logits]))
    report = precision_report(m)
    assert report.count("\n") > len(tops)
    print(f"\nresnet50: {low}/{total} convs f16; max logits rel error {max(errs):.2e}; pass {seconds:.1f}s")
    assert max(errs) <= 1e-2

"""One build pipeline: compile-O0/O1/O2{target=...} from graph IR to loop IR, printed by
`compile --print-pipeline`, replayed by `opt`, cut into levels by `show --level`; prepack-weights and
plan-memory are passes; codegen's launch plan reads the memory plan from the IR."""

from __future__ import annotations

import onnx
import pytest
from onnx import helper

from ir.dialects.loop_kernels import MicroKernelOp
from ir.onnx_import import import_onnx_model
from ir.printer import PrintOptions, print_op
from passes import Instrumentation, PassManager, PipelineError, parse_pipeline, print_pipeline
from passes.named_pipelines import (
    LEVEL_STARTS,
    LEVELS,
    OPT_LEVELS,
    compile_pipeline,
    compile_pipeline_text,
    pass_levels,
)
from tests.onnx_builders import _G, F
from ziggurat.cli import main

ELIDE = PrintOptions(elide_constants=True)


def conv_relu_gemm() -> onnx.ModelProto:
    """Conv + bias -> Relu -> Flatten -> Gemm (transB): a conv and a gemm micro-kernel at -O2."""
    g = _G(3)
    w, b = g.weight("conv.weight", (8, 3, 3, 3)), g.param("conv.bias", (8,))
    x = g.op("/conv", "Conv", ["x", w, b], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    x = g.op("/relu", "Relu", [x])
    x = g.op("/flat", "Flatten", [x], axis=1)
    fw, fb = g.weight("fc.weight", (10, 8 * 6 * 6)), g.param("fc.bias", (10,))
    y = g.op("/fc", "Gemm", [x, fw, fb], transB=1)
    return g.model(
        [helper.make_tensor_value_info("x", F, [2, 3, 6, 6])],
        [helper.make_tensor_value_info(y, F, [2, 10])],
        17,
    )


@pytest.fixture
def model_file(tmp_path):
    p = tmp_path / "small.onnx"
    onnx.save(conv_relu_gemm(), p)
    return p


def _cli(capsys, *argv) -> str:
    assert main([str(a) for a in argv]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


# ----------------------------------------------------------------------------- the pipeline text


@pytest.mark.parametrize("opt", OPT_LEVELS)
def test_printed_pipeline_parses_and_round_trips(opt, model_file, capsys):
    text = _cli(capsys, "compile", model_file, opt, "--print-pipeline").strip()
    assert text == compile_pipeline_text(opt)
    p = parse_pipeline(text)
    assert print_pipeline(p, all_options=True) == text
    assert print_pipeline(p) == text  # every option was given, so every option prints back
    assert parse_pipeline(f"builtin.module(compile{opt}{{target=cpu}})").passes() == p.passes()
    names = [x.name for x in p.passes()]
    assert names[-1] == "plan-memory" and ("prepack-weights" in names) == (opt == "-O2")
    assert "plan-memory{target=cpu alignment=64}" in text  # defaults are printed too


def test_named_pipeline_options_are_forwarded_and_checked():
    p = parse_pipeline("builtin.module(cse, compile-O2{target=cpu})")
    targets = {x.name: x.target for x in p.passes() if hasattr(x, "target")}
    assert targets == {
        "lower-tensor-to-loops": "cpu",
        "vectorize": "cpu",
        "materialize-layouts": "cpu",
        "prepack-weights": "cpu",
        "plan-memory": "cpu",
    }
    assert "prepack-weights{target=cpu}, plan-memory{target=cpu}" in str(p)
    with pytest.raises(PipelineError, match="has no option 'tagret' \\(options: target\\)"):
        parse_pipeline("compile-O2{tagret=cpu}")
    with pytest.raises(PipelineError, match="does not support target 'tpu'"):
        parse_pipeline("compile-O1{target=tpu}")
    with pytest.raises(PipelineError, match="named pipeline 'O2' has no option 'target'"):
        parse_pipeline("O2{target=cpu}")


def test_levels_are_prefixes_cut_at_named_passes():
    for opt in OPT_LEVELS:
        full = [p.name for p in compile_pipeline(opt).passes()]
        for level in LEVELS:
            part = [p.name for p in compile_pipeline(opt, level=level).passes()]
            assert part == full[: len(part)]
            nxt = LEVELS[LEVELS.index(level) + 1] if level != "loop" else None
            if nxt:
                assert full[len(part)] == LEVEL_STARTS[nxt]
        levels = pass_levels(compile_pipeline(opt))
        assert levels == sorted(levels, key=LEVELS.index) and levels[-1] == "loop"


def test_opt_levels_differ_as_documented():
    names = {o: [p.name for p in compile_pipeline(o).passes()] for o in OPT_LEVELS}
    text = {o: compile_pipeline_text(o) for o in OPT_LEVELS}
    assert "lower-graph-to-tensor" == names["-O0"][0]  # -O0: no graph passes, no fusion, no vectors
    assert not {"fuse", "fuse-tensor", "vectorize", "prepack-weights"} & set(names["-O0"])
    assert {"canonicalize", "cse", "dce", "fuse-tensor", "vectorize"} <= set(names["-O1"])
    assert not {"fold-constants", "fuse", "prepack-weights"} & set(names["-O1"])
    assert "lower-tensor-to-loops{ukernels=false" in text["-O1"]  # -O1: generated loops only
    assert {"fold-constants", "fuse", "prepack-weights"} <= set(names["-O2"])
    assert "lower-tensor-to-loops{ukernels=true" in text["-O2"]

    ir = {}
    for o in OPT_LEVELS:
        m = import_onnx_model(conv_relu_gemm())
        PassManager(compile_pipeline(o)).run(m)
        ir[o] = m
    uks = {o: [x for x in m.walk() if isinstance(x, MicroKernelOp)] for o, m in ir.items()}
    kernels = {o: [k for k in m.body.ops if k.name == "loop.kernel"] for o, m in ir.items()}
    assert not uks["-O0"] and not uks["-O1"]
    assert len(uks["-O2"]) == 2 and all(u.packed for u in uks["-O2"])
    assert len(kernels["-O1"]) < len(kernels["-O0"])  # fusion
    assert "vector<" not in print_op(ir["-O0"], ELIDE)


# ----------------------------------------------------------------------------- one path through the CLI


class _Capture(Instrumentation):
    """Keeps the module's text when the build's pipeline finishes: the IR codegen is given."""

    def run_finished(self, module, ctx) -> None:
        self.text = print_op(module, ELIDE)


@pytest.mark.parametrize("opt", ["-O2", "-O1"])
def test_opt_with_printed_pipeline_is_the_build(opt, model_file, tmp_path, capsys):
    from ziggurat.driver import compile_module

    text = _cli(capsys, "compile", model_file, opt, "--print-pipeline").strip()
    replayed = _cli(capsys, "opt", model_file, "--pipeline", text, "--elide-constants")
    cap = _Capture()
    engine, _ = compile_module(
        import_onnx_model(conv_relu_gemm()), opt=opt, cache_dir=tmp_path, instrumentations=[cap]
    )
    assert replayed == cap.text
    assert "zg.arena_bytes" in replayed and "zg.offset" in replayed
    assert replayed == _cli(capsys, "show", model_file, "--level", "loop", opt, "--elide-constants")
    assert replayed == _cli(capsys, "opt", model_file, opt, "--level", "loop", "--elide-constants")
    assert _cli(capsys, "opt", model_file, opt, "--level", "loop", "--print-pipeline").strip() == text
    assert engine.plan.arena_bytes == int(replayed.split("zg.arena_bytes = ")[1].split(" ")[0])


def test_show_levels_run_prefixes(model_file, capsys):
    for level in ("graph", "tensor"):
        shown = _cli(capsys, "show", model_file, "--level", level, "-O2", "--elide-constants")
        m = import_onnx_model(conv_relu_gemm())
        PassManager(compile_pipeline("-O2", level=level)).run(m)
        assert shown == print_op(m, ELIDE)
    assert _cli(capsys, "show", model_file, "--level", "loop", "--elide-constants") == _cli(
        capsys, "show", model_file, "--level", "loop", "-O2", "--elide-constants"
    )  # below the graph level, show defaults to the build's default level


def test_prepack_and_plan_memory_are_passes(model_file, tmp_path, capsys):
    text = compile_pipeline_text("-O2")
    assert (
        main(["opt", str(model_file), "--pipeline", text, "--statistics", "--print-ir-after", "plan-memory"])
        == 0
    )
    err = capsys.readouterr().err
    assert "'prepack-weights': ran 1x, changed IR 1x" in err
    assert "loop.conv2d kernels prepacked" in err and "loop.gemm kernels prepacked" in err
    assert "'plan-memory': ran 1x, changed IR 1x" in err and "arena bytes" in err
    assert "IR Dump After plan-memory (#" in err and "IR Dump After prepack-weights" not in err
    # the build runs under the same instrumentation
    out = tmp_path / "s.engine"
    argv = ["compile", str(model_file), "-o", str(out), "--statistics", "--check-semantics", "--no-cache"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "'plan-memory': ran 1x" in err
    n = len(compile_pipeline("-O2").passes())
    assert f"check-semantics: results unchanged after {n} passes" in err  # down to the loop level


def test_codegen_plan_needs_plan_memory():
    from codegen.plan import build_plan
    from ir.errors import UserError

    m = import_onnx_model(conv_relu_gemm())
    pl = compile_pipeline("-O2")
    PassManager(print_pipeline(pl).replace(", plan-memory{target=cpu}", "")).run(m)
    with pytest.raises(UserError, match="run the plan-memory pass"):
        build_plan(m)


def test_plan_from_attributes_equals_planning_the_launches():
    """The plan codegen builds from plan-memory's attributes equals planning its launch list directly
    (what the plan builder did before planning became a pass), on one light model."""
    from codegen.plan import build_plan
    from passes.bufferize.memory_plan import Lifetime, plan_memory
    from tests.light_models import model_path

    m = import_onnx_model(onnx.load(model_path("squeezenet")))
    PassManager(compile_pipeline("-O2")).run(m)
    plan, _, stats = build_plan(m)
    uses: dict[str, list[int]] = {}
    for step, launch in enumerate(plan.launches):
        for a in launch.args:
            uses.setdefault(plan.buffers[a].alias_of or a, []).append(step)
    lifetimes = [
        Lifetime(n, b.nbytes, min(uses.get(n, [0])), max(uses.get(n, [0])))
        for n, b in plan.buffers.items()
        if b.kind == "activation" and not b.alias_of
    ]
    mp = plan_memory(lifetimes)
    assert len(lifetimes) > 10
    assert {n: plan.buffers[n].offset for n in mp.offsets} == mp.offsets
    assert plan.arena_bytes == mp.arena_bytes == stats["arena_bytes"]
    assert stats["unplanned_bytes"] == mp.naive_bytes
    for b in plan.buffers.values():
        if b.alias_of and plan.buffers[b.alias_of].kind == "activation":
            assert b.offset == plan.buffers[b.alias_of].offset

"""Named pipelines, and the one place the optimization levels are defined.

A build at -ON is the named pipeline `compile-ON{target=...}`: graph IR -> loop IR, ending with weight
prepacking and memory planning, so one PassManager runs every step (codegen and packaging follow).
The driver, `ziggurat show --level`, `opt` and `run` all take their pipelines from here:

- -O0: no graph optimization; graph -> tensor without tensor fusion; plain loop nests with the
  outermost loops parallel; memory planning. (A baseline: every op is its own kernel.)
- -O1: graph cleanups (canonicalize, cse, dce, no constant folding or graph fusion); tensor-level
  fusion; loop nests (no micro-kernels, so no weight prepacking) vectorized to the target's vector width, outer loops
  parallel; memory planning. The honest middle: fused generated loops, no hand-written kernels.
- -O2: graph optimizations (constant folding, BatchNorm folding, fusion); tensor-level fusion;
  matmul/conv/gemv micro-kernels with fused epilogues, vectorized loops, parallel outer loops;
  convolution layouts as explicit relayout kernels and planned buffers; constant weights prepacked into
  the micro-kernels' layouts; memory planning.

The IR levels are prefixes of a build's pipeline, cut before the first pass of the next level
(LEVEL_STARTS): `graph` ends before `lower-graph-to-tensor`, `tensor` before `bufferize`, `loop` is the
whole pipeline.
"""

from __future__ import annotations

from ir.errors import UserError
from passes.registry import register_pipeline

OPT_LEVELS = ("-O0", "-O1", "-O2")
DEFAULT_OPT = "-O2"
LEVELS = ("graph", "tensor", "loop")
LEVEL_STARTS = {"tensor": "lower-graph-to-tensor", "loop": "bufferize"}
"""The first pass of each IR level below graph: a level's pipeline is the build's up to the next one."""

# graph level
register_pipeline("O0", "builtin.module()", "no optimization")
register_pipeline("O1", "builtin.module(canonicalize, cse, dce)", "cleanups only")
register_pipeline(
    "O2",
    "builtin.module(canonicalize, fold-constants, canonicalize, cse, fuse, dce)",
    "graph optimizations: cleanups, constant folding, BatchNorm folding, fusion",
)

# tensor level
register_pipeline(
    "lower-to-tensor",
    "builtin.module(lower-graph-to-tensor, fuse-tensor, canonicalize-epilogues, cse, dce)",
    "graph -> tensor dialect, then tensor-level fusion (elementwise chains, matmul/conv epilogues)",
)

# loop level: run after lower-graph-to-tensor (and fuse-tensor); see passes/lowering/bufferize.py
register_pipeline(
    "lower-to-loops-O0",
    "builtin.module(bufferize, lower-tensor-to-loops, parallelize)",
    "tensor level -> loop level: plain loop nests, outer loops parallel",
)
register_pipeline(
    "lower-to-loops-O1",
    "builtin.module(bufferize, lower-tensor-to-loops, vectorize, parallelize)",
    "tensor level -> loop level: loop nests (no micro-kernels), vectorized, outer loops parallel",
)
register_pipeline(
    "lower-to-loops-O2",
    "builtin.module(bufferize, lower-tensor-to-loops{ukernels=true}, vectorize, parallelize)",
    "tensor level -> loop level: matmul/conv micro-kernels with fused epilogues, vectorized loops",
)

# whole builds: graph IR -> loop IR (codegen follows)
register_pipeline(
    "compile-O0",
    "builtin.module(O0, lower-graph-to-tensor, lower-to-loops-O0, plan-memory)",
    "a -O0 build, graph -> loop level: no optimization, plain loop nests, memory planning",
    options=("target",),
)
register_pipeline(
    "compile-O1",
    "builtin.module(O1, lower-to-tensor, lower-to-loops-O1, plan-memory)",
    "a -O1 build, graph -> loop level: cleanups, tensor fusion, vectorized loops (no micro-kernels)",
    options=("target",),
)
register_pipeline(
    "compile-O2",
    "builtin.module(O2, lower-to-tensor, lower-to-loops-O2, materialize-layouts, prepack-weights, plan-memory)",
    "a -O2 build, graph -> loop level: graph optimizations, micro-kernels, prepacked weights, memory plan",
    options=("target",),
)


def check_opt(opt: str) -> str:
    """`opt` if it is -O0, -O1 or -O2; else a one-line UserError."""
    if opt not in OPT_LEVELS:
        raise UserError(f"unknown optimization level '{opt}' (expected {', '.join(OPT_LEVELS)})")
    return opt


def compile_pipeline_name(opt: str = DEFAULT_OPT, target: str = "cpu") -> str:
    """The named build pipeline of `opt`, as written in a pipeline: `compile-O2{target=cpu}`."""
    return f"compile{check_opt(opt)}{{target={target}}}"


def compile_pipeline(opt: str = DEFAULT_OPT, target: str = "cpu", level: str = "loop"):
    """The (expanded) build pipeline of `opt` for `target`, cut after IR level `level` (an OpPipeline)."""
    from passes.pipeline import OpPipeline, parse_pipeline

    if level not in LEVELS:
        raise UserError(f"unknown IR level '{level}' (expected {', '.join(LEVELS)})")
    full = parse_pipeline(f"builtin.module({compile_pipeline_name(opt, target)})")
    stop = LEVELS[LEVELS.index(level) + 1] if level != LEVELS[-1] else None
    if stop is None:
        return full
    first = LEVEL_STARTS[stop]
    names = [p.name for p in full.items]
    return OpPipeline(full.anchor, full.items[: names.index(first)] if first in names else full.items)


def compile_pipeline_text(opt: str = DEFAULT_OPT, target: str = "cpu", level: str = "loop") -> str:
    """`compile_pipeline` as text with every option of every pass (what `--print-pipeline` prints)."""
    from passes.pipeline import print_pipeline

    return print_pipeline(compile_pipeline(opt, target, level), all_options=True)


def pass_levels(pipeline) -> list[str]:
    """The IR level each pass of a build pipeline (an OpPipeline, flattened) runs at."""
    level, out = LEVELS[0], []
    for p in pipeline.passes():
        for lv, first in LEVEL_STARTS.items():
            if p.name == first and LEVELS.index(lv) > LEVELS.index(level):
                level = lv
        out.append(level)
    return out

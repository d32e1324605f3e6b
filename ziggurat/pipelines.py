"""The CLI's view of the build pipelines (defined once, in passes/named_pipelines.py): the graph-level
-O pipeline for `opt`/`run`, and `lower_for_show` for `ziggurat show --level/-O` (a prefix of the build)."""

from __future__ import annotations

from passes.named_pipelines import DEFAULT_OPT, LEVELS, compile_pipeline


def pipeline_for(opt: str | None, level: str = "graph", target: str = "cpu"):
    """The pipeline (an OpPipeline) a build at `opt` runs up to IR level `level`; empty for no `opt`."""
    from passes.pipeline import OpPipeline

    if opt is None:
        return OpPipeline("builtin.module", [])
    return compile_pipeline(opt, target, level)


def lower_for_show(module, level: str = "graph", opt: str | None = None):
    """Runs the build pipeline of `opt` (default -O2 below the graph level; none at the graph level
    without `opt`) up to `level` (graph, tensor, loop); returns the module."""
    from ir.errors import UserError
    from passes import PassManager

    if level not in LEVELS:
        raise UserError(f"--level {level} is not available (available: {', '.join(LEVELS)})")
    if opt is None and level != "graph":
        opt = DEFAULT_OPT
    PassManager(pipeline_for(opt, level)).run(module)
    return module


def optimize(module, opt: str | None):
    """Runs the graph-level part of the -O0/-O1/-O2 build pipeline on `module` (`ziggurat run -O2`)."""
    from passes import PassManager

    PassManager(pipeline_for(opt, "graph")).run(module)
    return module

"""Passes: the pass manager, pipelines, instrumentation, the rewrite engine and the passes themselves.

from passes import PassManager
PassManager("builtin.module(canonicalize, fold-constants, fuse, dce)").run(module)
"""

from passes.instrumentation import (
    CheckSemantics,
    CrashReproducer,
    Instrumentation,
    PrintIR,
    SemanticsDrift,
    Statistics,
    Timing,
    VerifyAfterPass,
)
from passes.manager import PassManager, RunResult, run_pipeline
from passes.pass_base import Pass, PassContext, PassError, RewriteBudget
from passes.pipeline import OpPipeline, PipelineError, parse_pipeline, print_pipeline
from passes.registry import (
    all_passes,
    all_pattern_sets,
    all_pipelines,
    lookup_pass,
    register_pass,
    register_patterns,
    register_pipeline,
)

__all__ = [
    "CheckSemantics",
    "CrashReproducer",
    "Instrumentation",
    "PrintIR",
    "SemanticsDrift",
    "Statistics",
    "Timing",
    "VerifyAfterPass",
    "PassManager",
    "RunResult",
    "run_pipeline",
    "Pass",
    "PassContext",
    "PassError",
    "RewriteBudget",
    "OpPipeline",
    "PipelineError",
    "parse_pipeline",
    "print_pipeline",
    "all_pattern_sets",
    "all_passes",
    "all_pipelines",
    "lookup_pass",
    "register_pass",
    "register_patterns",
    "register_pipeline",
]

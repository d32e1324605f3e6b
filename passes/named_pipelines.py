"""The graph-level named pipelines (-O0, -O1, -O2); they expand in place inside other pipelines."""

from passes.registry import register_pipeline

register_pipeline("O0", "builtin.module()", "no optimization")
register_pipeline("O1", "builtin.module(canonicalize, cse, dce)", "cleanups only")
register_pipeline(
    "O2",
    "builtin.module(canonicalize, fold-constants, canonicalize, cse, fuse, dce)",
    "graph optimizations: cleanups, constant folding, BatchNorm folding, fusion",
)

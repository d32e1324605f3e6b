"""The graph-level named pipelines (-O0, -O1, -O2); they expand in place inside other pipelines."""

from passes.registry import register_pipeline

register_pipeline("O0", "builtin.module()", "no optimization")
register_pipeline("O1", "builtin.module(canonicalize, cse, dce)", "cleanups only")
register_pipeline(
    "O2",
    "builtin.module(canonicalize, fold-constants, canonicalize, cse, fuse, dce)",
    "graph optimizations: cleanups, constant folding, BatchNorm folding, fusion",
)

# loop level (issue 5): run after lower-graph-to-tensor (and fuse-tensor); see passes/lowering/bufferize.py
register_pipeline(
    "lower-to-loops-O0",
    "builtin.module(bufferize, lower-tensor-to-loops, parallelize)",
    "tensor level -> loop level: plain loop nests, outer loops parallel",
)
register_pipeline(
    "lower-to-loops-O2",
    "builtin.module(bufferize, lower-tensor-to-loops{ukernels=true}, vectorize{width=8}, parallelize)",
    "tensor level -> loop level: matmul/conv micro-kernels with fused epilogues, vectorized loops",
)
register_pipeline(
    "lower-to-tensor",
    "builtin.module(lower-graph-to-tensor, fuse-tensor, cse, dce)",
    "graph -> tensor dialect, then tensor-level fusion (elementwise chains, matmul/conv epilogues)",
)

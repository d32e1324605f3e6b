"""Importing `ir.dialects` registers every dialect's ops."""

from ir.dialects import arith, builtin, graph, loop, loop_kernels, math, tensor  # noqa: F401

"""Shape-specialized CPU microkernels (packed SGEMM, GEMV, NCHW8c direct convolution) in LLVM IR.

Every generator bakes the shapes in as constants and takes a frozen schedule dataclass (the tuner's
search space). Each kernel exports a ``*_range(..., start, end)`` function over its outer blocked
dimension so a thread pool can split work, and optionally a ``*_parallel(..., nthreads)`` function
that calls ``GOMP_parallel`` from the generated code.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import llvmlite.ir as ir
import numpy as np

from codegen.llvm_intrinsics import I8, I32, I64, declare_intrinsic, i64, select_min

__all__ = [
    "OPENMP_LIBRARY",
    "ceil_div",
    "emit_gomp_parallel",
    "float_ptr_arg",
    "round_up",
    "split_range",
]

OPENMP_LIBRARY = "libgomp.so.1"
"""The shared library that defines ``GOMP_parallel``; load it before loading parallel kernels."""


def ceil_div(a: int, b: int) -> int:
    """``ceil(a / b)`` for non-negative integers."""
    return -(-a // b)


def round_up(a: int, b: int) -> int:
    """``a`` rounded up to a multiple of ``b``."""
    return ceil_div(a, b) * b


def split_range(total: int, parts: int, align: int = 1) -> list[tuple[int, int]]:
    """Split ``range(total)`` into ``parts`` contiguous chunks whose starts are multiples of ``align``."""
    units = ceil_div(total, align)
    out = []
    for t in range(parts):
        lo = units * t // parts * align
        hi = min(units * (t + 1) // parts * align, total)
        out.append((min(lo, total), hi))
    return out


def float_ptr_arg(array: np.ndarray | None, name: str = "array") -> ctypes.c_void_p:
    """The address of a C-contiguous float32 numpy array (or NULL for None), checked."""
    if array is None:
        return ctypes.c_void_p(0)
    if array.dtype != np.float32 or not array.flags.c_contiguous:
        raise TypeError(f"{name} must be a C-contiguous float32 array")
    return ctypes.c_void_p(array.ctypes.data)


def emit_gomp_parallel(
    module: ir.Module,
    name: str,
    range_fn: ir.Function,
    n_ptr_args: int,
    total: int,
    align: int,
) -> ir.Function:
    """Emit ``name(ptrs..., i32 nthreads)``: GOMP_parallel over ``range_fn(ptrs..., start, end)``.

    ``range_fn`` takes ``n_ptr_args`` pointers then an ``i64`` [start, end) range of ``total`` units;
    each OpenMP thread takes a contiguous chunk whose start is a multiple of ``align`` (one register
    or cache block), so no two threads write the same output tile.
    """
    i8p = I8.as_pointer()
    ptr_types = [a.type for a in range_fn.args[:n_ptr_args]]
    gomp = declare_intrinsic(
        module,
        "GOMP_parallel",
        ir.VoidType(),
        [ir.FunctionType(ir.VoidType(), [i8p]).as_pointer(), i8p, I32, I32],
    )
    tid_fn = declare_intrinsic(module, "omp_get_thread_num", I32, [])
    nt_fn = declare_intrinsic(module, "omp_get_num_threads", I32, [])

    body = ir.Function(module, ir.FunctionType(ir.VoidType(), [i8p]), f"{name}.omp_body")
    body.linkage = "internal"
    b = ir.IRBuilder(body.append_basic_block("entry"))
    data = b.bitcast(body.args[0], i8p.as_pointer())
    ptrs = [b.bitcast(b.load(b.gep(data, [i64(k)])), ptr_types[k]) for k in range(n_ptr_args)]
    tid = b.sext(b.call(tid_fn, []), I64)
    nt = b.sext(b.call(nt_fn, []), I64)
    units = i64(ceil_div(total, align))
    lo = b.mul(b.sdiv(b.mul(units, tid), nt), i64(align))
    hi = b.mul(b.sdiv(b.mul(units, b.add(tid, i64(1))), nt), i64(align))
    lo = select_min(b, lo, i64(total))
    hi = select_min(b, hi, i64(total))
    with b.if_then(b.icmp_signed("<", lo, hi)):
        b.call(range_fn, [*ptrs, lo, hi])
    b.ret_void()

    wrapper = ir.Function(module, ir.FunctionType(ir.VoidType(), [*ptr_types, I32]), name)
    b = ir.IRBuilder(wrapper.append_basic_block("entry"))
    arr = b.alloca(i8p, size=i64(max(n_ptr_args, 1)), name="args")
    for k in range(n_ptr_args):
        b.store(b.bitcast(wrapper.args[k], i8p), b.gep(arr, [i64(k)]))
    b.call(gomp, [body, b.bitcast(arr, i8p), wrapper.args[n_ptr_args], ir.Constant(I32, 0)])
    b.ret_void()
    return wrapper


def ptr_argtypes(count: int) -> Sequence[type]:
    """ctypes argument types for ``count`` pointer arguments."""
    return [ctypes.c_void_p] * count

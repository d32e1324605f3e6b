"""Shape-specialized CPU microkernels (packed SGEMM, GEMV, NCHW8c direct convolution) in LLVM IR.

Every generator bakes the shapes in as constants and takes a frozen schedule dataclass (the tuner's
search space). Each kernel exports a ``*_range(..., start, end)`` function over its outer blocked
dimension so a thread pool can split work, and optionally a ``*_parallel(..., nthreads)`` function
that calls ``GOMP_parallel`` from the generated code.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import llvmlite.ir as ir
import numpy as np

from codegen.llvm_intrinsics import I8, I32, I64, declare_intrinsic, i64, select_min
from codegen.llvm_intrinsics import relu as relu_
from ir.dialects.loop_layouts import ALIGN_BYTES, aligned_copy, aligned_empty, ceil_div, round_up

__all__ = [
    "ALIGN_BYTES",
    "Epilogue",
    "OPENMP_LIBRARY",
    "aligned_copy",
    "aligned_empty",
    "ceil_div",
    "emit_gomp_parallel",
    "emit_kernel_abi",
    "float_ptr_arg",
    "round_up",
    "split_range",
]

EpilogueEmitter = Callable[[ir.IRBuilder, ir.Value, list[ir.Value]], ir.Value]


@dataclass(frozen=True)
class Epilogue:
    """What a micro-kernel stores for each finished accumulator: ``emit(builder, acc, extras)``.

    ``acc`` and each extra are scalars or vectors of f32 (the generators call it on whole register
    vectors and on the scalar lanes of partial tiles). ``kinds[i]`` says how extra ``i`` is read:
    ``"channel"`` one value per output column / channel, ``"full"`` one per output element, laid out
    like the output. ``key`` names the formula (symbol names and equality; two epilogues with the same
    key emit the same code). ``emit`` None is the identity.
    """

    kinds: tuple[str, ...] = ()
    emit: EpilogueEmitter | None = field(default=None, compare=False, hash=False, repr=False)
    key: str = "identity"
    names: tuple[str, ...] = ()

    @property
    def arg_names(self) -> tuple[str, ...]:
        """ABI names of the extra buffers (``names``, else extra0, extra1...)."""
        return self.names or tuple(f"extra{i}" for i in range(len(self.kinds)))

    def apply(self, b: ir.IRBuilder, acc: ir.Value, extras: Sequence[ir.Value]) -> ir.Value:
        return acc if self.emit is None else self.emit(b, acc, list(extras))

    @property
    def identity(self) -> bool:
        return self.emit is None

    @staticmethod
    def standard(bias: bool = False, residual: bool = False, relu: bool = False) -> Epilogue:
        """act(acc + bias + residual) with act = identity or ReLU: extras (bias, residual) as present."""
        if not (bias or residual or relu):
            return Epilogue()
        kinds = ("channel",) * bias + ("full",) * residual

        def emit(b: ir.IRBuilder, acc: ir.Value, extras: list[ir.Value]) -> ir.Value:
            for x in extras:
                acc = b.fadd(acc, x)
            return relu_(b, acc) if relu else acc

        key = "+".join(["acc", *("bias" for _ in range(bias)), *("residual" for _ in range(residual))])
        names = ("bias",) * bias + ("residual",) * residual
        return Epilogue(kinds, emit, f"relu({key})" if relu else key, names)


OPENMP_LIBRARY = "libgomp.so.1"
"""The shared library that defines ``GOMP_parallel``; load it before loading parallel kernels."""


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


def emit_kernel_abi(
    module: ir.Module,
    name: str,
    range_fn: ir.Function,
    slots: Sequence[bool],
    range_total: int | None = None,
) -> ir.Function:
    """Emit ``void name(void **args, i64 start, i64 end)``, the runtime's one kernel ABI.

    ``slots`` has one flag per leading pointer parameter of ``range_fn``: True takes the next entry of
    ``args``, False passes NULL (an absent bias or residual). With ``range_total`` set, ``range_fn``
    has no range parameters of its own and runs whole (start/end are ignored: a serial kernel).
    """
    i8p = I8.as_pointer()
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [i8p.as_pointer(), I64, I64]), name)
    args, start, end = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    ptrs, k = [], 0
    for slot, param in zip(slots, range_fn.args, strict=False):
        if slot:
            ptrs.append(b.bitcast(b.load(b.gep(args, [i64(k)])), param.type))
            k += 1
        else:
            ptrs.append(ir.Constant(param.type, None))
    b.call(range_fn, ptrs if range_total is not None else [*ptrs, start, end])
    b.ret_void()
    return fn


def ptr_argtypes(count: int) -> Sequence[type]:
    """ctypes argument types for ``count`` pointer arguments."""
    return [ctypes.c_void_p] * count

"""GPU-mapped loop kernels -> NVPTX LLVM IR -> PTX, and their emulation on the host CPU.

The same lowering as ``codegen.emit_llvm`` with these differences: a kernel is a PTX ``.entry``
(marked in ``!nvvm.annotations``) taking one pointer per memref argument and scalars by value; a
``loop.parallel`` dimension mapped to ``block.{x,y,z}`` / ``thread.{x,y,z}`` reads its id from
``llvm.nvvm.read.ptx.sreg.*`` (iv = lower + id * step, guarded by iv < upper) and sets the launch
grid/block size; ``loop.barrier`` is ``llvm.nvvm.barrier0``; ``loop.alloc`` with memory_space
"shared" is an ``addrspace(3)`` global. ``emulate_on_cpu`` compiles the same kernels for the host
with every mapped dimension turned into a loop (split at barriers), so GPU lowering is testable
without a GPU.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import llvmlite.ir as ir

from codegen.compile import CompiledKernels, compile_kernels, kernels_of
from codegen.emit_llvm import I32, I64, KernelEmitter, _const, _declare, _fold_index, intrinsic, llvm_type
from codegen.host_target import HostTarget, ObjectCache
from codegen.nvptx_target import NvptxTarget, emit_ptx, mark_kernel, new_nvptx_module
from ir.core import Operation
from ir.errors import UnsupportedError
from ir.types import MemRefType

__all__ = ["GpuKernel", "NvptxEmitter", "PtxModule", "emit_nvptx_module", "emulate_on_cpu", "gpu_kernels"]

NVPTX_INTRINSICS = frozenset(
    {"sqrt", "fabs", "floor", "ceil", "trunc", "round", "roundeven", "exp2", "fma", "maxnum", "minnum",
     "maximum", "minimum", "copysign"}
)  # fmt: skip
"""LLVM intrinsics the NVPTX backend lowers without a library (measured with LLVM 22 here)."""

GPU_DIMS = ("block.x", "block.y", "block.z", "thread.x", "thread.y", "thread.z")


@dataclass
class GpuKernel:
    """A PTX entry and its launch shape (from the constant trip counts of its mapped loops)."""

    name: str
    grid: tuple[int, int, int] = (1, 1, 1)
    block: tuple[int, int, int] = (1, 1, 1)
    shared_bytes: int = 0
    params: list[str] = field(default_factory=list)


@dataclass
class PtxModule:
    """PTX text for a set of kernels, with the LLVM IR it came from."""

    ptx: str
    kernels: list[GpuKernel]
    llvm_ir: str
    arch: str


def _is_gpu_kernel(k: Operation) -> bool:
    if k.properties.get("target") is not None and k.target == "gpu":
        return True
    return any(o.name == "loop.parallel" and any(m in GPU_DIMS for m in (o.mapping or ())) for o in k.walk())


def gpu_kernels(module: Operation, names: Iterable[str] | None = None) -> list[Operation]:
    """The kernels to compile for the GPU: those named, else those with target "gpu" or a GPU mapping."""
    ks = kernels_of(module, names)
    return ks if names is not None else [k for k in ks if _is_gpu_kernel(k)]


class NvptxEmitter(KernelEmitter):
    """Emits one loop.kernel as an NVPTX kernel entry."""

    gpu = True

    def __init__(self, module: ir.Module, kernel: Operation, name: str | None = None) -> None:
        super().__init__(module, kernel, name)
        self.info = GpuKernel(self.name)
        self._grid = [1, 1, 1]
        self._block = [1, 1, 1]

    def emit(self) -> ir.Function:
        types = [llvm_type(a.type) for a in self.kernel.body.args]
        self.fn = ir.Function(self.module, ir.FunctionType(ir.VoidType(), types), self.name)
        self._open_entry()
        for a, p in zip(self.kernel.body.args, self.fn.args, strict=True):
            if isinstance(a.type, MemRefType):
                p.add_attribute("noalias")
            self.env[a] = p
            self.info.params.append(str(a.type))
        self._emit_body()
        mark_kernel(self.module, self.fn)
        self.info.grid = tuple(self._grid)
        self.info.block = tuple(self._block)
        return self.fn

    def emit_parallel(self, op: Operation) -> None:
        n = len(op.lower)
        mapping = list(op.mapping or [""] * n)
        block = op.regions[0].block
        ivs: list[ir.Value | None] = [None] * n
        guards = []
        for d, m in enumerate(mapping):
            if m not in GPU_DIMS:
                continue
            lo, hi, st = (_fold_index(v[d]) for v in (op.lower, op.upper, op.step))
            if None in (lo, hi, st):
                raise UnsupportedError(f"codegen: GPU-mapped loop {m} in @{self.name} needs constant bounds")
            kind, axis = m.split(".")
            trips = max(0, math.ceil((hi - lo) / st))
            sizes = self._grid if kind == "block" else self._block
            sizes["xyz".index(axis)] = max(sizes["xyz".index(axis)], trips)
            reg = {"block": "ctaid", "thread": "tid"}[kind]
            fn = _declare(self.module, f"llvm.nvvm.read.ptx.sreg.{reg}.{axis}", I32, [])
            idx = self.b.zext(self.b.call(fn, []), I64)
            iv = self.b.add(ir.Constant(I64, lo), self.b.mul(idx, ir.Constant(I64, st)))
            ivs[d] = iv
            guards.append(self.b.icmp_signed("<", iv, ir.Constant(I64, hi)))
        free = [d for d in range(n) if ivs[d] is None]
        cond = None
        for g in guards:
            cond = g if cond is None else self.b.and_(cond, g)

        def nest(k: int) -> None:
            if k == len(free):
                self._emit_parallel_body(block, list(ivs), None)
                return
            d = free[k]

            def inner(iv, _c):
                ivs[d] = iv
                nest(k + 1)
                return []

            self.counted_loop(
                self.env[op.lower[d]], self.env[op.upper[d]], self.env[op.step[d]], [], inner, name=f"p{d}"
            )

        if cond is None:
            nest(0)
        else:
            with self.b.if_then(cond):
                nest(0)

    def barrier(self, op: Operation) -> None:
        fn = _declare(self.module, "llvm.nvvm.barrier0", ir.VoidType(), [])
        self.b.call(fn, [])

    def alloc(self, op: Operation) -> ir.Value:
        t: MemRefType = op.result.type
        if op.memory_space == "shared":
            elem = llvm_type(t.element_type)
            count = math.prod(t.shape)
            g = ir.GlobalVariable(self.module, ir.ArrayType(elem, count), self.unique(f"{self.name}.smem"), 3)
            g.linkage = "internal"
            g.initializer = ir.Constant(ir.ArrayType(elem, count), ir.Undefined)
            g.align = 16
            self.info.shared_bytes += count * _bytes(elem)
            p = self.b.gep(g, [ir.Constant(I64, 0), ir.Constant(I64, 0)])
            return self.b.addrspacecast(p, elem.as_pointer())
        if math.prod(t.shape) * _bytes(llvm_type(t.element_type)) > 4096:
            raise UnsupportedError(f"codegen: per-thread buffer {t} is too big for a GPU kernel")
        return super().alloc(op)

    def call_intrinsic(self, base: str, *args: ir.Value) -> ir.Value:
        """Intrinsics NVPTX selects; exp goes through exp2 (LLVM's NVPTX backend has no fexp/flog/fsin
        lowering and aborts the process on them, so anything else is refused here first)."""
        if base == "exp":
            x = args[0]
            return intrinsic(self, "exp2", self.b.fmul(x, _const(x.type, 1.4426950408889634)))
        if base not in NVPTX_INTRINSICS:
            raise UnsupportedError(f"codegen: llvm.{base} has no NVPTX lowering")
        return intrinsic(self, base, *args)

    def libm(self, name: str, args: list[ir.Value]) -> ir.Value:
        """libm has no device version here: tanh is built from llvm.exp, the rest is refused."""
        if name == "tanh":
            x = args[0]
            e2x = self.call_intrinsic("exp", self.b.fmul(x, _const(x.type, 2.0)))
            return self.b.fsub(
                _const(x.type, 1.0), self.b.fdiv(_const(x.type, 2.0), self.b.fadd(e2x, _const(x.type, 1.0)))
            )
        raise UnsupportedError(f"codegen: math.{name} has no NVPTX lowering (no libdevice)")


def _bytes(t: ir.Type) -> int:
    return {"float": 4, "double": 8, "half": 2, "bfloat": 2}.get(str(t), getattr(t, "width", 8) // 8)


def emit_nvptx_module(
    module: Operation,
    names: Iterable[str] | None = None,
    target: NvptxTarget | None = None,
    optimize: bool = True,
) -> PtxModule:
    """PTX for the module's GPU kernels (see ``gpu_kernels``) with their launch shapes."""
    target = target or NvptxTarget()
    llmod = new_nvptx_module()
    infos = []
    for k in gpu_kernels(module, names):
        em = NvptxEmitter(llmod, k)
        em.emit()
        infos.append(em.info)
    text = str(llmod)
    return PtxModule(emit_ptx(text, target, optimize=optimize), infos, text, target.arch)


def emulate_on_cpu(
    module: Operation,
    names: Iterable[str] | None = None,
    cache: ObjectCache | None = None,
    target: HostTarget | None = None,
) -> CompiledKernels:
    """Host object code for GPU kernels: block/thread dims become loops, parallel loops split at barriers.

    Each kernel keeps the runtime ABI ``k(void **args, start, end)``; call it once with (0, 1).
    """
    ks = [kernel.sym_name for kernel in gpu_kernels(module, names)]
    return compile_kernels(module, ks, cache=cache, target=target)

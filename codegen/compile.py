"""Compile a loop-level module's kernels: one LLVM module -> host object code (O3, cached on disk).

``compile_kernels(module)`` emits every ``loop.kernel`` with the runtime kernel ABI into one LLVM
module, then optimizes and emits object code through ``codegen.host_target`` (cached by the LLVM IR
hash, the host target and the toolchain versions). The result carries the object bytes and kernel
symbols; ``runtime.cpu_device.ObjectLibrary(result.object_code)`` loads them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import llvmlite.ir as lir

from codegen.emit_llvm import KernelEmitter, kernel_symbol
from codegen.host_target import HostTarget, ObjectCache, compile_to_object, host_target
from ir.core import Operation
from runtime.cpu_device import ObjectLibrary
from runtime.object_file import SIGNATURE_SUFFIX

__all__ = ["CompiledKernels", "Progress", "compile_kernels", "emit_llvm_module", "kernels_of", "load_kernels"]

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): stage "emit" (per kernel, with its symbol in done order) then "compile"."""


@dataclass
class CompiledKernels:
    """Host object code for a module's kernels, and what was measured while making it."""

    object_code: bytes
    symbols: list[str]
    llvm_ir: str
    cache_key: str
    cache_hit: bool
    emit_seconds: float
    compile_seconds: float
    libraries: tuple[str, ...] = field(default=())

    def load(self) -> ObjectLibrary:
        """The object code loaded into its own engine (runtime's loader)."""
        return ObjectLibrary(self.object_code, self.libraries)


def kernels_of(module: Operation, names: Iterable[str] | None = None) -> list[Operation]:
    """The module's loop.kernel ops (optionally only those named), in module order."""
    ks = [op for op in module.regions[0].block.ops if op.name == "loop.kernel"]
    if names is not None:
        wanted = set(names)
        ks = [k for k in ks if kernel_symbol(k) in wanted]
    return ks


def emit_llvm_module(
    module: Operation,
    names: Iterable[str] | None = None,
    progress: Progress | None = None,
    emitter: type[KernelEmitter] = KernelEmitter,
) -> tuple[lir.Module, list[str]]:
    """One ``llvmlite.ir`` module holding every (named) kernel of ``module``, and their symbols."""
    ks = kernels_of(module, names)
    llmod = lir.Module(name="ziggurat.kernels")
    symbols = []
    for i, k in enumerate(ks):
        symbols.append(emitter(llmod, k).emit().name)
        if progress is not None:
            progress("emit", i + 1, len(ks))
    return llmod, symbols


def add_signatures(llmod: lir.Module, kernels: Iterable[Operation]) -> None:
    """Puts each kernel's signature (``codegen.plan.kernel_signature``) beside it in the object code as
    the constant ``<symbol>.zg_signature`` (JSON), so the engine loader checks a plan against the code."""
    from codegen.plan import kernel_signature

    for k in kernels:
        data = json.dumps(kernel_signature(k), sort_keys=True).encode()
        ty = lir.ArrayType(lir.IntType(8), len(data))
        g = lir.GlobalVariable(llmod, ty, kernel_symbol(k) + SIGNATURE_SUFFIX)
        g.global_constant = True
        g.initializer = lir.Constant(ty, bytearray(data))


def compile_kernels(
    module: Operation,
    names: Iterable[str] | None = None,
    cache: ObjectCache | None = None,
    target: HostTarget | None = None,
    progress: Progress | None = None,
) -> CompiledKernels:
    """Emit the module's kernels into one LLVM module and compile it to host object code (O3, cached).

    ``cache`` defaults to no cache; pass ``ObjectCache()`` for the on-disk one (~/.cache/ziggurat).
    """
    target = target or host_target()
    t0 = time.perf_counter()
    llmod, symbols = emit_llvm_module(module, names, progress)
    add_signatures(llmod, kernels_of(module, names))
    text = str(llmod)
    t1 = time.perf_counter()
    key = ObjectCache.key(text, target)
    hits_before = _hits(cache)
    if progress is not None:
        progress("compile", 0, 1)
    obj = compile_to_object(text, cache, target)
    if progress is not None:
        progress("compile", 1, 1)
    t2 = time.perf_counter()
    return CompiledKernels(
        object_code=obj,
        symbols=symbols,
        llvm_ir=text,
        cache_key=key,
        cache_hit=_hits(cache) > hits_before,
        emit_seconds=t1 - t0,
        compile_seconds=t2 - t1,
    )


def _hits(cache: ObjectCache | None) -> int:
    return 0 if cache is None else cache.stats.memory_hits + cache.stats.disk_hits


def load_kernels(compiled: CompiledKernels) -> ObjectLibrary:
    """Load compiled kernels with the runtime's loader."""
    return compiled.load()

"""NVPTX target: LLVM IR -> PTX for a chosen ``sm_XX`` with LLVM's NVPTX backend, checked by ptxas.

Kernels are marked with ``!nvvm.annotations`` (``!{ptr @f, !"kernel", i32 1}``) and read their
thread/block ids through the ``llvm.nvvm.read.ptx.sreg.*`` intrinsics. No GPU is needed to emit or
check PTX; loading it needs cuda-python and a driver (that is the runtime's job).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import llvmlite.binding as llvm
import llvmlite.ir as lir

from codegen.host_target import initialize_llvm, optimize_module

__all__ = [
    "NVPTX_DATA_LAYOUT",
    "NVPTX_TRIPLE",
    "NvptxTarget",
    "PtxasError",
    "PtxasNotFound",
    "block_dim",
    "block_id",
    "check_with_ptxas",
    "emit_ptx",
    "find_ptxas",
    "global_thread_id",
    "grid_dim",
    "mark_kernel",
    "new_nvptx_module",
    "thread_id",
]

NVPTX_TRIPLE = "nvptx64-nvidia-cuda"
NVPTX_DATA_LAYOUT = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"

_lock = threading.Lock()


@dataclass(frozen=True)
class NvptxTarget:
    """A GPU architecture (``sm_90``) and PTX ISA feature (``+ptx80``) for LLVM's NVPTX backend."""

    arch: str = "sm_90"
    ptx_features: str = "+ptx80"
    opt_level: int = 3

    def create_target_machine(self) -> llvm.TargetMachine:
        """A TargetMachine that emits PTX text for ``arch``."""
        initialize_llvm()
        target = llvm.Target.from_triple(NVPTX_TRIPLE)
        return target.create_target_machine(cpu=self.arch, features=self.ptx_features, opt=self.opt_level)


def new_nvptx_module(name: str = "ziggurat.gpu") -> lir.Module:
    """An empty ``llvmlite.ir`` module with the NVPTX triple and data layout set."""
    module = lir.Module(name=name)
    module.triple = NVPTX_TRIPLE
    module.data_layout = NVPTX_DATA_LAYOUT
    return module


def mark_kernel(module: lir.Module, fn: lir.Function) -> None:
    """Make ``fn`` a PTX ``.entry`` (a launchable kernel) through ``!nvvm.annotations``."""
    annotations = module.add_named_metadata("nvvm.annotations")
    annotations.add(
        module.add_metadata([fn, lir.MetaDataString(module, "kernel"), lir.Constant(lir.IntType(32), 1)])
    )


def _sreg(builder: lir.IRBuilder, reg: str, dim: str) -> lir.Value:
    """Read special register ``%<reg>.<dim>`` as i32."""
    if dim not in ("x", "y", "z"):
        raise ValueError(f"dimension must be x, y or z, got {dim!r}")
    i32 = lir.IntType(32)
    name = f"llvm.nvvm.read.ptx.sreg.{reg}.{dim}"
    fn = builder.module.globals.get(name) or lir.Function(builder.module, lir.FunctionType(i32, []), name)
    return builder.call(fn, [])


def thread_id(builder: lir.IRBuilder, dim: str = "x") -> lir.Value:
    """``threadIdx.<dim>`` (i32)."""
    return _sreg(builder, "tid", dim)


def block_id(builder: lir.IRBuilder, dim: str = "x") -> lir.Value:
    """``blockIdx.<dim>`` (i32)."""
    return _sreg(builder, "ctaid", dim)


def block_dim(builder: lir.IRBuilder, dim: str = "x") -> lir.Value:
    """``blockDim.<dim>`` (i32)."""
    return _sreg(builder, "ntid", dim)


def grid_dim(builder: lir.IRBuilder, dim: str = "x") -> lir.Value:
    """``gridDim.<dim>`` (i32)."""
    return _sreg(builder, "nctaid", dim)


def global_thread_id(builder: lir.IRBuilder, dim: str = "x") -> lir.Value:
    """``blockIdx * blockDim + threadIdx`` widened to i64 (the usual flat element index)."""
    i64 = lir.IntType(64)
    bid = builder.zext(block_id(builder, dim), i64)
    bdim = builder.zext(block_dim(builder, dim), i64)
    tid = builder.zext(thread_id(builder, dim), i64)
    return builder.add(builder.mul(bid, bdim), tid)


def emit_ptx(ir_source: str | lir.Module, target: NvptxTarget | None = None, optimize: bool = True) -> str:
    """Compile LLVM IR (text or ``llvmlite.ir.Module``) to PTX text for ``target``."""
    target = target or NvptxTarget()
    text = ir_source if isinstance(ir_source, str) else str(ir_source)
    with _lock:
        tm = target.create_target_machine()
        mod = llvm.parse_assembly(text)
        mod.triple = NVPTX_TRIPLE
        mod.data_layout = str(tm.target_data)
        mod.verify()
        if optimize:
            optimize_module(mod, tm, speed_level=target.opt_level)
        return tm.emit_assembly(mod)


class PtxasNotFound(RuntimeError):
    """ptxas is not installed (on PATH or under /usr/local/cuda/bin)."""


class PtxasError(RuntimeError):
    """ptxas rejected the PTX; the message is ptxas's own output."""


def find_ptxas() -> str | None:
    """The ptxas executable: on PATH, else $CUDA_HOME/bin or /usr/local/cuda/bin; None when absent."""
    found = shutil.which("ptxas")
    if found:
        return found
    roots = [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"]
    for root in roots:
        if root and (Path(root) / "bin" / "ptxas").is_file():
            return str(Path(root) / "bin" / "ptxas")
    return None


def check_with_ptxas(ptx: str, arch: str = "sm_90", ptxas: str | None = None, timeout: float = 120.0) -> str:
    """Assemble PTX with ``ptxas -arch=<arch> -v``; return its resource report, raise PtxasError if it fails."""
    exe = ptxas or find_ptxas()
    if exe is None:
        raise PtxasNotFound("ptxas not found on PATH or in /usr/local/cuda/bin")
    with tempfile.TemporaryDirectory(prefix="ziggurat-ptxas-") as tmp:
        src = Path(tmp) / "kernel.ptx"
        src.write_text(ptx)
        out = Path(tmp) / "kernel.cubin"
        proc = subprocess.run(
            [exe, f"-arch={arch}", "-v", str(src), "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    message = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise PtxasError(f"ptxas -arch={arch} failed (exit {proc.returncode}): {message}")
    return message

"""Host CPU target: optimize LLVM IR at O3, emit object code (cached on disk), load it into MCJIT.

The split between *compiling* (IR -> object bytes) and *loading* (object bytes -> callable pointers)
is deliberate: an engine file stores object code, and the runtime loads it without running LLVM's
optimizer or code generator again.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import llvmlite
import llvmlite.binding as llvm
import llvmlite.ir as lir

from ir.target import CpuTarget
from ir.target import host as host_description
from runtime.cpu_device import (  # one loader for JIT'd code, in the runtime
    ObjectLibrary,
    initialize_llvm,
    load_library,
)
from runtime.files import write_atomically

__all__ = [
    "CompileStats",
    "HostModule",
    "HostTarget",
    "JitLibrary",
    "ObjectCache",
    "compile_to_object",
    "default_cache_dir",
    "emit_assembly",
    "host_target",
    "initialize_llvm",
    "load_library",
    "optimize_module",
    "optimized_ir",
]

_init_lock = threading.Lock()


@dataclass(frozen=True)
class HostTarget:
    """What object code for a CPU depends on: triple, CPU name, features, toolchain versions and the
    target description (``ir.target.CpuTarget``) they were read from, whose fingerprint is in the key."""

    triple: str
    cpu_name: str
    features: str
    llvmlite_version: str
    llvm_version: str
    opt_level: int = 3
    description: CpuTarget | None = None

    @staticmethod
    def for_cpu(description: CpuTarget, opt_level: int = 3) -> HostTarget:
        """Object code for the CPU ``description`` names (the host's, or a preset's to cross-compile)."""
        return HostTarget(
            triple=description.triple,
            cpu_name=description.cpu_name,
            features=description.llvm_features,
            llvmlite_version=llvmlite.__version__,
            llvm_version=".".join(str(v) for v in llvm.llvm_version_info),
            opt_level=opt_level,
            description=description,
        )

    def create_target_machine(self) -> llvm.TargetMachine:
        """A fresh TargetMachine (MCJIT takes ownership of one, so every engine needs its own)."""
        initialize_llvm()
        target = llvm.Target.from_triple(self.triple)
        return target.create_target_machine(
            cpu=self.cpu_name,
            features=self.features,
            opt=self.opt_level,
            reloc="pic",
            codemodel="jitdefault",
            jit=True,
        )

    def fingerprint(self) -> str:
        """A stable text naming everything besides the IR that changes the generated code."""
        return "\n".join(
            [
                self.triple,
                self.cpu_name,
                self.features,
                self.llvmlite_version,
                self.llvm_version,
                f"O{self.opt_level}",
                f"target {self.description.fingerprint() if self.description else '-'}",
            ]
        )


_host_lock = threading.Lock()
_host: HostTarget | None = None


def host_target() -> HostTarget:
    """The host CPU, built from its target description (``ir.target.host()``: LLVM's host CPU name and
    features; without them LLVM targets plain SSE2, 50x slower)."""
    global _host
    with _host_lock:
        if _host is None:
            initialize_llvm()
            _host = HostTarget.for_cpu(host_description())
        return _host


def default_cache_dir() -> Path:
    """Where object code is cached when no directory is given."""
    return Path.home() / ".cache" / "ziggurat" / "objects"


def optimize_module(module: llvm.ModuleRef, tm: llvm.TargetMachine, speed_level: int = 3) -> None:
    """Run LLVM's O<speed_level> pipeline (new pass manager) with loop and SLP vectorization on."""
    pto = llvm.create_pipeline_tuning_options(speed_level=speed_level)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pto.loop_unrolling = True
    pb = llvm.create_pass_builder(tm, pto)
    mpm = pb.getModulePassManager()
    mpm.run(module, pb)


def _ir_text(ir_source: str | lir.Module) -> str:
    """The LLVM IR text of a module given as text or as an ``llvmlite.ir.Module``."""
    return ir_source if isinstance(ir_source, str) else str(ir_source)


def _parse_for_target(ir_text: str, tm: llvm.TargetMachine) -> llvm.ModuleRef:
    """Parse and verify IR text, then stamp it with the target's triple and data layout."""
    mod = llvm.parse_assembly(ir_text)
    mod.triple = tm.triple
    mod.data_layout = str(tm.target_data)
    mod.verify()
    return mod


@dataclass
class CompileStats:
    """Counters that let tests check cache behaviour without timing anything."""

    compiles: int = 0
    memory_hits: int = 0
    disk_hits: int = 0
    corrupt: int = 0
    """Disk entries refused because their digest did not match (then rebuilt and overwritten)."""


@dataclass
class ObjectCache:
    """Object code on disk (and in memory) keyed by sha256 of the IR text and the host target fingerprint;
    each disk entry carries the sha256 of its bytes, checked before use."""

    directory: Path | None = None
    enabled: bool = True
    stats: CompileStats = field(default_factory=CompileStats)
    _memory: dict[str, bytes] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.directory is None:
            self.directory = default_cache_dir()
        self.directory = Path(self.directory)

    @staticmethod
    def key(ir_text: str, target: HostTarget) -> str:
        """The cache key: sha256 over the IR and everything the object code depends on."""
        h = hashlib.sha256()
        h.update(target.fingerprint().encode())
        h.update(b"\0")
        h.update(ir_text.encode())
        return h.hexdigest()

    def path(self, key: str) -> Path:
        """The file that holds the object code for ``key``."""
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.o"

    def get(self, key: str) -> bytes | None:
        """Cached object code, or None; counts memory and disk hits. A disk entry whose digest does not
        match its bytes (flipped, truncated, foreign) is a miss: it is counted in ``stats.corrupt``,
        removed, and never returned (loading it could fault)."""
        if not self.enabled:
            return None
        if key in self._memory:
            self.stats.memory_hits += 1
            return self._memory[key]
        p = self.path(key)
        try:
            raw = p.read_bytes()
        except OSError:
            return None
        data = _unseal(raw)
        if data is None:
            self.stats.corrupt += 1
            try:
                p.unlink()
            except OSError:
                pass  # put() overwrites it anyway
            return None
        self._memory[key] = data
        self.stats.disk_hits += 1
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store object code with its sha256 atomically (runtime.files.write_atomically) so readers never
        see halves and no temporary is left behind."""
        if not self.enabled:
            return
        self._memory[key] = data
        p = self.path(key)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(p, _seal(data))
        except OSError:
            return  # a read-only or full cache directory only costs recompilation


_ENTRY_MAGIC = b"ZGOBJ\x001\x00"
_DIGEST = 32


def _seal(data: bytes) -> bytes:
    """A cache entry: magic, sha256 of the object code, the object code."""
    return _ENTRY_MAGIC + hashlib.sha256(data).digest() + bytes(data)


def _unseal(raw: bytes) -> bytes | None:
    """The object code of a cache entry, or None when the entry is not intact."""
    head = len(_ENTRY_MAGIC) + _DIGEST
    if len(raw) <= head or raw[: len(_ENTRY_MAGIC)] != _ENTRY_MAGIC:
        return None
    digest, data = raw[len(_ENTRY_MAGIC) : head], raw[head:]
    return data if hashlib.sha256(data).digest() == digest else None


_compile_lock = threading.Lock()


def compile_to_object(
    ir_source: str | lir.Module,
    cache: ObjectCache | None = None,
    target: HostTarget | None = None,
) -> bytes:
    """Optimize LLVM IR at O3 and emit host object code, through ``cache`` when one is given."""
    target = target or host_target()
    text = _ir_text(ir_source)
    key = ObjectCache.key(text, target)
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    with _compile_lock:  # llvmlite shares one global LLVM context
        tm = target.create_target_machine()
        mod = _parse_for_target(text, tm)
        optimize_module(mod, tm, speed_level=target.opt_level)
        data = bytes(tm.emit_object(mod))
    if cache is not None:
        cache.stats.compiles += 1
        cache.put(key, data)
    return data


def emit_assembly(ir_source: str | lir.Module, target: HostTarget | None = None) -> str:
    """Optimized host assembly text, for ``--emit asm`` and for reading what LLVM made of a kernel."""
    target = target or host_target()
    with _compile_lock:
        tm = target.create_target_machine()
        mod = _parse_for_target(_ir_text(ir_source), tm)
        optimize_module(mod, tm, speed_level=target.opt_level)
        return tm.emit_assembly(mod)


def optimized_ir(ir_source: str | lir.Module, target: HostTarget | None = None) -> str:
    """The IR after the O3 pipeline, for inspection and tests."""
    target = target or host_target()
    with _compile_lock:
        tm = target.create_target_machine()
        mod = _parse_for_target(_ir_text(ir_source), tm)
        optimize_module(mod, tm, speed_level=target.opt_level)
        return str(mod)


class JitLibrary(ObjectLibrary):
    """Object code loaded into its own MCJIT engine (the runtime's loader), with codegen's bookkeeping.

    ``function(name, restype, *argtypes)`` gives a ctypes callable and ``kernel(name)`` one with the
    runtime kernel ABI; each holds a reference to this library, because calling a pointer into a
    freed engine crashes: the engine lives as long as the library or any of its functions.
    """

    def __init__(
        self,
        object_code: bytes | Iterable[bytes],
        target: HostTarget | None = None,
        libraries: Iterable[str] = (),
    ) -> None:
        self.target = target or host_target()
        libs = tuple(libraries)
        for lib in libs:
            load_library(lib)  # pins the library against LLVM's exit-time dlclose
        objects = [object_code] if isinstance(object_code, bytes | bytearray) else list(object_code)
        self.object_code: list[bytes] = [bytes(o) for o in objects]
        super().__init__(self.object_code, libs)


class HostModule:
    """LLVM IR for the host: compile (or fetch from cache) to object code, then load and look up symbols."""

    def __init__(
        self,
        ir_source: str | lir.Module,
        cache: ObjectCache | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        use_cache: bool = True,
        libraries: Iterable[str] = (),
        target: HostTarget | None = None,
    ) -> None:
        self.target = target or host_target()
        if cache is None and use_cache:
            cache = ObjectCache(Path(cache_dir) if cache_dir is not None else None)
        self.cache = cache
        self.ir_text = _ir_text(ir_source)
        self.libraries = tuple(libraries)
        self.cache_key = ObjectCache.key(self.ir_text, self.target)
        self.object_code = compile_to_object(self.ir_text, cache, self.target)
        self._library: JitLibrary | None = None

    @property
    def library(self) -> JitLibrary:
        """The loaded object code (loaded on first use)."""
        if self._library is None:
            self._library = JitLibrary(self.object_code, self.target, self.libraries)
        return self._library

    def function(self, name: str, restype: object, *argtypes: object) -> ctypes._CFuncPtr:
        """A ctypes callable for the symbol ``name``."""
        return self.library.function(name, restype, *argtypes)

    def address(self, name: str) -> int:
        """The address of the symbol ``name``."""
        return self.library.address(name)

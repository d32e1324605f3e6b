"""The CPU device: object code loaded into an MCJIT engine, and kernel calls through one C ABI.

This is the only place that loads machine code; codegen's JIT helpers build on it.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterable

import llvmlite.binding as llvm

_lock = threading.Lock()
_lock_compile = threading.Lock()  # MCJIT engine creation is not thread-safe
_initialized = False
_libraries: set[str] = set()

KERNEL_ABI = ctypes.CFUNCTYPE(None, ctypes.POINTER(ctypes.c_void_p), ctypes.c_int64, ctypes.c_int64)
"""void kernel(void **args, int64_t start, int64_t end)"""


def initialize_llvm() -> None:
    """Initializes LLVM's native and NVPTX targets once (`llvm.initialize()` raises in llvmlite 0.50)."""
    global _initialized
    with _lock:
        if not _initialized:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            llvm.initialize_all_targets()
            llvm.initialize_all_asmprinters()
            _initialized = True


_handles: list[ctypes.CDLL] = []


def load_library(name: str) -> None:
    """Loads a shared library into the process so JIT'd code resolves its symbols (libgomp, libm).

    A ctypes handle is also kept forever: LLVM closes its own handle at exit, and unloading libgomp while
    its worker threads still spin crashes the process."""
    with _lock:
        if name not in _libraries:
            _handles.append(ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL))
            llvm.load_library_permanently(name)
            _libraries.add(name)


_host_features: frozenset[str] | None = None


def host_cpu_features() -> frozenset[str]:
    """LLVM's names of the CPU features this host has (``avx2``, ``avx512f``, ``amx-tile``...), cached."""
    global _host_features
    if _host_features is None:
        _host_features = frozenset(k for k, v in llvm.get_host_cpu_features().items() if v)
    return _host_features


def missing_cpu_features(required) -> list[str]:
    """The features in ``required`` (LLVM names, as an engine records them) this host lacks, sorted."""
    have = host_cpu_features()
    return sorted({str(f).lstrip("+") for f in required} - have)


def host_target_machine(opt: int = 3) -> llvm.TargetMachine:
    """A new TargetMachine for this CPU, with its real name and features (else LLVM emits plain SSE2)."""
    initialize_llvm()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        opt=opt,
        reloc="pic",
        codemodel="jitdefault",
        jit=True,
    )


class ObjectLibrary:
    """Object code loaded into its own MCJIT engine; looks up symbols and makes ctypes callables.

    Callables keep a reference to the library: calling into a freed engine would crash.
    """

    def __init__(self, objects: bytes | Iterable[bytes], libraries: Iterable[str] = ()):
        for lib in libraries:
            load_library(lib)
        objs = [objects] if isinstance(objects, bytes | bytearray) else list(objects)
        with _lock_compile:
            tm = host_target_machine()
            anchor = llvm.parse_assembly("")
            anchor.triple = tm.triple
            anchor.data_layout = str(tm.target_data)
            self._engine = llvm.create_mcjit_compiler(anchor, tm)
            for data in objs:
                self._engine.add_object_file(llvm.ObjectFileRef.from_data(bytes(data)))
            self._engine.finalize_object()

    def address(self, name: str) -> int:
        addr = self._engine.get_function_address(name)
        if not addr:
            raise KeyError(f"symbol {name!r} is not in the loaded object code")
        return addr

    def function(self, name: str, restype, *argtypes):
        fn = ctypes.CFUNCTYPE(restype, *argtypes)(self.address(name))
        fn._library = self  # type: ignore[attr-defined]
        return fn

    def kernel(self, name: str):
        """A callable with the kernel ABI: f(args_array, start, end)."""
        fn = KERNEL_ABI(self.address(name))
        fn._library = self  # type: ignore[attr-defined]
        return fn

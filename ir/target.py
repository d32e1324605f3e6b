"""Target descriptions: what the hardware has, as frozen data every generator and variant space reads.

A `CpuTarget` names an ISA family, an LLVM CPU name and the LLVM feature names that are on, plus the
caches and the core count; vector width, vector registers, FMA units and the special units (AVX-512,
AVX512-BF16/FP16, VNNI, AMX) are derived from the features, so they can never disagree with them.
A `GpuTarget` describes an NVPTX architecture (``sm_80`` .. ``sm_90``) with NVIDIA's published
per-block and per-SM limits.

``host()`` reads this machine through llvmlite and the OS (cached); ``zen3()``, ``emerald_rapids()``,
``sm_80()`` .. ``sm_90()`` are synthetic presets, so tests and cost models never depend on the machine
they run on. ``fingerprint()`` is a short stable hash for cache keys and engine files; ``to_json()`` /
``target_from_json()`` round-trip the readable form.

Generators ask the description, never assume: ``t.vector_floats`` (f32 lanes per vector register),
``t.vector_registers`` (architectural vector registers), ``t.fma_units``, ``t.has("avx512f")``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ir.errors import UserError

__all__ = [
    "CpuTarget",
    "cpu_target",
    "KNOWN_SMS",
    "GpuTarget",
    "Target",
    "UnknownTargetError",
    "cpu_preset",
    "emerald_rapids",
    "gpu",
    "host",
    "parse_sm",
    "sm_80",
    "sm_86",
    "sm_89",
    "sm_90",
    "target_from_json",
    "zen3",
]

KiB = 1024
MiB = 1024 * KiB

ISA_TRIPLES = {"x86_64": "x86_64-unknown-linux-gnu", "aarch64": "aarch64-unknown-linux-gnu"}


class UnknownTargetError(UserError, ValueError):
    """A target name, preset or SM version that Ziggurat does not describe."""


def _short_hash(d: dict) -> str:
    text = json.dumps(d, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------
# CPU


@dataclass(frozen=True)
class CpuTarget:
    """A CPU: ISA family, LLVM CPU name and feature names, caches (bytes) and cores.

    ``features`` holds LLVM's names of the features that are on (``"avx2"``, ``"avx512f"``,
    ``"amx-tile"``, ...), exactly as ``llvmlite.binding.get_host_cpu_features()`` spells them;
    ``disabled_features`` those LLVM reported off (kept so a CPU name never implies a feature the
    machine lacks). ``l1d`` and ``l2`` are per core, ``l3`` is the shared last-level cache.
    """

    kind: ClassVar[str] = "cpu"

    name: str
    isa: str
    cpu_name: str
    features: frozenset[str]
    disabled_features: frozenset[str] = frozenset()
    l1d: int = 32 * KiB
    l2: int = 512 * KiB
    l3: int = 8 * MiB
    cores: int = 1
    triple: str = ""

    def __post_init__(self) -> None:
        if self.isa not in ISA_TRIPLES:
            raise UnknownTargetError(f"unknown ISA family '{self.isa}' (known: {', '.join(ISA_TRIPLES)})")
        object.__setattr__(self, "features", frozenset(self.features))
        object.__setattr__(self, "disabled_features", frozenset(self.disabled_features) - self.features)
        if not self.triple:
            object.__setattr__(self, "triple", ISA_TRIPLES[self.isa])

    # -- features and derived properties

    def has(self, *features: str) -> bool:
        """Whether every named LLVM feature is on."""
        return all(f in self.features for f in features)

    @property
    def vector_bits(self) -> int:
        """Widest vector register in bits: 512 with avx512f, 256 with avx2 (or avx), 128 otherwise."""
        if self.isa == "x86_64":
            if self.has("avx512f"):
                return 512
            if self.has("avx2") or self.has("avx"):
                return 256
        return 128

    @property
    def vector_floats(self) -> int:
        """f32 lanes per vector register (16, 8 or 4)."""
        return self.vector_bits // 32

    def vector_lanes(self, element_bits: int) -> int:
        """Lanes of an ``element_bits``-wide element per vector register."""
        return self.vector_bits // element_bits

    @property
    def vector_registers(self) -> int:
        """Architectural vector registers: 32 with AVX-512 (zmm0-31) or on aarch64, else 16 (x86-64)."""
        if self.isa == "aarch64" or self.has("avx512f"):
            return 32
        return 16

    @property
    def fma_units(self) -> int:
        """A model of vector FMA pipes per core: 2 for x86 cores with FMA and for aarch64, else 1."""
        if self.isa == "aarch64" or self.has("fma"):
            return 2
        return 1

    @property
    def has_fma(self) -> bool:
        return self.isa == "aarch64" or self.has("fma")

    @property
    def avx512(self) -> bool:
        return self.has("avx512f")

    @property
    def avx512_bf16(self) -> bool:
        return self.has("avx512bf16")

    @property
    def avx512_fp16(self) -> bool:
        return self.has("avx512fp16")

    @property
    def vnni(self) -> bool:
        """int8 dot products: AVX512-VNNI or AVX-VNNI."""
        return self.has("avx512vnni") or self.has("avxvnni")

    @property
    def amx_tile(self) -> bool:
        return self.has("amx-tile")

    @property
    def amx_bf16(self) -> bool:
        return self.has("amx-tile", "amx-bf16")

    @property
    def amx_int8(self) -> bool:
        return self.has("amx-tile", "amx-int8")

    @property
    def special_units(self) -> tuple[str, ...]:
        """The special units present, by name (``avx512``, ``avx512_bf16``, ``vnni``, ``amx_bf16`` ...)."""
        names = ("avx512", "avx512_bf16", "avx512_fp16", "vnni", "amx_tile", "amx_bf16", "amx_int8")
        return tuple(n for n in names if getattr(self, n))

    @property
    def peak_flops_per_cycle(self) -> int:
        """f32 FLOPs per cycle per core under the model: lanes x 2 (an FMA) x FMA units."""
        return self.vector_floats * 2 * self.fma_units

    # -- LLVM

    @property
    def llvm_features(self) -> str:
        """The feature string for ``Target.create_target_machine(features=...)``: ``+a,+b,...,-c``."""
        on = [f"+{f}" for f in sorted(self.features)]
        off = [f"-{f}" for f in sorted(self.disabled_features)]
        return ",".join(on + off)

    def create_target_machine(self, opt: int = 3, jit: bool = True):
        """A fresh LLVM TargetMachine for this CPU (MCJIT takes ownership of one: make one per engine)."""
        import llvmlite.binding as llvm

        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_triple(self.triple)
        return target.create_target_machine(
            cpu=self.cpu_name,
            features=self.llvm_features,
            opt=opt,
            reloc="pic",
            codemodel="jitdefault",
            jit=jit,
        )

    # -- identity

    def identity(self) -> dict:
        """Everything that defines the target (what the fingerprint hashes)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "isa": self.isa,
            "triple": self.triple,
            "cpu_name": self.cpu_name,
            "features": sorted(self.features),
            "disabled_features": sorted(self.disabled_features),
            "l1d": self.l1d,
            "l2": self.l2,
            "l3": self.l3,
            "cores": self.cores,
        }

    def fingerprint(self) -> str:
        """A short stable hash (16 hex digits) of the description, for cache keys and engine files."""
        return _short_hash(self.identity())

    def key(self) -> str:
        """A readable, unique name: ``cpu-znver4-<fingerprint>``."""
        return f"cpu-{self.cpu_name}-{self.fingerprint()}"

    def to_json(self) -> dict:
        """The description as JSON-able data, with the derived values added for readers."""
        d = self.identity()
        d["derived"] = {
            "vector_bits": self.vector_bits,
            "vector_floats": self.vector_floats,
            "vector_registers": self.vector_registers,
            "fma_units": self.fma_units,
            "special_units": list(self.special_units),
        }
        d["fingerprint"] = self.fingerprint()
        d["key"] = self.key()
        return d

    @staticmethod
    def from_json(d: dict) -> CpuTarget:
        return CpuTarget(
            name=d["name"],
            isa=d["isa"],
            cpu_name=d["cpu_name"],
            features=frozenset(d["features"]),
            disabled_features=frozenset(d.get("disabled_features", ())),
            l1d=int(d["l1d"]),
            l2=int(d["l2"]),
            l3=int(d["l3"]),
            cores=int(d["cores"]),
            triple=d.get("triple", ""),
        )


# --------------------------------------------------------------------------------------------------
# GPU (NVPTX)


@dataclass(frozen=True)
class GpuTarget:
    """An NVIDIA GPU architecture for LLVM's NVPTX backend, with the published per-block/per-SM limits.

    ``shared_memory_per_block`` is the static limit (48 KiB); ``shared_memory_per_block_optin`` what a
    kernel gets after opting in with ``cudaFuncAttributeMaxDynamicSharedMemorySize``.
    """

    kind: ClassVar[str] = "cuda"

    sm: int
    name: str = ""
    ptx_version: int = 80
    warp_size: int = 32
    max_threads_per_block: int = 1024
    max_threads_per_sm: int = 2048
    max_blocks_per_sm: int = 32
    shared_memory_per_block: int = 48 * KiB
    shared_memory_per_block_optin: int = 48 * KiB
    shared_memory_per_sm: int = 64 * KiB
    registers_per_sm: int = 64 * 1024
    registers_per_block: int = 64 * 1024
    registers_per_thread: int = 255
    tensor_core_generation: int = 0
    tensor_core_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"sm_{self.sm}")
        object.__setattr__(self, "tensor_core_types", tuple(self.tensor_core_types))

    @property
    def arch(self) -> str:
        """``sm_90``: the CPU name LLVM's NVPTX backend and ptxas take."""
        return f"sm_{self.sm}"

    @property
    def cpu_name(self) -> str:
        return self.arch

    @property
    def llvm_features(self) -> str:
        """``+ptx80``: the PTX ISA version to emit."""
        return f"+ptx{self.ptx_version}"

    @property
    def tensor_cores(self) -> bool:
        return self.tensor_core_generation > 0

    @property
    def max_warps_per_sm(self) -> int:
        return self.max_threads_per_sm // self.warp_size

    def identity(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "sm": self.sm,
            "ptx_version": self.ptx_version,
            "warp_size": self.warp_size,
            "max_threads_per_block": self.max_threads_per_block,
            "max_threads_per_sm": self.max_threads_per_sm,
            "max_blocks_per_sm": self.max_blocks_per_sm,
            "shared_memory_per_block": self.shared_memory_per_block,
            "shared_memory_per_block_optin": self.shared_memory_per_block_optin,
            "shared_memory_per_sm": self.shared_memory_per_sm,
            "registers_per_sm": self.registers_per_sm,
            "registers_per_block": self.registers_per_block,
            "registers_per_thread": self.registers_per_thread,
            "tensor_core_generation": self.tensor_core_generation,
            "tensor_core_types": list(self.tensor_core_types),
        }

    def fingerprint(self) -> str:
        return _short_hash(self.identity())

    def key(self) -> str:
        return f"cuda-{self.arch}-{self.fingerprint()}"

    def to_json(self) -> dict:
        d = self.identity()
        d["fingerprint"] = self.fingerprint()
        d["key"] = self.key()
        return d

    @staticmethod
    def from_json(d: dict) -> GpuTarget:
        names = {f.name for f in dataclasses.fields(GpuTarget)}
        kwargs = {k: v for k, v in d.items() if k in names}  # derived entries (fingerprint, key) ignored
        kwargs["tensor_core_types"] = tuple(kwargs.get("tensor_core_types", ()))
        return GpuTarget(**kwargs)


Target = CpuTarget | GpuTarget


def target_from_json(d: dict) -> CpuTarget | GpuTarget:
    """The inverse of ``to_json()`` for either kind (derived entries: ``fingerprint``, ``key``, ``derived``
    and anything else that is not a field, such as an engine's ``opt``, are ignored)."""
    kind = d.get("kind")
    if kind == "cpu":
        return CpuTarget.from_json(d)
    if kind == "cuda":
        return GpuTarget.from_json(d)
    raise UnknownTargetError(f"unknown target kind {kind!r} (expected 'cpu' or 'cuda')")


# --------------------------------------------------------------------------------------------------
# the host


def _read_sys_caches(cpu_dir: Path = Path("/sys/devices/system/cpu/cpu0/cache")) -> dict[int, int]:
    """Data/unified cache sizes by level from sysfs (``32K``, ``1024K``, ``32M``), {} when unreadable."""
    sizes: dict[int, int] = {}
    try:
        entries = sorted(cpu_dir.glob("index*"))
    except OSError:
        return sizes
    for entry in entries:
        try:
            level = int((entry / "level").read_text().strip())
            kind = (entry / "type").read_text().strip()
            size = _parse_size((entry / "size").read_text().strip())
        except (OSError, ValueError):
            continue
        if kind in ("Data", "Unified") and size > 0:
            sizes[level] = size
    return sizes


def _parse_size(text: str) -> int:
    units = {"K": KiB, "M": MiB, "G": 1024 * MiB}
    text = text.strip().upper()
    if text and text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return int(text)


def _sysconf(name: str) -> int:
    try:
        v = os.sysconf(name)
    except (ValueError, OSError, AttributeError):
        return 0
    return int(v) if v and v > 0 else 0


def _host_caches() -> tuple[int, int, int]:
    sys_sizes = _read_sys_caches()
    l1d = sys_sizes.get(1) or _sysconf("SC_LEVEL1_DCACHE_SIZE") or 32 * KiB
    l2 = sys_sizes.get(2) or _sysconf("SC_LEVEL2_CACHE_SIZE") or 512 * KiB
    l3 = sys_sizes.get(3) or _sysconf("SC_LEVEL3_CACHE_SIZE") or 8 * MiB
    return l1d, l2, l3


def _isa_of(triple: str) -> str:
    arch = triple.split("-", 1)[0]
    if arch in ("x86_64", "amd64"):
        return "x86_64"
    if arch in ("aarch64", "arm64"):
        return "aarch64"
    return arch


@functools.cache
def host() -> CpuTarget:
    """This machine, read once: LLVM's host CPU name and features, the OS's cache sizes and core count."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    triple = llvm.get_process_triple()
    fmap = llvm.get_host_cpu_features()
    on = frozenset(k for k, v in fmap.items() if v)
    off = frozenset(k for k, v in fmap.items() if not v)
    l1d, l2, l3 = _host_caches()
    return CpuTarget(
        name="host",
        isa=_isa_of(triple),
        cpu_name=llvm.get_host_cpu_name(),
        features=on,
        disabled_features=off,
        l1d=l1d,
        l2=l2,
        l3=l3,
        cores=os.cpu_count() or 1,
        triple=triple,
    )


# --------------------------------------------------------------------------------------------------
# synthetic presets

_X86_BASE = frozenset(
    "64bit cmov cx8 cx16 fxsr mmx sahf sse sse2 sse3 ssse3 sse4.1 sse4.2 popcnt crc32 "
    "xsave xsaveopt xsavec xsaves aes pclmul movbe fsgsbase rdrnd rdseed lzcnt bmi bmi2 "
    "f16c fma avx avx2 adx prfchw clflushopt sha".split()
)


@functools.cache
def zen3() -> CpuTarget:
    """AMD Zen 3 (EPYC 7003): AVX2 + FMA, no AVX-512; 16 vector registers of 256 bits."""
    return CpuTarget(
        name="zen3",
        isa="x86_64",
        cpu_name="znver3",
        features=_X86_BASE
        | frozenset("sse4a clzero clwb invpcid pku rdpid rdpru vaes vpclmulqdq wbnoinvd".split()),
        l1d=32 * KiB,
        l2=512 * KiB,
        l3=32 * MiB,
        cores=8,
    )


_AVX512 = frozenset(
    "avx512f avx512cd avx512bw avx512dq avx512vl avx512ifma avx512vbmi avx512vbmi2 avx512bitalg "
    "avx512vpopcntdq avx512vnni avx512bf16 avx512fp16".split()
)


@functools.cache
def emerald_rapids() -> CpuTarget:
    """Intel Xeon 5th gen (Emerald Rapids): AVX-512 with BF16/FP16/VNNI, AVX-VNNI and AMX tiles."""
    return CpuTarget(
        name="emerald-rapids",
        isa="x86_64",
        cpu_name="emeraldrapids",
        features=_X86_BASE
        | _AVX512
        | frozenset(
            "avxvnni amx-tile amx-bf16 amx-int8 gfni vaes vpclmulqdq clwb invpcid pku rdpid "
            "movdiri movdir64b serialize waitpkg cldemote tsxldtrk enqcmd uintr".split()
        ),
        l1d=48 * KiB,
        l2=2 * MiB,
        l3=320 * MiB,
        cores=64,
    )


_CPU_PRESETS = {"host": host, "zen3": zen3, "emerald-rapids": emerald_rapids}


def cpu_target(name: str) -> CpuTarget:
    """The CPU a pass's `target` option names: "cpu" (or "host") is this machine, else a preset."""
    return host() if name in ("cpu", "host") else cpu_preset(name)


def cpu_preset(name: str) -> CpuTarget:
    """``host``, ``zen3`` or ``emerald-rapids`` (``emerald_rapids`` also accepted)."""
    fn = _CPU_PRESETS.get(name.replace("_", "-").lower())
    if fn is None:
        raise UnknownTargetError(f"unknown CPU preset '{name}' (known: {', '.join(_CPU_PRESETS)})")
    return fn()


# Per-SM and per-block limits from NVIDIA's CUDA C++ Programming Guide ("Technical Specifications
# per Compute Capability"); shared memory sizes in KiB as the guide gives them.
_SM_LIMITS: dict[int, dict] = {
    80: dict(
        max_threads_per_sm=2048,
        max_blocks_per_sm=32,
        shared_memory_per_sm=164 * KiB,
        shared_memory_per_block_optin=163 * KiB,
        tensor_core_generation=3,
        tensor_core_types=("f16", "bf16", "tf32", "f64", "i8", "i4"),
    ),
    86: dict(
        max_threads_per_sm=1536,
        max_blocks_per_sm=16,
        shared_memory_per_sm=100 * KiB,
        shared_memory_per_block_optin=99 * KiB,
        tensor_core_generation=3,
        tensor_core_types=("f16", "bf16", "tf32", "i8", "i4"),
    ),
    89: dict(
        max_threads_per_sm=1536,
        max_blocks_per_sm=24,
        shared_memory_per_sm=100 * KiB,
        shared_memory_per_block_optin=99 * KiB,
        tensor_core_generation=4,
        tensor_core_types=("f16", "bf16", "tf32", "f8e4m3", "f8e5m2", "i8", "i4"),
    ),
    90: dict(
        max_threads_per_sm=2048,
        max_blocks_per_sm=32,
        shared_memory_per_sm=228 * KiB,
        shared_memory_per_block_optin=227 * KiB,
        tensor_core_generation=4,
        tensor_core_types=("f16", "bf16", "tf32", "f64", "f8e4m3", "f8e5m2", "i8"),
    ),
}

KNOWN_SMS = tuple(sorted(_SM_LIMITS))


def parse_sm(text: str | int) -> int:
    """``90``, ``"90"``, ``"sm_90"``, ``"sm90"`` or ``"9.0"`` -> 90."""
    s = str(text).strip().lower().removeprefix("sm_").removeprefix("sm")
    try:
        if "." in s:
            major, minor = s.split(".", 1)
            return int(major) * 10 + int(minor)
        return int(s)
    except ValueError:
        raise UnknownTargetError(
            f"unknown SM version '{text}' (known: {', '.join(f'sm_{v}' for v in KNOWN_SMS)})"
        ) from None


@functools.cache
def _gpu(sm: int) -> GpuTarget:
    return GpuTarget(sm=sm, **_SM_LIMITS[sm])


def gpu(sm: str | int = 90) -> GpuTarget:
    """The NVPTX description for ``sm`` (80, 86, 89 or 90); an unknown one raises UnknownTargetError."""
    v = parse_sm(sm)
    if v not in _SM_LIMITS:
        raise UnknownTargetError(
            f"unknown SM version '{sm}' (known: {', '.join(f'sm_{v}' for v in KNOWN_SMS)})"
        )
    return _gpu(v)


def sm_80() -> GpuTarget:
    """NVIDIA Ampere A100 class (compute capability 8.0)."""
    return gpu(80)


def sm_86() -> GpuTarget:
    """NVIDIA Ampere consumer/workstation class (8.6)."""
    return gpu(86)


def sm_89() -> GpuTarget:
    """NVIDIA Ada Lovelace (8.9)."""
    return gpu(89)


def sm_90() -> GpuTarget:
    """NVIDIA Hopper H100/H200 (9.0)."""
    return gpu(90)

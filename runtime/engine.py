"""Engines and execution contexts: run a compiled plan on the CPU without the compiler.

An `Engine` holds the loaded kernels and the read-only weights; each `ExecutionContext` owns its
activation arena, inputs and outputs, so several contexts can run one engine from several threads.
"""

from __future__ import annotations

import ctypes
import json
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.cpu_device import ObjectLibrary, missing_cpu_features
from runtime.engine_file import EngineFile, EngineFileError
from runtime.object_file import SIGNATURE_SUFFIX, ObjectFormatError, read_symbols
from runtime.plan import Plan

OBJECT_SECTION = "object_code"
PLAN_KEY = "plan"
_ALIGN = 64


class EngineTargetError(EngineFileError):
    """The engine was compiled for a CPU with features this host lacks (its code could fault)."""


def check_target(plan: Plan) -> None:
    """Refuses a CPU plan whose recorded features (``plan.target["features"]``) are not all on this host."""
    target = plan.target or {}
    if target.get("kind", "cpu") != "cpu" or not target.get("features"):
        return
    missing = missing_cpu_features(target["features"])
    if missing:
        cpu = target.get("cpu_name") or "another CPU"
        raise EngineTargetError(
            f"engine was compiled for {cpu} and needs CPU features this host lacks: {', '.join(missing)}"
        )


def check_objects(plan: Plan, objects: Sequence[bytes]) -> None:
    """Refuses object code that is not a sound object for this host, that does not define a kernel the
    plan launches, or whose recorded kernel signatures (arity, argument bytes, range) differ from the
    plan's: a self-consistent but wrong engine file is refused here, not run."""
    defined: dict[str, bytes] = {}
    checked = True
    for i, data in enumerate(objects):
        try:
            syms = read_symbols(data)
        except ObjectFormatError as e:
            raise EngineFileError(f"engine object code {i} is unusable: {e}") from None
        checked = checked and syms.checked
        defined.update(syms.defined)
    if not checked:
        return
    for name in dict.fromkeys(launch.kernel for launch in plan.launches):
        if name not in defined:
            raise EngineFileError(f"engine launches kernel '{name}', which its object code does not define")
        raw = defined.get(name + SIGNATURE_SUFFIX)
        try:
            recorded = json.loads(raw) if raw is not None else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise EngineFileError(
                f"engine object code has an unreadable signature for kernel '{name}'"
            ) from None
        if recorded != plan.kernels.get(name):
            raise EngineFileError(
                f"engine plan does not match its object code for kernel '{name}' "
                f"(plan {plan.kernels.get(name)}, object code {recorded})"
            )


class RuntimeInputError(ValueError):
    """Feeds that do not match the engine's inputs (name, shape or dtype)."""


class ContextBusyError(RuntimeError):
    """An execution context was entered while another call was running in it (from another thread)."""


PARALLEL_MIN_BYTES = 256 * 1024
"""Launches whose buffers total fewer bytes run serially even with threads > 1 (measured: a Python
thread-pool split costs more than it saves below about this size)."""


def aligned_empty(nbytes: int) -> np.ndarray:
    """A zeroed byte buffer whose data starts on a 64-byte boundary (for aligned vector loads)."""
    raw = np.zeros(nbytes + _ALIGN, dtype=np.uint8)
    off = (-raw.ctypes.data) % _ALIGN
    return raw[off : off + nbytes]


@dataclass
class KernelTime:
    name: str
    kernel: str
    provenance: list[str]
    start_ns: int
    duration_ns: int


class Engine:
    """A loaded plan: kernels resolved, weights in aligned memory. Make contexts with `create_context()`."""

    def __init__(
        self, plan: Plan, objects: Sequence[bytes], weights: Mapping[str, bytes], meta: dict | None = None
    ):
        try:
            plan.validate()
        except ValueError as e:
            raise EngineFileError(f"engine plan is invalid: {e}") from None
        check_target(plan)  # before loading any code compiled for another CPU
        self.plan = plan
        self.meta = meta or {}
        self.objects = [bytes(o) for o in objects]
        check_objects(plan, self.objects)  # before the JIT linker sees a byte of it
        self.library = ObjectLibrary(self.objects, plan.libraries) if self.objects else None
        self.kernels = {}
        for launch in plan.launches:
            if launch.kernel not in self.kernels:
                if self.library is None:
                    raise EngineFileError(f"engine has no object code but launches '{launch.kernel}'")
                self.kernels[launch.kernel] = self.library.kernel(launch.kernel)
        self.weights: dict[str, np.ndarray] = {}
        self._weight_bytes = dict(weights)
        for b in plan.buffers.values():
            if b.kind == "weight" and not b.alias_of:
                data = weights.get(b.section or b.name)
                if data is None or len(data) != b.nbytes:
                    raise EngineFileError(f"weight '{b.name}' is missing or has the wrong size in the engine")
                buf = aligned_empty(b.nbytes)
                buf[:] = np.frombuffer(data, dtype=np.uint8)
                arr = buf.view(b.dtype).reshape(b.shape)
                arr.flags.writeable = False
                self.weights[b.name] = arr
        self._pool: ThreadPoolExecutor | None = None

    # -- files

    def to_file(self) -> EngineFile:
        sections = {f"{OBJECT_SECTION}.{i}": o for i, o in enumerate(self.objects)}
        sections.update({f"weight.{k}": v for k, v in self._weight_bytes.items()})
        meta = dict(self.meta)
        meta[PLAN_KEY] = self.plan.to_json()
        meta["objects"] = len(self.objects)
        return EngineFile(meta, sections)

    def save(self, path: str | Path) -> None:
        self.to_file().save(path)

    @staticmethod
    def from_file(ef: EngineFile) -> Engine:
        try:
            plan = Plan.from_json(ef.meta[PLAN_KEY])
            objects = [ef.sections[f"{OBJECT_SECTION}.{i}"] for i in range(int(ef.meta.get("objects", 0)))]
        except (KeyError, TypeError, ValueError) as e:
            raise EngineFileError(f"engine manifest is incomplete ({e})") from None
        weights = {k[len("weight.") :]: v for k, v in ef.sections.items() if k.startswith("weight.")}
        meta = {k: v for k, v in ef.meta.items() if k not in (PLAN_KEY, "objects")}
        return Engine(plan, objects, weights, meta)

    @staticmethod
    def load(path: str | Path) -> Engine:
        return Engine.from_file(EngineFile.load(path))

    # -- execution

    @property
    def input_names(self) -> list[str]:
        return list(self.plan.inputs)

    @property
    def output_names(self) -> list[str]:
        return list(self.plan.outputs)

    def pool(self, threads: int) -> ThreadPoolExecutor | None:
        if threads <= 1:
            return None
        if self._pool is None or self._pool._max_workers != threads:  # noqa: SLF001
            self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ziggurat")
        return self._pool

    def create_context(self, threads: int | None = None) -> ExecutionContext:
        return ExecutionContext(self, self.plan.threads if threads is None else threads)

    def run(self, feeds: Mapping[str, np.ndarray] | Sequence[np.ndarray]) -> list[np.ndarray]:
        return self.create_context().run(feeds)


class ExecutionContext:
    """Activation memory and bound arguments for one stream of inferences over an engine."""

    def __init__(self, engine: Engine, threads: int = 1):
        self.engine = engine
        self.threads = max(1, int(threads))
        plan = engine.plan
        self.arena = aligned_empty(max(plan.arena_bytes, 1))
        self.buffers: dict[str, np.ndarray] = {}
        aliases = []
        for b in plan.buffers.values():
            if b.alias_of:
                aliases.append(b)
            elif b.kind == "weight":
                self.buffers[b.name] = engine.weights[b.name]
            elif b.kind == "activation":
                self.buffers[b.name] = (
                    self.arena[b.offset : b.offset + b.nbytes].view(b.dtype).reshape(b.shape)
                )
            else:
                self.buffers[b.name] = aligned_empty(b.nbytes).view(b.dtype).reshape(b.shape)
        while aliases:  # views of views resolve once their source exists
            pending = []
            for b in aliases:
                src = self.buffers.get(b.alias_of)
                if src is None:
                    pending.append(b)
                else:
                    self.buffers[b.name] = src.reshape(-1).view(b.dtype).reshape(b.shape)
            if len(pending) == len(aliases):
                raise EngineFileError(f"buffer '{pending[0].name}' aliases a buffer that never exists")
            aliases = pending
        self._calls = []
        for launch in plan.launches:
            argv = (ctypes.c_void_p * max(len(launch.args), 1))(
                *[self.buffers[a].ctypes.data for a in launch.args]
            )
            nbytes = sum(self.buffers[a].nbytes for a in launch.args)
            # a thread-pool region costs 30-45 us: small launches run whole on the calling thread
            rng = launch.range if nbytes >= PARALLEL_MIN_BYTES else 1
            self._calls.append((engine.kernels[launch.kernel], argv, rng, launch))
        self.last_profile: list[KernelTime] = []
        self._busy = threading.Lock()

    def _bind(self, feeds) -> None:
        plan = self.engine.plan
        if not isinstance(feeds, Mapping):
            feeds = list(feeds)
            if len(feeds) != len(plan.inputs):
                raise RuntimeInputError(f"engine takes {len(plan.inputs)} inputs, got {len(feeds)}")
            feeds = dict(zip(plan.inputs, feeds))
        for name in plan.inputs:
            if name not in feeds:
                raise RuntimeInputError(f"missing input '{name}' (inputs: {', '.join(plan.inputs)})")
            dst = self.buffers[name]
            src = np.asarray(feeds[name])
            if tuple(src.shape) != dst.shape:
                raise RuntimeInputError(f"input '{name}' has shape {tuple(src.shape)}, expected {dst.shape}")
            np.copyto(dst, src, casting="same_kind")
        unknown = set(feeds) - set(plan.inputs)
        if unknown:
            raise RuntimeInputError(
                f"unknown input(s) {', '.join(sorted(unknown))} (inputs: {', '.join(plan.inputs)})"
            )

    def run(self, feeds, profile: bool = False) -> list[np.ndarray]:
        """Runs the launch list on `feeds` (dict by name or list in order); returns fresh output arrays.

        A context holds one set of activations: a second call entering it while one runs (another
        thread) raises ContextBusyError instead of sharing the arena."""
        if not self._busy.acquire(blocking=False):
            raise ContextBusyError(
                "this execution context is already running in another thread; "
                "create one context per thread (engine.create_context())"
            )
        try:
            return self._run(feeds, profile)
        finally:
            self._busy.release()

    def _run(self, feeds, profile: bool) -> list[np.ndarray]:
        self._bind(feeds)
        pool = self.engine.pool(self.threads)
        prof: list[KernelTime] = []
        for fn, argv, n, launch in self._calls:
            t0 = time.perf_counter_ns() if profile else 0
            if pool is not None and n > 1:
                chunks = min(self.threads, n)
                bounds = [n * i // chunks for i in range(chunks + 1)]
                futures = [pool.submit(fn, argv, bounds[i], bounds[i + 1]) for i in range(1, chunks)]
                fn(argv, bounds[0], bounds[1])
                for f in futures:
                    f.result()
            else:
                fn(argv, 0, launch.range)
            if profile:
                prof.append(
                    KernelTime(
                        launch.name or launch.kernel,
                        launch.kernel,
                        launch.provenance,
                        t0,
                        time.perf_counter_ns() - t0,
                    )
                )
        self.last_profile = prof
        return [self.buffers[name].copy() for name in self.engine.plan.outputs]


def chrome_trace(profile: Sequence[KernelTime]) -> dict:
    """A Chrome/Perfetto trace (`chrome://tracing`, ui.perfetto.dev) of one profiled run."""
    if not profile:
        return {"traceEvents": []}
    t0 = profile[0].start_ns
    events = [
        {
            "name": k.name,
            "cat": "kernel",
            "ph": "X",
            "ts": (k.start_ns - t0) / 1e3,
            "dur": k.duration_ns / 1e3,
            "pid": 0,
            "tid": 0,
            "args": {"kernel": k.kernel, "onnx_nodes": k.provenance},
        }
        for k in profile
    ]
    return {"traceEvents": events, "displayTimeUnit": "ms"}

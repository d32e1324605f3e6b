"""Side-by-side latency measurement: ours (-O2), onnxruntime at the same thread count, and our -O0."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def cpu_model() -> str:
    """The CPU's marketing name (lscpu's "Model name"), from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown CPU"


def host_banner(threads) -> str:
    """One line every benchmark prints first: CPU model, what the code generators use of it, threads."""
    import os

    from ir.target import host

    t = host()
    units = ", ".join(t.special_units) or "none"
    return (
        f"host: {cpu_model()} ({t.cpu_name}, {os.cpu_count()} cpus); kernels use {t.vector_bits}-bit vectors "
        f"({t.vector_floats} f32 lanes), {t.vector_registers} vector registers; special units: {units}; "
        f"threads: {threads}"
    )


def median_ms(
    fn: Callable[[], object], iterations: int, warmup: int = 2, budget_s: float | None = None
) -> float:
    """Median wall time of `fn` in ms after warm-up; stops early once `budget_s` is spent (min 3 runs)."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    start = time.perf_counter()
    for _ in range(iterations):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if budget_s is not None and len(times) >= 3 and time.perf_counter() - start > budget_s:
            break
    return statistics.median(times) * 1e3


@dataclass
class BenchResult:
    model: str
    threads: int
    ours_ms: float
    ort_ms: float | None = None
    o0_ms: float | None = None
    compile_s: float = 0.0
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        d = {
            "model": self.model,
            "threads": self.threads,
            "ours_ms": round(self.ours_ms, 3),
            "compile_s": round(self.compile_s, 2),
        }
        if self.ort_ms is not None:
            d["ort_ms"] = round(self.ort_ms, 3)
            d["ours_vs_ort"] = round(self.ours_ms / self.ort_ms, 3)
        if self.o0_ms is not None:
            d["o0_ms"] = round(self.o0_ms, 3)
            d["speedup_vs_o0"] = round(self.o0_ms / self.ours_ms, 2)
        return d


def ort_session(path: str | Path | bytes, threads: int):
    """An onnxruntime CPU session on a model file (or serialized model bytes) with `threads` intra-op threads."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    model = path if isinstance(path, bytes) else str(path)
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def bench_model(
    path: str | Path,
    *,
    threads: int = 1,
    iterations: int = 20,
    against_ort: bool = True,
    against_o0: bool = True,
    o0_budget_s: float = 20.0,
    input_shapes=None,
    progress=None,
) -> BenchResult:
    """Compiles `path` at -O2 (and -O0), then times ours, onnxruntime and -O0 on the same inputs."""
    from ir.inputs import random_arrays
    from ziggurat.driver import compile_file

    t = time.perf_counter()
    engine, _ = compile_file(path, input_shapes=input_shapes, opt="-O2", threads=threads, progress=progress)
    compile_s = time.perf_counter() - t
    specs = [engine.plan.buffers[n] for n in engine.input_names]
    feeds = random_arrays([(s.name, tuple(s.shape), np.dtype(s.dtype)) for s in specs], seed=0)
    ctx = engine.create_context(threads)
    result = BenchResult(
        Path(path).stem, threads, median_ms(lambda: ctx.run(feeds), iterations), compile_s=compile_s
    )
    if against_ort:
        sess = ort_session(path, threads)
        result.ort_ms = median_ms(lambda: sess.run(None, feeds), iterations)
    if against_o0:
        e0, _ = compile_file(path, input_shapes=input_shapes, opt="-O0", threads=threads, progress=progress)
        c0 = e0.create_context(threads)
        result.o0_ms = median_ms(lambda: c0.run(feeds), iterations, warmup=1, budget_s=o0_budget_s)
    return result

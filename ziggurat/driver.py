"""The driver: ONNX or graph IR -> one pass pipeline (graph -> tensor -> loop, compile-ON) -> codegen
(LLVM object code, launch plan) -> runtime Engine."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ir.errors import UserError
from runtime.engine import Engine


@dataclass
class CompileReport:
    """What a build did and how long each stage took (seconds)."""

    stages: dict[str, float] = field(default_factory=dict)
    kernels: int = 0
    cache_hit: bool = False
    arena_bytes: int = 0
    unplanned_bytes: int = 0
    weights_bytes: int = 0
    llvm_ir: str = field(default="", repr=False)

    def summary(self) -> str:
        parts = ", ".join(f"{k} {v:.2f}s" for k, v in self.stages.items())
        saved = 1 - self.arena_bytes / self.unplanned_bytes if self.unplanned_bytes else 0.0
        return (
            f"{self.kernels} kernels; {parts}; activations {self.arena_bytes / 2**20:.1f} MiB "
            f"(memory plan saves {saved:.0%}); weights {self.weights_bytes / 2**20:.1f} MiB"
            + ("; object code from cache" if self.cache_hit else "")
        )


Progress = Callable[[str, int, int], None]


def _stage(report: CompileReport, name: str, progress: Progress | None):
    class _Timer:
        def __enter__(self):
            if progress:
                progress(name, 0, 1)
            self.t = time.perf_counter()
            return self

        def __exit__(self, *exc):
            report.stages[name] = report.stages.get(name, 0.0) + time.perf_counter() - self.t
            if progress and exc[0] is None:
                progress(name, 1, 1)

    return _Timer()


STAGE_OF_LEVEL = {"graph": "graph passes", "tensor": "lower to tensor", "loop": "lower to loops"}


def _stage_timer(report: CompileReport, pipeline, progress: Progress | None):
    """An instrumentation that times the build pipeline's passes by IR level (report stages) and
    reports each pass to `progress`."""
    from passes.instrumentation import Instrumentation
    from passes.named_pipelines import pass_levels

    levels = pass_levels(pipeline)
    total = len(levels)

    class StageTimer(Instrumentation):
        def before_pass(self, p, index, op, root, ctx) -> None:
            if progress:
                progress(f"{STAGE_OF_LEVEL[levels[index]]}: {p.name}", index, total)
            self.t = time.perf_counter()

        def after_pass(self, p, index, op, root, ctx, changed) -> None:
            stage = STAGE_OF_LEVEL[levels[index]]
            report.stages[stage] = report.stages.get(stage, 0.0) + time.perf_counter() - self.t

    return StageTimer()


def build_pipeline(opt: str = "-O2", target: str = "cpu"):
    """The pass pipeline of a build (graph IR -> loop IR): `compile-ON{target=...}`, expanded."""
    from passes.named_pipelines import compile_pipeline

    return compile_pipeline(opt, target)


def compile_module(
    module,
    *,
    target: str = "cpu",
    opt: str = "-O2",
    threads: int = 1,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    instrumentations: Sequence = (),
    verify: bool = True,
) -> tuple[Engine, CompileReport]:
    """Compiles a graph-level module into an Engine for `target` (cpu): one PassManager runs the build
    pipeline (`compile-ON{target=...}`, graph IR -> loop IR, through weight prepacking and memory
    planning; `instrumentations` see every pass), then codegen, then the engine is packaged."""
    from codegen.compile import compile_kernels
    from codegen.host_target import ObjectCache, host_target
    from codegen.plan import build_plan
    from passes import PassManager
    from passes.named_pipelines import check_opt

    if target != "cpu":
        raise UserError(f"target '{target}' cannot be compiled yet (available: cpu)")
    check_opt(opt)
    if threads < 1:
        raise UserError("--threads must be at least 1")
    report = CompileReport()
    pipeline = build_pipeline(opt, target)
    timer = _stage_timer(report, pipeline, progress)
    PassManager(pipeline, [timer, *instrumentations], verify=verify).run(module)
    cache = ObjectCache(Path(cache_dir) if cache_dir else None) if use_cache else None

    def codegen_progress(stage: str, done: int, total: int) -> None:
        if progress:
            progress(f"codegen: {stage}", done, total)

    host = host_target()
    t = time.perf_counter()
    compiled = compile_kernels(module, cache=cache, target=host, progress=codegen_progress)
    report.stages["codegen"] = time.perf_counter() - t
    report.kernels = len(compiled.symbols)
    report.llvm_ir = compiled.llvm_ir
    report.cache_hit = bool(compiled.cache_hit)
    with _stage(report, "plan", progress):
        plan, weights, stats = build_plan(module, threads=threads)
    report.arena_bytes, report.unplanned_bytes = stats["arena_bytes"], stats["unplanned_bytes"]
    report.weights_bytes = stats["weights_bytes"]
    desc = host.description
    # the description (features, fingerprint, ...): the runtime refuses the engine on a CPU lacking features
    plan.target = {"kind": "cpu", "opt": opt, **(desc.to_json() if desc else {})}
    meta = {"opt": opt, "target": "cpu"}
    if desc is not None:
        meta["target_fingerprint"] = desc.fingerprint()
    engine = Engine(plan, [compiled.object_code], weights, meta=meta)
    return engine, report


def compile_file(path: str | Path, *, input_shapes=None, **kwargs) -> tuple[Engine, CompileReport]:
    """Loads `.onnx`/`.mlir` and compiles it."""
    from ziggurat.loading import load_module

    return compile_module(load_module(path, input_shapes), **kwargs)

"""The PassManager: runs a pipeline over a module, calling instrumentations around every pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ir.core import Operation
from passes.instrumentation import Instrumentation, VerifyAfterPass
from passes.pass_base import Pass, PassContext, RewriteBudget
from passes.pipeline import OpPipeline, parse_pipeline, pipeline_of


@dataclass
class RunResult:
    """What a run did: passes run in order with whether each changed the IR."""

    changed: bool = False
    log: list[tuple[str, bool]] = field(default_factory=list)
    ctx: PassContext | None = None


class PassManager:
    """Runs `pipeline` (text, OpPipeline or list of passes). Verification after each pass is on unless
    `verify=False`; `instrumentations` see every pass; `rewrite_limit` bounds rewrites across the run."""

    def __init__(
        self,
        pipeline: str | OpPipeline | Sequence[Pass],
        instrumentations: Sequence[Instrumentation] = (),
        verify: bool = True,
        rewrite_limit: int | None = None,
        trace=None,
    ):
        if isinstance(pipeline, str):
            pipeline = parse_pipeline(pipeline)
        elif not isinstance(pipeline, OpPipeline):
            pipeline = pipeline_of(list(pipeline))
        self.pipeline: OpPipeline = pipeline
        self.instrumentations: list[Instrumentation] = list(instrumentations)
        if verify:
            self.instrumentations.insert(0, VerifyAfterPass())
        self.rewrite_limit = rewrite_limit
        self.trace = trace

    def run(self, module: Operation, ctx: PassContext | None = None) -> RunResult:
        ctx = ctx or PassContext(budget=RewriteBudget(self.rewrite_limit), trace=self.trace)
        result = RunResult(ctx=ctx)
        for inst in self.instrumentations:
            inst.run_started(module, self.pipeline, ctx)
        try:
            if module.name != self.pipeline.anchor:
                raise _anchor_error(self.pipeline.anchor, module.name)
            self._run_items(self.pipeline, module, module, ctx, result)
        finally:
            for inst in self.instrumentations:
                inst.run_finished(module, ctx)
        return result

    def _run_items(self, pl: OpPipeline, op: Operation, root: Operation, ctx, result: RunResult) -> None:
        for item in pl.items:
            if isinstance(item, OpPipeline):
                targets = [c for r in op.regions for b in r.blocks for c in b.ops if c.name == item.anchor]
                for t in targets:
                    self._run_items(item, t, root, ctx, result)
            else:
                self._run_pass(item, op, root, ctx, result)

    def _run_pass(self, p: Pass, op: Operation, root: Operation, ctx: PassContext, result: RunResult) -> None:
        if p.anchor is not None and op.name != p.anchor and p.anchor != "any":
            raise _anchor_error(p.anchor, op.name, p.name)
        index = len(result.log)
        for inst in self.instrumentations:
            inst.before_pass(p, index, op, root, ctx)
        ctx.current_pass = p.name
        try:
            changed = bool(p.run(op, ctx))
        except Exception as e:
            for inst in self.instrumentations:
                inst.pass_failed(p, index, op, root, ctx, e)
            raise
        finally:
            ctx.current_pass = ""
        result.log.append((p.name, changed))
        result.changed |= changed
        for inst in self.instrumentations:
            inst.after_pass(p, index, op, root, ctx, changed)


def _anchor_error(want: str, got: str, pass_name: str = ""):
    from passes.pipeline import PipelineError

    who = f"pass '{pass_name}'" if pass_name else "pipeline"
    return PipelineError(f"{who} runs on '{want}' but was given '{got}'", want, 1)


def run_pipeline(module: Operation, pipeline, **kwargs) -> RunResult:
    """Convenience: `PassManager(pipeline, **kwargs).run(module)`."""
    return PassManager(pipeline, **kwargs).run(module)

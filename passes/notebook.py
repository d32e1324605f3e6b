"""Notebook helpers that need passes (ir.notebook may not import them): a before/after view of a pass or
pipeline, and running a pipeline pass by pass with op counts."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence

from ir.core import Operation
from ir.notebook import function_svg, op_counts


def _passes(pass_or_pipeline) -> list:
    from passes.pass_base import Pass
    from passes.pipeline import OpPipeline, parse_pipeline

    if isinstance(pass_or_pipeline, Pass):
        return [pass_or_pipeline]
    if isinstance(pass_or_pipeline, str):
        text = pass_or_pipeline.strip()
        pass_or_pipeline = parse_pipeline(
            text if text.startswith("builtin.module(") else f"builtin.module({text})"
        )
    if isinstance(pass_or_pipeline, OpPipeline):
        return pass_or_pipeline.passes()
    return list(pass_or_pipeline)


def _counts_table(before: dict[str, int], after: dict[str, int]) -> str:
    rows = []
    for name in sorted(set(before) | set(after), key=lambda n: -(before.get(n, 0) + after.get(n, 0))):
        b, a = before.get(name, 0), after.get(name, 0)
        style = ' style="font-weight:bold"' if a != b else ""
        rows.append(f"<tr{style}><td>{html.escape(name)}</td><td>{b}</td><td>{a}</td></tr>")
    return "<table><tr><th>op</th><th>before</th><th>after</th></tr>" + "".join(rows) + "</table>"


class BeforeAfter:
    """The module before and after a pass or pipeline: op counts side by side and both graphs drawn."""

    def __init__(self, before: Operation, after: Operation, title: str, max_nodes: int = 120):
        self.before, self.after, self.title, self.max_nodes = before, after, title, max_nodes
        self.counts_before, self.counts_after = op_counts(before), op_counts(after)

    def _main(self, module: Operation) -> Operation:
        return getattr(module, "main", module)

    def _repr_html_(self) -> str:
        svgs = [function_svg(self._main(m), max_nodes=self.max_nodes) for m in (self.before, self.after)]
        cells = "".join(
            f'<td style="vertical-align:top"><b>{label}</b><br>{svg}</td>'
            for label, svg in zip(("before", "after"), svgs)
        )
        return (
            f"<h4>{html.escape(self.title)}</h4>"
            + _counts_table(self.counts_before, self.counts_after)
            + f"<table><tr>{cells}</tr></table>"
        )

    def __repr__(self) -> str:
        changed = {
            k: (self.counts_before.get(k, 0), self.counts_after.get(k, 0))
            for k in set(self.counts_before) | set(self.counts_after)
            if self.counts_before.get(k, 0) != self.counts_after.get(k, 0)
        }
        return f"BeforeAfter({self.title}: {changed})"


def before_after(module: Operation, pass_or_pipeline, max_nodes: int = 120) -> BeforeAfter:
    """Runs a pass (or pipeline text) on a copy of `module`; returns a view of the module before and after."""
    from passes.manager import PassManager

    after = module.clone()
    passes = _passes(pass_or_pipeline)
    PassManager(passes).run(after)
    title = ", ".join(p.name for p in passes) or "(empty pipeline)"
    return BeforeAfter(module, after, title, max_nodes)


def pass_by_pass(module: Operation, pipeline: str | Sequence) -> Iterator[tuple[str, dict[str, int]]]:
    """Runs `pipeline` on `module` (in place) one pass at a time, yielding (pass name, op counts after it)."""
    from passes.manager import PassManager

    for p in _passes(pipeline):
        PassManager([p]).run(module)
        yield p.name, op_counts(module)

"""apply-patterns: runs text-form patterns given as an option (for experiments and tests), e.g.
`apply-patterns{pattern="Identity(x) -> x"}`; several patterns separate with ';'."""

from __future__ import annotations

from dataclasses import dataclass

from ir.core import Operation
from passes.pass_base import Pass, PassContext
from passes.registry import register_pass


@register_pass
@dataclass(frozen=True)
class ApplyPatterns(Pass):
    name = "apply-patterns"
    summary = "apply text-form patterns ('MATCH -> RESULT; ...') greedily"
    pattern: str = ""
    max_iterations: int = 10

    def run(self, op: Operation, ctx: PassContext) -> bool:
        from passes.rewrite import apply_patterns_greedily, parse_pattern

        pats = [parse_pattern(s.strip()) for s in self.pattern.split(";") if s.strip()]
        return apply_patterns_greedily(op, pats, ctx, max_iterations=self.max_iterations).changed

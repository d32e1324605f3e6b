"""The greedy pattern driver: applies a pattern set over a region tree until nothing matches (a
fixpoint) or the iteration cap is hit, with enable/disable filters, statistics, a trace, and the
shared rewrite budget (`--rewrite-limit`)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ir.core import Operation
from ir.opdef import Pure
from ir.rewriter import RewriteListener, Rewriter
from passes.pass_base import PassContext
from passes.rewrite.pattern import Pattern


@dataclass
class DriverResult:
    changed: bool = False
    converged: bool = True
    iterations: int = 0
    applied: Counter = field(default_factory=Counter)


class _Worklist(RewriteListener):
    """Follows the rewriter's changes: new and modified ops (and users of replaced values) are revisited."""

    def __init__(self):
        self.queue: deque[Operation] = deque()
        self.queued: set[int] = set()
        self.erased: set[int] = set()

    def push(self, op: Operation) -> None:
        if id(op) not in self.queued:
            self.queued.add(id(op))
            self.queue.append(op)

    def pop(self) -> Operation | None:
        while self.queue:
            op = self.queue.popleft()
            self.queued.discard(id(op))
            if id(op) not in self.erased and op.parent is not None:
                return op
        return None

    def notify_created(self, op) -> None:
        self.erased.discard(id(op))
        self.push(op)

    def notify_modified(self, op) -> None:
        self.push(op)
        for r in op.results:
            for u in r.users:
                self.push(u)

    def notify_replaced(self, op, new_values) -> None:
        for r in op.results:
            for u in r.users:
                self.push(u)

    def notify_erased(self, op) -> None:
        self.erased.add(id(op))
        for v in op.operands:
            d = v.defining_op
            if d is not None:
                self.push(d)


def filter_patterns(
    patterns: Iterable[Pattern], enable: Sequence[str] | None = None, disable: Sequence[str] = ()
) -> list[Pattern]:
    """Patterns whose name is in `enable` (all when None) and not in `disable` (names or prefixes with '*')."""

    def hit(name: str, names: Sequence[str]) -> bool:
        return any(name == n or (n.endswith("*") and name.startswith(n[:-1])) for n in names)

    return [p for p in patterns if (enable is None or hit(p.name, enable)) and not hit(p.name, disable)]


def apply_patterns_greedily(
    root: Operation,
    patterns: Sequence[Pattern],
    ctx: PassContext | None = None,
    max_iterations: int = 10,
    enable: Sequence[str] | None = None,
    disable: Sequence[str] = (),
    erase_dead: bool = True,
    stat_prefix: str = "",
) -> DriverResult:
    """Rewrites ops nested in `root` with `patterns` (highest benefit first) until a fixpoint."""
    ctx = ctx or PassContext()
    pats = filter_patterns(patterns, enable, disable)
    by_root: dict[str, list[Pattern]] = {}
    for p in sorted(pats, key=lambda p: -p.effective_benefit):
        by_root.setdefault(p.root_op.name, []).append(p)
    wl = _Worklist()
    rewriter = Rewriter([wl, *ctx.listeners])
    result = DriverResult()
    prefix = stat_prefix or ctx.current_pass or "patterns"
    for it in range(max_iterations):
        result.iterations = it + 1
        changed_this_iter = False
        for op in root.walk():
            if op is not root:
                wl.push(op)
        budget_per_iter = 10 * (len(wl.queue) + 100)
        while (op := wl.pop()) is not None:
            if erase_dead and _trivially_dead(op):
                rewriter.erase_op(op)  # safe cleanup: not counted against the rewrite budget
                changed_this_iter = True
                continue
            for p in by_root.get(op.name, ()):
                mt = p.try_match(op)
                if mt is None:
                    continue
                if ctx.budget.exhausted:
                    break
                name, prov = op.name, op.provenance
                applied = p.apply(rewriter, mt)
                if applied:
                    ctx.budget.log.append((ctx.budget.used + 1, p.name, name, prov))
                    ctx.budget.used += 1
                    changed_this_iter = True
                    result.applied[p.name] += 1
                    ctx.pattern_stats[f"{prefix}/{p.name}"] += 1
                    ctx.log(
                        f"[{prefix}] rewrite #{ctx.budget.used}: {p.name} at {name}"
                        + (f" ({', '.join(prov)})" if prov else "")
                    )
                    break
            budget_per_iter -= 1
            if budget_per_iter <= 0:
                break
        result.changed |= changed_this_iter
        if not changed_this_iter:
            result.converged = True
            return result
        result.converged = False
    return result


def _trivially_dead(op: Operation) -> bool:
    return bool(op.results) and op.has_trait(Pure) and not op.has_uses and not op.regions


__all__ = ["apply_patterns_greedily", "filter_patterns", "DriverResult"]

"""`plan-memory`: places the host function's activation buffers in one arena and records it on the IR.

Runs last in a build, on a loop-level module whose host function follows the lowering contract
(memref arguments, then `loop.weight`, `loop.alloc`, `loop.view`, `loop.call`, `func.return`). A
buffer is alive from the first to the last `loop.call` that uses it (or a view of it); the greedy
planner of memory_plan.py assigns offsets. Recorded decisions (what codegen's launch plan reads):

- each root `loop.alloc`: `zg.offset` (bytes into the arena);
- the host function: `zg.arena_bytes` (arena size) and `zg.unplanned_bytes` (one buffer each, for
  reports); views share their source's offset.
"""

from __future__ import annotations

from dataclasses import dataclass

from ir.attributes import IntegerAttr
from ir.core import Operation, Value
from ir.dialects.loop_layouts import ARENA_ATTR, OFFSET_ATTR, UNPLANNED_ATTR
from ir.types import MemRefType, i64, to_numpy_dtype
from passes.bufferize.memory_plan import Lifetime, MemoryPlan, plan_memory
from passes.pass_base import Pass, PassContext, PassError, check_target
from passes.registry import register_pass

__all__ = ["ARENA_ATTR", "OFFSET_ATTR", "UNPLANNED_ATTR", "PlanMemory", "host_lifetimes", "plan_host_memory"]


def _nbytes(v: Value) -> int:
    t = v.type
    if not isinstance(t, MemRefType):
        raise PassError(f"plan-memory: host value of type {t} is not a memref")
    n = 1
    for d in t.shape:
        n *= d
    return n * to_numpy_dtype(t.element_type).itemsize


def host_lifetimes(func: Operation) -> tuple[list[Lifetime], dict[str, Operation]]:
    """Lifetimes (in launch steps) of the root activation buffers of a host function, and the alloc of
    each by name. Names follow codegen's plan (`t<N>`, N counting arguments, weights, allocs, views)."""
    count = len(list(func.body.args))
    root: dict[Value, str | None] = {a: None for a in func.body.args}  # value -> root activation name
    allocs: dict[str, Operation] = {}
    uses: dict[str, list[int]] = {}
    step = 0
    for op in func.body.ops:
        if op.name == "loop.weight":
            root[op.result] = None
            count += 1
        elif op.name == "loop.alloc":
            name = f"t{count}"
            root[op.result] = name
            allocs[name] = op
            count += 1
        elif op.name == "loop.view":
            root[op.result] = root.get(op.operands[0])
            count += 1
        elif op.name == "loop.call":
            for v in op.operands:
                r = root.get(v)
                if r is not None:
                    uses.setdefault(r, []).append(step)
            step += 1
        elif op.name != "func.return":
            raise PassError(
                f"plan-memory: host function holds '{op.name}'; only weight/alloc/view/call are allowed there"
            )
    lifetimes = [
        Lifetime(n, _nbytes(a.result), min(uses.get(n, [0])), max(uses.get(n, [0])))
        for n, a in allocs.items()
    ]
    return lifetimes, allocs


def plan_host_memory(func: Operation, alignment: int = 64) -> MemoryPlan:
    """Plans the host function's activations and records the plan on its ops (see the module doc)."""
    lifetimes, allocs = host_lifetimes(func)
    mp = plan_memory(lifetimes, alignment=alignment)
    for name, op in allocs.items():
        op.attributes[OFFSET_ATTR] = IntegerAttr(mp.offsets[name], i64)
    func.attributes[ARENA_ATTR] = IntegerAttr(mp.arena_bytes, i64)
    func.attributes[UNPLANNED_ATTR] = IntegerAttr(mp.naive_bytes, i64)
    return mp


@register_pass
@dataclass(frozen=True)
class PlanMemory(Pass):
    """Static memory planning of the host function's activations; offsets recorded as attributes."""

    name = "plan-memory"
    summary = "activation buffers -> offsets in one arena (reuse by liveness); zg.offset / zg.arena_bytes"
    anchor = "builtin.module"
    target: str = "cpu"
    alignment: int = 64

    def __post_init__(self) -> None:
        check_target(self.name, self.target)
        if self.alignment <= 0 or self.alignment & (self.alignment - 1):
            raise ValueError(f"alignment must be a power of two, got {self.alignment}")

    def run(self, op: Operation, ctx: PassContext) -> bool:
        func = op.main
        before = {id(o): o.attributes.get(OFFSET_ATTR) for o in func.body.ops if o.name == "loop.alloc"}
        old_arena = func.attributes.get(ARENA_ATTR)
        mp = plan_host_memory(func, self.alignment)
        ctx.stat("buffers planned", len(mp.offsets))
        ctx.stat("arena bytes", mp.arena_bytes)
        ctx.stat("bytes saved", mp.naive_bytes - mp.arena_bytes)
        after = {id(o): o.attributes.get(OFFSET_ATTR) for o in func.body.ops if o.name == "loop.alloc"}
        return before != after or old_arena != func.attributes.get(ARENA_ATTR)

"""Static memory planning: place activation buffers in one arena, reusing memory whose lifetimes don't overlap.

Greedy by size (as TFLite's and TensorRT's planners do): the largest buffers are placed first, each at the
lowest aligned offset that collides with no already-placed buffer alive at the same time. Buffers that
alias (an in-place elementwise result and its dead input, a reshape and its source) are merged first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class Lifetime:
    """A buffer of `size` bytes, written at step `start` and last read at step `end` (inclusive)."""

    name: str
    size: int
    start: int
    end: int


@dataclass
class MemoryPlan:
    offsets: dict[str, int]
    arena_bytes: int
    naive_bytes: int

    @property
    def savings(self) -> float:
        """Fraction of memory saved against giving every buffer its own space."""
        return 1.0 - self.arena_bytes / self.naive_bytes if self.naive_bytes else 0.0


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def merge_aliases(
    lifetimes: Sequence[Lifetime], aliases: Iterable[tuple[str, str]]
) -> tuple[list[Lifetime], dict[str, str]]:
    """Merges aliased buffers into one lifetime (span of all, size of the largest); returns the merged
    lifetimes and a map from every buffer to its representative."""
    g = nx.Graph()
    g.add_nodes_from(lt.name for lt in lifetimes)
    g.add_edges_from(aliases)
    by_name = {lt.name: lt for lt in lifetimes}
    merged, rep = [], {}
    for comp in nx.connected_components(g):
        members = sorted((by_name[n] for n in comp if n in by_name), key=lambda lt: (lt.start, lt.name))
        head = members[0]
        merged.append(
            Lifetime(
                head.name,
                max(m.size for m in members),
                min(m.start for m in members),
                max(m.end for m in members),
            )
        )
        for m in members:
            rep[m.name] = head.name
    return merged, rep


def plan_memory(
    lifetimes: Sequence[Lifetime], aliases: Iterable[tuple[str, str]] = (), alignment: int = 64
) -> MemoryPlan:
    """Offsets for every buffer (aliases share their representative's offset) and the arena size."""
    merged, rep = merge_aliases(lifetimes, aliases)
    placed: list[tuple[int, int, Lifetime]] = []  # (offset, aligned size, lifetime)
    offsets: dict[str, int] = {}
    for lt in sorted(merged, key=lambda x: (-x.size, x.start, x.name)):
        size = _align(max(lt.size, 1), alignment)
        busy = sorted(
            (off, off + sz) for off, sz, other in placed if not (other.end < lt.start or lt.end < other.start)
        )
        offset = 0
        for lo, hi in busy:
            if offset + size <= lo:
                break
            offset = max(offset, hi)
        placed.append((offset, size, lt))
        offsets[lt.name] = offset
    arena = max((off + sz for off, sz, _ in placed), default=0)
    naive = sum(_align(max(lt.size, 1), alignment) for lt in lifetimes)
    return MemoryPlan({lt.name: offsets[rep[lt.name]] for lt in lifetimes}, arena, naive)


def check_plan(
    lifetimes: Sequence[Lifetime], plan: MemoryPlan, aliases: Iterable[tuple[str, str]] = ()
) -> None:
    """Raises AssertionError if two buffers alive at once overlap in memory (aliases excepted)."""
    same = {frozenset(a) for a in aliases}
    lts = list(lifetimes)
    for i, a in enumerate(lts):
        for b in lts[i + 1 :]:
            if frozenset((a.name, b.name)) in same or a.end < b.start or b.end < a.start:
                continue
            oa, ob = plan.offsets[a.name], plan.offsets[b.name]
            if oa < ob + b.size and ob < oa + a.size and plan.offsets[a.name] != plan.offsets[b.name]:
                raise AssertionError(f"{a.name} and {b.name} are alive together and overlap")
            if oa == ob and a.size and b.size:
                raise AssertionError(f"{a.name} and {b.name} are alive together at the same offset")

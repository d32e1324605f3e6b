"""Rewrite bisection: find the single rewrite after which a check fails, using `--rewrite-limit`."""

from __future__ import annotations

from collections.abc import Callable

from ir.core import Operation
from passes.manager import PassManager


def count_rewrites(make_module: Callable[[], Operation], pipeline, **kwargs) -> int:
    pm = PassManager(pipeline, **kwargs)
    return pm.run(make_module()).ctx.budget.used


def bisect_rewrites(
    make_module: Callable[[], Operation], pipeline, is_bad: Callable[[Operation], bool], **kwargs
) -> tuple[int, str] | None:
    """The smallest N such that running `pipeline` with rewrite limit N gives a module `is_bad` says is
    wrong, and a description of rewrite #N; None when even the full run is fine."""
    total = count_rewrites(make_module, pipeline, **kwargs)

    def bad(n: int):
        m = make_module()
        res = PassManager(pipeline, rewrite_limit=n, **kwargs).run(m)
        return is_bad(m), res.ctx.budget

    full_bad, _ = bad(total)
    if not full_bad:
        return None
    lo, hi = 0, total  # bad(lo) is False (assumed for 0), bad(hi) is True
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if bad(mid)[0]:
            hi = mid
        else:
            lo = mid
    _, budget = bad(hi)
    return hi, budget.last

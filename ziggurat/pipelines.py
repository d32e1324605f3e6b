"""Named pipelines for the CLI, and `lower_for_show` for `ziggurat show --level/-O`."""

from __future__ import annotations

from ir.errors import UserError

GRAPH_PIPELINES = {"-O0": "builtin.module()", "-O1": "builtin.module(-O1)", "-O2": "builtin.module(-O2)"}

# level -> pipeline text that lowers graph IR to that level (added as lowerings land)
LOWERINGS: dict[str, str] = {"graph": "", "tensor": "builtin.module(lower-to-tensor)"}
LOWERINGS["loop"] = "builtin.module(lower-graph-to-tensor, lower-to-loops-O2)"  # issue 5, loop level


def pipeline_for(opt: str | None) -> str:
    """The graph-level pipeline text of -O0/-O1/-O2."""
    if opt is None:
        return ""
    try:
        return GRAPH_PIPELINES[opt]
    except KeyError:
        raise UserError(f"unknown optimization level '{opt}' (expected -O0, -O1 or -O2)") from None


def lower_for_show(module, level: str = "graph", opt: str | None = None):
    """Optimizes with `opt` and lowers to `level` (graph, tensor, loop); returns the module."""
    from passes import PassManager

    if level not in LOWERINGS:
        known = ", ".join(sorted(LOWERINGS))
        raise UserError(f"--level {level} is not available yet (available: {known})")
    if opt:
        PassManager(pipeline_for(opt)).run(module)
    if LOWERINGS[level]:
        PassManager(LOWERINGS[level]).run(module)
    return module


def optimize(module, opt: str | None):
    """Runs the graph-level pipeline of -O0/-O1/-O2 on `module` (for `ziggurat run/compile -O2`)."""
    from passes import PassManager

    if opt:
        PassManager(pipeline_for(opt)).run(module)
    return module

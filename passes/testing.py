"""Random pass pipelines drawn from the registered passes, as pipeline text that parses and round-trips.

    @given(graph_cases(), pipelines(level="graph"))
    def test_pipelines_preserve_semantics(case, text):
        after = case.module.clone()
        PassManager(text).run(after)
        assert_semantics_preserved(case.module, after, case.inputs)

`level="graph"` draws passes that rewrite graph-dialect functions, `level="loop"` passes that transform
`loop.kernel` nests (use with `ir.testing.loop_nests`), `level="any"` every registered pass that needs no
mandatory option. Options get values from `OPTION_VALUES` (or keep their default). Passes that a pipeline
may anchor on `func.func` are sometimes nested as `func.func(...)`.

This module imports the `passes` package lazily (when a strategy is drawn), so `ir` stays free of it.
"""

from __future__ import annotations

from hypothesis import strategies as st

OPTION_VALUES: dict[tuple[str, str], st.SearchStrategy] = {
    ("fuse", "max_ops"): st.integers(2, 8),
    ("fuse", "elementwise"): st.booleans(),
    ("fuse", "anchored"): st.booleans(),
    ("canonicalize", "max_iterations"): st.integers(1, 10),
    ("fold-constants", "max_elements"): st.sampled_from([1, 16, 4096]),
    ("tile", "sizes"): st.lists(st.integers(0, 4), min_size=1, max_size=3),
    ("unroll", "factor"): st.integers(2, 4),
    ("interchange", "perm"): st.sampled_from([[1, 0], [0, 2, 1], [2, 0, 1], [1, 0, 2]]),
    ("vectorize", "width"): st.sampled_from([2, 4, 8]),
}
"""(pass, option field) -> values to draw. Options not listed keep their defaults."""

_EXCLUDED = {"apply-patterns", "mixed-precision"}  # a mandatory pattern name; a calibration search
_GRAPH_MODULES = ("passes.graph.", "passes.generic.")
_LOOP_PASSES = {"tile", "unroll", "interchange", "vectorize", "parallelize", "cse", "dce"}


def pass_names(level: str = "graph") -> list[str]:
    """Registered pass names usable at `level` ("graph", "loop" or "any")."""
    from passes.registry import all_passes

    out = []
    for name, cls in all_passes().items():
        if name in _EXCLUDED:
            continue
        if level == "graph" and not cls.__module__.startswith(_GRAPH_MODULES):
            continue
        if level == "loop" and name not in _LOOP_PASSES:
            continue
        out.append(name)
    return out


def _format(name: str, opts: dict) -> str:
    from passes.pass_base import option_name
    from passes.pipeline import format_option_value

    if not opts:
        return name
    return name + "{" + " ".join(f"{option_name(k)}={format_option_value(v)}" for k, v in opts.items()) + "}"


@st.composite
def pass_elements(draw, level: str = "graph") -> str:
    """One pipeline element: a registered pass with some options set, e.g. `fuse{max-ops=3}`."""
    from passes.registry import lookup_pass

    name = draw(st.sampled_from(pass_names(level)))
    cls = lookup_pass(name)
    opts = {}
    for f in cls.options():
        s = OPTION_VALUES.get((name, f.name))
        if s is not None and draw(st.booleans()):
            opts[f.name] = draw(s)
    return _format(name, opts)


@st.composite
def pipelines(draw, level: str = "graph", max_passes: int = 4) -> str:
    """Pipeline text `builtin.module(...)` of 1..max_passes random passes (func.func-anchorable passes
    are sometimes grouped as `func.func(...)`); it parses, and printing the parse gives the same text."""
    from passes.registry import lookup_pass

    items: list[str] = []
    nested: list[str] = []
    for _ in range(draw(st.integers(1, max_passes))):
        el = draw(pass_elements(level))
        cls = lookup_pass(el.split("{")[0])
        if getattr(cls, "anchor", None) is None and level != "loop" and draw(st.integers(0, 3)) == 0:
            nested.append(el)
            continue
        if nested:
            items.append(f"func.func({', '.join(nested)})")
            nested = []
        items.append(el)
    if nested:
        items.append(f"func.func({', '.join(nested)})")
    return f"builtin.module({', '.join(items)})"


__all__ = ["OPTION_VALUES", "pass_elements", "pass_names", "pipelines"]

"""Property: after every registered pass, on random graphs from `ir.testing`, every use of every value
belongs to an op attached to the IR (no use is left by an erased, discarded or never-inserted op).
Checked twice: by the verifier, and by an explicit walk. Graph-level passes run one at a time; the
tensor- and loop-level passes run where a build runs them, checked after each pass of the whole
`compile-O0/O1/O2` pipelines."""

from __future__ import annotations

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from ir.core import Operation
from ir.errors import UnsupportedError
from ir.testing import check_use_lists, defined_values, graph_functions
from ir.verifier import verify
from passes import Instrumentation, PassManager
from passes.registry import all_passes

# Passes not run here, and why (every other registered pass must be in GRAPH_PASSES, so a new pass is
# either checked or consciously left out):
SKIPPED = {
    "apply-patterns": "needs its `pattern` option; its engine is checked through canonicalize's patterns",
    "mixed-precision": "calibrates by interpreting the function many times: too slow for this budget",
    "interchange": "needs loop-level IR and a permutation option; not in a build pipeline",
    "tile": "needs loop-level IR and its `sizes` option; not in a build pipeline",
    "unroll": "needs loop-level IR and a factor; not in a build pipeline",
}
GRAPH_PASSES = ["canonicalize", "cse", "dce", "fold-constants", "fuse", "unfuse", "lower-graph-to-tensor"]
BUILD_LEVELS = ("-O0", "-O1", "-O2")


def _build_passes() -> set[str]:
    from passes.named_pipelines import compile_pipeline

    return {p.name for o in BUILD_LEVELS for p in compile_pipeline(o).passes()}


def test_every_registered_pass_is_checked_or_skipped_with_a_reason():
    registered = {n for n in all_passes() if not n.startswith("test-")}  # test-*: registered by other tests
    assert registered == set(GRAPH_PASSES) | _build_passes() | set(SKIPPED)


def assert_uses_attached(root: Operation) -> None:
    """Every use of every value defined under `root` is by an op reached by walking `root`."""
    attached = set(root.walk())
    for v in defined_values(root):
        for user, idx in v.uses:
            assert user in attached, (
                f"a use (operand #{idx}) of {v!r} belongs to '{user.name}', "
                f"which is {'detached' if user.parent is None else 'outside the module'}"
            )


@settings(deadline=None)  # examples: the hypothesis profile (ci: 60)
@given(graph_functions(max_ops=6), st.sampled_from(GRAPH_PASSES))
def test_uses_stay_attached_after_every_graph_pass(module, pass_name):
    # unfuse only acts on fused ops, so fuse runs first; each pass is checked after it runs
    for name in ("fuse", "unfuse") if pass_name == "unfuse" else (pass_name,):
        try:
            PassManager(f"builtin.module({name})", verify=False).run(module)
        except UnsupportedError:  # an op with no lowering yet (a clean refusal, not what this checks)
            reject()
        verify(module)
        check_use_lists(module)
        assert_uses_attached(module)


class _CheckUses(Instrumentation):
    """After each pass of a pipeline: the verifier, the use lists, and that every user is attached."""

    def after_pass(self, p, index, op, root, ctx, changed) -> None:
        try:
            verify(root)
            check_use_lists(root)
            assert_uses_attached(root)
        except Exception as e:
            raise AssertionError(f"after pass #{index} {p.name}: {e}") from e


@settings(deadline=None, max_examples=15)  # a whole build per example
@given(graph_functions(max_ops=5), st.sampled_from(BUILD_LEVELS))
def test_uses_stay_attached_after_every_pass_of_a_build(module, opt):
    from passes.named_pipelines import compile_pipeline

    try:
        PassManager(compile_pipeline(opt), verify=False, instrumentations=[_CheckUses()]).run(module)
    except UnsupportedError:  # an op with no lowering yet: refused cleanly, nothing to check
        reject()

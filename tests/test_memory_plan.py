"""Memory planning: no two live buffers overlap; reuse actually happens; aliases share storage."""

from hypothesis import given
from hypothesis import strategies as st

from passes.bufferize.memory_plan import Lifetime, check_plan, plan_memory


def test_chain_reuses_memory():
    # a -> b -> c -> d: only two buffers are alive at any step, so two slots suffice.
    lts = [Lifetime(n, 1000, i, i + 1) for i, n in enumerate("abcd")]
    plan = plan_memory(lts)
    check_plan(lts, plan)
    assert plan.arena_bytes == 2 * 1024
    assert plan.naive_bytes == 4 * 1024


def test_aliases_share_an_offset():
    lts = [Lifetime("x", 256, 0, 1), Lifetime("y", 256, 1, 2), Lifetime("z", 256, 0, 2)]
    plan = plan_memory(lts, aliases=[("x", "y")])
    assert plan.offsets["x"] == plan.offsets["y"]
    check_plan(lts, plan, aliases=[("x", "y")])


@given(
    st.lists(
        st.tuples(st.integers(1, 5000), st.integers(0, 30), st.integers(0, 10)),
        min_size=1,
        max_size=40,
    )
)
def test_random_lifetimes_never_overlap(items):
    lts = [Lifetime(f"b{i}", size, start, start + span) for i, (size, start, span) in enumerate(items)]
    plan = plan_memory(lts)
    check_plan(lts, plan)
    assert plan.arena_bytes <= plan.naive_bytes
    assert all(off % 64 == 0 for off in plan.offsets.values())

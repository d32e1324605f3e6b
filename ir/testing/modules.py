"""Random structurally valid modules: functions, unregistered ops with nested regions and blocks, multiple
results, attributes of every kind and provenance. For print/parse, clone and use-list properties.

The modules verify (unregistered ops have no rules) but have no semantics; parse them back with
`allow_unregistered=True`.
"""

from __future__ import annotations

from hypothesis import strategies as st

from ir.attributes import UnitAttr
from ir.core import Block, Operation, Value
from ir.dialects.builtin import FuncOp, ModuleOp, ReturnOp, new_module
from ir.testing.strategies import attribute_dicts, dense_elements_attrs, shaped_types, types
from ir.types import Type

_OP_NAMES = ["test.op", "test.compute", "foo.bar", "zz.multi_result", "test.with-dash"]


# Built once: constructing (and validating) recursive strategies on every draw is slow.
_VALUE_TYPES: st.SearchStrategy[Type] = st.one_of(types(function_types=False), shaped_types())
_ATTR_DICTS = attribute_dicts(max_size=2)
_PROVENANCE = st.lists(  # ONNX node names: no control characters (xDSL's loc() parser rejects escapes)
    st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='\\"'), max_size=10),
    max_size=2,
)
_DENSE = dense_elements_attrs()


def _value_types() -> st.SearchStrategy[Type]:
    return _VALUE_TYPES


@st.composite
def _ops_into(draw, block: Block, visible: list[Value], depth: int, budget: list[int]) -> None:
    """Appends random ops to `block`; each may use any value in `visible` (they all dominate it)."""
    n = draw(st.integers(0, 4))
    for _ in range(n):
        if budget[0] <= 0:
            return
        budget[0] -= 1
        operands = draw(st.lists(st.sampled_from(visible), max_size=3)) if visible else []
        result_types = draw(st.lists(_value_types(), max_size=3))
        props = draw(_ATTR_DICTS) if draw(st.booleans()) else {}
        attrs = draw(_ATTR_DICTS) if draw(st.booleans()) else {}
        provenance = tuple(draw(_PROVENANCE))
        nregions = draw(st.integers(0, 2)) if depth > 0 else 0
        op = Operation(
            operands,
            result_types,
            props,
            attrs,
            nregions,
            provenance,
            name=draw(st.sampled_from(_OP_NAMES)),
        )
        block.append(op)
        for region in op.regions:
            for _ in range(draw(st.integers(0, 2))):
                arg_types = draw(st.lists(_value_types(), max_size=2))
                inner = region.add_block(Block(arg_types))
                # Values of one block do not dominate a sibling block: each sees only the outer values.
                draw(_ops_into(inner, visible + list(inner.args), depth - 1, budget))
        visible.extend(op.results)


@st.composite
def random_functions(draw, name: str = "main", max_depth: int = 2, max_ops: int = 12) -> FuncOp:
    """A `func.func` whose body holds random unregistered ops (with nested regions) and a `func.return`."""
    in_types = draw(st.lists(_value_types(), max_size=3))
    f = FuncOp.create(name, in_types, [])
    if draw(st.booleans()):
        f.provenance = tuple(draw(_PROVENANCE))
    if draw(st.booleans()):
        f.attributes["zg.note"] = UnitAttr()
    visible: list[Value] = list(f.args)
    if draw(st.booleans()):
        from ir.dialects.graph.ops_core import Constant

        c = Constant.build(value=draw(_DENSE))
        f.body.append(c)
        visible.append(c.result)
    draw(_ops_into(f.body, visible, max_depth, [max_ops]))
    rets = draw(st.lists(st.sampled_from(visible), max_size=3)) if visible else []
    f.body.append(ReturnOp.build(rets))
    f.update_type()
    return f


@st.composite
def random_modules(draw, max_functions: int = 3, max_depth: int = 2, max_ops: int = 12) -> ModuleOp:
    """A `builtin.module` of 1..max_functions random functions with distinct names."""
    m = new_module()
    n = draw(st.integers(1, max_functions))
    for i in range(n):
        m.body.append(
            draw(random_functions(name="main" if i == 0 else f"f{i}", max_depth=max_depth, max_ops=max_ops))
        )
    return m


def defined_values(op: Operation) -> set[Value]:
    """Every value (result or block argument) defined inside `op`, `op`'s own results included."""
    out: set[Value] = set()
    for o in op.walk():
        out.update(o.results)
        for r in o.regions:
            for b in r.blocks:
                out.update(b.args)
    return out


def check_use_lists(op: Operation) -> None:
    """Asserts that every operand is recorded in its value's use list and every recorded use is real."""
    for o in op.walk():
        for i, v in enumerate(o.operands):
            assert (o, i) in v.uses, f"{o.name} operand #{i} is missing from its value's use list"
    for v in defined_values(op):
        for user, idx in v.uses:
            assert idx < len(user.operands) and user.operands[idx] is v, (
                f"stale use of a value by {user.name}"
            )

"""The verifier: structure, SSA dominance, use-def consistency, declared types, and each op's own rules.

Use lists are checked both ways: each operand's use is recorded, and each recorded use of a value
defined under the verified op belongs to an op attached under it (a use left by an erased or never
inserted op is corrupt IR that later rewrites would trip over). All checks are linear in the IR."""

from __future__ import annotations

from ir.attributes import attribute_problem
from ir.core import Block, Operation, Value
from ir.errors import VerifyError
from ir.opdef import IsolatedFromAbove, NoTerminator, SameOperandsAndResultType, Terminator
from ir.types import type_problem


def verify(op: Operation) -> None:
    """Raises VerifyError (naming the op and its location) at the first rule `op` or its contents break."""
    _Verifier(op).op(op, visible=set())


class _Verifier:
    def __init__(self, root: Operation):
        self.root = root
        self.attached: set[Operation] = set(root.walk())
        self.good_types: set = set()  # types already checked (types are hashable values)

    def check_type(self, t, what: str, op: Operation) -> None:
        """A negative dimension or zero-width integer (IR built through the Python API) is an error."""
        if t in self.good_types:
            return
        problem = type_problem(t)
        if problem:
            raise op.error(f"{what}: {problem}")
        self.good_types.add(t)

    def check_attributes(self, op: Operation) -> None:
        for kind, attrs in (("attribute", op.properties), ("discardable attribute", op.attributes)):
            for k, a in attrs.items():
                problem = attribute_problem(a)
                if problem:
                    raise op.error(f"{kind} '{k}': {problem}")

    def uses(self, v: Value, what: str, where: Operation, outside_ok: bool = False) -> None:
        """Every use of `v` (described as `what`, of op `where`) must belong to an attached op."""
        for user, idx in v.uses:
            if idx >= len(user._operands) or user._operands[idx] is not v:
                raise where.error(f"{what} has a stale use in '{user.name}' (corrupt IR)")
            if user in self.attached:
                continue
            if outside_ok and user.parent is not None:
                continue  # the verified op's own results may be used around it
            state = (
                "detached (erased or never inserted)"
                if user.parent is None
                else "outside the op under verification"
            )
            raise where.error(
                f"{what} is used (as operand #{idx}) by '{user.name}'{user.location_str()}, "
                f"which is {state} (corrupt IR: drop its references)"
            )

    def op(self, op: Operation, visible: set[Value]) -> None:
        for i, v in enumerate(op.operands):
            if (op, i) not in v.uses:
                raise op.error(f"use list of operand #{i} does not record this use (corrupt IR)")
            if v not in visible:
                raise op.error(f"operand #{i} {self._describe(v, op)}")
        for r in op.results:
            self.check_type(r.type, f"result #{r.index}", op)
            self.uses(r, f"result #{r.index}", op, outside_ok=op is self.root)
        self.check_attributes(op)
        self.declared(op)
        if op.has_trait(IsolatedFromAbove):
            inner: set[Value] = set()
        else:
            inner = visible
        for region in op.regions:
            if region.parent is not op:
                raise op.error("region's parent link is broken (corrupt IR)")
            scope = set(inner)
            for block in region.blocks:
                if block.parent is not region:
                    raise op.error("block's parent link is broken (corrupt IR)")
                for a in block.args:
                    self.check_type(a.type, f"block argument #{a.index}", op)
                    self.uses(a, f"block argument #{a.index}", op)
                scope.update(block.args)
                self.block(op, block, scope)
        op.verify_()

    def block(self, parent: Operation, block: Block, scope: set[Value]) -> None:
        needs_terminator = type(parent) is not Operation and not parent.has_trait(NoTerminator)
        for i, child in enumerate(block.ops):
            if child.parent is not block:
                raise child.error("op's parent link is broken (corrupt IR)")
            if child.has_trait(Terminator) and i != len(block.ops) - 1:
                raise child.error("a terminator must be the last op of its block")
            self.op(child, scope)
            scope.update(child.results)
        if needs_terminator and (not block.ops or not block.ops[-1].has_trait(Terminator)):
            last = f"'{block.ops[-1].name}'" if block.ops else "nothing"
            raise parent.error(f"block in its region must end with a terminator op, but ends with {last}")

    @staticmethod
    def _describe(v: Value, user: Operation) -> str:
        d = v.defining_op
        if d is not None and d.parent is not None and d.parent is user.parent:
            if d.parent.ops.index(d) > d.parent.ops.index(user):
                return f"is used before its definition by '{d.name}'"
        if d is not None and d.parent is None:
            return f"is defined by '{d.name}', which is not in any block (erased or never inserted)"
        if any(a.has_trait(IsolatedFromAbove) for a in user.ancestors()) and d is not None:
            return f"(defined by '{d.name}') is not visible here: it does not dominate this use"
        return "does not dominate this use"

    @staticmethod
    def declared(op: Operation) -> None:
        """Checks the op against its declaration: operand/result counts, constraints, attributes, regions."""
        if type(op) is Operation:
            return  # unregistered op: nothing declared
        defs = op.operand_defs
        fixed = sum(1 for d in defs if not (d.variadic or d.optional))
        flexible = [d for d in defs if d.variadic or d.optional]
        n = len(op.operands)
        if not flexible and n != fixed:
            raise op.error(f"expects {fixed} operands, got {n}")
        if flexible and n < fixed:
            raise op.error(f"expects at least {fixed} operands, got {n}")
        if len(flexible) == 1 and not flexible[0].variadic and n > fixed + 1:
            raise op.error(f"expects at most {fixed + 1} operands, got {n}")
        try:
            for d in defs:
                g = op.operand_group(d.name)
                vals = g if isinstance(g, list) else ([] if g is None else [g])
                for v in vals:
                    if d.constraint is not None and not d.constraint(v.type):
                        raise op.error(f"operand '{d.name}' has unexpected type {v.type}")
        except (IndexError, VerifyError) as e:
            if isinstance(e, VerifyError) and str(e).startswith("'"):
                raise
            raise op.error(f"operand segments do not match the operands: {e}") from None
        rdefs = op.result_defs
        if not any(d.variadic for d in rdefs) and len(op.results) != len(rdefs):
            raise op.error(f"expects {len(rdefs)} results, got {len(op.results)}")
        for k, d in op.attr_defs.items():
            a = op.properties.get(k)
            if a is None:
                if d.required:
                    raise op.error(f"requires attribute '{k}' ({d.kind.name})")
            elif not d.kind.check(a):
                raise op.error(f"attribute '{k}' must be {d.kind.name}, got {a}")
        for k in op.properties:
            if k not in op.attr_defs and k not in ("operandSegmentSizes", "resultSegmentSizes"):
                raise op.error(
                    f"unknown attribute '{k}' (declared: {', '.join(sorted(op.attr_defs)) or 'none'})"
                )
        if len(op.regions) != len(op.region_defs):
            raise op.error(f"expects {len(op.region_defs)} regions, got {len(op.regions)}")
        if op.has_trait(SameOperandsAndResultType):
            types = {v.type for v in op.operands} | set(op.result_types)
            if len(types) > 1:
                raise op.error(f"operands and results must all have one type, got {sorted(map(str, types))}")


def verify_or_raise(op: Operation, context: str = "") -> None:
    try:
        verify(op)
    except VerifyError as e:
        raise VerifyError(f"{context}{e}") from None

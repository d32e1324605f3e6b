"""Patterns as data: a match tree of op patterns and variables, constraints, and a result template or
a native Python rewrite.

    x, w, b = Var("x"), Var("w"), Var("b", where=is_constant)
    Pattern("fuse-conv-bias-relu",
            match=m.Relu(m.Add(either(m.Conv(x, w), b))),
            rewrite=t.FusedConv(x, w, b, activation="relu"))

`m.Name(...)` / `t.Name(...)` look ops up by graph op class name, ONNX name, or full op name.
A Var binds on first use and must match the same Value later. `either(a, b)` lets a commutative op's
two operands match in either order. Benefit defaults to the number of ops in the match tree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ir.core import Operation, OpResult, Value, lookup_op

# ----------------------------------------------------------------------------- op lookup


def resolve_op(name: str | type[Operation]) -> type[Operation]:
    """An op class from a class, full op name (`graph.relu`), ONNX op type (`Relu`) or class name."""
    if isinstance(name, type):
        return name
    import ir.dialects  # noqa: F401  (registers every dialect)
    from ir.core import OP_REGISTRY
    from ir.dialects.graph.base import by_onnx_name

    cls = lookup_op(name) if "." in name else None
    cls = cls or by_onnx_name(name)
    if cls is None:
        graph = [c for n, c in OP_REGISTRY.items() if n.startswith("graph.") and c.__name__ == name]
        others = [c for c in OP_REGISTRY.values() if c.__name__ == name]
        cls = (graph or others or [None])[0]
    if cls is None:
        raise KeyError(f"unknown op '{name}'")
    return cls


# ----------------------------------------------------------------------------- match tree


@dataclass(frozen=True, eq=False)
class Var:
    """A pattern variable: matches any Value (subject to `where(value)`); binds on first use."""

    name: str
    where: Callable[[Value], bool] | None = None

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True, eq=False)
class OpPat:
    """Matches a value produced by (or, at the root, an op of) class `op` whose operands match
    `operands` (patterns, Vars, or an `Either` of two); `attrs` maps attribute names to a required
    value or a predicate; `where(op)` constrains the op; `bind` names the matched op; `one_use` asks
    that the (non-root) op's result have a single use."""

    op: type[Operation]
    operands: tuple[Any, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    where: Callable[[Operation], bool] | None = None
    bind: str | None = None
    one_use: bool = False

    def count_ops(self) -> int:
        n = 1
        for o in self.operands:
            if isinstance(o, OpPat):
                n += o.count_ops()
            elif isinstance(o, Either):
                n += sum(x.count_ops() for x in o.items if isinstance(x, OpPat))
        return n

    def __repr__(self) -> str:
        args = [repr(o) for o in self.operands] + [f"{k}={v!r}" for k, v in self.attrs.items()]
        return f"{self.op.__name__}({', '.join(args)})"


@dataclass(frozen=True, eq=False)
class Either:
    """Two operand patterns that may match a commutative op's first two operands in either order."""

    items: tuple[Any, Any]

    def __repr__(self) -> str:
        return f"either({self.items[0]!r}, {self.items[1]!r})"


def either(a, b) -> Either:
    return Either((a, b))


class _OpNamespace:
    """`m.Relu(x)` builds an OpPat; `t.Relu(x)` a template node."""

    def __init__(self, make):
        self._make = make

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        cls = resolve_op(name)
        return lambda *args, **kw: self._make(cls, *args, **kw)


def op_pattern(cls, *operands, where=None, bind=None, one_use=False, **attrs) -> OpPat:
    return OpPat(resolve_op(cls), tuple(operands), attrs, where, bind, one_use)


def template(cls, *operands, result_types=None, **attrs) -> Template:
    return Template(resolve_op(cls), tuple(operands), attrs, result_types)


m = _OpNamespace(op_pattern)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Template:
    """Creates `op` from operands (Vars, nested Templates) and attributes (values, or callables of the
    Match); result types are inferred, or the replaced root's when `result_types` is "root"."""

    op: type[Operation]
    operands: tuple[Any, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    result_types: Any = None

    def __repr__(self) -> str:
        args = [repr(o) for o in self.operands] + [f"{k}={v!r}" for k, v in self.attrs.items()]
        return f"{self.op.__name__}({', '.join(args)})"


t = _OpNamespace(template)


@dataclass
class Match:
    """A successful match: the root op, bound values by name, bound ops by name, all matched ops."""

    root: Operation
    values: dict[str, Value] = field(default_factory=dict)
    ops: dict[str, Operation] = field(default_factory=dict)
    matched: list[Operation] = field(default_factory=list)

    def __getitem__(self, name: str):
        return self.values[name] if name in self.values else self.ops[name]

    @property
    def provenance(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for op in self.matched:
            for p in op.provenance:
                seen[p] = None
        return tuple(seen)


# ----------------------------------------------------------------------------- matching


def _attr_ok(op: Operation, name: str, want) -> bool:
    if name in op.attr_defs:
        have = getattr(op, name)
    elif name in op.properties:
        have = op.properties[name]
    else:
        have = op.attributes.get(name)
    if callable(want) and not isinstance(want, type):
        return bool(want(have))
    if isinstance(have, (list, tuple)) and isinstance(want, (list, tuple)):
        return list(have) == list(want)
    return have == want


def _match_value(p, v: Value, mt: Match) -> bool:
    if isinstance(p, Var):
        if p.name == "_":
            return p.where is None or bool(p.where(v))
        bound = mt.values.get(p.name)
        if bound is not None:
            return bound is v
        if p.where is not None and not p.where(v):
            return False
        mt.values[p.name] = v
        return True
    if isinstance(p, OpPat):
        if not isinstance(v, OpResult):
            return False
        if p.one_use and len(v.uses) != 1:
            return False
        return _match_op(p, v.op, mt)
    raise TypeError(f"bad operand pattern {p!r}")


def _snapshot(mt: Match):
    return dict(mt.values), dict(mt.ops), len(mt.matched)


def _restore(mt: Match, snap) -> None:
    mt.values, mt.ops = dict(snap[0]), dict(snap[1])
    del mt.matched[snap[2] :]


def _match_op(p: OpPat, op: Operation, mt: Match) -> bool:
    if not isinstance(op, p.op) or op.name != p.op.name:
        return False
    operands = op.operands
    flat: list = []
    eith: Either | None = None
    for o in p.operands:
        if isinstance(o, Either):
            eith = o
            flat.extend(o.items)
        else:
            flat.append(o)
    if len(flat) != len(operands):
        return False
    for k, want in p.attrs.items():
        if not _attr_ok(op, k, want):
            return False
    if p.bind:
        prev = mt.ops.get(p.bind)
        if prev is not None and prev is not op:
            return False
        mt.ops[p.bind] = op
    mt.matched.append(op)
    orders = [flat]
    if eith is not None:
        i = flat.index(eith.items[0])
        swapped = list(flat)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        orders.append(swapped)
    for order in orders:
        snap = _snapshot(mt)
        if all(_match_value(sp, v, mt) for sp, v in zip(order, operands)) and (
            p.where is None or p.where(op)
        ):
            return True
        _restore(mt, snap)
    mt.matched.pop()
    if p.bind:
        mt.ops.pop(p.bind, None)
    return False


def match(p: OpPat, op: Operation) -> Match | None:
    """Matches `p` rooted at `op`; a Match or None."""
    mt = Match(op)
    return mt if _match_op(p, op, mt) else None


# ----------------------------------------------------------------------------- patterns

RewriteFn = Callable[[Any, Match], Any]  # (rewriter, match) -> None/True (applied) or False (declined)


@dataclass(frozen=True, eq=False)
class Pattern:
    """A named rewrite: `match` (an OpPat), `rewrite` (a Template or a function(rewriter, match)),
    `where(match) -> bool` constraints over several bindings, `benefit` (default: ops matched)."""

    name: str
    match: OpPat
    rewrite: Template | RewriteFn
    where: Callable[[Match], bool] | None = None
    benefit: int | None = None
    summary: str = ""
    text: str = ""

    @property
    def root_op(self) -> type[Operation]:
        return self.match.op

    @property
    def effective_benefit(self) -> int:
        return self.benefit if self.benefit is not None else self.match.count_ops()

    def try_match(self, op: Operation) -> Match | None:
        mt = match(self.match, op)
        if mt is not None and self.where is not None and not self.where(mt):
            return None
        return mt

    def describe(self) -> str:
        if self.text:
            return self.text
        rw = (
            repr(self.rewrite)
            if isinstance(self.rewrite, Template)
            else f"<{getattr(self.rewrite, '__name__', 'native')}>"
        )
        return f"{self.match!r} -> {rw}"

    def apply(self, rewriter, mt: Match) -> bool:
        """Rewrites the match; False when a native rewrite declines."""
        if isinstance(self.rewrite, Template):
            rewriter.set_insertion_point_before(mt.root)
            new = instantiate(self.rewrite, rewriter, mt, root=True)
            values = list(new.results) if isinstance(new, Operation) else [new]
            rewriter.replace_op(mt.root, values)
            return True
        out = self.rewrite(rewriter, mt)
        return out is None or bool(out)


def instantiate(tp, rewriter, mt: Match, root: bool = False):
    """Builds a template (recursively) at the rewriter's insertion point; returns the op or Value."""
    if isinstance(tp, Var):
        return mt.values[tp.name]
    if isinstance(tp, Value):
        return tp
    if not isinstance(tp, Template):
        raise TypeError(f"bad template operand {tp!r}")
    operands = [instantiate(o, rewriter, mt) for o in tp.operands]
    operands = [o.result if isinstance(o, Operation) else o for o in operands]
    attrs = {k: (v(mt) if callable(v) and not isinstance(v, type) else v) for k, v in tp.attrs.items()}
    rt = tp.result_types
    if rt == "root" or (rt is None and root and _same_arity(tp.op, mt.root)):
        rt = list(mt.root.result_types) if rt == "root" else None
    if callable(rt):
        rt = rt(mt)
    op = tp.op.build(*operands, result_types=rt, provenance=mt.provenance, **attrs)
    if root and rt is None and list(op.result_types) != list(mt.root.result_types):
        if len(op.results) == len(mt.root.results):  # keep the replaced op's (possibly refined) types
            op = tp.op.build(
                *operands, result_types=list(mt.root.result_types), provenance=mt.provenance, **attrs
            )
    return rewriter.insert(op)


def _same_arity(cls, op: Operation) -> bool:
    return len(cls.result_defs) == len(op.results)


__all__ = [
    "Var",
    "OpPat",
    "Either",
    "either",
    "m",
    "t",
    "Template",
    "Pattern",
    "Match",
    "match",
    "op_pattern",
    "template",
    "resolve_op",
    "instantiate",
]

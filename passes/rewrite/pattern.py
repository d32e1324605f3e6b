"""Patterns as data: a match tree of op patterns and variables, constraints, and a result template or
a native Python rewrite.

    x, w, b = Var("x"), Var("w"), Var("b", where=is_constant)
    Pattern("fuse-conv-bias-relu",
            match=m.Relu(m.Add(either(m.Conv(x, w), b))),
            rewrite=t.FusedConv(x, w, b, activation="relu"))

`m.Name(...)` / `t.Name(...)` look ops up by graph op class name, ONNX name, or full op name.
A Var binds on first use and must match the same Value later. `either(a, b)` lets a commutative op's
two operands match in either order; `optional(p)` matches an optional operand (Conv's bias, Gemm's C)
that may be absent, binding its variables to None then. A Pattern's `where(match)` may return a
mapping of computed bindings (new constant arrays, attribute values) that the template reads through
Vars. Benefit defaults to the number of ops in the match tree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
            elif isinstance(o, OptionalOperand) and isinstance(o.item, OpPat):
                n += o.item.count_ops()
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


@dataclass(frozen=True, eq=False)
class OptionalOperand:
    """An operand pattern (a Var or an OpPat) for an optional operand that may be absent; when it is,
    the Vars inside bind to None (a template passes None on, which builds the op without it)."""

    item: Any

    def __repr__(self) -> str:
        return f"optional({self.item!r})"


def optional(p) -> OptionalOperand:
    return OptionalOperand(p)


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


def template(cls, *operands, result_types=None, provenance=None, copy_attrs=None, **attrs) -> Template:
    return Template(resolve_op(cls), tuple(operands), attrs, result_types, provenance, copy_attrs)


m = _OpNamespace(op_pattern)


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Template:
    """Creates `op` from operands (Vars, nested Templates, None for an absent optional operand) and
    attributes (values, Vars naming a binding, or callables of the Match). The root template takes the
    replaced op's result types (as the replaced op may carry refined types); nested ones infer theirs,
    unless `result_types` (a list, "root", or a callable of the Match) says otherwise. `provenance` (a
    tuple of bound op names, or a callable of the Match) defaults to every matched op's; `copy_attrs`
    names a bound op whose attributes are copied first (explicit `attrs` override them)."""

    op: type[Operation]
    operands: tuple[Any, ...] = ()
    attrs: dict[str, Any] = field(default_factory=dict)
    result_types: Any = None
    provenance: Any = None
    copy_attrs: str | None = None

    def __repr__(self) -> str:
        args = [repr(o) for o in self.operands] + [f"{k}={v!r}" for k, v in self.attrs.items()]
        return f"{self.op.__name__}({', '.join(args)})"


t = _OpNamespace(template)


@dataclass
class Match:
    """A successful match: the root op, bound values by name (None for an absent optional operand),
    bound ops by name, all matched ops, and the bindings a Pattern's `where` computed."""

    root: Operation
    values: dict[str, Value | None] = field(default_factory=dict)
    ops: dict[str, Operation] = field(default_factory=dict)
    matched: list[Operation] = field(default_factory=list)
    computed: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str):
        for d in (self.values, self.computed, self.ops):
            if name in d:
                return d[name]
        raise KeyError(name)

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


def _bind_absent(p, mt: Match) -> bool:
    """An optional operand is absent: its Vars bind to None (or must already be None)."""
    if isinstance(p, Var):
        if p.name == "_":
            return True
        if p.name in mt.values:
            return mt.values[p.name] is None
        mt.values[p.name] = None
        return True
    return isinstance(p, OpPat)  # an absent optional op: nothing to bind


def _match_value(p, v: Value | None, mt: Match) -> bool:
    if isinstance(p, OptionalOperand):
        return _bind_absent(p.item, mt) if v is None else _match_value(p.item, v, mt)
    if v is None:
        return False  # a required operand pattern against an absent optional operand
    if isinstance(p, Var):
        if p.name == "_":
            return p.where is None or bool(p.where(v))
        if p.name in mt.values:
            return mt.values[p.name] is v
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
    values = _align(flat, op) if any(isinstance(o, OptionalOperand) for o in flat) else list(operands)
    if values is None or len(values) != len(flat):
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
        if all(_match_value(sp, v, mt) for sp, v in zip(order, values)) and (p.where is None or p.where(op)):
            return True
        _restore(mt, snap)
    mt.matched.pop()
    if p.bind:
        mt.ops.pop(p.bind, None)
    return False


def _align(items: list, op: Operation) -> list[Value | None] | None:
    """The op's operands lined up with operand patterns some of which are optional (None where absent).

    When the patterns follow the op's declared operand fields one for one, the fields decide (so any
    optional field may be the absent one); otherwise present operands fill the patterns in order and
    the trailing optional patterns are the absent ones."""
    operands = op.operands
    defs = op.operand_defs
    if type(op) is not Operation and len(defs) == len(items) and not any(d.variadic for d in defs):
        try:
            return [op.operand_group(d.name) for d in defs]
        except Exception:  # noqa: BLE001 - malformed segments: fall back to positions
            pass
    absent = len(items) - len(operands)
    opt = [i for i, p in enumerate(items) if isinstance(p, OptionalOperand)]
    if absent < 0 or absent > len(opt):
        return None
    missing = set(opt[len(opt) - absent :]) if absent else set()
    it = iter(operands)
    return [None if i in missing else next(it) for i in range(len(items))]


def match(p: OpPat, op: Operation) -> Match | None:
    """Matches `p` rooted at `op`; a Match or None."""
    mt = Match(op)
    return mt if _match_op(p, op, mt) else None


# ----------------------------------------------------------------------------- patterns

RewriteFn = Callable[[Any, Match], Any]  # (rewriter, match) -> None/True (applied) or False (declined)


@dataclass(frozen=True, eq=False)
class Pattern:
    """A named rewrite: `match` (an OpPat), `rewrite` (a Template or a function(rewriter, match)),
    `where(match)` constraints over several bindings, `benefit` (default: ops matched).

    `where` returns True to accept, False (or None) to decline, or a mapping of computed bindings
    (name -> array, attribute value or Value) to accept with: templates read them through Vars."""

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
        if mt is None or self.where is None:
            return mt
        out = self.where(mt)
        if isinstance(out, Mapping):
            mt.computed.update(out)
            return mt
        return mt if out else None

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


def _binding(mt: Match, name: str):
    for d in (mt.values, mt.computed):
        if name in d:
            return d[name]
    raise KeyError(f"template variable '{name}' is not bound by the match or its constraint")


def instantiate(tp, rewriter, mt: Match, root: bool = False):
    """Builds a template (recursively) at the rewriter's insertion point; returns the op or Value.

    Each template op is built exactly once and inserted at once, so nothing built is left detached
    holding uses of its operands. Should building fail part-way, the ops already inserted for this
    template are erased again before the error propagates."""
    created: list[Operation] = []
    try:
        return _instantiate(tp, rewriter, mt, root, created)
    except Exception:
        for op in reversed(created):
            if op.parent is not None and not op.has_uses:
                rewriter.erase_op(op)
        raise


def _instantiate(tp, rewriter, mt: Match, root: bool, created: list[Operation]):
    if isinstance(tp, Var):
        return _binding(mt, tp.name)
    if tp is None or isinstance(tp, Value):
        return tp
    if not isinstance(tp, Template):
        raise TypeError(f"bad template operand {tp!r}")
    operands = [_instantiate(o, rewriter, mt, False, created) for o in tp.operands]
    operands = [o.result if isinstance(o, Operation) else o for o in operands]
    attrs: dict[str, Any] = {}
    if tp.copy_attrs is not None:
        src = mt.ops[tp.copy_attrs]
        for k, a in src.properties.items():
            d = tp.op.attr_defs.get(k)
            if d is not None:
                attrs[k] = d.kind.from_attr(a)
    for k, v in tp.attrs.items():
        if isinstance(v, Var):
            v = _binding(mt, v.name)
        elif callable(v) and not isinstance(v, type):
            v = v(mt)
        attrs[k] = v
    rt = tp.result_types
    if rt == "root":
        rt = list(mt.root.result_types)
    elif callable(rt):
        rt = rt(mt)
    elif rt is None and root and _same_arity(tp.op, mt.root):
        rt = list(mt.root.result_types)  # keep the replaced op's (possibly refined) types
    op = tp.op.build(*operands, result_types=rt, provenance=_provenance(tp, mt), **attrs)
    if root and tp.result_types is None and len(op.results) == len(mt.root.results):
        for r, want in zip(op.results, mt.root.result_types):
            r.type = want  # a variadic result group inferred to the root's arity; not yet used
    created.append(rewriter.insert(op))
    return op


def _provenance(tp: Template, mt: Match) -> tuple[str, ...]:
    p = tp.provenance
    if p is None:
        return mt.provenance
    if callable(p):
        return tuple(p(mt))
    return tuple(dict.fromkeys(x for name in p for x in mt.ops[name].provenance))


def _same_arity(cls, op: Operation) -> bool:
    return not any(d.variadic for d in cls.result_defs) and len(cls.result_defs) == len(op.results)


__all__ = [
    "Var",
    "OpPat",
    "Either",
    "either",
    "OptionalOperand",
    "optional",
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

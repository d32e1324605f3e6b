"""Loop-nest emission for `lower-tensor-to-loops`: a `Nest` (iteration space, accesses, scalar body,
elementwise epilogues) becomes loop.for nests with loop.load / loop.store and the body's scalar ops.

Order: the chosen outer parallel dimension, the other parallel dimensions (in order), then the
reduction dimensions (in lexicographic order, so results equal the tensor.generic semantics exactly);
reductions accumulate in loop-carried values started from the init. Loops over parallel dimensions
carry the discardable unit attribute `zg.parallel` (what `parallelize` and `interchange` rely on).
Accesses that may leave their buffer (padding) load from a clamped index and select the pad value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ir.affine import AffineBinary, AffineConst, AffineDim, AffineExpr
from ir.attributes import UnitAttr
from ir.core import Block, Operation, Region, Value
from ir.dialects import arith, loop
from ir.types import FloatType, Type, index

PARALLEL_MARK = "zg.parallel"


class KernelBuilder:
    """Appends ops to a current block; scalar constants are hoisted to the kernel's entry (cached)."""

    def __init__(self, entry: Block, provenance: Sequence[str] = ()):
        self.entry = entry
        self.block = entry
        self.provenance = tuple(provenance)
        self._consts: dict[tuple, Value] = {}
        self._const_ops: list[Operation] = []

    def emit(self, op: Operation) -> Value | Operation:
        op.provenance = op.provenance or self.provenance
        self.block.append(op)
        return op.result if len(op.results) == 1 else op

    def const(self, value, t: Type = index) -> Value:
        key = (str(t), float(value) if isinstance(t, FloatType) else int(value))
        if key not in self._consts:
            op = arith.ConstantOp.create(value, t)
            op.provenance = self.provenance
            self._const_ops.append(op)
            self._consts[key] = op.result
        return self._consts[key]

    def finish(self) -> None:
        """Puts the hoisted constants at the start of the entry block."""
        for op in reversed(self._const_ops):
            self.entry.insert(0, op)

    def for_loop(self, lo, hi, step=1, carried: Sequence[Value] = (), parallel: bool = False) -> loop.ForOp:
        """Appends a loop.for (bounds: ints or index values) and makes its body the current block."""
        vals = [self.const(x) if isinstance(x, int) else x for x in (lo, hi, step)]
        body = Block([index, *[v.type for v in carried]])
        f = loop.ForOp.build(*vals, list(carried), regions=[Region([body])], provenance=self.provenance)
        if parallel:
            f.attributes[PARALLEL_MARK] = UnitAttr()
        self.block.append(f)
        self.block = body
        return f

    def close(self, f: Operation, values: Sequence[Value] = ()) -> None:
        """Ends loop `f`'s body with loop.yield and returns to the block holding `f`."""
        f.regions[0].block.append(loop.YieldOp.build(list(values), provenance=self.provenance))
        self.block = f.parent

    # -- index arithmetic

    def expr(self, e: AffineExpr, ivs: dict[int, Value]) -> Value:
        if isinstance(e, AffineDim):
            return ivs[e.position]
        if isinstance(e, AffineConst):
            return self.const(e.value)
        assert isinstance(e, AffineBinary), e
        if e.kind == "*" and isinstance(e.rhs, AffineConst) and e.rhs.value == 1:
            return self.expr(e.lhs, ivs)
        if e.kind == "+" and isinstance(e.rhs, AffineConst) and e.rhs.value == 0:
            return self.expr(e.lhs, ivs)
        a, b = self.expr(e.lhs, ivs), self.expr(e.rhs, ivs)
        cls = {
            "+": arith.AddIOp,
            "*": arith.MulIOp,
            "floordiv": arith.FloorDivSIOp,
            "ceildiv": arith.CeilDivSIOp,
            "mod": arith.RemSIOp,
        }[e.kind]
        return self.emit(cls.build(a, b))


def interval(e: AffineExpr, extents: Sequence[int]) -> tuple[int, int]:
    """Smallest and largest value of `e` for d_k in [0, extents[k])."""
    from ir.dialects.tensor import _interval

    return _interval(e, extents)


@dataclass
class Access:
    """buffer[exprs(dims)]; with `pad` set, out-of-bounds positions read `pad` instead (checked against
    `lo`/`hi` per position when given, else [0, size))."""

    mem: Value
    exprs: tuple[AffineExpr, ...]
    pad: float | int | None = None


@dataclass
class Epilogue:
    """An elementwise step after the main body: body(kb, prev, ins, ivs) -> new value(s)."""

    ins: list[Access | Value | None]
    body: Callable


@dataclass
class Nest:
    extents: list[int]
    iters: list[str]
    ins: list[Access | Value | None]  # a scalar Value is used as is; None: not needed by the body
    outs: list[Access]
    inits: list[Access | Value | None]  # None: undefined (loaded from the output when used)
    body: Callable  # body(kb, ins, accs, ivs) -> list of new accumulator values
    epilogues: list[Epilogue] = field(default_factory=list)
    init_needed: list[bool] | None = None


def outer_dim(extents: Sequence[int], iters: Sequence[str], bound: Sequence[int] = ()) -> int | None:
    """The parallel dimension to put outermost: the first with at least 2 iterations."""
    par = [d for d, t in enumerate(iters) if t == "parallel" and d not in bound]
    if not par:
        return None
    for d in par:
        if extents[d] >= 2:
            return d
    return par[0]


def load(kb: KernelBuilder, a: Access | Value | None, ivs: dict[int, Value], extents) -> Value | None:
    if a is None or isinstance(a, Value):
        return a
    shape = a.mem.type.shape
    idx = [kb.expr(e, ivs) for e in a.exprs]
    if a.pad is None:
        return kb.emit(loop.LoadOp.build(a.mem, idx))
    cond = None
    safe = []
    for e, i, size in zip(a.exprs, idx, shape):
        lo, hi = interval(e, extents)
        if lo >= 0 and hi < size:
            safe.append(i)
            continue
        c = None
        if lo < 0:
            c = kb.emit(arith.CmpIOp.build(i, kb.const(0), predicate="sge"))
            i = kb.emit(arith.MaxSIOp.build(i, kb.const(0)))
        if hi >= size:
            c2 = kb.emit(arith.CmpIOp.build(i, kb.const(size), predicate="slt"))
            c = c2 if c is None else kb.emit(arith.AndIOp.build(c, c2))
            i = kb.emit(arith.MinSIOp.build(i, kb.const(size - 1)))
        cond = c if cond is None else kb.emit(arith.AndIOp.build(cond, c))
        safe.append(i)
    v = kb.emit(loop.LoadOp.build(a.mem, safe))
    if cond is None:
        return v
    return kb.emit(arith.SelectOp.build(cond, v, kb.const(a.pad, v.type)))


def store(kb: KernelBuilder, a: Access, value: Value, ivs: dict[int, Value]) -> None:
    kb.emit(loop.StoreOp.build(value, a.mem, [kb.expr(e, ivs) for e in a.exprs]))


def emit_nest(kb: KernelBuilder, nest: Nest, bound: dict[int, Value] | None = None) -> None:
    """Appends the loops of `nest` at the current block (dims in `bound` already have values)."""
    ivs = dict(bound or {})
    par = [d for d, t in enumerate(nest.iters) if t == "parallel" and d not in ivs]
    red = [d for d, t in enumerate(nest.iters) if t == "reduction"]
    first = outer_dim(nest.extents, nest.iters, list(ivs))
    if first is not None:
        par = [first] + [d for d in par if d != first]
    opened = []
    for d in par:
        f = kb.for_loop(0, nest.extents[d], 1, parallel=True)
        ivs[d] = f.induction_var
        opened.append(f)
    needed = nest.init_needed or [True] * len(nest.outs)
    accs = []
    for j, (init, out) in enumerate(zip(nest.inits, nest.outs)):
        if not needed[j] and not red:
            accs.append(None)
        elif init is None:
            accs.append(load(kb, out, ivs, nest.extents))
        else:
            accs.append(load(kb, init, ivs, nest.extents))
    if red:
        rloops = []
        for d in red:
            f = kb.for_loop(0, nest.extents[d], 1, carried=accs)
            ivs[d] = f.induction_var
            accs = list(f.regions[0].block.args[1:])
            rloops.append(f)
        ins = [load(kb, a, ivs, nest.extents) for a in nest.ins]
        accs = list(nest.body(kb, ins, accs, ivs))
        for f in reversed(rloops):
            kb.close(f, accs)
            accs = list(f.results)
    else:
        ins = [load(kb, a, ivs, nest.extents) for a in nest.ins]
        accs = list(nest.body(kb, ins, accs, ivs))
    for ep in nest.epilogues:
        extra = [load(kb, a, ivs, nest.extents) for a in ep.ins]
        accs = list(ep.body(kb, accs, extra, ivs))
    for out, v in zip(nest.outs, accs):
        store(kb, out, v, ivs)
    for f in reversed(opened):
        kb.close(f)


def clone_body(kb: KernelBuilder, block: Block, args: Sequence[Value | None], ivs_of_dim) -> list[Value]:
    """Clones a tensor.generic body at the current block: block args -> `args`, generic_index -> the
    loop value of its dimension; returns the yielded values."""
    from ir.dialects.tensor import GenericIndexOp

    mapping: dict[Value, Value] = {a: v for a, v in zip(block.args, args) if v is not None}
    for op in block.ops[:-1]:
        if isinstance(op, GenericIndexOp):
            mapping[op.result] = ivs_of_dim(op.dim)
            continue
        if isinstance(op, arith.ConstantOp) and not op.regions:
            a = op.properties["value"]
            if hasattr(a, "value") and not hasattr(a, "array"):
                mapping[op.result] = kb.const(a.value, op.result.type)
                continue
        c = op.clone(mapping)
        c.provenance = c.provenance or kb.provenance
        kb.block.append(c)
        for x, y in zip(op.results, c.results):
            mapping[x] = y
    return [mapping.get(v, v) for v in block.ops[-1].operands]

"""The IR's data structures, as in MLIR: Value, Operation, Block, Region.

Values keep use lists so `replace_all_uses_with` is cheap. Ops are declared as subclasses of
`Operation` with the fields of `ir.opdef`; every subclass with a `name` is registered by that name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from ir.attributes import Attribute, DenseArrayAttr
from ir.errors import VerifyError
from ir.opdef import AttrDef, OperandDef, RegionDef, ResultDef, Trait
from ir.types import Type, i32

OP_REGISTRY: dict[str, type[Operation]] = {}


def lookup_op(name: str) -> type[Operation] | None:
    """The registered class for an op name, or None."""
    return OP_REGISTRY.get(name)


def registered_dialects() -> dict[str, list[str]]:
    """Dialect name -> sorted op names."""
    out: dict[str, list[str]] = {}
    for name in OP_REGISTRY:
        out.setdefault(name.split(".", 1)[0], []).append(name)
    return {k: sorted(v) for k, v in sorted(out.items())}


# ----------------------------------------------------------------------------- values


class Value:
    """An SSA value: an op result or a block argument. `uses` holds (op, operand index) pairs."""

    __slots__ = ("type", "uses", "name_hint")

    def __init__(self, type_: Type, name_hint: str = ""):
        self.type = type_
        self.uses: dict[tuple[Operation, int], None] = {}
        self.name_hint = name_hint

    @property
    def users(self) -> list[Operation]:
        seen: dict[Operation, None] = {}
        for op, _ in self.uses:
            seen[op] = None
        return list(seen)

    @property
    def has_uses(self) -> bool:
        return bool(self.uses)

    def replace_all_uses_with(self, new: Value) -> None:
        """Points every use of this value at `new`."""
        if new is self:
            return
        for op, idx in list(self.uses):
            op.set_operand(idx, new)

    def replace_uses_if(self, new: Value, predicate) -> None:
        for op, idx in list(self.uses):
            if predicate(op, idx):
                op.set_operand(idx, new)

    @property
    def owner(self):  # pragma: no cover - subclasses define it
        raise NotImplementedError

    @property
    def defining_op(self) -> Operation | None:
        return None


class OpResult(Value):
    """The `index`-th result of `op`."""

    __slots__ = ("op", "index")

    def __init__(self, type_: Type, op: Operation, index: int):
        super().__init__(type_)
        self.op = op
        self.index = index

    @property
    def owner(self) -> Operation:
        return self.op

    @property
    def defining_op(self) -> Operation:
        return self.op

    def __repr__(self) -> str:
        return f"<OpResult #{self.index} of {self.op.name}: {self.type}>"


class BlockArgument(Value):
    """The `index`-th argument of `block`."""

    __slots__ = ("block", "index")

    def __init__(self, type_: Type, block: Block, index: int, name_hint: str = ""):
        super().__init__(type_, name_hint)
        self.block = block
        self.index = index

    @property
    def owner(self) -> Block:
        return self.block

    def __repr__(self) -> str:
        return f"<BlockArgument #{self.index}: {self.type}>"


# ----------------------------------------------------------------------------- operation


def _segments(defs, count: int, sizes: Sequence[int] | None, what: str) -> list[tuple[int, int]]:
    """(start, length) of each declared group, given the flat count and optional segment sizes."""
    if sizes is not None:
        out, start = [], 0
        for n in sizes:
            out.append((start, n))
            start += n
        return out
    flexible = [i for i, d in enumerate(defs) if d.variadic or getattr(d, "optional", False)]
    fixed = len(defs) - len(flexible)
    if len(flexible) > 1:
        raise VerifyError(f"op needs {what}SegmentSizes to split its {what}s among several optional groups")
    out, start = [], 0
    for i, _ in enumerate(defs):
        n = (count - fixed) if i in flexible else 1
        out.append((start, n))
        start += n
    return out


class Operation:
    """An operation: name, operands, results, inherent properties, discardable attributes, regions.

    `provenance` names the ONNX nodes the op came from (printed as an MLIR location).
    """

    name: ClassVar[str] = ""
    traits: ClassVar[tuple[type[Trait], ...]] = ()
    operand_defs: ClassVar[tuple[OperandDef, ...]] = ()
    result_defs: ClassVar[tuple[ResultDef, ...]] = ()
    attr_defs: ClassVar[dict[str, AttrDef]] = {}
    region_defs: ClassVar[tuple[RegionDef, ...]] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        operands, results, attrs, regions = [], [], {}, []
        for klass in reversed(cls.__mro__):
            for k, v in vars(klass).items():
                if isinstance(v, OperandDef):
                    operands = [o for o in operands if o.name != k] + [v]
                elif isinstance(v, ResultDef):
                    results = [r for r in results if r.name != k] + [v]
                elif isinstance(v, AttrDef):
                    attrs[k] = v
                elif isinstance(v, RegionDef):
                    regions = [r for r in regions if r.name != k] + [v]
        cls.operand_defs, cls.result_defs = tuple(operands), tuple(results)
        cls.attr_defs, cls.region_defs = attrs, tuple(regions)
        if "name" in cls.__dict__ and cls.name:
            OP_REGISTRY[cls.name] = cls

    def __init__(
        self,
        operands: Sequence[Value] = (),
        result_types: Sequence[Type] = (),
        properties: dict[str, Attribute] | None = None,
        attributes: dict[str, Attribute] | None = None,
        regions: Sequence[Region] | int | None = None,
        provenance: Sequence[str] = (),
        name: str | None = None,
    ):
        if name is not None:
            self.name = name  # an unregistered op keeps its own name
        self._operands: list[Value] = []
        self.results: list[OpResult] = [OpResult(t, self, i) for i, t in enumerate(result_types)]
        self.properties: dict[str, Attribute] = dict(properties or {})
        self.attributes: dict[str, Attribute] = dict(attributes or {})
        self.parent: Block | None = None
        self.provenance: tuple[str, ...] = tuple(provenance)
        self.source_loc: tuple[str, int, int] | None = None
        if regions is None:
            regions = len(self.region_defs)
        if isinstance(regions, int):
            regions = [Region() for _ in range(regions)]
        self.regions: list[Region] = []
        for r in regions:
            self.add_region(r)
        operands = list(operands)
        for i, v in enumerate(operands):  # check all first: a half-built op must not hold uses
            if not isinstance(v, Value):
                raise TypeError(f"{self.name}: operand {i} is {v!r}, not a Value")
        for v in operands:
            self._append_operand(v)

    # -- construction from declared fields

    @classmethod
    def build(
        cls,
        *operands,
        result_types: Sequence[Type] | None = None,
        regions: Sequence[Region] | int | None = None,
        provenance: Sequence[str] = (),
        attributes: dict[str, Attribute] | None = None,
        **attrs,
    ) -> Operation:
        """Creates the op from its declared fields: operands in order (a list for a variadic group,
        None for an absent optional one), attributes as Python values, result types inferred unless given."""
        if len(operands) > len(cls.operand_defs) and not any(d.variadic for d in cls.operand_defs):
            raise TypeError(f"{cls.name} takes {len(cls.operand_defs)} operands, got {len(operands)}")
        flat: list[Value] = []
        sizes: list[int] = []
        for i, d in enumerate(cls.operand_defs):
            v = operands[i] if i < len(operands) else None
            if d.variadic:
                group = list(v or [])
            elif v is None:
                if not d.optional:
                    raise TypeError(f"{cls.name}: missing operand '{d.name}'")
                group = []
            else:
                group = [v]
            flat.extend(group)
            sizes.append(len(group))
        props: dict[str, Attribute] = {}
        for k, v in attrs.items():
            d = cls.attr_defs.get(k)
            if d is None:
                raise TypeError(f"{cls.name} has no attribute '{k}'")
            if v is not None:
                props[k] = d.kind.to_attr(v)
        if sum(1 for d in cls.operand_defs if d.variadic or d.optional) > 1:
            props["operandSegmentSizes"] = DenseArrayAttr(i32, tuple(sizes))
        if result_types is None:
            result_types = cls.infer_result_types([v.type for v in flat], props, flat)
        return cls(flat, result_types, props, attributes, regions, provenance)

    @classmethod
    def infer_result_types(cls, operand_types: list[Type], properties: dict[str, Attribute], operands):
        """Result types from operand types and attributes; ops override. Default: same as operand 0."""
        from ir.opdef import SameOperandsAndResultType

        if (
            len(cls.result_defs) == 1
            and operand_types
            and (SameOperandsAndResultType in cls.traits or _elementwise(cls))
        ):
            if _elementwise(cls) and len(operand_types) > 1:
                from ir.shapes import broadcast_types

                return [broadcast_types(operand_types)]
            return [operand_types[0]]
        if not cls.result_defs:
            return []
        raise TypeError(f"{cls.name}: result types must be given (no inference rule)")

    # -- operands

    @property
    def operands(self) -> tuple[Value, ...]:
        return tuple(self._operands)

    def _append_operand(self, v: Value) -> None:
        if not isinstance(v, Value):
            raise TypeError(f"{self.name}: operand {len(self._operands)} is {v!r}, not a Value")
        v.uses[(self, len(self._operands))] = None
        self._operands.append(v)

    def set_operand(self, index: int, v: Value) -> None:
        old = self._operands[index]
        old.uses.pop((self, index), None)
        self._operands[index] = v
        v.uses[(self, index)] = None

    def set_operands(self, values: Sequence[Value]) -> None:
        self.drop_all_references()
        for v in values:
            self._append_operand(v)

    def drop_all_references(self) -> None:
        """Removes this op's uses of its operands (and of those in its regions)."""
        for i, v in enumerate(self._operands):
            v.uses.pop((self, i), None)
        self._operands = []
        for r in self.regions:
            for b in r.blocks:
                for op in b.ops:
                    op.drop_all_references()

    def _segment_sizes(self, key: str) -> list[int] | None:
        a = self.properties.get(key)
        return list(a.value) if isinstance(a, DenseArrayAttr) else None

    def operand_group(self, name: str):
        """The value (or list, or None) of the named operand field."""
        defs = self.operand_defs
        segs = _segments(defs, len(self._operands), self._segment_sizes("operandSegmentSizes"), "operand")
        for d, (start, n) in zip(defs, segs):
            if d.name == name:
                if d.variadic:
                    return list(self._operands[start : start + n])
                return self._operands[start] if n else None
        raise AttributeError(name)

    def result_group(self, name: str):
        defs = self.result_defs
        segs = _segments(defs, len(self.results), self._segment_sizes("resultSegmentSizes"), "result")
        for d, (start, n) in zip(defs, segs):
            if d.name == name:
                return list(self.results[start : start + n]) if d.variadic else self.results[start]
        raise AttributeError(name)

    def region_index(self, name: str) -> int:
        for i, d in enumerate(self.region_defs):
            if d.name == name:
                return i
        raise AttributeError(name)

    # -- results

    @property
    def result(self) -> OpResult:
        """The single result (raises if the op has not exactly one)."""
        if len(self.results) != 1:
            raise ValueError(f"{self.name} has {len(self.results)} results")
        return self.results[0]

    @property
    def result_types(self) -> list[Type]:
        return [r.type for r in self.results]

    def replace_all_uses_with(self, values: Sequence[Value]) -> None:
        if len(values) != len(self.results):
            raise ValueError(f"{self.name}: replacing {len(self.results)} results with {len(values)} values")
        for r, v in zip(self.results, values):
            r.replace_all_uses_with(v)

    @property
    def has_uses(self) -> bool:
        return any(r.uses for r in self.results)

    # -- regions and structure

    def add_region(self, region: Region | None = None) -> Region:
        region = region if region is not None else Region()
        region.parent = self
        self.regions.append(region)
        return region

    @property
    def parent_op(self) -> Operation | None:
        b = self.parent
        return b.parent.parent if b is not None and b.parent is not None else None

    def ancestors(self) -> Iterator[Operation]:
        op = self.parent_op
        while op is not None:
            yield op
            op = op.parent_op

    def is_ancestor_of(self, other: Operation) -> bool:
        return any(a is self for a in other.ancestors())

    def walk(self, post_order: bool = False) -> Iterator[Operation]:
        """This op and every op nested in it (pre-order by default). Safe against erasing the current op."""
        if not post_order:
            yield self
        for r in self.regions:
            for b in list(r.blocks):
                for op in list(b.ops):
                    yield from op.walk(post_order)
        if post_order:
            yield self

    @classmethod
    def has_trait(cls, trait: type[Trait]) -> bool:
        return trait in cls.traits

    # -- mutation

    def detach(self) -> Operation:
        """Removes the op from its block without touching its uses."""
        if self.parent is not None:
            self.parent.ops.remove(self)
            self.parent = None
        return self

    def erase(self) -> None:
        """Removes and destroys the op; refuses while any of its results is used."""
        for r in self.results:
            if r.uses:
                users = ", ".join(sorted({u.name for u in r.users}))
                raise ValueError(f"cannot erase {self.name}: result #{r.index} is still used by {users}")
        self.detach()
        self.drop_all_references()

    def move_before(self, anchor: Operation) -> None:
        self.detach()
        anchor.parent.insert_before(anchor, self)

    def move_after(self, anchor: Operation) -> None:
        self.detach()
        anchor.parent.insert_after(anchor, self)

    def clone(self, mapping: dict[Value, Value] | None = None) -> Operation:
        """A deep copy; operands are remapped through `mapping` (which the clone extends)."""
        mapping = {} if mapping is None else mapping
        new = type(self).__new__(type(self))
        Operation.__init__(
            new,
            [mapping.get(v, v) for v in self._operands],
            self.result_types,
            self.properties,
            self.attributes,
            0,
            self.provenance,
            name=self.name if type(self) is Operation else None,
        )
        new.source_loc = self.source_loc
        for r, nr in zip(self.results, new.results):
            mapping[r] = nr
            nr.name_hint = r.name_hint
        for region in self.regions:
            new.add_region(region.clone(mapping))
        return new

    # -- verification and errors

    def location_str(self) -> str:
        parts = []
        if self.source_loc:
            parts.append(f"{self.source_loc[0]}:{self.source_loc[1]}:{self.source_loc[2]}")
        if self.provenance:
            parts.append("onnx node " + ", ".join(f"'{p}'" for p in self.provenance))
        return " (" + "; ".join(parts) + ")" if parts else ""

    def error(self, message: str) -> VerifyError:
        """A VerifyError naming this op and where it came from."""
        return VerifyError(f"'{self.name}' op{self.location_str()}: {message}")

    def verify_(self) -> None:
        """Op-specific rules; raise `self.error(...)`. The generic checks run before this."""

    def __repr__(self) -> str:
        from ir.printer import print_op

        try:
            return print_op(self)
        except Exception:  # noqa: BLE001 - repr must not raise
            return f"<{self.name} with {len(self._operands)} operands>"

    def __str__(self) -> str:
        from ir.printer import print_op

        return print_op(self)

    def _repr_html_(self) -> str:
        from ir.notebook import op_html

        return op_html(self)


def _elementwise(cls) -> bool:
    from ir.opdef import Elementwise

    return Elementwise in cls.traits


# ----------------------------------------------------------------------------- blocks and regions


class Block:
    """A list of ops with typed arguments."""

    def __init__(self, arg_types: Sequence[Type] = (), ops: Sequence[Operation] = ()):
        self.args: list[BlockArgument] = [BlockArgument(t, self, i) for i, t in enumerate(arg_types)]
        self.ops: list[Operation] = []
        self.parent: Region | None = None
        for op in ops:
            self.append(op)

    def add_argument(self, type_: Type, name_hint: str = "") -> BlockArgument:
        a = BlockArgument(type_, self, len(self.args), name_hint)
        self.args.append(a)
        return a

    def erase_argument(self, index: int) -> None:
        a = self.args[index]
        if a.uses:
            raise ValueError(f"cannot erase block argument #{index}: it is still used")
        del self.args[index]
        for i, b in enumerate(self.args):
            b.index = i

    def append(self, op: Operation) -> Operation:
        if op.parent is not None:
            raise ValueError(f"{op.name} is already in a block; detach it first")
        op.parent = self
        self.ops.append(op)
        return op

    def insert(self, index: int, op: Operation) -> Operation:
        if op.parent is not None:
            raise ValueError(f"{op.name} is already in a block; detach it first")
        op.parent = self
        self.ops.insert(index, op)
        return op

    def index_of(self, op: Operation) -> int:
        for i, o in enumerate(self.ops):
            if o is op:
                return i
        raise ValueError(f"{op.name} is not in this block")

    def insert_before(self, anchor: Operation, op: Operation) -> Operation:
        return self.insert(self.index_of(anchor), op)

    def insert_after(self, anchor: Operation, op: Operation) -> Operation:
        return self.insert(self.index_of(anchor) + 1, op)

    @property
    def terminator(self) -> Operation | None:
        from ir.opdef import Terminator

        return self.ops[-1] if self.ops and self.ops[-1].has_trait(Terminator) else None

    @property
    def parent_op(self) -> Operation | None:
        return self.parent.parent if self.parent is not None else None

    def __iter__(self) -> Iterator[Operation]:
        return iter(list(self.ops))

    def __len__(self) -> int:
        return len(self.ops)


class Region:
    """A list of blocks owned by an op."""

    def __init__(self, blocks: Sequence[Block] = ()):
        self.blocks: list[Block] = []
        self.parent: Operation | None = None
        for b in blocks:
            self.add_block(b)

    def add_block(self, block: Block | None = None) -> Block:
        block = block if block is not None else Block()
        block.parent = self
        self.blocks.append(block)
        return block

    @property
    def block(self) -> Block:
        """The single (entry) block; created when the region is empty."""
        if not self.blocks:
            self.add_block()
        return self.blocks[0]

    def clone(self, mapping: dict[Value, Value]) -> Region:
        new = Region()
        for b in self.blocks:
            nb = new.add_block(Block())
            for a in b.args:
                mapping[a] = nb.add_argument(a.type, a.name_hint)
        for b, nb in zip(self.blocks, new.blocks):
            for op in b.ops:
                nb.append(op.clone(mapping))
        return new

    def walk(self) -> Iterator[Operation]:
        for b in list(self.blocks):
            for op in list(b.ops):
                yield from op.walk()

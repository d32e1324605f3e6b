"""The pieces of a declarative op definition: operand, result, attribute and region fields, and traits.

An op is a subclass of `ir.core.Operation` whose class body lists its fields:

    class Conv(Operation):
        name = "graph.conv"
        traits = (Pure,)
        X = operand()
        W = operand()
        B = operand(optional=True)
        Y = result()
        strides = attr(INTS, default=None)

Each field is also an accessor: `op.X` is the Value, `op.strides` the plain Python value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ir.affine import AffineMap
from ir.attributes import (
    AffineMapAttr,
    ArrayAttr,
    Attribute,
    DenseArrayAttr,
    DenseElementsAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    SymbolRefAttr,
    TypeAttr,
    UnitAttr,
)
from ir.types import FloatType, Type, f32, i1, i64

# ----------------------------------------------------------------------------- traits


class Trait:
    """Marker base class: an op declares `traits = (Pure, Elementwise, ...)`."""


class Pure(Trait):
    """No side effects: can be folded, CSE'd, and erased when unused."""


class Elementwise(Trait):
    """Applies a scalar function at every position (operands broadcast as ONNX/numpy)."""


class Commutative(Trait):
    """The first two operands can be swapped."""


class Terminator(Trait):
    """Must be the last op of its block."""


class IsolatedFromAbove(Trait):
    """Regions may not use values defined outside the op (functions, modules)."""


class NoTerminator(Trait):
    """The op's single-block regions need no terminator (builtin.module)."""


class SymbolTable(Trait):
    """The op's region holds symbols (functions) looked up by name."""


class SameOperandsAndResultType(Trait):
    """All operands and results have the same type."""


class ConstantLike(Trait):
    """Materializes a constant from its `value` attribute."""


def constant_value(v):
    """The array of `v` when it is defined by a ConstantLike op with a dense `value` property, else None
    (also None for None: an absent optional operand)."""
    if v is None:
        return None
    op = v.defining_op
    if op is None or not op.has_trait(ConstantLike):
        return None
    return getattr(op.properties.get("value"), "array", None)


# ----------------------------------------------------------------------------- attribute kinds


@dataclass(frozen=True)
class AttrKind:
    """How a Python value becomes an attribute and back, and which attributes are acceptable."""

    name: str
    to_attr: Callable[[Any], Attribute]
    from_attr: Callable[[Attribute], Any]
    check: Callable[[Attribute], bool]


def _is_int(a: Attribute) -> bool:
    return isinstance(a, IntegerAttr) and a.type != i1


INT = AttrKind("integer", lambda v: IntegerAttr(int(v), i64), lambda a: a.value, _is_int)
BOOL = AttrKind(
    "bool",
    lambda v: IntegerAttr(1 if v else 0, i1),
    lambda a: bool(a.value),
    lambda a: isinstance(a, IntegerAttr) and a.type == i1,
)
FLOAT = AttrKind(
    "float",
    lambda v: FloatAttr(float(v), f32),
    lambda a: a.value,
    lambda a: isinstance(a, FloatAttr),
)
STR = AttrKind("string", lambda v: StringAttr(str(v)), lambda a: a.value, lambda a: isinstance(a, StringAttr))
INTS = AttrKind(
    "array<i64>",
    lambda v: DenseArrayAttr(i64, tuple(int(x) for x in v)),
    lambda a: list(a.value),
    lambda a: isinstance(a, DenseArrayAttr) and a.element_type == i64,
)
FLOATS = AttrKind(
    "array<f32>",
    lambda v: DenseArrayAttr(f32, tuple(float(x) for x in v)),
    lambda a: list(a.value),
    lambda a: isinstance(a, DenseArrayAttr) and isinstance(a.element_type, FloatType),
)
STRS = AttrKind(
    "array of strings",
    lambda v: ArrayAttr(tuple(StringAttr(str(x)) for x in v)),
    lambda a: [x.value for x in a.value],
    lambda a: isinstance(a, ArrayAttr) and all(isinstance(x, StringAttr) for x in a.value),
)
TYPE = AttrKind("type", lambda v: TypeAttr(v), lambda a: a.value, lambda a: isinstance(a, TypeAttr))
DENSE = AttrKind(
    "dense elements",
    lambda v: v if isinstance(v, DenseElementsAttr) else DenseElementsAttr.from_array(v),
    lambda a: a.array,
    lambda a: isinstance(a, DenseElementsAttr),
)
MAP = AttrKind(
    "affine_map", lambda v: AffineMapAttr(v), lambda a: a.value, lambda a: isinstance(a, AffineMapAttr)
)
MAPS = AttrKind(
    "array of affine_map",
    lambda v: ArrayAttr(tuple(AffineMapAttr(m) if isinstance(m, AffineMap) else m for m in v)),
    lambda a: [m.value for m in a.value],
    lambda a: isinstance(a, ArrayAttr) and all(isinstance(m, AffineMapAttr) for m in a.value),
)
SYMBOL = AttrKind(
    "symbol", lambda v: SymbolRefAttr(str(v)), lambda a: a.value, lambda a: isinstance(a, SymbolRefAttr)
)
DICT = AttrKind(
    "dictionary",
    lambda v: v if isinstance(v, DictionaryAttr) else DictionaryAttr.from_dict(v),
    lambda a: a.as_dict(),
    lambda a: isinstance(a, DictionaryAttr),
)
UNIT = AttrKind("unit", lambda v: UnitAttr(), lambda a: True, lambda a: isinstance(a, UnitAttr))
ANY = AttrKind("attribute", lambda v: v, lambda a: a, lambda a: isinstance(a, Attribute))


def enum(*values: str) -> AttrKind:
    """A string attribute restricted to `values`."""
    return AttrKind(
        "one of " + ", ".join(repr(v) for v in values),
        lambda v: StringAttr(str(v)),
        lambda a: a.value,
        lambda a: isinstance(a, StringAttr) and a.value in values,
    )


# ----------------------------------------------------------------------------- fields

_REQUIRED = object()


@dataclass
class OperandDef:
    """A named operand (or an optional / variadic group of operands)."""

    constraint: Callable[[Type], bool] | None = None
    optional: bool = False
    variadic: bool = False
    doc: str = ""
    name: str = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, op, owner=None):
        if op is None:
            return self
        return op.operand_group(self.name)


@dataclass
class ResultDef:
    """A named result (or a variadic group)."""

    constraint: Callable[[Type], bool] | None = None
    variadic: bool = False
    doc: str = ""
    name: str = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, op, owner=None):
        if op is None:
            return self
        return op.result_group(self.name)


@dataclass
class AttrDef:
    """A named inherent attribute (printed in the property dictionary `<{...}>`)."""

    kind: AttrKind
    default: Any = _REQUIRED
    doc: str = ""
    name: str = ""

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, op, owner=None):
        if op is None:
            return self
        a = op.properties.get(self.name)
        if a is None:
            return None if self.required else self.default
        return self.kind.from_attr(a)

    def __set__(self, op, value) -> None:
        if value is None:
            op.properties.pop(self.name, None)
        else:
            op.properties[self.name] = self.kind.to_attr(value)


@dataclass
class RegionDef:
    """A named region."""

    doc: str = ""
    name: str = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, op, owner=None):
        if op is None:
            return self
        return op.regions[op.region_index(self.name)]


def operand(constraint=None, *, optional: bool = False, variadic: bool = False, doc: str = "") -> Any:
    return OperandDef(constraint, optional, variadic, doc)


def result(constraint=None, *, variadic: bool = False, doc: str = "") -> Any:
    return ResultDef(constraint, variadic, doc)


def attr(kind: AttrKind, default: Any = _REQUIRED, doc: str = "") -> Any:
    return AttrDef(kind, default, doc)


def region(doc: str = "") -> Any:
    return RegionDef(doc)


# ----------------------------------------------------------------------------- type constraints


def is_tensor(t: Type) -> bool:
    from ir.types import TensorType

    return isinstance(t, TensorType)


def is_memref(t: Type) -> bool:
    from ir.types import MemRefType

    return isinstance(t, MemRefType)

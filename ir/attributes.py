"""Builtin attributes: frozen, hashable values spelled as MLIR spells them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ir.affine import AffineMap
from ir.types import FloatType, ShapedType, Type, f32, i1, i64, integer_bounds, to_numpy_dtype, type_problem


class Attribute:
    """Base of all attributes."""

    def __str__(self) -> str:  # pragma: no cover - subclasses override
        raise NotImplementedError


@dataclass(frozen=True)
class IntegerAttr(Attribute):
    """`5 : i64`; an `i1` integer prints as `true`/`false`."""

    value: int
    type: Type = i64

    def __str__(self) -> str:
        if self.type == i1:
            return "true" if self.value else "false"
        return f"{self.value} : {self.type}"


def BoolAttr(value: bool) -> IntegerAttr:  # noqa: N802 - reads as a type, as in MLIR
    return IntegerAttr(1 if value else 0, i1)


def format_float(value: float, type_: Type = f32) -> str:
    """MLIR-style float text (`1.000000e+00`) that parses back to exactly the same value of `type_`."""
    dtype = to_numpy_dtype(type_) if isinstance(type_, FloatType) else np.dtype(np.float64)
    v = dtype.type(value)
    if not np.isfinite(v):
        bits = np.array([v], dtype=dtype).view(f"u{dtype.itemsize}")[0]
        return f"0x{int(bits):0{dtype.itemsize * 2}X}"
    text = f"{float(v):e}"
    if dtype.type(float(text)) == v and (v != 0 or np.signbit(v) == text.startswith("-")):
        return text
    text = np.format_float_scientific(v, unique=True, exp_digits=2)
    if "." not in text.split("e")[0]:
        text = text.replace("e", ".0e", 1)
    return text


def parse_float(text: str, type_: Type) -> float:
    """Inverse of `format_float` (accepts hex bit patterns for inf/nan)."""
    if text.lower().startswith("0x"):
        dtype = to_numpy_dtype(type_)
        bits = np.array([int(text, 16)], dtype=f"u{dtype.itemsize}")
        return float(bits.view(dtype)[0])
    return float(text)


@dataclass(frozen=True)
class FloatAttr(Attribute):
    """`1.000000e+00 : f32`."""

    value: float
    type: Type = f32

    def __str__(self) -> str:
        return f"{format_float(self.value, self.type)} : {self.type}"


def _quote(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):02X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class StringAttr(Attribute):
    """`"text"`."""

    value: str

    def __str__(self) -> str:
        return _quote(self.value)


@dataclass(frozen=True)
class UnitAttr(Attribute):
    """`unit`: presence is the information."""

    def __str__(self) -> str:
        return "unit"


@dataclass(frozen=True)
class ArrayAttr(Attribute):
    """`[a, b, c]`."""

    value: tuple[Attribute, ...]

    def __str__(self) -> str:
        return "[" + ", ".join(str(a) for a in self.value) + "]"

    def __iter__(self):
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)


@dataclass(frozen=True)
class DenseArrayAttr(Attribute):
    """`array<i64: 1, 2>`: a compact array of scalars (what MLIR uses for strides, pads, perms)."""

    element_type: Type
    value: tuple

    def __str__(self) -> str:
        if not self.value:
            return f"array<{self.element_type}>"
        if isinstance(self.element_type, FloatType):
            items = ", ".join(format_float(v, self.element_type) for v in self.value)
        elif self.element_type == i1:
            items = ", ".join("true" if v else "false" for v in self.value)
        else:
            items = ", ".join(str(int(v)) for v in self.value)
        return f"array<{self.element_type}: {items}>"

    def __iter__(self):
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)


def I64Array(values) -> DenseArrayAttr:  # noqa: N802
    return DenseArrayAttr(i64, tuple(int(v) for v in values))


def F32Array(values) -> DenseArrayAttr:  # noqa: N802
    return DenseArrayAttr(f32, tuple(float(v) for v in values))


@dataclass(frozen=True)
class DictionaryAttr(Attribute):
    """`{a = 1 : i64, b}`; entries are kept sorted by name, as MLIR does."""

    value: tuple[tuple[str, Attribute], ...]

    @staticmethod
    def from_dict(d: dict[str, Attribute]) -> DictionaryAttr:
        return DictionaryAttr(tuple(sorted(d.items())))

    def as_dict(self) -> dict[str, Attribute]:
        return dict(self.value)

    def __str__(self) -> str:
        return "{" + ", ".join(format_named_attr(k, v) for k, v in self.value) + "}"


def format_attr_name(name: str) -> str:
    import re

    return name if re.fullmatch(r"[A-Za-z_][\w$.]*", name) else _quote(name)


def format_named_attr(name: str, value: Attribute) -> str:
    if isinstance(value, UnitAttr):
        return format_attr_name(name)
    return f"{format_attr_name(name)} = {value}"


@dataclass(frozen=True)
class TypeAttr(Attribute):
    """A type used as an attribute (e.g. a function's `function_type`)."""

    value: Type

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class SymbolRefAttr(Attribute):
    """`@name`."""

    value: str

    def __str__(self) -> str:
        import re

        return "@" + (self.value if re.fullmatch(r"[A-Za-z_][\w$.]*", self.value) else _quote(self.value))


@dataclass(frozen=True)
class AffineMapAttr(Attribute):
    """`affine_map<(d0, d1) -> (d1, d0)>`."""

    value: AffineMap

    def __str__(self) -> str:
        return f"affine_map<{self.value}>"


@dataclass(frozen=True)
class OpaqueAttr(Attribute):
    """A dialect attribute we keep as text (`#arith.fastmath<none>`), printed back verbatim."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, eq=False)
class DenseElementsAttr(Attribute):
    """A constant tensor: `dense<[1.0, 2.0]> : tensor<2xf32>`, or `dense_resource<name>` when large.

    The array is held read-only and never copied; equality and hashing use the bytes' digest.
    `resource_name` is a printing hint only (the name of the blob when printed as a resource).
    """

    type: ShapedType
    array: np.ndarray
    resource_name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        arr = np.asarray(self.array)
        want = to_numpy_dtype(self.type.element_type)
        if arr.dtype != want:
            arr = arr.astype(want)
        if arr.shape != tuple(self.type.shape):
            if arr.size == self.type.num_elements:
                arr = arr.reshape(self.type.shape)
            else:
                raise ValueError(f"dense value of shape {arr.shape} does not fit {self.type}")
        if arr.flags.writeable:
            arr = arr.view()
            arr.flags.writeable = False
        object.__setattr__(self, "array", arr)

    @staticmethod
    def from_array(array: np.ndarray, resource_name: str = "") -> DenseElementsAttr:
        from ir.types import TensorType, from_numpy_dtype

        array = np.asarray(array)
        return DenseElementsAttr(TensorType(array.shape, from_numpy_dtype(array.dtype)), array, resource_name)

    @property
    def digest(self) -> str:
        cached = self.__dict__.get("_digest")
        if cached is None:
            h = hashlib.sha256(str(self.type).encode())
            h.update(np.ascontiguousarray(self.array).tobytes())
            cached = h.hexdigest()
            object.__setattr__(self, "_digest", cached)
        return cached

    @property
    def is_splat(self) -> bool:
        a = self.array
        if a.size == 0:
            return False
        # Compare bit patterns, so -0.0 vs 0.0 and different NaN payloads are not folded into one splat.
        rows = np.ascontiguousarray(a).reshape(a.size, 1).view(np.uint8)
        return bool(np.all(rows == rows[0]))

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, DenseElementsAttr) and self.type == other.type and self.digest == other.digest
        )

    def __hash__(self) -> int:
        return hash(self.digest)

    def format_inline(self) -> str:
        """`dense<...> : type` with every element (or a splat)."""
        et = self.type.element_type
        a = self.array

        def scalar(x) -> str:
            if isinstance(et, FloatType):
                return format_float(x, et)
            if et == i1:
                return "true" if x else "false"
            return str(int(x))

        if a.size == 0:
            body = ""  # MLIR's spelling of an empty literal, whatever the (zero-element) shape
        elif self.is_splat:
            body = scalar(a.flat[0])
        elif a.ndim == 0:
            body = scalar(a.item())
        else:

            def rec(x) -> str:
                if x.ndim == 1:
                    return "[" + ", ".join(scalar(v) for v in x) + "]"
                return "[" + ", ".join(rec(y) for y in x) + "]"

            body = rec(a)
        return f"dense<{body}> : {self.type}"

    def __str__(self) -> str:
        return self.format_inline()


# Convenience constructors used throughout.
def to_attr(value) -> Attribute:
    """Wraps a Python value as an attribute: int -> i64, float -> f32, str, bool -> i1, list of ints -> array<i64>."""
    if isinstance(value, Attribute):
        return value
    if isinstance(value, bool):
        return BoolAttr(value)
    if isinstance(value, int | np.integer):
        return IntegerAttr(int(value), i64)
    if isinstance(value, float | np.floating):
        return FloatAttr(float(value), f32)
    if isinstance(value, str):
        return StringAttr(value)
    if isinstance(value, np.ndarray):
        return DenseElementsAttr.from_array(value)
    if isinstance(value, list | tuple):
        if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value):
            return I64Array(value)
        if all(isinstance(v, float | int) and not isinstance(v, bool) for v in value):
            return F32Array(value)
        return ArrayAttr(tuple(to_attr(v) for v in value))
    if isinstance(value, dict):
        return DictionaryAttr.from_dict({k: to_attr(v) for k, v in value.items()})
    if isinstance(value, AffineMap):
        return AffineMapAttr(value)
    if isinstance(value, Type):
        return TypeAttr(value)
    raise TypeError(f"cannot make an attribute from {value!r}")


def from_attr(attr: Attribute):
    """Unwraps an attribute to a plain Python value (the inverse of `to_attr`)."""
    if isinstance(attr, IntegerAttr):
        return bool(attr.value) if attr.type == i1 else attr.value
    if isinstance(attr, FloatAttr):
        return attr.value
    if isinstance(attr, StringAttr):
        return attr.value
    if isinstance(attr, DenseArrayAttr):
        return list(attr.value)
    if isinstance(attr, ArrayAttr):
        return [from_attr(a) for a in attr.value]
    if isinstance(attr, DictionaryAttr):
        return {k: from_attr(v) for k, v in attr.value}
    if isinstance(attr, DenseElementsAttr):
        return attr.array
    if isinstance(attr, AffineMapAttr):
        return attr.value
    if isinstance(attr, TypeAttr):
        return attr.value
    if isinstance(attr, UnitAttr):
        return True
    if isinstance(attr, SymbolRefAttr):
        return attr.value
    return attr


def attribute_problem(a: Attribute) -> str | None:
    """Why attribute `a` is invalid (an integer literal out of its type's range, a type with a negative
    dimension, ...), or None. Nested arrays and dictionaries are checked too (iteratively)."""
    stack = [a]
    while stack:
        a = stack.pop()
        if isinstance(a, IntegerAttr):
            p = type_problem(a.type)
            if p:
                return p
            bounds = integer_bounds(a.type)
            if bounds is None:
                return f"integer attribute {a.value} has non-integer type {a.type}"
            if not bounds[0] <= int(a.value) <= bounds[1]:
                return f"integer literal {a.value} is out of range for {a.type} ({bounds[0]} to {bounds[1]})"
        elif isinstance(a, DenseArrayAttr):
            p = type_problem(a.element_type)
            if p:
                return p
            bounds = integer_bounds(a.element_type)
            if bounds is not None:
                for v in a.value:
                    if not bounds[0] <= int(v) <= bounds[1]:
                        return f"integer literal {int(v)} is out of range for {a.element_type} in {a}"
        elif isinstance(a, (FloatAttr, DenseElementsAttr)):
            p = type_problem(a.type)
            if p:
                return p
        elif isinstance(a, TypeAttr):
            p = type_problem(a.value)
            if p:
                return p
        elif isinstance(a, ArrayAttr):
            stack.extend(a.value)
        elif isinstance(a, DictionaryAttr):
            stack.extend(v for _, v in a.value)
    return None

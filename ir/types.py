"""Builtin types, spelled as MLIR spells them (`tensor<1x3xf32>`, `memref<4xf16>`, `index`, `i1`...)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DYNAMIC = -1
"""A dynamic dimension; printed as `?`."""


class Type:
    """Base of all types. Subclasses are frozen dataclasses, so types are hashable values."""

    def __str__(self) -> str:  # pragma: no cover - every subclass overrides
        raise NotImplementedError


@dataclass(frozen=True)
class FloatType(Type):
    """`f16`, `bf16`, `f32`, `f64`."""

    name: str

    @property
    def width(self) -> int:
        return {"f16": 16, "bf16": 16, "f32": 32, "f64": 64}[self.name]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class IntegerType(Type):
    """`iN` (signless, as MLIR), `siN` or `uiN`."""

    width: int
    signedness: str = ""  # "", "s" or "u"

    def __str__(self) -> str:
        return f"{self.signedness}i{self.width}"


@dataclass(frozen=True)
class IndexType(Type):
    """`index`: the machine-sized integer used for loop bounds and subscripts."""

    def __str__(self) -> str:
        return "index"


@dataclass(frozen=True)
class NoneType(Type):
    """`none`: the type of an absent value."""

    def __str__(self) -> str:
        return "none"


def _shape_str(shape: tuple[int, ...]) -> str:
    return "".join(("?" if d == DYNAMIC else str(d)) + "x" for d in shape)


@dataclass(frozen=True)
class ShapedType(Type):
    """Common base of tensor, memref and vector types."""

    shape: tuple[int, ...]
    element_type: Type

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def has_static_shape(self) -> bool:
        return all(d != DYNAMIC for d in self.shape)

    @property
    def num_elements(self) -> int:
        if not self.has_static_shape:
            raise ValueError(f"{self} has a dynamic shape")
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def dtype(self) -> np.dtype:
        return to_numpy_dtype(self.element_type)

    def with_shape(self, shape: tuple[int, ...]) -> ShapedType:
        return type(self)(tuple(shape), self.element_type)

    def with_element_type(self, element_type: Type) -> ShapedType:
        return type(self)(self.shape, element_type)


@dataclass(frozen=True)
class TensorType(ShapedType):
    """`tensor<2x?xf32>`: an immutable value with a shape."""

    def __str__(self) -> str:
        return f"tensor<{_shape_str(self.shape)}{self.element_type}>"


@dataclass(frozen=True)
class MemRefType(ShapedType):
    """`memref<64x64xf32>`: a buffer in memory (identity layout)."""

    def __str__(self) -> str:
        return f"memref<{_shape_str(self.shape)}{self.element_type}>"


@dataclass(frozen=True)
class VectorType(ShapedType):
    """`vector<8xf32>`: a SIMD register value."""

    def __str__(self) -> str:
        return f"vector<{_shape_str(self.shape)}{self.element_type}>"


@dataclass(frozen=True)
class FunctionType(Type):
    """`(tensor<2xf32>, f32) -> tensor<2xf32>`."""

    inputs: tuple[Type, ...]
    results: tuple[Type, ...]

    def __str__(self) -> str:
        ins = ", ".join(str(t) for t in self.inputs)
        if len(self.results) == 1 and not isinstance(self.results[0], FunctionType):
            return f"({ins}) -> {self.results[0]}"
        return f"({ins}) -> ({', '.join(str(t) for t in self.results)})"


f16 = FloatType("f16")
bf16 = FloatType("bf16")
f32 = FloatType("f32")
f64 = FloatType("f64")
i1 = IntegerType(1)
i8 = IntegerType(8)
i16 = IntegerType(16)
i32 = IntegerType(32)
i64 = IntegerType(64)
ui8 = IntegerType(8, "u")
index = IndexType()
none = NoneType()


def tensor(shape, element_type: Type = f32) -> TensorType:
    """Shorthand: `tensor((1, 3), f32)`."""
    return TensorType(tuple(int(d) for d in shape), element_type)


def memref(shape, element_type: Type = f32) -> MemRefType:
    return MemRefType(tuple(int(d) for d in shape), element_type)


def vector(shape, element_type: Type = f32) -> VectorType:
    return VectorType(tuple(int(d) for d in shape), element_type)


try:  # bfloat16 support comes with onnx (ml_dtypes); without it bf16 is computed in f32
    import ml_dtypes

    _BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    _BF16 = None

_TO_NUMPY: dict[Type, np.dtype] = {
    f16: np.dtype(np.float16),
    f32: np.dtype(np.float32),
    f64: np.dtype(np.float64),
    i1: np.dtype(np.bool_),
    i8: np.dtype(np.int8),
    i16: np.dtype(np.int16),
    i32: np.dtype(np.int32),
    i64: np.dtype(np.int64),
    ui8: np.dtype(np.uint8),
    IntegerType(16, "u"): np.dtype(np.uint16),
    IntegerType(32, "u"): np.dtype(np.uint32),
    IntegerType(64, "u"): np.dtype(np.uint64),
    index: np.dtype(np.int64),
}
if _BF16 is not None:
    _TO_NUMPY[bf16] = _BF16


def to_numpy_dtype(t: Type) -> np.dtype:
    """The numpy dtype that holds values of scalar type `t`."""
    try:
        return _TO_NUMPY[t]
    except KeyError:
        raise TypeError(f"no numpy dtype for type {t}") from None


def from_numpy_dtype(dtype) -> Type:
    """The scalar type for a numpy dtype (signless integers, as MLIR)."""
    dtype = np.dtype(dtype)
    for t, d in _TO_NUMPY.items():
        if d == dtype and t != index:
            return t
    raise TypeError(f"no IR type for numpy dtype {dtype}")


def is_float(t: Type) -> bool:
    return isinstance(t, FloatType)


def element_type(t: Type) -> Type:
    """The element type of a shaped type, or the type itself for scalars."""
    return t.element_type if isinstance(t, ShapedType) else t


def with_element_type(t: Type, element: Type) -> Type:
    """`t` with its element type replaced by `element` (for a scalar type: `element` itself)."""
    return t.with_element_type(element) if isinstance(t, ShapedType) else element


def integer_bounds(t: Type) -> tuple[int, int] | None:
    """The (min, max) an integer literal of type `t` may take; None for non-integer types.

    Signless `iN` holds N-bit two's-complement values (`i1` also takes 1, which prints as `true`);
    `siN` is signed, `uiN` unsigned; `index` is 64-bit."""
    if isinstance(t, IndexType):
        return -(2**63), 2**63 - 1
    if not isinstance(t, IntegerType) or t.width < 1:
        return None
    w = t.width
    if t.signedness == "u":
        return 0, 2**w - 1
    if w == 1 and t.signedness == "":
        return -1, 1
    return -(2 ** (w - 1)), 2 ** (w - 1) - 1


def type_problem(t: Type) -> str | None:
    """Why `t` is not a valid type (a negative dimension, a zero-width integer...), or None."""
    if isinstance(t, IntegerType):
        if t.width < 1:
            return f"integer type {t} must have a positive width"
        return None
    if isinstance(t, ShapedType):
        for d in t.shape:
            if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
                return f"dimension {d!r} of {t} is not an integer"
            if d == DYNAMIC and isinstance(t, VectorType):
                return f"dynamic dimension in {t} (vector sizes are static)"
            if d < 0 and d != DYNAMIC:
                return f"negative dimension {d} in {t} (sizes are >= 0, or ? for dynamic)"
        return type_problem(t.element_type)
    if isinstance(t, FunctionType):
        for x in (*t.inputs, *t.results):
            p = type_problem(x)
            if p:
                return p
    return None

"""The `arith` dialect: upstream MLIR's scalar arithmetic ops, with upstream's names, operands and properties.

Every op works on scalars and, as upstream allows, on vectors and tensors of them; `evaluate` is numpy
elementwise, so a `tensor.generic` body runs vectorized over whole index grids.
"""

from __future__ import annotations

import numpy as np

from ir.attributes import Attribute, DenseElementsAttr, FloatAttr, IntegerAttr
from ir.core import Operation
from ir.opdef import (
    ANY,
    AttrKind,
    Commutative,
    ConstantLike,
    Pure,
    SameOperandsAndResultType,
    attr,
    operand,
    result,
)
from ir.types import (
    FloatType,
    IndexType,
    IntegerType,
    ShapedType,
    TensorType,
    Type,
    VectorType,
    i1,
    i64,
    to_numpy_dtype,
)

# ----------------------------------------------------------------------------- type constraints


def scalar_of(t: Type) -> Type:
    """The element type of a vector/tensor, or the type itself."""
    return t.element_type if isinstance(t, (VectorType, TensorType)) else t


def is_float_like(t: Type) -> bool:
    """A float, or a vector/tensor of floats (upstream's FloatLike)."""
    return isinstance(scalar_of(t), FloatType)


def is_int_like(t: Type) -> bool:
    """A signless integer or index, or a vector/tensor of them (upstream's SignlessIntegerOrIndexLike)."""
    s = scalar_of(t)
    return isinstance(s, IndexType) or (isinstance(s, IntegerType) and s.signedness == "")


def is_bool_like(t: Type) -> bool:
    """`i1`, or a vector/tensor of `i1`."""
    return scalar_of(t) == i1


def with_element(t: Type, elem: Type) -> Type:
    """`t` with its scalar (element) type replaced by `elem`."""
    return t.with_element_type(elem) if isinstance(t, (VectorType, TensorType)) else elem


def same_shape(a: Type, b: Type) -> bool:
    """Both scalars, or both vectors/tensors of one kind and shape."""
    if isinstance(a, (VectorType, TensorType)) or isinstance(b, (VectorType, TensorType)):
        return type(a) is type(b) and a.shape == b.shape
    return True


def _np(t: Type) -> np.dtype:
    return to_numpy_dtype(scalar_of(t))


def _unsigned(x):
    """Reinterprets a signed integer array/scalar as unsigned of the same width."""
    x = np.asarray(x)
    if x.dtype.kind == "i":
        return x.view(np.dtype(f"u{x.dtype.itemsize}"))
    return x


# ----------------------------------------------------------------------------- constant


class ConstantOp(Operation):
    """`arith.constant`: a scalar (IntegerAttr / FloatAttr) or a dense vector/tensor value, as upstream."""

    name = "arith.constant"
    traits = (Pure, ConstantLike)
    value = attr(ANY)
    out = result()

    @staticmethod
    def create(value, type_: Type) -> ConstantOp:
        """A constant of `type_`: a Python number for scalars, an array (or number, splatted) for shaped types."""
        if isinstance(value, Attribute):
            a = value
        elif isinstance(type_, ShapedType):
            arr = np.broadcast_to(np.asarray(value, dtype=_np(type_)), type_.shape)
            a = DenseElementsAttr(type_, np.ascontiguousarray(arr))
        elif isinstance(type_, FloatType):
            a = FloatAttr(float(value), type_)
        else:
            a = IntegerAttr(int(value), type_)
        return ConstantOp.build(value=a, result_types=[type_])

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [properties["value"].type]

    def evaluate(self):
        a = self.properties["value"]
        if isinstance(a, DenseElementsAttr):
            return a.array
        return _np(self.result.type).type(a.value)

    def verify_(self) -> None:
        a = self.properties["value"]
        if not isinstance(a, (IntegerAttr, FloatAttr, DenseElementsAttr)):
            raise self.error(f"value must be an integer, float or dense elements attribute, got {a}")
        if a.type != self.result.type:
            raise self.error(f"value type {a.type} differs from the result type {self.result.type}")


# ----------------------------------------------------------------------------- binary ops


class _Binary(Operation):
    """Two operands and a result of one type."""

    traits = (Pure, SameOperandsAndResultType)
    lhs = operand()
    rhs = operand()
    out = result()
    kind_check = staticmethod(is_float_like)
    fn = None

    def evaluate(self, a, b):
        with np.errstate(all="ignore"):
            return type(self).fn(a, b)

    def verify_(self) -> None:
        if not type(self).kind_check(self.result.type):
            raise self.error(f"type {self.result.type} is not allowed here")


class _FloatBinary(_Binary):
    fastmath = attr(ANY, default=None, doc="upstream's #arith.fastmath<...> flags (kept as text)")


class _IntBinary(_Binary):
    kind_check = staticmethod(is_int_like)


def _div_trunc(a, b):
    """Signed division rounding toward zero (C semantics, upstream divsi); division by zero gives 0 here."""
    a, b = np.asarray(a), np.asarray(b)
    safe = np.where(b == 0, 1, b)
    q = np.abs(a) // np.abs(safe)
    return np.where(b == 0, 0, np.where((a < 0) != (safe < 0), -q, q)).astype(a.dtype)


def _ceil_div(a, b):
    a, b = np.asarray(a), np.asarray(b)
    safe = np.where(b == 0, 1, b)
    return (-((-a) // safe)).astype(a.dtype)


def _rem(a, b):
    return np.fmod(a, np.where(np.asarray(b) == 0, 1, b))


def _binary(op_name: str, base, fn, commutative: bool = False, doc: str = ""):
    traits = (Pure, SameOperandsAndResultType) + ((Commutative,) if commutative else ())
    cls = type(
        "".join(p.capitalize() for p in op_name.split(".")[1].split("_")) + "Op",
        (base,),
        {"name": op_name, "traits": traits, "fn": staticmethod(fn), "__doc__": doc or f"`{op_name}`."},
    )
    return cls


AddFOp = _binary("arith.addf", _FloatBinary, np.add, True, "Float addition.")
SubFOp = _binary("arith.subf", _FloatBinary, np.subtract, doc="Float subtraction.")
MulFOp = _binary("arith.mulf", _FloatBinary, np.multiply, True, "Float multiplication.")
DivFOp = _binary("arith.divf", _FloatBinary, np.divide, doc="Float division.")
RemFOp = _binary(
    "arith.remf", _FloatBinary, np.fmod, doc="Float remainder (sign of the dividend, as C fmod)."
)
MaximumFOp = _binary("arith.maximumf", _FloatBinary, np.maximum, True, "Float max; NaN propagates.")
MinimumFOp = _binary("arith.minimumf", _FloatBinary, np.minimum, True, "Float min; NaN propagates.")
MaxNumFOp = _binary("arith.maxnumf", _FloatBinary, np.fmax, True, "Float max; a NaN operand is ignored.")
MinNumFOp = _binary("arith.minnumf", _FloatBinary, np.fmin, True, "Float min; a NaN operand is ignored.")
AddIOp = _binary("arith.addi", _IntBinary, np.add, True, "Integer addition (wraps).")
SubIOp = _binary("arith.subi", _IntBinary, np.subtract, doc="Integer subtraction (wraps).")
MulIOp = _binary("arith.muli", _IntBinary, np.multiply, True, "Integer multiplication (wraps).")
DivSIOp = _binary("arith.divsi", _IntBinary, _div_trunc, doc="Signed division rounding toward zero.")
DivUIOp = _binary(
    "arith.divui",
    _IntBinary,
    lambda a, b: (_unsigned(a) // np.where(_unsigned(b) == 0, 1, _unsigned(b))).view(np.asarray(a).dtype),
    doc="Unsigned division.",
)
FloorDivSIOp = _binary(
    "arith.floordivsi",
    _IntBinary,
    lambda a, b: np.floor_divide(a, np.where(np.asarray(b) == 0, 1, b)),
    doc="Signed division rounding toward negative infinity.",
)
CeilDivSIOp = _binary(
    "arith.ceildivsi", _IntBinary, _ceil_div, doc="Signed division rounding toward +infinity."
)
RemSIOp = _binary("arith.remsi", _IntBinary, _rem, doc="Signed remainder (sign of the dividend).")
MaxSIOp = _binary("arith.maxsi", _IntBinary, np.maximum, True, "Signed integer max.")
MinSIOp = _binary("arith.minsi", _IntBinary, np.minimum, True, "Signed integer min.")
AndIOp = _binary("arith.andi", _IntBinary, np.bitwise_and, True, "Bitwise and.")
OrIOp = _binary("arith.ori", _IntBinary, np.bitwise_or, True, "Bitwise or.")
XOrIOp = _binary("arith.xori", _IntBinary, np.bitwise_xor, True, "Bitwise xor.")
ShLIOp = _binary("arith.shli", _IntBinary, np.left_shift, doc="Shift left.")
ShRSIOp = _binary("arith.shrsi", _IntBinary, np.right_shift, doc="Arithmetic shift right.")


class NegFOp(Operation):
    """`arith.negf`: float negation."""

    name = "arith.negf"
    traits = (Pure, SameOperandsAndResultType)
    operand_ = operand(is_float_like)
    out = result()
    fastmath = attr(ANY, default=None)

    def evaluate(self, x):
        return np.negative(x)


# ----------------------------------------------------------------------------- comparisons and select

CMPF_PREDICATES = (
    "false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord",
    "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true",
)  # fmt: skip
"""Upstream's arith::CmpFPredicate, in enum order (the stored i64 is the index)."""

CMPI_PREDICATES = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")
"""Upstream's arith::CmpIPredicate, in enum order."""


def predicate_kind(names: tuple[str, ...]) -> AttrKind:
    """A predicate stored as upstream stores it (`predicate = 4 : i64`), read and written as its name."""

    def to_attr(v) -> IntegerAttr:
        return IntegerAttr(names.index(v) if isinstance(v, str) else int(v), i64)

    return AttrKind(
        "predicate (" + ", ".join(f"{i}={n}" for i, n in enumerate(names)) + ")",
        to_attr,
        lambda a: names[a.value],
        lambda a: isinstance(a, IntegerAttr) and a.type == i64 and 0 <= a.value < len(names),
    )


_CMP = {
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
}  # fmt: skip


class _Compare(Operation):
    traits = (Pure,)
    lhs = operand()
    rhs = operand()
    out = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [with_element(operand_types[0], i1)]

    def verify_(self) -> None:
        a, b = self.lhs.type, self.rhs.type
        if a != b:
            raise self.error(f"operands have different types {a} and {b}")
        if self.result.type != with_element(a, i1):
            raise self.error(f"result must be {with_element(a, i1)}, got {self.result.type}")


class CmpFOp(_Compare):
    """`arith.cmpf`: float comparison; `o*` predicates are false on NaN, `u*` true."""

    name = "arith.cmpf"
    predicate = attr(predicate_kind(CMPF_PREDICATES))
    fastmath = attr(ANY, default=None)

    def evaluate(self, a, b):
        p = self.predicate
        shape = np.broadcast(a, b).shape
        if p in ("false", "true"):
            return np.full(shape, p == "true")
        if p in ("ord", "uno"):
            ordered = ~(np.isnan(a) | np.isnan(b))
            return ordered if p == "ord" else ~ordered
        with np.errstate(invalid="ignore"):
            c = _CMP["ne" if p[1:] == "ne" else p[1:]](a, b)
        nan = np.isnan(a) | np.isnan(b)
        return (c & ~nan) if p[0] == "o" else (c | nan)

    def verify_(self) -> None:
        super().verify_()
        if not is_float_like(self.lhs.type):
            raise self.error(f"operands must be float-like, got {self.lhs.type}")


class CmpIOp(_Compare):
    """`arith.cmpi`: integer comparison, signed (`s*`) or unsigned (`u*`)."""

    name = "arith.cmpi"
    predicate = attr(predicate_kind(CMPI_PREDICATES))

    def evaluate(self, a, b):
        p = self.predicate
        if p in ("eq", "ne"):
            return _CMP[p](a, b)
        if p[0] == "u":
            a, b = _unsigned(a), _unsigned(b)
        return _CMP[p[1:]](a, b)

    def verify_(self) -> None:
        super().verify_()
        if not is_int_like(self.lhs.type):
            raise self.error(f"operands must be signless integers or index, got {self.lhs.type}")


class SelectOp(Operation):
    """`arith.select`: condition ? true_value : false_value (elementwise for a shaped condition)."""

    name = "arith.select"
    traits = (Pure,)
    condition = operand(is_bool_like)
    true_value = operand()
    false_value = operand()
    out = result()

    @classmethod
    def infer_result_types(cls, operand_types, properties, operands):
        return [operand_types[1]]

    def evaluate(self, c, a, b):
        return np.where(c, a, b)

    def verify_(self) -> None:
        t = self.result.type
        if self.true_value.type != t or self.false_value.type != t:
            raise self.error("true and false values must have the result type")
        c = self.condition.type
        if c != i1 and c != with_element(t, i1):
            raise self.error(f"condition must be i1 or {with_element(t, i1)}, got {c}")


# ----------------------------------------------------------------------------- casts


class _Cast(Operation):
    """One operand converted to the (given) result type of the same shape."""

    traits = (Pure,)
    in_ = operand()
    out = result()
    src_ok = staticmethod(is_float_like)
    dst_ok = staticmethod(is_float_like)
    width_rule = ""  # "wider", "narrower" or ""

    def verify_(self) -> None:
        s, d = self.in_.type, self.result.type
        if not (type(self).src_ok(s) and type(self).dst_ok(d)):
            raise self.error(f"cannot cast {s} to {d}")
        if not same_shape(s, d):
            raise self.error(f"operand {s} and result {d} must have the same shape")
        rule = type(self).width_rule
        ws, wd = getattr(scalar_of(s), "width", 64), getattr(scalar_of(d), "width", 64)
        if rule == "wider" and not wd > ws:
            raise self.error(f"result {d} must be wider than the operand {s}")
        if rule == "narrower" and not wd < ws:
            raise self.error(f"result {d} must be narrower than the operand {s}")

    def evaluate(self, x):
        with np.errstate(all="ignore"):
            return self.convert(x, _np(self.result.type))

    def convert(self, x, dtype):
        return np.asarray(x).astype(dtype)


def _cast(op_name: str, src, dst, rule: str = "", convert=None, doc: str = ""):
    body = {"name": op_name, "src_ok": staticmethod(src), "dst_ok": staticmethod(dst), "width_rule": rule}
    body["__doc__"] = doc
    if convert is not None:
        body["convert"] = lambda self, x, dtype: convert(x, dtype)
    cls = type("".join(p.capitalize() for p in op_name.split(".")[1].split("_")) + "Op", (_Cast,), body)
    return cls


def _fp_to_int(x, dtype):
    return np.trunc(x).astype(dtype)


def _is_int_not_index(t: Type) -> bool:
    return is_int_like(t) and not isinstance(scalar_of(t), IndexType)


def _is_index_cast_pair(t: Type) -> bool:
    return is_int_like(t)


ExtFOp = _cast("arith.extf", is_float_like, is_float_like, "wider", doc="Float widening (f16 -> f32...).")
TruncFOp = _cast(
    "arith.truncf", is_float_like, is_float_like, "narrower", doc="Float narrowing, round to nearest even."
)
SIToFPOp = _cast("arith.sitofp", _is_int_not_index, is_float_like, doc="Signed integer to float.")
UIToFPOp = _cast(
    "arith.uitofp",
    _is_int_not_index,
    is_float_like,
    convert=lambda x, dt: _unsigned(x).astype(dt),
    doc="Unsigned integer to float.",
)
FPToSIOp = _cast(
    "arith.fptosi",
    is_float_like,
    _is_int_not_index,
    convert=_fp_to_int,
    doc="Float to signed integer, toward zero.",
)
FPToUIOp = _cast(
    "arith.fptoui",
    is_float_like,
    _is_int_not_index,
    convert=lambda x, dt: (
        np.trunc(x).astype(np.dtype(f"u{dt.itemsize}") if dt.kind == "i" else dt).astype(dt)
    ),
    doc="Float to unsigned integer, toward zero.",
)
ExtSIOp = _cast("arith.extsi", _is_int_not_index, _is_int_not_index, "wider", doc="Sign extension.")
ExtUIOp = _cast(
    "arith.extui",
    _is_int_not_index,
    _is_int_not_index,
    "wider",
    convert=lambda x, dt: _unsigned(x).astype(dt),
    doc="Zero extension.",
)
TruncIOp = _cast(
    "arith.trunci", _is_int_not_index, _is_int_not_index, "narrower", doc="Integer truncation (wraps)."
)
IndexCastOp = _cast(
    "arith.index_cast", _is_index_cast_pair, _is_index_cast_pair, doc="index <-> integer (sign-extending)."
)


class BitcastOp(_Cast):
    """`arith.bitcast`: reinterprets the bits as another type of the same width."""

    name = "arith.bitcast"
    src_ok = staticmethod(lambda t: is_float_like(t) or _is_int_not_index(t))
    dst_ok = src_ok

    def verify_(self) -> None:
        super().verify_()
        if (
            to_numpy_dtype(scalar_of(self.in_.type)).itemsize
            != to_numpy_dtype(scalar_of(self.result.type)).itemsize
        ):
            raise self.error("operand and result must have the same bit width")

    def convert(self, x, dtype):
        a = np.asarray(x)
        return np.ascontiguousarray(a).view(dtype).reshape(a.shape)


def constant(value, type_: Type) -> ConstantOp:
    """Shorthand for `ConstantOp.create`."""
    return ConstantOp.create(value, type_)

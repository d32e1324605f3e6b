"""The base class of graph-dialect ops and the ONNX op-type registry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ir.attributes import Attribute
from ir.core import Operation, Value, _segments
from ir.errors import UnsupportedError
from ir.opdef import constant_value
from ir.types import (
    DYNAMIC,
    IntegerType,
    ShapedType,
    Type,
    bf16,
    f16,
    f32,
    f64,
    i1,
    i8,
    i16,
    i32,
    i64,
    index,
    ui8,
)

_BY_ONNX: dict[str, type[GraphOp]] = {}


class GraphOp(Operation):
    """A graph-level op. `onnx` names the ONNX operator it mirrors; its attributes carry ONNX's names and
    defaults, so the importer and exporter convert generically. `since_opset` is the oldest opset the
    definition covers (older versions with different inputs are normalized by the importer)."""

    onnx: ClassVar[str] = ""
    formula: ClassVar[Any] = None
    """The `ir.formulas.Formula` of an op whose semantics is one elementwise formula: `evaluate` runs it on
    numpy arrays and lower-graph-to-tensor on IR values, with the op's attributes (`formula_attrs`)."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "onnx" in cls.__dict__ and cls.onnx:
            _BY_ONNX[cls.onnx] = cls

    @classmethod
    def named_operands(cls, operands: Sequence[Value], properties: dict[str, Attribute]) -> dict[str, Any]:
        """Operand groups by field name (a Value, a list for variadic, None for absent) inside
        `infer_result_types`, where no op exists yet."""
        a = properties.get("operandSegmentSizes")
        sizes = list(a.value) if a is not None else None
        out: dict[str, Any] = {}
        for d, (start, n) in zip(
            cls.operand_defs, _segments(cls.operand_defs, len(operands), sizes, "operand")
        ):
            group = list(operands[start : start + n])
            out[d.name] = group if d.variadic else (group[0] if group else None)
        return out

    @classmethod
    def prop(cls, properties: dict[str, Attribute], name: str) -> Any:
        """The Python value of attribute `name` in `properties`, or its declared default."""
        d = cls.attr_defs[name]
        a = properties.get(name)
        if a is None:
            return None if d.required else d.default
        return d.kind.from_attr(a)

    def formula_attrs(self) -> dict[str, Any]:
        """The attribute values the op's formula reads (declared defaults filled in)."""
        return {a: getattr(self, a) for a in type(self).formula.attrs}

    def evaluate_formula(self, *xs: Any) -> Any:
        """The op's reference semantics through its formula's numpy backend."""
        return type(self).formula.evaluate(*xs, **self.formula_attrs())

    def verify_(self) -> None:
        """Graph ops check their result types against the inference rule (where it can run)."""
        self.verify_inferred_types()

    def verify_inferred_types(self) -> None:
        """Raises when a result type conflicts with the inferred one (dynamic dims match anything)."""
        try:
            inferred = type(self).infer_result_types(
                [v.type for v in self.operands], self.properties, list(self.operands)
            )
        except (UnsupportedError, TypeError, NotImplementedError):
            return  # no static rule here (value-dependent shape, or no rule): the given types stand
        except ValueError as e:
            raise self.error(str(e)) from None
        for r, t in zip(self.results, inferred):
            if not types_compatible(r.type, t):
                raise self.error(f"result #{r.index} has type {r.type}, but the operands give {t}")


def by_onnx_name(op_type: str) -> type[GraphOp] | None:
    """The graph op class for an ONNX op type (default domain), or None."""
    return _BY_ONNX.get(op_type)


def onnx_op_types() -> list[str]:
    """Every ONNX op type the graph dialect defines."""
    return sorted(_BY_ONNX)


# ----------------------------------------------------------------------------- shared helpers of the op files
# (additive: value-dependent shape inference, ONNX data-type codes, named operands in infer_result_types)

_ONNX_DTYPES: dict[int, Type] = {
    1: f32,
    2: ui8,
    3: i8,
    4: IntegerType(16, "u"),
    5: i16,
    6: i32,
    7: i64,
    9: i1,
    10: f16,
    11: f64,
    12: IntegerType(32, "u"),
    13: IntegerType(64, "u"),
    16: bf16,
}
_ONNX_NAMES = {8: "STRING", 14: "COMPLEX64", 15: "COMPLEX128"}


def onnx_dtype_to_type(code: int) -> Type:
    """The IR element type of an ONNX TensorProto data-type code (FLOAT=1 -> f32, INT64=7 -> i64, ...)."""
    t = _ONNX_DTYPES.get(int(code))
    if t is None:
        what = _ONNX_NAMES.get(int(code), f"code {code}")
        raise UnsupportedError(f"ONNX data type {what} is not supported")
    return t


def type_to_onnx_dtype(t: Type) -> int:
    """The ONNX TensorProto data-type code of an IR element (or shaped) type."""
    t = t.element_type if isinstance(t, ShapedType) else t
    if t == index:
        return 7
    for code, u in _ONNX_DTYPES.items():
        if u == t:
            return code
    raise UnsupportedError(f"type {t} has no ONNX data type")


def required_constant(op_name: str, input_name: str, v: Value | None) -> np.ndarray:
    """`constant_value(v)`, or UnsupportedError saying which op needs which input to be constant."""
    arr = constant_value(v)
    if arr is None:
        raise UnsupportedError(
            f"'{op_name}': input '{input_name}' is not a constant, so the result shape cannot be inferred "
            "statically (give the result type explicitly or fold the input to a constant)"
        )
    return arr


def to_dims(shape: Sequence[int]) -> list[int | None]:
    """An IR shape with DYNAMIC dims as None (the form ir.reference's shape helpers take)."""
    return [None if d == DYNAMIC else int(d) for d in shape]


def from_dims(dims: Sequence[int | None]) -> tuple[int, ...]:
    """A shape with None (unknown) dims back in IR form (DYNAMIC)."""
    return tuple(DYNAMIC if d is None or d < 0 else int(d) for d in dims)


def types_compatible(actual: Type, inferred: Type) -> bool:
    """Same element type and no two static dims that differ (a dynamic dim matches anything)."""
    if not (isinstance(actual, ShapedType) and isinstance(inferred, ShapedType)):
        return actual == inferred
    if actual.element_type != inferred.element_type or actual.rank != inferred.rank:
        return False
    return all(a == b or DYNAMIC in (a, b) for a, b in zip(actual.shape, inferred.shape))

"""Helpers shared by graph patterns: constants, building constants with provenance."""

from __future__ import annotations

import numpy as np

from ir.core import Operation, Value
from ir.opdef import ConstantLike
from ir.types import ShapedType, TensorType, from_numpy_dtype


def const(v: Value | None) -> np.ndarray | None:
    """The array of a constant-defined value, else None."""
    if v is None:
        return None
    d = v.defining_op
    if d is None or not d.has_trait(ConstantLike):
        return None
    return getattr(d.properties.get("value"), "array", None)


def is_const(v: Value) -> bool:
    return const(v) is not None


def new_const(rewriter, array: np.ndarray, provenance=(), type_=None) -> Value:
    """Inserts a graph.constant holding `array` (of `type_` or the array's own type); returns its value."""
    from ir.attributes import DenseElementsAttr
    from ir.dialects.graph.ops_core import Constant

    array = np.asarray(array)
    t = type_ or TensorType(array.shape, from_numpy_dtype(array.dtype))
    attr = DenseElementsAttr(t, array)
    return rewriter.insert(Constant.build(value=attr, result_types=[t], provenance=provenance)).result


def static_shape(v: Value) -> tuple[int, ...] | None:
    t = v.type
    return tuple(t.shape) if isinstance(t, ShapedType) and t.has_static_shape else None


def single_use(v: Value) -> bool:
    return len(v.uses) == 1


def merged_provenance(*ops: Operation) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for o in ops for p in o.provenance))

"""Normalizing older ONNX operator versions (opset 7 and later) to the newest form the graph dialect defines.

Most changes between opsets moved an attribute into an input of the same name (Slice-1 starts/ends,
Squeeze/Unsqueeze axes, Reduce* axes, Split split, Clip-6 min/max, Pad-2 pads, Dropout ratio, TopK k):
the importer turns such an attribute into a constant operand generically. The rest is handled here:
renamed or dropped attributes, changed defaults, and ops that became other ops (Upsample -> Resize).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ir.errors import UnsupportedError
from ir.types import ShapedType

if TYPE_CHECKING:  # pragma: no cover
    from ir.core import Value
    from ir.onnx_import import NodeBuilder

# Attributes that older opsets had and the newest forms dropped, with no effect on inference.
OBSOLETE_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"consumed_inputs", "is_test"},
    "BatchNormalization": {"spatial", "momentum"},
    "Dropout": {"seed"},
}

# Attributes that became inputs under another name: (op type, attribute) -> input name.
ATTRIBUTE_TO_INPUT_RENAMES: dict[tuple[str, str], str] = {("Pad", "value"): "constant_value"}

# Op types that the newest opsets replaced by another op.
ALIASES: dict[str, str] = {"Upsample": "Resize"}

Upgrade = Callable[["NodeBuilder", list, dict[str, Any]], list]
UPGRADES: dict[str, Upgrade] = {}


def upgrade(*op_types: str):
    def deco(fn: Upgrade) -> Upgrade:
        for t in op_types:
            UPGRADES[t] = fn
        return fn

    return deco


@upgrade("Softmax", "LogSoftmax", "Hardmax")
def _softmax(b: NodeBuilder, inputs: list, attrs: dict[str, Any]) -> list:
    """Before opset 13 these flattened the input to 2-D at `axis` (default 1) and normalized each row."""
    if b.opset >= 13:
        return b.emit(b.op_type, inputs, attrs)
    x = inputs[0]
    shape = x.type.shape
    rank = len(shape)
    axis = attrs.pop("axis", 1)
    axis = axis + rank if axis < 0 else axis
    if all(d == 1 for d in shape[axis + 1 :]) or axis == rank - 1 or rank == 0:
        # The flattened row is exactly the `axis` dimension (the rest are ones): the new semantics agree.
        if rank == 0:
            return b.emit(b.op_type, inputs, attrs)
        return b.emit(b.op_type, [x], {**attrs, "axis": axis})
    rows = int(np.prod(shape[:axis], dtype=np.int64))
    cols = int(np.prod(shape[axis:], dtype=np.int64))
    flat = b.emit("Reshape", [x, b.constant(np.array([rows, cols], np.int64), "shape")], {}, final=False)[0]
    y = b.emit(b.op_type, [flat], {**attrs, "axis": 1}, final=False)[0]
    return b.emit("Reshape", [y, b.constant(np.array(shape, np.int64), "shape")], {})


@upgrade("BatchNormalization")
def _batch_norm(b: NodeBuilder, inputs: list, attrs: dict[str, Any]) -> list:
    """Opset 7 had `spatial` (1 = per-channel parameters, the only form we support) and training outputs."""
    if attrs.get("spatial", 1) == 0 and any(v is not None and v.type.rank > 1 for v in inputs[1:]):
        raise UnsupportedError(f"{b.where}: BatchNormalization with spatial=0 and non-1-D parameters")
    if attrs.get("training_mode", 0):
        raise UnsupportedError(
            f"{b.where}: BatchNormalization with training_mode=1 (training) is not supported"
        )
    return b.emit("BatchNormalization", inputs, attrs)


@upgrade("Split")
def _split(b: NodeBuilder, inputs: list, attrs: dict[str, Any]) -> list:
    """Before opset 18 an equal split into as many parts as outputs needed no attribute."""
    has_split = (len(inputs) > 1 and inputs[1] is not None) or "split" in attrs
    if not has_split and "num_outputs" not in attrs:
        attrs["num_outputs"] = b.num_outputs
    return b.emit("Split", inputs, attrs)


@upgrade("Upsample")
def _upsample(b: NodeBuilder, inputs: list, attrs: dict[str, Any]) -> list:
    """Upsample (scales as an attribute in opset 7, as an input in 9) is Resize with asymmetric coordinates."""
    scales = inputs[1] if len(inputs) > 1 else None
    if scales is None:
        if "scales" not in attrs:
            raise UnsupportedError(f"{b.where}: Upsample without scales")
        scales = b.constant(np.asarray(attrs.pop("scales"), np.float32), "scales")
    return _resize_asymmetric(b, inputs[0], scales, attrs)


@upgrade("Resize")
def _resize(b: NodeBuilder, inputs: list, attrs: dict[str, Any]) -> list:
    """Resize-10 took (X, scales) and used asymmetric coordinates; 11 and later take (X, roi, scales, sizes)."""
    if b.opset >= 11:
        return b.emit("Resize", inputs, attrs)
    return _resize_asymmetric(b, inputs[0], inputs[1], attrs)


def _resize_asymmetric(b: NodeBuilder, x: Value, scales: Value, attrs: dict[str, Any]) -> list:
    mode = attrs.pop("mode", "nearest")
    if mode == "bilinear":
        mode = "linear"
    if attrs:
        raise UnsupportedError(f"{b.where}: unknown attribute(s) {', '.join(sorted(attrs))}")
    new = {"mode": mode, "coordinate_transformation_mode": "asymmetric"}
    if mode == "nearest":
        new["nearest_mode"] = "floor"
    return b.emit("Resize", [x, None, scales, None], new)


@upgrade("Constant")
def _constant(b: NodeBuilder, inputs: list, attrs: dict[str, Any]) -> list:
    """Constant's value comes as `value` (a tensor) or `value_float(s)` / `value_int(s)`."""
    if len(attrs) != 1:
        raise UnsupportedError(f"{b.where}: Constant needs exactly one value attribute, got {sorted(attrs)}")
    key, v = next(iter(attrs.items()))
    if key == "value":
        arr = v
    elif key == "value_float":
        arr = np.array(v, np.float32)
    elif key == "value_floats":
        arr = np.array(v, np.float32).reshape(-1)
    elif key == "value_int":
        arr = np.array(v, np.int64)
    elif key == "value_ints":
        arr = np.array(v, np.int64).reshape(-1)
    else:
        raise UnsupportedError(f"{b.where}: Constant with attribute '{key}' is not supported")
    return [b.constant(np.asarray(arr), b.output_name(0) or "constant", provenance=True)]


def attribute_input_dtype(b: NodeBuilder, value: Any, inputs: list) -> np.dtype:
    """The dtype of a constant operand made from an attribute: int64 for ints, else the data's float type."""
    if isinstance(value, (list, tuple)) and all(isinstance(x, (int, np.integer)) for x in value):
        return np.dtype(np.int64)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return np.dtype(np.int64)
    first = inputs[0] if inputs else None
    if first is not None and isinstance(first.type, ShapedType):
        return first.type.dtype
    return np.dtype(np.float32)


@upgrade("Dropout")
def _dropout(b: NodeBuilder, inputs: list, attrs: dict[str, Any]) -> list:
    """Inference only: a training_mode input must be a constant false (training dropout is random)."""
    mode = inputs[2] if len(inputs) > 2 else None
    if mode is not None:
        known = b.imp.known.get(mode)
        if known is None or bool(np.asarray(known).reshape(-1)[0]):
            raise UnsupportedError(f"{b.where}: Dropout in training mode (random) is not supported")
    return b.emit("Dropout", inputs, attrs)

"""The `graph` dialect: one op per ONNX operator, on tensor values, plus fused ops with a region.

Importing this package registers every graph op. `by_onnx_name("Conv")` finds the op class for an
ONNX operator type.
"""

from ir.dialects.graph import ops_core, ops_elementwise, ops_fused, ops_nn, ops_shape  # noqa: F401  (registers ops)
from ir.dialects.graph.base import (  # noqa: F401
    GraphOp,
    by_onnx_name,
    constant_value,
    onnx_dtype_to_type,
    onnx_op_types,
    type_to_onnx_dtype,
)
